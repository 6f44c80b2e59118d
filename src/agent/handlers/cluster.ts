import type { BodyInput } from '../../kafka-protocol/codec.ts';
import type {
  DescribeClusterRequest,
  DescribeClusterResponse,
  FindCoordinatorRequest,
  FindCoordinatorResponse,
  InitProducerIdRequest,
  InitProducerIdResponse,
} from '../../kafka-protocol/index.ts';
import type { RequestContext } from '../connection.ts';
import type { AgentContext } from '../context.ts';
import { KafkaError } from '../kafka-errors.ts';
import { OPERATIONS_NOT_REQUESTED, allOperationsField } from '../../acls/index.ts';
import { leaderFor } from '../brokers.ts';
import type { AclDecider } from '../acl.ts';
import { checkOf, type Authorization } from '../authorize.ts';

/**
 * FindCoordinator: any agent coordinates any group or transactional id (every agent passes
 * group and transaction requests to the control plane's one coordinator), so a coordinator is
 * a stable pick among the live agents — keys spread over them, and one moves only when its
 * agent goes.
 */
export async function handleFindCoordinator(agent: AgentContext, request: FindCoordinatorRequest, context: RequestContext): Promise<BodyInput<FindCoordinatorResponse>> {
  const brokers = agent.brokers(context.clientId);
  const kind = request.keyType === 0 ? 'group' : request.keyType === 1 ? 'transaction' : undefined;
  const coordinatorOf = (key: string) => {
    const { nodeId, host, port } = leaderFor(brokers, `${kind}:${key}`);
    return { nodeId, host, port };
  };
  const refusal = { nodeId: -1, host: '', port: -1, errorCode: KafkaError.INVALID_REQUEST, errorMessage: `unknown coordinator key type ${request.keyType}` };
  if (context.apiVersion >= 4) {
    return {
      throttleTimeMs: 0,
      coordinators: request.coordinatorKeys.map((key) => (kind ? { key, ...coordinatorOf(key), errorCode: KafkaError.NONE, errorMessage: null } : { key, ...refusal })),
    };
  }
  if (!kind) return { throttleTimeMs: 0, ...refusal };
  return { throttleTimeMs: 0, errorCode: KafkaError.NONE, errorMessage: null, ...coordinatorOf(request.key) };
}

/**
 * InitProducerId: with a transactional id, the control plane's transaction coordinator (a new
 * epoch that fences older instances); without, a new idempotent producer id (epoch 0), or for a
 * producer that has one the next epoch of it (KIP-360).
 */
export async function handleInitProducerId(agent: AgentContext, request: InitProducerIdRequest, context: RequestContext): Promise<BodyInput<InitProducerIdResponse>> {
  if (request.transactionalId !== null) return agent.controlPlane.transactions.initProducerId(agent.cluster.id, request, context.apiVersion);
  const current = request.producerId >= 0n ? { producer_id: Number(request.producerId), producer_epoch: request.producerEpoch } : null;
  const producer = await agent.controlPlane.initProducerId(agent.cluster.id, current);
  return { throttleTimeMs: 0, errorCode: KafkaError.NONE, producerId: BigInt(producer.producer_id), producerEpoch: producer.producer_epoch };
}

/**
 * DescribeCluster: the cluster's live agents are its brokers (the lowest node id stands in for
 * the controller, which a leaderless cluster does not have). clusterAuthorizedOperations, when
 * asked for, is Kafka's answer without an authorizer (every supported cluster operation);
 * authorizeDescribeCluster narrows it when the cluster enforces ACLs.
 */
export async function handleDescribeCluster(agent: AgentContext, request: DescribeClusterRequest, context: RequestContext): Promise<BodyInput<DescribeClusterResponse>> {
  const brokers = agent.brokers(context.clientId);
  return {
    throttleTimeMs: 0,
    errorCode: KafkaError.NONE,
    errorMessage: null,
    endpointType: 1,
    clusterId: agent.cluster.id,
    controllerId: brokers[0]!.nodeId,
    brokers: brokers.map(({ nodeId, host, port, rack }) => ({ brokerId: nodeId, host, port, rack })),
    clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? allOperationsField('CLUSTER') : OPERATIONS_NOT_REQUESTED,
  };
}


const GROUP_KEY = checkOf('FindCoordinator', 'group', 'group-key');
const TRANSACTION_KEY = checkOf('FindCoordinator', 'transactional-id', 'transaction-key');

/** FindCoordinator under ACLs: DESCRIBE on each group (or transactional id) asked about. */
export function authorizeFindCoordinator(acls: AclDecider, request: FindCoordinatorRequest, context: RequestContext): Authorization<FindCoordinatorRequest> {
  const transactional = request.keyType === 1;
  const check = transactional ? TRANSACTION_KEY : GROUP_KEY;
  const errorCode = transactional ? KafkaError.TRANSACTIONAL_ID_AUTHORIZATION_FAILED : KafkaError.GROUP_AUTHORIZATION_FAILED;
  if (context.apiVersion < 4) {
    if (acls.allows(check, request.key)) return { request };
    return { answer: { throttleTimeMs: 0, errorCode, errorMessage: null, nodeId: -1, host: '', port: -1, coordinators: [] } };
  }
  return {
    request,
    narrow: (answer) => ({
      ...answer,
      coordinators: answer.coordinators.map((c: { key: string }) =>
        acls.allows(check, c.key) ? c : { key: c.key, nodeId: -1, host: '', port: -1, errorCode, errorMessage: null }),
    }),
  };
}

const TRANSACTIONAL = checkOf('InitProducerId', 'transactional-id', 'transactional');
const IDEMPOTENT = checkOf('InitProducerId', 'cluster', 'idempotent');

/** InitProducerId under ACLs: WRITE on the transactional id, or for an idempotent producer IDEMPOTENT_WRITE on the cluster or WRITE on any topic. */
export function authorizeInitProducerId(acls: AclDecider, request: InitProducerIdRequest): Authorization<InitProducerIdRequest> {
  const transactional = request.transactionalId !== null;
  if (transactional ? acls.allows(TRANSACTIONAL, request.transactionalId!) : acls.allows(IDEMPOTENT)) return { request };
  const errorCode = transactional ? KafkaError.TRANSACTIONAL_ID_AUTHORIZATION_FAILED : KafkaError.CLUSTER_AUTHORIZATION_FAILED;
  return { answer: { throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 } };
}

const DESCRIBE_CLUSTER = checkOf('DescribeCluster', 'cluster', 'authorized-operations');

/** DescribeCluster needs no ACL (as in Kafka); DESCRIBE on the cluster decides clusterAuthorizedOperations. */
export function authorizeDescribeCluster(acls: AclDecider, request: DescribeClusterRequest): Authorization<DescribeClusterRequest> {
  if (!request.includeClusterAuthorizedOperations) return { request };
  return { request, narrow: (answer) => ({ ...answer, clusterAuthorizedOperations: acls.clusterOperations(DESCRIBE_CLUSTER) }) };
}
