import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { startTestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';
import { v1 } from './client.ts';

/**
 * A standard OIDC client sees a standard issuer: openid-client discovers a realm's issuer on a
 * real socket, gets a client_credentials token, and jose verifies it against the remote JWKS;
 * the token is accepted by the platform API. RFC 6749 errors on the standard token endpoint.
 */
test('openid-client discovers the issuer and gets a client_credentials token that jose verifies with the remote JWKS', async (t) => {
  const platform = await startTestPlatform(storeKinds()[0]!, t, { listen: true });
  const address = platform.app.server.address() as { port: number };
  const base = `http://127.0.0.1:${address.port}`;
  const { call, admin } = v1(platform);
  const { access_token: adminToken } = await admin();
  const made = await call('POST', '/v1/iam/realms/default/clients', { token: adminToken, body: { clientId: 'ci-robot', grantTypes: ['client_credentials'], roles: ['developer'] } });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  assert.match(made.body.clientSecret, /^ocs_/);
  const listed = await call('GET', '/v1/iam/realms/default/clients', { token: adminToken });
  assert.deepEqual(listed.body.items.map((c: { clientId: string; clientSecret?: string }) => [c.clientId, c.clientSecret]), [['ci-robot', undefined]], 'the secret is shown once');
  assert.equal((await call('POST', '/v1/iam/realms/default/clients', { token: adminToken, body: { clientId: 'ci-robot' } })).status, 409);
  const roles = await call('GET', '/v1/iam/realms/default/roles', { token: adminToken });
  assert.deepEqual(roles.body.items.map((r: { name: string }) => r.name), ['platform-admin', 'tenant-admin', 'developer', 'viewer']);
  const realms = await call('GET', '/v1/iam/realms', { token: adminToken });
  assert.deepEqual(realms.body.items.map((r: { id: string; issuer: string }) => [r.id, r.issuer]), [['default', `${base}/realms/default`]]);

  const issuer = new URL(`${base}/realms/default`);
  const config = await oidc.discovery(issuer, 'ci-robot', made.body.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
  assert.equal(config.serverMetadata().issuer, issuer.href);
  const tokens = await oidc.clientCredentialsGrant(config);
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
  const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: issuer.href, audience: 'slipstream' });
  assert.equal(payload.azp, 'ci-robot');
  assert.deepEqual((payload.realm_access as { roles: string[] }).roles, ['developer']);
  // The platform accepts it: a developer lists workspaces but cannot create tenants.
  assert.equal((await call('GET', '/v1/workspaces', { token: tokens.access_token })).status, 200);
  assert.equal((await call('POST', '/v1/tenants', { token: tokens.access_token, body: { slug: 'dev-made', displayName: 'X', plan: 'starter', adminEmail: 'x@x.test' } })).status, 403);

  // The root discovery document is the default realm's; a wrong secret is RFC 6749's invalid_client.
  const root = await fetch(`${base}/.well-known/openid-configuration`).then((r) => r.json() as Promise<{ issuer: string }>);
  assert.equal(root.issuer, issuer.href);
  const refused = await fetch(`${base}/realms/default/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('ci-robot:wrong').toString('base64')}` },
    body: 'grant_type=client_credentials',
  });
  assert.equal(refused.status, 401);
  assert.equal(((await refused.json()) as { error: string }).error, 'invalid_client');
  assert.equal((await fetch(`${base}/realms/nowhere/.well-known/openid-configuration`)).status, 404);
});
