/**
 * Auth scoping across the whole Management API: which key kinds may call which endpoint
 * (account keys the account, application keys their workspace, agent keys nothing), 401 for a
 * missing or unknown key, 403 for a key outside its scope, read-only (`_r`) keys, and tenant
 * isolation between workspaces. Every refused request must leave the store exactly as it was.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { managementEndpoints } from '../../src/control-plane/app.ts';
import { hashSecret } from '../../src/ids.ts';
import { assertError, clusterBody, foreignWorkspace, ok, readOnlyKey, refused, sharedPlatform, storeSnapshot } from '../helpers/api.ts';
import type { CallOptions, TestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';

// --- helpers ---------------------------------------------------------------------------------

function unknownSecret(): string {
  return 'aks_' + randomBytes(32).toString('hex');
}

/** Which keys each endpoint is for: written out here, not read from the routes, so a change shows. */
const SCOPES: Record<string, 'account' | 'workspace' | 'both'> = {
  '/api/v1/list_workspaces': 'account',
  '/api/v1/create_workspace': 'account',
  '/api/v1/list_api_keys': 'both',
  '/api/v1/create_api_key': 'both',
  '/api/v1/list_virtual_clusters': 'workspace',
  '/api/v1/create_virtual_cluster': 'workspace',
  '/api/v1/delete_virtual_cluster': 'workspace',
  '/api/v1/create_virtual_cluster_credentials': 'workspace',
  '/api/v1/list_virtual_cluster_credentials': 'workspace',
  '/api/v1/delete_virtual_cluster_credentials': 'workspace',
  '/api/v1/describe_virtual_cluster_configuration': 'workspace',
  '/api/v1/update_virtual_cluster_configuration': 'workspace',
  '/api/v1/list_topics': 'workspace',
  '/api/v1/create_topic': 'workspace',
  '/api/v1/delete_topic': 'workspace',
  '/api/v1/virtual_clusters/acls/create': 'workspace',
  '/api/v1/virtual_clusters/acls/list': 'workspace',
  '/api/v1/virtual_clusters/acls/delete': 'workspace',
  '/api/v1/list_pipelines': 'workspace',
  '/api/v1/create_pipeline': 'workspace',
  '/api/v1/monitoring/describe_all_consumer_groups': 'workspace',
  '/api/v1/rename_workspace': 'account',
  '/api/v1/delete_workspace': 'account',
  '/api/v1/delete_api_key': 'both',
  '/api/v1/list_user_roles': 'account',
  '/api/v1/create_user_role': 'account',
  '/api/v1/update_user_role': 'account',
  '/api/v1/delete_user_role': 'account',
  '/api/v1/describe_pipeline': 'workspace',
  '/api/v1/create_pipeline_configuration': 'workspace',
  '/api/v1/change_pipeline_state': 'workspace',
  '/api/v1/delete_pipeline': 'workspace',
  '/api/v1/describe_virtual_cluster': 'workspace',
  '/api/v1/rename_virtual_cluster': 'workspace',
  '/api/v1/update_virtual_cluster_tier': 'workspace',
  '/api/v1/describe_virtual_cluster_tags': 'workspace',
  '/api/v1/update_virtual_cluster_tags': 'workspace',
  '/api/v1/describe_topic': 'workspace',
  '/api/v1/update_topic': 'workspace',
  '/api/v1/get_events_state': 'workspace',
  '/api/v1/update_events_state': 'workspace',
};

const MUTATIONS = new Set([
  '/api/v1/create_workspace',
  '/api/v1/create_api_key',
  '/api/v1/create_virtual_cluster',
  '/api/v1/delete_virtual_cluster',
  '/api/v1/create_virtual_cluster_credentials',
  '/api/v1/create_topic',
  '/api/v1/delete_topic',
  '/api/v1/virtual_clusters/acls/create',
  '/api/v1/virtual_clusters/acls/delete',
  '/api/v1/delete_virtual_cluster_credentials',
  '/api/v1/update_virtual_cluster_configuration',
  '/api/v1/create_pipeline',
  '/api/v1/rename_workspace',
  '/api/v1/delete_workspace',
  '/api/v1/delete_api_key',
  '/api/v1/create_user_role',
  '/api/v1/update_user_role',
  '/api/v1/delete_user_role',
  '/api/v1/create_pipeline_configuration',
  '/api/v1/change_pipeline_state',
  '/api/v1/delete_pipeline',
  '/api/v1/rename_virtual_cluster',
  '/api/v1/update_virtual_cluster_tier',
  '/api/v1/update_virtual_cluster_tags',
  '/api/v1/update_topic',
  '/api/v1/update_events_state',
]);

/** A body each endpoint would accept from a key allowed to call it (so only the key is wrong). */
function validBodies(p: TestPlatform): Record<string, unknown> {
  const virtual_cluster_id = p.boot.virtual_cluster_id;
  const existingAcl = {
    resource_type: 'TOPIC',
    resource_name: 'auth-existing',
    pattern_type: 'LITERAL',
    principal: 'User:bob',
    host: '*',
    operation: 'READ',
    permission_type: 'ALLOW',
  };
  return {
    '/api/v1/list_virtual_cluster_credentials': { virtual_cluster_id },
    '/api/v1/delete_virtual_cluster_credentials': { id: existingCredentialId, virtual_cluster_id },
    '/api/v1/describe_virtual_cluster_configuration': { virtual_cluster_id },
    '/api/v1/update_virtual_cluster_configuration': { virtual_cluster_id, virtual_cluster_configuration: { are_acls_enabled: true } },
    '/api/v1/virtual_clusters/acls/delete': { virtual_cluster_id, acls: [existingAcl] },
    '/api/v1/list_workspaces': {},
    '/api/v1/create_workspace': { workspace_name: 'auth scoping ws' },
    '/api/v1/list_api_keys': {},
    '/api/v1/create_api_key': {
      name: 'auth_scoping_key',
      access_grants: [{ principal_kind: 'application', resource_kind: '*', resource_id: '*', workspace_id: p.boot.workspace_id }],
    },
    '/api/v1/list_virtual_clusters': {},
    '/api/v1/create_virtual_cluster': clusterBody('auth_scoping_vc'),
    '/api/v1/delete_virtual_cluster': { virtual_cluster_id, virtual_cluster_name: p.boot.virtual_cluster_name },
    '/api/v1/create_virtual_cluster_credentials': { credentials_name: 'auth_cred', is_cluster_superuser: true, virtual_cluster_id },
    '/api/v1/list_topics': { virtual_cluster_id, include_recently_deleted: true },
    '/api/v1/create_topic': { virtual_cluster_id, topic_name: 'auth-new-topic', partition_count: 3 },
    '/api/v1/delete_topic': { virtual_cluster_id, topic_name: 'auth-existing' },
    '/api/v1/virtual_clusters/acls/create': {
      virtual_cluster_id,
      acl: {
        resource_type: 'TOPIC',
        resource_name: 'auth-existing',
        pattern_type: 'LITERAL',
        principal: 'User:alice',
        host: '*',
        operation: 'WRITE',
        permission_type: 'ALLOW',
      },
    },
    '/api/v1/virtual_clusters/acls/list': { virtual_cluster_id },
    '/api/v1/list_pipelines': { virtual_cluster_id },
    '/api/v1/create_pipeline': { virtual_cluster_id, pipeline_name: 'auth-pipeline' },
    '/api/v1/monitoring/describe_all_consumer_groups': { virtual_cluster_id },
    '/api/v1/rename_workspace': { workspace_id: p.boot.workspace_id, new_workspace_name: 'auth renamed' },
    '/api/v1/delete_workspace': { workspace_id: existing.emptyWorkspaceId },
    '/api/v1/delete_api_key': { api_key_id: existing.apiKeyId },
    '/api/v1/list_user_roles': {},
    '/api/v1/create_user_role': { user_role_name: 'auth role', access_grants: [{ workspace_id: p.boot.workspace_id, managed_grant_name: 'admin' }] },
    '/api/v1/update_user_role': { user_role_id: existing.userRoleId, new_user_role_name: 'auth role renamed' },
    '/api/v1/delete_user_role': { user_role_id: existing.userRoleId },
    '/api/v1/describe_pipeline': { virtual_cluster_id, pipeline_id: existing.pipelineId },
    '/api/v1/create_pipeline_configuration': { virtual_cluster_id, pipeline_id: existing.pipelineId, configuration_yaml: 'input: {}\noutput: {}\n' },
    '/api/v1/change_pipeline_state': { virtual_cluster_id, pipeline_id: existing.pipelineId, desired_state: 'running', deployed_configuration_id: existing.configurationId },
    '/api/v1/delete_pipeline': { virtual_cluster_id, pipeline_id: existing.pipelineId },
    '/api/v1/describe_virtual_cluster': { virtual_cluster_id },
    '/api/v1/rename_virtual_cluster': { virtual_cluster_id, new_virtual_cluster_name: 'auth_renamed' },
    '/api/v1/update_virtual_cluster_tier': { virtual_cluster_id, tier: 'pro' },
    '/api/v1/describe_virtual_cluster_tags': { virtual_cluster_id },
    '/api/v1/update_virtual_cluster_tags': { virtual_cluster_id, tags: { team: 'auth' } },
    '/api/v1/describe_topic': { virtual_cluster_id, topic_name: 'auth-existing' },
    '/api/v1/update_topic': { virtual_cluster_id, topic_name: 'auth-existing', configs: { 'retention.ms': '3600000' } },
    '/api/v1/get_events_state': { virtual_cluster_id },
    '/api/v1/update_events_state': { virtual_cluster_id, enabled: true },
  };
}

/** Set by each suite's `before`: credentials a delete would hit. */
let existingCredentialId = '';
/** Set by each suite's `before`: what the other deletes and updates would hit. */
const existing = { emptyWorkspaceId: '', apiKeyId: '', userRoleId: '', pipelineId: '', configurationId: '' };

const PATHS = managementEndpoints.map((e) => e.path);

/** The store snapshot plus what it leaves out: user roles and pipeline configurations. */
async function fullSnapshot(p: TestPlatform) {
  const accountId = (await p.store.getApiKeyBySecretHash(hashSecret(p.boot.account_key)))!.account_id;
  const pipelines = await p.store.listPipelines(p.boot.virtual_cluster_id);
  return {
    store: await storeSnapshot(p),
    userRoles: await p.store.listUserRoles(accountId),
    configurations: await Promise.all(pipelines.map((pipeline) => p.store.listPipelineConfigurations(pipeline.id))),
  };
}
const METHODS = ['POST', 'GET'] as const;

// --- tests -----------------------------------------------------------------------------------

describe('auth test fixtures', () => {
  it('know every Management API endpoint and its scope', () => {
    assert.deepEqual([...PATHS].sort(), Object.keys(SCOPES).sort());
    for (const path of MUTATIONS) assert.ok(path in SCOPES, path);
  });
});

for (const kind of storeKinds()) {
  describe(`auth scoping (${kind.kind})`, () => {
    const platform = sharedPlatform(kind);
    let agentReadOnlyKey: string;
    let appReadOnlyKey: string;
    let otherWorkspace: { id: string; key: string; cluster: string };

    before(async () => {
      const p = platform();
      const vci = p.boot.virtual_cluster_id;
      // Something for the mutations to hit (a topic to delete, …), so a refusal that slipped
      // through would show in the snapshot.
      await ok(p, '/api/v1/create_topic', { virtual_cluster_id: vci, topic_name: 'auth-existing', partition_count: 2 });
      existingCredentialId = (await ok(p, '/api/v1/create_virtual_cluster_credentials', { credentials_name: 'auth_existing', is_cluster_superuser: false, virtual_cluster_id: vci })).body.id;
      await ok(p, '/api/v1/virtual_clusters/acls/create', {
        virtual_cluster_id: vci,
        acl: { resource_type: 'TOPIC', resource_name: 'auth-existing', pattern_type: 'LITERAL', principal: 'User:bob', host: '*', operation: 'READ', permission_type: 'ALLOW' },
      });
      existing.emptyWorkspaceId = (await ok(p, '/api/v1/create_workspace', { workspace_name: 'auth empty', skip_application_key_creation: true }, { key: p.boot.account_key })).body.workspace_id;
      existing.apiKeyId = (await ok(p, '/api/v1/create_api_key', { name: 'auth_victim', access_grants: [{ principal_kind: 'app', resource_kind: '*', resource_id: '*' }] })).body.id;
      existing.userRoleId = (await ok(p, '/api/v1/create_user_role', { user_role_name: 'auth existing', access_grants: [] }, { key: p.boot.account_key })).body.user_role_id;
      existing.pipelineId = (await ok(p, '/api/v1/create_pipeline', { virtual_cluster_id: vci, pipeline_name: 'auth-existing' })).body.pipeline_id;
      existing.configurationId = (await ok(p, '/api/v1/create_pipeline_configuration', { virtual_cluster_id: vci, pipeline_id: existing.pipelineId, configuration_yaml: 'input: {}\noutput: {}\n' })).body.configuration_id;
      appReadOnlyKey = await readOnlyKey(p, 'read_only_app');
      agentReadOnlyKey = (
        await ok(p, '/api/v1/create_api_key', {
          name: 'read_only_agent',
          access_grants: [{ principal_kind: 'agent_r', resource_kind: 'virtual_cluster', resource_id: vci }],
        })
      ).body.key;
      otherWorkspace = await foreignWorkspace(p, 'other tenant', 'tenant_b', {
        virtual_cluster_region: 'eu-west-1',
        virtual_cluster_cloud_provider: 'gcp',
        virtual_cluster_tier: 'pro',
      });
    });

    it('answers 401 invalid_api_key on every endpoint and method without a key, with an empty one, or an unknown one', async () => {
      const p = platform();
      const bodies = validBodies(p);
      const before = await fullSnapshot(p);
      const cases: { what: string; options: CallOptions; message: RegExp }[] = [
        { what: 'no key', options: { key: null }, message: /invalid_api_key.*warpstream-api-key/ },
        { what: 'empty key', options: { key: '' }, message: /invalid_api_key/ },
        { what: 'unknown key', options: { key: unknownSecret() }, message: /invalid_api_key.*unknown/ },
        { what: 'not a secret', options: { key: 'hello' }, message: /invalid_api_key/ },
        // The hash is what the store holds; it must not work as the key.
        { what: 'the hash of a key', options: { key: hashSecret(p.boot.application_key) }, message: /invalid_api_key/ },
        // Another header than warpstream-api-key carries nothing.
        {
          what: 'key in Authorization',
          options: { key: null, headers: { authorization: `Bearer ${p.boot.application_key}` } },
          message: /invalid_api_key/,
        },
      ];
      for (const path of PATHS) {
        for (const method of METHODS) {
          for (const c of cases) {
            const r = await p.call(path, bodies[path], { ...c.options, method });
            assertError(r, 401, 'UNAUTHORIZED', `${c.what}: ${method} ${path}`);
            assert.match(r.body.error.message, c.message, `${c.what}: ${method} ${path}`);
          }
        }
      }
      assert.deepEqual(await fullSnapshot(p), before);
    });

    it('authenticates before reading the body: malformed or invalid bodies without a key are 401, with an agent key 403', async () => {
      const p = platform();
      await refused(p, '/api/v1/create_topic', undefined, 401, 'UNAUTHORIZED', { key: null, raw: '{"virtual_cluster_id": ' }, /invalid_api_key/);
      await refused(p, '/api/v1/create_workspace', { workspace_name: 7 }, 401, 'UNAUTHORIZED', { key: unknownSecret() }, /invalid_api_key/);
      await refused(p, '/api/v1/create_topic', undefined, 403, 'FORBIDDEN', { key: p.boot.agent_key, raw: 'not json' });
      await refused(p, '/api/v1/create_workspace', { nonsense: true }, 403, 'FORBIDDEN', { key: p.boot.application_key });
    });

    it('refuses agent keys (read-write and read-only) on every endpoint and method with 403', async () => {
      const p = platform();
      const bodies = validBodies(p);
      const before = await fullSnapshot(p);
      for (const key of [p.boot.agent_key, agentReadOnlyKey]) {
        for (const path of PATHS) {
          for (const method of METHODS) {
            const r = await p.call(path, bodies[path], { key, method });
            assertError(r, 403, 'FORBIDDEN', `agent key: ${method} ${path}`);
            assert.match(r.body.error.message, /agent keys/);
          }
        }
      }
      assert.deepEqual(await fullSnapshot(p), before);
    });

    it('refuses the account key on workspace endpoints and application keys on account endpoints (403)', async () => {
      const p = platform();
      const bodies = validBodies(p);
      const before = await fullSnapshot(p);
      for (const path of PATHS) {
        for (const method of METHODS) {
          if (SCOPES[path] === 'workspace') {
            const r = await p.call(path, bodies[path], { key: p.boot.account_key, method });
            assertError(r, 403, 'FORBIDDEN', `account key: ${method} ${path}`);
            assert.match(r.body.error.message, /application key/);
          }
          if (SCOPES[path] === 'account') {
            for (const key of [p.boot.application_key, otherWorkspace.key, appReadOnlyKey]) {
              const r = await p.call(path, bodies[path], { key, method });
              assertError(r, 403, 'FORBIDDEN', `application key: ${method} ${path}`);
              assert.match(r.body.error.message, /account key/);
            }
          }
        }
      }
      assert.deepEqual(await fullSnapshot(p), before);
    });

    it('lets a read-only (app_r) key list everything and refuses every mutation with 403', async () => {
      const p = platform();
      const bodies = validBodies(p);
      const before = await fullSnapshot(p);
      for (const path of PATHS) {
        if (SCOPES[path] === 'account') continue;
        for (const method of METHODS) {
          const r = await p.call(path, bodies[path], { key: appReadOnlyKey, method });
          if (MUTATIONS.has(path)) {
            assertError(r, 403, 'FORBIDDEN', `read-only key: ${method} ${path}`);
            assert.match(r.body.error.message, /read-only/);
          } else {
            assert.equal(r.status, 200, `read-only key: ${method} ${path}: ${r.text}`);
            // The read-only key sees exactly what the full application key sees, but the secrets
            // of writable keys (answered "": listing must not turn a read-only key into a writer).
            const full = await p.call(path, bodies[path], { method });
            assert.equal(full.status, 200);
            const blankSecrets = (text: string) => JSON.parse(text, (k, v) => (k === 'key' && typeof v === 'string' ? '' : v));
            assert.deepEqual(blankSecrets(r.text), blankSecrets(full.text), `${method} ${path}`);
            for (const writable of [p.boot.application_key, p.boot.agent_key, p.boot.account_key]) assert.ok(!r.text.includes(writable), `${method} ${path}`);
          }
        }
      }
      assert.deepEqual(await fullSnapshot(p), before);
      // The lists are not empty: the read-only key really reads the workspace.
      const topics = await ok(p, '/api/v1/list_topics', { virtual_cluster_id: p.boot.virtual_cluster_id }, { key: appReadOnlyKey });
      assert.deepEqual(topics.body.topics.map((t: { name: string }) => t.name), ['auth-existing']);
    });

    it('lets each key kind call what it is for', async () => {
      const p = platform();
      const workspaces = await ok(p, '/api/v1/list_workspaces', undefined, { key: p.boot.account_key, method: 'GET' });
      assert.deepEqual(workspaces.body.workspaces.map((w: { name: string }) => w.name), ['default', 'auth empty', 'other tenant']);
      const accountKeys = await ok(p, '/api/v1/list_api_keys', undefined, { key: p.boot.account_key });
      assert.equal(accountKeys.body.api_keys[0].name, 'akn_account_key');
      const roles = await ok(p, '/api/v1/list_user_roles', undefined, { key: p.boot.account_key, method: 'GET' });
      assert.deepEqual(roles.body.user_roles.map((r: { name: string }) => r.name), ['auth existing']);
      const clusters = await ok(p, '/api/v1/list_virtual_clusters', undefined, { method: 'GET' });
      assert.deepEqual(clusters.body.virtual_clusters.map((c: { id: string }) => c.id), [p.boot.virtual_cluster_id]);
    });

    it('isolates workspaces: another workspace\'s clusters answer 404, exactly like unknown ones, and change nothing', async () => {
      const p = platform();
      const bodies = validBodies(p);
      for (const path of PATHS) {
        if (SCOPES[path] !== 'workspace' || path === '/api/v1/list_virtual_clusters' || path === '/api/v1/create_virtual_cluster') continue;
        // Tenant B reaching into the default workspace's cluster.
        const r = await refused(p, path, bodies[path], 404, 'VIRTUAL_CLUSTER_NOT_FOUND', { key: otherWorkspace.key });
        // The default workspace reaching into tenant B's cluster, and both reaching a cluster that does not exist.
        const intoB = { ...(bodies[path] as object), virtual_cluster_id: otherWorkspace.cluster, virtual_cluster_name: 'vcn_tenant_b' };
        const rb = await refused(p, path, intoB, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
        const ghost = { ...(bodies[path] as object), virtual_cluster_id: 'vci_00000000_0000_0000_0000_000000000000' };
        const rg = await refused(p, path, ghost, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
        // Same words apart from the id: a foreign cluster cannot be told from a missing one.
        const strip = (m: string) => m.replace(/vci_[0-9a-f_]+/g, 'ID');
        assert.equal(strip(r.body.error.message), strip(rg.body.error.message), path);
        assert.equal(strip(rb.body.error.message), strip(rg.body.error.message), path);
      }
      const b = await ok(p, '/api/v1/list_virtual_clusters', {}, { key: otherWorkspace.key });
      assert.deepEqual(b.body.virtual_clusters.map((c: { id: string }) => c.id), [otherWorkspace.cluster]);
      const a = await ok(p, '/api/v1/list_virtual_clusters', {});
      assert.ok(!a.body.virtual_clusters.some((c: { id: string }) => c.id === otherWorkspace.cluster));
      const keysB = await ok(p, '/api/v1/list_api_keys', {}, { key: otherWorkspace.key });
      const keysA = await ok(p, '/api/v1/list_api_keys', {});
      const idsA = new Set(keysA.body.api_keys.map((k: { id: string }) => k.id));
      assert.ok(keysB.body.api_keys.length > 0);
      for (const key of keysB.body.api_keys) assert.ok(!idsA.has(key.id), `${key.name} is listed in both workspaces`);
    });

    it('forgets nothing about who the caller is between requests (a refused key does not poison the next call)', async () => {
      const p = platform();
      await refused(p, '/api/v1/list_virtual_clusters', {}, 401, 'UNAUTHORIZED', { key: unknownSecret() });
      await refused(p, '/api/v1/list_virtual_clusters', {}, 403, 'FORBIDDEN', { key: p.boot.agent_key });
      const r = await ok(p, '/api/v1/list_virtual_clusters', {});
      assert.equal(r.body.virtual_clusters.length, 1);
    });
  });
}
