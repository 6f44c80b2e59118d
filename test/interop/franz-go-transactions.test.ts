import { franzGoClient } from './build-clients.ts';
import { defineTransactionSuite } from './transactions-suite.ts';

/**
 * Transactions through franz-go: a kgo client with TransactionalID and TransactionTimeout
 * (BeginTransaction, EndTransaction with TryCommit / TryAbort), kgo consumers with
 * FetchIsolationLevel, and the consumed offsets added to the transaction with AddOffsetsToTxn and
 * TxnOffsetCommit carrying the member's generation and id (see test/interop/go/main.go for why
 * not a GroupTransactSession). Errors are kerr's names.
 */
defineTransactionSuite('franz-go: transactions', franzGoClient, {
  errorKinds: (answer) => (answer.errorCode === undefined ? [] : [String(answer.errorCode)]),
  fenced: ['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH'],
  // After a fenced produce kgo fails its producer ID and refuses to try the commit at all
  // (EndTransaction's documented kerr.OperationNotAttempted: retry with TryAbort).
  commitAfterFencedProduce: ['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'OPERATION_NOT_ATTEMPTED'],
  invalidTimeout: ['INVALID_TRANSACTION_TIMEOUT'],
  reportsGeneration: true,
  reportsMemberId: true,
});
