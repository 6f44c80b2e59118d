import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SignJWT, decodeJwt, generateKeyPair } from 'jose';
import { identityKinds } from '../helpers/identity.ts';
import { startTestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';
import { v1 } from './client.ts';

/**
 * Tokens and the bearer rule of every `/v1` route: the password grant, refresh rotation with
 * reuse detection, forged, expired and other-tenant tokens refused on every protected route,
 * X-API-Version, idempotency replays for bearer callers. The token tests run on both identity
 * providers.
 */
const sqlite = storeKinds()[0]!;

/** Every protected route built so far, with a body that would be valid. */
const PROTECTED: Array<{ method: string; url: (ids: { tenant: string; workspace: string }) => string; body?: unknown }> = [
  { method: 'POST', url: () => '/v1/tenants', body: { slug: 'route-check', displayName: 'R', plan: 'starter', adminEmail: 'r@r.test' } },
  { method: 'GET', url: () => '/v1/tenants' },
  { method: 'GET', url: ({ tenant }) => `/v1/tenants/${tenant}` },
  { method: 'PATCH', url: ({ tenant }) => `/v1/tenants/${tenant}`, body: { displayName: 'X' } },
  { method: 'DELETE', url: ({ tenant }) => `/v1/tenants/${tenant}` },
  { method: 'POST', url: () => '/v1/workspaces', body: { slug: 'route-check', displayName: 'Route check' } },
  { method: 'GET', url: () => '/v1/workspaces' },
  { method: 'GET', url: ({ workspace }) => `/v1/workspaces/${workspace}` },
  { method: 'PATCH', url: ({ workspace }) => `/v1/workspaces/${workspace}`, body: { displayName: 'Route check' } },
  { method: 'DELETE', url: ({ workspace }) => `/v1/workspaces/${workspace}` },
  { method: 'GET', url: () => '/v1/iam/realms' },
  { method: 'POST', url: () => '/v1/iam/realms', body: { id: 'route-check-realm', displayName: 'Route check' } },
  { method: 'POST', url: () => '/v1/iam/realms/default/clients', body: { clientId: 'route-check' } },
  { method: 'GET', url: () => '/v1/iam/realms/default/clients' },
  { method: 'GET', url: () => '/v1/iam/realms/default/roles' },
];

for (const identity of identityKinds()) describe(`platform auth (${identity.kind})`, () => {
  test('password grant, refresh rotation; a reused refresh token revokes its login', async (t) => {
    const platform = await startTestPlatform(sqlite, t, { identity });
    const { call, admin } = v1(platform);
    const first = await admin();
    assert.equal((first as any).token_type, 'Bearer');
    const claims = decodeJwt(first.access_token);
    assert.equal(claims.iss, platform.identity.issuerOf('default'));
    assert.ok([claims.aud].flat().includes('slipstream'), String(claims.aud));
    assert.equal(claims.tenant_id, JSON.parse((await platform.store.getMetadata('bootstrap'))!).account_id);
    assert.ok((claims.realm_access as { roles: string[] }).roles.includes('platform-admin'));
    // The embedded issuer also names the scopes the roles grant (Keycloak's `scope` is OpenID's).
    if (identity.kind === 'embedded') assert.match(String(claims.scope), /platform:admin/);

    const wrong = await call('POST', '/v1/auth/token', { body: { grant_type: 'password', username: 'admin', password: 'nope' } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'INVALID_GRANT');
    assert.equal((await call('POST', '/v1/auth/token', { body: { grant_type: 'implicit' } })).status, 400);
    assert.equal((await call('POST', '/v1/auth/token', { body: { grant_type: 'password', username: 'admin', password: 'x', extra: 1 } })).status, 400);
    // The OAuth form works on the same route.
    const form = await call('POST', '/v1/auth/token', { raw: `grant_type=password&username=admin&password=${encodeURIComponent(platform.boot.platform_admin.password)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.status, 200, JSON.stringify(form.body));

    const second = await call('POST', '/v1/auth/refresh', { body: { refresh_token: first.refresh_token } });
    assert.equal(second.status, 200);
    assert.notEqual(second.body.refresh_token, first.refresh_token);
    assert.equal((await call('GET', '/v1/tenants', { token: second.body.access_token })).status, 200);
    // The spent token again: refused, and the newer one of the same login is revoked with it.
    const reused = await call('POST', '/v1/auth/refresh', { body: { refresh_token: first.refresh_token } });
    assert.equal(reused.status, 401);
    assert.equal(reused.body.error.code, 'INVALID_GRANT');
    assert.equal((await call('POST', '/v1/auth/refresh', { body: { refresh_token: second.body.refresh_token } })).status, 401);
    // Another login is not affected.
    assert.equal((await call('POST', '/v1/auth/refresh', { body: { refresh_token: form.body.refresh_token } })).status, 200);
    assert.equal((await call('POST', '/v1/auth/refresh', { body: { refresh_token: 'rt_made_up' } })).status, 401);

    const policy = await call('GET', '/v1/auth/signups/policy');
    assert.equal(policy.status, 200);
    assert.deepEqual(policy.body, { policy: 'invite-only', selfServiceSignup: false, identityProvider: identity.kind });
  });

  test('every protected route: 401 without a token, with a forged, an expired or a malformed one; 403 outside the tenant or scopes', async (t) => {
    const platform = await startTestPlatform(sqlite, t, { identity });
    const { call, admin, login } = v1(platform);
    const { access_token: token } = await admin();
    const tenant = await call('POST', '/v1/tenants', { token, body: { slug: 'other-co', displayName: 'Other', plan: 'enterprise', adminEmail: 'o@other.test' } });
    const other = await login(tenant.body.initialAdmin.username, tenant.body.initialAdmin.password, 'other-co');
    const ids = { tenant: JSON.parse((await platform.store.getMetadata('bootstrap'))!).account_id as string, workspace: platform.boot.workspace_id };

    // Forged: the same claims signed by a key that is not the issuer's.
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const real = decodeJwt(token);
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string };
    const forged = await new SignJWT(real).setProtectedHeader({ alg: 'EdDSA', kid: header.kid }).sign(privateKey);
    const tampered = `${token.split('.')[0]}.${Buffer.from(JSON.stringify({ ...real, realm_access: { roles: ['platform-admin'] }, sub: 'someone' })).toString('base64url')}.${token.split('.')[2]}`;
    const expired = await platform.expiredToken(t, 'default', async () => (await admin()).access_token);
    assert.ok(decodeJwt(expired).exp! * 1000 < Date.now());
    const bad: Array<[string, string | null]> = [['none', null], ['forged', forged], ['tampered', tampered], ['expired', expired], ['malformed', 'not.a.jwt']];
    for (const route of PROTECTED) {
      const url = route.url(ids);
      for (const [what, value] of bad) {
        const answer = await call(route.method, url, { token: value, ...(route.body ? { body: route.body } : {}) });
        assert.equal(answer.status, 401, `${route.method} ${url} with ${what} token: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.error.code, 'UNAUTHORIZED');
        assert.match(String(answer.headers['www-authenticate']), /^Bearer /);
      }
      // The other tenant's admin reaches none of the default tenant's resources, nor the platform routes.
      if (url.includes(ids.tenant) || url.includes(ids.workspace) || url.includes('/realms/default') || url === '/v1/tenants' && route.method === 'POST') {
        const answer = await call(route.method, url, { token: other.access_token, ...(route.body ? { body: route.body } : {}) });
        assert.equal(answer.status, 403, `${route.method} ${url} with another tenant's token: ${JSON.stringify(answer.body)}`);
      }
    }
    // Nothing was changed by any refused request.
    assert.equal((await platform.store.getAccount(ids.tenant))!.display_name, 'Default');
    assert.equal((await platform.store.getWorkspace(ids.workspace))!.status, 'active');
    assert.equal(await platform.store.findAccountBySlug('route-check'), undefined);

    // Scopes: a viewer client reads but does not write.
    const client = await call('POST', '/v1/iam/realms/other-co/clients', { token: other.access_token, body: { clientId: 'reader', grantTypes: ['client_credentials'], roles: ['viewer'] } });
    assert.equal(client.status, 201, JSON.stringify(client.body));
    const viewer = await call('POST', '/v1/auth/token', { body: { grant_type: 'client_credentials', client_id: 'reader', client_secret: client.body.clientSecret, realm: 'other-co' } });
    assert.equal(viewer.status, 200);
    assert.equal((await call('GET', '/v1/workspaces', { token: viewer.body.access_token })).status, 200);
    const write = await call('POST', '/v1/workspaces', { token: viewer.body.access_token, body: { slug: 'nope', displayName: 'Nope' } });
    assert.equal(write.status, 403);
    assert.match(write.body.error.message, /workspaces:write/);
  });
});

describe('platform API conventions for bearer callers', () => {
  test('X-API-Version: known versions and none are served, an unknown one is 400; Idempotency-Key replays a bearer caller\'s answer', async (t) => {
    const platform = await startTestPlatform(sqlite, t);
    const { call, admin } = v1(platform);
    const { access_token: token } = await admin();
    const info = await call('GET', '/v1/platform/info');
    assert.equal(info.body.api_versions, '2024-01-01');
    assert.equal((await call('GET', '/v1/tenants', { token, headers: { 'x-api-version': '2024-01-01' } })).headers['x-api-version'], '2024-01-01');
    assert.equal((await call('GET', '/v1/tenants', { token })).headers['x-api-version'], '2024-01-01');
    const unknown = await call('GET', '/v1/tenants', { token, headers: { 'x-api-version': '1999-01-01' } });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, 'UNSUPPORTED_API_VERSION');

    const body = { slug: 'once-only', displayName: 'Once', plan: 'starter', adminEmail: 'o@o.test' };
    const first = await call('POST', '/v1/tenants', { token, body, headers: { 'idempotency-key': 'create-once-1' } });
    assert.equal(first.status, 201);
    const again = await call('POST', '/v1/tenants', { token, body, headers: { 'idempotency-key': 'create-once-1' } });
    assert.equal(again.status, 201);
    assert.equal(again.headers['x-idempotency-replayed'], 'true');
    assert.deepEqual(again.body, first.body);
    const changed = await call('POST', '/v1/tenants', { token, body: { ...body, displayName: 'Twice' }, headers: { 'idempotency-key': 'create-once-1' } });
    assert.equal(changed.status, 422);
    assert.equal((await platform.store.listAccounts({ limit: 100 })).filter((a) => a.slug === 'once-only').length, 1);
    // The key covers the path as sent, not the route: the same key and body on another tenant is
    // another request (refused), never the first one's answer replayed.
    const second = await call('POST', '/v1/tenants', { token, body: { ...body, slug: 'twice-only' } });
    assert.equal(second.status, 201);
    const rename = { displayName: 'Renamed' };
    const renamed = await call('PATCH', `/v1/tenants/${first.body.id}`, { token, body: rename, headers: { 'idempotency-key': 'rename-1' } });
    assert.equal(renamed.status, 200);
    const elsewhere = await call('PATCH', `/v1/tenants/${second.body.id}`, { token, body: rename, headers: { 'idempotency-key': 'rename-1' } });
    assert.equal(elsewhere.status, 422, JSON.stringify(elsewhere.body));
    assert.equal(elsewhere.headers['x-idempotency-replayed'], undefined);
    assert.equal((await call('GET', `/v1/tenants/${second.body.id}`, { token })).body.displayName, 'Once', 'the second tenant is unchanged');
    // Correlation ids on every answer, the client's own when valid.
    assert.equal((await call('GET', '/v1/tenants', { token, headers: { 'x-correlation-id': 'corr-test-1234' } })).headers['x-correlation-id'], 'corr-test-1234');
  });
});
