import assert from 'node:assert/strict';
import { franzGoClient } from './build-clients.ts';
import { defineSecuritySuite } from './security-suite.ts';
import { invalidCredentialsMessage, type ClientSecurity } from './security-helpers.ts';

/**
 * franz-go (kgo + kadm 1.22) with SASL (pkg/sasl/plain, pkg/sasl/scram), ACLs, read-only
 * credentials, TLS (crypto/tls trusting the test CA) and mutual TLS (a client key pair).
 */

function goEnv(security: ClientSecurity): Record<string, string> {
  const env: Record<string, string> = {};
  if (security.sasl) {
    env.INTEROP_SASL_MECHANISM = security.sasl.mechanism;
    env.INTEROP_SASL_USERNAME = security.sasl.username;
    env.INTEROP_SASL_PASSWORD = security.sasl.password;
  }
  if (security.tls) {
    env.INTEROP_TLS_CA = security.tls.ca;
    if (security.tls.cert && security.tls.key) {
      env.INTEROP_TLS_CERT = security.tls.cert;
      env.INTEROP_TLS_KEY = security.tls.key;
    }
  }
  return env;
}

defineSecuritySuite('franz-go: security', franzGoClient, {
  env: goEnv,
  assertRefusal({ answer, error, what }, kind, detail) {
    switch (kind) {
      case 'authentication':
        assert.equal(answer.errorCode, 'SASL_AUTHENTICATION_FAILED', what);
        assert.ok(error.startsWith('SASL_AUTHENTICATION_FAILED: ') && error.includes(invalidCredentialsMessage(detail.mechanism!)), what);
        break;
      case 'topic-authorization':
        assert.equal(answer.errorCode, 'TOPIC_AUTHORIZATION_FAILED', what);
        assert.ok(error.includes('TOPIC_AUTHORIZATION_FAILED: Not authorized to access topics'), what);
        break;
      case 'group-authorization':
        assert.equal(answer.errorCode, 'GROUP_AUTHORIZATION_FAILED', what);
        assert.ok(error.includes('unable to join group session: GROUP_AUTHORIZATION_FAILED'), what);
        break;
      case 'tls':
        // crypto/tls: its own verification of the agent, or the agent's alert about the client's certificate.
        assert.equal(answer.errorCode, undefined, what);
        if (detail.tls === 'server-untrusted') assert.ok(error.includes('tls: failed to verify certificate: x509: certificate signed by unknown authority'), what);
        // The agent's certificate request names its CA: crypto/tls offers no certificate from another CA, so both refusals are this.
        else assert.ok(error.includes('remote error: tls: certificate required'), what);
        break;
    }
  },
});
