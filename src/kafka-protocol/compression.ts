/**
 * The compression codecs of record batches (attributes bits 0-2), with the framings Kafka's
 * clients use around the records section of a magic-2 batch:
 *
 * - gzip: a gzip stream (RFC 1952), as java.util.zip writes it.
 * - snappy: the Java client writes snappy-java's ("xerial") stream: a 16-byte header
 *   (`\x82SNAPPY\x00`, version 1, minimum compatible version 1, both int32 big-endian), then
 *   blocks of at most 32 KiB, each an int32 big-endian length and one raw snappy block.
 *   librdkafka writes one raw snappy block without framing; franz-go writes either. Both are read;
 *   what the Java client writes is written.
 * - lz4: the LZ4 frame format (magic 0x184D2204) with independent blocks, the only kind Kafka's
 *   Java client reads; its blocks may carry checksums and the frame a content size or checksum.
 * - zstd: a zstd frame.
 *
 * Snappy and LZ4 come from napi-rs packages with prebuilt binaries (`snappy`, `lz4-napi`); gzip
 * and zstd from node:zlib.
 */
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { compressSync as snappyCompress, uncompressSync as snappyUncompress } from 'snappy';
import { gunzipSync, gzipSync, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { Compression } from './record-batch.ts';

/** One of Kafka's compression codec ids, `Compression.None` to `Compression.Zstd`. */
export type CompressionType = (typeof Compression)[keyof typeof Compression];

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER = Buffer.concat([XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])]);
/** snappy-java's default block size, which the Java client's SnappyOutputStream uses. */
const XERIAL_BLOCK_SIZE = 32 * 1024;

export class CompressionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CompressionError';
  }
}

export function compressionName(compression: number): string {
  return ['none', 'gzip', 'snappy', 'lz4', 'zstd'][compression] ?? `unknown (${compression})`;
}

/** `data` compressed with `compression`, framed as Kafka's Java client frames it. */
export function compress(compression: number, data: Buffer): Buffer {
  switch (compression) {
    case Compression.None: return data;
    case Compression.Gzip: return gzipSync(data);
    case Compression.Snappy: return xerialCompress(data);
    case Compression.Lz4: return compressFrameSync(data);
    case Compression.Zstd: return zstdCompressSync(data);
    default: throw new CompressionError(`unknown compression type ${compression}`);
  }
}

/** The data `compress` (or any Kafka client) compressed with `compression`; throws a `CompressionError` when it cannot be read. */
export function decompress(compression: number, data: Buffer): Buffer {
  try {
    switch (compression) {
      case Compression.None: return data;
      case Compression.Gzip: return gunzipSync(data);
      case Compression.Snappy: return snappyDecompress(data);
      case Compression.Lz4: return decompressFrameSync(data);
      case Compression.Zstd: return zstdDecompressSync(data);
    }
  } catch (error) {
    if (error instanceof CompressionError) throw error;
    throw new CompressionError(`${compressionName(compression)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  throw new CompressionError(`unknown compression type ${compression}`);
}

function xerialCompress(data: Buffer): Buffer {
  const parts: Buffer[] = [XERIAL_HEADER];
  for (let at = 0; at < data.length; at += XERIAL_BLOCK_SIZE) {
    const block = snappyCompress(data.subarray(at, at + XERIAL_BLOCK_SIZE));
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

function startsWithXerialMagic(data: Buffer, at: number): boolean {
  return data.length - at >= XERIAL_MAGIC.length && data.compare(XERIAL_MAGIC, 0, XERIAL_MAGIC.length, at, at + XERIAL_MAGIC.length) === 0;
}

function snappyDecompress(data: Buffer): Buffer {
  if (data.length === 0) return data;
  if (!startsWithXerialMagic(data, 0)) return snappyUncompress(data, { asBuffer: true }) as Buffer;
  const blocks: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    // snappy-java reads concatenated streams, each with its own header, as one.
    if (startsWithXerialMagic(data, at)) {
      if (data.length - at < XERIAL_HEADER.length) throw new CompressionError('snappy: truncated xerial header');
      at += XERIAL_HEADER.length;
      continue;
    }
    if (data.length - at < 4) throw new CompressionError('snappy: truncated xerial block length');
    const length = data.readInt32BE(at);
    at += 4;
    if (length < 0 || length > data.length - at) throw new CompressionError(`snappy: xerial block of ${length} bytes, ${data.length - at} left`);
    blocks.push(snappyUncompress(data.subarray(at, at + length), { asBuffer: true }) as Buffer);
    at += length;
  }
  return Buffer.concat(blocks);
}
