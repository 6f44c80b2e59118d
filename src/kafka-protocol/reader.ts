import { ProtocolError } from './errors.ts';

/**
 * Reads Kafka's primitive types from a Buffer, big-endian, advancing `offset`. Every read checks
 * the bounds first and throws a `ProtocolError` (`TRUNCATED` / `INVALID`), never a RangeError.
 * Bytes come back as views into the input (no copy): copy them to keep them past the buffer's life.
 */
export class Reader {
  readonly buffer: Buffer;
  offset: number;
  readonly end: number;

  constructor(buffer: Buffer, offset = 0, end = buffer.length) {
    this.buffer = buffer;
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  /** Throws unless `n` more bytes are available; returns the current offset. */
  private take(n: number): number {
    const at = this.offset;
    if (n > this.end - at) throw new ProtocolError('TRUNCATED', `needed ${n} bytes, ${this.end - at} left`);
    this.offset = at + n;
    return at;
  }

  skip(n: number): this {
    this.take(n);
    return this;
  }

  // bool: 1 byte, 0 is false, anything else true
  readBool(): boolean {
    return this.buffer[this.take(1)] !== 0;
  }

  // int8: 1 byte, two's complement
  readInt8(): number {
    return this.buffer.readInt8(this.take(1));
  }

  // int16: 2 bytes, big-endian two's complement
  readInt16(): number {
    return this.buffer.readInt16BE(this.take(2));
  }

  // uint16: 2 bytes, big-endian
  readUint16(): number {
    return this.buffer.readUInt16BE(this.take(2));
  }

  // int32: 4 bytes, big-endian two's complement
  readInt32(): number {
    return this.buffer.readInt32BE(this.take(4));
  }

  // uint32: 4 bytes, big-endian
  readUint32(): number {
    return this.buffer.readUInt32BE(this.take(4));
  }

  // int64: 8 bytes, big-endian two's complement
  readInt64(): bigint {
    return this.buffer.readBigInt64BE(this.take(8));
  }

  // float64: 8 bytes, big-endian IEEE 754 double
  readFloat64(): number {
    return this.buffer.readDoubleBE(this.take(8));
  }

  // uuid: 16 bytes; returned as lowercase 8-4-4-4-12 hex
  readUuid(): string {
    const at = this.take(16);
    const h = this.buffer.toString('hex', at, at + 16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // unsigned varint: 7 bits per byte, least significant group first, high bit set on all but
  // the last byte; at most 5 bytes (uint32)
  readUnsignedVarInt(): number {
    const buf = this.buffer;
    let at = this.offset;
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (at >= this.end) throw new ProtocolError('TRUNCATED', 'varint runs past the end');
      const b = buf[at++]!;
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        this.offset = at;
        if (result > 0xffffffff) throw new ProtocolError('INVALID', 'varint exceeds 32 bits');
        return result;
      }
    }
    throw new ProtocolError('INVALID', 'varint longer than 5 bytes');
  }

  // varint: unsigned varint of the zigzag encoding ((n << 1) ^ (n >> 31)), int32 range
  readVarInt(): number {
    const u = this.readUnsignedVarInt();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  // unsigned varlong: as unsigned varint, at most 10 bytes (uint64)
  readUnsignedVarLong(): bigint {
    const buf = this.buffer;
    let at = this.offset;
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (at >= this.end) throw new ProtocolError('TRUNCATED', 'varlong runs past the end');
      const b = buf[at++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) {
        this.offset = at;
        if (result > 0xffffffffffffffffn) throw new ProtocolError('INVALID', 'varlong exceeds 64 bits');
        return result;
      }
    }
    throw new ProtocolError('INVALID', 'varlong longer than 10 bytes');
  }

  // varlong: unsigned varlong of the zigzag encoding ((n << 1) ^ (n >> 63)), int64 range
  readVarLong(): bigint {
    const u = this.readUnsignedVarLong();
    return (u >> 1n) ^ -(u & 1n);
  }

  private utf8(length: number): string {
    const at = this.take(length);
    return this.buffer.toString('utf8', at, at + length);
  }

  private nonNull(length: number, what: string): number {
    if (length < 0) throw new ProtocolError('INVALID', `non-nullable ${what} has length ${length}`);
    return length;
  }

  // string: int16 byte length N, then N bytes of UTF-8
  readString(): string {
    return this.utf8(this.nonNull(this.readInt16(), 'string'));
  }

  // nullable string: int16 byte length N (-1 for null), then N bytes of UTF-8
  readNullableString(): string | null {
    const n = this.readInt16();
    return n < 0 ? null : this.utf8(n);
  }

  // compact string: unsigned varint N+1, then N bytes of UTF-8
  readCompactString(): string {
    return this.utf8(this.nonNull(this.readUnsignedVarInt() - 1, 'compact string'));
  }

  // compact nullable string: unsigned varint N+1 (0 for null), then N bytes of UTF-8
  readCompactNullableString(): string | null {
    const n = this.readUnsignedVarInt() - 1;
    return n < 0 ? null : this.utf8(n);
  }

  /** `length` raw bytes, as a view into the input. */
  readRaw(length: number): Buffer {
    const at = this.take(length);
    return this.buffer.subarray(at, at + length);
  }

  // bytes: int32 length N, then N bytes
  readBytes(): Buffer {
    return this.readRaw(this.nonNull(this.readInt32(), 'bytes'));
  }

  // nullable bytes: int32 length N (-1 for null), then N bytes
  readNullableBytes(): Buffer | null {
    const n = this.readInt32();
    return n < 0 ? null : this.readRaw(n);
  }

  // compact bytes: unsigned varint N+1, then N bytes
  readCompactBytes(): Buffer {
    return this.readRaw(this.nonNull(this.readUnsignedVarInt() - 1, 'compact bytes'));
  }

  // compact nullable bytes: unsigned varint N+1 (0 for null), then N bytes
  readCompactNullableBytes(): Buffer | null {
    const n = this.readUnsignedVarInt() - 1;
    return n < 0 ? null : this.readRaw(n);
  }

  /**
   * An element count that cannot be honest if each element takes at least `minElementSize`
   * bytes and fewer remain (guards against huge allocations from garbage lengths).
   */
  checkCount(count: number, minElementSize: number): number {
    if (count * minElementSize > this.end - this.offset) {
      throw new ProtocolError('TRUNCATED', `${count} elements cannot fit in ${this.end - this.offset} bytes`);
    }
    return count;
  }

  // array: int32 count N (-1 for null), then N elements
  readArray<T>(readElement: (r: Reader) => T): T[] {
    const a = this.readNullableArray(readElement);
    if (a === null) throw new ProtocolError('INVALID', 'non-nullable array is null');
    return a;
  }

  readNullableArray<T>(readElement: (r: Reader) => T): T[] | null {
    const n = this.readInt32();
    return n < 0 ? null : this.elements(n, readElement);
  }

  // compact array: unsigned varint N+1 (0 for null), then N elements
  readCompactArray<T>(readElement: (r: Reader) => T): T[] {
    const a = this.readCompactNullableArray(readElement);
    if (a === null) throw new ProtocolError('INVALID', 'non-nullable compact array is null');
    return a;
  }

  readCompactNullableArray<T>(readElement: (r: Reader) => T): T[] | null {
    const n = this.readUnsignedVarInt() - 1;
    return n < 0 ? null : this.elements(n, readElement);
  }

  private elements<T>(n: number, readElement: (r: Reader) => T): T[] {
    this.checkCount(n, 1);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(readElement(this));
    return out;
  }

  // tagged fields: unsigned varint count, then per field: unsigned varint tag, unsigned varint
  // size, `size` bytes of value. `onField` gets each value as a sub-reader over exactly those
  // bytes and ignores the tags it does not know, so unknown fields are skipped.
  readTaggedFields(onField?: (tag: number, value: Reader) => void): this {
    const count = this.checkCount(this.readUnsignedVarInt(), 2);
    for (let i = 0; i < count; i++) {
      const tag = this.readUnsignedVarInt();
      const size = this.readUnsignedVarInt();
      const at = this.take(size);
      if (onField) onField(tag, new Reader(this.buffer, at, at + size));
    }
    return this;
  }
}
