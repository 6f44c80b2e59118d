import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { openObjectStore } from '../../src/objects/open.ts';
import { callApi, startStandaloneAgent, startTestCluster, type TestCluster } from '../helpers/cluster.ts';

/**
 * The jobs role on `npm start`'s own agent, paced fast: retention moves the log start and the
 * released objects leave the bucket; compaction merges small objects and key compaction keeps
 * the last record per key; readers see the same records at the same offsets throughout.
 */

const FAST_JOBS = {
  SLIPSTREAM_JOBS_INTERVAL_MS: '100',
  SLIPSTREAM_RETENTION_INTERVAL_MS: '0',
  SLIPSTREAM_COMPACTION_INTERVAL_MS: '0',
  SLIPSTREAM_COMPACTION_MIN_AGE_MS: '0',
  SLIPSTREAM_OBJECT_DELETION_GRACE_MS: '0',
};

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function objects(cluster: TestCluster) {
  const store = openObjectStore(`file://${join(cluster.dataDir, 'objects')}`, { dataDir: cluster.dataDir });
  return { list: () => store.list(`clusters/${cluster.boot.virtual_cluster_id}/`), close: () => store.close() };
}

/** Every record of the topic from the beginning: [partition, offset, key, value] in offset order per partition. */
async function readAll(cluster: TestCluster, topic: string, count: number): Promise<Array<[number, number, string | null, string | null]>> {
  const consumer: Consumer = new Kafka({ brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING }).consumer({ groupId: `reader-${Date.now()}-${Math.random()}` });
  await consumer.connect();
  const got: Array<[number, number, string | null, string | null]> = [];
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${got.length} of ${count}`)), 20_000);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          got.push([partition, Number(message.offset), message.key?.toString() ?? null, message.value?.toString() ?? null]);
          if (got.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
  } finally {
    await consumer.disconnect();
  }
  return got.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

async function produceOneByOne(cluster: TestCluster, topic: string, messages: Array<{ key: string; value: string | null }>): Promise<void> {
  const producer = new Kafka({ brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    // One send at a time: each lands in its own object (a flush), the small objects compaction merges.
    for (const message of messages) await producer.send({ topic, acks: -1, messages: [message] });
  } finally {
    await producer.disconnect();
  }
}

describe('the jobs role', () => {
  test('retention moves the log start past expired batches and their objects leave the bucket', { timeout: 60_000 }, async (t) => {
    const cluster = await startTestCluster(t, { ...FAST_JOBS, SLIPSTREAM_COMPACTION_INTERVAL_MS: '86400000' });
    const vc = cluster.boot.virtual_cluster_id;
    const bucket = objects(cluster);
    t.after(() => bucket.close());
    await callApi(cluster, '/api/v1/create_topic', { virtual_cluster_id: vc, topic_name: 'short-lived', partition_count: 1, configs: { 'retention.ms': '1500' } });
    await callApi(cluster, '/api/v1/create_topic', { virtual_cluster_id: vc, topic_name: 'kept', partition_count: 1 });
    await produceOneByOne(cluster, 'short-lived', Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: `old-${i}` })));
    await produceOneByOne(cluster, 'kept', [{ key: 'k', value: 'stays' }]);
    const before = await bucket.list();
    assert.ok(before.length >= 6, `objects: ${before.length}`);

    // Past retention.ms, the old batches go, and with them the objects only they used.
    await until('retention to empty the expired log', async () => {
      const topics = await callApi(cluster, '/api/v1/describe_topic', { virtual_cluster_id: vc, topic_name: 'short-lived' });
      return JSON.stringify(topics).length > 0 && (await earliest(cluster, 'short-lived')) === 5;
    });
    await until('the released objects to be deleted', async () => (await bucket.list()).length <= before.length - 5);
    await produceOneByOne(cluster, 'short-lived', [{ key: 'k', value: 'new' }]);
    assert.deepEqual(await readAll(cluster, 'short-lived', 1), [[0, 5, 'k', 'new']]);
    assert.deepEqual(await readAll(cluster, 'kept', 1), [[0, 0, 'k', 'stays']], 'a topic without retention keeps its data');
  });

  test('compaction merges small objects: fewer objects, the same records at the same offsets', { timeout: 60_000 }, async (t) => {
    const cluster = await startTestCluster(t, { ...FAST_JOBS, SLIPSTREAM_RETENTION_INTERVAL_MS: '86400000', SLIPSTREAM_COMPACTION_INTERVAL_MS: '86400000' });
    const vc = cluster.boot.virtual_cluster_id;
    const bucket = objects(cluster);
    t.after(() => bucket.close());
    await callApi(cluster, '/api/v1/create_topic', { virtual_cluster_id: vc, topic_name: 'many-small', partition_count: 2 });
    const messages = Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 6}`, value: `v${i}` }));
    await produceOneByOne(cluster, 'many-small', messages);
    const expected = await readAll(cluster, 'many-small', 30);
    const written = (await bucket.list()).length;
    assert.ok(written >= 30, `objects written: ${written}`);

    // Compaction runs now (its interval was a day, the next run is due once).
    const jobs = cluster.platform.agent!.jobs!;
    await until('the jobs lease', async () => { await jobs.tick(); return jobs.isLeader; });
    (jobs as unknown as { lastCompaction: number }).lastCompaction = 0;
    await jobs.tick();
    assert.ok(jobs.counters.objects_merged >= 30, `merged ${jobs.counters.objects_merged}`);
    await until('the replaced objects to be deleted', async () => { await jobs.tick(); return (await bucket.list()).length < written / 4; });
    assert.deepEqual(await readAll(cluster, 'many-small', 30), expected, 'same records, same offsets');
  });

  test('key compaction keeps the last record per key, drops old tombstones, and keeps every offset where it was', { timeout: 60_000 }, async (t) => {
    const cluster = await startTestCluster(t, { ...FAST_JOBS, SLIPSTREAM_RETENTION_INTERVAL_MS: '86400000', SLIPSTREAM_COMPACTION_INTERVAL_MS: '86400000' });
    const vc = cluster.boot.virtual_cluster_id;
    await callApi(cluster, '/api/v1/create_topic', {
      virtual_cluster_id: vc, topic_name: 'latest', partition_count: 1, configs: { 'cleanup.policy': 'compact', 'delete.retention.ms': '0' },
    });
    await produceOneByOne(cluster, 'latest', [
      { key: 'a', value: 'a1' }, { key: 'b', value: 'b1' }, { key: 'a', value: 'a2' }, { key: 'c', value: 'c1' },
      { key: 'b', value: null }, { key: 'a', value: 'a3' }, { key: 'd', value: 'd1' },
    ]);
    const jobs = cluster.platform.agent!.jobs!;
    await until('the jobs lease', async () => { await jobs.tick(); return jobs.isLeader; });
    // Two passes: the first stamps the tombstone's delete horizon (KIP-534), the next removes it.
    for (let i = 0; i < 2; i++) {
      (jobs as unknown as { lastCompaction: number }).lastCompaction = 0;
      (jobs as unknown as { compactor: { cleanedAt: Map<string, unknown> } }).compactor.cleanedAt.clear();
      await jobs.tick();
    }
    assert.ok(jobs.counters.compacted_partitions >= 1);
    // a3 (offset 5) and c1 (3) survive; b's tombstone is gone; the newest batch (d1, 6) is never cleaned.
    assert.deepEqual(await readAll(cluster, 'latest', 3), [[0, 3, 'c', 'c1'], [0, 5, 'a', 'a3'], [0, 6, 'd', 'd1']]);
    assert.equal(await earliest(cluster, 'latest'), 0, 'compaction never moves the log start');
  });

  test('one agent of the cluster holds the jobs lease; a clean stop hands it to another', { timeout: 60_000 }, async (t) => {
    const cluster = await startTestCluster(t, FAST_JOBS);
    const other = await startStandaloneAgent(t, cluster, FAST_JOBS);
    const mine = cluster.platform.agent!.jobs!;
    const theirs = other.agent.jobs!;
    await until('one leader', () => mine.isLeader || theirs.isLeader);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.notEqual(mine.isLeader, theirs.isLeader, 'exactly one holds the lease');
    if (theirs.isLeader) {
      await other.close();
      await until('the dev agent to take over', () => mine.isLeader, 5_000);
    } else {
      await mine.stop();
      await until('the standalone agent to take over', () => theirs.isLeader, 5_000);
    }
  });
});

async function earliest(cluster: TestCluster, topic: string): Promise<number> {
  const admin = new Kafka({ brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return Number(offsets[0]!.low);
  } finally {
    await admin.disconnect();
  }
}
