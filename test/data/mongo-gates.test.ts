import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { workspaceNames } from '../../src/data/postgres/provision.ts';
import { PLANS } from '../../src/control-plane/plans.ts';
import { mongoEngineKinds } from '../helpers/data.ts';
import { dataPlatform } from './setup.ts';

/** The conventions on the Mongo routes, and workspaces kept apart, on every engine. */
for (const kind of mongoEngineKinds()) describe(`Mongo data API gates (${kind.kind})`, () => {
  test("workspaces are apart: the same collection name holds each one's own documents", async (t) => {
    const d = await dataPlatform(t, kind);
    const [a, b] = [await d.workspace('alpha', ['mongo']), await d.workspace('beta', ['mongo'])];
    const docs = (ws: string) => `/v1/mongo/${ws}/collections/notes/documents`;
    assert.equal((await d.call('POST', docs(a), { token: d.token, body: { _id: 'n1', text: 'secret of a' } })).status, 201);
    assert.equal((await d.call('POST', docs(b), { token: d.token, body: { _id: 'n1', text: 'of b' } })).status, 201, 'the same _id in another workspace is another document');
    assert.deepEqual((await d.call('GET', docs(a), { token: d.token })).body.documents, [{ _id: 'n1', text: 'secret of a' }]);
    assert.deepEqual((await d.call('GET', `${docs(b)}/n1`, { token: d.token })).body.document, { _id: 'n1', text: 'of b' });
    assert.equal((await d.call('DELETE', `${docs(b)}/n1`, { token: d.token })).status, 200);
    assert.equal((await d.call('GET', `${docs(a)}/n1`, { token: d.token })).status, 200, "B's delete left A's document");
    // $lookup resolves its `from` in the workspace's own collections only.
    await d.call('POST', `/v1/mongo/${b}/collections/people/documents`, { token: d.token, body: { _id: 'p', note: 'n1' } });
    const lookup = await d.call('POST', `/v1/mongo/${b}/collections/people/aggregate`, { token: d.token, body: { pipeline: [{ $lookup: { from: 'notes', localField: 'note', foreignField: '_id', as: 'n' } }] } });
    if (kind.kind === 'embedded') assert.deepEqual(lookup.body.documents, [{ _id: 'p', note: 'n1', n: [] }]);
    else assert.equal(lookup.status, 422, 'FerretDB has no $lookup');
    assert.deepEqual((await d.call('GET', `/v1/mongo/${a}/collections`, { token: d.token })).body.items, ['notes']);
  });

  test('scopes, capability and tenant: a viewer finds and aggregates but cannot write; a postgres-only workspace is refused', async (t) => {
    const d = await dataPlatform(t, kind);
    const ws = await d.workspace('alpha', ['mongo']);
    const docs = `/v1/mongo/${ws}/collections/notes/documents`;
    await d.call('POST', docs, { token: d.token, body: { _id: 1, text: 'x' } });
    const made = await d.call('POST', '/v1/iam/realms/default/clients', { token: d.token, body: { clientId: 'reader', grantTypes: ['client_credentials'], roles: ['viewer'] } });
    const viewer = (await d.call('POST', '/v1/auth/token', { body: { grant_type: 'client_credentials', client_id: 'reader', client_secret: made.body.clientSecret, realm: 'default' } })).body.access_token as string;
    assert.equal((await d.call('GET', docs, { token: viewer })).status, 200);
    assert.equal((await d.call('POST', `/v1/mongo/${ws}/collections/notes/aggregate`, { token: viewer, body: { pipeline: [{ $count: 'n' }] } })).status, 200);
    for (const [method, url, body] of [['POST', docs, { text: 'y' }], ['PATCH', `${docs}/1`, { $set: { text: 'z' } }], ['DELETE', `${docs}/1`, undefined], ['POST', `/v1/mongo/${ws}/collections/notes/bulk`, { operations: [{ deleteMany: { filter: {} } }] }], ['POST', `/v1/mongo/${ws}/collections/notes/indexes`, { key: { text: 1 } }]] as const) {
      assert.equal((await d.call(method, url, { token: viewer, ...(body ? { body } : {}) })).status, 403, `${method} ${url}`);
    }
    assert.equal((await d.call('GET', docs)).status, 401);
    assert.deepEqual((await d.call('GET', docs, { token: d.token })).body.documents, [{ _id: 1, text: 'x' }], 'nothing changed');
    const sqlOnly = await d.workspace('sql-only', ['postgres']);
    const refused = await d.call('GET', `/v1/mongo/${sqlOnly}/collections/notes/documents`, { token: d.token });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'WORKSPACE_CAPABILITY_REQUIRED');
  });

  test('paging with nextCursor; a cursor of another query, bad Extended JSON, bad names and too many documents are refused', async (t) => {
    const d = await dataPlatform(t, kind);
    const ws = await d.workspace('alpha', ['mongo']);
    const docs = `/v1/mongo/${ws}/collections/items/documents`;
    assert.equal((await d.call('POST', docs, { token: d.token, body: Array.from({ length: 25 }, (_, i) => ({ _id: i, n: i })) })).status, 201);
    const sort = encodeURIComponent('{"n":1}');
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { documents: { n: number }[]; nextCursor: string | null } } = await d.call('GET', `${docs}?sort=${sort}&limit=10${cursor ? `&cursor=${cursor}` : ''}`, { token: d.token });
      assert.equal(page.status, 200);
      seen.push(...page.body.documents.map((x) => x.n));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, Array.from({ length: 25 }, (_, i) => i));
    const first = await d.call('GET', `${docs}?sort=${sort}&limit=10`, { token: d.token });
    const other = await d.call('GET', `${docs}?sort=${encodeURIComponent('{"n":-1}')}&cursor=${first.body.nextCursor}`, { token: d.token });
    assert.equal(other.status, 400);
    assert.equal(other.body.error.code, 'INVALID_CURSOR');
    const bad = await d.call('GET', `${docs}?filter=${encodeURIComponent('{"_id":{"$oid":"nothex"}}')}`, { token: d.token });
    assert.equal(bad.status, 400);
    assert.equal((await d.call('GET', `/v1/mongo/${ws}/collections/${encodeURIComponent('$bad')}/documents`, { token: d.token })).status, 400);
    assert.equal((await d.call('POST', docs, { token: d.token, body: Array.from({ length: 1001 }, (_, i) => ({ i })) })).status, 400);
    assert.equal((await d.call('GET', `${docs}?limit=1001`, { token: d.token })).status, 400);
  });

  test('a unique index answers 409 with MongoDB code 11000, and an insert stops at the duplicate keeping what came before', async (t) => {
    const d = await dataPlatform(t, kind);
    const ws = await d.workspace('alpha', ['mongo']);
    const base = `/v1/mongo/${ws}/collections/users`;
    await d.call('POST', `${base}/documents`, { token: d.token, body: { _id: 'u1', email: 'a@x' } });
    const index = await d.call('POST', `${base}/indexes`, { token: d.token, body: { key: { email: 1 }, unique: true, name: 'email_unique' } });
    assert.equal(index.status, 201);
    assert.deepEqual(index.body, { name: 'email_unique' });
    const names = (await d.call('GET', `${base}/indexes`, { token: d.token })).body.items.map((i: { name: string }) => i.name);
    assert.deepEqual(names.sort(), ['_id_', 'email_unique']);
    const dup = await d.call('POST', `${base}/documents`, { token: d.token, body: [{ _id: 'u2', email: 'b@x' }, { _id: 'u3', email: 'a@x' }, { _id: 'u4', email: 'c@x' }] });
    assert.equal(dup.status, 409, JSON.stringify(dup.body));
    assert.equal(dup.body.error.code, 'DUPLICATE_KEY');
    assert.equal(dup.body.error.details.mongoCode, 11000);
    assert.deepEqual(dup.body.error.details.insertedIds, ['u2']);
    const all = (await d.call('GET', `${base}/documents?sort=${encodeURIComponent('{"_id":1}')}`, { token: d.token })).body.documents.map((x: { _id: string }) => x._id);
    assert.deepEqual(all, ['u1', 'u2']);
    // An update into a taken value is refused too; dropping the index lets it through.
    assert.equal((await d.call('PATCH', `${base}/documents/u2`, { token: d.token, body: { $set: { email: 'a@x' } } })).status, 409);
    assert.equal((await d.call('DELETE', `${base}/indexes/email_unique`, { token: d.token })).status, 204);
    assert.equal((await d.call('PATCH', `${base}/documents/u2`, { token: d.token, body: { $set: { email: 'a@x' } } })).status, 200);
    assert.equal((await d.call('DELETE', `${base}/indexes/email_unique`, { token: d.token })).status, 404);
  });

  test('idempotency: a repeated insert is answered once and stored once', async (t) => {
    const d = await dataPlatform(t, kind);
    const ws = await d.workspace('alpha', ['mongo']);
    const docs = `/v1/mongo/${ws}/collections/events/documents`;
    const headers = { 'idempotency-key': 'ev-1' };
    const first = await d.call('POST', docs, { token: d.token, body: { kind: 'signup' }, headers });
    const again = await d.call('POST', docs, { token: d.token, body: { kind: 'signup' }, headers });
    assert.equal(first.status, 201);
    assert.equal(again.headers['x-idempotency-replayed'], 'true');
    assert.deepEqual(again.body, first.body, 'the same generated _id');
    assert.equal((await d.call('GET', docs, { token: d.token })).body.documents.length, 1);
  });
});

describe('Mongo data API quota', () => {
  test("documents and PostgreSQL rows share the tenant's plan quota", async (t) => {
    const kind = mongoEngineKinds()[0]!;
    const d = await dataPlatform(t, kind);
    const tenant = await d.call('POST', '/v1/tenants', { token: d.token, body: { slug: 'small-co', displayName: 'Small', plan: 'starter', adminEmail: 'b@small.test' } });
    const small = (await d.login(tenant.body.initialAdmin.username, tenant.body.initialAdmin.password, 'small-co')).access_token;
    const ws = await d.workspace('both', ['postgres', 'mongo'], small);
    await d.table(ws, { name: 'items', columns: [{ name: 'n', type: 'integer' }] }, small);
    const limit = PLANS.find((p) => p.name === 'starter')!.quotas.dataRows;
    const engine = await d.data.postgres.engine();
    await engine.transaction([{ sql: `INSERT INTO "${workspaceNames(ws).schema}".items SELECT g FROM generate_series(1, $1::int) g`, params: [limit - 1] }]);
    const docs = `/v1/mongo/${ws}/collections/c/documents`;
    const over = await d.call('POST', docs, { token: small, body: [{ a: 1 }, { a: 2 }] });
    assert.equal(over.status, 403);
    assert.equal(over.body.error.code, 'QUOTA_EXCEEDED');
    assert.equal((await d.call('POST', docs, { token: small, body: { a: 1 } })).status, 201, 'exactly up to the limit');
    assert.equal((await d.call('POST', `/v1/postgres/${ws}/rows/items`, { token: small, body: { n: 1 } })).status, 403, 'the document counts against rows too');
  });
});
