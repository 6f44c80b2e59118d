import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import kafkajs, { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { ApiKeys, decodeResponse, encodeRequest } from '../../src/kafka-protocol/index.ts';
import { callApi, startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { consumeValues } from '../helpers/kafkajs.ts';
import { RawClient, splitAddress } from './client.ts';
import { valuesBatch } from './batches.ts';

/**
 * SASL on the agent's listener with cluster credentials from the Management API: kafkajs
 * (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), kcat, confluent-kafka, raw SaslHandshake v0 and v1,
 * re-authentication, refusals, read-only credentials, and SASL required or not.
 */

// kafkajs spreads its error classes into module.exports: only the default import sees them.
const { KafkaJSSASLAuthenticationError } = kafkajs;
const PYTHON = '/usr/bin/python3';
const KCAT = '/usr/bin/kcat';
const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
/** Kafka's refusal messages: PlainSaslServer's own, and SaslServerAuthenticator's for SCRAM. */
const INVALID = (mechanism: string) =>
  mechanism === 'PLAIN' ? 'Authentication failed: Invalid username or password' : `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`;

interface Credential {
  id: string;
  username: string;
  password: string;
}

function run(file: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

async function createCredential(cluster: TestCluster, name: string, readOnly = false): Promise<Credential> {
  const answer = (await callApi(cluster, '/api/v1/create_virtual_cluster_credentials', {
    credentials_name: name,
    is_cluster_superuser: false,
    virtual_cluster_id: cluster.boot.virtual_cluster_id,
    read_only: readOnly,
  })) as unknown as Credential;
  assert.match(answer.username, /^ccun_/);
  return answer;
}

function sasl(mechanism: (typeof MECHANISMS)[number], credential: Pick<Credential, 'username' | 'password'>): SASLOptions {
  const name = mechanism.toLowerCase() as 'plain' | 'scram-sha-256' | 'scram-sha-512';
  return { mechanism: name, username: credential.username, password: credential.password } as SASLOptions;
}

function kafka(cluster: TestCluster, options: SASLOptions | undefined, clientId = 'sasl-test') {
  return new Kafka({
    clientId,
    brokers: [cluster.bootstrap],
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 300 },
    logLevel: logLevel.NOTHING,
    ...(options ? { sasl: options } : {}),
  });
}

/** Produces `values` to partition 0 of `topic`, then reads them back with a consumer group. */
async function kafkajsRoundTrip(cluster: TestCluster, options: SASLOptions | undefined, topic: string, values: string[], consumeWith = options) {
  const producer = kafka(cluster, options).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const answer = await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value, partition: 0 })) });
    assert.deepEqual(answer.map((m) => [m.partition, m.errorCode]), [[0, 0]]);
  } finally {
    await producer.disconnect();
  }
  return kafkajsConsume(cluster, consumeWith, topic, values.length);
}

async function kafkajsConsume(cluster: TestCluster, options: SASLOptions | undefined, topic: string, count: number): Promise<string[]> {
  const consumer = kafka(cluster, options).consumer({ groupId: `g-${topic}-${Math.random().toString(36).slice(2)}`, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  return consumeValues(consumer, topic, count);
}

async function createTopics(cluster: TestCluster, options: SASLOptions | undefined, topics: string[]): Promise<void> {
  const admin = kafka(cluster, options).admin();
  await admin.connect();
  try {
    assert.equal(await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: false }), true);
  } finally {
    await admin.disconnect();
  }
}

/** The failure of a kafkajs client that logs in with `options` (it must fail). */
async function kafkajsLoginError(cluster: TestCluster, options: SASLOptions): Promise<unknown> {
  const admin = kafka(cluster, options).admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } catch (error) {
    return error;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  assert.fail('the login succeeded');
}

/** kafkajs wraps a non-retriable connection error once; this finds the SASL error inside. */
function assertSaslError(error: unknown, mechanism: string): void {
  let cause: unknown = error;
  for (let i = 0; i < 3 && cause && !(cause instanceof KafkaJSSASLAuthenticationError); i++) cause = (cause as { cause?: unknown }).cause;
  assert.ok(cause instanceof KafkaJSSASLAuthenticationError, `expected KafkaJSSASLAuthenticationError, got ${String(error)}`);
  assert.match(cause.message, new RegExp(INVALID(mechanism)));
}

function kcatArgs(cluster: TestCluster, credential: Pick<Credential, 'username' | 'password'>): string[] {
  return [
    '-b', cluster.bootstrap,
    '-X', 'security.protocol=SASL_PLAINTEXT',
    '-X', 'sasl.mechanisms=SCRAM-SHA-512',
    '-X', `sasl.username=${credential.username}`,
    '-X', `sasl.password=${credential.password}`,
  ];
}

const PYTHON_CLIENT = `
import json, sys
from confluent_kafka import Consumer, Producer, KafkaException
bootstrap, username, password, topic, count, mode = sys.argv[1:7]
count = int(count)
conf = {'bootstrap.servers': bootstrap, 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'SCRAM-SHA-256',
        'sasl.username': username, 'sasl.password': password}
errors = []
conf['error_cb'] = lambda e: errors.append({'code': e.code(), 'name': e.name(), 'str': e.str()})
if mode == 'login':
    p = Producer(conf)
    try:
        p.list_topics(timeout=3)
        print(json.dumps({'ok': True, 'errors': errors}))
    except KafkaException as e:
        p.poll(1)  # error_cb is served from poll
        print(json.dumps({'ok': False, 'errors': errors, 'exception': str(e)}))
    sys.exit(0)
reports = []
p = Producer(conf)
for i in range(count):
    p.produce(topic, value=('py-%d' % i).encode(), partition=0, on_delivery=lambda err, msg: reports.append(None if err is None else str(err)))
p.flush(15)
c = Consumer(dict(conf, **{'group.id': 'py-' + topic, 'auto.offset.reset': 'earliest'}))
c.subscribe([topic])
got = []
import time
deadline = time.time() + 20
while len(got) < count and time.time() < deadline:
    m = c.poll(0.5)
    if m is None or m.error():
        continue
    got.append(m.value().decode())
c.close()
print(json.dumps({'reports': reports, 'got': got, 'errors': errors}))
`;

/** A SaslHandshake v0 conversation: Kafka frames first, then raw length-prefixed tokens. */
class RawSocket {
  readonly socket: Socket;
  private buffer = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.waiting?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiting?.();
    });
    socket.on('error', () => undefined);
  }

  static async connect(address: string): Promise<RawSocket> {
    const [host, port] = splitAddress(address);
    const socket = connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawSocket(socket);
  }

  /** The next length-prefixed frame's payload; `undefined` when the connection closed first. */
  async next(timeoutMs = 5000): Promise<Buffer | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.buffer.length >= 4) {
        const size = this.buffer.readInt32BE(0);
        if (this.buffer.length >= size + 4) {
          const payload = this.buffer.subarray(4, size + 4);
          this.buffer = this.buffer.subarray(size + 4);
          return payload;
        }
      }
      if (this.closed) return undefined;
      if (Date.now() > deadline) throw new Error('no frame in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiting = undefined;
    }
  }

  writeToken(token: Buffer): void {
    const size = Buffer.alloc(4);
    size.writeInt32BE(token.length, 0);
    this.socket.write(Buffer.concat([size, token]));
  }
}

const plainToken = (username: string, password: string) => Buffer.from(`\0${username}\0${password}`, 'utf8');

/** A v1 PLAIN login on a raw client: the SaslHandshake and SaslAuthenticate answers. */
async function rawPlainLogin(client: RawClient, username: string, password: string) {
  const handshake = await client.request(ApiKeys.SaslHandshake, 1, { mechanism: 'PLAIN' });
  const authenticate = await client.request(ApiKeys.SaslAuthenticate, 2, { authBytes: plainToken(username, password) });
  return { handshake, authenticate };
}

function scope() {
  const cleanups: Array<() => unknown> = [];
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });
  return { after: (fn: () => unknown) => void cleanups.push(fn) };
}

describe('agent with SASL required', () => {
  const cleanup = scope();
  let cluster: TestCluster;
  let user: Credential;
  let other: Credential;
  let readOnly: Credential;

  before(async () => {
    cluster = await startTestCluster(cleanup, { SLIPSTREAM_REQUIRE_SASL: 'true' });
    [user, other, readOnly] = await Promise.all([
      createCredential(cluster, 'app'),
      createCredential(cluster, 'other'),
      createCredential(cluster, 'reader', true),
    ]);
    await createTopics(cluster, sasl('PLAIN', user), ['t-PLAIN', 't-SCRAM-SHA-256', 't-SCRAM-SHA-512', 't-kcat', 't-python', 't-ro', 't-closed']);
  });

  test('ApiVersions (before authentication) advertises SaslHandshake 0–1 and SaslAuthenticate 0–2', async () => {
    const client = await RawClient.connect(cluster.bootstrap);
    try {
      const answer = await client.request(ApiKeys.ApiVersions, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' });
      assert.equal(answer.errorCode, 0);
      const range = (key: number) => answer.apiKeys.filter((api) => api.apiKey === key).map((api) => [api.minVersion, api.maxVersion]);
      assert.deepEqual(range(ApiKeys.SaslHandshake), [[0, 1]]);
      assert.deepEqual(range(ApiKeys.SaslAuthenticate), [[0, 2]]);
    } finally {
      client.close();
    }
  });

  for (const mechanism of MECHANISMS) {
    test(`kafkajs with ${mechanism}: produce and consume`, async () => {
      const values = [0, 1, 2, 3, 4].map((i) => `${mechanism}-${i}`);
      assert.deepEqual(await kafkajsRoundTrip(cluster, sasl(mechanism, user), `t-${mechanism}`, values), values);
    });

    test(`kafkajs with ${mechanism}: a wrong password and an unknown user are refused`, async () => {
      assertSaslError(await kafkajsLoginError(cluster, sasl(mechanism, { username: user.username, password: `${user.password}x` })), mechanism);
      assertSaslError(await kafkajsLoginError(cluster, sasl(mechanism, { username: 'ccun_nobody', password: user.password })), mechanism);
    });
  }

  test('kcat with SCRAM-SHA-512: produce and consume; a wrong password fails', async () => {
    const produced = await run(KCAT, [...kcatArgs(cluster, user), '-P', '-t', 't-kcat', '-p', '0'], 'k-0\nk-1\nk-2\n');
    assert.equal(produced.code, 0, produced.stderr);
    const consumed = await run(KCAT, [...kcatArgs(cluster, user), '-C', '-t', 't-kcat', '-o', 'beginning', '-c', '3', '-e', '-f', '%s\n']);
    assert.equal(consumed.code, 0, consumed.stderr);
    assert.deepEqual(consumed.stdout.trim().split('\n'), ['k-0', 'k-1', 'k-2']);

    const wrong = await run(KCAT, [...kcatArgs(cluster, { username: user.username, password: 'wrong-password' }), '-L', '-m', '2']);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /Authentication failed/);
  });

  test('confluent-kafka with SCRAM-SHA-256: produce and consume; a wrong password fails', async () => {
    const ok = await run(PYTHON, ['-c', PYTHON_CLIENT, cluster.bootstrap, user.username, user.password, 't-python', '4', 'roundtrip']);
    assert.equal(ok.code, 0, ok.stderr);
    const result = JSON.parse(ok.stdout) as { reports: Array<string | null>; got: string[]; errors: unknown[] };
    assert.deepEqual(result.reports, [null, null, null, null]);
    assert.deepEqual(result.got, ['py-0', 'py-1', 'py-2', 'py-3']);

    const wrong = await run(PYTHON, ['-c', PYTHON_CLIENT, cluster.bootstrap, user.username, 'wrong-password', 't-python', '0', 'login']);
    assert.equal(wrong.code, 0, wrong.stderr);
    const refused = JSON.parse(wrong.stdout) as { ok: boolean; errors: Array<{ name: string; str: string }> };
    assert.equal(refused.ok, false);
    // Every error but the consequence "all brokers are down" is the refusal, with Kafka's message.
    const causes = refused.errors.filter((e) => e.name !== '_ALL_BROKERS_DOWN');
    assert.ok(causes.length > 0 && causes.every((e) => e.name === '_AUTHENTICATION' && e.str.includes(INVALID('SCRAM-SHA-256'))), JSON.stringify(refused.errors));
  });

  test('a deleted credential can no longer log in', async () => {
    const doomed = await createCredential(cluster, 'doomed');
    const admin = kafka(cluster, sasl('SCRAM-SHA-256', doomed)).admin();
    await admin.connect();
    assert.ok((await admin.listTopics()).includes('t-kcat'));
    await admin.disconnect();
    await callApi(cluster, '/api/v1/delete_virtual_cluster_credentials', { id: doomed.id, virtual_cluster_id: cluster.boot.virtual_cluster_id });
    assertSaslError(await kafkajsLoginError(cluster, sasl('SCRAM-SHA-256', doomed)), 'SCRAM-SHA-256');
    assertSaslError(await kafkajsLoginError(cluster, sasl('PLAIN', doomed)), 'PLAIN');
  });

  test('a client without SASL cannot produce: the connection is closed', async () => {
    const client = await RawClient.connect(cluster.bootstrap);
    client.send(ApiKeys.Produce, 9, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: 't-closed', partitionData: [{ index: 0, records: valuesBatch('nope', 2) }] }],
    });
    await assert.rejects(client.nextFrame(5000), /connection closed/);
    assert.equal(client.isClosed, true);

    const producer = kafka(cluster, undefined).producer();
    await assert.rejects(async () => {
      await producer.connect();
      await producer.send({ topic: 't-closed', messages: [{ value: 'nope' }] });
    });
    await producer.disconnect().catch(() => undefined);

    // Nothing reached the topic.
    const admin = kafka(cluster, sasl('PLAIN', user)).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets('t-closed');
    await admin.disconnect();
    assert.deepEqual(offsets.map((o) => [o.partition, o.high]), [[0, '0']]);
  });

  test('SaslHandshake v0, then a raw PLAIN token: authenticated; a wrong raw token closes the connection', async () => {
    const socket = await RawSocket.connect(cluster.bootstrap);
    try {
      socket.socket.write(encodeRequest({ apiKey: ApiKeys.SaslHandshake, apiVersion: 0, correlationId: 7, clientId: 'raw' }, { mechanism: 'PLAIN' }));
      const frame = await socket.next();
      assert.ok(frame);
      const size = Buffer.alloc(4);
      size.writeInt32BE(frame.length, 0);
      const handshake = decodeResponse(ApiKeys.SaslHandshake, 0, Buffer.concat([size, frame]));
      assert.equal(handshake.correlationId, 7);
      assert.deepEqual(handshake.body, { errorCode: 0, mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] });
      socket.writeToken(plainToken(user.username, user.password));
      const token = await socket.next();
      assert.deepEqual(token, Buffer.alloc(0));
      // Authenticated: ordinary requests are served now.
      socket.socket.write(encodeRequest({ apiKey: ApiKeys.Metadata, apiVersion: 1, correlationId: 8, clientId: 'raw' }, { topics: [{ name: 't-kcat' }] }));
      const metadataFrame = await socket.next();
      assert.ok(metadataFrame);
      const metaSize = Buffer.alloc(4);
      metaSize.writeInt32BE(metadataFrame.length, 0);
      const metadata = decodeResponse(ApiKeys.Metadata, 1, Buffer.concat([metaSize, metadataFrame]));
      assert.equal(metadata.correlationId, 8);
      assert.deepEqual(metadata.body.topics.map((topic) => [topic.name, topic.errorCode, topic.partitions.length]), [['t-kcat', 0, 1]]);
    } finally {
      socket.socket.destroy();
    }

    const refused = await RawSocket.connect(cluster.bootstrap);
    try {
      refused.socket.write(encodeRequest({ apiKey: ApiKeys.SaslHandshake, apiVersion: 0, correlationId: 1, clientId: 'raw' }, { mechanism: 'PLAIN' }));
      assert.ok(await refused.next());
      refused.writeToken(plainToken(user.username, 'wrong-password'));
      assert.equal(await refused.next(), undefined);
      assert.equal(refused.closed, true);
    } finally {
      refused.socket.destroy();
    }
  });

  test('SaslAuthenticate v1 refusals: wrong password → 58 then closed; unknown mechanism → 33 with the list', async () => {
    const client = await RawClient.connect(cluster.bootstrap);
    const { handshake, authenticate } = await rawPlainLogin(client, user.username, 'wrong-password');
    assert.deepEqual(handshake, { errorCode: 0, mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] });
    assert.equal(authenticate.errorCode, 58);
    assert.equal(authenticate.errorMessage, INVALID('PLAIN'));
    assert.equal(authenticate.sessionLifetimeMs, 0n);
    await client.closed;

    const second = await RawClient.connect(cluster.bootstrap);
    const unsupported = await second.request(ApiKeys.SaslHandshake, 1, { mechanism: 'GSSAPI' });
    assert.deepEqual(unsupported, { errorCode: 33, mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] });
    await second.closed;
  });

  test('re-authentication on an open connection: the same principal again works, another is refused', async () => {
    const client = await RawClient.connect(cluster.bootstrap);
    try {
      const first = await rawPlainLogin(client, user.username, user.password);
      assert.deepEqual(first.authenticate, { errorCode: 0, errorMessage: null, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n });
      const metadata = async () => (await client.request(ApiKeys.Metadata, 1, { topics: [{ name: 't-kcat' }] })).topics.map((t) => [t.name, t.errorCode]);
      assert.deepEqual(await metadata(), [['t-kcat', 0]]);
      const again = await rawPlainLogin(client, user.username, user.password);
      assert.equal(again.authenticate.errorCode, 0);
      assert.deepEqual(await metadata(), [['t-kcat', 0]]);
      const switched = await rawPlainLogin(client, other.username, other.password);
      assert.equal(switched.authenticate.errorCode, 58);
      assert.equal(switched.authenticate.errorMessage, 'Cannot change principals during re-authentication');
      await client.closed;
    } finally {
      client.close();
    }
  });

  test('read-only credentials: produce is refused with 29, other writes too; consuming works', async () => {
    const values = ['ro-0', 'ro-1', 'ro-2'];
    // Written by a full credential, read back by the read-only one.
    assert.deepEqual(await kafkajsRoundTrip(cluster, sasl('SCRAM-SHA-512', user), 't-ro', values, sasl('SCRAM-SHA-512', readOnly)), values);

    const client = await RawClient.connect(cluster.bootstrap);
    try {
      assert.equal((await rawPlainLogin(client, readOnly.username, readOnly.password)).authenticate.errorCode, 0);
      const produced = await client.request(ApiKeys.Produce, 9, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 5000,
        topicData: [{ name: 't-ro', partitionData: [{ index: 0, records: valuesBatch('nope', 2) }] }],
      });
      assert.deepEqual(
        produced.responses.map((topic) => [topic.name, topic.partitionResponses.map((p) => [p.index, p.errorCode])]),
        [['t-ro', [[0, 29]]]],
      );
      const created = await client.request(ApiKeys.CreateTopics, 5, { topics: [{ name: 'ro-new', numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
      assert.deepEqual(created.topics.map((t) => [t.name, t.errorCode]), [['ro-new', 29]]);
      const deleted = await client.request(ApiKeys.DeleteGroups, 2, { groupsNames: ['some-group'] });
      assert.deepEqual(deleted.results.map((r) => [r.groupId, r.errorCode]), [['some-group', 30]]);
      const fetched = await client.request(ApiKeys.ListOffsets, 5, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: 't-ro', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] }],
      });
      assert.deepEqual(fetched.topics[0]!.partitions.map((p) => [p.errorCode, p.offset]), [[0, 3n]]);
    } finally {
      client.close();
    }

    // kafkajs sees the refusal too, and nothing was written.
    const producer = kafka(cluster, sasl('PLAIN', readOnly)).producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await assert.rejects(producer.send({ topic: 't-ro', acks: -1, messages: [{ value: 'nope', partition: 0 }] }), /authoriz/i);
    await producer.disconnect();
    const admin = kafka(cluster, sasl('PLAIN', user)).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets('t-ro');
    await admin.disconnect();
    assert.deepEqual(offsets.map((o) => [o.partition, o.high]), [[0, '3']]);
  });
});

describe('agent with SASL optional', () => {
  const cleanup = scope();
  let cluster: TestCluster;
  let user: Credential;

  before(async () => {
    cluster = await startTestCluster(cleanup);
    user = await createCredential(cluster, 'app');
    await createTopics(cluster, undefined, ['open', 'authed']);
  });

  test('unauthenticated clients still work', async () => {
    const values = ['a', 'b', 'c'];
    assert.deepEqual(await kafkajsRoundTrip(cluster, undefined, 'open', values), values);
  });

  test('SASL clients work too, and a wrong password is still refused', async () => {
    const values = ['x', 'y'];
    assert.deepEqual(await kafkajsRoundTrip(cluster, sasl('SCRAM-SHA-256', user), 'authed', values), values);
    assertSaslError(await kafkajsLoginError(cluster, sasl('SCRAM-SHA-256', { username: user.username, password: 'wrong-password' })), 'SCRAM-SHA-256');
  });
});
