/**
 * The records Slipstream keeps: what the metadata store stores, what the Management API answers
 * and what the agent ↔ control-plane RPC carries. Field names are the Management API's field
 * names, so a record, its table column and its JSON agree.
 */

export type KeyKind = 'account' | 'application' | 'agent';

export interface AccessGrant {
  principal_kind: string;
  resource_kind: string;
  resource_id: string;
  workspace_id?: string;
}

/** Whether a tenant or workspace is in use; `deleted` is the platform API's soft delete. */
export type LifecycleStatus = 'active' | 'suspended' | 'deleted';

/**
 * A WarpStream account, which the platform API calls a tenant (one row, two APIs): the
 * platform's `displayName`, `adminEmail` are `display_name`, `admin_email` here.
 */
export interface Account {
  id: string;
  slug: string;
  display_name: string;
  /** A plan of control-plane/plans.ts. */
  plan: string;
  admin_email: string;
  status: LifecycleStatus;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

/**
 * A workspace of both APIs. WarpStream's `workspace_name` is the platform's `displayName`
 * (`name` here); `slug` is unique in the tenant; `capabilities` say which data services it has.
 */
export interface Workspace {
  id: string;
  account_id: string;
  name: string;
  slug: string;
  capabilities: string[];
  status: LifecycleStatus;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

/** An identity realm of a tenant (with Keycloak, the Keycloak realm of that name). */
export interface Realm {
  name: string;
  account_id: string;
  display_name: string;
  enabled: boolean;
  created_at: number;
}

/** A user of the embedded issuer (scrypt password hash). */
export interface IdentityUser {
  id: string;
  realm: string;
  username: string;
  email: string | null;
  password_hash: string;
  roles: string[];
  created_at: number;
  updated_at: number;
}

/** An OAuth client of the embedded issuer; its secret is kept as a SHA-256 hash only. */
export interface IdentityClient {
  id: string;
  realm: string;
  client_id: string;
  secret_hash: string;
  grant_types: string[];
  redirect_uris: string[];
  roles: string[];
  /** The workspace its tokens are confined to; null for a tenant-wide client. */
  workspace_id: string | null;
  created_at: number;
}

/** One key of the embedded issuer's key set; the private half sealed under the secrets key. */
export interface SigningKey {
  kid: string;
  algorithm: string;
  public_jwk: string;
  private_jwk_sealed: string;
  created_at: number;
}

/** A refresh token of the embedded issuer (by hash): spent once, revoked with its family on reuse. */
export interface RefreshTokenRecord {
  token_hash: string;
  family_id: string;
  realm: string;
  /** The user id (password grant). */
  subject: string;
  client_id: string;
  expires_at: number;
  used_at: number | null;
  revoked_at: number | null;
  created_at: number;
}

export interface ApiKeyRecord {
  id: string;
  name: string;
  secret_hash: string;
  /**
   * The secret sealed with AES-256-GCM under the server's secrets key, bound to `id`
   * (control-plane/secrets.ts); null for keys created before secrets were kept.
   */
  secret_sealed: string | null;
  kind: KeyKind;
  account_id: string;
  workspace_id: string | null;
  /** Set for agent keys: the one virtual cluster the key belongs to. */
  virtual_cluster_id: string | null;
  read_only: boolean;
  access_grants: AccessGrant[];
  created_at: number;
}

export const CLUSTER_TYPES = ['byoc', 'byoc_data_lake', 'byoc_schema_registry'] as const;
export type VirtualClusterType = (typeof CLUSTER_TYPES)[number];

export interface VirtualCluster {
  id: string;
  workspace_id: string;
  name: string;
  type: VirtualClusterType;
  region: string;
  cloud_provider: string;
  tier: string;
  agent_pool_id: string;
  agent_pool_name: string;
  created_at: number;
  /** Settings that differ from the defaults (see control-plane/services/cluster-configuration.ts). */
  configuration: Record<string, unknown>;
  /** Set for a multi-region cluster (then `region` is empty). */
  region_group: string | null;
  tags: Record<string, string>;
  /** get_events_state / update_events_state (see control-plane/services/events.ts). */
  events: EventsState;
}

/** Per-type settings of a cluster's event log; a field never set is absent. */
export interface EventTypeSettings {
  enabled?: boolean;
  retention_period_nanos?: number;
}

export interface EventsState {
  enabled: boolean;
  event_types: Record<string, EventTypeSettings>;
}

export interface Topic {
  id: string;
  virtual_cluster_id: string;
  name: string;
  partition_count: number;
  configs: Record<string, string>;
  created_at: number;
  /** Set while the topic is soft-deleted (listed under `recently_deleted_topics`). */
  deleted_at: number | null;
}

/** The AclEntry of the seed spec: one ACL as the Management API and Kafka's ACL APIs name it. */
export interface AclEntry {
  resource_type: string;
  resource_name: string;
  pattern_type: string;
  principal: string;
  host: string;
  operation: string;
  permission_type: string;
}

/** An ACL as stored for a virtual cluster. */
export interface Acl extends AclEntry {
  id: string;
  virtual_cluster_id: string;
  created_at: number;
}

/** SCRAM secrets for one hash function (RFC 5802): what is stored instead of a password. */
export interface ScramSecret {
  salt: string;
  iterations: number;
  stored_key: string;
  server_key: string;
}

export interface ClusterCredential {
  id: string;
  virtual_cluster_id: string;
  name: string;
  username: string;
  is_cluster_superuser: boolean;
  read_only: boolean;
  scram: { 'SCRAM-SHA-256': ScramSecret; 'SCRAM-SHA-512': ScramSecret };
  created_at: number;
}

export type PipelineType = 'bento' | 'orbit' | 'schema_linking';

export interface Pipeline {
  id: string;
  virtual_cluster_id: string;
  name: string;
  type: PipelineType;
  state: string;
  deployed_configuration_id: string;
  created_at: number;
}

export interface CommittedOffset {
  virtual_cluster_id: string;
  group_id: string;
  topic_name: string;
  partition: number;
  committed_offset: number;
  metadata: string | null;
  committed_at: number;
}

/** Where a partition's log starts and where the next offset goes. Absent rows mean 0 and 0. */
export interface PartitionOffsets {
  topic_id: string;
  partition: number;
  log_start_offset: number;
  /** The next offset to assign: one past the last committed record. */
  high_watermark: number;
}

/** A partition's offsets as readers see them. */
export interface PartitionState extends PartitionOffsets {
  /**
   * Where read_committed consumers stop: the first offset of the oldest open transaction on the
   * partition, else the high watermark.
   */
  last_stable_offset: number;
}

/**
 * A COMMIT or ABORT marker is an index entry whose bytes no object holds: its `object_key` names
 * it (`markerObjectKey`) and readers build the control batch from that (`encodeControlBatch`).
 * The control plane writes markers without touching the bucket, so ending a transaction — or
 * aborting one that timed out because its agent died — is one metadata transaction.
 */
export const MARKER_KEY_PREFIX = 'marker:';

export interface TransactionMarker {
  commit: boolean;
  producer_id: number;
  producer_epoch: number;
}

export function markerObjectKey(marker: TransactionMarker): string {
  return `${MARKER_KEY_PREFIX}${marker.commit ? 'commit' : 'abort'}:${marker.producer_id}:${marker.producer_epoch}`;
}

/** The marker an index entry's object key names, or undefined for a key of a real object. */
export function parseMarkerObjectKey(objectKey: string): TransactionMarker | undefined {
  if (!objectKey.startsWith(MARKER_KEY_PREFIX)) return undefined;
  const [kind, producerId, epoch] = objectKey.slice(MARKER_KEY_PREFIX.length).split(':');
  return { commit: kind === 'commit', producer_id: Number(producerId), producer_epoch: Number(epoch) };
}

/** One record batch in the index: which offsets it holds and where its bytes are. */
export interface BatchIndexEntry {
  topic_id: string;
  partition: number;
  base_offset: number;
  last_offset: number;
  max_timestamp: number;
  object_key: string;
  byte_offset: number;
  byte_length: number;
}

export interface Producer {
  producer_id: number;
  virtual_cluster_id: string;
  transactional_id: string | null;
  producer_epoch: number;
  created_at: number;
}

/**
 * Kafka's transaction states, by the names DescribeTransactions and ListTransactions answer.
 * Slipstream's coordinator ends a transaction in one metadata transaction (markers, offsets and
 * state together), so it never rests in PrepareCommit or PrepareAbort.
 */
export const TRANSACTION_STATES = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence'] as const;
export type TransactionState = (typeof TRANSACTION_STATES)[number];

export interface TransactionPartition {
  topic_id: string;
  partition: number;
}

/**
 * A transactional id's coordinator state (control-plane/transactions/): its producer id and
 * epoch, and the transaction it has open — partitions and groups added, since `started_at`.
 */
export interface Transaction {
  virtual_cluster_id: string;
  transactional_id: string;
  producer_id: number;
  producer_epoch: number;
  state: TransactionState;
  /** The producer's transaction.timeout.ms: an open transaction older than this is aborted. */
  timeout_ms: number;
  /** When the open transaction began (its first partition or group); null when none is open. */
  started_at: number | null;
  updated_at: number;
  partitions: TransactionPartition[];
  group_ids: string[];
}

/**
 * A TxnOffsetCommit not yet committed: it reaches the group's committed offsets when the
 * transaction commits, and is dropped when it aborts.
 */
export interface PendingTxnOffset {
  virtual_cluster_id: string;
  group_id: string;
  topic_name: string;
  partition: number;
  producer_id: number;
  committed_offset: number;
  metadata: string | null;
}

/**
 * Where an open transaction's data on a partition begins: the partition's last stable offset
 * (what read_committed consumers may read up to) cannot pass it until the transaction ends.
 */
export interface OpenTransaction {
  topic_id: string;
  partition: number;
  producer_id: number;
  first_offset: number;
}

/**
 * An aborted transaction's data on one partition: from `first_offset` to its ABORT marker at
 * `last_offset`. Fetch answers these to read_committed consumers, which skip the producer's
 * batches in that range.
 */
export interface AbortedTransaction {
  topic_id: string;
  partition: number;
  producer_id: number;
  first_offset: number;
  last_offset: number;
}

/** An idempotent producer's recent batches on one partition (Kafka keeps five). */
export interface ProducerPartition {
  producer_id: number;
  topic_id: string;
  partition: number;
  producer_epoch: number;
  recent_batches: Array<{ first_sequence: number; last_sequence: number; base_offset: number }>;
  updated_at: number;
}

export interface IdempotencyRecord {
  api_key_id: string;
  idempotency_key: string;
  request_hash: string;
  state: 'pending' | 'done';
  status_code: number | null;
  response_body: string | null;
  created_at: number;
}

// --- keys, workspaces, user roles, pipeline configurations (issue 5) -------------------------

/** One grant of a user role: a managed grant (admin, read_only, billing) on one workspace. */
export interface UserRoleGrant {
  principal_kind: string;
  resource_kind: string;
  resource_id: string;
  /** `wi_…`, `*` for every workspace, or `-` (no workspace: the billing grant). */
  workspace_id: string;
  managed_grant_name: string;
}

export interface UserRole {
  id: string;
  account_id: string;
  name: string;
  access_grants: UserRoleGrant[];
  created_at: number;
}

/** One version of a pipeline's configuration; versions count from 1 per pipeline. */
export interface PipelineConfiguration {
  id: string;
  pipeline_id: string;
  version: number;
  configuration_yaml: string;
  created_at: number;
}

/** What `deleteBatchIndexBefore` removed: how much, and which objects the removed entries pointed into. */
export interface TrimmedBatches {
  batches: number;
  bytes: number;
  /** Distinct object keys of the removed entries: candidates for release (log/objects.ts). */
  object_keys: string[];
}

/** An index entry rewritten into another object (compaction): matched by its key and old object. */
export interface BatchMove {
  topic_id: string;
  partition: number;
  base_offset: number;
  /** The object the entry must still point at; otherwise the move is skipped. */
  from_object_key: string;
  byte_offset: number;
  byte_length: number;
  /** At most the entry's own last offset (key compaction may drop a batch's last records). */
  last_offset: number;
  max_timestamp: number;
}

/** An index entry removed by key compaction (every record of its batch was superseded). */
export interface BatchDrop {
  topic_id: string;
  partition: number;
  base_offset: number;
  from_object_key: string;
}

/**
 * An object in the bucket that the batch index references (or did until it was released).
 * Level 0 objects come from ingestion, level 1 and up from compaction.
 */
export interface ObjectRecord {
  object_key: string;
  virtual_cluster_id: string;
  level: number;
  byte_size: number;
  created_at: number;
}

/** An object nothing references any more, to be deleted from the bucket once `delete_after` has passed. */
export interface ObjectDeletion {
  object_key: string;
  virtual_cluster_id: string;
  delete_after: number;
}

/** A running agent, as it registered itself (control-plane/services/agents.ts). */
export interface AgentRecord {
  id: string;
  virtual_cluster_id: string;
  host: string;
  port: number;
  /** What the agent runs: `proxy` (or `proxy-produce`, `proxy-consume`), `jobs`, `pipelines`. */
  roles: string[];
  version: string;
  availability_zone: string | null;
  started_at: number;
  last_heartbeat_at: number;
}

/** Who runs one of a cluster's background jobs, until when (control-plane/services/job-leases.ts). */
export interface JobLease {
  virtual_cluster_id: string;
  job: string;
  /** The id of the agent holding the lease. */
  holder: string;
  expires_at: number;
}

/**
 * A share group's progress on one topic partition (control-plane/shares/): its start offset
 * and the in-flight window, each record's state as ranges. Written whole after every change.
 */
export interface SharePartitionRecord {
  virtual_cluster_id: string;
  group_id: string;
  topic_id: string;
  partition: number;
  start_offset: number;
  end_offset: number;
  in_flight: InFlightRange[];
}

/** Kafka's record states in a share-partition (RecordState), by name. */
export type ShareRecordState = 'available' | 'acquired' | 'acknowledged' | 'archived';

/** Contiguous records of a share-partition's in-flight window in the same state, as stored. */
export interface InFlightRange {
  first: number;
  last: number;
  state: ShareRecordState;
  delivery_count: number;
  member_id: string | null;
  locked_until: number;
}

/** A group's dynamic configs (DescribeConfigs/IncrementalAlterConfigs on a GROUP resource, KIP-848/932). */
export interface GroupConfigRecord {
  virtual_cluster_id: string;
  group_id: string;
  configs: Record<string, string>;
}
