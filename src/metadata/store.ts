/**
 * Everything durable the control plane knows, behind one interface. Both implementations
 * (SQLite, PostgreSQL) pass the same test suite (`test/metadata/store.test.ts`). The records it
 * stores are defined in model/records.ts (shared with the agent, which never sees the store).
 */
import type {
  Account, Acl, AgentRecord, ApiKeyRecord, BatchDrop, BatchIndexEntry, BatchMove, ClusterCredential, CommittedOffset,
  EventsState, IdempotencyRecord, JobLease, ObjectDeletion, ObjectRecord, Pipeline, PipelineConfiguration, PartitionOffsets, PartitionState,
  Producer, ProducerPartition, Topic, TrimmedBatches, UserRole, VirtualCluster, Workspace,
} from '../model/records.ts';

export * from '../model/records.ts';
import type { IdentityStore } from './identity-store.ts';
import type { TransactionStore } from './transaction-store.ts';
import type { ShareStore } from './share-store.ts';
import type { DocumentStore } from './document-store.ts';
export type { IdentityStore } from './identity-store.ts';
export type { TransactionStore } from './transaction-store.ts';
export type { ShareStore } from './share-store.ts';

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

  /** Realms, and the embedded issuer's users, clients, keys and refresh tokens. */
  readonly identity: IdentityStore;
  /** The transaction coordinator's state, open and aborted transactions per partition. */
  readonly transactions: TransactionStore;
  /** Share groups' share-partition state and groups' dynamic configs. */
  readonly shares: ShareStore;
  /** The Mongo data API's embedded documents, collections and indexes. */
  readonly documents: DocumentStore;

  insertAccount(account: Account): Promise<void>;
  getAccount(id: string): Promise<Account | undefined>;
  findAccountBySlug(slug: string): Promise<Account | undefined>;
  /** Replaces an account's mutable fields (slug, display name, plan, admin email, status, times). */
  updateAccount(account: Account): Promise<void>;
  /**
   * Accounts in (created_at, id) order after the `after` position, at most `limit`; deleted
   * ones only when `status` asks for them.
   */
  listAccounts(filter: { status?: string; plan?: string; after?: { created_at: number; id: string }; limit: number }): Promise<Account[]>;

  insertWorkspace(workspace: Workspace): Promise<void>;
  getWorkspace(id: string): Promise<Workspace | undefined>;
  findWorkspaceByName(accountId: string, name: string): Promise<Workspace | undefined>;
  findWorkspaceBySlug(accountId: string, slug: string): Promise<Workspace | undefined>;
  /** Replaces a workspace's mutable fields (name, slug, capabilities, status, times). */
  updateWorkspace(workspace: Workspace): Promise<void>;
  /** An account's workspaces, soft-deleted ones included, oldest first. */
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
  /** Removes the topic and its partitions, index and producer state (objects are released by log/objects.ts). */
  deleteTopic(id: string): Promise<boolean>;
  /**
   * Permanently removes soft-deleted topics deleted before `before` (epoch ms). Their index goes
   * with them and the objects it pointed into are not released: the services purge through
   * log/soft-deleted-topics.ts, which does.
   */
  purgeSoftDeletedTopics(virtualClusterId: string, before: number): Promise<number>;
  /** Partitions of the cluster's live topics: what the tier limit counts. */
  countPartitions(virtualClusterId: string): Promise<number>;
  /** Partitions of the live topics in every virtual cluster of the account's live workspaces: what its plan counts. */
  countAccountPartitions(accountId: string): Promise<number>;

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

  /** The partition's offsets with its last stable offset (the oldest open transaction's first offset, else the high watermark). */
  getPartitionState(topicId: string, partition: number): Promise<PartitionState | undefined>;
  listPartitionStates(topicId: string): Promise<PartitionOffsets[]>;
  upsertPartitionState(state: PartitionOffsets): Promise<void>;
  /**
   * Moves a partition's log start forward to `offset` and touches nothing else (not the high
   * watermark a concurrent commit may be moving): never backwards, never past the high
   * watermark. False when it did not move (no row, already there, or beyond the high watermark).
   */
  advanceLogStartOffset(topicId: string, partition: number, offset: number): Promise<boolean>;
  insertBatchIndex(entries: readonly BatchIndexEntry[]): Promise<void>;
  /** The bytes a topic's index entries hold, per partition that has any (DescribeLogDirs). */
  partitionSizes(topicId: string): Promise<Array<{ partition: number; bytes: number }>>;
  /** Index entries holding offsets at or after `fromOffset`, in offset order, at most `limit`. */
  listBatchIndex(topicId: string, partition: number, fromOffset: number, limit: number): Promise<BatchIndexEntry[]>;
  /**
   * The entry `skip` places after the first one holding offsets at or after `fromOffset` (0:
   * that first one), in offset order: where a bounded trim of `skip` entries stops.
   */
  findBatchIndexEntryAfter(topicId: string, partition: number, fromOffset: number, skip: number): Promise<BatchIndexEntry | undefined>;
  /** The first batch whose max timestamp is at or after `timestamp` (ListOffsets by time). */
  findBatchByTimestamp(topicId: string, partition: number, timestamp: number, fromOffset: number): Promise<BatchIndexEntry | undefined>;
  /** The largest max timestamp of a partition's batches at or after `fromOffset`. */
  findMaxTimestampBatch(topicId: string, partition: number, fromOffset: number): Promise<BatchIndexEntry | undefined>;
  /**
   * Drops index entries wholly below `offset` (after DeleteRecords or retention) and answers what
   * went. The objects they pointed into are not released here (log/objects.ts does that).
   */
  deleteBatchIndexBefore(topicId: string, partition: number, offset: number): Promise<TrimmedBatches>;
  /**
   * The first batch at or after `fromOffset` (in offset order) that time-based retention keeps:
   * its max timestamp is at or after `cutoff`, or, for a batch without timestamps (negative), the
   * object holding it was created at or after `cutoff`.
   */
  findFirstBatchAtOrAfter(topicId: string, partition: number, fromOffset: number, cutoff: number): Promise<BatchIndexEntry | undefined>;
  /**
   * The oldest batch at or after `fromOffset` such that it and every later batch of the partition
   * hold at most `maxBytes` together (what `retention.bytes` keeps); undefined when even the
   * newest batch alone is larger.
   */
  findFirstBatchWithinBytes(topicId: string, partition: number, fromOffset: number, maxBytes: number): Promise<BatchIndexEntry | undefined>;
  /** Distinct object keys a topic's index entries point into (gathered before a hard delete). */
  listTopicObjectKeys(topicId: string): Promise<string[]>;
  /** Index entries pointing into any of `objectKeys`, in (topic_id, partition, base_offset) order. */
  listBatchIndexByObjects(objectKeys: readonly string[]): Promise<BatchIndexEntry[]>;
  /**
   * Points each entry that still exists and still points at its `from_object_key` (and whose new
   * `last_offset` does not exceed its own) into `toObjectKey`; answers how many moved.
   */
  moveBatchIndexEntries(toObjectKey: string, moves: readonly BatchMove[]): Promise<number>;
  /**
   * Removes each entry that still exists and still points at its `from_object_key`, except a
   * partition's newest entry (fetches read up to the high watermark through it); answers how many went.
   */
  dropBatchIndexEntries(drops: readonly BatchDrop[]): Promise<number>;

  /** Records objects; a key already recorded keeps its row. */
  insertObjects(objects: readonly ObjectRecord[]): Promise<void>;
  getObject(objectKey: string): Promise<ObjectRecord | undefined>;
  /** A cluster's objects of one level created at or before `createdAtOrBefore`, oldest first. */
  listObjects(virtualClusterId: string, level: number, createdAtOrBefore: number, limit: number): Promise<ObjectRecord[]>;
  /**
   * Of `objectKeys`, the cluster's recorded objects that no index entry references: moves them
   * to `object_deletions` (due at `deleteAfter`) and answers their keys. Keys of other clusters,
   * unknown keys and referenced objects are left alone.
   */
  releaseUnreferencedObjects(virtualClusterId: string, objectKeys: readonly string[], deleteAfter: number): Promise<string[]>;
  /** Moves every recorded object of the cluster to `object_deletions` (its cluster is going); answers how many. */
  releaseAllObjects(virtualClusterId: string, deleteAfter: number): Promise<number>;
  /**
   * Released objects due for deletion at `now`, earliest first; never one the index references
   * or one recorded again.
   */
  listDueObjectDeletions(virtualClusterId: string, now: number, limit: number): Promise<ObjectDeletion[]>;
  /**
   * Of `objectKeys`, those the store knows in any way — recorded, released, or referenced by the
   * index — whatever their cluster: the rest are orphans (uploaded, never committed).
   */
  knownObjectKeys(objectKeys: readonly string[]): Promise<string[]>;
  /** Forgets deletions the agent has carried out; answers how many it knew. */
  confirmObjectDeletions(virtualClusterId: string, objectKeys: readonly string[]): Promise<number>;

  /**
   * Registers (or re-registers) an agent. False when the id is taken by an agent of another
   * cluster (nothing changes then).
   */
  upsertAgent(agent: AgentRecord): Promise<boolean>;
  getAgent(virtualClusterId: string, agentId: string): Promise<AgentRecord | undefined>;
  /** Sets the agent's last heartbeat; false when the cluster has no agent of that id. */
  heartbeatAgent(virtualClusterId: string, agentId: string, at: number): Promise<boolean>;
  /** Agents whose last heartbeat is after `heartbeatAfter`, oldest start first. */
  listLiveAgents(virtualClusterId: string, heartbeatAfter: number): Promise<AgentRecord[]>;
  deleteAgent(virtualClusterId: string, agentId: string): Promise<boolean>;
  /** Forgets agents whose last heartbeat is before `heartbeatBefore` (they stopped without saying so). */
  purgeAgents(virtualClusterId: string, heartbeatBefore: number): Promise<number>;

  /**
   * Takes or renews a job's lease for `holder` until `now + ttlMs`, atomically: it succeeds when
   * the lease is free, expired (`expires_at <= now`) or already `holder`'s. Exactly one of two
   * agents racing for a free lease gets true.
   */
  acquireLease(virtualClusterId: string, job: string, holder: string, now: number, ttlMs: number): Promise<boolean>;
  /** Gives the lease up; false when `holder` did not hold it. */
  releaseLease(virtualClusterId: string, job: string, holder: string): Promise<boolean>;
  getLease(virtualClusterId: string, job: string): Promise<JobLease | undefined>;

  /** A new producer id, one more than any ever given out on this store. */
  insertProducer(producer: Omit<Producer, 'producer_id'>): Promise<Producer>;
  getProducer(producerId: number): Promise<Producer | undefined>;
  findProducerByTransactionalId(virtualClusterId: string, transactionalId: string): Promise<Producer | undefined>;
  updateProducerEpoch(producerId: number, epoch: number): Promise<void>;
  getProducerPartition(producerId: number, topicId: string, partition: number): Promise<ProducerPartition | undefined>;
  upsertProducerPartition(state: ProducerPartition): Promise<void>;
  /** The producers that wrote to a partition, by producer id (DescribeProducers). */
  listProducerPartitions(topicId: string, partition: number): Promise<ProducerPartition[]>;

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
