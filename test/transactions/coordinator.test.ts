import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { storeKinds, testAccount, testWorkspace } from '../helpers/stores.ts';
import { commitBatches, type BatchToCommit } from '../../src/control-plane/log/commit.ts';
import { TransactionCoordinator } from '../../src/control-plane/transactions/coordinator.ts';
import { describeTransactions, listTransactions } from '../../src/control-plane/transactions/admin.ts';
import { KafkaError } from '../../src/kafka-protocol/error-codes.ts';
import { parseMarkerObjectKey, type MetadataStore, type TransactionPartition } from '../../src/metadata/store.ts';

/**
 * The transaction coordinator against the metadata store (both stores): producer ids and
 * epochs, the partitions a transaction may write, the last stable offset, markers, aborted
 * ranges, offsets committed with the transaction, fencing and timeouts.
 */

const CLUSTER = 'vci_t';
const TOPIC = 'ti_t';

async function setup(t: TestContext, kind: (typeof storeKinds extends () => Array<infer K> ? K : never)) {
  const store = await kind.open();
  t.after(() => store.close());
  await store.insertAccount(testAccount('acc_1'));
  await store.insertWorkspace(testWorkspace('wi_1', 'acc_1', 'main'));
  await store.insertVirtualCluster({
    id: CLUSTER, workspace_id: 'wi_1', name: 'vcn_t', type: 'byoc', region: 'r', cloud_provider: 'aws', tier: 'dev', agent_pool_id: 'apid',
    agent_pool_name: 'apn', created_at: 1, configuration: {}, region_group: null, tags: {}, events: { enabled: false, event_types: {} },
  });
  await store.insertTopic({ id: TOPIC, virtual_cluster_id: CLUSTER, name: 'orders', partition_count: 2, configs: {}, created_at: 1, deleted_at: null });
  const clock = { now: 1_000_000 };
  const marked: TransactionPartition[][] = [];
  const memberErrors = new Map<string, number>();
  const coordinator = new TransactionCoordinator(store, {
    offsetCommitError: (_cluster, groupId) => memberErrors.get(groupId) ?? KafkaError.NONE,
    marked: (partitions) => void marked.push([...partitions]),
    now: () => clock.now,
  });
  return { store, coordinator, clock, marked, memberErrors };
}

function init(coordinator: TransactionCoordinator, transactionalId: string, timeoutMs = 60_000, current = { producerId: -1n, producerEpoch: -1 }, version = 4) {
  return coordinator.initProducerId(CLUSTER, { transactionalId, transactionTimeoutMs: timeoutMs, ...current }, version);
}

function addPartitions(coordinator: TransactionCoordinator, transactionalId: string, producerId: bigint, producerEpoch: number, partitions: number[], version = 3) {
  return coordinator.addPartitionsToTxn(CLUSTER, {
    transactions: [], v3AndBelowTransactionalId: transactionalId, v3AndBelowProducerId: producerId, v3AndBelowProducerEpoch: producerEpoch,
    v3AndBelowTopics: [{ name: 'orders', partitions }],
  }, version);
}

function batch(partition: number, producerId: bigint, producerEpoch: number, baseSequence: number, records = 3, isTransactional = true): BatchToCommit {
  return {
    topic_id: TOPIC, partition, byte_offset: 0, byte_length: 100, last_offset_delta: records - 1, max_timestamp: 5,
    producer_id: Number(producerId), producer_epoch: producerEpoch, base_sequence: baseSequence, is_transactional: isTransactional,
  };
}

function endTxn(coordinator: TransactionCoordinator, transactionalId: string, producerId: bigint, producerEpoch: number, committed: boolean, version = 3) {
  return coordinator.endTxn(CLUSTER, { transactionalId, producerId, producerEpoch, committed }, version);
}

async function state(store: MetadataStore, partition: number) {
  const s = await store.getPartitionState(TOPIC, partition);
  return { hw: s?.high_watermark, lso: s?.last_stable_offset };
}

for (const kind of storeKinds()) {
  describe(`TransactionCoordinator (${kind.kind})`, () => {
    it('gives a transactional id one producer id and a new epoch at every init; refuses timeouts out of range', async (t) => {
      const { coordinator } = await setup(t, kind);
      const first = await init(coordinator, 'tx-a');
      assert.equal(first.errorCode, KafkaError.NONE);
      assert.equal(first.producerEpoch, 0);
      const again = await init(coordinator, 'tx-a');
      assert.deepEqual([again.producerId, again.producerEpoch], [first.producerId, 1]);
      const other = await init(coordinator, 'tx-b');
      assert.notEqual(other.producerId, first.producerId);
      assert.equal((await init(coordinator, 'tx-c', 0)).errorCode, KafkaError.INVALID_TRANSACTION_TIMEOUT);
      assert.equal((await init(coordinator, 'tx-c', 900_001)).errorCode, KafkaError.INVALID_TRANSACTION_TIMEOUT);
      // KIP-360: the current producer may ask for its next epoch; an instance two epochs behind is fenced.
      const resumed = await init(coordinator, 'tx-a', 60_000, { producerId: first.producerId, producerEpoch: 1 });
      assert.deepEqual([resumed.errorCode, resumed.producerEpoch], [KafkaError.NONE, 2]);
      assert.equal((await init(coordinator, 'tx-a', 60_000, { producerId: first.producerId, producerEpoch: 0 })).errorCode, KafkaError.PRODUCER_FENCED);
      assert.equal((await init(coordinator, 'tx-a', 60_000, { producerId: first.producerId, producerEpoch: 0 }, 3)).errorCode, KafkaError.INVALID_PRODUCER_EPOCH);
    });

    it('commits transactional batches only to added partitions, with the current epoch; the last stable offset waits for the end', async (t) => {
      const { store, coordinator, marked } = await setup(t, kind);
      const { producerId, producerEpoch } = await init(coordinator, 'tx');
      const plain = await commitBatches(store, CLUSTER, 'o1', [batch(1, -1n, -1, -1, 2, false)]);
      assert.equal(plain[0]!.error_code, KafkaError.NONE);
      const outside = await commitBatches(store, CLUSTER, 'o2', [batch(0, producerId, producerEpoch, 0)]);
      assert.equal(outside[0]!.error_code, KafkaError.INVALID_TXN_STATE, 'partition 0 was not added');

      const added = await addPartitions(coordinator, 'tx', producerId, producerEpoch, [0, 1]);
      assert.deepEqual(added.resultsByTopicV3AndBelow[0]!.resultsByPartition.map((p) => p.partitionErrorCode), [0, 0]);
      const written = await commitBatches(store, CLUSTER, 'o3', [batch(0, producerId, producerEpoch, 0), batch(1, producerId, producerEpoch, 0), batch(0, producerId, producerEpoch, 3)]);
      assert.deepEqual(written.map((r) => [r.error_code, r.base_offset]), [[0, 0], [0, 2], [0, 3]]);
      assert.deepEqual(await state(store, 0), { hw: 6, lso: 0 });
      assert.deepEqual(await state(store, 1), { hw: 5, lso: 2 });
      const stale = await commitBatches(store, CLUSTER, 'o4', [batch(0, producerId, producerEpoch - 1, 6)]);
      assert.equal(stale[0]!.error_code, KafkaError.INVALID_PRODUCER_EPOCH);

      assert.equal((await endTxn(coordinator, 'tx', producerId, producerEpoch, true)).errorCode, KafkaError.NONE);
      // A COMMIT marker at each high watermark; nothing is open any more.
      assert.deepEqual(await state(store, 0), { hw: 7, lso: 7 });
      assert.deepEqual(await state(store, 1), { hw: 6, lso: 6 });
      const markerEntry = (await store.listBatchIndex(TOPIC, 0, 6, 10))[0]!;
      assert.deepEqual(parseMarkerObjectKey(markerEntry.object_key), { commit: true, producer_id: Number(producerId), producer_epoch: producerEpoch });
      assert.deepEqual(marked.at(-1)!.map((p) => p.partition).sort(), [0, 1]);
      assert.deepEqual(await store.transactions.listAbortedTransactions(TOPIC, 0, 0, 100), []);
      // A retry of the same end is answered alike; the other end, or ending nothing, is out of turn.
      assert.equal((await endTxn(coordinator, 'tx', producerId, producerEpoch, true)).errorCode, KafkaError.NONE);
      assert.equal((await endTxn(coordinator, 'tx', producerId, producerEpoch, false)).errorCode, KafkaError.INVALID_TXN_STATE);
      assert.equal((await state(store, 0)).hw, 7, 'no second marker');
    });

    it('an abort records the aborted range per partition and drops the offsets the transaction held', async (t) => {
      const { store, coordinator } = await setup(t, kind);
      const { producerId, producerEpoch } = await init(coordinator, 'tx');
      await addPartitions(coordinator, 'tx', producerId, producerEpoch, [0]);
      assert.equal((await coordinator.addOffsetsToTxn(CLUSTER, { transactionalId: 'tx', producerId, producerEpoch, groupId: 'g' }, 3)).errorCode, 0);
      const commit = await coordinator.txnOffsetCommit(CLUSTER, {
        transactionalId: 'tx', groupId: 'g', producerId, producerEpoch, generationId: -1, memberId: '', groupInstanceId: null,
        topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, committedOffset: 42n, committedLeaderEpoch: -1, committedMetadata: 'm' }, { partitionIndex: 9, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] }],
      }, 3);
      assert.deepEqual(commit.topics[0]!.partitions.map((p) => p.errorCode), [KafkaError.NONE, KafkaError.UNKNOWN_TOPIC_OR_PARTITION]);
      assert.equal((await store.transactions.listGroupPendingOffsets(CLUSTER, 'g')).length, 1);
      await commitBatches(store, CLUSTER, 'o1', [batch(0, producerId, producerEpoch, 0, 4)]);
      assert.equal((await endTxn(coordinator, 'tx', producerId, producerEpoch, false)).errorCode, KafkaError.NONE);
      assert.deepEqual(await store.transactions.listAbortedTransactions(TOPIC, 0, 0, 100), [
        { topic_id: TOPIC, partition: 0, producer_id: Number(producerId), first_offset: 0, last_offset: 4 },
      ]);
      assert.deepEqual(await store.transactions.listAbortedTransactions(TOPIC, 0, 5, 100), [], 'ranges ending before the read are left out');
      assert.deepEqual(await store.listGroupOffsets(CLUSTER, 'g'), []);
      assert.deepEqual(await store.transactions.listGroupPendingOffsets(CLUSTER, 'g'), []);

      // The next transaction commits its offsets.
      await coordinator.addOffsetsToTxn(CLUSTER, { transactionalId: 'tx', producerId, producerEpoch, groupId: 'g' }, 3);
      await coordinator.txnOffsetCommit(CLUSTER, {
        transactionalId: 'tx', groupId: 'g', producerId, producerEpoch, generationId: -1, memberId: '', groupInstanceId: null,
        topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, committedOffset: 43n, committedLeaderEpoch: -1, committedMetadata: 'm' }] }],
      }, 3);
      await endTxn(coordinator, 'tx', producerId, producerEpoch, true);
      assert.deepEqual((await store.listGroupOffsets(CLUSTER, 'g')).map((o) => [o.partition, o.committed_offset, o.metadata]), [[1, 43, 'm']]);
    });

    it('TxnOffsetCommit needs the group added and a member in good standing', async (t) => {
      const { coordinator, memberErrors } = await setup(t, kind);
      const { producerId, producerEpoch } = await init(coordinator, 'tx');
      const request = (groupId: string) => ({
        transactionalId: 'tx', groupId, producerId, producerEpoch, generationId: 3, memberId: 'm-1', groupInstanceId: null,
        topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] }],
      });
      assert.equal((await coordinator.txnOffsetCommit(CLUSTER, request('g'), 3)).topics[0]!.partitions[0]!.errorCode, KafkaError.INVALID_TXN_STATE);
      await coordinator.addOffsetsToTxn(CLUSTER, { transactionalId: 'tx', producerId, producerEpoch, groupId: 'g' }, 3);
      memberErrors.set('g', KafkaError.ILLEGAL_GENERATION);
      assert.equal((await coordinator.txnOffsetCommit(CLUSTER, request('g'), 3)).topics[0]!.partitions[0]!.errorCode, KafkaError.ILLEGAL_GENERATION);
    });

    it('a new instance fences the old one: its open transaction is aborted and its requests refused', async (t) => {
      const { store, coordinator, marked } = await setup(t, kind);
      const old = await init(coordinator, 'tx');
      await addPartitions(coordinator, 'tx', old.producerId, old.producerEpoch, [1]);
      await commitBatches(store, CLUSTER, 'o1', [batch(1, old.producerId, old.producerEpoch, 0)]);
      const current = await init(coordinator, 'tx');
      assert.equal(current.producerEpoch, old.producerEpoch + 1);
      assert.deepEqual(await state(store, 1), { hw: 4, lso: 4 }, 'aborted: an ABORT marker, nothing open');
      assert.equal((await store.transactions.listAbortedTransactions(TOPIC, 1, 0, 10)).length, 1);
      assert.equal(marked.length, 1);
      assert.equal((await commitBatches(store, CLUSTER, 'o2', [batch(1, old.producerId, old.producerEpoch, 3)]))[0]!.error_code, KafkaError.INVALID_PRODUCER_EPOCH);
      const refused = await addPartitions(coordinator, 'tx', old.producerId, old.producerEpoch, [0]);
      assert.equal(refused.resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode, KafkaError.PRODUCER_FENCED);
      const refusedV1 = await addPartitions(coordinator, 'tx', old.producerId, old.producerEpoch, [0], 1);
      assert.equal(refusedV1.resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode, KafkaError.INVALID_PRODUCER_EPOCH);
      assert.equal((await endTxn(coordinator, 'tx', old.producerId, old.producerEpoch, true)).errorCode, KafkaError.PRODUCER_FENCED);
      assert.equal((await endTxn(coordinator, 'tx', old.producerId + 1n, current.producerEpoch, true)).errorCode, KafkaError.INVALID_PRODUCER_ID_MAPPING);
    });

    it('an unknown partition fails the whole add; the batched form (v4+) adds and verifies', async (t) => {
      const { coordinator } = await setup(t, kind);
      const { producerId, producerEpoch } = await init(coordinator, 'tx');
      const bad = await addPartitions(coordinator, 'tx', producerId, producerEpoch, [0, 7]);
      assert.deepEqual(bad.resultsByTopicV3AndBelow[0]!.resultsByPartition.map((p) => p.partitionErrorCode), [KafkaError.OPERATION_NOT_ATTEMPTED, KafkaError.UNKNOWN_TOPIC_OR_PARTITION]);
      const one = (verifyOnly: boolean, partitions: number[]) => ({ transactionalId: 'tx', producerId, producerEpoch, verifyOnly, topics: [{ name: 'orders', partitions }] });
      const empty = { v3AndBelowTransactionalId: '', v3AndBelowProducerId: -1n, v3AndBelowProducerEpoch: -1, v3AndBelowTopics: [] };
      const verify = await coordinator.addPartitionsToTxn(CLUSTER, { ...empty, transactions: [one(true, [0])] }, 4);
      assert.equal(verify.resultsByTransaction[0]!.topicResults[0]!.resultsByPartition[0]!.partitionErrorCode, KafkaError.INVALID_TXN_STATE);
      await coordinator.addPartitionsToTxn(CLUSTER, { ...empty, transactions: [one(false, [0])] }, 4);
      const verified = await coordinator.addPartitionsToTxn(CLUSTER, { ...empty, transactions: [one(true, [0])] }, 4);
      assert.equal(verified.resultsByTransaction[0]!.topicResults[0]!.resultsByPartition[0]!.partitionErrorCode, KafkaError.NONE);
    });

    it('a transaction past its timeout is aborted, its producer fenced; admin views show it', async (t) => {
      const { store, coordinator, clock } = await setup(t, kind);
      const { producerId, producerEpoch } = await init(coordinator, 'tx', 10_000);
      await addPartitions(coordinator, 'tx', producerId, producerEpoch, [0]);
      await commitBatches(store, CLUSTER, 'o1', [batch(0, producerId, producerEpoch, 0)]);
      const described = await describeTransactions(store, CLUSTER, { transactionalIds: ['tx', 'nope'] });
      assert.deepEqual(described.transactionStates.map((s) => [s.transactionalId, s.errorCode, s.transactionState]), [
        ['tx', 0, 'Ongoing'], ['nope', KafkaError.TRANSACTIONAL_ID_NOT_FOUND, ''],
      ]);
      assert.deepEqual(described.transactionStates[0]!.topics, [{ topic: 'orders', partitions: [0] }]);
      const listed = await listTransactions(store, CLUSTER, { stateFilters: ['Ongoing', 'Bogus'], producerIdFilters: [], durationFilter: -1n }, 1, clock.now);
      assert.deepEqual([listed.transactionStates.map((s) => s.transactionalId), listed.unknownStateFilters], [['tx'], ['Bogus']]);

      clock.now += 9_000;
      assert.equal(await coordinator.abortExpiredTransactions(CLUSTER), 0, 'not yet');
      clock.now += 2_000;
      assert.equal(await coordinator.abortExpiredTransactions(CLUSTER), 1);
      assert.deepEqual(await state(store, 0), { hw: 4, lso: 4 });
      const after = (await describeTransactions(store, CLUSTER, { transactionalIds: ['tx'] })).transactionStates[0]!;
      assert.deepEqual([after.transactionState, after.producerEpoch], ['CompleteAbort', producerEpoch + 1]);
      assert.equal((await endTxn(coordinator, 'tx', producerId, producerEpoch, true)).errorCode, KafkaError.PRODUCER_FENCED);
      assert.equal(await coordinator.abortExpiredTransactions(CLUSTER), 0, 'aborted once');
    });
  });
}
