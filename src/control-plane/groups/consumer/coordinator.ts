/**
 * The new consumer group protocol (KIP-848, `group.protocol=consumer`), free of sockets. The
 * coordinator assigns (assignor.ts, server side) and each member converges on its target by
 * heartbeats alone — no JoinGroup/SyncGroup barrier, so a rebalance stops nobody:
 *
 * - a membership or subscription change (or a change of the subscribed topics' partitions)
 *   bumps the group epoch, and a new target assignment is computed for it;
 * - a member that holds partitions its target does not have is told to give them up (its next
 *   assignment lacks them) and keeps its epoch until a heartbeat shows it no longer owns them;
 * - a member then moves to the target epoch, getting the target's partitions that no other
 *   member still holds; the rest come on a later heartbeat, once their owner let go.
 *
 * Membership lives in memory, like the classic groups (registry.ts): this process coordinates
 * every group it is asked about. Committed offsets are the classic coordinator's (offsets.ts),
 * which asks `offsetCommitError` here for the member rules of consumer groups.
 */
import { randomUUID } from 'node:crypto';
import type {
  ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse, ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse,
} from '../../../kafka-protocol/messages.generated.ts';
import { KafkaError } from '../../../kafka-protocol/error-codes.ts';
import type { MetadataStore } from '../../../metadata/store.ts';
import { topicUuid } from '../../../agent-rpc/contract.ts';
import { ASSIGNORS, assign, size, type Assignment, type AssignorName } from './assignor.ts';
import { INTERNAL_TOPICS } from '../../../model/internal-topics.ts';

export interface ConsumerGroupOptions {
  /** Kafka's group.consumer.heartbeat.interval.ms (default 5 s; tests use less). */
  heartbeatIntervalMs?: number;
  /** Kafka's group.consumer.session.timeout.ms: a silent member is removed after this. */
  sessionTimeoutMs?: number;
}

interface Member {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  memberEpoch: number;
  previousMemberEpoch: number;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  /** What the member may use now. */
  assigned: Assignment;
  /** Given up by the coordinator, still owned by the member until a heartbeat says otherwise. */
  revoking: Assignment;
  timer: NodeJS.Timeout | undefined;
}

interface ConsumerGroup {
  groupId: string;
  groupEpoch: number;
  assignmentEpoch: number;
  members: Map<string, Member>;
  target: Map<string, Assignment>;
  /** The subscribed topics' ids and partition counts the target was computed for. */
  topicsKey: string;
  assignor: AssignorName;
}

type Client = { clientId: string; clientHost: string };

const copy = (a: Assignment): Assignment => new Map([...a].map(([t, p]) => [t, new Set(p)]));
const has = (a: Assignment, topicId: string, partition: number) => a.get(topicId)?.has(partition) ?? false;
function minus(a: Assignment, b: Assignment): Assignment {
  const out: Assignment = new Map();
  for (const [t, parts] of a) {
    const left = [...parts].filter((p) => !has(b, t, p));
    if (left.length > 0) out.set(t, new Set(left));
  }
  return out;
}
function union(a: Assignment, b: Assignment): Assignment {
  const out = copy(a);
  for (const [t, parts] of b) for (const p of parts) (out.get(t) ?? out.set(t, new Set()).get(t)!).add(p);
  return out;
}
const toWire = (a: Assignment) => [...a].filter(([, p]) => p.size > 0).map(([topicId, p]) => ({ topicId, partitions: [...p].sort((x, y) => x - y) }));
const fromWire = (parts: ReadonlyArray<{ topicId: string; partitions: number[] }>): Assignment => new Map(parts.map((t) => [t.topicId, new Set(t.partitions)]));

export class ConsumerGroups {
  private readonly store: MetadataStore;
  private readonly heartbeatIntervalMs: number;
  private readonly sessionTimeoutMs: number;
  /** virtual cluster id → group id → group. */
  private readonly clusters = new Map<string, Map<string, ConsumerGroup>>();

  constructor(store: MetadataStore, options: ConsumerGroupOptions = {}) {
    this.store = store;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 5_000;
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 45_000;
  }

  get(virtualClusterId: string, groupId: string): ConsumerGroup | undefined {
    return this.clusters.get(virtualClusterId)?.get(groupId);
  }

  /** The cluster's consumer groups with their state (ListGroups). */
  list(virtualClusterId: string): Array<{ groupId: string; state: string }> {
    return [...(this.clusters.get(virtualClusterId)?.values() ?? [])].map((g) => ({ groupId: g.groupId, state: stateOf(g) }));
  }

  close(): void {
    for (const groups of this.clusters.values()) for (const g of groups.values()) for (const m of g.members.values()) clearTimeout(m.timer);
    this.clusters.clear();
  }

  /**
   * OffsetCommit's member rules for a consumer group (KIP-848): a member commits with its
   * current epoch (an older one is STALE_MEMBER_EPOCH, to retry after its next heartbeat);
   * outsiders (no member id, epoch -1) only while the group has no members. Undefined: not a
   * consumer group, the classic rules apply.
   */
  offsetCommitError(virtualClusterId: string, groupId: string, memberEpoch: number, memberId: string): number | undefined {
    const group = this.get(virtualClusterId, groupId);
    if (!group) return undefined;
    if (memberId === '' && memberEpoch < 0) return group.members.size === 0 ? KafkaError.NONE : KafkaError.UNKNOWN_MEMBER_ID;
    const member = group.members.get(memberId);
    if (!member) return KafkaError.UNKNOWN_MEMBER_ID;
    if (memberEpoch === member.memberEpoch) return KafkaError.NONE;
    return memberEpoch < member.memberEpoch ? KafkaError.STALE_MEMBER_EPOCH : KafkaError.FENCED_MEMBER_EPOCH;
  }

  async heartbeat(virtualClusterId: string, request: ConsumerGroupHeartbeatRequest, _apiVersion: number, client: Client): Promise<ConsumerGroupHeartbeatResponse> {
    const fail = (errorCode: number, errorMessage: string | null = null): ConsumerGroupHeartbeatResponse => ({
      throttleTimeMs: 0, errorCode, errorMessage, memberId: null, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null,
    });
    if (request.groupId === '') return fail(KafkaError.INVALID_GROUP_ID, 'the group id is empty');
    if (request.serverAssignor !== null && !(ASSIGNORS as readonly string[]).includes(request.serverAssignor)) {
      return fail(KafkaError.UNSUPPORTED_ASSIGNOR, `assignor ${request.serverAssignor} is not one of ${ASSIGNORS.join(', ')}`);
    }
    if (request.subscribedTopicRegex !== null && regexOf(request.subscribedTopicRegex) === undefined) {
      return fail(KafkaError.INVALID_REGULAR_EXPRESSION, `${request.subscribedTopicRegex} is not a valid regular expression`);
    }
    let groups = this.clusters.get(virtualClusterId);
    if (!groups) this.clusters.set(virtualClusterId, (groups = new Map()));
    let group = groups.get(request.groupId);

    if (request.memberEpoch === -1 || request.memberEpoch === -2) {
      const member = group?.members.get(request.memberId);
      if (group && member) this.remove(group, member);
      return { throttleTimeMs: 0, errorCode: KafkaError.NONE, errorMessage: null, memberId: request.memberId, memberEpoch: request.memberEpoch, heartbeatIntervalMs: 0, assignment: null };
    }

    let member: Member | undefined;
    if (request.memberEpoch === 0) {
      if (request.subscribedTopicNames === null && request.subscribedTopicRegex === null) return fail(KafkaError.INVALID_REQUEST, 'a joining member names its subscription');
      if (!group) groups.set(request.groupId, (group = { groupId: request.groupId, groupEpoch: 0, assignmentEpoch: 0, members: new Map(), target: new Map(), topicsKey: '', assignor: 'uniform' }));
      const memberId = request.memberId !== '' ? request.memberId : randomUUID();
      const previous = group.members.get(memberId);
      if (previous) this.remove(group, previous); // a rejoin after fencing starts afresh
      if (request.instanceId !== null) {
        // Static membership: the new instance takes the place of the old one.
        for (const other of group.members.values()) if (other.instanceId === request.instanceId) this.remove(group, other);
      }
      member = {
        memberId, instanceId: request.instanceId, rackId: request.rackId, clientId: client.clientId, clientHost: client.clientHost,
        memberEpoch: 0, previousMemberEpoch: -1, rebalanceTimeoutMs: request.rebalanceTimeoutMs,
        subscribedTopicNames: request.subscribedTopicNames ?? [], subscribedTopicRegex: request.subscribedTopicRegex, serverAssignor: request.serverAssignor,
        assigned: new Map(), revoking: new Map(), timer: undefined,
      };
      group.members.set(memberId, member);
      group.groupEpoch++;
    } else {
      member = group?.members.get(request.memberId);
      if (!group || !member) return fail(KafkaError.UNKNOWN_MEMBER_ID, `member ${request.memberId} is not in group ${request.groupId}`);
      const owned = request.topicPartitions === null ? undefined : fromWire(request.topicPartitions);
      const lostAnswer = request.memberEpoch === member.previousMemberEpoch && owned !== undefined && size(minus(owned, member.assigned)) === 0;
      if (request.memberEpoch !== member.memberEpoch && !lostAnswer) {
        return fail(KafkaError.FENCED_MEMBER_EPOCH, `epoch ${request.memberEpoch} is not the member's epoch ${member.memberEpoch}`);
      }
      let changed = false;
      if (request.subscribedTopicNames !== null && request.subscribedTopicNames.join('\u0000') !== member.subscribedTopicNames.join('\u0000')) {
        member.subscribedTopicNames = request.subscribedTopicNames;
        changed = true;
      }
      if (request.subscribedTopicRegex !== null && request.subscribedTopicRegex !== member.subscribedTopicRegex) {
        member.subscribedTopicRegex = request.subscribedTopicRegex;
        changed = true;
      }
      if (request.serverAssignor !== null && request.serverAssignor !== member.serverAssignor) {
        member.serverAssignor = request.serverAssignor;
        changed = true;
      }
      if (request.rebalanceTimeoutMs >= 0) member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
      if (changed) group.groupEpoch++;
      // The member no longer owns what it stopped reporting: those partitions are free.
      if (owned) member.revoking = new Map([...member.revoking].map(([t, parts]) => [t, new Set([...parts].filter((p) => has(owned, t, p)))]));
    }
    this.keepAlive(group, member);
    await this.refreshTarget(virtualClusterId, group);
    this.reconcile(group, member);
    return {
      throttleTimeMs: 0, errorCode: KafkaError.NONE, errorMessage: null, memberId: member.memberId, memberEpoch: member.memberEpoch,
      heartbeatIntervalMs: this.heartbeatIntervalMs, assignment: { topicPartitions: toWire(member.assigned) },
    };
  }

  async describe(virtualClusterId: string, request: ConsumerGroupDescribeRequest): Promise<ConsumerGroupDescribeResponse> {
    const names = new Map([
      ...INTERNAL_TOPICS.map((i): [string, string] => [i.topicId, i.name]),
      ...(await this.store.listTopics(virtualClusterId, 'live')).map((t): [string, string] => [topicUuid(t), t.name]),
    ]);
    const named = (a: Assignment) => ({ topicPartitions: toWire(a).map((t) => ({ ...t, topicName: names.get(t.topicId) ?? '' })) });
    return {
      throttleTimeMs: 0,
      groups: request.groupIds.map((groupId) => {
        const group = this.get(virtualClusterId, groupId);
        if (!group) {
          return { errorCode: KafkaError.GROUP_ID_NOT_FOUND, errorMessage: `group ${groupId} is not a consumer group here`, groupId, groupState: 'Dead', groupEpoch: -1, assignmentEpoch: -1, assignorName: '', members: [], authorizedOperations: -2147483648 };
        }
        return {
          errorCode: KafkaError.NONE, errorMessage: null, groupId, groupState: stateOf(group), groupEpoch: group.groupEpoch,
          assignmentEpoch: group.assignmentEpoch, assignorName: group.assignor, authorizedOperations: -2147483648,
          members: [...group.members.values()].map((m) => ({
            memberId: m.memberId, instanceId: m.instanceId, rackId: m.rackId, memberEpoch: m.memberEpoch, clientId: m.clientId, clientHost: m.clientHost,
            subscribedTopicNames: m.subscribedTopicNames, subscribedTopicRegex: m.subscribedTopicRegex,
            assignment: named(m.assigned), targetAssignment: named(group.target.get(m.memberId) ?? new Map()),
          })),
        };
      }),
    };
  }

  private keepAlive(group: ConsumerGroup, member: Member): void {
    clearTimeout(member.timer);
    member.timer = setTimeout(() => {
      if (group.members.get(member.memberId) === member) this.remove(group, member);
    }, this.sessionTimeoutMs);
    member.timer.unref();
  }

  private remove(group: ConsumerGroup, member: Member): void {
    clearTimeout(member.timer);
    group.members.delete(member.memberId);
    group.target.delete(member.memberId);
    group.groupEpoch++;
  }

  /** A new target assignment when the group epoch moved, or when the subscribed topics' partitions did. */
  private async refreshTarget(virtualClusterId: string, group: ConsumerGroup): Promise<void> {
    const stored = await this.store.listTopics(virtualClusterId, 'live');
    // Kafka resolves subscriptions against every topic, its internal ones too (empty here).
    const topics = [
      ...stored.map((t) => ({ name: t.name, id: topicUuid(t), partitions: t.partition_count })),
      ...INTERNAL_TOPICS.filter((i) => !stored.some((t) => t.name === i.name)).map((i) => ({ name: i.name, id: i.topicId, partitions: i.partitionCount })),
    ];
    const subscribed = (m: Member) => {
      const regex = m.subscribedTopicRegex === null ? undefined : regexOf(m.subscribedTopicRegex);
      return new Set(topics.filter((t) => m.subscribedTopicNames.includes(t.name) || (regex?.test(t.name) ?? false)).map((t) => t.id));
    };
    const members = [...group.members.values()].map((m) => ({ memberId: m.memberId, topics: subscribed(m), current: union(m.assigned, m.revoking) }));
    const counts = new Map(topics.map((t) => [t.id, t.partitions]));
    const inUse = new Set(members.flatMap((m) => [...m.topics]));
    const topicsKey = [...inUse].sort().map((id) => `${id}:${counts.get(id)}`).join(',');
    if (topicsKey !== group.topicsKey) {
      group.topicsKey = topicsKey;
      if (group.assignmentEpoch === group.groupEpoch) group.groupEpoch++;
    }
    if (group.assignmentEpoch === group.groupEpoch) return;
    // The assignor the members ask for (the first one named), else Kafka's default.
    group.assignor = ([...group.members.values()].map((m) => m.serverAssignor).find((a) => a !== null) as AssignorName | undefined) ?? 'uniform';
    group.target = assign(group.assignor, members, counts);
    group.assignmentEpoch = group.groupEpoch;
  }

  /** Moves the member towards its target: revoke first, then take what no other member still holds. */
  private reconcile(group: ConsumerGroup, member: Member): void {
    const target = group.target.get(member.memberId) ?? new Map();
    if (size(member.revoking) > 0) return; // waiting for the member to let go
    const toRevoke = minus(member.assigned, target);
    if (size(toRevoke) > 0) {
      member.assigned = minus(member.assigned, toRevoke);
      member.revoking = toRevoke;
      return;
    }
    const heldByOthers: Assignment = new Map();
    for (const other of group.members.values()) {
      if (other !== member) for (const a of [other.assigned, other.revoking]) for (const [t, parts] of a) for (const p of parts) (heldByOthers.get(t) ?? heldByOthers.set(t, new Set()).get(t)!).add(p);
    }
    member.assigned = union(member.assigned, minus(minus(target, member.assigned), heldByOthers));
    if (member.memberEpoch !== group.assignmentEpoch) {
      member.previousMemberEpoch = member.memberEpoch;
      member.memberEpoch = group.assignmentEpoch;
    }
  }
}

/** Kafka's consumer group states (ConsumerGroupDescribe, ListGroups). */
function stateOf(group: ConsumerGroup): string {
  if (group.members.size === 0) return 'Empty';
  if (group.assignmentEpoch !== group.groupEpoch) return 'Assigning';
  const settled = [...group.members.values()].every((m) => m.memberEpoch === group.assignmentEpoch && size(m.revoking) === 0 && size(minus(group.target.get(m.memberId) ?? new Map(), m.assigned)) === 0);
  return settled ? 'Stable' : 'Reconciling';
}

/** A subscription regex (Java's RE2J syntax, which JavaScript's covers for topic names), matched whole. */
function regexOf(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    return undefined;
  }
}
