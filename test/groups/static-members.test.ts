import { after, before, describe, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { storeKinds } from '../helpers/stores.ts';
import { E, keepAliveUntilTestsEnd, MEMBER_ID, openGroupsStore, partition, settled, setupCoordinator, sleep, sub, test, who } from '../helpers/groups.ts';
import type { GroupCoordinatorOptions } from '../../src/control-plane/groups/coordinator.ts';
import { encodeAssignment, encodeSubscription } from '../../src/control-plane/groups/consumer-protocol.ts';
import type { MetadataStore } from '../../src/metadata/store.ts';

keepAliveUntilTestsEnd();

for (const kind of storeKinds()) {
  describe(`GroupCoordinator: static members (${kind.kind})`, () => {
    let store: MetadataStore;
    before(async () => {
      store = await openGroupsStore(kind);
    });
    after(() => store.close());
    const setup = (t: TestContext, options: GroupCoordinatorOptions = {}) => setupCoordinator(store, t, options);

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
  });
}
