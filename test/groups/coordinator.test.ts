import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { storeKinds } from '../helpers/stores.ts';
import { GroupCoordinator, type GroupCoordinatorOptions } from '../../src/control-plane/groups/coordinator.ts';
import { KafkaError } from '../../src/kafka-protocol/error-codes.ts';
import { decodeAssignment, encodeAssignment, encodeSubscription } from '../../src/control-plane/groups/consumer-protocol.ts';
import type {
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupRequestProtocol,
  JoinGroupResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  SyncGroupRequestAssignment,
  SyncGroupResponse,
} from '../../src/kafka-protocol/messages.generated.ts';
import type { MetadataStore, VirtualCluster } from '../../src/metadata/store.ts';

// The coordinator's timers are unref'd (the agent's socket keeps its process alive); here a
// long-polling JoinGroup would otherwise let the test process run out of work and exit.
const keepAlive = setInterval(() => undefined, 1 << 30);
after(() => clearInterval(keepAlive));

const E = KafkaError;
const MEMBER_ID = /^[\w.-]+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const who = (clientId: string) => ({ clientId, clientHost: '/10.0.0.1' });
const sub = (...topics: string[]): JoinGroupRequestProtocol[] => [{ name: 'range', metadata: encodeSubscription(topics) }];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Each test takes well under a second; a JoinGroup or SyncGroup left unanswered fails it instead of hanging. */
const test = (name: string, fn: (t: TestContext) => Promise<void>) => it(name, { timeout: 2_000 }, fn);

/** A pending promise's state without waiting for it. */
async function settled<T>(promise: Promise<T>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await sleep(5);
  return done;
}

function joinRequest(fields: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId: 'g',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 5_000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: sub('orders'),
    reason: null,
    ...fields,
  };
}

/** A cluster of its own per test (offsets are per cluster), with live topics orders (3) and payments (2), and a deleted one. */
async function newCluster(store: MetadataStore): Promise<string> {
  const vc = `vci_${randomBytes(6).toString('hex')}`;
  // Only the columns every version of the schema has; the cast keeps this fixture independent of
  // fields other work adds to VirtualCluster (the database supplies their defaults).
  await store.insertVirtualCluster({
    id: vc,
    workspace_id: 'wi_groups',
    name: `vcn_${vc}`,
    type: 'byoc',
    region: 'us-east-1',
    cloud_provider: 'aws',
    tier: 'dev',
    agent_pool_id: `apid_${vc}`,
    agent_pool_name: `apn_${vc}`,
    created_at: 1_700_000_000_000,
  } as unknown as VirtualCluster);
  const topic = (name: string, partition_count: number, deleted_at: number | null = null) =>
    store.insertTopic({ id: `ti_${vc}_${name}`, virtual_cluster_id: vc, name, partition_count, configs: {}, created_at: 1, deleted_at });
  await topic('orders', 3);
  await topic('payments', 2);
  await topic('gone', 4, 1_700_000_000_500);
  return vc;
}

/** Drives groups the way a Kafka client does; every call is one request. */
class Client {
  readonly coordinator: GroupCoordinator;
  readonly vc: string;
  readonly clientId: string;
  readonly groupId: string;
  memberId = '';
  generationId = -1;
  constructor(coordinator: GroupCoordinator, vc: string, clientId: string, groupId = 'g') {
    this.coordinator = coordinator;
    this.vc = vc;
    this.clientId = clientId;
    this.groupId = groupId;
  }

  join(fields: Partial<JoinGroupRequest> = {}, version = 9): Promise<JoinGroupResponse> {
    return this.coordinator
      .joinGroup(this.vc, joinRequest({ groupId: this.groupId, memberId: this.memberId, ...fields }), version, who(this.clientId))
      .then((response) => {
        if (response.errorCode === E.NONE || response.errorCode === E.MEMBER_ID_REQUIRED) this.memberId = response.memberId;
        if (response.errorCode === E.NONE) this.generationId = response.generationId;
        return response;
      });
  }

  /** v4+ first contact: MEMBER_ID_REQUIRED hands out the id to join with. */
  async getMemberId(): Promise<string> {
    const response = await this.join();
    assert.equal(response.errorCode, E.MEMBER_ID_REQUIRED);
    return this.memberId;
  }

  sync(assignments: SyncGroupRequestAssignment[] = [], fields: { generationId?: number; groupInstanceId?: string | null; protocolName?: string | null } = {}, version = 5): Promise<SyncGroupResponse> {
    return this.coordinator.syncGroup(
      this.vc,
      {
        groupId: this.groupId,
        generationId: fields.generationId ?? this.generationId,
        memberId: this.memberId,
        groupInstanceId: fields.groupInstanceId ?? null,
        protocolType: 'consumer',
        protocolName: fields.protocolName ?? 'range',
        assignments,
      },
      version,
      who(this.clientId),
    );
  }

  heartbeat(fields: { generationId?: number; groupInstanceId?: string | null; memberId?: string } = {}): Promise<HeartbeatResponse> {
    return this.coordinator.heartbeat(
      this.vc,
      { groupId: this.groupId, generationId: fields.generationId ?? this.generationId, memberId: fields.memberId ?? this.memberId, groupInstanceId: fields.groupInstanceId ?? null },
      4,
      who(this.clientId),
    );
  }

  commit(topics: OffsetCommitRequest['topics'], fields: { generationId?: number; memberId?: string } = {}, version = 8): Promise<OffsetCommitResponse> {
    return this.coordinator.offsetCommit(
      this.vc,
      {
        groupId: this.groupId,
        generationIdOrMemberEpoch: fields.generationId ?? this.generationId,
        memberId: fields.memberId ?? this.memberId,
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics,
      },
      version,
      who(this.clientId),
    );
  }
}

const partition = (partitionIndex: number, committedOffset: number, committedMetadata: string | null = null) => ({
  partitionIndex,
  committedOffset: BigInt(committedOffset),
  committedLeaderEpoch: -1,
  commitTimestamp: -1n,
  committedMetadata,
});

/** Joins `clients` (dynamic, v9) into one generation; the first is the leader and assigns `orders` partitions round-robin. */
async function formGroup(clients: Client[]): Promise<{ generationId: number; leader: string; assignments: Buffer[] }> {
  for (const client of clients) if (client.memberId === '') await client.getMemberId();
  const joins = await Promise.all(clients.map((c) => c.join()));
  for (const join of joins) assert.equal(join.errorCode, E.NONE);
  const leader = joins[0]!.leader;
  const assignments = clients.map((_, i) => encodeAssignment([{ topic: 'orders', partitions: [0, 1, 2].filter((p) => p % clients.length === i) }]));
  const leaderClient = clients.find((c) => c.memberId === leader)!;
  const syncs = await Promise.all(
    clients.map((c) => (c === leaderClient ? c.sync(clients.map((m, i) => ({ memberId: m.memberId, assignment: assignments[i]! }))) : c.sync())),
  );
  syncs.forEach((s, i) => {
    assert.equal(s.errorCode, E.NONE);
    assert.deepEqual(s.assignment, assignments[i]);
  });
  return { generationId: joins[0]!.generationId, leader, assignments };
}

for (const kind of storeKinds()) {
  describe(`GroupCoordinator (${kind.kind})`, () => {
    let store: MetadataStore;
    before(async () => {
      store = await kind.open();
      await store.insertAccount({ id: 'acc_groups', created_at: 1 });
      await store.insertWorkspace({ id: 'wi_groups', account_id: 'acc_groups', name: 'groups', created_at: 1 });
    });
    after(() => store.close());

    async function setup(t: TestContext, options: GroupCoordinatorOptions = {}) {
      const coordinator = new GroupCoordinator(store, { now: () => 1_700_000_123_000, ...options });
      t.after(() => coordinator.close());
      const vc = await newCluster(store);
      const client = (clientId: string, groupId = 'g') => new Client(coordinator, vc, clientId, groupId);
      return { coordinator, vc, client };
    }

    test('two members: MEMBER_ID_REQUIRED, one generation, the leader gets every subscription, SyncGroup hands out its assignments', async (t) => {
      const { coordinator, vc, client } = await setup(t);
      const a = client('client-a');
      const b = client('client-b');

      const first = await a.join();
      assert.equal(first.errorCode, E.MEMBER_ID_REQUIRED);
      assert.match(first.memberId, MEMBER_ID);
      assert.ok(first.memberId.startsWith('client-a-'));
      assert.equal(first.generationId, -1);
      assert.equal(first.leader, '');
      assert.deepEqual(first.members, []);
      await b.getMemberId();

      const [joinA, joinB] = await Promise.all([a.join({ protocols: sub('orders') }), b.join({ protocols: sub('orders', 'payments') })]);
      assert.equal(joinA.errorCode, E.NONE);
      assert.equal(joinB.errorCode, E.NONE);
      assert.equal(joinA.generationId, 1);
      assert.equal(joinB.generationId, 1);
      assert.equal(joinA.protocolType, 'consumer');
      assert.equal(joinA.protocolName, 'range');
      assert.equal(joinA.leader, a.memberId);
      assert.equal(joinB.leader, a.memberId);
      assert.deepEqual(joinA.members, [
        { memberId: a.memberId, groupInstanceId: null, metadata: encodeSubscription(['orders']) },
        { memberId: b.memberId, groupInstanceId: null, metadata: encodeSubscription(['orders', 'payments']) },
      ]);
      assert.deepEqual(joinB.members, [], 'followers do not get the member list');

      // The follower's SyncGroup waits for the leader's.
      const syncB = b.sync();
      assert.equal(await settled(syncB), false);
      const assignA = encodeAssignment([{ topic: 'orders', partitions: [0, 1] }]);
      const assignB = encodeAssignment([{ topic: 'orders', partitions: [2] }, { topic: 'payments', partitions: [0, 1] }]);
      const syncA = await a.sync([
        { memberId: a.memberId, assignment: assignA },
        { memberId: b.memberId, assignment: assignB },
        { memberId: 'someone-else', assignment: assignA },
      ]);
      assert.deepEqual(syncA, { throttleTimeMs: 0, errorCode: E.NONE, protocolType: 'consumer', protocolName: 'range', assignment: assignA });
      const syncedB = await syncB;
      assert.equal(syncedB.errorCode, E.NONE);
      assert.deepEqual(decodeAssignment(syncedB.assignment), [{ topic: 'orders', partitions: [2] }, { topic: 'payments', partitions: [0, 1] }]);

      assert.equal((await a.heartbeat()).errorCode, E.NONE);
      assert.equal((await b.heartbeat()).errorCode, E.NONE);
      assert.equal((await b.heartbeat({ generationId: 0 })).errorCode, E.ILLEGAL_GENERATION);
      assert.equal((await b.heartbeat({ memberId: 'client-b-unknown' })).errorCode, E.UNKNOWN_MEMBER_ID);

      const described = await coordinator.describeGroups(vc, { groups: ['g'], includeAuthorizedOperations: false }, 5, who('admin'));
      assert.deepEqual(described.groups, [
        {
          errorCode: E.NONE,
          groupId: 'g',
          groupState: 'Stable',
          protocolType: 'consumer',
          protocolData: 'range',
          members: [
            { memberId: a.memberId, groupInstanceId: null, clientId: 'client-a', clientHost: '/10.0.0.1', memberMetadata: encodeSubscription(['orders']), memberAssignment: assignA },
            { memberId: b.memberId, groupInstanceId: null, clientId: 'client-b', clientHost: '/10.0.0.1', memberMetadata: encodeSubscription(['orders', 'payments']), memberAssignment: assignB },
          ],
          authorizedOperations: -2147483648,
        },
      ]);
    });

    test('JoinGroup v0-3 joins at once (no MEMBER_ID_REQUIRED); v0-6 answer errors with protocol name "" and v7+ with null', async (t) => {
      const { client } = await setup(t);
      const a = client('old-client');
      const joined = await a.join({}, 3);
      assert.equal(joined.errorCode, E.NONE);
      assert.match(joined.memberId, MEMBER_ID);
      assert.equal(joined.generationId, 1);
      assert.equal(joined.leader, joined.memberId);

      const refused6 = await client('x').join({ protocolType: 'connect' }, 6);
      assert.equal(refused6.errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
      assert.equal(refused6.protocolName, '');
      assert.equal(refused6.generationId, -1);
      const refused7 = await client('x').join({ protocolType: 'connect' }, 7);
      assert.equal(refused7.errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
      assert.equal(refused7.protocolName, null);
    });

    test('a third member triggers a rebalance: heartbeats answer REBALANCE_IN_PROGRESS, everyone rejoins into generation 2', async (t) => {
      const { coordinator, vc, client } = await setup(t);
      const a = client('a');
      const b = client('b');
      const c = client('c');
      const { generationId, leader } = await formGroup([a, b]);
      assert.equal(generationId, 1);
      assert.equal(leader, a.memberId);

      await c.getMemberId();
      const joinC = c.join();
      assert.equal(await settled(joinC), false, 'the join phase waits for the current members');
      const listed = await coordinator.listGroups(vc, { statesFilter: [], typesFilter: [] }, 5, who('admin'));
      assert.deepEqual(listed.groups, [{ groupId: 'g', protocolType: 'consumer', groupState: 'PreparingRebalance', groupType: 'classic' }]);

      assert.equal((await a.heartbeat()).errorCode, E.REBALANCE_IN_PROGRESS);
      assert.equal((await b.heartbeat()).errorCode, E.REBALANCE_IN_PROGRESS);
      assert.equal((await b.sync()).errorCode, E.REBALANCE_IN_PROGRESS);
      // Commits of the old generation are still accepted while the group prepares.
      assert.deepEqual((await a.commit([{ name: 'orders', partitions: [partition(0, 5)] }])).topics, [
        { name: 'orders', partitions: [{ partitionIndex: 0, errorCode: E.NONE }] },
      ]);

      const joinA = a.join();
      assert.equal(await settled(joinA), false, 'b has not rejoined yet');
      const joinB = b.join();
      const [ja, jb, jc] = await Promise.all([joinA, joinB, joinC]);
      for (const j of [ja, jb, jc]) {
        assert.equal(j.errorCode, E.NONE);
        assert.equal(j.generationId, 2);
        assert.equal(j.leader, a.memberId);
      }
      assert.deepEqual(ja.members.map((m) => m.memberId), [a.memberId, b.memberId, c.memberId]);
      assert.deepEqual(jc.members, []);

      // The old generation is over.
      assert.equal((await a.heartbeat({ generationId: 1 })).errorCode, E.ILLEGAL_GENERATION);
      assert.equal((await b.sync([], { generationId: 1 })).errorCode, E.ILLEGAL_GENERATION);
      // Between JoinGroup and the leader's SyncGroup, commits are refused: no one owns anything yet.
      assert.deepEqual((await c.commit([{ name: 'orders', partitions: [partition(2, 1)] }])).topics[0]!.partitions[0]!.errorCode, E.REBALANCE_IN_PROGRESS);
      assert.equal((await c.heartbeat()).errorCode, E.NONE, 'heartbeats are fine while completing the rebalance');

      const syncC = c.sync();
      const three = [a, b, c].map((m, i) => ({ memberId: m.memberId, assignment: encodeAssignment([{ topic: 'orders', partitions: [i] }]) }));
      const [sa, sb, sc] = await Promise.all([a.sync(three), b.sync(), syncC]);
      assert.deepEqual(decodeAssignment(sa.assignment), [{ topic: 'orders', partitions: [0] }]);
      assert.deepEqual(decodeAssignment(sb.assignment), [{ topic: 'orders', partitions: [1] }]);
      assert.deepEqual(decodeAssignment(sc.assignment), [{ topic: 'orders', partitions: [2] }]);
      assert.equal((await coordinator.describeGroups(vc, { groups: ['g'], includeAuthorizedOperations: false }, 5, who('admin'))).groups[0]!.groupState, 'Stable');
    });

    test('a rebalance started during CompletingRebalance fails waiting SyncGroups with REBALANCE_IN_PROGRESS', async (t) => {
      const { client } = await setup(t);
      const a = client('a');
      const b = client('b');
      await a.getMemberId();
      await b.getMemberId();
      await Promise.all([a.join(), b.join()]);
      const waiting = b.sync();
      assert.equal(await settled(waiting), false);
      // The leader changes its subscription before syncing: new join phase.
      const rejoin = a.join({ protocols: sub('orders', 'payments') });
      assert.equal((await waiting).errorCode, E.REBALANCE_IN_PROGRESS);
      const [ja, jb] = await Promise.all([rejoin, b.join()]);
      assert.equal(ja.generationId, 2);
      assert.equal(jb.generationId, 2);
    });

    test('the leader leaving hands leadership to a remaining member; LeaveGroup v0-2 single member, v3+ batch with per-member errors', async (t) => {
      const { coordinator, vc, client } = await setup(t);
      const a = client('a');
      const b = client('b');
      await formGroup([a, b]);

      const left = await coordinator.leaveGroup(vc, { groupId: 'g', memberId: a.memberId, members: [] }, 1, who('a'));
      assert.deepEqual(left, { throttleTimeMs: 0, errorCode: E.NONE, members: [] });
      const again = await coordinator.leaveGroup(vc, { groupId: 'g', memberId: a.memberId, members: [] }, 1, who('a'));
      assert.deepEqual(again, { throttleTimeMs: 0, errorCode: E.UNKNOWN_MEMBER_ID, members: [] });

      assert.equal((await b.heartbeat()).errorCode, E.REBALANCE_IN_PROGRESS);
      const rejoined = await b.join();
      assert.equal(rejoined.generationId, 2);
      assert.equal(rejoined.leader, b.memberId);
      assert.deepEqual(rejoined.members.map((m) => m.memberId), [b.memberId]);
      assert.equal((await b.sync([{ memberId: b.memberId, assignment: encodeAssignment([{ topic: 'orders', partitions: [0, 1, 2] }]) }])).errorCode, E.NONE);

      const batch = await coordinator.leaveGroup(
        vc,
        { groupId: 'g', memberId: '', members: [{ memberId: b.memberId, groupInstanceId: null, reason: 'bye' }, { memberId: 'nobody', groupInstanceId: null, reason: null }] },
        5,
        who('b'),
      );
      assert.deepEqual(batch, {
        throttleTimeMs: 0,
        errorCode: E.NONE,
        members: [
          { memberId: b.memberId, groupInstanceId: null, errorCode: E.NONE },
          { memberId: 'nobody', groupInstanceId: null, errorCode: E.UNKNOWN_MEMBER_ID },
        ],
      });
      // The last member gone: the join phase completes with nobody, and the group is Empty in a new generation.
      const described = await coordinator.describeGroups(vc, { groups: ['g'], includeAuthorizedOperations: false }, 5, who('admin'));
      assert.equal(described.groups[0]!.groupState, 'Empty');
      assert.equal(described.groups[0]!.protocolType, 'consumer');
      assert.deepEqual(described.groups[0]!.members, []);
      assert.equal((await b.heartbeat()).errorCode, E.UNKNOWN_MEMBER_ID);

      const unknownGroup = await coordinator.leaveGroup(vc, { groupId: 'nope', memberId: '', members: [{ memberId: 'm', groupInstanceId: null, reason: null }] }, 3, who('x'));
      assert.deepEqual(unknownGroup.members, [{ memberId: 'm', groupInstanceId: null, errorCode: E.UNKNOWN_MEMBER_ID }]);
      const invalid = await coordinator.leaveGroup(vc, { groupId: '', memberId: 'm', members: [] }, 0, who('x'));
      assert.equal(invalid.errorCode, E.INVALID_GROUP_ID);
    });

    test('a member whose session expires is removed and the group rebalances without it', async (t) => {
      const { client } = await setup(t, { minSessionTimeoutMs: 10 });
      const a = client('a');
      const b = client('b');
      const session = { sessionTimeoutMs: 150, rebalanceTimeoutMs: 1_000 };
      await a.getMemberId();
      await b.getMemberId();
      await Promise.all([a.join(session), b.join(session)]);
      await Promise.all([a.sync([{ memberId: a.memberId, assignment: encodeAssignment([]) }]), b.sync()]);

      // a heartbeats, b goes silent.
      const started = Date.now();
      let error: number = E.NONE;
      while (error === E.NONE) {
        await sleep(30);
        error = (await a.heartbeat()).errorCode;
        assert.ok(Date.now() - started < 1_000, 'b was never expired');
      }
      assert.equal(error, E.REBALANCE_IN_PROGRESS);
      assert.ok(Date.now() - started >= 120, 'expired before its session timeout');
      assert.equal((await b.heartbeat()).errorCode, E.UNKNOWN_MEMBER_ID);

      const rejoined = await a.join(session);
      assert.equal(rejoined.generationId, 2);
      assert.deepEqual(rejoined.members.map((m) => m.memberId), [a.memberId]);
    });

    test('members that do not rejoin within the rebalance timeout are dropped from the next generation', async (t) => {
      const { client } = await setup(t, { minSessionTimeoutMs: 10 });
      const timeouts = { sessionTimeoutMs: 5_000, rebalanceTimeoutMs: 200 };
      const a = client('a');
      const b = client('b');
      const c = client('c');
      await a.getMemberId();
      await b.getMemberId();
      await Promise.all([a.join(timeouts), b.join(timeouts)]);
      await Promise.all([a.sync([]), b.sync()]);

      await c.getMemberId();
      const started = Date.now();
      const [ja, jc] = await Promise.all([a.join(timeouts), c.join(timeouts)]); // b keeps quiet
      assert.ok(Date.now() - started >= 180, 'completed before the rebalance timeout');
      assert.equal(ja.generationId, 2);
      assert.equal(jc.generationId, 2);
      assert.deepEqual(ja.members.map((m) => m.memberId), [a.memberId, c.memberId]);
      assert.equal((await b.heartbeat()).errorCode, E.UNKNOWN_MEMBER_ID);
    });

    test('an id handed out with MEMBER_ID_REQUIRED expires with the session when the client never comes back', async (t) => {
      const { coordinator, vc, client } = await setup(t, { minSessionTimeoutMs: 10 });
      const a = client('a');
      await a.join({ sessionTimeoutMs: 50 });
      assert.match(a.memberId, MEMBER_ID);
      await sleep(120);
      const late = await a.join({ sessionTimeoutMs: 50 });
      assert.equal(late.errorCode, E.UNKNOWN_MEMBER_ID);
      assert.deepEqual((await coordinator.listGroups(vc, { statesFilter: [], typesFilter: [] }, 5, who('admin'))).groups, []);
    });

    test('a pending MEMBER_ID_REQUIRED id that leaves no longer holds up the join phase', async (t) => {
      const { coordinator, vc, client } = await setup(t);
      const a = client('a');
      const b = client('b');
      await formGroup([a]);
      await b.getMemberId();
      const rejoin = a.join();
      assert.equal(await settled(rejoin), false, 'waits for the pending member');
      const left = await coordinator.leaveGroup(vc, { groupId: 'g', memberId: '', members: [{ memberId: b.memberId, groupInstanceId: null, reason: null }] }, 4, who('b'));
      assert.equal(left.members[0]!.errorCode, E.NONE);
      const joined = await rejoin;
      assert.equal(joined.generationId, 2);
      assert.deepEqual(joined.members.map((m) => m.memberId), [a.memberId]);
    });

    test('static members: a restart rejoins without a rebalance and keeps its assignment; the old id is fenced', async (t) => {
      const { coordinator, vc, client } = await setup(t);
      const a = client('a');
      const b = client('b');
      const staticA = { groupInstanceId: 'inst-a' };
      const staticB = { groupInstanceId: 'inst-b' };
      // Static members skip MEMBER_ID_REQUIRED.
      const [ja, jb] = await Promise.all([a.join(staticA), b.join(staticB)]);
      assert.equal(ja.errorCode, E.NONE);
      assert.equal(ja.leader, a.memberId);
      assert.deepEqual(ja.members.map((m) => [m.memberId, m.groupInstanceId]), [[a.memberId, 'inst-a'], [b.memberId, 'inst-b']]);
      const assignB = encodeAssignment([{ topic: 'payments', partitions: [1] }]);
      await Promise.all([a.sync([{ memberId: b.memberId, assignment: assignB }], staticA), b.sync([], staticB)]);

      // b restarts: no member id, same instance id and protocols.
      const oldB = b.memberId;
      b.memberId = '';
      const back = await b.join(staticB, 5);
      assert.equal(back.errorCode, E.NONE);
      assert.notEqual(back.memberId, oldB);
      assert.match(back.memberId, MEMBER_ID);
      assert.equal(back.generationId, 1, 'no new generation');
      assert.equal(back.leader, a.memberId);
      assert.deepEqual(back.members, []);
      assert.equal((await a.heartbeat({ groupInstanceId: 'inst-a' })).errorCode, E.NONE, 'no rebalance for the others');
      const resynced = await b.sync([], staticB);
      assert.equal(resynced.errorCode, E.NONE);
      assert.deepEqual(resynced.assignment, assignB);

      // The old incarnation is fenced.
      assert.equal((await b.heartbeat({ memberId: oldB, groupInstanceId: 'inst-b' })).errorCode, E.FENCED_INSTANCE_ID);
      assert.equal((await coordinator.syncGroup(vc, { groupId: 'g', generationId: 1, memberId: oldB, groupInstanceId: 'inst-b', protocolType: null, protocolName: null, assignments: [] }, 3, who('b'))).errorCode, E.FENCED_INSTANCE_ID);
      assert.equal((await b.commit([{ name: 'orders', partitions: [partition(0, 1)] }], { memberId: oldB })).topics[0]!.partitions[0]!.errorCode, E.UNKNOWN_MEMBER_ID);
      const fencedLeave = await coordinator.leaveGroup(vc, { groupId: 'g', memberId: '', members: [{ memberId: oldB, groupInstanceId: 'inst-b', reason: null }] }, 4, who('b'));
      assert.equal(fencedLeave.members[0]!.errorCode, E.FENCED_INSTANCE_ID);

      // The static leader restarting on v9 learns the members but is told to skip the assignment (KIP-814).
      a.memberId = '';
      const leaderBack = await a.join(staticA, 9);
      assert.equal(leaderBack.errorCode, E.NONE);
      assert.equal(leaderBack.generationId, 1);
      assert.equal(leaderBack.leader, leaderBack.memberId);
      assert.equal(leaderBack.skipAssignment, true);
      assert.deepEqual(leaderBack.members.map((m) => m.groupInstanceId), ['inst-b', 'inst-a']);
      assert.equal((await b.heartbeat({ groupInstanceId: 'inst-b' })).errorCode, E.NONE);
    });

    test('a static leader that does not rejoin keeps its place, a member that did leads; members that never sync are removed', async (t) => {
      const { client } = await setup(t, { minSessionTimeoutMs: 10 });
      const timeouts = { sessionTimeoutMs: 5_000, rebalanceTimeoutMs: 200 };
      const a = client('a');
      const b = client('b');
      const c = client('c');
      await Promise.all([a.join({ ...timeouts, groupInstanceId: 'inst-a' }), b.join({ ...timeouts, groupInstanceId: 'inst-b' })]);
      assert.equal(b.generationId, 1);
      await Promise.all([a.sync([], { groupInstanceId: 'inst-a' }), b.sync([], { groupInstanceId: 'inst-b' })]);

      await c.getMemberId();
      const started = Date.now();
      const joinC = c.join(timeouts); // starts the rebalance
      const [jb, jc] = await Promise.all([b.join({ ...timeouts, groupInstanceId: 'inst-b' }), joinC]); // the leader a is away
      assert.ok(Date.now() - started >= 180, 'completed before the rebalance timeout');
      assert.equal(jb.generationId, 2);
      assert.equal(jb.leader, b.memberId, 'leadership moves to a member that rejoined');
      assert.equal(jc.leader, b.memberId);
      assert.deepEqual(jb.members.map((m) => m.memberId), [a.memberId, b.memberId, c.memberId], 'the static member stays');
      assert.equal((await a.heartbeat({ groupInstanceId: 'inst-a' })).errorCode, E.ILLEGAL_GENERATION, 'still a member, of the old generation');

      // a never sends SyncGroup for generation 2: after the rebalance timeout it is removed and the group rebalances.
      await Promise.all([b.sync([], { groupInstanceId: 'inst-b' }), c.sync()]);
      const synced = Date.now();
      let error: number = E.NONE;
      while (error === E.NONE) {
        await sleep(20);
        error = (await c.heartbeat()).errorCode;
        assert.ok(Date.now() - synced < 1_000, 'a was never removed');
      }
      assert.equal(error, E.REBALANCE_IN_PROGRESS);
      assert.equal((await a.heartbeat({ groupInstanceId: 'inst-a' })).errorCode, E.UNKNOWN_MEMBER_ID);
    });

    test('static members: a restart with other protocols rebalances, and a newer incarnation fences a waiting JoinGroup', async (t) => {
      const { coordinator, vc, client } = await setup(t);
      const a = client('a');
      const b = client('b');
      await Promise.all([a.join({ groupInstanceId: 'inst-a' }), b.join({ groupInstanceId: 'inst-b' })]);
      await Promise.all([a.sync([], { groupInstanceId: 'inst-a' }), b.sync([], { groupInstanceId: 'inst-b' })]);

      b.memberId = '';
      const changed = b.join({ groupInstanceId: 'inst-b', protocols: sub('orders', 'payments') });
      assert.equal(await settled(changed), false, 'a rebalance: waits for a');
      assert.equal((await a.heartbeat({ groupInstanceId: 'inst-a' })).errorCode, E.REBALANCE_IN_PROGRESS);

      // Another process with the same instance id: the waiting JoinGroup is fenced.
      const twin = client('b-twin');
      const twinJoin = twin.join({ groupInstanceId: 'inst-b', protocols: sub('orders', 'payments') });
      const fenced = await changed;
      assert.equal(fenced.errorCode, E.FENCED_INSTANCE_ID);

      const [ja, jt] = await Promise.all([a.join({ groupInstanceId: 'inst-a' }), twinJoin]);
      assert.equal(ja.generationId, 2);
      assert.equal(jt.generationId, 2);
      assert.deepEqual(ja.members.map((m) => [m.memberId, m.groupInstanceId, m.metadata]), [
        [a.memberId, 'inst-a', encodeSubscription(['orders'])],
        [twin.memberId, 'inst-b', encodeSubscription(['orders', 'payments'])],
      ]);

      // Admin removal by instance id alone (LeaveGroup v3+ with an empty member id).
      const removed = await coordinator.leaveGroup(
        vc,
        { groupId: 'g', memberId: '', members: [{ memberId: '', groupInstanceId: 'inst-b', reason: null }, { memberId: '', groupInstanceId: 'inst-x', reason: null }] },
        4,
        who('admin'),
      );
      assert.deepEqual(removed.members.map((m) => m.errorCode), [E.NONE, E.UNKNOWN_MEMBER_ID]);
      assert.equal((await twin.heartbeat({ groupInstanceId: 'inst-b' })).errorCode, E.UNKNOWN_MEMBER_ID);
    });

    test('protocol selection: each member votes its preferred common protocol; joiners sharing none are refused', async (t) => {
      const { client } = await setup(t);
      const proto = (...names: string[]) => names.map((name) => ({ name, metadata: Buffer.from(name) }));
      const a = client('a');
      const b = client('b');
      const c = client('c');
      for (const m of [a, b, c]) await m.getMemberId();
      const joins = await Promise.all([
        a.join({ protocols: proto('roundrobin', 'range', 'sticky') }),
        b.join({ protocols: proto('range', 'roundrobin') }),
        c.join({ protocols: proto('range', 'roundrobin', 'cooperative-sticky') }),
      ]);
      for (const j of joins) assert.equal(j.protocolName, 'range');
      assert.deepEqual(joins[0]!.members.map((m) => m.metadata.toString()), ['range', 'range', 'range']);

      const d = client('d');
      await d.getMemberId();
      assert.equal((await d.join({ protocols: proto('sticky') })).errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
      assert.equal((await d.join({ protocolType: 'connect' })).errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
      assert.equal((await a.sync([], { protocolName: 'roundrobin' })).errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
      assert.equal((await client('e', 'fresh').join({ protocols: [] })).errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
    });

    test('JoinGroup validation: empty group id, session timeout bounds, unknown member ids', async (t) => {
      const { client } = await setup(t, { minSessionTimeoutMs: 6000, maxSessionTimeoutMs: 60_000 });
      assert.equal((await client('a', '').join()).errorCode, E.INVALID_GROUP_ID);
      assert.equal((await client('a').join({ sessionTimeoutMs: 5999 })).errorCode, E.INVALID_SESSION_TIMEOUT);
      assert.equal((await client('a').join({ sessionTimeoutMs: 60_001 })).errorCode, E.INVALID_SESSION_TIMEOUT);
      const ghost = client('a');
      ghost.memberId = 'a-not-issued';
      assert.equal((await ghost.join()).errorCode, E.UNKNOWN_MEMBER_ID, 'unknown group');
      const real = client('b');
      await formGroup([real]);
      assert.equal((await ghost.join()).errorCode, E.UNKNOWN_MEMBER_ID, 'known group, unknown member');
      assert.equal((await ghost.heartbeat({ generationId: 1 })).errorCode, E.UNKNOWN_MEMBER_ID);
      assert.equal((await ghost.sync([], { generationId: 1 })).errorCode, E.UNKNOWN_MEMBER_ID);
      assert.equal((await client('x', '').heartbeat()).errorCode, E.INVALID_GROUP_ID);
    });

    test('offsets: simple commits round-trip through the store; fetch by partition, all topics, several groups', async (t) => {
      const { coordinator, vc, client } = await setup(t);
      const admin = client('tool', 'simple');
      const committed = await admin.commit(
        [
          { name: 'orders', partitions: [partition(0, 42, 'from-tool'), partition(2, 7)] },
          { name: 'payments', partitions: [partition(1, 9000000000)] },
        ],
        { generationId: -1, memberId: '' },
      );
      assert.deepEqual(committed, {
        throttleTimeMs: 0,
        topics: [
          { name: 'orders', partitions: [{ partitionIndex: 0, errorCode: E.NONE }, { partitionIndex: 2, errorCode: E.NONE }] },
          { name: 'payments', partitions: [{ partitionIndex: 1, errorCode: E.NONE }] },
        ],
      });
      assert.deepEqual(await store.listGroupOffsets(vc, 'simple'), [
        { virtual_cluster_id: vc, group_id: 'simple', topic_name: 'orders', partition: 0, committed_offset: 42, metadata: 'from-tool', committed_at: 1_700_000_123_000 },
        { virtual_cluster_id: vc, group_id: 'simple', topic_name: 'orders', partition: 2, committed_offset: 7, metadata: null, committed_at: 1_700_000_123_000 },
        { virtual_cluster_id: vc, group_id: 'simple', topic_name: 'payments', partition: 1, committed_offset: 9000000000, metadata: null, committed_at: 1_700_000_123_000 },
      ]);
      // A second commit overwrites.
      await admin.commit([{ name: 'orders', partitions: [partition(0, 43, 'again')] }], { generationId: -1, memberId: '' }, 2);

      const fetched = await coordinator.offsetFetch(vc, { groupId: 'simple', topics: [{ name: 'orders', partitionIndexes: [0, 1, 2] }, { name: 'unknown', partitionIndexes: [0] }], groups: [], requireStable: false }, 7, who('tool'));
      assert.deepEqual(fetched, {
        throttleTimeMs: 0,
        errorCode: E.NONE,
        groups: [],
        topics: [
          {
            name: 'orders',
            partitions: [
              { partitionIndex: 0, committedOffset: 43n, committedLeaderEpoch: -1, metadata: 'again', errorCode: E.NONE },
              { partitionIndex: 1, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: E.NONE },
              { partitionIndex: 2, committedOffset: 7n, committedLeaderEpoch: -1, metadata: '', errorCode: E.NONE },
            ],
          },
          { name: 'unknown', partitions: [{ partitionIndex: 0, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: E.NONE }] },
        ],
      });

      const all = await coordinator.offsetFetch(vc, { groupId: 'simple', topics: null, groups: [], requireStable: true }, 5, who('tool'));
      assert.deepEqual(all.topics.map((topic) => [topic.name, topic.partitions.map((p) => [p.partitionIndex, p.committedOffset])]), [
        ['orders', [[0, 43n], [2, 7n]]],
        ['payments', [[1, 9000000000n]]],
      ]);

      const several = await coordinator.offsetFetch(
        vc,
        {
          groupId: '',
          topics: [],
          groups: [
            { groupId: 'simple', memberId: null, memberEpoch: -1, topics: [{ name: 'payments', partitionIndexes: [1] }] },
            { groupId: 'never-committed', memberId: null, memberEpoch: -1, topics: null },
          ],
          requireStable: false,
        },
        8,
        who('tool'),
      );
      assert.deepEqual(several, {
        throttleTimeMs: 0,
        errorCode: E.NONE,
        topics: [],
        groups: [
          { groupId: 'simple', errorCode: E.NONE, topics: [{ name: 'payments', partitions: [{ partitionIndex: 1, committedOffset: 9000000000n, committedLeaderEpoch: -1, metadata: '', errorCode: E.NONE }] }] },
          { groupId: 'never-committed', errorCode: E.NONE, topics: [] },
        ],
      });
    });

    test('offsets: unknown topics, soft-deleted topics, out-of-range partitions and oversized metadata are refused per partition', async (t) => {
      const { vc, client } = await setup(t);
      const admin = client('tool', 'simple');
      const response = await admin.commit(
        [
          { name: 'orders', partitions: [partition(2, 1), partition(3, 1), partition(-1, 1)] },
          { name: 'nope', partitions: [partition(0, 1)] },
          { name: 'gone', partitions: [partition(0, 1)] },
          { name: 'payments', partitions: [partition(0, 1, 'x'.repeat(4097)), partition(1, 2, 'x'.repeat(4096))] },
        ],
        { generationId: -1, memberId: '' },
      );
      assert.deepEqual(response.topics, [
        { name: 'orders', partitions: [{ partitionIndex: 2, errorCode: E.NONE }, { partitionIndex: 3, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION }, { partitionIndex: -1, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION }] },
        { name: 'nope', partitions: [{ partitionIndex: 0, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION }] },
        { name: 'gone', partitions: [{ partitionIndex: 0, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION }] },
        { name: 'payments', partitions: [{ partitionIndex: 0, errorCode: E.OFFSET_METADATA_TOO_LARGE }, { partitionIndex: 1, errorCode: E.NONE }] },
      ]);
      assert.deepEqual((await store.listGroupOffsets(vc, 'simple')).map((o) => [o.topic_name, o.partition, o.committed_offset]), [
        ['orders', 2, 1],
        ['payments', 1, 2],
      ]);
    });

    test('offsets: members commit within their generation; stale generations, strangers and simple commits to live groups are refused', async (t) => {
      const { vc, client } = await setup(t);
      const a = client('a');
      const b = client('b');
      await formGroup([a, b]);
      const one = (offset: number) => [{ name: 'orders', partitions: [partition(0, offset)] }];
      const errorOf = (r: OffsetCommitResponse) => r.topics[0]!.partitions[0]!.errorCode;

      assert.equal(errorOf(await a.commit(one(10))), E.NONE);
      assert.equal(errorOf(await a.commit(one(11), { generationId: 0 })), E.ILLEGAL_GENERATION);
      assert.equal(errorOf(await a.commit(one(12), { generationId: 2 })), E.ILLEGAL_GENERATION);
      assert.equal(errorOf(await a.commit(one(13), { memberId: 'stranger' })), E.UNKNOWN_MEMBER_ID);
      assert.equal(errorOf(await a.commit(one(14), { generationId: -1, memberId: '' })), E.UNKNOWN_MEMBER_ID, 'simple commits only to groups without members');
      assert.equal(errorOf(await client('x', 'lost-group').commit(one(15), { generationId: 3, memberId: 'x-1' })), E.ILLEGAL_GENERATION, 'a generation for a group we do not have');
      // Both errors in one request: the unknown partition keeps its own error.
      const mixed = await a.commit([{ name: 'orders', partitions: [partition(0, 16), partition(9, 16)] }], { generationId: 7 });
      assert.deepEqual(mixed.topics[0]!.partitions.map((p) => p.errorCode), [E.ILLEGAL_GENERATION, E.UNKNOWN_TOPIC_OR_PARTITION]);
      assert.deepEqual((await store.listGroupOffsets(vc, 'g')).map((o) => o.committed_offset), [10]);
      assert.deepEqual(await store.listGroupOffsets(vc, 'lost-group'), []);
    });

    test('DescribeGroups, ListGroups (state and type filters), DeleteGroups and describeAll', async (t) => {
      const { coordinator, vc, client } = await setup(t);
      const a = client('a', 'live');
      const assignments = (await formGroup([a])).assignments;
      await client('tool', 'offsets-only').commit([{ name: 'orders', partitions: [partition(1, 5)] }], { generationId: -1, memberId: '' });
      await client('tool', 'live').commit([{ name: 'payments', partitions: [partition(0, 3)] }], { generationId: 1, memberId: a.memberId });

      const described = await coordinator.describeGroups(vc, { groups: ['offsets-only', 'unknown', 'live'], includeAuthorizedOperations: false }, 4, who('admin'));
      assert.deepEqual(described.groups.map((g) => [g.groupId, g.groupState, g.protocolType, g.protocolData, g.members.length, g.errorCode]), [
        ['offsets-only', 'Empty', '', '', 0, E.NONE],
        ['unknown', 'Dead', '', '', 0, E.NONE],
        ['live', 'Stable', 'consumer', 'range', 1, E.NONE],
      ]);

      const list = async (statesFilter: string[], typesFilter: string[], version = 5) =>
        (await coordinator.listGroups(vc, { statesFilter, typesFilter }, version, who('admin'))).groups.map((g) => [g.groupId, g.groupState, g.protocolType]);
      assert.deepEqual(await list([], []), [['live', 'Stable', 'consumer'], ['offsets-only', 'Empty', '']]);
      assert.deepEqual(await list(['stable'], []), [['live', 'Stable', 'consumer']]);
      assert.deepEqual(await list(['Empty', 'Dead'], []), [['offsets-only', 'Empty', '']]);
      assert.deepEqual(await list([], ['consumer']), [], 'every group here is a classic group');
      assert.deepEqual(await list([], ['Classic']), [['live', 'Stable', 'consumer'], ['offsets-only', 'Empty', '']]);
      assert.deepEqual(await list(['PreparingRebalance'], ['nothing'], 3), [['live', 'Stable', 'consumer'], ['offsets-only', 'Empty', '']], 'v3 has no filters');

      assert.deepEqual(await coordinator.describeAll(vc), [
        {
          name: 'live',
          state: 'Stable',
          protocol: 'range',
          protocolType: 'consumer',
          members: [{ memberId: a.memberId, groupInstanceId: null, clientId: 'a', clientHost: '/10.0.0.1', assignment: assignments[0]! }],
        },
        { name: 'offsets-only', state: 'Empty', protocol: '', protocolType: '', members: [] },
      ]);

      const deleted = await coordinator.deleteGroups(vc, { groupsNames: ['live', 'offsets-only', 'unknown', 'offsets-only'] }, 2, who('admin'));
      assert.deepEqual(deleted, {
        throttleTimeMs: 0,
        results: [
          { groupId: 'live', errorCode: E.NON_EMPTY_GROUP },
          { groupId: 'offsets-only', errorCode: E.NONE },
          { groupId: 'unknown', errorCode: E.GROUP_ID_NOT_FOUND },
        ],
      });
      assert.deepEqual(await store.listGroupOffsets(vc, 'offsets-only'), []);
      assert.equal((await store.listGroupOffsets(vc, 'live')).length, 1, 'a refused deletion keeps the offsets');

      // Once its members are gone, the live group can go too, offsets included.
      await coordinator.leaveGroup(vc, { groupId: 'live', memberId: a.memberId, members: [] }, 2, who('a'));
      assert.deepEqual((await coordinator.deleteGroups(vc, { groupsNames: ['live'] }, 2, who('admin'))).results, [{ groupId: 'live', errorCode: E.NONE }]);
      assert.deepEqual(await store.listGroupOffsets(vc, 'live'), []);
      assert.deepEqual(await list([], []), []);
      assert.deepEqual(await coordinator.describeAll(vc), []);
      assert.deepEqual((await coordinator.describeGroups(vc, { groups: ['live'], includeAuthorizedOperations: false }, 5, who('admin'))).groups[0]!.groupState, 'Dead');
    });

    test('OffsetDelete: refused for topics a live consumer group subscribes to, allowed otherwise and for groups without members', async (t) => {
      const { coordinator, vc, client } = await setup(t);
      const a = client('a');
      await a.getMemberId();
      await a.join({ protocols: sub('orders') });
      await a.sync([{ memberId: a.memberId, assignment: encodeAssignment([{ topic: 'orders', partitions: [0, 1, 2] }]) }]);
      await a.commit([
        { name: 'orders', partitions: [partition(0, 1), partition(1, 2)] },
        { name: 'payments', partitions: [partition(0, 3)] },
      ]);

      const request = (groupId: string) => ({
        groupId,
        topics: [
          { name: 'orders', partitions: [{ partitionIndex: 0 }] },
          { name: 'payments', partitions: [{ partitionIndex: 0 }, { partitionIndex: 5 }] },
          { name: 'nope', partitions: [{ partitionIndex: 0 }] },
        ],
      });
      const active = await coordinator.offsetDelete(vc, request('g'), 0, who('admin'));
      assert.deepEqual(active, {
        errorCode: E.NONE,
        throttleTimeMs: 0,
        topics: [
          { name: 'orders', partitions: [{ partitionIndex: 0, errorCode: E.GROUP_SUBSCRIBED_TO_TOPIC }] },
          { name: 'payments', partitions: [{ partitionIndex: 0, errorCode: E.NONE }, { partitionIndex: 5, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION }] },
          { name: 'nope', partitions: [{ partitionIndex: 0, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION }] },
        ],
      });
      assert.deepEqual((await store.listGroupOffsets(vc, 'g')).map((o) => [o.topic_name, o.partition]), [['orders', 0], ['orders', 1]]);

      // Without members every named offset goes.
      await coordinator.leaveGroup(vc, { groupId: 'g', memberId: a.memberId, members: [] }, 0, who('a'));
      const empty = await coordinator.offsetDelete(vc, request('g'), 0, who('admin'));
      assert.deepEqual(empty.topics[0], { name: 'orders', partitions: [{ partitionIndex: 0, errorCode: E.NONE }] });
      assert.deepEqual((await store.listGroupOffsets(vc, 'g')).map((o) => [o.topic_name, o.partition]), [['orders', 1]]);

      assert.deepEqual(await coordinator.offsetDelete(vc, request('unknown'), 0, who('admin')), { errorCode: E.GROUP_ID_NOT_FOUND, throttleTimeMs: 0, topics: [] });
      assert.equal((await coordinator.offsetDelete(vc, request(''), 0, who('admin'))).errorCode, E.INVALID_GROUP_ID);

      // A live group of another protocol type: Kafka cannot tell what it consumes.
      const connect = client('worker', 'connect-cluster');
      await connect.getMemberId();
      await connect.join({ protocolType: 'connect', protocols: [{ name: 'sessioned', metadata: Buffer.from('w') }] });
      assert.deepEqual(await coordinator.offsetDelete(vc, request('connect-cluster'), 0, who('admin')), { errorCode: E.NON_EMPTY_GROUP, throttleTimeMs: 0, topics: [] });
    });

    test('close() answers waiting JoinGroups with NOT_COORDINATOR and refuses new ones', async (t) => {
      const { coordinator, client } = await setup(t);
      const a = client('a');
      const b = client('b');
      await formGroup([a, b]);
      await client('c').getMemberId();
      const waiting = a.join({ protocols: sub('payments') });
      assert.equal(await settled(waiting), false);
      coordinator.close();
      assert.equal((await waiting).errorCode, E.NOT_COORDINATOR);
      assert.equal((await b.heartbeat()).errorCode, E.NOT_COORDINATOR);
      assert.equal((await client('d').join()).errorCode, E.NOT_COORDINATOR);
    });
  });
}
