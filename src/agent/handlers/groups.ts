import { ApiKeys } from '../../kafka-protocol/index.ts';
import { OPERATIONS_NOT_REQUESTED, allOperationsField } from '../../acls/index.ts';
import type {
  ConsumerGroupDescribeRequest, ConsumerGroupHeartbeatRequest, DeleteGroupsRequest, DescribeGroupsRequest, DescribeGroupsResponse, ListGroupsRequest,
} from '../../kafka-protocol/index.ts';
import type { GroupApi } from '../../agent-rpc/contract.ts';
import { KafkaError } from '../kafka-errors.ts';
import type { RequestContext } from '../connection.ts';
import type { AgentContext } from '../context.ts';
import type { AclDecider } from '../acl.ts';
import { checkOf, kafkaApi, serveAllowed, type Authorization, type Authorize, type Handle, type KafkaApi } from '../authorize.ts';

type GroupMethod<Request, Response> = (virtualClusterId: string, request: Request, apiVersion: number, client: { clientId: string; clientHost: string }) => Promise<Response>;

/**
 * Consumer-group APIs: the coordinator (control plane) holds the groups; the agent passes each
 * request through with the cluster and the client's identity. Committed offsets are in
 * group-offsets.ts.
 */
export function passTo<Request, Response>(groups: GroupApi, method: GroupMethod<Request, Response>) {
  return (agent: AgentContext, body: Request, context: RequestContext): Promise<Response> =>
    method.call(groups, agent.cluster.id, body, context.apiVersion, { clientId: context.clientId, clientHost: context.clientHost });
}

export function groupApis(groups: GroupApi): Record<number, KafkaApi> {
  return {
    [ApiKeys.JoinGroup]: kafkaApi(passTo(groups, groups.joinGroup), authorizeMember('JoinGroup', () => ({
      generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId: '', members: [],
    }))),
    [ApiKeys.SyncGroup]: kafkaApi(passTo(groups, groups.syncGroup), authorizeMember('SyncGroup', () => ({ protocolType: null, protocolName: null, assignment: EMPTY }))),
    [ApiKeys.Heartbeat]: kafkaApi(passTo(groups, groups.heartbeat), authorizeMember('Heartbeat', () => ({}))),
    [ApiKeys.LeaveGroup]: kafkaApi(passTo(groups, groups.leaveGroup), authorizeMember('LeaveGroup', () => ({ members: [] }))),
    [ApiKeys.DescribeGroups]: kafkaApi(describeGroups(groups), authorizeDescribeGroups),
    [ApiKeys.ListGroups]: kafkaApi(passTo(groups, groups.listGroups), authorizeListGroups),
    [ApiKeys.DeleteGroups]: kafkaApi(passTo(groups, groups.deleteGroups), authorizeDeleteGroups),
    [ApiKeys.ConsumerGroupHeartbeat]: kafkaApi(passTo(groups, groups.consumerGroupHeartbeat), authorizeConsumerGroupHeartbeat),
    [ApiKeys.ConsumerGroupDescribe]: kafkaApi(passTo(groups, groups.consumerGroupDescribe), authorizeConsumerGroupDescribe),
  };
}

function describeGroups(groups: GroupApi): Handle<DescribeGroupsRequest> {
  const pass = passTo(groups, groups.describeGroups);
  return async (agent, body, context): Promise<DescribeGroupsResponse> => {
    const answer = await pass(agent, body, context);
    if (context.apiVersion < 3 || !body.includeAuthorizedOperations) return answer;
    // Kafka's answer without an authorizer, for groups described without error; authorizeDescribeGroups
    // narrows it when the cluster enforces ACLs.
    const all = allOperationsField('GROUP');
    return { ...answer, groups: answer.groups.map((g) => (g.errorCode === KafkaError.NONE ? { ...g, authorizedOperations: all } : g)) };
  };
}

const EMPTY = Buffer.alloc(0);
const GROUP_DENIED = KafkaError.GROUP_AUTHORIZATION_FAILED;

/** A group member's APIs need READ on the group; a refusal is the whole answer (`fields` besides the error). */
function authorizeMember<Request extends { groupId: string }>(api: 'JoinGroup' | 'SyncGroup' | 'Heartbeat' | 'LeaveGroup', fields: () => object): Authorize<Request> {
  const read = checkOf(api, 'group', 'always');
  return (acls, request) => (acls.allows(read, request.groupId) ? { request } : { answer: { throttleTimeMs: 0, errorCode: GROUP_DENIED, ...fields() } });
}

const DESCRIBE = checkOf('DescribeGroups', 'group', 'always');
const LIST = checkOf('ListGroups', 'group', 'all');
const DELETE = checkOf('DeleteGroups', 'group', 'always');

/** DescribeGroups under ACLs: DESCRIBE on each group; authorizedOperations (v3+, when asked for) only for groups described without error, as Kafka. */
export function authorizeDescribeGroups(acls: AclDecider, request: DescribeGroupsRequest, context: RequestContext): Authorization<DescribeGroupsRequest> {
  const operations = context.apiVersion >= 3 && request.includeAuthorizedOperations;
  return {
    request,
    narrow: (answer) => ({
      ...answer,
      groups: answer.groups.map((g: { groupId: string; errorCode: number }) => {
        if (!acls.allows(DESCRIBE, g.groupId)) {
          return { errorCode: GROUP_DENIED, groupId: g.groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: OPERATIONS_NOT_REQUESTED };
        }
        return operations && g.errorCode === KafkaError.NONE ? { ...g, authorizedOperations: acls.authorizedOperations('GROUP', g.groupId) } : g;
      }),
    }),
  };
}

/** ListGroups under ACLs: DESCRIBE on the cluster lists every group, otherwise those the principal may describe. */
export function authorizeListGroups(acls: AclDecider, request: ListGroupsRequest): Authorization<ListGroupsRequest> {
  return { request, narrow: (answer) => ({ ...answer, groups: answer.groups.filter((g: { groupId: string }) => acls.allows(LIST, g.groupId)) }) };
}

/** DeleteGroups under ACLs: DELETE on each group (KafkaApis.handleDeleteGroupsRequest); a group named twice is answered once, as there. */
export function authorizeDeleteGroups(acls: AclDecider, request: DeleteGroupsRequest): Authorization<DeleteGroupsRequest> {
  const allowed = request.groupsNames.filter((g) => acls.allows(DELETE, g));
  const refused = [...new Set(request.groupsNames.filter((g) => !allowed.includes(g)))];
  const refusals = refused.map((groupId) => ({ groupId, errorCode: GROUP_DENIED }));
  return serveAllowed(request, { allowed, refusals }, (groupsNames) => ({ ...request, groupsNames }), 'results', { throttleTimeMs: 0, results: [] });
}

const CONSUMER_HEARTBEAT = checkOf('ConsumerGroupHeartbeat', 'group', 'always');
const CONSUMER_DESCRIBE = checkOf('ConsumerGroupDescribe', 'group', 'always');

/** ConsumerGroupHeartbeat under ACLs: READ on the group. */
export function authorizeConsumerGroupHeartbeat(acls: AclDecider, request: ConsumerGroupHeartbeatRequest): Authorization<ConsumerGroupHeartbeatRequest> {
  if (acls.allows(CONSUMER_HEARTBEAT, request.groupId)) return { request };
  return { answer: { throttleTimeMs: 0, errorCode: GROUP_DENIED, errorMessage: null, memberId: null, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null } };
}

/** ConsumerGroupDescribe under ACLs: DESCRIBE on each group. */
export function authorizeConsumerGroupDescribe(acls: AclDecider, request: ConsumerGroupDescribeRequest): Authorization<ConsumerGroupDescribeRequest> {
  return {
    request,
    narrow: (answer) => ({
      ...answer,
      groups: answer.groups.map((g: { groupId: string }) => acls.allows(CONSUMER_DESCRIBE, g.groupId) ? g : {
        errorCode: GROUP_DENIED, errorMessage: null, groupId: g.groupId, groupState: '', groupEpoch: -1, assignmentEpoch: -1, assignorName: '', members: [], authorizedOperations: -2147483648,
      }),
    }),
  };
}
