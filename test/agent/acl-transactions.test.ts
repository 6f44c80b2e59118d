import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiKeys } from '../../src/kafka-protocol/index.ts';
import { callApi, startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { RawClient } from './client.ts';

/**
 * The transaction APIs under ACLs (TRANSACTIONAL_ID resources), on the wire: WRITE on the
 * transactional id for the producer's calls, WRITE on topics for AddPartitionsToTxn, READ on the
 * group for the offset calls, DESCRIBE for the admin views; and no fetch sessions under ACLs.
 * The client is unauthenticated, so the ACLs are on User:ANONYMOUS.
 */

const REFRESH_WAIT_MS = 1_300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TOPIC_DENIED = 29;
const GROUP_DENIED = 30;
const TXN_DENIED = 53;
const OPERATION_NOT_ATTEMPTED = 55;

describe('transactions under ACLs', () => {
  let cluster: TestCluster;
  let client: RawClient;
  const cleanups: Array<() => unknown> = [];
  const vc = () => cluster.boot.virtual_cluster_id;
  const api = (path: string, body: object) => callApi(cluster, path, body);
  const allow = (resource_type: string, resource_name: string, operation: string) =>
    api('/api/v1/virtual_clusters/acls/create', {
      virtual_cluster_id: vc(),
      acl: { resource_type, resource_name, pattern_type: 'LITERAL', principal: 'User:ANONYMOUS', host: '*', operation, permission_type: 'ALLOW' },
    });
  const init = (transactionalId: string) =>
    client.request(ApiKeys.InitProducerId, 4, { transactionalId, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 } as never);
  const addPartitions = (transactionalId: string, producerId: bigint, producerEpoch: number, topics: string[]) =>
    client.request(ApiKeys.AddPartitionsToTxn, 3, {
      v3AndBelowTransactionalId: transactionalId, v3AndBelowProducerId: producerId, v3AndBelowProducerEpoch: producerEpoch,
      v3AndBelowTopics: topics.map((name) => ({ name, partitions: [0] })), transactions: [],
    } as never);

  before(async () => {
    cluster = await startTestCluster({ after: (fn: () => unknown) => void cleanups.push(fn) });
    for (const topic_name of ['tx-topic', 'tx-secret']) await api('/api/v1/create_topic', { virtual_cluster_id: vc(), topic_name, partition_count: 1 });
    client = await RawClient.connect(cluster.bootstrap);
    cleanups.push(() => client.close());
    await api('/api/v1/update_virtual_cluster_configuration', { virtual_cluster_id: vc(), virtual_cluster_configuration: { are_acls_enabled: true } });
    await allow('TRANSACTIONAL_ID', 'tx-ok', 'WRITE');
    await allow('TOPIC', 'tx-topic', 'WRITE');
    await allow('TOPIC', 'tx-topic', 'READ');
    await allow('GROUP', 'tx-group', 'READ');
    await sleep(REFRESH_WAIT_MS);
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  test('WRITE on the transactional id, on the topics added, READ on the group; DESCRIBE for the admin views', async () => {
    assert.equal((await init('tx-no')).errorCode, TXN_DENIED);
    const producer = await init('tx-ok');
    assert.equal(producer.errorCode, 0);
    const { producerId, producerEpoch } = producer;

    const partly = await addPartitions('tx-ok', producerId, producerEpoch, ['tx-topic', 'tx-secret']);
    assert.deepEqual(partly.resultsByTopicV3AndBelow.map((t) => [t.name, t.resultsByPartition[0]!.partitionErrorCode]), [
      ['tx-topic', OPERATION_NOT_ATTEMPTED], ['tx-secret', TOPIC_DENIED],
    ]);
    assert.equal((await addPartitions('tx-no', producerId, producerEpoch, ['tx-topic'])).resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode, TXN_DENIED);
    assert.equal((await addPartitions('tx-ok', producerId, producerEpoch, ['tx-topic'])).resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode, 0);

    const addOffsets = (groupId: string) => client.request(ApiKeys.AddOffsetsToTxn, 3, { transactionalId: 'tx-ok', producerId, producerEpoch, groupId } as never);
    assert.equal((await addOffsets('other-group')).errorCode, GROUP_DENIED);
    assert.equal((await addOffsets('tx-group')).errorCode, 0);
    const txnCommit = await client.request(ApiKeys.TxnOffsetCommit, 3, {
      transactionalId: 'tx-ok', groupId: 'tx-group', producerId, producerEpoch, generationId: -1, memberId: '', groupInstanceId: null,
      topics: ['tx-topic', 'tx-secret'].map((name) => ({ name, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] })),
    } as never);
    assert.deepEqual(txnCommit.topics.map((t) => [t.name, t.partitions[0]!.errorCode]).sort(), [['tx-secret', TOPIC_DENIED], ['tx-topic', 0]]);

    // WRITE implies DESCRIBE, as in Kafka: the principal sees its own transaction, not others'.
    const described = await client.request(ApiKeys.DescribeTransactions, 0, { transactionalIds: ['tx-ok', 'tx-no'] } as never);
    assert.deepEqual(described.transactionStates.map((s) => [s.transactionalId, s.errorCode, s.transactionState]), [['tx-ok', 0, 'Ongoing'], ['tx-no', TXN_DENIED, '']]);
    assert.deepEqual(described.transactionStates[0]!.topics, [{ topic: 'tx-topic', partitions: [0] }]);
    const listed = await client.request(ApiKeys.ListTransactions, 1, { stateFilters: [], producerIdFilters: [], durationFilter: -1n } as never);
    assert.deepEqual(listed.transactionStates.map((s) => s.transactionalId), ['tx-ok']);

    const end = (transactionalId: string) => client.request(ApiKeys.EndTxn, 3, { transactionalId, producerId, producerEpoch, committed: true } as never);
    assert.equal((await end('tx-no')).errorCode, TXN_DENIED);
    assert.equal((await end('tx-ok')).errorCode, 0);
    assert.deepEqual((await cluster.platform.store.listGroupOffsets(vc(), 'tx-group')).map((o) => [o.topic_name, o.committed_offset]), [['tx-topic', 1]]);
  });

  test('no fetch session is made under ACLs, and an old one is gone', async () => {
    const fetch = (sessionId: number, sessionEpoch: number) =>
      client.request(ApiKeys.Fetch, 12, {
        maxWaitMs: 0, minBytes: 0, maxBytes: 1024 * 1024, isolationLevel: 0, sessionId, sessionEpoch, rackId: '', forgottenTopicsData: [],
        topics: [{ topic: 'tx-topic', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1024 * 1024 }] }],
      } as never);
    const first = await fetch(0, 0);
    assert.deepEqual([first.errorCode, first.sessionId], [0, 0]);
    assert.equal(first.responses[0]!.partitions[0]!.errorCode, 0);
    assert.equal((await fetch(12345, 1)).errorCode, 70, 'FETCH_SESSION_ID_NOT_FOUND');
  });
});
