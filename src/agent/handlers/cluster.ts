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
 * FindCoordinator: any agent coordinates any group (every agent passes group requests to the
 * control plane's one coordinator), so a group's coordinator is a stable pick among the live
 * agents — groups spread over them, and a group moves only when its agent goes.
 */
export async function handleFindCoordinator(agent: AgentContext, request: FindCoordinatorRequest, context: RequestContext): Promise<BodyInput<FindCoordinatorResponse>> {
  const brokers = agent.brokers(context.clientId);
  const coordinatorOf = (key: string) => {
    const { nodeId, host, port } = leaderFor(brokers, `group:${key}`);
    return { nodeId, host, port };
  };
  if (context.apiVersion >= 4) {
    return {
      throttleTimeMs: 0,
      coordinators: request.coordinatorKeys.map((key) =>
        request.keyType === 0
          ? { key, ...coordinatorOf(key), errorCode: KafkaError.NONE, errorMessage: null }
          : { key, nodeId: -1, host: '', port: -1, errorCode: KafkaError.COORDINATOR_NOT_AVAILABLE, errorMessage: 'transactions are not supported yet' },
      ),
    };
  }
  if (request.keyType !== 0) {
    return { throttleTimeMs: 0, errorCode: KafkaError.COORDINATOR_NOT_AVAILABLE, errorMessage: 'transactions are not supported yet', nodeId: -1, host: '', port: -1 };
  }
  return { throttleTimeMs: 0, errorCode: KafkaError.NONE, errorMessage: null, ...coordinatorOf(request.key) };
}

/**
 * InitProducerId for idempotent producers: a new producer id (epoch 0) from the control plane.
 * Transactional ids are refused until transactions are supported.
 */
export async function handleInitProducerId(agent: AgentContext, request: InitProducerIdRequest): Promise<BodyInput<InitProducerIdResponse>> {
  if (request.transactionalId !== null) {
    return { throttleTimeMs: 0, errorCode: KafkaError.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1n, producerEpoch: -1 };
  }
  // A producer that already has an id asks for a new epoch of it (KIP-360).
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
