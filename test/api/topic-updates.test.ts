/**
 * describe_topic and update_topic as WarpStream's Terraform provider uses them (partition_count
 * and configs, deletion protection as a topic config), their rules (partitions only grow, configs
 * are checked, all or nothing), scoping, and topics on schema-registry and data-lake clusters.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AgentAuthError } from '../../src/agent-rpc/contract.ts';
import { localControlPlane } from '../helpers/control-plane.ts';
import { createCluster, foreignWorkspace, ok, readOnlyKey, refusedKeeping, sharedPlatform, UNKNOWN_CLUSTER } from '../helpers/api.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';

const DESCRIBE = '/api/v1/describe_topic';
const UPDATE = '/api/v1/update_topic';
const DEFAULTS = { 'cleanup.policy': 'delete', 'retention.ms': '604800000', 'warpstream.deletion.protection.enabled': 'false' };

async function topic(p: TestPlatform, cluster: string, name: string) {
  return (await ok(p, DESCRIBE, { virtual_cluster_id: cluster, topic_name: name })).body;
}

for (const kind of storeKinds()) {
  describe(`topic describe and update (${kind.kind})`, () => {
    const platform = sharedPlatform(kind);
    let cluster = '';
    /** Refusals also leave the described topic `t` as it was. */
    const refusedFor = (name: string) => refusedKeeping((p) => p.call(DESCRIBE, { virtual_cluster_id: cluster, topic_name: name }));

    it('describe_topic answers partition_count and configs: the set ones over the defaults', async () => {
      const p = platform();
      cluster = await createCluster(p, 'topic_updates', { virtual_cluster_tier: 'pro', skip_agent_key_creation: true });
      await ok(p, '/api/v1/create_topic', { virtual_cluster_id: cluster, topic_name: 'plain', partition_count: 2 });
      await ok(p, '/api/v1/create_topic', {
        virtual_cluster_id: cluster,
        topic_name: 'configured',
        partition_count: 3,
        configs: { 'retention.ms': '-1', 'max.message.bytes': '2048' },
      });
      const plain = await ok(p, DESCRIBE, { virtual_cluster_id: cluster, topic_name: 'plain' });
      assert.deepEqual(plain.body, { partition_count: 2, configs: DEFAULTS });
      assert.deepEqual(await topic(p, cluster, 'configured'), {
        partition_count: 3,
        configs: { ...DEFAULTS, 'retention.ms': '-1', 'max.message.bytes': '2048' },
      });
      const query = await ok(p, `${DESCRIBE}?virtual_cluster_id=${cluster}&topic_name=plain`, undefined, { method: 'GET' });
      assert.equal(query.text, plain.text);
    });

    it('update_topic grows partitions and sets configs, answering exactly {}', async () => {
      const p = platform();
      const r = await ok(p, UPDATE, { virtual_cluster_id: cluster, topic_name: 'plain', partition_count: 5, configs: { 'retention.ms': '3600000' } });
      assert.equal(r.text, '{}');
      assert.deepEqual(await topic(p, cluster, 'plain'), { partition_count: 5, configs: { ...DEFAULTS, 'retention.ms': '3600000' } });
      // The provider leaves partition_count out when it did not change, and always sends deletion protection.
      await ok(p, UPDATE, { virtual_cluster_id: cluster, topic_name: 'plain', configs: { 'warpstream.deletion.protection.enabled': 'false', 'cleanup.policy': 'delete' } });
      const after = await topic(p, cluster, 'plain');
      assert.equal(after.partition_count, 5);
      assert.equal(after.configs['retention.ms'], '3600000', 'configs not named keep their value');
      // The same count is no change; null sends a config back to its default.
      await ok(p, UPDATE, { virtual_cluster_id: cluster, topic_name: 'plain', partition_count: 5, configs: { 'retention.ms': null } });
      assert.deepEqual(await topic(p, cluster, 'plain'), { partition_count: 5, configs: { ...DEFAULTS, 'cleanup.policy': 'delete' } });
      assert.deepEqual((await p.store.getTopic(cluster, 'plain'))!.configs, { 'warpstream.deletion.protection.enabled': 'false', 'cleanup.policy': 'delete' });
      // No configs at all (or null) changes only the partitions.
      await ok(p, UPDATE, { virtual_cluster_id: cluster, topic_name: 'plain', partition_count: 6 });
      await ok(p, UPDATE, { virtual_cluster_id: cluster, topic_name: 'plain', partition_count: null, configs: null });
      assert.equal((await topic(p, cluster, 'plain')).partition_count, 6);
      const listed = (await ok(p, '/api/v1/list_topics', { virtual_cluster_id: cluster })).body.topics;
      assert.equal(listed.find((t: { name: string }) => t.name === 'plain').shard_count, 6);
    });

    it('refuses shrinking, bad configs and bad types, all or nothing', async () => {
      const p = platform();
      const refused = refusedFor('configured');
      const base = { virtual_cluster_id: cluster, topic_name: 'configured' };
      let r = await refused(p, UPDATE, { ...base, partition_count: 2, configs: { 'retention.ms': '1' } }, 400, 'INVALID_PARTITIONS');
      assert.match(r.body.error.message, /has 3 partitions.*cannot shrink to 2/);
      r = await refused(p, UPDATE, { ...base, partition_count: 4, configs: { 'retention.ms': 'forever' } }, 400, 'INVALID_CONFIG');
      assert.match(r.body.error.message, /retention\.ms/);
      await refused(p, UPDATE, { ...base, partition_count: 4, configs: { 'no.such.config': '1' } }, 400, 'INVALID_CONFIG', {}, /no\.such\.config/);
      await refused(p, UPDATE, { ...base, configs: { 'no.such.config': null } }, 400, 'INVALID_CONFIG');
      await refused(p, UPDATE, { ...base, configs: { constructor: '1' } }, 400, 'INVALID_CONFIG');
      await refused(p, UPDATE, { ...base, partition_count: 0 }, 400, 'INVALID_PARTITIONS');
      for (const body of [
        { ...base, partition_count: 1.5 },
        { ...base, partition_count: '4' },
        { ...base, configs: { 'retention.ms': 1 } },
        { ...base, configs: ['retention.ms'] },
        { ...base, configs: 'retention.ms=1' },
        { virtual_cluster_id: cluster },
        { topic_name: 'configured' },
      ]) {
        await refused(p, UPDATE, body, 400, 'VALIDATION_ERROR');
      }
      // Over the tier's limit (pro: 50,000 partitions in all).
      await refused(p, UPDATE, { ...base, partition_count: 50_000 }, 400, 'PARTITION_LIMIT_EXCEEDED');
    });

    it('a compacted topic cannot stop being compacted', async () => {
      const p = platform();
      await ok(p, '/api/v1/create_topic', { virtual_cluster_id: cluster, topic_name: 'compacted', partition_count: 1, configs: { 'cleanup.policy': 'compact' } });
      const refused = refusedFor('compacted');
      for (const configs of [{ 'cleanup.policy': 'delete' }, { 'cleanup.policy': null }]) {
        await refused(p, UPDATE, { virtual_cluster_id: cluster, topic_name: 'compacted', configs }, 400, 'INVALID_CONFIG', {}, /compacted/);
      }
      await ok(p, UPDATE, { virtual_cluster_id: cluster, topic_name: 'compacted', configs: { 'cleanup.policy': 'compact,delete' } });
      assert.equal((await topic(p, cluster, 'compacted')).configs['cleanup.policy'], 'compact,delete');
    });

    it('deletion protection set by update_topic refuses delete_topic until it is turned off', async () => {
      const p = platform();
      await ok(p, '/api/v1/create_topic', { virtual_cluster_id: cluster, topic_name: 'guarded', partition_count: 1 });
      await ok(p, UPDATE, { virtual_cluster_id: cluster, topic_name: 'guarded', configs: { 'warpstream.deletion.protection.enabled': 'true' } });
      assert.equal((await topic(p, cluster, 'guarded')).configs['warpstream.deletion.protection.enabled'], 'true');
      const refused = refusedFor('guarded');
      for (const soft_delete of [true, false]) {
        await refused(p, '/api/v1/delete_topic', { virtual_cluster_id: cluster, topic_name: 'guarded', soft_delete }, 422, 'TOPIC_DELETION_PROTECTED');
      }
      await ok(p, UPDATE, { virtual_cluster_id: cluster, topic_name: 'guarded', configs: { 'warpstream.deletion.protection.enabled': 'false' } });
      assert.equal((await ok(p, '/api/v1/delete_topic', { virtual_cluster_id: cluster, topic_name: 'guarded' })).text, '{}');
      assert.equal(await p.store.getTopic(cluster, 'guarded'), undefined);
    });

    it('unknown and soft-deleted topics are 404; other tenants 404; read-only keys may describe only', async () => {
      const p = platform();
      const refused = refusedKeeping();
      await ok(p, '/api/v1/create_topic', { virtual_cluster_id: cluster, topic_name: 'soft_gone', partition_count: 1 });
      await ok(p, '/api/v1/delete_topic', { virtual_cluster_id: cluster, topic_name: 'soft_gone', soft_delete: true });
      for (const name of ['soft_gone', 'never_made']) {
        await refused(p, DESCRIBE, { virtual_cluster_id: cluster, topic_name: name }, 404, 'TOPIC_NOT_FOUND');
        await refused(p, UPDATE, { virtual_cluster_id: cluster, topic_name: name, partition_count: 9 }, 404, 'TOPIC_NOT_FOUND');
      }
      await refused(p, DESCRIBE, { virtual_cluster_id: UNKNOWN_CLUSTER, topic_name: 'plain' }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      const foreign = await foreignWorkspace(p, 'topic tenant', 'their_topics');
      await ok(p, '/api/v1/create_topic', { virtual_cluster_id: foreign.cluster, topic_name: 'theirs', partition_count: 1 }, { key: foreign.key });
      await refused(p, DESCRIBE, { virtual_cluster_id: foreign.cluster, topic_name: 'theirs' }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, UPDATE, { virtual_cluster_id: foreign.cluster, topic_name: 'theirs', partition_count: 2 }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, DESCRIBE, { virtual_cluster_id: cluster, topic_name: 'plain' }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND', { key: foreign.key });
      const reader = await readOnlyKey(p, 'topic_reader');
      assert.equal((await topic(p, cluster, 'plain')).partition_count, (await ok(p, DESCRIBE, { virtual_cluster_id: cluster, topic_name: 'plain' }, { key: reader })).body.partition_count);
      await refused(p, UPDATE, { virtual_cluster_id: cluster, topic_name: 'plain', partition_count: 9 }, 403, 'FORBIDDEN', { key: reader });
    });

    it('schema-registry and data-lake clusters hold no Kafka topics; their agents serve no Kafka clients', async () => {
      const p = platform();
      const refused = refusedKeeping();
      for (const type of ['byoc_schema_registry', 'byoc_data_lake']) {
        const r = await ok(p, '/api/v1/create_virtual_cluster', {
          virtual_cluster_name: `no_topics_${type}`,
          virtual_cluster_type: type,
          virtual_cluster_region: 'us-east-1',
          virtual_cluster_cloud_provider: 'aws',
          virtual_cluster_tier: 'pro',
        });
        const id = r.body.virtual_cluster_id;
        await refused(p, '/api/v1/create_topic', { virtual_cluster_id: id, topic_name: 't', partition_count: 1 }, 400, 'INVALID_CLUSTER_TYPE');
        await refused(p, DESCRIBE, { virtual_cluster_id: id, topic_name: 't' }, 404, 'TOPIC_NOT_FOUND');
        await refused(p, UPDATE, { virtual_cluster_id: id, topic_name: 't', partition_count: 2 }, 404, 'TOPIC_NOT_FOUND');
        assert.deepEqual((await ok(p, '/api/v1/list_topics', { virtual_cluster_id: id })).body.topics, []);
        await assert.rejects(localControlPlane(p.store).authenticateAgent(r.body.agent_key.key), (error: unknown) => {
          assert.ok(error instanceof AgentAuthError);
          assert.match(error.message, new RegExp(`type ${type}`));
          return true;
        });
      }
    });
  });
}
