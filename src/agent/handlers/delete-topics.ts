import type { BodyInput } from '../../kafka-protocol/codec.ts';
import type { DeleteTopicsRequest, DeleteTopicsResponse } from '../../kafka-protocol/index.ts';
import type { RequestContext } from '../connection.ts';
import type { AgentContext } from '../context.ts';
import { topicIdFromUuid, topicUuid } from '../../agent-rpc/contract.ts';
import { KafkaError, kafkaFailure } from '../kafka-errors.ts';

const NO_UUID = '00000000-0000-0000-0000-000000000000';

/** DeleteTopics through the same service, and so the same rules (deletion protection), as the Management API. */
export async function handleDeleteTopics(agent: AgentContext, request: DeleteTopicsRequest, context: RequestContext): Promise<BodyInput<DeleteTopicsResponse>> {
  // v6+ name topics in `topics` (by name or id); earlier versions in `topicNames`.
  const wanted = context.apiVersion >= 6 ? request.topics : request.topicNames.map((name) => ({ name, topicId: NO_UUID }));
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
      responses.push({ name: topic.name, topicId: topicUuid(topic), ...kafkaFailure(error) });
    }
  }
  return { throttleTimeMs: 0, responses };
}
