/**
 * Kafka's error codes (org.apache.kafka.common.protocol.Errors): the ones Slipstream answers
 * with, in one table for the agent, the commit, the group coordinator and the authorizer alike.
 */
export const KafkaError = {
  UNKNOWN_SERVER_ERROR: -1,
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  MESSAGE_TOO_LARGE: 10,
  OFFSET_METADATA_TOO_LARGE: 12,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  INVALID_TOPIC_EXCEPTION: 17,
  RECORD_LIST_TOO_LARGE: 18,
  INVALID_REQUIRED_ACKS: 21,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  TOPIC_AUTHORIZATION_FAILED: 29,
  GROUP_AUTHORIZATION_FAILED: 30,
  CLUSTER_AUTHORIZATION_FAILED: 31,
  INVALID_TIMESTAMP: 32,
  UNSUPPORTED_SASL_MECHANISM: 33,
  ILLEGAL_SASL_STATE: 34,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_REPLICA_ASSIGNMENT: 39,
  INVALID_CONFIG: 40,
  INVALID_REQUEST: 42,
  POLICY_VIOLATION: 44,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  INVALID_PRODUCER_EPOCH: 47,
  /** A transactional request out of turn (EndTxn with nothing open, a batch outside the transaction). */
  INVALID_TXN_STATE: 48,
  /** The producer id is not the transactional id's. */
  INVALID_PRODUCER_ID_MAPPING: 49,
  /** transaction.timeout.ms above the coordinator's transaction.max.timeout.ms. */
  INVALID_TRANSACTION_TIMEOUT: 50,
  /** The transaction is still being ended: retry. */
  CONCURRENT_TRANSACTIONS: 51,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 53,
  /** CreateAcls/DescribeAcls/DeleteAcls when the broker has no authorizer. */
  SECURITY_DISABLED: 54,
  /** Not tried because another part of the same request failed (AddPartitionsToTxn). */
  OPERATION_NOT_ATTEMPTED: 55,
  KAFKA_STORAGE_ERROR: 56,
  SASL_AUTHENTICATION_FAILED: 58,
  UNKNOWN_PRODUCER_ID: 59,
  DELEGATION_TOKEN_AUTHORIZATION_FAILED: 65,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  /** Fetch names an incremental session this broker does not have (any more): start a new one. */
  FETCH_SESSION_ID_NOT_FOUND: 70,
  INVALID_FETCH_SESSION_EPOCH: 71,
  TOPIC_DELETION_DISABLED: 73,
  FENCED_LEADER_EPOCH: 74,
  UNKNOWN_LEADER_EPOCH: 75,
  MEMBER_ID_REQUIRED: 79,
  FENCED_INSTANCE_ID: 82,
  /** ElectLeaders: the leader already is the preferred one. */
  ELECTION_NOT_NEEDED: 84,
  NO_REASSIGNMENT_IN_PROGRESS: 85,
  GROUP_SUBSCRIBED_TO_TOPIC: 86,
  INVALID_RECORD: 87,
  /** OffsetFetch with require_stable while an open transaction holds an offset for the partition (KIP-447). */
  UNSTABLE_OFFSET_COMMIT: 88,
  /** An older epoch of a transactional producer (v2+ of the transactional APIs; older ones answer INVALID_PRODUCER_EPOCH). */
  PRODUCER_FENCED: 90,
  RESOURCE_NOT_FOUND: 91,
  UNKNOWN_TOPIC_ID: 100,
  /** DescribeTransactions of a transactional id the coordinator does not know. */
  TRANSACTIONAL_ID_NOT_FOUND: 105,
  /** KIP-848: the member's epoch is not its current one; it must rejoin with epoch 0. */
  FENCED_MEMBER_EPOCH: 110,
  UNRELEASED_INSTANCE_ID: 111,
  UNSUPPORTED_ASSIGNOR: 112,
  /** KIP-848 OffsetCommit with an older epoch of the member: retry after the next heartbeat. */
  STALE_MEMBER_EPOCH: 113,
  /** KIP-932: an acknowledgement names records the member does not hold (any more). */
  INVALID_RECORD_STATE: 121,
  /** ShareFetch/ShareAcknowledge with a share session epoch > 0 this broker has no session for. */
  SHARE_SESSION_NOT_FOUND: 122,
  INVALID_SHARE_SESSION_EPOCH: 123,
  INVALID_REGULAR_EXPRESSION: 128,
  /** ApiVersions v5 (KIP-1242): the client means another cluster or node than this one; it must bootstrap again. */
  REBOOTSTRAP_REQUIRED: 129,
  /** An agent holds at most MAX_SHARE_SESSIONS share sessions (agent/share-sessions.ts). */
  SHARE_SESSION_LIMIT_REACHED: 133,
} as const;
