import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { subjectRfc2253 } from '../../src/agent/tls-principal.ts';
import { callApi, startTestCluster, type TestCluster } from '../helpers/cluster.ts';

/**
 * Mutual TLS without SASL: the connection's principal is `User:` + the client certificate's
 * subject in Java's RFC 2253 form (Kafka's default principal builder), and ACLs match it; a SASL
 * login on the same connection wins. Certificates are made here with the openssl CLI.
 */

const OPENSSL = '/usr/bin/openssl';
const REFRESH_WAIT_MS = 1_300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function openssl(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(OPENSSL, args, { timeout: 30_000 }, (error, _stdout, stderr) => (error ? reject(new Error(`openssl ${args.join(' ')}: ${stderr}`)) : resolve()));
  });
}

let dir: string;
const p = (name: string) => join(dir, name);
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A certificate for `subject` (openssl -subj syntax) signed by the test CA. */
async function leaf(name: string, subject: string, ext: string): Promise<void> {
  await openssl(['req', ...EC, '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', subject]);
  await openssl(['x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-days', '2', '-extfile', p(ext), '-out', p(`${name}.pem`)]);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'slipstream-tls-principal-'));
  await openssl(['req', '-x509', ...EC, '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=slipstream-test-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  writeFileSync(p('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  writeFileSync(p('client.ext'), 'extendedKeyUsage=clientAuth\n');
  await leaf('server', '/CN=localhost', 'server.ext');
  await leaf('client', '/O=Acme/OU=eng/CN=client', 'client.ext');
  await leaf('other', '/CN=other', 'client.ext');
  await leaf('odd', '/C=US/O=Acme, Inc./OU=eng+UID=u42/CN=#1 a=b;c\\+d/emailAddress=a@b.c', 'client.ext');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const der = (name: string) => new X509Certificate(readFileSync(p(`${name}.pem`))).raw;

describe('the subject in RFC 2253 form', () => {
  test('RDNs in reverse order of the certificate, comma separated', () => {
    assert.equal(subjectRfc2253(der('client')), 'CN=client,OU=eng,O=Acme');
    assert.equal(subjectRfc2253(der('other')), 'CN=other');
  });

  test('escapes, multi-valued RDNs, and attribute types without an RFC 2253 keyword (as OID=#hex)', () => {
    // emailAddress is an IA5String (tag 0x16) of 5 bytes, "a@b.c".
    assert.equal(subjectRfc2253(der('odd')), '1.2.840.113549.1.9.1=#16056140622e63,CN=\\#1 a\\=b\\;c\\+d,OU=eng+UID=u42,O=Acme\\, Inc.,C=US');
  });
});

describe('mutual TLS principal under ACLs', () => {
  const cleanups: Array<() => unknown> = [];
  let cluster: TestCluster;
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  const api = (path: string, body: object) => callApi(cluster, path, body);

  async function produce(cert: string, sasl?: SASLOptions): Promise<string> {
    const kafka = new Kafka({
      clientId: 'tls-principal', brokers: [cluster.bootstrap], connectionTimeout: 3000, requestTimeout: 10_000, retry: { retries: 0 }, logLevel: logLevel.NOTHING,
      ssl: { ca: [readFileSync(p('ca.pem'))], cert: readFileSync(p(`${cert}.pem`)), key: readFileSync(p(`${cert}.key`)) },
      ...(sasl ? { sasl } : {}),
    });
    const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    try {
      await producer.connect();
      await producer.send({ topic: 'tls-t', acks: -1, messages: [{ value: cert }] });
      return 'ok';
    } catch (error) {
      const e = error as { type?: string; message?: string };
      // kafkajs reports a topic its Metadata request was refused as this message.
      return e.type ?? (/Not authorized to access topics/.test(String(e.message)) ? 'TOPIC_AUTHORIZATION_FAILED' : String(e.message));
    } finally {
      await producer.disconnect();
    }
  }

  before(async () => {
    cluster = await startTestCluster({ after: (fn: () => unknown) => void cleanups.push(fn) }, {
      SLIPSTREAM_TLS_CERT_FILE: p('server.pem'), SLIPSTREAM_TLS_KEY_FILE: p('server.key'), SLIPSTREAM_TLS_CA_FILE: p('ca.pem'),
    });
    await api('/api/v1/create_topic', { virtual_cluster_id: cluster.boot.virtual_cluster_id, topic_name: 'tls-t', partition_count: 1 });
  });

  test('an ACL on User:<subject DN> allows that certificate and no other; a SASL login wins over the certificate', async () => {
    const vc = cluster.boot.virtual_cluster_id;
    assert.equal(await produce('other'), 'ok', 'ACLs off: anyone with a certificate from the CA');
    await api('/api/v1/update_virtual_cluster_configuration', { virtual_cluster_id: vc, virtual_cluster_configuration: { are_acls_enabled: true } });
    await api('/api/v1/virtual_clusters/acls/create', {
      virtual_cluster_id: vc,
      acl: { resource_type: 'TOPIC', resource_name: 'tls-t', pattern_type: 'LITERAL', principal: 'User:CN=client,OU=eng,O=Acme', host: '*', operation: 'WRITE', permission_type: 'ALLOW' },
    });
    await sleep(REFRESH_WAIT_MS);
    assert.equal(await produce('client'), 'ok');
    assert.equal(await produce('other'), 'TOPIC_AUTHORIZATION_FAILED');

    const credential = (await api('/api/v1/create_virtual_cluster_credentials', {
      credentials_name: 'alice', is_cluster_superuser: false, virtual_cluster_id: vc, read_only: false,
    })) as unknown as { username: string; password: string };
    const sasl = { mechanism: 'plain', username: credential.username, password: credential.password } as SASLOptions;
    assert.equal(await produce('client', sasl), 'TOPIC_AUTHORIZATION_FAILED', 'the SASL principal, not the certificate, is checked');
  });
});
