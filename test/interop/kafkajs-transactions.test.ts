import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test, type TestContext } from 'node:test';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { unique } from './helpers.ts';

/**
 * Transactions (KIP-98) with kafkajs 2.2.4, in-process: commit and abort as read_committed and
 * read_uncommitted consumers see them, zombie fencing, offsets committed with a transaction,
 * the broker aborting a transaction past its timeout, and the admin views of transactions.
 */

const PARTITIONS = 3;

function kafkaFor(cluster: TestCluster, clientId: string) {
  return new Kafka({ clientId, brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 } });
}

async function transactionalProducer(t: TestContext, kafka: Kafka, transactionalId: string, transactionTimeout = 30_000): Promise<Producer> {
  const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, transactionTimeout, allowAutoTopicCreation: false });
  await producer.connect();
  t.after(() => producer.disconnect());
  return producer;
}

function messages(prefix: string, count: number) {
  return Array.from({ length: count }, (_, i) => ({ key: `k${i % 7}`, value: `${prefix}-${i}`, partition: i % PARTITIONS }));
}

/** Everything a new consumer of `topic` reads from the beginning, waiting `quietMs` after the last record. */
async function readAll(kafka: Kafka, topic: string, readCommitted: boolean, quietMs = 1_500): Promise<Array<{ value: string; partition: number; offset: number }>> {
  const consumer = kafka.consumer({ groupId: unique('reader'), readUncommitted: !readCommitted, maxWaitTimeInMs: 200 });
  await consumer.connect();
  const got: Array<{ value: string; partition: number; offset: number }> = [];
  let last = Date.now();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        got.push({ value: String(message.value), partition, offset: Number(message.offset) });
        last = Date.now();
      },
    });
    const started = Date.now();
    // Wait for the group to form and the log to be read, then for quiet.
    while (Date.now() - Math.max(last, started + 3_000) < quietMs) await sleep(100);
  } finally {
    await consumer.disconnect();
  }
  return got;
}

const values = (rows: Array<{ value: string }>) => rows.map((r) => r.value).sort();

describe('transactions with kafkajs', () => {
  let cluster: TestCluster;
  let admin: Admin;
  const cleanups: Array<() => unknown> = [];

  before(async () => {
    cluster = await startTestCluster({ after: (fn) => void cleanups.push(fn) });
    admin = kafkaFor(cluster, 'admin').admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
  });

  async function topic(name: string): Promise<string> {
    const topicName = unique(name);
    await admin.createTopics({ topics: [{ topic: topicName, numPartitions: PARTITIONS }] });
    return topicName;
  }

  test('a committed transaction is read once by read_committed consumers; an aborted one only by read_uncommitted', async (t) => {
    const kafka = kafkaFor(cluster, 'txn');
    const name = await topic('txn-commit');
    const producer = await transactionalProducer(t, kafka, unique('tid'));

    const aborted = await producer.transaction();
    await aborted.send({ topic: name, messages: messages('aborted', 30) });
    await aborted.abort();

    const committed = await producer.transaction();
    await committed.send({ topic: name, messages: messages('committed', 30) });
    // Open: read_committed consumers see nothing of it yet, read_uncommitted ones see it.
    assert.deepEqual(values(await readAll(kafka, name, true, 500)), []);
    const uncommittedWhileOpen = await readAll(kafka, name, false, 500);
    assert.equal(uncommittedWhileOpen.filter((r) => r.value.startsWith('committed')).length, 30);
    await committed.commit();

    const readCommitted = await readAll(kafka, name, true);
    assert.deepEqual(values(readCommitted), values(messages('committed', 30)));
    const readUncommitted = await readAll(kafka, name, false);
    assert.deepEqual(values(readUncommitted), values([...messages('aborted', 30), ...messages('committed', 30)]));

    // Markers take an offset each: per partition, 10 aborted, ABORT, 10 committed, COMMIT.
    const end = await admin.fetchTopicOffsets(name);
    assert.deepEqual(end.map((p) => Number(p.high)).sort(), [22, 22, 22]);
    for (const row of readCommitted) assert.ok(row.offset >= 11 && row.offset <= 20, `committed record at ${row.offset}`);
  });

  test('a second producer with the same transactional id fences the first', async (t) => {
    const kafka = kafkaFor(cluster, 'zombie');
    const name = await topic('txn-fence');
    const transactionalId = unique('tid');
    const zombie = await transactionalProducer(t, kafka, transactionalId);
    const zombieTxn = await zombie.transaction();
    await zombieTxn.send({ topic: name, messages: messages('zombie', 6) });

    const successor = await transactionalProducer(t, kafka, transactionalId);
    // kafkajs sends InitProducerId with the first transaction: it aborts the zombie's open
    // transaction and bumps the epoch.
    const txn = await successor.transaction();
    await assert.rejects(zombieTxn.send({ topic: name, messages: messages('late', 3) }), (error: Error & { type?: string }) => {
      assert.match(String(error.type ?? error.name), /INVALID_PRODUCER_EPOCH|PRODUCER_FENCED|INVALID_TXN_STATE/);
      return true;
    });
    await assert.rejects(zombieTxn.commit());

    await txn.send({ topic: name, messages: messages('successor', 6) });
    await txn.commit();
    assert.deepEqual(values(await readAll(kafka, name, true)), values(messages('successor', 6)));
  });

  test('offsets sent to a transaction are committed with it, and not when it aborts', async (t) => {
    const kafka = kafkaFor(cluster, 'ctp');
    const input = await topic('txn-in');
    const output = await topic('txn-out');
    const groupId = unique('ctp-group');
    const producer = await transactionalProducer(t, kafka, unique('tid'));
    const offsets = { consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: '5' }, { partition: 1, offset: '7' }] }] };

    const aborted = await producer.transaction();
    await aborted.send({ topic: output, messages: messages('x', 3) });
    await aborted.sendOffsets(offsets);
    await aborted.abort();
    const afterAbort = await admin.fetchOffsets({ groupId, topics: [input] });
    assert.deepEqual(afterAbort[0]!.partitions.map((p) => p.offset).sort(), ['-1', '-1', '-1']);

    const committed = await producer.transaction();
    await committed.send({ topic: output, messages: messages('y', 3) });
    await committed.sendOffsets(offsets);
    await committed.commit();
    const afterCommit = await admin.fetchOffsets({ groupId, topics: [input] });
    const byPartition = new Map(afterCommit[0]!.partitions.map((p) => [p.partition, p.offset]));
    assert.deepEqual([byPartition.get(0), byPartition.get(1), byPartition.get(2)], ['5', '7', '-1']);
  });

  test('a transaction past its timeout is aborted by the broker and its producer fenced', async (t) => {
    const kafka = kafkaFor(cluster, 'timeout');
    const name = await topic('txn-timeout');
    const producer = await transactionalProducer(t, kafka, unique('tid'), 1_000);
    const txn = await producer.transaction();
    await txn.send({ topic: name, messages: messages('slow', 6) });
    // The jobs role aborts it within a tick or two (2 s) of the timeout; read_committed consumers then move on.
    await sleep(4_500);
    const end = await admin.fetchTopicOffsets(name);
    assert.deepEqual(end.map((p) => Number(p.high)).sort(), [3, 3, 3], 'an ABORT marker after the two records of each partition');
    await assert.rejects(txn.commit(), (error: Error & { type?: string }) => {
      assert.match(String(error.type ?? error.name), /INVALID_PRODUCER_EPOCH|PRODUCER_FENCED/);
      return true;
    });
    assert.deepEqual(await readAll(kafka, name, true, 500), []);
  });

  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });
});
