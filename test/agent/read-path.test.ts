import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LocalControlPlane } from '../../src/control-plane/agent-rpc/local.ts';
import { localControlPlane } from '../helpers/control-plane.ts';
import { AgentMetrics } from '../../src/agent/metrics.ts';
import { ReadPath } from '../../src/agent/read-path.ts';
import { WritePath } from '../../src/agent/write-path.ts';
import { createTopic } from '../../src/control-plane/services/topics.ts';
import { validateBatches, type RecordBatchView } from '../../src/kafka-protocol/index.ts';
import { MemoryObjectStore } from '../../src/objects/memory.ts';
import { startTestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';
import { decodeBatches, valuesBatch } from './batches.ts';

/** A control plane that counts how often the agent asks for the index and for objects. */
class CountingControlPlane extends LocalControlPlane {
  indexReads = 0;
  override readIndex(virtualClusterId: string, topicId: string, partition: number, fromOffset: number, limit: number) {
    this.indexReads++;
    return super.readIndex(virtualClusterId, topicId, partition, fromOffset, limit);
  }
}

class CountingObjects extends MemoryObjectStore {
  gets = 0;
  override get(key: string, range?: { offset: number; length: number }) {
    this.gets++;
    return super.get(key, range);
  }
}

function views(blob: Buffer): RecordBatchView[] {
  const batches = validateBatches(blob, { fromProducer: true });
  if (!Array.isArray(batches)) throw batches;
  return batches;
}

describe('read path', () => {
  test('reads whole batches in offset order, and serves repeated reads from its index and object caches', async (t) => {
    const platform = await startTestPlatform(storeKinds()[0]!, t);
    const cluster = (await platform.store.getVirtualCluster(platform.boot.virtual_cluster_id))!;
    const topic = await createTopic(platform.store, cluster, { topic_name: 'cached', partition_count: 1 });
    const controlPlane = new CountingControlPlane(platform.store, localControlPlane(platform.store, t).groups);
    const objects = new CountingObjects();
    const writePath = new WritePath({
      controlPlane,
      objectStore: objects,
      virtualClusterId: cluster.id,
      flushIntervalMs: 1,
      flushBytes: 1 << 20,
      metrics: new AgentMetrics(),
      onError: (error) => assert.fail(String(error)),
    });
    t.after(() => writePath.close());
    // Ten batches of three records, in ten objects.
    for (let i = 0; i < 10; i++) {
      const result = await writePath.append({ topicId: topic.id, partition: 0, batches: views(valuesBatch(`b${i}-`, 3)) });
      assert.equal(result.baseOffset, i * 3);
    }

    const readPath = new ReadPath(controlPlane, cluster.id, objects);
    const first = await readPath.read(topic.id, 0, 4, 1 << 20);
    assert.equal(first.highWatermark, 30);
    const batches = decodeBatches(first.records);
    // The batch holding offset 4 (3..5) first, then every later one, offsets rewritten in place.
    assert.deepEqual(batches.map((b) => Number(b.baseOffset)), [3, 6, 9, 12, 15, 18, 21, 24, 27]);
    const indexReads = controlPlane.indexReads;
    const gets = objects.gets;
    assert.ok(indexReads >= 1 && gets === 9, `index reads ${indexReads}, object gets ${gets}`);

    // The same range again, and a later part of it: no new index read, no new object read.
    const again = await readPath.read(topic.id, 0, 4, 1 << 20);
    assert.deepEqual(again.records, first.records);
    const tail = await readPath.read(topic.id, 0, 25, 1 << 20);
    assert.deepEqual(decodeBatches(tail.records).map((b) => Number(b.baseOffset)), [24, 27]);
    assert.equal(controlPlane.indexReads, indexReads);
    assert.equal(objects.gets, gets);

    // A byte budget smaller than one batch still gets that one batch, and only it.
    const one = await readPath.read(topic.id, 0, 0, 1);
    assert.deepEqual(decodeBatches(one.records).map((b) => Number(b.baseOffset)), [0]);
  });
});
