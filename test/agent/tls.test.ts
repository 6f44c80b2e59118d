import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { loadConfig } from '../../src/config.ts';
import { ApiKeys, decodeResponse, encodeRequest } from '../../src/kafka-protocol/index.ts';
import { startAgent } from '../../src/server.ts';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { splitAddress } from './client.ts';
import { consumeValues } from '../helpers/kafkajs.ts';
import { makePki, tlsEnv as pkiTlsEnv, type Pki } from '../helpers/certs.ts';

/**
 * TLS on the agent's Kafka listener: certificates made with the openssl CLI (test/helpers/certs.ts:
 * a CA, a server certificate for 127.0.0.1/localhost, a client certificate from the CA and one
 * from another CA); kafkajs and kcat over TLS; plaintext refused; mutual TLS; TLS with SASL;
 * start failures.
 */

const KCAT = '/usr/bin/kcat';

function run(file: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** Cleanups per describe block, run in reverse in its `after`. */
function scope() {
  const cleanups: Array<() => unknown> = [];
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });
  return { after: (fn: () => unknown) => void cleanups.push(fn) };
}

let pki: Pki;
let pkiDir: string;
before(async () => {
  pkiDir = mkdtempSync(join(tmpdir(), 'slipstream-tls-'));
  pki = await makePki(pkiDir);
});
after(() => rmSync(pkiDir, { recursive: true, force: true }));

const tlsEnv = (mtls = false) => pkiTlsEnv(pki, mtls);

type Ssl = { ca: Buffer[]; cert?: Buffer; key?: Buffer } | undefined;

function kafka(cluster: TestCluster, ssl: Ssl, sasl?: SASLOptions) {
  return new Kafka({
    clientId: 'tls-test',
    brokers: [cluster.bootstrap],
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
    ...(ssl ? { ssl } : {}),
    ...(sasl ? { sasl } : {}),
  });
}

function ssl(withCert?: 'client' | 'stranger'): NonNullable<Ssl> {
  const ca = [readFileSync(pki.caCert)];
  if (withCert === 'client') return { ca, cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey) };
  if (withCert === 'stranger') return { ca, cert: readFileSync(pki.strangerCert), key: readFileSync(pki.strangerKey) };
  return { ca };
}

/** Creates `topic` (1 partition), produces `values`, consumes them with a group; answers what was read. */
async function kafkajsRoundTrip(cluster: TestCluster, options: NonNullable<Ssl>, topic: string, values: string[], sasl?: SASLOptions): Promise<string[]> {
  const client = kafka(cluster, options, sasl);
  const admin = client.admin();
  await admin.connect();
  try {
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }), true);
  } finally {
    await admin.disconnect();
  }
  const producer = client.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const answer = await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value, partition: 0 })) });
    assert.deepEqual(answer.map((m) => [m.partition, m.errorCode, m.baseOffset]), [[0, 0, '0']]);
  } finally {
    await producer.disconnect();
  }
  const consumer = client.consumer({ groupId: `g-${topic}`, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  return consumeValues(consumer, topic, values.length);
}

/** Whether kafkajs gets as far as a working admin connection (listTopics) with these settings. */
async function kafkajsConnects(cluster: TestCluster, options: Ssl): Promise<{ ok: true; topics: string[] } | { ok: false; error: string }> {
  const admin = kafka(cluster, options).admin();
  try {
    await admin.connect();
    // kafkajs lists Kafka's internal topics too (__consumer_offsets, …): only the cluster's own count here.
    const topics = (await admin.listTopics()).filter((name) => !name.startsWith('__'));
    return { ok: true, topics: topics.sort() };
  } catch (error) {
    return { ok: false, error: `${(error as Error).name}: ${(error as Error).message}` };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

const API_VERSIONS_V0 = () => encodeRequest({ apiKey: ApiKeys.ApiVersions, apiVersion: 0, correlationId: 7, clientId: 'probe' }, {} as never);

/**
 * One ApiVersions v0 over TLS with these client settings: the agent's answer (its error code and
 * how many APIs it lists), or the error code the connection failed with.
 */
function tlsProbe(cluster: TestCluster, options: Omit<ConnectionOptions, 'host' | 'port'>): Promise<{ answered: true; errorCode: number; correlationId: number } | { answered: false; code: string }> {
  const [host, port] = splitAddress(cluster.bootstrap);
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const socket = tlsConnect({ host, port, servername: 'localhost', ...options }, () => socket.write(API_VERSIONS_V0()));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ answered: false, code: 'TIMEOUT' });
    }, 10_000);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 4 && received.length >= received.readInt32BE(0) + 4) {
        clearTimeout(timer);
        const decoded = decodeResponse(ApiKeys.ApiVersions, 0, received);
        socket.destroy();
        resolve({ answered: true, errorCode: decoded.body.errorCode, correlationId: decoded.correlationId });
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ answered: false, code: error.code ?? error.message });
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ answered: false, code: 'CLOSED' });
    });
  });
}

/** A plaintext ApiVersions v0 to the listener: the bytes that came back before it closed. */
function plaintextProbe(cluster: TestCluster): Promise<{ closed: boolean; received: Buffer }> {
  const [host, port] = splitAddress(cluster.bootstrap);
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const socket = netConnect({ host, port }, () => socket.write(API_VERSIONS_V0()));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ closed: false, received });
    }, 5_000);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ closed: true, received });
    });
  });
}

function kcatTls(cluster: TestCluster, extra: string[] = []): string[] {
  return ['-b', cluster.bootstrap, '-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${pki.caCert}`, ...extra];
}

describe('TLS configuration', () => {
  test('a certificate without a key, a key without a certificate, or a CA alone is refused by the configuration', () => {
    assert.throws(() => loadConfig({ SLIPSTREAM_TLS_CERT_FILE: '/x/cert.pem' }), { message: 'TLS: a certificate file is configured but no key file (SLIPSTREAM_TLS_KEY_FILE)' });
    assert.throws(() => loadConfig({ SLIPSTREAM_TLS_KEY_FILE: '/x/key.pem' }), { message: 'TLS: a key file is configured but no certificate file (SLIPSTREAM_TLS_CERT_FILE)' });
    assert.throws(() => loadConfig({ SLIPSTREAM_TLS_CA_FILE: '/x/ca.pem' }), /^Error: TLS: a CA file \(mutual TLS\) needs a certificate and key file too/);
    assert.equal(loadConfig({}).tls, undefined);
    assert.deepEqual(loadConfig({ SLIPSTREAM_TLS_CERT_FILE: '/x/c.pem', SLIPSTREAM_TLS_KEY_FILE: '/x/k.pem', SLIPSTREAM_TLS_CA_FILE: '/x/ca.pem' }).tls, {
      certFile: '/x/c.pem',
      keyFile: '/x/k.pem',
      caFile: '/x/ca.pem',
    });
  });

  test('a missing certificate, key or CA file, or a key that does not match, fails the start', async (t) => {
    const missing = join(pki.dir, 'missing.pem');
    await assert.rejects(startTestCluster(t, { ...tlsEnv(), SLIPSTREAM_TLS_CERT_FILE: missing }), { message: `TLS: cannot read the certificate file ${missing} (ENOENT)` });
    await assert.rejects(startTestCluster(t, { ...tlsEnv(), SLIPSTREAM_TLS_KEY_FILE: missing }), { message: `TLS: cannot read the key file ${missing} (ENOENT)` });
    await assert.rejects(startTestCluster(t, { ...tlsEnv(), SLIPSTREAM_TLS_CA_FILE: missing }), { message: `TLS: cannot read the CA file ${missing} (ENOENT)` });
    await assert.rejects(startTestCluster(t, { ...tlsEnv(), SLIPSTREAM_TLS_KEY_FILE: pki.clientKey }), /^Error: TLS: the certificate .*server\.pem, key .*client\.key cannot be used: .*key values mismatch/);
    await assert.rejects(startTestCluster(t, { ...tlsEnv(), SLIPSTREAM_TLS_KEY_FILE: join(pki.dir, 'server.ext') }), /^Error: TLS: the certificate .* cannot be used: /);
  });
});

describe('agent with TLS', () => {
  const cleanup = scope();
  let cluster: TestCluster;

  before(async () => {
    cluster = await startTestCluster(cleanup, tlsEnv());
  });

  test('kafkajs with ssl { ca }: create a topic, produce, consume with a group', async () => {
    const got = await kafkajsRoundTrip(cluster, ssl(), 't-kafkajs', ['a', 'b', 'c']);
    assert.deepEqual(got, ['a', 'b', 'c']);
  });

  test('kcat with security.protocol=SSL: produce and consume', async () => {
    const produced = await run(KCAT, [...kcatTls(cluster), '-P', '-t', 't-kcat', '-p', '0', '-X', 'topic.request.required.acks=-1'], 'k-0\nk-1\nk-2\n');
    assert.equal(produced.code, 0, produced.stderr);
    const consumed = await run(KCAT, [...kcatTls(cluster), '-C', '-t', 't-kcat', '-o', 'beginning', '-c', '3', '-e', '-f', '%o:%s\n']);
    assert.equal(consumed.code, 0, consumed.stderr);
    assert.equal(consumed.stdout, '0:k-0\n1:k-1\n2:k-2\n');
  });

  test('the server certificate is verified: a client trusting another CA (a probe, kafkajs) is refused by itself', async () => {
    const probe = await tlsProbe(cluster, { ca: [readFileSync(join(pki.dir, 'other-ca.pem'))] });
    assert.deepEqual(probe, { answered: false, code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    // kafkajs too: its TLS socket refuses the agent's certificate (Node's UNABLE_TO_VERIFY_LEAF_SIGNATURE).
    const kafkajsAnswer = await kafkajsConnects(cluster, { ca: [readFileSync(pki.otherCaCert)] });
    assert.equal(kafkajsAnswer.ok, false);
    assert.match((kafkajsAnswer as { error: string }).error, /^KafkaJSNumberOfRetriesExceeded: Connection error: unable to verify the first certificate/);
    const trusted = await tlsProbe(cluster, { ca: [readFileSync(pki.caCert)] });
    assert.deepEqual(trusted, { answered: true, errorCode: 0, correlationId: 7 });
  });

  test('a plaintext client cannot talk to the TLS listener', async () => {
    const probe = await plaintextProbe(cluster);
    assert.equal(probe.closed, true);
    // No Kafka frame comes back: at most a TLS alert record (content type 21).
    assert.ok(probe.received.length === 0 || probe.received[0] === 0x15, `got ${probe.received.toString('hex')}`);
    const kafkajsPlain = await kafkajsConnects(cluster, undefined);
    assert.equal(kafkajsPlain.ok, false);
    const kcatPlain = await run(KCAT, ['-b', cluster.bootstrap, '-L', '-m', '2']);
    assert.notEqual(kcatPlain.code, 0);
    assert.doesNotMatch(kcatPlain.stdout, /t-kafkajs/);
  });

  test('without mutual TLS, a client certificate is not asked for: a client without one works', async () => {
    const answer = await kafkajsConnects(cluster, ssl());
    assert.deepEqual(answer, { ok: true, topics: ['t-kafkajs', 't-kcat'] });
  });
});

describe('agent with mutual TLS', () => {
  const cleanup = scope();
  let cluster: TestCluster;

  before(async () => {
    cluster = await startTestCluster(cleanup, tlsEnv(true));
  });

  test('a client with a certificate from the CA works (kafkajs round trip, kcat)', async () => {
    const got = await kafkajsRoundTrip(cluster, ssl('client'), 't-mtls', ['m-0', 'm-1']);
    assert.deepEqual(got, ['m-0', 'm-1']);
    const withCert = ['-X', `ssl.certificate.location=${pki.clientCert}`, '-X', `ssl.key.location=${pki.clientKey}`];
    const consumed = await run(KCAT, [...kcatTls(cluster, withCert), '-C', '-t', 't-mtls', '-o', 'beginning', '-c', '2', '-e', '-f', '%s\n']);
    assert.equal(consumed.code, 0, consumed.stderr);
    assert.equal(consumed.stdout, 'm-0\nm-1\n');
  });

  test('a client without a certificate is refused', async () => {
    // The agent closes the connection after its alert; whether the client reads the alert first is a race.
    const probe = await tlsProbe(cluster, { ca: [readFileSync(pki.caCert)] });
    assert.equal(probe.answered, false);
    assert.match((probe as { code: string }).code, /^(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED|CLOSED|ECONNRESET)$/);
    const answer = await kafkajsConnects(cluster, ssl());
    assert.equal(answer.ok, false);
    const kcat = await run(KCAT, [...kcatTls(cluster), '-L', '-m', '2']);
    assert.notEqual(kcat.code, 0);
    assert.doesNotMatch(kcat.stdout, /t-mtls/);
  });

  test('a client with a certificate from another CA is refused', async () => {
    const probe = await tlsProbe(cluster, { ca: [readFileSync(pki.caCert)], cert: readFileSync(pki.strangerCert), key: readFileSync(pki.strangerKey) });
    assert.equal(probe.answered, false);
    assert.match((probe as { code: string }).code, /^(ERR_SSL_TLSV1_ALERT_UNKNOWN_CA|CLOSED|ECONNRESET)$/);
    const answer = await kafkajsConnects(cluster, ssl('stranger'));
    assert.equal(answer.ok, false);
    const withCert = ['-X', `ssl.certificate.location=${pki.strangerCert}`, '-X', `ssl.key.location=${pki.strangerKey}`];
    const kcat = await run(KCAT, [...kcatTls(cluster, withCert), '-L', '-m', '2']);
    assert.notEqual(kcat.code, 0);
    assert.doesNotMatch(kcat.stdout, /t-mtls/);
    const right = await tlsProbe(cluster, { ca: [readFileSync(pki.caCert)], cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey) });
    assert.deepEqual(right, { answered: true, errorCode: 0, correlationId: 7 });
  });
});

describe('agent with TLS and SASL required', () => {
  const cleanup = scope();
  let cluster: TestCluster;
  let credential: { username: string; password: string };

  before(async () => {
    cluster = await startTestCluster(cleanup, { ...tlsEnv(), SLIPSTREAM_REQUIRE_SASL: 'true' });
    const response = await fetch(`${cluster.apiUrl}/api/v1/create_virtual_cluster_credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'warpstream-api-key': cluster.boot.application_key },
      body: JSON.stringify({ credentials_name: 'tls-app', is_cluster_superuser: false, virtual_cluster_id: cluster.boot.virtual_cluster_id }),
    });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    credential = JSON.parse(text) as { username: string; password: string };
    assert.match(credential.username, /^ccun_/);
  });

  test('kafkajs over SASL_SSL (SCRAM-SHA-512 and PLAIN): produce and consume', async () => {
    const scram = { mechanism: 'scram-sha-512', username: credential.username, password: credential.password } as SASLOptions;
    assert.deepEqual(await kafkajsRoundTrip(cluster, ssl(), 't-sasl-ssl', ['s-0', 's-1', 's-2'], scram), ['s-0', 's-1', 's-2']);
    const plain = { mechanism: 'plain', username: credential.username, password: credential.password } as SASLOptions;
    assert.deepEqual(await kafkajsRoundTrip(cluster, ssl(), 't-sasl-ssl-plain', ['p-0'], plain), ['p-0']);
  });

  test('kcat with security.protocol=SASL_SSL; a wrong password is refused', async () => {
    const args = (password: string) => [
      '-b', cluster.bootstrap,
      '-X', 'security.protocol=SASL_SSL',
      '-X', `ssl.ca.location=${pki.caCert}`,
      '-X', 'sasl.mechanisms=SCRAM-SHA-256',
      '-X', `sasl.username=${credential.username}`,
      '-X', `sasl.password=${password}`,
    ];
    const consumed = await run(KCAT, [...args(credential.password), '-C', '-t', 't-sasl-ssl', '-o', 'beginning', '-c', '3', '-e', '-f', '%s\n']);
    assert.equal(consumed.code, 0, consumed.stderr);
    assert.equal(consumed.stdout, 's-0\ns-1\ns-2\n');
    const wrong = await run(KCAT, [...args('wrong-password'), '-L', '-m', '2']);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /Authentication failed/);
  });

  test('TLS without SASL gets nothing but ApiVersions', async () => {
    const probe = await tlsProbe(cluster, { ca: [readFileSync(pki.caCert)] });
    assert.deepEqual(probe, { answered: true, errorCode: 0, correlationId: 7 });
    const answer = await kafkajsConnects(cluster, ssl());
    assert.equal(answer.ok, false);
  });
});

describe('slipstream agent (startAgent) with mutual TLS', () => {
  test('the standalone agent takes the TLS settings too: plaintext refused, the right certificate works', async (t) => {
    const dev = await startTestCluster(t);
    const running = await startAgent(
      loadConfig(
        {
          SLIPSTREAM_DATA_DIR: dev.dataDir,
          SLIPSTREAM_HTTP_PORT: '0',
          SLIPSTREAM_KAFKA_PORT: '0',
          SLIPSTREAM_LOG_LEVEL: 'silent',
          SLIPSTREAM_AGENT_KEY: dev.boot.agent_key,
          SLIPSTREAM_CONTROL_PLANE_URL: dev.apiUrl,
          ...tlsEnv(true),
        },
        'agent',
      ),
    );
    t.after(() => running.close());
    const agent = { ...dev, bootstrap: running.kafkaAddress };
    const plain = await plaintextProbe(agent);
    assert.equal(plain.closed, true);
    assert.ok(plain.received.length === 0 || plain.received[0] === 0x15, `got ${plain.received.toString('hex')}`);
    const stranger = await tlsProbe(agent, { ca: [readFileSync(pki.caCert)], cert: readFileSync(pki.strangerCert), key: readFileSync(pki.strangerKey) });
    assert.equal(stranger.answered, false);
    const right = await tlsProbe(agent, { ca: [readFileSync(pki.caCert)], cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey) });
    assert.deepEqual(right, { answered: true, errorCode: 0, correlationId: 7 });
    // The dev agent (no TLS settings) still speaks plaintext.
    const devPlain = await kafkajsConnects(dev, undefined);
    assert.deepEqual(devPlain, { ok: true, topics: [] });
  });
});
