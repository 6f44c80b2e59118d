import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientCommand } from './build-clients.ts';
import { defineSecuritySuite } from './security-suite.ts';
import { invalidCredentialsMessage, librdkafkaConfig } from './security-helpers.ts';

/**
 * kcat (Debian's 1.7.1 on librdkafka 2.0.2) with SASL (PLAIN, SCRAM-SHA-256/512), ACLs,
 * read-only credentials, TLS (ssl.ca.location) and mutual TLS (ssl.certificate.location,
 * ssl.key.location), all as `-X` properties: the same scenario as the Java client, franz-go and
 * confluent-kafka. kcat runs one process per produce, consume or metadata request;
 * test/interop/kcat/driver.ts runs them behind the scenario's line protocol and answers kcat's
 * own error lines, which carry librdkafka's error strings (rd_kafka_err2str), not its names.
 */

const KCAT = '/usr/bin/kcat';
// Skipped when kcat is missing, except in CI: there a missing client must fail, never silently skip.
const skip = existsSync(KCAT) || process.env.CI ? false : `${KCAT} is not installed (scripts/ensure-clients.sh installs it)`;

const kcat = async (): Promise<ClientCommand> => ({
  name: 'kcat',
  command: process.execPath,
  args: [join(import.meta.dirname, 'kcat', 'driver.ts')],
  env: { KCAT },
  buildMs: 0,
});

defineSecuritySuite(
  'kcat: security',
  kcat,
  {
    env: (security) => ({ INTEROP_CLIENT_CONFIG: JSON.stringify(librdkafkaConfig(security)) }),
    assertRefusal({ answer, error, what }, kind, detail) {
      switch (kind) {
        case 'authentication':
          // kcat reports only that no broker answered; librdkafka's log names the refused login.
          assert.ok(error.startsWith('% ERROR: Failed to acquire metadata: Local: Broker transport failure'), what);
          assert.ok(error.includes(`SASL authentication error: ${invalidCredentialsMessage(detail.mechanism!)}`), what);
          break;
        case 'topic-authorization':
          // A produce: the delivery report; a consume: the failed Fetch of the topic's partition.
          assert.ok(
            error.startsWith('% Delivery failed for message: Broker: Topic authorization failed') ||
              new RegExp(`^% ERROR: Topic ${detail.topic} \\[0\\] error: Fetch from broker \\d+ failed: Broker: Topic authorization failed`).test(error),
            what,
          );
          break;
        case 'group-authorization':
          assert.ok(error.startsWith('% ERROR: Consumer error: FindCoordinator response error: Broker: Group authorization failed'), what);
          break;
        case 'tls':
          // kcat's own report is the metadata timeout; the handshake's failure is in librdkafka's log.
          assert.ok(error.startsWith('% ERROR: Failed to acquire metadata: Local: Broker transport failure'), what);
          if (detail.tls === 'server-untrusted') assert.ok(error.includes('SSL routines::certificate verify failed'), what);
          // As for confluent-kafka: the agent's alert, or only the close that follows it.
          else if (detail.tls === 'client-no-certificate') assert.match(error, /SSL routines::(tlsv13 alert certificate required|unexpected eof while reading)/, what);
          else assert.match(error, /SSL routines::(tlsv1 alert unknown ca|unexpected eof while reading)/, what);
          break;
      }
    },
  },
  { skip },
);
