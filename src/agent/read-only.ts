import { ApiKeys } from '../kafka-protocol/index.ts';
import type {
  AlterConfigsRequest,
  CreatePartitionsRequest,
  CreateTopicsRequest,
  DeleteGroupsRequest,
  DeleteRecordsRequest,
  DeleteTopicsRequest,
  IncrementalAlterConfigsRequest,
  OffsetDeleteResponse,
  ProduceRequest,
} from '../kafka-protocol/index.ts';
import { KafkaError } from './kafka-errors.ts';

/**
 * Read-only cluster credentials may read (Metadata, Fetch, ListOffsets, groups, offset commits)
 * but not write. For a write API this builds the refusal a Kafka broker gives an unauthorized
 * principal, item by item; `undefined` means the API is not a write and is served.
 */

const READ_ONLY_MESSAGE = 'read-only credentials may not perform write operations';

/** Kafka's ConfigResource types: TOPIC = 2, BROKER = 4, BROKER_LOGGER = 8. */
const TOPIC_RESOURCE = 2;

export function readOnlyRefusal(apiKey: number, apiVersion: number, body: unknown): object | null | undefined {
  switch (apiKey) {
    case ApiKeys.Produce: {
      const request = body as ProduceRequest;
      if (request.acks === 0) return null;
      return {
        throttleTimeMs: 0,
        responses: request.topicData.map((topic) => ({
          name: topic.name,
          partitionResponses: topic.partitionData.map((partition) => ({
            index: partition.index,
            errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED,
            baseOffset: -1n,
            logAppendTimeMs: -1n,
            logStartOffset: -1n,
            recordErrors: [],
            errorMessage: READ_ONLY_MESSAGE,
          })),
        })),
      };
    }
    case ApiKeys.CreateTopics: {
      const request = body as CreateTopicsRequest;
      return {
        throttleTimeMs: 0,
        topics: request.topics.map((topic) => ({
          name: topic.name,
          errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED,
          errorMessage: READ_ONLY_MESSAGE,
          numPartitions: -1,
          replicationFactor: -1,
          configs: null,
        })),
      };
    }
    case ApiKeys.DeleteTopics: {
      const request = body as DeleteTopicsRequest;
      const topics = apiVersion >= 6 ? request.topics : request.topicNames.map((name) => ({ name, topicId: undefined }));
      return {
        throttleTimeMs: 0,
        responses: topics.map((topic) => ({
          name: topic.name,
          ...(topic.topicId !== undefined ? { topicId: topic.topicId } : {}),
          errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED,
          errorMessage: READ_ONLY_MESSAGE,
        })),
      };
    }
    case ApiKeys.CreatePartitions: {
      const request = body as CreatePartitionsRequest;
      return {
        throttleTimeMs: 0,
        results: request.topics.map((topic) => ({ name: topic.name, errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED, errorMessage: READ_ONLY_MESSAGE })),
      };
    }
    case ApiKeys.DeleteRecords: {
      const request = body as DeleteRecordsRequest;
      return {
        throttleTimeMs: 0,
        topics: request.topics.map((topic) => ({
          name: topic.name,
          partitions: topic.partitions.map((partition) => ({
            partitionIndex: partition.partitionIndex,
            lowWatermark: -1n,
            errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED,
          })),
        })),
      };
    }
    case ApiKeys.AlterConfigs:
    case ApiKeys.IncrementalAlterConfigs: {
      const request = body as AlterConfigsRequest | IncrementalAlterConfigsRequest;
      return {
        throttleTimeMs: 0,
        responses: request.resources.map((resource) => ({
          errorCode: resource.resourceType === TOPIC_RESOURCE ? KafkaError.TOPIC_AUTHORIZATION_FAILED : KafkaError.CLUSTER_AUTHORIZATION_FAILED,
          errorMessage: READ_ONLY_MESSAGE,
          resourceType: resource.resourceType,
          resourceName: resource.resourceName,
        })),
      };
    }
    case ApiKeys.DeleteGroups: {
      const request = body as DeleteGroupsRequest;
      return {
        throttleTimeMs: 0,
        results: request.groupsNames.map((groupId) => ({ groupId, errorCode: KafkaError.GROUP_AUTHORIZATION_FAILED })),
      };
    }
    case ApiKeys.OffsetDelete: {
      // The group-level error covers the whole request; no partition is listed.
      return { errorCode: KafkaError.GROUP_AUTHORIZATION_FAILED, throttleTimeMs: 0, topics: [] } satisfies Partial<OffsetDeleteResponse>;
    }
    default:
      return undefined;
  }
}
