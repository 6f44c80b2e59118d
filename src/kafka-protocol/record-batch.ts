/**
 * Record batches (magic 2), read without touching the records. Layout, big-endian:
 *
 *   offset  field                  type
 *        0  baseOffset             int64
 *        8  batchLength            int32   bytes after this field (total size - 12)
 *       12  partitionLeaderEpoch   int32
 *       16  magic                  int8    2
 *       17  crc                    uint32  CRC-32C of bytes 21..end
 *       21  attributes             int16   bits 0-2 compression, 3 timestamp type,
 *                                          4 transactional, 5 control, 6 delete horizon
 *       23  lastOffsetDelta        int32
 *       27  baseTimestamp          int64
 *       35  maxTimestamp           int64
 *       43  producerId             int64
 *       51  producerEpoch          int16
 *       53  baseSequence           int32
 *       57  recordsCount           int32
 *       61  records                (compressed as the attributes say)
 *
 * baseOffset and partitionLeaderEpoch sit before the CRC'd range, so a broker can set them
 * without recomputing the checksum.
 */
import { crc32c } from './crc32c.ts';

export const BATCH_HEADER_SIZE = 61;
/** baseOffset + batchLength: the part of the header that batchLength does not count. */
const LOG_OVERHEAD = 12;
const CRC_START = 21;

export const Compression = { None: 0, Gzip: 1, Snappy: 2, Lz4: 3, Zstd: 4 } as const;
export const TimestampType = { CreateTime: 0, LogAppendTime: 1 } as const;
/** The bits of a batch's attributes (int16 at byte 21). */
export const BatchAttribute = {
  CompressionMask: 0x07,
  LogAppendTime: 0x08,
  Transactional: 0x10,
  Control: 0x20,
  /** KIP-534: the log cleaner put a delete horizon in the baseTimestamp field. */
  DeleteHorizon: 0x40,
} as const;

export interface RecordBatchHeader {
  baseOffset: bigint;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  compression: number;
  timestampType: number;
  isTransactional: boolean;
  isControl: boolean;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
}

export interface RecordBatchView extends RecordBatchHeader {
  /** Where the batch starts in the records blob. */
  position: number;
  /** The whole batch (header and records), a view into the blob. */
  bytes: Buffer;
}

/** `CORRUPT_RECORDS`: the records section cannot be decompressed or read (records.ts). */
export type RecordBatchErrorCode = 'TRUNCATED' | 'INVALID_LENGTH' | 'UNSUPPORTED_MAGIC' | 'CRC_MISMATCH' | 'INVALID_RECORD' | 'CORRUPT_RECORDS';

/** Kafka error codes for the answer to a produce request. */
const CORRUPT_MESSAGE = 2;
const INVALID_RECORD = 87;

export class RecordBatchError extends Error {
  readonly code: RecordBatchErrorCode;
  /** The Kafka error code to put in a produce response. */
  readonly errorCode: number;
  /** Byte position of the offending batch in the blob. */
  readonly position: number;

  constructor(code: RecordBatchErrorCode, message: string, position: number) {
    super(`${message} (batch at byte ${position})`);
    this.name = 'RecordBatchError';
    this.code = code;
    this.errorCode = code === 'UNSUPPORTED_MAGIC' || code === 'INVALID_RECORD' ? INVALID_RECORD : CORRUPT_MESSAGE;
    this.position = position;
  }
}

/** Reads the header of the batch at `position`; the caller ensures 61 bytes are there. */
export function readBatchHeader(buf: Buffer, position = 0): RecordBatchHeader {
  const attributes = buf.readInt16BE(position + 21);
  return {
    baseOffset: buf.readBigInt64BE(position),
    batchLength: buf.readInt32BE(position + 8),
    partitionLeaderEpoch: buf.readInt32BE(position + 12),
    magic: buf.readInt8(position + 16),
    crc: buf.readUInt32BE(position + 17),
    attributes,
    compression: attributes & BatchAttribute.CompressionMask,
    timestampType: attributes & BatchAttribute.LogAppendTime ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    isTransactional: (attributes & BatchAttribute.Transactional) !== 0,
    isControl: (attributes & BatchAttribute.Control) !== 0,
    lastOffsetDelta: buf.readInt32BE(position + 23),
    baseTimestamp: buf.readBigInt64BE(position + 27),
    maxTimestamp: buf.readBigInt64BE(position + 35),
    producerId: buf.readBigInt64BE(position + 43),
    producerEpoch: buf.readInt16BE(position + 51),
    baseSequence: buf.readInt32BE(position + 53),
    recordsCount: buf.readInt32BE(position + 57),
  };
}

export interface ValidateOptions {
  /**
   * Also apply the rules a broker applies to batches from producers: at least one record,
   * `lastOffsetDelta + 1 === recordsCount`, no control batches, a sequence when there is a
   * producer id.
   */
  fromProducer?: boolean;
}

/**
 * Splits a records blob into batches and checks each: complete, a sane batchLength, magic 2,
 * a matching CRC-32C. Returns the batches, or the error for the first bad one.
 */
export function validateBatches(records: Buffer, options: ValidateOptions = {}): RecordBatchView[] | RecordBatchError {
  const batches: RecordBatchView[] = [];
  let position = 0;
  while (position < records.length) {
    const left = records.length - position;
    if (left < LOG_OVERHEAD) return new RecordBatchError('TRUNCATED', `${left} bytes cannot hold a batch`, position);
    const size = records.readInt32BE(position + 8) + LOG_OVERHEAD;
    if (size < BATCH_HEADER_SIZE) return new RecordBatchError('INVALID_LENGTH', `batch size ${size} is below ${BATCH_HEADER_SIZE}`, position);
    if (size > left) return new RecordBatchError('TRUNCATED', `batch of ${size} bytes but ${left} left`, position);
    const magic = records.readInt8(position + 16);
    if (magic !== 2) return new RecordBatchError('UNSUPPORTED_MAGIC', `magic ${magic}, only 2 is supported`, position);
    const header = readBatchHeader(records, position);
    const crc = crc32c(records, position + CRC_START, position + size);
    if (crc !== header.crc) {
      return new RecordBatchError('CRC_MISMATCH', `CRC ${hex(header.crc)} but the data has ${hex(crc)}`, position);
    }
    if (header.recordsCount < 0) return new RecordBatchError('INVALID_RECORD', `negative record count ${header.recordsCount}`, position);
    if (options.fromProducer) {
      const problem = producerBatchProblem(header);
      if (problem) return new RecordBatchError('INVALID_RECORD', problem, position);
    }
    batches.push({ position, bytes: records.subarray(position, position + size), ...header });
    position += size;
  }
  return batches;
}

function producerBatchProblem(h: RecordBatchHeader): string | undefined {
  if (h.recordsCount <= 0) return `record count ${h.recordsCount}`;
  if (h.lastOffsetDelta + 1 !== h.recordsCount) return `lastOffsetDelta ${h.lastOffsetDelta} does not match ${h.recordsCount} records`;
  if (h.isControl) return 'producers cannot send control batches';
  if (h.producerId >= 0n && h.baseSequence < 0) return `producer id ${h.producerId} without a base sequence`;
  return undefined;
}

const hex = (n: number) => '0x' + n.toString(16).padStart(8, '0');

/**
 * The batch as a broker with `message.timestamp.type=LogAppendTime` stores it: the timestamp-type
 * bit set and maxTimestamp the append time (consumers then read every record's timestamp from
 * there, records.ts `recordTimestamp`), the CRC recomputed since both fields are in its range.
 * A copy; the records are not touched, as Kafka leaves them for magic-2 batches.
 */
export function withLogAppendTime(batch: RecordBatchView, appendTime: bigint): RecordBatchView {
  const bytes = Buffer.from(batch.bytes);
  const attributes = batch.attributes | BatchAttribute.LogAppendTime;
  bytes.writeInt16BE(attributes, 21);
  bytes.writeBigInt64BE(appendTime, 35);
  const crc = crc32c(bytes.subarray(CRC_START));
  bytes.writeUInt32BE(crc, 17);
  return { ...batch, bytes, attributes, timestampType: TimestampType.LogAppendTime, maxTimestamp: appendTime, crc };
}

/** A copy of one batch with its baseOffset set (outside the CRC, so the CRC stays valid). */
export function withBaseOffset(batch: Buffer, baseOffset: bigint): Buffer {
  const copy = Buffer.from(batch);
  copy.writeBigInt64BE(baseOffset, 0);
  return copy;
}

/**
 * A copy of a validated records blob with consecutive offsets from `firstOffset`: each
 * batch's baseOffset is the previous batch's last offset + 1. Returns the copy and the last
 * offset assigned.
 */
export function assignOffsets(records: Buffer, firstOffset: bigint): { records: Buffer; lastOffset: bigint } {
  const copy = Buffer.from(records);
  let next = firstOffset;
  for (let position = 0; position < copy.length;) {
    const size = copy.length - position >= BATCH_HEADER_SIZE ? copy.readInt32BE(position + 8) + LOG_OVERHEAD : 0;
    if (size < BATCH_HEADER_SIZE || size > copy.length - position) {
      throw new RecordBatchError('INVALID_LENGTH', 'assignOffsets needs validated batches', position);
    }
    copy.writeBigInt64BE(next, position);
    next += BigInt(copy.readInt32BE(position + 23)) + 1n;
    position += size;
  }
  return { records: copy, lastOffset: next - 1n };
}
