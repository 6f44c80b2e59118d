import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyRetention, type RetentionResult } from '../../src/control-plane/log/retention.ts';
import { deleteRecordsBefore, deleteTopic, updateTopic } from '../../src/control-plane/services/topics.ts';
import type { MetadataStore } from '../../src/metadata/store.ts';
import { commitObject, dueKeys, indexed, logFixture, offsets, recordedKeys, type LogFixture } from '../helpers/log.ts';
import { storeKinds } from '../helpers/stores.ts';

/**
 * Retention (src/control-plane/log/retention.ts): retention.ms (the cluster's default when the
 * topic sets none, -1 infinite), retention.bytes, cleanup.policy, empty logs, bounded
 * transactions, and commits racing with it.
 */

const HOUR = 3_600_000;
const NOW = 1_800_000_000_000;

/** A store whose transactions are counted. */
function counting(store: MetadataStore): { store: MetadataStore; transactions: () => number } {
  let count = 0;
  const wrapped = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'transaction') {
        return (fn: (tx: MetadataStore) => Promise<unknown>) => {
          count++;
          return target.transaction(fn);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: wrapped, transactions: () => count };
}

function summary(result: RetentionResult) {
  return result.partitions.map((p) => [p.topic_name, p.partition, p.previous_log_start_offset, p.log_start_offset, p.batches_deleted, p.bytes_deleted]);
}

for (const kind of storeKinds()) {
  describe(`applyRetention (${kind.kind})`, () => {
    test('retention.ms drops the oldest whole batches; an object shared by two partitions goes when both let go', async (t) => {
      const f = await logFixture(kind, t, { events: { partition_count: 2, configs: { 'retention.ms': String(2 * HOUR) } } });
      const e = f.topics.events;
      // o/old: both partitions, 3 h old. o/mid: partition 0 at 3 h, partition 1 at 1 h. o/new: both, now.
      await commitObject(f, 'o/old', [{ topic: e, partition: 0, records: 5, timestamp: NOW - 3 * HOUR }, { topic: e, partition: 1, records: 2, timestamp: NOW - 3 * HOUR }]);
      await commitObject(f, 'o/mid', [{ topic: e, partition: 0, records: 5, timestamp: NOW - 3 * HOUR, bytes: 40 }, { topic: e, partition: 1, records: 3, timestamp: NOW - HOUR }]);
      await commitObject(f, 'o/new', [{ topic: e, partition: 0, records: 1, timestamp: NOW }, { topic: e, partition: 1, records: 1, timestamp: NOW }]);

      const result = await applyRetention(f.store, f.cluster.id, NOW);
      assert.deepEqual(summary(result), [
        ['events', 0, 0, 10, 2, 140],
        ['events', 1, 0, 2, 1, 100],
      ]);
      assert.equal(result.partitions_examined, 2);
      assert.deepEqual(result.released_object_keys, ['o/old'], 'o/mid is still read through partition 1');
      assert.deepEqual(await offsets(f, e, 0), { log_start_offset: 10, high_watermark: 11 });
      assert.deepEqual(await offsets(f, e, 1), { log_start_offset: 2, high_watermark: 6 });
      assert.deepEqual(await indexed(f, e, 0), [10]);
      assert.deepEqual(await indexed(f, e, 1), [2, 5]);

      // The grace: released objects are due only once it has passed.
      assert.deepEqual(await dueKeys(f, NOW), []);
      assert.deepEqual(await dueKeys(f), ['o/old']);

      // An hour later partition 1's o/mid batch expires too: now o/mid goes.
      const later = await applyRetention(f.store, f.cluster.id, NOW + 1.5 * HOUR);
      assert.deepEqual(summary(later), [['events', 1, 2, 5, 1, 100]]);
      assert.deepEqual(later.released_object_keys, ['o/mid']);
      assert.deepEqual(await recordedKeys(f), ['o/new']);
      assert.deepEqual(await applyRetention(f.store, f.cluster.id, NOW + 1.5 * HOUR), { partitions_examined: 2, partitions: [], released_object_keys: [] }, 'nothing more to do');
    });

    test('the cluster default applies when the topic sets no retention.ms; -1 keeps forever, on the topic or the cluster', async (t) => {
      const f = await logFixture(kind, t, { plain: 1, forever: { partition_count: 1, configs: { 'retention.ms': '-1' } }, huge: { partition_count: 1, configs: { 'retention.ms': '9223372036854775807' } } });
      for (const topic of Object.values(f.topics)) {
        await commitObject(f, `o/${topic.name}`, [{ topic, partition: 0, records: 2, timestamp: NOW - 30 * 24 * HOUR }, { topic, partition: 0, timestamp: NOW }]);
      }
      // Kafka's default 7 days: the 30-day-old batch goes from `plain` only.
      assert.deepEqual(summary(await applyRetention(f.store, f.cluster.id, NOW)), [['plain', 0, 0, 2, 1, 100]]);
      await f.store.updateVirtualClusterConfiguration(f.cluster.id, { default_retention_millis: -1 });
      await commitObject(f, 'o/plain2', [{ topic: f.topics.plain, partition: 0, timestamp: NOW - 30 * 24 * HOUR }]);
      assert.deepEqual((await applyRetention(f.store, f.cluster.id, NOW + 100 * 24 * HOUR)).partitions, [], 'the cluster keeps forever now');
      await f.store.updateVirtualClusterConfiguration(f.cluster.id, { default_retention_millis: HOUR });
      assert.deepEqual(summary(await applyRetention(f.store, f.cluster.id, NOW + 2 * HOUR)), [['plain', 0, 2, 4, 2, 200]], 'every batch expired: the log is empty');
      assert.deepEqual(await offsets(f, f.topics.plain, 0), { log_start_offset: 4, high_watermark: 4 });
      assert.deepEqual(await indexed(f, f.topics.forever, 0), [0, 2]);
      assert.deepEqual(await indexed(f, f.topics.huge, 0), [0, 2]);
    });

    test('retention.bytes keeps the newest batches within the limit, after retention.ms', async (t) => {
      const f = await logFixture(kind, t, {
        sized: { partition_count: 1, configs: { 'retention.bytes': '250', 'retention.ms': '-1' } },
        both: { partition_count: 1, configs: { 'retention.bytes': '1000', 'retention.ms': String(HOUR) } },
        zero: { partition_count: 1, configs: { 'retention.bytes': '0', 'retention.ms': '-1' } },
      });
      const { sized, both, zero } = f.topics;
      await commitObject(f, 'o/1', [
        { topic: sized, partition: 0, bytes: 100 },
        { topic: sized, partition: 0, bytes: 100 },
        { topic: sized, partition: 0, bytes: 100 },
        { topic: sized, partition: 0, bytes: 50, records: 3 },
        { topic: both, partition: 0, bytes: 10, timestamp: NOW - 2 * HOUR },
        { topic: both, partition: 0, bytes: 10, timestamp: NOW },
        { topic: zero, partition: 0, bytes: 10 },
      ]);
      // sized: 100+100+100+50 = 350 > 250: the newest three (250) are within it.
      assert.deepEqual(summary(await applyRetention(f.store, f.cluster.id, NOW)), [
        ['both', 0, 0, 1, 1, 10],
        ['sized', 0, 0, 1, 1, 100],
        ['zero', 0, 0, 1, 1, 10],
      ]);
      assert.deepEqual(await indexed(f, sized, 0), [1, 2, 3]);
      assert.deepEqual(await offsets(f, zero, 0), { log_start_offset: 1, high_watermark: 1 });
      assert.deepEqual(await recordedKeys(f), ['o/1'], 'o/1 still holds kept batches');
      assert.deepEqual((await applyRetention(f.store, f.cluster.id, NOW)).partitions, [], 'within the limit: nothing changes');
      await updateTopic(f.store, f.cluster, { topic_name: 'sized', configs: { 'retention.bytes': '149' } });
      assert.deepEqual(summary(await applyRetention(f.store, f.cluster.id, NOW)), [['sized', 0, 1, 3, 2, 200]]);
      assert.deepEqual(await offsets(f, sized, 0), { log_start_offset: 3, high_watermark: 6 });
    });

    test('only topics whose cleanup.policy includes delete; soft-deleted topics are left for their TTL', async (t) => {
      const configs = { 'retention.ms': String(HOUR) };
      const f = await logFixture(kind, t, {
        compacted: { partition_count: 1, configs: { ...configs, 'cleanup.policy': 'compact' } },
        both: { partition_count: 1, configs: { ...configs, 'cleanup.policy': 'compact,delete' } },
        deleted: { partition_count: 1, configs },
      });
      for (const topic of Object.values(f.topics)) await commitObject(f, `o/${topic.name}`, [{ topic, partition: 0, timestamp: NOW - 2 * HOUR }, { topic, partition: 0, timestamp: NOW }]);
      await deleteTopic(f.store, f.cluster, 'deleted', true);
      assert.deepEqual(summary(await applyRetention(f.store, f.cluster.id, NOW)), [['both', 0, 0, 1, 1, 100]]);
      assert.deepEqual(await indexed(f, f.topics.compacted, 0), [0, 1]);
      assert.deepEqual(await indexed(f, f.topics.deleted, 0), [0, 1]);
    });

    test('the log start never moves backwards, and an empty log takes new records at its high watermark', async (t) => {
      const f = await logFixture(kind, t, { logs: { partition_count: 1, configs: { 'retention.ms': String(HOUR) } } });
      const logs = f.topics.logs;
      await commitObject(f, 'o/1', [{ topic: logs, partition: 0, records: 10, timestamp: NOW - 2 * HOUR }, { topic: logs, partition: 0, records: 10, timestamp: NOW }]);
      // DeleteRecords moved the log start into the kept batch: retention keeps it there.
      assert.equal(await deleteRecordsBefore(f.store, f.cluster, 'logs', 0, 15), 15);
      assert.deepEqual((await applyRetention(f.store, f.cluster.id, NOW)).partitions, []);
      assert.deepEqual(await offsets(f, logs, 0), { log_start_offset: 15, high_watermark: 20 });
      assert.deepEqual(await indexed(f, logs, 0), [10]);

      const emptied = await applyRetention(f.store, f.cluster.id, NOW + 2 * HOUR);
      assert.deepEqual(summary(emptied), [['logs', 0, 15, 20, 1, 100]]);
      assert.deepEqual(emptied.released_object_keys, ['o/1']);
      assert.deepEqual(await offsets(f, logs, 0), { log_start_offset: 20, high_watermark: 20 });
      assert.deepEqual(await indexed(f, logs, 0), []);
      assert.deepEqual(await commitObject(f, 'o/2', [{ topic: logs, partition: 0, timestamp: NOW + 2 * HOUR }]), [20]);
      assert.deepEqual((await applyRetention(f.store, f.cluster.id, NOW + 2 * HOUR)).partitions, []);
      assert.deepEqual(await offsets(f, logs, 0), { log_start_offset: 20, high_watermark: 21 });
    });

    test('bounded transactions: a few partitions and entries each, with the same outcome', async (t) => {
      const f = await logFixture(kind, t, { wide: { partition_count: 5, configs: { 'retention.ms': String(HOUR) } } });
      const wide = f.topics.wide;
      for (let i = 0; i < 6; i++) {
        await commitObject(f, `o/${i}`, Array.from({ length: 5 }, (_, p) => ({ topic: wide, partition: p, timestamp: NOW - 2 * HOUR })));
      }
      await commitObject(f, 'o/new', Array.from({ length: 5 }, (_, p) => ({ topic: wide, partition: p, timestamp: NOW })));
      const { store, transactions } = counting(f.store);
      const result = await applyRetention(store, f.cluster.id, NOW, { partitionsPerTransaction: 2, batchesPerTransaction: 4 });
      assert.deepEqual(summary(result), Array.from({ length: 5 }, (_, p) => ['wide', p, 0, 6, 6, 600]), 'each partition reported once, in total');
      // 7 entries each: 4, then the last 2 old ones in a second round; 10 rounds, 2 per transaction.
      assert.equal(transactions(), 5);
      assert.deepEqual(result.released_object_keys, ['o/0', 'o/1', 'o/2', 'o/3', 'o/4', 'o/5']);
      for (let p = 0; p < 5; p++) assert.deepEqual(await indexed(f, wide, p), [6]);
    });

    test('a commit between retention\'s scan and its transaction is neither lost nor has its log start reset', async (t) => {
      const f = await logFixture(kind, t, { hot: { partition_count: 1, configs: { 'retention.ms': String(HOUR) } } });
      const hot = f.topics.hot;
      await commitObject(f, 'o/old', [{ topic: hot, partition: 0, records: 4, timestamp: NOW - 2 * HOUR }]);
      // The scan reads the partition (high watermark 4); a commit lands before it trims.
      let injected = false;
      const racing = new Proxy(f.store, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver);
          if (property === 'listPartitionStates') {
            return async (topicId: string) => {
              const states = await target.listPartitionStates(topicId);
              if (!injected) {
                injected = true;
                await commitObject(f, 'o/racing', [{ topic: hot, partition: 0, records: 3, timestamp: NOW }]);
              }
              return states;
            };
          }
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const result = await applyRetention(racing, f.cluster.id, NOW);
      assert.ok(injected);
      assert.deepEqual(summary(result), [['hot', 0, 0, 4, 1, 100]]);
      assert.deepEqual(result.partitions[0]!.high_watermark, 7, 'decided on the state read in its transaction');
      assert.deepEqual(await offsets(f, hot, 0), { log_start_offset: 4, high_watermark: 7 });
      assert.deepEqual(await indexed(f, hot, 0), [4]);
    });

    test('commits racing with retention: every record committed, log start monotonic, nothing kept lost', async (t) => {
      const f = await logFixture(kind, t, { busy: { partition_count: 2, configs: { 'retention.ms': String(HOUR) } } });
      const busy = f.topics.busy;
      const committed: Array<{ partition: number; base: number; old: boolean }> = [];
      const starts = [0, 0];
      for (let round = 0; round < 12; round++) {
        const old = round % 3 !== 2; // two old batches, then a new one, per partition
        const timestamp = old ? NOW - 2 * HOUR : NOW;
        const [bases, retention] = await Promise.all([
          commitObject(f, `o/${round}`, [{ topic: busy, partition: 0, records: 2, timestamp }, { topic: busy, partition: 1, records: 1, timestamp }]),
          applyRetention(f.store, f.cluster.id, NOW, { partitionsPerTransaction: 1 }),
        ]);
        committed.push({ partition: 0, base: bases[0]!, old }, { partition: 1, base: bases[1]!, old });
        for (const p of retention.partitions) {
          assert.ok(p.log_start_offset > p.previous_log_start_offset && p.previous_log_start_offset >= starts[p.partition]!, 'monotonic');
          assert.ok(p.log_start_offset <= p.high_watermark);
          starts[p.partition] = p.log_start_offset;
        }
      }
      await applyRetention(f.store, f.cluster.id, NOW);
      for (const partition of [0, 1]) {
        const mine = committed.filter((c) => c.partition === partition);
        assert.deepEqual(mine.map((c) => c.base), mine.map((_, i) => i * (partition === 0 ? 2 : 1)), 'offsets assigned without gaps: no commit lost');
        const state = await offsets(f, busy, partition);
        assert.equal(state.high_watermark, mine.length * (partition === 0 ? 2 : 1));
        // The log starts at the first new batch: old batches after it stay (oldest first only).
        assert.equal(state.log_start_offset, mine.find((c) => !c.old)!.base);
        assert.deepEqual(await indexed(f, busy, partition), mine.filter((c) => c.base >= state.log_start_offset).map((c) => c.base));
      }
      assert.deepEqual((await dueKeys(f)).length + (await recordedKeys(f)).length, 12, 'every object either recorded or released');
    });
  });
}
