/**
 * Share groups' membership (KIP-932, ShareGroupHeartbeat and ShareGroupDescribe), free of
 * sockets. A share group's members do not own partitions: any number of them read the same
 * partition, the share-partition (share-partition.ts) handing each record to one member at a
 * time. So the assignment is simple — every member is assigned every partition of the topics
 * it subscribes to — and there is no revocation to wait for: a member takes its assignment at
 * once, at the group's epoch.
 *
 * Membership lives in memory, like the consumer groups' (groups/consumer/): this process
 * coordinates every share group it is asked about. A member that stops heartbeating is removed
 * after the group's share.session.timeout.ms; what it held is released (`onLeave`).
 */
import type {
  ShareGroupDescribeRequest, ShareGroupDescribeResponse, ShareGroupHeartbeatRequest, ShareGroupHeartbeatResponse,
} from '../../kafka-protocol/messages.generated.ts';
import { KafkaError } from '../../kafka-protocol/error-codes.ts';
import type { MetadataStore } from '../../metadata/store.ts';
import { topicUuid } from '../../agent-rpc/contract.ts';
import { groupConfig } from './configs.ts';

export interface ShareGroupOptions {
  /** Overrides share.heartbeat.interval.ms for groups that do not set it (tests use less). */
  heartbeatIntervalMs?: number;
  /** Overrides share.session.timeout.ms for groups that do not set it. */
  sessionTimeoutMs?: number;
}

interface Member {
  memberId: string;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  memberEpoch: number;
  subscribedTopicNames: string[];
  /** Topic id (UUID) → partitions, as last answered. */
  assignment: Array<{ topicId: string; topicName: string; partitions: number[] }>;
  timer: NodeJS.Timeout | undefined;
}

export interface ShareGroup {
  groupId: string;
  groupEpoch: number;
  members: Map<string, Member>;
}

type Client = { clientId: string; clientHost: string };

/** Kafka's share group member id rule (ShareGroupHeartbeat v1): the client makes it, 1 to 36 characters. */
const MAX_MEMBER_ID_LENGTH = 36;

export class ShareGroupMembership {
  private readonly store: MetadataStore;
  private readonly options: ShareGroupOptions;
  private readonly onLeave: (virtualClusterId: string, groupId: string, memberId: string) => void;
  /** virtual cluster id → group id → group. */
  private readonly clusters = new Map<string, Map<string, ShareGroup>>();

  constructor(store: MetadataStore, options: ShareGroupOptions, onLeave: (virtualClusterId: string, groupId: string, memberId: string) => void) {
    this.store = store;
    this.options = options;
    this.onLeave = onLeave;
  }

  get(virtualClusterId: string, groupId: string): ShareGroup | undefined {
    return this.clusters.get(virtualClusterId)?.get(groupId);
  }

  isMember(virtualClusterId: string, groupId: string, memberId: string): boolean {
    return this.get(virtualClusterId, groupId)?.members.has(memberId) ?? false;
  }

  /** The cluster's share groups held in memory (some may be Empty). */
  list(virtualClusterId: string): ShareGroup[] {
    return [...(this.clusters.get(virtualClusterId)?.values() ?? [])];
  }

  /** Forgets a group without members (DeleteGroups). */
  forget(virtualClusterId: string, groupId: string): void {
    this.clusters.get(virtualClusterId)?.delete(groupId);
  }

  close(): void {
    for (const groups of this.clusters.values()) for (const g of groups.values()) for (const m of g.members.values()) clearTimeout(m.timer);
    this.clusters.clear();
  }

  async heartbeat(virtualClusterId: string, request: ShareGroupHeartbeatRequest, client: Client): Promise<ShareGroupHeartbeatResponse> {
    const fail = (errorCode: number, errorMessage: string): ShareGroupHeartbeatResponse => ({
      throttleTimeMs: 0, errorCode, errorMessage, memberId: null, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null,
    });
    if (request.groupId === '') return fail(KafkaError.INVALID_REQUEST, 'the group id is empty');
    if (request.memberId === '' || request.memberId.length > MAX_MEMBER_ID_LENGTH) {
      return fail(KafkaError.INVALID_REQUEST, `the member id must be 1 to ${MAX_MEMBER_ID_LENGTH} characters, made by the client`);
    }
    let groups = this.clusters.get(virtualClusterId);
    if (!groups) this.clusters.set(virtualClusterId, (groups = new Map()));
    let group = groups.get(request.groupId);

    if (request.memberEpoch === -1) {
      const member = group?.members.get(request.memberId);
      if (group && member) this.remove(virtualClusterId, group, member);
      return { throttleTimeMs: 0, errorCode: KafkaError.NONE, errorMessage: null, memberId: request.memberId, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null };
    }
    const configs = (await this.store.shares.getGroupConfigs(virtualClusterId, request.groupId))?.configs;
    let member: Member | undefined;
    if (request.memberEpoch === 0) {
      if (request.subscribedTopicNames === null || request.subscribedTopicNames.length === 0) {
        return fail(KafkaError.INVALID_REQUEST, 'a joining member names the topics it subscribes to');
      }
      if (!group) groups.set(request.groupId, (group = { groupId: request.groupId, groupEpoch: 0, members: new Map() }));
      const previous = group.members.get(request.memberId);
      if (previous) this.remove(virtualClusterId, group, previous); // a rejoin starts afresh
      member = {
        memberId: request.memberId, rackId: request.rackId, clientId: client.clientId, clientHost: client.clientHost,
        memberEpoch: 0, subscribedTopicNames: [...request.subscribedTopicNames], assignment: [], timer: undefined,
      };
      group.members.set(member.memberId, member);
      group.groupEpoch++;
    } else {
      member = group?.members.get(request.memberId);
      if (!group || !member) return fail(KafkaError.UNKNOWN_MEMBER_ID, `member ${request.memberId} is not in share group ${request.groupId}`);
      if (request.memberEpoch !== member.memberEpoch) {
        return fail(KafkaError.FENCED_MEMBER_EPOCH, `epoch ${request.memberEpoch} is not the member's epoch ${member.memberEpoch}`);
      }
      if (request.subscribedTopicNames !== null && request.subscribedTopicNames.join('\u0000') !== member.subscribedTopicNames.join('\u0000')) {
        member.subscribedTopicNames = [...request.subscribedTopicNames];
        group.groupEpoch++;
      }
    }
    this.keepAlive(virtualClusterId, group, member, Number(this.options.sessionTimeoutMs ?? groupConfig(configs, 'share.session.timeout.ms')));
    // Every member has every partition of its topics: the assignment follows the topics as they
    // are now (a new partition, a deleted topic), and a change moves the member's epoch.
    const topics = await this.store.listTopics(virtualClusterId, 'live');
    const assignment = topics
      .filter((t) => member.subscribedTopicNames.includes(t.name))
      .map((t) => ({ topicId: topicUuid(t), topicName: t.name, partitions: Array.from({ length: t.partition_count }, (_, p) => p) }));
    if (member.memberEpoch === 0 || JSON.stringify(assignment) !== JSON.stringify(member.assignment)) {
      if (member.memberEpoch !== 0) group.groupEpoch++;
      member.assignment = assignment;
      member.memberEpoch = group.groupEpoch;
    }
    return {
      throttleTimeMs: 0, errorCode: KafkaError.NONE, errorMessage: null, memberId: member.memberId, memberEpoch: member.memberEpoch,
      heartbeatIntervalMs: Number(this.options.heartbeatIntervalMs ?? groupConfig(configs, 'share.heartbeat.interval.ms')),
      assignment: { topicPartitions: member.assignment.map(({ topicId, partitions }) => ({ topicId, partitions })) },
    };
  }

  describe(virtualClusterId: string, request: ShareGroupDescribeRequest, known: (groupId: string) => boolean): ShareGroupDescribeResponse {
    return {
      throttleTimeMs: 0,
      groups: request.groupIds.map((groupId) => {
        const group = this.get(virtualClusterId, groupId);
        if (!group && !known(groupId)) {
          return {
            errorCode: KafkaError.GROUP_ID_NOT_FOUND, errorMessage: `group ${groupId} is not a share group here`, groupId, groupState: 'Dead',
            groupEpoch: -1, assignmentEpoch: -1, assignorName: '', members: [], authorizedOperations: -2147483648,
          };
        }
        return {
          errorCode: KafkaError.NONE, errorMessage: null, groupId, groupState: shareGroupState(group),
          groupEpoch: group?.groupEpoch ?? 0, assignmentEpoch: group?.groupEpoch ?? 0, assignorName: 'simple', authorizedOperations: -2147483648,
          members: [...(group?.members.values() ?? [])].map((m) => ({
            memberId: m.memberId, rackId: m.rackId, memberEpoch: m.memberEpoch, clientId: m.clientId, clientHost: m.clientHost,
            subscribedTopicNames: m.subscribedTopicNames, assignment: { topicPartitions: m.assignment },
          })),
        };
      }),
    };
  }

  private keepAlive(virtualClusterId: string, group: ShareGroup, member: Member, sessionTimeoutMs: number): void {
    clearTimeout(member.timer);
    member.timer = setTimeout(() => {
      if (group.members.get(member.memberId) === member) this.remove(virtualClusterId, group, member);
    }, sessionTimeoutMs);
    member.timer.unref();
  }

  private remove(virtualClusterId: string, group: ShareGroup, member: Member): void {
    clearTimeout(member.timer);
    group.members.delete(member.memberId);
    group.groupEpoch++;
    this.onLeave(virtualClusterId, group.groupId, member.memberId);
  }
}

/** Kafka's share group states: Empty without members, else Stable (no reconciliation to wait for). */
export function shareGroupState(group: ShareGroup | undefined): 'Empty' | 'Stable' {
  return group && group.members.size > 0 ? 'Stable' : 'Empty';
}
