/**
 * What admin tools ask the transaction coordinator and the partitions about their producers
 * (KIP-664: kafka-transactions.sh, AdminClient.describeTransactions/listTransactions/
 * describeProducers): read-only views of the coordinator's state in the metadata store.
 */
import type {
  DescribeProducersRequest, DescribeProducersResponse, DescribeTransactionsRequest, DescribeTransactionsResponse,
  ListTransactionsRequest, ListTransactionsResponse,
} from '../../kafka-protocol/messages.generated.ts';
import { KafkaError } from '../../kafka-protocol/error-codes.ts';
import { TRANSACTION_STATES, type MetadataStore, type Transaction } from '../../metadata/store.ts';
import { findLiveTopics, hasPartition } from '../services/topics.ts';

export async function describeTransactions(store: MetadataStore, virtualClusterId: string, request: DescribeTransactionsRequest): Promise<DescribeTransactionsResponse> {
  const names = new Map<string, string>();
  const topicName = async (topicId: string) => {
    if (!names.has(topicId)) names.set(topicId, (await store.getTopicById(topicId))?.name ?? '');
    return names.get(topicId)!;
  };
  const transactionStates = [];
  for (const transactionalId of request.transactionalIds) {
    const transaction = await store.transactions.getTransaction(virtualClusterId, transactionalId);
    if (!transaction) {
      transactionStates.push({
        errorCode: KafkaError.TRANSACTIONAL_ID_NOT_FOUND, transactionalId, transactionState: '', transactionTimeoutMs: 0,
        transactionStartTimeMs: -1n, producerId: -1n, producerEpoch: -1, topics: [],
      });
      continue;
    }
    const byTopic = new Map<string, number[]>();
    for (const p of transaction.partitions) {
      const name = await topicName(p.topic_id);
      if (name === '') continue; // deleted since
      byTopic.set(name, [...(byTopic.get(name) ?? []), p.partition]);
    }
    transactionStates.push({
      errorCode: KafkaError.NONE,
      transactionalId,
      transactionState: transaction.state,
      transactionTimeoutMs: transaction.timeout_ms,
      transactionStartTimeMs: BigInt(transaction.started_at ?? -1),
      producerId: BigInt(transaction.producer_id),
      producerEpoch: transaction.producer_epoch,
      topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
    });
  }
  return { throttleTimeMs: 0, transactionStates };
}

/**
 * The cluster's transactional ids, filtered by state, producer id and (v1) by how long their
 * open transaction has run. Filter states Kafka does not know are answered back as unknown.
 */
export async function listTransactions(store: MetadataStore, virtualClusterId: string, request: ListTransactionsRequest, apiVersion: number, now: number): Promise<ListTransactionsResponse> {
  const known = new Set<string>(TRANSACTION_STATES);
  const unknownStateFilters = request.stateFilters.filter((state) => !known.has(state));
  const states = new Set(request.stateFilters);
  const producers = new Set(request.producerIdFilters.map(Number));
  const minDuration = apiVersion >= 1 ? Number(request.durationFilter) : -1;
  const matches = (t: Transaction) =>
    (states.size === 0 || states.has(t.state)) &&
    (producers.size === 0 || producers.has(t.producer_id)) &&
    (minDuration < 0 || (t.started_at !== null && now - t.started_at >= minDuration));
  const transactions = (await store.transactions.listTransactions(virtualClusterId)).filter(matches);
  return {
    throttleTimeMs: 0,
    errorCode: KafkaError.NONE,
    unknownStateFilters,
    transactionStates: transactions.map((t) => ({ transactionalId: t.transactional_id, producerId: BigInt(t.producer_id), transactionState: t.state })),
  };
}

/** Per partition, the producers that wrote to it: their epoch, last sequence and time, and where their open transaction began. */
export async function describeProducers(store: MetadataStore, virtualClusterId: string, request: DescribeProducersRequest): Promise<DescribeProducersResponse> {
  const live = await findLiveTopics(store, virtualClusterId, request.topics.map((t) => t.name));
  const topics = [];
  for (const t of request.topics) {
    const topic = live.get(t.name);
    const partitions = [];
    for (const partitionIndex of t.partitionIndexes) {
      if (!hasPartition(topic, partitionIndex)) {
        partitions.push({ partitionIndex, errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, activeProducers: [] });
        continue;
      }
      const open = new Map((await store.transactions.listOpenTransactionsOn(topic.id, partitionIndex)).map((o) => [o.producer_id, o.first_offset]));
      const activeProducers = (await store.listProducerPartitions(topic.id, partitionIndex)).map((p) => ({
        producerId: BigInt(p.producer_id),
        producerEpoch: p.producer_epoch,
        lastSequence: p.recent_batches.at(-1)?.last_sequence ?? -1,
        lastTimestamp: BigInt(p.updated_at),
        coordinatorEpoch: -1,
        currentTxnStartOffset: BigInt(open.get(p.producer_id) ?? -1),
      }));
      partitions.push({ partitionIndex, errorCode: KafkaError.NONE, errorMessage: null, activeProducers });
    }
    topics.push({ name: t.name, partitions });
  }
  return { throttleTimeMs: 0, topics };
}
