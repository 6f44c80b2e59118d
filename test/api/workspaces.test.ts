/**
 * list_workspaces and create_workspace: account keys only, WarpStream's name rules, duplicates,
 * the application key a new workspace comes with, and that every refusal changes nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { hashSecret } from '../../src/ids.ts';
import { startTestPlatform, type CallOptions, type CallResult, type TestPlatform } from '../helpers/platform.ts';
import { storeKinds, type Cleanup, type StoreKind } from '../helpers/stores.ts';

// --- helpers ---------------------------------------------------------------------------------

function sharedPlatform(kind: StoreKind): () => TestPlatform {
  const cleanups: (() => unknown)[] = [];
  const scope: Cleanup = { after: (fn) => void cleanups.push(fn) };
  let platform: TestPlatform | undefined;
  before(async () => {
    platform = await startTestPlatform(kind, scope);
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });
  return () => platform!;
}

/** What a virtual cluster owns, read in parallel. */
async function clusterState(p: TestPlatform, id: string) {
  const [topics, deletedTopics, acls, credentials, pipelines, agentKeys, offsets] = await Promise.all([
    p.store.listTopics(id, 'live'),
    p.store.listTopics(id, 'deleted'),
    p.store.listAcls(id),
    p.store.listCredentials(id),
    p.store.listPipelines(id),
    p.store.listAgentKeys(id),
    p.store.listCommittedOffsets(id),
  ]);
  return { topics, deletedTopics, acls, credentials, pipelines, agentKeys, offsets };
}

/** Everything the store holds for the bootstrap account: what a refused request must not change. */
async function snapshot(p: TestPlatform) {
  const accountId = (await p.store.getApiKeyBySecretHash(hashSecret(p.boot.account_key)))!.account_id;
  const workspaces = await Promise.all(
    (await p.store.listWorkspaces(accountId)).map(async (workspace) => {
      const clusters = await Promise.all(
        (await p.store.listVirtualClusters(workspace.id)).map(async (cluster) => ({ cluster, ...(await clusterState(p, cluster.id)) })),
      );
      return { workspace, keys: await p.store.listApiKeys(workspace.id), clusters };
    }),
  );
  return { accountKeys: await p.store.listAccountKeys(accountId), workspaces };
}

function assertError(r: CallResult, status: number, code: string, what: string): void {
  assert.equal(r.status, status, `${what}: expected ${status}, got ${r.status} ${r.text}`);
  assert.deepEqual(Object.keys(r.body.error).sort(), ['code', 'correlationId', 'message', 'timestamp'], what);
  assert.equal(r.body.error.code, code, `${what}: ${r.text}`);
}

async function refused(
  p: TestPlatform,
  path: string,
  body: unknown,
  options: CallOptions,
  status: number,
  code: string,
  message?: RegExp,
): Promise<CallResult> {
  const before = await snapshot(p);
  const listed = await p.call('/api/v1/list_workspaces', undefined, { key: p.boot.account_key });
  const r = await p.call(path, body, options);
  assertError(r, status, code, `${path} ${JSON.stringify(body)}`);
  if (message) assert.match(r.body.error.message, message, JSON.stringify(body));
  assert.deepEqual(await snapshot(p), before, `${path} ${JSON.stringify(body)} changed nothing`);
  assert.deepEqual((await p.call('/api/v1/list_workspaces', undefined, { key: p.boot.account_key })).body, listed.body);
  return r;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ID = (prefix: string) => new RegExp(`^${prefix}[0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12}$`);

function assertRecentIso(value: unknown, startedAt: number): void {
  assert.equal(typeof value, 'string');
  assert.match(value as string, ISO);
  const at = Date.parse(value as string);
  assert.ok(at >= startedAt - 5 && at <= Date.now() + 5, `${value} is the creation time`);
}

// --- tests -----------------------------------------------------------------------------------

for (const kind of storeKinds()) {
  describe(`workspaces (${kind.kind})`, () => {
    const platform = sharedPlatform(kind);

    it('list_workspaces answers the bootstrap workspace with an ISO created_at, on GET without a body and POST with {}', async () => {
      const p = platform();
      for (const options of [
        { method: 'GET', body: undefined },
        { method: 'POST', body: {} },
        { method: 'POST', body: undefined },
      ] as const) {
        const r = await p.call('/api/v1/list_workspaces', options.body, { key: p.boot.account_key, method: options.method });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(Object.keys(r.body), ['workspaces']);
        assert.equal(r.body.workspaces.length, 1);
        const [ws] = r.body.workspaces;
        assert.deepEqual(Object.keys(ws).sort(), ['created_at', 'id', 'name']);
        assert.equal(ws.id, p.boot.workspace_id);
        assert.match(ws.id, ID('wi_'));
        assert.equal(ws.name, 'default');
        assert.match(ws.created_at, ISO);
      }
    });

    it('refuses list_workspaces and create_workspace to every key but the account key', async () => {
      const p = platform();
      const create = { workspace_name: 'refused workspace' };
      for (const path of ['/api/v1/list_workspaces', '/api/v1/create_workspace']) {
        const body = path.endsWith('create_workspace') ? create : undefined;
        await refused(p, path, body, { key: p.boot.application_key }, 403, 'FORBIDDEN', /account key/);
        await refused(p, path, body, { key: p.boot.agent_key }, 403, 'FORBIDDEN');
        await refused(p, path, body, { key: null }, 401, 'UNAUTHORIZED', /invalid_api_key/);
        await refused(p, path, body, { key: 'aks_' + randomBytes(32).toString('hex') }, 401, 'UNAUTHORIZED', /invalid_api_key/);
      }
    });

    it('create_workspace answers the workspace id and its application key (secret shown once) and lists the workspace', async () => {
      const p = platform();
      const startedAt = Date.now();
      const r = await p.call('/api/v1/create_workspace', { workspace_name: 'Team Blue-1' }, { key: p.boot.account_key });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(Object.keys(r.body).sort(), ['application_key', 'workspace_id']);
      const { workspace_id, application_key } = r.body;
      assert.match(workspace_id, ID('wi_'));
      assert.deepEqual(Object.keys(application_key).sort(), ['access_grants', 'created_at', 'id', 'key', 'name']);
      assert.match(application_key.id, ID('aki_'));
      // The key's name comes from the workspace's, with what a key name may not hold replaced.
      assert.equal(application_key.name, 'akn_Team_Blue_1_application_key');
      assert.match(application_key.key, /^aks_[0-9a-f]{64}$/);
      assertRecentIso(application_key.created_at, startedAt);
      assert.deepEqual(application_key.access_grants, [
        { principal_kind: 'application', resource_kind: '*', resource_id: '*', workspace_id },
      ]);

      // Only the hash is kept.
      const record = await p.store.getApiKeyBySecretHash(hashSecret(application_key.key));
      assert.ok(record);
      assert.equal(record.id, application_key.id);
      assert.equal(record.kind, 'application');
      assert.equal(record.workspace_id, workspace_id);
      assert.ok(!JSON.stringify(record).includes(application_key.key));

      const listed = await p.call('/api/v1/list_workspaces', undefined, { key: p.boot.account_key });
      assert.equal(listed.status, 200);
      const ws = listed.body.workspaces.find((w: { id: string }) => w.id === workspace_id);
      assert.deepEqual(Object.keys(ws).sort(), ['created_at', 'id', 'name']);
      assert.equal(ws.name, 'Team Blue-1');
      assertRecentIso(ws.created_at, startedAt);
      // Oldest first: the bootstrap workspace stays first.
      assert.equal(listed.body.workspaces[0].id, p.boot.workspace_id);

      // The new key lists its own workspace's keys, without secrets.
      const keys = await p.call('/api/v1/list_api_keys', undefined, { key: application_key.key });
      assert.equal(keys.status, 200);
      assert.deepEqual(keys.body.api_keys, [
        { id: application_key.id, name: application_key.name, created_at: application_key.created_at, access_grants: application_key.access_grants },
      ]);
    });

    it('gives the new application key its own workspace and nothing of the default one', async () => {
      const p = platform();
      const r = await p.call('/api/v1/create_workspace', { workspace_name: 'isolated' }, { key: p.boot.account_key });
      assert.equal(r.status, 200, r.text);
      const key = r.body.application_key.key as string;

      const empty = await p.call('/api/v1/list_virtual_clusters', undefined, { key, method: 'GET' });
      assert.equal(empty.status, 200, empty.text);
      assert.deepEqual(empty.body, { virtual_clusters: [] });

      // The default workspace's cluster is invisible to it (404, as if it did not exist).
      const topics = await p.call('/api/v1/list_topics', { virtual_cluster_id: p.boot.virtual_cluster_id }, { key });
      assertError(topics, 404, 'VIRTUAL_CLUSTER_NOT_FOUND', 'foreign cluster');

      // It manages its own workspace: a cluster created with it lands there, unseen by the default key.
      const vc = await p.call(
        '/api/v1/create_virtual_cluster',
        {
          virtual_cluster_name: 'isolated_vc',
          virtual_cluster_type: 'byoc',
          virtual_cluster_region: 'us-east-1',
          virtual_cluster_cloud_provider: 'aws',
          virtual_cluster_tier: 'dev',
        },
        { key },
      );
      assert.equal(vc.status, 200, vc.text);
      assert.equal(vc.body.workspace_id, r.body.workspace_id);
      const mine = await p.call('/api/v1/list_virtual_clusters', {}, { key });
      assert.deepEqual(mine.body.virtual_clusters.map((c: { id: string }) => c.id), [vc.body.virtual_cluster_id]);
      const theirs = await p.call('/api/v1/list_virtual_clusters', {});
      assert.deepEqual(theirs.body.virtual_clusters.map((c: { id: string }) => c.id), [p.boot.virtual_cluster_id]);
    });

    it('skip_application_key_creation creates the workspace without a key', async () => {
      const p = platform();
      const r = await p.call('/api/v1/create_workspace', { workspace_name: 'keyless', skip_application_key_creation: true }, { key: p.boot.account_key });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(Object.keys(r.body), ['workspace_id']);
      assert.match(r.body.workspace_id, ID('wi_'));
      assert.deepEqual(await p.store.listApiKeys(r.body.workspace_id), []);
      const listed = await p.call('/api/v1/list_workspaces', {}, { key: p.boot.account_key });
      assert.ok(listed.body.workspaces.some((w: { id: string; name: string }) => w.id === r.body.workspace_id && w.name === 'keyless'));

      // false is the default: a key is created.
      const withKey = await p.call(
        '/api/v1/create_workspace',
        { workspace_name: 'keyed', skip_application_key_creation: false },
        { key: p.boot.account_key },
      );
      assert.equal(withKey.status, 200, withKey.text);
      assert.match(withKey.body.application_key.key, /^aks_[0-9a-f]{64}$/);
    });

    it('accepts names of 3 to 128 letters, digits, spaces, "_" and "-"', async () => {
      const p = platform();
      for (const name of ['abc', 'a'.repeat(128), 'with space', 'under_score', 'dash-ed', '0123', 'MiXeD 9_-z']) {
        const r = await p.call('/api/v1/create_workspace', { workspace_name: name, skip_application_key_creation: true }, { key: p.boot.account_key });
        assert.equal(r.status, 200, `${JSON.stringify(name)}: ${r.text}`);
        const listed = await p.call('/api/v1/list_workspaces', {}, { key: p.boot.account_key });
        assert.equal(listed.body.workspaces.find((w: { id: string }) => w.id === r.body.workspace_id).name, name);
      }
    });

    it('refuses invalid names with 400 and changes nothing', async () => {
      const p = platform();
      for (const name of ['', 'ab', 'a'.repeat(129), 'dot.ted', 'slash/ed', 'émoji', 'tab\there', 'new\nline', 'semi;colon', "quote'd", 'a😀b']) {
        await refused(
          p,
          '/api/v1/create_workspace',
          { workspace_name: name },
          { key: p.boot.account_key },
          400,
          'VALIDATION_ERROR',
          /workspace_name/,
        );
      }
    });

    it('refuses wrong JSON types and missing fields with 400 and changes nothing', async () => {
      const p = platform();
      const bodies: unknown[] = [
        {},
        { workspace_name: null },
        { workspace_name: 123 },
        { workspace_name: ['abc'] },
        { workspace_name: { name: 'abc' } },
        { workspace_name: true },
        { workspace_name: 'typed', skip_application_key_creation: 'true' },
        { workspace_name: 'typed', skip_application_key_creation: 1 },
        { workspace_name: 'typed', skip_application_key_creation: null },
        [],
        'abc',
        42,
      ];
      for (const body of bodies) {
        await refused(p, '/api/v1/create_workspace', body, { key: p.boot.account_key }, 400, 'VALIDATION_ERROR');
      }
      await refused(p, '/api/v1/create_workspace', undefined, { key: p.boot.account_key, raw: '{"workspace_name": "x' }, 400, 'MALFORMED_JSON');
    });

    it('refuses a duplicate name with 409 and changes nothing', async () => {
      const p = platform();
      const first = await p.call('/api/v1/create_workspace', { workspace_name: 'twice' }, { key: p.boot.account_key });
      assert.equal(first.status, 200);
      await refused(p, '/api/v1/create_workspace', { workspace_name: 'twice' }, { key: p.boot.account_key }, 409, 'WORKSPACE_ALREADY_EXISTS', /twice/);
      await refused(
        p,
        '/api/v1/create_workspace',
        { workspace_name: 'twice', skip_application_key_creation: true },
        { key: p.boot.account_key },
        409,
        'WORKSPACE_ALREADY_EXISTS',
      );
      await refused(p, '/api/v1/create_workspace', { workspace_name: 'default' }, { key: p.boot.account_key }, 409, 'WORKSPACE_ALREADY_EXISTS');
    });

    it('gives the application keys of two workspaces whose names map to one key name distinct secrets and names within each workspace', async () => {
      const p = platform();
      // "x y" and "x_y" both become akn_x_y_application_key; key names are per workspace, so both keep that name.
      const a = await p.call('/api/v1/create_workspace', { workspace_name: 'x y' }, { key: p.boot.account_key });
      const b = await p.call('/api/v1/create_workspace', { workspace_name: 'x_y' }, { key: p.boot.account_key });
      assert.equal(a.status, 200, a.text);
      assert.equal(b.status, 200, b.text);
      assert.equal(a.body.application_key.name, 'akn_x_y_application_key');
      assert.equal(b.body.application_key.name, 'akn_x_y_application_key');
      assert.notEqual(a.body.application_key.key, b.body.application_key.key);
      assert.notEqual(a.body.workspace_id, b.body.workspace_id);
      const keysA = await p.call('/api/v1/list_api_keys', {}, { key: a.body.application_key.key });
      assert.deepEqual(keysA.body.api_keys.map((k: { id: string }) => k.id), [a.body.application_key.id]);
    });
  });
}
