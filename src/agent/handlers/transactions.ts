import { ApiKeys } from '../../kafka-protocol/index.ts';
import type {
  AddOffsetsToTxnRequest, AddPartitionsToTxnRequest, DescribeProducersRequest, DescribeTransactionsRequest, EndTxnRequest,
  ListTransactionsRequest, TxnOffsetCommitRequest,
} from '../../kafka-protocol/index.ts';
import type { TransactionApi } from '../../agent-rpc/contract.ts';
import { KafkaError } from '../kafka-errors.ts';
import type { RequestContext } from '../connection.ts';
import type { AgentContext } from '../context.ts';
import type { AclDecider } from '../acl.ts';
import { checkOf, kafkaApi, serveAllowed, splitByAcls, type Authorization, type KafkaApi } from '../authorize.ts';

type TransactionMethod<Request, Response> = (virtualClusterId: string, request: Request, apiVersion: number) => Promise<Response>;

/**
 * Transaction APIs (KIP-98, KIP-664): the coordinator is the control plane's
 * (control-plane/transactions/), one for every agent of the cluster; the agent passes each
 * request through with the cluster and the version, after the ACL checks.
 */
function passTo<Request, Response>(transactions: TransactionApi, method: TransactionMethod<Request, Response>) {
  return (agent: AgentContext, body: Request, context: RequestContext): Promise<Response> => method.call(transactions, agent.cluster.id, body, context.apiVersion);
}

export function transactionApis(transactions: TransactionApi): Record<number, KafkaApi> {
  return {
    [ApiKeys.AddPartitionsToTxn]: kafkaApi(passTo(transactions, transactions.addPartitionsToTxn), authorizeAddPartitionsToTxn),
    [ApiKeys.AddOffsetsToTxn]: kafkaApi(passTo(transactions, transactions.addOffsetsToTxn), authorizeAddOffsetsToTxn),
    [ApiKeys.EndTxn]: kafkaApi(passTo(transactions, transactions.endTxn), authorizeEndTxn),
    [ApiKeys.TxnOffsetCommit]: kafkaApi(passTo(transactions, transactions.txnOffsetCommit), authorizeTxnOffsetCommit),
    [ApiKeys.DescribeTransactions]: kafkaApi(passTo(transactions, transactions.describeTransactions), authorizeDescribeTransactions),
    [ApiKeys.ListTransactions]: kafkaApi(passTo(transactions, transactions.listTransactions), authorizeListTransactions),
    [ApiKeys.DescribeProducers]: kafkaApi(passTo(transactions, transactions.describeProducers), authorizeDescribeProducers),
  };
}

const TXN_DENIED = KafkaError.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;

const ADD_PARTITIONS_TXN = checkOf('AddPartitionsToTxn', 'transactional-id', 'always');
const ADD_PARTITIONS_TOPIC = checkOf('AddPartitionsToTxn', 'topic', 'always');

/**
 * AddPartitionsToTxn under ACLs: WRITE on the transactional id (else every partition answers
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED) and on each topic; a refused topic fails the add — its
 * partitions answer TOPIC_AUTHORIZATION_FAILED, the others OPERATION_NOT_ATTEMPTED, as Kafka.
 */
export function authorizeAddPartitionsToTxn(acls: AclDecider, request: AddPartitionsToTxnRequest, context: RequestContext): Authorization<AddPartitionsToTxnRequest> {
  type Topics = AddPartitionsToTxnRequest['v3AndBelowTopics'];
  const refusal = (transactionalId: string, topics: Topics) => {
    if (!acls.allows(ADD_PARTITIONS_TXN, transactionalId)) return () => TXN_DENIED;
    const refused = new Set(topics.filter((t) => !acls.allows(ADD_PARTITIONS_TOPIC, t.name)).map((t) => t.name));
    if (refused.size === 0) return undefined;
    return (name: string) => (refused.has(name) ? KafkaError.TOPIC_AUTHORIZATION_FAILED : KafkaError.OPERATION_NOT_ATTEMPTED);
  };
  const results = (topics: Topics, errorOf: (name: string) => number) =>
    topics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: errorOf(t.name) })) }));
  if (context.apiVersion <= 3) {
    const errorOf = refusal(request.v3AndBelowTransactionalId, request.v3AndBelowTopics);
    if (!errorOf) return { request };
    return { answer: { throttleTimeMs: 0, errorCode: KafkaError.NONE, resultsByTransaction: [], resultsByTopicV3AndBelow: results(request.v3AndBelowTopics, errorOf) } };
  }
  const split = splitByAcls(request.transactions, (one) => {
    const errorOf = refusal(one.transactionalId, one.topics);
    return errorOf && { transactionalId: one.transactionalId, topicResults: results(one.topics, errorOf) };
  });
  return serveAllowed(request, split, (transactions) => ({ ...request, transactions }), 'resultsByTransaction', {
    throttleTimeMs: 0, errorCode: KafkaError.NONE, resultsByTransaction: [], resultsByTopicV3AndBelow: [],
  });
}

const ADD_OFFSETS_TXN = checkOf('AddOffsetsToTxn', 'transactional-id', 'always');
const ADD_OFFSETS_GROUP = checkOf('AddOffsetsToTxn', 'group', 'always');

/** AddOffsetsToTxn under ACLs: WRITE on the transactional id, READ on the group. */
export function authorizeAddOffsetsToTxn(acls: AclDecider, request: AddOffsetsToTxnRequest): Authorization<AddOffsetsToTxnRequest> {
  if (!acls.allows(ADD_OFFSETS_TXN, request.transactionalId)) return { answer: { throttleTimeMs: 0, errorCode: TXN_DENIED } };
  if (!acls.allows(ADD_OFFSETS_GROUP, request.groupId)) return { answer: { throttleTimeMs: 0, errorCode: KafkaError.GROUP_AUTHORIZATION_FAILED } };
  return { request };
}

const END_TXN = checkOf('EndTxn', 'transactional-id', 'always');

/** EndTxn under ACLs: WRITE on the transactional id. */
export function authorizeEndTxn(acls: AclDecider, request: EndTxnRequest): Authorization<EndTxnRequest> {
  if (acls.allows(END_TXN, request.transactionalId)) return { request };
  return { answer: { throttleTimeMs: 0, errorCode: TXN_DENIED, producerId: -1n, producerEpoch: -1 } };
}

const TXN_COMMIT_TXN = checkOf('TxnOffsetCommit', 'transactional-id', 'always');
const TXN_COMMIT_GROUP = checkOf('TxnOffsetCommit', 'group', 'always');
const TXN_COMMIT_TOPIC = checkOf('TxnOffsetCommit', 'topic', 'always');

/** TxnOffsetCommit under ACLs: WRITE on the transactional id and READ on the group refuse every partition; READ on a topic refuses its own. */
export function authorizeTxnOffsetCommit(acls: AclDecider, request: TxnOffsetCommitRequest): Authorization<TxnOffsetCommitRequest> {
  const all = !acls.allows(TXN_COMMIT_TXN, request.transactionalId) ? TXN_DENIED
    : !acls.allows(TXN_COMMIT_GROUP, request.groupId) ? KafkaError.GROUP_AUTHORIZATION_FAILED
    : KafkaError.NONE;
  const refusal = (t: TxnOffsetCommitRequest['topics'][number], errorCode: number) =>
    ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) });
  if (all !== KafkaError.NONE) return { answer: { throttleTimeMs: 0, topics: request.topics.map((t) => refusal(t, all)) } };
  const split = splitByAcls(request.topics, (t) => (acls.allows(TXN_COMMIT_TOPIC, t.name) ? undefined : refusal(t, KafkaError.TOPIC_AUTHORIZATION_FAILED)));
  return serveAllowed(request, split, (topics) => ({ ...request, topics }), 'topics', { throttleTimeMs: 0, topics: [] });
}

const DESCRIBE_TXN = checkOf('DescribeTransactions', 'transactional-id', 'always');
const DESCRIBE_TXN_TOPIC = checkOf('DescribeTransactions', 'topic', 'named');

/** DescribeTransactions under ACLs: DESCRIBE on each transactional id; topics the principal may not describe are left out. */
export function authorizeDescribeTransactions(acls: AclDecider, request: DescribeTransactionsRequest): Authorization<DescribeTransactionsRequest> {
  return {
    request,
    narrow: (answer) => ({
      ...answer,
      transactionStates: answer.transactionStates.map((t: { transactionalId: string; topics: Array<{ topic: string }> }) =>
        acls.allows(DESCRIBE_TXN, t.transactionalId)
          ? { ...t, topics: t.topics.filter((topic) => acls.allows(DESCRIBE_TXN_TOPIC, topic.topic)) }
          : { errorCode: TXN_DENIED, transactionalId: t.transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1n, producerId: -1n, producerEpoch: -1, topics: [] }),
    }),
  };
}

const LIST_TXN = checkOf('ListTransactions', 'transactional-id', 'all');

/** ListTransactions under ACLs: only the transactional ids the principal may describe. */
export function authorizeListTransactions(acls: AclDecider, request: ListTransactionsRequest): Authorization<ListTransactionsRequest> {
  return { request, narrow: (answer) => ({ ...answer, transactionStates: answer.transactionStates.filter((t: { transactionalId: string }) => acls.allows(LIST_TXN, t.transactionalId)) }) };
}

const DESCRIBE_PRODUCERS = checkOf('DescribeProducers', 'topic', 'always');

/** DescribeProducers under ACLs: READ on each topic. */
export function authorizeDescribeProducers(acls: AclDecider, request: DescribeProducersRequest): Authorization<DescribeProducersRequest> {
  const split = splitByAcls(request.topics, (t) => (acls.allows(DESCRIBE_PRODUCERS, t.name) ? undefined : {
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED, errorMessage: null, activeProducers: [] })),
  }));
  return serveAllowed(request, split, (topics) => ({ ...request, topics }), 'topics', { throttleTimeMs: 0, topics: [] });
}
