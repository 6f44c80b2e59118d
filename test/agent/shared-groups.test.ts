import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { Kafka, logLevel, type Consumer, type EachMessagePayload } from 'kafkajs';
import { callApi, startStandaloneAgent, startTestCluster } from '../helpers/cluster.ts';

/**
 * Consumer groups across agents: each agent answers FindCoordinator with itself, and passes the
 * group's requests to the control plane's one coordinator, so consumers connected to different
 * agents (here: two standalone agents, over the HTTP RPC) join one generation.
 */


interface Member {
  consumer: Consumer;
  got: Array<{ partition: number; offset: string; value: string }>;
  assigned: number[];
}

async function member(broker: string, group: string, topic: string, t: TestContext): Promise<Member> {
  const consumer = new Kafka({ brokers: [broker], clientId: `member-${broker}`, logLevel: logLevel.NOTHING })
    .consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 300, rebalanceTimeout: 10_000 });
  const m: Member = { consumer, got: [], assigned: [] };
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    m.assigned = [...(event.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
  });
  await consumer.connect();
  // Before the agents and the control plane go (hooks run in the order they were added).
  t.after(() => consumer.disconnect().catch(() => undefined));
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }: EachMessagePayload) => {
      m.got.push({ partition, offset: message.offset, value: String(message.value) });
    },
  });
  return m;
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('consumer groups across agents', () => {
  test('consumers on two agents join one generation, split the partitions, each record once; when one leaves the other takes over', { timeout: 90_000 }, async (t) => {
    const cluster = await startTestCluster(t);
    const [a, b] = [await startStandaloneAgent(t, cluster), await startStandaloneAgent(t, cluster)];
    const topic = 'shared';
    await callApi(cluster, '/api/v1/create_topic', { virtual_cluster_id: cluster.boot.virtual_cluster_id, topic_name: topic, partition_count: 4 });

    const first = await member(a.kafkaAddress, 'spread', topic, t);
    await until('the first member to own every partition', () => first.assigned.length === 4);
    const second = await member(b.kafkaAddress, 'spread', topic, t);
    await until('the two members to split the partitions', () => first.assigned.length > 0 && second.assigned.length > 0 && first.assigned.length + second.assigned.length === 4);
    assert.deepEqual([...first.assigned, ...second.assigned].sort(), [0, 1, 2, 3], 'disjoint and complete');

    const producer = new Kafka({ brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    t.after(() => producer.disconnect().catch(() => undefined));
    const values = Array.from({ length: 200 }, (_, i) => `v${i}`);
    await producer.send({ topic, messages: values.map((value, i) => ({ key: `k${i % 16}`, value })) });
    await until('every record to arrive', () => first.got.length + second.got.length >= values.length);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const all = [...first.got, ...second.got];
    assert.deepEqual(all.map((r) => r.value).sort(), [...values].sort(), 'each record exactly once across the group');
    for (const [m, name] of [[first, 'first'], [second, 'second']] as const) {
      assert.deepEqual([...new Set(m.got.map((r) => r.partition))].filter((p) => !m.assigned.includes(p)), [], `${name} read only its own partitions`);
    }

    // The second member leaves: the first takes every partition over from the committed offsets.
    await second.consumer.disconnect();
    await until('the first member to own every partition again', () => first.assigned.length === 4);
    const more = Array.from({ length: 40 }, (_, i) => `w${i}`);
    await producer.send({ topic, messages: more.map((value, i) => ({ key: `k${i % 16}`, value })) });
    await until('the new records to arrive at the first member', () => more.every((v) => first.got.some((r) => r.value === v)));
    const seen = [...first.got, ...second.got].map((r) => r.value);
    assert.equal(seen.length, new Set(seen).size, 'nothing read twice across the handover');

    // The control plane knows the group as one, with one member left.
    const groups = await callApi(cluster, '/api/v1/monitoring/describe_all_consumer_groups', { virtual_cluster_id: cluster.boot.virtual_cluster_id });
    const group = (groups.state as { groups: Array<{ name: string; members: unknown[]; state: string }> }).groups.find((g) => g.name === 'spread')!;
    assert.equal(group.state, 'Stable');
    assert.equal(group.members.length, 1);
    // Clients first, then the agents, while the control plane still answers them.
    await first.consumer.disconnect();
    await producer.disconnect();
    await Promise.all([a.close(), b.close()]);
  });
});
