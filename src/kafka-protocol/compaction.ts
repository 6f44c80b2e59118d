/**
 * Key compaction of one partition (`cleanup.policy=compact`), as Kafka's log cleaner does it,
 * without I/O: batches in, what becomes of each batch out. The caller reads the batches, writes
 * the rewritten ones and updates the batch index.
 *
 * Kafka's rules (LogCleaner, MemoryRecords.filterTo) and where Slipstream differs:
 *
 * - Only batches wholly below `firstUncleanableOffset` are cleaned, and only their records say
 *   which record is the latest for its key (Kafka's offset map ends at the first uncleanable
 *   offset too). The caller picks that offset: Kafka's is the start of the active segment, held
 *   back by `min.compaction.lag.ms` and by open transactions.
 * - A keyed record is kept when no later record (below the bound) has the same key.
 * - Records without a key are kept. Kafka's cleaner drops them, but its broker refuses keyless
 *   records on compacted topics at produce time, so it only ever drops data it never accepted;
 *   Slipstream's produce path does not refuse them, and a cleaner must not lose acknowledged
 *   records.
 * - Tombstones (null value), latest for their key, follow KIP-534: the first cleaning that keeps
 *   one writes a delete horizon of `now + deleteRetentionMs` into its batch (attributes bit 6,
 *   the horizon in the baseTimestamp field, record timestamps rebased so they stay the same);
 *   a later cleaning at or after the horizon drops them. A consumer that reads the partition
 *   within delete.retention.ms of the tombstone's first cleaning sees it.
 * - A rewritten batch keeps its baseOffset, lastOffsetDelta (so the offsets of removed records
 *   are a gap, and the producer's last sequence stays at the batch's end), partition leader
 *   epoch, producer id, epoch and base sequence, transactional bit, timestamp type and
 *   compression. Its baseTimestamp is its first kept record's timestamp (or the delete
 *   horizon), its maxTimestamp the largest kept one (LogAppendTime batches keep theirs).
 * - A batch left without records is dropped, except (as Kafka) the last data batch of each
 *   producer still active — its last batch at most `producerIdExpirationMs` old, by its
 *   maxTimestamp, as Kafka's producer.id.expiration.ms — and the last batch the cleaning acts on,
 *   which keep their offsets as an empty batch: a header alone, uncompressed, no records, its
 *   timestamps both the old maxTimestamp. The first keeps the producer's epoch and last sequence
 *   in the log, the second the end of the cleaned range. (Slipstream's idempotence state lives
 *   in the metadata store's producer_partitions, not in the log, so neither is needed by the
 *   sequence checks today; they keep the log what Kafka's tools and clients expect.)
 * - The records of aborted transactions (`abortedTransactions`, the ranges read_committed
 *   fetches answer) are removed, as Kafka's cleaner removes them, and never count as the latest
 *   record of their key: an aborted write must not shadow the committed value before it.
 * - Control batches (transaction markers) are kept as they are. Kafka removes a marker once its
 *   transaction's records are gone and the marker's own delete horizon passed; Slipstream keeps
 *   them (a marker is a few dozen bytes of index, and no object holds it).
 */
import {
  batchLastOffset, decodeBatch, deleteHorizonMs, encodeBatch, recordOffset, recordTimestamp, type BatchRecord, type DecodedBatch,
} from './records.ts';
import { Compression, readBatchHeader, TimestampType, type RecordBatchHeader } from './record-batch.ts';

/** Kafka's default producer.id.expiration.ms (one day). */
export const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86_400_000;
const INT64_MAX = 2n ** 63n - 1n;

export interface PartitionBatch {
  /** The batch's offset in the partition (stored batches may carry another in their bytes). */
  baseOffset: bigint;
  bytes: Buffer;
}

export interface CompactionInput {
  /** Every batch of the partition, in offset order. */
  batches: readonly PartitionBatch[];
  /** Milliseconds since the epoch: tombstones' delete horizons are counted from it. */
  now: number;
  /** The topic's delete.retention.ms. */
  deleteRetentionMs: number;
  /** Compaction acts only on batches whose last offset is below this one. */
  firstUncleanableOffset: bigint;
  /** Default `DEFAULT_PRODUCER_ID_EXPIRATION_MS`. */
  producerIdExpirationMs?: number;
  /** Aborted transactions on the partition: the producer's transactional data from firstOffset to lastOffset (its ABORT marker). */
  abortedTransactions?: ReadonlyArray<{ producerId: bigint; firstOffset: bigint; lastOffset: bigint }>;
}

interface Offsets {
  baseOffset: bigint;
  lastOffset: bigint;
  maxTimestamp: bigint;
}

/** What becomes of one input batch; `bytes` is what the batch index should point at (`kept`: the input's own). */
export type CompactedBatch =
  | ({ action: 'kept'; bytes: Buffer } & Offsets)
  | ({ action: 'rewritten'; bytes: Buffer } & Offsets)
  | ({ action: 'dropped' } & Offsets);

/** One answer per input batch, in the same order. Throws a `RecordBatchError` for a batch it cannot read. */
export function compactPartition(input: CompactionInput): CompactedBatch[] {
  const now = BigInt(input.now);
  const headers = input.batches.map((b) => ({ ...readBatchHeader(b.bytes), baseOffset: b.baseOffset }));
  const cleanable = headers.map((h) => batchLastOffset(h) < input.firstUncleanableOffset);
  const lastCleanable = cleanable.lastIndexOf(true);
  const aborted = headers.map((h) => h.isTransactional && !h.isControl && (input.abortedTransactions ?? []).some(
    (a) => a.producerId === h.producerId && a.firstOffset <= h.baseOffset && h.baseOffset <= a.lastOffset));
  const decoded = headers.map((h, i) => (cleanable[i] && !h.isControl && !aborted[i] ? { ...decodeBatch(input.batches[i]!.bytes), baseOffset: h.baseOffset } : undefined));

  const latest = latestOffsetByKey(decoded);
  const producerLast = lastBatchOfActiveProducers(headers, now, BigInt(input.producerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS));
  const horizon = atMostInt64(now + BigInt(input.deleteRetentionMs));

  return headers.map((header, i): CompactedBatch => {
    const bytes = input.batches[i]!.bytes;
    const offsets = { baseOffset: header.baseOffset, lastOffset: batchLastOffset(header), maxTimestamp: header.maxTimestamp };
    if (cleanable[i] && aborted[i]) {
      if (producerLast.has(i) || i === lastCleanable) return { action: 'rewritten', bytes: emptyBatch({ ...decodeBatch(bytes), baseOffset: header.baseOffset }), ...offsets };
      return { action: 'dropped', ...offsets };
    }
    const batch = decoded[i];
    if (!batch) return { action: 'kept', bytes, ...offsets };

    const existingHorizon = deleteHorizonMs(batch);
    const kept = batch.records.filter((record) => {
      if (record.key === null) return true;
      if (latest.get(record.key.toString('latin1')) !== recordOffset(batch, record)) return false;
      return record.value !== null || existingHorizon === null || now < existingHorizon;
    });
    const needsHorizon = existingHorizon === null && kept.some((r) => r.value === null);

    if (kept.length === batch.records.length && !needsHorizon) return { action: 'kept', bytes, ...offsets };
    if (kept.length > 0) {
      const rewritten = rewrite(batch, kept, needsHorizon ? horizon : existingHorizon);
      return { action: 'rewritten', bytes: rewritten, ...offsets, maxTimestamp: rewritten.readBigInt64BE(35) };
    }
    if (producerLast.has(i) || i === lastCleanable) return { action: 'rewritten', bytes: emptyBatch(batch), ...offsets };
    return { action: 'dropped', ...offsets };
  });
}

/** For each key (bytes as latin1), the offset of its last record in the decoded batches. */
function latestOffsetByKey(batches: ReadonlyArray<DecodedBatch | undefined>): Map<string, bigint> {
  const latest = new Map<string, bigint>();
  for (const batch of batches) {
    for (const record of batch?.records ?? []) {
      if (record.key !== null) latest.set(record.key.toString('latin1'), recordOffset(batch!, record));
    }
  }
  return latest;
}

/**
 * Indexes of the batches holding the last data of each producer that is still active: its last
 * batch (data or control) is younger than the expiration by its maxTimestamp, as Kafka's
 * ProducerStateManager judges it.
 */
function lastBatchOfActiveProducers(headers: readonly RecordBatchHeader[], now: bigint, expirationMs: bigint): Set<number> {
  const lastData = new Map<bigint, number>();
  const lastSeen = new Map<bigint, bigint>();
  headers.forEach((h, i) => {
    if (h.producerId < 0n) return;
    if (!h.isControl) lastData.set(h.producerId, i);
    lastSeen.set(h.producerId, h.maxTimestamp);
  });
  const active = new Set<number>();
  for (const [producerId, i] of lastData) {
    if (now - lastSeen.get(producerId)! < expirationMs) active.add(i);
  }
  return active;
}

function rewrite(batch: DecodedBatch, kept: readonly BatchRecord[], horizon: bigint | null): Buffer {
  const timestamps = kept.map((r) => recordTimestamp(batch, r));
  const baseTimestamp = horizon ?? timestamps[0]!;
  return encodeBatch({
    ...batch,
    hasDeleteHorizon: horizon !== null,
    baseTimestamp,
    maxTimestamp: batch.timestampType === TimestampType.LogAppendTime ? batch.maxTimestamp : timestamps.reduce((a, b) => (b > a ? b : a)),
    records: kept.map((r, i) => ({ ...r, timestampDelta: timestamps[i]! - baseTimestamp })),
  });
}

/** Kafka's DefaultRecordBatch.writeEmptyHeader: the batch's offsets and producer state, no records. */
function emptyBatch(batch: DecodedBatch): Buffer {
  return encodeBatch({
    ...batch,
    compression: Compression.None,
    hasDeleteHorizon: false,
    baseTimestamp: batch.maxTimestamp,
    maxTimestamp: batch.maxTimestamp,
    records: [],
  });
}

function atMostInt64(v: bigint): bigint {
  return v > INT64_MAX ? INT64_MAX : v;
}
