import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { javaClient } from './build-clients.ts';
import { defineSecuritySuite } from './security-suite.ts';
import { invalidCredentialsMessage, type ClientSecurity } from './security-helpers.ts';

/**
 * The Apache Kafka Java client (kafka-clients 4.4) with SASL (PLAIN, SCRAM-SHA-256/512 through
 * sasl.jaas.config), ACLs, read-only credentials, TLS (a PEM trust store) and mutual TLS (a PEM
 * key store), configured as a Java application would be: client properties.
 */

const LOGIN_MODULES = {
  PLAIN: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  'SCRAM-SHA-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
} as const;

/** One `key=value` line of a .properties file (backslashes and line breaks escaped). */
function property(key: string, value: string): string {
  return `${key}=${value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/^ /, '\\ ')}`;
}

/** The client properties for `security`, as INTEROP_CLIENT_PROPERTIES text. */
export function javaProperties(security: ClientSecurity): string {
  const props: Array<[string, string]> = [
    ['security.protocol', `${security.sasl ? 'SASL_' : ''}${security.tls ? 'SSL' : 'PLAINTEXT'}`],
    // A refusal must be reported, not waited out for the default minute.
    ['max.block.ms', '15000'],
  ];
  if (security.sasl) {
    const { mechanism, username, password } = security.sasl;
    const quoted = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    props.push(['sasl.mechanism', mechanism], ['sasl.jaas.config', `${LOGIN_MODULES[mechanism]} required username=${quoted(username)} password=${quoted(password)};`]);
  }
  if (security.tls) {
    props.push(['ssl.truststore.type', 'PEM'], ['ssl.truststore.location', security.tls.ca]);
    if (security.tls.cert && security.tls.key) {
      props.push(
        ['ssl.keystore.type', 'PEM'],
        ['ssl.keystore.certificate.chain', readFileSync(security.tls.cert, 'utf8')],
        ['ssl.keystore.key', readFileSync(security.tls.key, 'utf8')],
      );
    }
  }
  return props.map(([k, v]) => property(k, v)).join('\n');
}

const ERRORS = 'org.apache.kafka.common.errors';

defineSecuritySuite('Apache Kafka Java client: security', javaClient, {
  env: (security) => ({ INTEROP_CLIENT_PROPERTIES: javaProperties(security) }),
  assertRefusal({ answer, what }, kind, detail) {
    switch (kind) {
      case 'authentication':
        assert.equal(answer.errorClass, `${ERRORS}.SaslAuthenticationException`, what);
        assert.ok(String(answer.error).includes(invalidCredentialsMessage(detail.mechanism!)), what);
        break;
      case 'topic-authorization':
        assert.equal(answer.errorClass, `${ERRORS}.TopicAuthorizationException`, what);
        assert.ok(String(answer.error).includes(`Not authorized to access topics: [${detail.topic}]`), what);
        break;
      case 'group-authorization':
        assert.equal(answer.errorClass, `${ERRORS}.GroupAuthorizationException`, what);
        assert.ok(String(answer.error).includes(`Not authorized to access group: ${detail.group}`), what);
        break;
      case 'tls':
        assert.equal(answer.errorClass, `${ERRORS}.SslAuthenticationException`, what);
        if (detail.tls === 'server-untrusted') assert.ok(String(answer.error).includes('javax.net.ssl.SSLHandshakeException: PKIX path building failed'), what);
        // The agent's certificate request names its CA: Java offers no certificate from another CA, so both refusals are this.
        else assert.ok(String(answer.error).includes('javax.net.ssl.SSLHandshakeException: Received fatal alert: certificate_required'), what);
        break;
    }
  },
});
