/**
 * Helpers for the partition-log tests (test/log): a platform with a cluster and topics, and
 * commits of objects whose batches are laid out one after another, with the timestamps and
 * sizes a test chooses.
 */
import assert from 'node:assert/strict';
import { commitBatches, type BatchToCommit } from '../../src/control-plane/log/commit.ts';
import { createTopic, type CreateTopicRequest } from '../../src/control-plane/services/topics.ts';
import type { MetadataStore, Topic, VirtualCluster } from '../../src/metadata/store.ts';
import { startTestPlatform, type TestPlatform } from './platform.ts';
import type { Cleanup, StoreKind } from './stores.ts';

export interface LogFixture<Name extends string = string> {
  store: MetadataStore;
  platform: TestPlatform;
  cluster: VirtualCluster;
  topics: Record<Name, Topic>;
}

/** The bootstrap cluster with the given topics (name → partition count, or a full request). */
export async function logFixture<Name extends string>(
  kind: StoreKind,
  t: Cleanup,
  topics: Record<Name, number | Omit<CreateTopicRequest, 'topic_name'>>,
): Promise<LogFixture<Name>> {
  const platform = await startTestPlatform(kind, t);
  const cluster = (await platform.store.getVirtualCluster(platform.boot.virtual_cluster_id))!;
  const made = {} as Record<Name, Topic>;
  for (const [name, spec] of Object.entries(topics) as Array<[Name, number | Omit<CreateTopicRequest, 'topic_name'>]>) {
    const request = typeof spec === 'number' ? { partition_count: spec } : spec;
    made[name] = await createTopic(platform.store, cluster, { topic_name: name, ...request });
  }
  return { store: platform.store, platform, cluster, topics: made };
}

/** One batch of an object: its partition, records, max timestamp and size in bytes. */
export interface Put {
  topic: Topic;
  partition: number;
  records?: number;
  timestamp?: number;
  bytes?: number;
}

/** Commits one object holding `puts` back to back; answers each batch's base offset. */
export async function commitObject(f: LogFixture, objectKey: string, puts: readonly Put[], objectSizes?: Record<string, number>): Promise<number[]> {
  let at = 0;
  const batches: BatchToCommit[] = puts.map((put) => {
    const bytes = put.bytes ?? 100;
    const batch: BatchToCommit = {
      topic_id: put.topic.id,
      partition: put.partition,
      byte_offset: at,
      byte_length: bytes,
      last_offset_delta: (put.records ?? 1) - 1,
      max_timestamp: put.timestamp ?? 1_000,
      producer_id: -1,
      producer_epoch: -1,
      base_sequence: -1,
    };
    at += bytes;
    return batch;
  });
  const results = await commitBatches(f.store, f.cluster.id, objectKey, batches, objectSizes);
  for (const r of results) assert.equal(r.error_code, 0, `commit of ${objectKey}`);
  return results.map((r) => r.base_offset);
}

/** The partition's log start and high watermark (0 and 0 without a row). */
export async function offsets(f: LogFixture, topic: Topic, partition: number): Promise<{ log_start_offset: number; high_watermark: number }> {
  const state = await f.store.getPartitionState(topic.id, partition);
  return { log_start_offset: state?.log_start_offset ?? 0, high_watermark: state?.high_watermark ?? 0 };
}

/** Base offsets of the partition's index entries. */
export async function indexed(f: LogFixture, topic: Topic, partition: number): Promise<number[]> {
  return (await f.store.listBatchIndex(topic.id, partition, 0, 100_000)).map((e) => e.base_offset);
}

/** Keys of the released objects due by `now` (everything, by default). */
export async function dueKeys(f: LogFixture, now = Number.MAX_SAFE_INTEGER): Promise<string[]> {
  return (await f.store.listDueObjectDeletions(f.cluster.id, now, 100_000)).map((d) => d.object_key).sort();
}

/** Keys of the cluster's recorded objects of `level`. */
export async function recordedKeys(f: LogFixture, level = 0): Promise<string[]> {
  return (await f.store.listObjects(f.cluster.id, level, Number.MAX_SAFE_INTEGER, 100_000)).map((o) => o.object_key).sort();
}
