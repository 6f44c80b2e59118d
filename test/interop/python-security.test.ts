import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { ClientCommand } from './build-clients.ts';
import { defineSecuritySuite } from './security-suite.ts';
import { invalidCredentialsMessage, librdkafkaConfig } from './security-helpers.ts';
import { DEBIAN_PYTHON, PYPI_PYTHON, PYTHON_ENV, pythonSkipReason } from './python-clients.ts';

/**
 * confluent-kafka (librdkafka), both Debian's python3-confluent-kafka and the PyPI wheel, with SASL
 * (PLAIN, SCRAM-SHA-256/512), ACLs, read-only credentials, TLS (ssl.ca.location) and mutual TLS
 * (ssl.certificate.location, ssl.key.location), driven through test/interop/python/
 * confluent_interactive.py: the same scenario as the Java client and franz-go.
 */

const confluent = (python: string) => async (): Promise<ClientCommand> => ({
  name: 'confluent-kafka',
  command: python,
  args: [join(import.meta.dirname, 'python', 'confluent_interactive.py')],
  env: PYTHON_ENV,
  buildMs: 0,
});

for (const [suite, python] of [
  ['confluent-kafka: security', DEBIAN_PYTHON],
  ['confluent-kafka (PyPI, current librdkafka): security', PYPI_PYTHON],
] as const) {
  defineSecuritySuite(
    suite,
    confluent(python),
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
            // The agent sends its alert and closes: whether the client reads the alert before the
            // close is a race.
            else if (detail.tls === 'client-no-certificate') assert.match(error, /SSL routines::(tlsv13 alert certificate required|unexpected eof while reading)/, what);
            // librdkafka 2.0.2 presents its certificate whatever CA the agent names (unknown ca);
            // 2.16 presents none, as Java and franz-go (certificate required).
            else if (python === DEBIAN_PYTHON) assert.match(error, /SSL routines::(tlsv1 alert unknown ca|unexpected eof while reading)/, what);
            else assert.match(error, /SSL routines::(tlsv13 alert certificate required|unexpected eof while reading)/, what);
            break;
        }
      },
    },
    { skip: pythonSkipReason(python, 'confluent_kafka') },
  );
}
