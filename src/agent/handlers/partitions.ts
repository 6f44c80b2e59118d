import type { BodyInput } from '../../kafka-protocol/codec.ts';
import type { CreatePartitionsRequest, CreatePartitionsResponse, DeleteRecordsRequest, DeleteRecordsResponse } from '../../kafka-protocol/index.ts';
import { ApiError } from '../../errors.ts';
import type { AgentContext } from '../context.ts';
import { KafkaError, kafkaFailure } from '../kafka-errors.ts';

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
