import type { BodyInput } from '../../kafka-protocol/codec.ts';
import type { DeleteTopicsRequest, DeleteTopicsResponse } from '../../kafka-protocol/index.ts';
import type { RequestContext } from '../connection.ts';
import type { AgentContext } from '../context.ts';
import { topicIdFromUuid, topicUuid, NO_TOPIC_UUID } from '../../agent-rpc/contract.ts';
import { KafkaError, kafkaFailure } from '../kafka-errors.ts';
import type { AclDecider } from '../acl.ts';
import { checkOf, serveAllowed, type Authorization, type Split } from '../authorize.ts';


/** DeleteTopics through the same service, and so the same rules (deletion protection), as the Management API. */
export async function handleDeleteTopics(agent: AgentContext, request: DeleteTopicsRequest, context: RequestContext): Promise<BodyInput<DeleteTopicsResponse>> {
  // v6+ name topics in `topics` (by name or id); earlier versions in `topicNames`.
  const wanted = context.apiVersion >= 6 ? request.topics : request.topicNames.map((name) => ({ name, topicId: NO_TOPIC_UUID }));
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

const DELETE = checkOf('DeleteTopics', 'topic', 'always');
const REVEAL = checkOf('DeleteTopics', 'topic', 'reveal');
/** Kafka's message of TOPIC_AUTHORIZATION_FAILED (Errors.*.message()), what its per-topic refusals carry. */
const TOPIC_DENIED_MESSAGE = 'Topic authorization failed.';

/**
 * DeleteTopics under ACLs as Kafka 4 (KRaft, ControllerApis.deleteTopics), topic by topic. By
 * name: a topic the principal may not describe is refused whether or not it exists (existence
 * does not leak); one it may describe but that does not exist goes on to the handler's
 * UNKNOWN_TOPIC_OR_PARTITION; one it may describe but not delete is refused. By id (v6): an
 * unknown id goes on to UNKNOWN_TOPIC_ID; a topic it may not delete is refused, with its name
 * only when it may describe the topic. DELETE on the cluster passes both checks (the `reveal`
 * and `always` checks' first grant). Kafka shuffles its answers; here the served topics come
 * first, then the refusals in request order.
 */
export async function authorizeDeleteTopics(acls: AclDecider, request: DeleteTopicsRequest, context: RequestContext, agent: AgentContext): Promise<Authorization<DeleteTopicsRequest>> {
  const byId = context.apiVersion >= 6;
  const wanted = byId ? request.topics : request.topicNames.map((name) => ({ name, topicId: NO_TOPIC_UUID }));
  const existing = await agent.controlPlane.listTopics(agent.cluster.id);
  const split: Split<(typeof wanted)[number]> = { allowed: [], refusals: [] };
  for (const t of wanted) {
    const refuse = (name: string | null) => split.refusals.push({ name, topicId: t.topicId, errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED, errorMessage: TOPIC_DENIED_MESSAGE });
    if (t.name !== null) {
      if (!acls.allows(REVEAL, t.name)) refuse(t.name);
      else if (existing.some((c) => c.name === t.name) && !acls.allows(DELETE, t.name)) refuse(t.name);
      else split.allowed.push(t);
      continue;
    }
    const topic = existing.find((c) => c.id === topicIdFromUuid(t.topicId));
    if (topic && !acls.allows(DELETE, topic.name)) refuse(acls.allows(REVEAL, topic.name) ? topic.name : null);
    else split.allowed.push(t);
  }
  const rest = (allowed: typeof wanted): DeleteTopicsRequest => (byId ? { ...request, topics: allowed } : { ...request, topicNames: allowed.map((t) => t.name!) });
  return serveAllowed(request, split, rest, 'responses', { throttleTimeMs: 0, responses: [] });
}
