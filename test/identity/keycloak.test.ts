import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeycloakIdentity } from '../../src/identity/keycloak.ts';
import { KeycloakAdmin } from '../../src/identity/keycloak/admin.ts';
import { deleteKeycloakRealms, testKeycloak } from '../helpers/identity.ts';
import { claimsOf, rejectsWith, tamperPayload } from '../helpers/tokens.ts';

/**
 * What only KeycloakIdentity has, against a real Keycloak (the one scripts/keycloak-server.sh
 * starts through scripts/test.sh, or any other named by SLIPSTREAM_TEST_KEYCLOAK_URL with a master
 * realm admin): discovery at Keycloak, its cross-process reuse detection, its ID tokens, the
 * realm prefix. The contract both providers keep is provider-contract.test.ts. Realm names are
 * unique per run, and the realms are deleted afterwards.
 */

const keycloak = testKeycloak();

if (!keycloak) {
  test('keycloak is available', () => {
    assert.ok(keycloak, 'SLIPSTREAM_TEST_KEYCLOAK_URL is not set: run these tests through scripts/test.sh, or `source scripts/keycloak-server.sh` first');
  });
} else {
  suite(keycloak);
}

function suite(options: { url: string; adminUser: string; adminPassword: string }): void {
  const { url, adminUser, adminPassword } = options;
  const run = randomBytes(4).toString('hex');
  // Every realm of this run starts with `kc<run>-`, and goes when it ends.
  const own = `kc${run}-`;
  const realmA = `${own}a`;
  const realmB = `${own}b`;
  const identity = new KeycloakIdentity(options);
  const alice = { username: 'alice', password: `pw-${run}-1`, email: `alice-${run}@example.com`, roles: ['tenant-admin', 'viewer'] };
  // A deployment whose realms are all `<prefix><name>` in Keycloak.
  const prefix = `p${run}-`;
  const prefixed = new KeycloakIdentity({ ...options, realmPrefix: prefix });

  before(async () => {
    await identity.ensureRealm(realmA, { displayName: 'Tenant A', tenantId: 'ai_a' });
    await identity.ensureRealm(realmB, { displayName: 'Tenant B', tenantId: 'ai_b' });
    await identity.upsertUser(realmA, alice);
    await identity.upsertUser(realmB, alice);
  });

  after(async () => {
    for (const realms of [own, prefix]) await deleteKeycloakRealms(options, realms);
    await identity.close();
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

  test("an ID token, signed with the realm's keys, is not an access token: invalid_token", async () => {
    const answer = (await (await fetch(`${identity.issuerOf(realmA)}/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', client_id: 'slipstream', username: 'alice', password: alice.password, scope: 'openid' }),
    })).json()) as { id_token?: string; access_token: string };
    assert.ok(answer.id_token);
    assert.equal((await identity.verify(answer.access_token)).realm, realmA, 'its access token verifies');
    await rejectsWith(identity.verify(answer.id_token), 'invalid_token');
  });

  test("a realm disabled through one process: another, with no cache of its own, refuses its tokens at once", async () => {
    const before = await identity.passwordGrant(realmB, { username: 'alice', password: alice.password });
    const other = new KeycloakIdentity(options);
    try {
      assert.equal((await other.verify(before.access_token)).realm, realmB);
      await identity.setRealmEnabled(realmB, false);
      // Keycloak still serves a disabled realm's JWKS; verify asks whether it is enabled.
      const fresh = new KeycloakIdentity(options);
      await rejectsWith(fresh.verify(before.access_token), 'invalid_token', /disabled/);
      await fresh.close();
    } finally {
      await identity.setRealmEnabled(realmB, true);
      await other.close();
    }
  });

  test('a realm that does not exist: admin calls are invalid_request, grants fail, tokens do not verify', async () => {
    const missing = `${own}missing`;
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
    const admin = new KeycloakAdmin(url, adminUser, adminPassword);
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
}
