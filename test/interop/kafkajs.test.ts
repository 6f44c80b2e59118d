import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { Kafka, logLevel, Partitioners, type Consumer, type LogEntry, type Producer } from 'kafkajs';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import {
  PARTITIONS,
  assertCommittedViaApi,
  assertConsumed,
  assertDeliveries,
  assertKeyStability,
  cleanups,
  groupViaApi,
  nonZero,
  partitionsOf,
  records,
  topicsViaApi,
  unique,
  waitFor,
  type PartitionOffsets,
  type Placed,
  type Sent,
} from './helpers.ts';

/** kafkajs 2.x against the agent: admin, idempotent and acks=all produce, groups, commits, rebalance. */

const N = 600;
const M = 120;

/** A kafkajs client whose warnings and errors are kept (they go into assertion messages). */
function client(cluster: TestCluster, clientId: string, later: (fn: () => unknown) => void) {
  const log: string[] = [];
  const kafka = new Kafka({
    clientId,
    brokers: [cluster.bootstrap],
    connectionTimeout: 5000,
    requestTimeout: 15000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log: entry }: LogEntry) => {
        const { message, timestamp: _t, logger: _l, ...rest } = entry;
        log.push(`[${logLevel[level] ?? level}] ${namespace}: ${message} ${JSON.stringify(rest)}`);
      },
  });
  return { kafka, log, later, logs: () => (log.length ? `\n--- kafkajs log ---\n${log.slice(-40).join('\n')}` : '') };
}

type Client = ReturnType<typeof client>;

/** Produces `sent` in sends of 20 and answers a delivery report per record. */
async function produce(c: Client, topic: string, sent: Sent[], idempotent: boolean): Promise<Placed[]> {
  // The partition kafkajs's own (Java-compatible) partitioner picks for each record; the
  // per-partition baseOffset of the produce answer then places every record of the send.
  const chosen = new Map<string, number>();
  const producer: Producer = c.kafka.producer({
    idempotent,
    maxInFlightRequests: idempotent ? 1 : 5,
    allowAutoTopicCreation: false,
    createPartitioner: () => {
      const inner = Partitioners.DefaultPartitioner();
      return (args) => {
        const partition = inner(args);
        chosen.set(String(args.message.value), partition);
        return partition;
      };
    },
  });
  c.later(() => producer.disconnect());
  await producer.connect();
  const deliveries: Placed[] = [];
  try {
    for (let i = 0; i < sent.length; i += 20) {
      const chunk = sent.slice(i, i + 20);
      const answer = await producer.send({ topic, acks: -1, messages: chunk.map((s) => ({ key: s.key, value: s.value })) });
      const base = new Map(answer.map((m) => [m.partition, Number(m.baseOffset)]));
      for (const m of answer) assert.equal(m.errorCode, 0, `produce answer for ${topic}/${m.partition}: ${JSON.stringify(m)}`);
      const next = new Map<number, number>();
      for (const s of chunk) {
        const partition = chosen.get(s.value);
        assert.ok(partition !== undefined, `no partition chosen for ${s.value}`);
        const offset = base.get(partition);
        assert.ok(offset !== undefined, `the produce answer has no partition ${partition}: ${JSON.stringify(answer)}`);
        const index = next.get(partition) ?? 0;
        next.set(partition, index + 1);
        deliveries.push({ ...s, partition, offset: offset + index });
      }
    }
  } finally {
    await producer.disconnect();
  }
  return deliveries;
}

/** A running group consumer that records what it receives and the assignments it gets. */
async function startConsumer(c: Client, topic: string, groupId: string) {
  const consumer: Consumer = c.kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 300, rebalanceTimeout: 10_000, maxWaitTimeInMs: 200 });
  const received: Placed[] = [];
  let assignment: number[] | undefined;
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    assignment = [...(event.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
  });
  c.later(() => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: true,
    eachMessage: async ({ partition, message }) => {
      received.push({ key: String(message.key), value: String(message.value), partition, offset: Number(message.offset) });
    },
  });
  return { consumer, received, assignment: () => assignment };
}

/** The group's committed offsets through kafkajs's admin fetchOffsets (partitions without one omitted). */
async function committedOffsets(c: Client, groupId: string, topic: string): Promise<PartitionOffsets> {
  const admin = c.kafka.admin();
  c.later(() => admin.disconnect());
  await admin.connect();
  try {
    const [answer] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const out: PartitionOffsets = {};
    for (const p of answer?.partitions ?? []) if (Number(p.offset) >= 0) out[p.partition] = Number(p.offset);
    return out;
  } finally {
    await admin.disconnect();
  }
}

describe('interop: kafkajs', () => {
  test('admin: create, list, describe, create partitions, delete topics', { timeout: 60_000 }, async (t) => {
    const later = cleanups(t);
    const cluster = await startTestCluster(t);
    const c = client(cluster, 'kafkajs-admin', later);
    const admin = c.kafka.admin();
    later(() => admin.disconnect());
    await admin.connect();
    const topic = unique('kjs-admin');
    const extra = unique('kjs-extra');

    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true }), true, c.logs());
    assert.ok((await admin.listTopics()).includes(topic), c.logs());
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    assert.equal(topics.length, 1);
    assert.equal(topics[0]!.name, topic);
    assert.deepEqual(
      topics[0]!.partitions.map((p) => p.partitionId).sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5],
    );
    for (const p of topics[0]!.partitions) {
      assert.equal(p.partitionErrorCode, 0, JSON.stringify(p));
      assert.ok(p.leader >= 0, `partition ${p.partitionId} has no leader: ${JSON.stringify(p)}`);
    }
    // Creating it again: the agent answers TOPIC_ALREADY_EXISTS, which kafkajs turns into `false`.
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] }), false);

    assert.equal(await admin.createTopics({ topics: [{ topic: extra, numPartitions: 2 }], waitForLeaders: true }), true, c.logs());
    await admin.createPartitions({ topicPartitions: [{ topic: extra, count: 4 }] });
    const grown = await admin.fetchTopicMetadata({ topics: [extra] });
    assert.equal(grown.topics[0]!.partitions.length, 4, c.logs());
    assert.equal((await topicsViaApi(cluster))[extra], 4);

    await admin.deleteTopics({ topics: [extra] });
    assert.ok(!(await admin.listTopics()).includes(extra), c.logs());
    const after = await topicsViaApi(cluster);
    assert.equal(after[extra], undefined, 'the Management API still lists the deleted topic');
    assert.equal(after[topic], PARTITIONS);
  });

  test('idempotent + acks=all produce, group consume, commit, resume from committed offsets', { timeout: 60_000 }, async (t) => {
    const later = cleanups(t);
    const cluster = await startTestCluster(t);
    const c = client(cluster, 'kafkajs-roundtrip', later);
    const topic = unique('kjs');
    const group = unique('kjs-group');
    const admin = c.kafka.admin();
    later(() => admin.disconnect());
    await admin.connect();
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true }), true);
    await admin.disconnect();

    const sent = records('a', N);
    const deliveries = await produce(c, topic, sent, true);
    const watermarks = assertDeliveries(sent, deliveries, 'kafkajs idempotent produce');
    const keyHome = assertKeyStability(deliveries, 'kafkajs');
    assert.ok(partitionsOf(deliveries).length >= 4, `20 keys used only partitions ${partitionsOf(deliveries)}`);

    // First consumer: everything from the beginning, exactly once, then its commits.
    const first = await startConsumer(c, topic, group);
    try {
      await waitFor(() => first.received.length >= N, 30_000, () => `kafkajs consumer received ${first.received.length}/${N}${c.logs()}`);
      await sleep(800); // anything extra would arrive now
      assertConsumed(deliveries, first.received, 'kafkajs first consumer');
      await waitFor(
        async () => JSON.stringify(await committedOffsets(c, group, topic)) === JSON.stringify(nonZero(watermarks)),
        10_000,
        () => `kafkajs auto-commit never reached the high watermarks ${JSON.stringify(watermarks)}${c.logs()}`,
      );
    } finally {
      await first.consumer.disconnect();
    }
    assert.deepEqual(await committedOffsets(c, group, topic), nonZero(watermarks), c.logs());
    await assertCommittedViaApi(cluster, group, topic, nonZero(watermarks), watermarks);

    // Second consumer, same group: starts at the committed offsets and sees only the new records.
    const more = records('b', M, N);
    const moreDeliveries = await produce(c, topic, more, false);
    const finalWatermarks = assertDeliveries(more, moreDeliveries, 'kafkajs acks=all produce', { from: watermarks, keyHome });
    const second = await startConsumer(c, topic, group);
    try {
      await waitFor(() => second.received.length >= M, 30_000, () => `kafkajs second consumer received ${second.received.length}/${M}${c.logs()}`);
      await sleep(800);
      assertConsumed(moreDeliveries, second.received, 'kafkajs second consumer');
      await waitFor(
        async () => JSON.stringify(await committedOffsets(c, group, topic)) === JSON.stringify(nonZero(finalWatermarks)),
        10_000,
        () => `kafkajs auto-commit never reached ${JSON.stringify(finalWatermarks)}${c.logs()}`,
      );
    } finally {
      await second.consumer.disconnect();
    }
    await assertCommittedViaApi(cluster, group, topic, nonZero(finalWatermarks), finalWatermarks);
  });

  test('message.timestamp.type=LogAppendTime: the delivery report and the consumed records carry the broker\'s append time', { timeout: 60_000 }, async (t) => {
    const later = cleanups(t);
    const cluster = await startTestCluster(t);
    const c = client(cluster, 'kafkajs-append-time', later);
    const admin = c.kafka.admin();
    later(() => admin.disconnect());
    await admin.connect();
    const topic = unique('append-time');
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] }], waitForLeaders: true }), true, c.logs());
    const producer: Producer = c.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    later(() => producer.disconnect());
    await producer.connect();
    const old = 1_600_000_000_000;
    const before = Date.now();
    const [report] = await producer.send({ topic, acks: -1, messages: [{ value: 'stamped', timestamp: String(old) }] });
    const appendTime = Number(report!.logAppendTime);
    assert.ok(appendTime >= before && appendTime <= Date.now(), `logAppendTime ${report!.logAppendTime}`);

    const consumer = c.kafka.consumer({ groupId: unique('append-time-group'), maxWaitTimeInMs: 200 });
    later(() => consumer.disconnect());
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => { seen.push(message.timestamp); } });
    await waitFor(() => seen.length > 0, 20_000, () => `nothing consumed${c.logs()}`);
    assert.deepEqual(seen, [String(appendTime)], 'the append time, not the producer\'s');
  });

  test('two consumers in one group split the partitions and consume every record exactly once', { timeout: 60_000 }, async (t) => {
    const later = cleanups(t);
    const cluster = await startTestCluster(t);
    const c = client(cluster, 'kafkajs-rebalance', later);
    const topic = unique('kjs-rb');
    const group = unique('kjs-rb-group');
    const admin = c.kafka.admin();
    later(() => admin.disconnect());
    await admin.connect();
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true }), true);
    await admin.disconnect();

    const one = await startConsumer(c, topic, group);
    const two = await startConsumer(c, topic, group);
    try {
      // Wait for the rebalance that gives each member a disjoint share of all six partitions.
      await waitFor(
        () => {
          const a = one.assignment() ?? [];
          const b = two.assignment() ?? [];
          const union = [...a, ...b].sort((x, y) => x - y);
          return a.length > 0 && b.length > 0 && JSON.stringify(union) === '[0,1,2,3,4,5]';
        },
        30_000,
        () => `assignments never split: ${JSON.stringify([one.assignment(), two.assignment()])}${c.logs()}`,
      );
      const view = await groupViaApi(cluster, group);
      assert.equal(view?.members.length, 2, `describe_all_consumer_groups: ${JSON.stringify(view)}`);
      assert.deepEqual(
        view.members.map((m) => m.assignment.assignments.flatMap((a) => a.partitions)).flat().sort((x, y) => x - y),
        [0, 1, 2, 3, 4, 5],
      );

      // Let fetches sent before the rebalance finish (max wait 200 ms) before producing: a fetch is
    // not fenced by the group generation (on Kafka neither), and a client that delivers what a
    // pre-rebalance fetch returns for a partition it just lost (@platformatic/kafka 1.35 does)
    // would show duplicates that are no fault of the agent.
    await sleep(1000);
    const sent = records('r', N);
      const deliveries = await produce(c, topic, sent, true);
      assertDeliveries(sent, deliveries, 'kafkajs produce');
      await waitFor(
        () => one.received.length + two.received.length >= N,
        30_000,
        () => `the two consumers received ${one.received.length}+${two.received.length}/${N}${c.logs()}`,
      );
      await sleep(800);
      assertConsumed(deliveries, [one.received, two.received], 'kafkajs group of two');
      for (const [name, member] of [['one', one], ['two', two]] as const) {
        assert.ok(member.received.length > 0, `consumer ${name} received nothing`);
        const outside = partitionsOf(member.received).filter((p) => !member.assignment()!.includes(p));
        assert.deepEqual(outside, [], `consumer ${name} received partitions outside its assignment ${member.assignment()}`);
      }
    } finally {
      await Promise.all([one.consumer.disconnect(), two.consumer.disconnect()]);
    }
  });
});
