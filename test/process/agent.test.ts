import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { api, startSlipstream } from '../helpers/process.ts';
import { tempDir } from '../helpers/stores.ts';

describe('slipstream agent (its own process)', () => {
  test('serves the cluster of its key beside npm start, knowing only the control plane URL: produce through one process, consume through the other', async (t) => {
    const dataDir = tempDir(t);
    const dev = await startSlipstream('dev', { SLIPSTREAM_DATA_DIR: dataDir });
    t.after(() => dev.child.kill('SIGKILL'));
    const boot = JSON.parse(readFileSync(join(dataDir, 'bootstrap.json'), 'utf8'));

    const agentDir = tempDir(t);
    const agent = await startSlipstreamAgent(dev.apiUrl, dataDir, boot.agent_key, { dataDir: agentDir });
    t.after(() => agent.child.kill('SIGKILL'));
    assert.match(agent.output(), new RegExp(`agent for ${boot.virtual_cluster_id}`));
    const status = (await (await fetch(agent.statusUrl)).json()) as { status: string; virtual_cluster_id: string; agent_id: string; roles: string[] };
    assert.equal(status.status, 'ok');
    assert.equal(status.virtual_cluster_id, boot.virtual_cluster_id);
    assert.match(status.agent_id, /^agi_/);
    assert.deepEqual(status.roles, ['proxy', 'jobs']);

    const created = await api(dev.apiUrl, boot.application_key, '/api/v1/create_topic', {
      virtual_cluster_id: boot.virtual_cluster_id,
      topic_name: 'across',
      partition_count: 3,
    });
    assert.equal(created.status, 200);

    const producer = new Kafka({ brokers: [agent.kafkaAddress], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    const sent = await producer.send({ topic: 'across', messages: Array.from({ length: 90 }, (_, i) => ({ key: `k${i % 9}`, value: `v${i}` })) });
    await producer.disconnect();
    assert.ok(sent.every((r) => r.errorCode === 0) && sent.length > 0, JSON.stringify(sent));

    const consumer = new Kafka({ brokers: [dev.kafkaAddress!], logLevel: logLevel.NOTHING }).consumer({ groupId: 'across-group' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'across', fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${seen.length} of 90 records arrived`)), 20_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(String(message.value));
          if (seen.length === 90) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    // The Management API sees the live member and its assignment while the consumer runs.
    const groups = await api(dev.apiUrl, boot.application_key, '/api/v1/monitoring/describe_all_consumer_groups', {
      virtual_cluster_id: boot.virtual_cluster_id,
    });
    const group = groups.body.state.groups.find((g: { name: string }) => g.name === 'across-group');
    assert.equal(group.state, 'Stable');
    assert.equal(group.members.length, 1);
    assert.deepEqual(group.members[0].assignment.assignments, [{ topic_name: 'across', partitions: [0, 1, 2] }]);
    assert.deepEqual(
      group.topics[0].partitions.map((p: { partition: number; member_id: string; max_offset: number }) => [p.partition, p.member_id, p.max_offset > 0]),
      [0, 1, 2].map((p) => [p, group.members[0].id, true]),
    );
    await consumer.disconnect();
    assert.deepEqual([...seen].sort(), Array.from({ length: 90 }, (_, i) => `v${i}`).sort());

    agent.child.kill('SIGTERM');
    assert.equal(await agent.exited, 0);
    // No metadata store of its own: its data directory holds nothing.
    assert.deepEqual(readdirSync(agentDir), []);
  });

  test('refuses to start with a key of another cluster, or with no agent key', async (t) => {
    const dataDir = tempDir(t);
    const dev = await startSlipstream('dev', { SLIPSTREAM_DATA_DIR: dataDir });
    t.after(() => dev.child.kill('SIGKILL'));
    const boot = JSON.parse(readFileSync(join(dataDir, 'bootstrap.json'), 'utf8'));
    const other = await api(dev.apiUrl, boot.application_key, '/api/v1/create_virtual_cluster', {
      virtual_cluster_name: 'other',
      virtual_cluster_type: 'byoc',
      virtual_cluster_region: 'us-east-1',
      virtual_cluster_cloud_provider: 'aws',
      virtual_cluster_tier: 'dev',
    });
    assert.equal(other.status, 200);
    await assert.rejects(
      startSlipstreamAgent(dev.apiUrl, dataDir, other.body.agent_key.key, { virtualClusterId: boot.virtual_cluster_id }),
      new RegExp(`belongs to virtual cluster ${other.body.virtual_cluster_id}, not ${boot.virtual_cluster_id}: authorization failed`),
    );
    await assert.rejects(startSlipstreamAgent(dev.apiUrl, dataDir, boot.application_key), /not an agent key/);
    await assert.rejects(startSlipstreamAgent(dev.apiUrl, dataDir, 'aks_' + '0'.repeat(64)), /unknown or has been deleted/);
    await assert.rejects(startSlipstreamAgent(dev.apiUrl, dataDir, ''), /needs its agent key/);
    await assert.rejects(startSlipstreamAgent('', dataDir, boot.agent_key), /needs the control plane's URL in SLIPSTREAM_CONTROL_PLANE_URL/);
    await assert.rejects(startSlipstreamAgent('ftp://x', dataDir, boot.agent_key), /must be http:\/\/ or https:\/\//);
  });
});

/** `slipstream agent` against the control plane at `apiUrl`, sharing the object store under `objectsDir`'s data dir. */
async function startSlipstreamAgent(apiUrl: string, objectsDir: string, agentKey: string, options: { virtualClusterId?: string; dataDir?: string } = {}) {
  const env: Record<string, string> = {
    SLIPSTREAM_CONTROL_PLANE_URL: apiUrl,
    SLIPSTREAM_OBJECT_STORE_URL: `file://${join(objectsDir, 'objects')}`,
    SLIPSTREAM_DATA_DIR: options.dataDir ?? objectsDir,
    SLIPSTREAM_AGENT_KEY: agentKey,
    SLIPSTREAM_FLUSH_INTERVAL_MS: '5',
  };
  if (options.virtualClusterId) env.SLIPSTREAM_VIRTUAL_CLUSTER_ID = options.virtualClusterId;
  const started = await startSlipstream('agent', env, 30_000, /is serving Kafka clients at bootstrap\.servers=(\S+); status: (\S+)/);
  const match = /bootstrap\.servers=(\S+); status: (\S+)/.exec(started.output())!;
  return { ...started, kafkaAddress: match[1]!, statusUrl: match[2]! };
}
