import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { SecretSealer } from '../../src/control-plane/secrets.ts';
import type { IdentityProvider } from '../../src/identity/provider.ts';
import { PLATFORM_ROLES } from '../../src/identity/roles.ts';
import type { MetadataStore } from '../../src/metadata/store.ts';
import { identityKinds, type TestIdentity } from '../helpers/identity.ts';
import { storeKinds, testAccount } from '../helpers/stores.ts';
import { claimsOf, forgeSignature, rejectsWith, tamperPayload } from '../helpers/tokens.ts';

/**
 * The IdentityProvider contract, one suite for both providers: the embedded issuer and a real
 * Keycloak (a realm prefix of its own per run). What only one of them has (Keycloak's
 * cross-process reuse detection, its ID tokens, the realm prefix) is in keycloak.test.ts.
 *
 * As the platform does (services/tenants.ts), each realm's row is written to the metadata store
 * first and then the provider is told; the embedded issuer keeps its realms in that store.
 */
for (const kind of identityKinds()) describe(`IdentityProvider contract (${kind.kind})`, () => {
  const run = randomBytes(4).toString('hex');
  const realmA = 'tenant-a';
  const realmB = 'tenant-b';
  const alice = { username: 'alice', password: `pw-${run}-1`, email: `alice-${run}@example.com`, roles: ['tenant-admin', 'viewer'] };
  const cleanups: Array<() => unknown> = [];
  let store: MetadataStore;
  let testIdentity: TestIdentity;
  let identity: IdentityProvider;
  let serviceSecret = '';

  before(async () => {
    store = await storeKinds()[0]!.open();
    cleanups.push(() => store.close());
    testIdentity = kind.open({ after: (fn) => cleanups.push(fn) }, { store, secrets: new SecretSealer(randomBytes(32)), baseUrl: () => 'http://issuer.test' });
    identity = testIdentity.provider;
    cleanups.push(() => identity.close());
    for (const [realm, tenantId] of [[realmA, 'ai_a'], [realmB, 'ai_b']] as const) {
      await store.insertAccount(testAccount(tenantId));
      await store.identity.insertRealm({ name: realm, account_id: tenantId, display_name: realm, enabled: true, created_at: Date.now() });
      await identity.ensureRealm(realm, { displayName: realm, tenantId });
    }
    await identity.upsertUser(realmA, alice);
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  test('ensureRealm is idempotent; issuers are per realm, in Keycloak\'s URL layout', async () => {
    await identity.ensureRealm(realmA, { displayName: 'Tenant A again', tenantId: 'ai_a' });
    assert.match(identity.issuerOf(realmA), /^https?:\/\/[^/]+\/realms\/[a-z0-9-]*tenant-a$/);
    assert.notEqual(identity.issuerOf(realmA), identity.issuerOf(realmB));
  });

  test('listRoles answers PLATFORM_ROLES, and nothing else', async () => {
    const expected = PLATFORM_ROLES.map((role) => ({ name: role.name, description: role.description }));
    assert.deepEqual(await identity.listRoles(realmA), expected);
    assert.deepEqual(await identity.listRoles(realmB), expected);
  });

  test('the password grant: the token verifies with its realm, roles, username and the tenant_id claim', async () => {
    const tokens = await identity.passwordGrant(realmA, { username: 'alice', password: alice.password });
    assert.equal(tokens.token_type, 'Bearer');
    assert.ok(tokens.expires_in > 0);
    assert.ok(tokens.refresh_token, 'a refresh token');
    const verified = await identity.verify(tokens.access_token);
    assert.equal(verified.realm, realmA);
    assert.equal(verified.username, 'alice');
    assert.equal(verified.clientId, 'slipstream');
    assert.equal(verified.workspaceId, undefined, "the public client's tokens are tenant-wide");
    assert.deepEqual([...verified.roles].sort(), ['tenant-admin', 'viewer']);
    assert.equal(verified.subject, claimsOf(tokens.access_token).sub);
    assert.ok(verified.tokenId.length > 0);
    assert.ok(Math.abs(verified.expiresAt - (Date.now() / 1000 + tokens.expires_in)) < 30);
    assert.equal(claimsOf(tokens.access_token).iss, identity.issuerOf(realmA));
    assert.equal(claimsOf(tokens.access_token).tenant_id, 'ai_a');
  });

  test('wrong password and unknown user are invalid_grant', async () => {
    await rejectsWith(identity.passwordGrant(realmA, { username: 'alice', password: 'wrong' }), 'invalid_grant');
    await rejectsWith(identity.passwordGrant(realmA, { username: 'nobody', password: 'wrong' }), 'invalid_grant');
  });

  test('upsertUser replaces the password and the roles of an existing user; unknown roles are invalid_request', async () => {
    const bob = { username: 'bob', password: `pw-${run}-bob`, roles: ['developer', 'viewer'] };
    await identity.upsertUser(realmA, bob);
    await identity.upsertUser(realmA, { ...bob, password: `pw-${run}-bob-2`, roles: ['developer'] });
    await rejectsWith(identity.passwordGrant(realmA, { username: 'bob', password: bob.password }), 'invalid_grant');
    const tokens = await identity.passwordGrant(realmA, { username: 'bob', password: `pw-${run}-bob-2` });
    assert.deepEqual((await identity.verify(tokens.access_token)).roles, ['developer']);
    await rejectsWith(identity.upsertUser(realmA, { ...bob, roles: ['root'] }), 'invalid_request', /root/);
  });

  test("createClient with client_credentials: its token verifies with the service account's roles", async () => {
    ({ clientSecret: serviceSecret } = await identity.createClient(realmA, { clientId: 'svc', grantTypes: ['client_credentials'], redirectUris: [], roles: ['developer', 'viewer'] }));
    assert.ok(serviceSecret.length >= 16);
    const tokens = await identity.clientCredentialsGrant(realmA, { clientId: 'svc', clientSecret: serviceSecret });
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(tokens.refresh_token, undefined, 'RFC 6749 §4.4.3');
    const verified = await identity.verify(tokens.access_token);
    assert.equal(verified.realm, realmA);
    assert.equal(verified.clientId, 'svc');
    assert.equal(verified.username, 'service-account-svc');
    assert.deepEqual([...verified.roles].sort(), ['developer', 'viewer']);
  });

  test('a wrong secret or an unknown client is invalid_client; a duplicate client, unknown grants and roles without client_credentials are invalid_request', async () => {
    await rejectsWith(identity.clientCredentialsGrant(realmA, { clientId: 'svc', clientSecret: 'wrong' }), 'invalid_client');
    await rejectsWith(identity.clientCredentialsGrant(realmA, { clientId: 'nobody', clientSecret: 'wrong' }), 'invalid_client');
    await rejectsWith(identity.createClient(realmA, { clientId: 'svc', grantTypes: ['client_credentials'], redirectUris: [], roles: [] }), 'invalid_request', /exists/);
    await rejectsWith(identity.createClient(realmA, { clientId: 'odd', grantTypes: ['authorization_code'], redirectUris: [], roles: [] }), 'invalid_request');
    await rejectsWith(identity.createClient(realmA, { clientId: 'odd', grantTypes: ['password'], redirectUris: [], roles: ['viewer'] }), 'invalid_request', /client_credentials/);
  });

  test('a confidential client on the password and refresh grants needs its secret; a client bound to a workspace names it in every token; listClients shows what createClient made', async () => {
    const { clientSecret } = await identity.createClient(realmA, { clientId: 'app', grantTypes: ['password', 'refresh_token'], redirectUris: ['https://app.example.com/callback'], roles: [], workspaceId: 'wi_app' });
    await rejectsWith(identity.passwordGrant(realmA, { username: 'alice', password: alice.password, client: { clientId: 'app' } }), 'invalid_client');
    await rejectsWith(identity.passwordGrant(realmA, { username: 'alice', password: alice.password, client: { clientId: 'app', clientSecret: 'wrong' } }), 'invalid_client');
    const tokens = await identity.passwordGrant(realmA, { username: 'alice', password: alice.password, client: { clientId: 'app', clientSecret } });
    const verified = await identity.verify(tokens.access_token);
    assert.equal(verified.clientId, 'app');
    assert.equal(verified.workspaceId, 'wi_app');
    assert.equal(claimsOf(tokens.access_token).workspace_id, 'wi_app');
    await rejectsWith(identity.refresh(realmA, tokens.refresh_token!, { clientId: 'app' }), 'invalid_client');
    const refreshed = await identity.refresh(realmA, tokens.refresh_token!, { clientId: 'app', clientSecret });
    assert.equal((await identity.verify(refreshed.access_token)).workspaceId, 'wi_app');

    const clients = (await identity.listClients(realmA)).sort((a, b) => a.clientId.localeCompare(b.clientId));
    assert.deepEqual(clients, [
      { clientId: 'app', grantTypes: ['password', 'refresh_token'], redirectUris: ['https://app.example.com/callback'], roles: [], workspaceId: 'wi_app' },
      { clientId: 'svc', grantTypes: ['client_credentials'], redirectUris: [], roles: ['developer', 'viewer'] },
    ]);
    assert.deepEqual(await identity.listClients(realmB), []);
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

  test("a token of realm A verifies as realm A's, not as realm B's", async () => {
    await identity.upsertUser(realmB, { ...alice, roles: ['viewer'] });
    const inA = await identity.passwordGrant(realmA, { username: 'alice', password: alice.password });
    const inB = await identity.passwordGrant(realmB, { username: 'alice', password: alice.password });
    const a = await identity.verify(inA.access_token);
    const b = await identity.verify(inB.access_token);
    assert.equal(a.realm, realmA);
    assert.equal(b.realm, realmB);
    assert.deepEqual(b.roles, ['viewer']);
    assert.notEqual(a.subject, b.subject);
    assert.equal(claimsOf(inB.access_token).tenant_id, 'ai_b');
    // Claiming realm B's issuer (and name) with realm A's signature does not verify.
    await rejectsWith(identity.verify(tamperPayload(inA.access_token, (claims) => { claims.iss = identity.issuerOf(realmB); claims.realm = realmB; })), 'invalid_token');
  });

  test('forged, tampered, foreign, unsigned, malformed and refresh tokens are invalid_token', async () => {
    const tokens = await identity.passwordGrant(realmA, { username: 'alice', password: alice.password });
    await rejectsWith(identity.verify(forgeSignature(tokens.access_token)), 'invalid_token');
    await rejectsWith(identity.verify(tamperPayload(tokens.access_token, (claims) => { claims.realm_access = { roles: ['platform-admin'] }; })), 'invalid_token');
    await rejectsWith(identity.verify(tamperPayload(tokens.access_token, (claims) => { claims.iss = 'https://elsewhere.example.com/realms/x'; })), 'invalid_token');
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${tokens.access_token.split('.')[1]}.`;
    await rejectsWith(identity.verify(unsigned), 'invalid_token');
    await rejectsWith(identity.verify('garbage'), 'invalid_token');
    await rejectsWith(identity.verify(tokens.refresh_token!), 'invalid_token');
  });

  test('an expired token is invalid_token', async (t) => {
    const expired = await testIdentity.expiredToken(t, realmA, async () => (await identity.passwordGrant(realmA, { username: 'alice', password: alice.password })).access_token);
    assert.ok((claimsOf(expired).exp as number) * 1000 < Date.now());
    await rejectsWith(identity.verify(expired), 'invalid_token', /exp/);
  });

  test('a disabled realm issues no tokens and its tokens stop verifying; enabling it restores both', async () => {
    const { clientSecret } = await identity.createClient(realmB, { clientId: 'svc-b', grantTypes: ['client_credentials'], redirectUris: [], roles: ['viewer'] });
    const before = await identity.passwordGrant(realmB, { username: 'alice', password: alice.password });
    assert.equal((await identity.verify(before.access_token)).realm, realmB);

    // As services/tenants.ts does: the row, then the provider.
    await store.identity.setRealmEnabled(realmB, false);
    await identity.setRealmEnabled(realmB, false);
    await rejectsWith(identity.passwordGrant(realmB, { username: 'alice', password: alice.password }), 'invalid_grant');
    await rejectsWith(identity.clientCredentialsGrant(realmB, { clientId: 'svc-b', clientSecret }), 'invalid_client');
    await rejectsWith(identity.refresh(realmB, before.refresh_token!), 'invalid_grant');
    await rejectsWith(identity.verify(before.access_token), 'invalid_token', /disabled/);
    // Realm A is not affected.
    const inA = await identity.passwordGrant(realmA, { username: 'alice', password: alice.password });
    assert.equal((await identity.verify(inA.access_token)).realm, realmA);

    await store.identity.setRealmEnabled(realmB, true);
    await identity.setRealmEnabled(realmB, true);
    const after = await identity.passwordGrant(realmB, { username: 'alice', password: alice.password });
    assert.equal((await identity.verify(after.access_token)).realm, realmB);
    assert.equal((await identity.verify(before.access_token)).realm, realmB);
    assert.ok(await identity.clientCredentialsGrant(realmB, { clientId: 'svc-b', clientSecret }));
  });
});
