import { after, before, describe, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { storeKinds } from '../helpers/stores.ts';
import { E, formGroup, keepAliveUntilTestsEnd, MEMBER_ID, openGroupsStore, partition, settled, setupCoordinator, sleep, sub, test, who } from '../helpers/groups.ts';
import type { GroupCoordinatorOptions } from '../../src/control-plane/groups/coordinator.ts';
import { decodeAssignment, encodeAssignment } from '../../src/control-plane/groups/consumer-protocol.ts';
import type { MetadataStore } from '../../src/metadata/store.ts';

keepAliveUntilTestsEnd();

for (const kind of storeKinds()) {
  describe(`GroupCoordinator: rebalances, sessions, leaving (${kind.kind})`, () => {
    let store: MetadataStore;
    before(async () => {
      store = await openGroupsStore(kind);
    });
    after(() => store.close());
    const setup = (t: TestContext, options: GroupCoordinatorOptions = {}) => setupCoordinator(store, t, options);

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
