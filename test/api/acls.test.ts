import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCluster, foreignWorkspace, listedEveryWay, ok, readOnlyKey, refused, UNKNOWN_CLUSTER } from '../helpers/api.ts';
import { startTestPlatform, type CallResult, type TestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';

/** virtual_clusters/acls/create and /list: Kafka's ACL vocabulary, canonical answers, duplicates. */

const CREATE = '/api/v1/virtual_clusters/acls/create';
const LIST = '/api/v1/virtual_clusters/acls/list';

const ACL = {
  resource_type: 'TOPIC',
  resource_name: 'orders',
  pattern_type: 'LITERAL',
  principal: 'User:ccun_alice',
  host: '*',
  operation: 'READ',
  permission_type: 'ALLOW',
} as const;

type AclFields = Record<keyof typeof ACL, string>;

async function createAcl(p: TestPlatform, acl: Partial<AclFields>, cluster?: string): Promise<CallResult> {
  const result = await p.call(CREATE, { virtual_cluster_id: cluster ?? p.boot.virtual_cluster_id, acl: { ...ACL, ...acl } });
  assert.equal(result.status, 200, `${JSON.stringify(acl)} → ${result.text}`);
  return result;
}

/** Creations within one millisecond list in id order, so lists are compared as sets. */
function sorted<T>(items: T[]): T[] {
  return [...items].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

/** list for `cluster` (the bootstrap cluster unless given), asserting 200. */
function listAcls(p: TestPlatform, cluster = p.boot.virtual_cluster_id): Promise<CallResult> {
  return ok(p, LIST, { virtual_cluster_id: cluster });
}

for (const kind of storeKinds()) {
  describe(`ACLs (${kind.kind})`, () => {
    test('list is [] (never null) on a fresh cluster, by POST, GET and GET with a query string', async (t) => {
      const p = await startTestPlatform(kind, t);
      assert.equal((await listedEveryWay(p, LIST, p.boot.virtual_cluster_id)).text, '{"acls":[]}');
      await refused(p, LIST, undefined, 400, 'VALIDATION_ERROR');
      await refused(p, LIST, { virtual_cluster_id: UNKNOWN_CLUSTER }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
    });

    test('create answers {acl} with exactly the seven fields; list shows it', async (t) => {
      const p = await startTestPlatform(kind, t);
      const result = await createAcl(p, {});
      assert.deepEqual(result.body, { acl: ACL });
      assert.deepEqual(Object.keys(result.body.acl).sort(), Object.keys(ACL).sort());
      assert.deepEqual((await listAcls(p)).body, { acls: [ACL] });
      const stored = await p.store.listAcls(p.boot.virtual_cluster_id);
      assert.equal(stored.length, 1);
      assert.match(stored[0]!.id, /^acl_/);
    });

    test('enums are accepted in any case and answered in canonical upper case', async (t) => {
      const p = await startTestPlatform(kind, t);
      const result = await createAcl(p, { resource_type: 'topic', pattern_type: 'Prefixed', operation: 'describe_configs', permission_type: 'deny' });
      const canonical = { ...ACL, resource_type: 'TOPIC', pattern_type: 'PREFIXED', operation: 'DESCRIBE_CONFIGS', permission_type: 'DENY' };
      assert.deepEqual(result.body, { acl: canonical });
      assert.deepEqual((await listAcls(p)).body, { acls: [canonical] });
      // The same ACL in upper case is a duplicate of it.
      await refused(p, CREATE, { virtual_cluster_id: p.boot.virtual_cluster_id, acl: canonical }, 409, 'ACL_ALREADY_EXISTS');
    });

    test('every value of Kafka\'s enums is accepted', async (t) => {
      const p = await startTestPlatform(kind, t);
      const created: AclFields[] = [];
      const add = async (acl: Partial<AclFields>) => {
        const result = await createAcl(p, acl);
        created.push(result.body.acl);
      };
      for (const resource_type of ['TOPIC', 'GROUP', 'TRANSACTIONAL_ID', 'DELEGATION_TOKEN', 'USER']) await add({ resource_type });
      await add({ resource_type: 'CLUSTER', resource_name: 'kafka-cluster' });
      await add({ pattern_type: 'PREFIXED' });
      for (const operation of ['ALL', 'WRITE', 'CREATE', 'DELETE', 'ALTER', 'DESCRIBE', 'CLUSTER_ACTION', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'IDEMPOTENT_WRITE', 'CREATE_TOKENS', 'DESCRIBE_TOKENS']) {
        await add({ operation });
      }
      await add({ permission_type: 'DENY' });
      await add({ principal: 'User:*' });
      await add({ principal: 'Group:admins' });
      await add({ host: '10.0.0.1' });
      await add({ host: '::1' });
      await add({ host: '2001:db8::7' });
      await add({ resource_name: '*' });
      assert.deepEqual(sorted((await listAcls(p)).body.acls), sorted(created));
      assert.equal(created.length, 26);
    });

    test('each enum refuses a wrong value with 400 INVALID_ACL, changing nothing', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await createAcl(p, {});
      const bad: Array<Partial<AclFields>> = [
        { resource_type: 'ANY' },
        { resource_type: 'UNKNOWN' },
        { resource_type: 'TOPICS' },
        { resource_type: '' },
        { pattern_type: 'MATCH' },
        { pattern_type: 'ANY' },
        { pattern_type: 'UNKNOWN' },
        { pattern_type: 'WILDCARD' },
        { operation: 'ANY' },
        { operation: 'UNKNOWN' },
        { operation: 'PRODUCE' },
        { operation: 'read ' },
        { permission_type: 'ANY' },
        { permission_type: 'UNKNOWN' },
        { permission_type: 'PERMIT' },
        { permission_type: '' },
      ];
      for (const acl of bad) {
        const result = await refused(p, CREATE, { virtual_cluster_id: id, acl: { ...ACL, ...acl } }, 400, 'INVALID_ACL');
        const field = Object.keys(acl)[0]!;
        assert.match(result.body.error.message, new RegExp(field), `the message names ${field}`);
      }
    });

    test('resource name, CLUSTER name, principal and host rules: 400 INVALID_ACL', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      const bad: Array<Partial<AclFields>> = [
        { resource_name: '' },
        { resource_type: 'CLUSTER', resource_name: 'orders' },
        { resource_type: 'CLUSTER', resource_name: 'Kafka-Cluster' },
        { resource_type: 'cluster', resource_name: '*' },
        { principal: 'alice' },
        { principal: 'User:' },
        { principal: ':alice' },
        { principal: '' },
        { principal: 'User alice' },
        { host: 'localhost' },
        { host: '' },
        { host: '10.0.0.0/8' },
        { host: '256.1.1.1' },
        { host: '**' },
      ];
      for (const acl of bad) await refused(p, CREATE, { virtual_cluster_id: id, acl: { ...ACL, ...acl } }, 400, 'INVALID_ACL');
      assert.equal((await listAcls(p)).text, '{"acls":[]}');
    });

    test('missing or mistyped acl fields: 400 VALIDATION_ERROR naming the field', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      for (const field of Object.keys(ACL)) {
        const acl: Record<string, unknown> = { ...ACL };
        delete acl[field];
        const result = await refused(p, CREATE, { virtual_cluster_id: id, acl }, 400, 'VALIDATION_ERROR');
        assert.match(result.body.error.message, new RegExp(field));
        const typed = await refused(p, CREATE, { virtual_cluster_id: id, acl: { ...ACL, [field]: 7 } }, 400, 'VALIDATION_ERROR');
        assert.match(typed.body.error.message, new RegExp(field));
      }
      await refused(p, CREATE, { virtual_cluster_id: id }, 400, 'VALIDATION_ERROR');
      await refused(p, CREATE, { virtual_cluster_id: id, acl: null }, 400, 'VALIDATION_ERROR');
      await refused(p, CREATE, { virtual_cluster_id: id, acl: [ACL] }, 400, 'VALIDATION_ERROR');
      await refused(p, CREATE, { virtual_cluster_id: id, acl: 'TOPIC:orders' }, 400, 'VALIDATION_ERROR');
      await refused(p, CREATE, { acl: ACL }, 400, 'VALIDATION_ERROR');
      await refused(p, CREATE, undefined, 400, 'VALIDATION_ERROR');
      await refused(p, CREATE, undefined, 400, 'MALFORMED_JSON', { raw: '{"acl":{' });
    });

    test('an identical ACL is 409 ACL_ALREADY_EXISTS; one differing field makes a new ACL', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await createAcl(p, {});
      await refused(p, CREATE, { virtual_cluster_id: id, acl: ACL }, 409, 'ACL_ALREADY_EXISTS');
      const variants: Array<Partial<AclFields>> = [
        { resource_type: 'GROUP' },
        { resource_name: 'Orders' },
        { pattern_type: 'PREFIXED' },
        { principal: 'User:ccun_bob' },
        { host: '127.0.0.1' },
        { operation: 'WRITE' },
        { permission_type: 'DENY' },
      ];
      for (const variant of variants) await createAcl(p, variant);
      assert.equal((await listAcls(p)).body.acls.length, 8);
      // The same ACL on another cluster is not a duplicate.
      const otherId = await createCluster(p, 'other');
      assert.equal((await listAcls(p, otherId)).text, '{"acls":[]}');
      await createAcl(p, {}, otherId);
      assert.deepEqual((await listAcls(p, otherId)).body, { acls: [ACL] });
      assert.equal((await listAcls(p)).body.acls.length, 8);
    });

    test('list answers exactly the created ACLs, the same way on every call', async (t) => {
      const p = await startTestPlatform(kind, t);
      const names = ['zeta', 'alpha', 'mid'];
      for (const resource_name of names) await createAcl(p, { resource_name });
      const first = (await listAcls(p)).body.acls as AclFields[];
      assert.deepEqual(first.map((acl) => acl.resource_name).sort(), [...names].sort());
      assert.deepEqual((await listAcls(p)).body.acls, first);
    });

    test('unknown cluster 404; other workspace 404; agent and read-only keys 403', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await refused(p, CREATE, { virtual_cluster_id: UNKNOWN_CLUSTER, acl: ACL }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, CREATE, { virtual_cluster_id: id, acl: ACL }, 403, 'FORBIDDEN', { key: p.boot.agent_key });
      await refused(p, CREATE, { virtual_cluster_id: id, acl: ACL }, 401, 'UNAUTHORIZED', { key: null });

      const reader = await readOnlyKey(p);
      await refused(p, CREATE, { virtual_cluster_id: id, acl: ACL }, 403, 'FORBIDDEN', { key: reader });
      const readable = await p.call(LIST, { virtual_cluster_id: id }, { key: reader });
      assert.equal(readable.text, '{"acls":[]}');

      const { key: foreignKey, cluster: foreignId } = await foreignWorkspace(p);
      await refused(p, CREATE, { virtual_cluster_id: foreignId, acl: ACL }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, LIST, { virtual_cluster_id: foreignId }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, CREATE, { virtual_cluster_id: id, acl: ACL }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND', { key: foreignKey });
    });
  });
}
