import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { identityKinds } from '../helpers/identity.ts';
import { startTestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';
import { v1 } from './client.ts';

/**
 * A standard OIDC client sees a standard issuer: openid-client discovers a realm's issuer on a
 * real socket, gets a client_credentials token, and jose verifies it against the remote JWKS;
 * the token is accepted by the platform API. RFC 6749 errors on the standard token endpoint.
 * The issuer is the embedded one, served by Slipstream, or Keycloak itself.
 */
for (const identity of identityKinds()) test(`openid-client discovers the issuer (${identity.kind}) and gets a client_credentials token that jose verifies with the remote JWKS`, async (t) => {
  const platform = await startTestPlatform(storeKinds()[0]!, t, { listen: true, identity });
  const address = platform.app.server.address() as { port: number };
  const base = `http://127.0.0.1:${address.port}`;
  const issuer = new URL(platform.identity.issuerOf('default'));
  const { call, admin } = v1(platform);
  const { access_token: adminToken } = await admin();
  const made = await call('POST', '/v1/iam/realms/default/clients', { token: adminToken, body: { clientId: 'ci-robot', grantTypes: ['client_credentials'], roles: ['developer'] } });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  if (identity.kind === 'embedded') assert.match(made.body.clientSecret, /^ocs_/);
  const listed = await call('GET', '/v1/iam/realms/default/clients', { token: adminToken });
  assert.deepEqual(listed.body.items.map((c: { clientId: string; clientSecret?: string }) => [c.clientId, c.clientSecret]), [['ci-robot', undefined]], 'the secret is shown once');
  assert.equal((await call('POST', '/v1/iam/realms/default/clients', { token: adminToken, body: { clientId: 'ci-robot' } })).status, 409);
  const roles = await call('GET', '/v1/iam/realms/default/roles', { token: adminToken });
  assert.deepEqual(roles.body.items.map((r: { name: string }) => r.name), ['platform-admin', 'tenant-admin', 'developer', 'viewer']);
  const realms = await call('GET', '/v1/iam/realms', { token: adminToken });
  assert.deepEqual(realms.body.items.map((r: { id: string; issuer: string }) => [r.id, r.issuer]), [['default', issuer.href]]);
  if (identity.kind === 'embedded') assert.equal(issuer.href, `${base}/realms/default`);

  const config = await oidc.discovery(issuer, 'ci-robot', made.body.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
  assert.equal(config.serverMetadata().issuer, issuer.href);
  const tokens = await oidc.clientCredentialsGrant(config);
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
  const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: issuer.href, audience: 'slipstream' });
  assert.equal(payload.azp, 'ci-robot');
  // Keycloak adds its own default roles (offline_access, …); of the platform's, only the client's.
  assert.deepEqual((payload.realm_access as { roles: string[] }).roles.filter((role) => ['platform-admin', 'tenant-admin', 'developer', 'viewer'].includes(role)), ['developer']);
  // The platform accepts it: a developer lists workspaces but cannot create tenants.
  assert.equal((await call('GET', '/v1/workspaces', { token: tokens.access_token })).status, 200);
  assert.equal((await call('POST', '/v1/tenants', { token: tokens.access_token, body: { slug: 'dev-made', displayName: 'X', plan: 'starter', adminEmail: 'x@x.test' } })).status, 403);

  // The embedded issuer's root discovery document is the default realm's.
  if (identity.kind === 'embedded') {
    const root = await fetch(`${base}/.well-known/openid-configuration`).then((r) => r.json() as Promise<{ issuer: string }>);
    assert.equal(root.issuer, issuer.href);
  }
  // A wrong secret on the issuer's own token endpoint: RFC 6749's invalid_client from the
  // embedded issuer, unauthorized_client from Keycloak (its own choice); /v1/auth/token answers
  // INVALID_CLIENT on both. An unknown realm has no discovery document.
  const wrong = await call('POST', '/v1/auth/token', { body: { grant_type: 'client_credentials', client_id: 'ci-robot', client_secret: 'wrong' } });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.error.code, 'INVALID_CLIENT');
  const refused = await fetch(config.serverMetadata().token_endpoint!, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('ci-robot:wrong').toString('base64')}` },
    body: 'grant_type=client_credentials',
  });
  assert.equal(refused.status, 401);
  assert.equal(((await refused.json()) as { error: string }).error, identity.kind === 'embedded' ? 'invalid_client' : 'unauthorized_client');
  assert.equal((await fetch(`${issuer.href.replace(/default$/, 'nowhere')}/.well-known/openid-configuration`)).status, 404);
});
