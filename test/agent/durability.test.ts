import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startSlipstream } from '../helpers/process.ts';
import { tempDir } from '../helpers/stores.ts';
import { ApiKeys } from '../../src/kafka-protocol/index.ts';
import { decodeBatches } from './batches.ts';
import { RawClient } from './client.ts';

/**
 * kill -9 after the acks loses nothing: `npm start`'s process takes produces from kafkajs
 * (acks=all, several producers at once, one idempotent), is SIGKILLed the moment the last
 * counted acknowledgement arrives (more produces still in flight), restarted on the same data
 * directory, and every acknowledged record is read back at the offset its producer was told.
 */

const TOPIC = 'durable';
const PARTITIONS = 4;
const ACKED_TARGET = 400;

interface Acked {
  partition: number;
  offset: number;
  value: string;
}

function kafka(bootstrap: string, clientId: string): Kafka {
  return new Kafka({ clientId, brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
}

test('SIGKILL right after the last acknowledgement loses no acknowledged record', { timeout: 90_000 }, async (t) => {
  const dataDir = tempDir(t);
  const first = await startSlipstream('dev', { SLIPSTREAM_DATA_DIR: dataDir });
  t.after(() => first.child.kill('SIGKILL'));
  assert.ok(first.kafkaAddress, `the agent's address is printed:\n${first.output()}`);

  const admin = kafka(first.kafkaAddress, 'admin').admin();
  await admin.connect();
  assert.equal(await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] }), true);
  await admin.disconnect();

  const acked: Acked[] = [];
  let killed = false;
  const producers: Producer[] = [
    kafka(first.kafkaAddress, 'p-idempotent').producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 } }),
    kafka(first.kafkaAddress, 'p-plain-1').producer({ allowAutoTopicCreation: false }),
    kafka(first.kafkaAddress, 'p-plain-2').producer({ allowAutoTopicCreation: false }),
  ];
  for (const p of producers) await p.connect();

  // Each producer keeps two sends in flight, each send a few records to one partition.
  const loops = producers.flatMap((producer, n) =>
    [0, 1].map(async (lane) => {
      for (let round = 0; !killed; round++) {
        const partition = (n + lane + round) % PARTITIONS;
        const values = Array.from({ length: 1 + (round % 4) }, (_, i) => `p${n}-l${lane}-r${round}-${i}`);
        let meta;
        try {
          [meta] = await producer.send({ topic: TOPIC, acks: -1, timeout: 5000, messages: values.map((value) => ({ value, partition })) });
        } catch {
          return; // the process is gone
        }
        if (killed) return; // an answer that raced the kill is not counted (it may or may not be stored)
        assert.equal(meta!.errorCode, 0);
        assert.equal(meta!.partition, partition);
        const base = Number(meta!.baseOffset);
        values.forEach((value, i) => acked.push({ partition, offset: base + i, value }));
        if (acked.length >= ACKED_TARGET) {
          killed = true;
          first.child.kill('SIGKILL'); // synchronously, in the ack's own callback
        }
      }
    }),
  );
  await Promise.all(loops);
  if (!killed) {
    first.child.kill('SIGKILL');
    assert.fail(`every producer stopped with an error after ${acked.length} acknowledged records, before the kill:\n${first.output()}`);
  }
  assert.equal(await first.exited, 'SIGKILL');
  await Promise.all(producers.map((p) => p.disconnect().catch(() => undefined)));
  assert.ok(acked.length >= ACKED_TARGET);

  // Restart on the same data directory.
  const second = await startSlipstream('dev', { SLIPSTREAM_DATA_DIR: dataDir });
  t.after(() => second.child.kill('SIGKILL'));
  assert.match(second.output(), /Reusing the default account/);
  assert.ok(second.kafkaAddress);

  // Read every partition to its end with a raw client: what is there, at which offset.
  const client = await RawClient.connect(second.kafkaAddress);
  t.after(() => client.close());
  const stored = new Map<string, string>(); // "partition/offset" → value
  for (let partition = 0; partition < PARTITIONS; partition++) {
    let offset = 0;
    for (;;) {
      const response = await client.request(ApiKeys.Fetch, 12, {
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1 << 20,
        topics: [{ topic: TOPIC, partitions: [{ partition, fetchOffset: BigInt(offset), partitionMaxBytes: 1 << 20 }] }],
      });
      const p = response.responses[0]!.partitions[0]!;
      assert.equal(p.errorCode, 0, `partition ${partition} at ${offset}`);
      const records = decodeBatches(p.records).flatMap((b) => b.records);
      for (const r of records) {
        const key = `${partition}/${r.offset}`;
        assert.equal(stored.has(key), false, `offset ${key} appears once`);
        stored.set(key, r.value!.toString());
      }
      if (records.length === 0 || BigInt(offset) >= p.highWatermark) break;
      offset = Number(records.at(-1)!.offset) + 1;
      if (BigInt(offset) >= p.highWatermark) break;
    }
  }
  const missing = acked.filter((a) => stored.get(`${a.partition}/${a.offset}`) !== a.value);
  assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged records lost or moved`);
  t.diagnostic(`${acked.length} acknowledged, ${stored.size} stored after the crash`);

  // And a kafkajs consumer (a group, through the restarted agent) sees the same.
  const consumer = kafka(second.kafkaAddress, 'verify').consumer({ groupId: 'verify-after-crash', sessionTimeout: 10_000, heartbeatInterval: 500 });
  await consumer.connect();
  t.after(() => consumer.disconnect());
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const consumed = new Map<string, string>();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consumed ${consumed.size} of ${stored.size}`)), 30_000);
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        consumed.set(`${partition}/${message.offset}`, message.value!.toString());
        if (consumed.size >= stored.size) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  assert.deepEqual(new Map([...consumed].sort()), new Map([...stored].sort()));
});
