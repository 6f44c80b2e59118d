import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { kafkaErrorFor, KafkaError } from '../../src/agent/kafka-errors.ts';
import { createTopic, growPartitions } from '../../src/control-plane/services/topics.ts';
import { ApiError } from '../../src/errors.ts';
import type { VirtualCluster } from '../../src/metadata/store.ts';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';
import { v1 } from './client.ts';

/**
 * Plan quotas that count what the data plane holds: a tenant's partitions, over every virtual
 * cluster of its live workspaces, through the one topic service the WarpStream API and the Kafka
 * admin path share (so a CreateTopics beyond the plan is Kafka's POLICY_VIOLATION).
 */
const quotaExceeded = (error: unknown) => error instanceof ApiError && error.status === 403 && error.code === 'QUOTA_EXCEEDED';

async function clusterOf(platform: TestPlatform, workspaceId: string): Promise<VirtualCluster> {
  const [cluster] = await platform.store.listVirtualClusters(workspaceId);
  assert.ok(cluster, `workspace ${workspaceId} has a virtual cluster`);
  return cluster;
}

for (const kind of storeKinds()) describe(`plan quotas (${kind.kind})`, () => {
  test("partitions: a tenant's topics over all its workspaces stay within its plan; deleting a workspace frees them; a downgrade they do not fit is refused", async (t) => {
    const platform = await startTestPlatform(kind, t);
    const { call, admin, login } = v1(platform);
    const { access_token: token } = await admin();
    const tenant = await call('POST', '/v1/tenants', { token, body: { slug: 'small-co', displayName: 'Small', plan: 'starter', adminEmail: 'boss@small.test' } });
    const small = await login(tenant.body.initialAdmin.username, tenant.body.initialAdmin.password, 'small-co');
    const one = (await call('POST', '/v1/workspaces', { token: small.access_token, body: { slug: 'one', displayName: 'One' } })).body;
    const two = (await call('POST', '/v1/workspaces', { token: small.access_token, body: { slug: 'two', displayName: 'Two' } })).body;
    const [a, b] = [await clusterOf(platform, one.id), await clusterOf(platform, two.id)];

    // The starter plan's 64, across both workspaces.
    await createTopic(platform.store, a, { topic_name: 'orders', partition_count: 40 });
    await createTopic(platform.store, b, { topic_name: 'events', partition_count: 24 });
    await assert.rejects(createTopic(platform.store, b, { topic_name: 'one-more', partition_count: 1 }), quotaExceeded);
    await assert.rejects(growPartitions(platform.store, a, 'orders', 41), quotaExceeded);
    assert.equal(await platform.store.getTopic(b.id, 'one-more'), undefined, 'a refused topic is not made');
    assert.equal((await platform.store.getTopic(a.id, 'orders'))!.partition_count, 40, 'a refused growth changes nothing');
    assert.equal(kafkaErrorFor('QUOTA_EXCEEDED'), KafkaError.POLICY_VIOLATION, 'CreateTopics answers POLICY_VIOLATION (not retriable)');

    // Other tenants have their own allowance (the default tenant is enterprise).
    const defaultCluster = await clusterOf(platform, platform.boot.workspace_id);
    await createTopic(platform.store, defaultCluster, { topic_name: 'big', partition_count: 100 });

    // Growth allows more; a downgrade back is refused while the topics do not fit.
    assert.equal((await call('PATCH', `/v1/tenants/${tenant.body.id}`, { token, body: { plan: 'growth' } })).status, 200);
    await growPartitions(platform.store, a, 'orders', 100);
    const downgrade = await call('PATCH', `/v1/tenants/${tenant.body.id}`, { token, body: { plan: 'starter' } });
    assert.equal(downgrade.status, 422);
    assert.equal(downgrade.body.error.code, 'PLAN_DOWNGRADE_BLOCKED');
    assert.match(downgrade.body.error.message, /partitions/);
    // Deleting workspace one frees its 100: the starter plan fits again.
    assert.equal((await call('DELETE', `/v1/workspaces/${one.id}`, { token })).status, 200);
    assert.equal((await call('PATCH', `/v1/tenants/${tenant.body.id}`, { token, body: { plan: 'starter' } })).status, 200);
    await createTopic(platform.store, b, { topic_name: 'room-again', partition_count: 40 });
    await assert.rejects(createTopic(platform.store, b, { topic_name: 'too-many', partition_count: 1 }), quotaExceeded);
  });
});
