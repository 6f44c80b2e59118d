import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AcknowledgeType, MAX_IN_FLIGHT, SharePartition, type ShareRules } from '../../src/control-plane/shares/share-partition.ts';

const rules = (now: number, over: Partial<ShareRules> = {}): ShareRules => ({ lockDurationMs: 30_000, deliveryCountLimit: 5, now, ...over });
const log = (highWatermark: number, logStartOffset = 0) => ({ logStartOffset, highWatermark });
const { ACCEPT, RELEASE, REJECT, GAP, RENEW } = AcknowledgeType;

test('acquiring hands out new records up to the high watermark and max records, each once', () => {
  const p = new SharePartition(0);
  assert.deepEqual(p.acquire({ memberId: 'a', maxRecords: 3, ...log(10) }, rules(0)), [{ firstOffset: 0, lastOffset: 2, deliveryCount: 1 }]);
  assert.deepEqual(p.acquire({ memberId: 'b', maxRecords: 100, ...log(10) }, rules(0)), [{ firstOffset: 3, lastOffset: 9, deliveryCount: 1 }]);
  assert.deepEqual(p.acquire({ memberId: 'c', maxRecords: 100, ...log(10) }, rules(0)), [], 'everything is held');
});

test('accepting moves the start offset past the records; a hole keeps it', () => {
  const p = new SharePartition(0);
  p.acquire({ memberId: 'a', maxRecords: 5, ...log(5) }, rules(0));
  assert.equal(p.acknowledge('a', [{ firstOffset: 1, lastOffset: 4, acknowledgeTypes: [ACCEPT] }], rules(1)), undefined);
  assert.equal(p.startOffset, 0, 'offset 0 is still held');
  assert.equal(p.acknowledge('a', [{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [ACCEPT] }], rules(1)), undefined);
  assert.equal(p.startOffset, 5);
  assert.deepEqual(p.snapshot(), { start_offset: 5, end_offset: 5, in_flight: [] });
});

test('released records go out again with a higher delivery count, before new ones', () => {
  const p = new SharePartition(0);
  p.acquire({ memberId: 'a', maxRecords: 4, ...log(8) }, rules(0));
  p.acknowledge('a', [{ firstOffset: 0, lastOffset: 3, acknowledgeTypes: [ACCEPT, RELEASE, ACCEPT, RELEASE] }], rules(1));
  assert.equal(p.startOffset, 1);
  assert.deepEqual(p.acquire({ memberId: 'b', maxRecords: 3, ...log(8) }, rules(2)), [
    { firstOffset: 1, lastOffset: 1, deliveryCount: 2 },
    { firstOffset: 3, lastOffset: 3, deliveryCount: 2 },
    { firstOffset: 4, lastOffset: 4, deliveryCount: 1 },
  ]);
});

test('rejected records and gaps are archived: never delivered again', () => {
  const p = new SharePartition(0);
  p.acquire({ memberId: 'a', maxRecords: 3, ...log(3) }, rules(0));
  p.acknowledge('a', [{ firstOffset: 0, lastOffset: 2, acknowledgeTypes: [REJECT, GAP, ACCEPT] }], rules(1));
  assert.equal(p.startOffset, 3);
  assert.deepEqual(p.acquire({ memberId: 'a', maxRecords: 3, ...log(3) }, rules(2)), []);
});

test('a record released delivery-count-limit times is archived', () => {
  const p = new SharePartition(0);
  for (let i = 1; i <= 3; i++) {
    assert.deepEqual(p.acquire({ memberId: 'a', maxRecords: 1, ...log(2) }, rules(i, { deliveryCountLimit: 3 })), [{ firstOffset: 0, lastOffset: 0, deliveryCount: i }]);
    p.acknowledge('a', [{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [RELEASE] }], rules(i, { deliveryCountLimit: 3 }));
  }
  assert.equal(p.startOffset, 1, 'offset 0 is archived after its third delivery');
  assert.deepEqual(p.acquire({ memberId: 'a', maxRecords: 5, ...log(2) }, rules(9, { deliveryCountLimit: 3 })), [{ firstOffset: 1, lastOffset: 1, deliveryCount: 1 }]);
});

test('a lock that runs out gives the records to another member; the first may no longer acknowledge them', () => {
  const p = new SharePartition(0);
  p.acquire({ memberId: 'a', maxRecords: 2, ...log(2) }, rules(0, { lockDurationMs: 100 }));
  assert.deepEqual(p.acquire({ memberId: 'b', maxRecords: 2, ...log(2) }, rules(50)), [], 'still locked');
  assert.deepEqual(p.acquire({ memberId: 'b', maxRecords: 2, ...log(2) }, rules(100)), [{ firstOffset: 0, lastOffset: 1, deliveryCount: 2 }]);
  assert.equal(p.acknowledge('a', [{ firstOffset: 0, lastOffset: 1, acknowledgeTypes: [ACCEPT] }], rules(101)), 'invalid-record-state');
  assert.equal(p.acknowledge('b', [{ firstOffset: 0, lastOffset: 1, acknowledgeTypes: [ACCEPT] }], rules(101)), undefined);
});

test('renewing a lock keeps the records past their first lock', () => {
  const p = new SharePartition(0);
  p.acquire({ memberId: 'a', maxRecords: 1, ...log(1) }, rules(0, { lockDurationMs: 100 }));
  assert.equal(p.acknowledge('a', [{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [RENEW] }], rules(90, { lockDurationMs: 100 })), undefined);
  assert.deepEqual(p.acquire({ memberId: 'b', maxRecords: 1, ...log(1) }, rules(150)), [], 'renewed until 190');
  assert.equal(p.acknowledge('a', [{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [ACCEPT] }], rules(180)), undefined);
});

test('a bad acknowledgement changes nothing', () => {
  const p = new SharePartition(0);
  p.acquire({ memberId: 'a', maxRecords: 4, ...log(4) }, rules(0));
  const before = JSON.stringify(p.snapshot());
  // The first batch is fine, the second names a record the member does not hold: neither applies.
  assert.equal(p.acknowledge('a', [{ firstOffset: 0, lastOffset: 1, acknowledgeTypes: [ACCEPT] }, { firstOffset: 2, lastOffset: 5, acknowledgeTypes: [ACCEPT] }], rules(1)), 'invalid-record-state');
  assert.equal(p.acknowledge('b', [{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [ACCEPT] }], rules(1)), 'invalid-record-state');
  assert.equal(p.acknowledge('a', [{ firstOffset: 2, lastOffset: 3, acknowledgeTypes: [ACCEPT] }, { firstOffset: 0, lastOffset: 1, acknowledgeTypes: [ACCEPT] }], rules(1)), 'invalid-request', 'out of order');
  assert.equal(p.acknowledge('a', [{ firstOffset: 0, lastOffset: 3, acknowledgeTypes: [ACCEPT, ACCEPT] }], rules(1)), 'invalid-request', 'two types for four records');
  assert.equal(p.acknowledge('a', [{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [7] }], rules(1)), 'invalid-request', 'no such type');
  assert.equal(JSON.stringify(p.snapshot()), before);
});

test('a member leaving releases what it holds, nothing else', () => {
  const p = new SharePartition(0);
  p.acquire({ memberId: 'a', maxRecords: 2, ...log(4) }, rules(0));
  p.acquire({ memberId: 'b', maxRecords: 2, ...log(4) }, rules(0));
  assert.equal(p.releaseMember('a', rules(1)), 2);
  assert.deepEqual(p.acquire({ memberId: 'c', maxRecords: 10, ...log(4) }, rules(2)), [{ firstOffset: 0, lastOffset: 1, deliveryCount: 2 }]);
  assert.equal(p.acknowledge('b', [{ firstOffset: 2, lastOffset: 3, acknowledgeTypes: [ACCEPT] }], rules(3)), undefined);
});

test('the window is at most MAX_IN_FLIGHT records wide', () => {
  const p = new SharePartition(0);
  const got = p.acquire({ memberId: 'a', maxRecords: MAX_IN_FLIGHT + 500, ...log(MAX_IN_FLIGHT + 1000) }, rules(0));
  assert.deepEqual(got, [{ firstOffset: 0, lastOffset: MAX_IN_FLIGHT - 1, deliveryCount: 1 }]);
  assert.deepEqual(p.acquire({ memberId: 'b', maxRecords: 10, ...log(MAX_IN_FLIGHT + 1000) }, rules(0)), []);
  p.acknowledge('a', [{ firstOffset: 0, lastOffset: 9, acknowledgeTypes: [ACCEPT] }], rules(1));
  assert.deepEqual(p.acquire({ memberId: 'b', maxRecords: 100, ...log(MAX_IN_FLIGHT + 1000) }, rules(1)), [{ firstOffset: MAX_IN_FLIGHT, lastOffset: MAX_IN_FLIGHT + 9, deliveryCount: 1 }]);
});

test('records the log no longer has are done with (retention moved the log start)', () => {
  const p = new SharePartition(0);
  p.acquire({ memberId: 'a', maxRecords: 3, ...log(3) }, rules(0));
  assert.deepEqual(p.acquire({ memberId: 'a', maxRecords: 3, ...log(10, 6) }, rules(1)), [{ firstOffset: 6, lastOffset: 8, deliveryCount: 1 }]);
  assert.equal(p.startOffset, 6);
});

test('the snapshot restores the same state, as ranges', () => {
  const p = new SharePartition(10);
  p.acquire({ memberId: 'a', maxRecords: 6, ...log(20) }, rules(0));
  p.acknowledge('a', [{ firstOffset: 12, lastOffset: 13, acknowledgeTypes: [ACCEPT, RELEASE] }], rules(1));
  const snapshot = p.snapshot();
  assert.equal(snapshot.in_flight.length, 4, 'acquired 10-11, acknowledged 12, available 13, acquired 14-15');
  const q = SharePartition.restore(JSON.parse(JSON.stringify(snapshot)));
  assert.deepEqual(q.snapshot(), snapshot);
  assert.deepEqual(q.acquire({ memberId: 'b', maxRecords: 1, ...log(20) }, rules(2)), [{ firstOffset: 13, lastOffset: 13, deliveryCount: 2 }]);
});

test('the revision moves with every change and only then (an empty poll is not stored again)', () => {
  const p = new SharePartition(0);
  const r0 = p.revision;
  assert.deepEqual(p.acquire({ memberId: 'a', maxRecords: 5, ...log(0) }, rules(0)), []);
  assert.equal(p.revision, r0, 'nothing to hand out');
  p.acquire({ memberId: 'a', maxRecords: 5, ...log(2) }, rules(0, { lockDurationMs: 100 }));
  const r1 = p.revision;
  assert.ok(r1 > r0);
  assert.equal(p.acknowledge('b', [{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [ACCEPT] }], rules(1)), 'invalid-record-state');
  assert.equal(p.revision, r1, 'a refused acknowledgement changes nothing');
  p.acquire({ memberId: 'b', maxRecords: 5, ...log(2) }, rules(200));
  assert.ok(p.revision > r1, 'expired locks went to b');
});
