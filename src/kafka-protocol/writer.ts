import { ProtocolError } from './errors.ts';

/** Blobs at least this large (record batches) are kept by reference instead of copied. */
const ZERO_COPY_MIN = 512;
const MAX_CHUNK = 1 << 20;
const EMPTY = Buffer.alloc(0);

/**
 * Writes Kafka's primitive types, big-endian, into a list of chunks that grows as needed.
 * `toBuffer()` joins them (one copy of each byte); `toChunks()` hands them out for a vectored
 * write. A Writer is used once: write, then take the result.
 */
export class Writer {
  private buf: Buffer;
  private pos = 0;
  /** Start of the part of `buf` not yet moved to `chunks`. */
  private start = 0;
  private readonly chunks: Buffer[] = [];
  private chunked = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.chunked + this.pos - this.start;
  }

  /** Makes room for `n` bytes and returns where they go. */
  private reserve(n: number): number {
    if (this.pos + n > this.buf.length) {
      this.flush();
      this.buf = Buffer.allocUnsafe(Math.max(n, Math.min(this.buf.length * 2, MAX_CHUNK)));
      this.pos = this.start = 0;
    }
    const at = this.pos;
    this.pos = at + n;
    return at;
  }

  private flush(): void {
    if (this.pos > this.start) {
      this.chunks.push(this.buf.subarray(this.start, this.pos));
      this.chunked += this.pos - this.start;
      this.start = this.pos;
    }
  }

  toChunks(): Buffer[] {
    this.flush();
    return this.chunks;
  }

  toBuffer(): Buffer {
    this.flush();
    if (this.chunks.length === 1) return this.chunks[0]!;
    return this.chunks.length === 0 ? EMPTY : Buffer.concat(this.chunks, this.chunked);
  }

  // raw bytes, no length: large blobs are referenced, not copied (do not mutate them meanwhile)
  writeRaw(bytes: Buffer): this {
    if (bytes.length >= ZERO_COPY_MIN) {
      this.flush();
      this.chunks.push(bytes);
      this.chunked += bytes.length;
    } else if (bytes.length > 0) {
      const at = this.reserve(bytes.length);
      bytes.copy(this.buf, at);
    }
    return this;
  }

  // bool: 1 byte, 1 for true, 0 for false
  writeBool(v: boolean): this {
    const at = this.reserve(1);
    this.buf[at] = v ? 1 : 0;
    return this;
  }

  // int8: 1 byte, two's complement
  writeInt8(v: number): this {
    const at = this.reserve(1);
    this.buf.writeInt8(v, at);
    return this;
  }

  // int16: 2 bytes, big-endian two's complement
  writeInt16(v: number): this {
    const at = this.reserve(2);
    this.buf.writeInt16BE(v, at);
    return this;
  }

  // uint16: 2 bytes, big-endian
  writeUint16(v: number): this {
    const at = this.reserve(2);
    this.buf.writeUInt16BE(v, at);
    return this;
  }

  // int32: 4 bytes, big-endian two's complement
  writeInt32(v: number): this {
    const at = this.reserve(4);
    this.buf.writeInt32BE(v, at);
    return this;
  }

  // uint32: 4 bytes, big-endian
  writeUint32(v: number): this {
    const at = this.reserve(4);
    this.buf.writeUInt32BE(v, at);
    return this;
  }

  // int64: 8 bytes, big-endian two's complement
  writeInt64(v: bigint | number): this {
    const at = this.reserve(8);
    this.buf.writeBigInt64BE(typeof v === 'bigint' ? v : BigInt(v), at);
    return this;
  }

  // float64: 8 bytes, big-endian IEEE 754 double
  writeFloat64(v: number): this {
    const at = this.reserve(8);
    this.buf.writeDoubleBE(v, at);
    return this;
  }

  // uuid: 16 bytes, from 8-4-4-4-12 hex (or 32 hex digits)
  writeUuid(v: string): this {
    const hex = v.length === 36 ? v.replaceAll('-', '') : v;
    const at = this.reserve(16);
    if (hex.length !== 32 || this.buf.write(hex, at, 16, 'hex') !== 16) {
      throw new ProtocolError('INVALID_VALUE', `not a uuid: ${JSON.stringify(v)}`);
    }
    return this;
  }

  // unsigned varint: 7 bits per byte, least significant group first, high bit set on all but
  // the last byte; 0 to 2^32-1, 1 to 5 bytes
  writeUnsignedVarInt(v: number): this {
    if (!(v >= 0 && v <= 0xffffffff) || !Number.isInteger(v)) {
      throw new ProtocolError('INVALID_VALUE', `unsigned varint out of range: ${v}`);
    }
    if (v < 0x80) {
      const at = this.reserve(1);
      this.buf[at] = v;
      return this;
    }
    let at = this.reserve(v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5);
    const buf = this.buf;
    while (v >= 0x80) {
      buf[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[at] = v;
    return this;
  }

  // varint: unsigned varint of the zigzag encoding ((n << 1) ^ (n >> 31)), int32 range
  writeVarInt(v: number): this {
    return this.writeUnsignedVarInt(((v << 1) ^ (v >> 31)) >>> 0);
  }

  // unsigned varlong: as unsigned varint, 0 to 2^64-1, 1 to 10 bytes
  writeUnsignedVarLong(v: bigint): this {
    if (v < 0n || v > 0xffffffffffffffffn) throw new ProtocolError('INVALID_VALUE', `unsigned varlong out of range: ${v}`);
    while (v >= 0x80n) {
      const at = this.reserve(1);
      this.buf[at] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    const at = this.reserve(1);
    this.buf[at] = Number(v);
    return this;
  }

  // varlong: unsigned varlong of the zigzag encoding ((n << 1) ^ (n >> 63)), int64 range
  writeVarLong(v: bigint): this {
    return this.writeUnsignedVarLong(BigInt.asUintN(64, (v << 1n) ^ (v >> 63n)));
  }

  private utf8(v: string, length: number): this {
    if (length > 0) {
      const at = this.reserve(length);
      this.buf.write(v, at, length, 'utf8');
    }
    return this;
  }

  // string: int16 byte length N, then N bytes of UTF-8
  writeString(v: string): this {
    const n = Buffer.byteLength(v, 'utf8');
    if (n > 0x7fff) throw new ProtocolError('INVALID_VALUE', `string of ${n} bytes is too long`);
    return this.writeInt16(n).utf8(v, n);
  }

  // nullable string: int16 byte length N (-1 for null), then N bytes of UTF-8
  writeNullableString(v: string | null): this {
    return v === null ? this.writeInt16(-1) : this.writeString(v);
  }

  // compact string: unsigned varint N+1, then N bytes of UTF-8
  writeCompactString(v: string): this {
    const n = Buffer.byteLength(v, 'utf8');
    if (n > 0x7fff) throw new ProtocolError('INVALID_VALUE', `string of ${n} bytes is too long`);
    return this.writeUnsignedVarInt(n + 1).utf8(v, n);
  }

  // compact nullable string: unsigned varint N+1 (0 for null), then N bytes of UTF-8
  writeCompactNullableString(v: string | null): this {
    return v === null ? this.writeUnsignedVarInt(0) : this.writeCompactString(v);
  }

  // bytes: int32 length N, then N bytes
  writeBytes(v: Buffer): this {
    return this.writeInt32(v.length).writeRaw(v);
  }

  // nullable bytes: int32 length N (-1 for null), then N bytes
  writeNullableBytes(v: Buffer | null): this {
    return v === null ? this.writeInt32(-1) : this.writeBytes(v);
  }

  // compact bytes: unsigned varint N+1, then N bytes
  writeCompactBytes(v: Buffer): this {
    return this.writeUnsignedVarInt(v.length + 1).writeRaw(v);
  }

  // compact nullable bytes: unsigned varint N+1 (0 for null), then N bytes
  writeCompactNullableBytes(v: Buffer | null): this {
    return v === null ? this.writeUnsignedVarInt(0) : this.writeCompactBytes(v);
  }

  // array: int32 count N (-1 for null), then N elements
  writeArray<T>(items: readonly T[], writeElement: (w: Writer, item: T) => void): this {
    this.writeInt32(items.length);
    for (const item of items) writeElement(this, item);
    return this;
  }

  writeNullableArray<T>(items: readonly T[] | null, writeElement: (w: Writer, item: T) => void): this {
    return items === null ? this.writeInt32(-1) : this.writeArray(items, writeElement);
  }

  // compact array: unsigned varint N+1 (0 for null), then N elements
  writeCompactArray<T>(items: readonly T[], writeElement: (w: Writer, item: T) => void): this {
    this.writeUnsignedVarInt(items.length + 1);
    for (const item of items) writeElement(this, item);
    return this;
  }

  writeCompactNullableArray<T>(items: readonly T[] | null, writeElement: (w: Writer, item: T) => void): this {
    return items === null ? this.writeUnsignedVarInt(0) : this.writeCompactArray(items, writeElement);
  }

  // tagged fields: unsigned varint count, then per field, in ascending tag order: unsigned
  // varint tag, unsigned varint size, `size` bytes of value
  writeTaggedFields(fields: readonly { tag: number; value: Buffer }[] = []): this {
    this.writeUnsignedVarInt(fields.length);
    for (const f of fields) this.writeUnsignedVarInt(f.tag).writeUnsignedVarInt(f.value.length).writeRaw(f.value);
    return this;
  }
}
