import { after, before, describe, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { storeKinds } from '../helpers/stores.ts';
import { E, formGroup, keepAliveUntilTestsEnd, MEMBER_ID, openGroupsStore, settled, setupCoordinator, sub, test, who } from '../helpers/groups.ts';
import type { GroupCoordinatorOptions } from '../../src/control-plane/groups/coordinator.ts';
import { decodeAssignment, encodeAssignment, encodeSubscription } from '../../src/control-plane/groups/consumer-protocol.ts';
import type { MetadataStore } from '../../src/metadata/store.ts';

keepAliveUntilTestsEnd();

for (const kind of storeKinds()) {
  describe(`GroupCoordinator: JoinGroup and SyncGroup (${kind.kind})`, () => {
    let store: MetadataStore;
    before(async () => {
      store = await openGroupsStore(kind);
    });
    after(() => store.close());
    const setup = (t: TestContext, options: GroupCoordinatorOptions = {}) => setupCoordinator(store, t, options);

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
  });
}
