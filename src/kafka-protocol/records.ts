/**
 * The records inside a magic-2 record batch: decoded out of one (any compression) and encoded
 * into a new one. Only the log's background jobs (compaction) and ListOffsets by timestamp look
 * inside batches; the produce and fetch paths pass them through untouched (record-batch.ts).
 *
 * The records section (bytes 61..end of the batch, compressed as a whole as the attributes say)
 * holds `recordsCount` records, each (varint = zigzag varint, varlong = zigzag varlong):
 *
 *   length          varint   bytes of the record after this field
 *   attributes      int8     unused, 0
 *   timestampDelta  varlong  timestamp - the batch's baseTimestamp
 *   offsetDelta     varint   offset - the batch's baseOffset
 *   keyLength       varint   -1 for a null key
 *   key             bytes
 *   valueLength     varint   -1 for a null value (a tombstone)
 *   value           bytes
 *   headerCount     varint
 *   headers         headerKeyLength varint, headerKey UTF-8, headerValueLength varint (-1 null), headerValue
 */
import { compress, CompressionError, decompress } from './compression.ts';
import { crc32c } from './crc32c.ts';
import { ProtocolError } from './errors.ts';
import { Reader } from './reader.ts';
import {
  BATCH_HEADER_SIZE, BatchAttribute, Compression, RecordBatchError, TimestampType, validateBatches, type RecordBatchHeader,
} from './record-batch.ts';
import { Writer } from './writer.ts';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface BatchRecord {
  attributes: number;
  timestampDelta: bigint;
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface DecodedBatch extends RecordBatchHeader {
  /** Attributes bit 6 (KIP-534): `baseTimestamp` holds the delete horizon the log cleaner set. */
  hasDeleteHorizon: boolean;
  /** Keys, values and header values are views into the batch (or into its decompressed records). */
  records: BatchRecord[];
}

/** The smallest record: a length and six one-byte fields. */
const MIN_RECORD_SIZE = 7;
/** A header with an empty key and a null value. */
const MIN_HEADER_SIZE = 2;
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Decodes one whole batch (exactly one: `bytes` holds nothing after it). Checks what
 * `validateBatches` checks (framing, magic 2, CRC-32C), then that the records section holds
 * exactly `recordsCount` well-formed records. Throws a `RecordBatchError`.
 */
export function decodeBatch(bytes: Buffer): DecodedBatch {
  const views = validateBatches(bytes);
  if (views instanceof RecordBatchError) throw views;
  const [header, ...more] = views;
  if (!header) throw new RecordBatchError('TRUNCATED', 'no batch in 0 bytes', 0);
  if (more.length > 0) throw new RecordBatchError('INVALID_LENGTH', `${more.length} more batches after the first`, more[0]!.position);
  const { position: _position, bytes: _bytes, ...fields } = header;
  let records: Buffer;
  try {
    records = decompress(header.compression, bytes.subarray(BATCH_HEADER_SIZE));
  } catch (error) {
    if (error instanceof CompressionError) throw new RecordBatchError('CORRUPT_RECORDS', error.message, 0);
    throw error;
  }
  return { ...fields, hasDeleteHorizon: (header.attributes & BatchAttribute.DeleteHorizon) !== 0, records: readRecords(records, header.recordsCount) };
}

function readRecords(section: Buffer, count: number): BatchRecord[] {
  const r = new Reader(section);
  const records: BatchRecord[] = [];
  try {
    r.checkCount(count, MIN_RECORD_SIZE);
    for (let i = 0; i < count; i++) {
      const length = r.readVarInt();
      if (length < MIN_RECORD_SIZE - 1 || length > r.remaining) throw new ProtocolError('INVALID', `record ${i} of ${length} bytes, ${r.remaining} left`);
      const end = r.offset + length;
      const record = new Reader(section, r.offset, end);
      const attributes = record.readInt8();
      const timestampDelta = record.readVarLong();
      const offsetDelta = record.readVarInt();
      const key = nullableBytes(record);
      const value = nullableBytes(record);
      const headers: RecordHeader[] = [];
      const headerCount = record.readVarInt();
      if (headerCount < 0) throw new ProtocolError('INVALID', `record ${i}: ${headerCount} headers`);
      for (let h = record.checkCount(headerCount, MIN_HEADER_SIZE); h > 0; h--) {
        const keyLength = record.readVarInt();
        if (keyLength < 0) throw new ProtocolError('INVALID', `record ${i}: header key of length ${keyLength}`);
        headers.push({ key: record.readRaw(keyLength).toString('utf8'), value: nullableBytes(record) });
      }
      if (record.remaining !== 0) throw new ProtocolError('INVALID', `record ${i}: ${record.remaining} bytes after its headers`);
      records.push({ attributes, timestampDelta, offsetDelta, key, value, headers });
      r.offset = end;
    }
    if (r.remaining !== 0) throw new ProtocolError('INVALID', `${r.remaining} bytes after ${count} records`);
  } catch (error) {
    if (error instanceof ProtocolError) throw new RecordBatchError('CORRUPT_RECORDS', `records: ${error.message}`, 0);
    throw error;
  }
  return records;
}

function nullableBytes(r: Reader): Buffer | null {
  const length = r.readVarInt();
  return length < 0 ? null : r.readRaw(length);
}

/** The offset of one record of `batch`. */
export function recordOffset(batch: Pick<RecordBatchHeader, 'baseOffset'>, record: Pick<BatchRecord, 'offsetDelta'>): bigint {
  return batch.baseOffset + BigInt(record.offsetDelta);
}

/**
 * The timestamp of one record of `batch`, as consumers see it: the batch's maxTimestamp under
 * LogAppendTime (the broker sets only that field), else baseTimestamp + timestampDelta.
 */
export function recordTimestamp(batch: Pick<RecordBatchHeader, 'timestampType' | 'baseTimestamp' | 'maxTimestamp'>, record: Pick<BatchRecord, 'timestampDelta'>): bigint {
  return batch.timestampType === TimestampType.LogAppendTime ? batch.maxTimestamp : batch.baseTimestamp + record.timestampDelta;
}

/** A record's place in the log, as ListOffsets answers it. */
export interface RecordPosition {
  offset: bigint;
  timestamp: bigint;
}

/**
 * The first record of `batch` at `fromOffset` or later whose timestamp is at or after `target`
 * (Kafka's ListOffsets by timestamp: the earliest such offset), or undefined when none is.
 */
export function recordAtTimestamp(batch: DecodedBatch, target: bigint, fromOffset: bigint): RecordPosition | undefined {
  for (const record of batch.records) {
    const offset = recordOffset(batch, record);
    const timestamp = recordTimestamp(batch, record);
    if (offset >= fromOffset && timestamp >= target) return { offset, timestamp };
  }
  return undefined;
}

/**
 * The record of `batch` at `fromOffset` or later with the largest timestamp, the first of equals
 * (ListOffsets' MAX_TIMESTAMP, KIP-734), or undefined when the batch has none there.
 */
export function recordWithMaxTimestamp(batch: DecodedBatch, fromOffset: bigint): RecordPosition | undefined {
  let best: RecordPosition | undefined;
  for (const record of batch.records) {
    const offset = recordOffset(batch, record);
    const timestamp = recordTimestamp(batch, record);
    if (offset >= fromOffset && (!best || timestamp > best.timestamp)) best = { offset, timestamp };
  }
  return best;
}

/** The last offset a batch covers (it may have no record there: compaction leaves gaps). */
export function batchLastOffset(batch: Pick<RecordBatchHeader, 'baseOffset' | 'lastOffsetDelta'>): bigint {
  return batch.baseOffset + BigInt(batch.lastOffsetDelta);
}

/** The delete horizon (KIP-534) the log cleaner put in `batch`, or null. */
export function deleteHorizonMs(batch: Pick<DecodedBatch, 'hasDeleteHorizon' | 'baseTimestamp'>): bigint | null {
  return batch.hasDeleteHorizon ? batch.baseTimestamp : null;
}

export interface BatchInput {
  /** Default 0. */
  baseOffset?: bigint;
  /** Default -1. */
  partitionLeaderEpoch?: number;
  /** Default `Compression.None`. */
  compression?: number;
  /** Default `TimestampType.CreateTime`. */
  timestampType?: number;
  isTransactional?: boolean;
  isControl?: boolean;
  /** Sets attributes bit 6: `baseTimestamp` is then the delete horizon (KIP-534). */
  hasDeleteHorizon?: boolean;
  /**
   * Default: the last record's offsetDelta (0 without records). May be larger: a compacted
   * batch keeps the lastOffsetDelta it was produced with, and the producer's sequence with it.
   */
  lastOffsetDelta?: number;
  /** The field at byte 27: the first record's timestamp, or the delete horizon. Records' timestampDeltas count from it. */
  baseTimestamp: bigint;
  /** Default: the largest baseTimestamp + timestampDelta (baseTimestamp without records). Give it for LogAppendTime. */
  maxTimestamp?: bigint;
  /** Default -1 (none). */
  producerId?: bigint;
  /** Default -1. */
  producerEpoch?: number;
  /** Default -1. */
  baseSequence?: number;
  records: readonly BatchRecord[];
}

/**
 * One magic-2 batch holding `batch.records` in order, its records section compressed with
 * `batch.compression` (as Kafka's Java client frames it), its CRC-32C computed. The attributes
 * are made from the named fields. Record offsetDeltas must rise strictly, from 0 up to
 * lastOffsetDelta; throws a `ProtocolError` (`INVALID_VALUE`) otherwise. A decoded batch
 * encodes back to itself byte for byte when uncompressed (compressors may differ in their bytes).
 */
export function encodeBatch(batch: BatchInput): Buffer {
  const records = batch.records;
  const lastRecordDelta = records.length > 0 ? records[records.length - 1]!.offsetDelta : 0;
  const lastOffsetDelta = batch.lastOffsetDelta ?? lastRecordDelta;
  let previous = -1;
  let maxTimestamp = batch.baseTimestamp;
  const section = new Writer(1024);
  for (const [i, record] of records.entries()) {
    if (!Number.isInteger(record.offsetDelta) || record.offsetDelta <= previous || record.offsetDelta > lastOffsetDelta) {
      throw new ProtocolError('INVALID_VALUE', `record ${i}: offsetDelta ${record.offsetDelta} after ${previous}, lastOffsetDelta ${lastOffsetDelta}`);
    }
    previous = record.offsetDelta;
    const timestamp = batch.baseTimestamp + record.timestampDelta;
    if (i === 0 || timestamp > maxTimestamp) maxTimestamp = timestamp;
    writeRecord(section, record);
  }
  const compression = batch.compression ?? Compression.None;
  const payload = compress(compression, section.toBuffer());

  const attributes = compression
    | (batch.timestampType === TimestampType.LogAppendTime ? BatchAttribute.LogAppendTime : 0)
    | (batch.isTransactional ? BatchAttribute.Transactional : 0)
    | (batch.isControl ? BatchAttribute.Control : 0)
    | (batch.hasDeleteHorizon ? BatchAttribute.DeleteHorizon : 0);
  const out = Buffer.alloc(BATCH_HEADER_SIZE + payload.length);
  out.writeBigInt64BE(batch.baseOffset ?? 0n, 0);
  out.writeInt32BE(out.length - 12, 8);
  out.writeInt32BE(batch.partitionLeaderEpoch ?? -1, 12);
  out.writeInt8(2, 16);
  out.writeInt16BE(attributes, 21);
  out.writeInt32BE(lastOffsetDelta, 23);
  out.writeBigInt64BE(int64(batch.baseTimestamp, 'baseTimestamp'), 27);
  out.writeBigInt64BE(int64(batch.maxTimestamp ?? maxTimestamp, 'maxTimestamp'), 35);
  out.writeBigInt64BE(batch.producerId ?? -1n, 43);
  out.writeInt16BE(batch.producerEpoch ?? -1, 51);
  out.writeInt32BE(batch.baseSequence ?? -1, 53);
  out.writeInt32BE(records.length, 57);
  payload.copy(out, BATCH_HEADER_SIZE);
  out.writeUInt32BE(crc32c(out, 21), 17);
  return out;
}

function int64(v: bigint, what: string): bigint {
  if (v > INT64_MAX || v < -INT64_MAX - 1n) throw new ProtocolError('INVALID_VALUE', `${what} ${v} is outside int64`);
  return v;
}

function writeRecord(out: Writer, record: BatchRecord): void {
  const body = new Writer(64);
  body.writeInt8(record.attributes);
  body.writeVarLong(record.timestampDelta);
  body.writeVarInt(record.offsetDelta);
  writeNullableBytes(body, record.key);
  writeNullableBytes(body, record.value);
  body.writeVarInt(record.headers.length);
  for (const header of record.headers) {
    const key = Buffer.from(header.key, 'utf8');
    body.writeVarInt(key.length).writeRaw(key);
    writeNullableBytes(body, header.value);
  }
  out.writeVarInt(body.length);
  for (const chunk of body.toChunks()) out.writeRaw(chunk);
}

function writeNullableBytes(out: Writer, bytes: Buffer | null): void {
  if (bytes === null) out.writeVarInt(-1);
  else out.writeVarInt(bytes.length).writeRaw(bytes);
}

/** Kafka's control record types (the key's second int16). */
export const ControlRecordType = { Abort: 0, Commit: 1 } as const;

export interface ControlMarker {
  commit: boolean;
  producerId: bigint;
  producerEpoch: number;
  /** The marker's time (the batch's base and max timestamp). */
  timestamp: bigint;
  /** The coordinator's epoch when it wrote the marker (clients ignore it); default 0. */
  coordinatorEpoch?: number;
}

/**
 * A COMMIT or ABORT marker as a transaction coordinator writes it: a transactional control
 * batch of the producer holding one control record (base offset 0; the log gives it its own).
 *
 *   key    version int16 (0), type int16 (ControlRecordType)
 *   value  version int16 (0), coordinatorEpoch int32
 */
export function encodeControlBatch(marker: ControlMarker): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(marker.commit ? ControlRecordType.Commit : ControlRecordType.Abort, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(marker.coordinatorEpoch ?? 0, 2);
  return encodeBatch({
    isTransactional: true,
    isControl: true,
    baseTimestamp: marker.timestamp,
    producerId: marker.producerId,
    producerEpoch: marker.producerEpoch,
    records: [{ attributes: 0, timestampDelta: 0n, offsetDelta: 0, key, value, headers: [] }],
  });
}

/** The marker a control batch holds, or undefined when the batch is not a transaction marker. */
export function decodeControlBatch(batch: DecodedBatch): { commit: boolean; producerId: bigint; producerEpoch: number } | undefined {
  const key = batch.records[0]?.key;
  if (!batch.isControl || !key || key.length < 4) return undefined;
  const type = key.readInt16BE(2);
  if (type !== ControlRecordType.Abort && type !== ControlRecordType.Commit) return undefined;
  return { commit: type === ControlRecordType.Commit, producerId: batch.producerId, producerEpoch: batch.producerEpoch };
}
