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
 *
 * This class is the one face of the pieces beside it: group.ts (one group's state), registry.ts
 * (the groups held), rebalance.ts (the state machine and its timers), join.ts (JoinGroup),
 * membership.ts (SyncGroup, Heartbeat, LeaveGroup), offsets.ts (committed offsets) and admin.ts
 * (describe, list, delete) — and of the new protocol's groups (consumer/, KIP-848).
 */
import type {
  ConsumerGroupDescribeRequest,
  ConsumerGroupDescribeResponse,
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponse,
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  ListGroupsRequest,
  ListGroupsResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetDeleteRequest,
  OffsetDeleteResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  SyncGroupRequest,
  SyncGroupResponse,
  AlterShareGroupOffsetsRequest, AlterShareGroupOffsetsResponse, DeleteShareGroupOffsetsRequest, DeleteShareGroupOffsetsResponse,
  DescribeShareGroupOffsetsRequest, DescribeShareGroupOffsetsResponse, ShareGroupDescribeRequest, ShareGroupDescribeResponse,
  ShareGroupHeartbeatRequest, ShareGroupHeartbeatResponse,
} from '../../kafka-protocol/messages.generated.ts';
import type { MetadataStore } from '../../metadata/store.ts';
import type { GroupClient } from './group.ts';
import { GroupRegistry } from './registry.ts';
import { Rebalancer } from './rebalance.ts';
import { Joins } from './join.ts';
import { Membership } from './membership.ts';
import { CommittedOffsets } from './offsets.ts';
import { GroupAdmin, type GroupDescription } from './admin.ts';
import { ConsumerGroups, type ConsumerGroupOptions } from './consumer/coordinator.ts';
import { ShareCoordinator, type ShareGroupOptions } from '../shares/coordinator.ts';
import { KafkaError } from '../../kafka-protocol/error-codes.ts';
import { joinResponse } from './responses.ts';

export type { GroupClient, GroupState } from './group.ts';
export type { GroupDescription } from './admin.ts';

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
  /** The new protocol's (KIP-848) heartbeat interval and session timeout. */
  consumer?: ConsumerGroupOptions;
  /** Share groups' (KIP-932) heartbeat interval and session timeout, over their group configs. */
  share?: ShareGroupOptions;
}

export class GroupCoordinator {
  private readonly rebalancer: Rebalancer;
  private readonly joins: Joins;
  private readonly membership: Membership;
  private readonly offsets: CommittedOffsets;
  private readonly admin: GroupAdmin;
  private readonly consumerGroups: ConsumerGroups;
  private readonly registry: GroupRegistry;
  /** Share groups (KIP-932): their membership here, their records through `ShareApi`. */
  readonly shares: ShareCoordinator;

  constructor(store: MetadataStore, options: GroupCoordinatorOptions = {}) {
    this.consumerGroups = new ConsumerGroups(store, options.consumer);
    this.shares = new ShareCoordinator(store, options.share);
    const groups = new GroupRegistry();
    this.registry = groups;
    this.rebalancer = new Rebalancer(groups, {
      initialRebalanceDelayMs: options.initialRebalanceDelayMs ?? 0,
      newMemberJoinTimeoutMs: options.newMemberJoinTimeoutMs ?? 300_000,
    });
    this.joins = new Joins(groups, this.rebalancer, {
      minSessionTimeoutMs: options.minSessionTimeoutMs ?? 6000,
      maxSessionTimeoutMs: options.maxSessionTimeoutMs ?? 1_800_000,
    });
    this.membership = new Membership(groups, this.rebalancer);
    this.offsets = new CommittedOffsets(store, groups, this.rebalancer, this.consumerGroups, options.now ?? Date.now);
    this.admin = new GroupAdmin(store, groups, this.rebalancer, this.consumerGroups, this.shares);
  }

  /** Clears every timer and answers every waiting JoinGroup/SyncGroup with NOT_COORDINATOR (clients look the coordinator up again). */
  close(): void {
    this.rebalancer.close();
    this.consumerGroups.close();
    this.shares.close();
  }

  /** KIP-932: a share group member joining, heartbeating or leaving (shares/membership.ts). */
  shareGroupHeartbeat(virtualClusterId: string, request: ShareGroupHeartbeatRequest, _apiVersion: number, client: GroupClient): Promise<ShareGroupHeartbeatResponse> {
    // As Kafka: a group id of another type in use is not a share group.
    const taken = this.classicInUse(virtualClusterId, request.groupId) || (this.consumerGroups.get(virtualClusterId, request.groupId)?.members.size ?? 0) > 0;
    if (taken) {
      return Promise.resolve({
        throttleTimeMs: 0, errorCode: KafkaError.GROUP_ID_NOT_FOUND, errorMessage: `group ${request.groupId} is a consumer group with members, not a share group`,
        memberId: null, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null,
      });
    }
    return this.shares.heartbeat(virtualClusterId, request, client);
  }

  shareGroupDescribe(virtualClusterId: string, request: ShareGroupDescribeRequest, _apiVersion: number, _client: GroupClient): Promise<ShareGroupDescribeResponse> {
    return this.shares.describe(virtualClusterId, request);
  }

  describeShareGroupOffsets(virtualClusterId: string, request: DescribeShareGroupOffsetsRequest, apiVersion: number, _client: GroupClient): Promise<DescribeShareGroupOffsetsResponse> {
    return this.shares.describeOffsets(virtualClusterId, request, apiVersion);
  }

  alterShareGroupOffsets(virtualClusterId: string, request: AlterShareGroupOffsetsRequest, _apiVersion: number, _client: GroupClient): Promise<AlterShareGroupOffsetsResponse> {
    return this.shares.alterOffsets(virtualClusterId, request);
  }

  deleteShareGroupOffsets(virtualClusterId: string, request: DeleteShareGroupOffsetsRequest, _apiVersion: number, _client: GroupClient): Promise<DeleteShareGroupOffsetsResponse> {
    return this.shares.deleteOffsets(virtualClusterId, request);
  }

  /** KIP-848's one call of a member (joining, heartbeating, leaving): consumer/coordinator.ts. */
  consumerGroupHeartbeat(virtualClusterId: string, request: ConsumerGroupHeartbeatRequest, apiVersion: number, client: GroupClient): Promise<ConsumerGroupHeartbeatResponse> {
    if (this.classicInUse(virtualClusterId, request.groupId) || this.shareInUse(virtualClusterId, request.groupId)) {
      return Promise.resolve({
        throttleTimeMs: 0, errorCode: KafkaError.GROUP_ID_NOT_FOUND, errorMessage: `group ${request.groupId} is a classic or share group with members`,
        memberId: null, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null,
      });
    }
    return this.consumerGroups.heartbeat(virtualClusterId, request, apiVersion, client);
  }

  consumerGroupDescribe(virtualClusterId: string, request: ConsumerGroupDescribeRequest, _apiVersion: number, _client: GroupClient): Promise<ConsumerGroupDescribeResponse> {
    return this.consumerGroups.describe(virtualClusterId, request);
  }

  /** A share group of that id with members: it is no consumer group. */
  private shareInUse(virtualClusterId: string, groupId: string): boolean {
    return this.shares.hasMembers(virtualClusterId, groupId);
  }

  /** A classic group of that id with members: the two protocols do not share a group (no online migration yet). */
  private classicInUse(virtualClusterId: string, groupId: string): boolean {
    return (this.registry.get(virtualClusterId, groupId)?.members.size ?? 0) > 0;
  }

  joinGroup(virtualClusterId: string, request: JoinGroupRequest, apiVersion: number, client: GroupClient): Promise<JoinGroupResponse> {
    // A KIP-848 or share group with members takes no classic members (Kafka's answer without online migration).
    if ((this.consumerGroups.get(virtualClusterId, request.groupId)?.members.size ?? 0) > 0 || this.shareInUse(virtualClusterId, request.groupId)) {
      return Promise.resolve(joinResponse(apiVersion, { errorCode: KafkaError.INCONSISTENT_GROUP_PROTOCOL, memberId: request.memberId }));
    }
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

  offsetCommit(virtualClusterId: string, request: OffsetCommitRequest, apiVersion: number, client: GroupClient): Promise<OffsetCommitResponse> {
    return this.offsets.offsetCommit(virtualClusterId, request, apiVersion, client);
  }

  /** Whether a member (or, with generation -1, an outsider) may commit offsets of the group now: an error code, or NONE. */
  offsetCommitError(virtualClusterId: string, groupId: string, generationId: number, memberId: string, groupInstanceId: string | null): number {
    return this.offsets.offsetCommitError(virtualClusterId, groupId, generationId, memberId, groupInstanceId);
  }

  offsetFetch(virtualClusterId: string, request: OffsetFetchRequest, apiVersion: number, client: GroupClient): Promise<OffsetFetchResponse> {
    return this.offsets.offsetFetch(virtualClusterId, request, apiVersion, client);
  }

  offsetDelete(virtualClusterId: string, request: OffsetDeleteRequest, apiVersion: number, client: GroupClient): Promise<OffsetDeleteResponse> {
    return this.offsets.offsetDelete(virtualClusterId, request, apiVersion, client);
  }

  describeGroups(virtualClusterId: string, request: DescribeGroupsRequest, apiVersion: number, client: GroupClient): Promise<DescribeGroupsResponse> {
    return this.admin.describeGroups(virtualClusterId, request, apiVersion, client);
  }

  listGroups(virtualClusterId: string, request: ListGroupsRequest, apiVersion: number, client: GroupClient): Promise<ListGroupsResponse> {
    return this.admin.listGroups(virtualClusterId, request, apiVersion, client);
  }

  deleteGroups(virtualClusterId: string, request: DeleteGroupsRequest, apiVersion: number, client: GroupClient): Promise<DeleteGroupsResponse> {
    return this.admin.deleteGroups(virtualClusterId, request, apiVersion, client);
  }

  /** Every group of the cluster: live ones and those known only by committed offsets (Empty), by name. */
  describeAll(virtualClusterId: string): Promise<GroupDescription[]> {
    return this.admin.describeAll(virtualClusterId);
  }
}
