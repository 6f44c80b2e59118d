import type { BodyInput } from '../../kafka-protocol/codec.ts';
import type {
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  CreateTopicsRequest,
  CreateTopicsResponse,
  DeleteRecordsRequest,
  DeleteRecordsResponse,
  DeleteTopicsRequest,
  DeleteTopicsResponse,
} from '../../kafka-protocol/index.ts';
import { ApiError } from '../../errors.ts';
import { clusterConfiguration } from '../../model/cluster-configuration.ts';
import type { Topic } from '../../model/records.ts';
import type { RequestContext } from '../connection.ts';
import type { AgentContext } from '../context.ts';
import { topicIdFromUuid, topicUuid } from '../../agent-rpc/contract.ts';
import { KafkaError, kafkaErrorFor } from '../kafka-errors.ts';

/**
 * Topic administration over the Kafka protocol. Every change goes through the same service
 * functions, and so the same rules, as the Management API.
 */

function failure(error: unknown): { errorCode: number; errorMessage: string } {
  if (error instanceof ApiError) return { errorCode: kafkaErrorFor(error.code), errorMessage: error.message };
  throw error;
}

/** Creates a topic a client asked for by name, if the cluster auto-creates topics. */
export async function autoCreateTopic(agent: AgentContext, name: string): Promise<Topic | undefined> {
  const cluster = (await agent.controlPlane.getCluster(agent.cluster.id)) ?? agent.cluster;
  const configuration = clusterConfiguration(cluster);
  if (!configuration.is_auto_create_topic_enabled) return undefined;
  try {
    return await agent.controlPlane.createTopic(cluster.id, { topic_name: name, partition_count: configuration.default_num_partitions });
  } catch (error) {
    // Another client created it at the same moment: that topic is the answer.
    if (error instanceof ApiError && error.code === 'TOPIC_ALREADY_EXISTS') return agent.controlPlane.getTopic(agent.cluster.id, name);
    throw error;
  }
}

export async function handleCreateTopics(agent: AgentContext, request: CreateTopicsRequest, context: RequestContext): Promise<BodyInput<CreateTopicsResponse>> {
  // The cluster's configuration as it is now, not as it was when the agent started.
  const configuration = clusterConfiguration((await agent.controlPlane.getCluster(agent.cluster.id)) ?? agent.cluster);
  const topics = [];
  for (const wanted of request.topics) {
    const partitions = wanted.numPartitions === -1 ? configuration.default_num_partitions : wanted.numPartitions;
    const base = { name: wanted.name, topicId: '00000000-0000-0000-0000-000000000000', numPartitions: -1, replicationFactor: -1, configs: [] };
    if (wanted.assignments.length > 0) {
      topics.push({ ...base, errorCode: KafkaError.INVALID_REQUEST, errorMessage: 'manual replica assignment is not supported: agents hold no partitions' });
      continue;
    }
    if (wanted.replicationFactor !== -1 && wanted.replicationFactor < 1) {
      topics.push({ ...base, errorCode: KafkaError.INVALID_REPLICATION_FACTOR, errorMessage: 'replication factor must be at least 1 (object storage does the replicating)' });
      continue;
    }
    const configs: Record<string, string> = {};
    for (const config of wanted.configs) if (config.value !== null) configs[config.name] = config.value;
    try {
      const creation = { topic_name: wanted.name, partition_count: partitions, configs };
      if (request.validateOnly) {
        await agent.controlPlane.createTopic(agent.cluster.id, { ...creation, validate_only: true });
        topics.push({ ...base, errorCode: KafkaError.NONE, errorMessage: null, numPartitions: partitions, replicationFactor: 1 });
        continue;
      }
      const topic = await agent.controlPlane.createTopic(agent.cluster.id, creation);
      topics.push({
        ...base,
        topicId: topicUuid(topic),
        errorCode: KafkaError.NONE,
        errorMessage: null,
        numPartitions: topic.partition_count,
        replicationFactor: 1,
        configs: context.apiVersion >= 5 ? Object.entries(topic.configs).map(([name, value]) => ({ name, value, readOnly: false, configSource: 1, isSensitive: false })) : [],
      });
    } catch (error) {
      topics.push({ ...base, ...failure(error) });
    }
  }
  return { throttleTimeMs: 0, topics };
}

export async function handleDeleteTopics(agent: AgentContext, request: DeleteTopicsRequest, context: RequestContext): Promise<BodyInput<DeleteTopicsResponse>> {
  // v6+ name topics in `topics` (by name or id); earlier versions in `topicNames`.
  const wanted = context.apiVersion >= 6 ? request.topics : request.topicNames.map((name) => ({ name, topicId: '00000000-0000-0000-0000-000000000000' }));
  const existing = await agent.controlPlane.listTopics(agent.cluster.id);
  const responses = [];
  for (const { name, topicId } of wanted) {
    const topic = name !== null ? existing.find((t) => t.name === name) : existing.find((t) => t.id === topicIdFromUuid(topicId));
    if (!topic) {
      responses.push({ name, topicId, errorCode: name !== null ? KafkaError.UNKNOWN_TOPIC_OR_PARTITION : KafkaError.UNKNOWN_TOPIC_ID, errorMessage: 'unknown topic' });
      continue;
    }
    try {
      await agent.controlPlane.deleteTopic(agent.cluster.id, topic.name);
      responses.push({ name: topic.name, topicId: topicUuid(topic), errorCode: KafkaError.NONE, errorMessage: null });
    } catch (error) {
      responses.push({ name: topic.name, topicId: topicUuid(topic), ...failure(error) });
    }
  }
  return { throttleTimeMs: 0, responses };
}

export async function handleCreatePartitions(agent: AgentContext, request: CreatePartitionsRequest): Promise<BodyInput<CreatePartitionsResponse>> {
  const results = [];
  for (const wanted of request.topics) {
    if (wanted.assignments !== null && wanted.assignments.length > 0) {
      results.push({ name: wanted.name, errorCode: KafkaError.INVALID_REQUEST, errorMessage: 'manual replica assignment is not supported' });
      continue;
    }
    try {
      await agent.controlPlane.growPartitions(agent.cluster.id, wanted.name, wanted.count, request.validateOnly);
      results.push({ name: wanted.name, errorCode: KafkaError.NONE, errorMessage: null });
    } catch (error) {
      results.push({ name: wanted.name, ...failure(error) });
    }
  }
  return { throttleTimeMs: 0, results };
}

export async function handleDeleteRecords(agent: AgentContext, request: DeleteRecordsRequest): Promise<BodyInput<DeleteRecordsResponse>> {
  const topics = [];
  for (const wanted of request.topics) {
    const partitions = [];
    for (const p of wanted.partitions) {
      try {
        const lowWatermark = await agent.controlPlane.deleteRecordsBefore(agent.cluster.id, wanted.name, p.partitionIndex, Number(p.offset));
        partitions.push({ partitionIndex: p.partitionIndex, lowWatermark: BigInt(lowWatermark), errorCode: KafkaError.NONE });
      } catch (error) {
        const code = error instanceof ApiError && error.code === 'OFFSET_OUT_OF_RANGE' ? KafkaError.OFFSET_OUT_OF_RANGE : failure(error).errorCode;
        partitions.push({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: code });
      }
    }
    topics.push({ name: wanted.name, partitions });
  }
  return { throttleTimeMs: 0, topics };
}
