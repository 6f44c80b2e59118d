import { withBaseOffset } from '../kafka-protocol/index.ts';
import { ObjectNotFound, type ObjectStore } from '../objects/object-store.ts';
import type { ControlPlaneClient } from '../agent-rpc/contract.ts';
import { parseMarkerObjectKey, type AbortedTransaction, type BatchIndexEntry, type PartitionState } from '../model/records.ts';
import { markerBatch } from './markers.ts';
import { KafkaError } from './kafka-errors.ts';

export interface PartitionRead {
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  records: Buffer | null;
  bytes: number;
  /** For a read_committed read that returned records: the aborted transactions among them. */
  abortedTransactions: AbortedTransaction[];
}

/** Kafka's isolation levels: read_committed reads only up to the last stable offset. */
export type IsolationLevel = 'read_uncommitted' | 'read_committed';

/**
 * A byte-budgeted LRU of objects read from the object store. Objects are immutable, so a cached
 * copy never goes stale; one GET serves every partition whose batches the object holds.
 */
class ObjectCache {
  private readonly entries = new Map<string, Promise<Buffer>>();
  private readonly sizes = new Map<string, number>();
  private bytes = 0;
  private readonly budget: number;
  private readonly store: ObjectStore;

  constructor(store: ObjectStore, budget: number) {
    this.store = store;
    this.budget = budget;
  }

  async range(key: string, offset: number, length: number): Promise<Buffer> {
    let entry = this.entries.get(key);
    if (entry) {
      // Refresh its place in the LRU order.
      this.entries.delete(key);
      this.entries.set(key, entry);
    } else {
      entry = this.store.get(key);
      this.entries.set(key, entry);
      entry.then(
        (object) => {
          this.sizes.set(key, object.length);
          this.bytes += object.length;
          this.evict();
        },
        () => this.entries.delete(key),
      );
    }
    const object = await entry;
    return object.subarray(offset, offset + length);
  }

  private evict(): void {
    for (const key of this.entries.keys()) {
      if (this.bytes <= this.budget) return;
      const size = this.sizes.get(key);
      if (size === undefined) continue; // still loading
      this.entries.delete(key);
      this.sizes.delete(key);
      this.bytes -= size;
    }
  }
}

const INDEX_PAGE = 64;
/** How long cached index entries are used: far shorter than the grace before a moved-from object is deleted. */
const INDEX_MAX_AGE_MS = 30_000;
/** Index entries kept per partition: enough for consumers near the tail and a little behind. */
const INDEX_ENTRIES_PER_PARTITION = 2048;
/** Partitions whose index is kept (least recently read ones are dropped). */
const INDEX_PARTITIONS = 4096;

/**
 * The batch index as the agent last read it, per partition. An entry's offsets and bytes never
 * change, but compaction moves them to another object (and key compaction drops some): a cached
 * entry then still points at the old object, which holds the same batch until its grace is over
 * (minutes, control-plane/log/objects.ts). So entries are dropped after INDEX_MAX_AGE_MS, well
 * inside the grace, and a read that finds an object gone reads the index again.
 */
class IndexCache {
  private readonly partitions = new Map<string, BatchIndexEntry[]>();
  private readonly loadedAt = new Map<string, number>();

  forget(topicId: string, partition: number): void {
    this.partitions.delete(`${topicId}/${partition}`);
    this.loadedAt.delete(`${topicId}/${partition}`);
  }

  /** The cached entry holding `offset`, if any. */
  find(topicId: string, partition: number, offset: number): BatchIndexEntry | undefined {
    const key = `${topicId}/${partition}`;
    const entries = this.partitions.get(key);
    if (!entries) return undefined;
    if (Date.now() - (this.loadedAt.get(key) ?? 0) > INDEX_MAX_AGE_MS) {
      this.forget(topicId, partition);
      return undefined;
    }
    this.partitions.delete(key);
    this.partitions.set(key, entries); // most recently used last
    let low = 0;
    let high = entries.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const entry = entries[middle]!;
      if (offset < entry.base_offset) high = middle - 1;
      else if (offset > entry.last_offset) low = middle + 1;
      else return entry;
    }
    return undefined;
  }

  add(topicId: string, partition: number, page: readonly BatchIndexEntry[]): void {
    if (page.length === 0) return;
    const key = `${topicId}/${partition}`;
    const byOffset = new Map((this.partitions.get(key) ?? []).map((entry) => [entry.base_offset, entry]));
    for (const entry of page) byOffset.set(entry.base_offset, entry);
    const entries = [...byOffset.values()].sort((a, b) => a.base_offset - b.base_offset).slice(-INDEX_ENTRIES_PER_PARTITION);
    this.partitions.delete(key);
    this.partitions.set(key, entries);
    if (!this.loadedAt.has(key)) this.loadedAt.set(key, Date.now());
    if (this.partitions.size > INDEX_PARTITIONS) {
      const oldest = this.partitions.keys().next().value!;
      this.partitions.delete(oldest);
      this.loadedAt.delete(oldest);
    }
  }
}

/**
 * The agent's read path: the control plane's index says which object and byte range hold the
 * batches from an offset on; the bytes come from the object store (through the cache) and go
 * out as stored, with only the batch's base offset (outside its CRC) set to the assigned offset.
 */
export class ReadPath {
  private readonly controlPlane: ControlPlaneClient;
  private readonly virtualClusterId: string;
  private readonly cache: ObjectCache;
  private readonly index = new IndexCache();

  constructor(controlPlane: ControlPlaneClient, virtualClusterId: string, objectStore: ObjectStore, cacheBytes = 256 * 1024 * 1024) {
    this.controlPlane = controlPlane;
    this.virtualClusterId = virtualClusterId;
    this.cache = new ObjectCache(objectStore, cacheBytes);
  }

  /**
   * Reads from `fetchOffset`: whole batches, the one holding the offset first, up to `maxBytes`
   * but always at least one batch (so a batch larger than the limit is still delivered).
   */
  async read(topicId: string, partition: number, fetchOffset: number, maxBytes: number, isolation: IsolationLevel = 'read_uncommitted'): Promise<PartitionRead> {
    try {
      return await this.readOnce(topicId, partition, fetchOffset, maxBytes, isolation);
    } catch (error) {
      if (!(error instanceof ObjectNotFound)) throw error;
      // Compaction moved the batches and the old object is gone: ask the control plane again.
      this.index.forget(topicId, partition);
      return this.readOnce(topicId, partition, fetchOffset, maxBytes, isolation);
    }
  }

  private async readOnce(topicId: string, partition: number, fetchOffset: number, maxBytes: number, isolation: IsolationLevel): Promise<PartitionRead> {
    const state: PartitionState = await this.controlPlane.partitionState(this.virtualClusterId, topicId, partition);
    const base = { highWatermark: state.high_watermark, lastStableOffset: state.last_stable_offset, logStartOffset: state.log_start_offset, abortedTransactions: [] };
    if (fetchOffset < state.log_start_offset || fetchOffset > state.high_watermark) {
      return { ...base, errorCode: KafkaError.OFFSET_OUT_OF_RANGE, records: null, bytes: 0 };
    }
    // read_committed consumers stop before the oldest open transaction (Kafka's last stable offset).
    const end = isolation === 'read_committed' ? state.last_stable_offset : state.high_watermark;
    if (fetchOffset >= end) return { ...base, errorCode: KafkaError.NONE, records: null, bytes: 0 };

    const entries: BatchIndexEntry[] = [];
    let size = 0;
    let next = fetchOffset;
    // Batches are taken in offset order until the byte budget is used or the end read above is
    // reached (batches committed since then wait for the next fetch). The index comes from the
    // cache; a miss reads a page from the control plane and keeps it.
    while (next < end) {
      let entry = this.index.find(topicId, partition, next);
      if (!entry) {
        const page = await this.controlPlane.readIndex(this.virtualClusterId, topicId, partition, next, INDEX_PAGE);
        this.index.add(topicId, partition, page);
        entry = page[0]; // the page starts with the batch holding `next`
        if (!entry) break;
      }
      if (entry.last_offset >= end) break;
      if (entries.length > 0 && size + entry.byte_length > maxBytes) break;
      entries.push(entry);
      size += entry.byte_length;
      next = entry.last_offset + 1;
      if (size >= maxBytes) break;
    }
    if (entries.length === 0) return { ...base, errorCode: KafkaError.NONE, records: null, bytes: 0 };

    const parts = await Promise.all(entries.map((entry) => this.batch(entry)));
    const records = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    const abortedTransactions = isolation === 'read_committed'
      ? await this.controlPlane.abortedTransactions(this.virtualClusterId, topicId, partition, fetchOffset, entries.at(-1)!.last_offset)
      : [];
    return { ...base, errorCode: KafkaError.NONE, records, bytes: records.length, abortedTransactions };
  }

  /** One indexed batch's bytes, from the object cache (a marker's: built), with the base offset the log gave it. */
  async batch(entry: BatchIndexEntry): Promise<Buffer> {
    const marker = parseMarkerObjectKey(entry.object_key);
    const bytes = marker ? markerBatch(marker, entry) : await this.cache.range(entry.object_key, entry.byte_offset, entry.byte_length);
    return withBaseOffset(bytes, BigInt(entry.base_offset));
  }

  /** As `read`, without records: the offsets a fetch reports for a partition it has no room for. */
  async offsetsOnly(topicId: string, partition: number, fetchOffset: number): Promise<PartitionRead> {
    const state = await this.controlPlane.partitionState(this.virtualClusterId, topicId, partition);
    const outOfRange = fetchOffset < state.log_start_offset || fetchOffset > state.high_watermark;
    return {
      highWatermark: state.high_watermark,
      lastStableOffset: state.last_stable_offset,
      logStartOffset: state.log_start_offset,
      errorCode: outOfRange ? KafkaError.OFFSET_OUT_OF_RANGE : KafkaError.NONE,
      records: null,
      bytes: 0,
      abortedTransactions: [],
    };
  }

  /** Resolves when any of the partitions gets a commit, or after `timeoutMs`. */
  waitForCommit(partitions: ReadonlyArray<{ topicId: string; partition: number }>, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const unsubscribes: Array<() => void> = [];
      const done = () => {
        clearTimeout(timer);
        for (const unsubscribe of unsubscribes) unsubscribe();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done);
      for (const { topicId, partition } of partitions) unsubscribes.push(this.controlPlane.onCommit(topicId, partition, done));
    });
  }
}
