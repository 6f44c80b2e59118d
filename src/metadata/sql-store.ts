import type { Row, SqlDriver, SqlExecutor, SqlValue } from './sql.ts';
import { fromRow, insertRow, manyRows, oneRow, toRow, type TableCodec } from './rows.ts';
import { SqlIdentityStore, type IdentityStore } from './identity-store.ts';
import { SqlTransactionStore, type TransactionStore } from './transaction-store.ts';
import { SqlShareStore, type ShareStore } from './share-store.ts';
import { SqlDocumentStore, type DocumentStore } from './document-store.ts';
import type {
  EventsState,
  Account,
  AgentRecord,
  BatchDrop,
  BatchIndexEntry,
  BatchMove,
  JobLease,
  ObjectDeletion,
  ObjectRecord,
  TrimmedBatches,
  PartitionOffsets,
  PartitionState,
  Producer,
  ProducerPartition,
  Acl,
  ApiKeyRecord,
  ClusterCredential,
  CommittedOffset,
  IdempotencyRecord,
  MetadataStore,
  Pipeline,
  PipelineConfiguration,
  Topic,
  UserRole,
  VirtualCluster,
  Workspace,
} from './store.ts';

const tables = {
  accounts: { table: 'accounts' },
  workspaces: { table: 'workspaces', json: ['capabilities'] },
  api_keys: { table: 'api_keys', json: ['access_grants'], booleans: ['read_only'] },
  virtual_clusters: { table: 'virtual_clusters', json: ['configuration', 'tags', 'events'] },
  topics: { table: 'topics', json: ['configs'] },
  acls: { table: 'acls' },
  cluster_credentials: { table: 'cluster_credentials', json: ['scram'], booleans: ['is_cluster_superuser', 'read_only'] },
  pipelines: { table: 'pipelines' },
  consumer_group_offsets: { table: 'consumer_group_offsets' },
  idempotency_records: { table: 'idempotency_records' },
  partitions: { table: 'partitions' },
  batches: { table: 'batches' },
  producers: { table: 'producers' },
  producer_partitions: { table: 'producer_partitions', json: ['recent_batches'] },
  user_roles: { table: 'user_roles', json: ['access_grants'] },
  pipeline_configurations: { table: 'pipeline_configurations' },
  agents: { table: 'agents', json: ['roles'] },
  job_leases: { table: 'job_leases' },
  objects: { table: 'objects' },
  object_deletions: { table: 'object_deletions' },
} satisfies Record<string, TableCodec>;

/** Rows per multi-row INSERT into the batch index (8 parameters each). */
const BATCH_INSERT_ROWS = 256;
const batchInsertSqls = new Map<number, string>();
function batchInsertSql(rows: number): string {
  let sql = batchInsertSqls.get(rows);
  if (!sql) {
    sql = `INSERT INTO batches (topic_id, partition, base_offset, last_offset, max_timestamp, object_key, byte_offset, byte_length) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`;
    batchInsertSqls.set(rows, sql);
  }
  return sql;
}

/** Keys per `IN (…)` list, and rows per multi-row statement of the object lifecycle. */
const KEYS_PER_STATEMENT = 500;
const ROWS_PER_STATEMENT = 100;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let at = 0; at < items.length; at += size) out.push(items.slice(at, at + size));
  return out;
}

function placeholders(count: number, group = '?'): string {
  return Array.from({ length: count }, () => group).join(', ');
}

/** Index order: topic, partition, offset (ids are ASCII, so code-unit order is byte order). */
function byIndexOrder(a: BatchIndexEntry, b: BatchIndexEntry): number {
  if (a.topic_id !== b.topic_id) return a.topic_id < b.topic_id ? -1 : 1;
  return a.partition - b.partition || a.base_offset - b.base_offset;
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const LAST_PRODUCER_ID = 'last_producer_id';

/** The MetadataStore, written once over the SQL both SQLite and PostgreSQL speak. */
export class SqlMetadataStore implements MetadataStore {
  readonly kind: 'sqlite' | 'postgres';
  readonly identity: IdentityStore;
  readonly transactions: TransactionStore;
  readonly shares: ShareStore;
  readonly documents: DocumentStore;
  private readonly driver: SqlDriver;
  private readonly db: SqlExecutor;

  constructor(driver: SqlDriver, executor: SqlExecutor = driver) {
    this.driver = driver;
    this.db = executor;
    this.kind = driver.dialect;
    this.identity = new SqlIdentityStore(executor);
    this.transactions = new SqlTransactionStore(executor);
    this.shares = new SqlShareStore(executor);
    this.documents = new SqlDocumentStore(executor);
  }

  transaction<T>(fn: (store: MetadataStore) => Promise<T>): Promise<T> {
    if (this.db !== this.driver) return fn(this); // already inside one: join it
    return this.driver.transaction((tx) => fn(new SqlMetadataStore(this.driver, tx)));
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  /**
   * Text ordered by bytes on both stores: SQLite always does; PostgreSQL follows the database's
   * locale unless told otherwise, and an en_US server would list topics in another order.
   */
  private bytewise(column: string): string {
    return this.kind === 'postgres' ? `${column} COLLATE "C"` : column;
  }

  private insert(codec: TableCodec, record: object): Promise<void> {
    return insertRow(this.db, codec, record);
  }

  private one<T>(codec: TableCodec, where: string, params: SqlValue[]): Promise<T | undefined> {
    return oneRow<T>(this.db, codec, where, params);
  }

  private many<T>(codec: TableCodec, where: string, params: SqlValue[]): Promise<T[]> {
    return manyRows<T>(this.db, codec, where, params);
  }

  async getMetadata(key: string): Promise<string | undefined> {
    const row = await this.db.get<{ value: string }>('SELECT value FROM metadata WHERE key = ?', [key]);
    return row?.value;
  }

  async setMetadata(key: string, value: string): Promise<void> {
    await this.db.run(
      'INSERT INTO metadata (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [key, value],
    );
  }

  insertAccount(account: Account) {
    return this.insert(tables.accounts, account);
  }
  getAccount(id: string) {
    return this.one<Account>(tables.accounts, 'id = ?', [id]);
  }
  findAccountBySlug(slug: string) {
    return this.one<Account>(tables.accounts, 'slug = ?', [slug]);
  }
  async updateAccount(account: Account) {
    await this.db.run(
      'UPDATE accounts SET slug = ?, display_name = ?, plan = ?, admin_email = ?, status = ?, updated_at = ?, deleted_at = ? WHERE id = ?',
      [account.slug, account.display_name, account.plan, account.admin_email, account.status, account.updated_at, account.deleted_at, account.id],
    );
  }
  listAccounts(filter: { status?: string; plan?: string; after?: { created_at: number; id: string }; limit: number }) {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (filter.status !== undefined) {
      where.push('status = ?');
      params.push(filter.status);
    } else {
      where.push("status <> 'deleted'");
    }
    if (filter.plan !== undefined) {
      where.push('plan = ?');
      params.push(filter.plan);
    }
    if (filter.after) {
      where.push(`(created_at > ? OR (created_at = ? AND ${this.bytewise('id')} > ?))`);
      params.push(filter.after.created_at, filter.after.created_at, filter.after.id);
    }
    params.push(filter.limit);
    return this.many<Account>(tables.accounts, `${where.join(' AND ')} ORDER BY created_at, ${this.bytewise('id')} LIMIT ?`, params);
  }

  insertWorkspace(workspace: Workspace) {
    return this.insert(tables.workspaces, workspace);
  }
  getWorkspace(id: string) {
    return this.one<Workspace>(tables.workspaces, 'id = ?', [id]);
  }
  findWorkspaceByName(accountId: string, name: string) {
    return this.one<Workspace>(tables.workspaces, 'account_id = ? AND name = ?', [accountId, name]);
  }
  findWorkspaceBySlug(accountId: string, slug: string) {
    return this.one<Workspace>(tables.workspaces, 'account_id = ? AND slug = ?', [accountId, slug]);
  }
  async updateWorkspace(workspace: Workspace) {
    await this.db.run('UPDATE workspaces SET name = ?, slug = ?, capabilities = ?, status = ?, updated_at = ?, deleted_at = ? WHERE id = ?', [
      workspace.name,
      workspace.slug,
      JSON.stringify(workspace.capabilities),
      workspace.status,
      workspace.updated_at,
      workspace.deleted_at,
      workspace.id,
    ]);
  }
  listWorkspaces(accountId: string) {
    return this.many<Workspace>(tables.workspaces, 'account_id = ? ORDER BY created_at, id', [accountId]);
  }

  insertApiKey(key: ApiKeyRecord) {
    return this.insert(tables.api_keys, key);
  }
  getApiKeyBySecretHash(secretHash: string) {
    return this.one<ApiKeyRecord>(tables.api_keys, 'secret_hash = ?', [secretHash]);
  }
  findApiKeyByName(accountId: string, workspaceId: string | null, name: string) {
    return workspaceId === null
      ? this.one<ApiKeyRecord>(tables.api_keys, 'account_id = ? AND workspace_id IS NULL AND name = ?', [accountId, name])
      : this.one<ApiKeyRecord>(tables.api_keys, 'account_id = ? AND workspace_id = ? AND name = ?', [accountId, workspaceId, name]);
  }
  listApiKeys(workspaceId: string) {
    return this.many<ApiKeyRecord>(tables.api_keys, 'workspace_id = ? ORDER BY created_at, id', [workspaceId]);
  }
  listAccountKeys(accountId: string) {
    return this.many<ApiKeyRecord>(tables.api_keys, 'account_id = ? AND workspace_id IS NULL ORDER BY created_at, id', [accountId]);
  }
  listAgentKeys(virtualClusterId: string) {
    return this.many<ApiKeyRecord>(tables.api_keys, "virtual_cluster_id = ? AND kind = 'agent' ORDER BY created_at, id", [
      virtualClusterId,
    ]);
  }

  insertVirtualCluster(cluster: VirtualCluster) {
    return this.insert(tables.virtual_clusters, cluster);
  }
  getVirtualCluster(id: string) {
    return this.one<VirtualCluster>(tables.virtual_clusters, 'id = ?', [id]);
  }
  findVirtualClusterByName(workspaceId: string, name: string) {
    return this.one<VirtualCluster>(tables.virtual_clusters, 'workspace_id = ? AND name = ?', [workspaceId, name]);
  }
  listVirtualClusters(workspaceId: string) {
    return this.many<VirtualCluster>(tables.virtual_clusters, 'workspace_id = ? ORDER BY created_at, id', [workspaceId]);
  }
  async updateVirtualClusterConfiguration(id: string, configuration: Record<string, unknown>) {
    await this.db.run('UPDATE virtual_clusters SET configuration = ? WHERE id = ?', [JSON.stringify(configuration), id]);
  }
  async deleteVirtualCluster(id: string) {
    // Everything the cluster owns goes with it through ON DELETE CASCADE.
    return (await this.db.run('DELETE FROM virtual_clusters WHERE id = ?', [id])) > 0;
  }

  async renameVirtualCluster(id: string, name: string) {
    await this.db.run('UPDATE virtual_clusters SET name = ? WHERE id = ?', [name, id]);
  }
  async updateVirtualClusterTier(id: string, tier: string) {
    await this.db.run('UPDATE virtual_clusters SET tier = ? WHERE id = ?', [tier, id]);
  }
  async updateVirtualClusterTags(id: string, tags: Record<string, string>) {
    await this.db.run('UPDATE virtual_clusters SET tags = ? WHERE id = ?', [JSON.stringify(tags), id]);
  }
  async updateVirtualClusterEvents(id: string, events: EventsState) {
    await this.db.run('UPDATE virtual_clusters SET events = ? WHERE id = ?', [JSON.stringify(events), id]);
  }

  insertTopic(topic: Topic) {
    return this.insert(tables.topics, topic);
  }
  getTopic(virtualClusterId: string, name: string) {
    return this.one<Topic>(tables.topics, 'virtual_cluster_id = ? AND name = ?', [virtualClusterId, name]);
  }
  getTopicById(id: string) {
    return this.one<Topic>(tables.topics, 'id = ?', [id]);
  }
  listTopics(virtualClusterId: string, which: 'live' | 'deleted') {
    const deleted = which === 'live' ? 'deleted_at IS NULL' : 'deleted_at IS NOT NULL';
    return this.many<Topic>(tables.topics, `virtual_cluster_id = ? AND ${deleted} ORDER BY ${this.bytewise('name')}`, [virtualClusterId]);
  }
  async updateTopic(topic: Topic) {
    await this.db.run('UPDATE topics SET partition_count = ?, configs = ?, deleted_at = ? WHERE id = ?', [
      topic.partition_count,
      JSON.stringify(topic.configs),
      topic.deleted_at,
      topic.id,
    ]);
  }
  async deleteTopic(id: string) {
    return (await this.db.run('DELETE FROM topics WHERE id = ?', [id])) > 0;
  }
  purgeSoftDeletedTopics(virtualClusterId: string, before: number) {
    return this.db.run('DELETE FROM topics WHERE virtual_cluster_id = ? AND deleted_at IS NOT NULL AND deleted_at < ?', [
      virtualClusterId,
      before,
    ]);
  }
  async countPartitions(virtualClusterId: string) {
    const row = await this.db.get<{ total: number | null }>(
      'SELECT SUM(partition_count) AS total FROM topics WHERE virtual_cluster_id = ? AND deleted_at IS NULL',
      [virtualClusterId],
    );
    return Number(row?.total ?? 0);
  }
  async countAccountPartitions(accountId: string) {
    const row = await this.db.get<{ total: number | null }>(
      `SELECT SUM(t.partition_count) AS total FROM topics t
         JOIN virtual_clusters vc ON vc.id = t.virtual_cluster_id
         JOIN workspaces w ON w.id = vc.workspace_id
       WHERE w.account_id = ? AND w.status <> 'deleted' AND t.deleted_at IS NULL`,
      [accountId],
    );
    return Number(row?.total ?? 0);
  }

  insertAcl(acl: Acl) {
    return this.insert(tables.acls, acl);
  }
  async deleteAcl(id: string) {
    return (await this.db.run('DELETE FROM acls WHERE id = ?', [id])) > 0;
  }
  listAcls(virtualClusterId: string) {
    return this.many<Acl>(tables.acls, 'virtual_cluster_id = ? ORDER BY created_at, id', [virtualClusterId]);
  }

  insertCredential(credential: ClusterCredential) {
    return this.insert(tables.cluster_credentials, credential);
  }
  findCredentialByName(virtualClusterId: string, name: string) {
    return this.one<ClusterCredential>(tables.cluster_credentials, 'virtual_cluster_id = ? AND name = ?', [virtualClusterId, name]);
  }
  getCredentialByUsername(username: string) {
    return this.one<ClusterCredential>(tables.cluster_credentials, 'username = ?', [username]);
  }
  getCredential(id: string) {
    return this.one<ClusterCredential>(tables.cluster_credentials, 'id = ?', [id]);
  }
  async deleteCredential(id: string) {
    return (await this.db.run('DELETE FROM cluster_credentials WHERE id = ?', [id])) > 0;
  }
  listCredentials(virtualClusterId: string) {
    return this.many<ClusterCredential>(tables.cluster_credentials, 'virtual_cluster_id = ? ORDER BY created_at, id', [
      virtualClusterId,
    ]);
  }

  insertPipeline(pipeline: Pipeline) {
    return this.insert(tables.pipelines, pipeline);
  }
  listPipelines(virtualClusterId: string) {
    return this.many<Pipeline>(tables.pipelines, 'virtual_cluster_id = ? ORDER BY created_at, id', [virtualClusterId]);
  }

  async upsertCommittedOffset(offset: CommittedOffset) {
    await this.db.run(
      `INSERT INTO consumer_group_offsets (virtual_cluster_id, group_id, topic_name, partition, committed_offset, metadata, committed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (virtual_cluster_id, group_id, topic_name, partition)
       DO UPDATE SET committed_offset = excluded.committed_offset, metadata = excluded.metadata, committed_at = excluded.committed_at`,
      [
        offset.virtual_cluster_id,
        offset.group_id,
        offset.topic_name,
        offset.partition,
        offset.committed_offset,
        offset.metadata,
        offset.committed_at,
      ],
    );
  }
  listCommittedOffsets(virtualClusterId: string) {
    return this.many<CommittedOffset>(
      tables.consumer_group_offsets,
      `virtual_cluster_id = ? ORDER BY ${this.bytewise('group_id')}, ${this.bytewise('topic_name')}, partition`,
      [virtualClusterId],
    );
  }

  listGroupOffsets(virtualClusterId: string, groupId: string) {
    return this.many<CommittedOffset>(
      tables.consumer_group_offsets,
      `virtual_cluster_id = ? AND group_id = ? ORDER BY ${this.bytewise('topic_name')}, partition`,
      [virtualClusterId, groupId],
    );
  }
  deleteGroupOffsets(virtualClusterId: string, groupId: string, topicName?: string, partition?: number) {
    let where = 'virtual_cluster_id = ? AND group_id = ?';
    const params: SqlValue[] = [virtualClusterId, groupId];
    if (topicName !== undefined) {
      where += ' AND topic_name = ?';
      params.push(topicName);
    }
    if (partition !== undefined) {
      where += ' AND partition = ?';
      params.push(partition);
    }
    return this.db.run(`DELETE FROM consumer_group_offsets WHERE ${where}`, params);
  }

  async getPartitionState(topicId: string, partition: number): Promise<PartitionState | undefined> {
    // One statement on the read path of every fetch: the oldest open transaction caps the last
    // stable offset (none: it is the high watermark).
    const row = await this.db.get<Row>(
      `SELECT p.topic_id, p.partition, p.log_start_offset, p.high_watermark,
         (SELECT MIN(o.first_offset) FROM open_transactions o WHERE o.topic_id = p.topic_id AND o.partition = p.partition) AS first_open_offset
       FROM partitions p WHERE p.topic_id = ? AND p.partition = ?`,
      [topicId, partition],
    );
    if (!row) return undefined;
    const highWatermark = Number(row.high_watermark);
    return {
      topic_id: String(row.topic_id),
      partition: Number(row.partition),
      log_start_offset: Number(row.log_start_offset),
      high_watermark: highWatermark,
      last_stable_offset: row.first_open_offset === null ? highWatermark : Number(row.first_open_offset),
    };
  }
  listPartitionStates(topicId: string) {
    return this.many<PartitionOffsets>(tables.partitions, 'topic_id = ? ORDER BY partition', [topicId]);
  }
  async upsertPartitionState(state: PartitionOffsets) {
    await this.db.run(
      `INSERT INTO partitions (topic_id, partition, log_start_offset, high_watermark) VALUES (?, ?, ?, ?)
       ON CONFLICT (topic_id, partition) DO UPDATE SET log_start_offset = excluded.log_start_offset, high_watermark = excluded.high_watermark`,
      [state.topic_id, state.partition, state.log_start_offset, state.high_watermark],
    );
  }
  async advanceLogStartOffset(topicId: string, partition: number, offset: number) {
    const changed = await this.db.run(
      'UPDATE partitions SET log_start_offset = ? WHERE topic_id = ? AND partition = ? AND log_start_offset < ? AND high_watermark >= ?',
      [offset, topicId, partition, offset, offset],
    );
    return changed > 0;
  }
  async insertBatchIndex(entries: readonly BatchIndexEntry[]) {
    // Multi-row INSERTs (one statement per chunk, not per batch); chunks of power-of-two sizes
    // keep the number of distinct statements (each prepared and cached) small, and the largest
    // chunk's parameters far below both stores' limits (SQLite 32766, PostgreSQL 65535).
    for (let at = 0; at < entries.length; ) {
      const rows = Math.min(BATCH_INSERT_ROWS, 2 ** Math.floor(Math.log2(entries.length - at)));
      const params: SqlValue[] = [];
      for (let i = at; i < at + rows; i++) {
        const e = entries[i]!;
        params.push(e.topic_id, e.partition, e.base_offset, e.last_offset, e.max_timestamp, e.object_key, e.byte_offset, e.byte_length);
      }
      await this.db.run(batchInsertSql(rows), params);
      at += rows;
    }
  }
  async partitionSizes(topicId: string) {
    const rows = await this.db.all<Row>('SELECT partition, SUM(byte_length) AS bytes FROM batches WHERE topic_id = ? GROUP BY partition ORDER BY partition', [topicId]);
    return rows.map((row) => ({ partition: Number(row.partition), bytes: Number(row.bytes) }));
  }
  listBatchIndex(topicId: string, partition: number, fromOffset: number, limit: number) {
    return this.many<BatchIndexEntry>(
      tables.batches,
      `topic_id = ? AND partition = ? AND last_offset >= ? ORDER BY base_offset LIMIT ${Math.max(1, Math.floor(limit))}`,
      [topicId, partition, fromOffset],
    );
  }
  findBatchIndexEntryAfter(topicId: string, partition: number, fromOffset: number, skip: number) {
    return this.one<BatchIndexEntry>(
      tables.batches,
      `topic_id = ? AND partition = ? AND last_offset >= ? ORDER BY base_offset LIMIT 1 OFFSET ${Math.max(0, Math.floor(skip))}`,
      [topicId, partition, fromOffset],
    );
  }
  findBatchByTimestamp(topicId: string, partition: number, timestamp: number, fromOffset: number) {
    return this.one<BatchIndexEntry>(
      tables.batches,
      'topic_id = ? AND partition = ? AND last_offset >= ? AND max_timestamp >= ? ORDER BY base_offset LIMIT 1',
      [topicId, partition, fromOffset, timestamp],
    );
  }
  findMaxTimestampBatch(topicId: string, partition: number, fromOffset: number) {
    return this.one<BatchIndexEntry>(
      tables.batches,
      'topic_id = ? AND partition = ? AND last_offset >= ? ORDER BY max_timestamp DESC, base_offset LIMIT 1',
      [topicId, partition, fromOffset],
    );
  }
  async deleteBatchIndexBefore(topicId: string, partition: number, offset: number): Promise<TrimmedBatches> {
    const groups = await this.db.all<{ object_key: string; bytes: unknown }>(
      'SELECT object_key, SUM(byte_length) AS bytes FROM batches WHERE topic_id = ? AND partition = ? AND last_offset < ? GROUP BY object_key',
      [topicId, partition, offset],
    );
    if (groups.length === 0) return { batches: 0, bytes: 0, object_keys: [] };
    const batches = await this.db.run('DELETE FROM batches WHERE topic_id = ? AND partition = ? AND last_offset < ?', [topicId, partition, offset]);
    return {
      batches,
      bytes: groups.reduce((sum, g) => sum + Number(g.bytes), 0),
      object_keys: groups.map((g) => g.object_key).sort(byString),
    };
  }
  findFirstBatchAtOrAfter(topicId: string, partition: number, fromOffset: number, cutoff: number) {
    // A batch without timestamps (-1) is as old as its object, the way Kafka falls back to a
    // segment's modification time; backfilled objects are dated by their newest batch.
    return this.oneBatch(
      `SELECT b.* FROM batches b LEFT JOIN objects o ON o.object_key = b.object_key
       WHERE b.topic_id = ? AND b.partition = ? AND b.last_offset >= ?
         AND (b.max_timestamp >= ? OR (b.max_timestamp < 0 AND o.created_at >= ?))
       ORDER BY b.base_offset LIMIT 1`,
      [topicId, partition, fromOffset, cutoff, cutoff],
    );
  }
  findFirstBatchWithinBytes(topicId: string, partition: number, fromOffset: number, maxBytes: number) {
    // Bytes of each batch and everything after it: a running sum from the newest batch back;
    // the kept batches are the longest newest run within the limit.
    return this.oneBatch(
      `SELECT topic_id, partition, base_offset, last_offset, max_timestamp, object_key, byte_offset, byte_length FROM (
         SELECT b.*, SUM(b.byte_length) OVER (ORDER BY b.base_offset DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS newer_bytes
         FROM batches b WHERE b.topic_id = ? AND b.partition = ? AND b.last_offset >= ?
       ) kept WHERE newer_bytes <= ? ORDER BY base_offset LIMIT 1`,
      [topicId, partition, fromOffset, maxBytes],
    );
  }
  private async oneBatch(sql: string, params: SqlValue[]): Promise<BatchIndexEntry | undefined> {
    const row = await this.db.get<Row>(sql, params);
    return row ? fromRow<BatchIndexEntry>(tables.batches, row) : undefined;
  }
  async listTopicObjectKeys(topicId: string) {
    const rows = await this.db.all<{ object_key: string }>('SELECT DISTINCT object_key FROM batches WHERE topic_id = ?', [topicId]);
    return rows.map((r) => r.object_key).sort(byString);
  }
  async listBatchIndexByObjects(objectKeys: readonly string[]) {
    const entries: BatchIndexEntry[] = [];
    for (const keys of chunks([...new Set(objectKeys)], KEYS_PER_STATEMENT)) {
      entries.push(...(await this.many<BatchIndexEntry>(tables.batches, `object_key IN (${placeholders(keys.length)})`, keys)));
    }
    return entries.sort(byIndexOrder);
  }
  async moveBatchIndexEntries(toObjectKey: string, moves: readonly BatchMove[]) {
    // One UPDATE per chunk, joined to the moves as a VALUES list (columns column1… in both
    // dialects; cast, since PostgreSQL would read untyped parameters as text). A move may
    // shorten an entry (key compaction dropped its last records) but not lengthen it, and the
    // newest entry of a partition keeps its last offset: fetches read up to the high watermark
    // through it.
    let moved = 0;
    for (const chunk of chunks(moves, ROWS_PER_STATEMENT)) {
      const row = '(CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS INTEGER), CAST(? AS BIGINT), CAST(? AS BIGINT))';
      const params: SqlValue[] = [toObjectKey];
      for (const m of chunk) {
        params.push(m.topic_id, m.partition, m.base_offset, m.from_object_key, m.byte_offset, m.byte_length, m.last_offset, m.max_timestamp);
      }
      moved += await this.db.run(
        `UPDATE batches SET object_key = ?, byte_offset = v.column5, byte_length = v.column6, last_offset = v.column7, max_timestamp = v.column8
         FROM (VALUES ${placeholders(chunk.length, row)}) AS v
         WHERE batches.topic_id = v.column1 AND batches.partition = v.column2 AND batches.base_offset = v.column3
           AND batches.object_key = v.column4 AND v.column7 >= batches.base_offset
           AND (v.column7 = batches.last_offset OR (v.column7 < batches.last_offset AND EXISTS (
             SELECT 1 FROM batches newer WHERE newer.topic_id = batches.topic_id AND newer.partition = batches.partition AND newer.base_offset > batches.base_offset)))`,
        params,
      );
    }
    return moved;
  }
  async dropBatchIndexEntries(drops: readonly BatchDrop[]) {
    let dropped = 0;
    for (const chunk of chunks(drops, ROWS_PER_STATEMENT)) {
      const params: SqlValue[] = [];
      for (const d of chunk) params.push(d.topic_id, d.partition, d.base_offset, d.from_object_key);
      dropped += await this.db.run(
        `DELETE FROM batches WHERE (${Array.from({ length: chunk.length }, () => '(topic_id = ? AND partition = ? AND base_offset = ? AND object_key = ?)').join(' OR ')})
           AND EXISTS (SELECT 1 FROM batches newer WHERE newer.topic_id = batches.topic_id AND newer.partition = batches.partition AND newer.base_offset > batches.base_offset)`,
        params,
      );
    }
    return dropped;
  }

  async insertObjects(objects: readonly ObjectRecord[]) {
    for (const chunk of chunks(objects, ROWS_PER_STATEMENT)) {
      const params: SqlValue[] = [];
      for (const o of chunk) params.push(o.object_key, o.virtual_cluster_id, o.level, o.byte_size, o.created_at);
      await this.db.run(
        `INSERT INTO objects (object_key, virtual_cluster_id, level, byte_size, created_at) VALUES ${placeholders(chunk.length, '(?, ?, ?, ?, ?)')}
         ON CONFLICT (object_key) DO NOTHING`,
        params,
      );
    }
  }
  getObject(objectKey: string) {
    return this.one<ObjectRecord>(tables.objects, 'object_key = ?', [objectKey]);
  }
  listObjects(virtualClusterId: string, level: number, createdAtOrBefore: number, limit: number) {
    return this.many<ObjectRecord>(
      tables.objects,
      `virtual_cluster_id = ? AND level = ? AND created_at <= ? ORDER BY created_at, ${this.bytewise('object_key')} LIMIT ${Math.max(1, Math.floor(limit))}`,
      [virtualClusterId, level, createdAtOrBefore],
    );
  }
  async releaseUnreferencedObjects(virtualClusterId: string, objectKeys: readonly string[], deleteAfter: number) {
    const released: string[] = [];
    for (const keys of chunks([...new Set(objectKeys)], KEYS_PER_STATEMENT)) {
      const rows = await this.db.all<{ object_key: string }>(
        `SELECT o.object_key FROM objects o WHERE o.virtual_cluster_id = ? AND o.object_key IN (${placeholders(keys.length)})
           AND NOT EXISTS (SELECT 1 FROM batches b WHERE b.object_key = o.object_key)`,
        [virtualClusterId, ...keys],
      );
      const unreferenced = rows.map((r) => r.object_key);
      if (unreferenced.length === 0) continue;
      await this.db.run(
        `INSERT INTO object_deletions (object_key, virtual_cluster_id, delete_after) VALUES ${placeholders(unreferenced.length, '(?, ?, ?)')}
         ON CONFLICT (object_key) DO NOTHING`,
        unreferenced.flatMap((key) => [key, virtualClusterId, deleteAfter]),
      );
      await this.db.run(`DELETE FROM objects WHERE object_key IN (${placeholders(unreferenced.length)})`, unreferenced);
      released.push(...unreferenced);
    }
    return released.sort(byString);
  }
  async releaseAllObjects(virtualClusterId: string, deleteAfter: number) {
    await this.db.run(
      `INSERT INTO object_deletions (object_key, virtual_cluster_id, delete_after)
       SELECT object_key, virtual_cluster_id, CAST(? AS BIGINT) FROM objects WHERE virtual_cluster_id = ?
       ON CONFLICT (object_key) DO NOTHING`,
      [deleteAfter, virtualClusterId],
    );
    return this.db.run('DELETE FROM objects WHERE virtual_cluster_id = ?', [virtualClusterId]);
  }
  async listDueObjectDeletions(virtualClusterId: string, now: number, limit: number) {
    // The NOT EXISTS are a second line of defence: an object the index points into, or one
    // recorded again, must never be handed out for deletion, whatever released it.
    const rows = await this.db.all<Row>(
      `SELECT d.object_key, d.virtual_cluster_id, d.delete_after FROM object_deletions d
       WHERE d.virtual_cluster_id = ? AND d.delete_after <= ?
         AND NOT EXISTS (SELECT 1 FROM batches b WHERE b.object_key = d.object_key)
         AND NOT EXISTS (SELECT 1 FROM objects o WHERE o.object_key = d.object_key)
       ORDER BY d.delete_after, ${this.bytewise('d.object_key')} LIMIT ${Math.max(1, Math.floor(limit))}`,
      [virtualClusterId, now],
    );
    return rows.map((row) => fromRow<ObjectDeletion>(tables.object_deletions, row));
  }
  async knownObjectKeys(objectKeys: readonly string[]) {
    const known: string[] = [];
    for (const keys of chunks([...new Set(objectKeys)], KEYS_PER_STATEMENT)) {
      const list = placeholders(keys.length);
      const rows = await this.db.all<{ object_key: string }>(
        `SELECT object_key FROM objects WHERE object_key IN (${list})
         UNION SELECT object_key FROM object_deletions WHERE object_key IN (${list})
         UNION SELECT DISTINCT object_key FROM batches WHERE object_key IN (${list})`,
        [...keys, ...keys, ...keys],
      );
      known.push(...rows.map((r) => r.object_key));
    }
    return known;
  }

  async confirmObjectDeletions(virtualClusterId: string, objectKeys: readonly string[]) {
    let confirmed = 0;
    for (const keys of chunks([...new Set(objectKeys)], KEYS_PER_STATEMENT)) {
      confirmed += await this.db.run(
        `DELETE FROM object_deletions WHERE virtual_cluster_id = ? AND object_key IN (${placeholders(keys.length)})`,
        [virtualClusterId, ...keys],
      );
    }
    return confirmed;
  }

  async upsertAgent(agent: AgentRecord) {
    const changed = await this.db.run(
      `INSERT INTO agents (id, virtual_cluster_id, host, port, roles, version, availability_zone, started_at, last_heartbeat_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET host = excluded.host, port = excluded.port, roles = excluded.roles, version = excluded.version,
         availability_zone = excluded.availability_zone, started_at = excluded.started_at, last_heartbeat_at = excluded.last_heartbeat_at
       WHERE agents.virtual_cluster_id = excluded.virtual_cluster_id`,
      [
        agent.id,
        agent.virtual_cluster_id,
        agent.host,
        agent.port,
        JSON.stringify(agent.roles),
        agent.version,
        agent.availability_zone,
        agent.started_at,
        agent.last_heartbeat_at,
      ],
    );
    return changed === 1;
  }
  getAgent(virtualClusterId: string, agentId: string) {
    return this.one<AgentRecord>(tables.agents, 'virtual_cluster_id = ? AND id = ?', [virtualClusterId, agentId]);
  }
  async heartbeatAgent(virtualClusterId: string, agentId: string, at: number) {
    return (await this.db.run('UPDATE agents SET last_heartbeat_at = ? WHERE virtual_cluster_id = ? AND id = ?', [at, virtualClusterId, agentId])) > 0;
  }
  listLiveAgents(virtualClusterId: string, heartbeatAfter: number) {
    return this.many<AgentRecord>(tables.agents, 'virtual_cluster_id = ? AND last_heartbeat_at > ? ORDER BY started_at, id', [
      virtualClusterId,
      heartbeatAfter,
    ]);
  }
  async deleteAgent(virtualClusterId: string, agentId: string) {
    return (await this.db.run('DELETE FROM agents WHERE virtual_cluster_id = ? AND id = ?', [virtualClusterId, agentId])) > 0;
  }
  purgeAgents(virtualClusterId: string, heartbeatBefore: number) {
    return this.db.run('DELETE FROM agents WHERE virtual_cluster_id = ? AND last_heartbeat_at < ?', [virtualClusterId, heartbeatBefore]);
  }

  async acquireLease(virtualClusterId: string, job: string, holder: string, now: number, ttlMs: number) {
    // One statement, so it is atomic on its own: the row is inserted when absent, taken over
    // when expired or already ours, and left alone (no row changed) otherwise. Two takers racing
    // for an absent row collide on the primary key; the loser's upsert then sees the winner's row.
    const changed = await this.db.run(
      `INSERT INTO job_leases (virtual_cluster_id, job, holder, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (virtual_cluster_id, job) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE job_leases.holder = excluded.holder OR job_leases.expires_at <= ?`,
      [virtualClusterId, job, holder, now + ttlMs, now],
    );
    return changed === 1;
  }
  async releaseLease(virtualClusterId: string, job: string, holder: string) {
    return (await this.db.run('DELETE FROM job_leases WHERE virtual_cluster_id = ? AND job = ? AND holder = ?', [virtualClusterId, job, holder])) > 0;
  }
  getLease(virtualClusterId: string, job: string) {
    return this.one<JobLease>(tables.job_leases, 'virtual_cluster_id = ? AND job = ?', [virtualClusterId, job]);
  }

  async insertProducer(producer: Omit<Producer, 'producer_id'>) {
    // A counter, not MAX + 1: producers are deleted with their cluster, and an id must never come
    // back (a fenced producer could otherwise write as someone else). Serializable transactions
    // (the callers' rule) keep two callers from taking the same value.
    const last = Number((await this.getMetadata(LAST_PRODUCER_ID)) ?? 999);
    const record: Producer = { producer_id: last + 1, ...producer };
    await this.setMetadata(LAST_PRODUCER_ID, String(record.producer_id));
    await this.insert(tables.producers, record);
    return record;
  }
  getProducer(producerId: number) {
    return this.one<Producer>(tables.producers, 'producer_id = ?', [producerId]);
  }
  findProducerByTransactionalId(virtualClusterId: string, transactionalId: string) {
    return this.one<Producer>(tables.producers, 'virtual_cluster_id = ? AND transactional_id = ?', [virtualClusterId, transactionalId]);
  }
  async updateProducerEpoch(producerId: number, epoch: number) {
    await this.db.run('UPDATE producers SET producer_epoch = ? WHERE producer_id = ?', [epoch, producerId]);
  }
  getProducerPartition(producerId: number, topicId: string, partition: number) {
    return this.one<ProducerPartition>(tables.producer_partitions, 'producer_id = ? AND topic_id = ? AND partition = ?', [
      producerId,
      topicId,
      partition,
    ]);
  }
  async upsertProducerPartition(state: ProducerPartition) {
    await this.db.run(
      `INSERT INTO producer_partitions (producer_id, topic_id, partition, producer_epoch, recent_batches, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (producer_id, topic_id, partition) DO UPDATE SET producer_epoch = excluded.producer_epoch,
         recent_batches = excluded.recent_batches, updated_at = excluded.updated_at`,
      [state.producer_id, state.topic_id, state.partition, state.producer_epoch, JSON.stringify(state.recent_batches), state.updated_at],
    );
  }

  listProducerPartitions(topicId: string, partition: number) {
    return this.many<ProducerPartition>(tables.producer_partitions, 'topic_id = ? AND partition = ? ORDER BY producer_id', [topicId, partition]);
  }

  getIdempotencyRecord(apiKeyId: string, idempotencyKey: string) {
    return this.one<IdempotencyRecord>(tables.idempotency_records, 'api_key_id = ? AND idempotency_key = ?', [
      apiKeyId,
      idempotencyKey,
    ]);
  }
  async insertIdempotencyRecord(record: IdempotencyRecord) {
    // ON CONFLICT rather than catching the unique violation: in PostgreSQL a failed statement
    // aborts the whole transaction the claim may be part of.
    const changed = await this.db.run(
      `INSERT INTO idempotency_records (api_key_id, idempotency_key, request_hash, state, status_code, response_body, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (api_key_id, idempotency_key) DO NOTHING`,
      [
        record.api_key_id,
        record.idempotency_key,
        record.request_hash,
        record.state,
        record.status_code,
        record.response_body,
        record.created_at,
      ],
    );
    return changed === 1;
  }
  async completeIdempotencyRecord(apiKeyId: string, idempotencyKey: string, statusCode: number, responseBody: string) {
    await this.db.run(
      "UPDATE idempotency_records SET state = 'done', status_code = ?, response_body = ? WHERE api_key_id = ? AND idempotency_key = ?",
      [statusCode, responseBody, apiKeyId, idempotencyKey],
    );
  }
  async deleteIdempotencyRecord(apiKeyId: string, idempotencyKey: string) {
    await this.db.run('DELETE FROM idempotency_records WHERE api_key_id = ? AND idempotency_key = ?', [apiKeyId, idempotencyKey]);
  }
  purgeIdempotencyRecords(before: number) {
    return this.db.run('DELETE FROM idempotency_records WHERE created_at < ?', [before]);
  }

  // --- keys, workspaces, user roles, pipeline configurations (issue 5) ---
  getApiKey(id: string) {
    return this.one<ApiKeyRecord>(tables.api_keys, 'id = ?', [id]);
  }
  async deleteApiKey(id: string) {
    return (await this.db.run('DELETE FROM api_keys WHERE id = ?', [id])) > 0;
  }
  async renameWorkspace(id: string, name: string) {
    await this.db.run('UPDATE workspaces SET name = ? WHERE id = ?', [name, id]);
  }
  async deleteWorkspace(id: string) {
    // Its keys go with it through ON DELETE CASCADE.
    return (await this.db.run('DELETE FROM workspaces WHERE id = ?', [id])) > 0;
  }
  insertUserRole(role: UserRole) {
    return this.insert(tables.user_roles, role);
  }
  getUserRole(id: string) {
    return this.one<UserRole>(tables.user_roles, 'id = ?', [id]);
  }
  findUserRoleByName(accountId: string, name: string) {
    return this.one<UserRole>(tables.user_roles, 'account_id = ? AND name = ?', [accountId, name]);
  }
  listUserRoles(accountId: string) {
    return this.many<UserRole>(tables.user_roles, 'account_id = ? ORDER BY created_at, id', [accountId]);
  }
  async updateUserRole(role: UserRole) {
    await this.db.run('UPDATE user_roles SET name = ?, access_grants = ? WHERE id = ?', [role.name, JSON.stringify(role.access_grants), role.id]);
  }
  async deleteUserRole(id: string) {
    return (await this.db.run('DELETE FROM user_roles WHERE id = ?', [id])) > 0;
  }
  getPipeline(id: string) {
    return this.one<Pipeline>(tables.pipelines, 'id = ?', [id]);
  }
  async updatePipelineState(id: string, state: string, deployedConfigurationId: string) {
    await this.db.run('UPDATE pipelines SET state = ?, deployed_configuration_id = ? WHERE id = ?', [state, deployedConfigurationId, id]);
  }
  async deletePipeline(id: string) {
    // Its configurations go with it through ON DELETE CASCADE.
    return (await this.db.run('DELETE FROM pipelines WHERE id = ?', [id])) > 0;
  }
  insertPipelineConfiguration(configuration: PipelineConfiguration) {
    return this.insert(tables.pipeline_configurations, configuration);
  }
  listPipelineConfigurations(pipelineId: string) {
    return this.many<PipelineConfiguration>(tables.pipeline_configurations, 'pipeline_id = ? ORDER BY version', [pipelineId]);
  }
}
