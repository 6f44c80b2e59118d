import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProtocolError, Reader, Writer } from '../../src/kafka-protocol/index.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const bytes = (fn: (w: Writer) => unknown) => {
  const w = new Writer(8);
  fn(w);
  return w.toBuffer();
};

function throwsProtocol(fn: () => unknown, code: string) {
  assert.throws(fn, (e: unknown) => e instanceof ProtocolError && e.code === code);
}

describe('varints', () => {
  const unsigned: [number, string][] = [
    [0, '00'], [1, '01'], [127, '7f'], [128, '8001'], [300, 'ac02'], [16383, 'ff7f'], [16384, '808001'],
    [2 ** 21, '80808001'], [2 ** 28, '8080808001'], [0xffffffff, 'ffffffff0f'],
  ];
  test('unsigned varint', () => {
    for (const [n, h] of unsigned) {
      assert.deepEqual(bytes((w) => w.writeUnsignedVarInt(n)), hex(h), `${n}`);
      assert.equal(new Reader(hex(h)).readUnsignedVarInt(), n);
    }
    throwsProtocol(() => new Writer().writeUnsignedVarInt(-1), 'INVALID_VALUE');
    throwsProtocol(() => new Reader(hex('8080')).readUnsignedVarInt(), 'TRUNCATED');
    throwsProtocol(() => new Reader(hex('ffffffffff01')).readUnsignedVarInt(), 'INVALID');
    throwsProtocol(() => new Reader(hex('ffffffff1f')).readUnsignedVarInt(), 'INVALID');
  });

  test('zigzag varint', () => {
    const cases: [number, string][] = [
      [0, '00'], [-1, '01'], [1, '02'], [-2, '03'], [63, '7e'], [-64, '7f'], [64, '8001'],
      [2147483647, 'feffffff0f'], [-2147483648, 'ffffffff0f'],
    ];
    for (const [n, h] of cases) {
      assert.deepEqual(bytes((w) => w.writeVarInt(n)), hex(h), `${n}`);
      assert.equal(new Reader(hex(h)).readVarInt(), n);
    }
  });

  test('zigzag varlong', () => {
    const cases: [bigint, string][] = [
      [0n, '00'], [-1n, '01'], [1n, '02'], [150n, 'ac02'],
      [9223372036854775807n, 'feffffffffffffffff01'], [-9223372036854775808n, 'ffffffffffffffffff01'],
    ];
    for (const [n, h] of cases) {
      assert.deepEqual(bytes((w) => w.writeVarLong(n)), hex(h), `${n}`);
      assert.equal(new Reader(hex(h)).readVarLong(), n);
    }
    throwsProtocol(() => new Reader(hex('ffffffffffffffffffff01')).readVarLong(), 'INVALID');
    throwsProtocol(() => new Reader(hex('ff')).readVarLong(), 'TRUNCATED');
  });
});

describe('fixed-size and length-prefixed types', () => {
  test('integers, floats, uuid', () => {
    const b = bytes((w) => w.writeBool(true).writeInt8(-2).writeInt16(-3).writeUint16(65535).writeInt32(-4)
      .writeUint32(4294967295).writeInt64(-5n).writeFloat64(1.5).writeUuid('01234567-89ab-cdef-0123-456789abcdef'));
    assert.deepEqual(b, hex(`01 fe fffd ffff fffffffc ffffffff fffffffffffffffb 3ff8000000000000
      0123456789abcdef0123456789abcdef`));
    const r = new Reader(b);
    assert.equal(r.readBool(), true);
    assert.equal(r.readInt8(), -2);
    assert.equal(r.readInt16(), -3);
    assert.equal(r.readUint16(), 65535);
    assert.equal(r.readInt32(), -4);
    assert.equal(r.readUint32(), 4294967295);
    assert.equal(r.readInt64(), -5n);
    assert.equal(r.readFloat64(), 1.5);
    assert.equal(r.readUuid(), '01234567-89ab-cdef-0123-456789abcdef');
    assert.equal(r.remaining, 0);
    throwsProtocol(() => new Writer().writeUuid('not-a-uuid'), 'INVALID_VALUE');
    throwsProtocol(() => new Writer().writeUuid('0123456789abcdef0123456789abcdeg'), 'INVALID_VALUE');
  });

  test('strings: int16 / compact, nullable', () => {
    const b = bytes((w) => w.writeString('hé').writeNullableString(null).writeCompactString('')
      .writeCompactNullableString(null).writeCompactString('ab'));
    assert.deepEqual(b, hex('0003 68c3a9 ffff 01 00 03 6162'));
    const r = new Reader(b);
    assert.equal(r.readString(), 'hé');
    assert.equal(r.readNullableString(), null);
    assert.equal(r.readCompactString(), '');
    assert.equal(r.readCompactNullableString(), null);
    assert.equal(r.readCompactString(), 'ab');
    throwsProtocol(() => new Reader(hex('ffff')).readString(), 'INVALID');
    throwsProtocol(() => new Reader(hex('00')).readCompactString(), 'INVALID');
    throwsProtocol(() => new Reader(hex('0005 6162')).readString(), 'TRUNCATED');
    throwsProtocol(() => new Writer().writeString('x'.repeat(40000)), 'INVALID_VALUE');
  });

  test('bytes: int32 / compact, nullable; views, not copies', () => {
    const b = bytes((w) => w.writeBytes(hex('aabb')).writeNullableBytes(null).writeCompactBytes(hex('cc'))
      .writeCompactNullableBytes(null));
    assert.deepEqual(b, hex('00000002 aabb ffffffff 02 cc 00'));
    const r = new Reader(b);
    const first = r.readBytes();
    assert.deepEqual(first, hex('aabb'));
    assert.equal(first.buffer, b.buffer);
    assert.equal(r.readNullableBytes(), null);
    assert.deepEqual(r.readCompactBytes(), hex('cc'));
    assert.equal(r.readCompactNullableBytes(), null);
    throwsProtocol(() => new Reader(hex('fffffffe')).readBytes(), 'INVALID');
    throwsProtocol(() => new Reader(hex('7fffffff 00')).readBytes(), 'TRUNCATED');
  });

  test('arrays: int32 / compact, nullable', () => {
    const b = bytes((w) => w.writeArray([1, 2], (w, n) => w.writeInt8(n)).writeNullableArray(null, () => {})
      .writeCompactArray([3], (w, n) => w.writeInt8(n)).writeCompactNullableArray(null, () => {}));
    assert.deepEqual(b, hex('00000002 01 02 ffffffff 02 03 00'));
    const r = new Reader(b);
    const int8 = (r: Reader) => r.readInt8();
    assert.deepEqual(r.readArray(int8), [1, 2]);
    assert.equal(r.readNullableArray(int8), null);
    assert.deepEqual(r.readCompactArray(int8), [3]);
    assert.equal(r.readCompactNullableArray(int8), null);
    throwsProtocol(() => new Reader(hex('7fffffff 01')).readArray(int8), 'TRUNCATED');
    throwsProtocol(() => new Reader(hex('ffffffff')).readArray(int8), 'INVALID');
  });

  test('tagged fields', () => {
    const b = bytes((w) => w.writeTaggedFields([{ tag: 0, value: hex('aa') }, { tag: 200, value: hex('bbcc') }]).writeTaggedFields());
    assert.deepEqual(b, hex('02 00 01 aa c801 02 bbcc 00'));
    const seen: [number, string][] = [];
    const r = new Reader(b).readTaggedFields((tag, value) => seen.push([tag, value.readRaw(value.remaining).toString('hex')]));
    assert.deepEqual(seen, [[0, 'aa'], [200, 'bbcc']]);
    r.readTaggedFields();
    assert.equal(r.remaining, 0);
    new Reader(b).readTaggedFields().readTaggedFields(); // no callback: skipped
    throwsProtocol(() => new Reader(hex('01 00 05 aa')).readTaggedFields(), 'TRUNCATED');
  });

  test('reads past the end are ProtocolErrors, not RangeErrors', () => {
    const empty = new Reader(hex('00112233'), 1, 3);
    throwsProtocol(() => empty.readInt32(), 'TRUNCATED');
    assert.equal(empty.readInt16(), 0x1122);
    for (const read of [(r: Reader) => r.readInt8(), (r: Reader) => r.readInt64(), (r: Reader) => r.readUuid(),
      (r: Reader) => r.readFloat64(), (r: Reader) => r.readBool(), (r: Reader) => r.skip(1)]) {
      throwsProtocol(() => read(empty), 'TRUNCATED');
    }
  });
});

describe('Writer', () => {
  test('grows across chunks and keeps large blobs by reference', () => {
    const big = Buffer.alloc(5000, 7);
    const w = new Writer(4);
    for (let i = 0; i < 1000; i++) w.writeInt32(i).writeCompactString(`s${i}`);
    w.writeRaw(big).writeInt64(42n).writeUnsignedVarInt(0xffffffff);
    assert.ok(w.toChunks().includes(big), 'blob referenced, not copied');
    const out = w.toBuffer();
    assert.equal(out.length, w.length);
    const r = new Reader(out);
    for (let i = 0; i < 1000; i++) {
      assert.equal(r.readInt32(), i);
      assert.equal(r.readCompactString(), `s${i}`);
    }
    assert.deepEqual(r.readRaw(5000), big);
    assert.equal(r.readInt64(), 42n);
    assert.equal(r.readUnsignedVarInt(), 0xffffffff);
    assert.equal(r.remaining, 0);
  });

  test('an empty writer gives an empty buffer', () => {
    assert.equal(new Writer().toBuffer().length, 0);
  });
});
