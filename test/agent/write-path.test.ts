import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import type { ControlPlaneClient } from '../../src/agent-rpc/contract.ts';
import type { LocalControlPlane } from '../../src/control-plane/agent-rpc/local.ts';
import { localControlPlane } from '../helpers/control-plane.ts';
import { AgentMetrics } from '../../src/agent/metrics.ts';
import { ReadPath } from '../../src/agent/read-path.ts';
import { WritePath, type PartitionResult } from '../../src/agent/write-path.ts';
import type { BatchToCommit } from '../../src/control-plane/log/commit.ts';
import { createTopic } from '../../src/control-plane/services/topics.ts';
import { validateBatches, type RecordBatchView } from '../../src/kafka-protocol/index.ts';
import type { MetadataStore, Topic, VirtualCluster } from '../../src/metadata/store.ts';
import { FaultyObjectStore } from '../../src/objects/faults.ts';
import { FileObjectStore } from '../../src/objects/file.ts';
import { MemoryObjectStore } from '../../src/objects/memory.ts';
import type { ObjectStore } from '../../src/objects/object-store.ts';
import { startTestPlatform } from '../helpers/platform.ts';
import { storeKinds, tempDir } from '../helpers/stores.ts';
import { buildBatch, decodeBatches, recordValues, valuesBatch, type BatchOptions } from './batches.ts';

/**
 * The agent's write path on its own: buffering across partitions into one object per flush,
 * the size trigger, failures of the object store and of the commit (nothing acknowledged,
 * nothing committed), commit order against upload order, and close().
 */

const STORAGE_ERROR = 56;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function views(blob: Buffer): RecordBatchView[] {
  const batches = validateBatches(blob, { fromProducer: true });
  if (!Array.isArray(batches)) throw batches;
  return batches;
}

function batchOf(prefix: string, count: number, options: BatchOptions = {}): RecordBatchView[] {
  return views(valuesBatch(prefix, count, options));
}

/** A pending promise's state without waiting for it. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await sleep(10);
  return done;
}

interface Fixture {
  store: MetadataStore;
  cluster: VirtualCluster;
  controlPlane: LocalControlPlane;
  topics: Topic[];
  errors: unknown[];
  metrics: AgentMetrics;
  writePath(objects: ObjectStore, options?: { flushIntervalMs?: number; flushBytes?: number; maxFlushesInFlight?: number; controlPlane?: ControlPlaneClient }): WritePath;
}

const sqlite = storeKinds()[0]!;

async function setup(t: TestContext): Promise<Fixture> {
  const platform = await startTestPlatform(sqlite, t);
  const store = platform.store;
  const cluster = (await store.getVirtualCluster(platform.boot.virtual_cluster_id))!;
  const topics = [
    await createTopic(store, cluster, { topic_name: 'orders', partition_count: 3 }),
    await createTopic(store, cluster, { topic_name: 'events', partition_count: 2 }),
  ];
  const controlPlane = localControlPlane(store);
  const errors: unknown[] = [];
  const metrics = new AgentMetrics();
  const made: WritePath[] = [];
  t.after(async () => {
    for (const w of made) await w.close();
  });
  return {
    store,
    cluster,
    controlPlane,
    topics,
    errors,
    metrics,
    writePath(objects, options = {}) {
      const w = new WritePath({
        controlPlane: options.controlPlane ?? controlPlane,
        objectStore: objects,
        virtualClusterId: cluster.id,
        flushIntervalMs: options.flushIntervalMs ?? 20,
        flushBytes: options.flushBytes ?? 8 * 1024 * 1024,
        ...(options.maxFlushesInFlight !== undefined && { maxFlushesInFlight: options.maxFlushesInFlight }),
        metrics,
        onError: (error) => errors.push(error),
      });
      made.push(w);
      return w;
    },
  };
}

/**
 * An object store whose puts start (and are recorded, in order) at once but finish only when the
 * test releases them: a flush can be held in flight without timing anything.
 */
class GatedObjectStore extends MemoryObjectStore {
  readonly started: string[] = [];
  private gate = Promise.withResolvers<void>();
  private waiters: Array<() => void> = [];

  override async put(key: string, data: Buffer | readonly Buffer[]): Promise<void> {
    this.started.push(key);
    for (const wake of this.waiters.splice(0)) wake();
    await this.gate.promise;
    await super.put(key, data);
  }

  /** Lets every put through, held and future. */
  release(): void {
    this.gate.resolve();
  }

  async waitForPuts(count: number): Promise<void> {
    while (this.started.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}

const okResult = (baseOffset: number): PartitionResult => ({ errorCode: 0, baseOffset, logStartOffset: 0 });
const failed: PartitionResult = { errorCode: STORAGE_ERROR, baseOffset: -1, logStartOffset: -1 };

async function highWatermark(f: Fixture, topic: Topic, partition: number): Promise<number> {
  return (await f.store.getPartitionState(topic.id, partition))?.high_watermark ?? 0;
}

async function indexed(f: Fixture, topic: Topic, partition: number) {
  return f.store.listBatchIndex(topic.id, partition, 0, 1000);
}

const objectStores: Array<{ name: string; open(t: TestContext): ObjectStore }> = [
  { name: 'memory', open: () => new MemoryObjectStore() },
  { name: 'file', open: (t) => new FileObjectStore(join(tempDir(t), 'objects')) },
];

describe('agent write path', () => {
  for (const kind of objectStores) {
    test(`batches of several partitions within one flush interval become ONE object (${kind.name})`, async (t) => {
      const f = await setup(t);
      const objects = kind.open(t);
      const w = f.writePath(objects, { flushIntervalMs: 50 });
      const [orders, events] = f.topics as [Topic, Topic];
      const appends = [
        { topicId: orders.id, partition: 0, batches: batchOf('o0a', 3) },
        { topicId: orders.id, partition: 2, batches: [...batchOf('o2a', 1), ...batchOf('o2b', 4)] },
        { topicId: events.id, partition: 1, batches: batchOf('e1a', 2) },
        { topicId: orders.id, partition: 0, batches: batchOf('o0b', 5) },
      ];
      const results = await Promise.all(appends.map((a) => w.append(a)));
      assert.deepEqual(results, [okResult(0), okResult(0), okResult(0), okResult(3)]);

      const keys = await objects.list('');
      assert.equal(keys.length, 1, `one object for the flush: ${keys.join(', ')}`);
      assert.match(keys[0]!, new RegExp(`^clusters/${f.cluster.id}/batches/`));
      assert.equal(f.metrics.objectsWritten, 1);
      assert.equal(f.metrics.flushLatencyMs.count, 1);
      // The object holds the producers' batches byte for byte, in arrival order.
      const object = await objects.get(keys[0]!);
      const sent = appends.flatMap((a) => a.batches.map((b) => b.bytes));
      assert.deepEqual(object, Buffer.concat(sent));
      // Each index entry points at exactly its batch.
      const entries = [...(await indexed(f, orders, 0)), ...(await indexed(f, orders, 2)), ...(await indexed(f, events, 1))];
      assert.equal(entries.length, 5);
      for (const entry of entries) {
        assert.equal(entry.object_key, keys[0]);
        const bytes = object.subarray(entry.byte_offset, entry.byte_offset + entry.byte_length);
        assert.ok(sent.some((s) => s.equals(bytes)), 'an index entry covers one whole batch');
      }
      assert.deepEqual(await Promise.all([highWatermark(f, orders, 0), highWatermark(f, orders, 2), highWatermark(f, events, 1), highWatermark(f, orders, 1)]), [8, 5, 2, 0]);

      // Read back through the read path: values in order, offsets assigned.
      const read = await new ReadPath(f.controlPlane, f.cluster.id, objects).read(orders.id, 0, 0, 1 << 20);
      assert.deepEqual(recordValues(read.records), ['o0a-0', 'o0a-1', 'o0a-2', 'o0b-0', 'o0b-1', 'o0b-2', 'o0b-3', 'o0b-4']);
      assert.deepEqual(decodeBatches(read.records).map((b) => b.baseOffset), [0n, 3n]);
      assert.ok(decodeBatches(read.records).every((b) => b.crcValid));

      // A later append lands in a second object.
      assert.deepEqual(await w.append({ topicId: events.id, partition: 1, batches: batchOf('e1b', 1) }), okResult(2));
      assert.equal((await objects.list('')).length, 2);
      assert.deepEqual(f.errors, []);
    });
  }

  test('flushBytes starts a flush early; smaller amounts wait for the interval', async (t) => {
    const f = await setup(t);
    const objects = new MemoryObjectStore();
    const w = f.writePath(objects, { flushIntervalMs: 60_000, flushBytes: 2000 });
    const [orders] = f.topics as [Topic];
    const big = views(buildBatch([{ value: Buffer.alloc(1200, 1) }]));
    const small = batchOf('s', 1);
    const first = w.append({ topicId: orders.id, partition: 0, batches: small });
    assert.equal(await settled(first), false, 'a small append waits');
    const second = w.append({ topicId: orders.id, partition: 1, batches: [...big, ...views(buildBatch([{ value: Buffer.alloc(900, 2) }]))] });
    const started = Date.now();
    assert.deepEqual(await Promise.all([first, second]), [okResult(0), okResult(0)]);
    assert.ok(Date.now() - started < 10_000, 'flushed by size, not by the 60 s interval');
    assert.equal((await objects.list('')).length, 1, 'both appends went into the one early object');

    const third = w.append({ topicId: orders.id, partition: 0, batches: batchOf('t', 2) });
    assert.equal(await settled(third), false, 'the buffer was emptied: a new small append waits again');
    w.flush();
    assert.deepEqual(await third, okResult(1));
    assert.equal((await objects.list('')).length, 2);
  });

  for (const timing of ['before', 'after'] as const) {
    test(`a failing object put (${timing}) answers KAFKA_STORAGE_ERROR and commits nothing`, async (t) => {
      const f = await setup(t);
      const objects = new FaultyObjectStore(new MemoryObjectStore());
      const w = f.writePath(objects);
      const [orders, events] = f.topics as [Topic, Topic];
      objects.failNext('put', 1, { timing });
      const results = await Promise.all([
        w.append({ topicId: orders.id, partition: 0, batches: batchOf('lost', 2) }),
        w.append({ topicId: events.id, partition: 1, batches: batchOf('lost', 3) }),
      ]);
      assert.deepEqual(results, [failed, failed]);
      assert.equal(objects.injected, 1);
      assert.equal(f.errors.length, 1, 'the failure was reported');
      assert.deepEqual(await indexed(f, orders, 0), []);
      assert.deepEqual(await indexed(f, events, 1), []);
      assert.equal(await highWatermark(f, orders, 0), 0);
      assert.equal(await highWatermark(f, events, 1), 0);
      assert.equal(f.metrics.objectsWritten, 0);
      // The next flush works and starts at offset 0: nothing was half-committed.
      assert.deepEqual(await w.append({ topicId: orders.id, partition: 0, batches: batchOf('kept', 2) }), okResult(0));
      assert.equal(await highWatermark(f, orders, 0), 2);
      const objectsNow = await objects.inner.list('');
      assert.equal(objectsNow.length, timing === 'after' ? 2 : 1, timing === 'after' ? 'the orphan object stays' : 'only the good object');
    });
  }

  test('a failing commit answers KAFKA_STORAGE_ERROR; a lost commit acknowledgement is healed by the idempotent retry', async (t) => {
    const f = await setup(t);
    const objects = new MemoryObjectStore();
    const [orders] = f.topics as [Topic];
    let mode: 'throw-before' | 'throw-after' | 'pass' = 'throw-before';
    const calls: string[] = [];
    const flaky: ControlPlaneClient = Object.assign(Object.create(f.controlPlane) as LocalControlPlane, {
      async commit(virtualClusterId: string, objectKey: string, batches: readonly BatchToCommit[]) {
        calls.push(mode);
        if (mode === 'throw-before') throw new Error('control plane unreachable');
        const result = await f.controlPlane.commit(virtualClusterId, objectKey, batches);
        if (mode === 'throw-after') throw new Error('answer lost on the way back');
        return result;
      },
    });
    const w = f.writePath(objects, { controlPlane: flaky });
    const producer = await f.store.transaction((tx) => tx.insertProducer({ virtual_cluster_id: f.cluster.id, transactional_id: null, producer_epoch: 0, created_at: Date.now() }));
    const idem = { producerId: producer.producer_id, producerEpoch: 0 };

    assert.deepEqual(await w.append({ topicId: orders.id, partition: 0, batches: batchOf('a', 2, { ...idem, baseSequence: 0 }) }), failed);
    assert.deepEqual(await indexed(f, orders, 0), []);
    assert.equal(await highWatermark(f, orders, 0), 0);

    // The producer retries the same batch: it is committed now.
    mode = 'pass';
    assert.deepEqual(await w.append({ topicId: orders.id, partition: 0, batches: batchOf('a', 2, { ...idem, baseSequence: 0 }) }), okResult(0));
    // A commit that lands but whose answer is lost: the producer hears 56 and retries ...
    mode = 'throw-after';
    assert.deepEqual(await w.append({ topicId: orders.id, partition: 0, batches: batchOf('b', 3, { ...idem, baseSequence: 2 }) }), failed);
    assert.equal(await highWatermark(f, orders, 0), 5, 'the commit did land');
    mode = 'pass';
    // ... and the retry is recognised: the original offset, no second copy.
    assert.deepEqual(await w.append({ topicId: orders.id, partition: 0, batches: batchOf('b', 3, { ...idem, baseSequence: 2 }) }), okResult(2));
    assert.equal(await highWatermark(f, orders, 0), 5);
    assert.deepEqual((await indexed(f, orders, 0)).map((e) => [e.base_offset, e.last_offset]), [[0, 1], [2, 4]]);
    assert.deepEqual(calls, ['throw-before', 'pass', 'throw-after', 'pass']);
    assert.equal(f.errors.length, 2);
  });

  test('commits stay in flush order when uploads finish out of order', async (t) => {
    const f = await setup(t);
    const inner = new MemoryObjectStore();
    const objects = new FaultyObjectStore(inner);
    const [orders] = f.topics as [Topic];
    const commitOrder: string[] = [];
    const putDone: string[] = [];
    const recording: ControlPlaneClient = Object.assign(Object.create(f.controlPlane) as LocalControlPlane, {
      commit(virtualClusterId: string, objectKey: string, batches: readonly BatchToCommit[]) {
        commitOrder.push(...new Set(batches.map((b) => b.object_key ?? objectKey)));
        return f.controlPlane.commit(virtualClusterId, objectKey, batches);
      },
    });
    const tracking: ObjectStore = {
      url: objects.url,
      put: async (key, data) => {
        await objects.put(key, data);
        putDone.push(key);
      },
      get: (key, range) => objects.get(key, range),
      list: (prefix) => objects.list(prefix),
      delete: (key) => objects.delete(key),
      close: () => objects.close(),
    };
    const w = f.writePath(tracking, { flushIntervalMs: 60_000, controlPlane: recording });
    const done: string[] = [];
    const track = (name: string, p: Promise<PartitionResult>) => p.then((r) => (done.push(name), r));

    // Three flushes: the first upload is slowest, the last fastest.
    objects.setLatency({ put: 300 });
    const a = track('a', w.append({ topicId: orders.id, partition: 0, batches: batchOf('a', 2) }));
    w.flush();
    objects.setLatency({ put: 100 });
    const b = track('b', w.append({ topicId: orders.id, partition: 0, batches: batchOf('b', 3) }));
    w.flush();
    objects.setLatency({ put: 0 });
    const c = track('c', w.append({ topicId: orders.id, partition: 0, batches: batchOf('c', 1) }));
    w.flush();

    assert.deepEqual(await Promise.all([a, b, c]), [okResult(0), okResult(2), okResult(5)]);
    const keys = await inner.list('');
    assert.equal(keys.length, 3);
    // Keys sort in flush order; uploads finished in reverse, commits and answers in flush order.
    assert.deepEqual(putDone, [keys[2], keys[1], keys[0]], 'uploads finished out of order');
    assert.deepEqual(commitOrder, keys, 'commits in flush order');
    assert.deepEqual(done, ['a', 'b', 'c']);
    const read = await new ReadPath(f.controlPlane, f.cluster.id, inner).read(orders.id, 0, 0, 1 << 20);
    assert.deepEqual(recordValues(read.records), ['a-0', 'a-1', 'b-0', 'b-1', 'b-2', 'c-0']);
  });

  test('with every flush slot taken, appends keep buffering and go out together as the NEXT object, committed after it', async (t) => {
    const f = await setup(t);
    const gated = new GatedObjectStore();
    const [orders, events] = f.topics as [Topic, Topic];
    const commitOrder: string[] = [];
    const recording: ControlPlaneClient = Object.assign(Object.create(f.controlPlane) as LocalControlPlane, {
      commit(virtualClusterId: string, objectKey: string, batches: readonly BatchToCommit[]) {
        commitOrder.push(...new Set(batches.map((b) => b.object_key ?? objectKey)));
        return f.controlPlane.commit(virtualClusterId, objectKey, batches);
      },
    });
    const w = f.writePath(gated, { flushIntervalMs: 60_000, maxFlushesInFlight: 1, controlPlane: recording });
    const done: string[] = [];
    const track = (name: string, p: Promise<PartitionResult>) => p.then((r) => (done.push(name), r));

    const a = track('a', w.append({ topicId: orders.id, partition: 0, batches: batchOf('a', 2) }));
    w.flush();
    await gated.waitForPuts(1);
    // Three produce requests (and explicit flushes) while the first object is still being written.
    const sent = { b: batchOf('b', 3), c: batchOf('c', 1), d: batchOf('d', 1) };
    const b = track('b', w.append({ topicId: orders.id, partition: 0, batches: sent.b }));
    w.flush();
    const c = track('c', w.append({ topicId: events.id, partition: 1, batches: sent.c }));
    w.flush();
    const d = track('d', w.append({ topicId: orders.id, partition: 0, batches: sent.d }));
    w.flush();
    assert.equal(await settled(b), false);
    assert.equal(gated.started.length, 1, 'no second upload while the first flush is in flight');
    assert.deepEqual(done, []);

    gated.release();
    assert.deepEqual(await Promise.all([a, b, c, d]), [okResult(0), okResult(2), okResult(0), okResult(5)]);
    assert.equal(gated.started.length, 2, 'b, c and d went out as ONE object');
    const [first, second] = gated.started as [string, string];
    assert.deepEqual(commitOrder, [first, second], 'commits in flush order');
    assert.deepEqual(done, ['a', 'b', 'c', 'd']);
    assert.deepEqual(await gated.get(second), Buffer.concat([...sent.b, ...sent.c, ...sent.d].map((v) => v.bytes)));
    assert.deepEqual((await indexed(f, orders, 0)).map((e) => [e.object_key, e.base_offset, e.last_offset]), [
      [first, 0, 1],
      [second, 2, 4],
      [second, 5, 5],
    ]);
    const read = await new ReadPath(f.controlPlane, f.cluster.id, gated).read(orders.id, 0, 0, 1 << 20);
    assert.deepEqual(recordValues(read.records), ['a-0', 'a-1', 'b-0', 'b-1', 'b-2', 'd-0']);
    assert.equal(f.metrics.objectsWritten, 2);
    assert.deepEqual(f.errors, []);
  });

  test('uploads overlap up to maxFlushesInFlight; what arrives beyond that becomes one object after them', async (t) => {
    const f = await setup(t);
    const gated = new GatedObjectStore();
    const [orders] = f.topics as [Topic];
    const w = f.writePath(gated, { flushIntervalMs: 60_000, maxFlushesInFlight: 2 });
    const a = w.append({ topicId: orders.id, partition: 2, batches: batchOf('a', 1) });
    w.flush();
    const b = w.append({ topicId: orders.id, partition: 2, batches: batchOf('b', 2) });
    w.flush();
    await gated.waitForPuts(2);
    const rest = ['c', 'd', 'e'].map((name) => {
      const p = w.append({ topicId: orders.id, partition: 2, batches: batchOf(name, 1) });
      w.flush();
      return p;
    });
    assert.equal(await settled(a), false);
    assert.equal(gated.started.length, 2, 'a third upload waits for a free slot');
    gated.release();
    assert.deepEqual(await Promise.all([a, b, ...rest]), [0, 1, 3, 4, 5].map(okResult));
    assert.equal(gated.started.length, 3, 'c, d and e became one object');
    const read = await new ReadPath(f.controlPlane, f.cluster.id, gated).read(orders.id, 2, 0, 1 << 20);
    assert.deepEqual(recordValues(read.records), ['a-0', 'b-0', 'b-1', 'c-0', 'd-0', 'e-0']);
  });

  test('a buffer over flushBytes behind a flush in flight is split into objects of at most flushBytes, in order', async (t) => {
    const f = await setup(t);
    const gated = new GatedObjectStore();
    const [orders] = f.topics as [Topic];
    const one = batchOf('x', 1)[0]!.bytes.length;
    const w = f.writePath(gated, { flushIntervalMs: 60_000, flushBytes: 2 * one, maxFlushesInFlight: 1 });
    const first = w.append({ topicId: orders.id, partition: 0, batches: batchOf('a', 1) });
    w.flush();
    await gated.waitForPuts(1);
    const rest = ['b', 'c', 'd', 'e', 'f'].map((name) => w.append({ topicId: orders.id, partition: 0, batches: batchOf(name, 1) }));
    gated.release();
    assert.deepEqual(await Promise.all([first, ...rest]), [0, 1, 2, 3, 4, 5].map(okResult));
    // [a], then [b c] [d e] [f]: each later object holds at most flushBytes.
    const sizes = await Promise.all(gated.started.map(async (key) => (await gated.get(key)).length));
    assert.deepEqual(sizes, [one, 2 * one, 2 * one, one]);
    const read = await new ReadPath(f.controlPlane, f.cluster.id, gated).read(orders.id, 0, 0, 1 << 20);
    assert.deepEqual(recordValues(read.records), ['a-0', 'b-0', 'c-0', 'd-0', 'e-0', 'f-0']);
  });

  test('objects written while a commit is running are committed together, in one commit, in flush order', async (t) => {
    const f = await setup(t);
    const objects = new MemoryObjectStore();
    const [orders, events] = f.topics as [Topic, Topic];
    const gate = Promise.withResolvers<void>();
    const calls: string[][] = [];
    let fail = false;
    const held: ControlPlaneClient = Object.assign(Object.create(f.controlPlane) as LocalControlPlane, {
      async commit(virtualClusterId: string, objectKey: string, batches: readonly BatchToCommit[]) {
        calls.push([...new Set(batches.map((b) => b.object_key ?? objectKey))]);
        if (calls.length === 1) await gate.promise;
        if (fail) throw new Error('control plane unreachable');
        return f.controlPlane.commit(virtualClusterId, objectKey, batches);
      },
    });
    const w = f.writePath(objects, { flushIntervalMs: 60_000, controlPlane: held });
    const a = w.append({ topicId: orders.id, partition: 0, batches: batchOf('a', 2) });
    w.flush();
    while (calls.length === 0) await sleep(1);
    const b = w.append({ topicId: orders.id, partition: 0, batches: batchOf('b', 1) });
    w.flush();
    const c = [
      w.append({ topicId: events.id, partition: 1, batches: batchOf('c', 2) }),
      w.append({ topicId: orders.id, partition: 0, batches: batchOf('d', 3) }),
    ];
    w.flush();
    while ((await objects.list('')).length < 3) await sleep(1);
    assert.equal(calls.length, 1, 'nothing else is committed while the first commit runs');
    gate.resolve();
    assert.deepEqual(await Promise.all([a, b, ...c]), [okResult(0), okResult(2), okResult(0), okResult(3)]);
    const keys = await objects.list('');
    assert.deepEqual(calls, [[keys[0]], [keys[1], keys[2]]], 'the second and third object in ONE commit');
    assert.equal(f.metrics.objectsWritten, 3);
    assert.deepEqual((await indexed(f, orders, 0)).map((e) => [e.object_key, e.base_offset, e.last_offset]), [
      [keys[0], 0, 1],
      [keys[1], 2, 2],
      [keys[2], 3, 5],
    ]);
    assert.deepEqual((await indexed(f, events, 1)).map((e) => [e.object_key, e.byte_offset]), [[keys[2], 0]]);
    const read = await new ReadPath(f.controlPlane, f.cluster.id, objects).read(orders.id, 0, 0, 1 << 20);
    assert.deepEqual(recordValues(read.records), ['a-0', 'a-1', 'b-0', 'd-0', 'd-1', 'd-2']);

    // A joint commit that fails fails every flush in it, retriably, and commits none of them.
    const gate2 = Promise.withResolvers<void>();
    const calls2: string[][] = [];
    let fail2 = false;
    const failing: ControlPlaneClient = Object.assign(Object.create(f.controlPlane) as LocalControlPlane, {
      async commit(virtualClusterId: string, objectKey: string, batches: readonly BatchToCommit[]) {
        calls2.push([...new Set(batches.map((b) => b.object_key ?? objectKey))]);
        if (calls2.length === 1) await gate2.promise;
        if (fail2) throw new Error('control plane unreachable');
        return f.controlPlane.commit(virtualClusterId, objectKey, batches);
      },
    });
    const w2 = f.writePath(objects, { flushIntervalMs: 60_000, controlPlane: failing });
    const first = w2.append({ topicId: orders.id, partition: 1, batches: batchOf('f', 1) });
    w2.flush();
    while (calls2.length === 0) await sleep(1);
    const joint = [w2.append({ topicId: orders.id, partition: 1, batches: batchOf('g', 1) })];
    w2.flush();
    joint.push(w2.append({ topicId: events.id, partition: 0, batches: batchOf('h', 1) }));
    w2.flush();
    while ((await objects.list('')).length < 6) await sleep(1);
    fail2 = true;
    gate2.resolve();
    assert.deepEqual(await Promise.all([first, ...joint]), [failed, failed, failed]);
    assert.equal(calls2.length, 2);
    assert.equal(calls2[1]!.length, 2, 'g and h were one commit');
    assert.equal(await highWatermark(f, orders, 1), 0);
    assert.equal(await highWatermark(f, events, 0), 0);
    assert.equal(f.errors.length, 3, 'each failed flush is reported');
  });

  test('a failed flush does not hold up the flushes after it', async (t) => {
    const f = await setup(t);
    const objects = new FaultyObjectStore(new MemoryObjectStore());
    const [orders] = f.topics as [Topic];
    const w = f.writePath(objects, { flushIntervalMs: 60_000 });
    objects.setLatency({ put: 200 });
    objects.failNext('put');
    const a = w.append({ topicId: orders.id, partition: 0, batches: batchOf('a', 2) });
    w.flush();
    objects.setLatency({ put: 0 });
    const b = w.append({ topicId: orders.id, partition: 0, batches: batchOf('b', 2) });
    w.flush();
    assert.deepEqual(await Promise.all([a, b]), [failed, okResult(0)]);
    assert.equal(await highWatermark(f, orders, 0), 2);
  });

  test('an upload that fails while an earlier flush is still uploading is answered, and the earlier one commits', async (t) => {
    const f = await setup(t);
    const objects = new FaultyObjectStore(new MemoryObjectStore());
    const [orders] = f.topics as [Topic];
    const w = f.writePath(objects, { flushIntervalMs: 60_000 });
    const rejections: unknown[] = [];
    const onUnhandled = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onUnhandled);
    t.after(() => process.off('unhandledRejection', onUnhandled));
    objects.setLatency({ put: 300 });
    const a = w.append({ topicId: orders.id, partition: 0, batches: batchOf('a', 2) });
    w.flush();
    objects.setLatency({ put: 0 });
    objects.failNext('put');
    const b = w.append({ topicId: orders.id, partition: 0, batches: batchOf('b', 2) });
    w.flush();
    const c = w.append({ topicId: orders.id, partition: 0, batches: batchOf('c', 1) });
    w.flush();
    assert.deepEqual(await Promise.all([a, b, c]), [okResult(0), failed, okResult(2)]);
    await sleep(20);
    assert.deepEqual(rejections, [], 'no unhandled rejection: the failed upload was awaited by the chain only later');
  });

  test('a coalesced flush that fails answers every producer in it retriably; the flush before it commits', async (t) => {
    const f = await setup(t);
    const gated = new GatedObjectStore();
    const objects = new FaultyObjectStore(gated);
    const [orders, events] = f.topics as [Topic, Topic];
    const w = f.writePath(objects, { flushIntervalMs: 60_000, maxFlushesInFlight: 1 });
    const rejections: unknown[] = [];
    const onUnhandled = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onUnhandled);
    t.after(() => process.off('unhandledRejection', onUnhandled));
    const a = w.append({ topicId: orders.id, partition: 0, batches: batchOf('a', 2) });
    w.flush();
    await gated.waitForPuts(1);
    objects.failNext('put');
    const b = w.append({ topicId: orders.id, partition: 0, batches: batchOf('b', 2) });
    w.flush();
    const c = w.append({ topicId: events.id, partition: 0, batches: batchOf('c', 1) });
    w.flush();
    gated.release();
    assert.deepEqual(await Promise.all([a, b, c]), [okResult(0), failed, failed]);
    assert.equal(objects.injected, 1, 'b and c were one put');
    assert.equal(f.errors.length, 1);
    assert.equal(await highWatermark(f, orders, 0), 2);
    assert.equal(await highWatermark(f, events, 0), 0);
    // The producers retry: the next flush commits right after the first one.
    const retries = [
      w.append({ topicId: orders.id, partition: 0, batches: batchOf('b', 2) }),
      w.append({ topicId: events.id, partition: 0, batches: batchOf('c', 1) }),
    ];
    w.flush();
    assert.deepEqual(await Promise.all(retries), [okResult(2), okResult(0)]);
    await sleep(20);
    assert.deepEqual(rejections, []);
  });

  test('a failing commit of a coalesced flush fails all of its producers and commits none of them', async (t) => {
    const f = await setup(t);
    const gated = new GatedObjectStore();
    const [orders, events] = f.topics as [Topic, Topic];
    let commits = 0;
    const failSecond: ControlPlaneClient = Object.assign(Object.create(f.controlPlane) as LocalControlPlane, {
      async commit(virtualClusterId: string, objectKey: string, batches: readonly BatchToCommit[]) {
        if (++commits === 2) throw new Error('control plane unreachable');
        return f.controlPlane.commit(virtualClusterId, objectKey, batches);
      },
    });
    const w = f.writePath(gated, { flushIntervalMs: 60_000, maxFlushesInFlight: 1, controlPlane: failSecond });
    const a = w.append({ topicId: orders.id, partition: 1, batches: batchOf('a', 1) });
    w.flush();
    await gated.waitForPuts(1);
    const rest = [
      w.append({ topicId: orders.id, partition: 1, batches: batchOf('b', 2) }),
      w.append({ topicId: events.id, partition: 1, batches: batchOf('c', 3) }),
      w.append({ topicId: orders.id, partition: 2, batches: batchOf('d', 1) }),
    ];
    w.flush();
    gated.release();
    assert.deepEqual(await Promise.all([a, ...rest]), [okResult(0), failed, failed, failed]);
    assert.equal(commits, 2);
    assert.equal(await highWatermark(f, orders, 1), 1);
    assert.equal(await highWatermark(f, events, 1), 0);
    assert.equal(await highWatermark(f, orders, 2), 0);
    assert.equal(f.errors.length, 1);
  });

  test('close() flushes what is buffered and waits for it; later appends are refused', async (t) => {
    const f = await setup(t);
    const objects = new FaultyObjectStore(new MemoryObjectStore(), { latencyMs: { put: 100 } });
    const [orders, events] = f.topics as [Topic, Topic];
    const w = f.writePath(objects, { flushIntervalMs: 60_000 });
    const a = w.append({ topicId: orders.id, partition: 1, batches: batchOf('a', 4) });
    const b = w.append({ topicId: events.id, partition: 0, batches: batchOf('b', 1) });
    assert.equal(await settled(a), false);
    await w.close();
    assert.equal(await settled(a), true, 'close() resolved only after the commit');
    assert.deepEqual(await Promise.all([a, b]), [okResult(0), okResult(0)]);
    assert.equal((await objects.inner.list('')).length, 1);
    assert.equal(await highWatermark(f, orders, 1), 4);
    const late = await w.append({ topicId: orders.id, partition: 1, batches: batchOf('late', 1) });
    assert.equal(late.errorCode, 6, 'NOT_LEADER_OR_FOLLOWER: the client goes to another agent');
    assert.equal(await highWatermark(f, orders, 1), 4);
    await w.close(); // twice is fine
  });
});
