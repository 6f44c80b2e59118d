import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { platformKinds } from '../helpers/identity.ts';
import { startTestPlatform } from '../helpers/platform.ts';
import { v1 } from './client.ts';

/**
 * Tenants and workspaces of the platform API: the seed's fields and status codes, the one model
 * shared with the WarpStream API, plans, soft deletes — on both metadata stores and both
 * identity providers.
 */
for (const { name, store: kind, identity } of platformKinds()) {
  describe(`platform tenants and workspaces (${name})`, () => {
    test('tenants: create (201, its admin can sign in to its realm), get, list with filters and cursors, patch, soft delete', async (t) => {
      const platform = await startTestPlatform(kind, t, { identity });
      const { call, admin, login } = v1(platform);
      const { access_token: token } = await admin();

      const created = await call('POST', '/v1/tenants', { token, body: { slug: 'acme-corp', displayName: 'Acme Corporation', plan: 'starter', adminEmail: 'admin@acme.example.com' } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.match(created.body.id, /^ai_/);
      assert.equal(created.headers.location, `/v1/tenants/${created.body.id}`);
      assert.deepEqual(
        { slug: created.body.slug, displayName: created.body.displayName, plan: created.body.plan, adminEmail: created.body.adminEmail, status: created.body.status },
        { slug: 'acme-corp', displayName: 'Acme Corporation', plan: 'starter', adminEmail: 'admin@acme.example.com', status: 'active' },
      );
      const acmeAdmin = await login(created.body.initialAdmin.username, created.body.initialAdmin.password, 'acme-corp');
      assert.equal((await call('GET', `/v1/tenants/${created.body.id}`, { token: acmeAdmin.access_token })).body.slug, 'acme-corp');

      assert.equal((await call('POST', '/v1/tenants', { token, body: { slug: 'acme-corp', displayName: 'Again', plan: 'starter', adminEmail: 'a@b.c' } })).status, 409);
      for (const slug of ['Acme', 'a', 'ends-', 'has_underscore', 'master']) {
        const refused = await call('POST', '/v1/tenants', { token, body: { slug, displayName: 'X', plan: 'starter', adminEmail: 'a@b.c' } });
        assert.equal(refused.status, 400, slug);
        assert.equal(refused.body.error.code, 'INVALID_SLUG', slug);
      }
      assert.equal((await call('POST', '/v1/tenants', { token, body: { slug: 'other', displayName: 'X', plan: 'platinum', adminEmail: 'a@b.c' } })).body.error.code, 'UNKNOWN_PLAN');

      for (let i = 0; i < 4; i++) {
        const made = await call('POST', '/v1/tenants', { token, body: { slug: `tenant-${i}`, displayName: `Tenant ${i}`, plan: i % 2 ? 'growth' : 'starter', adminEmail: `a${i}@t.test` } });
        assert.equal(made.status, 201);
      }
      // Pages of two, in creation order, until the cursor runs out: every tenant once.
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await call('GET', `/v1/tenants?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token });
        assert.equal(page.status, 200);
        assert.ok(page.body.items.length <= 2);
        seen.push(...page.body.items.map((x: { slug: string }) => x.slug));
        cursor = page.body.nextCursor;
      } while (cursor);
      assert.deepEqual(seen, ['default', 'acme-corp', 'tenant-0', 'tenant-1', 'tenant-2', 'tenant-3']);
      assert.deepEqual((await call('GET', '/v1/tenants?plan=growth', { token })).body.items.map((x: { slug: string }) => x.slug), ['tenant-1', 'tenant-3']);
      assert.equal((await call('GET', '/v1/tenants?limit=20', { token })).body.nextCursor, null);
      for (const bad of ['limit=0', 'limit=101', 'limit=x', 'cursor=not-a-cursor', 'cursor=%7B%7D', 'status=gone', 'colour=red']) {
        const refused = await call('GET', `/v1/tenants?${bad}`, { token });
        assert.equal(refused.status, 400, bad);
        assert.ok(refused.body.error.correlationId, bad);
      }
      // A tenant admin sees its own tenant only, and cannot create tenants.
      assert.deepEqual((await call('GET', '/v1/tenants', { token: acmeAdmin.access_token })).body.items.map((x: { slug: string }) => x.slug), ['acme-corp']);
      assert.equal((await call('POST', '/v1/tenants', { token: acmeAdmin.access_token, body: { slug: 'mine', displayName: 'X', plan: 'starter', adminEmail: 'a@b.c' } })).status, 403);

      const patched = await call('PATCH', `/v1/tenants/${created.body.id}`, { token: acmeAdmin.access_token, body: { displayName: 'Acme Corp.' } });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.displayName, 'Acme Corp.');
      assert.equal((await call('PATCH', `/v1/tenants/${created.body.id}`, { token: acmeAdmin.access_token, body: { plan: 'enterprise' } })).status, 403, 'a tenant cannot choose its own plan');
      assert.equal((await call('PATCH', `/v1/tenants/${created.body.id}`, { token, body: { plan: 'enterprise' } })).body.plan, 'enterprise');
      assert.equal((await call('PATCH', `/v1/tenants/${created.body.id}`, { token, body: {} })).status, 400);
      assert.equal((await call('PATCH', `/v1/tenants/${created.body.id}`, { token, body: { slug: 'renamed' } })).status, 400, 'unknown or read-only fields are refused');
      assert.equal((await call('GET', '/v1/tenants/ai_nope', { token })).status, 404);

      const deleted = await call('DELETE', `/v1/tenants/${created.body.id}`, { token });
      assert.equal(deleted.status, 200);
      assert.equal(deleted.body.status, 'deleted');
      assert.ok(deleted.body.deletedAt);
      assert.equal((await call('GET', `/v1/tenants/${created.body.id}`, { token })).status, 404);
      assert.deepEqual((await call('GET', '/v1/tenants?status=deleted', { token })).body.items.map((x: { slug: string }) => x.slug), ['acme-corp']);
      assert.ok(!(await call('GET', '/v1/tenants', { token })).body.items.some((x: { slug: string }) => x.slug === 'acme-corp'));
      // Its tokens stop working, and no new ones are issued.
      assert.equal((await call('GET', '/v1/workspaces', { token: acmeAdmin.access_token })).status, 401);
      assert.equal((await call('POST', '/v1/auth/token', { body: { grant_type: 'password', username: 'admin@acme.example.com', password: created.body.initialAdmin.password, realm: 'acme-corp' } })).status, 401);
      assert.equal((await call('DELETE', `/v1/tenants/${platform.boot.workspace_id}`, { token })).status, 404, 'a workspace id is no tenant');
    });

    test('workspaces: one model with the WarpStream API, kafka owns a virtual cluster, plan capabilities and quotas, soft delete stops its keys', async (t) => {
      const platform = await startTestPlatform(kind, t, { identity });
      const { call, admin, login } = v1(platform);
      const { access_token: token } = await admin();

      const made = await call('POST', '/v1/workspaces', { token, body: { slug: 'dev-environment', displayName: 'Development Environment', capabilities: ['postgres', 'mongo', 'kafka', 'storage'] } });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.match(made.body.id, /^wi_/);
      assert.match(made.body.kafka.virtualClusterId, /^vci_/);
      // The workspace and its cluster, through the WarpStream API.
      const listed = await platform.call('/api/v1/list_workspaces', {}, { key: platform.boot.account_key });
      assert.ok((listed.body.workspaces as Array<{ id: string; name: string }>).some((w) => w.id === made.body.id && w.name === 'Development Environment'));
      // And the reverse: a WarpStream workspace is a platform workspace, with a slug of its name.
      const warp = await platform.call('/api/v1/create_workspace', { workspace_name: 'Made By Terraform' }, { key: platform.boot.account_key });
      assert.equal(warp.status, 200, warp.text);
      const seen = await call('GET', `/v1/workspaces/${warp.body.workspace_id}`, { token });
      assert.equal(seen.status, 200);
      assert.equal(seen.body.slug, 'made-by-terraform');
      assert.deepEqual(seen.body.capabilities, ['kafka']);
      assert.deepEqual((await call('GET', '/v1/workspaces', { token })).body.items.map((w: { slug: string }) => w.slug), ['default', 'dev-environment', 'made-by-terraform'], 'both APIs\' workspaces, oldest first');

      assert.equal((await call('POST', '/v1/workspaces', { token, body: { slug: 'dev-environment', displayName: 'Another' } })).status, 409);
      assert.equal((await call('POST', '/v1/workspaces', { token, body: { slug: 'x1y', displayName: 'Bad', capabilities: ['telepathy'] } })).body.error.code, 'UNKNOWN_CAPABILITY');
      assert.equal((await call('POST', '/v1/workspaces', { token, body: { slug: 'x1y', displayName: 'Bad', capabilities: 'kafka' } })).status, 400);

      // A starter tenant: no functions, three workspaces.
      const tenant = await call('POST', '/v1/tenants', { token, body: { slug: 'small-co', displayName: 'Small', plan: 'starter', adminEmail: 'boss@small.test' } });
      const small = await login(tenant.body.initialAdmin.username, tenant.body.initialAdmin.password, 'small-co');
      const refused = await call('POST', '/v1/workspaces', { token: small.access_token, body: { slug: 'fns', displayName: 'Functions', capabilities: ['functions'] } });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'PLAN_CAPABILITY_REQUIRED');
      for (let i = 0; i < 3; i++) assert.equal((await call('POST', '/v1/workspaces', { token: small.access_token, body: { slug: `ws-${i}`, displayName: `Workspace ${i}`, capabilities: ['postgres'] } })).status, 201);
      const over = await call('POST', '/v1/workspaces', { token: small.access_token, body: { slug: 'ws-4', displayName: 'Workspace 4', capabilities: ['postgres'] } });
      assert.equal(over.status, 403);
      assert.equal(over.body.error.code, 'QUOTA_EXCEEDED');
      // Its workspaces are its own: another tenant's token neither lists nor reads them.
      const smallList = await call('GET', '/v1/workspaces', { token: small.access_token });
      assert.deepEqual(smallList.body.items.map((w: { slug: string }) => w.slug), ['ws-0', 'ws-1', 'ws-2']);
      assert.equal((await call('GET', `/v1/workspaces/${made.body.id}`, { token: small.access_token })).status, 403);
      assert.equal((await call('GET', `/v1/workspaces?tenantId=${platform.boot.workspace_id}`, { token: small.access_token })).status, 403);
      // A downgrade the workspaces do not fit is refused.
      assert.equal((await call('PATCH', `/v1/tenants/${tenant.body.id}`, { token, body: { plan: 'enterprise' } })).status, 200);
      assert.equal((await call('POST', '/v1/workspaces', { token: small.access_token, body: { slug: 'ws-4', displayName: 'Workspace 4', capabilities: ['functions'] } })).status, 201);
      const downgrade = await call('PATCH', `/v1/tenants/${tenant.body.id}`, { token, body: { plan: 'starter' } });
      assert.equal(downgrade.status, 422);
      assert.equal(downgrade.body.error.code, 'PLAN_DOWNGRADE_BLOCKED');

      // PATCH: capabilities within the plan; adding kafka makes the cluster, removing it while the cluster exists is refused.
      const ws0 = smallList.body.items[0];
      const withKafka = await call('PATCH', `/v1/workspaces/${ws0.id}`, { token: small.access_token, body: { capabilities: ['postgres', 'kafka'], displayName: 'Workspace Zero' } });
      assert.equal(withKafka.status, 200, JSON.stringify(withKafka.body));
      assert.match(withKafka.body.kafka.virtualClusterId, /^vci_/);
      assert.equal(withKafka.body.displayName, 'Workspace Zero');
      const removeKafka = await call('PATCH', `/v1/workspaces/${ws0.id}`, { token: small.access_token, body: { capabilities: ['postgres'] } });
      assert.equal(removeKafka.status, 422);
      assert.equal(removeKafka.body.error.code, 'CAPABILITY_IN_USE');
      assert.deepEqual((await call('GET', `/v1/workspaces/${ws0.id}`, { token: small.access_token })).body.capabilities, ['postgres', 'kafka'], 'a refused change changes nothing');

      // Soft delete: hidden from both APIs, its keys refused, its cluster kept.
      const minted = await platform.call('/api/v1/create_api_key', { name: 'for_dev', access_grants: [{ principal_kind: 'application', resource_kind: '*', resource_id: '*', workspace_id: made.body.id }] }, { key: platform.boot.account_key });
      assert.equal(minted.status, 200, minted.text);
      const appKey = minted.body.key as string;
      assert.equal((await platform.call('/api/v1/list_virtual_clusters', {}, { key: appKey })).status, 200);
      const gone = await call('DELETE', `/v1/workspaces/${made.body.id}`, { token });
      assert.equal(gone.status, 200);
      assert.equal(gone.body.status, 'deleted');
      assert.equal((await call('GET', `/v1/workspaces/${made.body.id}`, { token })).status, 404);
      assert.ok(!((await platform.call('/api/v1/list_workspaces', {}, { key: platform.boot.account_key })).body.workspaces as Array<{ id: string }>).some((w) => w.id === made.body.id));
      assert.equal((await platform.call('/api/v1/list_virtual_clusters', {}, { key: appKey })).status, 401);
      assert.deepEqual((await call('GET', '/v1/workspaces?status=deleted', { token })).body.items.map((w: { id: string }) => w.id), [made.body.id]);
      assert.ok(await platform.store.getVirtualCluster(made.body.kafka.virtualClusterId), 'data kept until purge');
    });
  });
}
