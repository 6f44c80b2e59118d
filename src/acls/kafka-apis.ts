import { KafkaError } from '../kafka-protocol/error-codes.ts';
import { ApiKeys } from '../kafka-protocol/messages.generated.ts';
import { CLUSTER_RESOURCE_NAME } from './vocabulary.ts';
import type { AclIndex, AuthorizationResult, AuthorizeOptions, Operation, ResourceType } from './authorizer.ts';

/**
 * Which ACLs each Kafka API needs, as data, and the error codes a refusal answers with.
 *
 * The table follows Kafka's broker (kafka.server.KafkaApis and AuthHelper, Kafka 3.x/4.x with
 * StandardAuthorizer), API by API; see the docs' "Operations and Resources on Protocols" table.
 * Choices where Kafka versions differ:
 *
 * - Idempotent producers. Before Kafka 2.8 InitProducerId without a transactional id needed
 *   IDEMPOTENT_WRITE on the cluster, and Produce of idempotent batches checked it again. Since
 *   2.8 (KIP-679, so that idempotence could become the producer default in 3.0) InitProducerId
 *   accepts IDEMPOTENT_WRITE on the cluster OR WRITE on at least one topic (authorizeByResourceType)
 *   and Produce no longer checks IDEMPOTENT_WRITE at all. This table follows 2.8+: a producer
 *   allowed to write a topic can be idempotent without a cluster ACL.
 * - DescribeCluster needs no ACL in Kafka (like Metadata, it tells any client about brokers);
 *   DESCRIBE on the cluster only decides whether clusterAuthorizedOperations is filled in. The
 *   table says so rather than refuse the call.
 * - Group configs (KIP-848, Kafka 3.8+) put DESCRIBE_CONFIGS/ALTER_CONFIGS on GROUP resources
 *   (the share group configs of KIP-932 among them).
 * - Produce auto-creating a missing topic is Slipstream's (Kafka answers
 *   UNKNOWN_TOPIC_OR_PARTITION); it is given Metadata's auto-create rule, CREATE on the cluster or
 *   on the topic.
 */

/** The error a refusal on a resource of this type answers with. */
export function authorizationErrorCode(resourceType: ResourceType): number {
  switch (resourceType) {
    case 'TOPIC':
      return KafkaError.TOPIC_AUTHORIZATION_FAILED;
    case 'GROUP':
      return KafkaError.GROUP_AUTHORIZATION_FAILED;
    case 'CLUSTER':
      return KafkaError.CLUSTER_AUTHORIZATION_FAILED;
    case 'TRANSACTIONAL_ID':
      return KafkaError.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
    case 'DELEGATION_TOKEN':
    case 'USER':
      return KafkaError.DELEGATION_TOKEN_AUTHORIZATION_FAILED;
  }
}

/** What a check is about: each resource of that kind the request names, or the cluster. */
export type CheckTarget = 'topic' | 'group' | 'transactional-id' | 'cluster';

/** One way to pass a check. */
export interface Grant {
  operation: Operation;
  resourceType: ResourceType;
  /**
   * - `target`: on the checked resource itself (the topic, group or transactional id);
   * - `cluster`: on the CLUSTER resource, `kafka-cluster`;
   * - `any`: on at least one resource of the type (Kafka's authorizeByResourceType).
   */
  on: 'target' | 'cluster' | 'any';
}

/**
 * When a check applies:
 * - `always`;
 * - `named`: to resources the request names (Metadata/OffsetFetch with a topic list);
 * - `all`: when the request asks for everything (Metadata/OffsetFetch with a null topic list;
 *   ListGroups);
 * - `auto-create`: the topic does not exist and the request may create it;
 * - `transactional`: the request carries a transactional id (Produce with transactional
 *   batches, InitProducerId with a transactionalId);
 * - `idempotent`: InitProducerId without a transactional id;
 * - `group-key` / `transaction-key`: FindCoordinator's key type;
 * - `topic-resource` / `broker-resource`: the config resource type of DescribeConfigs,
 *   AlterConfigs and IncrementalAlterConfigs (broker loggers count as broker resources);
 * - `created`: a topic CreateTopics created (or validated), for the configs in the answer;
 * - `authorized-operations`: the client asked for *AuthorizedOperations;
 * - `reveal`: whether the answer may show that the topic exists (DeleteTopics: a topic the
 *   principal may not describe is refused by name whether or not it exists, and a refusal of a
 *   topic named by id leaves its name out).
 */
export type CheckCondition =
  | 'always' | 'named' | 'all' | 'auto-create' | 'transactional' | 'idempotent' | 'group-key' | 'transaction-key'
  | 'topic-resource' | 'broker-resource' | 'group-resource' | 'created' | 'authorized-operations' | 'reveal';

/**
 * What a refusal does:
 * - `fail-request`: the whole request is answered with `errorCode` (in every per-resource error
 *   field where the response has no top-level one);
 * - `fail-resource`: that topic, partition, group or config resource gets `errorCode`, the rest
 *   proceed;
 * - `omit`: the resource is silently left out of the answer (or, for `authorized-operations`,
 *   the field is 0).
 */
export type DeniedEffect = 'fail-request' | 'fail-resource' | 'omit';

export interface AclCheck {
  target: CheckTarget;
  when: CheckCondition;
  /** Passed when any grant holds; Kafka tries them in this order. */
  anyOf: readonly Grant[];
  denied: DeniedEffect;
  errorCode: number;
}

export interface ApiAclRule {
  apiKey: number;
  /** Every check that applies must pass; none: the API needs no ACL. */
  checks: readonly AclCheck[];
  note?: string;
}

export type ApiName = keyof typeof ApiKeys;

const onTarget = (operation: Operation, resourceType: ResourceType): Grant => ({ operation, resourceType, on: 'target' });
const onCluster = (operation: Operation): Grant => ({ operation, resourceType: 'CLUSTER', on: 'cluster' });
const onAny = (operation: Operation, resourceType: ResourceType): Grant => ({ operation, resourceType, on: 'any' });

const { TOPIC_AUTHORIZATION_FAILED: TOPIC, GROUP_AUTHORIZATION_FAILED: GROUP, CLUSTER_AUTHORIZATION_FAILED: CLUSTER, TRANSACTIONAL_ID_AUTHORIZATION_FAILED: TXN } =
  KafkaError;

/** The topic's own operation, refusing that topic (or its partitions) only. */
const eachTopic = (operation: Operation, when: CheckCondition = 'always'): AclCheck =>
  ({ target: 'topic', when, anyOf: [onTarget(operation, 'TOPIC')], denied: 'fail-resource', errorCode: TOPIC });
/** CREATE on the cluster, or else on the topic (KafkaApis: CreateTopics, Metadata auto-creation). */
const createTopic = (when: CheckCondition): AclCheck =>
  ({ target: 'topic', when, anyOf: [onCluster('CREATE'), onTarget('CREATE', 'TOPIC')], denied: 'fail-resource', errorCode: TOPIC });
const theGroup = (operation: Operation, denied: DeniedEffect = 'fail-request'): AclCheck =>
  ({ target: 'group', when: 'always', anyOf: [onTarget(operation, 'GROUP')], denied, errorCode: GROUP });
const theTransactionalId = (operation: Operation, denied: DeniedEffect): AclCheck =>
  ({ target: 'transactional-id', when: 'always', anyOf: [onTarget(operation, 'TRANSACTIONAL_ID')], denied, errorCode: TXN });
const theCluster = (operation: Operation, when: CheckCondition, denied: DeniedEffect): AclCheck =>
  ({ target: 'cluster', when, anyOf: [onCluster(operation)], denied, errorCode: CLUSTER });
const configs = (operation: Operation): AclCheck[] => [
  { target: 'topic', when: 'topic-resource', anyOf: [onTarget(operation, 'TOPIC')], denied: 'fail-resource', errorCode: TOPIC },
  { target: 'cluster', when: 'broker-resource', anyOf: [onCluster(operation)], denied: 'fail-resource', errorCode: CLUSTER },
  { target: 'group', when: 'group-resource', anyOf: [onTarget(operation, 'GROUP')], denied: 'fail-resource', errorCode: GROUP },
];

/** Operations and resources per API (Kafka's "Operations and Resources on Protocols"). */
export const KAFKA_API_ACLS: { readonly [K in ApiName]: ApiAclRule } = {
  Produce: {
    apiKey: ApiKeys.Produce,
    checks: [
      { target: 'transactional-id', when: 'transactional', anyOf: [onTarget('WRITE', 'TRANSACTIONAL_ID')], denied: 'fail-request', errorCode: TXN },
      eachTopic('WRITE'),
      createTopic('auto-create'),
    ],
    note: 'Idempotent batches need nothing more than WRITE on the topic (Kafka >= 2.8, KIP-679). ' +
      'The transactional-id check comes first and refuses the whole request.',
  },
  Fetch: { apiKey: ApiKeys.Fetch, checks: [eachTopic('READ')], note: 'Consumer fetches; a follower fetch would need CLUSTER_ACTION on the cluster.' },
  ListOffsets: { apiKey: ApiKeys.ListOffsets, checks: [eachTopic('DESCRIBE')] },
  OffsetForLeaderEpoch: {
    apiKey: ApiKeys.OffsetForLeaderEpoch,
    checks: [eachTopic('DESCRIBE')],
    note: 'Consumers (replicaId -1) validating their position; a follower would need CLUSTER_ACTION on the cluster.',
  },
  Metadata: {
    apiKey: ApiKeys.Metadata,
    checks: [
      eachTopic('DESCRIBE', 'named'),
      { target: 'topic', when: 'all', anyOf: [onTarget('DESCRIBE', 'TOPIC')], denied: 'omit', errorCode: TOPIC },
      createTopic('auto-create'),
      theCluster('DESCRIBE', 'authorized-operations', 'omit'),
    ],
    note: 'A named topic the principal may not describe answers TOPIC_AUTHORIZATION_FAILED whether or not it exists ' +
      '(so existence does not leak); the describe check comes before auto-creation. Brokers are listed to everyone.',
  },
  OffsetCommit: { apiKey: ApiKeys.OffsetCommit, checks: [theGroup('READ'), eachTopic('READ')] },
  OffsetFetch: {
    apiKey: ApiKeys.OffsetFetch,
    checks: [
      theGroup('DESCRIBE'),
      eachTopic('DESCRIBE', 'named'),
      { target: 'topic', when: 'all', anyOf: [onTarget('DESCRIBE', 'TOPIC')], denied: 'omit', errorCode: TOPIC },
    ],
    note: 'v8+ asks for several groups: the group check then refuses that group only.',
  },
  FindCoordinator: {
    apiKey: ApiKeys.FindCoordinator,
    checks: [
      { target: 'group', when: 'group-key', anyOf: [onTarget('DESCRIBE', 'GROUP')], denied: 'fail-resource', errorCode: GROUP },
      { target: 'transactional-id', when: 'transaction-key', anyOf: [onTarget('DESCRIBE', 'TRANSACTIONAL_ID')], denied: 'fail-resource', errorCode: TXN },
    ],
  },
  JoinGroup: { apiKey: ApiKeys.JoinGroup, checks: [theGroup('READ')] },
  Heartbeat: { apiKey: ApiKeys.Heartbeat, checks: [theGroup('READ')] },
  LeaveGroup: { apiKey: ApiKeys.LeaveGroup, checks: [theGroup('READ')] },
  SyncGroup: { apiKey: ApiKeys.SyncGroup, checks: [theGroup('READ')] },
  DescribeGroups: { apiKey: ApiKeys.DescribeGroups, checks: [theGroup('DESCRIBE', 'fail-resource')] },
  ListGroups: {
    apiKey: ApiKeys.ListGroups,
    checks: [{ target: 'group', when: 'all', anyOf: [onCluster('DESCRIBE'), onTarget('DESCRIBE', 'GROUP')], denied: 'omit', errorCode: GROUP }],
    note: 'DESCRIBE on the cluster lists every group; otherwise only the groups the principal may describe.',
  },
  SaslHandshake: { apiKey: ApiKeys.SaslHandshake, checks: [], note: 'Before authentication.' },
  ApiVersions: { apiKey: ApiKeys.ApiVersions, checks: [], note: 'Before authentication.' },
  CreateTopics: {
    apiKey: ApiKeys.CreateTopics,
    checks: [
      createTopic('always'),
      { target: 'topic', when: 'created', anyOf: [onTarget('DESCRIBE_CONFIGS', 'TOPIC')], denied: 'omit', errorCode: TOPIC },
    ],
    note: 'Without DESCRIBE_CONFIGS on a created topic (v5+) its configs are left out and topicConfigErrorCode is TOPIC_AUTHORIZATION_FAILED.',
  },
  DeleteTopics: {
    apiKey: ApiKeys.DeleteTopics,
    checks: [
      { target: 'topic', when: 'always', anyOf: [onCluster('DELETE'), onTarget('DELETE', 'TOPIC')], denied: 'fail-resource', errorCode: TOPIC },
      { target: 'topic', when: 'reveal', anyOf: [onCluster('DELETE'), onTarget('DESCRIBE', 'TOPIC')], denied: 'fail-resource', errorCode: TOPIC },
    ],
    note: 'As Kafka 4 (KRaft ControllerApis.deleteTopics): DELETE on the cluster allows every topic. By name: without ' +
      'DESCRIBE refused whether or not the topic exists; with DESCRIBE, a missing topic is UNKNOWN_TOPIC_OR_PARTITION. ' +
      'By id (v6): an unknown id is UNKNOWN_TOPIC_ID; a refusal names the topic only to a principal that may describe it.',
  },
  DeleteRecords: { apiKey: ApiKeys.DeleteRecords, checks: [eachTopic('DELETE')] },
  InitProducerId: {
    apiKey: ApiKeys.InitProducerId,
    checks: [
      { target: 'transactional-id', when: 'transactional', anyOf: [onTarget('WRITE', 'TRANSACTIONAL_ID')], denied: 'fail-request', errorCode: TXN },
      { target: 'cluster', when: 'idempotent', anyOf: [onCluster('IDEMPOTENT_WRITE'), onAny('WRITE', 'TOPIC')], denied: 'fail-request', errorCode: CLUSTER },
    ],
    note: 'Idempotent producers: IDEMPOTENT_WRITE on the cluster or WRITE on any topic (Kafka >= 2.8, KIP-679).',
  },
  DescribeAcls: { apiKey: ApiKeys.DescribeAcls, checks: [theCluster('DESCRIBE', 'always', 'fail-request')] },
  CreateAcls: { apiKey: ApiKeys.CreateAcls, checks: [theCluster('ALTER', 'always', 'fail-request')], note: 'Every creation result carries the error.' },
  DeleteAcls: { apiKey: ApiKeys.DeleteAcls, checks: [theCluster('ALTER', 'always', 'fail-request')], note: 'Every filter result carries the error.' },
  DescribeConfigs: { apiKey: ApiKeys.DescribeConfigs, checks: configs('DESCRIBE_CONFIGS') },
  AlterConfigs: { apiKey: ApiKeys.AlterConfigs, checks: configs('ALTER_CONFIGS') },
  SaslAuthenticate: { apiKey: ApiKeys.SaslAuthenticate, checks: [], note: 'Before authentication.' },
  CreatePartitions: { apiKey: ApiKeys.CreatePartitions, checks: [eachTopic('ALTER')] },
  DeleteGroups: { apiKey: ApiKeys.DeleteGroups, checks: [theGroup('DELETE', 'fail-resource')] },
  IncrementalAlterConfigs: { apiKey: ApiKeys.IncrementalAlterConfigs, checks: configs('ALTER_CONFIGS') },
  OffsetDelete: { apiKey: ApiKeys.OffsetDelete, checks: [theGroup('DELETE'), eachTopic('READ')] },
  DescribeCluster: {
    apiKey: ApiKeys.DescribeCluster,
    checks: [theCluster('DESCRIBE', 'authorized-operations', 'omit')],
    note: 'Needs no ACL in Kafka; DESCRIBE on the cluster only decides clusterAuthorizedOperations (0 when refused).',
  },
  AddPartitionsToTxn: {
    apiKey: ApiKeys.AddPartitionsToTxn,
    checks: [theTransactionalId('WRITE', 'fail-request'), eachTopic('WRITE')],
    note: 'A refused topic fails the whole transaction\'s add: its partitions answer TOPIC_AUTHORIZATION_FAILED, the others OPERATION_NOT_ATTEMPTED.',
  },
  AddOffsetsToTxn: { apiKey: ApiKeys.AddOffsetsToTxn, checks: [theTransactionalId('WRITE', 'fail-request'), theGroup('READ')] },
  EndTxn: { apiKey: ApiKeys.EndTxn, checks: [theTransactionalId('WRITE', 'fail-request')] },
  TxnOffsetCommit: {
    apiKey: ApiKeys.TxnOffsetCommit,
    checks: [theTransactionalId('WRITE', 'fail-request'), theGroup('READ'), eachTopic('READ')],
    note: 'The transactional id and the group refuse every partition; a topic refuses its own.',
  },
  DescribeProducers: { apiKey: ApiKeys.DescribeProducers, checks: [eachTopic('READ')] },
  DescribeTransactions: {
    apiKey: ApiKeys.DescribeTransactions,
    checks: [theTransactionalId('DESCRIBE', 'fail-resource'), eachTopic('DESCRIBE', 'named')],
    note: 'Topics of the transaction the principal may not describe are left out of its answer.',
  },
  DescribeLogDirs: { apiKey: ApiKeys.DescribeLogDirs, checks: [theCluster('DESCRIBE', 'always', 'fail-request')] },
  ElectLeaders: { apiKey: ApiKeys.ElectLeaders, checks: [theCluster('ALTER', 'always', 'fail-request')] },
  AlterPartitionReassignments: { apiKey: ApiKeys.AlterPartitionReassignments, checks: [theCluster('ALTER', 'always', 'fail-request')] },
  ListPartitionReassignments: { apiKey: ApiKeys.ListPartitionReassignments, checks: [theCluster('DESCRIBE', 'always', 'fail-request')] },
  ConsumerGroupHeartbeat: {
    apiKey: ApiKeys.ConsumerGroupHeartbeat,
    checks: [theGroup('READ')],
    note: 'KIP-848 also checks DESCRIBE on the subscribed topics for regex subscriptions; here a member sees only assignments of topics it named or matched.',
  },
  ConsumerGroupDescribe: { apiKey: ApiKeys.ConsumerGroupDescribe, checks: [theGroup('DESCRIBE', 'fail-resource')] },
  ShareGroupHeartbeat: {
    apiKey: ApiKeys.ShareGroupHeartbeat,
    checks: [theGroup('READ')],
    note: 'Kafka 4.1+ also checks DESCRIBE on the subscribed topics; here the fetch of a topic checks READ on it.',
  },
  ShareGroupDescribe: { apiKey: ApiKeys.ShareGroupDescribe, checks: [theGroup('DESCRIBE', 'fail-resource')] },
  ShareFetch: {
    apiKey: ApiKeys.ShareFetch,
    checks: [theGroup('READ'), eachTopic('READ')],
    note: 'Without READ on the group the whole request fails; a refused topic fails its own partitions.',
  },
  ShareAcknowledge: { apiKey: ApiKeys.ShareAcknowledge, checks: [theGroup('READ'), eachTopic('READ')] },
  DescribeShareGroupOffsets: { apiKey: ApiKeys.DescribeShareGroupOffsets, checks: [theGroup('DESCRIBE', 'fail-resource'), eachTopic('DESCRIBE')] },
  AlterShareGroupOffsets: { apiKey: ApiKeys.AlterShareGroupOffsets, checks: [theGroup('READ'), eachTopic('READ')] },
  DeleteShareGroupOffsets: { apiKey: ApiKeys.DeleteShareGroupOffsets, checks: [theGroup('DELETE'), eachTopic('READ')] },
  ListTransactions: {
    apiKey: ApiKeys.ListTransactions,
    checks: [{ target: 'transactional-id', when: 'all', anyOf: [onTarget('DESCRIBE', 'TRANSACTIONAL_ID')], denied: 'omit', errorCode: TXN }],
    note: 'Only the transactional ids the principal may describe are listed.',
  },
};

/** The check of an API on a target under a condition, if the API has one. */
export function aclCheck(api: ApiName, target: CheckTarget, when: CheckCondition): AclCheck | undefined {
  return KAFKA_API_ACLS[api].checks.find((c) => c.target === target && c.when === when);
}

/** The rule of an API by key, or undefined for an API the table does not know. */
export function aclRuleFor(apiKey: number): ApiAclRule | undefined {
  return Object.values(KAFKA_API_ACLS).find((rule) => rule.apiKey === apiKey);
}

/**
 * Runs one check: the first grant that holds decides (allowed); if none does, the answer is a
 * refusal whose reason lists each grant's refusal. `resourceName` is the topic, group or
 * transactional id the check is about (ignored for a `cluster` target).
 */
export function evaluateCheck(
  index: AclIndex,
  identity: { principal: string; host: string },
  check: AclCheck,
  resourceName: string | undefined,
  options: AuthorizeOptions,
): AuthorizationResult {
  const refusals: string[] = [];
  let deciding: AuthorizationResult['acl'];
  for (const grant of check.anyOf) {
    const base = { principal: identity.principal, host: identity.host, operation: grant.operation, resourceType: grant.resourceType };
    let result: AuthorizationResult;
    if (grant.on === 'any') {
      result = index.authorizeByResourceType(base, options);
    } else {
      const name = grant.on === 'cluster' ? CLUSTER_RESOURCE_NAME : resourceName;
      if (name === undefined) throw new TypeError(`the ${check.target} check needs the resource name`);
      result = index.authorize({ ...base, resourceName: name }, options);
    }
    if (result.allowed) return result;
    deciding ??= result.acl;
    refusals.push(`${grant.operation} on ${grant.resourceType}${grant.on === 'any' ? ' (any)' : ''}: ${result.reason}`);
  }
  const reason = refusals.join('; ');
  return deciding === undefined ? { allowed: false, reason } : { allowed: false, reason, acl: deciding };
}
