/**
 * list_workspaces and create_workspace: account keys only, WarpStream's name rules, duplicates,
 * the application key a new workspace comes with, and that every refusal changes nothing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { hashSecret } from '../../src/ids.ts';
import { assertError, assertRecentIso, clusterBody, idPattern, ISO, ok, refusedKeeping, sharedPlatform } from '../helpers/api.ts';
import { storeKinds } from '../helpers/stores.ts';

/** Refusals here also leave list_workspaces (as the account key sees it) as it was. */
const refused = refusedKeeping((p) => p.call('/api/v1/list_workspaces', undefined, { key: p.boot.account_key }));

// --- tests -----------------------------------------------------------------------------------

for (const kind of storeKinds()) {
  describe(`workspaces (${kind.kind})`, () => {
    const platform = sharedPlatform(kind);

    it('list_workspaces answers the bootstrap workspace with an ISO created_at, on GET without a body and POST with {}', async () => {
      const p = platform();
      for (const options of [
        { method: 'GET', body: undefined },
        { method: 'POST', body: {} },
        { method: 'POST', body: undefined },
      ] as const) {
        const r = await p.call('/api/v1/list_workspaces', options.body, { key: p.boot.account_key, method: options.method });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(Object.keys(r.body), ['workspaces']);
        assert.equal(r.body.workspaces.length, 1);
        const [ws] = r.body.workspaces;
        assert.deepEqual(Object.keys(ws).sort(), ['created_at', 'id', 'name']);
        assert.equal(ws.id, p.boot.workspace_id);
        assert.match(ws.id, idPattern('wi_'));
        assert.equal(ws.name, 'default');
        assert.match(ws.created_at, ISO);
      }
    });

    it('refuses list_workspaces and create_workspace to every key but the account key', async () => {
      const p = platform();
      const create = { workspace_name: 'refused workspace' };
      for (const path of ['/api/v1/list_workspaces', '/api/v1/create_workspace']) {
        const body = path.endsWith('create_workspace') ? create : undefined;
        await refused(p, path, body, 403, 'FORBIDDEN', { key: p.boot.application_key }, /account key/);
        await refused(p, path, body, 403, 'FORBIDDEN', { key: p.boot.agent_key });
        await refused(p, path, body, 401, 'UNAUTHORIZED', { key: null }, /invalid_api_key/);
        await refused(p, path, body, 401, 'UNAUTHORIZED', { key: 'aks_' + randomBytes(32).toString('hex') }, /invalid_api_key/);
      }
    });

    it('create_workspace answers the workspace id and its application key (secret shown once) and lists the workspace', async () => {
      const p = platform();
      const startedAt = Date.now();
      const r = await p.call('/api/v1/create_workspace', { workspace_name: 'Team Blue-1' }, { key: p.boot.account_key });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(Object.keys(r.body).sort(), ['application_key', 'workspace_id']);
      const { workspace_id, application_key } = r.body;
      assert.match(workspace_id, idPattern('wi_'));
      assert.deepEqual(Object.keys(application_key).sort(), ['access_grants', 'created_at', 'id', 'key', 'name']);
      assert.match(application_key.id, idPattern('aki_'));
      // The key's name comes from the workspace's, with what a key name may not hold replaced.
      assert.equal(application_key.name, 'akn_Team_Blue_1_application_key');
      assert.match(application_key.key, /^aks_[0-9a-f]{64}$/);
      assertRecentIso(application_key.created_at, startedAt);
      assert.deepEqual(application_key.access_grants, [
        { principal_kind: 'application', resource_kind: '*', resource_id: '*', workspace_id },
      ]);

      // Only the hash is kept.
      const record = await p.store.getApiKeyBySecretHash(hashSecret(application_key.key));
      assert.ok(record);
      assert.equal(record.id, application_key.id);
      assert.equal(record.kind, 'application');
      assert.equal(record.workspace_id, workspace_id);
      assert.ok(!JSON.stringify(record).includes(application_key.key));

      const listed = await p.call('/api/v1/list_workspaces', undefined, { key: p.boot.account_key });
      assert.equal(listed.status, 200);
      const ws = listed.body.workspaces.find((w: { id: string }) => w.id === workspace_id);
      assert.deepEqual(Object.keys(ws).sort(), ['created_at', 'id', 'name']);
      assert.equal(ws.name, 'Team Blue-1');
      assertRecentIso(ws.created_at, startedAt);
      // Oldest first: the bootstrap workspace stays first.
      assert.equal(listed.body.workspaces[0].id, p.boot.workspace_id);

      // The new key lists its own workspace's keys, with their secrets (kept sealed, not in the clear).
      const keys = await p.call('/api/v1/list_api_keys', undefined, { key: application_key.key });
      assert.equal(keys.status, 200);
      assert.deepEqual(keys.body.api_keys, [application_key]);
    });

    it('gives the new application key its own workspace and nothing of the default one', async () => {
      const p = platform();
      const r = await p.call('/api/v1/create_workspace', { workspace_name: 'isolated' }, { key: p.boot.account_key });
      assert.equal(r.status, 200, r.text);
      const key = r.body.application_key.key as string;

      const empty = await p.call('/api/v1/list_virtual_clusters', undefined, { key, method: 'GET' });
      assert.equal(empty.status, 200, empty.text);
      assert.deepEqual(empty.body, { virtual_clusters: [] });

      // The default workspace's cluster is invisible to it (404, as if it did not exist).
      const topics = await p.call('/api/v1/list_topics', { virtual_cluster_id: p.boot.virtual_cluster_id }, { key });
      assertError(topics, 404, 'VIRTUAL_CLUSTER_NOT_FOUND', 'foreign cluster');

      // It manages its own workspace: a cluster created with it lands there, unseen by the default key.
      const vc = await ok(p, '/api/v1/create_virtual_cluster', clusterBody('isolated_vc'), { key });
      assert.equal(vc.body.workspace_id, r.body.workspace_id);
      const mine = await p.call('/api/v1/list_virtual_clusters', {}, { key });
      assert.deepEqual(mine.body.virtual_clusters.map((c: { id: string }) => c.id), [vc.body.virtual_cluster_id]);
      const theirs = await p.call('/api/v1/list_virtual_clusters', {});
      assert.deepEqual(theirs.body.virtual_clusters.map((c: { id: string }) => c.id), [p.boot.virtual_cluster_id]);
    });

    it('skip_application_key_creation creates the workspace without a key', async () => {
      const p = platform();
      const r = await p.call('/api/v1/create_workspace', { workspace_name: 'keyless', skip_application_key_creation: true }, { key: p.boot.account_key });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(Object.keys(r.body), ['workspace_id']);
      assert.match(r.body.workspace_id, idPattern('wi_'));
      assert.deepEqual(await p.store.listApiKeys(r.body.workspace_id), []);
      const listed = await p.call('/api/v1/list_workspaces', {}, { key: p.boot.account_key });
      assert.ok(listed.body.workspaces.some((w: { id: string; name: string }) => w.id === r.body.workspace_id && w.name === 'keyless'));

      // false is the default: a key is created.
      const withKey = await p.call(
        '/api/v1/create_workspace',
        { workspace_name: 'keyed', skip_application_key_creation: false },
        { key: p.boot.account_key },
      );
      assert.equal(withKey.status, 200, withKey.text);
      assert.match(withKey.body.application_key.key, /^aks_[0-9a-f]{64}$/);
    });

    it('accepts names of 3 to 128 letters, digits, spaces, "_" and "-"', async () => {
      const p = platform();
      for (const name of ['abc', 'a'.repeat(128), 'with space', 'under_score', 'dash-ed', '0123', 'MiXeD 9_-z']) {
        const r = await p.call('/api/v1/create_workspace', { workspace_name: name, skip_application_key_creation: true }, { key: p.boot.account_key });
        assert.equal(r.status, 200, `${JSON.stringify(name)}: ${r.text}`);
        const listed = await p.call('/api/v1/list_workspaces', {}, { key: p.boot.account_key });
        assert.equal(listed.body.workspaces.find((w: { id: string }) => w.id === r.body.workspace_id).name, name);
      }
    });

    it('refuses invalid names with 400 and changes nothing', async () => {
      const p = platform();
      for (const name of ['', 'ab', 'a'.repeat(129), 'dot.ted', 'slash/ed', 'émoji', 'tab\there', 'new\nline', 'semi;colon', "quote'd", 'a😀b']) {
        await refused(
          p,
          '/api/v1/create_workspace',
          { workspace_name: name },
          400,
          'VALIDATION_ERROR',
          { key: p.boot.account_key },
          /workspace_name/,
        );
      }
    });

    it('refuses wrong JSON types and missing fields with 400 and changes nothing', async () => {
      const p = platform();
      const bodies: unknown[] = [
        {},
        { workspace_name: null },
        { workspace_name: 123 },
        { workspace_name: ['abc'] },
        { workspace_name: { name: 'abc' } },
        { workspace_name: true },
        { workspace_name: 'typed', skip_application_key_creation: 'true' },
        { workspace_name: 'typed', skip_application_key_creation: 1 },
        { workspace_name: 'typed', skip_application_key_creation: null },
        [],
        'abc',
        42,
      ];
      for (const body of bodies) {
        await refused(p, '/api/v1/create_workspace', body, 400, 'VALIDATION_ERROR', { key: p.boot.account_key });
      }
      await refused(p, '/api/v1/create_workspace', undefined, 400, 'MALFORMED_JSON', { key: p.boot.account_key, raw: '{"workspace_name": "x' });
    });

    it('refuses a duplicate name with 409 and changes nothing', async () => {
      const p = platform();
      const first = await p.call('/api/v1/create_workspace', { workspace_name: 'twice' }, { key: p.boot.account_key });
      assert.equal(first.status, 200);
      await refused(p, '/api/v1/create_workspace', { workspace_name: 'twice' }, 409, 'WORKSPACE_ALREADY_EXISTS', { key: p.boot.account_key }, /twice/);
      await refused(
        p,
        '/api/v1/create_workspace',
        { workspace_name: 'twice', skip_application_key_creation: true },
        409,
        'WORKSPACE_ALREADY_EXISTS',
        { key: p.boot.account_key },
      );
      await refused(p, '/api/v1/create_workspace', { workspace_name: 'default' }, 409, 'WORKSPACE_ALREADY_EXISTS', { key: p.boot.account_key });
    });

    it('gives the application keys of two workspaces whose names map to one key name distinct secrets and names within each workspace', async () => {
      const p = platform();
      // "x y" and "x_y" both become akn_x_y_application_key; key names are per workspace, so both keep that name.
      const a = await p.call('/api/v1/create_workspace', { workspace_name: 'x y' }, { key: p.boot.account_key });
      const b = await p.call('/api/v1/create_workspace', { workspace_name: 'x_y' }, { key: p.boot.account_key });
      assert.equal(a.status, 200, a.text);
      assert.equal(b.status, 200, b.text);
      assert.equal(a.body.application_key.name, 'akn_x_y_application_key');
      assert.equal(b.body.application_key.name, 'akn_x_y_application_key');
      assert.notEqual(a.body.application_key.key, b.body.application_key.key);
      assert.notEqual(a.body.workspace_id, b.body.workspace_id);
      const keysA = await p.call('/api/v1/list_api_keys', {}, { key: a.body.application_key.key });
      assert.deepEqual(keysA.body.api_keys.map((k: { id: string }) => k.id), [a.body.application_key.id]);
    });

    // --- rename_workspace, delete_workspace ---

    it('rename_workspace answers {} and renames; the name rules and uniqueness of create_workspace apply', async () => {
      const p = platform();
      const account = { key: p.boot.account_key };
      const ws = await ok(p, '/api/v1/create_workspace', { workspace_name: 'before rename' }, account);
      const id = ws.body.workspace_id as string;
      const r = await ok(p, '/api/v1/rename_workspace', { workspace_id: id, new_workspace_name: 'after_rename-2' }, account);
      assert.equal(r.text, '{}');
      const listed = (await ok(p, '/api/v1/list_workspaces', undefined, account)).body.workspaces;
      assert.deepEqual(listed.find((w: { id: string }) => w.id === id)?.name, 'after_rename-2');
      assert.ok(!listed.some((w: { name: string }) => w.name === 'before rename'));
      // The same name again is a no-op; the old name is free again.
      assert.equal((await ok(p, '/api/v1/rename_workspace', { workspace_id: id, new_workspace_name: 'after_rename-2' }, account)).text, '{}');
      await ok(p, '/api/v1/create_workspace', { workspace_name: 'before rename', skip_application_key_creation: true }, account);

      for (const name of ['ab', 'x'.repeat(129), 'dots.not.allowed', 'ünï', '']) {
        await refused(p, '/api/v1/rename_workspace', { workspace_id: id, new_workspace_name: name }, 400, 'VALIDATION_ERROR', account, /new_workspace_name/);
      }
      await refused(p, '/api/v1/rename_workspace', { workspace_id: id }, 400, 'VALIDATION_ERROR', account);
      await refused(p, '/api/v1/rename_workspace', { new_workspace_name: 'fine name' }, 400, 'VALIDATION_ERROR', account);
      await refused(p, '/api/v1/rename_workspace', { workspace_id: id, new_workspace_name: 'default' }, 409, 'WORKSPACE_ALREADY_EXISTS', account);
      await refused(
        p,
        '/api/v1/rename_workspace',
        { workspace_id: 'wi_00000000_0000_4000_8000_000000000000', new_workspace_name: 'fine name' },
        404,
        'WORKSPACE_NOT_FOUND',
        account,
      );
      await refused(p, '/api/v1/rename_workspace', { workspace_id: id, new_workspace_name: 'by app' }, 403, 'FORBIDDEN', {}, /account key/);
    });

    it('delete_workspace answers {}, takes the workspace and its keys (refused from the next request); one with clusters is 409', async () => {
      const p = platform();
      const account = { key: p.boot.account_key };
      const ws = await ok(p, '/api/v1/create_workspace', { workspace_name: 'to delete' }, account);
      const id = ws.body.workspace_id as string;
      const appKey = ws.body.application_key.key as string;
      const cluster = await ok(p, '/api/v1/create_virtual_cluster', clusterBody('doomed'), { key: appKey });

      // Still holding a cluster: refused, nothing changes, the key still works.
      const full = await refused(p, '/api/v1/delete_workspace', { workspace_id: id }, 409, 'WORKSPACE_NOT_EMPTY', account, /vcn_doomed/);
      assert.ok(full.body.error.message.includes('delete them first'));
      assert.equal((await p.call('/api/v1/list_virtual_clusters', {}, { key: appKey })).status, 200);

      await ok(p, '/api/v1/delete_virtual_cluster', { virtual_cluster_id: cluster.body.virtual_cluster_id, virtual_cluster_name: 'vcn_doomed' }, { key: appKey });
      const r = await ok(p, '/api/v1/delete_workspace', { workspace_id: id }, account);
      assert.equal(r.text, '{}');
      const listed = (await ok(p, '/api/v1/list_workspaces', undefined, account)).body.workspaces;
      assert.ok(!listed.some((w: { id: string }) => w.id === id));
      assert.deepEqual(await p.store.listApiKeys(id), []);
      assertError(await p.call('/api/v1/list_virtual_clusters', {}, { key: appKey }), 401, 'UNAUTHORIZED', 'the deleted workspace\'s key');
      // Gone: 404, which the Terraform provider takes as "already deleted".
      await refused(p, '/api/v1/delete_workspace', { workspace_id: id }, 404, 'WORKSPACE_NOT_FOUND', account);
    });

    it('delete_workspace is for the account key only; bad bodies are 400 and change nothing', async () => {
      const p = platform();
      const account = { key: p.boot.account_key };
      const id = p.boot.workspace_id;
      await refused(p, '/api/v1/delete_workspace', { workspace_id: id }, 403, 'FORBIDDEN', {}, /account key/);
      await refused(p, '/api/v1/delete_workspace', { workspace_id: id }, 403, 'FORBIDDEN', { key: p.boot.agent_key });
      await refused(p, '/api/v1/delete_workspace', { workspace_id: id }, 401, 'UNAUTHORIZED', { key: null });
      await refused(p, '/api/v1/delete_workspace', {}, 400, 'VALIDATION_ERROR', account);
      await refused(p, '/api/v1/delete_workspace', { workspace_id: 5 }, 400, 'VALIDATION_ERROR', account);
      // The bootstrap workspace has the default cluster.
      await refused(p, '/api/v1/delete_workspace', { workspace_id: id }, 409, 'WORKSPACE_NOT_EMPTY', account);
    });
  });
}
