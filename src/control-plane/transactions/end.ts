import { encodeControlBatch } from '../../kafka-protocol/records.ts';
import { MAX_PRODUCER_EPOCH } from '../services/producers.ts';
import { markerObjectKey, type MetadataStore, type Transaction, type TransactionPartition } from '../../metadata/store.ts';


/** The size of every marker's control batch (one record, fixed-size key and value). */
const MARKER_BYTES = encodeControlBatch({ commit: true, producerId: 0n, producerEpoch: 0, timestamp: 0n }).length;

/**
 * Ends the transaction's open transaction, in the caller's metadata transaction — so markers,
 * offsets and state change together, and an agent dying halfway leaves nothing half-done:
 *
 * - every partition the transaction added gets a COMMIT or ABORT marker at its high watermark
 *   (an index entry, log/commit.ts's kind, whose bytes readers build from its key);
 * - on abort, each partition the transaction wrote to records the aborted range, which
 *   read_committed fetches answer so consumers skip it;
 * - the partitions' last stable offsets move past the transaction (its open rows go);
 * - on commit, the offsets it holds (TxnOffsetCommit) become the groups' committed offsets.
 *
 * Answers the partitions that got a marker (readers waiting on them are woken).
 */
export async function endTransaction(tx: MetadataStore, transaction: Transaction, commit: boolean, now: number): Promise<TransactionPartition[]> {
  const open = new Map((await tx.transactions.listOpenTransactions(transaction.producer_id)).map((o) => [`${o.topic_id}/${o.partition}`, o]));
  const marked: TransactionPartition[] = [];
  const objectKey = markerObjectKey({ commit, producer_id: transaction.producer_id, producer_epoch: transaction.producer_epoch });
  for (const { topic_id, partition } of transaction.partitions) {
    const topic = await tx.getTopicById(topic_id);
    if (!topic || topic.deleted_at !== null || partition >= topic.partition_count) continue; // deleted meanwhile
    const state = (await tx.getPartitionState(topic_id, partition)) ?? { log_start_offset: 0, high_watermark: 0 };
    const offset = state.high_watermark;
    await tx.insertBatchIndex([
      { topic_id, partition, base_offset: offset, last_offset: offset, max_timestamp: now, object_key: objectKey, byte_offset: 0, byte_length: MARKER_BYTES },
    ]);
    await tx.upsertPartitionState({ topic_id, partition, log_start_offset: state.log_start_offset, high_watermark: offset + 1 });
    const written = open.get(`${topic_id}/${partition}`);
    if (!commit && written) {
      await tx.transactions.insertAbortedTransaction({ topic_id, partition, producer_id: transaction.producer_id, first_offset: written.first_offset, last_offset: offset });
    }
    marked.push({ topic_id, partition });
  }
  await tx.transactions.deleteOpenTransactions(transaction.producer_id);

  if (commit) {
    for (const offset of await tx.transactions.listPendingOffsets(transaction.producer_id)) {
      await tx.upsertCommittedOffset({
        virtual_cluster_id: offset.virtual_cluster_id,
        group_id: offset.group_id,
        topic_name: offset.topic_name,
        partition: offset.partition,
        committed_offset: offset.committed_offset,
        metadata: offset.metadata,
        committed_at: now,
      });
    }
  }
  await tx.transactions.deletePendingOffsets(transaction.producer_id);

  await tx.transactions.putTransaction({
    ...transaction,
    state: commit ? 'CompleteCommit' : 'CompleteAbort',
    started_at: null,
    updated_at: now,
    partitions: [],
    group_ids: [],
  });
  return marked;
}

/** Whether the transaction is open and older than its timeout at `now`. */
export function hasExpired(transaction: Transaction, now: number): boolean {
  return transaction.state === 'Ongoing' && transaction.started_at !== null && transaction.started_at + transaction.timeout_ms < now;
}

/**
 * Aborts an open transaction that outlived its timeout and fences its producer: the epoch is
 * bumped (a new producer id once the epoch is spent), so the producer's next request is refused
 * and it cannot commit what was aborted. Answers the marked partitions.
 */
export async function abortExpired(tx: MetadataStore, transaction: Transaction, now: number): Promise<TransactionPartition[]> {
  const marked = await endTransaction(tx, transaction, false, now);
  await tx.transactions.putTransaction({ ...(await nextEpoch(tx, transaction)), state: 'CompleteAbort', started_at: null, updated_at: now, partitions: [], group_ids: [] });
  return marked;
}

/** The transaction with its producer's next epoch, or a new producer id (epoch 0) once the epoch is spent. */
export async function nextEpoch(tx: MetadataStore, transaction: Transaction): Promise<Transaction> {
  if (transaction.producer_epoch < MAX_PRODUCER_EPOCH) {
    await tx.updateProducerEpoch(transaction.producer_id, transaction.producer_epoch + 1);
    return { ...transaction, producer_epoch: transaction.producer_epoch + 1 };
  }
  const producer = await tx.insertProducer({ virtual_cluster_id: transaction.virtual_cluster_id, transactional_id: null, producer_epoch: 0, created_at: Date.now() });
  return { ...transaction, producer_id: producer.producer_id, producer_epoch: 0 };
}
