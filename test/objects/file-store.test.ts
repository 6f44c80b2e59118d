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
