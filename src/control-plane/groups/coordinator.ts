/**
 * The classic consumer-group coordinator (Kafka's GroupCoordinator / GroupMetadata, protocol
 * "classic"), free of sockets: the agent's JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
 * OffsetCommit, OffsetFetch, OffsetDelete, DescribeGroups, ListGroups and DeleteGroups handlers
 * call one method each, with the decoded request body, and encode the body it resolves to.
 *
 * Membership lives in memory, per (virtual cluster, group id): this process is the coordinator
 * of every group it is asked about. Several agents coordinating the same group (FindCoordinator
 * pointing every client of a group at one process, or shared membership state) is a later
 * concern. Committed offsets are durable: they go to the MetadataStore, so they survive a
 * restart, and a group that only has committed offsets is reported as Empty, as Kafka reports a
 * group loaded from its offsets topic with no members.
 *
 * JoinGroup and SyncGroup long-poll, as in Kafka: their promise resolves when the join phase
 * completes or the leader's assignment arrives. Timers (session, rebalance, pending-member and
 * pending-sync expirations) are unref'd so they never keep a process alive on their own (the
 * agent's listening socket does); `close()` clears them and answers whatever still waits.
 */
import type {
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  DescribeGroupsResponseDescribedGroup,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  ListGroupsRequest,
  ListGroupsResponse,
  ListGroupsResponseListedGroup,
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
  SyncGroupRequest,
  SyncGroupResponse,
} from '../../kafka-protocol/messages.generated.ts';
import type { CommittedOffset, MetadataStore, Topic } from '../../metadata/store.ts';
import { KafkaError } from '../../kafka-protocol/error-codes.ts';
import { EMPTY, type GroupClient, type GroupState } from './group.ts';
import { GroupRegistry } from './registry.ts';
import { Rebalancer } from './rebalance.ts';
import { Joins } from './join.ts';
import { Membership } from './membership.ts';

export type { GroupClient, GroupState } from './group.ts';

export interface GroupCoordinatorOptions {
  /** Epoch milliseconds, for committed_at. */
  now?: () => number;
  /** Kafka's group.initial.rebalance.delay.ms: how long a new group waits for more joiners. */
  initialRebalanceDelayMs?: number;
  /** Kafka's group.max.session.timeout.ms. */
  maxSessionTimeoutMs?: number;
  /** Kafka's group.min.session.timeout.ms. */
  minSessionTimeoutMs?: number;
  /** How long a new member may wait in a join phase before it is dropped (Kafka: 5 minutes, KIP-394). */
  newMemberJoinTimeoutMs?: number;
}

/** One group as the Management API's monitoring shows it. */
export interface GroupDescription {
  name: string;
  state: GroupState;
  /** The selected protocol (assignor), '' when none is. */
  protocol: string;
  /** 'consumer' for Kafka consumers, '' when unknown (a group known only by its offsets). */
  protocolType: string;
  members: Array<{
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    /** The member's last assignment (ConsumerProtocolAssignment bytes for consumers), null if none. */
    assignment: Buffer | null;
  }>;
}

/** Kafka's offset.metadata.max.bytes default. */
const OFFSET_METADATA_MAX_LENGTH = 4096;
/** DescribeGroups' "authorized operations not requested / not computed". */
const NO_AUTHORIZED_OPERATIONS = -2147483648;

export class GroupCoordinator {
  private readonly store: MetadataStore;
  private readonly now: () => number;
  private readonly groups = new GroupRegistry();
  private readonly rebalancer: Rebalancer;
  private readonly joins: Joins;
  private readonly membership: Membership;

  constructor(store: MetadataStore, options: GroupCoordinatorOptions = {}) {
    this.store = store;
    this.now = options.now ?? Date.now;
    this.rebalancer = new Rebalancer(this.groups, {
      initialRebalanceDelayMs: options.initialRebalanceDelayMs ?? 0,
      newMemberJoinTimeoutMs: options.newMemberJoinTimeoutMs ?? 300_000,
    });
    this.joins = new Joins(this.groups, this.rebalancer, {
      minSessionTimeoutMs: options.minSessionTimeoutMs ?? 6000,
      maxSessionTimeoutMs: options.maxSessionTimeoutMs ?? 1_800_000,
    });
    this.membership = new Membership(this.groups, this.rebalancer);
  }

  /** Clears every timer and answers every waiting JoinGroup/SyncGroup with NOT_COORDINATOR (clients look the coordinator up again). */
  close(): void {
    this.rebalancer.close();
  }

  joinGroup(virtualClusterId: string, request: JoinGroupRequest, apiVersion: number, client: GroupClient): Promise<JoinGroupResponse> {
    return this.joins.joinGroup(virtualClusterId, request, apiVersion, client);
  }

  syncGroup(virtualClusterId: string, request: SyncGroupRequest, apiVersion: number, client: GroupClient): Promise<SyncGroupResponse> {
    return this.membership.syncGroup(virtualClusterId, request, apiVersion, client);
  }

  heartbeat(virtualClusterId: string, request: HeartbeatRequest, apiVersion: number, client: GroupClient): Promise<HeartbeatResponse> {
    return this.membership.heartbeat(virtualClusterId, request, apiVersion, client);
  }

  leaveGroup(virtualClusterId: string, request: LeaveGroupRequest, apiVersion: number, client: GroupClient): Promise<LeaveGroupResponse> {
    return this.membership.leaveGroup(virtualClusterId, request, apiVersion, client);
  }

  // ---- offsets -----------------------------------------------------------------------------

  /**
   * Commits through the store, all partitions of the request in one transaction. Unknown topics
   * and partitions are refused first, as Kafka's request handler does before the coordinator
   * sees the request. Store failures reject the promise (the agent answers them).
   */
  async offsetCommit(virtualClusterId: string, request: OffsetCommitRequest, apiVersion: number, _client: GroupClient): Promise<OffsetCommitResponse> {
    const generationId = apiVersion >= 1 ? request.generationIdOrMemberEpoch : -1;
    const memberId = apiVersion >= 1 ? request.memberId : '';
    const groupInstanceId = apiVersion >= 7 ? request.groupInstanceId : null;
    const topics = await this.topicLookup(virtualClusterId, request.topics.map((t) => t.name));

    const responses = request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p): OffsetCommitResponsePartition & { commit: boolean } => ({
        partitionIndex: p.partitionIndex,
        errorCode: partitionExists(topics.get(t.name), p.partitionIndex) ? KafkaError.NONE : KafkaError.UNKNOWN_TOPIC_OR_PARTITION,
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

  /** Kafka's validateOffsetCommit: members commit within their generation; others only to groups without members. */
  private offsetCommitError(virtualClusterId: string, groupId: string, generationId: number, memberId: string, groupInstanceId: string | null): number {
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
        groups.push({ groupId: g.groupId, topics: await this.fetchOffsets(virtualClusterId, g.groupId, g.topics), errorCode: KafkaError.NONE });
      }
      return { throttleTimeMs: 0, topics: [], errorCode: KafkaError.NONE, groups };
    }
    const topics = await this.fetchOffsets(virtualClusterId, request.groupId, request.topics);
    return { throttleTimeMs: 0, topics, errorCode: KafkaError.NONE, groups: [] };
  }

  private async fetchOffsets(
    virtualClusterId: string,
    groupId: string,
    wanted: Array<{ name: string; partitionIndexes: number[] }> | null,
  ): Promise<OffsetFetchResponseTopic[]> {
    const stored = await this.store.listGroupOffsets(virtualClusterId, groupId);
    const answer = (partitionIndex: number, offset: CommittedOffset | undefined): OffsetFetchResponsePartition => ({
      partitionIndex,
      committedOffset: offset ? BigInt(offset.committed_offset) : -1n,
      // The store keeps no leader epoch yet: -1 means "unknown", which clients accept.
      committedLeaderEpoch: -1,
      // Kafka stores a missing metadata string as ''.
      metadata: offset?.metadata ?? '',
      errorCode: KafkaError.NONE,
    });
    if (wanted === null) {
      // All topics: everything the group committed, grouped by topic (the store orders by topic, partition).
      const byTopic = new Map<string, OffsetFetchResponsePartition[]>();
      for (const offset of stored) {
        const partitions = byTopic.get(offset.topic_name) ?? [];
        byTopic.set(offset.topic_name, partitions);
        partitions.push(answer(offset.partition, offset));
      }
      return [...byTopic].map(([name, partitions]) => ({ name, partitions }));
    }
    const index = new Map(stored.map((o) => [`${o.topic_name}\u0000${o.partition}`, o]));
    return wanted.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((p) => answer(p, index.get(`${t.name}\u0000${p}`))),
    }));
  }

  /** Deletes committed offsets of a group, except those of topics a live consumer group still subscribes to. */
  async offsetDelete(virtualClusterId: string, request: OffsetDeleteRequest, _apiVersion: number, _client: GroupClient): Promise<OffsetDeleteResponse> {
    const groupFailure = (errorCode: number): OffsetDeleteResponse => ({ errorCode, throttleTimeMs: 0, topics: [] });
    if (request.groupId === '') return groupFailure(KafkaError.INVALID_GROUP_ID);
    const topics = await this.topicLookup(virtualClusterId, request.topics.map((t) => t.name));
    const responses = request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p): OffsetDeleteResponsePartition => ({
        partitionIndex: p.partitionIndex,
        errorCode: partitionExists(topics.get(t.name), p.partitionIndex) ? KafkaError.NONE : KafkaError.UNKNOWN_TOPIC_OR_PARTITION,
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
  private async topicLookup(virtualClusterId: string, names: readonly string[]): Promise<Map<string, Topic | undefined>> {
    const topics = new Map<string, Topic | undefined>();
    for (const name of new Set(names)) {
      const topic = await this.store.getTopic(virtualClusterId, name);
      topics.set(name, topic && topic.deleted_at === null ? topic : undefined);
    }
    return topics;
  }

  // ---- DescribeGroups, ListGroups, DeleteGroups ---------------------------------------------

  async describeGroups(virtualClusterId: string, request: DescribeGroupsRequest, _apiVersion: number, _client: GroupClient): Promise<DescribeGroupsResponse> {
    const groups: DescribeGroupsResponseDescribedGroup[] = [];
    for (const groupId of request.groups) {
      const described: DescribeGroupsResponseDescribedGroup = {
        errorCode: KafkaError.NONE,
        groupId,
        groupState: 'Dead',
        protocolType: '',
        protocolData: '',
        members: [],
        authorizedOperations: NO_AUTHORIZED_OPERATIONS,
      };
      const group = this.groups.get(virtualClusterId, groupId);
      if (group) {
        // Only a Stable group has a settled protocol; Kafka leaves metadata and assignments out otherwise.
        const stable = group.state === 'Stable';
        described.groupState = group.state;
        described.protocolType = group.protocolType ?? '';
        described.protocolData = stable ? (group.protocolName ?? '') : '';
        described.members = [...group.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: stable ? group.metadataFor(m, group.protocolName) : EMPTY,
          memberAssignment: stable ? m.assignment : EMPTY,
        }));
      } else if ((await this.store.listGroupOffsets(virtualClusterId, groupId)).length > 0) {
        described.groupState = 'Empty';
      }
      groups.push(described);
    }
    return { throttleTimeMs: 0, groups };
  }

  async listGroups(virtualClusterId: string, request: ListGroupsRequest, apiVersion: number, _client: GroupClient): Promise<ListGroupsResponse> {
    // Filters are case-insensitive, as in Kafka. Every group here is a "classic" group (v5 types).
    const states = new Set((apiVersion >= 4 ? request.statesFilter : []).map((s) => s.toLowerCase()));
    const types = new Set((apiVersion >= 5 ? request.typesFilter : []).map((s) => s.toLowerCase()));
    const listed: ListGroupsResponseListedGroup[] = (await this.allGroups(virtualClusterId)).map((g) => ({
      groupId: g.name,
      protocolType: g.protocolType,
      groupState: g.state,
      groupType: 'classic',
    }));
    const groups = listed.filter(
      (g) => (states.size === 0 || states.has(g.groupState.toLowerCase())) && (types.size === 0 || types.has(g.groupType)),
    );
    return { throttleTimeMs: 0, errorCode: KafkaError.NONE, groups };
  }

  /** Deletes groups without members, with their committed offsets. */
  async deleteGroups(virtualClusterId: string, request: DeleteGroupsRequest, _apiVersion: number, _client: GroupClient): Promise<DeleteGroupsResponse> {
    const results = [];
    for (const groupId of new Set(request.groupsNames)) {
      const group = this.groups.get(virtualClusterId, groupId);
      if (group && group.state !== 'Empty') {
        results.push({ groupId, errorCode: KafkaError.NON_EMPTY_GROUP });
        continue;
      }
      if (group) this.rebalancer.unload(group, KafkaError.COORDINATOR_NOT_AVAILABLE);
      const deleted = await this.store.deleteGroupOffsets(virtualClusterId, groupId);
      results.push({ groupId, errorCode: group || deleted > 0 ? KafkaError.NONE : KafkaError.GROUP_ID_NOT_FOUND });
    }
    return { throttleTimeMs: 0, results };
  }

  /** Every group of the cluster: live ones and those known only by committed offsets (Empty), by name. */
  async describeAll(virtualClusterId: string): Promise<GroupDescription[]> {
    return this.allGroups(virtualClusterId);
  }

  private async allGroups(virtualClusterId: string): Promise<GroupDescription[]> {
    const offsets = await this.store.listCommittedOffsets(virtualClusterId);
    const described = new Map<string, GroupDescription>();
    for (const group of this.groups.of(virtualClusterId)) {
      if (group.state === 'Dead') continue;
      described.set(group.groupId, {
        name: group.groupId,
        state: group.state,
        protocol: group.protocolName ?? '',
        protocolType: group.protocolType ?? '',
        members: [...group.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          assignment: m.assignment.length > 0 ? m.assignment : null,
        })),
      });
    }
    for (const offset of offsets) {
      if (!described.has(offset.group_id)) {
        described.set(offset.group_id, { name: offset.group_id, state: 'Empty', protocol: '', protocolType: '', members: [] });
      }
    }
    return [...described.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

function partitionExists(topic: Topic | undefined, partition: number): boolean {
  return topic !== undefined && partition >= 0 && partition < topic.partition_count;
}
