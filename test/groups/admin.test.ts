import { after, before, describe, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { storeKinds } from '../helpers/stores.ts';
import { E, formGroup, keepAliveUntilTestsEnd, openGroupsStore, partition, setupCoordinator, test, who } from '../helpers/groups.ts';
import type { GroupCoordinatorOptions } from '../../src/control-plane/groups/coordinator.ts';
import type { MetadataStore } from '../../src/metadata/store.ts';

keepAliveUntilTestsEnd();

for (const kind of storeKinds()) {
  describe(`GroupCoordinator: DescribeGroups, ListGroups, DeleteGroups (${kind.kind})`, () => {
    let store: MetadataStore;
    before(async () => {
      store = await openGroupsStore(kind);
    });
    after(() => store.close());
    const setup = (t: TestContext, options: GroupCoordinatorOptions = {}) => setupCoordinator(store, t, options);

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
  });
}
