import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiKeys } from '../../src/kafka-protocol/index.ts';
import { valuesBatch } from './batches.ts';
import { RawClient } from './client.ts';
import { callApi, startStandaloneAgent, startTestCluster, type TestCluster } from '../helpers/cluster.ts';

/**
 * A bug found by test/interop/kafka-streams.test.ts, and fixed: an idempotent producer pipelines
 * Produce requests for one partition on ONE connection (the Java client sends up to 5 in flight),
 * sequence numbers following each other. Kafka appends them in request order. The agent handles
 * the requests of a connection concurrently and each awaits getTopic (an RPC to the control plane)
 * before it reaches the write path (src/agent/handlers/produce.ts), so a later request whose
 * lookup returns first is appended before an earlier one: the commit then refuses it with
 * OUT_OF_ORDER_SEQUENCE_NUMBER (45). Expected: every request answered NONE, base offsets 0, 1,
 * 2, … in request order. Seen in the Kafka Streams run: a transactional producer's request for
 * a changelog partition, pipelined 8 ms after one with that partition and two others, answered
 * 45; the producer went to its abortable error state and Streams aborted and rebalanced
 * (TaskMigratedException). The first two tests (natural timing) did not catch it on an idle
 * machine; the third makes the first lookup 50 ms slower and caught it every time.
 */

const REQUESTS = 200;

describe('pipelined idempotent Produce requests on one connection', () => {
  let cluster: TestCluster;
  const cleanups: Array<() => unknown> = [];
  before(async () => {
    cluster = await startTestCluster({ after: (fn) => cleanups.push(fn) });
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  for (const via of ['the dev agent (in-process control plane)', 'a standalone agent (HTTP RPC)']) {
    test(`are appended in request order: ${via}`, async () => {
      const address = via.startsWith('a standalone') ? (await startStandaloneAgent({ after: (fn) => cleanups.push(fn) }, cluster)).kafkaAddress : cluster.bootstrap;
      const topic = `pipelined-${Math.random().toString(36).slice(2, 8)}`;
      const others = [`${topic}-u`, `${topic}-v`];
      for (const name of [topic, ...others]) await callApi(cluster, '/api/v1/create_topic', { virtual_cluster_id: cluster.boot.virtual_cluster_id, topic_name: name, partition_count: 1 });
      const otherSequence = [0, 0];
      const client = await RawClient.connect(address);
      cleanups.push(() => client.close());
      const init = await client.request(ApiKeys.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 } as never);
      assert.equal(init.errorCode, 0);
      const ids: number[] = [];
      for (let i = 0; i < REQUESTS; i++) {
        ids.push(
          client.send(ApiKeys.Produce, 9, {
            transactionalId: null,
            acks: -1,
            timeoutMs: 30_000,
            // As Kafka Streams' producer does: some requests carry other topics' batches too.
            topicData: [
              ...(i % 2 === 0 ? others.map((name, j) => ({ name, partitionData: [{ index: 0, records: valuesBatch(`o${i}-`, 20, { producerId: init.producerId, producerEpoch: init.producerEpoch, baseSequence: (otherSequence[j]! += 20) - 20 }) }] })) : []),
              { name: topic, partitionData: [{ index: 0, records: valuesBatch(`r${i}-`, 1, { producerId: init.producerId, producerEpoch: init.producerEpoch, baseSequence: i }) }] },
            ],
          }),
        );
      }
      const answers: string[] = [];
      for (const [i, id] of ids.entries()) {
        const response = await client.receiveResponse(ApiKeys.Produce, 9, id, 30_000);
        const p = response.responses.find((r) => r.name === topic)!.partitionResponses[0]!;
        answers.push(p.errorCode === 0 ? `${i}:@${p.baseOffset}` : `${i}:error ${p.errorCode}`);
      }
      const wrong = answers.filter((a, i) => a !== `${i}:@${i}`);
      assert.deepEqual(wrong, [], `${wrong.length} of ${REQUESTS} pipelined requests not appended in order (45 = OUT_OF_ORDER_SEQUENCE_NUMBER)`);
    });
  }

  // Deterministic: the first request's topic lookup is made 50 ms slower than the second's (as an
  // RPC on a fresh connection, or under load, can be), nothing else changes.
  // Before the agent kept a connection's appends in request order (RequestContext.appendTurn)
  // this failed with [ '@0', 'error 45' ].
  test('are appended in request order even when the first one\'s topic lookup is slower', async () => {
    const running = await startStandaloneAgent({ after: (fn) => cleanups.push(fn) }, cluster);
    const controlPlane = (running.agent as unknown as { options: { controlPlane: { getTopic: (...args: unknown[]) => Promise<unknown> } } }).options.controlPlane;
    const getTopic = controlPlane.getTopic.bind(controlPlane);
    let calls = 0;
    controlPlane.getTopic = async (...args: unknown[]) => {
      const slow = calls++ === 0;
      const topic = await getTopic(...args);
      if (slow) await new Promise((resolve) => setTimeout(resolve, 50));
      return topic;
    };
    const topic = `pipelined-slow-${Math.random().toString(36).slice(2, 8)}`;
    await callApi(cluster, '/api/v1/create_topic', { virtual_cluster_id: cluster.boot.virtual_cluster_id, topic_name: topic, partition_count: 1 });
    const client = await RawClient.connect(running.kafkaAddress);
    cleanups.push(() => client.close());
    const init = await client.request(ApiKeys.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 } as never);
    assert.equal(init.errorCode, 0);
    calls = 0;
    const ids = [0, 1].map((i) =>
      client.send(ApiKeys.Produce, 9, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 30_000,
        topicData: [{ name: topic, partitionData: [{ index: 0, records: valuesBatch(`r${i}-`, 1, { producerId: init.producerId, producerEpoch: init.producerEpoch, baseSequence: i }) }] }],
      }),
    );
    const answers: string[] = [];
    for (const id of ids) {
      const p = (await client.receiveResponse(ApiKeys.Produce, 9, id, 30_000)).responses[0]!.partitionResponses[0]!;
      answers.push(p.errorCode === 0 ? `@${p.baseOffset}` : `error ${p.errorCode}`);
    }
    assert.deepEqual(answers, ['@0', '@1'], 'two pipelined requests, sequences 0 and 1 (45 = OUT_OF_ORDER_SEQUENCE_NUMBER)');
  });
});
