import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CommittedOffset } from '../../src/metadata/store.ts';
import { createCluster, foreignWorkspace, listedEveryWay, ok, readOnlyKey, refused, UNKNOWN_CLUSTER } from '../helpers/api.ts';
import { startTestPlatform, type CallOptions, type CallResult, type TestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';

/** monitoring/describe_all_consumer_groups: the seed's shape, answered from the group store. */

const DESCRIBE = '/api/v1/monitoring/describe_all_consumer_groups';

async function commit(p: TestPlatform, cluster: string, group: string, topic: string, partition: number, offset: number): Promise<void> {
  const record: CommittedOffset = {
    virtual_cluster_id: cluster,
    group_id: group,
    topic_name: topic,
    partition,
    committed_offset: offset,
    metadata: null,
    committed_at: Date.now(),
  };
  await p.store.upsertCommittedOffset(record);
}

function partition(index: number, committed: number) {
  return { member_id: '', partition: index, empty: true, min_offset: 0, max_offset: 0, committed_offset: committed };
}

function group(name: string, topics: Array<{ name: string; partitions: ReturnType<typeof partition>[] }>) {
  return { name, state: 'Empty', protocol: '', members: [], topics };
}

/** describe_all_consumer_groups for `cluster` (the bootstrap cluster unless given), asserting 200. */
function describeGroups(p: TestPlatform, cluster = p.boot.virtual_cluster_id, options: CallOptions = {}): Promise<CallResult> {
  return ok(p, DESCRIBE, { virtual_cluster_id: cluster }, options);
}

for (const kind of storeKinds()) {
  describe(`describe_all_consumer_groups (${kind.kind})`, () => {
    test('a fresh cluster answers exactly {"state":{"groups":[]}} by POST, GET with a body and GET with a query string', async (t) => {
      const p = await startTestPlatform(kind, t);
      assert.equal((await listedEveryWay(p, DESCRIBE, p.boot.virtual_cluster_id)).text, '{"state":{"groups":[]}}');
    });

    test('committed offsets appear as groups, topics and partitions with committed_offset', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await commit(p, id, 'group_b', 'orders', 1, 70);
      await commit(p, id, 'group_a', 'payments', 0, 3);
      await commit(p, id, 'group_a', 'orders', 1, 7);
      await commit(p, id, 'group_a', 'orders', 0, 5);
      await commit(p, id, 'group_b', 'orders', 2, 2 ** 40);

      const answer = await describeGroups(p);
      assert.deepEqual(answer.body, {
        state: {
          groups: [
            group('group_a', [
              { name: 'orders', partitions: [partition(0, 5), partition(1, 7)] },
              { name: 'payments', partitions: [partition(0, 3)] },
            ]),
            group('group_b', [{ name: 'orders', partitions: [partition(1, 70), partition(2, 2 ** 40)] }]),
          ],
        },
      });
      // Same answer by GET.
      assert.deepEqual((await p.call(DESCRIBE, { virtual_cluster_id: id }, { method: 'GET' })).body, answer.body);
    });

    test('a new commit replaces the group\'s offset for that partition', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await commit(p, id, 'g', 'orders', 0, 10);
      await commit(p, id, 'g', 'orders', 0, 11);
      await commit(p, id, 'g', 'orders', 0, 4);
      assert.deepEqual((await describeGroups(p)).body, { state: { groups: [group('g', [{ name: 'orders', partitions: [partition(0, 4)] }])] } });
    });

    test('only the asked cluster\'s groups are answered', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      const otherId = await createCluster(p, 'other');
      await commit(p, id, 'mine', 'orders', 0, 1);
      await commit(p, otherId, 'theirs', 'orders', 0, 2);
      assert.deepEqual((await describeGroups(p)).body.state.groups.map((g: { name: string }) => g.name), ['mine']);
      assert.deepEqual((await describeGroups(p, otherId)).body.state.groups.map((g: { name: string }) => g.name), ['theirs']);
    });

    test('missing or mistyped virtual_cluster_id is 400; unknown cluster 404', async (t) => {
      const p = await startTestPlatform(kind, t);
      await refused(p, DESCRIBE, undefined, 400, 'VALIDATION_ERROR');
      await refused(p, DESCRIBE, undefined, 400, 'VALIDATION_ERROR', { method: 'GET' });
      await refused(p, DESCRIBE, {}, 400, 'VALIDATION_ERROR');
      await refused(p, DESCRIBE, { virtual_cluster_id: 1 }, 400, 'VALIDATION_ERROR');
      await refused(p, DESCRIBE, undefined, 400, 'MALFORMED_JSON', { raw: '{' });
      await refused(p, DESCRIBE, { virtual_cluster_id: UNKNOWN_CLUSTER }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
    });

    test('a cluster of another workspace is 404 both ways, its groups are not shown', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      const foreign = await foreignWorkspace(p);
      await commit(p, foreign.cluster, 'secret_group', 'secret_topic', 0, 42);
      await commit(p, id, 'my_group', 'orders', 0, 1);
      const result = await refused(p, DESCRIBE, { virtual_cluster_id: foreign.cluster }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      assert.ok(!result.text.includes('secret_group'));
      await refused(p, DESCRIBE, { virtual_cluster_id: id }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND', { key: foreign.key });
      // Each workspace's key sees its own.
      const theirs = await describeGroups(p, foreign.cluster, { key: foreign.key });
      assert.deepEqual(theirs.body.state.groups.map((g: { name: string }) => g.name), ['secret_group']);
      assert.deepEqual((await describeGroups(p)).body.state.groups.map((g: { name: string }) => g.name), ['my_group']);
    });

    test('agent and account keys 403, no key 401; a read-only or cluster-scoped application key may read', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await commit(p, id, 'g', 't', 0, 1);
      await refused(p, DESCRIBE, { virtual_cluster_id: id }, 401, 'UNAUTHORIZED', { key: null });
      await refused(p, DESCRIBE, { virtual_cluster_id: id }, 403, 'FORBIDDEN', { key: p.boot.agent_key });
      await refused(p, DESCRIBE, { virtual_cluster_id: id }, 403, 'FORBIDDEN', { key: p.boot.account_key });
      const reader = await readOnlyKey(p, 'reader', id);
      const read = await describeGroups(p, id, { key: reader });
      assert.deepEqual(read.body.state.groups.map((g: { name: string }) => g.name), ['g']);
      const other = await createCluster(p, 'other');
      await refused(p, DESCRIBE, { virtual_cluster_id: other }, 403, 'FORBIDDEN', { key: reader });
    });
  });
}
