import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { identityKinds } from '../helpers/identity.ts';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';
import { v1 } from './client.ts';

/**
 * IAM beyond a tenant's own realm, on both identity providers: further realms of a tenant,
 * OAuth clients bound to one workspace (their tokens carry `workspace_id` and reach nothing
 * else), confidential clients on the password and refresh grants, and the client rules.
 */
const sqlite = storeKinds()[0]!;

const defaultTenantOf = async (platform: TestPlatform) => JSON.parse((await platform.store.getMetadata('bootstrap'))!).account_id as string;

for (const identity of identityKinds()) describe(`platform IAM (${identity.kind})`, () => {
  test('POST /v1/iam/realms: a further realm of the tenant (201) whose clients get tokens; duplicates, tenant slugs, bad ids and other tenants refused', async (t) => {
    const platform = await startTestPlatform(sqlite, t, { identity });
    const { call, admin, login } = v1(platform);
    const { access_token: token } = await admin();
    const tenantId = await defaultTenantOf(platform);

    const made = await call('POST', '/v1/iam/realms', { token, body: { id: 'customers', displayName: 'Our customers' } });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.deepEqual(
      { id: made.body.id, tenantId: made.body.tenantId, displayName: made.body.displayName, enabled: made.body.enabled, issuer: made.body.issuer },
      { id: 'customers', tenantId, displayName: 'Our customers', enabled: true, issuer: platform.identity.issuerOf('customers') },
    );
    assert.deepEqual((await call('GET', '/v1/iam/realms', { token })).body.items.map((r: { id: string }) => r.id).sort(), ['customers', 'default']);

    // Its clients get tokens of its issuer, for the tenant that owns it.
    const client = await call('POST', '/v1/iam/realms/customers/clients', { token, body: { clientId: 'portal', grantTypes: ['client_credentials'] } });
    assert.equal(client.status, 201, JSON.stringify(client.body));
    assert.deepEqual(client.body.roles, ['viewer'], 'a service account is a viewer unless told');
    const portal = await call('POST', '/v1/auth/token', { body: { grant_type: 'client_credentials', client_id: 'portal', client_secret: client.body.clientSecret, realm: 'customers' } });
    assert.equal(portal.status, 200, JSON.stringify(portal.body));
    assert.equal(decodeJwt(portal.body.access_token).iss, platform.identity.issuerOf('customers'));
    assert.equal(decodeJwt(portal.body.access_token).tenant_id, tenantId);
    assert.equal((await call('GET', `/v1/tenants/${tenantId}`, { token: portal.body.access_token })).status, 200);

    // Realm names and tenant slugs are one namespace (a tenant's realm is its slug).
    const other = await call('POST', '/v1/tenants', { token, body: { slug: 'other-co', displayName: 'Other', plan: 'enterprise', adminEmail: 'o@other.test' } });
    assert.equal(other.status, 201);
    for (const id of ['customers', 'other-co', 'default']) {
      const refused = await call('POST', '/v1/iam/realms', { token, body: { id, displayName: 'Again' } });
      assert.equal(refused.status, 409, id);
      assert.equal(refused.body.error.code, 'REALM_ALREADY_EXISTS', id);
    }
    assert.equal((await call('POST', '/v1/tenants', { token, body: { slug: 'customers', displayName: 'X', plan: 'starter', adminEmail: 'x@x.test' } })).status, 409);
    for (const id of ['Customers', 'ab', 'ends-', 'master', 'has space']) {
      const refused = await call('POST', '/v1/iam/realms', { token, body: { id, displayName: 'Bad' } });
      assert.equal(refused.status, 400, id);
      assert.equal(refused.body.error.code, 'INVALID_SLUG', id);
    }
    assert.equal((await call('POST', '/v1/iam/realms', { token, body: { id: 'blank-name', displayName: '   ' } })).status, 400);

    // Another tenant's admin makes realms in its own tenant only; a starter tenant none (no identity capability).
    const otherAdmin = await login(other.body.initialAdmin.username, other.body.initialAdmin.password, 'other-co');
    assert.equal((await call('POST', '/v1/iam/realms', { token: otherAdmin.access_token, body: { id: 'sneaky', displayName: 'Sneaky', tenantId } })).status, 403);
    const own = await call('POST', '/v1/iam/realms', { token: otherAdmin.access_token, body: { id: 'other-apps', displayName: 'Apps' } });
    assert.equal(own.status, 201);
    assert.equal(own.body.tenantId, other.body.id);
    assert.equal((await call('GET', '/v1/iam/realms/other-apps/clients', { token })).status, 200, 'a platform admin reaches every realm');
    assert.equal((await call('GET', '/v1/iam/realms/customers/clients', { token: otherAdmin.access_token })).status, 403);
    const small = await call('POST', '/v1/tenants', { token, body: { slug: 'small-co', displayName: 'Small', plan: 'starter', adminEmail: 's@small.test' } });
    const smallAdmin = await login(small.body.initialAdmin.username, small.body.initialAdmin.password, 'small-co');
    const noCapability = await call('POST', '/v1/iam/realms', { token: smallAdmin.access_token, body: { id: 'small-apps', displayName: 'Apps' } });
    assert.equal(noCapability.status, 403);
    assert.equal(noCapability.body.error.code, 'PLAN_CAPABILITY_REQUIRED');

    // A realm made for a suspended tenant is disabled in the provider too: its clients get no tokens.
    assert.equal((await call('PATCH', `/v1/tenants/${small.body.id}`, { token, body: { status: 'suspended' } })).status, 200);
    const dormant = await call('POST', '/v1/iam/realms', { token, body: { id: 'small-later', displayName: 'Later', tenantId: small.body.id } });
    assert.equal(dormant.status, 201, JSON.stringify(dormant.body));
    assert.equal(dormant.body.enabled, false);
    const sleeper = await call('POST', '/v1/iam/realms/small-later/clients', { token, body: { clientId: 'sleeper', grantTypes: ['client_credentials'] } });
    assert.equal(sleeper.status, 201, JSON.stringify(sleeper.body));
    const refusedGrant = await call('POST', '/v1/auth/token', { body: { grant_type: 'client_credentials', client_id: 'sleeper', client_secret: sleeper.body.clientSecret, realm: 'small-later' } });
    assert.equal(refusedGrant.status, 401, JSON.stringify(refusedGrant.body));

    // Nothing refused was made.
    for (const id of ['sneaky', 'small-apps', 'blank-name', 'Customers']) assert.equal(await platform.store.identity.getRealm(id), undefined, id);
  });

  test('a workspace-bound client: its tokens carry workspace_id and reach that workspace only; deleting the workspace ends them', async (t) => {
    const platform = await startTestPlatform(sqlite, t, { identity });
    const { call, admin } = v1(platform);
    const { access_token: token } = await admin();
    const tenantId = await defaultTenantOf(platform);
    const teamA = (await call('POST', '/v1/workspaces', { token, body: { slug: 'team-a', displayName: 'Team A' } })).body;
    const teamB = (await call('POST', '/v1/workspaces', { token, body: { slug: 'team-b', displayName: 'Team B' } })).body;

    // Even a tenant-admin service account, bound to team-a, is team-a's only.
    const made = await call('POST', '/v1/iam/realms/default/clients', { token, body: { clientId: 'team-a-ci', grantTypes: ['client_credentials'], roles: ['tenant-admin'], workspaceId: teamA.id } });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(made.body.workspaceId, teamA.id);
    const listed = (await call('GET', '/v1/iam/realms/default/clients', { token })).body.items.find((c: { clientId: string }) => c.clientId === 'team-a-ci');
    assert.equal(listed.workspaceId, teamA.id);
    const grant = await call('POST', '/v1/auth/token', { body: { grant_type: 'client_credentials', client_id: 'team-a-ci', client_secret: made.body.clientSecret } });
    assert.equal(grant.status, 200, JSON.stringify(grant.body));
    const bound = grant.body.access_token as string;
    assert.equal(decodeJwt(bound).workspace_id, teamA.id);
    assert.equal(decodeJwt(bound).tenant_id, tenantId);

    assert.deepEqual((await call('GET', '/v1/workspaces', { token: bound })).body.items.map((w: { slug: string }) => w.slug), ['team-a']);
    assert.equal((await call('GET', `/v1/workspaces/${teamA.id}`, { token: bound })).status, 200);
    assert.equal((await call('PATCH', `/v1/workspaces/${teamA.id}`, { token: bound, body: { displayName: 'Team A renamed' } })).status, 200);
    assert.equal((await call('GET', `/v1/tenants/${tenantId}`, { token: bound })).status, 200, 'it reads its tenant');
    const refusals: Array<[string, string, unknown?]> = [
      ['GET', `/v1/workspaces/${teamB.id}`],
      ['PATCH', `/v1/workspaces/${teamB.id}`, { displayName: 'Not yours' }],
      ['DELETE', `/v1/workspaces/${teamB.id}`],
      ['POST', '/v1/workspaces', { slug: 'team-c', displayName: 'Team C' }],
      ['PATCH', `/v1/tenants/${tenantId}`, { displayName: 'Taken over' }],
      ['GET', '/v1/iam/realms'],
      ['POST', '/v1/iam/realms/default/clients', { clientId: 'escalate', roles: ['tenant-admin'] }],
      ['POST', '/v1/iam/realms', { id: 'team-a-realm', displayName: 'Mine' }],
    ];
    for (const [method, url, body] of refusals) {
      const answer = await call(method, url, { token: bound, ...(body ? { body } : {}) });
      assert.equal(answer.status, 403, `${method} ${url}: ${JSON.stringify(answer.body)}`);
    }
    assert.equal((await platform.store.getWorkspace(teamB.id))!.status, 'active');
    assert.equal((await platform.store.getAccount(tenantId))!.display_name, 'Default');
    assert.equal(await platform.store.findAccountBySlug('team-c'), undefined);

    // A binding names a live workspace of the realm's tenant.
    const other = await call('POST', '/v1/tenants', { token, body: { slug: 'other-co', displayName: 'Other', plan: 'enterprise', adminEmail: 'o@other.test' } });
    const otherWorkspace = (await call('GET', `/v1/workspaces?tenantId=${other.body.id}`, { token })).body.items[0];
    for (const workspaceId of [otherWorkspace?.id ?? 'wi_missing', 'wi_nope']) {
      const refused = await call('POST', '/v1/iam/realms/default/clients', { token, body: { clientId: `bad-${workspaceId.slice(-4)}`, workspaceId } });
      assert.equal(refused.status, 422, JSON.stringify(refused.body));
      assert.equal(refused.body.error.code, 'WORKSPACE_NOT_IN_TENANT');
    }

    // Its workspace deleted, the bound token is refused (401, as an API key of that workspace).
    assert.equal((await call('DELETE', `/v1/workspaces/${teamA.id}`, { token })).status, 200);
    const after = await call('GET', `/v1/tenants/${tenantId}`, { token: bound });
    assert.equal(after.status, 401, JSON.stringify(after.body));
  });

  test('confidential clients: the password and refresh grants need their secret; roles need client_credentials', async (t) => {
    const platform = await startTestPlatform(sqlite, t, { identity });
    const { call, admin } = v1(platform);
    const { access_token: token } = await admin();
    const { username, password } = platform.boot.platform_admin;

    const rolesWithoutServiceAccount = await call('POST', '/v1/iam/realms/default/clients', { token, body: { clientId: 'bad-web', grantTypes: ['password'], roles: ['viewer'] } });
    assert.equal(rolesWithoutServiceAccount.status, 422, JSON.stringify(rolesWithoutServiceAccount.body));
    assert.equal(rolesWithoutServiceAccount.body.error.code, 'INVALID_CLIENT');
    const web = await call('POST', '/v1/iam/realms/default/clients', { token, body: { clientId: 'web-app', grantTypes: ['password', 'refresh_token'], redirectUris: ['https://app.example.com/callback'] } });
    assert.equal(web.status, 201, JSON.stringify(web.body));
    assert.deepEqual(web.body.roles, []);
    const secret = web.body.clientSecret as string;
    assert.ok(secret.length >= 16);
    assert.deepEqual((await call('GET', '/v1/iam/realms/default/clients', { token })).body.items.map((c: { clientId: string }) => c.clientId), ['web-app'], 'nothing of the refused client was made');

    const signIn = (client: Record<string, string>) => call('POST', '/v1/auth/token', { body: { grant_type: 'password', username, password, ...client } });
    for (const client of [{ client_id: 'web-app' } as Record<string, string>, { client_id: 'web-app', client_secret: 'wrong' }, { client_id: 'nobody', client_secret: secret }]) {
      const refused = await signIn(client);
      assert.equal(refused.status, 401, `${JSON.stringify(client)}: ${JSON.stringify(refused.body)}`);
      assert.equal(refused.body.error.code, 'INVALID_CLIENT');
    }
    const signedIn = await signIn({ client_id: 'web-app', client_secret: secret });
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    assert.equal(decodeJwt(signedIn.body.access_token).azp, 'web-app');
    assert.equal((await call('GET', '/v1/tenants', { token: signedIn.body.access_token })).status, 200, "the user's roles, through the client");

    // Its refresh token is the client's: without the secret it is refused and stays unspent.
    const withoutSecret = await call('POST', '/v1/auth/refresh', { body: { refresh_token: signedIn.body.refresh_token, client_id: 'web-app' } });
    assert.equal(withoutSecret.status, 401, JSON.stringify(withoutSecret.body));
    assert.equal(withoutSecret.body.error.code, 'INVALID_CLIENT');
    const refreshed = await call('POST', '/v1/auth/refresh', { body: { refresh_token: signedIn.body.refresh_token, client_id: 'web-app', client_secret: secret } });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.notEqual(refreshed.body.refresh_token, signedIn.body.refresh_token);
  });
});
