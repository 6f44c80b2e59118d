/**
 * list/create/update/delete_user_role: account keys only, the Terraform provider's request and
 * answer shapes (it sends every grant field, unused ones empty), name and grant rules, and that
 * every refusal changes nothing (neither the store nor list_user_roles).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertRecentIso, createWorkspace, idPattern, ok, readOnlyKey, refusedKeeping, sharedPlatform } from '../helpers/api.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';

const LIST = '/api/v1/list_user_roles';
const CREATE = '/api/v1/create_user_role';
const UPDATE = '/api/v1/update_user_role';
const DELETE = '/api/v1/delete_user_role';
const UNKNOWN_WORKSPACE = 'wi_00000000_0000_4000_8000_000000000000';
const UNKNOWN_ROLE = 'pri_00000000_0000_4000_8000_000000000000';

const account = (p: TestPlatform) => ({ key: p.boot.account_key });
const listRoles = (p: TestPlatform) => p.call(LIST, undefined, account(p));
/** Refusals here also leave list_user_roles as it was. */
const refused = refusedKeeping(listRoles);

/** A grant exactly as the Terraform provider sends it. */
const sent = (workspace_id: string, managed_grant_name: string) => ({
  principal_kind: '',
  resource_kind: '',
  resource_id: '*',
  workspace_id,
  managed_grant_name,
});
/** The grant as answered. */
const answered = (workspace_id: string, managed_grant_name: string) => ({
  principal_kind: 'user',
  resource_kind: '*',
  resource_id: '*',
  workspace_id,
  managed_grant_name,
});

async function roles(p: TestPlatform): Promise<Array<{ id: string; name: string; access_grants: unknown[]; created_at: string }>> {
  const r = await ok(p, LIST, undefined, account(p));
  assert.deepEqual(Object.keys(r.body), ['user_roles']);
  return r.body.user_roles;
}

for (const kind of storeKinds()) {
  describe(`user roles (${kind.kind})`, () => {
    const platform = sharedPlatform(kind);

    it('creates a role as the provider does, lists it in the provider\'s shape, updates and deletes it with {}', async () => {
      const p = platform();
      assert.equal((await p.call(LIST, undefined, { ...account(p), method: 'GET' })).text, '{"user_roles":[]}');
      const startedAt = Date.now();
      const created = await ok(p, CREATE, { user_role_name: 'Data team-1', access_grants: [sent(p.boot.workspace_id, 'admin'), sent('-', 'billing')] }, account(p));
      assert.deepEqual(Object.keys(created.body), ['user_role_id']);
      const id = created.body.user_role_id as string;
      assert.match(id, idPattern('pri_'));

      const [role, ...rest] = await roles(p);
      assert.equal(rest.length, 0);
      assert.deepEqual(Object.keys(role!).sort(), ['access_grants', 'created_at', 'id', 'name']);
      assert.equal(role!.id, id);
      assert.equal(role!.name, 'Data team-1');
      assertRecentIso(role!.created_at, startedAt);
      assert.deepEqual(role!.access_grants, [answered(p.boot.workspace_id, 'admin'), answered('-', 'billing')]);

      // Update: new name and grants replace the old ones; the answer is exactly {}.
      const ws = await createWorkspace(p, 'roles target');
      const updated = await ok(p, UPDATE, { user_role_id: id, new_user_role_name: 'Readers', access_grants: [sent(ws.id, 'read_only'), sent('*', 'admin')] }, account(p));
      assert.equal(updated.text, '{}');
      const [after] = await roles(p);
      assert.deepEqual(after, { id, name: 'Readers', created_at: role!.created_at, access_grants: [answered(ws.id, 'read_only'), answered('*', 'admin')] });
      // A field left out keeps its value.
      assert.equal((await ok(p, UPDATE, { user_role_id: id, new_user_role_name: 'Readers 2' }, account(p))).text, '{}');
      assert.deepEqual((await roles(p))[0]!.access_grants, after!.access_grants);

      assert.equal((await ok(p, DELETE, { user_role_id: id }, account(p))).text, '{}');
      assert.deepEqual(await roles(p), []);
      // Deleting it again is 404, which the provider takes as "already gone".
      await refused(p, DELETE, { user_role_id: id }, 404, 'USER_ROLE_NOT_FOUND', account(p));
    });

    it('refuses bad names, bad grants and unknown workspaces, changing nothing', async () => {
      const p = platform();
      const good = sent(p.boot.workspace_id, 'admin');
      for (const name of ['ab', 'x'.repeat(61), 'a.b.c', 'ünï', '', 'name\n']) {
        await refused(p, CREATE, { user_role_name: name, access_grants: [good] }, 400, 'VALIDATION_ERROR', account(p), /user_role_name/);
      }
      await refused(p, CREATE, { access_grants: [good] }, 400, 'VALIDATION_ERROR', account(p));
      await refused(p, CREATE, { user_role_name: 'no grants field' }, 400, 'VALIDATION_ERROR', account(p));
      await refused(p, CREATE, { user_role_name: 7, access_grants: [good] }, 400, 'VALIDATION_ERROR', account(p));
      const badGrants: Array<[unknown, RegExp]> = [
        [sent(p.boot.workspace_id, 'owner'), /managed_grant_name/],
        [sent(p.boot.workspace_id, ''), /managed_grant_name/],
        [sent(p.boot.workspace_id, 'billing'), /billing/],
        [sent('-', 'admin'), /billing/],
        [sent('workspace-1', 'admin'), /workspace_id/],
        [{ ...good, resource_id: 'vci_x' }, /resource_id/],
        [{ workspace_id: p.boot.workspace_id }, /managed_grant_name/],
      ];
      for (const [grant, message] of badGrants) {
        await refused(p, CREATE, { user_role_name: 'bad grant', access_grants: [grant] }, 400, 'VALIDATION_ERROR', account(p), message);
      }
      await refused(p, CREATE, { user_role_name: 'twice', access_grants: [good, sent(p.boot.workspace_id, 'read_only')] }, 400, 'VALIDATION_ERROR', account(p), /more than one/);
      await refused(p, CREATE, { user_role_name: 'ghost', access_grants: [sent(UNKNOWN_WORKSPACE, 'admin')] }, 404, 'WORKSPACE_NOT_FOUND', account(p));

      // Names are unique in the account; an update cannot take another role's name.
      const a = (await ok(p, CREATE, { user_role_name: 'role a', access_grants: [good] }, account(p))).body.user_role_id;
      await ok(p, CREATE, { user_role_name: 'role b', access_grants: [] }, account(p));
      await refused(p, CREATE, { user_role_name: 'role a', access_grants: [] }, 409, 'USER_ROLE_ALREADY_EXISTS', account(p));
      await refused(p, UPDATE, { user_role_id: a, new_user_role_name: 'role b' }, 409, 'USER_ROLE_ALREADY_EXISTS', account(p));
      await refused(p, UPDATE, { user_role_id: a, access_grants: [sent(UNKNOWN_WORKSPACE, 'admin')] }, 404, 'WORKSPACE_NOT_FOUND', account(p));
      await refused(p, UPDATE, { user_role_id: a, new_user_role_name: 'no' }, 400, 'VALIDATION_ERROR', account(p));
      await refused(p, UPDATE, { user_role_id: UNKNOWN_ROLE, new_user_role_name: 'fine name' }, 404, 'USER_ROLE_NOT_FOUND', account(p));
      await refused(p, UPDATE, { new_user_role_name: 'fine name' }, 400, 'VALIDATION_ERROR', account(p));
      // Renaming to its own name is fine.
      assert.equal((await ok(p, UPDATE, { user_role_id: a, new_user_role_name: 'role a' }, account(p))).text, '{}');
    });

    it('is for account keys only: application (also read-only) and agent keys 403, no key 401', async () => {
      const p = platform();
      const reader = await readOnlyKey(p, 'roles_reader');
      const body = { user_role_name: 'by app', access_grants: [] };
      for (const [path, b] of [[LIST, undefined], [CREATE, body], [UPDATE, { user_role_id: UNKNOWN_ROLE }], [DELETE, { user_role_id: UNKNOWN_ROLE }]] as const) {
        for (const key of [p.boot.application_key, reader, p.boot.agent_key]) await refused(p, path, b, 403, 'FORBIDDEN', { key });
        await refused(p, path, b, 401, 'UNAUTHORIZED', { key: null });
      }
    });

    it('delete_workspace takes the role grants on that workspace and keeps the others', async () => {
      const p = platform();
      const ws = await createWorkspace(p, 'short lived');
      const id = (await ok(p, CREATE, { user_role_name: 'spanning', access_grants: [sent(ws.id, 'admin'), sent(p.boot.workspace_id, 'read_only')] }, account(p))).body.user_role_id;
      assert.equal((await ok(p, '/api/v1/delete_workspace', { workspace_id: ws.id }, account(p))).text, '{}');
      const role = (await roles(p)).find((r) => r.id === id);
      assert.deepEqual(role?.access_grants, [answered(p.boot.workspace_id, 'read_only')]);
    });
  });
}
