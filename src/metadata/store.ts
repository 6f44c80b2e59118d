/**
 * Everything durable the control plane knows, behind one interface. Both implementations
 * (SQLite, PostgreSQL) pass the same test suite (`test/metadata/store.test.ts`). The records it
 * stores are defined in model/records.ts (shared with the agent, which never sees the store).
 */
import type {
  Account, Acl, ApiKeyRecord, BatchIndexEntry, ClusterCredential, CommittedOffset, EventsState, IdempotencyRecord,
  Pipeline, PipelineConfiguration, PartitionState, Producer, ProducerPartition, Topic, UserRole, VirtualCluster, Workspace,
} from '../model/records.ts';

export * from '../model/records.ts';

export interface MetadataStore {
  readonly kind: 'sqlite' | 'postgres';

  /**
   * Runs `fn` against a store bound to one transaction. The callback may run more than once
   * (serialization retries), so it must not have effects outside the store it is given.
   */
  transaction<T>(fn: (store: MetadataStore) => Promise<T>): Promise<T>;
  close(): Promise<void>;

  getMetadata(key: string): Promise<string | undefined>;
  setMetadata(key: string, value: string): Promise<void>;

  insertAccount(account: Account): Promise<void>;
  getAccount(id: string): Promise<Account | undefined>;

  insertWorkspace(workspace: Workspace): Promise<void>;
  getWorkspace(id: string): Promise<Workspace | undefined>;
  findWorkspaceByName(accountId: string, name: string): Promise<Workspace | undefined>;
  listWorkspaces(accountId: string): Promise<Workspace[]>;

  insertApiKey(key: ApiKeyRecord): Promise<void>;
  getApiKeyBySecretHash(secretHash: string): Promise<ApiKeyRecord | undefined>;
  findApiKeyByName(accountId: string, workspaceId: string | null, name: string): Promise<ApiKeyRecord | undefined>;
  /** Keys of one workspace (application and agent keys), oldest first. */
  listApiKeys(workspaceId: string): Promise<ApiKeyRecord[]>;
  /** Account-level keys (no workspace), oldest first. */
  listAccountKeys(accountId: string): Promise<ApiKeyRecord[]>;
  listAgentKeys(virtualClusterId: string): Promise<ApiKeyRecord[]>;

  insertVirtualCluster(cluster: VirtualCluster): Promise<void>;
  getVirtualCluster(id: string): Promise<VirtualCluster | undefined>;
  findVirtualClusterByName(workspaceId: string, name: string): Promise<VirtualCluster | undefined>;
  listVirtualClusters(workspaceId: string): Promise<VirtualCluster[]>;
  updateVirtualClusterConfiguration(id: string, configuration: Record<string, unknown>): Promise<void>;
  /** Removes the cluster and everything it owns (topics, ACLs, credentials, pipelines, keys, offsets). */
  deleteVirtualCluster(id: string): Promise<boolean>;

  // Virtual cluster name, tier and tags (rename_virtual_cluster, update_virtual_cluster_tier/tags).
  renameVirtualCluster(id: string, name: string): Promise<void>;
  updateVirtualClusterTier(id: string, tier: string): Promise<void>;
  updateVirtualClusterTags(id: string, tags: Record<string, string>): Promise<void>;
  updateVirtualClusterEvents(id: string, events: EventsState): Promise<void>;

  insertTopic(topic: Topic): Promise<void>;
  /** The topic of that name, live or soft-deleted. */
  getTopic(virtualClusterId: string, name: string): Promise<Topic | undefined>;
  getTopicById(id: string): Promise<Topic | undefined>;
  listTopics(virtualClusterId: string, which: 'live' | 'deleted'): Promise<Topic[]>;
  updateTopic(topic: Topic): Promise<void>;
  deleteTopic(id: string): Promise<boolean>;
  /** Permanently removes soft-deleted topics deleted before `before` (epoch ms). */
  purgeSoftDeletedTopics(virtualClusterId: string, before: number): Promise<number>;
  /** Partitions of the cluster's live topics: what the tier limit counts. */
  countPartitions(virtualClusterId: string): Promise<number>;

  insertAcl(acl: Acl): Promise<void>;
  listAcls(virtualClusterId: string): Promise<Acl[]>;
  deleteAcl(id: string): Promise<boolean>;

  insertCredential(credential: ClusterCredential): Promise<void>;
  findCredentialByName(virtualClusterId: string, name: string): Promise<ClusterCredential | undefined>;
  getCredentialByUsername(username: string): Promise<ClusterCredential | undefined>;
  listCredentials(virtualClusterId: string): Promise<ClusterCredential[]>;
  getCredential(id: string): Promise<ClusterCredential | undefined>;
  deleteCredential(id: string): Promise<boolean>;

  insertPipeline(pipeline: Pipeline): Promise<void>;
  listPipelines(virtualClusterId: string): Promise<Pipeline[]>;

  upsertCommittedOffset(offset: CommittedOffset): Promise<void>;
  listCommittedOffsets(virtualClusterId: string): Promise<CommittedOffset[]>;

  listGroupOffsets(virtualClusterId: string, groupId: string): Promise<CommittedOffset[]>;
  /** Deletes a group's offsets: all of them, or one topic's, or one partition's. */
  deleteGroupOffsets(virtualClusterId: string, groupId: string, topicName?: string, partition?: number): Promise<number>;

  getPartitionState(topicId: string, partition: number): Promise<PartitionState | undefined>;
  listPartitionStates(topicId: string): Promise<PartitionState[]>;
  upsertPartitionState(state: PartitionState): Promise<void>;
  insertBatchIndex(entries: readonly BatchIndexEntry[]): Promise<void>;
  /** Index entries holding offsets at or after `fromOffset`, in offset order, at most `limit`. */
  listBatchIndex(topicId: string, partition: number, fromOffset: number, limit: number): Promise<BatchIndexEntry[]>;
  /** The first batch whose max timestamp is at or after `timestamp` (ListOffsets by time). */
  findBatchByTimestamp(topicId: string, partition: number, timestamp: number, fromOffset: number): Promise<BatchIndexEntry | undefined>;
  /** The largest max timestamp of a partition's batches at or after `fromOffset`. */
  findMaxTimestampBatch(topicId: string, partition: number, fromOffset: number): Promise<BatchIndexEntry | undefined>;
  /** Drops index entries wholly below `offset` (after DeleteRecords or retention). */
  deleteBatchIndexBefore(topicId: string, partition: number, offset: number): Promise<number>;

  /** A new producer id, one more than any ever given out on this store. */
  insertProducer(producer: Omit<Producer, 'producer_id'>): Promise<Producer>;
  getProducer(producerId: number): Promise<Producer | undefined>;
  findProducerByTransactionalId(virtualClusterId: string, transactionalId: string): Promise<Producer | undefined>;
  updateProducerEpoch(producerId: number, epoch: number): Promise<void>;
  getProducerPartition(producerId: number, topicId: string, partition: number): Promise<ProducerPartition | undefined>;
  upsertProducerPartition(state: ProducerPartition): Promise<void>;

  getIdempotencyRecord(apiKeyId: string, idempotencyKey: string): Promise<IdempotencyRecord | undefined>;
  /** Claims the key for a request; false when a record for it already exists. */
  insertIdempotencyRecord(record: IdempotencyRecord): Promise<boolean>;
  completeIdempotencyRecord(apiKeyId: string, idempotencyKey: string, statusCode: number, responseBody: string): Promise<void>;
  deleteIdempotencyRecord(apiKeyId: string, idempotencyKey: string): Promise<void>;
  purgeIdempotencyRecords(before: number): Promise<number>;

  // --- keys, workspaces, user roles, pipeline configurations (issue 5) ---
  getApiKey(id: string): Promise<ApiKeyRecord | undefined>;
  deleteApiKey(id: string): Promise<boolean>;
  renameWorkspace(id: string, name: string): Promise<void>;
  /** Removes the workspace and its keys; the caller makes sure it owns no virtual cluster. */
  deleteWorkspace(id: string): Promise<boolean>;
  insertUserRole(role: UserRole): Promise<void>;
  getUserRole(id: string): Promise<UserRole | undefined>;
  findUserRoleByName(accountId: string, name: string): Promise<UserRole | undefined>;
  listUserRoles(accountId: string): Promise<UserRole[]>;
  /** Replaces the role's name and grants. */
  updateUserRole(role: UserRole): Promise<void>;
  deleteUserRole(id: string): Promise<boolean>;
  getPipeline(id: string): Promise<Pipeline | undefined>;
  /** Replaces the pipeline's state and deployed configuration. */
  updatePipelineState(id: string, state: string, deployedConfigurationId: string): Promise<void>;
  /** Removes the pipeline and its configurations. */
  deletePipeline(id: string): Promise<boolean>;
  insertPipelineConfiguration(configuration: PipelineConfiguration): Promise<void>;
  /** A pipeline's configurations, oldest (version 1) first. */
  listPipelineConfigurations(pipelineId: string): Promise<PipelineConfiguration[]>;
}
