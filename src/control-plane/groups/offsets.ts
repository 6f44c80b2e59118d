/**
 * Committed offsets (OffsetCommit, OffsetFetch, OffsetDelete). Unlike membership they are
 * durable: they go to the MetadataStore, so they survive a restart. The live group is consulted
 * only to decide who may commit (its generation and members) and what may be deleted (its
 * subscription).
 */
import type {
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetCommitResponsePartition,
  OffsetDeleteRequest,
  OffsetDeleteResponse,
  OffsetDeleteResponsePartition,
  OffsetFetchRequest,
  OffsetFetchResponse,
  OffsetFetchResponsePartition,
  OffsetFetchResponseTopic,
} from '../../kafka-protocol/messages.generated.ts';
import type { CommittedOffset, MetadataStore, Topic } from '../../metadata/store.ts';
import { KafkaError } from '../../kafka-protocol/error-codes.ts';
import type { GroupClient } from './group.ts';
import type { GroupRegistry } from './registry.ts';
import type { Rebalancer } from './rebalance.ts';
import type { ConsumerGroups } from './consumer/coordinator.ts';
import { findLiveTopics, hasPartition } from '../services/topics.ts';

/** Kafka's offset.metadata.max.bytes default. */
const OFFSET_METADATA_MAX_LENGTH = 4096;

export class CommittedOffsets {
  private readonly store: MetadataStore;
  private readonly groups: GroupRegistry;
  private readonly rebalancer: Rebalancer;
  private readonly consumerGroups: ConsumerGroups;
  /** Epoch milliseconds, for committed_at. */
  private readonly now: () => number;

  constructor(store: MetadataStore, groups: GroupRegistry, rebalancer: Rebalancer, consumerGroups: ConsumerGroups, now: () => number) {
    this.store = store;
    this.groups = groups;
    this.rebalancer = rebalancer;
    this.consumerGroups = consumerGroups;
    this.now = now;
  }

  /**
   * Commits through the store, all partitions of the request in one transaction. Unknown topics
   * and partitions are refused first, as Kafka's request handler does before the coordinator
   * sees the request. Store failures reject the promise (the agent answers them).
   */
  async offsetCommit(virtualClusterId: string, request: OffsetCommitRequest, apiVersion: number, _client: GroupClient): Promise<OffsetCommitResponse> {
    const generationId = apiVersion >= 1 ? request.generationIdOrMemberEpoch : -1;
    const memberId = apiVersion >= 1 ? request.memberId : '';
    const groupInstanceId = apiVersion >= 7 ? request.groupInstanceId : null;
    const topics = await findLiveTopics(this.store, virtualClusterId, request.topics.map((t) => t.name));

    const responses = request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p): OffsetCommitResponsePartition & { commit: boolean } => ({
        partitionIndex: p.partitionIndex,
        errorCode: hasPartition(topics.get(t.name), p.partitionIndex) ? KafkaError.NONE : KafkaError.UNKNOWN_TOPIC_OR_PARTITION,
        commit: false,
      })),
    }));

    const groupError = this.offsetCommitError(virtualClusterId, request.groupId, generationId, memberId, groupInstanceId);
    const writes: CommittedOffset[] = [];
    const committedAt = this.now();
    request.topics.forEach((t, ti) => {
      t.partitions.forEach((p, pi) => {
        const answer = responses[ti]!.partitions[pi]!;
        if (answer.errorCode !== KafkaError.NONE) return;
        if (groupError !== KafkaError.NONE) answer.errorCode = groupError;
        else if (p.committedMetadata !== null && p.committedMetadata.length > OFFSET_METADATA_MAX_LENGTH) {
          answer.errorCode = KafkaError.OFFSET_METADATA_TOO_LARGE;
        } else {
          writes.push({
            virtual_cluster_id: virtualClusterId,
            group_id: request.groupId,
            topic_name: t.name,
            partition: p.partitionIndex,
            committed_offset: Number(p.committedOffset),
            metadata: p.committedMetadata,
            committed_at: committedAt,
          });
        }
      });
    });
    if (writes.length > 0) {
      await this.store.transaction(async (tx) => {
        for (const offset of writes) await tx.upsertCommittedOffset(offset);
      });
    }
    return {
      throttleTimeMs: 0,
      topics: responses.map((t) => ({ name: t.name, partitions: t.partitions.map(({ partitionIndex, errorCode }) => ({ partitionIndex, errorCode })) })),
    };
  }

  /**
   * Kafka's validateOffsetCommit: members commit within their generation; others only to groups
   * without members. TxnOffsetCommit (control-plane/transactions/) checks its members the same way.
   */
  offsetCommitError(virtualClusterId: string, groupId: string, generationId: number, memberId: string, groupInstanceId: string | null): number {
    // A consumer group (KIP-848): the generation is the member's epoch.
    const consumerGroupError = this.consumerGroups.offsetCommitError(virtualClusterId, groupId, generationId, memberId);
    if (consumerGroupError !== undefined) return consumerGroupError;
    const group = this.groups.get(virtualClusterId, groupId);
    // An unknown group accepts commits from outside group management (assign() consumers,
    // admin tools) only; a generation means a member of a group we no longer have.
    if (!group) return generationId < 0 ? KafkaError.NONE : KafkaError.ILLEGAL_GENERATION;
    if (group.state === 'Dead') return KafkaError.COORDINATOR_NOT_AVAILABLE;
    if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
      const memberError = group.currentMemberError(memberId, groupInstanceId);
      if (memberError !== null) return memberError;
      if (generationId !== group.generationId) return KafkaError.ILLEGAL_GENERATION;
    } else if (group.state !== 'Empty') {
      return KafkaError.UNKNOWN_MEMBER_ID;
    }
    switch (group.state) {
      case 'CompletingRebalance':
        // The member knows the new generation but has no assignment yet: nothing it owns to commit.
        return KafkaError.REBALANCE_IN_PROGRESS;
      case 'Stable':
      case 'PreparingRebalance': {
        // A commit counts as a sign of life; during PreparingRebalance the heartbeat tells it to rejoin.
        const member = group.members.get(memberId);
        if (member) this.rebalancer.scheduleHeartbeat(group, member);
        return KafkaError.NONE;
      }
      default:
        return KafkaError.NONE;
    }
  }

  /** Offsets of one group (v0-7) or several (v8+); unknown partitions answer offset -1, as in Kafka. */
  async offsetFetch(virtualClusterId: string, request: OffsetFetchRequest, apiVersion: number, _client: GroupClient): Promise<OffsetFetchResponse> {
    if (apiVersion >= 8) {
      const groups = [];
      for (const g of request.groups) {
        groups.push({ groupId: g.groupId, topics: await this.fetchOffsets(virtualClusterId, g.groupId, g.topics, request.requireStable), errorCode: KafkaError.NONE });
      }
      return { throttleTimeMs: 0, topics: [], errorCode: KafkaError.NONE, groups };
    }
    const topics = await this.fetchOffsets(virtualClusterId, request.groupId, request.topics, apiVersion >= 7 && request.requireStable);
    return { throttleTimeMs: 0, topics, errorCode: KafkaError.NONE, groups: [] };
  }

  private async fetchOffsets(
    virtualClusterId: string,
    groupId: string,
    wanted: Array<{ name: string; partitionIndexes: number[] }> | null,
    requireStable: boolean,
  ): Promise<OffsetFetchResponseTopic[]> {
    const stored = await this.store.listGroupOffsets(virtualClusterId, groupId);
    // KIP-447: a consumer asking for stable offsets waits (retries) while an open transaction
    // holds an offset for the partition, so it does not start from one about to change.
    const unstable = new Set(
      requireStable ? (await this.store.transactions.listGroupPendingOffsets(virtualClusterId, groupId)).map((o) => `${o.topic_name}\u0000${o.partition}`) : [],
    );
    const answer = (topicName: string, partitionIndex: number, offset: CommittedOffset | undefined): OffsetFetchResponsePartition =>
      unstable.has(`${topicName}\u0000${partitionIndex}`)
        ? { partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: KafkaError.UNSTABLE_OFFSET_COMMIT }
        : {
            partitionIndex,
            committedOffset: offset ? BigInt(offset.committed_offset) : -1n,
            // The store keeps no leader epoch yet: -1 means "unknown", which clients accept.
            committedLeaderEpoch: -1,
            // Kafka stores a missing metadata string as ''.
            metadata: offset?.metadata ?? '',
            errorCode: KafkaError.NONE,
          };
    if (wanted === null) {
      // All topics: everything the group committed, grouped by topic (the store orders by topic, partition).
      const byTopic = new Map<string, OffsetFetchResponsePartition[]>();
      for (const offset of stored) {
        const partitions = byTopic.get(offset.topic_name) ?? [];
        byTopic.set(offset.topic_name, partitions);
        partitions.push(answer(offset.topic_name, offset.partition, offset));
      }
      return [...byTopic].map(([name, partitions]) => ({ name, partitions }));
    }
    const index = new Map(stored.map((o) => [`${o.topic_name}\u0000${o.partition}`, o]));
    return wanted.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((p) => answer(t.name, p, index.get(`${t.name}\u0000${p}`))),
    }));
  }

  /** Deletes committed offsets of a group, except those of topics a live consumer group still subscribes to. */
  async offsetDelete(virtualClusterId: string, request: OffsetDeleteRequest, _apiVersion: number, _client: GroupClient): Promise<OffsetDeleteResponse> {
    const groupFailure = (errorCode: number): OffsetDeleteResponse => ({ errorCode, throttleTimeMs: 0, topics: [] });
    if (request.groupId === '') return groupFailure(KafkaError.INVALID_GROUP_ID);
    const topics = await findLiveTopics(this.store, virtualClusterId, request.topics.map((t) => t.name));
    const responses = request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p): OffsetDeleteResponsePartition => ({
        partitionIndex: p.partitionIndex,
        errorCode: hasPartition(topics.get(t.name), p.partitionIndex) ? KafkaError.NONE : KafkaError.UNKNOWN_TOPIC_OR_PARTITION,
      })),
    }));

    // A group exists if it is live here or has committed offsets (Kafka would have loaded it, Empty).
    if (!this.groups.get(virtualClusterId, request.groupId) && (await this.store.listGroupOffsets(virtualClusterId, request.groupId)).length === 0) {
      return groupFailure(KafkaError.GROUP_ID_NOT_FOUND);
    }
    const group = this.groups.get(virtualClusterId, request.groupId); // read after the await: it may have changed
    const active = group !== undefined && group.state !== 'Empty';
    // Kafka only knows what a "consumer" group consumes; other protocols keep their offsets while active.
    if (active && group.protocolType !== 'consumer') return groupFailure(KafkaError.NON_EMPTY_GROUP);

    const deletions: Array<{ topic: string; partition: number }> = [];
    for (const topic of responses) {
      for (const partition of topic.partitions) {
        if (partition.errorCode !== KafkaError.NONE) continue;
        if (active && group.isSubscribedTo(topic.name)) partition.errorCode = KafkaError.GROUP_SUBSCRIBED_TO_TOPIC;
        else deletions.push({ topic: topic.name, partition: partition.partitionIndex });
      }
    }
    if (deletions.length > 0) {
      await this.store.transaction(async (tx) => {
        for (const d of deletions) await tx.deleteGroupOffsets(virtualClusterId, request.groupId, d.topic, d.partition);
      });
    }
    return { errorCode: KafkaError.NONE, throttleTimeMs: 0, topics: responses };
  }

  /** Live topics by name (soft-deleted ones do not exist for Kafka clients); each name looked up once. */
}
