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

export interface Account {
  id: string;
  created_at: number;
}

export interface Workspace {
  id: string;
  account_id: string;
  name: string;
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

export interface Acl {
  id: string;
  virtual_cluster_id: string;
  resource_type: string;
  resource_name: string;
  pattern_type: string;
  principal: string;
  host: string;
  operation: string;
  permission_type: string;
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
export interface PartitionState {
  topic_id: string;
  partition: number;
  log_start_offset: number;
  /** The next offset to assign: one past the last committed record. */
  high_watermark: number;
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

