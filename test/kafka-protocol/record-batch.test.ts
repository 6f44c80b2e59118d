import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BATCH_HEADER_SIZE, Compression, RecordBatchError, TimestampType, assignOffsets, crc32c as crc32cNative, decodeRequest,
  encodeRequest, isRequest, readBatchHeader, Reader, validateBatches, withBaseOffset, type RecordBatchView,
} from '../../src/kafka-protocol/index.ts';
import { CRC32C_IMPLEMENTATION, crc32cJs } from '../../src/kafka-protocol/crc32c.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Bit-at-a-time CRC-32C, the definition, to check the table-driven one against. */
function crc32cReference(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

for (const [name, crc32c] of [['crc32c', crc32cNative], ['crc32cJs (fallback)', crc32cJs]] as const) {
  describe(name, () => {
    test('known vectors (RFC 3720 B.4 and the check value)', () => {
      assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
      assert.equal(crc32c(Buffer.alloc(0)), 0);
      assert.equal(crc32c(Buffer.alloc(32)), 0x8a9136aa);
      assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
      assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i))), 0x46dd794e);
      assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i))), 0x113fdb5c);
    });

    test('matches the bitwise definition at every length and offset, and continues across pieces', () => {
      const data = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff));
      for (let start = 0; start < 9; start++) {
        for (let end = start; end <= data.length; end += 7) {
          assert.equal(crc32c(data, start, end), crc32cReference(data.subarray(start, end)), `${start}..${end}`);
        }
      }
      assert.equal(crc32c(data, 100, 300, crc32c(data, 0, 100)), crc32c(data));
      // A view into a larger buffer (as batches are, inside a request frame).
      const framed = Buffer.concat([Buffer.alloc(13, 9), data]).subarray(13);
      assert.equal(crc32c(framed, 5, 200), crc32cReference(data.subarray(5, 200)));
    });
  });
}

test('the native CRC-32C is the one in use where its prebuilt binary exists (linux x64)', { skip: process.platform !== 'linux' || process.arch !== 'x64' }, () => {
  assert.equal(CRC32C_IMPLEMENTATION, 'native');
});

// Record (v2) layout: length varint, attributes int8, timestampDelta varlong, offsetDelta
// varint, keyLength varint (-1 null), key, valueLength varint, value, headerCount varint,
// headers (keyLength varint, key, valueLength varint, value). Varints are zigzag.
const RECORD_0 = hex(`18  00  00  00  02 6b  0a 68656c6c6f  00`); // key "k", value "hello"
const RECORD_1 = hex(`18  00  0a  02  01  04 6869  02 02 68 02 76`); // +5 ms, offset +1, null key, "hi", header h=v

/** A batch built field by field from the spec layout (see record-batch.ts), CRC filled in. */
function handBuiltBatch(opts: { baseOffset?: string; attributes?: string; producer?: string } = {}): Buffer {
  const records = Buffer.concat([RECORD_0, RECORD_1]);
  const length = (BATCH_HEADER_SIZE - 12 + records.length).toString(16).padStart(8, '0');
  const batch = Buffer.concat([hex(`
    ${opts.baseOffset ?? '0000000000000000'}
    ${length}
    ffffffff
    02
    00000000
    ${opts.attributes ?? '0000'}
    00000001
    0000018bcfe56800
    0000018bcfe56805
    ${opts.producer ?? 'ffffffffffffffff ffff ffffffff'}
    00000002
  `), records]);
  batch.writeUInt32BE(crc32cNative(batch, 21), 17);
  return batch;
}

/** Parses the (uncompressed) records of a batch, to check the hand-built bytes follow the spec. */
function parseRecords(batch: Buffer) {
  const r = new Reader(batch, BATCH_HEADER_SIZE);
  const text = () => {
    const n = r.readVarInt();
    return n < 0 ? null : r.readRaw(n).toString();
  };
  const out = [];
  for (let i = batch.readInt32BE(57); i > 0; i--) {
    const end = r.readVarInt() + r.offset;
    r.readInt8();
    const timestampDelta = r.readVarLong();
    const offsetDelta = r.readVarInt();
    const key = text();
    const value = text();
    const headers: [string | null, string | null][] = [];
    for (let h = r.readVarInt(); h > 0; h--) headers.push([text(), text()]);
    assert.equal(r.offset, end, 'record length');
    out.push({ offsetDelta, timestampDelta, key, value, headers });
  }
  assert.equal(r.remaining, 0);
  return out;
}

function views(result: RecordBatchView[] | RecordBatchError): RecordBatchView[] {
  if (result instanceof RecordBatchError) assert.fail(result.message);
  return result;
}

function failure(result: RecordBatchView[] | RecordBatchError, code: string): RecordBatchError {
  assert.ok(result instanceof RecordBatchError, 'expected a RecordBatchError');
  assert.equal(result.code, code, result.message);
  return result;
}

describe('record batches', () => {
  test('a hand-built batch validates and its header reads back', () => {
    const batch = handBuiltBatch();
    assert.equal(batch.length, 61 + 26);
    const [view, ...rest] = views(validateBatches(batch));
    assert.equal(rest.length, 0);
    assert.deepEqual({ ...view, bytes: undefined }, {
      position: 0,
      bytes: undefined,
      baseOffset: 0n,
      batchLength: batch.length - 12,
      partitionLeaderEpoch: -1,
      magic: 2,
      crc: batch.readUInt32BE(17),
      attributes: 0,
      compression: Compression.None,
      timestampType: TimestampType.CreateTime,
      isTransactional: false,
      isControl: false,
      lastOffsetDelta: 1,
      baseTimestamp: 1700000000000n,
      maxTimestamp: 1700000000005n,
      producerId: -1n,
      producerEpoch: -1,
      baseSequence: -1,
      recordsCount: 2,
    });
    assert.equal(view!.bytes.buffer, batch.buffer, 'a view, not a copy');
    assert.deepEqual(view!.bytes.subarray(61), Buffer.concat([RECORD_0, RECORD_1]), 'records untouched');
    assert.deepEqual(parseRecords(view!.bytes), [
      { offsetDelta: 0, timestampDelta: 0n, key: 'k', value: 'hello', headers: [] },
      { offsetDelta: 1, timestampDelta: 5n, key: null, value: 'hi', headers: [['h', 'v']] },
    ]);
  });

  test('attributes: compression, timestamp type, transactional, control', () => {
    // zstd (4) | log append time (8) | transactional (16) | control (32)
    const h = readBatchHeader(handBuiltBatch({ attributes: '003c', producer: '0000000000000007 0003 00000000' }));
    assert.equal(h.compression, Compression.Zstd);
    assert.equal(h.timestampType, TimestampType.LogAppendTime);
    assert.equal(h.isTransactional, true);
    assert.equal(h.isControl, true);
    assert.equal(h.producerId, 7n);
    assert.equal(h.producerEpoch, 3);
    assert.equal(h.baseSequence, 0);
  });

  test('several batches in one blob; an empty blob has none', () => {
    const second = handBuiltBatch({ baseOffset: '0000000000000002', attributes: '0001' });
    const blob = Buffer.concat([handBuiltBatch(), second]);
    const list = views(validateBatches(blob));
    assert.deepEqual(list.map((b) => [b.position, b.baseOffset, b.compression]), [[0, 0n, 0], [87, 2n, Compression.Gzip]]);
    assert.deepEqual(views(validateBatches(Buffer.alloc(0))), []);
  });

  test('any flipped byte under the CRC is rejected; baseOffset and leader epoch are outside it', () => {
    const batch = handBuiltBatch();
    for (let i = 0; i < batch.length; i++) {
      const bad = Buffer.from(batch);
      bad[i]! ^= 0x01;
      const result = validateBatches(bad);
      if (i < 8 || (i >= 12 && i < 16)) {
        views(result);
      } else if (i < 12) {
        assert.ok(result instanceof RecordBatchError, `byte ${i} (batchLength)`);
      } else if (i === 16) {
        assert.equal(failure(result, 'UNSUPPORTED_MAGIC').errorCode, 87);
      } else {
        const e = failure(result, 'CRC_MISMATCH');
        assert.equal(e.errorCode, 2, 'CORRUPT_MESSAGE');
        assert.equal(e.position, 0);
      }
    }
  });

  test('truncated and mis-sized batches', () => {
    const batch = handBuiltBatch();
    for (let cut = 1; cut < batch.length; cut++) failure(validateBatches(batch.subarray(0, cut)), 'TRUNCATED');
    const blob = Buffer.concat([batch, batch.subarray(0, 20)]);
    assert.equal(failure(validateBatches(blob), 'TRUNCATED').position, batch.length);
    const small = Buffer.from(batch);
    small.writeInt32BE(10, 8);
    failure(validateBatches(small), 'INVALID_LENGTH');
    const negative = Buffer.from(batch);
    negative.writeInt32BE(-1, 8);
    failure(validateBatches(negative), 'INVALID_LENGTH');
  });

  test('producer rules', () => {
    views(validateBatches(handBuiltBatch(), { fromProducer: true }));
    const control = handBuiltBatch({ attributes: '0020' });
    views(validateBatches(control));
    failure(validateBatches(control, { fromProducer: true }), 'INVALID_RECORD');
    const noSequence = handBuiltBatch({ producer: '0000000000000007 0000 ffffffff' });
    assert.equal(failure(validateBatches(noSequence, { fromProducer: true }), 'INVALID_RECORD').errorCode, 87);
    const badDelta = handBuiltBatch();
    badDelta.writeInt32BE(5, 23);
    badDelta.writeUInt32BE(crc32cNative(badDelta, 21), 17);
    views(validateBatches(badDelta));
    failure(validateBatches(badDelta, { fromProducer: true }), 'INVALID_RECORD');
  });

  test('withBaseOffset rewrites a copy, and the CRC still holds', () => {
    const batch = handBuiltBatch();
    const moved = withBaseOffset(batch, 1234567890123n);
    assert.equal(batch.readBigInt64BE(0), 0n, 'original untouched');
    assert.equal(views(validateBatches(moved))[0]!.baseOffset, 1234567890123n);
    assert.deepEqual(moved.subarray(8), batch.subarray(8));
  });

  test('assignOffsets numbers batches consecutively', () => {
    const blob = Buffer.concat([handBuiltBatch(), handBuiltBatch()]);
    const { records, lastOffset } = assignOffsets(blob, 100n);
    assert.deepEqual(views(validateBatches(records)).map((b) => b.baseOffset), [100n, 102n]);
    assert.equal(lastOffset, 103n);
    assert.equal(blob.readBigInt64BE(0), 0n, 'original untouched');
    assert.throws(() => assignOffsets(blob.subarray(0, 70), 0n), RecordBatchError);
  });

  test('a batch carried in a Produce request comes out byte for byte', () => {
    const batch = handBuiltBatch();
    const frame = encodeRequest(
      { apiKey: 0, apiVersion: 9, correlationId: 1, clientId: 'p' },
      { acks: -1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records: batch }] }] },
    );
    const req = decodeRequest(frame);
    assert.ok(isRequest(req, 0));
    const records = req.body.topicData[0]!.partitionData[0]!.records!;
    assert.deepEqual(records, batch);
    assert.equal(views(validateBatches(records)).length, 1);
  });
});
