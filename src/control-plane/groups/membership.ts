/**
 * The requests of members that have joined: SyncGroup (the leader hands out the generation's
 * assignment, everyone else waits for it), Heartbeat (stay alive, learn of a rebalance) and
 * LeaveGroup (a member's own leaving, or an admin removing static members).
 */
import type {
  HeartbeatRequest,
  HeartbeatResponse,
  LeaveGroupRequest,
  LeaveGroupRequestMemberIdentity,
  LeaveGroupResponse,
  LeaveGroupResponseMemberResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from '../../kafka-protocol/messages.generated.ts';
import { KafkaError } from '../../kafka-protocol/error-codes.ts';
import { EMPTY, type GroupClient } from './group.ts';
import type { GroupRegistry } from './registry.ts';
import type { Rebalancer } from './rebalance.ts';
import { syncError, syncSuccess } from './responses.ts';

export class Membership {
  private readonly groups: GroupRegistry;
  private readonly rebalancer: Rebalancer;

  constructor(groups: GroupRegistry, rebalancer: Rebalancer) {
    this.groups = groups;
    this.rebalancer = rebalancer;
  }

  /** Long-polls while the group is CompletingRebalance: resolves when the leader's assignment arrives. */
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
}
