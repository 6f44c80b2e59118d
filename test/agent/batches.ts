/**
 * Record batches (magic 2) built by hand for the agent's tests, independently of the code under
 * test: the layout is written out here field by field, the CRC is CRC-32C over bytes 21..end.
 * `decodeBatches` reads them back (uncompressed only) so tests can check what a Fetch returned.
 */
import { crc32c } from '../../src/kafka-protocol/crc32c.ts';

export interface RecordInput {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  /** Absolute timestamp (ms); defaults to the batch's base timestamp. */
  timestamp?: number;
  headers?: Array<{ key: string; value: Buffer | string | null }>;
}

export interface BatchOptions {
  baseOffset?: bigint;
  partitionLeaderEpoch?: number;
  attributes?: number;
  /** Defaults to the first record's timestamp, or now. */
  baseTimestamp?: number;
  producerId?: bigint | number;
  producerEpoch?: number;
  baseSequence?: number;
}

function unsignedVarint(n: number): Buffer {
  const bytes: number[] = [];
  let v = n >>> 0;
  while (v >= 0x80) {
    bytes.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

/** Zigzag varint (int32 range). */
function varint(n: number): Buffer {
  return unsignedVarint(((n << 1) ^ (n >> 31)) >>> 0);
}

/** Zigzag varlong. */
function varlong(n: bigint): Buffer {
  let v = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
  const bytes: number[] = [];
  while (v >= 0x80n) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Buffer.from(bytes);
}

function bytesField(value: Buffer | string | null | undefined): Buffer {
  if (value === null || value === undefined) return varint(-1);
  const b = Buffer.isBuffer(value) ? value : Buffer.from(value);
  return Buffer.concat([varint(b.length), b]);
}

/** One magic-2 record batch, uncompressed, with a valid CRC-32C. */
export function buildBatch(records: readonly RecordInput[], options: BatchOptions = {}): Buffer {
  if (records.length === 0) throw new Error('a batch needs at least one record');
  const baseTimestamp = options.baseTimestamp ?? records[0]!.timestamp ?? Date.now();
  let maxTimestamp = baseTimestamp;
  const encoded = records.map((record, i) => {
    const timestamp = record.timestamp ?? baseTimestamp;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    const headers = record.headers ?? [];
    const body = Buffer.concat([
      Buffer.from([0]), // attributes
      varlong(BigInt(timestamp - baseTimestamp)),
      varint(i),
      bytesField(record.key),
      bytesField(record.value),
      varint(headers.length),
      ...headers.flatMap((h) => [bytesField(h.key), bytesField(h.value)]),
    ]);
    return Buffer.concat([varint(body.length), body]);
  });
  const recordBytes = Buffer.concat(encoded);
  const batch = Buffer.alloc(61 + recordBytes.length);
  batch.writeBigInt64BE(options.baseOffset ?? 0n, 0);
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt32BE(options.partitionLeaderEpoch ?? -1, 12);
  batch.writeInt8(2, 16);
  batch.writeInt16BE(options.attributes ?? 0, 21);
  batch.writeInt32BE(records.length - 1, 23);
  batch.writeBigInt64BE(BigInt(baseTimestamp), 27);
  batch.writeBigInt64BE(BigInt(maxTimestamp), 35);
  batch.writeBigInt64BE(BigInt(options.producerId ?? -1), 43);
  batch.writeInt16BE(options.producerEpoch ?? -1, 51);
  batch.writeInt32BE(options.baseSequence ?? -1, 53);
  batch.writeInt32BE(records.length, 57);
  recordBytes.copy(batch, 61);
  batch.writeUInt32BE(crc32c(batch, 21, batch.length), 17);
  return batch;
}

/** `count` records with values `${prefix}-${i}` (keys `k${i}`). */
export function valuesBatch(prefix: string, count: number, options: BatchOptions = {}): Buffer {
  return buildBatch(
    Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: `${prefix}-${i}` })),
    options,
  );
}

export interface DecodedRecord {
  offset: bigint;
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
}

export interface DecodedBatch {
  baseOffset: bigint;
  lastOffsetDelta: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  crcValid: boolean;
  /** The batch's bytes as received. */
  bytes: Buffer;
  records: DecodedRecord[];
}

class Cursor {
  readonly buf: Buffer;
  pos: number;
  constructor(buf: Buffer, pos: number) {
    this.buf = buf;
    this.pos = pos;
  }
  unsignedVarint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new Error('truncated varint');
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
  }
  varint(): number {
    const u = this.unsignedVarint();
    return (u >>> 1) ^ -(u & 1);
  }
  varlong(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new Error('truncated varlong');
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
    }
    return (result >> 1n) ^ -(result & 1n);
  }
  bytes(): Buffer | null {
    const n = this.varint();
    if (n < 0) return null;
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/** Reads a records blob (as a Fetch returns it) back into batches and records. */
export function decodeBatches(blob: Buffer | null): DecodedBatch[] {
  const batches: DecodedBatch[] = [];
  if (!blob) return batches;
  let position = 0;
  while (position + 61 <= blob.length) {
    const size = blob.readInt32BE(position + 8) + 12;
    if (position + size > blob.length) break; // a partial batch at the end is allowed by Kafka
    const bytes = blob.subarray(position, position + size);
    const baseOffset = bytes.readBigInt64BE(0);
    const baseTimestamp = bytes.readBigInt64BE(27);
    const count = bytes.readInt32BE(57);
    if ((bytes.readInt16BE(21) & 0x07) !== 0) throw new Error('compressed batches are not decoded here');
    const cursor = new Cursor(bytes, 61);
    const records: DecodedRecord[] = [];
    for (let i = 0; i < count; i++) {
      const length = cursor.varint();
      const end = cursor.pos + length;
      cursor.pos += 1; // attributes
      const timestampDelta = cursor.varlong();
      const offsetDelta = cursor.varint();
      const key = cursor.bytes();
      const value = cursor.bytes();
      cursor.pos = end; // headers are skipped
      records.push({ offset: baseOffset + BigInt(offsetDelta), timestamp: baseTimestamp + timestampDelta, key, value });
    }
    batches.push({
      baseOffset,
      lastOffsetDelta: bytes.readInt32BE(23),
      producerId: bytes.readBigInt64BE(43),
      producerEpoch: bytes.readInt16BE(51),
      baseSequence: bytes.readInt32BE(53),
      crcValid: crc32c(bytes, 21, bytes.length) === bytes.readUInt32BE(17),
      bytes,
      records,
    });
    position += size;
  }
  return batches;
}

/** Every record's value as a string, in order. */
export function recordValues(blob: Buffer | null): string[] {
  return decodeBatches(blob).flatMap((b) => b.records.map((r) => r.value?.toString() ?? '<null>'));
}
