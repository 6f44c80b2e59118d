import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { storeKinds, testAccount, testWorkspace } from '../helpers/stores.ts';
import { commitBatches } from '../../src/control-plane/log/commit.ts';
import { ShareCoordinator } from '../../src/control-plane/shares/coordinator.ts';
import { SharePartitions } from '../../src/control-plane/shares/partitions.ts';
import { GroupCoordinator } from '../../src/control-plane/groups/coordinator.ts';
import { KafkaError } from '../../src/kafka-protocol/error-codes.ts';
import { topicUuid } from '../../src/agent-rpc/contract.ts';
import { ApiError } from '../../src/errors.ts';
import type { MetadataStore } from '../../src/metadata/store.ts';

/**
 * The share group coordinator against the metadata store (both stores): membership, records
 * handed out and settled through ShareApi, state that outlives the coordinator, group configs,
 * and the offsets APIs.
 */

const CLUSTER = 'vci_s';
const TOPIC = 'ti_00000000_0000_4000_8000_000000000001';
const CLIENT = { clientId: 'c', clientHost: '/127.0.0.1' };

async function setup(t: TestContext, kind: ReturnType<typeof storeKinds>[number]) {
  const store = await kind.open();
  t.after(() => store.close());
  await store.insertAccount(testAccount('acc_1'));
  await store.insertWorkspace(testWorkspace('wi_1', 'acc_1', 'main'));
  await store.insertVirtualCluster({
    id: CLUSTER, workspace_id: 'wi_1', name: 'vcn_s', type: 'byoc', region: 'r', cloud_provider: 'aws', tier: 'dev', agent_pool_id: 'apid',
    agent_pool_name: 'apn', created_at: 1, configuration: {}, region_group: null, tags: {}, events: { enabled: false, event_types: {} },
  });
  await store.insertTopic({ id: TOPIC, virtual_cluster_id: CLUSTER, name: 'jobs', partition_count: 2, configs: {}, created_at: 1, deleted_at: null });
  const clock = { now: 1_000_000 };
  const open = () => {
    const coordinator = new ShareCoordinator(store, { now: () => clock.now });
    t.after(() => coordinator.close());
    return coordinator;
  };
  return { store, clock, coordinator: open(), open };
}

/** `records` records on the partition, in one batch. */
function produce(store: MetadataStore, partition: number, records: number) {
  return commitBatches(store, CLUSTER, `o-${Math.random()}`, [{
    topic_id: TOPIC, partition, byte_offset: 0, byte_length: 100, last_offset_delta: records - 1, max_timestamp: 5, producer_id: -1, producer_epoch: -1, base_sequence: -1,
  }]);
}

function join(coordinator: ShareCoordinator, memberId: string, groupId = 'g') {
  return coordinator.heartbeat(CLUSTER, { groupId, memberId, memberEpoch: 0, rackId: null, subscribedTopicNames: ['jobs'] }, CLIENT);
}

const P0 = { topic_id: TOPIC, partition: 0 };

for (const kind of storeKinds()) {
  describe(`ShareCoordinator (${kind.kind})`, () => {
    it('assigns every member every partition of its topics; a leaving member is gone', async (t) => {
      const { coordinator } = await setup(t, kind);
      const a = await join(coordinator, 'member-a');
      const b = await join(coordinator, 'member-b');
      for (const answer of [a, b]) {
        assert.equal(answer.errorCode, KafkaError.NONE);
        assert.deepEqual(answer.assignment?.topicPartitions, [{ topicId: topicUuid({ id: TOPIC }), partitions: [0, 1] }]);
      }
      const again = await coordinator.heartbeat(CLUSTER, { groupId: 'g', memberId: 'member-a', memberEpoch: a.memberEpoch, rackId: null, subscribedTopicNames: null }, CLIENT);
      assert.equal(again.errorCode, KafkaError.NONE);
      const fenced = await coordinator.heartbeat(CLUSTER, { groupId: 'g', memberId: 'member-a', memberEpoch: a.memberEpoch + 5, rackId: null, subscribedTopicNames: null }, CLIENT);
      assert.equal(fenced.errorCode, KafkaError.FENCED_MEMBER_EPOCH);
      assert.equal((await coordinator.heartbeat(CLUSTER, { groupId: 'g', memberId: '', memberEpoch: 0, rackId: null, subscribedTopicNames: ['jobs'] }, CLIENT)).errorCode, KafkaError.INVALID_REQUEST, 'v1 member ids are the client\'s');
      await coordinator.heartbeat(CLUSTER, { groupId: 'g', memberId: 'member-b', memberEpoch: -1, rackId: null, subscribedTopicNames: null }, CLIENT);
      const described = await coordinator.describe(CLUSTER, { groupIds: ['g', 'nope'], includeAuthorizedOperations: false });
      assert.deepEqual(described.groups[0]!.members.map((m) => m.memberId), ['member-a']);
      assert.equal(described.groups[0]!.groupState, 'Stable');
      assert.equal(described.groups[1]!.errorCode, KafkaError.GROUP_ID_NOT_FOUND);
    });

    it('hands each record to one member; an unknown member gets nothing', async (t) => {
      const { coordinator, store } = await setup(t, kind);
      await coordinator.setGroupConfigs(CLUSTER, 'g', { 'share.auto.offset.reset': 'earliest' }, false);
      await produce(store, 0, 10);
      await join(coordinator, 'a');
      await join(coordinator, 'b');
      const first = await coordinator.acquire(CLUSTER, { group_id: 'g', member_id: 'a', max_records: 6, partitions: [P0] });
      const second = await coordinator.acquire(CLUSTER, { group_id: 'g', member_id: 'b', max_records: 6, partitions: [P0] });
      assert.deepEqual(first.partitions[0]!.acquired, [{ first_offset: 0, last_offset: 5, delivery_count: 1 }]);
      assert.deepEqual(second.partitions[0]!.acquired, [{ first_offset: 6, last_offset: 9, delivery_count: 1 }]);
      assert.equal(first.lock_duration_ms, 30_000);
      const stranger = await coordinator.acquire(CLUSTER, { group_id: 'g', member_id: 'zed', max_records: 6, partitions: [P0] });
      assert.equal(stranger.error_code, KafkaError.UNKNOWN_MEMBER_ID);
      const unknown = await coordinator.acquire(CLUSTER, { group_id: 'g', member_id: 'a', max_records: 6, partitions: [{ topic_id: TOPIC, partition: 7 }] });
      assert.equal(unknown.partitions[0]!.error_code, KafkaError.UNKNOWN_TOPIC_OR_PARTITION);
      // Acknowledgements: a's accept settles; b's claim on a's records is refused and changes nothing.
      const settled = await coordinator.acknowledge(CLUSTER, { group_id: 'g', member_id: 'a', partitions: [{ ...P0, batches: [{ first_offset: 0, last_offset: 5, acknowledge_types: [1] }] }] });
      assert.equal(settled.partitions[0]!.error_code, KafkaError.NONE);
      const refused = await coordinator.acknowledge(CLUSTER, { group_id: 'g', member_id: 'b', partitions: [{ ...P0, batches: [{ first_offset: 0, last_offset: 9, acknowledge_types: [1] }] }] });
      assert.equal(refused.partitions[0]!.error_code, KafkaError.INVALID_RECORD_STATE);
      const offsets = await coordinator.describeOffsets(CLUSTER, { groups: [{ groupId: 'g', topics: null }] }, 1);
      assert.deepEqual(offsets.groups[0]!.topics[0]!.partitions.map((p) => [p.partitionIndex, p.startOffset, p.lag]), [[0, 6n, 4n]]);
    });

    it('a group starts at the log end by default (share.auto.offset.reset=latest)', async (t) => {
      const { coordinator, store } = await setup(t, kind);
      await produce(store, 0, 4);
      await join(coordinator, 'a');
      assert.deepEqual((await coordinator.acquire(CLUSTER, { group_id: 'g', member_id: 'a', max_records: 10, partitions: [P0] })).partitions[0]!.acquired, []);
      await produce(store, 0, 2);
      assert.deepEqual((await coordinator.acquire(CLUSTER, { group_id: 'g', member_id: 'a', max_records: 10, partitions: [P0] })).partitions[0]!.acquired, [{ first_offset: 4, last_offset: 5, delivery_count: 1 }]);
    });

    it('a member that leaves gives its records back; the state outlives the coordinator', async (t) => {
      const { coordinator, store, open } = await setup(t, kind);
      await coordinator.setGroupConfigs(CLUSTER, 'g', { 'share.auto.offset.reset': 'earliest' }, false);
      await produce(store, 0, 5);
      await join(coordinator, 'a');
      await coordinator.acquire(CLUSTER, { group_id: 'g', member_id: 'a', max_records: 5, partitions: [P0] });
      await coordinator.acknowledge(CLUSTER, { group_id: 'g', member_id: 'a', partitions: [{ ...P0, batches: [{ first_offset: 0, last_offset: 1, acknowledge_types: [1] }] }] });
      await coordinator.heartbeat(CLUSTER, { groupId: 'g', memberId: 'a', memberEpoch: -1, rackId: null, subscribedTopicNames: null }, CLIENT);
      // The release on leaving is asynchronous: wait for it through the store.
      for (let i = 0; i < 100 && (await store.shares.getSharePartition(CLUSTER, 'g', TOPIC, 0))?.in_flight.some((r) => r.state === 'acquired'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const restarted = open();
      await join(restarted, 'b');
      const got = await restarted.acquire(CLUSTER, { group_id: 'g', member_id: 'b', max_records: 10, partitions: [P0] });
      assert.deepEqual(got.partitions[0]!.acquired, [{ first_offset: 2, last_offset: 4, delivery_count: 2 }], 'accepted 0-1 are never handed out again');
    });

    it('group configs: every known one with its default; a bad name or value changes nothing', async (t) => {
      const { coordinator } = await setup(t, kind);
      await coordinator.setGroupConfigs(CLUSTER, 'g', { 'share.record.lock.duration.ms': '15000' }, false);
      const configs = await coordinator.groupConfigs(CLUSTER, 'g');
      assert.deepEqual(configs.find((c) => c.name === 'share.record.lock.duration.ms'), { name: 'share.record.lock.duration.ms', value: '15000', is_default: false, type: 'int', doc: configs.find((c) => c.name === 'share.record.lock.duration.ms')!.doc });
      assert.equal(configs.find((c) => c.name === 'share.auto.offset.reset')?.value, 'latest');
      const bads: Array<Record<string, string>> = [{ 'share.record.lock.duration.ms': '10' }, { 'share.auto.offset.reset': 'sometimes' }, { 'no.such.config': '1' }];
      for (const bad of bads) {
        await assert.rejects(coordinator.setGroupConfigs(CLUSTER, 'g', { 'share.auto.offset.reset': 'earliest', ...bad }, false), (e: unknown) => e instanceof ApiError && e.code === 'INVALID_CONFIG');
      }
      await coordinator.setGroupConfigs(CLUSTER, 'g', { 'share.auto.offset.reset': 'earliest' }, true);
      assert.equal((await coordinator.groupConfigs(CLUSTER, 'g')).find((c) => c.name === 'share.auto.offset.reset')?.value, 'latest', 'validate only');
      await coordinator.setGroupConfigs(CLUSTER, 'g', { 'share.record.lock.duration.ms': null }, false);
      assert.equal((await coordinator.groupConfigs(CLUSTER, 'g')).every((c) => c.is_default), true);
    });

    it('offsets: alter and delete only without members; alter sets where the group resumes', async (t) => {
      const { coordinator, store } = await setup(t, kind);
      await produce(store, 0, 10);
      const alter = (startOffset: bigint) => coordinator.alterOffsets(CLUSTER, { groupId: 'g', topics: [{ topicName: 'jobs', partitions: [{ partitionIndex: 0, startOffset }] }] });
      assert.equal((await alter(7n)).responses[0]!.partitions[0]!.errorCode, KafkaError.NONE);
      assert.equal((await alter(70n)).responses[0]!.partitions[0]!.errorCode, KafkaError.INVALID_REQUEST, 'past the log end');
      const described = await coordinator.describeOffsets(CLUSTER, { groups: [{ groupId: 'g', topics: [{ topicName: 'jobs', partitions: [0, 1] }] }] }, 1);
      assert.deepEqual(described.groups[0]!.topics[0]!.partitions.map((p) => p.startOffset), [7n, -1n]);
      await join(coordinator, 'a');
      assert.equal((await alter(3n)).errorCode, KafkaError.NON_EMPTY_GROUP);
      assert.deepEqual((await coordinator.acquire(CLUSTER, { group_id: 'g', member_id: 'a', max_records: 10, partitions: [P0] })).partitions[0]!.acquired, [{ first_offset: 7, last_offset: 9, delivery_count: 1 }]);
      assert.equal((await coordinator.deleteOffsets(CLUSTER, { groupId: 'g', topics: [{ topicName: 'jobs' }] })).errorCode, KafkaError.NON_EMPTY_GROUP);
      await coordinator.heartbeat(CLUSTER, { groupId: 'g', memberId: 'a', memberEpoch: -1, rackId: null, subscribedTopicNames: null }, CLIENT);
      assert.equal((await coordinator.deleteOffsets(CLUSTER, { groupId: 'g', topics: [{ topicName: 'jobs' }] })).responses[0]!.errorCode, KafkaError.NONE);
      assert.deepEqual(await store.shares.listSharePartitions(CLUSTER, 'g'), []);
    });

    it('share-partitions beyond the memory limit are dropped least recently used first, and come back as stored', async (t) => {
      const { store } = await setup(t, kind);
      await store.shares.putGroupConfigs({ virtual_cluster_id: CLUSTER, group_id: 'g', configs: { 'share.auto.offset.reset': 'earliest' } });
      await produce(store, 0, 5);
      await produce(store, 1, 5);
      const partitions = new SharePartitions(store, 1);
      const key = (partition: number) => ({ virtualClusterId: CLUSTER, groupId: 'g', topicId: TOPIC, partition });
      const rules = { lockDurationMs: 60_000, deliveryCountLimit: 5, now: 1_000 };
      const take = (partition: number, memberId: string) => partitions.with(key(partition), (p) => p.acquire({ memberId, maxRecords: 2, logStartOffset: 0, highWatermark: 5 }, rules));
      assert.deepEqual(await take(0, 'a'), [{ firstOffset: 0, lastOffset: 1, deliveryCount: 1 }]);
      assert.deepEqual(await take(1, 'a'), [{ firstOffset: 0, lastOffset: 1, deliveryCount: 1 }]);
      assert.equal(partitions.loadedCount, 1, 'partition 0 was dropped');
      // Loaded again from the store: what a held was held still, the next records go to b.
      assert.deepEqual(await take(0, 'b'), [{ firstOffset: 2, lastOffset: 3, deliveryCount: 1 }]);
      assert.equal(await partitions.with(key(0), (p) => p.releaseMember('a', rules)), 2);
    });

    it('ListGroups and DeleteGroups see share groups', async (t) => {
      const { store } = await setup(t, kind);
      const groups = new GroupCoordinator(store);
      t.after(() => groups.close());
      const shares = groups.shares;
      await join(shares, 'a', 'sg');
      const listed = await groups.listGroups(CLUSTER, { statesFilter: [], typesFilter: ['share'] }, 5, CLIENT);
      assert.deepEqual(listed.groups, [{ groupId: 'sg', protocolType: 'share', groupState: 'Stable', groupType: 'share' }]);
      assert.equal((await groups.deleteGroups(CLUSTER, { groupsNames: ['sg'] }, 2, CLIENT)).results[0]!.errorCode, KafkaError.NON_EMPTY_GROUP);
      await shares.heartbeat(CLUSTER, { groupId: 'sg', memberId: 'a', memberEpoch: -1, rackId: null, subscribedTopicNames: null }, CLIENT);
      assert.equal((await groups.deleteGroups(CLUSTER, { groupsNames: ['sg'] }, 2, CLIENT)).results[0]!.errorCode, KafkaError.NONE);
      assert.deepEqual((await groups.listGroups(CLUSTER, { statesFilter: [], typesFilter: ['share'] }, 5, CLIENT)).groups, []);
    });

    it('a group id in use is of one type: share, consumer (KIP-848) or classic', async (t) => {
      const { store } = await setup(t, kind);
      const groups = new GroupCoordinator(store, { initialRebalanceDelayMs: 0 });
      t.after(() => groups.close());
      await join(groups.shares, 'a', 'sg');
      const consumer = await groups.consumerGroupHeartbeat(CLUSTER, {
        groupId: 'sg', memberId: '', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 1000, subscribedTopicNames: ['jobs'],
        subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [],
      }, 1, CLIENT);
      assert.equal(consumer.errorCode, KafkaError.GROUP_ID_NOT_FOUND);
      const classic = await groups.joinGroup(CLUSTER, {
        groupId: 'sg', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: Buffer.alloc(0) }], reason: null,
      }, 9, CLIENT);
      assert.equal(classic.errorCode, KafkaError.INCONSISTENT_GROUP_PROTOCOL);
      // And a consumer group with members is no share group.
      await groups.consumerGroupHeartbeat(CLUSTER, {
        groupId: 'cg', memberId: '', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 1000, subscribedTopicNames: ['jobs'],
        subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [],
      }, 1, CLIENT);
      const share = await groups.shareGroupHeartbeat(CLUSTER, { groupId: 'cg', memberId: 'b', memberEpoch: 0, rackId: null, subscribedTopicNames: ['jobs'] }, 1, CLIENT);
      assert.equal(share.errorCode, KafkaError.GROUP_ID_NOT_FOUND);
    });
  });
}
