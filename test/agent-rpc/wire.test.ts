import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeWire, encodeWire } from '../../src/agent-rpc/wire.ts';

test('bigints, bytes and nested values survive the wire exactly', () => {
  const value = {
    producerId: 9_007_199_254_740_993n,
    offsets: [-1n, 0n, 2n ** 63n - 1n],
    metadata: Buffer.from([0, 1, 2, 255]),
    view: new Uint8Array([9, 8, 7]).subarray(1),
    empty: Buffer.alloc(0),
    nested: [{ assignment: Buffer.from('abc'), memberId: 'm-1', nothing: null }],
    text: 'plain',
  };
  const back = decodeWire(encodeWire(value)) as typeof value;
  assert.equal(back.producerId, value.producerId);
  assert.deepEqual(back.offsets, value.offsets);
  assert.ok(Buffer.isBuffer(back.metadata));
  assert.deepEqual(back.metadata, value.metadata);
  assert.deepEqual(back.view, Buffer.from([8, 7]));
  assert.deepEqual(back.empty, Buffer.alloc(0));
  assert.deepEqual(back.nested, [{ assignment: Buffer.from('abc'), memberId: 'm-1', nothing: null }]);
  assert.equal(back.text, 'plain');
});

test("a user's value cannot pass for a tag: objects with $ keys travel as entries", () => {
  const tags = { $bigint: '12', $bytes: 'AAAA', ordinary: 'x' };
  const back = decodeWire(encodeWire({ tags, alone: { $bigint: '5' } })) as { tags: typeof tags; alone: Record<string, string> };
  assert.deepEqual(back.tags, tags);
  assert.deepEqual(back.alone, { $bigint: '5' });
  assert.equal(typeof back.alone.$bigint, 'string');
});

test('malformed or hostile bodies are refused, not half-read', () => {
  assert.throws(() => decodeWire('{"$other":1,"a":2}'), /unexpected key/);
  assert.throws(() => decodeWire('{"__proto__":{"polluted":true}}'), /unexpected key/);
  assert.throws(() => decodeWire('{"$entries":[[1,2]]}'), /malformed \$entries/);
  assert.throws(() => decodeWire('[1,'), SyntaxError);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  // A tag whose content is not what the tag says stays an ordinary object only if it has no $ key: refused.
  assert.throws(() => decodeWire('{"$bigint":"12x"}'), /unexpected key/);
});
