import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AgentAuthError } from '../../src/agent-rpc/contract.ts';
import { HttpControlPlane } from '../../src/agent-rpc/http-client.ts';
import { RPC_CONTENT_TYPE, RPC_PREFIX } from '../../src/agent-rpc/wire.ts';
import { ApiError } from '../../src/errors.ts';
import { callApi, startTestCluster } from '../helpers/cluster.ts';

/**
 * The control plane's internal RPC routes: an agent key reaches its own cluster's data and
 * nothing else; refusals come back as the same errors the in-process control plane throws.
 */

describe('agent RPC over HTTP', () => {
  test('an agent key reaches its own cluster only: another cluster, or its topic ids, are refused', async (t) => {
    const cluster = await startTestCluster(t);
    const own = cluster.boot.virtual_cluster_id;
    const other = await callApi(cluster, '/api/v1/create_virtual_cluster', {
      virtual_cluster_name: 'elsewhere', virtual_cluster_type: 'byoc', virtual_cluster_region: 'us-east-1', virtual_cluster_cloud_provider: 'aws', virtual_cluster_tier: 'dev',
    });
    const otherId = other.virtual_cluster_id as string;
    await callApi(cluster, '/api/v1/create_topic', { virtual_cluster_id: otherId, topic_name: 'secret', partition_count: 1 });
    const client = new HttpControlPlane({ url: cluster.apiUrl, agentKey: cluster.boot.agent_key });
    t.after(() => client.close());

    assert.equal((await client.authenticateAgent(cluster.boot.agent_key)).id, own);
    await assert.rejects(client.authenticateAgent(cluster.boot.agent_key, otherId), (e: unknown) => e instanceof AgentAuthError && /authorization failed/.test(e.message));
    await assert.rejects(client.listTopics(otherId), (e: unknown) => e instanceof ApiError && e.status === 403);
    await assert.rejects(client.getTopic(otherId, 'secret'), (e: unknown) => e instanceof ApiError && e.status === 403);
    // The other cluster's topic id, asked for under the agent's own cluster: unknown.
    const otherAgent = new HttpControlPlane({ url: cluster.apiUrl, agentKey: (other.agent_key as { key: string }).key });
    t.after(() => otherAgent.close());
    const secret = (await otherAgent.getTopic(otherId, 'secret'))!;
    assert.equal(secret.name, 'secret');
    await assert.rejects(client.partitionState(own, secret.id, 0), (e: unknown) => e instanceof ApiError && e.status === 404);
    await assert.rejects(client.readIndex(own, secret.id, 0, 0, 10), (e: unknown) => e instanceof ApiError && e.status === 404);
    // A commit naming the other cluster's topic commits nothing.
    const [result] = await client.commit(own, 'objects/x', [{ topic_id: secret.id, partition: 0, byte_offset: 0, byte_length: 70, last_offset_delta: 0, max_timestamp: 0, producer_id: -1, producer_epoch: -1, base_sequence: -1 }]);
    assert.equal(result!.error_code, 3); // UNKNOWN_TOPIC_OR_PARTITION
    assert.equal((await otherAgent.partitionState(otherId, secret.id, 0)).high_watermark, 0);
  });

  test("refusals travel as the services' own errors, and values as they are", async (t) => {
    const cluster = await startTestCluster(t);
    const id = cluster.boot.virtual_cluster_id;
    const client = new HttpControlPlane({ url: cluster.apiUrl, agentKey: cluster.boot.agent_key });
    t.after(() => client.close());
    await assert.rejects(client.createTopic(id, { topic_name: 'bad name!', partition_count: 1 }), (e: unknown) => e instanceof ApiError && e.status === 400 && /topic/i.test(e.message));
    const created = await client.createTopic(id, { topic_name: 'fine', partition_count: 2, configs: { 'retention.ms': '1000' } });
    assert.deepEqual(await client.getTopic(id, 'fine'), created);
    await assert.rejects(client.createTopic(id, { topic_name: 'fine', partition_count: 1 }), (e: unknown) => e instanceof ApiError && e.code === 'TOPIC_ALREADY_EXISTS');
    // validate_only checks and changes nothing.
    const checked = await client.createTopic(id, { topic_name: 'checked-only', partition_count: 3, validate_only: true });
    assert.equal(checked.partition_count, 3);
    assert.equal(await client.getTopic(id, 'checked-only'), undefined);
    const producer = await client.initProducerId(id, null);
    assert.ok(producer.producer_id >= 0);
    assert.deepEqual(await client.initProducerId(id, producer), { producer_id: producer.producer_id, producer_epoch: 1 });
    // A group call carries bigints and bytes both ways.
    const fetched = await client.groups.offsetFetch(id, { groupId: 'g', topics: null, groups: [], requireStable: false }, 7, { clientId: 'c', clientHost: '127.0.0.1' });
    assert.equal(fetched.errorCode, 0);
  });

  test('a missing, unknown or deleted key is refused; unknown calls and malformed bodies are refused', async (t) => {
    const cluster = await startTestCluster(t);
    const id = cluster.boot.virtual_cluster_id;
    const post = (call: string, body: string, key?: string) =>
      fetch(`${cluster.apiUrl}${RPC_PREFIX}/${call}`, { method: 'POST', headers: { 'content-type': RPC_CONTENT_TYPE, ...(key ? { authorization: `Bearer ${key}` } : {}) }, body });
    assert.equal((await post('listTopics', JSON.stringify([id]))).status, 401);
    const unknown = new HttpControlPlane({ url: cluster.apiUrl, agentKey: 'aks_' + 'f'.repeat(64) });
    t.after(() => unknown.close());
    await assert.rejects(unknown.listTopics(id), AgentAuthError);
    // An application key is not an agent key.
    const app = new HttpControlPlane({ url: cluster.apiUrl, agentKey: cluster.boot.application_key });
    t.after(() => app.close());
    await assert.rejects(app.listTopics(id), (e: unknown) => e instanceof AgentAuthError && /not an agent key/.test(e.message));
    const nowhere = await post('dropDatabase', '[]', cluster.boot.agent_key);
    assert.equal(nowhere.status, 404);
    assert.equal(((await nowhere.json()) as { error: { code: string } }).error.code, 'RPC_CALL_NOT_FOUND');
    assert.equal((await post('listTopics', '{"not":"an array"}', cluster.boot.agent_key)).status, 400);
    assert.equal((await post('listTopics', '[', cluster.boot.agent_key)).status, 400);

    // A key deleted while its agent runs stops working within a second or so.
    const made = await callApi(cluster, '/api/v1/create_api_key', { name: 'short_lived', principal_kind: 'agent', access_grants: [{ principal_kind: 'agent', resource_kind: 'virtual_cluster', resource_id: id }] });
    const shortLived = new HttpControlPlane({ url: cluster.apiUrl, agentKey: made.key as string });
    t.after(() => shortLived.close());
    assert.ok(Array.isArray(await shortLived.listTopics(id)));
    await callApi(cluster, '/api/v1/delete_api_key', { api_key_id: made.id });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await assert.rejects(shortLived.listTopics(id), AgentAuthError);
  });
});
