/**
 * The share groups' offsets APIs (KIP-932): DescribeShareGroupOffsets answers each
 * share-partition's start offset (and, v1, its lag: records after it not yet done with);
 * AlterShareGroupOffsets sets it and DeleteShareGroupOffsets forgets a topic's state, both only
 * while the group has no members, as Kafka.
 */
import type {
  AlterShareGroupOffsetsRequest, AlterShareGroupOffsetsResponse, DeleteShareGroupOffsetsRequest, DeleteShareGroupOffsetsResponse,
  DescribeShareGroupOffsetsRequest, DescribeShareGroupOffsetsResponse,
} from '../../kafka-protocol/messages.generated.ts';
import { KafkaError } from '../../kafka-protocol/error-codes.ts';
import type { MetadataStore } from '../../metadata/store.ts';
import { NO_TOPIC_UUID, topicUuid } from '../../agent-rpc/contract.ts';
import type { SharePartitions } from './partitions.ts';

export class ShareGroupOffsets {
  private readonly store: MetadataStore;
  private readonly partitions: SharePartitions;
  private readonly hasMembers: (virtualClusterId: string, groupId: string) => boolean;

  constructor(store: MetadataStore, partitions: SharePartitions, hasMembers: (virtualClusterId: string, groupId: string) => boolean) {
    this.store = store;
    this.partitions = partitions;
    this.hasMembers = hasMembers;
  }

  async describe(virtualClusterId: string, request: DescribeShareGroupOffsetsRequest, apiVersion: number): Promise<DescribeShareGroupOffsetsResponse> {
    const topics = await this.store.listTopics(virtualClusterId, 'live');
    const groups = [];
    for (const g of request.groups) {
      const stored = await this.store.shares.listSharePartitions(virtualClusterId, g.groupId);
      // Null topics: every partition the group has state for.
      const wanted = g.topics ?? [...new Set(stored.map((r) => r.topic_id))].flatMap((id) => {
        const topic = topics.find((t) => t.id === id);
        return topic ? [{ topicName: topic.name, partitions: stored.filter((r) => r.topic_id === id).map((r) => r.partition) }] : [];
      });
      const answered = [];
      for (const t of wanted) {
        const topic = topics.find((candidate) => candidate.name === t.topicName);
        const partitions = [];
        for (const p of t.partitions) {
          const base = { partitionIndex: p, leaderEpoch: 0, errorMessage: null };
          if (!topic || p < 0 || p >= topic.partition_count) {
            partitions.push({ ...base, startOffset: -1n, lag: -1n, errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'unknown topic or partition' });
            continue;
          }
          const share = await this.partitions.peek({ virtualClusterId, groupId: g.groupId, topicId: topic.id, partition: p });
          if (!share) {
            partitions.push({ ...base, startOffset: -1n, lag: -1n, errorCode: KafkaError.NONE });
            continue;
          }
          const hwm = (await this.store.getPartitionState(topic.id, p))?.high_watermark ?? 0;
          const lag = apiVersion >= 1 ? BigInt(Math.max(0, hwm - share.startOffset - share.finishedInWindow)) : -1n;
          partitions.push({ ...base, startOffset: BigInt(share.startOffset), lag, errorCode: KafkaError.NONE });
        }
        answered.push({ topicName: t.topicName, topicId: topic ? topicUuid(topic) : NO_TOPIC_UUID, partitions });
      }
      groups.push({ groupId: g.groupId, topics: answered, errorCode: KafkaError.NONE, errorMessage: null });
    }
    return { throttleTimeMs: 0, groups };
  }

  async alter(virtualClusterId: string, request: AlterShareGroupOffsetsRequest): Promise<AlterShareGroupOffsetsResponse> {
    const refused = this.refuseUnlessEmpty(virtualClusterId, request.groupId);
    if (refused) return { throttleTimeMs: 0, ...refused, responses: [] };
    const topics = await this.store.listTopics(virtualClusterId, 'live');
    const responses = [];
    for (const t of request.topics) {
      const topic = topics.find((candidate) => candidate.name === t.topicName);
      const partitions = [];
      for (const p of t.partitions) {
        if (!topic || p.partitionIndex < 0 || p.partitionIndex >= topic.partition_count) {
          partitions.push({ partitionIndex: p.partitionIndex, errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'unknown topic or partition' });
          continue;
        }
        const state = await this.store.getPartitionState(topic.id, p.partitionIndex);
        const [logStart, hwm] = [state?.log_start_offset ?? 0, state?.high_watermark ?? 0];
        const offset = Number(p.startOffset);
        // -1 and -2 are Kafka's latest and earliest; any other offset must be in the log.
        const start = offset === -1 ? hwm : offset === -2 ? logStart : offset;
        if (start < logStart || start > hwm) {
          partitions.push({ partitionIndex: p.partitionIndex, errorCode: KafkaError.INVALID_REQUEST, errorMessage: `offset ${offset} is outside the log (${logStart} to ${hwm})` });
          continue;
        }
        await this.partitions.reset({ virtualClusterId, groupId: request.groupId, topicId: topic.id, partition: p.partitionIndex }, start);
        partitions.push({ partitionIndex: p.partitionIndex, errorCode: KafkaError.NONE, errorMessage: null });
      }
      responses.push({ topicName: t.topicName, topicId: topic ? topicUuid(topic) : NO_TOPIC_UUID, partitions });
    }
    return { throttleTimeMs: 0, errorCode: KafkaError.NONE, errorMessage: null, responses };
  }

  async delete(virtualClusterId: string, request: DeleteShareGroupOffsetsRequest): Promise<DeleteShareGroupOffsetsResponse> {
    const refused = this.refuseUnlessEmpty(virtualClusterId, request.groupId);
    if (refused) return { throttleTimeMs: 0, ...refused, responses: [] };
    const topics = await this.store.listTopics(virtualClusterId, 'live');
    const responses = [];
    for (const t of request.topics) {
      const topic = topics.find((candidate) => candidate.name === t.topicName);
      if (!topic) {
        responses.push({ topicName: t.topicName, topicId: NO_TOPIC_UUID, errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'unknown topic' });
        continue;
      }
      await this.partitions.forget(virtualClusterId, request.groupId, topic.id);
      responses.push({ topicName: t.topicName, topicId: topicUuid(topic), errorCode: KafkaError.NONE, errorMessage: null });
    }
    return { throttleTimeMs: 0, errorCode: KafkaError.NONE, errorMessage: null, responses };
  }

  /** The offsets of a share group change only while nobody reads it (Kafka: NON_EMPTY_GROUP). */
  private refuseUnlessEmpty(virtualClusterId: string, groupId: string): { errorCode: number; errorMessage: string } | undefined {
    if (this.hasMembers(virtualClusterId, groupId)) return { errorCode: KafkaError.NON_EMPTY_GROUP, errorMessage: `share group ${groupId} has members` };
    return undefined;
  }
}
