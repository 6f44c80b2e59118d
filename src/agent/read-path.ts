import { withBaseOffset } from '../kafka-protocol/index.ts';
import type { BatchIndexEntry, PartitionState } from '../metadata/store.ts';
import type { ObjectStore } from '../objects/object-store.ts';
import type { ControlPlaneClient } from './control-plane-client.ts';
import { KafkaError } from './kafka-errors.ts';

export interface PartitionRead {
  errorCode: number;
  highWatermark: number;
  logStartOffset: number;
  records: Buffer | null;
  bytes: number;
}

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

/**
 * The agent's read path: the control plane's index says which object and byte range hold the
 * batches from an offset on; the bytes come from the object store (through the cache) and go
 * out as stored, with only the batch's base offset (outside its CRC) set to the assigned offset.
 */
export class ReadPath {
  private readonly controlPlane: ControlPlaneClient;
  private readonly cache: ObjectCache;

  constructor(controlPlane: ControlPlaneClient, objectStore: ObjectStore, cacheBytes = 256 * 1024 * 1024) {
    this.controlPlane = controlPlane;
    this.cache = new ObjectCache(objectStore, cacheBytes);
  }

  /**
   * Reads from `fetchOffset`: whole batches, the one holding the offset first, up to `maxBytes`
   * but always at least one batch (so a batch larger than the limit is still delivered).
   */
  async read(topicId: string, partition: number, fetchOffset: number, maxBytes: number): Promise<PartitionRead> {
    const state: PartitionState = await this.controlPlane.partitionState(topicId, partition);
    const base = { highWatermark: state.high_watermark, logStartOffset: state.log_start_offset };
    if (fetchOffset < state.log_start_offset || fetchOffset > state.high_watermark) {
      return { ...base, errorCode: KafkaError.OFFSET_OUT_OF_RANGE, records: null, bytes: 0 };
    }
    if (fetchOffset === state.high_watermark) return { ...base, errorCode: KafkaError.NONE, records: null, bytes: 0 };

    const entries: BatchIndexEntry[] = [];
    let size = 0;
    let from = fetchOffset;
    // The index is read a page at a time until the byte budget is used.
    for (;;) {
      const page = await this.controlPlane.readIndex(topicId, partition, from, 64);
      for (const entry of page) {
        // Only what the high watermark read above covers: batches committed since wait for the next fetch.
        if (entry.last_offset >= state.high_watermark) break;
        if (entries.length > 0 && size + entry.byte_length > maxBytes) break;
        entries.push(entry);
        size += entry.byte_length;
      }
      const last = entries.at(-1);
      if (page.length < 64 || !last || size >= maxBytes || last !== page.at(-1)) break;
      from = last.last_offset + 1;
    }
    if (entries.length === 0) return { ...base, errorCode: KafkaError.NONE, records: null, bytes: 0 };

    const parts = await Promise.all(
      entries.map(async (entry) => withBaseOffset(await this.cache.range(entry.object_key, entry.byte_offset, entry.byte_length), BigInt(entry.base_offset))),
    );
    const records = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    return { ...base, errorCode: KafkaError.NONE, records, bytes: records.length };
  }

  /** As `read`, without records: the offsets a fetch reports for a partition it has no room for. */
  async offsetsOnly(topicId: string, partition: number, fetchOffset: number): Promise<PartitionRead> {
    const state = await this.controlPlane.partitionState(topicId, partition);
    const outOfRange = fetchOffset < state.log_start_offset || fetchOffset > state.high_watermark;
    return {
      highWatermark: state.high_watermark,
      logStartOffset: state.log_start_offset,
      errorCode: outOfRange ? KafkaError.OFFSET_OUT_OF_RANGE : KafkaError.NONE,
      records: null,
      bytes: 0,
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
