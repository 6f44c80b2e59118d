/**
 * A partition's stored batches, reached around the agent for the records tests: produce raw
 * batches, read back exactly the bytes stored, and swap the partition's batches for compacted
 * ones the way a compaction job would (a new object, the index rewritten).
 */
import assert from 'node:assert/strict';
import { createTopic } from '../../src/control-plane/services/topics.ts';
import { ApiKeys, decodeBatch, type CompactedBatch, type DecodedBatch, type PartitionBatch } from '../../src/kafka-protocol/index.ts';
import type { Topic } from '../../src/metadata/store.ts';
import { openObjectStore } from '../../src/objects/open.ts';
import type { TestCluster } from '../helpers/cluster.ts';
import { RawClient } from '../agent/client.ts';

export interface SimpleRecord {
  offset: number;
  timestamp?: number;
  key: string | null;
  value: string | null;
  headers: Array<[string, string | null]>;
}

export async function newTopic(cluster: TestCluster, name: string): Promise<Topic> {
  const vc = (await cluster.platform.store.getVirtualCluster(cluster.boot.virtual_cluster_id))!;
  return createTopic(cluster.platform.store, vc, { topic_name: name, partition_count: 1 });
}

/** Produces `batch` (one raw batch) to partition 0; answers its base offset. */
export async function produceRaw(cluster: TestCluster, topic: string, batch: Buffer): Promise<number> {
  const client = await RawClient.connect(cluster.bootstrap);
  try {
    const response = await client.request(ApiKeys.Produce, 9, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
    });
    const p = response.responses[0]!.partitionResponses[0]!;
    assert.equal(p.errorCode, 0, `produce to ${topic}: error ${p.errorCode} ${p.errorMessage ?? ''}`);
    return Number(p.baseOffset);
  } finally {
    client.close();
  }
}

/**
 * The partition's batches as stored (index and object store, not a Fetch: the agent's index
 * cache must not see them before `replaceBatches`), with the offsets the index gives them.
 */
export async function storedBatches(cluster: TestCluster, topic: Topic): Promise<PartitionBatch[]> {
  const objects = openObjectStore('file://', { dataDir: cluster.dataDir });
  try {
    const entries = await cluster.platform.store.listBatchIndex(topic.id, 0, 0, 10_000);
    return Promise.all(entries.map(async (e) => ({
      baseOffset: BigInt(e.base_offset),
      bytes: await objects.get(e.object_key, { offset: e.byte_offset, length: e.byte_length }),
    })));
  } finally {
    await objects.close();
  }
}

/** Decoded batches with the offsets the partition gives them, and their bytes. */
export function decodeStored(batches: readonly PartitionBatch[]): Array<DecodedBatch & { bytes: Buffer }> {
  return batches.map((b) => ({ ...decodeBatch(b.bytes), baseOffset: b.baseOffset, bytes: b.bytes }));
}

/** Writes what compaction answered as the partition's log: one new object, the index rewritten. */
export async function replaceBatches(cluster: TestCluster, topic: Topic, compacted: readonly CompactedBatch[]): Promise<void> {
  const objects = openObjectStore('file://', { dataDir: cluster.dataDir });
  const key = `compacted/${topic.id}/${Date.now()}`;
  const kept = compacted.filter((c) => c.action !== 'dropped');
  let position = 0;
  const entries = kept.map((c) => {
    const entry = {
      topic_id: topic.id,
      partition: 0,
      base_offset: Number(c.baseOffset),
      last_offset: Number(c.lastOffset),
      max_timestamp: Number(c.maxTimestamp),
      object_key: key,
      byte_offset: position,
      byte_length: c.bytes.length,
    };
    position += c.bytes.length;
    return entry;
  });
  try {
    await objects.put(key, kept.map((c) => c.bytes));
  } finally {
    await objects.close();
  }
  const state = (await cluster.platform.store.getPartitionState(topic.id, 0))!;
  await cluster.platform.store.deleteBatchIndexBefore(topic.id, 0, state.high_watermark);
  await cluster.platform.store.insertBatchIndex(entries);
}
