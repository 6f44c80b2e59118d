/**
 * The share-partitions of every share group, loaded from the metadata store on first use and
 * written back after every change: each one's start offset and in-flight window survive a
 * restart, so an acknowledged record is never handed out again. Operations on one
 * share-partition run one at a time (a chain of promises per key), so two agents' fetches never
 * interleave their read-modify-write.
 */
import type { MetadataStore } from '../../metadata/store.ts';
import type { SharePartitionRecord } from '../../model/records.ts';
import { groupConfig } from './configs.ts';
import { SharePartition } from './share-partition.ts';

export interface SharePartitionKey {
  virtualClusterId: string;
  groupId: string;
  topicId: string;
  partition: number;
}

/**
 * Share-partitions kept in memory, the least recently used dropped beyond it (what is in memory
 * is always what is stored, so a dropped one is loaded again when next used). A member leaving
 * releases its records at once only on the share-partitions still in memory; on the others they
 * come back when their locks run out.
 */
export const MAX_LOADED_SHARE_PARTITIONS = 10_000;

const keyOf = (k: SharePartitionKey) => `${k.virtualClusterId}\u0000${k.groupId}\u0000${k.topicId}\u0000${k.partition}`;

export class SharePartitions {
  private readonly store: MetadataStore;
  private readonly loaded = new Map<string, SharePartition>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly maxLoaded: number;

  constructor(store: MetadataStore, maxLoaded = MAX_LOADED_SHARE_PARTITIONS) {
    this.store = store;
    this.maxLoaded = maxLoaded;
  }

  /**
   * Runs `fn` on the share-partition alone, creating it when the group has none there yet (at
   * the log's start or end, by share.auto.offset.reset); stores it after, if `fn` changed it
   * (an empty poll writes nothing).
   */
  with<T>(key: SharePartitionKey, fn: (partition: SharePartition) => T): Promise<T> {
    const id = keyOf(key);
    const run = async () => {
      const loaded = this.loaded.get(id);
      const partition = loaded ?? (await this.load(key));
      // Map order is use order: re-inserted on every use, the first entries are the least recent.
      this.loaded.delete(id);
      this.loaded.set(id, partition);
      this.evict();
      const before = partition.revision;
      const result = fn(partition);
      if (partition.revision !== before || !loaded) {
        try {
          await this.save(key, partition);
        } catch (error) {
          // What is in memory must be what is stored: load it again next time.
          this.loaded.delete(id);
          throw error;
        }
      }
      return result;
    };
    const previous = this.queues.get(id) ?? Promise.resolve();
    const next = previous.then(run, run);
    const tail = next.catch(() => undefined);
    this.queues.set(id, tail);
    void tail.then(() => {
      if (this.queues.get(id) === tail) this.queues.delete(id);
    });
    return next;
  }

  /** The stored share-partition, if the group has one there (DescribeShareGroupOffsets). */
  async peek(key: SharePartitionKey): Promise<SharePartition | undefined> {
    const cached = this.loaded.get(keyOf(key));
    if (cached) return cached;
    const row = await this.store.shares.getSharePartition(key.virtualClusterId, key.groupId, key.topicId, key.partition);
    return row ? SharePartition.restore(row) : undefined;
  }

  /** Sets the start offset (AlterShareGroupOffsets): the window starts empty there. */
  reset(key: SharePartitionKey, startOffset: number): Promise<void> {
    return this.with(key, (partition) => partition.resetTo(startOffset));
  }

  /** Forgets a group's share-partitions (all, or one topic's), in memory and in the store. */
  async forget(virtualClusterId: string, groupId: string, topicId?: string): Promise<void> {
    const prefix = `${virtualClusterId}\u0000${groupId}\u0000${topicId === undefined ? '' : topicId + '\u0000'}`;
    for (const id of [...this.loaded.keys()]) if (id.startsWith(prefix)) this.loaded.delete(id);
    await this.store.shares.deleteSharePartitions(virtualClusterId, groupId, topicId);
  }

  /** The loaded share-partitions of a group (to release a member's records everywhere it took some). */
  loadedOf(virtualClusterId: string, groupId: string): SharePartitionKey[] {
    const prefix = `${virtualClusterId}\u0000${groupId}\u0000`;
    return [...this.loaded.keys()].filter((id) => id.startsWith(prefix)).map((id) => {
      const [, , topicId, partition] = id.split('\u0000');
      return { virtualClusterId, groupId, topicId: topicId!, partition: Number(partition) };
    });
  }

  /** Drops the least recently used share-partitions beyond the limit, never one in use. */
  private evict(): void {
    for (const id of this.loaded.keys()) {
      if (this.loaded.size <= this.maxLoaded) return;
      if (!this.queues.has(id)) this.loaded.delete(id);
    }
  }

  /** How many share-partitions are in memory (tests). */
  get loadedCount(): number {
    return this.loaded.size;
  }

  private async load(key: SharePartitionKey): Promise<SharePartition> {
    const row = await this.store.shares.getSharePartition(key.virtualClusterId, key.groupId, key.topicId, key.partition);
    if (row) return SharePartition.restore(row);
    const configs = (await this.store.shares.getGroupConfigs(key.virtualClusterId, key.groupId))?.configs;
    const state = await this.store.getPartitionState(key.topicId, key.partition);
    const earliest = groupConfig(configs, 'share.auto.offset.reset') === 'earliest';
    return new SharePartition(earliest ? (state?.log_start_offset ?? 0) : (state?.high_watermark ?? 0));
  }

  private save(key: SharePartitionKey, partition: SharePartition): Promise<void> {
    const record: SharePartitionRecord = {
      virtual_cluster_id: key.virtualClusterId, group_id: key.groupId, topic_id: key.topicId, partition: key.partition, ...partition.snapshot(),
    };
    return this.store.shares.putSharePartition(record);
  }
}
