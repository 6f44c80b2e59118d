import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { ClientCommand } from './build-clients.ts';
import { defineSecuritySuite } from './security-suite.ts';
import { invalidCredentialsMessage, librdkafkaConfig } from './security-helpers.ts';

/**
 * confluent-kafka (librdkafka; Debian's python3-confluent-kafka under /usr/bin/python3) with SASL
 * (PLAIN, SCRAM-SHA-256/512), ACLs, read-only credentials, TLS (ssl.ca.location) and mutual TLS
 * (ssl.certificate.location, ssl.key.location), driven through test/interop/python/
 * confluent_interactive.py: the same scenario as the Java client and franz-go.
 */

const PYTHON = '/usr/bin/python3';

/** Skip when the package is missing, except in CI (there it must fail, never silently skip). */
function skipReason(): string | false {
  if (process.env.CI) return false;
  try {
    execFileSync(PYTHON, ['-c', 'import confluent_kafka'], { stdio: 'ignore' });
    return false;
  } catch {
    return `${PYTHON} cannot import confluent_kafka (scripts/ensure-clients.sh installs it)`;
  }
}

const confluent = async (): Promise<ClientCommand> => ({
  name: 'confluent-kafka',
  command: PYTHON,
  args: [join(import.meta.dirname, 'python', 'confluent_interactive.py')],
  env: { PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
  buildMs: 0,
});

defineSecuritySuite(
  'confluent-kafka: security',
  confluent,
  {
    env: (security) => ({ INTEROP_CLIENT_CONFIG: JSON.stringify(librdkafkaConfig(security)) }),
    assertRefusal({ answer, error, what }, kind, detail) {
      switch (kind) {
        case 'authentication':
          assert.equal(answer.errorCode, '_AUTHENTICATION', what);
          assert.ok(error.includes(invalidCredentialsMessage(detail.mechanism!)), what);
          break;
        case 'topic-authorization':
          assert.equal(answer.errorCode, 'TOPIC_AUTHORIZATION_FAILED', what);
          break;
        case 'group-authorization':
          assert.equal(answer.errorCode, 'GROUP_AUTHORIZATION_FAILED', what);
          break;
        case 'tls':
          // librdkafka names a failed handshake _SSL or _TRANSPORT depending on where it noticed it.
          assert.ok(['_SSL', '_TRANSPORT'].includes(String(answer.errorCode)), what);
          if (detail.tls === 'server-untrusted') assert.ok(error.includes('SSL routines::certificate verify failed'), what);
          // librdkafka (OpenSSL) presents its certificate whatever CA the agent names. The agent sends
          // its alert and closes: whether the client reads the alert before the close is a race.
          else if (detail.tls === 'client-no-certificate') assert.match(error, /SSL routines::(tlsv13 alert certificate required|unexpected eof while reading)/, what);
          else assert.match(error, /SSL routines::(tlsv1 alert unknown ca|unexpected eof while reading)/, what);
          break;
      }
    },
  },
  { skip: skipReason() },
);
