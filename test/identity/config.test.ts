import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.ts';

/** The identity provider's settings: Keycloak only with a URL and its admin, and a realm prefix of slug characters. */
const keycloak = { SLIPSTREAM_KEYCLOAK_URL: 'http://127.0.0.1:8081/', SLIPSTREAM_KEYCLOAK_ADMIN_USER: 'root', SLIPSTREAM_KEYCLOAK_ADMIN_PASSWORD: 'pw' };

test('SLIPSTREAM_KEYCLOAK_*: unset is the embedded issuer; set, its URL, admin and realm prefix; bad values are refused at start', () => {
  assert.equal(loadConfig({}).keycloak, undefined);
  assert.deepEqual(loadConfig(keycloak).keycloak, { url: 'http://127.0.0.1:8081', adminUser: 'root', adminPassword: 'pw', realmPrefix: '' });
  assert.equal(loadConfig({ ...keycloak, SLIPSTREAM_KEYCLOAK_REALM_PREFIX: 'prod-' }).keycloak?.realmPrefix, 'prod-');
  for (const bad of ['Prod-', 'prod_', 'a/b', 'x'.repeat(33)]) {
    assert.throws(() => loadConfig({ ...keycloak, SLIPSTREAM_KEYCLOAK_REALM_PREFIX: bad }), /SLIPSTREAM_KEYCLOAK_REALM_PREFIX must be/, bad);
  }
  assert.throws(() => loadConfig({ ...keycloak, SLIPSTREAM_KEYCLOAK_ADMIN_PASSWORD: '' }), /needs SLIPSTREAM_KEYCLOAK_ADMIN_USER/);
  assert.throws(() => loadConfig({ ...keycloak, SLIPSTREAM_KEYCLOAK_URL: 'keycloak:8080' }), /must be a URL/);
});
