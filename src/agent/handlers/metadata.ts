import type { BodyInput } from '../../kafka-protocol/codec.ts';
import type { MetadataRequest, MetadataRequestTopic, MetadataResponse } from '../../kafka-protocol/index.ts';
import { ApiError } from '../../errors.ts';
import type { Topic } from '../../model/records.ts';
import type { RequestContext } from '../connection.ts';
import type { AgentContext } from '../context.ts';
import { topicIdFromUuid, topicUuid, NO_TOPIC_UUID } from '../../agent-rpc/contract.ts';
import { leaderFor } from '../brokers.ts';
import { KafkaError } from '../kafka-errors.ts';
import { autoCreateTopic } from './topics.ts';
import { INTERNAL_TOPICS, internalTopic, type InternalTopic } from '../../model/internal-topics.ts';
import { OPERATIONS_NOT_REQUESTED, allOperationsField } from '../../acls/index.ts';
import type { AclDecider } from '../acl.ts';
import { checkOf, type Authorization } from '../authorize.ts';


/**
 * Metadata: the cluster's live agents are the brokers, and each partition's "leader" is a stable
 * pick among them (agents are stateless and interchangeable, WarpStream's model: leadership only
 * spreads clients' connections; see brokers.ts). Unknown topics are created when the client
 * allows it and the cluster does (`auto.create.topics.enable`). Kafka's internal topics are
 * listed too, flagged internal (model/internal-topics.ts).
 *
 * The *AuthorizedOperations fields, when asked for, are what Kafka answers without an
 * authorizer (every supported operation); authorizeMetadata narrows them to the principal's when
 * the cluster enforces ACLs. A topic named by an unknown id keeps the default, as in Kafka.
 */
export async function handleMetadata(agent: AgentContext, request: MetadataRequest, context: RequestContext): Promise<BodyInput<MetadataResponse>> {
  const version = context.apiVersion;
  // v0: an empty list means every topic; v1+: null means every topic and empty means none.
  const all = request.topics === null || (version === 0 && request.topics.length === 0);
  const topicOperations = version >= 8 && request.includeTopicAuthorizedOperations ? allOperationsField('TOPIC') : OPERATIONS_NOT_REQUESTED;
  const clusterOperations = version >= 8 && version <= 10 && request.includeClusterAuthorizedOperations;
  const existing = await agent.controlPlane.listTopics(agent.cluster.id);
  const brokers = agent.brokers(context.clientId);
  let answers: Array<BodyInput<MetadataResponse['topics'][number]>>;
  if (all) {
    // A real topic of an internal topic's name (made through the Management API) wins.
    const internal = INTERNAL_TOPICS.filter((i) => !existing.some((t) => t.name === i.name));
    answers = [...existing.map((topic) => topicAnswer(topic)), ...internal.map((topic) => internalAnswer(topic))];
  } else {
    answers = [];
    for (const wanted of request.topics!) {
      const internal = internalTopic(wanted);
      if (internal && !existing.some((t) => t.name === internal.name)) {
        answers.push(internalAnswer(internal));
        continue;
      }
      let topic = wanted.name !== null ? existing.find((t) => t.name === wanted.name) : existing.find((t) => t.id === topicIdFromUuid(wanted.topicId));
      if (!topic && wanted.name !== null && (version < 4 || request.allowAutoTopicCreation)) {
        try {
          topic = await autoCreateTopic(agent, wanted.name);
        } catch (error) {
          const invalid = error instanceof ApiError && error.code === 'INVALID_TOPIC_NAME';
          answers.push(missing(wanted.name, wanted.topicId, invalid ? KafkaError.INVALID_TOPIC_EXCEPTION : KafkaError.UNKNOWN_TOPIC_OR_PARTITION));
          continue;
        }
      }
      answers.push(topic ? topicAnswer(topic) : missing(wanted.name, wanted.topicId, KafkaError.UNKNOWN_TOPIC_OR_PARTITION));
    }
  }
  return {
    throttleTimeMs: 0,
    brokers,
    clusterId: agent.cluster.id,
    // A leaderless cluster has no controller: the lowest node id stands in for it.
    controllerId: brokers[0]!.nodeId,
    topics: answers,
    clusterAuthorizedOperations: clusterOperations ? allOperationsField('CLUSTER') : OPERATIONS_NOT_REQUESTED,
  };

  function topicAnswer(topic: Topic): BodyInput<MetadataResponse['topics'][number]> {
    return partitionsAnswer(topic.name, topicUuid(topic), topic.id, topic.partition_count, false);
  }

  function internalAnswer(topic: InternalTopic): BodyInput<MetadataResponse['topics'][number]> {
    return partitionsAnswer(topic.name, topic.topicId, topic.name, topic.partitionCount, true);
  }

  function partitionsAnswer(name: string, topicId: string, leaderKey: string, partitionCount: number, isInternal: boolean): BodyInput<MetadataResponse['topics'][number]> {
    return {
      errorCode: KafkaError.NONE,
      name,
      topicId,
      isInternal,
      partitions: Array.from({ length: partitionCount }, (_, partitionIndex) => {
        const leader = brokers.length === 1 ? brokers[0]!.nodeId : leaderFor(brokers, `${leaderKey}/${partitionIndex}`).nodeId;
        return { errorCode: KafkaError.NONE, partitionIndex, leaderId: leader, leaderEpoch: 0, replicaNodes: [leader], isrNodes: [leader], offlineReplicas: [] };
      }),
      topicAuthorizedOperations: topicOperations,
    };
  }

  function missing(name: string | null, topicId: string, errorCode: number): BodyInput<MetadataResponse['topics'][number]> {
    return {
      errorCode, name, topicId: topicId || NO_TOPIC_UUID, isInternal: false, partitions: [],
      topicAuthorizedOperations: name === null ? OPERATIONS_NOT_REQUESTED : topicOperations,
    };
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

const DESCRIBE_NAMED = checkOf('Metadata', 'topic', 'named');
const DESCRIBE_ALL = checkOf('Metadata', 'topic', 'all');
const AUTO_CREATE = checkOf('Metadata', 'topic', 'auto-create');
const DESCRIBE_CLUSTER = checkOf('Metadata', 'cluster', 'authorized-operations');

/**
 * Metadata under ACLs: listing every topic hides those the principal may not describe; a named
 * topic it may not describe (or may not create, when it would be auto-created) is refused
 * whether or not it exists. The *AuthorizedOperations fields, when asked for, are the
 * principal's for the topics served and for the cluster (0 without DESCRIBE on it); refused
 * topics keep the default.
 */
export async function authorizeMetadata(acls: AclDecider, request: MetadataRequest, context: RequestContext, agent: AgentContext): Promise<Authorization<MetadataRequest>> {
  const version = context.apiVersion;
  const topicOperations = version >= 8 && request.includeTopicAuthorizedOperations;
  const clusterOperations = version >= 8 && version <= 10 && request.includeClusterAuthorizedOperations;
  const withOperations = (answer: Any, served: Any[], refused: Any[] = []): Any => ({
    ...answer,
    topics: [
      ...(topicOperations ? served.map((t) => (t.name === null ? t : { ...t, topicAuthorizedOperations: acls.authorizedOperations('TOPIC', t.name) })) : served),
      ...refused,
    ],
    ...(clusterOperations ? { clusterAuthorizedOperations: acls.clusterOperations(DESCRIBE_CLUSTER) } : {}),
  });
  const all = request.topics === null || (version === 0 && request.topics.length === 0);
  if (all) return { request, narrow: (answer) => withOperations(answer, answer.topics.filter((t: Any) => acls.allows(DESCRIBE_ALL, t.name))) };
  const existing = await agent.controlPlane.listTopics(agent.cluster.id);
  const autoCreate = version < 4 || request.allowAutoTopicCreation;
  const refused = new Map<MetadataRequestTopic, object>();
  for (const wanted of request.topics!) {
    const topic = wanted.name !== null ? existing.find((t) => t.name === wanted.name) : existing.find((t) => t.id === topicIdFromUuid(wanted.topicId));
    const name = wanted.name ?? topic?.name;
    if (name === undefined) continue;
    if (!acls.allows(DESCRIBE_NAMED, name) || (!topic && autoCreate && !acls.allows(AUTO_CREATE, name))) {
      refused.set(wanted, {
        errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED, name: wanted.name, topicId: wanted.topicId || NO_TOPIC_UUID,
        isInternal: false, partitions: [], topicAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
      });
    }
  }
  if (refused.size === 0) return { request, narrow: (answer) => withOperations(answer, answer.topics) };
  const rest = request.topics!.filter((t) => !refused.has(t));
  // Nothing left to ask about: an empty list means "every topic" in v0, so answer none here.
  return { request: { ...request, topics: rest }, narrow: (answer) => withOperations(answer, rest.length === 0 ? [] : answer.topics, [...refused.values()]) };
}
