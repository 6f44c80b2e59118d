/**
 * create_virtual_cluster, list_virtual_clusters and delete_virtual_cluster: every cluster type
 * with its prefixes, exact answer shapes, agent keys (created, skipped, never listed with their
 * secret), validation of every field, duplicates, and deletion with the id+name safeguard that
 * removes everything the cluster owns. Every refused request must change nothing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hashSecret } from '../../src/ids.ts';
import { assertError, assertRecentIso, clusterBody, clusterState, createWorkspace, idPattern, ISO, ok, refusedKeeping, SECRET, sharedPlatform } from '../helpers/api.ts';
import { BOOTSTRAP_URL } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';

// --- helpers ---------------------------------------------------------------------------------

/** Refusals here also leave list_virtual_clusters (as the default application key sees it) as it was. */
const refused = refusedKeeping((p) => p.call('/api/v1/list_virtual_clusters', {}));

const TYPES = [
  { type: 'byoc', id: 'vci_', name: 'vcn_', bootstrap: BOOTSTRAP_URL },
  { type: 'byoc_schema_registry', id: 'vci_sr_', name: 'vcn_sr_', bootstrap: '' },
  { type: 'byoc_data_lake', id: 'vci_dl_', name: 'vcn_dl_', bootstrap: '' },
] as const;

// --- tests -----------------------------------------------------------------------------------

for (const kind of storeKinds()) {
  describe(`virtual clusters (${kind.kind})`, () => {
    const platform = sharedPlatform(kind);

    it('lists the bootstrap cluster in the seed\'s shape, its agent key without the secret', async () => {
      const p = platform();
      for (const method of ['GET', 'POST'] as const) {
        const r = await ok(p, '/api/v1/list_virtual_clusters', undefined, { method });
        assert.deepEqual(Object.keys(r.body), ['virtual_clusters']);
        assert.equal(r.body.virtual_clusters.length, 1);
        const [vc] = r.body.virtual_clusters;
        const agent = (await p.store.getApiKeyBySecretHash(hashSecret(p.boot.agent_key)))!;
        assert.deepEqual(vc, {
          id: p.boot.virtual_cluster_id,
          agent_pool_id: vc.agent_pool_id,
          agent_pool_name: 'apn_default',
          name: 'vcn_default',
          created_at: vc.created_at,
          type: 'byoc',
          region: 'local',
          cloud_provider: 'aws',
          cluster_region: { is_multi_region: false, region: { name: 'local', cloud_provider: 'aws' } },
          bootstrap_url: BOOTSTRAP_URL,
          workspace_id: p.boot.workspace_id,
          tier: 'dev',
          agent_keys: [
            {
              id: agent.id,
              name: 'akn_default_agent_key',
              key: p.boot.agent_key,
              created_at: new Date(agent.created_at).toISOString(),
              access_grants: [{ principal_kind: 'agent', resource_kind: 'virtual_cluster', resource_id: p.boot.virtual_cluster_id }],
            },
          ],
        });
        assert.match(vc.id, idPattern('vci_'));
        assert.match(vc.agent_pool_id, idPattern('api_'));
        assert.match(vc.created_at, ISO);
      }
    });

    for (const t of TYPES) {
      it(`creates a ${t.type} cluster: ${t.id}/${t.name} prefixes, agent pool, agent key shown once`, async () => {
        const p = platform();
        const startedAt = Date.now();
        const r = await ok(p, '/api/v1/create_virtual_cluster', clusterBody(`made_${t.type}`, { virtual_cluster_type: t.type, virtual_cluster_tier: 'pro', virtual_cluster_cloud_provider: 'gcp', virtual_cluster_region: 'europe-west4' }));
        assert.deepEqual(Object.keys(r.body).sort(), [
          'agent_key',
          'agent_pool_id',
          'agent_pool_name',
          'bootstrap_url',
          'virtual_cluster_id',
          'virtual_cluster_name',
          'workspace_id',
        ]);
        const bare = `made_${t.type}`;
        assert.match(r.body.virtual_cluster_id, idPattern(t.id));
        assert.equal(r.body.virtual_cluster_name, `${t.name}${bare}`);
        assert.match(r.body.agent_pool_id, idPattern('api_'));
        assert.equal(r.body.agent_pool_name, `apn_${t.name.slice(4)}${bare}`);
        // Only byoc Kafka clusters are served over the Kafka protocol.
        assert.equal(r.body.bootstrap_url, t.bootstrap);
        assert.equal(r.body.workspace_id, p.boot.workspace_id);

        const key = r.body.agent_key;
        assert.deepEqual(Object.keys(key).sort(), ['access_grants', 'created_at', 'id', 'key', 'name']);
        assert.match(key.id, idPattern('aki_'));
        assert.equal(key.name, `akn_${t.name.slice(4)}${bare}_agent_key`);
        assert.match(key.key, SECRET);
        assertRecentIso(key.created_at, startedAt);
        assert.deepEqual(key.access_grants, [{ principal_kind: 'agent', resource_kind: 'virtual_cluster', resource_id: r.body.virtual_cluster_id }]);
        const record = (await p.store.getApiKeyBySecretHash(hashSecret(key.key)))!;
        assert.equal(record.kind, 'agent');
        assert.equal(record.virtual_cluster_id, r.body.virtual_cluster_id);
        // The agent key authenticates, and as an agent key manages nothing.
        assertError(await p.call('/api/v1/list_virtual_clusters', {}, { key: key.key }), 403, 'FORBIDDEN', 'agent key');

        const listed = await ok(p, '/api/v1/list_virtual_clusters', {});
        const vc = listed.body.virtual_clusters.find((c: { id: string }) => c.id === r.body.virtual_cluster_id);
        assert.deepEqual(vc, {
          id: r.body.virtual_cluster_id,
          agent_pool_id: r.body.agent_pool_id,
          agent_pool_name: r.body.agent_pool_name,
          name: r.body.virtual_cluster_name,
          created_at: vc.created_at,
          type: t.type,
          region: 'europe-west4',
          cloud_provider: 'gcp',
          cluster_region: { is_multi_region: false, region: { name: 'europe-west4', cloud_provider: 'gcp' } },
          bootstrap_url: t.bootstrap,
          workspace_id: p.boot.workspace_id,
          tier: 'pro',
          agent_keys: [{ id: key.id, name: key.name, key: key.key, created_at: key.created_at, access_grants: key.access_grants }],
        });
        // describe_virtual_cluster answers the very same view, and the live agents (none here).
        const described = await ok(p, '/api/v1/describe_virtual_cluster', { virtual_cluster_id: r.body.virtual_cluster_id });
        assert.deepEqual(described.body, { virtual_cluster: { ...vc, agents: [] } });
        assert.match(vc.created_at, ISO);
        assert.equal(listed.text.split(key.key).length, 2, 'the agent key secret is listed once, in its own entry');
        assert.equal((await p.store.getVirtualCluster(r.body.virtual_cluster_id))!.tier, 'pro');
      });
    }

    it('accepts the name with or without its prefix, and every tier and cloud provider', async () => {
      const p = platform();
      const cases = [
        { sent: 'vcn_prefixed', type: 'byoc', name: 'vcn_prefixed' },
        { sent: 'vcn_sr_prefixed', type: 'byoc_schema_registry', name: 'vcn_sr_prefixed' },
        { sent: 'vcn_dl_prefixed', type: 'byoc_data_lake', name: 'vcn_dl_prefixed' },
        { sent: 'ab', type: 'byoc', name: 'vcn_ab' },
        { sent: 'x'.repeat(124), type: 'byoc', name: `vcn_${'x'.repeat(124)}` },
        { sent: 'Mixed_Case_9', type: 'byoc', name: 'vcn_Mixed_Case_9' },
      ];
      for (const c of cases) {
        const r = await ok(p, '/api/v1/create_virtual_cluster', clusterBody(c.sent, { virtual_cluster_type: c.type, skip_agent_key_creation: true }));
        assert.equal(r.body.virtual_cluster_name, c.name);
      }
      for (const [i, tier] of ['dev', 'fundamentals', 'pro', 'enterprise'].entries()) {
        const provider = ['aws', 'gcp', 'azure', 'aws'][i];
        const r = await ok(p, '/api/v1/create_virtual_cluster', clusterBody(`tier_${tier}`, { virtual_cluster_tier: tier, virtual_cluster_cloud_provider: provider, skip_agent_key_creation: true }));
        const stored = (await p.store.getVirtualCluster(r.body.virtual_cluster_id))!;
        assert.equal(stored.tier, tier);
        assert.equal(stored.cloud_provider, provider);
      }
    });

    it('skip_agent_key_creation creates the cluster without an agent key', async () => {
      const p = platform();
      const keysBefore = await p.store.listApiKeys(p.boot.workspace_id);
      const r = await ok(p, '/api/v1/create_virtual_cluster', clusterBody('keyless', { skip_agent_key_creation: true }));
      assert.deepEqual(Object.keys(r.body).sort(), ['agent_pool_id', 'agent_pool_name', 'bootstrap_url', 'virtual_cluster_id', 'virtual_cluster_name', 'workspace_id']);
      assert.deepEqual(await p.store.listAgentKeys(r.body.virtual_cluster_id), []);
      assert.deepEqual(await p.store.listApiKeys(p.boot.workspace_id), keysBefore);
      const listed = await ok(p, '/api/v1/list_virtual_clusters', {});
      assert.deepEqual(listed.body.virtual_clusters.find((c: { id: string }) => c.id === r.body.virtual_cluster_id).agent_keys, []);
      // An agent key can be made for it afterwards.
      await ok(p, '/api/v1/create_api_key', {
        name: 'late_agent',
        access_grants: [{ principal_kind: 'agent', resource_kind: 'virtual_cluster', resource_id: r.body.virtual_cluster_id }],
      });
      assert.equal((await p.store.listAgentKeys(r.body.virtual_cluster_id)).length, 1);
      // false creates one.
      const withKey = await ok(p, '/api/v1/create_virtual_cluster', clusterBody('keyed', { skip_agent_key_creation: false }));
      assert.match(withKey.body.agent_key.key, SECRET);
    });

    it('refuses each missing required field with 400 and changes nothing', async () => {
      const p = platform();
      for (const field of ['virtual_cluster_name', 'virtual_cluster_type', 'virtual_cluster_region', 'virtual_cluster_cloud_provider', 'virtual_cluster_tier']) {
        const body = clusterBody('missing_field');
        delete body[field];
        const r = await refused(p, '/api/v1/create_virtual_cluster', body, 400, 'VALIDATION_ERROR');
        assert.match(r.body.error.message, new RegExp(field));
      }
      await refused(p, '/api/v1/create_virtual_cluster', {}, 400, 'VALIDATION_ERROR');
      await refused(p, '/api/v1/create_virtual_cluster', undefined, 400, 'VALIDATION_ERROR');
    });

    it('refuses bad enums, regions and names with 400 and changes nothing', async () => {
      const p = platform();
      const bad: [Record<string, unknown>, RegExp][] = [
        [{ virtual_cluster_type: 'kafka' }, /virtual_cluster_type/],
        [{ virtual_cluster_type: 'BYOC' }, /virtual_cluster_type/],
        [{ virtual_cluster_type: '' }, /virtual_cluster_type/],
        [{ virtual_cluster_tier: 'huge' }, /virtual_cluster_tier/],
        [{ virtual_cluster_tier: 'Dev' }, /virtual_cluster_tier/],
        [{ virtual_cluster_tier: '' }, /virtual_cluster_tier/],
        // Names every object has through its prototype are not tiers.
        [{ virtual_cluster_tier: 'constructor' }, /virtual_cluster_tier/],
        [{ virtual_cluster_tier: 'toString' }, /virtual_cluster_tier/],
        [{ virtual_cluster_tier: '__proto__' }, /virtual_cluster_tier/],
        [{ virtual_cluster_cloud_provider: 'ibm' }, /virtual_cluster_cloud_provider/],
        [{ virtual_cluster_cloud_provider: 'AWS' }, /virtual_cluster_cloud_provider/],
        [{ virtual_cluster_cloud_provider: '' }, /virtual_cluster_cloud_provider/],
        [{ virtual_cluster_region: '' }, /virtual_cluster_region/],
        [{ virtual_cluster_region: 'US-EAST-1' }, /virtual_cluster_region/],
        [{ virtual_cluster_region: 'us east 1' }, /virtual_cluster_region/],
        [{ virtual_cluster_region: 'u' }, /virtual_cluster_region/],
        [{ virtual_cluster_region: '1-us-east' }, /virtual_cluster_region/],
        [{ virtual_cluster_region: 'us-east-1\n' }, /virtual_cluster_region/],
        [{ virtual_cluster_region: 'r'.repeat(65) }, /virtual_cluster_region/],
        [{ virtual_cluster_name: '' }, /virtual_cluster_name/],
        [{ virtual_cluster_name: 'vcn_' }, /virtual_cluster_name/],
        [{ virtual_cluster_name: 'has-hyphen' }, /virtual_cluster_name/],
        [{ virtual_cluster_name: 'has space' }, /virtual_cluster_name/],
        [{ virtual_cluster_name: 'dot.ted' }, /virtual_cluster_name/],
        [{ virtual_cluster_name: 'ünï' }, /virtual_cluster_name/],
        [{ virtual_cluster_name: 'new\nline' }, /virtual_cluster_name/],
        [{ virtual_cluster_name: 'x'.repeat(125) }, /virtual_cluster_name/],
        [{ virtual_cluster_name: `vcn_${'x'.repeat(125)}` }, /virtual_cluster_name/],
      ];
      for (const [overrides, message] of bad) {
        await refused(p, '/api/v1/create_virtual_cluster', clusterBody('bad_field', overrides), 400, 'VALIDATION_ERROR', {}, message);
      }
    });

    it('refuses wrong JSON types with 400 and changes nothing', async () => {
      const p = platform();
      const bad: Record<string, unknown>[] = [
        { virtual_cluster_name: 123 },
        { virtual_cluster_name: null },
        { virtual_cluster_name: ['name'] },
        { virtual_cluster_type: 1 },
        { virtual_cluster_type: ['byoc'] },
        { virtual_cluster_region: null },
        { virtual_cluster_region: { name: 'us-east-1' } },
        { virtual_cluster_cloud_provider: true },
        { virtual_cluster_tier: ['dev'] },
        { virtual_cluster_tier: 1 },
        { skip_agent_key_creation: 'yes' },
        { skip_agent_key_creation: 1 },
        { skip_agent_key_creation: null },
      ];
      for (const overrides of bad) {
        await refused(p, '/api/v1/create_virtual_cluster', clusterBody('typed', overrides), 400, 'VALIDATION_ERROR');
      }
      for (const body of [[], 'text', 7, null]) {
        await refused(p, '/api/v1/create_virtual_cluster', body, 400, 'VALIDATION_ERROR');
      }
      await refused(p, '/api/v1/create_virtual_cluster', undefined, 400, 'MALFORMED_JSON', { raw: '{"virtual_cluster_name":' });
    });

    it('refuses a duplicate name in the workspace with 409, in either spelling, and changes nothing', async () => {
      const p = platform();
      await ok(p, '/api/v1/create_virtual_cluster', clusterBody('twin'));
      await refused(p, '/api/v1/create_virtual_cluster', clusterBody('twin'), 409, 'VIRTUAL_CLUSTER_ALREADY_EXISTS', {}, /vcn_twin/);
      await refused(p, '/api/v1/create_virtual_cluster', clusterBody('vcn_twin', { virtual_cluster_tier: 'pro', skip_agent_key_creation: true }), 409, 'VIRTUAL_CLUSTER_ALREADY_EXISTS');
      await refused(p, '/api/v1/create_virtual_cluster', clusterBody('default'), 409, 'VIRTUAL_CLUSTER_ALREADY_EXISTS');
      // Other types have their own prefix, so "twin" is free for them.
      const sr = await ok(p, '/api/v1/create_virtual_cluster', clusterBody('twin', { virtual_cluster_type: 'byoc_schema_registry' }));
      assert.equal(sr.body.virtual_cluster_name, 'vcn_sr_twin');
      await refused(p, '/api/v1/create_virtual_cluster', clusterBody('twin', { virtual_cluster_type: 'byoc_schema_registry' }), 409, 'VIRTUAL_CLUSTER_ALREADY_EXISTS');
      // Names are per workspace.
      const ws = await ok(p, '/api/v1/create_workspace', { workspace_name: 'twin town' }, { key: p.boot.account_key });
      const other = await ok(p, '/api/v1/create_virtual_cluster', clusterBody('twin'), { key: ws.body.application_key.key });
      assert.equal(other.body.virtual_cluster_name, 'vcn_twin');
      assert.equal(other.body.workspace_id, ws.body.workspace_id);
    });

    it('refuses delete_virtual_cluster without both a matching id and name, and changes nothing', async () => {
      const p = platform();
      const a = await ok(p, '/api/v1/create_virtual_cluster', clusterBody('keep_a'));
      const b = await ok(p, '/api/v1/create_virtual_cluster', clusterBody('keep_b', { virtual_cluster_type: 'byoc_data_lake' }));
      const vci = a.body.virtual_cluster_id as string;
      const del = '/api/v1/delete_virtual_cluster';

      await refused(p, del, { virtual_cluster_id: vci }, 400, 'VALIDATION_ERROR', {}, /virtual_cluster_name/);
      await refused(p, del, { virtual_cluster_name: 'keep_a' }, 400, 'VALIDATION_ERROR', {}, /virtual_cluster_id/);
      await refused(p, del, {}, 400, 'VALIDATION_ERROR');
      await refused(p, del, { virtual_cluster_id: 5, virtual_cluster_name: 'keep_a' }, 400, 'VALIDATION_ERROR');
      await refused(p, del, { virtual_cluster_id: vci, virtual_cluster_name: null }, 400, 'VALIDATION_ERROR');
      // The name of another cluster, or a near miss, does not confirm this one.
      await refused(p, del, { virtual_cluster_id: vci, virtual_cluster_name: 'keep_b' }, 400, 'VIRTUAL_CLUSTER_NAME_MISMATCH');
      await refused(p, del, { virtual_cluster_id: vci, virtual_cluster_name: 'vcn_keep_b' }, 400, 'VIRTUAL_CLUSTER_NAME_MISMATCH');
      await refused(p, del, { virtual_cluster_id: vci, virtual_cluster_name: 'KEEP_A' }, 400, 'VIRTUAL_CLUSTER_NAME_MISMATCH');
      await refused(p, del, { virtual_cluster_id: vci, virtual_cluster_name: '' }, 400, 'VIRTUAL_CLUSTER_NAME_MISMATCH');
      // b is a data lake cluster: its name is vcn_dl_keep_b, which vcn_keep_b is not.
      await refused(p, del, { virtual_cluster_id: b.body.virtual_cluster_id, virtual_cluster_name: 'keep_a' }, 400, 'VIRTUAL_CLUSTER_NAME_MISMATCH');
      await refused(p, del, { virtual_cluster_id: b.body.virtual_cluster_id, virtual_cluster_name: 'vcn_keep_b' }, 400, 'VIRTUAL_CLUSTER_NAME_MISMATCH');
      // Unknown ids, and clusters of another workspace, are 404 alike.
      await refused(p, del, { virtual_cluster_id: 'vci_00000000_0000_0000_0000_000000000000', virtual_cluster_name: 'keep_a' }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, del, { virtual_cluster_id: 'vcn_keep_a', virtual_cluster_name: 'keep_a' }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      const foreignKey = (await createWorkspace(p, 'deleter')).key;
      await refused(p, del, { virtual_cluster_id: vci, virtual_cluster_name: 'keep_a' }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND', { key: foreignKey });
      await refused(p, del, { virtual_cluster_id: p.boot.virtual_cluster_id, virtual_cluster_name: 'default' }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND', { key: foreignKey });
      // Keys that may not delete: the account key, agent keys, and the cluster's own agent key.
      await refused(p, del, { virtual_cluster_id: vci, virtual_cluster_name: 'keep_a' }, 403, 'FORBIDDEN', { key: p.boot.account_key });
      await refused(p, del, { virtual_cluster_id: vci, virtual_cluster_name: 'keep_a' }, 403, 'FORBIDDEN', { key: a.body.agent_key.key });
      await refused(p, del, { virtual_cluster_id: vci, virtual_cluster_name: 'keep_a' }, 401, 'UNAUTHORIZED', { key: null }, /invalid_api_key/);
    });

    it('deletes a cluster with everything it owns, answers exactly {}, and frees its name', async () => {
      const p = platform();
      const created = await ok(p, '/api/v1/create_virtual_cluster', clusterBody('doomed'));
      const vci = created.body.virtual_cluster_id as string;
      const agentKey = created.body.agent_key.key as string;
      const keeper = await ok(p, '/api/v1/create_virtual_cluster', clusterBody('survivor'));
      const survivor = keeper.body.virtual_cluster_id as string;

      // Give both clusters things to own.
      for (const target of [vci, survivor]) {
        await ok(p, '/api/v1/create_topic', { virtual_cluster_id: target, topic_name: 'orders', partition_count: 3 });
        await ok(p, '/api/v1/create_topic', { virtual_cluster_id: target, topic_name: 'gone-soon', partition_count: 1 });
        await ok(p, '/api/v1/delete_topic', { virtual_cluster_id: target, topic_name: 'gone-soon', soft_delete: true });
        await ok(p, '/api/v1/virtual_clusters/acls/create', {
          virtual_cluster_id: target,
          acl: { resource_type: 'TOPIC', resource_name: 'orders', pattern_type: 'LITERAL', principal: 'User:alice', host: '*', operation: 'READ', permission_type: 'ALLOW' },
        });
        await ok(p, '/api/v1/create_virtual_cluster_credentials', { virtual_cluster_id: target, credentials_name: 'app', is_cluster_superuser: false });
        await ok(p, '/api/v1/create_pipeline', { virtual_cluster_id: target, pipeline_name: 'etl' });
        await p.store.upsertCommittedOffset({
          virtual_cluster_id: target,
          group_id: 'g1',
          topic_name: 'orders',
          partition: 0,
          committed_offset: 42,
          metadata: null,
          committed_at: Date.now(),
        });
      }
      const extraAgent = (
        await ok(p, '/api/v1/create_api_key', {
          name: 'doomed_extra_agent',
          access_grants: [{ principal_kind: 'agent', resource_kind: 'virtual_cluster', resource_id: vci }],
        })
      ).body.key as string;
      const limitedApp = (
        await ok(p, '/api/v1/create_api_key', {
          name: 'doomed_limited_app',
          access_grants: [{ principal_kind: 'application', resource_kind: 'virtual_cluster', resource_id: vci }],
        })
      ).body.key as string;

      const doomedBefore = await clusterState(p, vci);
      assert.equal(doomedBefore.topics.length, 1);
      assert.equal(doomedBefore.deletedTopics.length, 1);
      assert.equal(doomedBefore.acls.length, 1);
      assert.equal(doomedBefore.credentials.length, 1);
      assert.equal(doomedBefore.pipelines.length, 1);
      assert.equal(doomedBefore.agentKeys.length, 2);
      assert.equal(doomedBefore.offsets.length, 1);
      const username = doomedBefore.credentials[0]!.username;
      const survivorBefore = await clusterState(p, survivor);
      const bootBefore = await clusterState(p, p.boot.virtual_cluster_id);

      // The name may be sent with or without its prefix.
      const r = await p.call('/api/v1/delete_virtual_cluster', { virtual_cluster_id: vci, virtual_cluster_name: 'doomed' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.text, '{}');

      assert.equal(await p.store.getVirtualCluster(vci), undefined);
      assert.deepEqual(await clusterState(p, vci), {
        topics: [],
        deletedTopics: [],
        acls: [],
        credentials: [],
        pipelines: [],
        agentKeys: [],
        offsets: [],
      });
      assert.equal(await p.store.getCredentialByUsername(username), undefined);
      // Nothing of the others went with it.
      assert.deepEqual(await clusterState(p, survivor), survivorBefore);
      assert.deepEqual(await clusterState(p, p.boot.virtual_cluster_id), bootBefore);

      const listed = await ok(p, '/api/v1/list_virtual_clusters', {});
      assert.ok(!listed.body.virtual_clusters.some((c: { id: string }) => c.id === vci));
      assert.ok(listed.body.virtual_clusters.some((c: { id: string }) => c.id === survivor));
      const keys = await ok(p, '/api/v1/list_api_keys', {});
      const names = keys.body.api_keys.map((k: { name: string }) => k.name);
      assert.ok(!names.includes('akn_doomed_agent_key'));
      assert.ok(!names.includes('akn_doomed_extra_agent'));
      assert.ok(names.includes('akn_survivor_agent_key'));

      // Its agent keys no longer authenticate.
      for (const key of [agentKey, extraAgent]) {
        const gone = await p.call('/api/v1/list_virtual_clusters', {}, { key });
        assertError(gone, 401, 'UNAUTHORIZED', 'deleted agent key');
        assert.match(gone.body.error.message, /invalid_api_key/);
      }
      // The cluster is gone for every endpoint.
      await refused(p, '/api/v1/list_topics', { virtual_cluster_id: vci }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, '/api/v1/create_topic', { virtual_cluster_id: vci, topic_name: 'late', partition_count: 1 }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, '/api/v1/delete_virtual_cluster', { virtual_cluster_id: vci, virtual_cluster_name: 'doomed' }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      // A key limited to the deleted cluster sees nothing now.
      assert.deepEqual((await ok(p, '/api/v1/list_virtual_clusters', {}, { key: limitedApp })).body, { virtual_clusters: [] });

      // The name is free again: a new cluster, with a new id, and nothing of the old one.
      const again = await ok(p, '/api/v1/create_virtual_cluster', clusterBody('doomed'));
      assert.equal(again.body.virtual_cluster_name, 'vcn_doomed');
      assert.notEqual(again.body.virtual_cluster_id, vci);
      assert.equal(again.body.agent_key.name, 'akn_doomed_agent_key');
      const fresh = await ok(p, '/api/v1/list_topics', { virtual_cluster_id: again.body.virtual_cluster_id, include_recently_deleted: true });
      assert.deepEqual(fresh.body, { topics: [], recently_deleted_topics: [] });
      assert.deepEqual((await ok(p, '/api/v1/virtual_clusters/acls/list', { virtual_cluster_id: again.body.virtual_cluster_id })).body, { acls: [] });
      assert.deepEqual((await ok(p, '/api/v1/list_pipelines', { virtual_cluster_id: again.body.virtual_cluster_id })).body, { pipelines: [] });
      // The old key limited to the deleted cluster does not reach the new one of the same name.
      assert.deepEqual((await ok(p, '/api/v1/list_virtual_clusters', {}, { key: limitedApp })).body, { virtual_clusters: [] });
      await refused(p, '/api/v1/list_topics', { virtual_cluster_id: again.body.virtual_cluster_id }, 403, 'FORBIDDEN', { key: limitedApp });
      // The new agent key works (as an agent key: 403, not 401).
      assertError(await p.call('/api/v1/list_virtual_clusters', {}, { key: again.body.agent_key.key }), 403, 'FORBIDDEN', 'new agent key');
    });

    it('deletes schema registry and data lake clusters by their prefixed or bare names', async () => {
      const p = platform();
      for (const t of TYPES) {
        for (const spelling of ['bare', 'prefixed'] as const) {
          const bare = `del_${spelling}_${t.type}`;
          const r = await ok(p, '/api/v1/create_virtual_cluster', clusterBody(bare, { virtual_cluster_type: t.type }));
          const name = spelling === 'bare' ? bare : `${t.name}${bare}`;
          const d = await p.call('/api/v1/delete_virtual_cluster', { virtual_cluster_id: r.body.virtual_cluster_id, virtual_cluster_name: name });
          assert.equal(d.status, 200, d.text);
          assert.equal(d.text, '{}');
          assert.equal(await p.store.getVirtualCluster(r.body.virtual_cluster_id), undefined);
          assert.deepEqual(await p.store.listAgentKeys(r.body.virtual_cluster_id), []);
        }
      }
    });

    it('deletes with GET too (WarpStream clients use any method)', async () => {
      const p = platform();
      const r = await ok(p, '/api/v1/create_virtual_cluster', clusterBody('by_get'));
      const d = await p.call('/api/v1/delete_virtual_cluster', { virtual_cluster_id: r.body.virtual_cluster_id, virtual_cluster_name: 'vcn_by_get' }, { method: 'GET' });
      assert.equal(d.status, 200, d.text);
      assert.equal(d.text, '{}');
      assert.equal(await p.store.getVirtualCluster(r.body.virtual_cluster_id), undefined);
    });
  });
}
