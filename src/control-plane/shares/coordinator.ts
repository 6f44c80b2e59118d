/**
 * The share group coordinator (KIP-932), free of sockets: membership (membership.ts), the
 * share-partitions' records (partitions.ts, share-partition.ts), the share groups' offsets
 * (offsets.ts: DescribeShareGroupOffsets, AlterShareGroupOffsets, DeleteShareGroupOffsets) and
 * the groups' dynamic configs (configs.ts). The agent's share handlers reach it through `ShareApi` and the
 * share calls of `GroupApi`; the group coordinator (groups/coordinator.ts) asks it for ListGroups
 * and DeleteGroups.
 */
import type {
  AlterShareGroupOffsetsRequest, AlterShareGroupOffsetsResponse, DeleteShareGroupOffsetsRequest, DeleteShareGroupOffsetsResponse,
  DescribeShareGroupOffsetsRequest, DescribeShareGroupOffsetsResponse, ShareGroupDescribeRequest, ShareGroupDescribeResponse,
  ShareGroupHeartbeatRequest, ShareGroupHeartbeatResponse,
} from '../../kafka-protocol/messages.generated.ts';
import { KafkaError } from '../../kafka-protocol/error-codes.ts';
import type { MetadataStore } from '../../metadata/store.ts';
import type { Topic } from '../../model/records.ts';
import type { ShareApi, SharePartitionRef } from '../../agent-rpc/contract.ts';
import { changedGroupConfigs, groupConfig, GROUP_CONFIGS } from './configs.ts';
import { ShareGroupMembership, shareGroupState, type ShareGroupOptions } from './membership.ts';
import { SharePartitions } from './partitions.ts';
import { ShareGroupOffsets } from './offsets.ts';
import type { ShareRules } from './share-partition.ts';

export type { ShareGroupOptions } from './membership.ts';

type Client = { clientId: string; clientHost: string };

export class ShareCoordinator implements ShareApi {
  private readonly store: MetadataStore;
  private readonly membership: ShareGroupMembership;
  private readonly partitions: SharePartitions;
  private readonly offsets: ShareGroupOffsets;
  private readonly memberQueues = new Map<string, Promise<unknown>>();
  private readonly now: () => number;

  constructor(store: MetadataStore, options: ShareGroupOptions & { now?: () => number } = {}) {
    this.store = store;
    this.now = options.now ?? Date.now;
    this.partitions = new SharePartitions(store);
    this.membership = new ShareGroupMembership(store, options, (clusterId, groupId, memberId) => {
      // A member that left (or timed out) holds nothing any more: its records go to the others.
      void this.releaseEverywhere(clusterId, groupId, memberId).catch(() => undefined);
    });
    this.offsets = new ShareGroupOffsets(store, this.partitions, (clusterId, groupId) => this.hasMembers(clusterId, groupId));
  }

  close(): void {
    this.membership.close();
  }

  // --- membership ---

  heartbeat(virtualClusterId: string, request: ShareGroupHeartbeatRequest, client: Client): Promise<ShareGroupHeartbeatResponse> {
    return this.membership.heartbeat(virtualClusterId, request, client);
  }

  async describe(virtualClusterId: string, request: ShareGroupDescribeRequest): Promise<ShareGroupDescribeResponse> {
    const stored = new Set(await this.store.shares.listShareGroupIds(virtualClusterId));
    return this.membership.describe(virtualClusterId, request, (groupId) => stored.has(groupId));
  }

  /** The cluster's share groups: those with members and those known by their share-partitions. */
  async list(virtualClusterId: string): Promise<Array<{ groupId: string; state: string }>> {
    const groups = new Map(this.membership.list(virtualClusterId).map((g) => [g.groupId, shareGroupState(g)]));
    for (const groupId of await this.store.shares.listShareGroupIds(virtualClusterId)) if (!groups.has(groupId)) groups.set(groupId, 'Empty');
    return [...groups].map(([groupId, state]) => ({ groupId, state }));
  }

  /**
   * DeleteGroups of a share group: NON_EMPTY_GROUP while it has members; else its state and
   * configs go. Undefined: no share group of that id (the classic rules apply).
   */
  async delete(virtualClusterId: string, groupId: string): Promise<number | undefined> {
    const group = this.membership.get(virtualClusterId, groupId);
    const stored = (await this.store.shares.listShareGroupIds(virtualClusterId)).includes(groupId);
    if (!group && !stored) return undefined;
    if (group && group.members.size > 0) return KafkaError.NON_EMPTY_GROUP;
    this.membership.forget(virtualClusterId, groupId);
    await this.partitions.forget(virtualClusterId, groupId);
    await this.store.shares.putGroupConfigs({ virtual_cluster_id: virtualClusterId, group_id: groupId, configs: {} });
    return KafkaError.NONE;
  }

  /** Whether a share group of that id has members now (the id is then no classic or consumer group's). */
  hasMembers(virtualClusterId: string, groupId: string): boolean {
    return (this.membership.get(virtualClusterId, groupId)?.members.size ?? 0) > 0;
  }

  // --- ShareApi: the records ---

  acquire(virtualClusterId: string, request: Parameters<ShareApi['acquire']>[1]): ReturnType<ShareApi['acquire']> {
    return this.inOrder(virtualClusterId, request.group_id, request.member_id, () => this.acquireNow(virtualClusterId, request));
  }

  acknowledge(virtualClusterId: string, request: Parameters<ShareApi['acknowledge']>[1]): ReturnType<ShareApi['acknowledge']> {
    return this.inOrder(virtualClusterId, request.group_id, request.member_id, () => this.acknowledgeNow(virtualClusterId, request));
  }

  release(virtualClusterId: string, request: Parameters<ShareApi['release']>[1]): Promise<number> {
    return this.inOrder(virtualClusterId, request.group_id, request.member_id, () => this.releaseNow(virtualClusterId, request));
  }

  private async acquireNow(virtualClusterId: string, request: Parameters<ShareApi['acquire']>[1]): ReturnType<ShareApi['acquire']> {
    const rules = await this.rules(virtualClusterId, request.group_id);
    if (!this.membership.isMember(virtualClusterId, request.group_id, request.member_id)) {
      return { error_code: KafkaError.UNKNOWN_MEMBER_ID, lock_duration_ms: rules.lockDurationMs, partitions: [] };
    }
    let budget = Math.max(request.max_records, 1);
    const partitions = [];
    for (const ref of request.partitions) {
      const topic = await this.topicOf(virtualClusterId, ref);
      if (!topic) {
        partitions.push({ ...ref, error_code: KafkaError.UNKNOWN_TOPIC_OR_PARTITION, acquired: [] });
        continue;
      }
      if (budget <= 0) {
        partitions.push({ ...ref, error_code: KafkaError.NONE, acquired: [] });
        continue;
      }
      const state = await this.store.getPartitionState(ref.topic_id, ref.partition);
      const acquired = await this.partitions.with(this.key(virtualClusterId, request.group_id, ref), (partition) => partition.acquire({
        memberId: request.member_id, maxRecords: budget, logStartOffset: state?.log_start_offset ?? 0, highWatermark: state?.high_watermark ?? 0,
      }, rules));
      budget -= acquired.reduce((n, r) => n + r.lastOffset - r.firstOffset + 1, 0);
      partitions.push({
        ...ref, error_code: KafkaError.NONE,
        acquired: acquired.map((r) => ({ first_offset: r.firstOffset, last_offset: r.lastOffset, delivery_count: r.deliveryCount })),
      });
    }
    return { error_code: KafkaError.NONE, lock_duration_ms: rules.lockDurationMs, partitions };
  }

  private async acknowledgeNow(virtualClusterId: string, request: Parameters<ShareApi['acknowledge']>[1]): ReturnType<ShareApi['acknowledge']> {
    const rules = await this.rules(virtualClusterId, request.group_id);
    if (!this.membership.isMember(virtualClusterId, request.group_id, request.member_id)) {
      return { error_code: KafkaError.UNKNOWN_MEMBER_ID, lock_duration_ms: rules.lockDurationMs, partitions: [] };
    }
    const partitions = [];
    for (const acks of request.partitions) {
      const ref = { topic_id: acks.topic_id, partition: acks.partition };
      if (!(await this.topicOf(virtualClusterId, ref))) {
        partitions.push({ ...ref, error_code: KafkaError.UNKNOWN_TOPIC_OR_PARTITION });
        continue;
      }
      const batches = acks.batches.map((b) => ({ firstOffset: b.first_offset, lastOffset: b.last_offset, acknowledgeTypes: b.acknowledge_types }));
      const refusal = await this.partitions.with(this.key(virtualClusterId, request.group_id, ref), (partition) => partition.acknowledge(request.member_id, batches, rules));
      const error_code = refusal === undefined ? KafkaError.NONE : refusal === 'invalid-request' ? KafkaError.INVALID_REQUEST : KafkaError.INVALID_RECORD_STATE;
      partitions.push({ ...ref, error_code });
    }
    return { error_code: KafkaError.NONE, lock_duration_ms: rules.lockDurationMs, partitions };
  }

  private async releaseNow(virtualClusterId: string, request: Parameters<ShareApi['release']>[1]): Promise<number> {
    const rules = await this.rules(virtualClusterId, request.group_id);
    let released = 0;
    for (const ref of request.partitions) {
      if (!(await this.topicOf(virtualClusterId, ref))) continue;
      released += await this.partitions.with(this.key(virtualClusterId, request.group_id, ref), (partition) => partition.releaseMember(request.member_id, rules));
    }
    return released;
  }

  async groupConfigs(virtualClusterId: string, groupId: string): ReturnType<ShareApi['groupConfigs']> {
    const configs = (await this.store.shares.getGroupConfigs(virtualClusterId, groupId))?.configs ?? {};
    return Object.entries(GROUP_CONFIGS).map(([name, def]) => ({
      name, value: configs[name] ?? def.default, is_default: configs[name] === undefined, type: def.type, doc: def.doc,
    }));
  }

  async setGroupConfigs(virtualClusterId: string, groupId: string, changes: Record<string, string | null>, validateOnly: boolean): Promise<void> {
    const current = (await this.store.shares.getGroupConfigs(virtualClusterId, groupId))?.configs ?? {};
    const configs = changedGroupConfigs(current, changes);
    if (!validateOnly) await this.store.shares.putGroupConfigs({ virtual_cluster_id: virtualClusterId, group_id: groupId, configs });
  }

  // --- the offsets APIs (offsets.ts) ---

  describeOffsets(virtualClusterId: string, request: DescribeShareGroupOffsetsRequest, apiVersion: number): Promise<DescribeShareGroupOffsetsResponse> {
    return this.offsets.describe(virtualClusterId, request, apiVersion);
  }

  alterOffsets(virtualClusterId: string, request: AlterShareGroupOffsetsRequest): Promise<AlterShareGroupOffsetsResponse> {
    return this.offsets.alter(virtualClusterId, request);
  }

  deleteOffsets(virtualClusterId: string, request: DeleteShareGroupOffsetsRequest): Promise<DeleteShareGroupOffsetsResponse> {
    return this.offsets.delete(virtualClusterId, request);
  }

  // --- helpers ---

  private async rules(virtualClusterId: string, groupId: string): Promise<ShareRules> {
    const configs = (await this.store.shares.getGroupConfigs(virtualClusterId, groupId))?.configs;
    return {
      lockDurationMs: Number(groupConfig(configs, 'share.record.lock.duration.ms')),
      deliveryCountLimit: Number(groupConfig(configs, 'share.delivery.count.limit')),
      now: this.now(),
    };
  }

  /** The live topic of the cluster a partition names, with the partition in range. */
  private async topicOf(virtualClusterId: string, ref: SharePartitionRef): Promise<Topic | undefined> {
    const topic = await this.store.getTopicById(ref.topic_id);
    if (!topic || topic.virtual_cluster_id !== virtualClusterId || topic.deleted_at !== null) return undefined;
    return ref.partition >= 0 && ref.partition < topic.partition_count ? topic : undefined;
  }

  private key(virtualClusterId: string, groupId: string, ref: SharePartitionRef) {
    return { virtualClusterId, groupId, topicId: ref.topic_id, partition: ref.partition };
  }

  private async releaseEverywhere(virtualClusterId: string, groupId: string, memberId: string): Promise<void> {
    const refs = this.partitions.loadedOf(virtualClusterId, groupId).map((k) => ({ topic_id: k.topicId, partition: k.partition }));
    await this.release(virtualClusterId, { group_id: groupId, member_id: memberId, partitions: refs });
  }

  /**
   * Runs a member's record calls one after the other, in the order they came: a release (its
   * session ended, it left) queued before a new session's acquire can never take back what that
   * acquire handed out.
   */
  private inOrder<T>(virtualClusterId: string, groupId: string, memberId: string, fn: () => Promise<T>): Promise<T> {
    const key = `${virtualClusterId}\u0000${groupId}\u0000${memberId}`;
    const next = (this.memberQueues.get(key) ?? Promise.resolve()).then(fn, fn);
    const tail = next.then(() => undefined, () => undefined);
    this.memberQueues.set(key, tail);
    void tail.then(() => {
      if (this.memberQueues.get(key) === tail) this.memberQueues.delete(key);
    });
    return next;
  }
}
