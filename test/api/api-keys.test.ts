/**
 * create_api_key and list_api_keys: application and agent keys, every principal_kind spelling,
 * read-only keys, grant validation, key names, secrets listed again (sealed at rest), keys limited to some virtual
 * clusters, account keys creating keys in a workspace, and workspace isolation. Every refused
 * request must change nothing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AgentAuthError } from '../../src/agent-rpc/contract.ts';
import { localControlPlane } from '../helpers/control-plane.ts';
import { hashSecret } from '../../src/ids.ts';
import { assertError, assertRecentIso, readOnlyKey, clusterBody, createCluster, createWorkspace, foreignWorkspace, idPattern, ok, refusedKeeping, SECRET, sharedPlatform } from '../helpers/api.ts';
import { storeKinds } from '../helpers/stores.ts';

// --- helpers ---------------------------------------------------------------------------------

/** Refusals here also leave the API's key list (as the default application key sees it) as it was. */
const refused = refusedKeeping((p) => p.call('/api/v1/list_api_keys', {}));

const all = (principal_kind: string, workspace_id?: string) => ({
  principal_kind,
  resource_kind: '*',
  resource_id: '*',
  ...(workspace_id ? { workspace_id } : {}),
});
const cluster = (principal_kind: string, resource_id: string, workspace_id?: string) => ({
  principal_kind,
  resource_kind: 'virtual_cluster',
  resource_id,
  ...(workspace_id ? { workspace_id } : {}),
});
const ids = (list: { id: string }[]) => list.map((x) => x.id);

// --- tests -----------------------------------------------------------------------------------

for (const kind of storeKinds()) {
  describe(`api keys (${kind.kind})`, () => {
    const platform = sharedPlatform(kind);

    it('creates an application key: exact shape, akn_ name, aks_ secret listed again, never stored in the clear', async () => {
      const p = platform();
      const startedAt = Date.now();
      const r = await ok(p, '/api/v1/create_api_key', { name: 'ci_deployer', access_grants: [all('application')] });
      assert.deepEqual(Object.keys(r.body).sort(), ['access_grants', 'created_at', 'id', 'key', 'name']);
      assert.match(r.body.id, idPattern('aki_'));
      assert.equal(r.body.name, 'akn_ci_deployer');
      assert.match(r.body.key, SECRET);
      assertRecentIso(r.body.created_at, startedAt);
      assert.deepEqual(r.body.access_grants, [all('application')]);

      const record = await p.store.getApiKeyBySecretHash(hashSecret(r.body.key));
      assert.ok(record);
      assert.equal(record.id, r.body.id);
      assert.equal(record.kind, 'application');
      assert.equal(record.workspace_id, p.boot.workspace_id);
      assert.equal(record.read_only, false);
      assert.ok(!JSON.stringify(record).includes(r.body.key.slice(4)), 'the secret itself is not stored');

      // The secret authenticates, with the full application key's view.
      const clusters = await ok(p, '/api/v1/list_virtual_clusters', {}, { key: r.body.key });
      assert.deepEqual(ids(clusters.body.virtual_clusters), [p.boot.virtual_cluster_id]);

      // Listed with the very secret create answered (the Terraform provider reads it back from here).
      const listed = await ok(p, '/api/v1/list_api_keys', undefined, { method: 'GET' });
      const entry = listed.body.api_keys.find((k: { id: string }) => k.id === r.body.id);
      assert.deepEqual(entry, r.body);
      for (const key of listed.body.api_keys) {
        assert.deepEqual(Object.keys(key).sort(), ['access_grants', 'created_at', 'id', 'key', 'name']);
        assert.match(key.key, SECRET);
        assert.equal((await p.store.getApiKeyBySecretHash(hashSecret(key.key)))?.id, key.id, `${key.name}: the listed secret is its own`);
      }
    });

    it('keeps the akn_ prefix single when the client sends it', async () => {
      const p = platform();
      const r = await ok(p, '/api/v1/create_api_key', { name: 'akn_prefixed', access_grants: [all('application')] });
      assert.equal(r.body.name, 'akn_prefixed');
      // The prefixed and bare spellings name the same key.
      await refused(p, '/api/v1/create_api_key', { name: 'prefixed', access_grants: [all('application')] }, 409, 'API_KEY_ALREADY_EXISTS');
      await ok(p, '/api/v1/create_api_key', { name: 'bare_then', access_grants: [all('application')] });
      await refused(p, '/api/v1/create_api_key', { name: 'akn_bare_then', access_grants: [all('application')] }, 409, 'API_KEY_ALREADY_EXISTS');
    });

    it('accepts every principal_kind spelling; _r makes the key read-only', async () => {
      const p = platform();
      const vci = p.boot.virtual_cluster_id;
      const cases = [
        { principal_kind: 'application', grant: all('application'), kind: 'application', readOnly: false },
        { principal_kind: 'app', grant: all('app'), kind: 'application', readOnly: false },
        { principal_kind: 'app_r', grant: all('app_r'), kind: 'application', readOnly: true },
        { principal_kind: 'agent', grant: cluster('agent', vci), kind: 'agent', readOnly: false },
        { principal_kind: 'agent_r', grant: cluster('agent_r', vci), kind: 'agent', readOnly: true },
      ];
      for (const c of cases) {
        const r = await ok(p, '/api/v1/create_api_key', { name: `spelling_${c.principal_kind}`, access_grants: [c.grant] });
        assert.deepEqual(r.body.access_grants, [c.grant]);
        const record = (await p.store.getApiKeyBySecretHash(hashSecret(r.body.key)))!;
        assert.equal(record.kind, c.kind, c.principal_kind);
        assert.equal(record.read_only, c.readOnly, c.principal_kind);
        assert.equal(record.virtual_cluster_id, c.kind === 'agent' ? vci : null);

        const list = await p.call('/api/v1/list_virtual_clusters', {}, { key: r.body.key });
        const topic = { virtual_cluster_id: vci, topic_name: `t-${c.principal_kind}`, partition_count: 1 };
        if (c.kind === 'agent') {
          assertError(list, 403, 'FORBIDDEN', c.principal_kind);
          await refused(p, '/api/v1/create_topic', topic, 403, 'FORBIDDEN', { key: r.body.key });
          // Agent keys show under their cluster, with their secret (what agents are configured with).
          const clusters = await ok(p, '/api/v1/list_virtual_clusters', {});
          const agentKeys = clusters.body.virtual_clusters[0].agent_keys;
          assert.deepEqual(
            agentKeys.find((k: { id: string }) => k.id === r.body.id),
            { id: r.body.id, name: r.body.name, key: r.body.key, created_at: r.body.created_at, access_grants: [c.grant] },
          );
        } else {
          assert.equal(list.status, 200, list.text);
          if (c.readOnly) {
            await refused(p, '/api/v1/create_topic', topic, 403, 'FORBIDDEN', { key: r.body.key }, /read-only/);
            await refused(p, '/api/v1/create_api_key', { name: 'escalate', access_grants: [all('application')] }, 403, 'FORBIDDEN', { key: r.body.key }, /read-only/);
            await refused(
              p,
              '/api/v1/delete_virtual_cluster',
              { virtual_cluster_id: vci, virtual_cluster_name: p.boot.virtual_cluster_name },
              403,
              'FORBIDDEN',
              { key: r.body.key },
              /read-only/,
            );
            await ok(p, '/api/v1/list_api_keys', {}, { key: r.body.key });
            await ok(p, '/api/v1/list_topics', { virtual_cluster_id: vci }, { key: r.body.key });
          } else {
            await ok(p, '/api/v1/create_topic', topic, { key: r.body.key });
          }
        }
      }
    });

    it('makes a key read-only when any of its grants is _r', async () => {
      const p = platform();
      const vc = await createCluster(p, 'mixed_ro');
      const r = await ok(p, '/api/v1/create_api_key', {
        name: 'mixed_read_only',
        access_grants: [cluster('app', p.boot.virtual_cluster_id), cluster('app_r', vc)],
      });
      const record = (await p.store.getApiKeyBySecretHash(hashSecret(r.body.key)))!;
      assert.equal(record.read_only, true);
      await refused(p, '/api/v1/create_topic', { virtual_cluster_id: p.boot.virtual_cluster_id, topic_name: 'ro', partition_count: 1 }, 403, 'FORBIDDEN', { key: r.body.key });
    });

    it('creates an agent key for exactly one existing cluster of the workspace', async () => {
      const p = platform();
      const vci = p.boot.virtual_cluster_id;
      const r = await ok(p, '/api/v1/create_api_key', { name: 'second_agent', access_grants: [cluster('agent', vci)] });
      assert.deepEqual(Object.keys(r.body).sort(), ['access_grants', 'created_at', 'id', 'key', 'name']);
      assert.equal(r.body.name, 'akn_second_agent');
      assert.match(r.body.key, SECRET);
      const agentKeys = await p.store.listAgentKeys(vci);
      assert.ok(agentKeys.some((k) => k.id === r.body.id));
      // An explicit virtual_cluster_type that matches is fine.
      await ok(p, '/api/v1/create_api_key', { name: 'typed_agent', access_grants: [cluster('agent', vci)], virtual_cluster_type: 'byoc' });
    });

    it('refuses agent keys of the wrong shape, for unknown or foreign clusters, or mixed with application grants', async () => {
      const p = platform();
      const vci = p.boot.virtual_cluster_id;
      const other = await createCluster(p, 'agent_shapes');
      const foreign = (await foreignWorkspace(p, 'agent foreign', 'foreign_cluster')).cluster;
      const post = (access_grants: unknown[], extra: object = {}) => ({ name: 'bad_agent', access_grants, ...extra });

      await refused(p, '/api/v1/create_api_key', post([cluster('agent', 'vci_00000000_0000_0000_0000_000000000000')]), 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, '/api/v1/create_api_key', post([cluster('agent', foreign)]), 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, '/api/v1/create_api_key', post([cluster('agent', '*')]), 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, '/api/v1/create_api_key', post([all('agent')]), 400, 'VALIDATION_ERROR', {}, /exactly one grant/);
      await refused(p, '/api/v1/create_api_key', post([cluster('agent', vci), cluster('agent', other)]), 400, 'VALIDATION_ERROR', {}, /exactly one grant/);
      await refused(p, '/api/v1/create_api_key', post([cluster('agent', vci), cluster('agent', vci)]), 400, 'VALIDATION_ERROR', {}, /exactly one grant/);
      await refused(p, '/api/v1/create_api_key', post([cluster('agent', vci), all('application')]), 400, 'VALIDATION_ERROR', {}, /same principal kind/);
      await refused(p, '/api/v1/create_api_key', post([cluster('app', vci), cluster('agent_r', other)]), 400, 'VALIDATION_ERROR', {}, /same principal kind/);
    });

    it('matches virtual_cluster_type against the cluster for agent keys', async () => {
      const p = platform();
      const registry = await createCluster(p, 'registry', { virtual_cluster_type: 'byoc_schema_registry' });
      const lake = await createCluster(p, 'lake', { virtual_cluster_type: 'byoc_data_lake' });
      const vci = p.boot.virtual_cluster_id;
      const post = (resource: string, virtual_cluster_type?: unknown) => ({
        name: 'typed_agent_key',
        access_grants: [cluster('agent', resource)],
        ...(virtual_cluster_type !== undefined ? { virtual_cluster_type } : {}),
      });
      await refused(p, '/api/v1/create_api_key', post(registry), 400, 'VALIDATION_ERROR', {}, /byoc_schema_registry/);
      await refused(p, '/api/v1/create_api_key', post(vci, 'byoc_schema_registry'), 400, 'VALIDATION_ERROR', {}, /type byoc/);
      await refused(p, '/api/v1/create_api_key', post(lake, 'byoc_schema_registry'), 400, 'VALIDATION_ERROR');
      await refused(p, '/api/v1/create_api_key', post(registry, 'schema_registry'), 400, 'VALIDATION_ERROR', {}, /virtual_cluster_type/);
      await refused(p, '/api/v1/create_api_key', post(registry, 7), 400, 'VALIDATION_ERROR');

      const sr = await ok(p, '/api/v1/create_api_key', post(registry, 'byoc_schema_registry'));
      assert.equal((await p.store.getApiKeyBySecretHash(hashSecret(sr.body.key)))!.virtual_cluster_id, registry);
      const dl = await ok(p, '/api/v1/create_api_key', { ...post(lake, 'byoc_data_lake'), name: 'lake_agent_key' });
      assert.equal((await p.store.getApiKeyBySecretHash(hashSecret(dl.body.key)))!.virtual_cluster_id, lake);
    });

    it('refuses malformed grants with 400 and changes nothing', async () => {
      const p = platform();
      const vci = p.boot.virtual_cluster_id;
      const bodies: unknown[] = [
        { name: 'g' },
        { access_grants: [all('application')] },
        { name: 'g', access_grants: [] },
        { name: 'g', access_grants: null },
        { name: 'g', access_grants: all('application') },
        { name: 'g', access_grants: ['application'] },
        { name: 'g', access_grants: [{ principal_kind: 'application', resource_kind: '*' }] },
        { name: 'g', access_grants: [{ resource_kind: '*', resource_id: '*' }] },
        { name: 'g', access_grants: [{ principal_kind: 'admin', resource_kind: '*', resource_id: '*' }] },
        { name: 'g', access_grants: [{ principal_kind: 'APPLICATION', resource_kind: '*', resource_id: '*' }] },
        { name: 'g', access_grants: [{ principal_kind: 'application', resource_kind: 'workspace', resource_id: '*' }] },
        { name: 'g', access_grants: [{ principal_kind: 'application', resource_kind: '*', resource_id: vci }] },
        { name: 'g', access_grants: [{ principal_kind: 'application', resource_kind: '*', resource_id: 5 }] },
        { name: 'g', access_grants: [{ principal_kind: 'application', resource_kind: '*', resource_id: '*', workspace_id: 5 }] },
        { name: 5, access_grants: [all('application')] },
        { name: null, access_grants: [all('application')] },
        [],
        'name',
      ];
      for (const body of bodies) await refused(p, '/api/v1/create_api_key', body, 400, 'VALIDATION_ERROR');
      await refused(p, '/api/v1/create_api_key', undefined, 400, 'MALFORMED_JSON', { raw: '{"name":"g","access_grants":[' });
    });

    it('validates key names ([A-Za-z0-9_]+) and refuses duplicates with 409', async () => {
      const p = platform();
      for (const name of ['', 'akn_', 'has-dash', 'has space', 'dot.ted', 'ünïcode', 'semi;colon', 'a'.repeat(129), `akn_${'c'.repeat(129)}`, 'new\nline']) {
        await refused(p, '/api/v1/create_api_key', { name, access_grants: [all('application')] }, 400, 'VALIDATION_ERROR', {}, /name/);
      }
      for (const name of ['A', 'a_B_9', '0', 'a'.repeat(128), `akn_${'b'.repeat(128)}`]) {
        const r = await ok(p, '/api/v1/create_api_key', { name, access_grants: [all('application')] });
        assert.equal(r.body.name, name.startsWith('akn_') ? name : `akn_${name}`);
      }
      await ok(p, '/api/v1/create_api_key', { name: 'dup_key', access_grants: [all('application')] });
      await refused(p, '/api/v1/create_api_key', { name: 'dup_key', access_grants: [all('application')] }, 409, 'API_KEY_ALREADY_EXISTS', {}, /akn_dup_key/);
      // Agent and application keys share one name space in a workspace, generated names included.
      await refused(p, '/api/v1/create_api_key', { name: 'dup_key', access_grants: [cluster('agent', p.boot.virtual_cluster_id)] }, 409, 'API_KEY_ALREADY_EXISTS');
      await refused(p, '/api/v1/create_api_key', { name: 'default_agent_key', access_grants: [all('application')] }, 409, 'API_KEY_ALREADY_EXISTS');
      await refused(p, '/api/v1/create_api_key', { name: 'default_application_key', access_grants: [all('application')] }, 409, 'API_KEY_ALREADY_EXISTS');
    });

    it('limits an application key with virtual_cluster grants to those clusters', async () => {
      const p = platform();
      const mine = await createCluster(p, 'limited_mine');
      const theirs = await createCluster(p, 'limited_theirs');
      const limited = (await ok(p, '/api/v1/create_api_key', { name: 'limited_app', access_grants: [cluster('application', mine)] })).body.key;

      const list = await ok(p, '/api/v1/list_virtual_clusters', {}, { key: limited });
      assert.deepEqual(ids(list.body.virtual_clusters), [mine]);

      // Its own cluster works.
      await ok(p, '/api/v1/create_topic', { virtual_cluster_id: mine, topic_name: 'mine', partition_count: 1 }, { key: limited });
      await ok(p, '/api/v1/list_topics', { virtual_cluster_id: mine }, { key: limited });

      // Other clusters of the workspace are outside its grants: 403, and nothing changes.
      for (const vc of [theirs, p.boot.virtual_cluster_id]) {
        await refused(p, '/api/v1/list_topics', { virtual_cluster_id: vc }, 403, 'FORBIDDEN', { key: limited }, /access grant/);
        await refused(p, '/api/v1/create_topic', { virtual_cluster_id: vc, topic_name: 'theirs', partition_count: 1 }, 403, 'FORBIDDEN', { key: limited });
        await refused(p, '/api/v1/virtual_clusters/acls/list', { virtual_cluster_id: vc }, 403, 'FORBIDDEN', { key: limited });
        await refused(p, '/api/v1/create_pipeline', { virtual_cluster_id: vc, pipeline_name: 'p' }, 403, 'FORBIDDEN', { key: limited });
        await refused(p, '/api/v1/create_virtual_cluster_credentials', { virtual_cluster_id: vc, credentials_name: 'c', is_cluster_superuser: true }, 403, 'FORBIDDEN', { key: limited });
        await refused(p, '/api/v1/monitoring/describe_all_consumer_groups', { virtual_cluster_id: vc }, 403, 'FORBIDDEN', { key: limited });
      }
      await refused(p, '/api/v1/delete_virtual_cluster', { virtual_cluster_id: theirs, virtual_cluster_name: 'limited_theirs' }, 403, 'FORBIDDEN', { key: limited });

      // It cannot hand out more than it holds.
      await refused(p, '/api/v1/create_api_key', { name: 'wider', access_grants: [cluster('application', theirs)] }, 403, 'FORBIDDEN', { key: limited }, /beyond/);
      await refused(p, '/api/v1/create_api_key', { name: 'wider', access_grants: [all('application')] }, 403, 'FORBIDDEN', { key: limited }, /beyond/);
      await refused(p, '/api/v1/create_api_key', { name: 'wider', access_grants: [cluster('application', mine), cluster('application', theirs)] }, 403, 'FORBIDDEN', { key: limited });
      await refused(p, '/api/v1/create_api_key', { name: 'wider', access_grants: [cluster('agent', theirs)] }, 403, 'FORBIDDEN', { key: limited });
      // Nor create clusters, which would be outside its grants from birth.
      await refused(p, '/api/v1/create_virtual_cluster', clusterBody('by_limited'), 403, 'FORBIDDEN', { key: limited });

      // Within its grants it may create keys: an agent key and a narrower application key for its cluster.
      await ok(p, '/api/v1/create_api_key', { name: 'limited_agent', access_grants: [cluster('agent', mine)] }, { key: limited });
      const narrower = await ok(p, '/api/v1/create_api_key', { name: 'limited_child', access_grants: [cluster('app_r', mine)] }, { key: limited });
      const childList = await ok(p, '/api/v1/list_virtual_clusters', {}, { key: narrower.body.key });
      assert.deepEqual(ids(childList.body.virtual_clusters), [mine]);
    });

    it('lets the account key create keys in a named workspace, and only there', async () => {
      const p = platform();
      const ws = await ok(p, '/api/v1/create_workspace', { workspace_name: 'account made', skip_application_key_creation: true }, { key: p.boot.account_key });
      const wsId = ws.body.workspace_id as string;
      const account = { key: p.boot.account_key };

      await refused(p, '/api/v1/create_api_key', { name: 'no_ws', access_grants: [all('application')] }, 400, 'VALIDATION_ERROR', account, /workspace_id/);
      await refused(
        p,
        '/api/v1/create_api_key',
        { name: 'half_ws', access_grants: [all('application', wsId), cluster('application', p.boot.virtual_cluster_id)] },
        400,
        'VALIDATION_ERROR',
        account,
        /workspace_id/,
      );
      await refused(
        p,
        '/api/v1/create_api_key',
        { name: 'two_ws', access_grants: [all('application', wsId), cluster('application', p.boot.virtual_cluster_id, p.boot.workspace_id)] },
        400,
        'VALIDATION_ERROR',
        account,
        /same workspace_id/,
      );
      await refused(
        p,
        '/api/v1/create_api_key',
        { name: 'ghost_ws', access_grants: [all('application', 'wi_00000000_0000_0000_0000_000000000000')] },
        404,
        'WORKSPACE_NOT_FOUND',
        account,
      );
      // A cluster of another workspace than the grant's.
      await refused(
        p,
        '/api/v1/create_api_key',
        { name: 'wrong_ws_agent', access_grants: [cluster('agent', p.boot.virtual_cluster_id, wsId)] },
        404,
        'VIRTUAL_CLUSTER_NOT_FOUND',
        account,
      );

      const created = await ok(p, '/api/v1/create_api_key', { name: 'from_account', access_grants: [all('application', wsId)] }, account);
      assert.equal(created.body.name, 'akn_from_account');
      assert.deepEqual(created.body.access_grants, [all('application', wsId)]);
      const record = (await p.store.getApiKeyBySecretHash(hashSecret(created.body.key)))!;
      assert.equal(record.kind, 'application');
      assert.equal(record.workspace_id, wsId);

      // The key works in its workspace, and only there.
      const key = created.body.key as string;
      assert.deepEqual((await ok(p, '/api/v1/list_virtual_clusters', {}, { key })).body, { virtual_clusters: [] });
      const vc = await createCluster(p, 'account_ws_vc', {}, { key });
      const listed = await ok(p, '/api/v1/list_api_keys', {}, { key });
      assert.equal(listed.body.api_keys.length, 2, 'its own key and the new cluster\'s agent key');
      assert.ok(listed.body.api_keys.some((k: { id: string }) => k.id === created.body.id));
      assertError(await p.call('/api/v1/list_topics', { virtual_cluster_id: p.boot.virtual_cluster_id }, { key }), 404, 'VIRTUAL_CLUSTER_NOT_FOUND', 'foreign');

      // An agent key made by the account key for that workspace's cluster.
      const agent = await ok(p, '/api/v1/create_api_key', { name: 'account_agent', access_grants: [cluster('agent', vc, wsId)] }, account);
      assert.equal((await p.store.getApiKeyBySecretHash(hashSecret(agent.body.key)))!.virtual_cluster_id, vc);

      // The account key lists the account's own keys, then every workspace's (the Terraform
      // provider reads back the keys an account key made from this list).
      const accountKeys = await ok(p, '/api/v1/list_api_keys', undefined, { key: p.boot.account_key, method: 'GET' });
      const listedIds = ids(accountKeys.body.api_keys);
      assert.equal(accountKeys.body.api_keys[0].name, 'akn_account_key');
      for (const id of [created.body.id, agent.body.id]) assert.ok(listedIds.includes(id), `${id} is listed for the account key`);
      const everyKey = [...(await p.store.listApiKeys(p.boot.workspace_id)), ...(await p.store.listApiKeys(wsId))];
      for (const key of everyKey) assert.ok(listedIds.includes(key.id), `${key.name} is listed for the account key`);
      // With the secrets: the account key's own, and those of the keys it made in a workspace.
      assert.equal(accountKeys.body.api_keys[0].key, p.boot.account_key);
      for (const made of [created, agent]) {
        assert.equal(accountKeys.body.api_keys.find((k: { id: string }) => k.id === made.body.id).key, made.body.key, made.body.name);
      }
    });

    it('refuses an application key creating a key in another workspace (403)', async () => {
      const p = platform();
      const wsId = (await createWorkspace(p, 'elsewhere')).id;
      await refused(p, '/api/v1/create_api_key', { name: 'cross', access_grants: [all('application', wsId)] }, 403, 'FORBIDDEN', {}, /own workspace/);
      await refused(
        p,
        '/api/v1/create_api_key',
        { name: 'cross', access_grants: [all('application', 'wi_00000000_0000_0000_0000_000000000000')] },
        403,
        'FORBIDDEN',
      );
      await refused(
        p,
        '/api/v1/create_api_key',
        { name: 'cross', access_grants: [all('application', p.boot.workspace_id), all('application', wsId)] },
        403,
        'FORBIDDEN',
      );
      // Naming its own workspace is fine.
      const own = await ok(p, '/api/v1/create_api_key', { name: 'own_ws', access_grants: [all('application', p.boot.workspace_id)] });
      assert.equal((await p.store.getApiKeyBySecretHash(hashSecret(own.body.key)))!.workspace_id, p.boot.workspace_id);
    });

    it('refuses agent keys on the key endpoints (403)', async () => {
      const p = platform();
      await refused(p, '/api/v1/list_api_keys', {}, 403, 'FORBIDDEN', { key: p.boot.agent_key });
      await refused(p, '/api/v1/create_api_key', { name: 'from_agent', access_grants: [cluster('agent', p.boot.virtual_cluster_id)] }, 403, 'FORBIDDEN', { key: p.boot.agent_key });
      await refused(p, '/api/v1/create_api_key', { name: 'from_agent', access_grants: [all('application')] }, 403, 'FORBIDDEN', { key: p.boot.agent_key });
    });

    it('lists the workspace\'s application and agent keys, never another workspace\'s', async () => {
      const p = platform();
      const neighbourKey = (await foreignWorkspace(p, 'neighbour', 'neighbour_vc')).key;

      const defaultKeys = (await ok(p, '/api/v1/list_api_keys', {})).body.api_keys as { id: string; name: string }[];
      const neighbourKeys = (await ok(p, '/api/v1/list_api_keys', {}, { key: neighbourKey })).body.api_keys as { id: string; name: string }[];

      const bootApp = (await p.store.getApiKeyBySecretHash(hashSecret(p.boot.application_key)))!;
      const bootAgent = (await p.store.getApiKeyBySecretHash(hashSecret(p.boot.agent_key)))!;
      assert.deepEqual(defaultKeys.slice(0, 2).map((k) => [k.id, k.name]), [
        [bootApp.id, 'akn_default_application_key'],
        [bootAgent.id, 'akn_default_agent_key'],
      ]);
      assert.deepEqual(ids(defaultKeys).sort(), ids(await p.store.listApiKeys(p.boot.workspace_id)).sort());
      assert.deepEqual(neighbourKeys.map((k) => k.name), ['akn_neighbour_application_key', 'akn_neighbour_vc_agent_key']);
      const defaultIds = new Set(ids(defaultKeys));
      for (const key of neighbourKeys) assert.ok(!defaultIds.has(key.id));
      // Same answer on GET without a body.
      assert.deepEqual((await ok(p, '/api/v1/list_api_keys', undefined, { method: 'GET' })).body.api_keys, defaultKeys);
    });

    it('fills an empty workspace_id (as the Terraform provider sends it): the key\'s workspace, or for the account key the oldest one', async () => {
      const p = platform();
      // The provider also sends virtual_cluster_type "" for "the default".
      const empty = (principal_kind: string) => ({ ...all(principal_kind), workspace_id: '' });
      const fromApp = await ok(p, '/api/v1/create_api_key', { name: 'tf_app_empty_ws', access_grants: [empty('app')], virtual_cluster_type: '' });
      assert.deepEqual(fromApp.body.access_grants, [all('app', p.boot.workspace_id)]);
      const fromAccount = await ok(p, '/api/v1/create_api_key', { name: 'tf_account_empty_ws', access_grants: [empty('app_r')] }, { key: p.boot.account_key });
      assert.deepEqual(fromAccount.body.access_grants, [all('app_r', p.boot.workspace_id)]);
      const record = (await p.store.getApiKeyBySecretHash(hashSecret(fromAccount.body.key)))!;
      assert.equal(record.workspace_id, p.boot.workspace_id);
      assert.equal(record.read_only, true);
      const agent = await ok(p, '/api/v1/create_api_key', { name: 'tf_agent', access_grants: [cluster('agent_r', p.boot.virtual_cluster_id)], virtual_cluster_type: '' });
      assert.deepEqual(agent.body.access_grants, [cluster('agent_r', p.boot.virtual_cluster_id)]);
    });

    // --- delete_api_key ---

    it('delete_api_key answers {}; the deleted key is refused (401) on its very next request and is no longer listed', async () => {
      const p = platform();
      const victim = await ok(p, '/api/v1/create_api_key', { name: 'to_delete', access_grants: [all('application')] });
      assert.equal((await p.call('/api/v1/list_virtual_clusters', {}, { key: victim.body.key })).status, 200);
      const r = await ok(p, '/api/v1/delete_api_key', { api_key_id: victim.body.id });
      assert.equal(r.text, '{}');
      const next = await p.call('/api/v1/list_virtual_clusters', {}, { key: victim.body.key });
      assertError(next, 401, 'UNAUTHORIZED', 'deleted key');
      assert.match(next.body.error.message, /invalid_api_key/);
      assert.ok(!ids((await ok(p, '/api/v1/list_api_keys', {})).body.api_keys).includes(victim.body.id));
      assert.equal(await p.store.getApiKey(victim.body.id), undefined);
      // Again: 404, which the Terraform provider takes as "already deleted".
      await refused(p, '/api/v1/delete_api_key', { api_key_id: victim.body.id }, 404, 'API_KEY_NOT_FOUND');
    });

    it('a key may delete itself: the answer is {} and the key is refused from then on', async () => {
      const p = platform();
      const self = await ok(p, '/api/v1/create_api_key', { name: 'self_deleting', access_grants: [all('application')] });
      const r = await ok(p, '/api/v1/delete_api_key', { api_key_id: self.body.id }, { key: self.body.key });
      assert.equal(r.text, '{}');
      assertError(await p.call('/api/v1/list_api_keys', {}, { key: self.body.key }), 401, 'UNAUTHORIZED', 'self-deleted key');
    });

    it('a deleted agent key no longer authenticates an agent', async () => {
      const p = platform();
      const agent = await ok(p, '/api/v1/create_api_key', { name: 'agent_to_delete', access_grants: [cluster('agent', p.boot.virtual_cluster_id)] });
      const controlPlane = localControlPlane(p.store);
      assert.equal((await controlPlane.authenticateAgent(agent.body.key)).id, p.boot.virtual_cluster_id);
      assert.equal((await ok(p, '/api/v1/delete_api_key', { api_key_id: agent.body.id })).text, '{}');
      await assert.rejects(controlPlane.authenticateAgent(agent.body.key), AgentAuthError);
      const clusters = await ok(p, '/api/v1/list_virtual_clusters', {});
      assert.ok(!ids(clusters.body.virtual_clusters[0].agent_keys).includes(agent.body.id), 'no longer under its cluster');
    });

    it('a read-only agent key (agent_r) cannot run an agent; a writable one can', async () => {
      const p = platform();
      const controlPlane = localControlPlane(p.store);
      const readOnly = await ok(p, '/api/v1/create_api_key', { name: 'agent_reader', access_grants: [cluster('agent_r', p.boot.virtual_cluster_id)] });
      await assert.rejects(controlPlane.authenticateAgent(readOnly.body.key), (error: unknown) => error instanceof AgentAuthError && /read-only/.test(error.message));
      const writable = await ok(p, '/api/v1/create_api_key', { name: 'agent_runner', access_grants: [cluster('agent', p.boot.virtual_cluster_id)] });
      assert.equal((await controlPlane.authenticateAgent(writable.body.key)).id, p.boot.virtual_cluster_id);
    });

    it('delete_api_key scoping: own workspace only, account keys anywhere but the last account key, limited keys within their clusters', async () => {
      const p = platform();
      const account = { key: p.boot.account_key };
      const neighbour = await foreignWorkspace(p, 'delete neighbour', 'delete_neighbour_vc');
      const neighbourKeyId = (await p.store.getApiKeyBySecretHash(hashSecret(neighbour.key)))!.id;
      const accountKeyId = (await p.store.getApiKeyBySecretHash(hashSecret(p.boot.account_key)))!.id;

      // Another workspace's key and the account key are invisible to an application key: 404.
      const foreign = await refused(p, '/api/v1/delete_api_key', { api_key_id: neighbourKeyId }, 404, 'API_KEY_NOT_FOUND');
      const ghost = await refused(p, '/api/v1/delete_api_key', { api_key_id: 'aki_00000000_0000_4000_8000_000000000000' }, 404, 'API_KEY_NOT_FOUND');
      const strip = (m: string) => m.replace(/aki_[0-9a-f_]+/g, 'ID');
      assert.equal(strip(foreign.body.error.message), strip(ghost.body.error.message));
      await refused(p, '/api/v1/delete_api_key', { api_key_id: accountKeyId }, 404, 'API_KEY_NOT_FOUND');

      // A key limited to one cluster may delete keys within it, not a workspace-wide key.
      const mine = await createCluster(p, 'delete_scope_vc');
      const limited = (await ok(p, '/api/v1/create_api_key', { name: 'delete_limited', access_grants: [cluster('application', mine)] })).body.key;
      const wide = await ok(p, '/api/v1/create_api_key', { name: 'delete_wide', access_grants: [all('application')] });
      await refused(p, '/api/v1/delete_api_key', { api_key_id: wide.body.id }, 403, 'FORBIDDEN', { key: limited });
      const mineAgent = await ok(p, '/api/v1/create_api_key', { name: 'delete_mine_agent', access_grants: [cluster('agent', mine)] });
      const otherAgent = await ok(p, '/api/v1/create_api_key', { name: 'delete_other_agent', access_grants: [cluster('agent', p.boot.virtual_cluster_id)] });
      await refused(p, '/api/v1/delete_api_key', { api_key_id: otherAgent.body.id }, 403, 'FORBIDDEN', { key: limited });
      assert.equal((await ok(p, '/api/v1/delete_api_key', { api_key_id: mineAgent.body.id }, { key: limited })).text, '{}');

      // Read-only and agent keys delete nothing.
      const reader = await readOnlyKey(p, 'delete_reader');
      await refused(p, '/api/v1/delete_api_key', { api_key_id: wide.body.id }, 403, 'FORBIDDEN', { key: reader }, /read-only/);
      await refused(p, '/api/v1/delete_api_key', { api_key_id: wide.body.id }, 403, 'FORBIDDEN', { key: p.boot.agent_key });
      await refused(p, '/api/v1/delete_api_key', { api_key_id: wide.body.id }, 401, 'UNAUTHORIZED', { key: null });

      // Bad bodies.
      await refused(p, '/api/v1/delete_api_key', {}, 400, 'VALIDATION_ERROR');
      await refused(p, '/api/v1/delete_api_key', { api_key_id: '' }, 400, 'VALIDATION_ERROR');
      await refused(p, '/api/v1/delete_api_key', { api_key_id: 7 }, 400, 'VALIDATION_ERROR');
      await refused(p, '/api/v1/delete_api_key', undefined, 400, 'MALFORMED_JSON', { raw: '{"api_key_id":' });

      // The account key deletes keys in any workspace, but not the account's last account key.
      assert.equal((await ok(p, '/api/v1/delete_api_key', { api_key_id: neighbourKeyId }, account)).text, '{}');
      assertError(await p.call('/api/v1/list_api_keys', {}, { key: neighbour.key }), 401, 'UNAUTHORIZED', 'deleted by the account key');
      await refused(p, '/api/v1/delete_api_key', { api_key_id: accountKeyId }, 422, 'LAST_ACCOUNT_KEY', account);
      assert.equal((await p.call('/api/v1/list_workspaces', {}, account)).status, 200);
    });
  });
}
