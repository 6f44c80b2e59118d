/**
 * One classic group's state (Kafka's GroupMetadata) and the rules that read only that state:
 * protocol selection, the subscription it implies, and whether a request's member and
 * group.instance.id belong to the group. What changes the state over time (requests, timers) is
 * in rebalance.ts and where each request is served; this file holds no timers and sends no answers.
 */
import type { JoinGroupResponse, JoinGroupResponseMember, SyncGroupResponse } from '../../kafka-protocol/messages.generated.ts';
import { KafkaError } from '../../kafka-protocol/error-codes.ts';
import { decodeSubscriptionTopics } from './consumer-protocol.ts';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** Who sent the request: the header's client id and the connection's peer address. */
export interface GroupClient {
  clientId: string;
  clientHost: string;
}

export const EMPTY = Buffer.alloc(0);

export interface Protocol {
  name: string;
  metadata: Buffer;
}

export interface JoinWaiter {
  /** The request's version: the response's shape (nullable protocol name) depends on it. */
  version: number;
  resolve: (response: JoinGroupResponse) => void;
}

export type SyncWaiter = (response: SyncGroupResponse) => void;

export interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  /** In the member's order of preference. */
  protocols: Protocol[];
  assignment: Buffer;
  /** Joined in the current join phase and never completed one: expires on the new-member timeout. */
  isNew: boolean;
  awaitingJoin: JoinWaiter | null;
  awaitingSync: SyncWaiter | null;
  heartbeatTimer: NodeJS.Timeout | null;
}

export class Group {
  readonly virtualClusterId: string;
  readonly groupId: string;
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** In join order: the first member becomes leader when the leader leaves. */
  readonly members = new Map<string, Member>();
  /** group.instance.id → current member id. */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, not yet joined with; each with its expiry. */
  readonly pendingMembers = new Map<string, NodeJS.Timeout>();
  /** Members of the new generation that have not sent SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>();
  joinTimer: NodeJS.Timeout | null = null;
  /** The join phase of an Empty group waits the initial delay and cannot complete early. */
  inInitialDelay = false;
  newMemberAdded = false;
  syncTimer: NodeJS.Timeout | null = null;
  /** Topics the consumers of this generation subscribe to; null when unknown (not a consumer group). */
  subscribedTopics: Set<string> | null = null;

  constructor(virtualClusterId: string, groupId: string) {
    this.virtualClusterId = virtualClusterId;
    this.groupId = groupId;
  }

  /** The rebalance waits for the slowest member: the largest rebalance timeout. */
  get rebalanceTimeoutMs(): number {
    let timeout = 0;
    for (const member of this.members.values()) timeout = Math.max(timeout, member.rebalanceTimeoutMs);
    return timeout;
  }

  hasAllMembersJoined(): boolean {
    for (const member of this.members.values()) if (!member.awaitingJoin) return false;
    return this.pendingMembers.size === 0;
  }

  /** How many members support each protocol name. */
  private supportCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const member of this.members.values()) {
      for (const name of new Set(member.protocols.map((p) => p.name))) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return counts;
  }

  /** A joiner is welcome if it shares the group's protocol type and one protocol every member supports. */
  supportsProtocols(protocolType: string, protocols: readonly Protocol[]): boolean {
    if (this.state === 'Empty') return protocolType !== '' && protocols.length > 0;
    if (this.protocolType !== protocolType) return false;
    const counts = this.supportCounts();
    return protocols.some((p) => (counts.get(p.name) ?? 0) === this.members.size);
  }

  /**
   * Among the protocols every member supports, each member votes for its most preferred one and
   * the most votes win (Kafka's rule); ties go to the protocol voted for first, in join order.
   */
  selectProtocol(): string {
    const counts = this.supportCounts();
    const candidates = new Set([...counts].filter(([, n]) => n === this.members.size).map(([name]) => name));
    const votes = new Map<string, number>();
    for (const member of this.members.values()) {
      const vote = member.protocols.find((p) => candidates.has(p.name));
      if (vote) votes.set(vote.name, (votes.get(vote.name) ?? 0) + 1);
    }
    let best: string | null = null;
    let bestVotes = 0;
    for (const [name, n] of votes) {
      if (n > bestVotes) {
        best = name;
        bestVotes = n;
      }
    }
    // Unreachable while supportsProtocols guards every join; keep the group usable regardless.
    return best ?? this.members.values().next().value?.protocols[0]?.name ?? '';
  }

  metadataFor(member: Member, protocolName: string | null): Buffer {
    return member.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY;
  }

  /** What the leader gets in its JoinGroup response: every member with its metadata for the chosen protocol. */
  memberList(): JoinGroupResponseMember[] {
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: this.metadataFor(m, this.protocolName),
    }));
  }

  computeSubscribedTopics(): Set<string> | null {
    if (this.protocolType !== 'consumer' || this.members.size === 0) return null;
    const topics = new Set<string>();
    try {
      for (const member of this.members.values()) {
        for (const topic of decodeSubscriptionTopics(this.metadataFor(member, this.protocolName))) topics.add(topic);
      }
    } catch {
      return null; // not a consumer subscription after all: unknown, like Kafka
    }
    return topics;
  }

  /** Kafka treats an unknown subscription as "subscribed to everything" (OffsetDelete stays safe). */
  isSubscribedTo(topic: string): boolean {
    return this.subscribedTopics === null || this.subscribedTopics.has(topic);
  }

  /**
   * For requests naming a group.instance.id: FENCED_INSTANCE_ID when the instance now belongs to
   * another member id, UNKNOWN_MEMBER_ID when no member has it; null when consistent or not static.
   */
  staticMemberError(memberId: string, groupInstanceId: string | null): number | null {
    if (groupInstanceId === null) return null;
    const current = this.staticMembers.get(groupInstanceId);
    if (current === undefined) return KafkaError.UNKNOWN_MEMBER_ID;
    return current === memberId ? null : KafkaError.FENCED_INSTANCE_ID;
  }

  /** Kafka's validateCurrentMember: the instance id (if any) maps to this member, and the member exists. */
  currentMemberError(memberId: string, groupInstanceId: string | null): number | null {
    const staticError = this.staticMemberError(memberId, groupInstanceId);
    if (staticError !== null) return staticError;
    return this.members.has(memberId) ? null : KafkaError.UNKNOWN_MEMBER_ID;
  }
}

export function sameProtocols(a: readonly Protocol[], b: readonly Protocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]!.name && p.metadata.equals(b[i]!.metadata));
}
