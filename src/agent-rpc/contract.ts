import type {
  AddOffsetsToTxnRequest, AddOffsetsToTxnResponse, AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, DescribeProducersRequest,
  DescribeProducersResponse, DescribeTransactionsRequest, DescribeTransactionsResponse, EndTxnRequest, EndTxnResponse, InitProducerIdRequest,
  InitProducerIdResponse, ListTransactionsRequest, ListTransactionsResponse, TxnOffsetCommitRequest, TxnOffsetCommitResponse,
  ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse, ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse,
  DeleteGroupsRequest, DeleteGroupsResponse, DescribeGroupsRequest, DescribeGroupsResponse, HeartbeatRequest,
  HeartbeatResponse, JoinGroupRequest, JoinGroupResponse, LeaveGroupRequest, LeaveGroupResponse, ListGroupsRequest,
  ListGroupsResponse, OffsetCommitRequest, OffsetCommitResponse, OffsetDeleteRequest, OffsetDeleteResponse,
  OffsetFetchRequest, OffsetFetchResponse, SyncGroupRequest, SyncGroupResponse,
  AlterShareGroupOffsetsRequest, AlterShareGroupOffsetsResponse, DeleteShareGroupOffsetsRequest, DeleteShareGroupOffsetsResponse,
  DescribeShareGroupOffsetsRequest, DescribeShareGroupOffsetsResponse, ShareGroupDescribeRequest, ShareGroupDescribeResponse,
  ShareGroupHeartbeatRequest, ShareGroupHeartbeatResponse,
} from '../kafka-protocol/index.ts';
import type { AclEntry } from '../acls/vocabulary.ts';
import type { AbortedTransaction, AgentRecord, BatchDrop, BatchIndexEntry, BatchMove, ClusterCredential, ObjectDeletion, ObjectRecord, PartitionState, Topic, VirtualCluster } from '../model/records.ts';

/**
 * Everything an agent asks of the control plane: the whole boundary. The agent holds no state
 * that cannot be lost — topics, offsets, the batch index, producers, credentials, ACLs and
 * groups all live behind this interface. Two implementations: `LocalControlPlane`
 * (control-plane/agent-rpc/local.ts, in the same process: `npm start`) and `HttpControlPlane`
 * (agent-rpc/http-client.ts, over the control plane's internal routes: agents on other
 * machines). Both pass the same agent test suite.
 *
 * Every call names the virtual cluster; over HTTP the control plane checks it is the agent
 * key's own (and that a topic id belongs to it). Refusals are `ApiError`s (src/errors.ts), the
 * same on both implementations, so handlers map them to Kafka error codes in one way.
 */
export interface ControlPlaneClient {
  /** The virtual cluster an agent key belongs to; refuses any other key (AgentAuthError). */
  authenticateAgent(agentKey: string, virtualClusterId?: string): Promise<VirtualCluster>;
  /** The cluster as it is now (its configuration changes while agents run). */
  getCluster(virtualClusterId: string): Promise<VirtualCluster | undefined>;

  // --- topics: the Management API's rules (services/topics.ts) ---
  listTopics(virtualClusterId: string): Promise<Topic[]>;
  /** A live topic of that name (soft-deleted topics are not). */
  getTopic(virtualClusterId: string, name: string): Promise<Topic | undefined>;
  createTopic(virtualClusterId: string, request: TopicCreation): Promise<Topic>;
  /** Deletes the topic, softly when the cluster keeps deleted topics (soft_delete_topics_enabled). */
  deleteTopic(virtualClusterId: string, name: string): Promise<void>;
  growPartitions(virtualClusterId: string, name: string, partitionCount: number, validateOnly: boolean): Promise<Topic>;
  /** Replaces the topic's configs (null values reset); checked as create_topic checks them. */
  setTopicConfigs(virtualClusterId: string, name: string, configs: Record<string, string | null>, validateOnly: boolean): Promise<Topic>;
  /** DeleteRecords: the log starts at `offset` from now on; answers the new log start offset. */
  deleteRecordsBefore(virtualClusterId: string, name: string, partition: number, offset: number): Promise<number>;

  // --- the log: commits and the batch index (control-plane/log/) ---
  /**
   * Commits batches the agent has written to objects (`objectKey`, or each batch's own
   * `object_key`): one call per flush, whatever the number of objects and partitions. Answers
   * per batch, in order.
   */
  commit(virtualClusterId: string, objectKey: string, batches: readonly BatchToCommit[]): Promise<CommittedBatch[]>;
  partitionState(virtualClusterId: string, topicId: string, partition: number): Promise<PartitionState>;
  /** Index entries holding offsets at or after `fromOffset`, in offset order, at most `limit`. */
  readIndex(virtualClusterId: string, topicId: string, partition: number, fromOffset: number, limit: number): Promise<BatchIndexEntry[]>;
  /** The bytes each partition of the topic holds (DescribeLogDirs), partitions without data left out. */
  partitionSizes(virtualClusterId: string, topicId: string): Promise<Array<{ partition: number; bytes: number }>>;
  /** ListOffsets by time: the first batch whose max timestamp is at or after `timestamp`. */
  findBatchByTimestamp(virtualClusterId: string, topicId: string, partition: number, timestamp: number): Promise<BatchIndexEntry | undefined>;
  /** ListOffsets MAX_TIMESTAMP: the batch with the largest timestamp. */
  findMaxTimestampBatch(virtualClusterId: string, topicId: string, partition: number): Promise<BatchIndexEntry | undefined>;
  /**
   * Calls `listener` after commits that touched the partition: every commit made through this
   * client; commits of other agents only where the implementation can see them (in-process:
   * all of them). Readers re-check on their own too. Answers an unsubscribe.
   */
  onCommit(topicId: string, partition: number, listener: () => void): () => void;

  // --- producers and transactions ---
  /** InitProducerId for an idempotent producer: a new id, or (KIP-360) the next epoch of `current`. */
  initProducerId(virtualClusterId: string, current: { producer_id: number; producer_epoch: number } | null): Promise<{ producer_id: number; producer_epoch: number }>;
  /** The transaction coordinator: one for every agent of the cluster, its state in the metadata store. */
  readonly transactions: TransactionApi;
  /** Aborted transactions overlapping offsets `from`..`to` of a partition: what a read_committed fetch answers. */
  abortedTransactions(virtualClusterId: string, topicId: string, partition: number, from: number, to: number): Promise<AbortedTransaction[]>;
  /** Aborts the open transactions that outlived their timeouts (the jobs role's sweep); answers how many. */
  abortExpiredTransactions(virtualClusterId: string): Promise<number>;

  // --- security ---
  /** The cluster credential of that username in this cluster, with its SCRAM salted keys. */
  findCredential(virtualClusterId: string, username: string): Promise<ClusterCredential | undefined>;
  listAcls(virtualClusterId: string): Promise<AclEntry[]>;
  createAcl(virtualClusterId: string, acl: AclEntry): Promise<AclEntry>;
  /** Deletes the ACLs equal to these entries; answers those it deleted. */
  deleteAcls(virtualClusterId: string, acls: readonly AclEntry[]): Promise<AclEntry[]>;

  // --- consumer groups: one coordinator for every agent of the cluster ---
  readonly groups: GroupApi;
  /** Share groups' records (KIP-932): what ShareFetch and ShareAcknowledge hand out and settle. */
  readonly shares: ShareApi;

  // --- the agent registry (what Metadata answers as brokers) ---
  /** Registers this agent (again, after a heartbeat answered null); answers it and the cluster's live agents. */
  registerAgent(virtualClusterId: string, registration: AgentRegistration): Promise<{ agent: AgentRecord; live: AgentRecord[] }>;
  /** Keeps this agent live; answers the cluster's live agents, or null when the control plane forgot it (register again). */
  heartbeatAgent(virtualClusterId: string, agentId: string): Promise<AgentRecord[] | null>;
  /** A clean stop: the agent leaves the live list at once. */
  deregisterAgent(virtualClusterId: string, agentId: string): Promise<void>;

  // --- the jobs role: one agent of the cluster at a time, under a lease ---
  /** Takes or renews `job`'s lease for the agent (JOB_LEASE_TTL_MS, the control plane's clock). */
  acquireJobLease(virtualClusterId: string, job: string, agentId: string): Promise<LeaseAnswer>;
  releaseJobLease(virtualClusterId: string, job: string, agentId: string): Promise<void>;
  /** Retention (retention.ms, retention.bytes) on every topic of the cluster, now. */
  applyRetention(virtualClusterId: string): Promise<RetentionResult>;
  /** Purges the soft-deleted topics whose TTL has run out. */
  purgeSoftDeletedTopics(virtualClusterId: string): Promise<PurgeResult>;
  /** Objects nothing references any more whose grace has passed: the agent deletes them, then confirms. */
  listDueObjectDeletions(virtualClusterId: string, limit: number): Promise<ObjectDeletion[]>;
  confirmObjectDeletions(virtualClusterId: string, objectKeys: readonly string[]): Promise<number>;
  /** Of keys found under the cluster's prefix in the bucket, those the control plane has no record of (orphans). */
  unknownObjects(virtualClusterId: string, objectKeys: readonly string[]): Promise<string[]>;
  /** Groups of small objects worth merging, with the live index entries in them. */
  planCompaction(virtualClusterId: string, options: CompactionPlanOptions): Promise<CompactionGroup[]>;
  /** Index entries now in a new object the agent wrote (merged, or key-compacted). */
  commitRewrite(virtualClusterId: string, rewrite: RewriteRequest): Promise<RewriteResult>;

  /** Lets go of what the client holds (connections, timers). */
  close(): Promise<void>;
}

export interface TopicCreation {
  topic_name: string;
  partition_count: number;
  configs?: Record<string, string>;
  /** Run every check, change nothing (CreateTopics validateOnly). */
  validate_only?: boolean;
}

/** One record batch written to an object, as the agent asks for it to be committed. */
export interface BatchToCommit {
  topic_id: string;
  partition: number;
  /** Where the batch sits in the object. */
  byte_offset: number;
  byte_length: number;
  /** Records in the batch minus one (the batch header's lastOffsetDelta). */
  last_offset_delta: number;
  max_timestamp: number;
  /** -1 for producers that are not idempotent. */
  producer_id: number;
  producer_epoch: number;
  base_sequence: number;
  /** The batch header's transactional bit: the batch belongs to its producer's open transaction. */
  is_transactional?: boolean;
  /**
   * The object holding the batch, when it is not the commit's own: an agent that has several
   * objects written by the time it commits commits them together (one transaction, one fsync).
   */
  object_key?: string;
}

export interface CommittedBatch {
  error_code: number;
  /** The offset the batch's first record got (or, for a duplicate, got the first time). */
  base_offset: number;
  log_start_offset: number;
}

/** Who sent a group request, as the coordinator records members. */
export interface GroupClient {
  clientId: string;
  clientHost: string;
}

type GroupCall<Request, Response> = (virtualClusterId: string, request: Request, apiVersion: number, client: GroupClient) => Promise<Response>;

/**
 * The group coordinator's Kafka-level calls (control-plane/groups/): the agent passes each group
 * request through with the cluster, the version and the client. JoinGroup and SyncGroup answer
 * only once the rebalance allows it (seconds to minutes).
 */
export interface GroupApi {
  joinGroup: GroupCall<JoinGroupRequest, JoinGroupResponse>;
  syncGroup: GroupCall<SyncGroupRequest, SyncGroupResponse>;
  heartbeat: GroupCall<HeartbeatRequest, HeartbeatResponse>;
  leaveGroup: GroupCall<LeaveGroupRequest, LeaveGroupResponse>;
  offsetCommit: GroupCall<OffsetCommitRequest, OffsetCommitResponse>;
  offsetFetch: GroupCall<OffsetFetchRequest, OffsetFetchResponse>;
  offsetDelete: GroupCall<OffsetDeleteRequest, OffsetDeleteResponse>;
  describeGroups: GroupCall<DescribeGroupsRequest, DescribeGroupsResponse>;
  listGroups: GroupCall<ListGroupsRequest, ListGroupsResponse>;
  deleteGroups: GroupCall<DeleteGroupsRequest, DeleteGroupsResponse>;
  /** KIP-848 (group.protocol=consumer): join, heartbeat and leave in one call that answers at once. */
  consumerGroupHeartbeat: GroupCall<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse>;
  consumerGroupDescribe: GroupCall<ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse>;
  /** KIP-932 share groups: membership (every member reads every partition) and their offsets. */
  shareGroupHeartbeat: GroupCall<ShareGroupHeartbeatRequest, ShareGroupHeartbeatResponse>;
  shareGroupDescribe: GroupCall<ShareGroupDescribeRequest, ShareGroupDescribeResponse>;
  describeShareGroupOffsets: GroupCall<DescribeShareGroupOffsetsRequest, DescribeShareGroupOffsetsResponse>;
  alterShareGroupOffsets: GroupCall<AlterShareGroupOffsetsRequest, AlterShareGroupOffsetsResponse>;
  deleteShareGroupOffsets: GroupCall<DeleteShareGroupOffsetsRequest, DeleteShareGroupOffsetsResponse>;
}

/** One partition of a share group's topics; `topic_id` is the topic's `ti_…` id. */
export interface SharePartitionRef {
  topic_id: string;
  partition: number;
}

/** Records handed to a member: offsets `first_offset`..`last_offset`, each delivered `delivery_count` times now. */
export interface AcquiredRecords {
  first_offset: number;
  last_offset: number;
  delivery_count: number;
}

/** A member's acknowledgements on one partition, as ShareFetch/ShareAcknowledge carry them. */
export interface ShareAcknowledgements extends SharePartitionRef {
  batches: Array<{ first_offset: number; last_offset: number; acknowledge_types: number[] }>;
}

/** Per partition: NONE, or why it was refused (UNKNOWN_TOPIC_OR_PARTITION, INVALID_RECORD_STATE, INVALID_REQUEST). */
export interface SharePartitionResult extends SharePartitionRef {
  error_code: number;
}

/**
 * The share-partitions' side of ShareFetch and ShareAcknowledge (control-plane/shares/): the
 * agent reads the records, the control plane decides who holds which. A refused member (not
 * in the group) is `error_code` UNKNOWN_MEMBER_ID for the whole call.
 */
export interface ShareApi {
  /** Hands the member up to `max_records` records of the partitions, in order, locked for `lock_duration_ms`. */
  acquire(virtualClusterId: string, request: { group_id: string; member_id: string; max_records: number; partitions: SharePartitionRef[] }): Promise<{
    error_code: number;
    lock_duration_ms: number;
    partitions: Array<SharePartitionResult & { acquired: AcquiredRecords[] }>;
  }>;
  /** Settles records the member holds: accept, release, reject, renew, or a gap (no record there). */
  acknowledge(virtualClusterId: string, request: { group_id: string; member_id: string; partitions: ShareAcknowledgements[] }): Promise<{
    error_code: number;
    lock_duration_ms: number;
    partitions: SharePartitionResult[];
  }>;
  /** Releases what the member holds on these partitions (its share session ended); answers how many records. */
  release(virtualClusterId: string, request: { group_id: string; member_id: string; partitions: SharePartitionRef[] }): Promise<number>;
  /** A group's dynamic configs, every known one, with whether it is the default. */
  groupConfigs(virtualClusterId: string, groupId: string): Promise<Array<{ name: string; value: string; is_default: boolean; type: string; doc: string }>>;
  /** Changes a group's configs (null: back to the default); a bad name or value is an INVALID_CONFIG ApiError and nothing changes. */
  setGroupConfigs(virtualClusterId: string, groupId: string, configs: Record<string, string | null>, validateOnly: boolean): Promise<void>;
}

export const SHARE_CALLS = ['acquire', 'acknowledge', 'release', 'groupConfigs', 'setGroupConfigs'] as const satisfies ReadonlyArray<keyof ShareApi>;

type TransactionCall<Request, Response> = (virtualClusterId: string, request: Request, apiVersion: number) => Promise<Response>;

/**
 * The transaction coordinator's Kafka-level calls (control-plane/transactions/): the agent
 * passes each request through with the cluster and the version. InitProducerId comes here only
 * with a transactional id.
 */
export interface TransactionApi {
  initProducerId: TransactionCall<InitProducerIdRequest, InitProducerIdResponse>;
  addPartitionsToTxn: TransactionCall<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>;
  addOffsetsToTxn: TransactionCall<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>;
  txnOffsetCommit: TransactionCall<TxnOffsetCommitRequest, TxnOffsetCommitResponse>;
  endTxn: TransactionCall<EndTxnRequest, EndTxnResponse>;
  describeTransactions: TransactionCall<DescribeTransactionsRequest, DescribeTransactionsResponse>;
  listTransactions: TransactionCall<ListTransactionsRequest, ListTransactionsResponse>;
  describeProducers: TransactionCall<DescribeProducersRequest, DescribeProducersResponse>;
}

export const TRANSACTION_CALLS = [
  'initProducerId', 'addPartitionsToTxn', 'addOffsetsToTxn', 'txnOffsetCommit', 'endTxn', 'describeTransactions', 'listTransactions', 'describeProducers',
] as const satisfies ReadonlyArray<keyof TransactionApi>;

export const GROUP_CALLS = [
  'joinGroup', 'syncGroup', 'heartbeat', 'leaveGroup', 'offsetCommit', 'offsetFetch', 'offsetDelete',
  'describeGroups', 'listGroups', 'deleteGroups', 'consumerGroupHeartbeat', 'consumerGroupDescribe',
  'shareGroupHeartbeat', 'shareGroupDescribe', 'describeShareGroupOffsets', 'alterShareGroupOffsets', 'deleteShareGroupOffsets',
] as const satisfies ReadonlyArray<keyof GroupApi>;

/** The calls that cross the wire to the control plane (onCommit and close are the client's own). */
export const RPC_CALLS = [
  'authenticateAgent', 'getCluster', 'listTopics', 'getTopic', 'createTopic', 'deleteTopic', 'growPartitions',
  'setTopicConfigs', 'deleteRecordsBefore', 'commit', 'partitionState', 'readIndex', 'findBatchByTimestamp',
  'findMaxTimestampBatch', 'initProducerId', 'findCredential', 'listAcls', 'createAcl', 'deleteAcls',
  'registerAgent', 'heartbeatAgent', 'deregisterAgent', 'acquireJobLease', 'releaseJobLease', 'applyRetention',
  'purgeSoftDeletedTopics', 'listDueObjectDeletions', 'confirmObjectDeletions', 'unknownObjects', 'planCompaction', 'commitRewrite',
  'abortedTransactions', 'abortExpiredTransactions', 'partitionSizes',
] as const satisfies ReadonlyArray<Exclude<keyof ControlPlaneClient, 'onCommit' | 'close' | 'groups' | 'transactions' | 'shares'>>;

/** Calls whose second argument is a topic id: the control plane checks the topic is the agent's cluster's. */
export const TOPIC_ID_CALLS: ReadonlySet<string> = new Set(['partitionState', 'readIndex', 'findBatchByTimestamp', 'findMaxTimestampBatch', 'abortedTransactions', 'partitionSizes']);

// --- the agent registry and the jobs role (control-plane/services/agents.ts, job-leases.ts, log/) ---

/** How often an agent heartbeats. */
export const AGENT_HEARTBEAT_INTERVAL_MS = 1_500;

/** WarpStream's agent roles. */
export const AGENT_ROLES = ['proxy', 'proxy-produce', 'proxy-consume', 'jobs', 'pipelines'] as const;

export interface AgentRegistration {
  /** The agent's id, kept by the process across re-registrations; a new one is made when absent. */
  id?: string;
  host: string;
  port: number;
  roles: readonly string[];
  version: string;
  availability_zone?: string | null;
}

export interface LeaseAnswer {
  acquired: boolean;
  /** The holder after the call, and until when (the caller's own lease when acquired). */
  holder: string | null;
  expires_at: number | null;
}

/** What retention did to one partition (only partitions it changed are reported). */
export interface PartitionRetention {
  topic_id: string;
  topic_name: string;
  partition: number;
  previous_log_start_offset: number;
  log_start_offset: number;
  high_watermark: number;
  batches_deleted: number;
  bytes_deleted: number;
}

export interface RetentionResult {
  /** Partitions with data that were looked at. */
  partitions_examined: number;
  /** The partitions whose log start moved, by topic name and partition. */
  partitions: PartitionRetention[];
  /** Objects released (due for deletion after the grace). */
  released_object_keys: string[];
}

export interface PurgeResult {
  purged: Array<Pick<Topic, 'id' | 'name' | 'deleted_at'>>;
  released_object_keys: string[];
}

/** What a compaction plan may cover (the control plane's clock decides ages). */
export interface CompactionPlanOptions {
  /**
   * Only objects at least this old (default 5 s): the newest objects are the ones tail
   * consumers are reading, and an object that is merged at once gains nothing.
   */
  minAgeMs?: number;
  /**
   * Per source level, the most bytes one group may hold (the size of the object it becomes).
   * Levels not named are not compacted. Default: level 0 → 16 MiB, level 1 → 128 MiB.
   */
  targetBytes?: Readonly<Record<number, number>>;
  /** Fewest objects worth merging (default 2). */
  minObjects?: number;
  /** Most objects in one group (default 32, WarpStream's fan-in). */
  maxObjects?: number;
  /** Most groups in one plan (default 4). */
  maxGroups?: number;
  /** Objects looked at per level, oldest first (default 1,000). */
  scanLimit?: number;
}

export interface CompactionGroup {
  /** The level of the object the group becomes (one above its sources). */
  level: number;
  objects: ObjectRecord[];
  /** The sources' total size. */
  byte_size: number;
  /**
   * The live index entries in the sources, in (topic_id, partition, base_offset) order: copy
   * each `byte_length` bytes at `byte_offset` of `object_key` into the new object, then commit
   * one move per entry (commitRewrite).
   */
  entries: BatchIndexEntry[];
}

export interface RewriteRequest {
  /** A fresh key the agent has written the new object under. */
  new_object_key: string;
  /** 1 and up (0 is ingestion's). */
  level: number;
  byte_size: number;
  /** Entries now in the new object (their bytes at `byte_offset`, `byte_length` in it). */
  moves: readonly BatchMove[];
  /** Entries that are gone (key compaction: every record of the batch was superseded). */
  drops: readonly BatchDrop[];
}

export interface RewriteResult {
  moved: number;
  /** Moves whose entry was gone or no longer in `from_object_key` (retention, DeleteRecords, another rewrite). */
  skipped_moves: number;
  dropped: number;
  skipped_drops: number;
  /** Objects released by this rewrite (the replaced ones nothing references any more). */
  released_object_keys: string[];
  /** True when nothing ended up in the new object: it was released too, and the agent may delete it. */
  new_object_released: boolean;
}

export class AgentAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgentAuthError';
  }
}

/** Kafka's "no topic id" (requests naming topics by name; answers for unknown ones). */
export const NO_TOPIC_UUID = '00000000-0000-0000-0000-000000000000';

/** Kafka topic ids are UUIDs; Slipstream's `ti_…` ids carry one with `_` for `-`. */
export function topicUuid(topic: Pick<Topic, 'id'>): string {
  return topic.id.slice('ti_'.length).replaceAll('_', '-');
}

export function topicIdFromUuid(uuid: string): string {
  return 'ti_' + uuid.replaceAll('-', '_');
}
