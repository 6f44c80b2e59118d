import type { BodyInput } from '../../kafka-protocol/codec.ts';
import type { CreatePartitionsRequest, CreatePartitionsResponse, DeleteRecordsRequest, DeleteRecordsResponse } from '../../kafka-protocol/index.ts';
import { ApiError } from '../../errors.ts';
import type { AgentContext } from '../context.ts';
import { KafkaError, kafkaFailure } from '../kafka-errors.ts';
import type { AclDecider } from '../acl.ts';
import { checkOf, serveAllowed, splitByAcls, type Authorization } from '../authorize.ts';

/** A topic's partitions over the Kafka protocol: growing them, and moving their log start. */

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
      results.push({ name: wanted.name, ...kafkaFailure(error) });
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
        const code = error instanceof ApiError && error.code === 'OFFSET_OUT_OF_RANGE' ? KafkaError.OFFSET_OUT_OF_RANGE : kafkaFailure(error).errorCode;
        partitions.push({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: code });
      }
    }
    topics.push({ name: wanted.name, partitions });
  }
  return { throttleTimeMs: 0, topics };
}

const ALTER = checkOf('CreatePartitions', 'topic', 'always');
const DELETE = checkOf('DeleteRecords', 'topic', 'always');

/** CreatePartitions under ACLs: ALTER on each topic (ControllerApis.createPartitions), refusals with Kafka's message. */
export function authorizeCreatePartitions(acls: AclDecider, request: CreatePartitionsRequest): Authorization<CreatePartitionsRequest> {
  const split = splitByAcls(request.topics, (t) => acls.allows(ALTER, t.name) ? undefined : {
    name: t.name, errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'Topic authorization failed.',
  });
  return serveAllowed(request, split, (topics) => ({ ...request, topics }), 'results', { throttleTimeMs: 0, results: [] });
}

/**
 * DeleteRecords under ACLs: DELETE on each topic (KafkaApis.handleDeleteRecordsRequest); every
 * partition of a refused topic answers TOPIC_AUTHORIZATION_FAILED with the invalid low watermark.
 */
export function authorizeDeleteRecords(acls: AclDecider, request: DeleteRecordsRequest): Authorization<DeleteRecordsRequest> {
  const split = splitByAcls(request.topics, (t) => acls.allows(DELETE, t.name) ? undefined : {
    name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED })),
  });
  return serveAllowed(request, split, (topics) => ({ ...request, topics }), 'topics', { throttleTimeMs: 0, topics: [] });
}
