/**
 * JoinGroup: new members (with KIP-394's MEMBER_ID_REQUIRED round trip), members rejoining for a
 * rebalance, and static members (KIP-345) coming back under a new member id. A JoinGroup
 * long-polls, as in Kafka: its promise resolves when the join phase completes (rebalance.ts),
 * unless the request can be answered at once.
 */
import { randomUUID } from 'node:crypto';
import type { JoinGroupRequest, JoinGroupResponse } from '../../kafka-protocol/messages.generated.ts';
import { KafkaError } from '../../kafka-protocol/error-codes.ts';
import { EMPTY, sameProtocols, type Group, type GroupClient, type JoinWaiter, type Member, type Protocol } from './group.ts';
import type { GroupRegistry } from './registry.ts';
import { timer, type Rebalancer } from './rebalance.ts';
import { answerJoin, answerJoinWithGeneration, joinResponse, syncError } from './responses.ts';

export interface SessionTimeoutLimits {
  /** Kafka's group.min.session.timeout.ms. */
  minSessionTimeoutMs: number;
  /** Kafka's group.max.session.timeout.ms. */
  maxSessionTimeoutMs: number;
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

export class Joins {
  private readonly groups: GroupRegistry;
  private readonly rebalancer: Rebalancer;
  private readonly limits: SessionTimeoutLimits;

  constructor(groups: GroupRegistry, rebalancer: Rebalancer, limits: SessionTimeoutLimits) {
    this.groups = groups;
    this.rebalancer = rebalancer;
    this.limits = limits;
  }

  async joinGroup(virtualClusterId: string, request: JoinGroupRequest, apiVersion: number, client: GroupClient): Promise<JoinGroupResponse> {
    const fail = (errorCode: number) => joinResponse(apiVersion, { errorCode, memberId: request.memberId });
    if (this.groups.closed) return fail(KafkaError.NOT_COORDINATOR);
    if (request.groupId === '') return fail(KafkaError.INVALID_GROUP_ID);
    if (request.sessionTimeoutMs < this.limits.minSessionTimeoutMs || request.sessionTimeoutMs > this.limits.maxSessionTimeoutMs) {
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
    updateMember(member, joining, waiter);
    this.rebalancer.maybePrepareRebalance(group);
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
    updateMember(member, joining, waiter);

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
}

function updateMember(member: Member, joining: JoinRequestFields, waiter: JoinWaiter): void {
  // A second JoinGroup from the same member replaces the first (its client gave up on it and
  // reconnected); answer the old one rather than leave it hanging.
  if (member.awaitingJoin) answerJoin(member.awaitingJoin, { errorCode: KafkaError.REBALANCE_IN_PROGRESS, memberId: member.memberId });
  member.protocols = joining.protocols;
  member.sessionTimeoutMs = joining.sessionTimeoutMs;
  member.rebalanceTimeoutMs = joining.rebalanceTimeoutMs;
  member.awaitingJoin = waiter;
}
