import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeycloakIdentity } from '../../src/identity/keycloak.ts';
import { KeycloakAdmin } from '../../src/identity/keycloak/admin.ts';
import { IdentityError } from '../../src/identity/provider.ts';
import { PLATFORM_ROLES } from '../../src/identity/roles.ts';

/**
 * KeycloakIdentity against a real Keycloak: the one scripts/keycloak-server.sh starts (through
 * scripts/test.sh), or any other named by SLIPSTREAM_TEST_KEYCLOAK_URL with a master realm admin.
 * Realm names are unique per run, and the realms are deleted afterwards.
 */

const url = process.env.SLIPSTREAM_TEST_KEYCLOAK_URL;
const adminUser = process.env.SLIPSTREAM_TEST_KEYCLOAK_ADMIN_USER ?? 'admin';
const adminPassword = process.env.SLIPSTREAM_TEST_KEYCLOAK_ADMIN_PASSWORD ?? '';

if (!url) {
  test('keycloak is available', () => {
    assert.ok(url, 'SLIPSTREAM_TEST_KEYCLOAK_URL is not set: run these tests through scripts/test.sh, or `source scripts/keycloak-server.sh` first');
  });
} else {
  suite(url);
}

async function rejectsWith(promise: Promise<unknown>, oauthError: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof IdentityError, `an IdentityError, not ${String(error)}`);
    assert.equal(error.oauthError, oauthError, `${error.oauthError}: ${error.message}`);
    if (message) assert.match(error.message, message);
    return true;
  });
}

/** The token with one character of its signature changed. */
function forgeSignature(token: string): string {
  const [header, payload, signature = ''] = token.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0xff;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}

/** The token with its payload rewritten by `change`, its signature kept. */
function tamperPayload(token: string, change: (claims: Record<string, unknown>) => void): string {
  const [header, payload = '', signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  change(claims);
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
}

function suite(url: string): void {
  const run = randomBytes(4).toString('hex');
  const realmA = `kc-a-${run}`;
  const realmB = `kc-b-${run}`;
  const realmShort = `kc-short-${run}`;
  const options = { url, adminUser, adminPassword };
  const identity = new KeycloakIdentity(options);
  // Its realms' access tokens live a few seconds, for the expiry test.
  const shortLived = new KeycloakIdentity({ ...options, accessTokenLifespanSeconds: 4 });
  const alice = { username: 'alice', password: `pw-${run}-1`, email: `alice-${run}@example.com`, roles: ['tenant-admin', 'viewer'] };
  let serviceSecret = '';
  // A deployment whose realms are all `<prefix><name>` in Keycloak.
  const prefix = `p${run}-`;
  const prefixed = new KeycloakIdentity({ ...options, realmPrefix: prefix });

  before(async () => {
    await identity.ensureRealm(realmA, { displayName: 'Tenant A', tenantId: 'ai_a' });
    await identity.ensureRealm(realmB, { displayName: 'Tenant B', tenantId: 'ai_b' });
    await shortLived.ensureRealm(realmShort, { displayName: 'Short-lived tokens', tenantId: 'ai_short' });
  });

  after(async () => {
    const admin = new KeycloakAdmin(url.replace(/\/+$/, ''), adminUser, adminPassword);
    for (const realm of [realmA, realmB, realmShort, `${prefix}acme`]) await admin.request('DELETE', `/${realm}`);
    admin.close();
    await identity.close();
    await shortLived.close();
    await prefixed.close();
  });

  test('ensureRealm is idempotent, and the issuer is the realm discovery document names', async () => {
    await identity.ensureRealm(realmA, { displayName: 'Tenant A', tenantId: 'ai_a' });
    await identity.ensureRealm(realmA, { displayName: 'Tenant A again', tenantId: 'ai_a' });
    assert.equal(identity.issuerOf(realmA), `${url}/realms/${realmA}`);
    const discovery = (await (await fetch(`${identity.issuerOf(realmA)}/.well-known/openid-configuration`)).json()) as { issuer: string };
    assert.equal(discovery.issuer, identity.issuerOf(realmA));
    assert.equal(identity.kind, 'keycloak');
  });

  test('listRoles answers PLATFORM_ROLES, and nothing of Keycloak\'s own', async () => {
    const expected = PLATFORM_ROLES.map((role) => ({ name: role.name, description: role.description }));
    assert.deepEqual(await identity.listRoles(realmA), expected);
    assert.deepEqual(await identity.listRoles(realmB), expected);
  });

  test('upsertUser, then the password grant: the token verifies with the realm, roles and username', async () => {
    await identity.upsertUser(realmA, alice);
    const tokens = await identity.passwordGrant(realmA, { username: 'alice', password: alice.password });
    assert.equal(tokens.token_type, 'Bearer');
    assert.ok(tokens.expires_in > 0);
    assert.ok(tokens.refresh_token, 'a refresh token');
    const verified = await identity.verify(tokens.access_token);
    assert.equal(verified.realm, realmA);
    assert.equal(verified.username, 'alice');
    assert.equal(verified.clientId, 'slipstream');
    assert.deepEqual([...verified.roles].sort(), ['tenant-admin', 'viewer']);
    assert.equal(verified.subject, claimsOf(tokens.access_token).sub);
    assert.ok(verified.tokenId.length > 0);
    assert.ok(Math.abs(verified.expiresAt - (Date.now() / 1000 + tokens.expires_in)) < 30);
  });

  test('wrong password and unknown user are invalid_grant', async () => {
    await rejectsWith(identity.passwordGrant(realmA, { username: 'alice', password: 'wrong' }), 'invalid_grant');
    await rejectsWith(identity.passwordGrant(realmA, { username: 'nobody', password: 'wrong' }), 'invalid_grant');
  });

  test('upsertUser replaces the password and the roles of an existing user', async () => {
    const bob = { username: 'bob', password: `pw-${run}-bob`, roles: ['developer', 'viewer'] };
    await identity.upsertUser(realmA, bob);
    await identity.upsertUser(realmA, { ...bob, password: `pw-${run}-bob-2`, roles: ['developer'] });
    await rejectsWith(identity.passwordGrant(realmA, { username: 'bob', password: bob.password }), 'invalid_grant');
    const tokens = await identity.passwordGrant(realmA, { username: 'bob', password: `pw-${run}-bob-2` });
    assert.deepEqual((await identity.verify(tokens.access_token)).roles, ['developer']);
    await rejectsWith(identity.upsertUser(realmA, { ...bob, roles: ['root'] }), 'invalid_request', /root/);
  });

  test('createClient with client_credentials: its token verifies with the service account\'s roles', async () => {
    ({ clientSecret: serviceSecret } = await identity.createClient(realmA, {
      clientId: 'svc',
      grantTypes: ['client_credentials'],
      redirectUris: [],
      roles: ['developer', 'viewer'],
    }));
    assert.ok(serviceSecret.length >= 16);
    const tokens = await identity.clientCredentialsGrant(realmA, { clientId: 'svc', clientSecret: serviceSecret });
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(tokens.refresh_token, undefined);
    const verified = await identity.verify(tokens.access_token);
    assert.equal(verified.realm, realmA);
    assert.equal(verified.clientId, 'svc');
    assert.equal(verified.username, 'service-account-svc');
    assert.deepEqual([...verified.roles].sort(), ['developer', 'viewer']);
  });

  test('a wrong secret or an unknown client is invalid_client; a duplicate client is invalid_request', async () => {
    await rejectsWith(identity.clientCredentialsGrant(realmA, { clientId: 'svc', clientSecret: 'wrong' }), 'invalid_client');
    await rejectsWith(identity.clientCredentialsGrant(realmA, { clientId: 'nobody', clientSecret: 'wrong' }), 'invalid_client');
    await rejectsWith(identity.createClient(realmA, { clientId: 'svc', grantTypes: ['client_credentials'], redirectUris: [], roles: [] }), 'invalid_request', /exists/);
  });

  test('listClients answers the clients made by createClient only', async () => {
    await identity.createClient(realmA, {
      clientId: 'web',
      grantTypes: ['password', 'refresh_token'],
      redirectUris: ['https://app.example.com/callback'],
      roles: [],
    });
    const clients = (await identity.listClients(realmA)).sort((a, b) => a.clientId.localeCompare(b.clientId));
    assert.deepEqual(clients, [
      { clientId: 'svc', grantTypes: ['client_credentials'], redirectUris: [], roles: ['developer', 'viewer'] },
      { clientId: 'web', grantTypes: ['password', 'refresh_token'], redirectUris: ['https://app.example.com/callback'], roles: [] },
    ]);
    assert.deepEqual(await identity.listClients(realmB), []);
    await rejectsWith(identity.createClient(realmA, { clientId: 'odd', grantTypes: ['authorization_code'], redirectUris: [], roles: [] }), 'invalid_request');
  });

  test('refresh rotates; reusing a spent refresh token is invalid_grant and revokes the newer one too', async () => {
    const first = await identity.passwordGrant(realmA, { username: 'alice', password: alice.password });
    const second = await identity.refresh(realmA, first.refresh_token!);
    assert.ok(second.refresh_token);
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal((await identity.verify(second.access_token)).username, 'alice');
    const third = await identity.refresh(realmA, second.refresh_token, { clientId: 'slipstream' });
    assert.ok(third.refresh_token);

    await rejectsWith(identity.refresh(realmA, first.refresh_token!), 'invalid_grant');
    await rejectsWith(identity.refresh(realmA, third.refresh_token), 'invalid_grant');
    // Another login of the same user is another family, untouched.
    const other = await identity.passwordGrant(realmA, { username: 'alice', password: alice.password });
    assert.ok((await identity.refresh(realmA, other.refresh_token!)).refresh_token);
    await rejectsWith(identity.refresh(realmA, 'not-a-token'), 'invalid_grant');
  });

  test('reuse seen by another process (Keycloak\'s own detection) revokes the family too', async () => {
    const elsewhere = new KeycloakIdentity(options);
    try {
      const first = await identity.passwordGrant(realmA, { username: 'alice', password: alice.password });
      // Keycloak tells stale tokens by whole seconds: past one, it catches the reuse by itself.
      await sleep(1100);
      const second = await identity.refresh(realmA, first.refresh_token!);
      await sleep(1100);
      const third = await identity.refresh(realmA, second.refresh_token!);
      await rejectsWith(elsewhere.refresh(realmA, first.refresh_token!), 'invalid_grant', /stale/i);
      await rejectsWith(identity.refresh(realmA, third.refresh_token!), 'invalid_grant');

      const again = await identity.passwordGrant(realmA, { username: 'alice', password: alice.password });
      await sleep(1100);
      const next = await identity.refresh(realmA, again.refresh_token!);
      await rejectsWith(elsewhere.refresh(realmA, again.refresh_token!), 'invalid_grant', /reuse/i);
      await rejectsWith(identity.refresh(realmA, next.refresh_token!), 'invalid_grant');
    } finally {
      await elsewhere.close();
    }
  });

  test('a token of realm A verifies as realm A\'s, not as realm B\'s', async () => {
    await identity.upsertUser(realmB, { ...alice, roles: ['viewer'] });
    const inA = await identity.passwordGrant(realmA, { username: 'alice', password: alice.password });
    const inB = await identity.passwordGrant(realmB, { username: 'alice', password: alice.password });
    const a = await identity.verify(inA.access_token);
    const b = await identity.verify(inB.access_token);
    assert.equal(a.realm, realmA);
    assert.equal(b.realm, realmB);
    assert.deepEqual(b.roles, ['viewer']);
    assert.notEqual(a.subject, b.subject);
    // Claiming realm B's issuer with realm A's signature does not verify.
    await rejectsWith(identity.verify(tamperPayload(inA.access_token, (claims) => { claims.iss = identity.issuerOf(realmB); })), 'invalid_token');
  });

  test('forged, tampered, foreign, ID and malformed tokens are invalid_token', async () => {
    const tokens = await identity.passwordGrant(realmA, { username: 'alice', password: alice.password, scope: 'openid' });
    await rejectsWith(identity.verify(forgeSignature(tokens.access_token)), 'invalid_token');
    await rejectsWith(identity.verify(tamperPayload(tokens.access_token, (claims) => { claims.realm_access = { roles: ['platform-admin'] }; })), 'invalid_token');
    await rejectsWith(identity.verify(tamperPayload(tokens.access_token, (claims) => { claims.iss = 'https://elsewhere.example.com/realms/x'; })), 'invalid_token', /issuer/);
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${tokens.access_token.split('.')[1]}.`;
    await rejectsWith(identity.verify(unsigned), 'invalid_token');
    await rejectsWith(identity.verify('garbage'), 'invalid_token');
    // An ID token is signed with the same keys, but is not for us (nor an access token).
    const idToken = (await (await fetch(`${identity.issuerOf(realmA)}/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', client_id: 'slipstream', username: 'alice', password: alice.password, scope: 'openid' }),
    })).json() as { id_token?: string }).id_token;
    assert.ok(idToken);
    await rejectsWith(identity.verify(idToken), 'invalid_token');
    // A refresh token neither (HS512, Keycloak's own key).
    await rejectsWith(identity.verify(tokens.refresh_token!), 'invalid_token');
  });

  test('an expired token is invalid_token', async () => {
    await shortLived.upsertUser(realmShort, alice);
    const tokens = await shortLived.passwordGrant(realmShort, { username: 'alice', password: alice.password });
    assert.equal(tokens.expires_in, 4);
    // Valid at first, so what fails later is the expiry.
    const verified = await identity.verify(tokens.access_token);
    assert.equal(verified.realm, realmShort);
    await sleep(Math.max(0, verified.expiresAt * 1000 - Date.now()) + 1100);
    await rejectsWith(identity.verify(tokens.access_token), 'invalid_token', /exp/);
  });

  test('a disabled realm issues no tokens and its tokens stop verifying; enabling it restores both', async () => {
    const { clientSecret } = await identity.createClient(realmB, { clientId: 'svc-b', grantTypes: ['client_credentials'], redirectUris: [], roles: ['viewer'] });
    const before = await identity.passwordGrant(realmB, { username: 'alice', password: alice.password });
    assert.equal((await identity.verify(before.access_token)).realm, realmB);

    await identity.setRealmEnabled(realmB, false);
    await rejectsWith(identity.passwordGrant(realmB, { username: 'alice', password: alice.password }), 'invalid_grant');
    await rejectsWith(identity.clientCredentialsGrant(realmB, { clientId: 'svc-b', clientSecret }), 'invalid_client');
    await rejectsWith(identity.refresh(realmB, before.refresh_token!), 'invalid_grant');
    await rejectsWith(identity.verify(before.access_token), 'invalid_token', /disabled/);
    // Another process (no cache of its own yet) sees it too.
    const other = new KeycloakIdentity(options);
    await rejectsWith(other.verify(before.access_token), 'invalid_token');
    // Realm A is not affected.
    const inA = await identity.passwordGrant(realmA, { username: 'alice', password: alice.password });
    assert.equal((await identity.verify(inA.access_token)).realm, realmA);

    await identity.setRealmEnabled(realmB, true);
    const after = await identity.passwordGrant(realmB, { username: 'alice', password: alice.password });
    assert.equal((await identity.verify(after.access_token)).realm, realmB);
    assert.equal((await identity.verify(before.access_token)).realm, realmB);
    assert.ok(await identity.clientCredentialsGrant(realmB, { clientId: 'svc-b', clientSecret }));
    await other.close();
  });

  test('a realm that does not exist: admin calls are invalid_request, grants fail, tokens do not verify', async () => {
    const missing = `kc-missing-${run}`;
    await rejectsWith(identity.listRoles(missing), 'invalid_request', /does not exist/);
    await rejectsWith(identity.setRealmEnabled(missing, false), 'invalid_request', /does not exist/);
    await rejectsWith(identity.passwordGrant(missing, { username: 'alice', password: 'x' }), 'invalid_grant');
    const tokens = await identity.passwordGrant(realmA, { username: 'alice', password: alice.password });
    const moved = tamperPayload(tokens.access_token, (claims) => { claims.iss = identity.issuerOf(missing); });
    await rejectsWith(identity.verify(moved), 'invalid_token');
  });

  test('a realm prefix: the platform names realms, Keycloak keeps them prefixed, tokens of unprefixed realms are not ours; tokens name the tenant', async () => {
    await prefixed.ensureRealm('acme', { displayName: 'Acme', tenantId: 'ai_acme' });
    assert.equal(prefixed.issuerOf('acme'), `${url}/realms/${prefix}acme`);
    const admin = new KeycloakAdmin(url.replace(/\/+$/, ''), adminUser, adminPassword);
    assert.equal((await admin.request('GET', `/${prefix}acme`)).status, 200);
    assert.equal((await admin.request('GET', '/acme')).status, 404);
    admin.close();
    await prefixed.upsertUser('acme', alice);
    const tokens = await prefixed.passwordGrant('acme', { username: 'alice', password: alice.password });
    const verified = await prefixed.verify(tokens.access_token);
    assert.equal(verified.realm, 'acme');
    assert.equal(claimsOf(tokens.access_token).tenant_id, 'ai_acme');
    assert.equal(claimsOf((await identity.passwordGrant(realmA, { username: 'alice', password: alice.password })).access_token).tenant_id, 'ai_a');
    // Another prefix, or none, is another deployment: realm A's tokens are not the prefixed one's.
    await rejectsWith(prefixed.verify((await identity.passwordGrant(realmA, { username: 'alice', password: alice.password })).access_token), 'invalid_token', /issuer/);
    const elsewhere = new KeycloakIdentity({ ...options, realmPrefix: `q${run}-` });
    await rejectsWith(elsewhere.verify(tokens.access_token), 'invalid_token', /issuer/);
    await elsewhere.close();
  });

  test('a confidential client on the password and refresh grants needs its secret; a client bound to a workspace names it in every token', async () => {
    const { clientSecret } = await prefixed.createClient('acme', { clientId: 'app', grantTypes: ['password', 'refresh_token'], redirectUris: [], roles: [], workspaceId: 'wi_app' });
    await rejectsWith(prefixed.passwordGrant('acme', { username: 'alice', password: alice.password, client: { clientId: 'app' } }), 'invalid_client');
    await rejectsWith(prefixed.passwordGrant('acme', { username: 'alice', password: alice.password, client: { clientId: 'app', clientSecret: 'wrong' } }), 'invalid_client');
    const tokens = await prefixed.passwordGrant('acme', { username: 'alice', password: alice.password, client: { clientId: 'app', clientSecret } });
    const verified = await prefixed.verify(tokens.access_token);
    assert.equal(verified.clientId, 'app');
    assert.equal(verified.workspaceId, 'wi_app');
    await rejectsWith(prefixed.refresh('acme', tokens.refresh_token!, { clientId: 'app' }), 'invalid_client');
    const refreshed = await prefixed.refresh('acme', tokens.refresh_token!, { clientId: 'app', clientSecret });
    assert.equal((await prefixed.verify(refreshed.access_token)).workspaceId, 'wi_app');
    // The public client's tokens are tenant-wide.
    assert.equal((await prefixed.verify((await prefixed.passwordGrant('acme', { username: 'alice', password: alice.password })).access_token)).workspaceId, undefined);
    assert.deepEqual(await prefixed.listClients('acme'), [{ clientId: 'app', grantTypes: ['password', 'refresh_token'], redirectUris: [], roles: [], workspaceId: 'wi_app' }]);
    await rejectsWith(prefixed.createClient('acme', { clientId: 'web', grantTypes: ['password'], redirectUris: [], roles: ['viewer'] }), 'invalid_request', /client_credentials/);
  });
}
