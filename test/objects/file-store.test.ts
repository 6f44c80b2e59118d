import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileObjectStore } from '../../src/objects/file.ts';
import { tempDir } from '../helpers/stores.ts';

/**
 * FileObjectStore remembers the directories it made (no mkdir per put); a directory removed
 * behind its back must not make later puts fail.
 */

test('puts into a directory removed behind the store remake it', async (t) => {
  const root = join(tempDir(t), 'objects');
  const store = new FileObjectStore(root);
  await store.put('a/b/one', Buffer.from('1'));
  await store.put('a/b/two', [Buffer.from('2'), Buffer.from('2')]);
  rmSync(join(root, 'a'), { recursive: true });
  await store.put('a/b/three', Buffer.from('3'));
  assert.deepEqual(await store.list('a/'), ['a/b/three']);
  assert.deepEqual(await store.get('a/b/three'), Buffer.from('3'));
  await store.put('a/c/four', Buffer.from('4'));
  assert.deepEqual(await store.list('a/'), ['a/b/three', 'a/c/four']);
  assert.deepEqual(readdirSync(join(root, 'a', 'b')), ['three'], 'no temporary file left behind');
});

test('a put into a path whose directory is a file fails and leaves nothing', async (t) => {
  const root = join(tempDir(t), 'objects');
  const store = new FileObjectStore(root);
  await store.put('x', Buffer.from('file, not a directory'));
  await assert.rejects(store.put('x/y', Buffer.from('1')), /ENOTDIR|EEXIST/);
  assert.equal(existsSync(join(root, 'x', 'y')), false);
  assert.deepEqual(await store.list(''), ['x']);
});

test('many puts at once (more than there are writer threads) all land whole, in many pieces each', async (t) => {
  const root = join(tempDir(t), 'objects');
  const store = new FileObjectStore(root);
  t.after(() => store.close());
  const objects = Array.from({ length: 25 }, (_, i) => {
    // Up to ~1 MiB in up to 1,441 pieces (more than IOV_MAX, 1,024).
    const pieces = Array.from({ length: 1 + i * 60 }, (_, j) => Buffer.alloc(1 + ((i * 7 + j * 13) % 1500), (i + j) & 0xff));
    return { key: `c/${String(i).padStart(2, '0')}`, pieces };
  });
  await Promise.all(objects.map((o) => store.put(o.key, o.pieces)));
  assert.deepEqual(await store.list('c/'), objects.map((o) => o.key));
  for (const o of objects) assert.ok((await store.get(o.key)).equals(Buffer.concat(o.pieces)), o.key);
  assert.deepEqual(readdirSync(join(root, 'c')).filter((name) => name.endsWith('.tmp')), []);
});

test('close stops the writer threads; a new store on the same directory writes again', async (t) => {
  const root = join(tempDir(t), 'objects');
  const store = new FileObjectStore(root);
  await store.put('d/one', Buffer.from('1'));
  await store.close();
  const again = new FileObjectStore(root);
  t.after(() => again.close());
  await again.put('d/two', Buffer.from('2'));
  assert.deepEqual(await again.list('d/'), ['d/one', 'd/two']);
});
