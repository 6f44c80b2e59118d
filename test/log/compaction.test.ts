import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commitBatches } from '../../src/control-plane/log/commit.ts';
import { commitRewrite, planCompaction, type RewriteRequest } from '../../src/control-plane/log/compaction.ts';
import { applyRetention } from '../../src/control-plane/log/retention.ts';
import { createTopic, deleteRecordsBefore } from '../../src/control-plane/services/topics.ts';
import type { BatchIndexEntry, BatchMove } from '../../src/metadata/store.ts';
import { ApiError } from '../../src/errors.ts';
import { commitObject, dueKeys, indexed, logFixture, recordedKeys } from '../helpers/log.ts';
import { storeKinds } from '../helpers/stores.ts';

/**
 * Compaction's control-plane side (src/control-plane/log/compaction.ts): plans of small old
 * objects by level, and rewrites committed against an index that may have changed since.
 */

const HOUR = 3_600_000;
const LATER = Date.now() + HOUR; // every object committed by the tests is old enough by then

/** The moves an agent would commit after copying `entries` one after another into a new object. */
function movesFor(entries: readonly BatchIndexEntry[]): { moves: BatchMove[]; byte_size: number } {
  let at = 0;
  const moves = entries.map((e) => {
    const move: BatchMove = {
      topic_id: e.topic_id,
      partition: e.partition,
      base_offset: e.base_offset,
      from_object_key: e.object_key,
      byte_offset: at,
      byte_length: e.byte_length,
      last_offset: e.last_offset,
      max_timestamp: e.max_timestamp,
    };
    at += e.byte_length;
    return move;
  });
  return { moves, byte_size: at };
}

for (const kind of storeKinds()) {
  describe(`compaction (${kind.kind})`, () => {
    test('plans: old level-0 objects grouped up to the target size, at least two; then level 1', async (t) => {
      const f = await logFixture(kind, t, { a: 2, b: 1 });
      const { a, b } = f.topics;
      await commitObject(f, 'o/1', [{ topic: a, partition: 0, bytes: 300 }, { topic: b, partition: 0, bytes: 100 }]);
      await commitObject(f, 'o/2', [{ topic: a, partition: 1, bytes: 300 }, { topic: a, partition: 0, bytes: 200 }]);
      await commitObject(f, 'o/big', [{ topic: a, partition: 0, bytes: 5_000 }]);
      await commitObject(f, 'o/3', [{ topic: b, partition: 0, bytes: 600 }]);
      await commitObject(f, 'o/4', [{ topic: a, partition: 1, bytes: 100 }]);

      assert.deepEqual(await planCompaction(f.store, f.cluster.id, { now: Date.now() - HOUR }), [], 'nothing old enough');
      const plan = await planCompaction(f.store, f.cluster.id, { now: LATER, targetBytes: { 0: 1_000 } });
      // o/1 (400) + o/2 (500) = 900; o/big is over the target alone; o/3 (600) + o/4 (100).
      assert.deepEqual(plan.map((g) => [g.level, g.objects.map((o) => o.object_key), g.byte_size]), [
        [1, ['o/1', 'o/2'], 900],
        [1, ['o/3', 'o/4'], 700],
      ]);
      const first = plan[0]!.entries;
      const expected: Array<[string, number, number, string, number, number]> = [
        [a.id, 0, 0, 'o/1', 0, 300],
        [a.id, 0, 1, 'o/2', 300, 200],
        [a.id, 1, 0, 'o/2', 0, 300],
        [b.id, 0, 0, 'o/1', 300, 100],
      ];
      assert.deepEqual(
        first.map((e) => [e.topic_id, e.partition, e.base_offset, e.object_key, e.byte_offset, e.byte_length]),
        expected.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)),
        'in (topic, partition, offset) order',
      );
      assert.deepEqual((await planCompaction(f.store, f.cluster.id, { now: LATER, targetBytes: { 0: 1_000 }, maxGroups: 1 })).length, 1);
      assert.deepEqual((await planCompaction(f.store, f.cluster.id, { now: LATER, targetBytes: { 0: 1_000 }, maxObjects: 2, minObjects: 3 })), [], 'min 3, max 2: no group');

      // Rewrite the first group into a level-1 object; with a second one, level 1 gets a plan.
      const { moves, byte_size } = movesFor(first);
      await commitRewrite(f.store, f.cluster.id, { new_object_key: 'o/L1-a', level: 1, byte_size, moves, drops: [] }, { now: LATER });
      const second = plan[1]!;
      const rewritten = movesFor(second.entries);
      await commitRewrite(f.store, f.cluster.id, { new_object_key: 'o/L1-b', level: 1, byte_size: rewritten.byte_size, moves: rewritten.moves, drops: [] }, { now: LATER });
      const up = await planCompaction(f.store, f.cluster.id, { now: LATER + HOUR, targetBytes: { 1: 10_000 } });
      assert.deepEqual(up.map((g) => [g.level, g.objects.map((o) => o.object_key), g.byte_size]), [[2, ['o/L1-a', 'o/L1-b'], 1_600]]);
      assert.deepEqual((await planCompaction(f.store, f.cluster.id, { now: LATER + HOUR })).map((g) => g.level), [2], 'by default both levels');
    });

    test('a rewrite moves the entries, records the new object and releases the replaced ones after the grace', async (t) => {
      const f = await logFixture(kind, t, { a: 2 });
      const a = f.topics.a;
      await commitObject(f, 'o/1', [{ topic: a, partition: 0, records: 2, timestamp: 11 }, { topic: a, partition: 1, timestamp: 12 }]);
      await commitObject(f, 'o/2', [{ topic: a, partition: 0, records: 3, timestamp: 13 }]);
      const [group] = await planCompaction(f.store, f.cluster.id, { now: LATER });
      const { moves, byte_size } = movesFor(group!.entries);
      const result = await commitRewrite(f.store, f.cluster.id, { new_object_key: 'o/merged', level: 1, byte_size, moves, drops: [] }, { now: LATER, graceMs: 1_000 });
      assert.deepEqual(result, { moved: 3, skipped_moves: 0, dropped: 0, skipped_drops: 0, released_object_keys: ['o/1', 'o/2'], new_object_released: false });
      assert.deepEqual(await f.store.listBatchIndex(a.id, 0, 0, 10), [
        { topic_id: a.id, partition: 0, base_offset: 0, last_offset: 1, max_timestamp: 11, object_key: 'o/merged', byte_offset: 0, byte_length: 100 },
        { topic_id: a.id, partition: 0, base_offset: 2, last_offset: 4, max_timestamp: 13, object_key: 'o/merged', byte_offset: 100, byte_length: 100 },
      ]);
      assert.equal((await f.store.listBatchIndex(a.id, 1, 0, 10))[0]!.object_key, 'o/merged');
      assert.deepEqual(await f.store.getObject('o/merged'), { object_key: 'o/merged', virtual_cluster_id: f.cluster.id, level: 1, byte_size: 300, created_at: LATER });
      assert.deepEqual(await recordedKeys(f), [], 'no level-0 object left');
      assert.deepEqual(await dueKeys(f, LATER + 999), []);
      assert.deepEqual(await dueKeys(f, LATER + 1_000), ['o/1', 'o/2']);

      // Committed twice (an answer lost on the way back): the second changes nothing.
      const again = await commitRewrite(f.store, f.cluster.id, { new_object_key: 'o/merged', level: 1, byte_size, moves, drops: [] }, { now: LATER });
      assert.deepEqual(again, { moved: 0, skipped_moves: 3, dropped: 0, skipped_drops: 0, released_object_keys: [], new_object_released: false });
      assert.equal((await f.store.listBatchIndex(a.id, 0, 0, 10))[1]!.object_key, 'o/merged');
    });

    test('a move whose entry retention or DeleteRecords removed meanwhile is skipped; an object still referenced stays', async (t) => {
      const f = await logFixture(kind, t, { a: { partition_count: 2, configs: { 'retention.ms': String(HOUR) } } });
      const a = f.topics.a;
      const old = Date.now() - 2 * HOUR;
      await commitObject(f, 'o/1', [{ topic: a, partition: 0, timestamp: old }, { topic: a, partition: 1, timestamp: old }]);
      await commitObject(f, 'o/2', [{ topic: a, partition: 0, timestamp: Date.now() }, { topic: a, partition: 1, timestamp: old }]);
      await commitObject(f, 'o/3', [{ topic: a, partition: 1, timestamp: Date.now() }]);
      const [group] = await planCompaction(f.store, f.cluster.id, { now: LATER, maxObjects: 2 });
      assert.deepEqual(group!.objects.map((o) => o.object_key), ['o/1', 'o/2']);

      // Meanwhile retention drops partition 0's first batch and partition 1's first two.
      const retention = await applyRetention(f.store, f.cluster.id, Date.now());
      assert.deepEqual(retention.released_object_keys, ['o/1']);
      const { moves, byte_size } = movesFor(group!.entries);
      const result = await commitRewrite(f.store, f.cluster.id, { new_object_key: 'o/merged', level: 1, byte_size, moves, drops: [] }, { now: LATER });
      assert.deepEqual(result, { moved: 1, skipped_moves: 3, dropped: 0, skipped_drops: 0, released_object_keys: ['o/2'], new_object_released: false });
      assert.deepEqual((await f.store.listBatchIndex(a.id, 0, 0, 10)).map((e) => [e.base_offset, e.object_key]), [[1, 'o/merged']]);
      assert.deepEqual((await f.store.listBatchIndex(a.id, 1, 0, 10)).map((e) => [e.base_offset, e.object_key]), [[2, 'o/3']]);

      // Everything the group held was deleted before the rewrite: the new object is released too.
      await commitObject(f, 'o/4', [{ topic: a, partition: 1 }, { topic: a, partition: 1 }]);
      const entries = await f.store.listBatchIndexByObjects(['o/3', 'o/4']);
      await deleteRecordsBefore(f.store, f.cluster, 'a', 1, 4);
      const stale = movesFor(entries.filter((e) => e.base_offset < 4));
      const empty = await commitRewrite(f.store, f.cluster.id, { new_object_key: 'o/void', level: 1, ...stale, drops: [] }, { now: LATER });
      assert.deepEqual(empty, { moved: 0, skipped_moves: 2, dropped: 0, skipped_drops: 0, released_object_keys: [], new_object_released: true });
      assert.ok((await dueKeys(f)).includes('o/void'));
      assert.equal(await f.store.getObject('o/void'), undefined);
      assert.ok(await f.store.getObject('o/4'), 'o/4 still holds offset 4');
    });

    test('key compaction: batches rewritten shorter, superseded ones dropped; a partition\'s newest batch stays whole', async (t) => {
      const f = await logFixture(kind, t, { keyed: { partition_count: 1, configs: { 'cleanup.policy': 'compact' } } });
      const keyed = f.topics.keyed;
      await commitObject(f, 'o/1', [
        { topic: keyed, partition: 0, records: 4, bytes: 400 },
        { topic: keyed, partition: 0, records: 4, bytes: 400 },
        { topic: keyed, partition: 0, records: 4, bytes: 400 },
      ]);
      const [e0, e1, e2] = await f.store.listBatchIndex(keyed.id, 0, 0, 10);
      const request: RewriteRequest = {
        new_object_key: 'o/compacted',
        level: 1,
        byte_size: 150,
        moves: [
          { topic_id: keyed.id, partition: 0, base_offset: 0, from_object_key: 'o/1', byte_offset: 0, byte_length: 100, last_offset: 2, max_timestamp: 5 },
          { topic_id: keyed.id, partition: 0, base_offset: 8, from_object_key: 'o/1', byte_offset: 100, byte_length: 50, last_offset: 10, max_timestamp: 6 },
        ],
        drops: [{ topic_id: keyed.id, partition: 0, base_offset: 4, from_object_key: 'o/1' }],
      };
      const result = await commitRewrite(f.store, f.cluster.id, request, { now: LATER });
      assert.deepEqual(result, { moved: 1, skipped_moves: 1, dropped: 1, skipped_drops: 0, released_object_keys: [], new_object_released: false });
      assert.deepEqual(await f.store.listBatchIndex(keyed.id, 0, 0, 10), [
        { ...e0!, object_key: 'o/compacted', byte_offset: 0, byte_length: 100, last_offset: 2, max_timestamp: 5 },
        e2!,
      ]);
      assert.equal(e1!.base_offset, 4);
      assert.deepEqual(await indexed(f, keyed, 0), [0, 8], 'an offset gap where the dropped batch was');
      assert.ok(await f.store.getObject('o/1'), 'the newest batch still reads from o/1');
      // The newest batch rewritten whole is accepted, and then o/1 is released.
      const whole = await commitRewrite(f.store, f.cluster.id, {
        new_object_key: 'o/compacted-2',
        level: 1,
        byte_size: 400,
        moves: [{ topic_id: keyed.id, partition: 0, base_offset: 8, from_object_key: 'o/1', byte_offset: 0, byte_length: 400, last_offset: 11, max_timestamp: e2!.max_timestamp }],
        drops: [],
      }, { now: LATER });
      assert.deepEqual(whole.released_object_keys, ['o/1']);
    });

    test('rewrites are checked: malformed requests, other clusters\' topics and object keys are refused, changing nothing', async (t) => {
      const f = await logFixture(kind, t, { a: 1 });
      const a = f.topics.a;
      await commitObject(f, 'o/1', [{ topic: a, partition: 0 }]);
      const good: RewriteRequest = {
        new_object_key: 'o/new',
        level: 1,
        byte_size: 100,
        moves: [{ topic_id: a.id, partition: 0, base_offset: 0, from_object_key: 'o/1', byte_offset: 0, byte_length: 100, last_offset: 0, max_timestamp: 1 }],
        drops: [],
      };
      const move = good.moves[0]!;
      const bad: Array<[string, RewriteRequest]> = [
        ['empty key', { ...good, new_object_key: '' }],
        ['level 0', { ...good, level: 0 }],
        ['bytes beyond the object', { ...good, byte_size: 99 }],
        ['zero length', { ...good, moves: [{ ...move, byte_length: 0 }] }],
        ['last before base', { ...good, moves: [{ ...move, base_offset: 1, last_offset: 0 }] }],
        ['from the new object', { ...good, moves: [{ ...move, from_object_key: 'o/new' }] }],
      ];
      for (const [what, request] of bad) {
        await assert.rejects(commitRewrite(f.store, f.cluster.id, request), (e: unknown) => e instanceof ApiError && e.status === 400, what);
      }
      const created = await f.platform.call('/api/v1/create_virtual_cluster', {
        virtual_cluster_name: 'other',
        virtual_cluster_type: 'byoc',
        virtual_cluster_region: 'us-east-1',
        virtual_cluster_cloud_provider: 'aws',
        virtual_cluster_tier: 'dev',
      });
      const other = (await f.store.getVirtualCluster(created.body.virtual_cluster_id))!;
      await assert.rejects(commitRewrite(f.store, other.id, good), (e: unknown) => e instanceof ApiError && e.status === 403);
      const foreign = await createTopic(f.store, other, { topic_name: 'x', partition_count: 1 });
      await commitBatches(f.store, other.id, 'o/theirs', [
        { topic_id: foreign.id, partition: 0, byte_offset: 0, byte_length: 10, last_offset_delta: 0, max_timestamp: 1, producer_id: -1, producer_epoch: -1, base_sequence: -1 },
      ]);
      await assert.rejects(commitRewrite(f.store, f.cluster.id, { ...good, new_object_key: 'o/theirs' }), (e: unknown) => e instanceof ApiError && e.status === 409);
      assert.equal(await f.store.getObject('o/new'), undefined);
      assert.equal((await f.store.listBatchIndex(a.id, 0, 0, 10))[0]!.object_key, 'o/1');
    });
  });
}
