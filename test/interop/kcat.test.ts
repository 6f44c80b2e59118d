import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { crc32 } from 'node:zlib';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import {
  PARTITIONS,
  assertCommittedViaApi,
  assertConsumed,
  assertDeliveries,
  assertKeyStability,
  createTopicViaApi,
  explain,
  groupViaApi,
  nonZero,
  partitionsOf,
  records,
  run,
  topicsViaApi,
  unique,
  type Placed,
  type Sent,
} from './helpers.ts';

/**
 * kcat (librdkafka) against the agent. kcat has no admin commands: topics are created through
 * the Management API and described with `kcat -L`. It has no way to read a group's committed
 * offsets either: those are checked through describe_all_consumer_groups and by a second
 * consumer of the group starting exactly where the first one stopped.
 */

const KCAT = '/usr/bin/kcat';
const N = 600;
const M = 120;
// Skipped when kcat is missing, except in CI: there a missing client must fail, never silently skip.
const skip = existsSync(KCAT) || process.env.CI ? false : `${KCAT} is not installed (scripts/ensure-clients.sh installs it)`;

/** librdkafka's default partitioner (consistent_random): CRC32 of the key modulo the partition count. */
function librdkafkaPartition(key: string): number {
  return crc32(key) % PARTITIONS;
}

async function kcat(args: string[], what: string, input?: string) {
  const result = await run(KCAT, args, { input, timeoutMs: 30_000 });
  assert.equal(result.code, 0, explain(`kcat ${what} (kcat ${args.join(' ')})`, result));
  return result;
}

/**
 * Produces `sent` as `key:value` lines. kcat prints librdkafka's delivery reports at -vvv
 * ("Message delivered to partition P (offset O)"), without naming the record: per partition they
 * come in send order, so each report is matched to the partition's next record (by librdkafka's
 * CRC32 partitioner). A wrong match shows up as a consumed record at another place.
 */
async function produce(cluster: TestCluster, topic: string, sent: Sent[], idempotent: boolean): Promise<Placed[]> {
  const input = sent.map((s) => `${s.key}:${s.value}\n`).join('');
  const result = await kcat(
    ['-P', '-b', cluster.bootstrap, '-t', topic, '-K:', '-X', 'acks=all', '-X', `enable.idempotence=${idempotent}`, '-X', 'linger.ms=5', '-v', '-v', '-v'],
    'produce',
    input,
  );
  const reports = [...result.stderr.matchAll(/Message delivered to partition (\d+) \(offset (\d+)\)/g)].map((m) => ({
    partition: Number(m[1]),
    offset: Number(m[2]),
  }));
  assert.equal(reports.length, sent.length, explain(`kcat printed ${reports.length} delivery reports for ${sent.length} records`, result));
  const queues = new Map<number, Sent[]>();
  for (const s of sent) {
    const p = librdkafkaPartition(s.key);
    queues.set(p, [...(queues.get(p) ?? []), s]);
  }
  const deliveries: Placed[] = [];
  for (const report of reports) {
    const next = queues.get(report.partition)?.shift();
    assert.ok(next, `delivery report for partition ${report.partition} (offset ${report.offset}) beyond the records whose key hashes there`);
    deliveries.push({ ...next, ...report });
  }
  return deliveries;
}

/** One kcat balanced consumer in `group`: reads until the end of every assigned partition and exits. */
async function consume(cluster: TestCluster, topic: string, group: string, what: string): Promise<Placed[]> {
  const result = await kcat(
    ['-b', cluster.bootstrap, '-G', group, '-X', 'auto.offset.reset=earliest', '-X', 'client.id=kcat-interop', '-e', '-J', topic],
    what,
  );
  const lines = result.stdout.split('\n').filter((l) => l.trim() !== '');
  return lines.map((line) => {
    const m = JSON.parse(line) as { topic: string; partition: number; offset: number; key: string; payload: string };
    assert.equal(m.topic, topic, line);
    return { key: m.key, value: m.payload, partition: m.partition, offset: m.offset };
  });
}

describe('interop: kcat (librdkafka)', { skip }, () => {
  test('topics created through the Management API are listed and described by kcat -L', { timeout: 60_000 }, async (t) => {
    const cluster = await startTestCluster(t);
    const topic = unique('kcat-admin');
    await createTopicViaApi(cluster, topic, PARTITIONS);
    assert.equal((await topicsViaApi(cluster))[topic], PARTITIONS);

    const described = JSON.parse((await kcat(['-b', cluster.bootstrap, '-L', '-J', '-t', topic], 'metadata')).stdout);
    const brokers = (described.brokers as Array<{ id: number; name: string }>).map((b) => b.id);
    assert.deepEqual(described.brokers.map((b: { name: string }) => b.name), [cluster.bootstrap], 'advertised brokers');
    assert.equal(described.topics.length, 1);
    assert.equal(described.topics[0].topic, topic);
    assert.equal(described.topics[0].error, undefined, JSON.stringify(described.topics[0]));
    const partitions = described.topics[0].partitions as Array<{ partition: number; leader: number; error?: string }>;
    assert.deepEqual(
      partitions.map((p) => p.partition).sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5],
    );
    for (const p of partitions) {
      assert.ok(brokers.includes(p.leader), `partition ${p.partition} leader ${p.leader} is not a listed broker`);
      assert.equal(p.error, undefined, JSON.stringify(p));
    }

    const all = JSON.parse((await kcat(['-b', cluster.bootstrap, '-L', '-J'], 'metadata (all topics)')).stdout);
    const names = (all.topics as Array<{ topic: string; partitions: unknown[] }>).map((x) => x.topic);
    assert.ok(names.includes(topic), `kcat -L does not list ${topic}: ${names}`);
  });

  test('idempotent + acks=all produce, group consume, committed offsets, resume', { timeout: 60_000 }, async (t) => {
    const cluster = await startTestCluster(t);
    const topic = unique('kcat');
    const group = unique('kcat-group');
    await createTopicViaApi(cluster, topic, PARTITIONS);

    const sent = records('a', N);
    const deliveries = await produce(cluster, topic, sent, true);
    const watermarks = assertDeliveries(sent, deliveries, 'kcat idempotent produce');
    const keyHome = assertKeyStability(deliveries, 'kcat');
    assert.ok(partitionsOf(deliveries).length >= 4, `20 keys used only partitions ${partitionsOf(deliveries)}`);

    const first = await consume(cluster, topic, group, 'first consumer');
    assertConsumed(deliveries, first, 'kcat first consumer');
    // librdkafka commits the consumed positions when kcat closes the consumer.
    await assertCommittedViaApi(cluster, group, topic, nonZero(watermarks), watermarks);
    const view = await groupViaApi(cluster, group);
    assert.equal(view?.members.length, 0, `kcat left the group but it is still a member: ${JSON.stringify(view)}`);

    const more = records('b', M, N);
    const moreDeliveries = await produce(cluster, topic, more, false);
    const finalWatermarks = assertDeliveries(more, moreDeliveries, 'kcat acks=all produce', { from: watermarks, keyHome });
    const second = await consume(cluster, topic, group, 'second consumer');
    assertConsumed(moreDeliveries, second, 'kcat second consumer (resumes from the committed offsets)');
    await assertCommittedViaApi(cluster, group, topic, nonZero(finalWatermarks), finalWatermarks);

    // A third run of the group finds nothing left.
    assert.deepEqual(await consume(cluster, topic, group, 'third consumer'), []);
  });
});
