import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { openObjectStore } from '../../src/objects/open.ts';
import { ClientProcess, franzGoClient, javaClient } from '../interop/build-clients.ts';
import { api, startSlipstream, type SlipstreamProcess } from '../helpers/process.ts';
import { tempDir, testDatabase } from '../helpers/stores.ts';

/**
 * Slipstream as it runs on many machines: one control plane on PostgreSQL, three agents in their
 * own processes on the S3-compatible server, each knowing only the control plane's URL. franz-go
 * produces through all of them while a group of two Java consumers reads; one agent is killed
 * with SIGKILL in the middle of both. Every acknowledged record is in the log exactly once and
 * read by the group, whose committed offsets reach the end; the jobs lease moves off a killed
 * holder; compaction keeps the object count bounded and retention empties the bucket.
 */

const s3Url = process.env.SLIPSTREAM_TEST_S3_URL;
const skip = process.env.CI ? false : !s3Url ? 'SLIPSTREAM_TEST_S3_URL is not set (npm test sets it)' : !process.env.SLIPSTREAM_TEST_DATABASE_URL ? 'SLIPSTREAM_TEST_DATABASE_URL is not set (npm test sets it)' : false;
const TOPIC = 'orders';
const PARTITIONS = 6;
const ROUNDS = 40;
const PER_ROUND = 75;

const JOBS_ENV = {
  SLIPSTREAM_JOBS_INTERVAL_MS: '200',
  SLIPSTREAM_RETENTION_INTERVAL_MS: '500',
  SLIPSTREAM_COMPACTION_INTERVAL_MS: '500',
  SLIPSTREAM_COMPACTION_MIN_AGE_MS: '1000',
  // The killed agents leave uploads nobody committed: swept once they stayed unknown this long.
  SLIPSTREAM_ORPHAN_SWEEP_INTERVAL_MS: '1000',
  SLIPSTREAM_ORPHAN_AGE_MS: '15000',
};

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface RunningAgentProcess extends SlipstreamProcess {
  kafkaAddress: string;
  statusUrl: string;
}

async function startAgentProcess(t: TestContext, apiUrl: string, agentKey: string, objectStoreUrl: string): Promise<RunningAgentProcess> {
  const started = await startSlipstream('agent', {
    SLIPSTREAM_DATA_DIR: tempDir(t),
    SLIPSTREAM_CONTROL_PLANE_URL: apiUrl,
    SLIPSTREAM_AGENT_KEY: agentKey,
    SLIPSTREAM_OBJECT_STORE_URL: objectStoreUrl,
    SLIPSTREAM_FLUSH_INTERVAL_MS: '20',
    ...JOBS_ENV,
  }, 30_000, /is serving Kafka clients at bootstrap\.servers=(\S+); status: (\S+)/);
  t.after(() => started.child.kill('SIGKILL'));
  const match = /bootstrap\.servers=(\S+); status: (\S+)/.exec(started.output())!;
  return { ...started, kafkaAddress: match[1]!, statusUrl: match[2]! };
}

async function status(agent: RunningAgentProcess): Promise<{ jobs_leader: boolean; agent_id: string }> {
  return (await (await fetch(agent.statusUrl)).json()) as { jobs_leader: boolean; agent_id: string };
}

async function objectsWritten(agent: RunningAgentProcess): Promise<number> {
  const text = await (await fetch(agent.statusUrl.replace('/v1/status', '/metrics'))).text();
  return Number(/^slipstream_objects_written_total\{[^}]*\} (\d+)/m.exec(text)?.[1] ?? 0);
}

describe('a control plane on PostgreSQL, three agent processes on S3', { skip }, () => {
  test('SIGKILL of an agent mid-produce and mid-consume loses nothing acknowledged; the jobs lease moves; compaction and retention keep the bucket small', { timeout: 400_000 }, async (t) => {
    const databaseUrl = await testDatabase(t);
    assert.ok(databaseUrl, 'PostgreSQL is required');
    const bucketUrl = new URL(s3Url!);
    bucketUrl.searchParams.set('prefix', `multi-${randomBytes(4).toString('hex')}`);
    const objectStoreUrl = bucketUrl.toString();

    const dataDir = tempDir(t);
    const controlPlane = await startSlipstream('control-plane', { SLIPSTREAM_DATA_DIR: dataDir, DATABASE_URL: databaseUrl, SLIPSTREAM_OBJECT_DELETION_GRACE_MS: '0' });
    t.after(() => controlPlane.child.kill('SIGKILL'));
    const boot = JSON.parse(readFileSync(join(dataDir, 'bootstrap.json'), 'utf8')) as Record<string, string>;
    const vc = boot.virtual_cluster_id!;
    const agents = [];
    for (let i = 0; i < 3; i++) agents.push(await startAgentProcess(t, controlPlane.apiUrl, boot.agent_key!, objectStoreUrl));
    const bootstrap = agents.map((a) => a.kafkaAddress).join(',');
    const created = await api(controlPlane.apiUrl, boot.application_key!, '/api/v1/create_topic', { virtual_cluster_id: vc, topic_name: TOPIC, partition_count: PARTITIONS });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    // Every agent sees the three of them before clients start.
    await until('the registry to list three agents', async () => {
      const view = await api(controlPlane.apiUrl, boot.application_key!, '/api/v1/describe_virtual_cluster', { virtual_cluster_id: vc });
      const live = (view.body.agents ?? view.body.virtual_cluster?.agents ?? []) as unknown[];
      return live.length === 3;
    });
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const [java, go] = await Promise.all([javaClient(), franzGoClient()]);
    const producer = await ClientProcess.start(go, bootstrap, 'multi-producer');
    const consumers = [await ClientProcess.start(java, agents[0]!.kafkaAddress, 'multi-consumer-1'), await ClientProcess.start(java, agents[2]!.kafkaAddress, 'multi-consumer-2')];
    t.after(async () => {
      await producer.close();
      for (const c of consumers) await c.close();
    });
    for (const c of consumers) await c.send(`subscribe ${TOPIC} multi-group`);

    // The group reads all along; the producer sends rounds; agent 2 dies half-way through.
    const consumed = new Map<string, string>();
    const acked = new Map<string, string>();
    let producing = true;
    const reading = (async () => {
      while (producing || consumed.size < acked.size || acked.size === 0) {
        for (const c of consumers) {
          const answer = await c.call('poll 300', 60_000);
          for (const [p, offset, , value] of (answer.records ?? []) as Array<[number, number, string, string]>) consumed.set(`${p}/${offset}`, value);
          await c.call('commit', 60_000); // a commit during a rebalance may fail: the next one covers it
        }
      }
    })();
    for (let round = 0; round < ROUNDS; round++) {
      const sending = producer.send(`produce ${TOPIC} ${PER_ROUND} 40 r${round} ${round * PER_ROUND}`, 180_000);
      if (round === ROUNDS / 2) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        agents[1]!.child.kill('SIGKILL');
      }
      const answer = await sending;
      (answer.acks as Array<[number, number]>).forEach(([p, offset], i) => {
        const key = `${p}/${offset}`;
        assert.ok(!acked.has(key), `two records acknowledged at ${key}`);
        acked.set(key, `r${round}-${round * PER_ROUND + i}`);
      });
    }
    producing = false;
    await until('the group to read every acknowledged record', async () => [...acked.keys()].every((key) => consumed.has(key)), 120_000);
    await reading;
    assert.equal(acked.size, ROUNDS * PER_ROUND);
    for (const [key, value] of acked) assert.equal(consumed.get(key), value, `the record acknowledged at ${key}`);

    // The log holds exactly the acknowledged records, and the group's committed offsets reach its end.
    const ends = new Array<number>(PARTITIONS).fill(0);
    for (const key of acked.keys()) {
      const [p, offset] = key.split('/').map(Number) as [number, number];
      ends[p] = Math.max(ends[p]!, offset + 1);
    }
    const committed = await until('the group to commit up to the end', async () => {
      const answer = await consumers[0]!.call(`committed ${TOPIC} ${PARTITIONS}`, 60_000);
      await consumers[1]!.call('commit', 60_000);
      await consumers[0]!.call('commit', 60_000);
      return JSON.stringify(answer.offsets) === JSON.stringify(ends) ? answer.offsets : undefined;
    }, 60_000);
    assert.deepEqual(committed, ends);
    assert.equal(ends.reduce((a, b) => a + b, 0), acked.size, 'no record in the log that was not acknowledged, none twice');

    // The jobs lease: whoever holds it is killed, and a survivor takes it over.
    const survivors = [agents[0]!, agents[2]!];
    const holder = await until('a jobs lease holder', async () => {
      const states = await Promise.all(survivors.map(status));
      return survivors.find((_, i) => states[i]!.jobs_leader);
    });
    const other = survivors.find((a) => a !== holder)!;
    // Compaction keeps the bucket's object count bounded: hundreds of flushes, a handful of objects.
    const bucket = openObjectStore(objectStoreUrl, { dataDir });
    t.after(() => bucket.close());
    const prefix = `clusters/${vc}/`;
    await until('compaction to bound the object count', async () => (await bucket.list(prefix)).length <= 12, 90_000);
    const written = (await Promise.all(survivors.map(objectsWritten))).reduce((a, b) => a + b, 0);
    assert.ok(written > 24, `the surviving agents wrote only ${written} objects: too few to show compaction at work`);

    holder.child.kill('SIGKILL');
    await until('the lease to move to the surviving agent', async () => (await status(other)).jobs_leader, 40_000);

    // Retention: everything older than a second goes, and the objects with it.
    const updated = await api(controlPlane.apiUrl, boot.application_key!, '/api/v1/update_topic', { virtual_cluster_id: vc, topic_name: TOPIC, configs: { 'retention.ms': '1000' } });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    await until('retention (and the orphan sweep) to empty the bucket', async () => (await bucket.list(prefix)).length === 0, 90_000).catch(async (error: unknown) => {
      const left = await bucket.list(prefix);
      const states = await fetch(other.statusUrl).then((r) => r.text());
      throw new Error(`${(error as Error).message}: ${left.length} objects left (${left.slice(0, 5).join(', ')}); jobs agent: ${states}`);
    });
    t.diagnostic(`objects: more than ${written} written by the surviving agents, at most 12 in the bucket after compaction, 0 after retention`);
  });
});
