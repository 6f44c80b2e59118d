import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { commitBatches, type BatchToCommit, type CommittedBatch } from '../../src/control-plane/log/commit.ts';
import { createTopic, deleteRecordsBefore, deleteTopic } from '../../src/control-plane/services/topics.ts';
import type { BatchIndexEntry, MetadataStore, Topic, VirtualCluster } from '../../src/metadata/store.ts';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';

/**
 * The control plane's commit (src/control-plane/log/commit.ts): offsets per partition,
 * unknown partitions, and Kafka's idempotent-producer rules, checked against the store itself.
 */

const E = { NONE: 0, UNKNOWN_TOPIC_OR_PARTITION: 3, OUT_OF_ORDER_SEQUENCE_NUMBER: 45, INVALID_PRODUCER_EPOCH: 47 };

interface Fixture {
  store: MetadataStore;
  call: TestPlatform['call'];
  cluster: VirtualCluster;
  topics: Record<string, Topic>;
}

async function setup(kind: ReturnType<typeof storeKinds>[number], t: TestContext, topics: Record<string, number>): Promise<Fixture> {
  const platform = await startTestPlatform(kind, t);
  const cluster = (await platform.store.getVirtualCluster(platform.boot.virtual_cluster_id))!;
  const made: Record<string, Topic> = {};
  for (const [name, partitions] of Object.entries(topics)) made[name] = await createTopic(platform.store, cluster, { topic_name: name, partition_count: partitions });
  return { store: platform.store, call: platform.call, cluster, topics: made };
}

let byteCursor = 0;
/** A batch description as an agent would send it; byte positions are made up but distinct. */
function batch(topic: Topic | string, partition: number, records: number, extra: Partial<BatchToCommit> = {}): BatchToCommit {
  const byteLength = 61 + records * 10;
  const b: BatchToCommit = {
    topic_id: typeof topic === 'string' ? topic : topic.id,
    partition,
    byte_offset: byteCursor,
    byte_length: byteLength,
    last_offset_delta: records - 1,
    max_timestamp: 1_700_000_000_000 + byteCursor,
    producer_id: -1,
    producer_epoch: -1,
    base_sequence: -1,
    ...extra,
  };
  byteCursor += byteLength;
  return b;
}

async function commit(f: Fixture, key: string, batches: BatchToCommit[]): Promise<CommittedBatch[]> {
  const results = await commitBatches(f.store, f.cluster.id, key, batches);
  assert.equal(results.length, batches.length, 'one result per batch, in order');
  return results;
}

async function index(f: Fixture, topic: Topic, partition: number): Promise<BatchIndexEntry[]> {
  return f.store.listBatchIndex(topic.id, partition, 0, 10_000);
}

async function hw(f: Fixture, topic: Topic, partition: number): Promise<{ log_start_offset: number; high_watermark: number } | undefined> {
  const state = await f.store.getPartitionState(topic.id, partition);
  return state && { log_start_offset: state.log_start_offset, high_watermark: state.high_watermark };
}

const ok = (base_offset: number, log_start_offset = 0): CommittedBatch => ({ error_code: 0, base_offset, log_start_offset });
const err = (error_code: number, log_start_offset = -1): CommittedBatch => ({ error_code, base_offset: -1, log_start_offset });

function entryFor(b: BatchToCommit, objectKey: string, baseOffset: number): BatchIndexEntry {
  return {
    topic_id: b.topic_id,
    partition: b.partition,
    base_offset: baseOffset,
    last_offset: baseOffset + b.last_offset_delta,
    max_timestamp: b.max_timestamp,
    object_key: objectKey,
    byte_offset: b.byte_offset,
    byte_length: b.byte_length,
  };
}

for (const kind of storeKinds()) {
  describe(`commitBatches (${kind.kind})`, () => {
    test('many batches over many partitions in one call get contiguous offsets per partition; index and high watermarks exact', async (t) => {
      const f = await setup(kind, t, { alpha: 3, beta: 2 });
      const { alpha, beta } = f.topics as { alpha: Topic; beta: Topic };
      // 24 batches, interleaved over 5 partitions, 1..7 records each.
      const plan: Array<[Topic, number, number]> = [];
      const partitions: Array<[Topic, number]> = [[alpha, 0], [alpha, 1], [alpha, 2], [beta, 0], [beta, 1]];
      for (let i = 0; i < 24; i++) plan.push([...partitions[(i * 7) % 5]!, ((i * 5) % 7) + 1]);
      const batches = plan.map(([topic, partition, records]) => batch(topic, partition, records));
      const results = await commit(f, 'obj/one', batches);

      // The model: each partition counts from 0, in the order of the call.
      const next = new Map<string, number>();
      const expected: CommittedBatch[] = [];
      const expectedIndex = new Map<string, BatchIndexEntry[]>();
      batches.forEach((b) => {
        const key = `${b.topic_id}/${b.partition}`;
        const base = next.get(key) ?? 0;
        next.set(key, base + b.last_offset_delta + 1);
        expected.push(ok(base));
        expectedIndex.set(key, [...(expectedIndex.get(key) ?? []), entryFor(b, 'obj/one', base)]);
      });
      assert.deepEqual(results, expected);
      assert.equal(next.size, 5, 'the plan touches all five partitions');
      for (const [topic, partitions] of [[alpha, 3], [beta, 2]] as const) {
        for (let p = 0; p < partitions; p++) {
          const key = `${topic.id}/${p}`;
          assert.deepEqual(await index(f, topic, p), expectedIndex.get(key), `index of ${topic.name}-${p}`);
          assert.deepEqual(await hw(f, topic, p), { log_start_offset: 0, high_watermark: next.get(key) }, `${topic.name}-${p}`);
        }
      }

      // A second object continues where the first ended, and references its own key.
      const more = [batch(alpha, 1, 4), batch(beta, 0, 1), batch(alpha, 1, 2)];
      const a1 = next.get(`${alpha.id}/1`)!;
      const b0 = next.get(`${beta.id}/0`)!;
      assert.deepEqual(await commit(f, 'obj/two', more), [ok(a1), ok(b0), ok(a1 + 4)]);
      assert.deepEqual((await index(f, alpha, 1)).slice(-2), [entryFor(more[0]!, 'obj/two', a1), entryFor(more[2]!, 'obj/two', a1 + 4)]);
      assert.deepEqual(await hw(f, alpha, 1), { log_start_offset: 0, high_watermark: a1 + 6 });
      assert.deepEqual(await hw(f, beta, 0), { log_start_offset: 0, high_watermark: b0 + 1 });
      assert.deepEqual(await hw(f, alpha, 0), { log_start_offset: 0, high_watermark: next.get(`${alpha.id}/0`) }, 'untouched partition unchanged');
    });

    test('results report the log start offset; a moved log start does not change offset assignment', async (t) => {
      const f = await setup(kind, t, { logs: 1 });
      const topic = f.topics.logs!;
      assert.deepEqual(await commit(f, 'o1', [batch(topic, 0, 5), batch(topic, 0, 5)]), [ok(0), ok(5)]);
      assert.equal(await deleteRecordsBefore(f.store, f.cluster, 'logs', 0, 7), 7);
      assert.deepEqual(await commit(f, 'o2', [batch(topic, 0, 2)]), [ok(10, 7)]);
      assert.deepEqual(await hw(f, topic, 0), { log_start_offset: 7, high_watermark: 12 });
      assert.deepEqual((await index(f, topic, 0)).map((e) => [e.base_offset, e.last_offset]), [[5, 9], [10, 11]]);
    });

    test('unknown topic or partition → 3, and nothing else in the call is affected', async (t) => {
      const f = await setup(kind, t, { known: 2 });
      const known = f.topics.known!;
      // A topic of another cluster is unknown here too.
      const created = await f.call('/api/v1/create_virtual_cluster', {
        virtual_cluster_name: 'other',
        virtual_cluster_type: 'byoc',
        virtual_cluster_region: 'us-east-1',
        virtual_cluster_cloud_provider: 'aws',
        virtual_cluster_tier: 'dev',
      });
      assert.equal(created.status, 200, created.text);
      const otherCluster = (await f.store.getVirtualCluster(created.body.virtual_cluster_id))!;
      const foreign = await createTopic(f.store, otherCluster, { topic_name: 'known', partition_count: 2 });
      const gone = await createTopic(f.store, f.cluster, { topic_name: 'gone', partition_count: 1 });
      await deleteTopic(f.store, f.cluster, 'gone', true); // soft-deleted: not writable

      const batches = [
        batch(known, 0, 3),
        batch('ti_00000000_0000_4000_8000_000000000000', 0, 1),
        batch(known, 2, 1), // out of range
        batch(known, 1, 2),
        batch(known, -1, 1),
        batch(gone, 0, 1),
        batch(foreign, 0, 1),
        batch(known, 0, 4),
      ];
      const results = await commit(f, 'mixed', batches);
      const unknown = err(E.UNKNOWN_TOPIC_OR_PARTITION);
      assert.deepEqual(results, [ok(0), unknown, unknown, ok(0), unknown, unknown, unknown, ok(3)]);
      assert.deepEqual(await index(f, known, 0), [entryFor(batches[0]!, 'mixed', 0), entryFor(batches.at(-1)!, 'mixed', 3)]);
      assert.deepEqual(await index(f, known, 1), [entryFor(batches[3]!, 'mixed', 0)]);
      assert.deepEqual(await hw(f, known, 0), { log_start_offset: 0, high_watermark: 7 });
      assert.deepEqual(await hw(f, known, 1), { log_start_offset: 0, high_watermark: 2 });
      assert.equal(await hw(f, known, 2), undefined, 'no state for a partition that does not exist');
      assert.equal(await hw(f, gone, 0), undefined);
      assert.deepEqual(await f.store.listBatchIndex(gone.id, 0, 0, 100), []);
      assert.equal(await hw(f, foreign, 0), undefined, "another cluster's topic is untouched");
      assert.deepEqual(await f.store.listBatchIndex(foreign.id, 0, 0, 100), []);
    });

    test('a call of nothing but unknown partitions commits nothing', async (t) => {
      const f = await setup(kind, t, { solo: 1 });
      const solo = f.topics.solo!;
      assert.deepEqual(await commit(f, 'x', [batch(solo, 1, 1), batch(solo, 5, 1)]), [err(3), err(3)]);
      assert.equal(await hw(f, solo, 0), undefined);
      assert.deepEqual(await index(f, solo, 0), []);
      assert.deepEqual(await commit(f, 'empty', []), []);
    });

    describe('idempotent producers', () => {
      async function producer(f: Fixture): Promise<number> {
        const p = await f.store.transaction((tx) => tx.insertProducer({ virtual_cluster_id: f.cluster.id, transactional_id: null, producer_epoch: 0, created_at: Date.now() }));
        return p.producer_id;
      }
      const idem = (pid: number, epoch: number, seq: number) => ({ producer_id: pid, producer_epoch: epoch, base_sequence: seq });

      test('the first batch must have sequence 0; the next must follow the last exactly', async (t) => {
        const f = await setup(kind, t, { idem: 2 });
        const topic = f.topics.idem!;
        const pid = await producer(f);
        assert.deepEqual(await commit(f, 'a', [batch(topic, 0, 2, idem(pid, 0, 5))]), [err(E.OUT_OF_ORDER_SEQUENCE_NUMBER, 0)]);
        assert.equal((await hw(f, topic, 0))?.high_watermark ?? 0, 0, 'a refused first batch stores nothing');
        assert.deepEqual(await index(f, topic, 0), []);
        assert.equal(await f.store.getProducerPartition(pid, topic.id, 0), undefined);

        assert.deepEqual(await commit(f, 'b', [batch(topic, 0, 3, idem(pid, 0, 0))]), [ok(0)]); // seq 0..2
        assert.deepEqual(await commit(f, 'c', [batch(topic, 0, 1, idem(pid, 0, 4))]), [err(45, 0)], 'a gap (expected 3)');
        assert.deepEqual(await commit(f, 'c', [batch(topic, 0, 1, idem(pid, 0, 2))]), [err(45, 0)], 'overlaps, not a retry');
        assert.deepEqual(await commit(f, 'd', [batch(topic, 0, 2, idem(pid, 0, 3)), batch(topic, 0, 1, idem(pid, 0, 5))]), [ok(3), ok(5)]);
        // Another partition keeps its own sequence: it starts at 0 again.
        assert.deepEqual(await commit(f, 'e', [batch(topic, 1, 1, idem(pid, 0, 6)), batch(topic, 1, 1, idem(pid, 0, 0))]), [err(45, 0), ok(0)]);
        assert.deepEqual(await hw(f, topic, 0), { log_start_offset: 0, high_watermark: 6 });
        assert.deepEqual(await hw(f, topic, 1), { log_start_offset: 0, high_watermark: 1 });
        assert.deepEqual((await index(f, topic, 0)).map((e) => [e.base_offset, e.last_offset, e.object_key]), [[0, 2, 'b'], [3, 4, 'd'], [5, 5, 'd']]);
        const state = await f.store.getProducerPartition(pid, topic.id, 0);
        assert.equal(state?.producer_epoch, 0);
        assert.deepEqual(state?.recent_batches, [
          { first_sequence: 0, last_sequence: 2, base_offset: 0 },
          { first_sequence: 3, last_sequence: 4, base_offset: 3 },
          { first_sequence: 5, last_sequence: 5, base_offset: 5 },
        ]);
      });

      test('a retry of any of the last five batches is answered with its original offset and stored once', async (t) => {
        const f = await setup(kind, t, { dup: 1 });
        const topic = f.topics.dup!;
        const pid = await producer(f);
        // Seven batches of 2 records: sequences 0,2,4,...,12; offsets 0,2,...,12. Plain batches
        // from a non-idempotent producer sit between them, so offsets and sequences differ.
        const sent: BatchToCommit[] = [];
        const offsets: number[] = [];
        let offset = 0;
        for (let i = 0; i < 7; i++) {
          const b = batch(topic, 0, 2, idem(pid, 0, i * 2));
          sent.push(b);
          assert.deepEqual(await commit(f, `o${i}`, [b, batch(topic, 0, 1)]), [ok(offset), ok(offset + 2)]);
          offsets.push(offset);
          offset += 3;
        }
        const before = await index(f, topic, 0);
        assert.equal(before.length, 14);
        // The last five (i = 2..6), each retried alone and all together, in any order.
        for (let i = 2; i < 7; i++) {
          const retry = { ...sent[i]!, byte_offset: 999_999 };
          assert.deepEqual(await commit(f, `retry${i}`, [retry]), [ok(offsets[i]!)], `retry of batch ${i}`);
        }
        assert.deepEqual(
          await commit(f, 'retry-all', [sent[6]!, sent[2]!, sent[4]!, sent[3]!, sent[5]!]),
          [ok(offsets[6]!), ok(offsets[2]!), ok(offsets[4]!), ok(offsets[3]!), ok(offsets[5]!)],
        );
        // Older than the last five: no longer known, and not the next sequence.
        assert.deepEqual(await commit(f, 'old', [sent[1]!]), [err(45, 0)]);
        assert.deepEqual(await commit(f, 'old', [sent[0]!]), [err(45, 0)]);
        // Same first sequence but a different length is not a retry.
        assert.deepEqual(await commit(f, 'odd', [batch(topic, 0, 1, idem(pid, 0, 12))]), [err(45, 0)]);
        assert.deepEqual(await index(f, topic, 0), before, 'no retry was stored again');
        assert.deepEqual(await hw(f, topic, 0), { log_start_offset: 0, high_watermark: 21 });

        // Within one call: a batch and its retry in the same object are stored once.
        const next = batch(topic, 0, 3, idem(pid, 0, 14));
        assert.deepEqual(await commit(f, 'twice', [next, { ...next }, batch(topic, 0, 1, idem(pid, 0, 17))]), [ok(21), ok(21), ok(24)]);
        assert.deepEqual(await hw(f, topic, 0), { log_start_offset: 0, high_watermark: 25 });
        assert.equal((await index(f, topic, 0)).length, 16);

        // A non-idempotent producer's repeat is simply stored again.
        const plain = batch(topic, 0, 1);
        assert.deepEqual(await commit(f, 'plain', [plain, { ...plain }]), [ok(25), ok(26)]);
      });

      test('an older epoch is fenced (47); a new epoch restarts at sequence 0', async (t) => {
        const f = await setup(kind, t, { epochs: 1 });
        const topic = f.topics.epochs!;
        const pid = await producer(f);
        assert.deepEqual(await commit(f, 'a', [batch(topic, 0, 2, idem(pid, 3, 0)), batch(topic, 0, 2, idem(pid, 3, 2))]), [ok(0), ok(2)]);
        assert.deepEqual(await commit(f, 'b', [batch(topic, 0, 1, idem(pid, 2, 4))]), [err(E.INVALID_PRODUCER_EPOCH, 0)]);
        assert.deepEqual(await commit(f, 'b', [batch(topic, 0, 1, idem(pid, 2, 0))]), [err(E.INVALID_PRODUCER_EPOCH, 0)]);
        // A new epoch must start at 0; 4 (which would follow in epoch 3) is out of order.
        assert.deepEqual(await commit(f, 'c', [batch(topic, 0, 1, idem(pid, 4, 4))]), [err(45, 0)]);
        assert.deepEqual(await commit(f, 'd', [batch(topic, 0, 2, idem(pid, 4, 0))]), [ok(4)]);
        // Epoch 3 is now fenced, even for a retry of what it wrote; epoch 4 continues at 2.
        assert.deepEqual(await commit(f, 'e', [batch(topic, 0, 2, idem(pid, 3, 2))]), [err(47, 0)]);
        assert.deepEqual(await commit(f, 'f', [batch(topic, 0, 2, idem(pid, 4, 2))]), [ok(6)]);
        // The new epoch's own retries are still recognised; the old epoch's history is gone.
        assert.deepEqual(await commit(f, 'g', [batch(topic, 0, 2, idem(pid, 4, 0))]), [ok(4)]);
        const state = await f.store.getProducerPartition(pid, topic.id, 0);
        assert.equal(state?.producer_epoch, 4);
        assert.deepEqual(state?.recent_batches, [
          { first_sequence: 0, last_sequence: 1, base_offset: 4 },
          { first_sequence: 2, last_sequence: 3, base_offset: 6 },
        ]);
        assert.deepEqual(await hw(f, topic, 0), { log_start_offset: 0, high_watermark: 8 });
        assert.deepEqual((await index(f, topic, 0)).map((e) => e.base_offset), [0, 2, 4, 6]);
      });
    });
  });
}
