import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
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
  withLog,
  type PartitionOffsets,
  type Placed,
} from './helpers.ts';
import { DEBIAN_PYTHON, PYPI_PYTHON, PYTHON_ENV, pythonSkipReason } from './python-clients.ts';

/**
 * confluent-kafka (librdkafka) and kafka-python, driven through test/interop/python/*.py (one
 * command per run, JSON on stdout): Debian's packages under /usr/bin/python3, and confluent-kafka
 * from PyPI (a current librdkafka) in the virtual environment the test set-up makes.
 */

const HERE = dirname(fileURLToPath(import.meta.url));
const N = 600;
const M = 120;

interface PythonClient {
  name: string;
  python: string;
  script: string;
  module: string;
  /** Whether the client has an idempotent producer (kafka-python 2.0 has none). */
  idempotent: boolean;
}

const CLIENTS: PythonClient[] = [
  { name: 'confluent-kafka', python: DEBIAN_PYTHON, script: 'confluent_client.py', module: 'confluent_kafka', idempotent: true },
  { name: 'confluent-kafka (PyPI, current librdkafka)', python: PYPI_PYTHON, script: 'confluent_client.py', module: 'confluent_kafka', idempotent: true },
  { name: 'kafka-python', python: DEBIAN_PYTHON, script: 'kafka_python_client.py', module: 'kafka', idempotent: false },
];

interface Ran<T> {
  result: T;
  stderr: string;
}

async function python<T>(client: PythonClient, command: string, options: Record<string, unknown>): Promise<Ran<T>> {
  const script = join(HERE, 'python', client.script);
  const result = await run(client.python, [script, command, JSON.stringify(options)], { timeoutMs: 45_000, env: PYTHON_ENV });
  const what = `${client.name} ${command}`;
  assert.equal(result.code, 0, explain(what, result));
  let parsed: T;
  try {
    parsed = JSON.parse(result.stdout) as T;
  } catch {
    assert.fail(explain(`${what} printed no JSON`, result));
  }
  return { result: parsed, stderr: result.stderr };
}

interface Produced {
  deliveries: Placed[];
  errors: string[];
}

interface Consumed {
  records: Placed[];
  errors: string[];
  assignment: number[];
  committed: PartitionOffsets;
}

interface Rebalanced {
  assignments: number[][];
  final_assignments: number[][];
  deliveries: Placed[];
  errors: string[];
  records: Placed[][];
  committed: PartitionOffsets;
}

interface AdminResult {
  create: Record<string, string | null>;
  recreate: Record<string, string | null>;
  listed: boolean;
  describe: { error: string | null; partitions: number[]; leaders: number[]; brokers: number[] };
  create_extra: Record<string, string | null>;
  create_partitions: Record<string, string | null>;
  extra_after_create_partitions: number[];
  delete: Record<string, string | null>;
  extra_listed_after_delete: boolean;
}

async function produce(client: PythonClient, cluster: TestCluster, topic: string, prefix: string, start: number, count: number, idempotent: boolean) {
  const ran = await python<Produced>(client, 'produce', { bootstrap: cluster.bootstrap, topic, prefix, start, count, idempotent });
  await withLog(() => ran.stderr, () => assert.deepEqual(ran.result.errors, [], `${client.name} produce errors`));
  return ran;
}

async function consume(client: PythonClient, cluster: TestCluster, topic: string, group: string, count: number) {
  const ran = await python<Consumed>(client, 'consume', { bootstrap: cluster.bootstrap, topic, group, count });
  await withLog(() => ran.stderr, () => assert.deepEqual(ran.result.errors, [], `${client.name} consume errors`));
  return ran;
}

for (const client of CLIENTS) {
  describe(`interop: ${client.name}`, { skip: pythonSkipReason(client.python, client.module) }, () => {
    test('admin: create, list, describe, create partitions, delete topics', { timeout: 60_000 }, async (t) => {
      const cluster = await startTestCluster(t);
      const topic = unique('py-admin');
      const extra = unique('py-extra');
      const { result, stderr } = await python<AdminResult>(client, 'admin', { bootstrap: cluster.bootstrap, topic, extra });
      await withLog(
        () => stderr,
        async () => {
          assert.deepEqual(result.create, { [topic]: null });
          assert.match(result.recreate[topic] ?? 'no error', /TOPIC_ALREADY_EXISTS|TopicAlreadyExists/);
          assert.equal(result.listed, true);
          assert.equal(result.describe.error, null);
          assert.deepEqual(result.describe.partitions, [0, 1, 2, 3, 4, 5]);
          assert.equal(result.describe.brokers.length, 1);
          assert.deepEqual(result.describe.leaders, Array(PARTITIONS).fill(result.describe.brokers[0]));
          assert.deepEqual(result.create_extra, { [extra]: null });
          assert.deepEqual(result.create_partitions, { [extra]: null });
          assert.deepEqual(result.extra_after_create_partitions, [0, 1, 2, 3]);
          assert.deepEqual(result.delete, { [extra]: null });
          assert.equal(result.extra_listed_after_delete, false);
          const topics = await topicsViaApi(cluster);
          assert.equal(topics[topic], PARTITIONS);
          assert.equal(topics[extra], undefined, 'the Management API still lists the deleted topic');
        },
      );
    });

    test(`${client.idempotent ? 'idempotent + ' : ''}acks=all produce, group consume, commit, resume from committed offsets`, { timeout: 60_000 }, async (t) => {
      const cluster = await startTestCluster(t);
      const topic = unique('py');
      const group = unique('py-group');
      await createTopicViaApi(cluster, topic, PARTITIONS);

      const produced = await produce(client, cluster, topic, 'a', 0, N, client.idempotent);
      const deliveries = produced.result.deliveries;
      const watermarks = await withLog(() => produced.stderr, () => assertDeliveries(records('a', N), deliveries, `${client.name} produce`));
      const keyHome = assertKeyStability(deliveries, client.name);
      assert.ok(partitionsOf(deliveries).length >= 4, `20 keys used only partitions ${partitionsOf(deliveries)}`);

      const first = await consume(client, cluster, topic, group, N);
      await withLog(
        () => first.stderr,
        async () => {
          assertConsumed(deliveries, first.result.records, `${client.name} first consumer`);
          assert.deepEqual(first.result.assignment, [0, 1, 2, 3, 4, 5]);
          assert.deepEqual(first.result.committed, nonZero(watermarks), `${client.name} committed() after commit`);
        },
      );
      await assertCommittedViaApi(cluster, group, topic, nonZero(watermarks), watermarks);
      const view = await groupViaApi(cluster, group);
      assert.equal(view?.members.length, 0, `a closed consumer is still a member: ${JSON.stringify(view)}`);

      // acks=all without idempotence this time; the group resumes where it committed.
      const more = await produce(client, cluster, topic, 'b', N, M, false);
      const finalWatermarks = await withLog(
        () => more.stderr,
        () => assertDeliveries(records('b', M, N), more.result.deliveries, `${client.name} second produce`, { from: watermarks, keyHome }),
      );
      const second = await consume(client, cluster, topic, group, M);
      await withLog(
        () => second.stderr,
        async () => {
          assertConsumed(more.result.deliveries, second.result.records, `${client.name} second consumer (resumes from the committed offsets)`);
          assert.deepEqual(second.result.committed, nonZero(finalWatermarks), `${client.name} committed() after the second commit`);
        },
      );
      await assertCommittedViaApi(cluster, group, topic, nonZero(finalWatermarks), finalWatermarks);
    });

    test('two consumers in one group split the partitions and consume every record exactly once', { timeout: 60_000 }, async (t) => {
      const cluster = await startTestCluster(t);
      const topic = unique('py-rb');
      const group = unique('py-rb-group');
      await createTopicViaApi(cluster, topic, PARTITIONS);
      const { result, stderr } = await python<Rebalanced>(client, 'rebalance', { bootstrap: cluster.bootstrap, topic, group, count: N, prefix: 'r' });
      await withLog(
        () => stderr,
        async () => {
          assert.deepEqual(result.errors, []);
          const [a = [], b = []] = result.assignments;
          assert.ok(a.length > 0 && b.length > 0, `both members got partitions: ${JSON.stringify(result.assignments)}`);
          assert.deepEqual([...a, ...b].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5], 'the members split the partitions');
          assert.deepEqual(result.final_assignments, result.assignments, 'no further rebalance while consuming');
          const watermarks = assertDeliveries(records('r', N), result.deliveries, `${client.name} produce`);
          assertConsumed(result.deliveries, result.records, `${client.name} group of two`);
          for (const [i, got] of result.records.entries()) {
            assert.ok(got.length > 0, `member ${i} received nothing`);
            const mine = result.assignments[i] ?? [];
            assert.deepEqual(partitionsOf(got).filter((p) => !mine.includes(p)), [], `member ${i} received partitions outside ${mine}`);
          }
          assert.deepEqual(result.committed, nonZero(watermarks), 'committed offsets of the two members together');
          await assertCommittedViaApi(cluster, group, topic, nonZero(watermarks), watermarks);
        },
      );
    });
  });
}
