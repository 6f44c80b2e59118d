import { after, before, describe, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { storeKinds } from '../helpers/stores.ts';
import { E, formGroup, keepAliveUntilTestsEnd, openGroupsStore, partition, setupCoordinator, sub, test, who } from '../helpers/groups.ts';
import type { GroupCoordinatorOptions } from '../../src/control-plane/groups/coordinator.ts';
import { encodeAssignment } from '../../src/control-plane/groups/consumer-protocol.ts';
import type { OffsetCommitResponse } from '../../src/kafka-protocol/messages.generated.ts';
import type { MetadataStore } from '../../src/metadata/store.ts';

keepAliveUntilTestsEnd();

for (const kind of storeKinds()) {
  describe(`GroupCoordinator: committed offsets (${kind.kind})`, () => {
    let store: MetadataStore;
    before(async () => {
      store = await openGroupsStore(kind);
    });
    after(() => store.close());
    const setup = (t: TestContext, options: GroupCoordinatorOptions = {}) => setupCoordinator(store, t, options);

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
  });
}
