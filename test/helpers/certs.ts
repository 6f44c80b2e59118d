import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cleanup } from './stores.ts';

/**
 * Certificates for TLS tests, made with the openssl CLI: a CA signing a server certificate for
 * 127.0.0.1/localhost and a client certificate, and another CA signing a "stranger" client.
 * EC P-256 keys in PKCS#8 PEM (what Node, librdkafka, Go and Java's PEM key stores all read).
 */

const OPENSSL = '/usr/bin/openssl';

export interface Pki {
  dir: string;
  caCert: string;
  /** The other CA's certificate: a client trusting only it must refuse the agent. */
  otherCaCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  strangerCert: string;
  strangerKey: string;
}

function openssl(args: string[]): Promise<void> {
  return new Promise((resolve) => {
    execFile(OPENSSL, args, { timeout: 30_000 }, (error, _stdout, stderr) => {
      assert.equal(error, null, `openssl ${args.join(' ')}: ${String(stderr)}`);
      resolve();
    });
  });
}

/** Makes the certificates in `dir` (which must exist). */
export async function makePki(dir: string): Promise<Pki> {
  const p = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const ca of ['ca', 'other-ca']) {
    await openssl(['req', '-x509', ...ec, '-keyout', p(`${ca}.key`), '-out', p(`${ca}.pem`), '-days', '2', '-subj', `/CN=slipstream-test-${ca}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  }
  writeFileSync(p('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
  writeFileSync(p('client.ext'), 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
  const leaf = async (name: string, ca: string, ext: string, serial: string) => {
    await openssl(['req', ...ec, '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', `/CN=${name === 'server' ? 'localhost' : name}`]);
    await openssl(['x509', '-req', '-in', p(`${name}.csr`), '-CA', p(`${ca}.pem`), '-CAkey', p(`${ca}.key`), '-set_serial', serial, '-days', '2', '-extfile', p(ext), '-out', p(`${name}.pem`)]);
  };
  await leaf('server', 'ca', 'server.ext', '101');
  await leaf('client', 'ca', 'client.ext', '102');
  await leaf('stranger', 'other-ca', 'client.ext', '103');
  return {
    dir,
    caCert: p('ca.pem'),
    otherCaCert: p('other-ca.pem'),
    serverCert: p('server.pem'),
    serverKey: p('server.key'),
    clientCert: p('client.pem'),
    clientKey: p('client.key'),
    strangerCert: p('stranger.pem'),
    strangerKey: p('stranger.key'),
  };
}

/** Certificates in a fresh temporary directory, removed when `t` ends. */
export async function tempPki(t: Cleanup): Promise<Pki> {
  const dir = mkdtempSync(join(tmpdir(), 'slipstream-pki-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return makePki(dir);
}

/** The agent's TLS settings for `pki`; with `mutual`, clients must present a certificate from its CA. */
export function tlsEnv(pki: Pki, mutual = false): Record<string, string> {
  return {
    SLIPSTREAM_TLS_CERT_FILE: pki.serverCert,
    SLIPSTREAM_TLS_KEY_FILE: pki.serverKey,
    ...(mutual ? { SLIPSTREAM_TLS_CA_FILE: pki.caCert } : {}),
  };
}
