import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { workspaceNames } from '../../src/data/postgres/provision.ts';
import { PLANS } from '../../src/control-plane/plans.ts';
import { dataEngineKinds } from '../helpers/data.ts';
import { dataPlatform, USERS } from './setup.ts';

/**
 * The platform conventions on the data routes: bearer scopes (read vs write), the workspace's
 * tenant and capability, bound tokens, plan quotas, idempotency. The gates do not depend on
 * the engine, so they run on the embedded one.
 */
const kind = dataEngineKinds()[0]!;

describe('PostgreSQL data API gates', () => {
  test('scopes: a viewer reads but cannot write; no token, no data; another tenant is refused', async (t) => {
    const d = await dataPlatform(t, kind);
    const ws = await d.workspace('alpha');
    await d.table(ws, USERS);
    await d.client(ws).from('users').insert({ name: 'ann' });
    const made = await d.call('POST', '/v1/iam/realms/default/clients', { token: d.token, body: { clientId: 'reader', grantTypes: ['client_credentials'], roles: ['viewer'] } });
    const viewer = (await d.call('POST', '/v1/auth/token', { body: { grant_type: 'client_credentials', client_id: 'reader', client_secret: made.body.clientSecret, realm: 'default' } })).body.access_token as string;
    assert.deepEqual((await d.client(ws, viewer).from('users').select('name')).data, [{ name: 'ann' }]);
    const write = await d.client(ws, viewer).from('users').insert({ name: 'eve' });
    assert.equal(write.status, 403);
    assert.equal((write.error as unknown as { error: { code: string } }).error.code, 'FORBIDDEN');
    assert.equal((await d.call('POST', `/v1/postgres/${ws}/tables`, { token: viewer, body: { name: 'x', columns: [{ name: 'a', type: 'text' }] } })).status, 403);
    assert.equal((await d.call('GET', `/v1/postgres/${ws}/rows/users`)).status, 401);
    assert.equal((await d.call('GET', `/v1/postgres/${ws}/rows/users`, { token: 'not-a-token' })).status, 401);

    // Another tenant's admin cannot reach this workspace, by any route.
    const tenant = await d.call('POST', '/v1/tenants', { token: d.token, body: { slug: 'other-co', displayName: 'Other', plan: 'starter', adminEmail: 'o@other.test' } });
    const other = (await d.login(tenant.body.initialAdmin.username, tenant.body.initialAdmin.password, 'other-co')).access_token;
    for (const [method, url] of [['GET', `/v1/postgres/${ws}/rows/users`], ['GET', `/v1/postgres/${ws}/tables`], ['DELETE', `/v1/postgres/${ws}/rows/users?id=gt.0`]] as const) {
      const answer = await d.call(method, url, { token: other });
      assert.equal(answer.status, 403, `${method} ${url}`);
    }
    assert.deepEqual((await d.client(ws).from('users').select('name')).data, [{ name: 'ann' }], 'nothing changed');
  });

  test('a token bound to one workspace reaches its data only', async (t) => {
    const d = await dataPlatform(t, kind);
    const mine = await d.workspace('mine');
    const theirs = await d.workspace('theirs');
    for (const ws of [mine, theirs]) await d.table(ws, USERS);
    const made = await d.call('POST', '/v1/iam/realms/default/clients', { token: d.token, body: { clientId: 'mine-ci', grantTypes: ['client_credentials'], roles: ['developer'], workspaceId: mine } });
    const bound = (await d.call('POST', '/v1/auth/token', { body: { grant_type: 'client_credentials', client_id: 'mine-ci', client_secret: made.body.clientSecret, realm: 'default' } })).body.access_token as string;
    assert.equal((await d.client(mine, bound).from('users').insert({ name: 'ok' })).status, 201);
    const refused = await d.client(theirs, bound).from('users').select();
    assert.equal(refused.status, 403);
    assert.match((refused.error as unknown as { error: { message: string } }).error.message, /bound to workspace/);
  });

  test('capabilities: a workspace without postgres is refused; a suspended one too; a deleted one is gone', async (t) => {
    const d = await dataPlatform(t, kind);
    const kafkaOnly = await d.workspace('kafka-only', ['kafka']);
    const refused = await d.call('POST', `/v1/postgres/${kafkaOnly}/tables`, { token: d.token, body: USERS });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'WORKSPACE_CAPABILITY_REQUIRED');
    assert.equal((await d.call('PATCH', `/v1/workspaces/${kafkaOnly}`, { token: d.token, body: { capabilities: ['kafka', 'postgres'] } })).status, 200);
    assert.equal((await d.call('POST', `/v1/postgres/${kafkaOnly}/tables`, { token: d.token, body: USERS })).status, 201, 'added, the capability opens the API');

    const ws = await d.workspace('paused');
    await d.table(ws, USERS);
    assert.equal((await d.call('PATCH', `/v1/workspaces/${ws}`, { token: d.token, body: { status: 'suspended' } })).status, 200);
    const suspended = await d.call('GET', `/v1/postgres/${ws}/rows/users`, { token: d.token });
    assert.equal(suspended.status, 403);
    assert.equal(suspended.body.error.code, 'WORKSPACE_SUSPENDED');
    assert.equal((await d.call('DELETE', `/v1/workspaces/${ws}`, { token: d.token })).status, 200);
    assert.equal((await d.call('GET', `/v1/postgres/${ws}/rows/users`, { token: d.token })).body.error.code, 'WORKSPACE_NOT_FOUND');
  });

  test("quotas: a tenant's rows over all its workspaces stay within its plan; a refused insert adds nothing", async (t) => {
    const d = await dataPlatform(t, kind);
    const tenant = await d.call('POST', '/v1/tenants', { token: d.token, body: { slug: 'small-co', displayName: 'Small', plan: 'starter', adminEmail: 'b@small.test' } });
    const small = (await d.login(tenant.body.initialAdmin.username, tenant.body.initialAdmin.password, 'small-co')).access_token;
    const one = await d.workspace('one', ['postgres'], small);
    const two = await d.workspace('two', ['postgres'], small);
    for (const ws of [one, two]) await d.table(ws, { name: 'items', columns: [{ name: 'n', type: 'integer' }] }, small);
    const limit = PLANS.find((p) => p.name === 'starter')!.quotas.dataRows;
    // Fill workspace one to the plan's limit but two rows, straight in the database (fast), as its role would.
    const engine = await d.data.postgres.engine();
    await engine.transaction([{ sql: `INSERT INTO "${workspaceNames(one).schema}".items SELECT g FROM generate_series(1, $1::int) g`, params: [limit - 2] }]);
    const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ n: i }));
    const over = await d.client(two, small).from('items').insert(rows(3));
    assert.equal(over.status, 403);
    assert.equal((over.error as unknown as { error: { code: string } }).error.code, 'QUOTA_EXCEEDED');
    assert.equal((await d.client(two, small).from('items').select('*', { count: 'exact', head: true })).count, 0, 'the refused insert added nothing');
    assert.equal((await d.client(two, small).from('items').insert(rows(2))).status, 201, 'exactly up to the limit');
    assert.equal((await d.client(one, small).from('items').insert(rows(1))).status, 403);
    // Deleting rows (and dropping a table) gives room back.
    assert.equal((await d.client(two, small).from('items').delete().gte('n', 0)).status, 204);
    assert.equal((await d.client(one, small).from('items').insert(rows(2))).status, 201);
    assert.equal((await d.call('DELETE', `/v1/postgres/${one}/tables/items`, { token: small })).status, 204);
    assert.equal((await d.client(two, small).from('items').insert(rows(1000))).status, 201);
  });

  test('idempotency: a repeated insert is answered once and stored once; the same key on another query is refused', async (t) => {
    const d = await dataPlatform(t, kind);
    const ws = await d.workspace('alpha');
    await d.table(ws, USERS);
    const headers = { 'idempotency-key': 'insert-ann-1', prefer: 'return=representation' };
    const first = await d.call('POST', `/v1/postgres/${ws}/rows/users`, { token: d.token, body: { name: 'ann' }, headers });
    const again = await d.call('POST', `/v1/postgres/${ws}/rows/users`, { token: d.token, body: { name: 'ann' }, headers });
    assert.equal(first.status, 201);
    assert.equal(again.status, 201, 'replayed, not a unique violation');
    assert.equal(again.headers['x-idempotency-replayed'], 'true');
    assert.deepEqual(again.body, first.body);
    const key = { 'idempotency-key': 'patch-1' };
    assert.equal((await d.call('PATCH', `/v1/postgres/${ws}/rows/users?name=eq.ann`, { token: d.token, body: { secret: 's' }, headers: key })).status, 204);
    const reused = await d.call('PATCH', `/v1/postgres/${ws}/rows/users?name=eq.bob`, { token: d.token, body: { secret: 's' }, headers: key });
    assert.equal(reused.status, 422, 'another filter is another request');
    assert.equal(reused.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
    const prefer = await d.call('POST', `/v1/postgres/${ws}/rows/users`, { token: d.token, body: { name: 'ann' }, headers: { ...headers, prefer: 'return=minimal' } });
    assert.equal(prefer.status, 422, 'another Prefer is another request');
    assert.equal((await d.client(ws).from('users').select('*', { count: 'exact', head: true })).count, 1);
  });

  test('limits: too many rows in one insert, and answers capped at the maximum rows', async (t) => {
    const d = await dataPlatform(t, kind, { maxRows: 5 });
    const ws = await d.workspace('alpha');
    await d.table(ws, { name: 'items', columns: [{ name: 'n', type: 'integer', primaryKey: true }] });
    const big = await d.call('POST', `/v1/postgres/${ws}/rows/items`, { token: d.token, body: Array.from({ length: 1001 }, (_, n) => ({ n })) });
    assert.equal(big.status, 413);
    assert.equal(big.body.error.code, 'TOO_MANY_ROWS');
    await d.client(ws).from('items').insert(Array.from({ length: 12 }, (_, n) => ({ n })));
    const page = await d.client(ws).from('items').select('n', { count: 'exact' }).order('n');
    assert.equal(page.status, 206, 'the server maximum is an implicit limit, visible as a partial answer');
    assert.equal(page.count, 12);
    assert.deepEqual(page.data, [0, 1, 2, 3, 4].map((n) => ({ n })));
    const next = await d.client(ws).from('items').select('n').order('n').range(10, 20);
    assert.deepEqual(next.data, [{ n: 10 }, { n: 11 }]);
  });
});
