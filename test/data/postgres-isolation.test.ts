import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EngineError } from '../../src/data/postgres/engine.ts';
import { workspaceNames } from '../../src/data/postgres/provision.ts';
import { dataEngineKinds } from '../helpers/data.ts';
import { dataPlatform, USERS } from './setup.ts';

/**
 * Workspaces never see each other's rows, enforced by PostgreSQL itself: each has its own
 * schema and role, and every table forced row-level security with a policy naming only its
 * role — so the second layer holds even where the first (grants) is got wrong.
 */
for (const kind of dataEngineKinds()) describe(`PostgreSQL data isolation (${kind.kind})`, () => {
  test('a workspace reaches only its own tables: through rows, embeds and the tables list', async (t) => {
    const d = await dataPlatform(t, kind);
    const a = await d.workspace('alpha');
    const b = await d.workspace('beta');
    await d.table(a, USERS);
    const inserted = await d.client(a).from('users').insert([{ name: 'ann', secret: 'a-secret' }]);
    assert.equal(inserted.status, 201);

    // Same table name in B: its own, empty table; A's row is not there.
    assert.equal((await d.client(b).from('users').select()).error?.code, 'PGRST205', 'B has no users table yet');
    await d.table(b, USERS);
    assert.deepEqual((await d.client(b).from('users').select()).data, []);
    assert.deepEqual((await d.client(a).from('users').select('name')).data, [{ name: 'ann' }]);
    // An embed can only follow foreign keys inside the workspace.
    const embed = await d.client(b).from('users').select('*, todos(*)');
    assert.equal(embed.error?.code, 'PGRST200');
    // The tables list and a table's description are per workspace.
    const listed = await d.call('GET', `/v1/postgres/${b}/tables`, { token: d.token });
    assert.deepEqual(listed.body.items.map((x: { name: string }) => x.name), ['users']);
    // Writes in B leave A alone.
    await d.client(b).from('users').insert({ name: 'bob' });
    assert.equal((await d.client(b).from('users').delete().eq('name', 'ann')).status, 204);
    assert.deepEqual((await d.client(a).from('users').select('name,secret')).data, [{ name: 'ann', secret: 'a-secret' }]);
  });

  test("the database refuses one workspace's role another's rows, even with a grant given by mistake", async (t) => {
    const d = await dataPlatform(t, kind);
    const a = await d.workspace('alpha');
    const b = await d.workspace('beta');
    await d.table(a, USERS);
    await d.client(a).from('users').insert([{ name: 'ann', secret: 's1' }, { name: 'amy', secret: 's2' }]);
    await d.table(b, USERS);
    const engine = await d.data.postgres.engine();
    const [na, nb] = [workspaceNames(a), workspaceNames(b)];
    const aUsers = `"${na.schema}".users`;

    // Layer 1: B's role has no privilege on A's schema.
    await assert.rejects(engine.transaction([{ sql: `SELECT * FROM ${aUsers}` }], { role: nb.role }), (e: unknown) => e instanceof EngineError && e.code === '42501');
    // Layer 2: granted A's table by mistake, B's role still sees no row and cannot add one.
    await engine.transaction([{ sql: `GRANT USAGE ON SCHEMA "${na.schema}" TO "${nb.role}"` }, { sql: `GRANT SELECT, INSERT ON ${aUsers} TO "${nb.role}"` }]);
    const [seen] = await engine.transaction([{ sql: `SELECT count(*)::int AS n FROM ${aUsers}` }], { role: nb.role });
    assert.equal(seen!.rows[0]!.n, 0, 'row-level security hides every row from another role');
    await assert.rejects(engine.transaction([{ sql: `INSERT INTO ${aUsers} (name) VALUES ('mallory')` }], { role: nb.role }), (e: unknown) => e instanceof EngineError && e.code === '42501');
    const [own] = await engine.transaction([{ sql: `SELECT count(*)::int AS n FROM ${aUsers}` }], { role: na.role });
    assert.equal(own!.rows[0]!.n, 2, "A's own role sees its rows");
    // The usage counters are private to the provisioning user.
    await assert.rejects(engine.transaction([{ sql: 'SELECT * FROM slipstream_meta.usage' }], { role: na.role }), (e: unknown) => e instanceof EngineError && e.code === '42501');
  });

  test('after any request, failed or not, the session is the provisioning user again', async (t) => {
    const d = await dataPlatform(t, kind);
    const a = await d.workspace('alpha');
    await d.table(a, USERS);
    const engine = await d.data.postgres.engine();
    const [before] = await engine.transaction([{ sql: 'SELECT current_user AS u' }]);
    assert.equal((await d.client(a).from('users').insert({ name: null })).status, 422);
    assert.equal((await d.client(a).from('users').select('name')).status, 200);
    // Many in flight at once: each is its own transaction, none leaks its role into another.
    await Promise.all(Array.from({ length: 20 }, (_, i) => d.client(a).from('users').insert({ name: `u${i}` })));
    const [after] = await engine.transaction([{ sql: 'SELECT current_user AS u, current_setting($1) AS path', params: ['search_path'] }]);
    assert.equal(after!.rows[0]!.u, before!.rows[0]!.u);
    assert.notEqual(after!.rows[0]!.u, workspaceNames(a).role);
    assert.equal((await d.client(a).from('users').select('*', { count: 'exact', head: true })).count, 20);
  });
});
