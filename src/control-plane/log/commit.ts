import { KafkaError } from '../../kafka-protocol/error-codes.ts';
import type { BatchToCommit, CommittedBatch } from '../../agent-rpc/contract.ts';
import type { BatchIndexEntry, MetadataStore, ObjectRecord, ProducerPartition, Topic, Transaction } from '../../metadata/store.ts';
import { releaseUnreferencedObjects, type ObjectGraceOptions } from './objects.ts';

export type { BatchToCommit, CommittedBatch };

/**
 * The control plane's half of the write path: an agent has written one object holding record
 * batches for many partitions, and asks for them to be committed. In one transaction this
 * assigns offsets per partition, checks idempotent producers' sequences and records the index
 * entries. Only after it commits does the agent acknowledge the producers.
 */

/** Kafka keeps the last five batches of each producer per partition to answer retries. */
const RECENT_BATCHES = 5;

function lastSequence(base: number, lastOffsetDelta: number): number {
  // Sequences wrap at 2^31 like Kafka's.
  return (base + lastOffsetDelta) % 2 ** 31;
}

/**
 * Commits `batches` (held by `objectKey`, or by their own `object_key`) and records every object
 * they name (`objects`, level 0), in the same transaction. An object's size is `objectSizes[key]`
 * when the agent gives it, else the end of its furthest batch. An object none of whose batches
 * was committed (all refused, or all retries of batches already stored) is released at once,
 * unless an earlier commit's entries point into it.
 */
export async function commitBatches(
  store: MetadataStore,
  virtualClusterId: string,
  objectKey: string,
  batches: readonly BatchToCommit[],
  objectSizes: Readonly<Record<string, number>> = {},
  options: ObjectGraceOptions = {},
): Promise<CommittedBatch[]> {
  return store.transaction(async (tx) => {
    const topics = new Map<string, Topic | undefined>();
    const partitions = new Map<string, { log_start_offset: number; high_watermark: number }>();
    const producers = new Map<string, ProducerPartition | undefined>();
    const transactions = new Map<number, Transaction | undefined>();
    const opened = new Set<string>();
    const index: BatchIndexEntry[] = [];
    const results: CommittedBatch[] = [];

    for (const batch of batches) {
      if (!topics.has(batch.topic_id)) {
        const topic = await tx.getTopicById(batch.topic_id);
        topics.set(batch.topic_id, topic && topic.virtual_cluster_id === virtualClusterId && topic.deleted_at === null ? topic : undefined);
      }
      const topic = topics.get(batch.topic_id);
      if (!topic || batch.partition < 0 || batch.partition >= topic.partition_count) {
        results.push({ error_code: KafkaError.UNKNOWN_TOPIC_OR_PARTITION, base_offset: -1, log_start_offset: -1 });
        continue;
      }
      const partitionKey = `${batch.topic_id}/${batch.partition}`;
      let state = partitions.get(partitionKey);
      if (!state) {
        const stored = await tx.getPartitionState(batch.topic_id, batch.partition);
        state = { log_start_offset: stored?.log_start_offset ?? 0, high_watermark: stored?.high_watermark ?? 0 };
        partitions.set(partitionKey, state);
      }

      if (batch.is_transactional) {
        if (!transactions.has(batch.producer_id)) transactions.set(batch.producer_id, await tx.transactions.findTransactionByProducer(batch.producer_id));
        const error = transactionalBatchError(transactions.get(batch.producer_id), virtualClusterId, batch);
        if (error !== KafkaError.NONE) {
          results.push({ error_code: error, base_offset: -1, log_start_offset: state.log_start_offset });
          continue;
        }
      }

      let producer: ProducerPartition | undefined;
      if (batch.producer_id >= 0) {
        const producerKey = `${batch.producer_id}/${partitionKey}`;
        if (!producers.has(producerKey)) {
          producers.set(producerKey, await tx.getProducerPartition(batch.producer_id, batch.topic_id, batch.partition));
        }
        producer = producers.get(producerKey);
        const verdict = checkSequence(producer, batch);
        if (verdict.duplicateOf !== undefined) {
          results.push({ error_code: KafkaError.NONE, base_offset: verdict.duplicateOf, log_start_offset: state.log_start_offset });
          continue;
        }
        if (verdict.error !== KafkaError.NONE) {
          results.push({ error_code: verdict.error, base_offset: -1, log_start_offset: state.log_start_offset });
          continue;
        }
      }

      const baseOffset = state.high_watermark;
      state.high_watermark = baseOffset + batch.last_offset_delta + 1;
      index.push({
        topic_id: batch.topic_id,
        partition: batch.partition,
        base_offset: baseOffset,
        last_offset: baseOffset + batch.last_offset_delta,
        max_timestamp: batch.max_timestamp,
        object_key: batch.object_key ?? objectKey,
        byte_offset: batch.byte_offset,
        byte_length: batch.byte_length,
      });
      if (batch.producer_id >= 0) {
        const sameEpoch = producer && producer.producer_epoch === batch.producer_epoch ? producer.recent_batches : [];
        const updated: ProducerPartition = {
          producer_id: batch.producer_id,
          topic_id: batch.topic_id,
          partition: batch.partition,
          producer_epoch: batch.producer_epoch,
          recent_batches: [
            ...sameEpoch,
            { first_sequence: batch.base_sequence, last_sequence: lastSequence(batch.base_sequence, batch.last_offset_delta), base_offset: baseOffset },
          ].slice(-RECENT_BATCHES),
          updated_at: Date.now(),
        };
        producers.set(`${batch.producer_id}/${partitionKey}`, updated);
      }
      if (batch.is_transactional && !opened.has(`${batch.producer_id}/${partitionKey}`)) {
        // The transaction's first batch here holds the partition's last stable offset until it ends.
        opened.add(`${batch.producer_id}/${partitionKey}`);
        await tx.transactions.insertOpenTransaction({ topic_id: batch.topic_id, partition: batch.partition, producer_id: batch.producer_id, first_offset: baseOffset });
      }
      results.push({ error_code: KafkaError.NONE, base_offset: baseOffset, log_start_offset: state.log_start_offset });
    }

    await tx.insertBatchIndex(index);
    await recordObjects(tx, virtualClusterId, objectKey, batches, index, objectSizes, options.graceMs);
    for (const [key, state] of partitions) {
      const slash = key.lastIndexOf('/');
      await tx.upsertPartitionState({ topic_id: key.slice(0, slash), partition: Number(key.slice(slash + 1)), ...state });
    }
    for (const producer of producers.values()) if (producer) await tx.upsertProducerPartition(producer);
    return results;
  });
}

/** One `objects` row per object the call names (usually one): a single small INSERT on the produce path. */
async function recordObjects(
  tx: MetadataStore,
  virtualClusterId: string,
  objectKey: string,
  batches: readonly BatchToCommit[],
  index: readonly BatchIndexEntry[],
  objectSizes: Readonly<Record<string, number>>,
  graceMs: number | undefined,
): Promise<void> {
  const ends = new Map<string, number>();
  for (const batch of batches) {
    const key = batch.object_key ?? objectKey;
    ends.set(key, Math.max(ends.get(key) ?? 0, batch.byte_offset + batch.byte_length));
  }
  if (ends.size === 0) return;
  const now = Date.now();
  const objects: ObjectRecord[] = [...ends].map(([key, end]) => ({
    object_key: key,
    virtual_cluster_id: virtualClusterId,
    level: 0,
    byte_size: objectSizes[key] ?? end,
    created_at: now,
  }));
  await tx.insertObjects(objects);
  const referenced = new Set(index.map((entry) => entry.object_key));
  const unused = [...ends.keys()].filter((key) => !referenced.has(key));
  // Rare (every batch of an object refused or a retry): the release query checks the index, so
  // an object an earlier commit of the same batches points into stays.
  if (unused.length > 0) await releaseUnreferencedObjects(tx, virtualClusterId, unused, now, graceMs);
}

/**
 * A transactional batch is written only inside its producer's open transaction, on a partition
 * the transaction added (AddPartitionsToTxn), with the transaction's current epoch: a zombie
 * (an older epoch) is fenced.
 */
function transactionalBatchError(transaction: Transaction | undefined, virtualClusterId: string, batch: BatchToCommit): number {
  if (!transaction || transaction.virtual_cluster_id !== virtualClusterId) return KafkaError.INVALID_PRODUCER_ID_MAPPING;
  if (batch.producer_epoch !== transaction.producer_epoch) return KafkaError.INVALID_PRODUCER_EPOCH;
  const added = transaction.partitions.some((p) => p.topic_id === batch.topic_id && p.partition === batch.partition);
  if (transaction.state !== 'Ongoing' || !added) return KafkaError.INVALID_TXN_STATE;
  return KafkaError.NONE;
}

/**
 * Kafka's idempotent-producer rules for one batch against the producer's recent batches:
 * a retry of one of the last five batches is a duplicate (answered with its first offset);
 * an older epoch is fenced; a new epoch starts at sequence 0; otherwise the batch must follow
 * the last one exactly.
 */
export function checkSequence(
  producer: ProducerPartition | undefined,
  batch: Pick<BatchToCommit, 'producer_epoch' | 'base_sequence' | 'last_offset_delta'>,
): { error: number; duplicateOf?: number } {
  if (!producer) {
    return batch.base_sequence === 0 ? { error: KafkaError.NONE } : { error: KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER };
  }
  if (batch.producer_epoch < producer.producer_epoch) return { error: KafkaError.INVALID_PRODUCER_EPOCH };
  if (batch.producer_epoch > producer.producer_epoch) {
    return batch.base_sequence === 0 ? { error: KafkaError.NONE } : { error: KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER };
  }
  const last = lastSequence(batch.base_sequence, batch.last_offset_delta);
  const duplicate = producer.recent_batches.find((b) => b.first_sequence === batch.base_sequence && b.last_sequence === last);
  if (duplicate) return { error: KafkaError.NONE, duplicateOf: duplicate.base_offset };
  const newest = producer.recent_batches.at(-1);
  const expected = newest ? (newest.last_sequence + 1) % 2 ** 31 : 0;
  return batch.base_sequence === expected ? { error: KafkaError.NONE } : { error: KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER };
}
