import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test, type TestContext } from 'node:test';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import {
  BATCH_HEADER_SIZE, Compression, compactPartition, decodeBatch, encodeBatch, recordOffset, recordTimestamp, type BatchRecord, type DecodedBatch,
} from '../../src/kafka-protocol/index.ts';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { ClientProcess, javaClient } from '../interop/build-clients.ts';
import { explain, run, unique } from '../interop/helpers.ts';
import { CONFLUENT_KAFKA_PYPI_VERSION, PYPI_PYTHON, PYTHON_ENV, pythonSkipReason } from '../interop/python-clients.ts';
import { decodeStored, newTopic, produceRaw, replaceBatches, storedBatches, type SimpleRecord } from './partition-log.ts';

/**
 * The records codec against real clients, through a whole Slipstream in this process: batches
 * the Java client (every codec), librdkafka (kcat) and kafkajs (gzip) produce are read back
 * from storage and decoded; batches the encoder writes are produced raw and consumed by those
 * clients; and a log compacted with compactPartition is read by consumers, gaps and all.
 */

const KCAT = '/usr/bin/kcat';
// Skipped when a client is missing, except in CI: there a missing client must fail, never silently skip.
const noKcat = existsSync(KCAT) || process.env.CI ? false : `${KCAT} is not installed (scripts/ensure-clients.sh installs it)`;
const noConfluent = pythonSkipReason(PYPI_PYTHON, 'confluent_kafka');
const CODECS = { gzip: Compression.Gzip, snappy: Compression.Snappy, lz4: Compression.Lz4, zstd: Compression.Zstd } as const;
const T0 = 1_700_000_000_000;
const XERIAL_MAGIC = Buffer.from('82534e4150505900', 'hex');

let cluster: TestCluster;
const cleanups: Array<() => unknown> = [];
before(async () => {
  cluster = await startTestCluster({ after: (fn) => cleanups.push(fn) });
});
after(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

const text = (b: Buffer | null) => (b === null ? null : b.toString('utf8'));

function simple(batch: DecodedBatch): SimpleRecord[] {
  return batch.records.map((r) => ({
    offset: Number(recordOffset(batch, r)),
    timestamp: Number(recordTimestamp(batch, r)),
    key: text(r.key),
    value: text(r.value),
    headers: r.headers.map((h): [string, string | null] => [h.key, text(h.value)]),
  }));
}

/** What the Java program's produce-batch sends (see InteropClient.java). */
function javaRecords(prefix: string, count: number): SimpleRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    offset: i,
    timestamp: T0 + 7 * i,
    key: i % 4 === 3 ? null : `k${i % 3}`,
    value: i % 5 === 4 ? null : `${prefix}-${i}${'x'.repeat(i % 50)}`,
    headers: [['i', String(i)], ...(i % 2 === 0 ? [['e', null] as [string, null]] : [])],
  }));
}

/** Records for the encoder: null keys and values, headers with null values, UTF-8 beyond ASCII. */
function sampleRecords(prefix: string, count: number): SimpleRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    offset: i,
    timestamp: T0 + 3 * i,
    key: i % 6 === 5 ? null : `key-${i % 7}`,
    value: i % 9 === 8 ? null : `${prefix}-${i}-${'ü'.repeat(i)}`,
    headers: i % 2 === 1 ? [['h', `v${i}`], ['nul', null]] : [],
  }));
}

function encodeSample(records: SimpleRecord[], compression: number): Buffer {
  const bytes = (s: string | null) => (s === null ? null : Buffer.from(s));
  return encodeBatch({
    compression,
    baseTimestamp: BigInt(records[0]!.timestamp!),
    records: records.map((r): BatchRecord => ({
      attributes: 0,
      offsetDelta: r.offset - records[0]!.offset,
      timestampDelta: BigInt(r.timestamp! - records[0]!.timestamp!),
      key: bytes(r.key),
      value: bytes(r.value),
      headers: r.headers.map(([key, value]) => ({ key, value: bytes(value) })),
    })),
  });
}

async function java(t: TestContext): Promise<ClientProcess> {
  const proc = await ClientProcess.start(await javaClient(), cluster.bootstrap, unique('records'));
  t.after(() => proc.close());
  return proc;
}

/** Every record of the topic's partition 0 as the Java consumer reads it. */
async function javaRead(proc: ClientProcess, topic: string): Promise<SimpleRecord[]> {
  const answer = await proc.send(`read ${topic} 0 0`);
  const b64 = (s: string | null) => (s === null ? null : Buffer.from(s, 'base64').toString('utf8'));
  return (answer.records as Array<[number, number, string | null, string | null, Array<[string, string | null]>]>).map(([offset, timestamp, key, value, headers]) => ({
    offset, timestamp, key: b64(key), value: b64(value), headers: headers.map(([k, v]): [string, string | null] => [k, b64(v)]),
  }));
}

/** Every record of the topic's partition 0 as kafkajs reads it (from the beginning, in a group of its own). */
async function kafkajsRead(topic: string, count: number): Promise<SimpleRecord[]> {
  const kafka = new Kafka({ clientId: 'records', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: unique('records'), maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const got: SimpleRecord[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kafkajs consumed ${got.length} of ${count}: ${JSON.stringify(got)}`)), 20_000);
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        clearTimeout(timer);
        reject(payload.error);
      });
      void consumer.run({
        eachMessage: async ({ message }) => {
          got.push({
            offset: Number(message.offset),
            timestamp: Number(message.timestamp),
            key: text(message.key),
            value: text(message.value),
            headers: Object.entries(message.headers ?? {}).map(([k, v]): [string, string | null] => [k, v == null ? null : String(v)]),
          });
          if (got.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      }).catch(reject);
    });
    return got;
  } finally {
    await consumer.disconnect();
  }
}

/** Every record of the topic's partition 0 as kcat (librdkafka) prints it: offset, timestamp, key, value; NULL for none. */
async function kcatRead(topic: string): Promise<SimpleRecord[]> {
  const result = await run(KCAT, ['-C', '-b', cluster.bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-Z', '-q', '-f', '%o\t%T\t%k\t%s\n'], { timeoutMs: 30_000 });
  assert.equal(result.code, 0, explain('kcat -C', result));
  const nullable = (s: string) => (s === 'NULL' ? null : s);
  return result.stdout.split('\n').filter(Boolean).map((line) => {
    const [offset, timestamp, key, value] = line.split('\t');
    return { offset: Number(offset), timestamp: Number(timestamp), key: nullable(key!), value: nullable(value!), headers: [] };
  });
}

describe('batches written by real clients decode', () => {
  for (const [name, compression] of Object.entries(CODECS)) {
    test(`the Java client, ${name}`, async (t) => {
      const proc = await java(t);
      const topic = unique(`java-${name}`);
      const t_ = await newTopic(cluster, topic);
      const answer = await proc.send(`produce-batch ${topic} 0 ${name} 60 p`);
      assert.deepEqual((answer.acks as number[][]).map(([, offset]) => offset), Array.from({ length: 60 }, (_, i) => i));
      const batches = decodeStored(await storedBatches(cluster, t_));
      assert.equal(batches.length, 1, 'one batch');
      const [batch] = batches;
      assert.equal(batch!.compression, compression);
      assert.ok(batch!.producerId >= 0n && batch!.baseSequence === 0, 'from the idempotent producer');
      assert.deepEqual(simple(batch!), javaRecords('p', 60));
      if (compression === Compression.Snappy) assert.deepEqual(batch!.bytes.subarray(BATCH_HEADER_SIZE, BATCH_HEADER_SIZE + 8), XERIAL_MAGIC, 'xerial-framed');
    });
  }

  test('kafkajs, gzip', async () => {
    const topic = unique('kafkajs-gzip');
    const t_ = await newTopic(cluster, topic);
    const kafka = new Kafka({ clientId: 'records', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const sent = sampleRecords('js', 30);
    try {
      await producer.send({
        topic,
        compression: CompressionTypes.GZIP,
        messages: sent.map((r) => ({
          partition: 0, key: r.key, value: r.value, timestamp: String(r.timestamp),
          // kafkajs has no null header value: its headers are strings or buffers
          headers: Object.fromEntries(r.headers.flatMap(([k, v]) => (v === null ? [] : [[k, v]]))),
        })),
      });
    } finally {
      await producer.disconnect();
    }
    const [batch, ...rest] = decodeStored(await storedBatches(cluster, t_));
    assert.equal(rest.length, 0);
    assert.equal(batch!.compression, Compression.Gzip);
    assert.deepEqual(simple(batch!), sent.map((r) => ({ ...r, headers: r.headers.filter(([, v]) => v !== null) })));
  });

  // librdkafka before 2.10 compresses only with zstd against brokers without Produce v2 (as
  // Kafka 4.0 and Slipstream): it checks for exact old versions (librdkafka issue #4956). Debian's
  // kcat (2.0.2) covers zstd, confluent-kafka's wheel (librdkafka 2.16.0) every codec.
  test('librdkafka 2.0.2 (kcat), zstd', { skip: noKcat }, async () => {
    const topic = unique('kcat-zstd');
    const t_ = await newTopic(cluster, topic);
    const lines = Array.from({ length: 50 }, (_, i) => `key-${i % 4}\t${i % 7 === 6 ? '' : `v${i}-${'z'.repeat(i)}`}`);
    const result = await run(KCAT, ['-P', '-b', cluster.bootstrap, '-t', topic, '-p', '0', '-K', '\t', '-Z', '-z', 'zstd', '-H', 'src=kcat', '-X', 'linger.ms=200'], { input: lines.join('\n') + '\n', timeoutMs: 30_000 });
    assert.equal(result.code, 0, explain('kcat -P', result));
    const batches = decodeStored(await storedBatches(cluster, t_));
    assert.deepEqual(batches.map((b) => b.compression), batches.map(() => Compression.Zstd));
    assert.deepEqual(batches.flatMap(simple).map(({ timestamp: _, ...r }) => r), lines.map((line, i) => {
      const [key, value] = line.split('\t');
      return { offset: i, key: key!, value: value === '' ? null : value!, headers: [['src', 'kcat']] };
    }));
  });

  for (const [name, compression] of Object.entries(CODECS)) {
    test(`librdkafka 2.16.0 (confluent-kafka ${CONFLUENT_KAFKA_PYPI_VERSION}), ${name}`, { skip: noConfluent }, async () => {
      const topic = unique(`confluent-${name}`);
      const t_ = await newTopic(cluster, topic);
      const script = `
import sys, confluent_kafka
p = confluent_kafka.Producer({'bootstrap.servers': sys.argv[1], 'compression.type': sys.argv[3], 'linger.ms': 500, 'enable.idempotence': True})
for i in range(60):
    p.produce(sys.argv[2], partition=0, key=None if i % 4 == 3 else 'k%d' % (i % 3), value=None if i % 5 == 4 else 'p-%d%s' % (i, 'x' * (i % 50)),
              timestamp=${T0} + 7 * i, headers=[('i', str(i).encode())] + ([('e', None)] if i % 2 == 0 else []))
if p.flush(30) != 0: sys.exit('undelivered records')
`;
      const result = await run(PYPI_PYTHON, ['-c', script, cluster.bootstrap, topic, name], { timeoutMs: 60_000, env: PYTHON_ENV });
      assert.equal(result.code, 0, explain('confluent-kafka produce', result));
      const batches = decodeStored(await storedBatches(cluster, t_));
      assert.deepEqual(batches.map((b) => b.compression), batches.map(() => compression));
      assert.ok(batches.every((b) => b.producerId >= 0n), 'from the idempotent producer');
      assert.deepEqual(batches.flatMap(simple), javaRecords('p', 60), 'the records the Java program sends, sent the same way');
      if (compression === Compression.Snappy) {
        assert.ok(batches.every((b) => !b.bytes.subarray(BATCH_HEADER_SIZE, BATCH_HEADER_SIZE + 8).equals(XERIAL_MAGIC)), 'librdkafka writes raw snappy, without the xerial framing');
      }
    });
  }
});

describe('batches the encoder writes are read by real clients', () => {
  for (const [name, compression] of Object.entries({ none: Compression.None, ...CODECS })) {
    test(`${name}: the Java client, kcat and (none, gzip) kafkajs`, async (t) => {
      const topic = unique(`encoded-${name}`);
      await newTopic(cluster, topic);
      const sent = sampleRecords(name, 40);
      assert.equal(await produceRaw(cluster, topic, encodeSample(sent, compression)), 0);
      const proc = await java(t);
      assert.deepEqual(await javaRead(proc, topic), sent);
      if (!noKcat) assert.deepEqual(await kcatRead(topic), sent.map((r) => ({ ...r, headers: [] })));
      if (compression === Compression.None || compression === Compression.Gzip) {
        assert.deepEqual(await kafkajsRead(topic, sent.length), sent);
      }
    });
  }
});

/**
 * A topic of five batches of 20 records, compressed with `codecs` in turn, then a batch holding
 * one tombstone, and one after the compaction bound; compacted with compactPartition and swapped
 * in as a compaction job would. Five keys are written over and over, a few (in the first two
 * batches) once; every 9th record is a tombstone. With `passes` 2, a second cleaning after
 * delete.retention.ms removes the tombstones, which leaves the lone tombstone's batch empty:
 * as the last batch cleaned it stays, without records. Answers the topic and the records a
 * consumer must see.
 */
async function compactedTopic(codecs: number[], passes: 1 | 2): Promise<{ topic: string; expected: SimpleRecord[] }> {
  const topic = unique('compacted');
  const t_ = await newTopic(cluster, topic);
  const all: SimpleRecord[] = [];
  for (const [b, compression] of codecs.entries()) {
    const records = Array.from({ length: 20 }, (_, i): SimpleRecord => {
      const offset = b * 20 + i;
      const key = offset % 13 === 0 && offset < 40 ? `solo-${offset}` : `key-${offset % 5}`;
      return { offset, timestamp: T0 + offset, key, value: offset % 9 === 8 ? null : `v${offset}`, headers: [['at', String(offset)]] };
    });
    all.push(...records);
  }
  all.push({ offset: 100, timestamp: T0 + 100, key: 'gone', value: null, headers: [['at', '100']] });
  const tail: SimpleRecord = { offset: 101, timestamp: T0 + 101, key: 'key-0', value: 'tail', headers: [['at', '101']] };
  for (const [b, compression] of codecs.entries()) {
    assert.equal(await produceRaw(cluster, topic, encodeSample(all.slice(b * 20, b * 20 + 20), compression)), b * 20);
  }
  await produceRaw(cluster, topic, encodeSample(all.slice(100), Compression.None));
  await produceRaw(cluster, topic, encodeSample([tail], Compression.None));

  const now = Date.now();
  const cleaning = { deleteRetentionMs: 60_000, firstUncleanableOffset: 101n };
  let compacted = compactPartition({ batches: await storedBatches(cluster, t_), now, ...cleaning });
  assert.deepEqual(compacted.map((c) => c.action), ['rewritten', 'rewritten', 'dropped', 'dropped', 'rewritten', 'rewritten', 'kept']);
  if (passes === 2) {
    const left = compacted.flatMap((c) => (c.action === 'dropped' ? [] : [{ baseOffset: c.baseOffset, bytes: c.bytes }]));
    compacted = compactPartition({ batches: left, now: now + 60_000, ...cleaning });
    assert.deepEqual(compacted.map((c) => c.action), ['kept', 'rewritten', 'rewritten', 'rewritten', 'kept']);
    assert.equal(decodeBatch((compacted[3] as { bytes: Buffer }).bytes).recordsCount, 0, 'the lone tombstone\'s batch is empty');
  }
  await replaceBatches(cluster, t_, compacted);
  const last = new Map(all.map((r) => [r.key, r.offset]));
  const expected = [...all.filter((r) => last.get(r.key) === r.offset && (passes === 1 || r.value !== null)), tail];
  assert.deepEqual(expected.map((r) => r.offset), passes === 1 ? [0, 13, 26, 39, 95, 96, 97, 98, 99, 100, 101] : [0, 13, 39, 95, 96, 97, 99, 101]);
  return { topic, expected };
}

describe('a compacted log is read by real clients, at the offsets its records had', () => {
  for (const passes of [1, 2] as const) {
    const what = passes === 1 ? 'tombstones kept' : 'tombstones removed, an empty batch';
    test(`every codec, ${what}: the Java client and kcat`, async (t) => {
      const { topic, expected } = await compactedTopic([Compression.None, ...Object.values(CODECS)], passes);
      assert.deepEqual(await javaRead(await java(t), topic), expected);
      if (!noKcat) assert.deepEqual(await kcatRead(topic), expected.map((r) => ({ ...r, headers: [] })));
    });

    test(`none and gzip (kafkajs has no other codec without plugins), ${what}: kafkajs`, async () => {
      const { topic, expected } = await compactedTopic([Compression.Gzip, Compression.None, Compression.Gzip, Compression.None, Compression.Gzip], passes);
      assert.deepEqual(await kafkajsRead(topic, expected.length), expected);
    });
  }
});
