import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Compression, DEFAULT_PRODUCER_ID_EXPIRATION_MS, compactPartition, decodeBatch, deleteHorizonMs, encodeBatch, recordOffset,
  recordTimestamp, type BatchInput, type CompactedBatch, type CompactionInput, type PartitionBatch,
} from '../../src/kafka-protocol/index.ts';

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;

/** One record per entry, [offsetDelta, key, value]; record timestamps are T0 + 10 * offset. */
function batch(baseOffset: number, records: Array<[number, string | null, string | null]>, options: Partial<BatchInput> = {}): PartitionBatch {
  const base = BigInt(T0 + 10 * (baseOffset + records[0]![0]));
  const bytes = encodeBatch({
    baseOffset: 0n, // stored batches need not carry their offset: the input's baseOffset is the truth
    baseTimestamp: base,
    records: records.map(([offsetDelta, key, value]) => ({
      attributes: 0,
      offsetDelta,
      timestampDelta: BigInt(T0 + 10 * (baseOffset + offsetDelta)) - base,
      key: key === null ? null : Buffer.from(key),
      value: value === null ? null : Buffer.from(value),
      headers: [{ key: 'at', value: Buffer.from(String(baseOffset + offsetDelta)) }],
    })),
    ...options,
  });
  return { baseOffset: BigInt(baseOffset), bytes };
}

function compact(batches: PartitionBatch[], overrides: Partial<CompactionInput> = {}): CompactedBatch[] {
  return compactPartition({ batches, now: T0 + DAY, deleteRetentionMs: DAY, firstUncleanableOffset: 1000n, ...overrides });
}

/** The partition as a consumer reads it after compaction: [offset, key, value] of every record left. */
function visible(input: PartitionBatch[], result: CompactedBatch[]): Array<[number, string | null, string | null]> {
  return result.flatMap((r, i) => {
    if (r.action === 'dropped') return [];
    const decoded = { ...decodeBatch(r.bytes), baseOffset: input[i]!.baseOffset };
    return decoded.records.map((rec): [number, string | null, string | null] => {
      assert.equal(rec.headers[0]?.value?.toString(), String(recordOffset(decoded, rec)), 'each record keeps its own offset');
      assert.equal(recordTimestamp(decoded, rec), BigInt(T0 + 10 * Number(recordOffset(decoded, rec))), 'and its own timestamp');
      return [Number(recordOffset(decoded, rec)), rec.key?.toString() ?? null, rec.value?.toString() ?? null];
    });
  });
}

const actions = (result: CompactedBatch[]) => result.map((r) => r.action);

describe('compactPartition', () => {
  test('keeps only the last record of each key; offsets, gaps and batch bounds stay', () => {
    const input = [
      batch(0, [[0, 'a', 'a1'], [1, 'b', 'b1'], [2, 'c', 'c1']]),
      batch(3, [[0, 'a', 'a2'], [1, 'd', 'd1'], [2, 'b', 'b2']], { compression: Compression.Gzip }),
      batch(6, [[0, 'a', 'a3'], [1, 'e', 'e1']]),
    ];
    const result = compact(input);
    assert.deepEqual(actions(result), ['rewritten', 'rewritten', 'kept']);
    assert.deepEqual(visible(input, result), [[2, 'c', 'c1'], [4, 'd', 'd1'], [5, 'b', 'b2'], [6, 'a', 'a3'], [7, 'e', 'e1']]);
    assert.deepEqual(result.map((r) => [r.baseOffset, r.lastOffset]), [[0n, 2n], [3n, 5n], [6n, 7n]]);

    const first = decodeBatch((result[0] as { bytes: Buffer }).bytes);
    assert.deepEqual([first.baseOffset, first.lastOffsetDelta, first.recordsCount], [0n, 2, 1], 'base offset and lastOffsetDelta kept, one record left');
    assert.equal(first.baseTimestamp, BigInt(T0 + 20), 'baseTimestamp is the first kept record');
    assert.equal(result[0]!.maxTimestamp, BigInt(T0 + 20));
    const second = decodeBatch((result[1] as { bytes: Buffer }).bytes);
    assert.equal(second.compression, Compression.Gzip, 'a rewritten batch keeps its compression');
    assert.deepEqual([second.baseOffset, second.lastOffsetDelta, result[1]!.maxTimestamp], [3n, 2, BigInt(T0 + 50)]);
    assert.equal((result[2] as { bytes: Buffer }).bytes, input[2]!.bytes, 'a kept batch is answered with its own bytes');
  });

  test('a batch whose records are all superseded is dropped; compacting again changes nothing', () => {
    const input = [
      batch(0, [[0, 'a', 'a1'], [1, 'b', 'b1']]),
      batch(2, [[0, 'c', 'c1']]),
      batch(3, [[0, 'b', 'b2'], [1, 'a', 'a2']]),
    ];
    const result = compact(input);
    assert.deepEqual(actions(result), ['dropped', 'kept', 'kept']);
    assert.deepEqual(result[0], { action: 'dropped', baseOffset: 0n, lastOffset: 1n, maxTimestamp: BigInt(T0 + 10) });
    assert.deepEqual(visible(input, result), [[2, 'c', 'c1'], [3, 'b', 'b2'], [4, 'a', 'a2']]);

    const left = input.filter((_, i) => result[i]!.action !== 'dropped');
    assert.deepEqual(actions(compact(left)), ['kept', 'kept']);
  });

  test('only batches wholly below firstUncleanableOffset are cleaned, and only their records supersede', () => {
    const input = [
      batch(0, [[0, 'a', 'a1'], [1, 'b', 'b1']]),
      batch(2, [[0, 'a', 'a2'], [1, 'b', 'b2']]), // straddles the bound (3): left alone
      batch(4, [[0, 'b', 'b3']]),
    ];
    const result = compact(input, { firstUncleanableOffset: 3n });
    assert.deepEqual(actions(result), ['kept', 'kept', 'kept']);
    assert.deepEqual(actions(compact(input, { firstUncleanableOffset: 4n })), ['dropped', 'kept', 'kept']);
    const all = compact(input, { firstUncleanableOffset: 5n });
    assert.deepEqual(visible(input, all), [[2, 'a', 'a2'], [4, 'b', 'b3']]);
  });

  test('records without a key are kept', () => {
    const input = [batch(0, [[0, null, 'n1'], [1, 'a', 'a1'], [2, null, 'n2']]), batch(3, [[0, 'a', 'a2'], [1, null, 'n3']])];
    const result = compact(input);
    assert.deepEqual(visible(input, result), [[0, null, 'n1'], [2, null, 'n2'], [3, 'a', 'a2'], [4, null, 'n3']]);
  });

  test('tombstones: the first cleaning sets a delete horizon (KIP-534), one at or after it removes them', () => {
    const input = [
      batch(0, [[0, 'a', 'a1'], [1, 'b', 'b1'], [2, 'c', null]]), // c's tombstone has no earlier value
      batch(3, [[0, 'a', null], [1, 'd', 'd1']], { compression: Compression.Lz4 }),
      batch(5, [[0, 'e', 'e1']]),
    ];
    const now = T0 + 5 * DAY;
    const first = compact(input, { now, deleteRetentionMs: DAY });
    assert.deepEqual(actions(first), ['rewritten', 'rewritten', 'kept']);
    assert.deepEqual(visible(input, first), [[1, 'b', 'b1'], [2, 'c', null], [3, 'a', null], [4, 'd', 'd1'], [5, 'e', 'e1']]);
    for (const r of first.slice(0, 2)) {
      const b = decodeBatch((r as { bytes: Buffer }).bytes);
      assert.equal(deleteHorizonMs(b), BigInt(now + DAY), 'the horizon is now + delete.retention.ms');
    }
    assert.equal(decodeBatch((first[1] as { bytes: Buffer }).bytes).records.length, 2, 'nothing else removed from the second batch');
    assert.equal(decodeBatch((first[1] as { bytes: Buffer }).bytes).compression, Compression.Lz4);

    const cleaned: PartitionBatch[] = input.map((b, i) => ({ baseOffset: b.baseOffset, bytes: (first[i] as { bytes: Buffer }).bytes }));
    const before = compact(cleaned, { now: now + DAY - 1, deleteRetentionMs: 0 });
    assert.deepEqual(actions(before), ['kept', 'kept', 'kept'], 'before the horizon the tombstones stay, and a later retention does not move it');

    const after = compact(cleaned, { now: now + DAY, deleteRetentionMs: DAY });
    assert.deepEqual(visible(cleaned, after), [[1, 'b', 'b1'], [4, 'd', 'd1'], [5, 'e', 'e1']]);
    const kept = decodeBatch((after[0] as { bytes: Buffer }).bytes);
    assert.equal(deleteHorizonMs(kept), BigInt(now + DAY), 'a batch rewritten after its horizon keeps it, as Kafka does');
    assert.deepEqual([kept.lastOffsetDelta, after[0]!.lastOffset], [2, 2n]);
  });

  test('a superseded tombstone goes at once; a horizon past int64 is clamped', () => {
    const input = [batch(0, [[0, 'a', null]]), batch(1, [[0, 'a', 'back'], [1, 'z', null]])];
    const result = compact(input, { deleteRetentionMs: Number.MAX_SAFE_INTEGER * 1024 });
    assert.equal(result[0]!.action, 'dropped');
    assert.equal(deleteHorizonMs(decodeBatch((result[1] as { bytes: Buffer }).bytes)), 2n ** 63n - 1n);
  });

  test('control batches are kept as they are, and their records supersede nothing', () => {
    const marker = batch(2, [[0, 'a', 'commit']], { isControl: true, isTransactional: true, producerId: 4n, producerEpoch: 0, baseSequence: -1 });
    const input = [batch(0, [[0, 'a', 'a1'], [1, 'b', 'b1']]), marker, batch(3, [[0, 'b', 'b2']])];
    const result = compact(input);
    assert.deepEqual(actions(result), ['rewritten', 'kept', 'kept']);
    assert.equal((result[1] as { bytes: Buffer }).bytes, marker.bytes);
    assert.deepEqual(visible(input, result), [[0, 'a', 'a1'], [2, 'a', 'commit'], [3, 'b', 'b2']]);
  });

  test('aborted transactional data is removed and shadows nothing; committed transactional data is compacted as any', () => {
    const txn = (producerId: bigint) => ({ isTransactional: true, producerId, producerEpoch: 0, baseSequence: 0 });
    const abortMarker = batch(3, [[0, null, 'abort']], { isControl: true, ...txn(9n), baseSequence: -1 });
    const input = [
      batch(0, [[0, 'a', 'a1'], [1, 'b', 'b1']]),
      batch(2, [[0, 'a', 'aborted']], txn(9n)), // producer 9's aborted write of a
      abortMarker,
      batch(4, [[0, 'b', 'b2']], txn(8n)), // producer 8's committed write of b
      batch(5, [[0, 'c', 'c1']]),
    ];
    const result = compact(input, { abortedTransactions: [{ producerId: 9n, firstOffset: 2n, lastOffset: 3n }] });
    // a1 survives: the aborted a never counted as its latest. The aborted batch loses its records;
    // it stays as an empty batch, being the last data batch of a producer still active.
    assert.deepEqual(actions(result), ['rewritten', 'rewritten', 'kept', 'kept', 'kept']);
    assert.equal(decodeBatch((result[1] as { bytes: Buffer }).bytes).records.length, 0);
    const expired = compact(input, { abortedTransactions: [{ producerId: 9n, firstOffset: 2n, lastOffset: 3n }], producerIdExpirationMs: 10 });
    assert.equal(expired[1]!.action, 'dropped', 'an expired producer\'s aborted batch goes');
    assert.deepEqual(visible(input, result), [[0, 'a', 'a1'], [3, null, 'abort'], [4, 'b', 'b2'], [5, 'c', 'c1']]);
    // Without knowing of the abort, the aborted write would have removed a1.
    assert.deepEqual(visible(input, compact(input)).map((r) => r[2]), ['aborted', 'abort', 'b2', 'c1']);
  });

  test('the last batch of an active producer stays as an empty batch; an expired producer\'s goes', () => {
    const producer = { producerId: 7n, producerEpoch: 2 };
    const input = [
      batch(0, [[0, 'a', 'a1'], [1, 'b', 'b1']], { ...producer, baseSequence: 0, compression: Compression.Zstd }),
      batch(2, [[0, 'a', 'a2'], [1, 'b', 'b2']], { ...producer, baseSequence: 2, compression: Compression.Zstd }),
      batch(4, [[0, 'a', 'a3'], [1, 'b', 'b3']]),
      batch(6, [[0, 'c', 'c1']]),
    ];
    const lastTimestamp = T0 + 30; // the producer's last batch, offsets 2-3
    const result = compact(input, { now: lastTimestamp + DAY - 1 });
    assert.deepEqual(actions(result), ['dropped', 'rewritten', 'kept', 'kept']);
    const empty = decodeBatch((result[1] as { bytes: Buffer }).bytes);
    assert.deepEqual(
      [empty.recordsCount, empty.baseOffset, empty.lastOffsetDelta, empty.producerId, empty.producerEpoch, empty.baseSequence, empty.compression],
      [0, 2n, 1, 7n, 2, 2, Compression.None],
      'offsets and producer state kept, no records, uncompressed (Kafka\'s writeEmptyHeader)',
    );
    assert.deepEqual([empty.baseTimestamp, empty.maxTimestamp, result[1]!.maxTimestamp], [BigInt(lastTimestamp), BigInt(lastTimestamp), BigInt(lastTimestamp)]);
    assert.deepEqual(visible(input, result), [[4, 'a', 'a3'], [5, 'b', 'b3'], [6, 'c', 'c1']]);

    assert.deepEqual(actions(compact(input, { now: lastTimestamp + DEFAULT_PRODUCER_ID_EXPIRATION_MS })), ['dropped', 'dropped', 'kept', 'kept'], 'expired after producer.id.expiration.ms');
    assert.deepEqual(actions(compact(input, { now: lastTimestamp + 10, producerIdExpirationMs: 10 })), ['dropped', 'dropped', 'kept', 'kept']);
  });

  test('the last batch compaction acts on stays, empty, so the cleaned range keeps its end', () => {
    // Only expired tombstones can empty the last batch of the range: nothing after it supersedes its records.
    const expired = { hasDeleteHorizon: true, baseTimestamp: BigInt(T0) };
    const input = [batch(0, [[0, 'a', 'a1']]), batch(1, [[0, 'a', null], [1, 'b', null]], expired), batch(3, [[0, 'c', 'c1']])];
    const result = compact(input, { firstUncleanableOffset: 3n });
    assert.deepEqual(actions(result), ['dropped', 'rewritten', 'kept']);
    const empty = decodeBatch((result[1] as { bytes: Buffer }).bytes);
    assert.deepEqual([empty.recordsCount, empty.lastOffsetDelta, empty.hasDeleteHorizon, result[1]!.lastOffset], [0, 1, false, 2n]);
    assert.deepEqual(visible(input, result), [[3, 'c', 'c1']]);

    assert.deepEqual(actions(compact(input, { firstUncleanableOffset: 4n })), ['dropped', 'dropped', 'kept'], 'not the last one of the range: dropped');
  });

  test('every compression codec as input', () => {
    for (const compression of Object.values(Compression)) {
      const input = [
        batch(0, [[0, 'a', 'a1'], [1, 'b', 'b1'], [2, 'c', 'c1']], { compression }),
        batch(3, [[0, 'a', 'a2']], { compression }),
      ];
      const result = compact(input);
      assert.deepEqual(actions(result), ['rewritten', 'kept']);
      assert.equal(decodeBatch((result[0] as { bytes: Buffer }).bytes).compression, compression);
      assert.deepEqual(visible(input, result), [[1, 'b', 'b1'], [2, 'c', 'c1'], [3, 'a', 'a2']]);
    }
  });
});
