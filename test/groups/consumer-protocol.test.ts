import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { storeKinds } from '../helpers/stores.ts';
import { joinRequest, openGroupsStore, setupCoordinator } from '../helpers/groups.ts';
import { KafkaError } from '../../src/kafka-protocol/error-codes.ts';
import { topicUuid } from '../../src/agent-rpc/contract.ts';
import { assign } from '../../src/control-plane/groups/consumer/assignor.ts';
import type { ConsumerGroupHeartbeatRequest } from '../../src/kafka-protocol/index.ts';
import type { MetadataStore } from '../../src/metadata/store.ts';

/**
 * KIP-848's coordinator rules, heartbeat by heartbeat: joining, the server-side assignment, a
 * member giving partitions up before another gets them, fencing, leaving, session timeouts,
 * regex subscriptions, and the member-epoch rules of OffsetCommit.
 */

const client = { clientId: 'c', clientHost: '/127.0.0.1' };

function heartbeat(fields: Partial<ConsumerGroupHeartbeatRequest>): ConsumerGroupHeartbeatRequest {
  return {
    groupId: 'g', memberId: '', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30_000,
    subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: null, ...fields,
  };
}

async function topic(store: MetadataStore, vc: string, name: string, partitions: number) {
  const id = `ti_${name}_${vc}`.replaceAll('-', '_');
  await store.insertTopic({ id, virtual_cluster_id: vc, name, partition_count: partitions, configs: {}, created_at: 1, deleted_at: null });
  return topicUuid({ id });
}

const owned = (a: { topicPartitions: Array<{ topicId: string; partitions: number[] }> } | null) =>
  (a?.topicPartitions ?? []).flatMap((t) => t.partitions.map((p) => `${t.topicId.slice(0, 4)}/${p}`)).sort();
const count = (a: { topicPartitions: Array<{ partitions: number[] }> } | null) => (a?.topicPartitions ?? []).reduce((n, t) => n + t.partitions.length, 0);

for (const kind of storeKinds()) {
  describe(`consumer groups, KIP-848 (${kind.kind})`, () => {
    async function setup(t: TestContext) {
      const store = await openGroupsStore(kind);
      t.after(() => store.close());
      const { coordinator, vc } = await setupCoordinator(store, t, { consumer: { heartbeatIntervalMs: 1_000, sessionTimeoutMs: 300 } });
      const hb = (fields: Partial<ConsumerGroupHeartbeatRequest>) => coordinator.consumerGroupHeartbeat(vc, heartbeat(fields), 1, client);
      return { store, coordinator, vc, hb };
    }

    it('a member joins and gets every partition; a second member gets its share only after the first gave it up', async (t) => {
      const { store, vc, hb } = await setup(t);
      const orders = await topic(store, vc, 'events848', 4);
      const a = await hb({ memberId: 'a', subscribedTopicNames: ['events848'] });
      assert.deepEqual([a.errorCode, a.memberId, a.memberEpoch, a.heartbeatIntervalMs, count(a.assignment)], [0, 'a', 1, 1_000, 4]);

      const b = await hb({ memberId: 'b', subscribedTopicNames: ['events848'] });
      assert.deepEqual([b.errorCode, b.memberEpoch, count(b.assignment)], [0, 2, 0], 'the partitions b is to get are still a\'s');
      // a is told to keep two (giving two up), at its old epoch until it says it let go.
      const revoking = await hb({ memberId: 'a', memberEpoch: 1 });
      assert.deepEqual([revoking.memberEpoch, count(revoking.assignment)], [1, 2]);
      const stillWaiting = await hb({ memberId: 'b', memberEpoch: 2 });
      assert.equal(count(stillWaiting.assignment), 0);
      const released = await hb({ memberId: 'a', memberEpoch: 1, topicPartitions: revoking.assignment!.topicPartitions });
      assert.deepEqual([released.memberEpoch, count(released.assignment)], [2, 2]);
      const got = await hb({ memberId: 'b', memberEpoch: 2 });
      assert.equal(count(got.assignment), 2);
      assert.deepEqual([...owned(got.assignment), ...owned(released.assignment)].sort(), [0, 1, 2, 3].map((p) => `${orders.slice(0, 4)}/${p}`));

      // b leaves: a gets everything back at the next epoch.
      assert.equal((await hb({ memberId: 'b', memberEpoch: -1 })).memberEpoch, -1);
      const back = await hb({ memberId: 'a', memberEpoch: 2 });
      assert.deepEqual([back.memberEpoch, count(back.assignment)], [3, 4]);
    });

    it('fencing, unknown members, unsupported assignors and bad regexes are refused; regex subscriptions match whole names', async (t) => {
      const { store, vc, hb } = await setup(t);
      await topic(store, vc, 'logs-a', 1);
      await topic(store, vc, 'logs-b', 2);
      await topic(store, vc, 'xlogs-c', 1);
      const joined = await hb({ memberId: 'm', subscribedTopicRegex: 'logs-.*' });
      assert.deepEqual([joined.errorCode, count(joined.assignment)], [0, 3]);
      assert.equal((await hb({ memberId: 'm', memberEpoch: 7 })).errorCode, KafkaError.FENCED_MEMBER_EPOCH);
      assert.equal((await hb({ memberId: 'ghost', memberEpoch: 3 })).errorCode, KafkaError.UNKNOWN_MEMBER_ID);
      // As Kafka, a regex is resolved against internal topics too (they are empty here).
      const internal = await hb({ groupId: 'internal', memberId: 'i', subscribedTopicRegex: '__consumer_.*' });
      assert.equal(count(internal.assignment), 50);
      assert.equal((await hb({ memberId: 'n', subscribedTopicNames: ['logs-a'], serverAssignor: 'sticky' })).errorCode, KafkaError.UNSUPPORTED_ASSIGNOR);
      assert.equal((await hb({ memberId: 'n', subscribedTopicRegex: '(' })).errorCode, KafkaError.INVALID_REGULAR_EXPRESSION);
      assert.equal((await hb({ memberId: 'n' })).errorCode, KafkaError.INVALID_REQUEST, 'a join names a subscription');
      assert.equal((await hb({ groupId: '', memberId: 'n', subscribedTopicNames: ['x'] })).errorCode, KafkaError.INVALID_GROUP_ID);
    });

    it('a silent member is removed after the session timeout; OffsetCommit follows member epochs', async (t) => {
      const { store, coordinator, vc, hb } = await setup(t);
      await topic(store, vc, 'events848', 2);
      await hb({ memberId: 'a', subscribedTopicNames: ['events848'] });
      const commit = (memberId: string, epoch: number) => coordinator.offsetCommit(vc, {
        groupId: 'g', generationIdOrMemberEpoch: epoch, memberId, groupInstanceId: null, retentionTimeMs: -1n,
        topics: [{ name: 'events848', partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }],
      }, 9, client);
      const errorOf = async (memberId: string, epoch: number) => (await commit(memberId, epoch)).topics[0]!.partitions[0]!.errorCode;
      assert.equal(await errorOf('a', 1), KafkaError.NONE);
      assert.equal(await errorOf('a', 0), KafkaError.STALE_MEMBER_EPOCH);
      assert.equal(await errorOf('a', 2), KafkaError.FENCED_MEMBER_EPOCH);
      assert.equal(await errorOf('z', 1), KafkaError.UNKNOWN_MEMBER_ID);
      assert.equal(await errorOf('', -1), KafkaError.UNKNOWN_MEMBER_ID, 'outsiders may not commit while the group has members');
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal((await hb({ memberId: 'a', memberEpoch: 1 })).errorCode, KafkaError.UNKNOWN_MEMBER_ID, 'removed after 300 ms of silence');
      assert.equal(await errorOf('', -1), KafkaError.NONE, 'an empty group takes commits from outside');
      const listed = await coordinator.listGroups(vc, { statesFilter: [], typesFilter: ['consumer'] }, 5, client);
      assert.deepEqual(listed.groups.map((g) => [g.groupId, g.groupType, g.groupState]), [['g', 'consumer', 'Empty']]);
    });

    it('a group id is classic or consumer while it has members, not both', async (t) => {
      const { store, coordinator, vc, hb } = await setup(t);
      await topic(store, vc, 'events848', 1);
      await hb({ groupId: 'kip', memberId: 'a', subscribedTopicNames: ['events848'] });
      const join = await coordinator.joinGroup(vc, joinRequest({ groupId: 'kip' }), 9, client);
      assert.equal(join.errorCode, KafkaError.INCONSISTENT_GROUP_PROTOCOL);
      const classic = await coordinator.joinGroup(vc, joinRequest({ groupId: 'old' }), 3, client);
      assert.equal(classic.errorCode, KafkaError.NONE, 'v3: joins at once, a member id given');
      const refused = await hb({ groupId: 'old', memberId: 'b', subscribedTopicNames: ['events848'] });
      assert.equal(refused.errorCode, KafkaError.GROUP_ID_NOT_FOUND);
    });
  });
}

describe('KIP-848 assignors', () => {
  it('uniform spreads partitions evenly and keeps owners where it can; range gives consecutive ranges', () => {
    const counts = new Map([['t1', 5], ['t2', 1]]);
    const members = ['a', 'b', 'c'].map((memberId) => ({ memberId, topics: new Set(['t1', 't2']), current: new Map() }));
    const uniform = assign('uniform', members, counts);
    const sizes = [...uniform.values()].map((a) => [...a.values()].reduce((n, p) => n + p.size, 0)).sort();
    assert.deepEqual(sizes, [2, 2, 2]);
    // Sticky: a member that owned t1/0..2 keeps two of them (its quota) when the others join.
    const sticky = assign('uniform', [{ ...members[0]!, current: new Map([['t1', new Set([0, 1, 2])]]) }, members[1]!, members[2]!], counts);
    assert.equal([...(sticky.get('a')!.get('t1') ?? [])].filter((p) => p <= 2).length, 2);
    const range = assign('range', members.slice(0, 2), new Map([['t1', 5]]));
    assert.deepEqual([[...range.get('a')!.get('t1')!], [...range.get('b')!.get('t1')!]], [[0, 1, 2], [3, 4]]);
  });
});
