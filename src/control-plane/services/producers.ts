import type { MetadataStore } from '../../metadata/store.ts';

/** Kafka's producer epoch is an int16: an id whose epoch would pass it gets a new id instead. */
export const MAX_PRODUCER_EPOCH = 32767;

/**
 * InitProducerId for an idempotent producer: a new producer id (epoch 0), or — when the producer
 * presents the id and epoch it has (KIP-360, after an error it cannot otherwise recover from) —
 * the next epoch of that same id. An id of another cluster, a stale epoch or an exhausted epoch
 * get a new id, as Kafka does.
 */
export async function initProducerId(
  store: MetadataStore,
  virtualClusterId: string,
  current: { producer_id: number; producer_epoch: number } | null,
): Promise<{ producer_id: number; producer_epoch: number }> {
  if (current && current.producer_id >= 0) {
    const bumped = await store.transaction(async (tx) => {
      const producer = await tx.getProducer(current.producer_id);
      if (!producer || producer.virtual_cluster_id !== virtualClusterId || producer.producer_epoch !== current.producer_epoch) return undefined;
      const epoch = producer.producer_epoch + 1;
      if (epoch > MAX_PRODUCER_EPOCH) return undefined;
      await tx.updateProducerEpoch(producer.producer_id, epoch);
      return { producer_id: producer.producer_id, producer_epoch: epoch };
    });
    if (bumped) return bumped;
  }
  const producer = await store.transaction((tx) =>
    tx.insertProducer({ virtual_cluster_id: virtualClusterId, transactional_id: null, producer_epoch: 0, created_at: Date.now() }),
  );
  return { producer_id: producer.producer_id, producer_epoch: producer.producer_epoch };
}
