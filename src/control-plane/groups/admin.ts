/**
 * Group administration: DescribeGroups, ListGroups and DeleteGroups for Kafka clients, and
 * describeAll for the Management API's monitoring. A group known only by its committed offsets
 * is reported as Empty, as Kafka reports a group loaded from its offsets topic with no members.
 */
import type {
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  DescribeGroupsResponseDescribedGroup,
  ListGroupsRequest,
  ListGroupsResponse,
  ListGroupsResponseListedGroup,
} from '../../kafka-protocol/messages.generated.ts';
import type { MetadataStore } from '../../metadata/store.ts';
import { KafkaError } from '../../kafka-protocol/error-codes.ts';
import { EMPTY, type GroupClient, type GroupState } from './group.ts';
import type { GroupRegistry } from './registry.ts';
import type { Rebalancer } from './rebalance.ts';

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

/** DescribeGroups' "authorized operations not requested / not computed". */
const NO_AUTHORIZED_OPERATIONS = -2147483648;

import type { ConsumerGroups } from './consumer/coordinator.ts';
import type { ShareCoordinator } from '../shares/coordinator.ts';

export class GroupAdmin {
  private readonly store: MetadataStore;
  private readonly groups: GroupRegistry;
  private readonly rebalancer: Rebalancer;
  private readonly consumerGroups: ConsumerGroups;
  private readonly shares: ShareCoordinator;

  constructor(store: MetadataStore, groups: GroupRegistry, rebalancer: Rebalancer, consumerGroups: ConsumerGroups, shares: ShareCoordinator) {
    this.store = store;
    this.groups = groups;
    this.rebalancer = rebalancer;
    this.consumerGroups = consumerGroups;
    this.shares = shares;
  }

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
    // Filters are case-insensitive, as in Kafka; v5 filters by type (classic, consumer or share).
    const states = new Set((apiVersion >= 4 ? request.statesFilter : []).map((s) => s.toLowerCase()));
    const types = new Set((apiVersion >= 5 ? request.typesFilter : []).map((s) => s.toLowerCase()));
    const consumer = new Map(this.consumerGroups.list(virtualClusterId).map((g) => [g.groupId, g.state]));
    const listed: ListGroupsResponseListedGroup[] = [
      ...(await this.describeAll(virtualClusterId)).filter((g) => !consumer.has(g.name)).map((g) => ({
        groupId: g.name,
        protocolType: g.protocolType,
        groupState: g.state,
        groupType: 'classic',
      })),
      // KIP-848 groups (consumer-group/coordinator.ts): their offsets are listed as theirs.
      ...[...consumer].map(([groupId, state]) => ({ groupId, protocolType: 'consumer', groupState: state, groupType: 'consumer' })),
      // KIP-932 share groups (shares/coordinator.ts).
      ...(await this.shares.list(virtualClusterId)).map((g) => ({ groupId: g.groupId, protocolType: 'share', groupState: g.state, groupType: 'share' })),
    ];
    const groups = listed.filter(
      (g) => (states.size === 0 || states.has(g.groupState.toLowerCase())) && (types.size === 0 || types.has(g.groupType)),
    );
    return { throttleTimeMs: 0, errorCode: KafkaError.NONE, groups };
  }

  /** Deletes groups without members, with their committed offsets. */
  async deleteGroups(virtualClusterId: string, request: DeleteGroupsRequest, _apiVersion: number, _client: GroupClient): Promise<DeleteGroupsResponse> {
    const results = [];
    for (const groupId of new Set(request.groupsNames)) {
      const share = await this.shares.delete(virtualClusterId, groupId);
      if (share !== undefined) {
        results.push({ groupId, errorCode: share });
        continue;
      }
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
