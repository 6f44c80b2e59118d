import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import type { Agent } from '../../src/agent/agent.ts';
import { createTopic } from '../../src/control-plane/services/topics.ts';
import { ApiKeys, decodeResponse, encodeRequest } from '../../src/kafka-protocol/index.ts';
import { startTestCluster } from '../helpers/cluster.ts';
import { valuesBatch } from './batches.ts';
import { RawClient, splitAddress } from './client.ts';

/**
 * Bad input on the wire: random bytes, truncated frames, wrong size prefixes, unknown API keys
 * and versions, mutated requests, frames over the limit. Each case gets its own connection,
 * which the agent must close or answer (or, for a frame that is merely incomplete, keep
 * waiting on); a separate healthy connection must keep working between rounds, and the agent
 * must not crash or keep dead connections. Seeded: SLIPSTREAM_FUZZ_SEED replays a run.
 */

const SEED = Number(process.env.SLIPSTREAM_FUZZ_SEED ?? 0x5eed5);
const CASES = 3000;
const PARALLEL = 50;
const MAX_FRAME = 256 * 1024;
const TOPIC = 'fuzz-topic';

/** mulberry32: small, fast, good enough to make cases reproducible. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    bytes: (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256))),
  };
}
type Rng = ReturnType<typeof rng>;

/**
 * What the agent must do with a case: `closed` (and answer nothing), `answered` (at least
 * `frames` responses, connection open), `either` (closed, or answered at least once), `open`
 * (an incomplete frame: nothing answered, nothing closed: the agent waits for the rest),
 * `answered-then-closed` (exactly `frames` responses to the good requests before the bad one,
 * then closed, as a Kafka broker that reads one request at a time would).
 */
type Expect = 'closed' | 'answered' | 'either' | 'open' | 'answered-then-closed';
interface Case {
  kind: string;
  chunks: Buffer[];
  expect: Expect;
  frames?: number;
  /** Checks the response frames of an `answered` case. */
  check?: (frames: Buffer[]) => void;
}

function sizePrefixed(payload: Buffer, size = payload.length): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(size);
  return Buffer.concat([prefix, payload]);
}

/** Valid requests of several APIs and versions (none that long-polls unless asked). */
function validRequest(r: Rng, correlationId: number, options: { allowFetch?: boolean } = {}): Buffer {
  const choices = options.allowFetch ? 7 : 6;
  switch (r.int(0, choices - 1)) {
    case 0:
      return encodeRequest({ apiKey: ApiKeys.ApiVersions, apiVersion: r.int(0, 4), correlationId, clientId: 'fuzz' }, { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1.0' });
    case 1:
      return encodeRequest({ apiKey: ApiKeys.Metadata, apiVersion: r.int(1, 12), correlationId, clientId: 'fuzz' }, { topics: [{ name: TOPIC }], allowAutoTopicCreation: false });
    case 2:
      return encodeRequest(
        { apiKey: ApiKeys.ListOffsets, apiVersion: r.int(1, 7), correlationId, clientId: 'fuzz' },
        { replicaId: -1, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, timestamp: -1n }] }] },
      );
    case 3:
      return encodeRequest(
        { apiKey: ApiKeys.Produce, apiVersion: r.int(3, 9), correlationId, clientId: 'fuzz' },
        { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: valuesBatch('fz', r.int(1, 3)) }] }] },
      );
    case 4:
      return encodeRequest(
        { apiKey: ApiKeys.DescribeConfigs, apiVersion: r.int(0, 4), correlationId, clientId: 'fuzz' },
        { resources: [{ resourceType: 2, resourceName: TOPIC, configurationKeys: null }] },
      );
    case 5:
      return encodeRequest({ apiKey: ApiKeys.FindCoordinator, apiVersion: r.int(0, 3), correlationId, clientId: 'fuzz' }, { key: 'fuzz-group', keyType: 0 });
    default:
      return encodeRequest(
        { apiKey: ApiKeys.Fetch, apiVersion: r.int(4, 12), correlationId, clientId: 'fuzz' },
        { maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, topics: [{ topic: TOPIC, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }] },
      );
  }
}

/** A request header for any key and version (v2, with its tag buffer, when `flexible`), then `body`. */
function rawRequest(apiKey: number, apiVersion: number, correlationId: number, body: Buffer, flexible = false, clientId = 'fuzz'): Buffer {
  const header = Buffer.alloc(10 + clientId.length + (flexible ? 1 : 0));
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(clientId.length, 8);
  header.write(clientId, 10);
  return sizePrefixed(Buffer.concat([header, body]));
}

const SERVED = new Set<number>(Object.values(ApiKeys));
const VERSION_RANGES: Record<number, number> = { 0: 11, 1: 17, 2: 10, 3: 12, 8: 9, 9: 9, 10: 6, 18: 4, 19: 7, 32: 4 };

function makeCase(r: Rng, n: number): Case {
  const correlationId = n + 1;
  const kind = r.int(0, 11);
  switch (kind) {
    case 0: {
      // Random payload behind a valid size prefix: unreadable → closed (a random header
      // practically never names a served API and version whose body then decodes).
      const payload = r.bytes(r.int(0, 300));
      return { kind: 'random-payload', chunks: [sizePrefixed(payload)], expect: 'either' };
    }
    case 1: {
      // Pure random bytes, size prefix included: refused, unreadable, or merely incomplete.
      const bytes = r.bytes(r.int(1, 64));
      const size = bytes.length >= 4 ? bytes.readInt32BE(0) : 0;
      if (bytes.length < 4) return { kind: 'random-short', chunks: [bytes], expect: 'open' };
      if (size < 4 || size > MAX_FRAME) return { kind: 'random-bad-size', chunks: [bytes], expect: 'closed' };
      if (size > bytes.length - 4) return { kind: 'random-incomplete', chunks: [bytes], expect: 'open' };
      return { kind: 'random-frame', chunks: [bytes], expect: 'either' };
    }
    case 2: {
      // A valid request cut short, its size prefix unchanged: the agent waits for the rest.
      const frame = validRequest(r, correlationId, { allowFetch: true });
      return { kind: 'truncated', chunks: [frame.subarray(0, r.int(1, frame.length - 1))], expect: 'open' };
    }
    case 3: {
      // A valid request whose size prefix claims less than the request: the body is cut short
      // (→ unreadable), and what follows is read as a new frame.
      const frame = validRequest(r, correlationId, { allowFetch: true });
      const payload = frame.subarray(4);
      const claimed = r.int(4, payload.length - 1);
      return { kind: 'size-too-small', chunks: [sizePrefixed(payload.subarray(0, claimed), claimed), payload.subarray(claimed)], expect: 'closed' };
    }
    case 4: {
      // A size prefix claiming more, then bytes to fill it: the body is whole, the bytes after it
      // are ignored as Kafka ignores them (librdkafka sends such bytes) → answered, still open.
      const frame = validRequest(r, correlationId, { allowFetch: true });
      const extra = r.int(1, 40);
      return {
        kind: 'size-too-large',
        chunks: [sizePrefixed(Buffer.concat([frame.subarray(4), r.bytes(extra)]))],
        expect: 'answered',
        check: (responses) => assert.equal(responses[0]!.readInt32BE(4), correlationId),
      };
    }
    case 5: {
      // An API key the agent does not serve → closed (a broker cannot answer in a form the client expects).
      let apiKey = r.int(-5, 2000);
      while (SERVED.has(apiKey)) apiKey = r.int(61, 2000);
      return { kind: 'unknown-api', chunks: [rawRequest(apiKey, r.int(0, 5), correlationId, r.bytes(r.int(0, 30)))], expect: 'closed' };
    }
    case 6: {
      // A served API at a version it does not speak → closed; ApiVersions is answered instead.
      const apiKey = r.pick(Object.keys(VERSION_RANGES).map(Number));
      const version = r.next() < 0.5 ? VERSION_RANGES[apiKey]! + r.int(1, 200) : -r.int(1, 5);
      if (apiKey === ApiKeys.ApiVersions) {
        // Kafka answers any ApiVersions version it does not speak. A newer client's is flexible,
        // so it comes with request header v2 (as Kafka clients send it).
        const frame = rawRequest(apiKey, version, correlationId, r.bytes(r.int(0, 30)), version > 0);
        return {
          kind: 'unknown-apiversions-version',
          chunks: [frame],
          expect: 'answered',
          frames: 1,
          check: ([response]) => {
            const decoded = decodeResponse(ApiKeys.ApiVersions, 0, response!);
            assert.equal(decoded.correlationId, correlationId);
            assert.equal(decoded.body.errorCode, 35);
            assert.ok(decoded.body.apiKeys.length > 20);
          },
        };
      }
      return { kind: 'unknown-version', chunks: [rawRequest(apiKey, version, correlationId, r.bytes(r.int(0, 30)))], expect: 'closed' };
    }
    case 7: {
      // A frame over the limit, or a negative or too small size: refused from the prefix alone.
      const size = r.pick([MAX_FRAME + 1, MAX_FRAME + r.int(2, 1 << 20), 0x7fffffff, -1, -r.int(2, 1 << 30), 0, 1, 2, 3]);
      return { kind: 'bad-size-prefix', chunks: [sizePrefixed(Buffer.alloc(0), size).subarray(0, 4)], expect: 'closed' };
    }
    case 8: {
      // A valid request with a few bytes of its payload changed, then a valid ApiVersions: the
      // connection is closed, or (if the mutant still reads) answered.
      const frame = Buffer.from(validRequest(r, correlationId));
      for (let i = r.int(1, 4); i > 0; i--) {
        const at = r.int(4, frame.length - 1);
        frame[at] = r.next() < 0.5 ? frame[at]! ^ (1 << r.int(0, 7)) : r.int(0, 255);
      }
      const probe = encodeRequest({ apiKey: ApiKeys.ApiVersions, apiVersion: 0, correlationId: correlationId + 1_000_000, clientId: 'probe' }, {});
      return { kind: 'mutated', chunks: [frame, probe], expect: 'either' };
    }
    case 9: {
      // Valid requests delivered a byte or a few at a time: answered, all of them, in order.
      const count = r.int(1, 3);
      const frames = Array.from({ length: count }, (_, i) => validRequest(r, correlationId * 10 + i, { allowFetch: true }));
      const whole = Buffer.concat(frames);
      const chunks: Buffer[] = [];
      for (let at = 0; at < whole.length; ) {
        const step = r.int(1, 7);
        chunks.push(whole.subarray(at, at + step));
        at += step;
      }
      return {
        kind: 'fragmented-valid',
        chunks,
        expect: 'answered',
        frames: count,
        check: (responses) => assert.deepEqual(responses.map((f) => f.readInt32BE(4)), frames.map((_, i) => correlationId * 10 + i)),
      };
    }
    case 10: {
      // Valid requests followed by garbage in one write: the valid ones are answered, then closed.
      const count = r.int(1, 3);
      const frames = Array.from({ length: count }, (_, i) => validRequest(r, correlationId * 10 + i));
      const garbage = r.next() < 0.5 ? sizePrefixed(r.bytes(r.int(0, 20))) : sizePrefixed(Buffer.alloc(0), MAX_FRAME + 1).subarray(0, 4);
      return {
        kind: 'valid-then-garbage',
        chunks: [Buffer.concat([...frames, garbage, validRequest(r, 999)])],
        expect: 'answered-then-closed',
        frames: count,
        check: (responses) => assert.deepEqual(responses.map((f) => f.readInt32BE(4)), frames.map((_, i) => correlationId * 10 + i)),
      };
    }
    default: {
      // A request header that is itself cut short, in a complete frame.
      const frame = validRequest(r, correlationId);
      const keep = r.int(0, 9);
      return { kind: 'truncated-header', chunks: [sizePrefixed(frame.subarray(4, 4 + keep))], expect: 'closed' };
    }
  }
}

interface Outcome {
  closed: boolean;
  frames: Buffer[];
}

async function runCase(address: string, c: Case): Promise<Outcome> {
  const [host, port] = splitAddress(address);
  const socket = connect({ host, port });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const frames: Buffer[] = [];
  let buffer = Buffer.alloc(0);
  let closed = false;
  let wake: () => void = () => undefined;
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 4 && buffer.length >= buffer.readInt32BE(0) + 4) {
      const size = buffer.readInt32BE(0);
      frames.push(buffer.subarray(0, size + 4));
      buffer = buffer.subarray(size + 4);
    }
    wake();
  });
  socket.on('close', () => {
    closed = true;
    wake();
  });
  for (const chunk of c.chunks) {
    if (closed) break;
    socket.write(chunk);
    if (c.chunks.length > 4) await new Promise((resolve) => setImmediate(resolve));
  }
  const done = (): boolean => {
    switch (c.expect) {
      case 'closed':
      case 'answered-then-closed':
        return closed;
      case 'answered':
        return closed || frames.length >= (c.frames ?? 1);
      case 'either':
        return closed || frames.length > 0;
      case 'open':
        return closed || frames.length > 0; // only a failure ends it early
    }
  };
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, c.expect === 'open' ? 150 : 3000);
    wake = () => {
      if (done()) {
        clearTimeout(timer);
        resolve();
      }
    };
    wake();
  });
  const outcome = { closed, frames };
  socket.destroy();
  return outcome;
}

function verify(c: Case, o: Outcome, n: number): void {
  const what = `case ${n} (${c.kind}, seed ${SEED}): expected ${c.expect}, got closed=${o.closed} frames=${o.frames.length}`;
  switch (c.expect) {
    case 'closed':
      assert.ok(o.closed && o.frames.length === 0, what);
      break;
    case 'answered':
      assert.ok(!o.closed && o.frames.length >= (c.frames ?? 1), what);
      c.check?.(o.frames);
      break;
    case 'either':
      assert.ok(o.closed || o.frames.length > 0, what);
      break;
    case 'open':
      assert.ok(!o.closed && o.frames.length === 0, what);
      break;
    case 'answered-then-closed':
      assert.ok(o.closed && o.frames.length === c.frames, what);
      c.check?.(o.frames);
      break;
  }
}

test(`fuzzing the agent with ${CASES} bad inputs (seed ${SEED}): it never crashes and healthy connections keep working`, { timeout: 60_000 }, async (t) => {
  const cluster = await startTestCluster(t, { SLIPSTREAM_MAX_FRAME_BYTES: String(MAX_FRAME) });
  const vc = (await cluster.platform.store.getVirtualCluster(cluster.boot.virtual_cluster_id))!;
  await createTopic(cluster.platform.store, vc, { topic_name: TOPIC, partition_count: 1 });
  const agent = cluster.platform.agent as Agent;
  const healthy = await RawClient.connect(cluster.bootstrap);
  t.after(() => healthy.close());

  const r = rng(SEED);
  const tally = new Map<string, { cases: number; closed: number; answered: number; open: number }>();
  const started = Date.now();
  for (let n = 0; n < CASES; n += PARALLEL) {
    const cases = Array.from({ length: Math.min(PARALLEL, CASES - n) }, (_, i) => makeCase(r, n + i));
    const outcomes = await Promise.all(cases.map((c) => runCase(cluster.bootstrap, c)));
    cases.forEach((c, i) => {
      const o = outcomes[i]!;
      const entry = tally.get(c.kind) ?? { cases: 0, closed: 0, answered: 0, open: 0 };
      entry.cases++;
      if (o.closed) entry.closed++;
      else if (o.frames.length > 0) entry.answered++;
      else entry.open++;
      tally.set(c.kind, entry);
      verify(c, o, n + i);
    });
    // The healthy connection is unaffected, every round.
    const metadata = await healthy.request(ApiKeys.Metadata, 12, { topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name: TOPIC }], allowAutoTopicCreation: false }, 5000);
    assert.equal(metadata.topics[0]!.errorCode, 0, `healthy connection after round ${n / PARALLEL}`);
    assert.equal(metadata.topics[0]!.partitions.length, 1);
  }
  for (const [kind, v] of [...tally].sort()) t.diagnostic(`${kind}: ${v.cases} cases, closed ${v.closed}, answered ${v.answered}, waiting ${v.open}`);
  t.diagnostic(`${CASES} cases in ${Date.now() - started} ms`);
  // Every kind of bad input came up.
  assert.equal(tally.size >= 14, true, `kinds seen: ${[...tally.keys()].join(', ')}`);

  // Nothing lingers: the agent let go of every fuzz connection (only the healthy one is left).
  const connections = (agent as unknown as { connections: Set<unknown> }).connections;
  for (let i = 0; i < 100 && connections.size > 1; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(connections.size, 1);
  const versions = await healthy.request(ApiKeys.ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' });
  assert.equal(versions.errorCode, 0);
});

test('a frame over the limit is refused from its size prefix, before any of it is sent or buffered', async (t) => {
  const cluster = await startTestCluster(t, { SLIPSTREAM_MAX_FRAME_BYTES: String(MAX_FRAME) });
  const healthy = await RawClient.connect(cluster.bootstrap);
  t.after(() => healthy.close());
  for (const size of [MAX_FRAME + 1, 64 * 1024 * 1024, 0x7fffffff]) {
    const c = await RawClient.connect(cluster.bootstrap);
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(size);
    const started = Date.now();
    c.write(prefix); // the claimed bytes never come: the agent must not wait for them
    await Promise.race([c.closed, new Promise((resolve) => setTimeout(resolve, 3000))]);
    assert.equal(c.isClosed, true, `a ${size}-byte frame is refused from its prefix`);
    assert.ok(Date.now() - started < 3000);
  }
  // A frame exactly at the limit is accepted: the agent waits for all of its bytes.
  const atLimit = await RawClient.connect(cluster.bootstrap);
  const header = encodeRequest({ apiKey: ApiKeys.ApiVersions, apiVersion: 0, correlationId: 1, clientId: 'big' }, {});
  const frame = Buffer.concat([header, Buffer.alloc(MAX_FRAME - (header.length - 4))]);
  frame.writeInt32BE(MAX_FRAME, 0);
  atLimit.write(frame.subarray(0, 1000));
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(atLimit.isClosed, false, 'a frame at the limit is read');
  // Once complete it is decoded and answered: what follows the ApiVersions body is ignored.
  atLimit.write(frame.subarray(1000));
  assert.equal((await atLimit.receiveResponse(ApiKeys.ApiVersions, 0, 1)).errorCode, 0);
  assert.equal(atLimit.isClosed, false, 'a whole body followed by bytes is served');
  atLimit.close();
  assert.equal((await healthy.request(ApiKeys.ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' })).errorCode, 0);
});
