import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiKeys } from '../../src/kafka-protocol/index.ts';
import { createTopic } from '../../src/control-plane/services/topics.ts';
import { topicUuid } from '../../src/agent-rpc/contract.ts';
import type { Topic, VirtualCluster } from '../../src/metadata/store.ts';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { decodeBatches, valuesBatch } from './batches.ts';
import { RawClient } from './client.ts';

/**
 * Share groups (KIP-932) over the wire, with the project's codec: a member joins by
 * ShareGroupHeartbeat, ShareFetch acquires records for it and settles its acknowledgements,
 * share sessions check their epochs, a closed connection gives the member's records back, and
 * the group's configs and offsets are reached by DescribeConfigs/IncrementalAlterConfigs and
 * the share offsets APIs. (Also run with the agent reaching the control plane over HTTP.)
 */

const E = {
  NONE: 0, INVALID_CONFIG: 40, INVALID_REQUEST: 42, UNKNOWN_MEMBER_ID: 25, NON_EMPTY_GROUP: 68,
  INVALID_RECORD_STATE: 121, SHARE_SESSION_NOT_FOUND: 122, INVALID_SHARE_SESSION_EPOCH: 123,
};
const GROUP_RESOURCE = 32;
const ACCEPT = 1;
const RELEASE = 2;
const REJECT = 3;

let cluster: TestCluster;
let vc: VirtualCluster;
const cleanups: Array<() => unknown> = [];
const clients: RawClient[] = [];

before(async () => {
  cluster = await startTestCluster({ after: (fn) => cleanups.push(fn) });
  vc = (await cluster.platform.store.getVirtualCluster(cluster.boot.virtual_cluster_id))!;
});
after(async () => {
  for (const client of clients) client.close();
  for (const fn of cleanups.reverse()) await fn();
});

async function client(): Promise<RawClient> {
  const c = await RawClient.connect(cluster.bootstrap);
  clients.push(c);
  return c;
}

let seq = 0;
/** A topic with `records` records in partition 0 (values `v-0`…), and a share group reading it from the start. */
async function setup(records: number): Promise<{ c: RawClient; topic: Topic; group: string }> {
  const c = await client();
  const topic = await createTopic(cluster.platform.store, vc, { topic_name: `share-${++seq}`, partition_count: 1, configs: {} });
  if (records > 0) {
    const produced = await c.request(ApiKeys.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: topic.name, partitionData: [{ index: 0, records: valuesBatch('v', records) }] }] });
    assert.equal(produced.responses[0]!.partitionResponses[0]!.errorCode, E.NONE);
  }
  const group = `group-${seq}`;
  await setConfigs(c, group, [['share.auto.offset.reset', 'earliest']]);
  return { c, topic, group };
}

async function setConfigs(c: RawClient, group: string, configs: Array<[string, string | null]>, validateOnly = false) {
  const answer = await c.request(ApiKeys.IncrementalAlterConfigs, 1, {
    resources: [{ resourceType: GROUP_RESOURCE, resourceName: group, configs: configs.map(([name, value]) => ({ name, configOperation: value === null ? 1 : 0, value })) }],
    validateOnly,
  });
  return answer.responses[0]!;
}

async function join(c: RawClient, group: string, memberId: string, topics: string[]) {
  const answer = await c.request(ApiKeys.ShareGroupHeartbeat, 1, { groupId: group, memberId, memberEpoch: 0, rackId: null, subscribedTopicNames: topics });
  assert.equal(answer.errorCode, E.NONE, answer.errorMessage ?? '');
  return answer;
}

type Acks = Array<{ firstOffset: bigint; lastOffset: bigint; acknowledgeTypes: number[] }>;

function shareFetch(c: RawClient, group: string, memberId: string, epoch: number, topic: Topic | undefined, acks: Acks = [], maxWaitMs = 0, maxRecords = 500) {
  return c.request(ApiKeys.ShareFetch, 2, {
    groupId: group, memberId, shareSessionEpoch: epoch, maxWaitMs, minBytes: 1, maxBytes: 1 << 20, maxRecords, batchSize: maxRecords, shareAcquireMode: 0, isRenewAck: false,
    topics: topic ? [{ topicId: topicUuid(topic), partitions: [{ partitionIndex: 0, partitionMaxBytes: 0, acknowledgementBatches: acks }] }] : [],
    forgottenTopicsData: [],
  }, 20_000);
}

function shareAck(c: RawClient, group: string, memberId: string, epoch: number, topic: Topic, acks: Acks) {
  return c.request(ApiKeys.ShareAcknowledge, 2, {
    groupId: group, memberId, shareSessionEpoch: epoch, isRenewAck: false,
    topics: [{ topicId: topicUuid(topic), partitions: [{ partitionIndex: 0, acknowledgementBatches: acks }] }],
  });
}

/** The records' values a ShareFetch answer carries for partition 0, only the acquired ones, with their delivery counts. */
function acquired(answer: Awaited<ReturnType<typeof shareFetch>>): Array<[string, number]> {
  const p = answer.responses[0]?.partitions[0];
  if (!p) return [];
  const ranges = p.acquiredRecords;
  return decodeBatches(p.records).flatMap((b) => b.records).flatMap((r) => {
    const range = ranges.find((x) => r.offset >= x.firstOffset && r.offset <= x.lastOffset);
    return range ? [[r.value!.toString(), range.deliveryCount] as [string, number]] : [];
  });
}

const range = (first: number, last: number, type: number) => ({ firstOffset: BigInt(first), lastOffset: BigInt(last), acknowledgeTypes: [type] });

describe('share groups on the wire', () => {
  test('records are acquired once; accepted ones are done, released ones come back with a higher delivery count, rejected ones never', async () => {
    const { c, topic, group } = await setup(6);
    const assignment = await join(c, group, 'member-a', [topic.name]);
    assert.deepEqual(assignment.assignment?.topicPartitions, [{ topicId: topicUuid(topic), partitions: [0] }]);

    const first = await shareFetch(c, group, 'member-a', 0, topic);
    assert.equal(first.errorCode, E.NONE);
    assert.equal(first.acquisitionLockTimeoutMs, 30_000);
    assert.deepEqual(acquired(first), [['v-0', 1], ['v-1', 1], ['v-2', 1], ['v-3', 1], ['v-4', 1], ['v-5', 1]]);

    // Accept 0-1, release 2-3, reject 4-5, carried by the next fetch of the session.
    const second = await shareFetch(c, group, 'member-a', 1, topic, [range(0, 1, ACCEPT), range(2, 3, RELEASE), range(4, 5, REJECT)]);
    assert.equal(second.errorCode, E.NONE);
    assert.equal(second.responses[0]!.partitions[0]!.acknowledgeErrorCode, E.NONE);
    assert.deepEqual(acquired(second), [['v-2', 2], ['v-3', 2]], 'only the released records, delivered again');

    // Acknowledging what the member no longer holds is refused and changes nothing.
    const again = await shareAck(c, group, 'member-a', 2, topic, [range(0, 3, ACCEPT)]);
    assert.equal(again.responses[0]!.partitions[0]!.errorCode, E.INVALID_RECORD_STATE);
    const settled = await shareAck(c, group, 'member-a', 3, topic, [range(2, 3, ACCEPT)]);
    assert.equal(settled.responses[0]!.partitions[0]!.errorCode, E.NONE);

    const offsets = await c.request(ApiKeys.DescribeShareGroupOffsets, 1, { groups: [{ groupId: group, topics: null }] });
    const p = offsets.groups[0]!.topics[0]!.partitions[0]!;
    assert.deepEqual([p.startOffset, p.lag], [6n, 0n], 'every record is done with');
    assert.deepEqual(acquired(await shareFetch(c, group, 'member-a', 4, undefined)), []);
  });

  test('share session epochs: a wrong one or an unknown session is refused; epoch -1 closes the session', async () => {
    const { c, topic, group } = await setup(2);
    await join(c, group, 'member-e', [topic.name]);
    assert.equal((await shareFetch(c, group, 'member-e', 3, topic)).errorCode, E.SHARE_SESSION_NOT_FOUND);
    assert.equal((await shareFetch(c, group, 'stranger', 0, topic)).errorCode, E.UNKNOWN_MEMBER_ID);
    assert.equal((await shareFetch(c, group, 'member-e', 0, topic, [range(0, 0, ACCEPT)])).errorCode, E.INVALID_REQUEST, 'no acknowledgements on a new session');
    const opened = await shareFetch(c, group, 'member-e', 0, topic);
    assert.equal(acquired(opened).length, 2);
    assert.equal((await shareFetch(c, group, 'member-e', 5, undefined)).errorCode, E.INVALID_SHARE_SESSION_EPOCH);
    assert.equal((await shareAck(c, group, 'member-e', 0, topic, [range(0, 0, ACCEPT)])).errorCode, E.INVALID_SHARE_SESSION_EPOCH);
    const closed = await shareAck(c, group, 'member-e', -1, topic, [range(0, 0, ACCEPT)]);
    assert.equal(closed.responses[0]!.partitions[0]!.errorCode, E.NONE);
    assert.equal((await shareFetch(c, group, 'member-e', 1, undefined)).errorCode, E.SHARE_SESSION_NOT_FOUND, 'closed');
    // Closing released what the member still held: offset 1 goes out again.
    assert.deepEqual(acquired(await shareFetch(c, group, 'member-e', 0, topic)), [['v-1', 2]]);
  });

  test("a new session (epoch 0) of the member gives the old one's records back before it acquires: it gets them again, and keeps them", async () => {
    const { c, topic, group } = await setup(3);
    await join(c, group, 'member-r', [topic.name]);
    assert.equal(acquired(await shareFetch(c, group, 'member-r', 0, topic)).length, 3);
    for (let round = 2; round <= 4; round++) {
      const reopened = await shareFetch(c, group, 'member-r', 0, topic);
      assert.deepEqual(acquired(reopened), [['v-0', round], ['v-1', round], ['v-2', round]], `replacement ${round - 1}`);
    }
    // Had a release of an old session come late, these would no longer be the member's.
    const settled = await shareAck(c, group, 'member-r', 1, topic, [range(0, 2, ACCEPT)]);
    assert.equal(settled.responses[0]!.partitions[0]!.errorCode, E.NONE);
  });

  test('a member whose connection closes gives its records to another at once', async () => {
    const { topic, group } = await setup(3);
    const first = await client();
    await join(first, group, 'member-1', [topic.name]);
    assert.equal(acquired(await shareFetch(first, group, 'member-1', 0, topic)).length, 3);
    const second = await client();
    await join(second, group, 'member-2', [topic.name]);
    assert.deepEqual(acquired(await shareFetch(second, group, 'member-2', 0, topic)), [], 'held by the first member');
    first.close();
    let got: Array<[string, number]> = [];
    for (let epoch = 1; got.length === 0 && epoch < 50; epoch++) got = acquired(await shareFetch(second, group, 'member-2', epoch, undefined, [], 200));
    assert.deepEqual(got, [['v-0', 2], ['v-1', 2], ['v-2', 2]]);
  });

  test('an empty fetch waits for records produced meanwhile', async () => {
    const { c, topic, group } = await setup(0);
    await join(c, group, 'member-w', [topic.name]);
    assert.deepEqual(acquired(await shareFetch(c, group, 'member-w', 0, topic)), []);
    const producer = await client();
    const waiting = shareFetch(c, group, 'member-w', 1, undefined, [], 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    await producer.request(ApiKeys.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: topic.name, partitionData: [{ index: 0, records: valuesBatch('late', 2) }] }] });
    assert.deepEqual(acquired(await waiting), [['late-0', 1], ['late-1', 1]]);
    assert.ok(Date.now() - started < 5_000, 'answered when the records came, not at MaxWaitMs');
  });

  test('a member leaving while its fetch waits gets the empty answer, not an error', async () => {
    const { topic, group } = await setup(0);
    const fetching = await client();
    const other = await client();
    await join(fetching, group, 'member-x', [topic.name]);
    assert.equal((await shareFetch(fetching, group, 'member-x', 0, topic)).errorCode, E.NONE);
    const waiting = shareFetch(fetching, group, 'member-x', 1, undefined, [], 3_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await other.request(ApiKeys.ShareGroupHeartbeat, 1, { groupId: group, memberId: 'member-x', memberEpoch: -1, rackId: null, subscribedTopicNames: null });
    const answer = await waiting;
    assert.equal(answer.errorCode, E.NONE);
    assert.deepEqual(acquired(answer), []);
    assert.equal((await shareFetch(fetching, group, 'member-x', 2, undefined)).errorCode, E.UNKNOWN_MEMBER_ID, 'the next fetch is refused');
  });

  test('group configs: DescribeConfigs shows what IncrementalAlterConfigs set; bad ones change nothing', async () => {
    const { c, group } = await setup(0);
    assert.equal((await setConfigs(c, group, [['share.record.lock.duration.ms', '20000']])).errorCode, E.NONE);
    assert.equal((await setConfigs(c, group, [['share.record.lock.duration.ms', '15000'], ['share.delivery.count.limit', '99']])).errorCode, E.INVALID_CONFIG);
    assert.equal((await setConfigs(c, group, [['no.such.group.config', '1']])).errorCode, E.INVALID_CONFIG);
    const described = await c.request(ApiKeys.DescribeConfigs, 4, {
      resources: [{ resourceType: GROUP_RESOURCE, resourceName: group, configurationKeys: ['share.record.lock.duration.ms', 'share.auto.offset.reset', 'share.delivery.count.limit'] }],
      includeSynonyms: false, includeDocumentation: false,
    });
    // ConfigSource: GROUP_CONFIG (8) for a value the group set, DEFAULT_CONFIG (5) otherwise.
    const values = Object.fromEntries(described.results[0]!.configs.map((e) => [e.name, [e.value, e.configSource]]));
    assert.deepEqual(values, { 'share.record.lock.duration.ms': ['20000', 8], 'share.auto.offset.reset': ['earliest', 8], 'share.delivery.count.limit': ['5', 5] });
  });

  test('ListGroups shows share groups; offsets change only without members', async () => {
    const { c, topic, group } = await setup(5);
    await join(c, group, 'member-l', [topic.name]);
    const listed = await c.request(ApiKeys.ListGroups, 5, { statesFilter: [], typesFilter: ['share'] });
    assert.ok(listed.groups.some((g) => g.groupId === group && g.groupType === 'share' && g.groupState === 'Stable'));
    const alter = () => c.request(ApiKeys.AlterShareGroupOffsets, 0, { groupId: group, topics: [{ topicName: topic.name, partitions: [{ partitionIndex: 0, startOffset: 3n }] }] });
    assert.equal((await alter()).errorCode, E.NON_EMPTY_GROUP);
    await c.request(ApiKeys.ShareGroupHeartbeat, 1, { groupId: group, memberId: 'member-l', memberEpoch: -1, rackId: null, subscribedTopicNames: null });
    assert.equal((await alter()).responses[0]!.partitions[0]!.errorCode, E.NONE);
    await join(c, group, 'member-m', [topic.name]);
    assert.deepEqual(acquired(await shareFetch(c, group, 'member-m', 0, topic)), [['v-3', 1], ['v-4', 1]]);
    const described = await c.request(ApiKeys.ShareGroupDescribe, 1, { groupIds: [group], includeAuthorizedOperations: false });
    assert.deepEqual(described.groups[0]!.members.map((m) => m.memberId), ['member-m']);
  });
});
