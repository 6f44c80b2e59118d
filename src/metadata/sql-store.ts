import { UniqueViolation, type Row, type SqlDriver, type SqlExecutor, type SqlValue } from './sql.ts';
import type {
  Account,
  Acl,
  ApiKeyRecord,
  ClusterCredential,
  CommittedOffset,
  IdempotencyRecord,
  MetadataStore,
  Pipeline,
  Topic,
  VirtualCluster,
  Workspace,
} from './store.ts';

/**
 * How a record's fields are kept in its table: JSON values as TEXT, booleans as 0/1. Every
 * other field is stored as it is. One description per table, used both ways.
 */
interface TableCodec {
  table: string;
  json?: readonly string[];
  booleans?: readonly string[];
}

const tables = {
  accounts: { table: 'accounts' },
  workspaces: { table: 'workspaces' },
  api_keys: { table: 'api_keys', json: ['access_grants'], booleans: ['read_only'] },
  virtual_clusters: { table: 'virtual_clusters' },
  topics: { table: 'topics', json: ['configs'] },
  acls: { table: 'acls' },
  cluster_credentials: { table: 'cluster_credentials', json: ['scram'], booleans: ['is_cluster_superuser', 'read_only'] },
  pipelines: { table: 'pipelines' },
  consumer_group_offsets: { table: 'consumer_group_offsets' },
  idempotency_records: { table: 'idempotency_records' },
} satisfies Record<string, TableCodec>;

function toRow(codec: TableCodec, record: object): Record<string, SqlValue> {
  const row: Record<string, SqlValue> = {};
  for (const [field, value] of Object.entries(record)) {
    if (codec.json?.includes(field)) row[field] = JSON.stringify(value);
    else if (codec.booleans?.includes(field)) row[field] = value ? 1 : 0;
    else row[field] = (value ?? null) as SqlValue;
  }
  return row;
}

function fromRow<T>(codec: TableCodec, row: Row): T {
  const record: Record<string, unknown> = { ...row };
  for (const field of codec.json ?? []) record[field] = JSON.parse(String(row[field]));
  for (const field of codec.booleans ?? []) record[field] = Number(row[field]) === 1;
  return record as T;
}

/** The MetadataStore, written once over the SQL both SQLite and PostgreSQL speak. */
export class SqlMetadataStore implements MetadataStore {
  readonly kind: 'sqlite' | 'postgres';
  private readonly driver: SqlDriver;
  private readonly db: SqlExecutor;

  constructor(driver: SqlDriver, executor: SqlExecutor = driver) {
    this.driver = driver;
    this.db = executor;
    this.kind = driver.dialect;
  }

  transaction<T>(fn: (store: MetadataStore) => Promise<T>): Promise<T> {
    if (this.db !== this.driver) return fn(this); // already inside one: join it
    return this.driver.transaction((tx) => fn(new SqlMetadataStore(this.driver, tx)));
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  private async insert(codec: TableCodec, record: object): Promise<void> {
    const row = toRow(codec, record);
    const columns = Object.keys(row);
    await this.db.run(
      `INSERT INTO ${codec.table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      Object.values(row),
    );
  }

  private async one<T>(codec: TableCodec, where: string, params: SqlValue[]): Promise<T | undefined> {
    const row = await this.db.get<Row>(`SELECT * FROM ${codec.table} WHERE ${where}`, params);
    return row ? fromRow<T>(codec, row) : undefined;
  }

  private async many<T>(codec: TableCodec, where: string, params: SqlValue[]): Promise<T[]> {
    const rows = await this.db.all<Row>(`SELECT * FROM ${codec.table} WHERE ${where}`, params);
    return rows.map((row) => fromRow<T>(codec, row));
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

  insertWorkspace(workspace: Workspace) {
    return this.insert(tables.workspaces, workspace);
  }
  getWorkspace(id: string) {
    return this.one<Workspace>(tables.workspaces, 'id = ?', [id]);
  }
  findWorkspaceByName(accountId: string, name: string) {
    return this.one<Workspace>(tables.workspaces, 'account_id = ? AND name = ?', [accountId, name]);
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
  async deleteVirtualCluster(id: string) {
    // Everything the cluster owns goes with it through ON DELETE CASCADE.
    return (await this.db.run('DELETE FROM virtual_clusters WHERE id = ?', [id])) > 0;
  }

  insertTopic(topic: Topic) {
    return this.insert(tables.topics, topic);
  }
  getTopic(virtualClusterId: string, name: string) {
    return this.one<Topic>(tables.topics, 'virtual_cluster_id = ? AND name = ?', [virtualClusterId, name]);
  }
  listTopics(virtualClusterId: string, which: 'live' | 'deleted') {
    const deleted = which === 'live' ? 'deleted_at IS NULL' : 'deleted_at IS NOT NULL';
    return this.many<Topic>(tables.topics, `virtual_cluster_id = ? AND ${deleted} ORDER BY name`, [virtualClusterId]);
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

  insertAcl(acl: Acl) {
    return this.insert(tables.acls, acl);
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
      'virtual_cluster_id = ? ORDER BY group_id, topic_name, partition',
      [virtualClusterId],
    );
  }

  getIdempotencyRecord(apiKeyId: string, idempotencyKey: string) {
    return this.one<IdempotencyRecord>(tables.idempotency_records, 'api_key_id = ? AND idempotency_key = ?', [
      apiKeyId,
      idempotencyKey,
    ]);
  }
  async insertIdempotencyRecord(record: IdempotencyRecord) {
    try {
      await this.insert(tables.idempotency_records, record);
      return true;
    } catch (error) {
      if (error instanceof UniqueViolation) return false;
      throw error;
    }
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
}
