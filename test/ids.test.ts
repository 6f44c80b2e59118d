import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newId, uuidv7 } from '../src/ids.ts';

test('ids are UUIDv7 with the prefix, and sort in creation order even within one millisecond', () => {
  const ids = Array.from({ length: 5000 }, () => newId('vci_'));
  for (const id of ids.slice(0, 10)) assert.match(id, /^vci_[0-9a-f]{8}_[0-9a-f]{4}_7[0-9a-f]{3}_[89ab][0-9a-f]{3}_[0-9a-f]{12}$/);
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
  const uuid = uuidv7();
  assert.ok(Math.abs(parseInt(uuid.replaceAll('-', '').slice(0, 12), 16) - Date.now()) < 5_000, 'the time is in the first 48 bits');
});
