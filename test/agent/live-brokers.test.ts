import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiKeys } from '../../src/kafka-protocol/index.ts';
import { callApi, startStandaloneAgent, startTestCluster } from '../helpers/cluster.ts';
import { metadata, metadataWhen, RawClient } from './client.ts';

/**
 * The agent registry as clients see it: Metadata, DescribeCluster and FindCoordinator answer
 * every live agent, spread partition leadership and group coordination over them, and forget an
 * agent that stopped; describe_virtual_cluster lists the live agents.
 */


const portOf = (address: string) => Number(address.slice(address.lastIndexOf(':') + 1));

describe('live agents as brokers', () => {
  test('every live agent is a broker; leadership and coordinators spread over them; a stopped agent leaves the answers', { timeout: 60_000 }, async (t) => {
    const cluster = await startTestCluster(t);
    const vc = cluster.boot.virtual_cluster_id;
    const b = await startStandaloneAgent(t, cluster, { SLIPSTREAM_AVAILABILITY_ZONE: 'zone-b' });
    const c = await startStandaloneAgent(t, cluster, { SLIPSTREAM_AGENT_ROLES: 'jobs' });
    await callApi(cluster, '/api/v1/create_topic', { virtual_cluster_id: vc, topic_name: 'spread', partition_count: 24 });

    // Each agent learns the others at its next heartbeat.
    const answer = await metadataWhen(cluster.bootstrap, (x) => x.brokers.length >= 2);
    const ports = answer.brokers.map((broker) => broker.port).sort();
    assert.deepEqual(ports, [portOf(cluster.bootstrap), portOf(b.kafkaAddress)].sort(), 'the proxies, not the jobs-only agent');
    assert.equal(answer.brokers.find((broker) => broker.port === portOf(b.kafkaAddress))!.rack, 'zone-b');
    const topic = answer.topics.find((x) => x.name === 'spread')!;
    const leaders = new Set(topic.partitions.map((p) => p.leaderId));
    assert.equal(leaders.size, 2, 'partitions led by both agents');
    // Every agent gives the same answer.
    const fromB = await metadata(b.kafkaAddress);
    assert.deepEqual(fromB.topics.find((x) => x.name === 'spread')!.partitions.map((p) => p.leaderId), topic.partitions.map((p) => p.leaderId));
    // A client naming its zone is routed to that zone's agents.
    const zoned = await metadata(cluster.bootstrap, 'app,warpstream_az=zone-b');
    assert.deepEqual(zoned.brokers.map((broker) => broker.port), [portOf(b.kafkaAddress)]);

    const raw = await RawClient.connect(cluster.bootstrap);
    t.after(() => raw.close());
    const found = await raw.request(ApiKeys.FindCoordinator, 4, { keyType: 0, coordinatorKeys: Array.from({ length: 20 }, (_, i) => `group-${i}`) });
    assert.equal(new Set(found.coordinators.map((x) => x.nodeId)).size, 2, 'groups coordinated by both agents');
    const described = await raw.request(ApiKeys.DescribeCluster, 0, { includeClusterAuthorizedOperations: false });
    assert.equal(described.brokers.length, 2);

    const view = await callApi(cluster, '/api/v1/describe_virtual_cluster', { virtual_cluster_id: vc });
    const agents = (view as { agents?: Array<{ port: number; roles: string[] }> }).agents ?? (view.virtual_cluster as { agents: Array<{ port: number; roles: string[] }> }).agents;
    assert.equal(agents.length, 3, JSON.stringify(view));
    assert.ok(agents.some((a) => a.roles.includes('jobs') && !a.roles.includes('proxy')));

    // A clean stop leaves the registry at once; the next answers no longer name the agent.
    await b.close();
    const after = await metadataWhen(cluster.bootstrap, (x) => x.brokers.length <= 1);
    assert.deepEqual(after.brokers.map((broker) => broker.port), [portOf(cluster.bootstrap)]);
    assert.deepEqual([...new Set(after.topics.find((x) => x.name === 'spread')!.partitions.map((p) => p.leaderId))], [after.brokers[0]!.nodeId]);
    raw.close();
    await c.close();
  });
});
