import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { openObjectStore } from '../../src/objects/open.ts';
import { startTestCluster } from '../helpers/cluster.ts';

/**
 * The whole write and read path on a real S3-compatible server (the one scripts/test.sh starts):
 * produced batches land as objects in the bucket, and consumers read them back from there.
 */
const s3Url = process.env.SLIPSTREAM_TEST_S3_URL;
if (process.env.CI && !s3Url) throw new Error('CI is set but SLIPSTREAM_TEST_S3_URL is not: the agent on S3 would go untested');

describe('agent on S3 object storage', { skip: s3Url ? false : 'SLIPSTREAM_TEST_S3_URL is not set (npm test sets it)' }, () => {
  test('batches go to the bucket and come back to consumers', async (t) => {
    const url = new URL(s3Url!);
    url.searchParams.set('prefix', `agent-${randomBytes(4).toString('hex')}`);
    const cluster = await startTestCluster(t, { SLIPSTREAM_OBJECT_STORE_URL: url.toString() });
    const kafka = new Kafka({ brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'on-s3', numPartitions: 2 }] });
    await admin.disconnect();

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let i = 0; i < 5; i++) {
      await producer.send({ topic: 'on-s3', messages: Array.from({ length: 20 }, (_, j) => ({ key: `k${j % 4}`, value: `v${i * 20 + j}` })) });
    }
    await producer.disconnect();

    const bucket = openObjectStore(url.toString(), { dataDir: cluster.dataDir });
    const objects = await bucket.list('clusters/');
    assert.ok(objects.length >= 1 && objects.length <= 5, `objects written: ${objects.length}`);
    assert.ok(objects.every((key) => key.startsWith(`clusters/${cluster.boot.virtual_cluster_id}/`)), objects.join(', '));

    const consumer = kafka.consumer({ groupId: 'on-s3-group' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'on-s3', fromBeginning: true });
    const values: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${values.length} of 100 arrived`)), 20_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(String(message.value));
          if (values.length === 100) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    assert.deepEqual(values.sort(), Array.from({ length: 100 }, (_, i) => `v${i}`).sort());
  });
});
