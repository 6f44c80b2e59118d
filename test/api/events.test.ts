/**
 * get_events_state / update_events_state: the settings round-trip exactly as the Terraform
 * provider's `events` block sends and reads them; fields left out keep their value; bad input is
 * refused and changes nothing; scoping as for every cluster endpoint.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCluster, foreignWorkspace, ok, readOnlyKey, refused, sharedPlatform, UNKNOWN_CLUSTER } from '../helpers/api.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';

const GET = '/api/v1/get_events_state';
const UPDATE = '/api/v1/update_events_state';
const WEEK_NANOS = 604_800_000_000_000;

async function state(p: TestPlatform, id: string, options = {}) {
  return (await ok(p, GET, { virtual_cluster_id: id }, options)).body;
}

for (const kind of storeKinds()) {
  describe(`events state (${kind.kind})`, () => {
    const platform = sharedPlatform(kind);

    it('starts disabled with no event types, and round-trips what the provider sends', async () => {
      const p = platform();
      const id = await createCluster(p, 'eventful', { skip_agent_key_creation: true });
      assert.deepEqual(await state(p, id), { enabled: false, event_types: {} });

      const r = await ok(p, UPDATE, {
        virtual_cluster_id: id,
        enabled: true,
        event_types: { acl_logs: { enabled: true, retention_period_nanos: WEEK_NANOS }, pipeline_logs: { enabled: false } },
      });
      assert.equal(r.text, '{}');
      assert.deepEqual(await state(p, id), {
        enabled: true,
        event_types: { acl_logs: { enabled: true, retention_period_nanos: WEEK_NANOS }, pipeline_logs: { enabled: false } },
      });

      // Left out (or null) keeps the value, per field and per event type.
      await ok(p, UPDATE, { virtual_cluster_id: id, event_types: { pipeline_logs: { retention_period_nanos: 3_600_000_000_000, enabled: null } } });
      assert.deepEqual(await state(p, id), {
        enabled: true,
        event_types: { acl_logs: { enabled: true, retention_period_nanos: WEEK_NANOS }, pipeline_logs: { enabled: false, retention_period_nanos: 3_600_000_000_000 } },
      });
      await ok(p, UPDATE, { virtual_cluster_id: id, enabled: false });
      assert.equal((await state(p, id)).enabled, false);
      assert.equal((await state(p, id)).event_types.acl_logs.retention_period_nanos, WEEK_NANOS);

      // Another cluster is untouched.
      assert.deepEqual(await state(p, p.boot.virtual_cluster_id), { enabled: false, event_types: {} });
    });

    it('refuses unknown event types, bad retentions and bad shapes, changing nothing', async () => {
      const p = platform();
      const id = await createCluster(p, 'strict_events', { skip_agent_key_creation: true });
      await ok(p, UPDATE, { virtual_cluster_id: id, enabled: true, event_types: { agent_logs: { enabled: true } } });
      const bad = [
        { virtual_cluster_id: id, event_types: { audit_logs: { enabled: true } } },
        { virtual_cluster_id: id, event_types: { acl_logs: { retention_period_nanos: 0 } } },
        { virtual_cluster_id: id, event_types: { acl_logs: { retention_period_nanos: -5 } } },
        { virtual_cluster_id: id, event_types: { acl_logs: { retention_period_nanos: 91 * 24 * 3600 * 1e9 } } },
        { virtual_cluster_id: id, event_types: { acl_logs: { retention_period_nanos: 1.5 } } },
        { virtual_cluster_id: id, event_types: { acl_logs: { enabled: 'yes' } } },
        { virtual_cluster_id: id, event_types: { acl_logs: { colour: 'red' } } },
        { virtual_cluster_id: id, enabled: 'true' },
        { enabled: true },
      ];
      for (const body of bad) await refused(p, UPDATE, body, 400, 'VALIDATION_ERROR');
      assert.deepEqual(await state(p, id), { enabled: true, event_types: { agent_logs: { enabled: true } } });
    });

    it('is scoped like every cluster endpoint: other workspaces 404, read-only keys may read but not write', async () => {
      const p = platform();
      const id = await createCluster(p, 'scoped_events', { skip_agent_key_creation: true });
      const foreign = await foreignWorkspace(p, 'events tenant', 'their_events');
      await refused(p, GET, { virtual_cluster_id: foreign.cluster }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, UPDATE, { virtual_cluster_id: foreign.cluster, enabled: true }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, UPDATE, { virtual_cluster_id: UNKNOWN_CLUSTER, enabled: true }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      const reader = await readOnlyKey(p, 'events_reader');
      assert.deepEqual(await state(p, id, { key: reader }), { enabled: false, event_types: {} });
      await refused(p, UPDATE, { virtual_cluster_id: id, enabled: true }, 403, 'FORBIDDEN', { key: reader });
    });
  });
}
