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
import { randomUUID } from 'node:crypto';
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
  LeaveGroupRequestMemberIdentity,
  LeaveGroupResponse,
  LeaveGroupResponseMemberResponse,
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
import { EMPTY, sameProtocols, type Group, type GroupClient, type GroupState, type JoinWaiter, type Member, type Protocol } from './group.ts';
import { GroupRegistry } from './registry.ts';
import { Rebalancer, timer } from './rebalance.ts';
import { answerJoin, answerJoinWithGeneration, joinResponse, syncError, syncSuccess } from './responses.ts';

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
  private readonly maxSessionTimeoutMs: number;
  private readonly minSessionTimeoutMs: number;
  private readonly groups = new GroupRegistry();
  private readonly rebalancer: Rebalancer;

  constructor(store: MetadataStore, options: GroupCoordinatorOptions = {}) {
    this.store = store;
    this.now = options.now ?? Date.now;
    this.maxSessionTimeoutMs = options.maxSessionTimeoutMs ?? 1_800_000;
    this.minSessionTimeoutMs = options.minSessionTimeoutMs ?? 6000;
    this.rebalancer = new Rebalancer(this.groups, {
      initialRebalanceDelayMs: options.initialRebalanceDelayMs ?? 0,
      newMemberJoinTimeoutMs: options.newMemberJoinTimeoutMs ?? 300_000,
    });
  }

  /** Clears every timer and answers every waiting JoinGroup/SyncGroup with NOT_COORDINATOR (clients look the coordinator up again). */
  close(): void {
    this.rebalancer.close();
  }

  // ---- JoinGroup ---------------------------------------------------------------------------

  async joinGroup(virtualClusterId: string, request: JoinGroupRequest, apiVersion: number, client: GroupClient): Promise<JoinGroupResponse> {
    const fail = (errorCode: number) => joinResponse(apiVersion, { errorCode, memberId: request.memberId });
    if (this.groups.closed) return fail(KafkaError.NOT_COORDINATOR);
    if (request.groupId === '') return fail(KafkaError.INVALID_GROUP_ID);
    if (request.sessionTimeoutMs < this.minSessionTimeoutMs || request.sessionTimeoutMs > this.maxSessionTimeoutMs) {
      return fail(KafkaError.INVALID_SESSION_TIMEOUT);
    }
    // v0 has no rebalance timeout: the session timeout is used instead (as in Kafka).
    const rebalanceTimeoutMs = apiVersion >= 1 && request.rebalanceTimeoutMs >= 0 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs;
    const groupInstanceId = apiVersion >= 5 ? request.groupInstanceId : null;
    const isNewMember = request.memberId === '';
    let group = this.groups.get(virtualClusterId, request.groupId);
    if (!group) {
      // Only a member without an id may create a group: a known id means a group we lost (or never had).
      if (!isNewMember) return fail(KafkaError.UNKNOWN_MEMBER_ID);
      group = this.groups.create(virtualClusterId, request.groupId);
    }
    const joining: JoinRequestFields = {
      groupInstanceId,
      clientId: client.clientId,
      clientHost: client.clientHost,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs,
      protocolType: request.protocolType,
      // Copies: decoded bytes may be views into the request frame, which must not be kept alive.
      protocols: request.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
    };
    const joined = group;
    const response = new Promise<JoinGroupResponse>((resolve) => {
      const waiter: JoinWaiter = { version: apiVersion, resolve };
      if (isNewMember) this.joinNewMember(joined, joining, waiter);
      else this.joinCurrentMember(joined, request.memberId, joining, waiter);
      if (joined.state === 'PreparingRebalance') this.rebalancer.tryCompleteJoin(joined);
    });
    this.groups.forgetIfUnused(group);
    return response;
  }

  private joinNewMember(group: Group, joining: JoinRequestFields, waiter: JoinWaiter): void {
    if (group.state === 'Dead') return answerJoin(waiter, { errorCode: KafkaError.COORDINATOR_NOT_AVAILABLE, memberId: '' });
    if (!group.supportsProtocols(joining.protocolType, joining.protocols)) {
      return answerJoin(waiter, { errorCode: KafkaError.INCONSISTENT_GROUP_PROTOCOL, memberId: '' });
    }
    const memberId = `${joining.clientId}-${randomUUID()}`;
    if (joining.groupInstanceId !== null) {
      const existing = group.staticMembers.get(joining.groupInstanceId);
      if (existing !== undefined) return this.replaceStaticMember(group, existing, memberId, joining, waiter);
      return this.addMemberAndRebalance(group, memberId, joining, waiter);
    }
    if (waiter.version >= 4) {
      // KIP-394: the client must come back with this id, so a client that dies between the two
      // requests leaves no member behind, only a pending id that expires with its session.
      const expiry = timer(joining.sessionTimeoutMs, () => this.rebalancer.expirePendingMember(group, memberId));
      group.pendingMembers.set(memberId, expiry);
      return answerJoin(waiter, { errorCode: KafkaError.MEMBER_ID_REQUIRED, memberId });
    }
    this.addMemberAndRebalance(group, memberId, joining, waiter);
  }

  private joinCurrentMember(group: Group, memberId: string, joining: JoinRequestFields, waiter: JoinWaiter): void {
    if (group.state === 'Dead') return answerJoin(waiter, { errorCode: KafkaError.COORDINATOR_NOT_AVAILABLE, memberId });
    if (!group.supportsProtocols(joining.protocolType, joining.protocols)) {
      return answerJoin(waiter, { errorCode: KafkaError.INCONSISTENT_GROUP_PROTOCOL, memberId });
    }
    if (group.pendingMembers.has(memberId) && joining.groupInstanceId === null) {
      return this.addMemberAndRebalance(group, memberId, joining, waiter);
    }
    const instanceError = group.staticMemberError(memberId, joining.groupInstanceId);
    if (instanceError === KafkaError.FENCED_INSTANCE_ID) return answerJoin(waiter, { errorCode: instanceError, memberId });
    const member = group.members.get(memberId);
    if (!member || instanceError !== null) return answerJoin(waiter, { errorCode: KafkaError.UNKNOWN_MEMBER_ID, memberId });

    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, joining, waiter);
      case 'CompletingRebalance':
        // Same metadata: the member most likely lost our JoinGroup answer; send it again.
        if (sameProtocols(member.protocols, joining.protocols)) return answerJoinWithGeneration(group, member, waiter);
        return this.updateMemberAndRebalance(group, member, joining, waiter);
      case 'Stable':
        // A leader's JoinGroup always rebalances: that is how it asks for one when topic
        // metadata changed without any member's subscription changing.
        if (group.leaderId === memberId || !sameProtocols(member.protocols, joining.protocols)) {
          return this.updateMemberAndRebalance(group, member, joining, waiter);
        }
        return answerJoin(waiter, {
          errorCode: KafkaError.NONE,
          memberId,
          generationId: group.generationId,
          protocolType: group.protocolType,
          protocolName: group.protocolName,
          leader: group.leaderId ?? '',
        });
      default:
        // Empty with members cannot happen; let the member reset and rejoin.
        return answerJoin(waiter, { errorCode: KafkaError.UNKNOWN_MEMBER_ID, memberId });
    }
  }

  private addMemberAndRebalance(group: Group, memberId: string, joining: JoinRequestFields, waiter: JoinWaiter): void {
    const member: Member = {
      memberId,
      groupInstanceId: joining.groupInstanceId,
      clientId: joining.clientId,
      clientHost: joining.clientHost,
      sessionTimeoutMs: joining.sessionTimeoutMs,
      rebalanceTimeoutMs: joining.rebalanceTimeoutMs,
      protocols: joining.protocols,
      assignment: EMPTY,
      isNew: true,
      awaitingJoin: waiter,
      awaitingSync: null,
      heartbeatTimer: null,
    };
    // Joiners during a new group's initial delay extend it (up to the rebalance timeout).
    if (group.state === 'PreparingRebalance' && group.generationId === 0) group.newMemberAdded = true;
    if (group.members.size === 0) group.protocolType = joining.protocolType;
    group.members.set(memberId, member);
    group.leaderId ??= memberId;
    if (member.groupInstanceId !== null) group.staticMembers.set(member.groupInstanceId, memberId);
    const pending = group.pendingMembers.get(memberId);
    if (pending) {
      clearTimeout(pending);
      group.pendingMembers.delete(memberId);
    }
    this.rebalancer.scheduleHeartbeat(group, member);
    this.rebalancer.maybePrepareRebalance(group);
  }

  private updateMemberAndRebalance(group: Group, member: Member, joining: JoinRequestFields, waiter: JoinWaiter): void {
    this.updateMember(member, joining, waiter);
    this.rebalancer.maybePrepareRebalance(group);
  }

  private updateMember(member: Member, joining: JoinRequestFields, waiter: JoinWaiter): void {
    // A second JoinGroup from the same member replaces the first (its client gave up on it and
    // reconnected); answer the old one rather than leave it hanging.
    if (member.awaitingJoin) answerJoin(member.awaitingJoin, { errorCode: KafkaError.REBALANCE_IN_PROGRESS, memberId: member.memberId });
    member.protocols = joining.protocols;
    member.sessionTimeoutMs = joining.sessionTimeoutMs;
    member.rebalanceTimeoutMs = joining.rebalanceTimeoutMs;
    member.awaitingJoin = waiter;
  }

  /**
   * A known static member rejoined without its member id (it restarted): it takes over the old
   * member's place under a new id, and the old id is fenced. A Stable group does not rebalance
   * when the member's protocols are unchanged: the member gets the current generation back and,
   * on SyncGroup, its old assignment.
   */
  private replaceStaticMember(group: Group, oldMemberId: string, newMemberId: string, joining: JoinRequestFields, waiter: JoinWaiter): void {
    const member = group.members.get(oldMemberId)!;
    const previousLeader = group.leaderId;
    const unchanged = sameProtocols(member.protocols, joining.protocols);
    if (member.awaitingJoin) answerJoin(member.awaitingJoin, { errorCode: KafkaError.FENCED_INSTANCE_ID, memberId: oldMemberId });
    member.awaitingJoin = null;
    if (member.awaitingSync) member.awaitingSync(syncError(KafkaError.FENCED_INSTANCE_ID));
    member.awaitingSync = null;

    group.members.delete(oldMemberId);
    member.memberId = newMemberId;
    member.clientId = joining.clientId;
    member.clientHost = joining.clientHost;
    group.members.set(newMemberId, member);
    if (group.leaderId === oldMemberId) group.leaderId = newMemberId;
    group.staticMembers.set(member.groupInstanceId!, newMemberId);
    if (group.pendingSyncMembers.delete(oldMemberId)) group.pendingSyncMembers.add(newMemberId);
    this.rebalancer.scheduleHeartbeat(group, member);
    this.updateMember(member, joining, waiter);

    switch (group.state) {
      case 'Stable':
        if (unchanged) {
          member.awaitingJoin = null;
          // KIP-814: a v9+ leader learns the members (to watch their subscriptions) but is told
          // to skip the assignment. Older leaders get the old leader id back, so they never
          // compute an assignment a Stable group would not distribute.
          const skip = waiter.version >= 9 && group.leaderId === newMemberId;
          return answerJoin(waiter, {
            errorCode: KafkaError.NONE,
            memberId: newMemberId,
            generationId: group.generationId,
            protocolType: group.protocolType,
            protocolName: group.protocolName,
            leader: (skip ? group.leaderId : previousLeader) ?? '',
            skipAssignment: skip,
            members: skip ? group.memberList() : [],
          });
        }
        return this.rebalancer.prepareRebalance(group);
      case 'CompletingRebalance':
        // The leader may be assigning to the old member id: start over so the new id gets a share.
        return this.rebalancer.prepareRebalance(group);
      default:
        // PreparingRebalance: the member now waits for the join phase like everyone else.
        return;
    }
  }

  // ---- SyncGroup ---------------------------------------------------------------------------

  async syncGroup(virtualClusterId: string, request: SyncGroupRequest, apiVersion: number, _client: GroupClient): Promise<SyncGroupResponse> {
    if (this.groups.closed) return syncError(KafkaError.NOT_COORDINATOR);
    if (request.groupId === '') return syncError(KafkaError.INVALID_GROUP_ID);
    const group = this.groups.get(virtualClusterId, request.groupId);
    if (!group) return syncError(KafkaError.UNKNOWN_MEMBER_ID);
    if (group.state === 'Dead') return syncError(KafkaError.COORDINATOR_NOT_AVAILABLE);
    const groupInstanceId = apiVersion >= 3 ? request.groupInstanceId : null;
    const memberError = group.currentMemberError(request.memberId, groupInstanceId);
    if (memberError !== null) return syncError(memberError);
    if (request.generationId !== group.generationId) return syncError(KafkaError.ILLEGAL_GENERATION);
    // v5+ (KIP-559): the client says which protocol it thinks was chosen; it must be the group's.
    if (apiVersion >= 5) {
      if (request.protocolType !== null && request.protocolType !== group.protocolType) return syncError(KafkaError.INCONSISTENT_GROUP_PROTOCOL);
      if (request.protocolName !== null && request.protocolName !== group.protocolName) return syncError(KafkaError.INCONSISTENT_GROUP_PROTOCOL);
    }
    const member = group.members.get(request.memberId)!;

    switch (group.state) {
      case 'PreparingRebalance':
        return syncError(KafkaError.REBALANCE_IN_PROGRESS);
      case 'Stable':
        // Assignment already distributed (the member synced late, or is a static member back
        // without a rebalance): answer with what it has.
        group.pendingSyncMembers.delete(member.memberId);
        this.rebalancer.scheduleHeartbeat(group, member);
        return syncSuccess(group, member);
      case 'CompletingRebalance':
        return new Promise<SyncGroupResponse>((resolve) => {
          if (member.awaitingSync) member.awaitingSync(syncError(KafkaError.REBALANCE_IN_PROGRESS));
          member.awaitingSync = resolve;
          group.pendingSyncMembers.delete(member.memberId);
          if (group.leaderId === member.memberId) {
            const assignments = new Map(request.assignments.map((a) => [a.memberId, a.assignment]));
            // Members the leader left out get an empty assignment; ids it invented are ignored.
            for (const m of group.members.values()) {
              const assignment = assignments.get(m.memberId);
              m.assignment = assignment ? Buffer.from(assignment) : EMPTY;
            }
            group.state = 'Stable';
            for (const m of group.members.values()) {
              const waiter = m.awaitingSync;
              m.awaitingSync = null;
              if (waiter) {
                waiter(syncSuccess(group, m));
                // Sessions were not checked while members waited; count from now.
                this.rebalancer.scheduleHeartbeat(group, m);
              }
            }
          }
        });
      default:
        // Empty: no members, so the member id cannot be current.
        return syncError(KafkaError.UNKNOWN_MEMBER_ID);
    }
  }

  // ---- Heartbeat ---------------------------------------------------------------------------

  async heartbeat(virtualClusterId: string, request: HeartbeatRequest, apiVersion: number, _client: GroupClient): Promise<HeartbeatResponse> {
    const answer = (errorCode: number): HeartbeatResponse => ({ throttleTimeMs: 0, errorCode });
    if (this.groups.closed) return answer(KafkaError.NOT_COORDINATOR);
    if (request.groupId === '') return answer(KafkaError.INVALID_GROUP_ID);
    const group = this.groups.get(virtualClusterId, request.groupId);
    if (!group) return answer(KafkaError.UNKNOWN_MEMBER_ID);
    if (group.state === 'Dead') return answer(KafkaError.COORDINATOR_NOT_AVAILABLE);
    const memberError = group.currentMemberError(request.memberId, apiVersion >= 3 ? request.groupInstanceId : null);
    if (memberError !== null) return answer(memberError);
    if (request.generationId !== group.generationId) return answer(KafkaError.ILLEGAL_GENERATION);
    const member = group.members.get(request.memberId)!;
    switch (group.state) {
      case 'CompletingRebalance':
      case 'Stable':
        this.rebalancer.scheduleHeartbeat(group, member);
        return answer(KafkaError.NONE);
      case 'PreparingRebalance':
        // Still alive, but must rejoin: this is how members learn of a rebalance.
        this.rebalancer.scheduleHeartbeat(group, member);
        return answer(KafkaError.REBALANCE_IN_PROGRESS);
      default:
        return answer(KafkaError.UNKNOWN_MEMBER_ID);
    }
  }

  // ---- LeaveGroup --------------------------------------------------------------------------

  async leaveGroup(virtualClusterId: string, request: LeaveGroupRequest, apiVersion: number, _client: GroupClient): Promise<LeaveGroupResponse> {
    // v0-2 name one member; v3+ (KIP-345) a batch, which lets an admin remove static members by instance id.
    const leaving: LeaveGroupRequestMemberIdentity[] =
      apiVersion <= 2 ? [{ memberId: request.memberId, groupInstanceId: null, reason: null }] : request.members;
    const answer = (errorCode: number, members: LeaveGroupResponseMemberResponse[]): LeaveGroupResponse => {
      if (apiVersion >= 3) return { throttleTimeMs: 0, errorCode, members };
      // v0-2 have no per-member errors: the member's error is the response's.
      const memberError = members.find((m) => m.errorCode !== KafkaError.NONE)?.errorCode ?? KafkaError.NONE;
      return { throttleTimeMs: 0, errorCode: errorCode !== KafkaError.NONE ? errorCode : memberError, members: [] };
    };
    if (this.groups.closed) return answer(KafkaError.NOT_COORDINATOR, []);
    if (request.groupId === '') return answer(KafkaError.INVALID_GROUP_ID, []);
    const group = this.groups.get(virtualClusterId, request.groupId);
    const result = (identity: LeaveGroupRequestMemberIdentity, errorCode: number): LeaveGroupResponseMemberResponse => ({
      memberId: identity.memberId,
      groupInstanceId: identity.groupInstanceId,
      errorCode,
    });
    if (!group) return answer(KafkaError.NONE, leaving.map((identity) => result(identity, KafkaError.UNKNOWN_MEMBER_ID)));
    if (group.state === 'Dead') return answer(KafkaError.COORDINATOR_NOT_AVAILABLE, []);

    const members = leaving.map((identity) => {
      if (identity.memberId === '') {
        // Administrative removal of a static member by instance id alone.
        const current = identity.groupInstanceId === null ? undefined : group.staticMembers.get(identity.groupInstanceId);
        const member = current === undefined ? undefined : group.members.get(current);
        if (!member) return result(identity, KafkaError.UNKNOWN_MEMBER_ID);
        this.rebalancer.removeMemberAndUpdateGroup(group, member);
        return result(identity, KafkaError.NONE);
      }
      const pending = group.pendingMembers.get(identity.memberId);
      if (pending) {
        clearTimeout(pending);
        this.rebalancer.expirePendingMember(group, identity.memberId);
        return result(identity, KafkaError.NONE);
      }
      if (group.staticMemberError(identity.memberId, identity.groupInstanceId) === KafkaError.FENCED_INSTANCE_ID) {
        return result(identity, KafkaError.FENCED_INSTANCE_ID);
      }
      const member = group.members.get(identity.memberId);
      if (!member) return result(identity, KafkaError.UNKNOWN_MEMBER_ID);
      this.rebalancer.removeMemberAndUpdateGroup(group, member);
      return result(identity, KafkaError.NONE);
    });
    return answer(KafkaError.NONE, members);
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

/** What a JoinGroup carries about the member, validated and copied. */
interface JoinRequestFields {
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
}

function partitionExists(topic: Topic | undefined, partition: number): boolean {
  return topic !== undefined && partition >= 0 && partition < topic.partition_count;
}
