import { encodeControlBatch } from '../kafka-protocol/index.ts';
import type { BatchIndexEntry, TransactionMarker } from '../model/records.ts';

/**
 * The control batch a marker index entry stands for (its object key names the marker, no
 * object holds it: model/records.ts). Built the same way every time, so every reader of the
 * entry sees the same bytes; the base offset is set by the caller, as for stored batches.
 */
export function markerBatch(marker: TransactionMarker, entry: Pick<BatchIndexEntry, 'max_timestamp'>): Buffer {
  return encodeControlBatch({
    commit: marker.commit,
    producerId: BigInt(marker.producer_id),
    producerEpoch: marker.producer_epoch,
    timestamp: BigInt(entry.max_timestamp),
  });
}
