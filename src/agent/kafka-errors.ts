import { ApiError } from '../errors.ts';
import { KafkaError } from '../kafka-protocol/error-codes.ts';

export { KafkaError };

/** Maps a control-plane refusal (ApiError code) onto the Kafka error a client understands. */
export function kafkaErrorFor(code: string): number {
  switch (code) {
    case 'TOPIC_ALREADY_EXISTS':
      return KafkaError.TOPIC_ALREADY_EXISTS;
    case 'TOPIC_NAME_COLLISION':
    case 'INVALID_TOPIC_NAME':
      return KafkaError.INVALID_TOPIC_EXCEPTION;
    case 'INVALID_PARTITIONS':
    case 'PARTITION_LIMIT_EXCEEDED':
      return KafkaError.INVALID_PARTITIONS;
    case 'INVALID_CONFIG':
      return KafkaError.INVALID_CONFIG;
    case 'TOPIC_NOT_FOUND':
      return KafkaError.UNKNOWN_TOPIC_OR_PARTITION;
    case 'TOPIC_DELETION_PROTECTED':
    case 'QUOTA_EXCEEDED': // the tenant's plan: retrying will not help, so not THROTTLING_QUOTA_EXCEEDED
      return KafkaError.POLICY_VIOLATION;
    case 'INVALID_CLUSTER_TYPE':
      return KafkaError.INVALID_REQUEST;
    default:
      return KafkaError.UNKNOWN_SERVER_ERROR;
  }
}

/** A control-plane refusal as the error fields of a Kafka answer's entry; anything else is rethrown. */
export function kafkaFailure(error: unknown): { errorCode: number; errorMessage: string } {
  if (error instanceof ApiError) return { errorCode: kafkaErrorFor(error.code), errorMessage: error.message };
  throw error;
}
