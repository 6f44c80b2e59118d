import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { startSlipstream } from '../helpers/process.ts';
import { deleteKeycloakRealms, testKeycloak } from '../helpers/identity.ts';
import { tempDir } from '../helpers/stores.ts';

/**
 * `npm start` with SLIPSTREAM_KEYCLOAK_URL: the platform API on a real Keycloak. The platform
 * admin of bootstrap.json signs in through /v1/auth/token (proxied to Keycloak), the token is
 * Keycloak's (verified with its JWKS), and a tenant made through /v1 is a Keycloak realm whose
 * admin can sign in; deleting the tenant disables the realm. Its realms carry a prefix of
 * their own (SLIPSTREAM_KEYCLOAK_REALM_PREFIX), deleted afterwards.
 */
const keycloak = testKeycloak();

test('the platform API on Keycloak: sign in, tenants as realms, soft delete disables the realm', { timeout: 120_000 }, async (t) => {
  assert.ok(keycloak, 'SLIPSTREAM_TEST_KEYCLOAK_URL is not set: run through scripts/test.sh (npm test), which starts a throwaway Keycloak');
  const { url } = keycloak;
  const dataDir = tempDir(t);
  const prefix = `np${Date.now().toString(36)}-`;
  t.after(() => deleteKeycloakRealms(keycloak, prefix));
  const slipstream = await startSlipstream('dev', {
    SLIPSTREAM_KEYCLOAK_REALM_PREFIX: prefix,
    SLIPSTREAM_DATA_DIR: dataDir,
    SLIPSTREAM_KEYCLOAK_URL: url,
    SLIPSTREAM_KEYCLOAK_ADMIN_USER: keycloak.adminUser,
    SLIPSTREAM_KEYCLOAK_ADMIN_PASSWORD: keycloak.adminPassword,
  }, 90_000);
  t.after(() => slipstream.child.kill('SIGKILL'));
  const boot = JSON.parse(readFileSync(join(dataDir, 'bootstrap.json'), 'utf8')) as { platform_admin: { username: string; password: string } };
  const v1 = async (method: string, path: string, token?: string, body?: unknown) => {
    const response = await fetch(`${slipstream.apiUrl}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  const signIn = await v1('POST', '/v1/auth/token', undefined, { grant_type: 'password', username: boot.platform_admin.username, password: boot.platform_admin.password });
  assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
  const token = signIn.body.access_token as string;
  assert.equal(decodeJwt(token).iss, `${url}/realms/${prefix}default`, "Keycloak's own token, of the prefixed realm");
  await jwtVerify(token, createRemoteJWKSet(new URL(`${url}/realms/${prefix}default/protocol/openid-connect/certs`)), { audience: 'slipstream' });
  assert.equal((await v1('GET', '/v1/auth/signups/policy')).body.identityProvider, 'keycloak');
  assert.equal((await v1('GET', '/v1/tenants', token)).status, 200);

  const slug = `kc-${Date.now().toString(36)}`;
  const tenant = await v1('POST', '/v1/tenants', token, { slug, displayName: 'On Keycloak', plan: 'enterprise', adminEmail: `admin@${slug}.test` });
  assert.equal(tenant.status, 201, JSON.stringify(tenant.body));
  const tenantAdmin = await v1('POST', '/v1/auth/token', undefined, { grant_type: 'password', username: tenant.body.initialAdmin.username, password: tenant.body.initialAdmin.password, realm: slug });
  assert.equal(tenantAdmin.status, 200, JSON.stringify(tenantAdmin.body));
  assert.deepEqual((await v1('GET', '/v1/tenants', tenantAdmin.body.access_token)).body.items.map((x: { slug: string }) => x.slug), [slug]);
  const roles = await v1('GET', `/v1/iam/realms/${slug}/roles`, tenantAdmin.body.access_token);
  assert.deepEqual(roles.body.items.map((r: { name: string }) => r.name).sort(), ['developer', 'platform-admin', 'tenant-admin', 'viewer']);
  const client = await v1('POST', `/v1/iam/realms/${slug}/clients`, tenantAdmin.body.access_token, { clientId: 'robot', grantTypes: ['client_credentials'], roles: ['viewer'] });
  assert.equal(client.status, 201, JSON.stringify(client.body));
  const robot = await v1('POST', '/v1/auth/token', undefined, { grant_type: 'client_credentials', client_id: 'robot', client_secret: client.body.clientSecret, realm: slug });
  assert.equal(robot.status, 200, JSON.stringify(robot.body));
  assert.equal((await v1('GET', '/v1/workspaces', robot.body.access_token)).status, 200);
  assert.equal((await v1('POST', '/v1/workspaces', robot.body.access_token, { slug: 'nope', displayName: 'Nope' })).status, 403, 'a viewer cannot write');

  const refreshed = await v1('POST', '/v1/auth/refresh', undefined, { refresh_token: tenantAdmin.body.refresh_token, realm: slug });
  assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
  assert.equal((await v1('POST', '/v1/auth/refresh', undefined, { refresh_token: tenantAdmin.body.refresh_token, realm: slug })).status, 401, 'a spent refresh token is refused');

  assert.equal((await v1('DELETE', `/v1/tenants/${tenant.body.id}`, token)).status, 200);
  assert.equal((await v1('GET', '/v1/workspaces', refreshed.body.access_token)).status, 401, "a deleted tenant's tokens stop working");
  assert.equal((await v1('POST', '/v1/auth/token', undefined, { grant_type: 'password', username: tenant.body.initialAdmin.username, password: tenant.body.initialAdmin.password, realm: slug })).status, 401);
});
