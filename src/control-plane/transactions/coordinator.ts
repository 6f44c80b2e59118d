/**
 * The transaction coordinator (KIP-98), free of sockets: the agent's InitProducerId (with a
 * transactional id), AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit and EndTxn handlers
 * call one method each with the decoded request and encode the body it resolves to. The admin
 * calls (DescribeTransactions, ListTransactions, DescribeProducers) are in admin.ts.
 *
 * Every agent of a cluster passes these requests to this one coordinator, and its state is in
 * the metadata store, not in memory: a transaction survives the loss of the agent that began it
 * and of this process. Each call is one metadata transaction, and so is ending a transaction
 * (end.ts), so Slipstream never rests in Kafka's PrepareCommit/PrepareAbort and answers
 * CONCURRENT_TRANSACTIONS to no one.
 */
import type {
  AddOffsetsToTxnRequest, AddOffsetsToTxnResponse, AddPartitionsToTxnRequest, AddPartitionsToTxnResponse,
  AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult, EndTxnRequest, EndTxnResponse, InitProducerIdRequest,
  InitProducerIdResponse, TxnOffsetCommitRequest, TxnOffsetCommitResponse,
} from '../../kafka-protocol/messages.generated.ts';
import { KafkaError } from '../../kafka-protocol/error-codes.ts';
import type { MetadataStore, Transaction, TransactionPartition } from '../../metadata/store.ts';
import { findLiveTopics, hasPartition } from '../services/topics.ts';
import { abortExpired, endTransaction, hasExpired, nextEpoch } from './end.ts';

/** Kafka's transaction.max.timeout.ms default: a producer asking for longer is refused. */
export const MAX_TRANSACTION_TIMEOUT_MS = 900_000;
/** Kafka's offset.metadata.max.bytes default. */
const OFFSET_METADATA_MAX_LENGTH = 4096;

export interface TransactionCoordinatorOptions {
  /** Whether a member may commit a group's offsets now (the group coordinator's rule, shared with OffsetCommit). */
  offsetCommitError(virtualClusterId: string, groupId: string, generationId: number, memberId: string, groupInstanceId: string | null): number;
  /** Called after partitions got markers, outside the metadata transaction (wakes waiting fetches). */
  marked(partitions: readonly TransactionPartition[]): void;
  now?: () => number;
}

/** PRODUCER_FENCED where the API version knows it (KIP-588), else the older INVALID_PRODUCER_EPOCH. */
function fenced(apiVersion: number, since: number): number {
  return apiVersion >= since ? KafkaError.PRODUCER_FENCED : KafkaError.INVALID_PRODUCER_EPOCH;
}

export class TransactionCoordinator {
  private readonly store: MetadataStore;
  private readonly options: TransactionCoordinatorOptions;
  private readonly now: () => number;

  constructor(store: MetadataStore, options: TransactionCoordinatorOptions) {
    this.store = store;
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /**
   * Runs `fn` on the transactional id's state in one metadata transaction; an open transaction
   * past its timeout is aborted (and its producer fenced) first, so `fn` sees what a producer
   * that slept through its timeout must be told.
   */
  private async withTransaction<T>(
    virtualClusterId: string,
    transactionalId: string,
    fn: (tx: MetadataStore, transaction: Transaction | undefined, now: number, marked: TransactionPartition[]) => Promise<T>,
  ): Promise<T> {
    // Partitions given markers; signalled only once the metadata transaction has committed.
    const marked: TransactionPartition[] = [];
    const result = await this.store.transaction(async (tx) => {
      marked.length = 0; // the callback may run again (serialization retries)
      const now = this.now();
      let transaction = await tx.transactions.getTransaction(virtualClusterId, transactionalId);
      if (transaction && hasExpired(transaction, now)) {
        marked.push(...(await abortExpired(tx, transaction, now)));
        transaction = await tx.transactions.getTransaction(virtualClusterId, transactionalId);
      }
      return fn(tx, transaction, now, marked);
    });
    if (marked.length > 0) this.options.marked(marked);
    return result;
  }

  /**
   * InitProducerId with a transactional id: a new producer id the first time; after that the
   * same id with the next epoch, which fences every older instance of the producer (zombies).
   * An open transaction of the id is aborted first. KIP-360: a producer presenting its current
   * id and epoch gets the next epoch; an older instance presenting its own is fenced.
   */
  async initProducerId(virtualClusterId: string, request: InitProducerIdRequest, apiVersion: number): Promise<InitProducerIdResponse> {
    const refuse = (errorCode: number): InitProducerIdResponse => ({ throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 });
    const transactionalId = request.transactionalId!;
    if (transactionalId === '') return refuse(KafkaError.INVALID_REQUEST);
    if (request.transactionTimeoutMs <= 0 || request.transactionTimeoutMs > MAX_TRANSACTION_TIMEOUT_MS) return refuse(KafkaError.INVALID_TRANSACTION_TIMEOUT);
    return this.withTransaction(virtualClusterId, transactionalId, async (tx, transaction, now, marked) => {
      if (!transaction) {
        const producer = await tx.insertProducer({ virtual_cluster_id: virtualClusterId, transactional_id: null, producer_epoch: 0, created_at: now });
        await tx.transactions.putTransaction({
          virtual_cluster_id: virtualClusterId, transactional_id: transactionalId, producer_id: producer.producer_id, producer_epoch: 0,
          state: 'Empty', timeout_ms: request.transactionTimeoutMs, started_at: null, updated_at: now, partitions: [], group_ids: [],
        });
        return { throttleTimeMs: 0, errorCode: KafkaError.NONE, producerId: BigInt(producer.producer_id), producerEpoch: 0 };
      }
      if (request.producerId >= 0n) {
        if (Number(request.producerId) !== transaction.producer_id) return refuse(KafkaError.INVALID_PRODUCER_ID_MAPPING);
        if (request.producerEpoch > transaction.producer_epoch) return refuse(KafkaError.INVALID_PRODUCER_EPOCH);
        // The epoch before the current one is the producer itself after a timeout fenced it (it may resume); older is a zombie.
        if (request.producerEpoch < transaction.producer_epoch - 1) return refuse(fenced(apiVersion, 4));
      }
      let state = transaction.state;
      if (transaction.state === 'Ongoing') {
        marked.push(...(await endTransaction(tx, transaction, false, now)));
        state = 'CompleteAbort';
      }
      const next = await nextEpoch(tx, transaction);
      await tx.transactions.putTransaction({
        ...next, state, timeout_ms: request.transactionTimeoutMs, started_at: null, updated_at: now, partitions: [], group_ids: [],
      });
      return { throttleTimeMs: 0, errorCode: KafkaError.NONE, producerId: BigInt(next.producer_id), producerEpoch: next.producer_epoch };
    });
  }

  /**
   * The error for a transactional request of this producer against the id's state, or NONE:
   * an unknown id or another producer id is a mapping error, an older epoch is fenced.
   */
  private producerError(transaction: Transaction | undefined, producerId: bigint, producerEpoch: number, fencedError: number): number {
    if (!transaction || Number(producerId) !== transaction.producer_id) return KafkaError.INVALID_PRODUCER_ID_MAPPING;
    if (producerEpoch < transaction.producer_epoch) return fencedError;
    if (producerEpoch > transaction.producer_epoch) return KafkaError.INVALID_PRODUCER_EPOCH;
    return KafkaError.NONE;
  }

  /** The transaction, now open (Ongoing) with `started_at` set if it was not already. */
  private opened(transaction: Transaction, now: number): Transaction {
    return transaction.state === 'Ongoing' ? { ...transaction, updated_at: now } : { ...transaction, state: 'Ongoing', started_at: now, updated_at: now, partitions: [], group_ids: [] };
  }

  /**
   * AddPartitionsToTxn: v0-3 (clients) add the partitions of one transaction; v4+ (the batched
   * form brokers use) carry several transactions, each either adding or, with verifyOnly,
   * checking that its partitions are in it. A partition that does not exist fails the whole
   * add: the others answer OPERATION_NOT_ATTEMPTED, as in Kafka.
   */
  async addPartitionsToTxn(virtualClusterId: string, request: AddPartitionsToTxnRequest, apiVersion: number): Promise<AddPartitionsToTxnResponse> {
    if (apiVersion <= 3) {
      const results = await this.addPartitions(virtualClusterId, {
        transactionalId: request.v3AndBelowTransactionalId, producerId: request.v3AndBelowProducerId, producerEpoch: request.v3AndBelowProducerEpoch,
        verifyOnly: false, topics: request.v3AndBelowTopics,
      }, apiVersion);
      return { throttleTimeMs: 0, errorCode: KafkaError.NONE, resultsByTransaction: [], resultsByTopicV3AndBelow: results };
    }
    const resultsByTransaction = [];
    for (const one of request.transactions) {
      resultsByTransaction.push({ transactionalId: one.transactionalId, topicResults: await this.addPartitions(virtualClusterId, one, apiVersion) });
    }
    return { throttleTimeMs: 0, errorCode: KafkaError.NONE, resultsByTransaction, resultsByTopicV3AndBelow: [] };
  }

  private async addPartitions(
    virtualClusterId: string,
    one: AddPartitionsToTxnRequest['transactions'][number],
    apiVersion: number,
  ): Promise<AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult[]> {
    const answer = (errorOf: (topic: string, partition: number) => number) =>
      one.topics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: errorOf(t.name, p) })) }));
    const topics = await findLiveTopics(this.store, virtualClusterId, one.topics.map((t) => t.name));
    const missing = (name: string, partition: number) => !hasPartition(topics.get(name), partition);
    if (one.topics.some((t) => t.partitions.some((p) => missing(t.name, p)))) {
      return answer((name, p) => (missing(name, p) ? KafkaError.UNKNOWN_TOPIC_OR_PARTITION : KafkaError.OPERATION_NOT_ATTEMPTED));
    }
    const wanted = one.topics.flatMap((t) => t.partitions.map((partition) => ({ topic_id: topics.get(t.name)!.id, partition })));
    const errorCode = await this.withTransaction(virtualClusterId, one.transactionalId, async (tx, transaction, now) => {
      const error = this.producerError(transaction, one.producerId, one.producerEpoch, fenced(apiVersion, 2));
      if (error !== KafkaError.NONE) return error;
      if (one.verifyOnly) {
        const added = transaction!.state === 'Ongoing' && wanted.every((w) => transaction!.partitions.some((p) => p.topic_id === w.topic_id && p.partition === w.partition));
        return added ? KafkaError.NONE : KafkaError.INVALID_TXN_STATE;
      }
      const open = this.opened(transaction!, now);
      const partitions = [...open.partitions];
      for (const w of wanted) if (!partitions.some((p) => p.topic_id === w.topic_id && p.partition === w.partition)) partitions.push(w);
      await tx.transactions.putTransaction({ ...open, partitions });
      return KafkaError.NONE;
    });
    return answer(() => errorCode);
  }

  /** AddOffsetsToTxn: the transaction will commit offsets of this group (TxnOffsetCommit follows). */
  async addOffsetsToTxn(virtualClusterId: string, request: AddOffsetsToTxnRequest, apiVersion: number): Promise<AddOffsetsToTxnResponse> {
    if (request.groupId === '') return { throttleTimeMs: 0, errorCode: KafkaError.INVALID_GROUP_ID };
    const errorCode = await this.withTransaction(virtualClusterId, request.transactionalId, async (tx, transaction, now) => {
      const error = this.producerError(transaction, request.producerId, request.producerEpoch, fenced(apiVersion, 2));
      if (error !== KafkaError.NONE) return error;
      const open = this.opened(transaction!, now);
      await tx.transactions.putTransaction({ ...open, group_ids: open.group_ids.includes(request.groupId) ? open.group_ids : [...open.group_ids, request.groupId] });
      return KafkaError.NONE;
    });
    return { throttleTimeMs: 0, errorCode };
  }

  /**
   * TxnOffsetCommit: offsets held by the open transaction, committed with it. The group's
   * member rules are OffsetCommit's (v3+ name the member: a consumer that lost its partitions in
   * a rebalance cannot commit them). Unknown partitions are refused one by one.
   */
  async txnOffsetCommit(virtualClusterId: string, request: TxnOffsetCommitRequest, apiVersion: number): Promise<TxnOffsetCommitResponse> {
    const topics = await findLiveTopics(this.store, virtualClusterId, request.topics.map((t) => t.name));
    const generationId = apiVersion >= 3 ? request.generationId : -1;
    const memberId = apiVersion >= 3 ? request.memberId : '';
    const groupInstanceId = apiVersion >= 3 ? request.groupInstanceId : null;
    const groupError = request.groupId === '' ? KafkaError.INVALID_GROUP_ID : this.options.offsetCommitError(virtualClusterId, request.groupId, generationId, memberId, groupInstanceId);
    const errors = await this.withTransaction(virtualClusterId, request.transactionalId, async (tx, transaction) => {
      let error = this.producerError(transaction, request.producerId, request.producerEpoch, KafkaError.INVALID_PRODUCER_EPOCH);
      if (error === KafkaError.NONE && (transaction!.state !== 'Ongoing' || !transaction!.group_ids.includes(request.groupId))) error = KafkaError.INVALID_TXN_STATE;
      if (error === KafkaError.NONE) error = groupError;
      const answer = request.topics.map((t) => t.partitions.map((p) => {
        if (!hasPartition(topics.get(t.name), p.partitionIndex)) return KafkaError.UNKNOWN_TOPIC_OR_PARTITION;
        if (error !== KafkaError.NONE) return error;
        if (p.committedMetadata !== null && p.committedMetadata.length > OFFSET_METADATA_MAX_LENGTH) return KafkaError.OFFSET_METADATA_TOO_LARGE;
        return KafkaError.NONE;
      }));
      for (const [ti, t] of request.topics.entries()) {
        for (const [pi, p] of t.partitions.entries()) {
          if (answer[ti]![pi] !== KafkaError.NONE) continue;
          await tx.transactions.putPendingOffset({
            virtual_cluster_id: virtualClusterId, group_id: request.groupId, topic_name: t.name, partition: p.partitionIndex,
            producer_id: transaction!.producer_id, committed_offset: Number(p.committedOffset), metadata: p.committedMetadata,
          });
        }
      }
      return answer;
    });
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t, ti) => ({ name: t.name, partitions: t.partitions.map((p, pi) => ({ partitionIndex: p.partitionIndex, errorCode: errors[ti]![pi]! })) })),
    };
  }

  /**
   * EndTxn: commits or aborts the open transaction (end.ts). A retry of the end just made is
   * answered as it was; ending the other way, or ending nothing, is INVALID_TXN_STATE.
   */
  async endTxn(virtualClusterId: string, request: EndTxnRequest, apiVersion: number): Promise<EndTxnResponse> {
    const answer = (errorCode: number): EndTxnResponse => ({ throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 });
    return this.withTransaction(virtualClusterId, request.transactionalId, async (tx, transaction, now, marked) => {
      const error = this.producerError(transaction, request.producerId, request.producerEpoch, fenced(apiVersion, 2));
      if (error !== KafkaError.NONE) return answer(error);
      const done = request.committed ? 'CompleteCommit' : 'CompleteAbort';
      if (transaction!.state === done) return answer(KafkaError.NONE);
      if (transaction!.state !== 'Ongoing') return answer(KafkaError.INVALID_TXN_STATE);
      marked.push(...(await endTransaction(tx, transaction!, request.committed, now)));
      return answer(KafkaError.NONE);
    });
  }

  /** Aborts the cluster's open transactions that outlived their timeouts (the jobs role calls this); answers how many. */
  async abortExpiredTransactions(virtualClusterId: string): Promise<number> {
    let aborted = 0;
    for (const candidate of await this.store.transactions.listExpiredTransactions(virtualClusterId, this.now())) {
      const marked = await this.store.transaction(async (tx) => {
        // Re-read: the producer may have ended it, or another caller aborted it, meanwhile.
        const transaction = await tx.transactions.getTransaction(virtualClusterId, candidate.transactional_id);
        const now = this.now();
        return transaction && hasExpired(transaction, now) ? abortExpired(tx, transaction, now) : undefined;
      });
      if (!marked) continue;
      aborted++;
      if (marked.length > 0) this.options.marked(marked);
    }
    return aborted;
  }
}
