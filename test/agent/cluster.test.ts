import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import pino from 'pino';
import { Agent } from '../../src/agent/agent.ts';
import { AgentAuthError } from '../../src/agent-rpc/contract.ts';
import { LocalControlPlane } from '../../src/control-plane/agent-rpc/local.ts';
import { GroupCoordinator } from '../../src/control-plane/groups/coordinator.ts';
import { MemoryObjectStore } from '../../src/objects/memory.ts';
import type { ObjectStore } from '../../src/objects/object-store.ts';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';
import { metadataWhen, RawClient } from './client.ts';
import { recordValues, valuesBatch } from './batches.ts';
import { createTopic } from '../../src/control-plane/services/topics.ts';
import { ApiKeys } from '../../src/kafka-protocol/index.ts';

/**
 * Agents are stateless and interchangeable: two of them on different ports, sharing one control
 * plane and one object store, serve one virtual cluster together. And an agent only starts with
 * its own cluster's agent key.
 */

const sqlite = storeKinds()[0]!;

interface Shared {
  platform: TestPlatform;
  controlPlane: LocalControlPlane;
  objects: ObjectStore;
  groups: GroupCoordinator;
}

async function shared(t: TestContext): Promise<Shared> {
  const platform = await startTestPlatform(sqlite, t);
  const groups = new GroupCoordinator(platform.store, { initialRebalanceDelayMs: 100 });
  t.after(() => groups.close());
  return { platform, controlPlane: new LocalControlPlane(platform.store, groups), objects: new MemoryObjectStore(), groups };
}

function agent(s: Shared, t: TestContext, options: { agentKey: string; virtualClusterId?: string; port?: number; flushIntervalMs?: number }): Agent {
  const a = new Agent({
    controlPlane: s.controlPlane,
    objectStore: s.objects,
    agentKey: options.agentKey,
    ...(options.virtualClusterId !== undefined ? { virtualClusterId: options.virtualClusterId } : {}),
    host: '127.0.0.1',
    port: options.port ?? 0,
    flushIntervalMs: options.flushIntervalMs ?? 5,
    flushBytes: 8 * 1024 * 1024,
    maxFrameBytes: 100 * 1024 * 1024,
    log: pino({ level: 'silent' }),
  });
  t.after(() => a.close());
  return a;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

async function portAnswers(port: number): Promise<boolean> {
  try {
    const c = await RawClient.connect(`127.0.0.1:${port}`);
    c.close();
    return true;
  } catch {
    return false;
  }
}

function kafka(address: string, clientId: string): Kafka {
  return new Kafka({ clientId, brokers: [address], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } });
}

async function consumeAll(consumer: Consumer, topic: string, count: number, timeoutMs = 20_000) {
  const seen: Array<{ partition: number; offset: string; key: string; value: string }> = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consumed ${seen.length} of ${count} in ${timeoutMs} ms`)), timeoutMs);
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        seen.push({ partition, offset: message.offset, key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' });
        if (seen.length >= count) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  return seen;
}

describe('two agents, one virtual cluster', () => {
  test('produce through one agent, consume through the other (kafkajs); both write into one log', { timeout: 60_000 }, async (t) => {
    const s = await shared(t);
    const { boot } = s.platform;
    const a = agent(s, t, { agentKey: boot.agent_key, virtualClusterId: boot.virtual_cluster_id });
    const b = agent(s, t, { agentKey: boot.agent_key, virtualClusterId: boot.virtual_cluster_id });
    const addressA = await a.start();
    const addressB = await b.start();
    assert.notEqual(addressA.port, addressB.port);
    const bootstrapA = `${addressA.host}:${addressA.port}`;
    const bootstrapB = `${addressB.host}:${addressB.port}`;

    // A registered before B, so it learns of B at its next heartbeat; until then it would
    // answer itself alone as the cluster's broker and leader of everything.
    for (const address of [bootstrapA, bootstrapB]) {
      assert.equal((await metadataWhen(address, (x) => x.brokers.length === 2)).brokers.length, 2, `${address} lists both agents`);
    }
    const admin = kafka(bootstrapA, 'admin').admin();
    await admin.connect();
    t.after(() => admin.disconnect());
    const viaB = kafka(bootstrapB, 'admin-b').admin();
    await viaB.connect();
    t.after(() => viaB.disconnect());
    // Leadership hashes the topic's id (random) over the two agents, so a 3-partition topic has
    // all its leaders on one agent one time in four. Both agents must lead some partition for
    // this test to show anything, so a topic whose leaders fall on one agent is replaced.
    let topic = '';
    for (let attempt = 0; attempt < 10 && topic === ''; attempt++) {
      const name = `shared-${attempt}`;
      assert.equal(await admin.createTopics({ topics: [{ topic: name, numPartitions: 3 }], waitForLeaders: false }), true);
      // The topic made through A is visible through B.
      const partitions = (await viaB.fetchTopicMetadata({ topics: [name] })).topics[0]!.partitions;
      assert.deepEqual(partitions.map((p) => p.partitionId).sort(), [0, 1, 2]);
      if (new Set(partitions.map((p) => p.leader)).size === 2) topic = name;
      else await admin.deleteTopics({ topics: [name] });
    }
    assert.notEqual(topic, '', 'a topic led by both agents within 10 tries');

    const producer: Producer = kafka(bootstrapA, 'producer-a').producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    t.after(() => producer.disconnect());
    const sent: Array<{ key: string; value: string; partition: number; offset: string }> = [];
    for (let i = 0; i < 30; i++) {
      const [meta] = await producer.send({ topic, acks: -1, messages: [{ key: `key-${i % 7}`, value: `value-${i}`, partition: i % 3 }] });
      sent.push({ key: `key-${i % 7}`, value: `value-${i}`, partition: meta!.partition, offset: meta!.baseOffset! });
    }
    // Agent B also takes writes for the same partitions meanwhile: one log, offsets stay unique.
    const producerB = kafka(bootstrapB, 'producer-b').producer();
    await producerB.connect();
    t.after(() => producerB.disconnect());
    for (let i = 0; i < 10; i++) {
      const [meta] = await producerB.send({ topic, acks: -1, messages: [{ key: `key-${i % 7}`, value: `b-value-${i}`, partition: i % 3 }] });
      sent.push({ key: `key-${i % 7}`, value: `b-value-${i}`, partition: meta!.partition, offset: meta!.baseOffset! });
    }

    const consumer = kafka(bootstrapB, 'consumer-b').consumer({ groupId: 'across-agents', sessionTimeout: 10_000, heartbeatInterval: 500 });
    t.after(() => consumer.disconnect());
    const seen = await consumeAll(consumer, topic, sent.length);
    assert.equal(seen.length, sent.length);
    const byOffset = (x: { partition: number; offset: string }) => `${x.partition}/${x.offset}`;
    assert.deepEqual(
      seen.map((m) => ({ ...m })).sort((x, y) => byOffset(x).localeCompare(byOffset(y))),
      sent.map((m) => ({ partition: m.partition, offset: m.offset, key: m.key, value: m.value })).sort((x, y) => byOffset(x).localeCompare(byOffset(y))),
      'every record, at the offset its producer was told, through the other agent',
    );
    // Per partition: offsets 0..n-1, each once, whichever agent took each batch.
    for (let p = 0; p < 3; p++) {
      const offsets = seen.filter((m) => m.partition === p).map((m) => Number(m.offset));
      assert.deepEqual(offsets, offsets.map((_, i) => i), `partition ${p} in order`);
    }
    // Both agents are brokers of the cluster and lead some of its partitions, and the producers
    // write to every partition, so each producer spreads its requests over both agents.
    assert.ok(a.metrics.objectsWritten > 0 && b.metrics.objectsWritten > 0, 'both agents wrote objects');
    assert.equal(a.metrics.produceRecords + b.metrics.produceRecords, 40);
    assert.ok(a.metrics.produceRecords > 0 && b.metrics.produceRecords > 0, 'both agents took writes');
    assert.ok(a.metrics.fetchBytes + b.metrics.fetchBytes > 0);
  });
});

describe('agent authentication', () => {
  test("an agent key of another virtual cluster is refused, naming both clusters; the agent does not listen", async (t) => {
    const s = await shared(t);
    const created = await s.platform.call('/api/v1/create_virtual_cluster', {
      virtual_cluster_name: 'elsewhere',
      virtual_cluster_type: 'byoc',
      virtual_cluster_region: 'us-east-1',
      virtual_cluster_cloud_provider: 'aws',
      virtual_cluster_tier: 'dev',
    });
    assert.equal(created.status, 200, created.text);
    const otherId = created.body.virtual_cluster_id as string;
    const otherKey = created.body.agent_key.key as string;
    assert.match(otherKey, /^aks_/);
    const defaultId = s.platform.boot.virtual_cluster_id;
    assert.notEqual(otherId, defaultId);

    const port = await freePort();
    const wrong = agent(s, t, { agentKey: otherKey, virtualClusterId: defaultId, port });
    await assert.rejects(wrong.start(), (error: Error) => {
      assert.ok(error instanceof AgentAuthError, `an authorization error, got ${error.name}`);
      assert.match(error.message, /authoriz/i);
      assert.ok(error.message.includes(otherId), `names the key's cluster: ${error.message}`);
      assert.ok(error.message.includes(defaultId), `names the cluster asked for: ${error.message}`);
      return true;
    });
    assert.equal(await portAnswers(port), false, 'a refused agent does not listen');

    // The same key without a cluster to check serves its own cluster, and only it.
    const own = agent(s, t, { agentKey: otherKey });
    const address = await own.start();
    const c = await RawClient.connect(`${address.host}:${address.port}`);
    t.after(() => c.close());
    const metadata = await c.request(ApiKeys.Metadata, 12, { topics: null, allowAutoTopicCreation: false });
    assert.equal(metadata.clusterId, otherId);
  });

  test('a key that is not an agent key, or no key at all, is refused', async (t) => {
    const s = await shared(t);
    const { boot } = s.platform;
    for (const [key, pattern] of [
      [boot.application_key, /not an agent key/],
      [boot.account_key, /not an agent key/],
      ['aks_' + '0'.repeat(64), /unknown/],
      ['', /unknown/],
    ] as const) {
      const port = await freePort();
      const refused = agent(s, t, { agentKey: key, virtualClusterId: boot.virtual_cluster_id, port });
      await assert.rejects(refused.start(), (error: Error) => {
        assert.ok(error instanceof AgentAuthError, `${key.slice(0, 8)}: ${error.name}`);
        assert.match(error.message, pattern);
        return true;
      });
      assert.equal(await portAnswers(port), false);
    }
  });
});

describe('agent lifecycle', () => {
  test('close() with clients connected: buffered produces are committed and answered, long polls answered, connections closed', async (t) => {
    const s = await shared(t);
    const { boot } = s.platform;
    const cluster = (await s.platform.store.getVirtualCluster(boot.virtual_cluster_id))!;
    const topic = await createTopic(s.platform.store, cluster, { topic_name: 'closing', partition_count: 1 });
    const a = agent(s, t, { agentKey: boot.agent_key, virtualClusterId: boot.virtual_cluster_id, flushIntervalMs: 60_000 });
    const address = await a.start();
    const bootstrap = `${address.host}:${address.port}`;
    const idle = await RawClient.connect(bootstrap);
    const producer = await RawClient.connect(bootstrap);
    const poller = await RawClient.connect(bootstrap);
    t.after(() => [idle, producer, poller].forEach((c) => c.close()));

    const produceId = producer.send(ApiKeys.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 30_000, topicData: [{ name: 'closing', partitionData: [{ index: 0, records: valuesBatch('last', 3) }] }] });
    const fetchId = poller.send(ApiKeys.Fetch, 12, {
      maxWaitMs: 20_000,
      minBytes: 1_000_000,
      maxBytes: 1 << 20,
      topics: [{ topic: 'closing', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(producer.arrivals.length, 0, 'the produce is buffered (60 s flush interval)');

    const started = Date.now();
    await a.close();
    assert.ok(Date.now() - started < 3000, `close() finished with clients still connected (${Date.now() - started} ms)`);
    const produced = await producer.receiveResponse(ApiKeys.Produce, 9, produceId);
    assert.deepEqual([produced.responses[0]!.partitionResponses[0]!.errorCode, produced.responses[0]!.partitionResponses[0]!.baseOffset], [0, 0n]);
    const fetched = await poller.receiveResponse(ApiKeys.Fetch, 12, fetchId);
    assert.equal(fetched.errorCode, 0);
    await Promise.all([idle.closed, producer.closed, poller.closed]);
    assert.equal((await s.platform.store.getPartitionState(topic.id, 0))?.high_watermark, 3);
    assert.equal(await portAnswers(address.port), false);
  });
});

describe('long polling', () => {
  test('a waiting fetch is woken by a commit to its partition, not by commits elsewhere, and does not spin', async (t) => {
    const s = await shared(t);
    const { boot } = s.platform;
    const cluster = (await s.platform.store.getVirtualCluster(boot.virtual_cluster_id))!;
    await createTopic(s.platform.store, cluster, { topic_name: 'quiet', partition_count: 2 });
    class Counting extends LocalControlPlane {
      reads = 0;
      wakes: number[] = [];
      override onCommit(topicId: string, partition: number, listener: () => void) {
        return super.onCommit(topicId, partition, () => {
          this.wakes.push(partition);
          listener();
        });
      }
      override partitionState(virtualClusterId: string, topicId: string, partition: number) {
        this.reads++;
        return super.partitionState(virtualClusterId, topicId, partition);
      }
    }
    const counting = new Counting(s.platform.store, s.groups);
    const a = agent({ ...s, controlPlane: counting }, t, { agentKey: boot.agent_key });
    const address = await a.start();
    const consumer = await RawClient.connect(`${address.host}:${address.port}`);
    const producer = await RawClient.connect(`${address.host}:${address.port}`);
    t.after(() => [consumer, producer].forEach((c) => c.close()));
    const produce = (partition: number, prefix: string) =>
      producer.request(ApiKeys.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 'quiet', partitionData: [{ index: partition, records: valuesBatch(prefix, 1) }] }] });

    const id = consumer.send(ApiKeys.Fetch, 12, {
      maxWaitMs: 10_000,
      minBytes: 1,
      maxBytes: 1 << 20,
      topics: [{ topic: 'quiet', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
    });
    // Commits to partition 1 while the fetch on partition 0 waits: they do not wake it.
    for (let i = 0; i < 3; i++) assert.equal((await produce(1, 'other')).responses[0]!.partitionResponses[0]!.errorCode, 0);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(consumer.arrivals.length, 0, 'still waiting');
    assert.deepEqual(counting.wakes, [], 'no commit notification for partition 0 yet');
    // At most a re-check every 250 ms (for commits made by other processes), never a busy loop.
    assert.ok(counting.reads <= 8, `${counting.reads} partition reads in about a second of waiting`);

    assert.equal((await produce(0, 'mine')).responses[0]!.partitionResponses[0]!.errorCode, 0);
    const response = await consumer.receiveResponse(ApiKeys.Fetch, 12, id);
    assert.deepEqual(recordValues(response.responses[0]!.partitions[0]!.records), ['mine-0']);
    assert.deepEqual(counting.wakes, [0], 'woken by the commit notification');
  });
});
