// Generated from Apache Kafka's message definitions, Copyright The Apache Software Foundation,
// Apache License 2.0 (https://www.apache.org/licenses/LICENSE-2.0).
// Do not edit; regenerate with `node scripts/generate-kafka-messages.ts <dir> <kafka-4.4-dir>`.

import type { MessageDef } from './schema.ts';

/** API keys of the supported APIs. */
export const ApiKeys = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DeleteRecords: 21,
  InitProducerId: 22,
  OffsetForLeaderEpoch: 23,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  TxnOffsetCommit: 28,
  DescribeAcls: 29,
  CreateAcls: 30,
  DeleteAcls: 31,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  DescribeLogDirs: 35,
  SaslAuthenticate: 36,
  CreatePartitions: 37,
  DeleteGroups: 42,
  ElectLeaders: 43,
  IncrementalAlterConfigs: 44,
  AlterPartitionReassignments: 45,
  ListPartitionReassignments: 46,
  OffsetDelete: 47,
  DescribeCluster: 60,
  DescribeProducers: 61,
  DescribeTransactions: 65,
  ListTransactions: 66,
  ConsumerGroupHeartbeat: 68,
  ConsumerGroupDescribe: 69,
  ShareGroupHeartbeat: 76,
  ShareGroupDescribe: 77,
  ShareFetch: 78,
  ShareAcknowledge: 79,
  DescribeShareGroupOffsets: 90,
  AlterShareGroupOffsets: 91,
  DeleteShareGroupOffsets: 92,
} as const;
export type ApiKey = (typeof ApiKeys)[keyof typeof ApiKeys];

export const RequestHeaderDef: MessageDef = {
  apiKey: -1, name: 'RequestHeader', validVersions: '0-2', flexibleVersions: '2+',
  fields: [
    { name: 'requestApiKey', type: 'int16', versions: '0+' },
    { name: 'requestApiVersion', type: 'int16', versions: '0+' },
    { name: 'correlationId', type: 'int32', versions: '0+' },
    { name: 'clientId', type: 'string', versions: '1+', nullableVersions: '1+', flexibleVersions: 'none' },
  ],
};

export const ResponseHeaderDef: MessageDef = {
  apiKey: -1, name: 'ResponseHeader', validVersions: '0-1', flexibleVersions: '1+',
  fields: [
    { name: 'correlationId', type: 'int32', versions: '0+' },
  ],
};

/** Request definitions by API key. */
export const requestDefs: Readonly<Record<number, MessageDef>> = {
  0: {
    apiKey: 0, name: 'ProduceRequest', validVersions: '0-11', flexibleVersions: '9+',
    fields: [
      { name: 'transactionalId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
      { name: 'acks', type: 'int16', versions: '0+' },
      { name: 'timeoutMs', type: 'int32', versions: '0+' },
      { name: 'topicData', type: '[]TopicProduceData', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitionData', type: '[]PartitionProduceData', versions: '0+', fields: [
          { name: 'index', type: 'int32', versions: '0+' },
          { name: 'records', type: 'records', versions: '0+', nullableVersions: '0+' },
        ] },
      ] },
    ],
  },
  1: {
    apiKey: 1, name: 'FetchRequest', validVersions: '0-17', flexibleVersions: '12+',
    fields: [
      { name: 'clusterId', type: 'string', versions: '12+', nullableVersions: '12+', tag: 0, taggedVersions: '12+', default: null },
      { name: 'replicaId', type: 'int32', versions: '0-14', default: -1 },
      { name: 'replicaState', type: 'ReplicaState', versions: '15+', tag: 1, taggedVersions: '15+', fields: [
        { name: 'replicaId', type: 'int32', versions: '15+', default: -1 },
        { name: 'replicaEpoch', type: 'int64', versions: '15+', default: -1n },
      ] },
      { name: 'maxWaitMs', type: 'int32', versions: '0+' },
      { name: 'minBytes', type: 'int32', versions: '0+' },
      { name: 'maxBytes', type: 'int32', versions: '3+', default: 2147483647 },
      { name: 'isolationLevel', type: 'int8', versions: '4+', default: 0 },
      { name: 'sessionId', type: 'int32', versions: '7+', default: 0 },
      { name: 'sessionEpoch', type: 'int32', versions: '7+', default: -1 },
      { name: 'topics', type: '[]FetchTopic', versions: '0+', fields: [
        { name: 'topic', type: 'string', versions: '0-12' },
        { name: 'topicId', type: 'uuid', versions: '13+' },
        { name: 'partitions', type: '[]FetchPartition', versions: '0+', fields: [
          { name: 'partition', type: 'int32', versions: '0+' },
          { name: 'currentLeaderEpoch', type: 'int32', versions: '9+', default: -1 },
          { name: 'fetchOffset', type: 'int64', versions: '0+' },
          { name: 'lastFetchedEpoch', type: 'int32', versions: '12+', default: -1 },
          { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1n },
          { name: 'partitionMaxBytes', type: 'int32', versions: '0+' },
          { name: 'replicaDirectoryId', type: 'uuid', versions: '17+', tag: 0, taggedVersions: '17+' },
        ] },
      ] },
      { name: 'forgottenTopicsData', type: '[]ForgottenTopic', versions: '7+', fields: [
        { name: 'topic', type: 'string', versions: '7-12' },
        { name: 'topicId', type: 'uuid', versions: '13+' },
        { name: 'partitions', type: '[]int32', versions: '7+' },
      ] },
      { name: 'rackId', type: 'string', versions: '11+', default: '' },
    ],
  },
  2: {
    apiKey: 2, name: 'ListOffsetsRequest', validVersions: '0-10', flexibleVersions: '6+',
    fields: [
      { name: 'replicaId', type: 'int32', versions: '0+' },
      { name: 'isolationLevel', type: 'int8', versions: '2+' },
      { name: 'topics', type: '[]ListOffsetsTopic', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]ListOffsetsPartition', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'currentLeaderEpoch', type: 'int32', versions: '4+', default: -1 },
          { name: 'timestamp', type: 'int64', versions: '0+' },
          { name: 'maxNumOffsets', type: 'int32', versions: '0', default: 1 },
        ] },
      ] },
      { name: 'timeoutMs', type: 'int32', versions: '10+' },
    ],
  },
  3: {
    apiKey: 3, name: 'MetadataRequest', validVersions: '0-12', flexibleVersions: '9+',
    fields: [
      { name: 'topics', type: '[]MetadataRequestTopic', versions: '0+', nullableVersions: '1+', fields: [
        { name: 'topicId', type: 'uuid', versions: '10+' },
        { name: 'name', type: 'string', versions: '0+', nullableVersions: '10+' },
      ] },
      { name: 'allowAutoTopicCreation', type: 'bool', versions: '4+', default: true },
      { name: 'includeClusterAuthorizedOperations', type: 'bool', versions: '8-10' },
      { name: 'includeTopicAuthorizedOperations', type: 'bool', versions: '8+' },
    ],
  },
  8: {
    apiKey: 8, name: 'OffsetCommitRequest', validVersions: '0-9', flexibleVersions: '8+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'generationIdOrMemberEpoch', type: 'int32', versions: '1+', default: -1 },
      { name: 'memberId', type: 'string', versions: '1+' },
      { name: 'groupInstanceId', type: 'string', versions: '7+', nullableVersions: '7+', default: null },
      { name: 'retentionTimeMs', type: 'int64', versions: '2-4', default: -1n },
      { name: 'topics', type: '[]OffsetCommitRequestTopic', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]OffsetCommitRequestPartition', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'committedOffset', type: 'int64', versions: '0+' },
          { name: 'committedLeaderEpoch', type: 'int32', versions: '6+', default: -1 },
          { name: 'commitTimestamp', type: 'int64', versions: '1', default: -1n },
          { name: 'committedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
        ] },
      ] },
    ],
  },
  9: {
    apiKey: 9, name: 'OffsetFetchRequest', validVersions: '0-9', flexibleVersions: '6+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0-7' },
      { name: 'topics', type: '[]OffsetFetchRequestTopic', versions: '0-7', nullableVersions: '2-7', fields: [
        { name: 'name', type: 'string', versions: '0-7' },
        { name: 'partitionIndexes', type: '[]int32', versions: '0-7' },
      ] },
      { name: 'groups', type: '[]OffsetFetchRequestGroup', versions: '8+', fields: [
        { name: 'groupId', type: 'string', versions: '8+' },
        { name: 'memberId', type: 'string', versions: '9+', nullableVersions: '9+', default: null },
        { name: 'memberEpoch', type: 'int32', versions: '9+', default: -1 },
        { name: 'topics', type: '[]OffsetFetchRequestTopics', versions: '8+', nullableVersions: '8+', fields: [
          { name: 'name', type: 'string', versions: '8+' },
          { name: 'partitionIndexes', type: '[]int32', versions: '8+' },
        ] },
      ] },
      { name: 'requireStable', type: 'bool', versions: '7+', default: false },
    ],
  },
  10: {
    apiKey: 10, name: 'FindCoordinatorRequest', validVersions: '0-6', flexibleVersions: '3+',
    fields: [
      { name: 'key', type: 'string', versions: '0-3' },
      { name: 'keyType', type: 'int8', versions: '1+', default: 0 },
      { name: 'coordinatorKeys', type: '[]string', versions: '4+' },
    ],
  },
  11: {
    apiKey: 11, name: 'JoinGroupRequest', validVersions: '0-9', flexibleVersions: '6+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'sessionTimeoutMs', type: 'int32', versions: '0+' },
      { name: 'rebalanceTimeoutMs', type: 'int32', versions: '1+', default: -1 },
      { name: 'memberId', type: 'string', versions: '0+' },
      { name: 'groupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
      { name: 'protocolType', type: 'string', versions: '0+' },
      { name: 'protocols', type: '[]JoinGroupRequestProtocol', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'metadata', type: 'bytes', versions: '0+' },
      ] },
      { name: 'reason', type: 'string', versions: '8+', nullableVersions: '8+', default: null },
    ],
  },
  12: {
    apiKey: 12, name: 'HeartbeatRequest', validVersions: '0-4', flexibleVersions: '4+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'generationId', type: 'int32', versions: '0+' },
      { name: 'memberId', type: 'string', versions: '0+' },
      { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    ],
  },
  13: {
    apiKey: 13, name: 'LeaveGroupRequest', validVersions: '0-5', flexibleVersions: '4+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'memberId', type: 'string', versions: '0-2' },
      { name: 'members', type: '[]MemberIdentity', versions: '3+', fields: [
        { name: 'memberId', type: 'string', versions: '3+' },
        { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
        { name: 'reason', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
      ] },
    ],
  },
  14: {
    apiKey: 14, name: 'SyncGroupRequest', validVersions: '0-5', flexibleVersions: '4+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'generationId', type: 'int32', versions: '0+' },
      { name: 'memberId', type: 'string', versions: '0+' },
      { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
      { name: 'protocolType', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
      { name: 'protocolName', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
      { name: 'assignments', type: '[]SyncGroupRequestAssignment', versions: '0+', fields: [
        { name: 'memberId', type: 'string', versions: '0+' },
        { name: 'assignment', type: 'bytes', versions: '0+' },
      ] },
    ],
  },
  15: {
    apiKey: 15, name: 'DescribeGroupsRequest', validVersions: '0-5', flexibleVersions: '5+',
    fields: [
      { name: 'groups', type: '[]string', versions: '0+' },
      { name: 'includeAuthorizedOperations', type: 'bool', versions: '3+' },
    ],
  },
  16: {
    apiKey: 16, name: 'ListGroupsRequest', validVersions: '0-5', flexibleVersions: '3+',
    fields: [
      { name: 'statesFilter', type: '[]string', versions: '4+' },
      { name: 'typesFilter', type: '[]string', versions: '5+' },
    ],
  },
  17: {
    apiKey: 17, name: 'SaslHandshakeRequest', validVersions: '0-1', flexibleVersions: 'none',
    fields: [
      { name: 'mechanism', type: 'string', versions: '0+' },
    ],
  },
  18: {
    apiKey: 18, name: 'ApiVersionsRequest', validVersions: '0-5', flexibleVersions: '3+',
    fields: [
      { name: 'clientSoftwareName', type: 'string', versions: '3+' },
      { name: 'clientSoftwareVersion', type: 'string', versions: '3+' },
      { name: 'clusterId', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
      { name: 'nodeId', type: 'int32', versions: '5+', default: -1 },
    ],
  },
  19: {
    apiKey: 19, name: 'CreateTopicsRequest', validVersions: '0-7', flexibleVersions: '5+',
    fields: [
      { name: 'topics', type: '[]CreatableTopic', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'numPartitions', type: 'int32', versions: '0+' },
        { name: 'replicationFactor', type: 'int16', versions: '0+' },
        { name: 'assignments', type: '[]CreatableReplicaAssignment', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'brokerIds', type: '[]int32', versions: '0+' },
        ] },
        { name: 'configs', type: '[]CreatableTopicConfig', versions: '0+', fields: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
        ] },
      ] },
      { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
      { name: 'validateOnly', type: 'bool', versions: '1+', default: false },
    ],
  },
  20: {
    apiKey: 20, name: 'DeleteTopicsRequest', validVersions: '0-6', flexibleVersions: '4+',
    fields: [
      { name: 'topics', type: '[]DeleteTopicState', versions: '6+', fields: [
        { name: 'name', type: 'string', versions: '6+', nullableVersions: '6+', default: null },
        { name: 'topicId', type: 'uuid', versions: '6+' },
      ] },
      { name: 'topicNames', type: '[]string', versions: '0-5' },
      { name: 'timeoutMs', type: 'int32', versions: '0+' },
    ],
  },
  21: {
    apiKey: 21, name: 'DeleteRecordsRequest', validVersions: '0-2', flexibleVersions: '2+',
    fields: [
      { name: 'topics', type: '[]DeleteRecordsTopic', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]DeleteRecordsPartition', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'offset', type: 'int64', versions: '0+' },
        ] },
      ] },
      { name: 'timeoutMs', type: 'int32', versions: '0+' },
    ],
  },
  22: {
    apiKey: 22, name: 'InitProducerIdRequest', validVersions: '0-5', flexibleVersions: '2+',
    fields: [
      { name: 'transactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
      { name: 'producerId', type: 'int64', versions: '3+', default: -1n },
      { name: 'producerEpoch', type: 'int16', versions: '3+', default: -1 },
    ],
  },
  23: {
    apiKey: 23, name: 'OffsetForLeaderEpochRequest', validVersions: '0-4', flexibleVersions: '4+',
    fields: [
      { name: 'replicaId', type: 'int32', versions: '3+', default: -2 },
      { name: 'topics', type: '[]OffsetForLeaderTopic', versions: '0+', fields: [
        { name: 'topic', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]OffsetForLeaderPartition', versions: '0+', fields: [
          { name: 'partition', type: 'int32', versions: '0+' },
          { name: 'currentLeaderEpoch', type: 'int32', versions: '2+', default: -1 },
          { name: 'leaderEpoch', type: 'int32', versions: '0+' },
        ] },
      ] },
    ],
  },
  24: {
    apiKey: 24, name: 'AddPartitionsToTxnRequest', validVersions: '0-5', flexibleVersions: '3+',
    fields: [
      { name: 'transactions', type: '[]AddPartitionsToTxnTransaction', versions: '4+', fields: [
        { name: 'transactionalId', type: 'string', versions: '4+' },
        { name: 'producerId', type: 'int64', versions: '4+' },
        { name: 'producerEpoch', type: 'int16', versions: '4+' },
        { name: 'verifyOnly', type: 'bool', versions: '4+', default: false },
        { name: 'topics', type: '[]AddPartitionsToTxnTopic', versions: '4+', fields: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'partitions', type: '[]int32', versions: '0+' },
        ] },
      ] },
      { name: 'v3AndBelowTransactionalId', type: 'string', versions: '0-3' },
      { name: 'v3AndBelowProducerId', type: 'int64', versions: '0-3' },
      { name: 'v3AndBelowProducerEpoch', type: 'int16', versions: '0-3' },
      { name: 'v3AndBelowTopics', type: '[]AddPartitionsToTxnTopic', versions: '0-3', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]int32', versions: '0+' },
      ] },
    ],
  },
  25: {
    apiKey: 25, name: 'AddOffsetsToTxnRequest', validVersions: '0-4', flexibleVersions: '3+',
    fields: [
      { name: 'transactionalId', type: 'string', versions: '0+' },
      { name: 'producerId', type: 'int64', versions: '0+' },
      { name: 'producerEpoch', type: 'int16', versions: '0+' },
      { name: 'groupId', type: 'string', versions: '0+' },
    ],
  },
  26: {
    apiKey: 26, name: 'EndTxnRequest', validVersions: '0-5', flexibleVersions: '3+',
    fields: [
      { name: 'transactionalId', type: 'string', versions: '0+' },
      { name: 'producerId', type: 'int64', versions: '0+' },
      { name: 'producerEpoch', type: 'int16', versions: '0+' },
      { name: 'committed', type: 'bool', versions: '0+' },
    ],
  },
  28: {
    apiKey: 28, name: 'TxnOffsetCommitRequest', validVersions: '0-4', flexibleVersions: '3+',
    fields: [
      { name: 'transactionalId', type: 'string', versions: '0+' },
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'producerId', type: 'int64', versions: '0+' },
      { name: 'producerEpoch', type: 'int16', versions: '0+' },
      { name: 'generationId', type: 'int32', versions: '3+', default: -1 },
      { name: 'memberId', type: 'string', versions: '3+', default: '' },
      { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
      { name: 'topics', type: '[]TxnOffsetCommitRequestTopic', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]TxnOffsetCommitRequestPartition', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'committedOffset', type: 'int64', versions: '0+' },
          { name: 'committedLeaderEpoch', type: 'int32', versions: '2+', default: -1 },
          { name: 'committedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
        ] },
      ] },
    ],
  },
  29: {
    apiKey: 29, name: 'DescribeAclsRequest', validVersions: '0-3', flexibleVersions: '2+',
    fields: [
      { name: 'resourceTypeFilter', type: 'int8', versions: '0+' },
      { name: 'resourceNameFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'patternTypeFilter', type: 'int8', versions: '1+', default: 3 },
      { name: 'principalFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'hostFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'operation', type: 'int8', versions: '0+' },
      { name: 'permissionType', type: 'int8', versions: '0+' },
    ],
  },
  30: {
    apiKey: 30, name: 'CreateAclsRequest', validVersions: '0-3', flexibleVersions: '2+',
    fields: [
      { name: 'creations', type: '[]AclCreation', versions: '0+', fields: [
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
        { name: 'resourcePatternType', type: 'int8', versions: '1+', default: 3 },
        { name: 'principal', type: 'string', versions: '0+' },
        { name: 'host', type: 'string', versions: '0+' },
        { name: 'operation', type: 'int8', versions: '0+' },
        { name: 'permissionType', type: 'int8', versions: '0+' },
      ] },
    ],
  },
  31: {
    apiKey: 31, name: 'DeleteAclsRequest', validVersions: '0-3', flexibleVersions: '2+',
    fields: [
      { name: 'filters', type: '[]DeleteAclsFilter', versions: '0+', fields: [
        { name: 'resourceTypeFilter', type: 'int8', versions: '0+' },
        { name: 'resourceNameFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
        { name: 'patternTypeFilter', type: 'int8', versions: '1+', default: 3 },
        { name: 'principalFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
        { name: 'hostFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
        { name: 'operation', type: 'int8', versions: '0+' },
        { name: 'permissionType', type: 'int8', versions: '0+' },
      ] },
    ],
  },
  32: {
    apiKey: 32, name: 'DescribeConfigsRequest', validVersions: '0-4', flexibleVersions: '4+',
    fields: [
      { name: 'resources', type: '[]DescribeConfigsResource', versions: '0+', fields: [
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
        { name: 'configurationKeys', type: '[]string', versions: '0+', nullableVersions: '0+' },
      ] },
      { name: 'includeSynonyms', type: 'bool', versions: '1+', default: false },
      { name: 'includeDocumentation', type: 'bool', versions: '3+', default: false },
    ],
  },
  33: {
    apiKey: 33, name: 'AlterConfigsRequest', validVersions: '0-2', flexibleVersions: '2+',
    fields: [
      { name: 'resources', type: '[]AlterConfigsResource', versions: '0+', fields: [
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
        { name: 'configs', type: '[]AlterableConfig', versions: '0+', fields: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
        ] },
      ] },
      { name: 'validateOnly', type: 'bool', versions: '0+' },
    ],
  },
  35: {
    apiKey: 35, name: 'DescribeLogDirsRequest', validVersions: '0-4', flexibleVersions: '2+',
    fields: [
      { name: 'topics', type: '[]DescribableLogDirTopic', versions: '0+', nullableVersions: '0+', fields: [
        { name: 'topic', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]int32', versions: '0+' },
      ] },
    ],
  },
  36: {
    apiKey: 36, name: 'SaslAuthenticateRequest', validVersions: '0-2', flexibleVersions: '2+',
    fields: [
      { name: 'authBytes', type: 'bytes', versions: '0+' },
    ],
  },
  37: {
    apiKey: 37, name: 'CreatePartitionsRequest', validVersions: '0-3', flexibleVersions: '2+',
    fields: [
      { name: 'topics', type: '[]CreatePartitionsTopic', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'count', type: 'int32', versions: '0+' },
        { name: 'assignments', type: '[]CreatePartitionsAssignment', versions: '0+', nullableVersions: '0+', fields: [
          { name: 'brokerIds', type: '[]int32', versions: '0+' },
        ] },
      ] },
      { name: 'timeoutMs', type: 'int32', versions: '0+' },
      { name: 'validateOnly', type: 'bool', versions: '0+' },
    ],
  },
  42: {
    apiKey: 42, name: 'DeleteGroupsRequest', validVersions: '0-2', flexibleVersions: '2+',
    fields: [
      { name: 'groupsNames', type: '[]string', versions: '0+' },
    ],
  },
  43: {
    apiKey: 43, name: 'ElectLeadersRequest', validVersions: '0-2', flexibleVersions: '2+',
    fields: [
      { name: 'electionType', type: 'int8', versions: '1+' },
      { name: 'topicPartitions', type: '[]TopicPartitions', versions: '0+', nullableVersions: '0+', fields: [
        { name: 'topic', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]int32', versions: '0+' },
      ] },
      { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
    ],
  },
  44: {
    apiKey: 44, name: 'IncrementalAlterConfigsRequest', validVersions: '0-1', flexibleVersions: '1+',
    fields: [
      { name: 'resources', type: '[]AlterConfigsResource', versions: '0+', fields: [
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
        { name: 'configs', type: '[]AlterableConfig', versions: '0+', fields: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'configOperation', type: 'int8', versions: '0+' },
          { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
        ] },
      ] },
      { name: 'validateOnly', type: 'bool', versions: '0+' },
    ],
  },
  45: {
    apiKey: 45, name: 'AlterPartitionReassignmentsRequest', validVersions: '0', flexibleVersions: '0+',
    fields: [
      { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
      { name: 'topics', type: '[]ReassignableTopic', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]ReassignablePartition', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'replicas', type: '[]int32', versions: '0+', nullableVersions: '0+', default: null },
        ] },
      ] },
    ],
  },
  46: {
    apiKey: 46, name: 'ListPartitionReassignmentsRequest', validVersions: '0', flexibleVersions: '0+',
    fields: [
      { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
      { name: 'topics', type: '[]ListPartitionReassignmentsTopics', versions: '0+', nullableVersions: '0+', default: null, fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitionIndexes', type: '[]int32', versions: '0+' },
      ] },
    ],
  },
  47: {
    apiKey: 47, name: 'OffsetDeleteRequest', validVersions: '0', flexibleVersions: 'none',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'topics', type: '[]OffsetDeleteRequestTopic', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]OffsetDeleteRequestPartition', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
        ] },
      ] },
    ],
  },
  60: {
    apiKey: 60, name: 'DescribeClusterRequest', validVersions: '0-1', flexibleVersions: '0+',
    fields: [
      { name: 'includeClusterAuthorizedOperations', type: 'bool', versions: '0+' },
      { name: 'endpointType', type: 'int8', versions: '1+', default: 1 },
    ],
  },
  61: {
    apiKey: 61, name: 'DescribeProducersRequest', validVersions: '0', flexibleVersions: '0+',
    fields: [
      { name: 'topics', type: '[]TopicRequest', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitionIndexes', type: '[]int32', versions: '0+' },
      ] },
    ],
  },
  65: {
    apiKey: 65, name: 'DescribeTransactionsRequest', validVersions: '0', flexibleVersions: '0+',
    fields: [
      { name: 'transactionalIds', type: '[]string', versions: '0+' },
    ],
  },
  66: {
    apiKey: 66, name: 'ListTransactionsRequest', validVersions: '0-1', flexibleVersions: '0+',
    fields: [
      { name: 'stateFilters', type: '[]string', versions: '0+' },
      { name: 'producerIdFilters', type: '[]int64', versions: '0+' },
      { name: 'durationFilter', type: 'int64', versions: '1+', default: -1n },
    ],
  },
  68: {
    apiKey: 68, name: 'ConsumerGroupHeartbeatRequest', validVersions: '0-1', flexibleVersions: '0+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'memberId', type: 'string', versions: '0+' },
      { name: 'memberEpoch', type: 'int32', versions: '0+' },
      { name: 'instanceId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      { name: 'rackId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      { name: 'rebalanceTimeoutMs', type: 'int32', versions: '0+', default: -1 },
      { name: 'subscribedTopicNames', type: '[]string', versions: '0+', nullableVersions: '0+', default: null },
      { name: 'subscribedTopicRegex', type: 'string', versions: '1+', nullableVersions: '1+', default: null },
      { name: 'serverAssignor', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      { name: 'topicPartitions', type: '[]TopicPartitions', versions: '0+', nullableVersions: '0+', default: null, fields: [
        { name: 'topicId', type: 'uuid', versions: '0+' },
        { name: 'partitions', type: '[]int32', versions: '0+' },
      ] },
    ],
  },
  69: {
    apiKey: 69, name: 'ConsumerGroupDescribeRequest', validVersions: '0', flexibleVersions: '0+',
    fields: [
      { name: 'groupIds', type: '[]string', versions: '0+' },
      { name: 'includeAuthorizedOperations', type: 'bool', versions: '0+' },
    ],
  },
  76: {
    apiKey: 76, name: 'ShareGroupHeartbeatRequest', validVersions: '1', flexibleVersions: '0+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'memberId', type: 'string', versions: '0+' },
      { name: 'memberEpoch', type: 'int32', versions: '0+' },
      { name: 'rackId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      { name: 'subscribedTopicNames', type: '[]string', versions: '0+', nullableVersions: '0+', default: null },
    ],
  },
  77: {
    apiKey: 77, name: 'ShareGroupDescribeRequest', validVersions: '1', flexibleVersions: '0+',
    fields: [
      { name: 'groupIds', type: '[]string', versions: '0+' },
      { name: 'includeAuthorizedOperations', type: 'bool', versions: '0+' },
    ],
  },
  78: {
    apiKey: 78, name: 'ShareFetchRequest', validVersions: '1-2', flexibleVersions: '0+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      { name: 'memberId', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'shareSessionEpoch', type: 'int32', versions: '0+' },
      { name: 'maxWaitMs', type: 'int32', versions: '0+' },
      { name: 'minBytes', type: 'int32', versions: '0+' },
      { name: 'maxBytes', type: 'int32', versions: '0+', default: 2147483647 },
      { name: 'maxRecords', type: 'int32', versions: '1+' },
      { name: 'batchSize', type: 'int32', versions: '1+' },
      { name: 'shareAcquireMode', type: 'int8', versions: '2+', default: 0 },
      { name: 'isRenewAck', type: 'bool', versions: '2+', default: false },
      { name: 'topics', type: '[]FetchTopic', versions: '0+', fields: [
        { name: 'topicId', type: 'uuid', versions: '0+' },
        { name: 'partitions', type: '[]FetchPartition', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'partitionMaxBytes', type: 'int32', versions: '0' },
          { name: 'acknowledgementBatches', type: '[]AcknowledgementBatch', versions: '0+', fields: [
            { name: 'firstOffset', type: 'int64', versions: '0+' },
            { name: 'lastOffset', type: 'int64', versions: '0+' },
            { name: 'acknowledgeTypes', type: '[]int8', versions: '0+' },
          ] },
        ] },
      ] },
      { name: 'forgottenTopicsData', type: '[]ForgottenTopic', versions: '0+', fields: [
        { name: 'topicId', type: 'uuid', versions: '0+' },
        { name: 'partitions', type: '[]int32', versions: '0+' },
      ] },
    ],
  },
  79: {
    apiKey: 79, name: 'ShareAcknowledgeRequest', validVersions: '1-2', flexibleVersions: '0+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      { name: 'memberId', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'shareSessionEpoch', type: 'int32', versions: '0+' },
      { name: 'isRenewAck', type: 'bool', versions: '2+', default: false },
      { name: 'topics', type: '[]AcknowledgeTopic', versions: '0+', fields: [
        { name: 'topicId', type: 'uuid', versions: '0+' },
        { name: 'partitions', type: '[]AcknowledgePartition', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'acknowledgementBatches', type: '[]AcknowledgementBatch', versions: '0+', fields: [
            { name: 'firstOffset', type: 'int64', versions: '0+' },
            { name: 'lastOffset', type: 'int64', versions: '0+' },
            { name: 'acknowledgeTypes', type: '[]int8', versions: '0+' },
          ] },
        ] },
      ] },
    ],
  },
  90: {
    apiKey: 90, name: 'DescribeShareGroupOffsetsRequest', validVersions: '0-1', flexibleVersions: '0+',
    fields: [
      { name: 'groups', type: '[]DescribeShareGroupOffsetsRequestGroup', versions: '0+', fields: [
        { name: 'groupId', type: 'string', versions: '0+' },
        { name: 'topics', type: '[]DescribeShareGroupOffsetsRequestTopic', versions: '0+', nullableVersions: '0+', fields: [
          { name: 'topicName', type: 'string', versions: '0+' },
          { name: 'partitions', type: '[]int32', versions: '0+' },
        ] },
      ] },
    ],
  },
  91: {
    apiKey: 91, name: 'AlterShareGroupOffsetsRequest', validVersions: '0', flexibleVersions: '0+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'topics', type: '[]AlterShareGroupOffsetsRequestTopic', versions: '0+', fields: [
        { name: 'topicName', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]AlterShareGroupOffsetsRequestPartition', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'startOffset', type: 'int64', versions: '0+' },
        ] },
      ] },
    ],
  },
  92: {
    apiKey: 92, name: 'DeleteShareGroupOffsetsRequest', validVersions: '0', flexibleVersions: '0+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'topics', type: '[]DeleteShareGroupOffsetsRequestTopic', versions: '0+', fields: [
        { name: 'topicName', type: 'string', versions: '0+' },
      ] },
    ],
  },
};

/** Response definitions by API key. */
export const responseDefs: Readonly<Record<number, MessageDef>> = {
  0: {
    apiKey: 0, name: 'ProduceResponse', validVersions: '0-11', flexibleVersions: '9+',
    fields: [
      { name: 'responses', type: '[]TopicProduceResponse', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitionResponses', type: '[]PartitionProduceResponse', versions: '0+', fields: [
          { name: 'index', type: 'int32', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'baseOffset', type: 'int64', versions: '0+' },
          { name: 'logAppendTimeMs', type: 'int64', versions: '2+', default: -1n },
          { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1n },
          { name: 'recordErrors', type: '[]BatchIndexAndErrorMessage', versions: '8+', fields: [
            { name: 'batchIndex', type: 'int32', versions: '8+' },
            { name: 'batchIndexErrorMessage', type: 'string', versions: '8+', nullableVersions: '8+', default: null },
          ] },
          { name: 'errorMessage', type: 'string', versions: '8+', nullableVersions: '8+', default: null },
          { name: 'currentLeader', type: 'LeaderIdAndEpoch', versions: '10+', tag: 0, taggedVersions: '10+', fields: [
            { name: 'leaderId', type: 'int32', versions: '10+', default: -1 },
            { name: 'leaderEpoch', type: 'int32', versions: '10+', default: -1 },
          ] },
        ] },
      ] },
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', default: 0 },
      { name: 'nodeEndpoints', type: '[]NodeEndpoint', versions: '10+', tag: 0, taggedVersions: '10+', fields: [
        { name: 'nodeId', type: 'int32', versions: '10+' },
        { name: 'host', type: 'string', versions: '10+' },
        { name: 'port', type: 'int32', versions: '10+' },
        { name: 'rack', type: 'string', versions: '10+', nullableVersions: '10+', default: null },
      ] },
    ],
  },
  1: {
    apiKey: 1, name: 'FetchResponse', validVersions: '0-17', flexibleVersions: '12+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
      { name: 'errorCode', type: 'int16', versions: '7+' },
      { name: 'sessionId', type: 'int32', versions: '7+', default: 0 },
      { name: 'responses', type: '[]FetchableTopicResponse', versions: '0+', fields: [
        { name: 'topic', type: 'string', versions: '0-12' },
        { name: 'topicId', type: 'uuid', versions: '13+' },
        { name: 'partitions', type: '[]PartitionData', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'highWatermark', type: 'int64', versions: '0+' },
          { name: 'lastStableOffset', type: 'int64', versions: '4+', default: -1n },
          { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1n },
          { name: 'divergingEpoch', type: 'EpochEndOffset', versions: '12+', tag: 0, taggedVersions: '12+', fields: [
            { name: 'epoch', type: 'int32', versions: '12+', default: -1 },
            { name: 'endOffset', type: 'int64', versions: '12+', default: -1n },
          ] },
          { name: 'currentLeader', type: 'LeaderIdAndEpoch', versions: '12+', tag: 1, taggedVersions: '12+', fields: [
            { name: 'leaderId', type: 'int32', versions: '12+', default: -1 },
            { name: 'leaderEpoch', type: 'int32', versions: '12+', default: -1 },
          ] },
          { name: 'snapshotId', type: 'SnapshotId', versions: '12+', tag: 2, taggedVersions: '12+', fields: [
            { name: 'endOffset', type: 'int64', versions: '0+', default: -1n },
            { name: 'epoch', type: 'int32', versions: '0+', default: -1 },
          ] },
          { name: 'abortedTransactions', type: '[]AbortedTransaction', versions: '4+', nullableVersions: '4+', fields: [
            { name: 'producerId', type: 'int64', versions: '4+' },
            { name: 'firstOffset', type: 'int64', versions: '4+' },
          ] },
          { name: 'preferredReadReplica', type: 'int32', versions: '11+', default: -1 },
          { name: 'records', type: 'records', versions: '0+', nullableVersions: '0+' },
        ] },
      ] },
      { name: 'nodeEndpoints', type: '[]NodeEndpoint', versions: '16+', tag: 0, taggedVersions: '16+', fields: [
        { name: 'nodeId', type: 'int32', versions: '16+' },
        { name: 'host', type: 'string', versions: '16+' },
        { name: 'port', type: 'int32', versions: '16+' },
        { name: 'rack', type: 'string', versions: '16+', nullableVersions: '16+', default: null },
      ] },
    ],
  },
  2: {
    apiKey: 2, name: 'ListOffsetsResponse', validVersions: '0-10', flexibleVersions: '6+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
      { name: 'topics', type: '[]ListOffsetsTopicResponse', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]ListOffsetsPartitionResponse', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'oldStyleOffsets', type: '[]int64', versions: '0' },
          { name: 'timestamp', type: 'int64', versions: '1+', default: -1n },
          { name: 'offset', type: 'int64', versions: '1+', default: -1n },
          { name: 'leaderEpoch', type: 'int32', versions: '4+', default: -1 },
        ] },
      ] },
    ],
  },
  3: {
    apiKey: 3, name: 'MetadataResponse', validVersions: '0-12', flexibleVersions: '9+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '3+' },
      { name: 'brokers', type: '[]MetadataResponseBroker', versions: '0+', fields: [
        { name: 'nodeId', type: 'int32', versions: '0+' },
        { name: 'host', type: 'string', versions: '0+' },
        { name: 'port', type: 'int32', versions: '0+' },
        { name: 'rack', type: 'string', versions: '1+', nullableVersions: '1+', default: null },
      ] },
      { name: 'clusterId', type: 'string', versions: '2+', nullableVersions: '2+', default: null },
      { name: 'controllerId', type: 'int32', versions: '1+', default: -1 },
      { name: 'topics', type: '[]MetadataResponseTopic', versions: '0+', fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'name', type: 'string', versions: '0+', nullableVersions: '12+' },
        { name: 'topicId', type: 'uuid', versions: '10+' },
        { name: 'isInternal', type: 'bool', versions: '1+', default: false },
        { name: 'partitions', type: '[]MetadataResponsePartition', versions: '0+', fields: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'leaderId', type: 'int32', versions: '0+' },
          { name: 'leaderEpoch', type: 'int32', versions: '7+', default: -1 },
          { name: 'replicaNodes', type: '[]int32', versions: '0+' },
          { name: 'isrNodes', type: '[]int32', versions: '0+' },
          { name: 'offlineReplicas', type: '[]int32', versions: '5+' },
        ] },
        { name: 'topicAuthorizedOperations', type: 'int32', versions: '8+', default: -2147483648 },
      ] },
      { name: 'clusterAuthorizedOperations', type: 'int32', versions: '8-10', default: -2147483648 },
    ],
  },
  8: {
    apiKey: 8, name: 'OffsetCommitResponse', validVersions: '0-9', flexibleVersions: '8+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '3+' },
      { name: 'topics', type: '[]OffsetCommitResponseTopic', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]OffsetCommitResponsePartition', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
        ] },
      ] },
    ],
  },
  9: {
    apiKey: 9, name: 'OffsetFetchResponse', validVersions: '0-9', flexibleVersions: '6+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '3+' },
      { name: 'topics', type: '[]OffsetFetchResponseTopic', versions: '0-7', fields: [
        { name: 'name', type: 'string', versions: '0-7' },
        { name: 'partitions', type: '[]OffsetFetchResponsePartition', versions: '0-7', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0-7' },
          { name: 'committedOffset', type: 'int64', versions: '0-7' },
          { name: 'committedLeaderEpoch', type: 'int32', versions: '5-7', default: -1 },
          { name: 'metadata', type: 'string', versions: '0-7', nullableVersions: '0-7' },
          { name: 'errorCode', type: 'int16', versions: '0-7' },
        ] },
      ] },
      { name: 'errorCode', type: 'int16', versions: '2-7', default: 0 },
      { name: 'groups', type: '[]OffsetFetchResponseGroup', versions: '8+', fields: [
        { name: 'groupId', type: 'string', versions: '8+' },
        { name: 'topics', type: '[]OffsetFetchResponseTopics', versions: '8+', fields: [
          { name: 'name', type: 'string', versions: '8+' },
          { name: 'partitions', type: '[]OffsetFetchResponsePartitions', versions: '8+', fields: [
            { name: 'partitionIndex', type: 'int32', versions: '8+' },
            { name: 'committedOffset', type: 'int64', versions: '8+' },
            { name: 'committedLeaderEpoch', type: 'int32', versions: '8+', default: -1 },
            { name: 'metadata', type: 'string', versions: '8+', nullableVersions: '8+' },
            { name: 'errorCode', type: 'int16', versions: '8+' },
          ] },
        ] },
        { name: 'errorCode', type: 'int16', versions: '8+', default: 0 },
      ] },
    ],
  },
  10: {
    apiKey: 10, name: 'FindCoordinatorResponse', validVersions: '0-6', flexibleVersions: '3+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
      { name: 'errorCode', type: 'int16', versions: '0-3' },
      { name: 'errorMessage', type: 'string', versions: '1-3', nullableVersions: '1-3' },
      { name: 'nodeId', type: 'int32', versions: '0-3' },
      { name: 'host', type: 'string', versions: '0-3' },
      { name: 'port', type: 'int32', versions: '0-3' },
      { name: 'coordinators', type: '[]Coordinator', versions: '4+', fields: [
        { name: 'key', type: 'string', versions: '4+' },
        { name: 'nodeId', type: 'int32', versions: '4+' },
        { name: 'host', type: 'string', versions: '4+' },
        { name: 'port', type: 'int32', versions: '4+' },
        { name: 'errorCode', type: 'int16', versions: '4+' },
        { name: 'errorMessage', type: 'string', versions: '4+', nullableVersions: '4+' },
      ] },
    ],
  },
  11: {
    apiKey: 11, name: 'JoinGroupResponse', validVersions: '0-9', flexibleVersions: '6+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'generationId', type: 'int32', versions: '0+', default: -1 },
      { name: 'protocolType', type: 'string', versions: '7+', nullableVersions: '7+', default: null },
      { name: 'protocolName', type: 'string', versions: '0+', nullableVersions: '7+' },
      { name: 'leader', type: 'string', versions: '0+' },
      { name: 'skipAssignment', type: 'bool', versions: '9+', default: false },
      { name: 'memberId', type: 'string', versions: '0+' },
      { name: 'members', type: '[]JoinGroupResponseMember', versions: '0+', fields: [
        { name: 'memberId', type: 'string', versions: '0+' },
        { name: 'groupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
        { name: 'metadata', type: 'bytes', versions: '0+' },
      ] },
    ],
  },
  12: {
    apiKey: 12, name: 'HeartbeatResponse', validVersions: '0-4', flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
    ],
  },
  13: {
    apiKey: 13, name: 'LeaveGroupResponse', validVersions: '0-5', flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'members', type: '[]MemberResponse', versions: '3+', fields: [
        { name: 'memberId', type: 'string', versions: '3+' },
        { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+' },
        { name: 'errorCode', type: 'int16', versions: '3+' },
      ] },
    ],
  },
  14: {
    apiKey: 14, name: 'SyncGroupResponse', validVersions: '0-5', flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'protocolType', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
      { name: 'protocolName', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
      { name: 'assignment', type: 'bytes', versions: '0+' },
    ],
  },
  15: {
    apiKey: 15, name: 'DescribeGroupsResponse', validVersions: '0-5', flexibleVersions: '5+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
      { name: 'groups', type: '[]DescribedGroup', versions: '0+', fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'groupId', type: 'string', versions: '0+' },
        { name: 'groupState', type: 'string', versions: '0+' },
        { name: 'protocolType', type: 'string', versions: '0+' },
        { name: 'protocolData', type: 'string', versions: '0+' },
        { name: 'members', type: '[]DescribedGroupMember', versions: '0+', fields: [
          { name: 'memberId', type: 'string', versions: '0+' },
          { name: 'groupInstanceId', type: 'string', versions: '4+', nullableVersions: '4+', default: null },
          { name: 'clientId', type: 'string', versions: '0+' },
          { name: 'clientHost', type: 'string', versions: '0+' },
          { name: 'memberMetadata', type: 'bytes', versions: '0+' },
          { name: 'memberAssignment', type: 'bytes', versions: '0+' },
        ] },
        { name: 'authorizedOperations', type: 'int32', versions: '3+', default: -2147483648 },
      ] },
    ],
  },
  16: {
    apiKey: 16, name: 'ListGroupsResponse', validVersions: '0-5', flexibleVersions: '3+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'groups', type: '[]ListedGroup', versions: '0+', fields: [
        { name: 'groupId', type: 'string', versions: '0+' },
        { name: 'protocolType', type: 'string', versions: '0+' },
        { name: 'groupState', type: 'string', versions: '4+' },
        { name: 'groupType', type: 'string', versions: '5+' },
      ] },
    ],
  },
  17: {
    apiKey: 17, name: 'SaslHandshakeResponse', validVersions: '0-1', flexibleVersions: 'none',
    fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'mechanisms', type: '[]string', versions: '0+' },
    ],
  },
  18: {
    apiKey: 18, name: 'ApiVersionsResponse', validVersions: '0-5', flexibleVersions: '3+',
    fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'apiKeys', type: '[]ApiVersion', versions: '0+', fields: [
        { name: 'apiKey', type: 'int16', versions: '0+' },
        { name: 'minVersion', type: 'int16', versions: '0+' },
        { name: 'maxVersion', type: 'int16', versions: '0+' },
      ] },
      { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
      { name: 'supportedFeatures', type: '[]SupportedFeatureKey', versions: '3+', tag: 0, taggedVersions: '3+', fields: [
        { name: 'name', type: 'string', versions: '3+' },
        { name: 'minVersion', type: 'int16', versions: '3+' },
        { name: 'maxVersion', type: 'int16', versions: '3+' },
      ] },
      { name: 'finalizedFeaturesEpoch', type: 'int64', versions: '3+', tag: 1, taggedVersions: '3+', default: -1n },
      { name: 'finalizedFeatures', type: '[]FinalizedFeatureKey', versions: '3+', tag: 2, taggedVersions: '3+', fields: [
        { name: 'name', type: 'string', versions: '3+' },
        { name: 'maxVersionLevel', type: 'int16', versions: '3+' },
        { name: 'minVersionLevel', type: 'int16', versions: '3+' },
      ] },
      { name: 'zkMigrationReady', type: 'bool', versions: '3+', tag: 3, taggedVersions: '3+', default: false },
    ],
  },
  19: {
    apiKey: 19, name: 'CreateTopicsResponse', validVersions: '0-7', flexibleVersions: '5+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
      { name: 'topics', type: '[]CreatableTopicResult', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'topicId', type: 'uuid', versions: '7+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '1+', nullableVersions: '0+' },
        { name: 'topicConfigErrorCode', type: 'int16', versions: '5+', tag: 0, taggedVersions: '5+' },
        { name: 'numPartitions', type: 'int32', versions: '5+', default: -1 },
        { name: 'replicationFactor', type: 'int16', versions: '5+', default: -1 },
        { name: 'configs', type: '[]CreatableTopicConfigs', versions: '5+', nullableVersions: '5+', fields: [
          { name: 'name', type: 'string', versions: '5+' },
          { name: 'value', type: 'string', versions: '5+', nullableVersions: '5+' },
          { name: 'readOnly', type: 'bool', versions: '5+' },
          { name: 'configSource', type: 'int8', versions: '5+', default: -1 },
          { name: 'isSensitive', type: 'bool', versions: '5+' },
        ] },
      ] },
    ],
  },
  20: {
    apiKey: 20, name: 'DeleteTopicsResponse', validVersions: '0-6', flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
      { name: 'responses', type: '[]DeletableTopicResult', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+', nullableVersions: '6+' },
        { name: 'topicId', type: 'uuid', versions: '6+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
      ] },
    ],
  },
  21: {
    apiKey: 21, name: 'DeleteRecordsResponse', validVersions: '0-2', flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'topics', type: '[]DeleteRecordsTopicResult', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]DeleteRecordsPartitionResult', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'lowWatermark', type: 'int64', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
        ] },
      ] },
    ],
  },
  22: {
    apiKey: 22, name: 'InitProducerIdResponse', validVersions: '0-5', flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'producerId', type: 'int64', versions: '0+', default: -1n },
      { name: 'producerEpoch', type: 'int16', versions: '0+' },
    ],
  },
  23: {
    apiKey: 23, name: 'OffsetForLeaderEpochResponse', validVersions: '0-4', flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
      { name: 'topics', type: '[]OffsetForLeaderTopicResult', versions: '0+', fields: [
        { name: 'topic', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]EpochEndOffset', versions: '0+', fields: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'partition', type: 'int32', versions: '0+' },
          { name: 'leaderEpoch', type: 'int32', versions: '1+', default: -1 },
          { name: 'endOffset', type: 'int64', versions: '0+', default: -1n },
        ] },
      ] },
    ],
  },
  24: {
    apiKey: 24, name: 'AddPartitionsToTxnResponse', validVersions: '0-5', flexibleVersions: '3+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '4+' },
      { name: 'resultsByTransaction', type: '[]AddPartitionsToTxnResult', versions: '4+', fields: [
        { name: 'transactionalId', type: 'string', versions: '4+' },
        { name: 'topicResults', type: '[]AddPartitionsToTxnTopicResult', versions: '4+', fields: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'resultsByPartition', type: '[]AddPartitionsToTxnPartitionResult', versions: '0+', fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'partitionErrorCode', type: 'int16', versions: '0+' },
          ] },
        ] },
      ] },
      { name: 'resultsByTopicV3AndBelow', type: '[]AddPartitionsToTxnTopicResult', versions: '0-3', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'resultsByPartition', type: '[]AddPartitionsToTxnPartitionResult', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'partitionErrorCode', type: 'int16', versions: '0+' },
        ] },
      ] },
    ],
  },
  25: {
    apiKey: 25, name: 'AddOffsetsToTxnResponse', validVersions: '0-4', flexibleVersions: '3+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
    ],
  },
  26: {
    apiKey: 26, name: 'EndTxnResponse', validVersions: '0-5', flexibleVersions: '3+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'producerId', type: 'int64', versions: '5+', default: -1n },
      { name: 'producerEpoch', type: 'int16', versions: '5+', default: -1 },
    ],
  },
  28: {
    apiKey: 28, name: 'TxnOffsetCommitResponse', validVersions: '0-4', flexibleVersions: '3+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'topics', type: '[]TxnOffsetCommitResponseTopic', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]TxnOffsetCommitResponsePartition', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
        ] },
      ] },
    ],
  },
  29: {
    apiKey: 29, name: 'DescribeAclsResponse', validVersions: '0-3', flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'resources', type: '[]DescribeAclsResource', versions: '0+', fields: [
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
        { name: 'patternType', type: 'int8', versions: '1+', default: 3 },
        { name: 'acls', type: '[]AclDescription', versions: '0+', fields: [
          { name: 'principal', type: 'string', versions: '0+' },
          { name: 'host', type: 'string', versions: '0+' },
          { name: 'operation', type: 'int8', versions: '0+' },
          { name: 'permissionType', type: 'int8', versions: '0+' },
        ] },
      ] },
    ],
  },
  30: {
    apiKey: 30, name: 'CreateAclsResponse', validVersions: '0-3', flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'results', type: '[]AclCreationResult', versions: '0+', fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      ] },
    ],
  },
  31: {
    apiKey: 31, name: 'DeleteAclsResponse', validVersions: '0-3', flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'filterResults', type: '[]DeleteAclsFilterResult', versions: '0+', fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        { name: 'matchingAcls', type: '[]DeleteAclsMatchingAcl', versions: '0+', fields: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
          { name: 'resourceType', type: 'int8', versions: '0+' },
          { name: 'resourceName', type: 'string', versions: '0+' },
          { name: 'patternType', type: 'int8', versions: '1+', default: 3 },
          { name: 'principal', type: 'string', versions: '0+' },
          { name: 'host', type: 'string', versions: '0+' },
          { name: 'operation', type: 'int8', versions: '0+' },
          { name: 'permissionType', type: 'int8', versions: '0+' },
        ] },
      ] },
    ],
  },
  32: {
    apiKey: 32, name: 'DescribeConfigsResponse', validVersions: '0-4', flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'results', type: '[]DescribeConfigsResult', versions: '0+', fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
        { name: 'configs', type: '[]DescribeConfigsResourceResult', versions: '0+', fields: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
          { name: 'readOnly', type: 'bool', versions: '0+' },
          { name: 'isDefault', type: 'bool', versions: '0' },
          { name: 'configSource', type: 'int8', versions: '1+', default: -1 },
          { name: 'isSensitive', type: 'bool', versions: '0+' },
          { name: 'synonyms', type: '[]DescribeConfigsSynonym', versions: '1+', fields: [
            { name: 'name', type: 'string', versions: '1+' },
            { name: 'value', type: 'string', versions: '1+', nullableVersions: '0+' },
            { name: 'source', type: 'int8', versions: '1+' },
          ] },
          { name: 'configType', type: 'int8', versions: '3+', default: 0 },
          { name: 'documentation', type: 'string', versions: '3+', nullableVersions: '0+' },
        ] },
      ] },
    ],
  },
  33: {
    apiKey: 33, name: 'AlterConfigsResponse', validVersions: '0-2', flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'responses', type: '[]AlterConfigsResourceResponse', versions: '0+', fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
      ] },
    ],
  },
  35: {
    apiKey: 35, name: 'DescribeLogDirsResponse', validVersions: '0-4', flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '3+' },
      { name: 'results', type: '[]DescribeLogDirsResult', versions: '0+', fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'logDir', type: 'string', versions: '0+' },
        { name: 'topics', type: '[]DescribeLogDirsTopic', versions: '0+', fields: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'partitions', type: '[]DescribeLogDirsPartition', versions: '0+', fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'partitionSize', type: 'int64', versions: '0+' },
            { name: 'offsetLag', type: 'int64', versions: '0+' },
            { name: 'isFutureKey', type: 'bool', versions: '0+' },
          ] },
        ] },
        { name: 'totalBytes', type: 'int64', versions: '4+', default: -1n },
        { name: 'usableBytes', type: 'int64', versions: '4+', default: -1n },
      ] },
    ],
  },
  36: {
    apiKey: 36, name: 'SaslAuthenticateResponse', validVersions: '0-2', flexibleVersions: '2+',
    fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'authBytes', type: 'bytes', versions: '0+' },
      { name: 'sessionLifetimeMs', type: 'int64', versions: '1+', default: 0n },
    ],
  },
  37: {
    apiKey: 37, name: 'CreatePartitionsResponse', validVersions: '0-3', flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'results', type: '[]CreatePartitionsTopicResult', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ] },
    ],
  },
  42: {
    apiKey: 42, name: 'DeleteGroupsResponse', validVersions: '0-2', flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'results', type: '[]DeletableGroupResult', versions: '0+', fields: [
        { name: 'groupId', type: 'string', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
      ] },
    ],
  },
  43: {
    apiKey: 43, name: 'ElectLeadersResponse', validVersions: '0-2', flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '1+' },
      { name: 'replicaElectionResults', type: '[]ReplicaElectionResult', versions: '0+', fields: [
        { name: 'topic', type: 'string', versions: '0+' },
        { name: 'partitionResult', type: '[]PartitionResult', versions: '0+', fields: [
          { name: 'partitionId', type: 'int32', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        ] },
      ] },
    ],
  },
  44: {
    apiKey: 44, name: 'IncrementalAlterConfigsResponse', validVersions: '0-1', flexibleVersions: '1+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'responses', type: '[]AlterConfigsResourceResponse', versions: '0+', fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
      ] },
    ],
  },
  45: {
    apiKey: 45, name: 'AlterPartitionReassignmentsResponse', validVersions: '0', flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'responses', type: '[]ReassignableTopicResponse', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]ReassignablePartitionResponse', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        ] },
      ] },
    ],
  },
  46: {
    apiKey: 46, name: 'ListPartitionReassignmentsResponse', validVersions: '0', flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'topics', type: '[]OngoingTopicReassignment', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]OngoingPartitionReassignment', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'replicas', type: '[]int32', versions: '0+' },
          { name: 'addingReplicas', type: '[]int32', versions: '0+' },
          { name: 'removingReplicas', type: '[]int32', versions: '0+' },
        ] },
      ] },
    ],
  },
  47: {
    apiKey: 47, name: 'OffsetDeleteResponse', validVersions: '0', flexibleVersions: 'none',
    fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'topics', type: '[]OffsetDeleteResponseTopic', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]OffsetDeleteResponsePartition', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
        ] },
      ] },
    ],
  },
  60: {
    apiKey: 60, name: 'DescribeClusterResponse', validVersions: '0-1', flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      { name: 'endpointType', type: 'int8', versions: '1+', default: 1 },
      { name: 'clusterId', type: 'string', versions: '0+' },
      { name: 'controllerId', type: 'int32', versions: '0+', default: -1 },
      { name: 'brokers', type: '[]DescribeClusterBroker', versions: '0+', fields: [
        { name: 'brokerId', type: 'int32', versions: '0+' },
        { name: 'host', type: 'string', versions: '0+' },
        { name: 'port', type: 'int32', versions: '0+' },
        { name: 'rack', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ] },
      { name: 'clusterAuthorizedOperations', type: 'int32', versions: '0+', default: -2147483648 },
    ],
  },
  61: {
    apiKey: 61, name: 'DescribeProducersResponse', validVersions: '0', flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'topics', type: '[]TopicResponse', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]PartitionResponse', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
          { name: 'activeProducers', type: '[]ProducerState', versions: '0+', fields: [
            { name: 'producerId', type: 'int64', versions: '0+' },
            { name: 'producerEpoch', type: 'int32', versions: '0+' },
            { name: 'lastSequence', type: 'int32', versions: '0+', default: -1 },
            { name: 'lastTimestamp', type: 'int64', versions: '0+', default: -1n },
            { name: 'coordinatorEpoch', type: 'int32', versions: '0+' },
            { name: 'currentTxnStartOffset', type: 'int64', versions: '0+', default: -1n },
          ] },
        ] },
      ] },
    ],
  },
  65: {
    apiKey: 65, name: 'DescribeTransactionsResponse', validVersions: '0', flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'transactionStates', type: '[]TransactionState', versions: '0+', fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'transactionalId', type: 'string', versions: '0+' },
        { name: 'transactionState', type: 'string', versions: '0+' },
        { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
        { name: 'transactionStartTimeMs', type: 'int64', versions: '0+' },
        { name: 'producerId', type: 'int64', versions: '0+' },
        { name: 'producerEpoch', type: 'int16', versions: '0+' },
        { name: 'topics', type: '[]TopicData', versions: '0+', fields: [
          { name: 'topic', type: 'string', versions: '0+' },
          { name: 'partitions', type: '[]int32', versions: '0+' },
        ] },
      ] },
    ],
  },
  66: {
    apiKey: 66, name: 'ListTransactionsResponse', validVersions: '0-1', flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'unknownStateFilters', type: '[]string', versions: '0+' },
      { name: 'transactionStates', type: '[]TransactionState', versions: '0+', fields: [
        { name: 'transactionalId', type: 'string', versions: '0+' },
        { name: 'producerId', type: 'int64', versions: '0+' },
        { name: 'transactionState', type: 'string', versions: '0+' },
      ] },
    ],
  },
  68: {
    apiKey: 68, name: 'ConsumerGroupHeartbeatResponse', validVersions: '0-1', flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      { name: 'memberId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      { name: 'memberEpoch', type: 'int32', versions: '0+' },
      { name: 'heartbeatIntervalMs', type: 'int32', versions: '0+' },
      { name: 'assignment', type: 'Assignment', versions: '0+', nullableVersions: '0+', default: null, fields: [
        { name: 'topicPartitions', type: '[]TopicPartitions', versions: '0+', fields: [
          { name: 'topicId', type: 'uuid', versions: '0+' },
          { name: 'partitions', type: '[]int32', versions: '0+' },
        ] },
      ] },
    ],
  },
  69: {
    apiKey: 69, name: 'ConsumerGroupDescribeResponse', validVersions: '0', flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'groups', type: '[]DescribedGroup', versions: '0+', fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
        { name: 'groupId', type: 'string', versions: '0+' },
        { name: 'groupState', type: 'string', versions: '0+' },
        { name: 'groupEpoch', type: 'int32', versions: '0+' },
        { name: 'assignmentEpoch', type: 'int32', versions: '0+' },
        { name: 'assignorName', type: 'string', versions: '0+' },
        { name: 'members', type: '[]Member', versions: '0+', fields: [
          { name: 'memberId', type: 'string', versions: '0+' },
          { name: 'instanceId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
          { name: 'rackId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
          { name: 'memberEpoch', type: 'int32', versions: '0+' },
          { name: 'clientId', type: 'string', versions: '0+' },
          { name: 'clientHost', type: 'string', versions: '0+' },
          { name: 'subscribedTopicNames', type: '[]string', versions: '0+' },
          { name: 'subscribedTopicRegex', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
          { name: 'assignment', type: 'Assignment', versions: '0+', fields: [
            { name: 'topicPartitions', type: '[]TopicPartitions', versions: '0+', fields: [
              { name: 'topicId', type: 'uuid', versions: '0+' },
              { name: 'topicName', type: 'string', versions: '0+' },
              { name: 'partitions', type: '[]int32', versions: '0+' },
            ] },
          ] },
          { name: 'targetAssignment', type: 'Assignment', versions: '0+', fields: [
            { name: 'topicPartitions', type: '[]TopicPartitions', versions: '0+', fields: [
              { name: 'topicId', type: 'uuid', versions: '0+' },
              { name: 'topicName', type: 'string', versions: '0+' },
              { name: 'partitions', type: '[]int32', versions: '0+' },
            ] },
          ] },
        ] },
        { name: 'authorizedOperations', type: 'int32', versions: '0+', default: -2147483648 },
      ] },
    ],
  },
  76: {
    apiKey: 76, name: 'ShareGroupHeartbeatResponse', validVersions: '1', flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      { name: 'memberId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      { name: 'memberEpoch', type: 'int32', versions: '0+' },
      { name: 'heartbeatIntervalMs', type: 'int32', versions: '0+' },
      { name: 'assignment', type: 'Assignment', versions: '0+', nullableVersions: '0+', default: null, fields: [
        { name: 'topicPartitions', type: '[]TopicPartitions', versions: '0+', fields: [
          { name: 'topicId', type: 'uuid', versions: '0+' },
          { name: 'partitions', type: '[]int32', versions: '0+' },
        ] },
      ] },
    ],
  },
  77: {
    apiKey: 77, name: 'ShareGroupDescribeResponse', validVersions: '1', flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'groups', type: '[]DescribedGroup', versions: '0+', fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
        { name: 'groupId', type: 'string', versions: '0+' },
        { name: 'groupState', type: 'string', versions: '0+' },
        { name: 'groupEpoch', type: 'int32', versions: '0+' },
        { name: 'assignmentEpoch', type: 'int32', versions: '0+' },
        { name: 'assignorName', type: 'string', versions: '0+' },
        { name: 'members', type: '[]Member', versions: '0+', fields: [
          { name: 'memberId', type: 'string', versions: '0+' },
          { name: 'rackId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
          { name: 'memberEpoch', type: 'int32', versions: '0+' },
          { name: 'clientId', type: 'string', versions: '0+' },
          { name: 'clientHost', type: 'string', versions: '0+' },
          { name: 'subscribedTopicNames', type: '[]string', versions: '0+' },
          { name: 'assignment', type: 'Assignment', versions: '0+', fields: [
            { name: 'topicPartitions', type: '[]TopicPartitions', versions: '0+', fields: [
              { name: 'topicId', type: 'uuid', versions: '0+' },
              { name: 'topicName', type: 'string', versions: '0+' },
              { name: 'partitions', type: '[]int32', versions: '0+' },
            ] },
          ] },
        ] },
        { name: 'authorizedOperations', type: 'int32', versions: '0+', default: -2147483648 },
      ] },
    ],
  },
  78: {
    apiKey: 78, name: 'ShareFetchResponse', validVersions: '1-2', flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      { name: 'acquisitionLockTimeoutMs', type: 'int32', versions: '1+' },
      { name: 'responses', type: '[]ShareFetchableTopicResponse', versions: '0+', fields: [
        { name: 'topicId', type: 'uuid', versions: '0+' },
        { name: 'partitions', type: '[]PartitionData', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
          { name: 'acknowledgeErrorCode', type: 'int16', versions: '0+' },
          { name: 'acknowledgeErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
          { name: 'currentLeader', type: 'LeaderIdAndEpoch', versions: '0+', fields: [
            { name: 'leaderId', type: 'int32', versions: '0+' },
            { name: 'leaderEpoch', type: 'int32', versions: '0+' },
          ] },
          { name: 'records', type: 'records', versions: '0+', nullableVersions: '0' },
          { name: 'acquiredRecords', type: '[]AcquiredRecords', versions: '0+', fields: [
            { name: 'firstOffset', type: 'int64', versions: '0+' },
            { name: 'lastOffset', type: 'int64', versions: '0+' },
            { name: 'deliveryCount', type: 'int16', versions: '0+' },
          ] },
        ] },
      ] },
      { name: 'nodeEndpoints', type: '[]NodeEndpoint', versions: '0+', fields: [
        { name: 'nodeId', type: 'int32', versions: '0+' },
        { name: 'host', type: 'string', versions: '0+' },
        { name: 'port', type: 'int32', versions: '0+' },
        { name: 'rack', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ] },
    ],
  },
  79: {
    apiKey: 79, name: 'ShareAcknowledgeResponse', validVersions: '1-2', flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      { name: 'acquisitionLockTimeoutMs', type: 'int32', versions: '2+' },
      { name: 'responses', type: '[]ShareAcknowledgeTopicResponse', versions: '0+', fields: [
        { name: 'topicId', type: 'uuid', versions: '0+' },
        { name: 'partitions', type: '[]PartitionData', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
          { name: 'currentLeader', type: 'LeaderIdAndEpoch', versions: '0+', fields: [
            { name: 'leaderId', type: 'int32', versions: '0+' },
            { name: 'leaderEpoch', type: 'int32', versions: '0+' },
          ] },
        ] },
      ] },
      { name: 'nodeEndpoints', type: '[]NodeEndpoint', versions: '0+', fields: [
        { name: 'nodeId', type: 'int32', versions: '0+' },
        { name: 'host', type: 'string', versions: '0+' },
        { name: 'port', type: 'int32', versions: '0+' },
        { name: 'rack', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ] },
    ],
  },
  90: {
    apiKey: 90, name: 'DescribeShareGroupOffsetsResponse', validVersions: '0-1', flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'groups', type: '[]DescribeShareGroupOffsetsResponseGroup', versions: '0+', fields: [
        { name: 'groupId', type: 'string', versions: '0+' },
        { name: 'topics', type: '[]DescribeShareGroupOffsetsResponseTopic', versions: '0+', fields: [
          { name: 'topicName', type: 'string', versions: '0+' },
          { name: 'topicId', type: 'uuid', versions: '0+' },
          { name: 'partitions', type: '[]DescribeShareGroupOffsetsResponsePartition', versions: '0+', fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'startOffset', type: 'int64', versions: '0+' },
            { name: 'leaderEpoch', type: 'int32', versions: '0+' },
            { name: 'lag', type: 'int64', versions: '1+', default: -1n },
            { name: 'errorCode', type: 'int16', versions: '0+' },
            { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
          ] },
        ] },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ] },
    ],
  },
  91: {
    apiKey: 91, name: 'AlterShareGroupOffsetsResponse', validVersions: '0', flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      { name: 'responses', type: '[]AlterShareGroupOffsetsResponseTopic', versions: '0+', fields: [
        { name: 'topicName', type: 'string', versions: '0+' },
        { name: 'topicId', type: 'uuid', versions: '0+' },
        { name: 'partitions', type: '[]AlterShareGroupOffsetsResponsePartition', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
        ] },
      ] },
    ],
  },
  92: {
    apiKey: 92, name: 'DeleteShareGroupOffsetsResponse', validVersions: '0', flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      { name: 'responses', type: '[]DeleteShareGroupOffsetsResponseTopic', versions: '0+', fields: [
        { name: 'topicName', type: 'string', versions: '0+' },
        { name: 'topicId', type: 'uuid', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ] },
    ],
  },
};

// Decoded bodies: every field of the message is present (defaults fill the versions without it).

export interface ProduceRequestPartitionProduceData {
  index: number;
  records: Buffer | null;
}
export interface ProduceRequestTopicProduceData {
  name: string;
  partitionData: ProduceRequestPartitionProduceData[];
}
export interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topicData: ProduceRequestTopicProduceData[];
}

export interface FetchRequestReplicaState {
  replicaId: number;
  replicaEpoch: bigint;
}
export interface FetchRequestFetchPartition {
  partition: number;
  currentLeaderEpoch: number;
  fetchOffset: bigint;
  lastFetchedEpoch: number;
  logStartOffset: bigint;
  partitionMaxBytes: number;
  replicaDirectoryId: string;
}
export interface FetchRequestFetchTopic {
  topic: string;
  topicId: string;
  partitions: FetchRequestFetchPartition[];
}
export interface FetchRequestForgottenTopic {
  topic: string;
  topicId: string;
  partitions: number[];
}
export interface FetchRequest {
  clusterId: string | null;
  replicaId: number;
  replicaState: FetchRequestReplicaState;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  sessionId: number;
  sessionEpoch: number;
  topics: FetchRequestFetchTopic[];
  forgottenTopicsData: FetchRequestForgottenTopic[];
  rackId: string;
}

export interface ListOffsetsRequestListOffsetsPartition {
  partitionIndex: number;
  currentLeaderEpoch: number;
  timestamp: bigint;
  maxNumOffsets: number;
}
export interface ListOffsetsRequestListOffsetsTopic {
  name: string;
  partitions: ListOffsetsRequestListOffsetsPartition[];
}
export interface ListOffsetsRequest {
  replicaId: number;
  isolationLevel: number;
  topics: ListOffsetsRequestListOffsetsTopic[];
  timeoutMs: number;
}

export interface MetadataRequestTopic {
  topicId: string;
  name: string | null;
}
export interface MetadataRequest {
  topics: MetadataRequestTopic[] | null;
  allowAutoTopicCreation: boolean;
  includeClusterAuthorizedOperations: boolean;
  includeTopicAuthorizedOperations: boolean;
}

export interface OffsetCommitRequestPartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
  commitTimestamp: bigint;
  committedMetadata: string | null;
}
export interface OffsetCommitRequestTopic {
  name: string;
  partitions: OffsetCommitRequestPartition[];
}
export interface OffsetCommitRequest {
  groupId: string;
  generationIdOrMemberEpoch: number;
  memberId: string;
  groupInstanceId: string | null;
  retentionTimeMs: bigint;
  topics: OffsetCommitRequestTopic[];
}

export interface OffsetFetchRequestTopic {
  name: string;
  partitionIndexes: number[];
}
export interface OffsetFetchRequestTopics {
  name: string;
  partitionIndexes: number[];
}
export interface OffsetFetchRequestGroup {
  groupId: string;
  memberId: string | null;
  memberEpoch: number;
  topics: OffsetFetchRequestTopics[] | null;
}
export interface OffsetFetchRequest {
  groupId: string;
  topics: OffsetFetchRequestTopic[] | null;
  groups: OffsetFetchRequestGroup[];
  requireStable: boolean;
}

export interface FindCoordinatorRequest {
  key: string;
  keyType: number;
  coordinatorKeys: string[];
}

export interface JoinGroupRequestProtocol {
  name: string;
  metadata: Buffer;
}
export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: JoinGroupRequestProtocol[];
  reason: string | null;
}

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeaveGroupRequestMemberIdentity {
  memberId: string;
  groupInstanceId: string | null;
  reason: string | null;
}
export interface LeaveGroupRequest {
  groupId: string;
  memberId: string;
  members: LeaveGroupRequestMemberIdentity[];
}

export interface SyncGroupRequestAssignment {
  memberId: string;
  assignment: Buffer;
}
export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: SyncGroupRequestAssignment[];
}

export interface DescribeGroupsRequest {
  groups: string[];
  includeAuthorizedOperations: boolean;
}

export interface ListGroupsRequest {
  statesFilter: string[];
  typesFilter: string[];
}

export interface SaslHandshakeRequest {
  mechanism: string;
}

export interface ApiVersionsRequest {
  clientSoftwareName: string;
  clientSoftwareVersion: string;
  clusterId: string | null;
  nodeId: number;
}

export interface CreateTopicsRequestCreatableReplicaAssignment {
  partitionIndex: number;
  brokerIds: number[];
}
export interface CreateTopicsRequestCreatableTopicConfig {
  name: string;
  value: string | null;
}
export interface CreateTopicsRequestCreatableTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: CreateTopicsRequestCreatableReplicaAssignment[];
  configs: CreateTopicsRequestCreatableTopicConfig[];
}
export interface CreateTopicsRequest {
  topics: CreateTopicsRequestCreatableTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}

export interface DeleteTopicsRequestDeleteTopicState {
  name: string | null;
  topicId: string;
}
export interface DeleteTopicsRequest {
  topics: DeleteTopicsRequestDeleteTopicState[];
  topicNames: string[];
  timeoutMs: number;
}

export interface DeleteRecordsRequestDeleteRecordsPartition {
  partitionIndex: number;
  offset: bigint;
}
export interface DeleteRecordsRequestDeleteRecordsTopic {
  name: string;
  partitions: DeleteRecordsRequestDeleteRecordsPartition[];
}
export interface DeleteRecordsRequest {
  topics: DeleteRecordsRequestDeleteRecordsTopic[];
  timeoutMs: number;
}

export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  producerId: bigint;
  producerEpoch: number;
}

export interface OffsetForLeaderEpochRequestOffsetForLeaderPartition {
  partition: number;
  currentLeaderEpoch: number;
  leaderEpoch: number;
}
export interface OffsetForLeaderEpochRequestOffsetForLeaderTopic {
  topic: string;
  partitions: OffsetForLeaderEpochRequestOffsetForLeaderPartition[];
}
export interface OffsetForLeaderEpochRequest {
  replicaId: number;
  topics: OffsetForLeaderEpochRequestOffsetForLeaderTopic[];
}

export interface AddPartitionsToTxnRequestAddPartitionsToTxnTopic {
  name: string;
  partitions: number[];
}
export interface AddPartitionsToTxnRequestAddPartitionsToTxnTransaction {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  verifyOnly: boolean;
  topics: AddPartitionsToTxnRequestAddPartitionsToTxnTopic[];
}
export interface AddPartitionsToTxnRequest {
  transactions: AddPartitionsToTxnRequestAddPartitionsToTxnTransaction[];
  v3AndBelowTransactionalId: string;
  v3AndBelowProducerId: bigint;
  v3AndBelowProducerEpoch: number;
  v3AndBelowTopics: AddPartitionsToTxnRequestAddPartitionsToTxnTopic[];
}

export interface AddOffsetsToTxnRequest {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  groupId: string;
}

export interface EndTxnRequest {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  committed: boolean;
}

export interface TxnOffsetCommitRequestPartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
  committedMetadata: string | null;
}
export interface TxnOffsetCommitRequestTopic {
  name: string;
  partitions: TxnOffsetCommitRequestPartition[];
}
export interface TxnOffsetCommitRequest {
  transactionalId: string;
  groupId: string;
  producerId: bigint;
  producerEpoch: number;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: TxnOffsetCommitRequestTopic[];
}

export interface DescribeAclsRequest {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}

export interface CreateAclsRequestAclCreation {
  resourceType: number;
  resourceName: string;
  resourcePatternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}
export interface CreateAclsRequest {
  creations: CreateAclsRequestAclCreation[];
}

export interface DeleteAclsRequestDeleteAclsFilter {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}
export interface DeleteAclsRequest {
  filters: DeleteAclsRequestDeleteAclsFilter[];
}

export interface DescribeConfigsRequestDescribeConfigsResource {
  resourceType: number;
  resourceName: string;
  configurationKeys: string[] | null;
}
export interface DescribeConfigsRequest {
  resources: DescribeConfigsRequestDescribeConfigsResource[];
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

export interface AlterConfigsRequestAlterableConfig {
  name: string;
  value: string | null;
}
export interface AlterConfigsRequestAlterConfigsResource {
  resourceType: number;
  resourceName: string;
  configs: AlterConfigsRequestAlterableConfig[];
}
export interface AlterConfigsRequest {
  resources: AlterConfigsRequestAlterConfigsResource[];
  validateOnly: boolean;
}

export interface DescribeLogDirsRequestDescribableLogDirTopic {
  topic: string;
  partitions: number[];
}
export interface DescribeLogDirsRequest {
  topics: DescribeLogDirsRequestDescribableLogDirTopic[] | null;
}

export interface SaslAuthenticateRequest {
  authBytes: Buffer;
}

export interface CreatePartitionsRequestCreatePartitionsAssignment {
  brokerIds: number[];
}
export interface CreatePartitionsRequestCreatePartitionsTopic {
  name: string;
  count: number;
  assignments: CreatePartitionsRequestCreatePartitionsAssignment[] | null;
}
export interface CreatePartitionsRequest {
  topics: CreatePartitionsRequestCreatePartitionsTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}

export interface DeleteGroupsRequest {
  groupsNames: string[];
}

export interface ElectLeadersRequestTopicPartitions {
  topic: string;
  partitions: number[];
}
export interface ElectLeadersRequest {
  electionType: number;
  topicPartitions: ElectLeadersRequestTopicPartitions[] | null;
  timeoutMs: number;
}

export interface IncrementalAlterConfigsRequestAlterableConfig {
  name: string;
  configOperation: number;
  value: string | null;
}
export interface IncrementalAlterConfigsRequestAlterConfigsResource {
  resourceType: number;
  resourceName: string;
  configs: IncrementalAlterConfigsRequestAlterableConfig[];
}
export interface IncrementalAlterConfigsRequest {
  resources: IncrementalAlterConfigsRequestAlterConfigsResource[];
  validateOnly: boolean;
}

export interface AlterPartitionReassignmentsRequestReassignablePartition {
  partitionIndex: number;
  replicas: number[] | null;
}
export interface AlterPartitionReassignmentsRequestReassignableTopic {
  name: string;
  partitions: AlterPartitionReassignmentsRequestReassignablePartition[];
}
export interface AlterPartitionReassignmentsRequest {
  timeoutMs: number;
  topics: AlterPartitionReassignmentsRequestReassignableTopic[];
}

export interface ListPartitionReassignmentsRequestListPartitionReassignmentsTopics {
  name: string;
  partitionIndexes: number[];
}
export interface ListPartitionReassignmentsRequest {
  timeoutMs: number;
  topics: ListPartitionReassignmentsRequestListPartitionReassignmentsTopics[] | null;
}

export interface OffsetDeleteRequestPartition {
  partitionIndex: number;
}
export interface OffsetDeleteRequestTopic {
  name: string;
  partitions: OffsetDeleteRequestPartition[];
}
export interface OffsetDeleteRequest {
  groupId: string;
  topics: OffsetDeleteRequestTopic[];
}

export interface DescribeClusterRequest {
  includeClusterAuthorizedOperations: boolean;
  endpointType: number;
}

export interface DescribeProducersRequestTopicRequest {
  name: string;
  partitionIndexes: number[];
}
export interface DescribeProducersRequest {
  topics: DescribeProducersRequestTopicRequest[];
}

export interface DescribeTransactionsRequest {
  transactionalIds: string[];
}

export interface ListTransactionsRequest {
  stateFilters: string[];
  producerIdFilters: bigint[];
  durationFilter: bigint;
}

export interface ConsumerGroupHeartbeatRequestTopicPartitions {
  topicId: string;
  partitions: number[];
}
export interface ConsumerGroupHeartbeatRequest {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[] | null;
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  topicPartitions: ConsumerGroupHeartbeatRequestTopicPartitions[] | null;
}

export interface ConsumerGroupDescribeRequest {
  groupIds: string[];
  includeAuthorizedOperations: boolean;
}

export interface ShareGroupHeartbeatRequest {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  rackId: string | null;
  subscribedTopicNames: string[] | null;
}

export interface ShareGroupDescribeRequest {
  groupIds: string[];
  includeAuthorizedOperations: boolean;
}

export interface ShareFetchRequestAcknowledgementBatch {
  firstOffset: bigint;
  lastOffset: bigint;
  acknowledgeTypes: number[];
}
export interface ShareFetchRequestFetchPartition {
  partitionIndex: number;
  partitionMaxBytes: number;
  acknowledgementBatches: ShareFetchRequestAcknowledgementBatch[];
}
export interface ShareFetchRequestFetchTopic {
  topicId: string;
  partitions: ShareFetchRequestFetchPartition[];
}
export interface ShareFetchRequestForgottenTopic {
  topicId: string;
  partitions: number[];
}
export interface ShareFetchRequest {
  groupId: string | null;
  memberId: string | null;
  shareSessionEpoch: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  maxRecords: number;
  batchSize: number;
  shareAcquireMode: number;
  isRenewAck: boolean;
  topics: ShareFetchRequestFetchTopic[];
  forgottenTopicsData: ShareFetchRequestForgottenTopic[];
}

export interface ShareAcknowledgeRequestAcknowledgementBatch {
  firstOffset: bigint;
  lastOffset: bigint;
  acknowledgeTypes: number[];
}
export interface ShareAcknowledgeRequestAcknowledgePartition {
  partitionIndex: number;
  acknowledgementBatches: ShareAcknowledgeRequestAcknowledgementBatch[];
}
export interface ShareAcknowledgeRequestAcknowledgeTopic {
  topicId: string;
  partitions: ShareAcknowledgeRequestAcknowledgePartition[];
}
export interface ShareAcknowledgeRequest {
  groupId: string | null;
  memberId: string | null;
  shareSessionEpoch: number;
  isRenewAck: boolean;
  topics: ShareAcknowledgeRequestAcknowledgeTopic[];
}

export interface DescribeShareGroupOffsetsRequestTopic {
  topicName: string;
  partitions: number[];
}
export interface DescribeShareGroupOffsetsRequestGroup {
  groupId: string;
  topics: DescribeShareGroupOffsetsRequestTopic[] | null;
}
export interface DescribeShareGroupOffsetsRequest {
  groups: DescribeShareGroupOffsetsRequestGroup[];
}

export interface AlterShareGroupOffsetsRequestPartition {
  partitionIndex: number;
  startOffset: bigint;
}
export interface AlterShareGroupOffsetsRequestTopic {
  topicName: string;
  partitions: AlterShareGroupOffsetsRequestPartition[];
}
export interface AlterShareGroupOffsetsRequest {
  groupId: string;
  topics: AlterShareGroupOffsetsRequestTopic[];
}

export interface DeleteShareGroupOffsetsRequestTopic {
  topicName: string;
}
export interface DeleteShareGroupOffsetsRequest {
  groupId: string;
  topics: DeleteShareGroupOffsetsRequestTopic[];
}

export interface ProduceResponseBatchIndexAndErrorMessage {
  batchIndex: number;
  batchIndexErrorMessage: string | null;
}
export interface ProduceResponseLeaderIdAndEpoch {
  leaderId: number;
  leaderEpoch: number;
}
export interface ProduceResponsePartitionProduceResponse {
  index: number;
  errorCode: number;
  baseOffset: bigint;
  logAppendTimeMs: bigint;
  logStartOffset: bigint;
  recordErrors: ProduceResponseBatchIndexAndErrorMessage[];
  errorMessage: string | null;
  currentLeader: ProduceResponseLeaderIdAndEpoch;
}
export interface ProduceResponseTopicProduceResponse {
  name: string;
  partitionResponses: ProduceResponsePartitionProduceResponse[];
}
export interface ProduceResponseNodeEndpoint {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}
export interface ProduceResponse {
  responses: ProduceResponseTopicProduceResponse[];
  throttleTimeMs: number;
  nodeEndpoints: ProduceResponseNodeEndpoint[];
}

export interface FetchResponseEpochEndOffset {
  epoch: number;
  endOffset: bigint;
}
export interface FetchResponseLeaderIdAndEpoch {
  leaderId: number;
  leaderEpoch: number;
}
export interface FetchResponseSnapshotId {
  endOffset: bigint;
  epoch: number;
}
export interface FetchResponseAbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}
export interface FetchResponsePartitionData {
  partitionIndex: number;
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  divergingEpoch: FetchResponseEpochEndOffset;
  currentLeader: FetchResponseLeaderIdAndEpoch;
  snapshotId: FetchResponseSnapshotId;
  abortedTransactions: FetchResponseAbortedTransaction[] | null;
  preferredReadReplica: number;
  records: Buffer | null;
}
export interface FetchResponseFetchableTopicResponse {
  topic: string;
  topicId: string;
  partitions: FetchResponsePartitionData[];
}
export interface FetchResponseNodeEndpoint {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}
export interface FetchResponse {
  throttleTimeMs: number;
  errorCode: number;
  sessionId: number;
  responses: FetchResponseFetchableTopicResponse[];
  nodeEndpoints: FetchResponseNodeEndpoint[];
}

export interface ListOffsetsResponseListOffsetsPartitionResponse {
  partitionIndex: number;
  errorCode: number;
  oldStyleOffsets: bigint[];
  timestamp: bigint;
  offset: bigint;
  leaderEpoch: number;
}
export interface ListOffsetsResponseListOffsetsTopicResponse {
  name: string;
  partitions: ListOffsetsResponseListOffsetsPartitionResponse[];
}
export interface ListOffsetsResponse {
  throttleTimeMs: number;
  topics: ListOffsetsResponseListOffsetsTopicResponse[];
}

export interface MetadataResponseBroker {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}
export interface MetadataResponsePartition {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[];
}
export interface MetadataResponseTopic {
  errorCode: number;
  name: string | null;
  topicId: string;
  isInternal: boolean;
  partitions: MetadataResponsePartition[];
  topicAuthorizedOperations: number;
}
export interface MetadataResponse {
  throttleTimeMs: number;
  brokers: MetadataResponseBroker[];
  clusterId: string | null;
  controllerId: number;
  topics: MetadataResponseTopic[];
  clusterAuthorizedOperations: number;
}

export interface OffsetCommitResponsePartition {
  partitionIndex: number;
  errorCode: number;
}
export interface OffsetCommitResponseTopic {
  name: string;
  partitions: OffsetCommitResponsePartition[];
}
export interface OffsetCommitResponse {
  throttleTimeMs: number;
  topics: OffsetCommitResponseTopic[];
}

export interface OffsetFetchResponsePartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}
export interface OffsetFetchResponseTopic {
  name: string;
  partitions: OffsetFetchResponsePartition[];
}
export interface OffsetFetchResponsePartitions {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}
export interface OffsetFetchResponseTopics {
  name: string;
  partitions: OffsetFetchResponsePartitions[];
}
export interface OffsetFetchResponseGroup {
  groupId: string;
  topics: OffsetFetchResponseTopics[];
  errorCode: number;
}
export interface OffsetFetchResponse {
  throttleTimeMs: number;
  topics: OffsetFetchResponseTopic[];
  errorCode: number;
  groups: OffsetFetchResponseGroup[];
}

export interface FindCoordinatorResponseCoordinator {
  key: string;
  nodeId: number;
  host: string;
  port: number;
  errorCode: number;
  errorMessage: string | null;
}
export interface FindCoordinatorResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
  coordinators: FindCoordinatorResponseCoordinator[];
}

export interface JoinGroupResponseMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}
export interface JoinGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  skipAssignment: boolean;
  memberId: string;
  members: JoinGroupResponseMember[];
}

export interface HeartbeatResponse {
  throttleTimeMs: number;
  errorCode: number;
}

export interface LeaveGroupResponseMemberResponse {
  memberId: string;
  groupInstanceId: string | null;
  errorCode: number;
}
export interface LeaveGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  members: LeaveGroupResponseMemberResponse[];
}

export interface SyncGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface DescribeGroupsResponseDescribedGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  memberMetadata: Buffer;
  memberAssignment: Buffer;
}
export interface DescribeGroupsResponseDescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: DescribeGroupsResponseDescribedGroupMember[];
  authorizedOperations: number;
}
export interface DescribeGroupsResponse {
  throttleTimeMs: number;
  groups: DescribeGroupsResponseDescribedGroup[];
}

export interface ListGroupsResponseListedGroup {
  groupId: string;
  protocolType: string;
  groupState: string;
  groupType: string;
}
export interface ListGroupsResponse {
  throttleTimeMs: number;
  errorCode: number;
  groups: ListGroupsResponseListedGroup[];
}

export interface SaslHandshakeResponse {
  errorCode: number;
  mechanisms: string[];
}

export interface ApiVersionsResponseApiVersion {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}
export interface ApiVersionsResponseSupportedFeatureKey {
  name: string;
  minVersion: number;
  maxVersion: number;
}
export interface ApiVersionsResponseFinalizedFeatureKey {
  name: string;
  maxVersionLevel: number;
  minVersionLevel: number;
}
export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: ApiVersionsResponseApiVersion[];
  throttleTimeMs: number;
  supportedFeatures: ApiVersionsResponseSupportedFeatureKey[];
  finalizedFeaturesEpoch: bigint;
  finalizedFeatures: ApiVersionsResponseFinalizedFeatureKey[];
  zkMigrationReady: boolean;
}

export interface CreateTopicsResponseCreatableTopicConfigs {
  name: string;
  value: string | null;
  readOnly: boolean;
  configSource: number;
  isSensitive: boolean;
}
export interface CreateTopicsResponseCreatableTopicResult {
  name: string;
  topicId: string;
  errorCode: number;
  errorMessage: string | null;
  topicConfigErrorCode: number;
  numPartitions: number;
  replicationFactor: number;
  configs: CreateTopicsResponseCreatableTopicConfigs[] | null;
}
export interface CreateTopicsResponse {
  throttleTimeMs: number;
  topics: CreateTopicsResponseCreatableTopicResult[];
}

export interface DeleteTopicsResponseDeletableTopicResult {
  name: string | null;
  topicId: string;
  errorCode: number;
  errorMessage: string | null;
}
export interface DeleteTopicsResponse {
  throttleTimeMs: number;
  responses: DeleteTopicsResponseDeletableTopicResult[];
}

export interface DeleteRecordsResponseDeleteRecordsPartitionResult {
  partitionIndex: number;
  lowWatermark: bigint;
  errorCode: number;
}
export interface DeleteRecordsResponseDeleteRecordsTopicResult {
  name: string;
  partitions: DeleteRecordsResponseDeleteRecordsPartitionResult[];
}
export interface DeleteRecordsResponse {
  throttleTimeMs: number;
  topics: DeleteRecordsResponseDeleteRecordsTopicResult[];
}

export interface InitProducerIdResponse {
  throttleTimeMs: number;
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
}

export interface OffsetForLeaderEpochResponseEpochEndOffset {
  errorCode: number;
  partition: number;
  leaderEpoch: number;
  endOffset: bigint;
}
export interface OffsetForLeaderEpochResponseOffsetForLeaderTopicResult {
  topic: string;
  partitions: OffsetForLeaderEpochResponseEpochEndOffset[];
}
export interface OffsetForLeaderEpochResponse {
  throttleTimeMs: number;
  topics: OffsetForLeaderEpochResponseOffsetForLeaderTopicResult[];
}

export interface AddPartitionsToTxnResponseAddPartitionsToTxnPartitionResult {
  partitionIndex: number;
  partitionErrorCode: number;
}
export interface AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult {
  name: string;
  resultsByPartition: AddPartitionsToTxnResponseAddPartitionsToTxnPartitionResult[];
}
export interface AddPartitionsToTxnResponseAddPartitionsToTxnResult {
  transactionalId: string;
  topicResults: AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult[];
}
export interface AddPartitionsToTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
  resultsByTransaction: AddPartitionsToTxnResponseAddPartitionsToTxnResult[];
  resultsByTopicV3AndBelow: AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult[];
}

export interface AddOffsetsToTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
}

export interface EndTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
}

export interface TxnOffsetCommitResponsePartition {
  partitionIndex: number;
  errorCode: number;
}
export interface TxnOffsetCommitResponseTopic {
  name: string;
  partitions: TxnOffsetCommitResponsePartition[];
}
export interface TxnOffsetCommitResponse {
  throttleTimeMs: number;
  topics: TxnOffsetCommitResponseTopic[];
}

export interface DescribeAclsResponseAclDescription {
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}
export interface DescribeAclsResponseDescribeAclsResource {
  resourceType: number;
  resourceName: string;
  patternType: number;
  acls: DescribeAclsResponseAclDescription[];
}
export interface DescribeAclsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  resources: DescribeAclsResponseDescribeAclsResource[];
}

export interface CreateAclsResponseAclCreationResult {
  errorCode: number;
  errorMessage: string | null;
}
export interface CreateAclsResponse {
  throttleTimeMs: number;
  results: CreateAclsResponseAclCreationResult[];
}

export interface DeleteAclsResponseDeleteAclsMatchingAcl {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}
export interface DeleteAclsResponseDeleteAclsFilterResult {
  errorCode: number;
  errorMessage: string | null;
  matchingAcls: DeleteAclsResponseDeleteAclsMatchingAcl[];
}
export interface DeleteAclsResponse {
  throttleTimeMs: number;
  filterResults: DeleteAclsResponseDeleteAclsFilterResult[];
}

export interface DescribeConfigsResponseDescribeConfigsSynonym {
  name: string;
  value: string | null;
  source: number;
}
export interface DescribeConfigsResponseDescribeConfigsResourceResult {
  name: string;
  value: string | null;
  readOnly: boolean;
  isDefault: boolean;
  configSource: number;
  isSensitive: boolean;
  synonyms: DescribeConfigsResponseDescribeConfigsSynonym[];
  configType: number;
  documentation: string | null;
}
export interface DescribeConfigsResponseDescribeConfigsResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
  configs: DescribeConfigsResponseDescribeConfigsResourceResult[];
}
export interface DescribeConfigsResponse {
  throttleTimeMs: number;
  results: DescribeConfigsResponseDescribeConfigsResult[];
}

export interface AlterConfigsResponseAlterConfigsResourceResponse {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}
export interface AlterConfigsResponse {
  throttleTimeMs: number;
  responses: AlterConfigsResponseAlterConfigsResourceResponse[];
}

export interface DescribeLogDirsResponseDescribeLogDirsPartition {
  partitionIndex: number;
  partitionSize: bigint;
  offsetLag: bigint;
  isFutureKey: boolean;
}
export interface DescribeLogDirsResponseDescribeLogDirsTopic {
  name: string;
  partitions: DescribeLogDirsResponseDescribeLogDirsPartition[];
}
export interface DescribeLogDirsResponseDescribeLogDirsResult {
  errorCode: number;
  logDir: string;
  topics: DescribeLogDirsResponseDescribeLogDirsTopic[];
  totalBytes: bigint;
  usableBytes: bigint;
}
export interface DescribeLogDirsResponse {
  throttleTimeMs: number;
  errorCode: number;
  results: DescribeLogDirsResponseDescribeLogDirsResult[];
}

export interface SaslAuthenticateResponse {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
  sessionLifetimeMs: bigint;
}

export interface CreatePartitionsResponseCreatePartitionsTopicResult {
  name: string;
  errorCode: number;
  errorMessage: string | null;
}
export interface CreatePartitionsResponse {
  throttleTimeMs: number;
  results: CreatePartitionsResponseCreatePartitionsTopicResult[];
}

export interface DeleteGroupsResponseDeletableGroupResult {
  groupId: string;
  errorCode: number;
}
export interface DeleteGroupsResponse {
  throttleTimeMs: number;
  results: DeleteGroupsResponseDeletableGroupResult[];
}

export interface ElectLeadersResponsePartitionResult {
  partitionId: number;
  errorCode: number;
  errorMessage: string | null;
}
export interface ElectLeadersResponseReplicaElectionResult {
  topic: string;
  partitionResult: ElectLeadersResponsePartitionResult[];
}
export interface ElectLeadersResponse {
  throttleTimeMs: number;
  errorCode: number;
  replicaElectionResults: ElectLeadersResponseReplicaElectionResult[];
}

export interface IncrementalAlterConfigsResponseAlterConfigsResourceResponse {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}
export interface IncrementalAlterConfigsResponse {
  throttleTimeMs: number;
  responses: IncrementalAlterConfigsResponseAlterConfigsResourceResponse[];
}

export interface AlterPartitionReassignmentsResponseReassignablePartitionResponse {
  partitionIndex: number;
  errorCode: number;
  errorMessage: string | null;
}
export interface AlterPartitionReassignmentsResponseReassignableTopicResponse {
  name: string;
  partitions: AlterPartitionReassignmentsResponseReassignablePartitionResponse[];
}
export interface AlterPartitionReassignmentsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  responses: AlterPartitionReassignmentsResponseReassignableTopicResponse[];
}

export interface ListPartitionReassignmentsResponseOngoingPartitionReassignment {
  partitionIndex: number;
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}
export interface ListPartitionReassignmentsResponseOngoingTopicReassignment {
  name: string;
  partitions: ListPartitionReassignmentsResponseOngoingPartitionReassignment[];
}
export interface ListPartitionReassignmentsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  topics: ListPartitionReassignmentsResponseOngoingTopicReassignment[];
}

export interface OffsetDeleteResponsePartition {
  partitionIndex: number;
  errorCode: number;
}
export interface OffsetDeleteResponseTopic {
  name: string;
  partitions: OffsetDeleteResponsePartition[];
}
export interface OffsetDeleteResponse {
  errorCode: number;
  throttleTimeMs: number;
  topics: OffsetDeleteResponseTopic[];
}

export interface DescribeClusterResponseDescribeClusterBroker {
  brokerId: number;
  host: string;
  port: number;
  rack: string | null;
}
export interface DescribeClusterResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  endpointType: number;
  clusterId: string;
  controllerId: number;
  brokers: DescribeClusterResponseDescribeClusterBroker[];
  clusterAuthorizedOperations: number;
}

export interface DescribeProducersResponseProducerState {
  producerId: bigint;
  producerEpoch: number;
  lastSequence: number;
  lastTimestamp: bigint;
  coordinatorEpoch: number;
  currentTxnStartOffset: bigint;
}
export interface DescribeProducersResponsePartitionResponse {
  partitionIndex: number;
  errorCode: number;
  errorMessage: string | null;
  activeProducers: DescribeProducersResponseProducerState[];
}
export interface DescribeProducersResponseTopicResponse {
  name: string;
  partitions: DescribeProducersResponsePartitionResponse[];
}
export interface DescribeProducersResponse {
  throttleTimeMs: number;
  topics: DescribeProducersResponseTopicResponse[];
}

export interface DescribeTransactionsResponseTopicData {
  topic: string;
  partitions: number[];
}
export interface DescribeTransactionsResponseTransactionState {
  errorCode: number;
  transactionalId: string;
  transactionState: string;
  transactionTimeoutMs: number;
  transactionStartTimeMs: bigint;
  producerId: bigint;
  producerEpoch: number;
  topics: DescribeTransactionsResponseTopicData[];
}
export interface DescribeTransactionsResponse {
  throttleTimeMs: number;
  transactionStates: DescribeTransactionsResponseTransactionState[];
}

export interface ListTransactionsResponseTransactionState {
  transactionalId: string;
  producerId: bigint;
  transactionState: string;
}
export interface ListTransactionsResponse {
  throttleTimeMs: number;
  errorCode: number;
  unknownStateFilters: string[];
  transactionStates: ListTransactionsResponseTransactionState[];
}

export interface ConsumerGroupHeartbeatResponseTopicPartitions {
  topicId: string;
  partitions: number[];
}
export interface ConsumerGroupHeartbeatResponseAssignment {
  topicPartitions: ConsumerGroupHeartbeatResponseTopicPartitions[];
}
export interface ConsumerGroupHeartbeatResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: ConsumerGroupHeartbeatResponseAssignment | null;
}

export interface ConsumerGroupDescribeResponseTopicPartitions {
  topicId: string;
  topicName: string;
  partitions: number[];
}
export interface ConsumerGroupDescribeResponseAssignment {
  topicPartitions: ConsumerGroupDescribeResponseTopicPartitions[];
}
export interface ConsumerGroupDescribeResponseMember {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  memberEpoch: number;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  assignment: ConsumerGroupDescribeResponseAssignment;
  targetAssignment: ConsumerGroupDescribeResponseAssignment;
}
export interface ConsumerGroupDescribeResponseDescribedGroup {
  errorCode: number;
  errorMessage: string | null;
  groupId: string;
  groupState: string;
  groupEpoch: number;
  assignmentEpoch: number;
  assignorName: string;
  members: ConsumerGroupDescribeResponseMember[];
  authorizedOperations: number;
}
export interface ConsumerGroupDescribeResponse {
  throttleTimeMs: number;
  groups: ConsumerGroupDescribeResponseDescribedGroup[];
}

export interface ShareGroupHeartbeatResponseTopicPartitions {
  topicId: string;
  partitions: number[];
}
export interface ShareGroupHeartbeatResponseAssignment {
  topicPartitions: ShareGroupHeartbeatResponseTopicPartitions[];
}
export interface ShareGroupHeartbeatResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: ShareGroupHeartbeatResponseAssignment | null;
}

export interface ShareGroupDescribeResponseTopicPartitions {
  topicId: string;
  topicName: string;
  partitions: number[];
}
export interface ShareGroupDescribeResponseAssignment {
  topicPartitions: ShareGroupDescribeResponseTopicPartitions[];
}
export interface ShareGroupDescribeResponseMember {
  memberId: string;
  rackId: string | null;
  memberEpoch: number;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  assignment: ShareGroupDescribeResponseAssignment;
}
export interface ShareGroupDescribeResponseDescribedGroup {
  errorCode: number;
  errorMessage: string | null;
  groupId: string;
  groupState: string;
  groupEpoch: number;
  assignmentEpoch: number;
  assignorName: string;
  members: ShareGroupDescribeResponseMember[];
  authorizedOperations: number;
}
export interface ShareGroupDescribeResponse {
  throttleTimeMs: number;
  groups: ShareGroupDescribeResponseDescribedGroup[];
}

export interface ShareFetchResponseLeaderIdAndEpoch {
  leaderId: number;
  leaderEpoch: number;
}
export interface ShareFetchResponseAcquiredRecords {
  firstOffset: bigint;
  lastOffset: bigint;
  deliveryCount: number;
}
export interface ShareFetchResponsePartitionData {
  partitionIndex: number;
  errorCode: number;
  errorMessage: string | null;
  acknowledgeErrorCode: number;
  acknowledgeErrorMessage: string | null;
  currentLeader: ShareFetchResponseLeaderIdAndEpoch;
  records: Buffer | null;
  acquiredRecords: ShareFetchResponseAcquiredRecords[];
}
export interface ShareFetchResponseShareFetchableTopicResponse {
  topicId: string;
  partitions: ShareFetchResponsePartitionData[];
}
export interface ShareFetchResponseNodeEndpoint {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}
export interface ShareFetchResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  acquisitionLockTimeoutMs: number;
  responses: ShareFetchResponseShareFetchableTopicResponse[];
  nodeEndpoints: ShareFetchResponseNodeEndpoint[];
}

export interface ShareAcknowledgeResponseLeaderIdAndEpoch {
  leaderId: number;
  leaderEpoch: number;
}
export interface ShareAcknowledgeResponsePartitionData {
  partitionIndex: number;
  errorCode: number;
  errorMessage: string | null;
  currentLeader: ShareAcknowledgeResponseLeaderIdAndEpoch;
}
export interface ShareAcknowledgeResponseShareAcknowledgeTopicResponse {
  topicId: string;
  partitions: ShareAcknowledgeResponsePartitionData[];
}
export interface ShareAcknowledgeResponseNodeEndpoint {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}
export interface ShareAcknowledgeResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  acquisitionLockTimeoutMs: number;
  responses: ShareAcknowledgeResponseShareAcknowledgeTopicResponse[];
  nodeEndpoints: ShareAcknowledgeResponseNodeEndpoint[];
}

export interface DescribeShareGroupOffsetsResponsePartition {
  partitionIndex: number;
  startOffset: bigint;
  leaderEpoch: number;
  lag: bigint;
  errorCode: number;
  errorMessage: string | null;
}
export interface DescribeShareGroupOffsetsResponseTopic {
  topicName: string;
  topicId: string;
  partitions: DescribeShareGroupOffsetsResponsePartition[];
}
export interface DescribeShareGroupOffsetsResponseGroup {
  groupId: string;
  topics: DescribeShareGroupOffsetsResponseTopic[];
  errorCode: number;
  errorMessage: string | null;
}
export interface DescribeShareGroupOffsetsResponse {
  throttleTimeMs: number;
  groups: DescribeShareGroupOffsetsResponseGroup[];
}

export interface AlterShareGroupOffsetsResponsePartition {
  partitionIndex: number;
  errorCode: number;
  errorMessage: string | null;
}
export interface AlterShareGroupOffsetsResponseTopic {
  topicName: string;
  topicId: string;
  partitions: AlterShareGroupOffsetsResponsePartition[];
}
export interface AlterShareGroupOffsetsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  responses: AlterShareGroupOffsetsResponseTopic[];
}

export interface DeleteShareGroupOffsetsResponseTopic {
  topicName: string;
  topicId: string;
  errorCode: number;
  errorMessage: string | null;
}
export interface DeleteShareGroupOffsetsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  responses: DeleteShareGroupOffsetsResponseTopic[];
}

export interface RequestBodies {
  0: ProduceRequest;
  1: FetchRequest;
  2: ListOffsetsRequest;
  3: MetadataRequest;
  8: OffsetCommitRequest;
  9: OffsetFetchRequest;
  10: FindCoordinatorRequest;
  11: JoinGroupRequest;
  12: HeartbeatRequest;
  13: LeaveGroupRequest;
  14: SyncGroupRequest;
  15: DescribeGroupsRequest;
  16: ListGroupsRequest;
  17: SaslHandshakeRequest;
  18: ApiVersionsRequest;
  19: CreateTopicsRequest;
  20: DeleteTopicsRequest;
  21: DeleteRecordsRequest;
  22: InitProducerIdRequest;
  23: OffsetForLeaderEpochRequest;
  24: AddPartitionsToTxnRequest;
  25: AddOffsetsToTxnRequest;
  26: EndTxnRequest;
  28: TxnOffsetCommitRequest;
  29: DescribeAclsRequest;
  30: CreateAclsRequest;
  31: DeleteAclsRequest;
  32: DescribeConfigsRequest;
  33: AlterConfigsRequest;
  35: DescribeLogDirsRequest;
  36: SaslAuthenticateRequest;
  37: CreatePartitionsRequest;
  42: DeleteGroupsRequest;
  43: ElectLeadersRequest;
  44: IncrementalAlterConfigsRequest;
  45: AlterPartitionReassignmentsRequest;
  46: ListPartitionReassignmentsRequest;
  47: OffsetDeleteRequest;
  60: DescribeClusterRequest;
  61: DescribeProducersRequest;
  65: DescribeTransactionsRequest;
  66: ListTransactionsRequest;
  68: ConsumerGroupHeartbeatRequest;
  69: ConsumerGroupDescribeRequest;
  76: ShareGroupHeartbeatRequest;
  77: ShareGroupDescribeRequest;
  78: ShareFetchRequest;
  79: ShareAcknowledgeRequest;
  90: DescribeShareGroupOffsetsRequest;
  91: AlterShareGroupOffsetsRequest;
  92: DeleteShareGroupOffsetsRequest;
}

export interface ResponseBodies {
  0: ProduceResponse;
  1: FetchResponse;
  2: ListOffsetsResponse;
  3: MetadataResponse;
  8: OffsetCommitResponse;
  9: OffsetFetchResponse;
  10: FindCoordinatorResponse;
  11: JoinGroupResponse;
  12: HeartbeatResponse;
  13: LeaveGroupResponse;
  14: SyncGroupResponse;
  15: DescribeGroupsResponse;
  16: ListGroupsResponse;
  17: SaslHandshakeResponse;
  18: ApiVersionsResponse;
  19: CreateTopicsResponse;
  20: DeleteTopicsResponse;
  21: DeleteRecordsResponse;
  22: InitProducerIdResponse;
  23: OffsetForLeaderEpochResponse;
  24: AddPartitionsToTxnResponse;
  25: AddOffsetsToTxnResponse;
  26: EndTxnResponse;
  28: TxnOffsetCommitResponse;
  29: DescribeAclsResponse;
  30: CreateAclsResponse;
  31: DeleteAclsResponse;
  32: DescribeConfigsResponse;
  33: AlterConfigsResponse;
  35: DescribeLogDirsResponse;
  36: SaslAuthenticateResponse;
  37: CreatePartitionsResponse;
  42: DeleteGroupsResponse;
  43: ElectLeadersResponse;
  44: IncrementalAlterConfigsResponse;
  45: AlterPartitionReassignmentsResponse;
  46: ListPartitionReassignmentsResponse;
  47: OffsetDeleteResponse;
  60: DescribeClusterResponse;
  61: DescribeProducersResponse;
  65: DescribeTransactionsResponse;
  66: ListTransactionsResponse;
  68: ConsumerGroupHeartbeatResponse;
  69: ConsumerGroupDescribeResponse;
  76: ShareGroupHeartbeatResponse;
  77: ShareGroupDescribeResponse;
  78: ShareFetchResponse;
  79: ShareAcknowledgeResponse;
  90: DescribeShareGroupOffsetsResponse;
  91: AlterShareGroupOffsetsResponse;
  92: DeleteShareGroupOffsetsResponse;
}
