import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';
import { v1 } from './client.ts';

/**
 * Bad input on every route that takes a body: a body of the wrong type, an unknown field, a
 * field of the wrong type, an oversized value and malformed JSON are each a 400 in the envelope,
 * and nothing changes. And each tenant gets its plan's requests per minute.
 */
const sqlite = storeKinds()[0]!;

const ROUTES: Array<{ method: string; url: (ids: { tenant: string; workspace: string }) => string; field: string; valid: Record<string, unknown> }> = [
  { method: 'POST', url: () => '/v1/tenants', field: 'displayName', valid: { slug: 'input-check', displayName: 'I', plan: 'starter', adminEmail: 'i@i.test' } },
  { method: 'PATCH', url: ({ tenant }) => `/v1/tenants/${tenant}`, field: 'displayName', valid: { displayName: 'Renamed' } },
  { method: 'POST', url: () => '/v1/workspaces', field: 'displayName', valid: { slug: 'input-check', displayName: 'Input check' } },
  { method: 'PATCH', url: ({ workspace }) => `/v1/workspaces/${workspace}`, field: 'displayName', valid: { displayName: 'Input check' } },
  { method: 'POST', url: () => '/v1/iam/realms', field: 'displayName', valid: { id: 'input-check', displayName: 'Input check' } },
  { method: 'POST', url: () => '/v1/iam/realms/default/clients', field: 'clientId', valid: { clientId: 'input-check' } },
  { method: 'POST', url: () => '/v1/auth/token', field: 'username', valid: { grant_type: 'password', username: 'admin', password: 'x' } },
  { method: 'POST', url: () => '/v1/auth/refresh', field: 'refresh_token', valid: { refresh_token: 'rt_x' } },
];

test('every route with a body: wrong types, unknown fields, oversized values and malformed JSON are 400 and change nothing', async (t) => {
  const platform = await startTestPlatform(sqlite, t);
  const { call, admin } = v1(platform);
  const { access_token: token } = await admin();
  const ids = { tenant: JSON.parse((await platform.store.getMetadata('bootstrap'))!).account_id as string, workspace: platform.boot.workspace_id };
  const snapshot = async () => JSON.stringify([await platform.store.listAccounts({ limit: 100 }), await platform.store.listWorkspaces(ids.tenant), await platform.store.identity.listClients('default'), await platform.store.identity.listRealms(ids.tenant)]);
  const before = await snapshot();
  for (const route of ROUTES) {
    const url = route.url(ids);
    const bad: Array<[string, { body?: unknown; raw?: string }]> = [
      ['an array body', { body: [route.valid] }],
      ['a string body', { body: 'hello' }],
      ['an unknown field', { body: { ...route.valid, colour: 'red' } }],
      ['a field of the wrong type', { body: { ...route.valid, [route.field]: 42 } }],
      ['an oversized value', { body: { ...route.valid, [route.field]: 'x'.repeat(10_000) } }],
      ['malformed JSON', { raw: '{"slug": ' }],
    ];
    for (const [what, request] of bad) {
      const answer = await call(route.method, url, { token, ...request });
      assert.equal(answer.status, 400, `${route.method} ${url} with ${what}: ${JSON.stringify(answer.body)}`);
      assert.ok(['VALIDATION_ERROR', 'MALFORMED_JSON'].includes(answer.body.error.code), `${route.method} ${url} with ${what}: ${answer.body.error.code}`);
      assert.ok(answer.body.error.correlationId && answer.body.error.timestamp);
    }
  }
  assert.equal(await snapshot(), before, 'no refused request changed anything');
});

test("a tenant gets its plan's requests per minute (429 with Retry-After); other tenants are not affected", async (t) => {
  const platform = await startTestPlatform(sqlite, t);
  const { call, admin, login } = v1(platform);
  const { access_token: token } = await admin();
  const tenant = await call('POST', '/v1/tenants', { token, body: { slug: 'busy-co', displayName: 'Busy', plan: 'starter', adminEmail: 'busy@busy.test' } });
  const busy = await login(tenant.body.initialAdmin.username, tenant.body.initialAdmin.password, 'busy-co');
  const url = `/v1/tenants/${tenant.body.id}`;
  for (let i = 0; i < 600; i++) {
    const answer = await call('GET', url, { token: busy.access_token });
    assert.equal(answer.status, 200, `request ${i + 1} of the starter plan's 600`);
  }
  const over = await call('GET', url, { token: busy.access_token });
  assert.equal(over.status, 429);
  assert.equal(over.body.error.code, 'RATE_LIMITED');
  assert.ok(Number(over.headers['retry-after']) >= 1);
  assert.equal((await call('GET', '/v1/tenants', { token })).status, 200, 'the default tenant has its own allowance');
});
