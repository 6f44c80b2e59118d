import type { BodyInput } from '../../kafka-protocol/codec.ts';
import type { MetadataRequest, MetadataResponse } from '../../kafka-protocol/index.ts';
import { ApiError } from '../../errors.ts';
import type { Topic } from '../../model/records.ts';
import type { RequestContext } from '../connection.ts';
import type { AgentContext } from '../context.ts';
import { topicIdFromUuid, topicUuid } from '../../agent-rpc/contract.ts';
import { KafkaError } from '../kafka-errors.ts';
import { autoCreateTopic } from './topics.ts';
import { OPERATIONS_NOT_REQUESTED, allOperationsField } from '../../acls/index.ts';

const NO_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * Metadata: this agent is the one broker and leads every partition (agents are stateless and
 * interchangeable: WarpStream's model, no partition leaders). Unknown topics are created when
 * the client allows it and the cluster does (`auto.create.topics.enable`).
 *
 * The *AuthorizedOperations fields, when asked for, are what Kafka answers without an
 * authorizer (every supported operation); serveWithAcls narrows them to the principal's when
 * the cluster enforces ACLs. A topic named by an unknown id keeps the default, as in Kafka.
 */
export async function handleMetadata(agent: AgentContext, request: MetadataRequest, context: RequestContext): Promise<BodyInput<MetadataResponse>> {
  const version = context.apiVersion;
  // v0: an empty list means every topic; v1+: null means every topic and empty means none.
  const all = request.topics === null || (version === 0 && request.topics.length === 0);
  const topicOperations = version >= 8 && request.includeTopicAuthorizedOperations ? allOperationsField('TOPIC') : OPERATIONS_NOT_REQUESTED;
  const clusterOperations = version >= 8 && version <= 10 && request.includeClusterAuthorizedOperations;
  const existing = await agent.controlPlane.listTopics(agent.cluster.id);
  let answers: Array<BodyInput<MetadataResponse['topics'][number]>>;
  if (all) {
    answers = existing.map((topic) => topicAnswer(topic));
  } else {
    answers = [];
    for (const wanted of request.topics!) {
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
    brokers: [{ nodeId: agent.node.nodeId, host: agent.node.host, port: agent.node.port, rack: null }],
    clusterId: agent.cluster.id,
    controllerId: agent.node.nodeId,
    topics: answers,
    clusterAuthorizedOperations: clusterOperations ? allOperationsField('CLUSTER') : OPERATIONS_NOT_REQUESTED,
  };

  function topicAnswer(topic: Topic): BodyInput<MetadataResponse['topics'][number]> {
    return {
      errorCode: KafkaError.NONE,
      name: topic.name,
      topicId: topicUuid(topic),
      isInternal: false,
      partitions: Array.from({ length: topic.partition_count }, (_, partitionIndex) => ({
        errorCode: KafkaError.NONE,
        partitionIndex,
        leaderId: agent.node.nodeId,
        leaderEpoch: 0,
        replicaNodes: [agent.node.nodeId],
        isrNodes: [agent.node.nodeId],
        offlineReplicas: [],
      })),
      topicAuthorizedOperations: topicOperations,
    };
  }

  function missing(name: string | null, topicId: string, errorCode: number): BodyInput<MetadataResponse['topics'][number]> {
    return {
      errorCode, name, topicId: topicId || NO_UUID, isInternal: false, partitions: [],
      topicAuthorizedOperations: name === null ? OPERATIONS_NOT_REQUESTED : topicOperations,
    };
  }
}
