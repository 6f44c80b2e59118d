import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { compressFrameSync } from 'lz4-napi';
import { compressSync as snappyRaw } from 'snappy';
import {
  BATCH_HEADER_SIZE, Compression, ProtocolError, RecordBatchError, TimestampType, batchLastOffset, crc32c, decodeBatch, decompress,
  deleteHorizonMs, encodeBatch, recordOffset, recordTimestamp, validateBatches, type BatchInput, type BatchRecord,
} from '../../src/kafka-protocol/index.ts';
import { buildBatch } from '../agent/batches.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const T0 = 1_700_000_000_000n;

function record(offsetDelta: number, key: string | Buffer | null, value: string | Buffer | null, extra: Partial<BatchRecord> = {}): BatchRecord {
  const bytes = (v: string | Buffer | null) => (v === null ? null : Buffer.isBuffer(v) ? v : Buffer.from(v));
  return { attributes: 0, timestampDelta: BigInt(offsetDelta), offsetDelta, key: bytes(key), value: bytes(value), headers: [], ...extra };
}

/** A batch's records section with its CRC recomputed, for hand-made payloads. */
function withPayload(batch: Buffer, compression: number, payload: Buffer): Buffer {
  const out = Buffer.concat([batch.subarray(0, BATCH_HEADER_SIZE), payload]);
  out.writeInt32BE(out.length - 12, 8);
  out.writeInt16BE((out.readInt16BE(21) & ~7) | compression, 21);
  out.writeUInt32BE(crc32c(out, 21), 17);
  return out;
}

function failure(fn: () => unknown, code: string): RecordBatchError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof RecordBatchError, `expected a RecordBatchError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

/** Records that exercise every field: null and empty keys and values, headers, binary, sizes past varint byte boundaries. */
function variedRecords(count: number): BatchRecord[] {
  return Array.from({ length: count }, (_, i) => record(
    i * 3,
    i % 7 === 6 ? null : i % 11 === 10 ? Buffer.alloc(0) : `key-${i % 50}`,
    i % 5 === 4 ? null : Buffer.from(`value ${i} `.repeat(1 + (i % 40)) + String.fromCharCode(0, 255 & i)),
    {
      timestampDelta: BigInt(i % 9 === 8 ? -i * 1000 : i * 17),
      headers: i % 3 === 0 ? [] : [
        { key: 'trace', value: Buffer.from(`t${i}`) },
        { key: 'naïve-ключ', value: i % 2 === 0 ? null : Buffer.alloc(0) },
      ],
    },
  ));
}

describe('records of a batch', () => {
  test('decodes a batch built field by field from the spec, and encodes it back byte for byte', () => {
    const batch = buildBatch(
      [
        { key: 'k', value: 'hello', timestamp: Number(T0) },
        { key: null, value: 'hi', timestamp: Number(T0) + 5, headers: [{ key: 'h', value: 'v' }, { key: 'n', value: null }] },
        { key: 'gone', value: null, timestamp: Number(T0) - 3 },
      ],
      { baseOffset: 40n, partitionLeaderEpoch: 7, producerId: 9n, producerEpoch: 2, baseSequence: 11 },
    );
    const decoded = decodeBatch(batch);
    assert.equal(decoded.baseOffset, 40n);
    assert.equal(decoded.partitionLeaderEpoch, 7);
    assert.equal(decoded.lastOffsetDelta, 2);
    assert.equal(decoded.baseTimestamp, T0);
    assert.equal(decoded.maxTimestamp, T0 + 5n);
    assert.deepEqual([decoded.producerId, decoded.producerEpoch, decoded.baseSequence], [9n, 2, 11]);
    assert.equal(decoded.hasDeleteHorizon, false);
    assert.deepEqual(decoded.records, [
      record(0, 'k', 'hello', { timestampDelta: 0n }),
      record(1, null, 'hi', { timestampDelta: 5n, headers: [{ key: 'h', value: Buffer.from('v') }, { key: 'n', value: null }] }),
      record(2, 'gone', null, { timestampDelta: -3n }),
    ]);
    assert.deepEqual(decoded.records.map((r) => recordOffset(decoded, r)), [40n, 41n, 42n]);
    assert.deepEqual(decoded.records.map((r) => recordTimestamp(decoded, r)), [T0, T0 + 5n, T0 - 3n]);
    assert.deepEqual(encodeBatch(decoded), batch);
  });

  test('varints and varlongs are zigzag, as the spec writes them', () => {
    // offsetDelta 64 is zigzag 128 (two bytes), timestampDelta -1 is 1, a key of 64 bytes has length 80 01.
    const batch = encodeBatch({
      baseTimestamp: T0,
      records: [record(64, Buffer.alloc(64, 0x61), null, { timestampDelta: -1n, headers: [{ key: 'h', value: null }] })],
    });
    const body = hex(`00 01 8001 8001 ${'61'.repeat(64)} 01 02 02 68 01`);
    assert.deepEqual(batch.subarray(BATCH_HEADER_SIZE), Buffer.concat([hex('9601'), body]), 'length 75 is zigzag 150');
    assert.equal(batch.readInt32BE(23), 64, 'lastOffsetDelta defaults to the last record');
    assert.equal(batch.readBigInt64BE(35), T0 - 1n, 'maxTimestamp defaults to the largest record timestamp');

    const extremes = [-(2n ** 63n) + T0, 2n ** 62n, -(2n ** 40n), 0n];
    const wide = encodeBatch({ baseTimestamp: 0n, maxTimestamp: 0n, lastOffsetDelta: 2 ** 31 - 1, records: extremes.map((d, i) => record(i === 3 ? 2 ** 31 - 1 : i, null, 'x', { timestampDelta: d })) });
    assert.deepEqual(decodeBatch(wide).records.map((r) => [r.offsetDelta, r.timestampDelta]), [[0, extremes[0]], [1, extremes[1]], [2, extremes[2]], [2 ** 31 - 1, 0n]]);
  });

  for (const [name, compression] of Object.entries(Compression)) {
    test(`round trip with ${name}`, () => {
      const records = variedRecords(1500);
      const input: BatchInput = {
        baseOffset: 123_456_789_012n,
        partitionLeaderEpoch: 3,
        compression,
        lastOffsetDelta: records.at(-1)!.offsetDelta + 10,
        baseTimestamp: T0,
        producerId: 77n,
        producerEpoch: 4,
        baseSequence: 1000,
        records,
      };
      const batch = encodeBatch(input);
      const views = validateBatches(batch);
      assert.ok(!(views instanceof RecordBatchError), 'frames and CRC are valid');
      const decoded = decodeBatch(batch);
      assert.equal(decoded.compression, compression);
      assert.equal(decoded.recordsCount, records.length);
      assert.equal(decoded.lastOffsetDelta, records.at(-1)!.offsetDelta + 10);
      assert.equal(batchLastOffset(decoded), 123_456_789_012n + BigInt(decoded.lastOffsetDelta));
      assert.deepEqual([decoded.producerId, decoded.producerEpoch, decoded.baseSequence, decoded.partitionLeaderEpoch], [77n, 4, 1000, 3]);
      assert.deepEqual(decoded.records, records);
      const uncompressed = encodeBatch({ ...input, compression: Compression.None });
      if (compression !== Compression.None) {
        assert.ok(batch.length < uncompressed.length / 3, `${name} compresses (${batch.length} of ${uncompressed.length} bytes)`);
        assert.deepEqual(decompress(compression, batch.subarray(BATCH_HEADER_SIZE)), uncompressed.subarray(BATCH_HEADER_SIZE));
      }
      assert.deepEqual(encodeBatch({ ...decoded, compression: Compression.None }), uncompressed);
    });
  }

  test('each codec frames its data as Kafka does', () => {
    const data = Buffer.from(Array.from({ length: 100_000 }, (_, i) => `r${i % 1000} `).join(''));
    const framed = (compression: number) => encodeBatch({ compression, baseTimestamp: T0, records: [record(0, null, data)] }).subarray(BATCH_HEADER_SIZE);

    assert.deepEqual(framed(Compression.Gzip).subarray(0, 3), hex('1f8b08'), 'gzip member, deflate');

    const snappy = framed(Compression.Snappy);
    assert.deepEqual(snappy.subarray(0, 16), hex('82 534e41505059 00 00000001 00000001'), 'xerial header, version 1, compatible 1');
    let blocks = 0;
    for (let at = 16; at < snappy.length; blocks++) at += 4 + snappy.readInt32BE(at);
    assert.equal(blocks, Math.ceil((data.length + 7) / 32768), 'one block per 32 KiB of records');

    const lz4 = framed(Compression.Lz4);
    assert.deepEqual(lz4.subarray(0, 4), hex('04224d18'), 'LZ4 frame magic');
    assert.equal(lz4[4]! & 0xc0, 0x40, 'frame version 01');
    assert.equal(lz4[4]! & 0x20, 0x20, 'independent blocks: the only kind the Java client reads');

    assert.deepEqual(framed(Compression.Zstd).subarray(0, 4), hex('28b52ffd'), 'zstd frame magic');
  });

  test('snappy: raw blocks (librdkafka) and concatenated xerial streams are read too', () => {
    const records = variedRecords(200);
    const plain = encodeBatch({ baseTimestamp: T0, records });
    const section = plain.subarray(BATCH_HEADER_SIZE);
    assert.deepEqual(decodeBatch(withPayload(plain, Compression.Snappy, snappyRaw(section))).records, records);

    const xerialStream = (part: Buffer) => {
      const block = snappyRaw(part);
      const length = Buffer.alloc(4);
      length.writeInt32BE(block.length);
      return Buffer.concat([hex('82534e4150505900 00000001 00000001'), length, block]);
    };
    const half = Math.floor(section.length / 2);
    const twoStreams = Buffer.concat([xerialStream(section.subarray(0, half)), xerialStream(section.subarray(half))]);
    assert.deepEqual(decodeBatch(withPayload(plain, Compression.Snappy, twoStreams)).records, records);
  });

  test('lz4: frames with block and content checksums are read', () => {
    const records = variedRecords(300);
    const plain = encodeBatch({ baseTimestamp: T0, records });
    const section = plain.subarray(BATCH_HEADER_SIZE);
    for (const options of [{ contentChecksum: true }, { blockChecksums: true }, { contentChecksum: true, blockChecksums: true }]) {
      const frame = compressFrameSync(section, options);
      assert.notEqual(frame[4]! & 0x14, 0, `flags set for ${JSON.stringify(options)}`);
      assert.deepEqual(decodeBatch(withPayload(plain, Compression.Lz4, frame)).records, records);
      const corrupt = Buffer.from(frame);
      corrupt[corrupt.length - 2]! ^= 0xff;
      failure(() => decodeBatch(withPayload(plain, Compression.Lz4, corrupt)), 'CORRUPT_RECORDS');
    }
  });

  test('header fields: attributes bits, LogAppendTime, delete horizon, an empty batch', () => {
    const batch = decodeBatch(encodeBatch({
      timestampType: TimestampType.LogAppendTime,
      isTransactional: true,
      isControl: true,
      hasDeleteHorizon: true,
      compression: Compression.Zstd,
      baseTimestamp: T0 + 86_400_000n,
      maxTimestamp: T0 + 50n,
      producerId: 5n,
      producerEpoch: 1,
      baseSequence: 0,
      records: [record(0, null, 'x')],
    }));
    assert.equal(batch.attributes, 0x40 | 0x20 | 0x10 | 0x08 | 4);
    assert.deepEqual([batch.isTransactional, batch.isControl, batch.hasDeleteHorizon, batch.timestampType], [true, true, true, TimestampType.LogAppendTime]);
    assert.equal(deleteHorizonMs(batch), T0 + 86_400_000n);
    assert.equal(recordTimestamp(batch, batch.records[0]!), T0 + 50n, 'LogAppendTime: the batch maxTimestamp');

    const empty = encodeBatch({ baseOffset: 10n, lastOffsetDelta: 4, baseTimestamp: T0, producerId: 3n, producerEpoch: 0, baseSequence: 20, records: [] });
    assert.equal(empty.length, BATCH_HEADER_SIZE);
    const decoded = decodeBatch(empty);
    assert.deepEqual([decoded.recordsCount, decoded.records.length, batchLastOffset(decoded), decoded.maxTimestamp, deleteHorizonMs(decoded)], [0, 0, 14n, T0, null]);
  });

  test('damaged batches are refused with the reason', () => {
    const good = encodeBatch({ compression: Compression.Gzip, baseTimestamp: T0, records: variedRecords(20) });
    const flipped = Buffer.from(good);
    flipped[good.length - 30]! ^= 1;
    failure(() => decodeBatch(flipped), 'CRC_MISMATCH');
    failure(() => decodeBatch(Buffer.concat([good, good])), 'INVALID_LENGTH');
    failure(() => decodeBatch(good.subarray(0, 70)), 'TRUNCATED');
    failure(() => decodeBatch(withPayload(good, Compression.Gzip, Buffer.from('not gzip at all'))), 'CORRUPT_RECORDS');
    failure(() => decodeBatch(withPayload(good, 5, good.subarray(BATCH_HEADER_SIZE))), 'CORRUPT_RECORDS');

    const plain = encodeBatch({ baseTimestamp: T0, records: [record(0, 'a', 'b'), record(1, 'c', 'd')] });
    const section = plain.subarray(BATCH_HEADER_SIZE);
    const recount = (n: number) => {
      const b = Buffer.from(plain);
      b.writeInt32BE(n, 57);
      b.writeUInt32BE(crc32c(b, 21), 17);
      return b;
    };
    assert.match(failure(() => decodeBatch(recount(3)), 'CORRUPT_RECORDS').message, /records/);
    assert.match(failure(() => decodeBatch(recount(1)), 'CORRUPT_RECORDS').message, /bytes after 1 records/);
    failure(() => decodeBatch(withPayload(plain, 0, Buffer.concat([section, hex('00')]))), 'CORRUPT_RECORDS');
    const longer = Buffer.from(section);
    longer[0] = longer[0]! + 2; // the first record claims 1 byte more than it has
    failure(() => decodeBatch(withPayload(plain, 0, longer)), 'CORRUPT_RECORDS');
    const gzipped = withPayload(plain, Compression.Gzip, gzipSync(Buffer.concat([section, hex('00')])));
    failure(() => decodeBatch(gzipped), 'CORRUPT_RECORDS');
  });

  test('the encoder refuses offsets that cannot be', () => {
    const refused = (records: BatchRecord[], lastOffsetDelta?: number) =>
      assert.throws(() => encodeBatch({ baseTimestamp: T0, lastOffsetDelta, records }), (e: unknown) => e instanceof ProtocolError && e.code === 'INVALID_VALUE');
    refused([record(1, 'a', 'b'), record(1, 'c', 'd')]);
    refused([record(2, 'a', 'b'), record(1, 'c', 'd')]);
    refused([record(-1, 'a', 'b')]);
    refused([record(5, 'a', 'b')], 4);
    assert.equal(encodeBatch({ baseTimestamp: T0, lastOffsetDelta: 9, records: [record(5, 'a', 'b')] }).readInt32BE(23), 9);
  });
});
