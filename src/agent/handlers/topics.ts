import type { BodyInput } from '../../kafka-protocol/codec.ts';
import type { CreateTopicsRequest, CreateTopicsResponse } from '../../kafka-protocol/index.ts';
import { ApiError } from '../../errors.ts';
import { clusterConfiguration } from '../../model/cluster-configuration.ts';
import type { Topic } from '../../model/records.ts';
import type { RequestContext } from '../connection.ts';
import type { AgentContext } from '../context.ts';
import { topicUuid } from '../../agent-rpc/contract.ts';
import { KafkaError, kafkaFailure } from '../kafka-errors.ts';
import type { AclDecider } from '../acl.ts';
import { checkOf, serveAllowed, splitByAcls, type Authorization } from '../authorize.ts';

/**
 * Topic creation over the Kafka protocol (CreateTopics, and topics a client names that do not
 * exist yet). Every change goes through the same service functions, and so the same rules, as
 * the Management API; deletion is in delete-topics.ts, partitions in partitions.ts.
 */

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
      topics.push({ ...base, ...kafkaFailure(error) });
    }
  }
  return { throttleTimeMs: 0, topics };
}

const CREATE = checkOf('CreateTopics', 'topic', 'always');

/** CreateTopics under ACLs: CREATE on the cluster or on each topic. */
export function authorizeCreateTopics(acls: AclDecider, request: CreateTopicsRequest): Authorization<CreateTopicsRequest> {
  const split = splitByAcls(request.topics, (t) => acls.allows(CREATE, t.name) ? undefined : {
    name: t.name, errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'Authorization failed.', numPartitions: -1, replicationFactor: -1, configs: null,
  });
  return serveAllowed(request, split, (topics) => ({ ...request, topics }), 'topics', { throttleTimeMs: 0, topics: [] });
}
