import { randomBytes } from 'node:crypto';
import type { ControlPlaneClient } from '../../agent-rpc/contract.ts';
import { compactPartition } from '../../kafka-protocol/index.ts';
import { parseMarkerObjectKey, type BatchDrop, type BatchIndexEntry, type BatchMove, type Topic } from '../../model/records.ts';
import { markerBatch } from '../markers.ts';
import type { ObjectStore } from '../../objects/object-store.ts';

/** Kafka's defaults for the topic configs key compaction reads. */
const DEFAULT_DELETE_RETENTION_MS = 86_400_000;
const DEFAULT_MIN_COMPACTION_LAG_MS = 0;
/** A partition larger than this is left for a later version: the cleaner reads a whole partition into memory. */
export const MAX_COMPACTED_PARTITION_BYTES = 256 * 1024 * 1024;
const INDEX_PAGE = 1000;

export interface KeyCompactionReport {
  partitions: number;
  rewritten: number;
  dropped: number;
  skipped_too_large: number;
}

export function isCompacted(topic: Pick<Topic, 'configs'>): boolean {
  return (topic.configs['cleanup.policy'] ?? 'delete').split(',').map((p) => p.trim()).includes('compact');
}

function longConfig(topic: Topic, name: string, fallback: number): number {
  const raw = topic.configs[name];
  const value = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(value) ? value : fallback;
}

/**
 * `cleanup.policy=compact` (Kafka's log cleaner, kafka-protocol/compaction.ts): for each
 * partition of a compacted topic that grew since it was last cleaned, read its batches, keep the
 * last record per key (tombstones until delete.retention.ms), and commit the rewritten batches —
 * written to one new object first — as moves, and the emptied ones as drops. Offsets never
 * change. The newest batch and anything younger than min.compaction.lag.ms are not cleaned
 * (Kafka never cleans the active segment). Records are decompressed and rewritten only here.
 */
export class KeyCompactor {
  /**
   * Per partition, the high watermark and time it was last cleaned at: an unchanged partition is
   * read again only once tombstones may have passed their delete horizon.
   */
  private readonly cleanedAt = new Map<string, { highWatermark: number; at: number }>();
  private readonly controlPlane: ControlPlaneClient;
  private readonly objectStore: ObjectStore;
  private readonly virtualClusterId: string;

  constructor(controlPlane: ControlPlaneClient, objectStore: ObjectStore, virtualClusterId: string) {
    this.controlPlane = controlPlane;
    this.objectStore = objectStore;
    this.virtualClusterId = virtualClusterId;
  }

  async run(now = Date.now()): Promise<KeyCompactionReport> {
    const report: KeyCompactionReport = { partitions: 0, rewritten: 0, dropped: 0, skipped_too_large: 0 };
    for (const topic of await this.controlPlane.listTopics(this.virtualClusterId)) {
      if (!isCompacted(topic)) continue;
      for (let partition = 0; partition < topic.partition_count; partition++) {
        await this.compact(topic, partition, now, report);
      }
    }
    return report;
  }

  private async compact(topic: Topic, partition: number, now: number, report: KeyCompactionReport): Promise<void> {
    const key = `${topic.id}/${partition}`;
    const state = await this.controlPlane.partitionState(this.virtualClusterId, topic.id, partition);
    const deleteRetentionMs = longConfig(topic, 'delete.retention.ms', DEFAULT_DELETE_RETENTION_MS);
    const last = this.cleanedAt.get(key);
    if (state.high_watermark === state.log_start_offset) return;
    if (last && last.highWatermark === state.high_watermark && now - last.at < Math.min(deleteRetentionMs, 10 * 60_000)) return;
    const entries: BatchIndexEntry[] = [];
    let bytes = 0;
    for (let from = state.log_start_offset; from < state.high_watermark; ) {
      const page = await this.controlPlane.readIndex(this.virtualClusterId, topic.id, partition, from, INDEX_PAGE);
      if (page.length === 0) break;
      for (const entry of page) bytes += entry.byte_length;
      entries.push(...page);
      from = page.at(-1)!.last_offset + 1;
    }
    if (entries.length < 2) return;
    if (bytes > MAX_COMPACTED_PARTITION_BYTES) {
      report.skipped_too_large++;
      return;
    }
    const lagMs = longConfig(topic, 'min.compaction.lag.ms', DEFAULT_MIN_COMPACTION_LAG_MS);
    // The newest batch stays out (the "active segment"), and so does everything from the first
    // batch younger than the compaction lag on.
    let firstUncleanable = Math.min(entries.at(-1)!.base_offset, state.last_stable_offset); // open transactions stay out too
    const young = entries.find((entry) => entry.max_timestamp > now - lagMs);
    if (young) firstUncleanable = Math.min(firstUncleanable, young.base_offset);
    const aborted = await this.controlPlane.abortedTransactions(this.virtualClusterId, topic.id, partition, state.log_start_offset, firstUncleanable);

    const objects = new Map<string, Promise<Buffer>>();
    const batches = await Promise.all(entries.map(async (entry) => {
      const marker = parseMarkerObjectKey(entry.object_key);
      if (marker) return { baseOffset: BigInt(entry.base_offset), bytes: markerBatch(marker, entry) };
      let object = objects.get(entry.object_key);
      if (!object) objects.set(entry.object_key, (object = this.objectStore.get(entry.object_key)));
      return { baseOffset: BigInt(entry.base_offset), bytes: (await object).subarray(entry.byte_offset, entry.byte_offset + entry.byte_length) };
    }));
    const results = compactPartition({
      batches,
      now,
      deleteRetentionMs,
      firstUncleanableOffset: BigInt(firstUncleanable),
      abortedTransactions: aborted.map((a) => ({ producerId: BigInt(a.producer_id), firstOffset: BigInt(a.first_offset), lastOffset: BigInt(a.last_offset) })),
    });

    const parts: Buffer[] = [];
    const moves: BatchMove[] = [];
    const drops: BatchDrop[] = [];
    let size = 0;
    results.forEach((result, i) => {
      const entry = entries[i]!;
      if (result.action === 'dropped') {
        drops.push({ topic_id: topic.id, partition, base_offset: entry.base_offset, from_object_key: entry.object_key });
      } else if (result.action === 'rewritten') {
        moves.push({
          topic_id: topic.id, partition, base_offset: entry.base_offset, from_object_key: entry.object_key,
          byte_offset: size, byte_length: result.bytes.length, last_offset: Number(result.lastOffset), max_timestamp: Number(result.maxTimestamp),
        });
        parts.push(result.bytes);
        size += result.bytes.length;
      }
    });
    report.partitions++;
    if (moves.length > 0 || drops.length > 0) {
      const objectKey = `clusters/${this.virtualClusterId}/compacted/keys/${Date.now()}-${randomBytes(6).toString('hex')}`;
      if (parts.length > 0) await this.objectStore.put(objectKey, parts);
      const rewrite = await this.controlPlane.commitRewrite(this.virtualClusterId, { new_object_key: objectKey, level: 1, byte_size: size, moves, drops });
      report.rewritten += rewrite.moved;
      report.dropped += rewrite.dropped;
    }
    this.cleanedAt.set(key, { highWatermark: state.high_watermark, at: now });
  }
}
