/**
 * describe_virtual_cluster, rename_virtual_cluster, update_virtual_cluster_tier,
 * describe/update_virtual_cluster_tags and the create_virtual_cluster extras (region groups, tags):
 * the shapes WarpStream's Terraform provider parses, validation (refusals change nothing),
 * scoping (another workspace's cluster is 404, read-only keys 403) and the OpenAPI document.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, clusterBody, createCluster, foreignWorkspace, ok, readOnlyKey, refusedKeeping, sharedPlatform, UNKNOWN_CLUSTER } from '../helpers/api.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';

const DESCRIBE = '/api/v1/describe_virtual_cluster';
const RENAME = '/api/v1/rename_virtual_cluster';
const TIER = '/api/v1/update_virtual_cluster_tier';
const TAGS = '/api/v1/describe_virtual_cluster_tags';
const UPDATE_TAGS = '/api/v1/update_virtual_cluster_tags';

/** Refusals here also leave list_virtual_clusters (as the default application key sees it) as it was. */
const refused = refusedKeeping((p) => p.call('/api/v1/list_virtual_clusters', {}));

async function described(p: TestPlatform, id: string) {
  return (await ok(p, DESCRIBE, { virtual_cluster_id: id })).body.virtual_cluster;
}

for (const kind of storeKinds()) {
  describe(`virtual cluster details (${kind.kind})`, () => {
    const platform = sharedPlatform(kind);

    it('creates as the Terraform provider does (bare name, tags, no agent key) and describes the cluster in its shape', async () => {
      const p = platform();
      const r = await ok(p, '/api/v1/create_virtual_cluster', {
        virtual_cluster_name: 'tf_made',
        virtual_cluster_type: 'byoc',
        virtual_cluster_tier: 'fundamentals',
        virtual_cluster_region: 'us-east-1',
        virtual_cluster_cloud_provider: 'aws',
        virtual_cluster_tags: { team: 'data', env: '' },
        skip_agent_key_creation: true,
      });
      assert.equal(r.body.workspace_id, p.boot.workspace_id);
      assert.equal(r.body.agent_key, undefined);
      const vc = await described(p, r.body.virtual_cluster_id);
      assert.deepEqual(vc, {
        id: r.body.virtual_cluster_id,
        agent_pool_id: r.body.agent_pool_id,
        agent_pool_name: 'apn_tf_made',
        name: 'vcn_tf_made',
        created_at: vc.created_at,
        type: 'byoc',
        region: 'us-east-1',
        cloud_provider: 'aws',
        cluster_region: { is_multi_region: false, region: { name: 'us-east-1', cloud_provider: 'aws' } },
        bootstrap_url: r.body.bootstrap_url,
        workspace_id: p.boot.workspace_id,
        tier: 'fundamentals',
        agent_keys: [],
        agents: [],
      });
      assert.deepEqual((await ok(p, TAGS, { virtual_cluster_id: r.body.virtual_cluster_id })).body, { tags: { team: 'data', env: '' } });
      // GET with a query string answers the same.
      const query = await ok(p, `${DESCRIBE}?virtual_cluster_id=${r.body.virtual_cluster_id}`, undefined, { method: 'GET' });
      assert.deepEqual(query.body.virtual_cluster, vc);
    });

    it('creates a multi-region cluster from a region group, described with is_multi_region', async () => {
      const p = platform();
      const id = await createCluster(p, 'multi', { virtual_cluster_region: undefined, virtual_cluster_region_group: 'us_multi-1' });
      const vc = await described(p, id);
      assert.deepEqual(vc.cluster_region, { is_multi_region: true, region_group: { name: 'us_multi-1', regions: [] } });
      assert.equal(vc.region, '');
      const stored = (await p.store.getVirtualCluster(id))!;
      assert.equal(stored.region_group, 'us_multi-1');
      assert.deepEqual(stored.tags, {});
    });

    it('refuses bad regions, region groups and tags on create, changing nothing', async () => {
      const p = platform();
      const bad: [Record<string, unknown>, RegExp][] = [
        [{ virtual_cluster_region: undefined }, /virtual_cluster_region/],
        [{ virtual_cluster_region_group: 'us_multi' }, /not both/],
        [{ virtual_cluster_region: undefined, virtual_cluster_region_group: 'Has Space' }, /virtual_cluster_region_group/],
        [{ virtual_cluster_region: undefined, virtual_cluster_region_group: '' }, /virtual_cluster_region_group/],
        [{ virtual_cluster_region: undefined, virtual_cluster_region_group: 7 }, /virtual_cluster_region_group/],
        [{ virtual_cluster_tags: { team: 1 } }, /virtual_cluster_tags/],
        [{ virtual_cluster_tags: { team: null } }, /virtual_cluster_tags/],
        [{ virtual_cluster_tags: ['team'] }, /virtual_cluster_tags/],
        [{ virtual_cluster_tags: 'team=data' }, /virtual_cluster_tags/],
        [{ virtual_cluster_tags: { '': 'empty key' } }, /tag key/],
        [{ virtual_cluster_tags: { ['k'.repeat(129)]: 'v' } }, /tag key/],
        [{ virtual_cluster_tags: { team: 'v'.repeat(257) } }, /virtual_cluster_tags/],
        [{ virtual_cluster_tags: { team: 'line\nbreak' } }, /printable/],
        [{ virtual_cluster_tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }, /virtual_cluster_tags/],
      ];
      for (const [overrides, message] of bad) {
        await refused(p, '/api/v1/create_virtual_cluster', clusterBody('bad_extras', overrides), 400, 'VALIDATION_ERROR', {}, message);
      }
      // 50 tags with the longest keys and values are fine.
      const most = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`${i}`.padEnd(128, 'k'), 'v'.repeat(256)]));
      const id = await createCluster(p, 'most_tags', { virtual_cluster_tags: most });
      assert.deepEqual((await ok(p, TAGS, { virtual_cluster_id: id })).body.tags, most);
    });

    it('renames a cluster: {} exactly, prefix added, same id, agent pool and keys; the old name is free', async () => {
      const p = platform();
      const r = await ok(p, '/api/v1/create_virtual_cluster', clusterBody('before'));
      const id = r.body.virtual_cluster_id;
      const renamed = await ok(p, RENAME, { virtual_cluster_id: id, new_virtual_cluster_name: 'after' });
      assert.equal(renamed.text, '{}');
      const vc = await described(p, id);
      assert.equal(vc.name, 'vcn_after');
      assert.equal(vc.agent_pool_name, r.body.agent_pool_name);
      assert.deepEqual(vc.agent_keys.map((k: { id: string }) => k.id), [r.body.agent_key.id]);
      // The prefixed spelling and the current name are accepted too.
      assert.equal((await ok(p, RENAME, { virtual_cluster_id: id, new_virtual_cluster_name: 'vcn_after_two' })).text, '{}');
      assert.equal((await ok(p, RENAME, { virtual_cluster_id: id, new_virtual_cluster_name: 'after_two' })).text, '{}');
      assert.equal((await described(p, id)).name, 'vcn_after_two');
      // The old name can be used again; deleting needs the new one.
      await createCluster(p, 'before', { skip_agent_key_creation: true });
      await refused(p, '/api/v1/delete_virtual_cluster', { virtual_cluster_id: id, virtual_cluster_name: 'after' }, 400, 'VIRTUAL_CLUSTER_NAME_MISMATCH');
      assert.equal((await ok(p, '/api/v1/delete_virtual_cluster', { virtual_cluster_id: id, virtual_cluster_name: 'vcn_after_two' })).text, '{}');
    });

    it('renames schema registry and data lake clusters with their own prefixes', async () => {
      const p = platform();
      const sr = await createCluster(p, 'registry', { virtual_cluster_type: 'byoc_schema_registry' });
      const dl = await createCluster(p, 'lake', { virtual_cluster_type: 'byoc_data_lake' });
      await ok(p, RENAME, { virtual_cluster_id: sr, new_virtual_cluster_name: 'registry_two' });
      await ok(p, RENAME, { virtual_cluster_id: dl, new_virtual_cluster_name: 'vcn_dl_lake_two' });
      assert.equal((await described(p, sr)).name, 'vcn_sr_registry_two');
      assert.equal((await described(p, dl)).name, 'vcn_dl_lake_two');
    });

    it('refuses bad names, a taken name, other tenants and read-only keys on rename, changing nothing', async () => {
      const p = platform();
      const id = await createCluster(p, 'stays', { skip_agent_key_creation: true });
      await createCluster(p, 'taken', { skip_agent_key_creation: true });
      for (const name of ['', 'has-hyphen', 'has space', 'dot.ted', 'ünï', 'x'.repeat(125)]) {
        await refused(p, RENAME, { virtual_cluster_id: id, new_virtual_cluster_name: name }, 400, 'VALIDATION_ERROR', {}, /new_virtual_cluster_name/);
      }
      for (const body of [{ virtual_cluster_id: id }, { new_virtual_cluster_name: 'x_y' }, { virtual_cluster_id: id, new_virtual_cluster_name: 5 }]) {
        await refused(p, RENAME, body, 400, 'VALIDATION_ERROR');
      }
      await refused(p, RENAME, { virtual_cluster_id: id, new_virtual_cluster_name: 'taken' }, 409, 'VIRTUAL_CLUSTER_ALREADY_EXISTS');
      await refused(p, RENAME, { virtual_cluster_id: id, new_virtual_cluster_name: 'vcn_taken' }, 409, 'VIRTUAL_CLUSTER_ALREADY_EXISTS');
      await refused(p, RENAME, { virtual_cluster_id: UNKNOWN_CLUSTER, new_virtual_cluster_name: 'fresh' }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      const foreign = await foreignWorkspace(p, 'rename tenant', 'theirs');
      await refused(p, RENAME, { virtual_cluster_id: foreign.cluster, new_virtual_cluster_name: 'mine_now' }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, RENAME, { virtual_cluster_id: id, new_virtual_cluster_name: 'fresh' }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND', { key: foreign.key });
      // The same name is free in another workspace.
      await ok(p, RENAME, { virtual_cluster_id: foreign.cluster, new_virtual_cluster_name: 'stays' }, { key: foreign.key });
      const reader = await readOnlyKey(p, 'rename_reader');
      await refused(p, RENAME, { virtual_cluster_id: id, new_virtual_cluster_name: 'fresh' }, 403, 'FORBIDDEN', { key: reader });
      assert.equal((await described(p, id)).name, 'vcn_stays');
    });

    it('changes the tier with {} exactly; refuses unknown tiers and a tier too small for the partitions', async () => {
      const p = platform();
      const id = await createCluster(p, 'tiered', { virtual_cluster_tier: 'pro', skip_agent_key_creation: true });
      for (const tier of ['enterprise', 'dev', 'fundamentals', 'fundamentals']) {
        assert.equal((await ok(p, TIER, { virtual_cluster_id: id, tier })).text, '{}');
        assert.equal((await described(p, id)).tier, tier);
      }
      for (const tier of ['gold', 'Dev', '', 'legacy', 'constructor', 'toString']) {
        await refused(p, TIER, { virtual_cluster_id: id, tier }, 400, 'VALIDATION_ERROR', {}, /tier/);
      }
      for (const body of [{ virtual_cluster_id: id }, { virtual_cluster_id: id, tier: 1 }, { tier: 'dev' }]) {
        await refused(p, TIER, body, 400, 'VALIDATION_ERROR');
      }
      await ok(p, '/api/v1/create_topic', { virtual_cluster_id: id, topic_name: 'big', partition_count: 4_097 });
      const r = await refused(p, TIER, { virtual_cluster_id: id, tier: 'dev' }, 400, 'PARTITION_LIMIT_EXCEEDED');
      assert.match(r.body.error.message, /4097 partitions.*at most 4096/);
      assert.equal((await described(p, id)).tier, 'fundamentals');
      // Once the topic is gone the cluster fits again.
      await ok(p, '/api/v1/delete_topic', { virtual_cluster_id: id, topic_name: 'big', soft_delete: false });
      await ok(p, TIER, { virtual_cluster_id: id, tier: 'dev' });

      const foreign = await foreignWorkspace(p, 'tier tenant', 'their_tier');
      await refused(p, TIER, { virtual_cluster_id: foreign.cluster, tier: 'pro' }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      const reader = await readOnlyKey(p, 'tier_reader');
      await refused(p, TIER, { virtual_cluster_id: id, tier: 'pro' }, 403, 'FORBIDDEN', { key: reader });
    });

    it('describes and replaces tags; {} removes them all; bad tags change nothing', async () => {
      const p = platform();
      const id = await createCluster(p, 'tagged', { skip_agent_key_creation: true });
      assert.equal((await ok(p, TAGS, { virtual_cluster_id: id })).text, '{"tags":{}}');
      assert.equal((await ok(p, UPDATE_TAGS, { virtual_cluster_id: id, tags: { a: '1', b: '2' } })).text, '{}');
      assert.deepEqual((await ok(p, TAGS, { virtual_cluster_id: id })).body, { tags: { a: '1', b: '2' } });
      await ok(p, UPDATE_TAGS, { virtual_cluster_id: id, tags: { c: 'three', 'key with spaces/and:colons': 'ü' } });
      assert.deepEqual((await ok(p, TAGS, { virtual_cluster_id: id })).body.tags, { c: 'three', 'key with spaces/and:colons': 'ü' });

      for (const tags of [{ c: 3 }, { c: null }, ['c'], 'c', null, { '': 'x' }, { c: 'tab\there' }, { ['k'.repeat(129)]: 'v' }]) {
        await refused(p, UPDATE_TAGS, { virtual_cluster_id: id, tags }, 400, 'VALIDATION_ERROR');
      }
      await refused(p, UPDATE_TAGS, { virtual_cluster_id: id }, 400, 'VALIDATION_ERROR');
      assert.deepEqual((await ok(p, TAGS, { virtual_cluster_id: id })).body.tags, { c: 'three', 'key with spaces/and:colons': 'ü' });

      const foreign = await foreignWorkspace(p, 'tags tenant', 'their_tags');
      await refused(p, TAGS, { virtual_cluster_id: foreign.cluster }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, UPDATE_TAGS, { virtual_cluster_id: foreign.cluster, tags: {} }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      const reader = await readOnlyKey(p, 'tags_reader');
      assert.deepEqual((await ok(p, TAGS, { virtual_cluster_id: id }, { key: reader })).body.tags, { c: 'three', 'key with spaces/and:colons': 'ü' });
      await refused(p, UPDATE_TAGS, { virtual_cluster_id: id, tags: {} }, 403, 'FORBIDDEN', { key: reader });

      // An Idempotency-Key replays the first answer, as on every mutation.
      const headers = { 'Idempotency-Key': 'tags-clear-1' };
      assert.equal((await ok(p, UPDATE_TAGS, { virtual_cluster_id: id, tags: {} }, { headers })).text, '{}');
      const replay = await ok(p, UPDATE_TAGS, { virtual_cluster_id: id, tags: {} }, { headers });
      assert.equal(replay.headers['x-idempotency-replayed'], 'true');
      assert.deepEqual((await ok(p, TAGS, { virtual_cluster_id: id })).body.tags, {});
    });

    it('describe refuses unknown clusters, other tenants and agent keys', async () => {
      const p = platform();
      await refused(p, DESCRIBE, { virtual_cluster_id: UNKNOWN_CLUSTER }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, DESCRIBE, {}, 400, 'VALIDATION_ERROR');
      const foreign = await foreignWorkspace(p, 'describe tenant', 'their_cluster');
      await refused(p, DESCRIBE, { virtual_cluster_id: foreign.cluster }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      assert.equal((await described(p, p.boot.virtual_cluster_id)).name, 'vcn_default');
      assertError(await p.call(DESCRIBE, { virtual_cluster_id: p.boot.virtual_cluster_id }, { key: p.boot.agent_key }), 403, 'FORBIDDEN', 'agent key');
      assertError(await p.call(DESCRIBE, { virtual_cluster_id: p.boot.virtual_cluster_id }, { key: null }), 401, 'UNAUTHORIZED', 'no key');
    });

    it('documents every new endpoint in /openapi.json with its request schema', async () => {
      const p = platform();
      const doc = JSON.parse((await p.app.inject({ method: 'GET', url: '/openapi.json' })).body);
      const expected: Record<string, string[]> = {
        '/api/v1/describe_virtual_cluster': ['virtual_cluster_id'],
        '/api/v1/rename_virtual_cluster': ['virtual_cluster_id', 'new_virtual_cluster_name'],
        '/api/v1/update_virtual_cluster_tier': ['virtual_cluster_id', 'tier'],
        '/api/v1/describe_virtual_cluster_tags': ['virtual_cluster_id'],
        '/api/v1/update_virtual_cluster_tags': ['virtual_cluster_id', 'tags'],
        '/api/v1/describe_topic': ['virtual_cluster_id', 'topic_name'],
        '/api/v1/update_topic': ['virtual_cluster_id', 'topic_name'],
      };
      for (const [path, required] of Object.entries(expected)) {
        const schema = doc.paths[path]?.post?.requestBody?.content?.['application/json']?.schema;
        assert.ok(schema, `${path} is documented`);
        assert.deepEqual(schema.required, required, `${path} required fields`);
      }
      const create = doc.paths['/api/v1/create_virtual_cluster'].post.requestBody.content['application/json'].schema;
      for (const field of ['virtual_cluster_tags', 'virtual_cluster_region_group', 'skip_agent_key_creation']) assert.ok(create.properties[field], field);
      const vc = doc.components.schemas.VirtualCluster;
      for (const field of ['workspace_id', 'tier', 'cluster_region']) assert.ok(vc.properties[field], `VirtualCluster.${field}`);
    });
  });
}
