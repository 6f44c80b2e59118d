/**
 * The JoinGroup and SyncGroup answers, shaped for the request's version. A JoinGroup or SyncGroup
 * may be answered long after it arrived (by a timer, or another member's request), so whoever
 * ends a member's wait builds the answer with these.
 */
import type { JoinGroupResponse, JoinGroupResponseMember, SyncGroupResponse } from '../../kafka-protocol/messages.generated.ts';
import { KafkaError } from '../../kafka-protocol/error-codes.ts';
import { EMPTY, type Group, type JoinWaiter, type Member } from './group.ts';

export interface JoinFields {
  errorCode: number;
  memberId: string;
  generationId?: number;
  protocolType?: string | null;
  protocolName?: string | null;
  leader?: string;
  skipAssignment?: boolean;
  members?: JoinGroupResponseMember[];
}

export function joinResponse(version: number, fields: JoinFields): JoinGroupResponse {
  const name = fields.protocolName ?? null;
  return {
    throttleTimeMs: 0,
    errorCode: fields.errorCode,
    generationId: fields.generationId ?? -1,
    protocolType: fields.protocolType ?? null,
    // Before v7 the name is not nullable and Kafka sends ''; from v7 on it sends null for ''.
    protocolName: version < 7 ? (name ?? '') : name === '' ? null : name,
    leader: fields.leader ?? '',
    skipAssignment: fields.skipAssignment ?? false,
    memberId: fields.memberId,
    members: fields.members ?? [],
  };
}

export function answerJoin(waiter: JoinWaiter, fields: JoinFields): void {
  waiter.resolve(joinResponse(waiter.version, fields));
}

/** The current generation, as a member sees it; only the leader gets the member list. */
export function answerJoinWithGeneration(group: Group, member: Member, waiter: JoinWaiter): void {
  const isLeader = group.leaderId === member.memberId;
  answerJoin(waiter, {
    errorCode: KafkaError.NONE,
    memberId: member.memberId,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leader: group.leaderId ?? '',
    members: isLeader ? group.memberList() : [],
  });
}

export function syncError(errorCode: number): SyncGroupResponse {
  return { throttleTimeMs: 0, errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

export function syncSuccess(group: Group, member: Member): SyncGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode: KafkaError.NONE,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    assignment: member.assignment,
  };
}
