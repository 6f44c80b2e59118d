import type { AbortedTransaction, OpenTransaction, PendingTxnOffset, Transaction } from '../model/records.ts';
import { insertRow, manyRows, oneRow, toRow, type TableCodec } from './rows.ts';
import type { SqlExecutor } from './sql.ts';

/**
 * The transaction coordinator's records (control-plane/transactions/): each transactional id's
 * producer and open transaction, the offsets it will commit, and per partition where open
 * transactions begin and which aborted ones readers must skip. Reached as
 * `MetadataStore.transactions`, inside the same metadata transactions as the log it marks.
 */
export interface TransactionStore {
  getTransaction(virtualClusterId: string, transactionalId: string): Promise<Transaction | undefined>;
  findTransactionByProducer(producerId: number): Promise<Transaction | undefined>;
  /** Inserts or replaces the transactional id's row. */
  putTransaction(transaction: Transaction): Promise<void>;
  /** A cluster's transactional ids, by id. */
  listTransactions(virtualClusterId: string): Promise<Transaction[]>;
  /** Ongoing transactions of the cluster that began before `now - timeout_ms`, oldest first. */
  listExpiredTransactions(virtualClusterId: string, now: number): Promise<Transaction[]>;

  /** Replaces the producer's pending offset for the same group and partition. */
  putPendingOffset(offset: PendingTxnOffset): Promise<void>;
  listPendingOffsets(producerId: number): Promise<PendingTxnOffset[]>;
  deletePendingOffsets(producerId: number): Promise<void>;
  /** The offsets open transactions hold for a group (OffsetFetch require_stable). */
  listGroupPendingOffsets(virtualClusterId: string, groupId: string): Promise<PendingTxnOffset[]>;

  /** Records where the producer's open transaction begins on a partition; a second call keeps the first offset. */
  insertOpenTransaction(open: OpenTransaction): Promise<void>;
  listOpenTransactions(producerId: number): Promise<OpenTransaction[]>;
  /** The open transactions on one partition, oldest first (DescribeProducers). */
  listOpenTransactionsOn(topicId: string, partition: number): Promise<OpenTransaction[]>;
  deleteOpenTransactions(producerId: number): Promise<void>;

  insertAbortedTransaction(aborted: AbortedTransaction): Promise<void>;
  /** Aborted transactions overlapping offsets `from`..`to` of a partition, by first offset. */
  listAbortedTransactions(topicId: string, partition: number, from: number, to: number): Promise<AbortedTransaction[]>;
  /** Forgets aborted transactions wholly below `offset` (the log start moved past them). */
  deleteAbortedTransactionsBefore(topicId: string, partition: number, offset: number): Promise<number>;
}

const tables = {
  transactions: { table: 'transactions', json: ['partitions', 'group_ids'] },
  pending_txn_offsets: { table: 'pending_txn_offsets' },
  open_transactions: { table: 'open_transactions' },
  aborted_transactions: { table: 'aborted_transactions' },
} satisfies Record<string, TableCodec>;

export class SqlTransactionStore implements TransactionStore {
  private readonly db: SqlExecutor;

  constructor(db: SqlExecutor) {
    this.db = db;
  }

  getTransaction(virtualClusterId: string, transactionalId: string) {
    return oneRow<Transaction>(this.db, tables.transactions, 'virtual_cluster_id = ? AND transactional_id = ?', [virtualClusterId, transactionalId]);
  }
  findTransactionByProducer(producerId: number) {
    return oneRow<Transaction>(this.db, tables.transactions, 'producer_id = ?', [producerId]);
  }
  async putTransaction(transaction: Transaction) {
    const row = toRow(tables.transactions, transaction);
    const columns = Object.keys(row);
    const updates = columns.filter((c) => c !== 'virtual_cluster_id' && c !== 'transactional_id').map((c) => `${c} = excluded.${c}`);
    await this.db.run(
      `INSERT INTO transactions (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
       ON CONFLICT (virtual_cluster_id, transactional_id) DO UPDATE SET ${updates.join(', ')}`,
      Object.values(row),
    );
  }
  listTransactions(virtualClusterId: string) {
    return manyRows<Transaction>(this.db, tables.transactions, 'virtual_cluster_id = ? ORDER BY transactional_id', [virtualClusterId]);
  }
  listExpiredTransactions(virtualClusterId: string, now: number) {
    return manyRows<Transaction>(
      this.db,
      tables.transactions,
      "virtual_cluster_id = ? AND state = 'Ongoing' AND started_at + timeout_ms < ? ORDER BY started_at",
      [virtualClusterId, now],
    );
  }

  async putPendingOffset(offset: PendingTxnOffset) {
    await this.db.run(
      `INSERT INTO pending_txn_offsets (virtual_cluster_id, group_id, topic_name, partition, producer_id, committed_offset, metadata)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (virtual_cluster_id, group_id, topic_name, partition, producer_id)
       DO UPDATE SET committed_offset = excluded.committed_offset, metadata = excluded.metadata`,
      [offset.virtual_cluster_id, offset.group_id, offset.topic_name, offset.partition, offset.producer_id, offset.committed_offset, offset.metadata],
    );
  }
  listPendingOffsets(producerId: number) {
    return manyRows<PendingTxnOffset>(this.db, tables.pending_txn_offsets, 'producer_id = ? ORDER BY group_id, topic_name, partition', [producerId]);
  }
  async deletePendingOffsets(producerId: number) {
    await this.db.run('DELETE FROM pending_txn_offsets WHERE producer_id = ?', [producerId]);
  }
  listGroupPendingOffsets(virtualClusterId: string, groupId: string) {
    return manyRows<PendingTxnOffset>(this.db, tables.pending_txn_offsets, 'virtual_cluster_id = ? AND group_id = ? ORDER BY topic_name, partition', [virtualClusterId, groupId]);
  }

  async insertOpenTransaction(open: OpenTransaction) {
    await this.db.run(
      `INSERT INTO open_transactions (topic_id, partition, producer_id, first_offset) VALUES (?, ?, ?, ?)
       ON CONFLICT (topic_id, partition, producer_id) DO NOTHING`,
      [open.topic_id, open.partition, open.producer_id, open.first_offset],
    );
  }
  listOpenTransactions(producerId: number) {
    return manyRows<OpenTransaction>(this.db, tables.open_transactions, 'producer_id = ? ORDER BY topic_id, partition', [producerId]);
  }
  listOpenTransactionsOn(topicId: string, partition: number) {
    return manyRows<OpenTransaction>(this.db, tables.open_transactions, 'topic_id = ? AND partition = ? ORDER BY first_offset', [topicId, partition]);
  }
  async deleteOpenTransactions(producerId: number) {
    await this.db.run('DELETE FROM open_transactions WHERE producer_id = ?', [producerId]);
  }

  insertAbortedTransaction(aborted: AbortedTransaction) {
    return insertRow(this.db, tables.aborted_transactions, aborted);
  }
  listAbortedTransactions(topicId: string, partition: number, from: number, to: number) {
    return manyRows<AbortedTransaction>(
      this.db,
      tables.aborted_transactions,
      'topic_id = ? AND partition = ? AND last_offset >= ? AND first_offset <= ? ORDER BY first_offset',
      [topicId, partition, from, to],
    );
  }
  deleteAbortedTransactionsBefore(topicId: string, partition: number, offset: number) {
    return this.db.run('DELETE FROM aborted_transactions WHERE topic_id = ? AND partition = ? AND last_offset < ?', [topicId, partition, offset]);
  }
}
