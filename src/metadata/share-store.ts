import type { GroupConfigRecord, SharePartitionRecord } from '../model/records.ts';
import { manyRows, oneRow, toRow, type TableCodec } from './rows.ts';
import type { SqlExecutor } from './sql.ts';

/**
 * Share groups' durable state (control-plane/shares/): each share-partition's start offset and
 * in-flight window, and groups' dynamic configs. Reached as `MetadataStore.shares`.
 */
export interface ShareStore {
  getSharePartition(virtualClusterId: string, groupId: string, topicId: string, partition: number): Promise<SharePartitionRecord | undefined>;
  /** Inserts or replaces the share-partition's row. */
  putSharePartition(record: SharePartitionRecord): Promise<void>;
  /** A group's share-partitions, by topic id and partition. */
  listSharePartitions(virtualClusterId: string, groupId: string): Promise<SharePartitionRecord[]>;
  /** Forgets a group's share-partitions: all of them, or those of one topic. */
  deleteSharePartitions(virtualClusterId: string, groupId: string, topicId?: string): Promise<void>;
  /** The groups with share-partition state in the cluster, by id. */
  listShareGroupIds(virtualClusterId: string): Promise<string[]>;

  getGroupConfigs(virtualClusterId: string, groupId: string): Promise<GroupConfigRecord | undefined>;
  /** Replaces the group's configs; an empty set deletes the row. */
  putGroupConfigs(record: GroupConfigRecord): Promise<void>;
}

const tables = {
  share_partitions: { table: 'share_partitions', json: ['in_flight'] },
  group_configs: { table: 'group_configs', json: ['configs'] },
} satisfies Record<string, TableCodec>;

export class SqlShareStore implements ShareStore {
  private readonly db: SqlExecutor;

  constructor(db: SqlExecutor) {
    this.db = db;
  }

  getSharePartition(virtualClusterId: string, groupId: string, topicId: string, partition: number) {
    return oneRow<SharePartitionRecord>(
      this.db, tables.share_partitions, 'virtual_cluster_id = ? AND group_id = ? AND topic_id = ? AND partition = ?', [virtualClusterId, groupId, topicId, partition],
    );
  }
  async putSharePartition(record: SharePartitionRecord) {
    const row = toRow(tables.share_partitions, record);
    await this.db.run(
      `INSERT INTO share_partitions (virtual_cluster_id, group_id, topic_id, partition, start_offset, end_offset, in_flight)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (virtual_cluster_id, group_id, topic_id, partition)
       DO UPDATE SET start_offset = excluded.start_offset, end_offset = excluded.end_offset, in_flight = excluded.in_flight`,
      [row.virtual_cluster_id!, row.group_id!, row.topic_id!, row.partition!, row.start_offset!, row.end_offset!, row.in_flight!],
    );
  }
  listSharePartitions(virtualClusterId: string, groupId: string) {
    return manyRows<SharePartitionRecord>(this.db, tables.share_partitions, 'virtual_cluster_id = ? AND group_id = ? ORDER BY topic_id, partition', [virtualClusterId, groupId]);
  }
  async deleteSharePartitions(virtualClusterId: string, groupId: string, topicId?: string) {
    if (topicId === undefined) {
      await this.db.run('DELETE FROM share_partitions WHERE virtual_cluster_id = ? AND group_id = ?', [virtualClusterId, groupId]);
    } else {
      await this.db.run('DELETE FROM share_partitions WHERE virtual_cluster_id = ? AND group_id = ? AND topic_id = ?', [virtualClusterId, groupId, topicId]);
    }
  }
  async listShareGroupIds(virtualClusterId: string) {
    const rows = await this.db.all<{ group_id: string }>('SELECT DISTINCT group_id FROM share_partitions WHERE virtual_cluster_id = ? ORDER BY group_id', [virtualClusterId]);
    return rows.map((r) => r.group_id);
  }

  getGroupConfigs(virtualClusterId: string, groupId: string) {
    return oneRow<GroupConfigRecord>(this.db, tables.group_configs, 'virtual_cluster_id = ? AND group_id = ?', [virtualClusterId, groupId]);
  }
  async putGroupConfigs(record: GroupConfigRecord) {
    if (Object.keys(record.configs).length === 0) {
      await this.db.run('DELETE FROM group_configs WHERE virtual_cluster_id = ? AND group_id = ?', [record.virtual_cluster_id, record.group_id]);
      return;
    }
    await this.db.run(
      `INSERT INTO group_configs (virtual_cluster_id, group_id, configs) VALUES (?, ?, ?)
       ON CONFLICT (virtual_cluster_id, group_id) DO UPDATE SET configs = excluded.configs`,
      [record.virtual_cluster_id, record.group_id, JSON.stringify(record.configs)],
    );
  }
}
