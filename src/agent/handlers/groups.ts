import { ApiKeys } from '../../kafka-protocol/index.ts';
import type { GroupCoordinator } from '../../control-plane/groups/coordinator.ts';
import type { RequestContext } from '../connection.ts';
import type { AgentContext } from '../context.ts';

type GroupMethod<Request, Response> = (virtualClusterId: string, request: Request, apiVersion: number, client: { clientId: string; clientHost: string }) => Promise<Response>;

/**
 * Consumer-group APIs: the coordinator (control plane) holds the groups; the agent passes each
 * request through with the cluster and the client's identity.
 */
export function groupHandlers(groups: GroupCoordinator) {
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
    [ApiKeys.DescribeGroups]: pass(groups.describeGroups),
    [ApiKeys.ListGroups]: pass(groups.listGroups),
    [ApiKeys.DeleteGroups]: pass(groups.deleteGroups),
  };
}
