import { ApiKeys } from '../../kafka-protocol/index.ts';
import { allOperationsField } from '../../acls/index.ts';
import type { DescribeGroupsRequest, DescribeGroupsResponse } from '../../kafka-protocol/index.ts';
import type { GroupApi } from '../../agent-rpc/contract.ts';
import { KafkaError } from '../kafka-errors.ts';
import type { RequestContext } from '../connection.ts';
import type { AgentContext } from '../context.ts';

type GroupMethod<Request, Response> = (virtualClusterId: string, request: Request, apiVersion: number, client: { clientId: string; clientHost: string }) => Promise<Response>;

/**
 * Consumer-group APIs: the coordinator (control plane) holds the groups; the agent passes each
 * request through with the cluster and the client's identity.
 */
export function groupHandlers(groups: GroupApi) {
  const pass =
    <Request, Response>(method: GroupMethod<Request, Response>) =>
    (agent: AgentContext, body: Request, context: RequestContext): Promise<Response> =>
      method.call(groups, agent.cluster.id, body, context.apiVersion, { clientId: context.clientId, clientHost: context.clientHost });
  return {
    [ApiKeys.JoinGroup]: pass(groups.joinGroup),
    [ApiKeys.SyncGroup]: pass(groups.syncGroup),
    [ApiKeys.Heartbeat]: pass(groups.heartbeat),
    [ApiKeys.LeaveGroup]: pass(groups.leaveGroup),
    [ApiKeys.OffsetCommit]: pass(groups.offsetCommit),
    [ApiKeys.OffsetFetch]: pass(groups.offsetFetch),
    [ApiKeys.OffsetDelete]: pass(groups.offsetDelete),
    [ApiKeys.DescribeGroups]: async (agent: AgentContext, body: DescribeGroupsRequest, context: RequestContext): Promise<DescribeGroupsResponse> => {
      const answer = await pass(groups.describeGroups)(agent, body, context);
      if (context.apiVersion < 3 || !body.includeAuthorizedOperations) return answer;
      // Kafka's answer without an authorizer, for groups described without error; serveWithAcls
      // narrows it when the cluster enforces ACLs.
      const all = allOperationsField('GROUP');
      return { ...answer, groups: answer.groups.map((g) => (g.errorCode === KafkaError.NONE ? { ...g, authorizedOperations: all } : g)) };
    },
    [ApiKeys.ListGroups]: pass(groups.listGroups),
    [ApiKeys.DeleteGroups]: pass(groups.deleteGroups),
  };
}
