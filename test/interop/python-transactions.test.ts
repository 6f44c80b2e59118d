import { join } from 'node:path';
import type { ClientCommand } from './build-clients.ts';
import { defineTransactionSuite } from './transactions-suite.ts';
import { DEBIAN_PYTHON, PYPI_PYTHON, PYTHON_ENV, pythonSkipReason } from './python-clients.ts';

/**
 * Transactions through librdkafka, both Debian's python3-confluent-kafka (1.7.0 on librdkafka
 * 2.0.2) and the PyPI wheel (a current librdkafka), driven through
 * test/interop/python/confluent_interactive.py: init_transactions, begin_transaction,
 * send_offsets_to_transaction with the consumer's consumer_group_metadata(), commit_transaction,
 * abort_transaction, and consumers at both isolation levels. Errors are librdkafka's names
 * (KafkaError.name()): a fenced producer is a fatal _FENCED, or the broker's PRODUCER_FENCED /
 * INVALID_PRODUCER_EPOCH as librdkafka passes them on.
 */

const confluent = (python: string) => async (): Promise<ClientCommand> => ({
  name: 'confluent-kafka',
  command: python,
  args: [join(import.meta.dirname, 'python', 'confluent_interactive.py')],
  env: PYTHON_ENV,
  buildMs: 0,
});

const FENCED = ['_FENCED', 'PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH'];

for (const [suite, python] of [
  ['confluent-kafka: transactions', DEBIAN_PYTHON],
  ['confluent-kafka (PyPI, current librdkafka): transactions', PYPI_PYTHON],
] as const) {
  defineTransactionSuite(
    suite,
    confluent(python),
    {
      errorKinds: (answer) => (answer.errorCode === undefined ? [] : [String(answer.errorCode)]),
      fenced: FENCED,
      commitAfterFencedProduce: FENCED,
      invalidTimeout: ['INVALID_TRANSACTION_TIMEOUT'],
      // librdkafka's group metadata object is opaque; Consumer.memberid() is confluent-kafka 2.x.
      reportsGeneration: false,
      reportsMemberId: python === PYPI_PYTHON,
    },
    { skip: pythonSkipReason(python, 'confluent_kafka') },
  );
}
