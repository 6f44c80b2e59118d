import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiKeys, Compression, decodeBatch, decodeResponse, encodeBatch } from '../../src/kafka-protocol/index.ts';
import type { FetchResponse } from '../../src/kafka-protocol/index.ts';
import { createTopic } from '../../src/control-plane/services/topics.ts';
import type { Topic, VirtualCluster } from '../../src/metadata/store.ts';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { api } from '../helpers/process.ts';
import { buildBatch, decodeBatches, recordValues, valuesBatch } from './batches.ts';
import { RawClient } from './client.ts';

/**
 * The agent over raw TCP, spoken to with the project's codec: ApiVersions (and Kafka's
 * fallback for unknown versions), response order, acks=0, produce validation, fetch rules and
 * long polling, ListOffsets, DeleteRecords, and topic administration under the HTTP API's rules.
 */

const E = {
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  MESSAGE_TOO_LARGE: 10,
  INVALID_TOPIC_EXCEPTION: 17,
  INVALID_REQUIRED_ACKS: 21,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICA_ASSIGNMENT: 39,
  INVALID_CONFIG: 40,
  UNKNOWN_LEADER_EPOCH: 75,
  FETCH_SESSION_ID_NOT_FOUND: 70,
  INVALID_FETCH_SESSION_EPOCH: 71,
  ELECTION_NOT_NEEDED: 84,
  NO_REASSIGNMENT_IN_PROGRESS: 85,
  INVALID_RECORD: 87,
};
const V = { produce: 9, fetch: 12, listOffsets: 7, offsetForLeaderEpoch: 4, metadata: 12, createTopics: 7, deleteRecords: 2, createPartitions: 3, apiVersions: 3 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let cluster: TestCluster;
let vc: VirtualCluster;
const cleanups: Array<() => unknown> = [];
const clients: RawClient[] = [];

before(async () => {
  cluster = await startTestCluster({ after: (fn) => cleanups.push(fn) });
  vc = (await cluster.platform.store.getVirtualCluster(cluster.boot.virtual_cluster_id))!;
});
after(async () => {
  for (const client of clients) client.close();
  for (const fn of cleanups.reverse()) await fn();
});

async function client(): Promise<RawClient> {
  const c = await RawClient.connect(cluster.bootstrap);
  clients.push(c);
  return c;
}

async function topic(name: string, partitions = 1, configs: Record<string, string> = {}): Promise<Topic> {
  return createTopic(cluster.platform.store, vc, { topic_name: name, partition_count: partitions, configs });
}

async function produce(c: RawClient, name: string, partition: number, records: Buffer | null, acks = -1) {
  const response = await c.request(ApiKeys.Produce, V.produce, {
    transactionalId: null,
    acks,
    timeoutMs: 5000,
    topicData: [{ name, partitionData: [{ index: partition, records }] }],
  });
  assert.equal(response.responses.length, 1);
  assert.equal(response.responses[0]!.name, name);
  const p = response.responses[0]!.partitionResponses[0]!;
  assert.equal(p.index, partition);
  return p;
}

function fetchBody(name: string, partitions: Array<{ partition: number; offset: number; maxBytes?: number }>, options: { maxWaitMs?: number; minBytes?: number; maxBytes?: number } = {}) {
  return {
    maxWaitMs: options.maxWaitMs ?? 0,
    minBytes: options.minBytes ?? 0,
    maxBytes: options.maxBytes ?? 50 * 1024 * 1024,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic: name, partitions: partitions.map((p) => ({ partition: p.partition, fetchOffset: BigInt(p.offset), partitionMaxBytes: p.maxBytes ?? 1024 * 1024 })) }],
    forgottenTopicsData: [],
    rackId: '',
  };
}

async function fetchPartition(c: RawClient, name: string, partition: number, offset: number, options: { maxWaitMs?: number; minBytes?: number; partitionMaxBytes?: number } = {}) {
  const response = await c.request(ApiKeys.Fetch, V.fetch, fetchBody(name, [{ partition, offset, maxBytes: options.partitionMaxBytes ?? 1024 * 1024 }], options), 20_000);
  assert.equal(response.errorCode, 0);
  const p = response.responses[0]!.partitions[0]!;
  assert.equal(p.partitionIndex, partition);
  return p;
}

async function listOffset(c: RawClient, name: string, partition: number, timestamp: bigint) {
  const response = await c.request(ApiKeys.ListOffsets, V.listOffsets, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name, partitions: [{ partitionIndex: partition, timestamp }] }],
  });
  return response.topics[0]!.partitions[0]!;
}

async function highWatermark(t: Topic, partition: number): Promise<number> {
  return (await cluster.platform.store.getPartitionState(t.id, partition))?.high_watermark ?? 0;
}

describe('ApiVersions', () => {
  test('v0 to v5 are answered with exactly the served APIs', async () => {
    const c = await client();
    const expected = cluster.platform.agent!.apiVersions();
    const keys = expected.map((a) => a.apiKey);
    // Everything served (SASL, the ACL, transaction and share-group APIs too), and nothing else (WriteTxnMarkers is broker-to-broker).
    for (const key of [0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 28, 29, 30, 31, 32, 33, 35, 36, 37, 42, 43, 44, 45, 46, 47, 60, 61, 65, 66, 68, 69, 76, 77, 78, 79, 90, 91, 92]) {
      assert.ok(keys.includes(key), `API ${key} advertised`);
    }
    for (const key of [27]) assert.ok(!keys.includes(key), `API ${key} not advertised`);
    // The share-group APIs from Kafka 4.2's final versions: franz-go enables them at ShareFetch/ShareAcknowledge v2.
    assert.deepEqual(expected.filter((a) => a.apiKey === 78 || a.apiKey === 79).map((a) => [a.minVersion, a.maxVersion]), [[1, 2], [1, 2]]);
    // EndTxn v5 (KIP-890 part 2) is not served.
    assert.equal(expected.find((a) => a.apiKey === 26)?.maxVersion, 4);
    assert.equal(expected.find((a) => a.apiKey === ApiKeys.ApiVersions)?.maxVersion, 5, 'v5 (KIP-1242): what Kafka 4.x clients send first');
    for (let version = 0; version <= 5; version++) {
      const correlationId = c.send(ApiKeys.ApiVersions, version, { clientSoftwareName: 'raw', clientSoftwareVersion: '1.0' });
      const frame = await c.nextFrame();
      const decoded = decodeResponse(ApiKeys.ApiVersions, version, frame.bytes);
      assert.equal(decoded.correlationId, correlationId);
      assert.equal(decoded.body.errorCode, 0);
      assert.deepEqual(decoded.body.apiKeys.map((a) => ({ apiKey: a.apiKey, minVersion: a.minVersion, maxVersion: a.maxVersion })), expected, `v${version}`);
      if (version >= 3) {
        // Response header v0 even for the flexible versions: the compact array's length byte
        // follows the error code directly, with no header tag buffer before it.
        assert.equal(frame.bytes.readInt16BE(8), 0);
        assert.equal(frame.bytes[10], expected.length + 1);
      }
    }
  });

  test('v5 names the cluster and node the client means: another one is REBOOTSTRAP_REQUIRED', async () => {
    const c = await client();
    const metadata = await c.request(ApiKeys.Metadata, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    const self = metadata.brokers.find((b) => String(b.port) === cluster.bootstrap.split(':').at(-1))!;
    const ask = (clusterId: string | null, nodeId: number) =>
      c.request(ApiKeys.ApiVersions, 5, { clientSoftwareName: 'raw', clientSoftwareVersion: '1.0', clusterId, nodeId } as never);
    assert.equal((await ask(metadata.clusterId, self.nodeId)).errorCode, 0);
    assert.equal((await ask(null, -1)).errorCode, 0, 'not known yet (a bootstrap connection)');
    assert.equal((await ask('another-cluster', self.nodeId)).errorCode, 129);
    assert.equal((await ask(metadata.clusterId, self.nodeId + 1000)).errorCode, 129);
    const answer = await ask('another-cluster', self.nodeId);
    assert.ok(answer.apiKeys.length > 0, 'the versions are still listed');
  });

  test('docs/clients.md lists exactly the served APIs and versions', () => {
    const text = readFileSync(new URL('../../docs/clients.md', import.meta.url), 'utf8');
    const section = text.slice(text.indexOf('## Kafka APIs and versions'), text.indexOf('## Transactions'));
    const documented: Array<{ apiKey: number; minVersion: number; maxVersion: number }> = [];
    for (const line of section.split('\n').filter((l) => /^\| [A-Z]/.test(l) && !l.startsWith('| API '))) {
      const [, keys, served] = line.split('|').slice(1).map((cell) => cell.trim());
      const ranges = served!.split(' / ');
      const apiKeys = keys!.includes('–') ? ((a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i))(...(keys!.split('–').map(Number) as [number, number])) : keys!.split(' / ').map(Number);
      apiKeys.forEach((apiKey, i) => {
        const [min, max] = (ranges[i] ?? ranges[0]!).split('–').map(Number);
        documented.push({ apiKey, minVersion: min!, maxVersion: max ?? min! });
      });
    }
    assert.deepEqual(documented.sort((a, b) => a.apiKey - b.apiKey), cluster.platform.agent!.apiVersions());
  });

  test('an unknown version (v99) is answered with v0, UNSUPPORTED_VERSION and the API list; the connection stays usable', async () => {
    const c = await client();
    const clientId = Buffer.from('future-client');
    const body = Buffer.from([0x02, 0x78, 0x02, 0x31, 0x00]); // compact "x", compact "1", no tags
    const payload = Buffer.concat([
      Buffer.from([0, 18, 0, 99]),
      Buffer.from([0, 0, 0x30, 0x39]), // correlation id 12345
      Buffer.from([0, clientId.length]),
      clientId,
      Buffer.from([0]), // header tags
      body,
    ]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(payload.length);
    c.write(Buffer.concat([size, payload]));
    const frame = await c.nextFrame();
    const decoded = decodeResponse(ApiKeys.ApiVersions, 0, frame.bytes);
    assert.equal(decoded.correlationId, 12345);
    assert.equal(decoded.body.errorCode, E.UNSUPPORTED_VERSION);
    assert.deepEqual(
      decoded.body.apiKeys.map((a) => ({ apiKey: a.apiKey, minVersion: a.minVersion, maxVersion: a.maxVersion })),
      cluster.platform.agent!.apiVersions(),
    );
    // The client falls back to a version both speak, on the same connection.
    const again = await c.request(ApiKeys.ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1.0' });
    assert.equal(again.errorCode, 0);
    assert.equal(c.isClosed, false);
  });
});

describe('bytes after the request body', () => {
  test("librdkafka 2.x's \"all topics\" Metadata v12 (3 bytes after the body) is answered with every topic, counted, connection kept", async () => {
    const t = await topic('trailing-bytes');
    const c = await client();
    const metrics = cluster.platform.agent!.metrics;
    const [requestsBefore, bytesBefore] = [metrics.requestsWithTrailingBytes, metrics.trailingBytesIgnored];
    // The bytes confluent-kafka 2.16.1 (librdkafka 2.16.0) sends, correlation id 41.
    c.write(Buffer.from('00000019' + '0003000c00000029000772646b61666b6100' + '00000000010000', 'hex'));
    const metadata = decodeResponse(ApiKeys.Metadata, V.metadata, (await c.nextFrame()).bytes);
    assert.equal(metadata.correlationId, 41);
    assert.ok(metadata.body.topics.some((x) => x.name === t.name), 'all topics, the new one among them');
    assert.equal(metrics.requestsWithTrailingBytes - requestsBefore, 1);
    assert.equal(metrics.trailingBytesIgnored - bytesBefore, 3);
    assert.match(metrics.render({}), /slipstream_request_trailing_bytes_total\{\} \d+\n/);
    // The same connection goes on: a well-formed request counts nothing.
    assert.equal((await c.request(ApiKeys.Metadata, V.metadata, { topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name: t.name }] })).topics[0]!.errorCode, E.NONE);
    assert.equal(metrics.requestsWithTrailingBytes - requestsBefore, 1);
  });

  test('a body that cannot be read still closes the connection', async () => {
    const c = await client();
    // Metadata v12 whose topic array claims 5 topics and ends: truncated, whatever the size prefix says.
    c.write(Buffer.from('00000013' + '0003000c0000002a000772646b61666b6100' + '06', 'hex'));
    await Promise.race([c.closed, sleep(3000)]);
    assert.equal(c.isClosed, true);
    assert.equal(c.unread, 0);
  });
});

describe('response order', () => {
  test('a slow long-poll Fetch holds back the fast Metadata behind it on the same connection', async () => {
    const t = await topic('order-longpoll');
    const c = await client();
    const started = Date.now();
    const fetchId = c.send(ApiKeys.Fetch, V.fetch, fetchBody(t.name, [{ partition: 0, offset: 0 }], { maxWaitMs: 700, minBytes: 1 }));
    const metadataId = c.send(ApiKeys.Metadata, V.metadata, { topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name: t.name }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    const fetched = await c.receiveResponse(ApiKeys.Fetch, V.fetch, fetchId);
    assert.ok(Date.now() - started >= 500, 'the fetch waited (nothing to read)');
    assert.deepEqual(fetched.responses[0]!.partitions[0]!.records, Buffer.alloc(0));
    const metadata = await c.receiveResponse(ApiKeys.Metadata, V.metadata, metadataId);
    assert.equal(metadata.topics[0]!.name, t.name);
    assert.deepEqual(c.arrivals, [fetchId, metadataId]);
  });

  test('many pipelined requests of different kinds come back in request order', async () => {
    const t = await topic('order-many', 3);
    const c = await client();
    const sent: Array<{ id: number; check: () => Promise<void> }> = [];
    for (let i = 0; i < 60; i++) {
      switch (i % 4) {
        case 0: {
          const id = c.send(ApiKeys.Produce, V.produce, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: t.name, partitionData: [{ index: i % 3, records: valuesBatch(`m${i}`, 1) }] }] });
          sent.push({ id, check: async () => assert.equal((await c.receiveResponse(ApiKeys.Produce, V.produce, id)).responses[0]!.partitionResponses[0]!.errorCode, 0) });
          break;
        }
        case 1: {
          const id = c.send(ApiKeys.Metadata, V.metadata, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
          sent.push({ id, check: async () => assert.ok((await c.receiveResponse(ApiKeys.Metadata, V.metadata, id)).topics.length >= 1) });
          break;
        }
        case 2: {
          const id = c.send(ApiKeys.ApiVersions, 2, {});
          sent.push({ id, check: async () => assert.equal((await c.receiveResponse(ApiKeys.ApiVersions, 2, id)).errorCode, 0) });
          break;
        }
        default: {
          const id = c.send(ApiKeys.Fetch, V.fetch, fetchBody(t.name, [{ partition: i % 3, offset: 0 }], { maxWaitMs: 50, minBytes: 1 }));
          sent.push({ id, check: async () => assert.equal((await c.receiveResponse(ApiKeys.Fetch, V.fetch, id)).errorCode, 0) });
        }
      }
    }
    for (const s of sent) await s.check();
    assert.deepEqual(c.arrivals, sent.map((s) => s.id));
    assert.equal((await highWatermark(t, 0)) + (await highWatermark(t, 1)) + (await highWatermark(t, 2)), 15);
  });
});

describe('Produce', () => {
  test('acks=0 gets no response, yet the records are stored; the next response on the connection is not delayed', async () => {
    const t = await topic('acks-zero');
    const c = await client();
    const produceId = c.send(ApiKeys.Produce, V.produce, { transactionalId: null, acks: 0, timeoutMs: 5000, topicData: [{ name: t.name, partitionData: [{ index: 0, records: valuesBatch('z', 4) }] }] });
    const metadataId = c.send(ApiKeys.Metadata, V.metadata, { topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name: t.name }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    const metadata = await c.receiveResponse(ApiKeys.Metadata, V.metadata, metadataId);
    assert.equal(metadata.topics[0]!.errorCode, 0);
    for (let i = 0; i < 100 && (await highWatermark(t, 0)) < 4; i++) await sleep(20);
    const fetched = await fetchPartition(c, t.name, 0, 0);
    assert.deepEqual(recordValues(fetched.records), ['z-0', 'z-1', 'z-2', 'z-3']);
    await sleep(50);
    assert.ok(!c.arrivals.includes(produceId), 'no response to the acks=0 produce');
    assert.equal(c.unread, 0);
  });

  test('produce to a topic that does not exist creates it, as the cluster auto-creates topics', async () => {
    const c = await client();
    const first = await produce(c, 'made-by-produce', 0, valuesBatch('p', 2));
    assert.equal(first.errorCode, 0);
    assert.equal(first.baseOffset, 0n);
    const created = await cluster.platform.store.getTopic(vc.id, 'made-by-produce');
    assert.equal(created?.partition_count, 1, 'the cluster default: one partition');
    assert.equal((await produce(c, 'made-by-produce', 1, valuesBatch('p', 1))).errorCode, E.UNKNOWN_TOPIC_OR_PARTITION);
  });

  test('corrupt CRC → 2, unknown topic or partition → 3, over max.message.bytes → 10, bad acks → 21; nothing stored', async () => {
    const t = await topic('produce-errors', 2, { 'max.message.bytes': '1000' });
    const c = await client();
    const corrupt = valuesBatch('c', 2);
    corrupt[corrupt.length - 1]! ^= 0xff;
    assert.equal((await produce(c, t.name, 0, corrupt)).errorCode, E.CORRUPT_MESSAGE);
    // A name no topic can have is unknown (a valid one would be auto-created, see below).
    assert.equal((await produce(c, 'no such topic!', 0, valuesBatch('u', 1))).errorCode, E.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal((await produce(c, t.name, 2, valuesBatch('u', 1))).errorCode, E.UNKNOWN_TOPIC_OR_PARTITION);
    const big = buildBatch([{ value: Buffer.alloc(1100, 7) }]);
    assert.ok(big.length > 1000);
    const tooLarge = await produce(c, t.name, 0, big);
    assert.equal(tooLarge.errorCode, E.MESSAGE_TOO_LARGE);
    assert.equal(tooLarge.baseOffset, -1n);
    // A truncated batch is corrupt too; a magic-1 batch is an invalid record.
    assert.equal((await produce(c, t.name, 0, valuesBatch('t', 3).subarray(0, 70))).errorCode, E.CORRUPT_MESSAGE);
    const magic1 = valuesBatch('m', 1);
    magic1.writeInt8(1, 16);
    assert.equal((await produce(c, t.name, 0, magic1)).errorCode, E.INVALID_RECORD);
    const badAcks = await c.request(ApiKeys.Produce, V.produce, { transactionalId: null, acks: 2, timeoutMs: 5000, topicData: [{ name: t.name, partitionData: [{ index: 0, records: valuesBatch('a', 1) }] }] });
    assert.equal(badAcks.responses[0]!.partitionResponses[0]!.errorCode, E.INVALID_REQUIRED_ACKS);
    assert.equal(await highWatermark(t, 0), 0);
    assert.equal(await highWatermark(t, 1), 0);
    assert.equal(await cluster.platform.store.getTopic(vc.id, 'no such topic!'), undefined, 'nothing was created');

    // One request, a good and a bad partition: each answered on its own.
    const mixed = await c.request(ApiKeys.Produce, V.produce, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: t.name, partitionData: [{ index: 0, records: corrupt }, { index: 1, records: valuesBatch('ok', 3) }] }],
    });
    assert.deepEqual(mixed.responses[0]!.partitionResponses.map((p) => [p.index, p.errorCode, p.baseOffset]), [[0, E.CORRUPT_MESSAGE, -1n], [1, 0, 0n]]);
    assert.equal(await highWatermark(t, 0), 0);
    assert.equal(await highWatermark(t, 1), 3);
  });

  test('message.timestamp.type=LogAppendTime: the stored batch carries the append time (CRC still valid), the answer names it, ListOffsets finds records by it', async () => {
    const t = await topic('append-time', 1, { 'message.timestamp.type': 'LogAppendTime' });
    const c = await client();
    const old = 1_600_000_000_000;
    const before = Date.now();
    const answer = await produce(c, t.name, 0, buildBatch([{ value: 'x', timestamp: old }, { value: 'y', timestamp: old + 5 }], { baseTimestamp: old }));
    const afterwards = Date.now();
    assert.equal(answer.errorCode, 0);
    assert.ok(answer.logAppendTimeMs >= BigInt(before) && answer.logAppendTimeMs <= BigInt(afterwards), `logAppendTimeMs ${answer.logAppendTimeMs}`);
    const fetched = await fetchPartition(c, t.name, 0, 0);
    const batch = decodeBatch(fetched.records!); // one whole batch; checks its CRC-32C
    assert.equal(batch.timestampType, 1, 'LogAppendTime');
    assert.equal(batch.maxTimestamp, answer.logAppendTimeMs);
    assert.equal(batch.baseTimestamp, BigInt(old), 'the records are left as produced');
    assert.deepEqual(recordValues(fetched.records), ['x', 'y']);
    // By the append time, not the producer's: the old timestamps find nothing earlier.
    assert.deepEqual([(await listOffset(c, t.name, 0, BigInt(old + 1))).offset, (await listOffset(c, t.name, 0, BigInt(old + 1))).timestamp], [0n, answer.logAppendTimeMs]);
    assert.equal((await listOffset(c, t.name, 0, answer.logAppendTimeMs + 1n)).offset, -1n);
    // A CreateTime topic answers -1 and keeps the producer's timestamps.
    const plain = await topic('create-time');
    const created = await produce(c, plain.name, 0, buildBatch([{ value: 'z', timestamp: old }], { baseTimestamp: old }));
    assert.equal(created.logAppendTimeMs, -1n);
    assert.equal(decodeBatch((await fetchPartition(c, plain.name, 0, 0)).records!).maxTimestamp, BigInt(old));
  });

  test('produce and fetch bytes are counted in the agent metrics, exactly', async () => {
    const t = await topic('metrics');
    const c = await client();
    const metrics = cluster.platform.agent!.metrics;
    const batch = valuesBatch('x', 5);
    const produceBefore = metrics.produceBytes;
    const recordsBefore = metrics.produceRecords;
    const produceCountBefore = metrics.produceLatencyMs.count;
    assert.equal((await produce(c, t.name, 0, Buffer.concat([batch, valuesBatch('y', 2)]))).errorCode, 0);
    assert.equal(metrics.produceBytes - produceBefore, batch.length + valuesBatch('y', 2).length);
    assert.equal(metrics.produceRecords - recordsBefore, 7);
    assert.equal(metrics.produceLatencyMs.count - produceCountBefore, 1);
    // A refused produce counts nothing.
    const corrupt = Buffer.from(batch);
    corrupt[70]! ^= 1;
    await produce(c, t.name, 0, corrupt);
    assert.equal(metrics.produceBytes - produceBefore, batch.length + valuesBatch('y', 2).length);

    const fetchBefore = metrics.fetchBytes;
    const fetched = await fetchPartition(c, t.name, 0, 0);
    assert.equal(fetched.records!.length, batch.length + valuesBatch('y', 2).length);
    assert.equal(metrics.fetchBytes - fetchBefore, fetched.records!.length);
    const text = metrics.render({ virtual_cluster_id: vc.id });
    assert.match(text, new RegExp(`slipstream_produce_bytes_total\\{virtual_cluster_id="${vc.id}"\\} ${metrics.produceBytes}\\n`));
    assert.match(text, new RegExp(`slipstream_fetch_bytes_total\\{virtual_cluster_id="${vc.id}"\\} ${metrics.fetchBytes}\\n`));
  });
});

describe('Fetch', () => {
  let t: Topic;
  const sizes: number[] = [];
  before(async () => {
    t = await topic('fetch-rules', 2);
    const c = await client();
    // Batches of 3, 4 and 5 records: offsets 0-2, 3-6, 7-11.
    for (const [i, count] of [3, 4, 5].entries()) {
      const batch = valuesBatch(`b${i}`, count);
      sizes.push(batch.length);
      assert.equal((await produce(c, t.name, 0, batch)).errorCode, 0);
    }
    assert.equal((await produce(c, t.name, 1, valuesBatch('p1', 2))).errorCode, 0);
  });

  test('returns the whole batch containing the fetch offset', async () => {
    const c = await client();
    const p = await fetchPartition(c, t.name, 0, 5);
    assert.equal(p.errorCode, 0);
    assert.equal(p.highWatermark, 12n);
    const batches = decodeBatches(p.records);
    assert.deepEqual(batches.map((b) => b.baseOffset), [3n, 7n]);
    assert.deepEqual(batches[0]!.records.map((r) => r.offset), [3n, 4n, 5n, 6n]);
    assert.ok(batches.every((b) => b.crcValid), 'batches go out as stored, CRC intact');
  });

  test('at least one batch even over max_bytes; more only while they fit', async () => {
    const c = await client();
    const one = await fetchPartition(c, t.name, 0, 0, { partitionMaxBytes: 1 });
    assert.deepEqual(decodeBatches(one.records).map((b) => b.baseOffset), [0n]);
    const two = await fetchPartition(c, t.name, 0, 0, { partitionMaxBytes: sizes[0]! + sizes[1]! });
    assert.deepEqual(decodeBatches(two.records).map((b) => b.baseOffset), [0n, 3n]);
    const almostThree = await fetchPartition(c, t.name, 0, 0, { partitionMaxBytes: sizes[0]! + sizes[1]! + sizes[2]! - 1 });
    assert.deepEqual(decodeBatches(almostThree.records).map((b) => b.baseOffset), [0n, 3n]);
    // The request-wide max_bytes: the first partition gets its one batch, the second waits.
    const response = await c.request(ApiKeys.Fetch, V.fetch, fetchBody(t.name, [{ partition: 0, offset: 7 }, { partition: 1, offset: 0 }], { maxBytes: 10 }));
    const [p0, p1] = response.responses[0]!.partitions as [FetchResponse['responses'][0]['partitions'][0], FetchResponse['responses'][0]['partitions'][0]];
    assert.deepEqual(decodeBatches(p0.records).map((b) => b.baseOffset), [7n]);
    assert.deepEqual(p1.records, Buffer.alloc(0));
    assert.equal(p1.errorCode, 0);
    assert.equal(p1.highWatermark, 2n);
  });

  test('at the high watermark: empty; above it or below the log start: OFFSET_OUT_OF_RANGE', async () => {
    const c = await client();
    const atEnd = await fetchPartition(c, t.name, 0, 12);
    assert.equal(atEnd.errorCode, 0);
    assert.deepEqual(atEnd.records, Buffer.alloc(0));
    const above = await fetchPartition(c, t.name, 0, 13);
    assert.equal(above.errorCode, E.OFFSET_OUT_OF_RANGE);
    assert.equal(above.highWatermark, 12n);
    assert.equal((await fetchPartition(c, t.name, 0, -1)).errorCode, E.OFFSET_OUT_OF_RANGE);
    const unknown = await fetchPartition(c, t.name, 5, 0);
    assert.equal(unknown.errorCode, E.UNKNOWN_TOPIC_OR_PARTITION);
  });

  test('Kafka\'s internal topics are listed, flagged internal, and read as empty logs', async () => {
    const c = await client();
    const all = await c.request(ApiKeys.Metadata, V.metadata, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    const internal = all.topics.filter((topic) => topic.isInternal).map((topic) => [topic.name, topic.partitions.length]);
    assert.deepEqual(internal, [['__consumer_offsets', 50], ['__transaction_state', 50]]);
    assert.ok(all.topics.some((topic) => topic.name === t.name && !topic.isInternal));
    const named = await c.request(ApiKeys.Metadata, V.metadata, { topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name: '__consumer_offsets' }], allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false });
    assert.deepEqual([named.topics[0]!.errorCode, named.topics[0]!.isInternal], [E.NONE, true]);
    const empty = await fetchPartition(c, '__consumer_offsets', 3, 0);
    assert.deepEqual([empty.errorCode, empty.highWatermark, empty.records], [E.NONE, 0n, Buffer.alloc(0)]);
    assert.equal((await fetchPartition(c, '__consumer_offsets', 50, 0)).errorCode, E.UNKNOWN_TOPIC_OR_PARTITION);
  });

  test('long poll: a produce from another connection wakes a waiting fetch', async () => {
    const waiting = await topic('long-poll');
    const consumer = await client();
    const producer = await client();
    const started = Date.now();
    const id = consumer.send(ApiKeys.Fetch, V.fetch, fetchBody(waiting.name, [{ partition: 0, offset: 0 }], { maxWaitMs: 5000, minBytes: 1 }));
    await sleep(150);
    assert.equal(consumer.arrivals.length, 0, 'the fetch is waiting');
    assert.equal((await produce(producer, waiting.name, 0, valuesBatch('wake', 2))).errorCode, 0);
    const response = await consumer.receiveResponse(ApiKeys.Fetch, V.fetch, id, 10_000);
    const elapsed = Date.now() - started;
    assert.deepEqual(recordValues(response.responses[0]!.partitions[0]!.records), ['wake-0', 'wake-1']);
    assert.ok(elapsed < 4000, `woken by the commit, not the 5 s timeout (${elapsed} ms)`);
  });

  test('long poll with nothing produced answers empty after max_wait_ms', async () => {
    const idle = await topic('idle-poll');
    const c = await client();
    const started = Date.now();
    const p = await fetchPartition(c, idle.name, 0, 0, { maxWaitMs: 400, minBytes: 1 });
    assert.ok(Date.now() - started >= 300, 'it waited');
    assert.equal(p.errorCode, 0);
    assert.deepEqual(p.records, Buffer.alloc(0));
  });
});

describe('ListOffsets and DeleteRecords', () => {
  test('earliest, latest, by timestamp; DeleteRecords moves the log start', async () => {
    const t = await topic('offsets');
    const c = await client();
    const base = 1_700_000_000_000;
    // Batches at base+0 (offsets 0-2), base+1000 (3-6), base+2000 (7-9).
    for (const [i, count] of [3, 4, 3].entries()) {
      const batch = buildBatch(Array.from({ length: count }, (_, j) => ({ value: `t${i}-${j}` })), { baseTimestamp: base + i * 1000 });
      assert.equal((await produce(c, t.name, 0, batch)).errorCode, 0);
    }
    assert.equal((await listOffset(c, t.name, 0, -2n)).offset, 0n);
    assert.equal((await listOffset(c, t.name, 0, -1n)).offset, 10n);
    const byTime = await listOffset(c, t.name, 0, BigInt(base + 500));
    assert.deepEqual([byTime.errorCode, byTime.offset, byTime.timestamp], [0, 3n, BigInt(base + 1000)]);
    assert.equal((await listOffset(c, t.name, 0, BigInt(base))).offset, 0n);
    assert.equal((await listOffset(c, t.name, 0, BigInt(base + 2000))).offset, 7n);
    assert.equal((await listOffset(c, t.name, 0, BigInt(base + 2001))).offset, -1n, 'after every record: -1');
    assert.equal((await listOffset(c, t.name, 0, -3n)).offset, 7n, 'max timestamp');
    assert.equal((await listOffset(c, t.name, 3, -1n)).errorCode, E.UNKNOWN_TOPIC_OR_PARTITION);

    const deleteRecords = (offset: bigint) =>
      c.request(ApiKeys.DeleteRecords, V.deleteRecords, { topics: [{ name: t.name, partitions: [{ partitionIndex: 0, offset }] }], timeoutMs: 5000 });
    const moved = (await deleteRecords(4n)).topics[0]!.partitions[0]!;
    assert.deepEqual([moved.errorCode, moved.lowWatermark], [0, 4n]);
    assert.equal((await listOffset(c, t.name, 0, -2n)).offset, 4n);
    assert.equal((await listOffset(c, t.name, 0, -1n)).offset, 10n);
    assert.equal((await listOffset(c, t.name, 0, BigInt(base))).offset, 4n, 'by timestamp never answers below the log start');
    const below = await fetchPartition(c, t.name, 0, 3);
    assert.equal(below.errorCode, E.OFFSET_OUT_OF_RANGE);
    assert.equal(below.logStartOffset, 4n);
    // Offset 4 sits in the batch 3-6, which is still served whole.
    const at = await fetchPartition(c, t.name, 0, 4);
    assert.equal(at.errorCode, 0);
    assert.equal(at.logStartOffset, 4n);
    assert.deepEqual(decodeBatches(at.records).map((b) => b.baseOffset), [3n, 7n]);
    // Moving it back does nothing; beyond the high watermark is refused; -1 means the high watermark.
    assert.equal((await deleteRecords(2n)).topics[0]!.partitions[0]!.lowWatermark, 4n);
    assert.equal((await deleteRecords(11n)).topics[0]!.partitions[0]!.errorCode, E.OFFSET_OUT_OF_RANGE);
    assert.equal((await listOffset(c, t.name, 0, -2n)).offset, 4n);
    assert.equal((await deleteRecords(-1n)).topics[0]!.partitions[0]!.lowWatermark, 10n);
    assert.equal((await listOffset(c, t.name, 0, -2n)).offset, 10n);
    assert.equal((await fetchPartition(c, t.name, 0, 7)).errorCode, E.OFFSET_OUT_OF_RANGE);
    // New records continue at 10.
    assert.equal((await produce(c, t.name, 0, valuesBatch('after', 1))).baseOffset, 10n);
  });
  test('by timestamp and max timestamp are precise to the record inside a batch (compressed too), never below the log start', async () => {
    const t = await topic('offsets-precise');
    const c = await client();
    const base = 1_700_000_000_000;
    // Offsets 0-4, CreateTime out of order within the batch: base + 0, 100, 50, 300, 200.
    const first = buildBatch([0, 100, 50, 300, 200].map((delta, j) => ({ value: `a${j}`, timestamp: base + delta })), { baseTimestamp: base });
    assert.equal((await produce(c, t.name, 0, first)).errorCode, 0);
    // Offsets 5-7, gzip: base + 400, 600, 500.
    const record = (offsetDelta: number, timestampDelta: number) => ({ attributes: 0, timestampDelta: BigInt(timestampDelta), offsetDelta, key: null, value: Buffer.from(`b${offsetDelta}`), headers: [] });
    const second = encodeBatch({ compression: Compression.Gzip, baseTimestamp: BigInt(base + 400), records: [record(0, 0), record(1, 200), record(2, 100)] });
    assert.equal((await produce(c, t.name, 0, second)).baseOffset, 5n);

    const at = async (timestamp: number | bigint) => {
      const answer = await listOffset(c, t.name, 0, BigInt(timestamp));
      assert.equal(answer.errorCode, 0);
      return [answer.offset, answer.timestamp];
    };
    // The earliest offset whose timestamp is at or after the target, and that record's timestamp.
    assert.deepEqual(await at(base), [0n, BigInt(base)]);
    assert.deepEqual(await at(base + 60), [1n, BigInt(base + 100)]);
    assert.deepEqual(await at(base + 150), [3n, BigInt(base + 300)]);
    assert.deepEqual(await at(base + 301), [5n, BigInt(base + 400)]);
    assert.deepEqual(await at(base + 550), [6n, BigInt(base + 600)], 'inside a compressed batch');
    assert.deepEqual(await at(base + 601), [-1n, -1n]);
    assert.deepEqual(await at(-3n), [6n, BigInt(base + 600)], 'max timestamp: the record that has it');

    // After DeleteRecords to 4, records before it no longer count.
    const moved = await c.request(ApiKeys.DeleteRecords, V.deleteRecords, { topics: [{ name: t.name, partitions: [{ partitionIndex: 0, offset: 4n }] }], timeoutMs: 5000 });
    assert.equal(moved.topics[0]!.partitions[0]!.lowWatermark, 4n);
    assert.deepEqual(await at(base + 60), [4n, BigInt(base + 200)]);
  });
});

describe('OffsetForLeaderEpoch', () => {
  test("epoch 0 (the only one: every agent leads every partition) ends at the high watermark; a later epoch is undefined; the current-leader fence and unknown partitions are refused", async () => {
    const t = await topic('epochs', 2);
    const c = await client();
    assert.equal((await produce(c, t.name, 0, valuesBatch('e', 3))).errorCode, 0);
    const ask = async (partitions: Array<{ partition: number; currentLeaderEpoch?: number; leaderEpoch: number }>, version = V.offsetForLeaderEpoch, name = t.name) => {
      const response = await c.request(ApiKeys.OffsetForLeaderEpoch, version, {
        replicaId: -1,
        topics: [{ topic: name, partitions: partitions.map((p) => ({ currentLeaderEpoch: -1, ...p })) }],
      });
      assert.equal(response.topics[0]!.topic, name);
      return response.topics[0]!.partitions.map((p) => [p.partition, p.errorCode, p.leaderEpoch, p.endOffset]);
    };
    assert.deepEqual(await ask([{ partition: 0, leaderEpoch: 0 }, { partition: 1, leaderEpoch: 0 }]), [[0, 0, 0, 3n], [1, 0, 0, 0n]]);
    assert.deepEqual(await ask([{ partition: 0, leaderEpoch: 0 }], 0), [[0, 0, -1, 3n]], 'v0 has no leaderEpoch in its answer');
    assert.deepEqual(await ask([{ partition: 0, leaderEpoch: 5 }]), [[0, 0, -1, -1n]], 'an epoch after the current one: UNDEFINED');
    assert.deepEqual(await ask([{ partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }]), [[0, 0, 0, 3n]]);
    assert.deepEqual(await ask([{ partition: 0, currentLeaderEpoch: 1, leaderEpoch: 0 }]), [[0, E.UNKNOWN_LEADER_EPOCH, -1, -1n]]);
    assert.deepEqual(await ask([{ partition: 2, leaderEpoch: 0 }]), [[2, E.UNKNOWN_TOPIC_OR_PARTITION, -1, -1n]]);
    assert.deepEqual(await ask([{ partition: 0, leaderEpoch: 0 }], V.offsetForLeaderEpoch, 'no-such-topic'), [[0, E.UNKNOWN_TOPIC_OR_PARTITION, -1, -1n]]);
  });
});

describe('incremental fetch sessions (KIP-227)', () => {
  test('a full fetch makes a session; incremental fetches name only changes and are answered only with news; wrong epochs, unknown and closed sessions are refused', async () => {
    const t = await topic('sessions', 2);
    const c = await client();
    assert.equal((await produce(c, t.name, 0, valuesBatch('s0', 2))).errorCode, 0);
    const fetch = (sessionId: number, sessionEpoch: number, partitions: Array<{ partition: number; offset: number }>, forgotten: number[] = []) =>
      c.request(ApiKeys.Fetch, V.fetch, {
        ...fetchBody(t.name, partitions, { maxWaitMs: 50 }),
        sessionId, sessionEpoch,
        topics: partitions.length === 0 ? [] : fetchBody(t.name, partitions).topics,
        forgottenTopicsData: forgotten.length === 0 ? [] : [{ topic: t.name, topicId: '00000000-0000-0000-0000-000000000000', partitions: forgotten }],
      }, 20_000);
    const answered = (response: FetchResponse) => response.responses.flatMap((topic) => topic.partitions.map((p) => [p.partitionIndex, decodeBatches(p.records).length, p.highWatermark]));

    const full = await fetch(0, 0, [{ partition: 0, offset: 0 }, { partition: 1, offset: 0 }]);
    assert.equal(full.errorCode, 0);
    assert.ok(full.sessionId > 0, 'a session was made');
    const session = full.sessionId;
    assert.deepEqual(answered(full), [[0, 1, 2n], [1, 0, 0n]]);

    // The client moves partition 0 on; nothing is new anywhere: nothing is answered.
    const quiet = await fetch(session, 1, [{ partition: 0, offset: 2 }]);
    assert.deepEqual([quiet.errorCode, quiet.sessionId, answered(quiet)], [0, session, []]);
    // A produce to partition 1, which this request does not name: the session still reads it.
    assert.equal((await produce(c, t.name, 1, valuesBatch('s1', 3))).errorCode, 0);
    assert.deepEqual(answered(await fetch(session, 2, [])), [[1, 1, 3n]]);

    // Forgotten partitions are no longer read.
    assert.deepEqual(answered(await fetch(session, 3, [{ partition: 1, offset: 3 }], [0])), []);
    assert.equal((await produce(c, t.name, 0, valuesBatch('s0b', 1))).errorCode, 0);
    assert.deepEqual(answered(await fetch(session, 4, [])), []);

    assert.equal((await fetch(session, 9, [])).errorCode, E.INVALID_FETCH_SESSION_EPOCH);
    assert.equal((await fetch(session + 1, 1, [])).errorCode, E.FETCH_SESSION_ID_NOT_FOUND);
    assert.equal((await fetch(0, 3, [])).errorCode, E.INVALID_FETCH_SESSION_EPOCH);
    // Closing (epoch -1) answers sessionlessly; the session is gone.
    const closing = await fetch(session, -1, [{ partition: 0, offset: 0 }]);
    assert.deepEqual([closing.errorCode, closing.sessionId, answered(closing)], [0, 0, [[0, 2, 3n]]]);
    assert.equal((await fetch(session, 5, [])).errorCode, E.FETCH_SESSION_ID_NOT_FOUND);
    // Sessionless fetches (epoch -1, session 0) make none.
    assert.equal((await fetch(0, -1, [{ partition: 0, offset: 0 }])).sessionId, 0);
    // A full fetch (epoch 0) naming a session replaces it, as Kafka does (franz-go resets so).
    const again = await fetch(0, 0, [{ partition: 0, offset: 0 }]);
    const reset = await fetch(again.sessionId, 0, [{ partition: 1, offset: 0 }]);
    assert.deepEqual([reset.errorCode, answered(reset)], [0, [[1, 1, 3n]]]);
    assert.notEqual(reset.sessionId, again.sessionId);
    assert.equal((await fetch(again.sessionId, 1, [])).errorCode, E.FETCH_SESSION_ID_NOT_FOUND, 'the replaced session is gone');
    assert.deepEqual(answered(await fetch(reset.sessionId, 1, [{ partition: 1, offset: 3 }])), [], 'the new one reads partition 1 only: at its end, no news');
  });
});

describe('replica management, leaderless', () => {
  test('DescribeLogDirs reports the bytes each partition stores; ElectLeaders needs no election; reassignments are refused with the reason, none in progress', async () => {
    const t = await topic('log-dirs', 2);
    const c = await client();
    const batch = valuesBatch('d', 4);
    assert.equal((await produce(c, t.name, 1, batch)).errorCode, 0);
    const dirs = await c.request(ApiKeys.DescribeLogDirs, 4, { topics: [{ topic: t.name, partitions: [0, 1, 9] }, { topic: 'no-such-topic', partitions: [0] }] });
    assert.equal(dirs.errorCode, 0);
    assert.equal(dirs.results.length, 1);
    assert.equal(dirs.results[0]!.logDir, 'object-storage');
    assert.deepEqual(dirs.results[0]!.topics.map((topic) => [topic.name, topic.partitions.map((p) => [p.partitionIndex, p.partitionSize])]), [
      [t.name, [[0, 0n], [1, BigInt(batch.length)]]],
    ]);
    const all = await c.request(ApiKeys.DescribeLogDirs, 4, { topics: null });
    assert.ok(all.results[0]!.topics.some((topic) => topic.name === t.name && topic.partitions.length === 2));

    const elect = await c.request(ApiKeys.ElectLeaders, 2, { electionType: 0, topicPartitions: [{ topic: t.name, partitions: [0, 5] }], timeoutMs: 1000 });
    assert.deepEqual(elect.replicaElectionResults[0]!.partitionResult.map((p) => [p.partitionId, p.errorCode]), [[0, E.ELECTION_NOT_NEEDED], [5, E.UNKNOWN_TOPIC_OR_PARTITION]]);

    const alter = await c.request(ApiKeys.AlterPartitionReassignments, 0, {
      timeoutMs: 1000, topics: [{ name: t.name, partitions: [{ partitionIndex: 0, replicas: [1, 2] }, { partitionIndex: 1, replicas: null }] }],
    });
    const answers = alter.responses[0]!.partitions;
    assert.deepEqual(answers.map((p) => [p.partitionIndex, p.errorCode]), [[0, E.INVALID_REPLICA_ASSIGNMENT], [1, E.NO_REASSIGNMENT_IN_PROGRESS]]);
    assert.match(answers[0]!.errorMessage ?? '', /object storage/);
    const listed = await c.request(ApiKeys.ListPartitionReassignments, 0, { timeoutMs: 1000, topics: null });
    assert.deepEqual([listed.errorCode, listed.topics], [0, []]);
  });
});

describe('topic administration over Kafka', () => {
  const createTopics = (c: RawClient, topics: Array<{ name: string; numPartitions: number; configs?: Array<{ name: string; value: string }> }>, validateOnly = false) =>
    c.request(ApiKeys.CreateTopics, V.createTopics, {
      topics: topics.map((t) => ({ name: t.name, numPartitions: t.numPartitions, replicationFactor: -1, assignments: [], configs: t.configs ?? [] })),
      timeoutMs: 5000,
      validateOnly,
    });

  async function liveTopics(): Promise<string[]> {
    return (await cluster.platform.store.listTopics(vc.id, 'live')).map((t) => t.name).sort();
  }

  test('CreateTopics with validateOnly checks everything and creates nothing', async () => {
    const c = await client();
    const before = await liveTopics();
    const response = await createTopics(c, [{ name: 'validated-only', numPartitions: 4 }, { name: 'bad name!', numPartitions: 1 }], true);
    assert.deepEqual(response.topics.map((t) => [t.name, t.errorCode, t.numPartitions]), [['validated-only', 0, 4], ['bad name!', E.INVALID_TOPIC_EXCEPTION, -1]]);
    assert.deepEqual(await liveTopics(), before);
    assert.equal(await cluster.platform.store.countPartitions(vc.id), (await cluster.platform.store.listTopics(vc.id, 'live')).reduce((n, t) => n + t.partition_count, 0));
    // And for real.
    const created = await createTopics(c, [{ name: 'validated-only', numPartitions: 4 }]);
    assert.equal(created.topics[0]!.errorCode, 0);
    assert.equal((await cluster.platform.store.getTopic(vc.id, 'validated-only'))?.partition_count, 4);
  });

  test('the same rules as the HTTP API: names, collisions, duplicates, configs, the tier partition limit', async () => {
    const c = await client();
    const http = (body: Record<string, unknown>) => api(cluster.apiUrl, cluster.boot.application_key, '/api/v1/create_topic', { virtual_cluster_id: vc.id, ...body });
    await topic('rule.base', 1);
    const before = await liveTopics();
    const partitionsBefore = await cluster.platform.store.countPartitions(vc.id);
    const limit = 4096 - partitionsBefore;
    const cases: Array<{ name: string; numPartitions: number; configs?: Array<{ name: string; value: string }>; kafka: number; http: string }> = [
      { name: 'bad name!', numPartitions: 1, kafka: E.INVALID_TOPIC_EXCEPTION, http: 'INVALID_TOPIC_NAME' },
      { name: 'x'.repeat(250), numPartitions: 1, kafka: E.INVALID_TOPIC_EXCEPTION, http: 'INVALID_TOPIC_NAME' },
      { name: '..', numPartitions: 1, kafka: E.INVALID_TOPIC_EXCEPTION, http: 'INVALID_TOPIC_NAME' },
      { name: 'rule_base', numPartitions: 1, kafka: E.INVALID_TOPIC_EXCEPTION, http: 'TOPIC_NAME_COLLISION' },
      { name: 'rule.base', numPartitions: 1, kafka: E.TOPIC_ALREADY_EXISTS, http: 'TOPIC_ALREADY_EXISTS' },
      { name: 'too-many', numPartitions: limit + 1, kafka: E.INVALID_PARTITIONS, http: 'PARTITION_LIMIT_EXCEEDED' },
      { name: 'zero-partitions', numPartitions: 0, kafka: E.INVALID_PARTITIONS, http: 'INVALID_PARTITIONS' },
      { name: 'bad-config', numPartitions: 1, configs: [{ name: 'retention.ms', value: 'soon' }], kafka: E.INVALID_CONFIG, http: 'INVALID_CONFIG' },
    ];
    for (const k of cases) {
      const response = await createTopics(c, [k]);
      assert.equal(response.topics[0]!.errorCode, k.kafka, `Kafka CreateTopics ${k.name.slice(0, 20)}: ${response.topics[0]!.errorMessage}`);
      assert.ok(response.topics[0]!.errorMessage, 'a message says why');
      const viaHttp = await http({ topic_name: k.name, partition_count: k.numPartitions, ...(k.configs ? { configs: Object.fromEntries(k.configs.map((x) => [x.name, x.value])) } : {}) });
      assert.ok(viaHttp.status >= 400 && viaHttp.status < 500, `HTTP ${k.name.slice(0, 20)} → ${viaHttp.status}`);
      assert.equal(viaHttp.body.error.code, k.http, `HTTP create_topic ${k.name.slice(0, 20)}`);
    }
    assert.deepEqual(await liveTopics(), before, 'nothing was created');
    assert.equal(await cluster.platform.store.countPartitions(vc.id), partitionsBefore);

    // Exactly up to the limit is allowed, then CreatePartitions is held to it too.
    const upTo = await createTopics(c, [{ name: 'fills-the-tier', numPartitions: limit - 1 }]);
    assert.equal(upTo.topics[0]!.errorCode, 0);
    const grow = (count: number, validateOnly = false) =>
      c.request(ApiKeys.CreatePartitions, V.createPartitions, { topics: [{ name: 'rule.base', count, assignments: null }], timeoutMs: 5000, validateOnly });
    assert.equal((await grow(3)).results[0]!.errorCode, E.INVALID_PARTITIONS, 'one over the tier limit');
    assert.equal((await grow(2, true)).results[0]!.errorCode, 0);
    assert.equal((await cluster.platform.store.getTopic(vc.id, 'rule.base'))?.partition_count, 1, 'validateOnly grew nothing');
    assert.equal((await grow(2)).results[0]!.errorCode, 0);
    assert.equal((await grow(2)).results[0]!.errorCode, E.INVALID_PARTITIONS, 'partitions never shrink or stay');
    assert.equal(await cluster.platform.store.countPartitions(vc.id), 4096);
    const httpOver = await http({ topic_name: 'one-more', partition_count: 1 });
    assert.equal(httpOver.body.error.code, 'PARTITION_LIMIT_EXCEEDED');
    assert.equal((await createTopics(c, [{ name: 'one-more', numPartitions: 1 }])).topics[0]!.errorCode, E.INVALID_PARTITIONS);
    // Free the tier again for the other tests.
    const deleted = await c.request(ApiKeys.DeleteTopics, 6, { topics: [{ name: 'fills-the-tier', topicId: '00000000-0000-0000-0000-000000000000' }], timeoutMs: 5000 });
    assert.equal(deleted.responses[0]!.errorCode, 0);
    assert.equal(await cluster.platform.store.getTopic(vc.id, 'fills-the-tier'), undefined);
  });
});

