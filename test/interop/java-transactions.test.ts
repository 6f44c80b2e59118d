import { javaClient } from './build-clients.ts';
import { defineTransactionSuite } from './transactions-suite.ts';

/**
 * Transactions through the Apache Kafka Java client's KafkaProducer (initTransactions,
 * beginTransaction, sendOffsetsToTransaction with the consumer's groupMetadata(),
 * commitTransaction, abortTransaction) and read_committed / read_uncommitted KafkaConsumers.
 * The client wraps a transactional failure in a KafkaException ("Cannot execute transactional
 * method because we are in an error state") whose cause says what happened: every class of the
 * cause chain counts as the error's kind. Some broker errors it has no exception class for, and
 * reports as a KafkaException carrying the message of the error code (its Errors enum):
 * INVALID_TRANSACTION_TIMEOUT from InitProducerId is one ("Unexpected error in
 * InitProducerIdResponse; <message>"), so that message names it.
 */

/** Errors.X.message() of the codes the Java client reports only by their message. */
const BY_MESSAGE: Record<string, string> = {
  INVALID_TRANSACTION_TIMEOUT: 'The transaction timeout is larger than the maximum value allowed by the broker (as configured by transaction.max.timeout.ms).',
};

defineTransactionSuite('Apache Kafka Java client: transactions', javaClient, {
  errorKinds: (answer) => [
    ...((answer.errorChain as string[] | undefined) ?? [String(answer.errorClass)]).map((name) => name.slice(name.lastIndexOf('.') + 1)),
    ...Object.entries(BY_MESSAGE).filter(([, message]) => String(answer.error).includes(`Unexpected error in InitProducerIdResponse; ${message}`)).map(([code]) => code),
  ],
  fenced: ['ProducerFencedException', 'InvalidProducerEpochException'],
  commitAfterFencedProduce: ['ProducerFencedException', 'InvalidProducerEpochException'],
  invalidTimeout: ['INVALID_TRANSACTION_TIMEOUT'],
  reportsGeneration: true,
  reportsMemberId: true,
});
