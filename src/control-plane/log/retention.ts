import type { PartitionRetention, RetentionResult } from '../../agent-rpc/contract.ts';
import type { MetadataStore, PartitionState, Topic } from '../../metadata/store.ts';
import { clusterConfiguration } from '../../model/cluster-configuration.ts';
import { OBJECT_DELETION_GRACE_MS, releaseUnreferencedObjects, type ObjectGraceOptions } from './objects.ts';

export type { PartitionRetention, RetentionResult };

/**
 * Time and size retention (Kafka's `retention.ms` and `retention.bytes`) for the topics whose
 * `cleanup.policy` includes `delete` (the default). Whole batches go, oldest first, so the log
 * start moves to the first kept batch (or to the high watermark: the log may become empty);
 * their index entries are removed and the objects nothing references any more are released.
 *
 * Partitions are trimmed in bounded transactions (a few partitions, a bounded number of
 * entries each), each partition read and written inside one transaction, and the log start is
 * only ever moved forward by a statement that leaves the high watermark alone: a commit
 * appending to the partition meanwhile is neither lost nor has its log start reset.
 */

export interface RetentionOptions extends ObjectGraceOptions {
  /** Partitions per transaction (default 100). */
  partitionsPerTransaction?: number;
  /**
   * Most index entries one partition drops in one transaction (default 10,000); a partition
   * with more to drop goes round again in a later transaction of the same run.
   */
  batchesPerTransaction?: number;
}

/** A topic's limits, or undefined when retention does nothing to it. -1 means no limit. */
interface Limits {
  ms: number;
  bytes: number;
}

function limitsOf(topic: Topic, defaultRetentionMs: number): Limits | undefined {
  const policy = (topic.configs['cleanup.policy'] ?? 'delete').split(',').map((item) => item.trim());
  if (!policy.includes('delete')) return undefined;
  const ms = numberOr(topic.configs['retention.ms'], defaultRetentionMs);
  const bytes = numberOr(topic.configs['retention.bytes'], -1);
  return ms < 0 && bytes < 0 ? undefined : { ms, bytes };
}

function numberOr(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? n : -1;
}

/** Applies retention to every live topic of the cluster at time `now` (epoch ms). */
export async function applyRetention(store: MetadataStore, virtualClusterId: string, now: number, options: RetentionOptions = {}): Promise<RetentionResult> {
  const perTransaction = Math.max(1, options.partitionsPerTransaction ?? 100);
  const batchesPerTransaction = Math.max(1, options.batchesPerTransaction ?? 10_000);
  const graceMs = options.graceMs ?? OBJECT_DELETION_GRACE_MS;
  const result: RetentionResult = { partitions_examined: 0, partitions: [], released_object_keys: [] };
  const cluster = await store.getVirtualCluster(virtualClusterId);
  if (!cluster) return result;
  const defaultRetentionMs = clusterConfiguration(cluster).default_retention_millis;

  // Read outside any transaction: only which partitions hold data. Each is read again, and
  // decided, inside the transaction that trims it.
  let queue: Array<{ topic_id: string; partition: number }> = [];
  for (const topic of await store.listTopics(virtualClusterId, 'live')) {
    if (!limitsOf(topic, defaultRetentionMs)) continue;
    for (const state of await store.listPartitionStates(topic.id)) {
      if (state.high_watermark > state.log_start_offset) queue.push({ topic_id: topic.id, partition: state.partition });
    }
  }
  result.partitions_examined = queue.length;

  const done = new Map<string, PartitionRetention>();
  const released = new Set<string>();
  while (queue.length > 0) {
    const chunk = queue.slice(0, perTransaction);
    queue = queue.slice(perTransaction);
    const outcome = await store.transaction(async (tx) => {
      const trimmed: PartitionRetention[] = [];
      const again: typeof chunk = [];
      const objectKeys = new Set<string>();
      const topics = new Map<string, Topic | undefined>();
      for (const unit of chunk) {
        if (!topics.has(unit.topic_id)) topics.set(unit.topic_id, await tx.getTopicById(unit.topic_id));
        const topic = topics.get(unit.topic_id);
        const limits = topic && topic.deleted_at === null ? limitsOf(topic, defaultRetentionMs) : undefined;
        const state = limits && (await tx.getPartitionState(unit.topic_id, unit.partition));
        if (!topic || !limits || !state) continue;
        const cut = await retentionCut(tx, state, limits, now, batchesPerTransaction);
        if (cut.offset <= state.log_start_offset) continue;
        const removed = await tx.deleteBatchIndexBefore(state.topic_id, state.partition, cut.offset);
        await tx.advanceLogStartOffset(state.topic_id, state.partition, cut.offset);
        await tx.transactions.deleteAbortedTransactionsBefore(state.topic_id, state.partition, cut.offset);
        for (const key of removed.object_keys) objectKeys.add(key);
        trimmed.push({
          topic_id: topic.id,
          topic_name: topic.name,
          partition: state.partition,
          previous_log_start_offset: state.log_start_offset,
          log_start_offset: cut.offset,
          high_watermark: state.high_watermark,
          batches_deleted: removed.batches,
          bytes_deleted: removed.bytes,
        });
        if (cut.more) again.push(unit);
      }
      const releasedHere = await releaseUnreferencedObjects(tx, virtualClusterId, objectKeys, now, graceMs);
      return { trimmed, again, releasedHere };
    });
    for (const t of outcome.trimmed) {
      const key = `${t.topic_id}/${t.partition}`;
      const earlier = done.get(key);
      done.set(key, earlier ? { ...t, previous_log_start_offset: earlier.previous_log_start_offset, batches_deleted: earlier.batches_deleted + t.batches_deleted, bytes_deleted: earlier.bytes_deleted + t.bytes_deleted } : t);
    }
    for (const key of outcome.releasedHere) released.add(key);
    queue.push(...outcome.again);
  }
  result.partitions = [...done.values()].sort((a, b) => (a.topic_name < b.topic_name ? -1 : a.topic_name > b.topic_name ? 1 : a.partition - b.partition));
  result.released_object_keys = [...released].sort();
  return result;
}

/**
 * Where the partition's log should start: the first batch both limits keep, or the high
 * watermark when they keep none; capped so one transaction drops at most `maxBatches` entries
 * (`more` then says the partition needs another round).
 */
async function retentionCut(tx: MetadataStore, state: PartitionState, limits: Limits, now: number, maxBatches: number): Promise<{ offset: number; more: boolean }> {
  const { topic_id, partition, high_watermark } = state;
  let offset = state.log_start_offset;
  if (limits.ms >= 0 && now - limits.ms > 0) {
    const kept = await tx.findFirstBatchAtOrAfter(topic_id, partition, offset, now - limits.ms);
    offset = kept ? Math.max(offset, kept.base_offset) : high_watermark;
  }
  if (limits.bytes >= 0 && offset < high_watermark) {
    const kept = await tx.findFirstBatchWithinBytes(topic_id, partition, offset, limits.bytes);
    offset = kept ? Math.max(offset, kept.base_offset) : high_watermark;
  }
  offset = Math.min(offset, high_watermark);
  if (offset <= state.log_start_offset) return { offset, more: false };
  const limit = await tx.findBatchIndexEntryAfter(topic_id, partition, state.log_start_offset, maxBatches);
  if (limit && limit.base_offset < offset) return { offset: limit.base_offset, more: true };
  return { offset, more: false };
}
