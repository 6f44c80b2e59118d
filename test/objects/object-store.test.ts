import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { FaultyObjectStore, InjectedFault } from '../../src/objects/faults.ts';
import { FileObjectStore } from '../../src/objects/file.ts';
import { MemoryObjectStore } from '../../src/objects/memory.ts';
import { ObjectNotFound, type ObjectStore } from '../../src/objects/object-store.ts';
import { openObjectStore } from '../../src/objects/open.ts';
import { S3ObjectStore } from '../../src/objects/s3.ts';

interface Cleanup {
  after(fn: () => unknown): void;
}

function tempDir(t: Cleanup): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipstream-objects-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface Implementation {
  name: string;
  /** A fresh, empty store, closed (and emptied) when the test ends. */
  open(t: Cleanup): Promise<ObjectStore>;
}

/** The S3 URL scripts/s3-server.sh exports; in CI its absence is an error, never a skip. */
function testS3Url(): string | undefined {
  const url = process.env.SLIPSTREAM_TEST_S3_URL || undefined;
  if (process.env.CI && !url) {
    throw new Error('CI is set but SLIPSTREAM_TEST_S3_URL is not: the S3 object store would go untested (run npm test)');
  }
  return url;
}

/** The test URL with a fresh random prefix (under the URL's own prefix, if it has one). */
function s3UrlWithFreshPrefix(url: string): string {
  const parsed = new URL(url);
  const base = (parsed.searchParams.get('prefix') ?? '').replace(/^\/+|\/+$/g, '');
  const prefix = `${base ? `${base}/` : ''}test-${randomBytes(6).toString('hex')}`;
  parsed.searchParams.set('prefix', prefix);
  return parsed.toString();
}

const S3_URL = testS3Url();

const implementations: Implementation[] = [
  {
    name: 'memory',
    async open(t) {
      const store = new MemoryObjectStore();
      t.after(() => store.close());
      return store;
    },
  },
  {
    name: 'file',
    async open(t) {
      const store = new FileObjectStore(tempDir(t));
      t.after(() => store.close());
      return store;
    },
  },
];
if (S3_URL) {
  implementations.push({
    name: 's3',
    async open(t) {
      const store = openObjectStore(s3UrlWithFreshPrefix(S3_URL), { dataDir: '/nonexistent' });
      t.after(async () => {
        // Leave the shared bucket as we found it.
        try {
          for (const key of await store.list('')) await store.delete(key);
        } finally {
          await store.close();
        }
      });
      return store;
    },
  });
}

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');
const isNotFound = (key: string) => (error: unknown) => error instanceof ObjectNotFound && error.key === key;

for (const impl of implementations) {
  describe(`ObjectStore: ${impl.name}`, () => {
    it('round-trips a Buffer', async (t) => {
      const store = await impl.open(t);
      await store.put('a/object', bytes('hello, object store'));
      assert.deepEqual(await store.get('a/object'), bytes('hello, object store'));
    });

    it('round-trips Buffer[] as their concatenation', async (t) => {
      const store = await impl.open(t);
      await store.put('chunks', [bytes('one,'), Buffer.alloc(0), bytes('two,'), bytes('three')]);
      assert.deepEqual(await store.get('chunks'), bytes('one,two,three'));
      await store.put('no-chunks', []);
      assert.equal((await store.get('no-chunks')).length, 0);
    });

    it('round-trips an empty object and every byte value', async (t) => {
      const store = await impl.open(t);
      await store.put('empty', Buffer.alloc(0));
      assert.equal((await store.get('empty')).length, 0);
      assert.equal((await store.get('empty', { offset: 0, length: 0 })).length, 0);
      assert.equal((await store.get('empty', { offset: 0, length: 10 })).length, 0);
      const all = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
      await store.put('binary', all);
      assert.deepEqual(await store.get('binary'), all);
    });

    it('reads byte ranges: start, middle, end, zero-length', async (t) => {
      const store = await impl.open(t);
      const data = bytes('0123456789abcdefghij');
      await store.put('ranged', data);
      assert.deepEqual(await store.get('ranged', { offset: 0, length: 4 }), bytes('0123'));
      assert.deepEqual(await store.get('ranged', { offset: 7, length: 6 }), bytes('789abc'));
      assert.deepEqual(await store.get('ranged', { offset: 15, length: 5 }), bytes('fghij'));
      assert.deepEqual(await store.get('ranged', { offset: 19, length: 1 }), bytes('j'));
      assert.deepEqual(await store.get('ranged', { offset: 0, length: 20 }), data);
      assert.equal((await store.get('ranged', { offset: 5, length: 0 })).length, 0);
      assert.equal((await store.get('ranged', { offset: 20, length: 0 })).length, 0);
    });

    it('truncates ranges that run past the end', async (t) => {
      const store = await impl.open(t);
      await store.put('short', bytes('abcdef'));
      assert.deepEqual(await store.get('short', { offset: 4, length: 100 }), bytes('ef'));
      assert.equal((await store.get('short', { offset: 6, length: 5 })).length, 0);
      assert.equal((await store.get('short', { offset: 1000, length: 5 })).length, 0);
    });

    it('throws ObjectNotFound for a missing object, ranged or not', async (t) => {
      const store = await impl.open(t);
      await store.put('present', bytes('x'));
      await assert.rejects(store.get('missing'), isNotFound('missing'));
      await assert.rejects(store.get('dir/missing', { offset: 0, length: 10 }), isNotFound('dir/missing'));
      await assert.rejects(store.get('missing', { offset: 0, length: 0 }), isNotFound('missing'));
      // A prefix of a real key is not an object either.
      await assert.rejects(store.get('presen'), isNotFound('presen'));
    });

    it('lists by prefix: sorted, only matching keys, nested keys included', async (t) => {
      const store = await impl.open(t);
      const keys = [
        'topics/t-2/00000000000000000010.batch',
        'topics/t-1/00000000000000000000.batch',
        'topics/t-10/00000000000000000000.batch',
        'topics/t-1/00000000000000000005.batch',
        'topics/t-1/deep/er/still.batch',
        'other/x',
        'topicsX',
        'z',
      ];
      for (const key of keys) await store.put(key, bytes(key));
      assert.deepEqual(await store.list(''), [...keys].sort());
      assert.deepEqual(await store.list('topics/t-1/'), [
        'topics/t-1/00000000000000000000.batch',
        'topics/t-1/00000000000000000005.batch',
        'topics/t-1/deep/er/still.batch',
      ]);
      // A prefix need not end at a segment boundary.
      assert.deepEqual(await store.list('topics/t-1'), [
        'topics/t-1/00000000000000000000.batch',
        'topics/t-1/00000000000000000005.batch',
        'topics/t-1/deep/er/still.batch',
        'topics/t-10/00000000000000000000.batch',
      ]);
      assert.deepEqual(await store.list('topics'), [...keys].filter((k) => k.startsWith('topics')).sort());
      assert.deepEqual(await store.list('topics/t-1/0000000000000000000'), [
        'topics/t-1/00000000000000000000.batch',
        'topics/t-1/00000000000000000005.batch',
      ]);
      assert.deepEqual(await store.list('nothing/'), []);
      assert.deepEqual(await store.list('topics/t-3/'), []);
    });

    it('deletes objects; deleting a missing object is fine', async (t) => {
      const store = await impl.open(t);
      await store.put('d/one', bytes('1'));
      await store.put('d/two', bytes('2'));
      await store.delete('d/one');
      await assert.rejects(store.get('d/one'), isNotFound('d/one'));
      assert.deepEqual(await store.list('d/'), ['d/two']);
      await store.delete('d/one');
      await store.delete('never/existed');
      await store.delete('d/two');
      assert.deepEqual(await store.list(''), []);
      // The key can be written again after a delete.
      await store.put('d/one', bytes('again'));
      assert.deepEqual(await store.get('d/one'), bytes('again'));
    });

    it('overwrites an object whole', async (t) => {
      const store = await impl.open(t);
      await store.put('over', bytes('a much longer first version'));
      await store.put('over', bytes('short'));
      assert.deepEqual(await store.get('over'), bytes('short'));
      assert.deepEqual(await store.get('over', { offset: 2, length: 100 }), bytes('ort'));
      await store.put('over', [bytes('third '), bytes('version')]);
      assert.deepEqual(await store.get('over'), bytes('third version'));
      assert.deepEqual(await store.list(''), ['over']);
    });

    it('refuses invalid keys', async (t) => {
      const store = await impl.open(t);
      const invalid = ['', '/abs', 'trailing/', 'a//b', './a', 'a/./b', '../up', 'a/../b', '..', 'sp ace', 'a\\b', 'ünï', 'a?b', 'x'.repeat(1025)];
      for (const key of invalid) {
        await assert.rejects(store.put(key, bytes('x')), /invalid object key/, `put ${JSON.stringify(key)}`);
        await assert.rejects(store.get(key), `get ${JSON.stringify(key)}`);
      }
      assert.deepEqual(await store.list(''), []);
      // The whole alphabet is fine.
      await store.put('Az09._-/x.y-z_', bytes('ok'));
      assert.deepEqual(await store.get('Az09._-/x.y-z_'), bytes('ok'));
    });

    it('round-trips a large (8 MiB) object', async (t) => {
      const store = await impl.open(t);
      const big = randomBytes(8 * 1024 * 1024);
      await store.put('big/one', big);
      const back = await store.get('big/one');
      assert.equal(back.length, big.length);
      assert.ok(back.equals(big));
      const middle = 5 * 1024 * 1024 + 12345;
      assert.ok((await store.get('big/one', { offset: middle, length: 100_000 })).equals(big.subarray(middle, middle + 100_000)));
      // The same bytes in 1 MiB chunks.
      const chunks = Array.from({ length: 8 }, (_, i) => big.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024));
      await store.put('big/chunks', chunks);
      assert.ok((await store.get('big/chunks')).equals(big));
    });

    it('handles concurrent puts', async (t) => {
      const store = await impl.open(t);
      const keys = Array.from({ length: 40 }, (_, i) => `c/${String(i).padStart(3, '0')}`);
      await Promise.all(keys.map((key) => store.put(key, bytes(`value of ${key}`))));
      assert.deepEqual(await store.list('c/'), keys);
      const values = await Promise.all(keys.map((key) => store.get(key)));
      values.forEach((value, i) => assert.deepEqual(value, bytes(`value of ${keys[i]}`)));

      // Racing writers of one key: the winner's bytes, whole, never a mix.
      const versions = Array.from({ length: 10 }, (_, i) => Buffer.alloc(64 * 1024, 65 + i));
      await Promise.all(versions.map((version) => store.put('c/contended', version)));
      const final = await store.get('c/contended');
      assert.ok(versions.some((version) => version.equals(final)), 'object is one writer’s bytes');
    });

    it('describes itself without credentials', async (t) => {
      const store = await impl.open(t);
      assert.equal(typeof store.url, 'string');
      assert.doesNotMatch(store.url, /secret|access_key|password/i);
    });
  });
}

describe('FileObjectStore specifics', () => {
  it('leaves no .tmp files after puts', async (t) => {
    const dir = tempDir(t);
    const store = new FileObjectStore(dir);
    await store.put('a/b/c', bytes('1'));
    await store.put('a/b/c', bytes('2'));
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.put(`a/x${i}`, [bytes('p'), bytes(String(i))])));
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' });
    assert.deepEqual(
      files.filter((file) => file.endsWith('.tmp')),
      [],
    );
    assert.equal((await store.list('')).length, 21);
  });

  it('keeps objects across reopening the store', async (t) => {
    const dir = tempDir(t);
    const first = new FileObjectStore(dir);
    await first.put('kept/object', bytes('survives'));
    await first.close();
    const second = new FileObjectStore(dir);
    assert.deepEqual(await second.get('kept/object'), bytes('survives'));
    assert.deepEqual(await second.list('kept/'), ['kept/object']);
    const viaUrl = openObjectStore(`file://${dir}`, { dataDir: '/nonexistent' });
    assert.deepEqual(await viaUrl.get('kept/object', { offset: 4, length: 4 }), bytes('ives'));
  });
});

if (S3_URL) {
  describe('S3ObjectStore specifics', () => {
    it('keeps every key under its prefix', async (t) => {
      const url = s3UrlWithFreshPrefix(S3_URL);
      const outer = openObjectStore(url, { dataDir: '/nonexistent' }) as S3ObjectStore;
      const innerUrl = new URL(url);
      innerUrl.searchParams.set('prefix', `${outer.prefix}/inner`);
      const inner = openObjectStore(innerUrl.toString(), { dataDir: '/nonexistent' });
      t.after(async () => {
        for (const key of await outer.list('')) await outer.delete(key);
        await inner.close();
        await outer.close();
      });
      await inner.put('k', bytes('in'));
      await outer.put('k', bytes('out'));
      assert.deepEqual(await inner.list(''), ['k']);
      assert.deepEqual(await outer.list(''), ['inner/k', 'k']);
      assert.deepEqual(await outer.get('inner/k'), bytes('in'));
      assert.deepEqual(await inner.get('k'), bytes('in'));
    });

    it('lists past one page (more than 1000 keys)', async (t) => {
      const store = openObjectStore(s3UrlWithFreshPrefix(S3_URL), { dataDir: '/nonexistent' });
      t.after(() => store.close());
      const keys = Array.from({ length: 1050 }, (_, i) => `p/${String(i).padStart(5, '0')}`);
      for (let i = 0; i < keys.length; i += 100) {
        await Promise.all(keys.slice(i, i + 100).map((key) => store.put(key, Buffer.alloc(1))));
      }
      assert.deepEqual(await store.list('p/'), keys);
      for (let i = 0; i < keys.length; i += 100) {
        await Promise.all(keys.slice(i, i + 100).map((key) => store.delete(key)));
      }
      assert.deepEqual(await store.list(''), []);
    });

    it('reports a missing bucket as an error, not as a missing object', async (t) => {
      const url = new URL(S3_URL);
      const missing = new URL(`s3://no-such-bucket-${randomBytes(4).toString('hex')}${url.search}`);
      const store = openObjectStore(missing.toString(), { dataDir: '/nonexistent' });
      t.after(() => store.close());
      await assert.rejects(store.get('k'), (error: unknown) => !(error instanceof ObjectNotFound) && (error as Error).name === 'NoSuchBucket');
      await assert.rejects(store.put('k', bytes('x')), (error: unknown) => (error as Error).name === 'NoSuchBucket');
    });

    it('refuses wrong credentials', async (t) => {
      const url = new URL(s3UrlWithFreshPrefix(S3_URL));
      url.searchParams.set('secret_access_key', 'wrong-secret-wrong-secret');
      const store = openObjectStore(url.toString(), { dataDir: '/nonexistent' });
      t.after(() => store.close());
      await assert.rejects(store.put('k', bytes('x')), (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403);
    });
  });
}

/** A local HTTP server answering as `handler` says: S3 behaving badly, on demand. */
async function fakeS3(t: Cleanup, handler: (request: IncomingMessage, response: ServerResponse, body: Buffer) => void): Promise<string> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handler(request, response, Buffer.concat(chunks)));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((done) => server.close(() => done()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function fakeStore(t: Cleanup, endpoint: string, options: { maxAttempts?: number; requestTimeoutMs?: number } = {}): S3ObjectStore {
  const store = new S3ObjectStore({
    bucket: 'fake',
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    ...options,
  });
  t.after(() => store.close());
  return store;
}

const S3_ERROR = (code: string) => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`;

describe('S3ObjectStore against a misbehaving server', () => {
  it('retries throttling and server errors', async (t) => {
    let puts = 0;
    const endpoint = await fakeS3(t, (request, response, body) => {
      assert.equal(request.method, 'PUT');
      assert.equal(request.url?.split('?')[0], '/fake/k');
      puts += 1;
      if (puts === 1) {
        response.writeHead(503, { 'content-type': 'application/xml' }).end(S3_ERROR('SlowDown'));
      } else if (puts === 2) {
        response.writeHead(500, { 'content-type': 'application/xml' }).end(S3_ERROR('InternalError'));
      } else {
        assert.deepEqual(body, bytes('payload'));
        response.writeHead(200, { etag: '"x"' }).end();
      }
    });
    await fakeStore(t, endpoint).put('k', [bytes('pay'), bytes('load')]);
    assert.equal(puts, 3);
  });

  it('gives up after maxAttempts', async (t) => {
    let calls = 0;
    const endpoint = await fakeS3(t, (_request, response) => {
      calls += 1;
      response.writeHead(503, { 'content-type': 'application/xml' }).end(S3_ERROR('SlowDown'));
    });
    await assert.rejects(fakeStore(t, endpoint, { maxAttempts: 2 }).put('k', bytes('x')), (error: unknown) => (error as Error).name === 'SlowDown');
    assert.equal(calls, 2);
  });

  it('re-reads an object whose download broke off', async (t) => {
    let gets = 0;
    const endpoint = await fakeS3(t, (request, response) => {
      gets += 1;
      assert.equal(request.headers.range, 'bytes=2-11');
      response.writeHead(206, { 'content-length': '10', 'content-range': 'bytes 2-11/20' });
      if (gets === 1) {
        response.write('23456');
        setTimeout(() => response.socket?.destroy(), 10);
      } else {
        response.end('23456789ab');
      }
    });
    assert.deepEqual(await fakeStore(t, endpoint).get('k', { offset: 2, length: 10 }), bytes('23456789ab'));
    assert.equal(gets, 2);
  });

  it('times out a server that never answers', async (t) => {
    let calls = 0;
    const endpoint = await fakeS3(t, () => {
      calls += 1; // and never respond
    });
    const started = performance.now();
    await assert.rejects(fakeStore(t, endpoint, { maxAttempts: 2, requestTimeoutMs: 200 }).get('k'), (error: unknown) => (error as Error).name === 'TimeoutError');
    assert.equal(calls, 2);
    assert.ok(performance.now() - started < 5_000);
  });

  it('maps 404 NoSuchKey to ObjectNotFound but not NoSuchBucket', async (t) => {
    const endpoint = await fakeS3(t, (request, response) => {
      const code = request.url?.startsWith('/fake/nobucket') ? 'NoSuchBucket' : 'NoSuchKey';
      response.writeHead(404, { 'content-type': 'application/xml' }).end(S3_ERROR(code));
    });
    const store = fakeStore(t, endpoint);
    await assert.rejects(store.get('missing'), isNotFound('missing'));
    await assert.rejects(store.get('nobucket'), (error: unknown) => (error as Error).name === 'NoSuchBucket');
    await store.delete('missing');
  });
});

describe('FaultyObjectStore', () => {
  it('passes calls through and records them', async () => {
    const store = new FaultyObjectStore(new MemoryObjectStore());
    assert.equal(store.url, 'mem://');
    await store.put('k', bytes('v'));
    assert.deepEqual(await store.get('k', { offset: 0, length: 1 }), bytes('v'));
    assert.deepEqual(await store.list(''), ['k']);
    await store.delete('k');
    await assert.rejects(store.get('k'), isNotFound('k'));
    assert.deepEqual(
      store.calls.map((call) => `${call.operation} ${call.key}`),
      ['put k', 'get k', 'list ', 'delete k', 'get k'],
    );
    assert.deepEqual(store.calls[1]?.range, { offset: 0, length: 1 });
    assert.equal(store.injected, 0);
  });

  it('failNext fails exactly the next n calls of an operation, before they happen', async () => {
    const inner = new MemoryObjectStore();
    const store = new FaultyObjectStore(inner);
    store.failNext('put', 2);
    assert.equal(store.pendingFaults, 2);
    await store.get('x').catch(() => undefined); // another operation does not use up the fault
    for (let i = 0; i < 2; i++) {
      await assert.rejects(store.put('k', bytes('v')), (error: unknown) => {
        assert.ok(error instanceof InjectedFault);
        assert.ok(error instanceof Error);
        assert.equal(error.name, 'InjectedFault');
        assert.equal(error.operation, 'put');
        assert.equal(error.key, 'k');
        assert.equal(error.timing, 'before');
        return true;
      });
    }
    assert.deepEqual(await inner.list(''), []);
    await store.put('k', bytes('v'));
    assert.deepEqual(await inner.get('k'), bytes('v'));
    assert.equal(store.injected, 2);
    assert.equal(store.pendingFaults, 0);
  });

  it("timing 'after' performs the call and still fails (a lost acknowledgement)", async () => {
    const inner = new MemoryObjectStore();
    const store = new FaultyObjectStore(inner);
    store.failNext('put', 1, { timing: 'after', message: 'connection reset' });
    await assert.rejects(store.put('k', bytes('v')), (error: unknown) => error instanceof InjectedFault && error.message === 'connection reset' && error.timing === 'after');
    assert.deepEqual(await inner.get('k'), bytes('v'));
  });

  it("failNext('*') fails whatever comes next", async () => {
    const store = new FaultyObjectStore(new MemoryObjectStore());
    store.failNext('*', 2);
    await assert.rejects(store.list('a'), InjectedFault);
    await assert.rejects(store.delete('a'), InjectedFault);
    assert.deepEqual(await store.list('a'), []);
  });

  it('failWhen fails matching calls until removed', async () => {
    const inner = new MemoryObjectStore();
    const store = new FaultyObjectStore(inner);
    const remove = store.failWhen((call) => call.key.startsWith('bad/'));
    const removeAfter = store.failWhen((call) => (call.operation === 'put' && call.key === 'acked-lost' ? 'after' : false));
    await store.put('good/1', bytes('1'));
    await assert.rejects(store.put('bad/1', bytes('1')), InjectedFault);
    await assert.rejects(store.get('bad/1'), InjectedFault);
    await assert.rejects(store.put('bad/2', bytes('2')), InjectedFault);
    await assert.rejects(store.put('acked-lost', bytes('3')), InjectedFault);
    assert.deepEqual(await inner.list(''), ['acked-lost', 'good/1']);
    remove();
    removeAfter();
    await store.put('bad/1', bytes('1'));
    await store.put('acked-lost', bytes('4'));
    assert.equal(store.injected, 4);
  });

  it('clearFaults drops pending failures', async () => {
    const store = new FaultyObjectStore(new MemoryObjectStore());
    store.failNext('put', 5);
    store.failWhen(() => true);
    store.clearFaults();
    await store.put('k', bytes('v'));
  });

  it('fails exactly n of many concurrent calls', async () => {
    const store = new FaultyObjectStore(new MemoryObjectStore(), { latencyMs: 5 });
    await store.put('k', bytes('v'));
    store.failNext('get', 2);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => store.get('k')));
    assert.equal(results.filter((r) => r.status === 'rejected').length, 2);
    for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof InjectedFault);
  });

  it('adds latency, for all operations or per operation', async () => {
    const store = new FaultyObjectStore(new MemoryObjectStore(), { latencyMs: 60 });
    let started = performance.now();
    await store.put('k', bytes('v'));
    assert.ok(performance.now() - started >= 55, 'put delayed');

    store.setLatency({ put: 0, list: 0, delete: 0, get: 150 });
    started = performance.now();
    await store.get('k');
    assert.ok(performance.now() - started >= 145, 'get delayed');
    started = performance.now();
    await store.put('k', bytes('w'));
    assert.ok(performance.now() - started < 100, 'put no longer delayed');

    // A fault still waits out the latency first, like a slow failing request.
    store.failNext('get');
    started = performance.now();
    await assert.rejects(store.get('k'), InjectedFault);
    assert.ok(performance.now() - started >= 145, 'failed get delayed');
  });

  it('lets genuine errors through unchanged', async () => {
    const store = new FaultyObjectStore(new MemoryObjectStore());
    await assert.rejects(store.get('missing'), (error: unknown) => error instanceof ObjectNotFound && !(error instanceof InjectedFault));
    await assert.rejects(store.put('../bad', bytes('x')), /invalid object key/);
  });

  it('refuses nonsense configuration', () => {
    const store = new FaultyObjectStore(new MemoryObjectStore());
    assert.throws(() => store.failNext('bogus' as 'put'), /unknown operation/);
    assert.throws(() => store.failNext('put', 0), /positive integer/);
    assert.throws(() => store.failNext('put', 1.5), /positive integer/);
    assert.throws(() => store.setLatency(-1), /non-negative/);
    assert.throws(() => store.setLatency({ get: Number.NaN }), /non-negative/);
    assert.throws(() => store.setLatency({ bogus: 1 } as never), /unknown operation/);
    assert.throws(() => new FaultyObjectStore(new MemoryObjectStore(), { latencyMs: -5 }), /non-negative/);
  });
});

describe('openObjectStore', () => {
  const defaults = { dataDir: '/var/lib/slipstream' };

  it('opens file:///absolute paths', () => {
    const store = openObjectStore('file:///srv/objects', defaults);
    assert.ok(store instanceof FileObjectStore);
    assert.equal(store.url, 'file:///srv/objects');
    assert.equal(openObjectStore('file:///srv/with%20space', defaults).url, 'file:///srv/with space');
  });

  it('opens file://./relative paths against the working directory', () => {
    assert.equal(openObjectStore('file://./data/objects', defaults).url, `file://${resolve('data/objects')}`);
    assert.equal(openObjectStore('file://../elsewhere', defaults).url, `file://${resolve('../elsewhere')}`);
    assert.equal(openObjectStore('file://.', defaults).url, `file://${process.cwd()}`);
  });

  it('defaults to <dataDir>/objects', () => {
    for (const url of ['', 'file://', '  ']) {
      const store = openObjectStore(url, defaults);
      assert.ok(store instanceof FileObjectStore);
      assert.equal(store.url, 'file:///var/lib/slipstream/objects');
    }
  });

  it('opens mem://', () => {
    const store = openObjectStore('mem://', defaults);
    assert.ok(store instanceof MemoryObjectStore);
    assert.equal(store.url, 'mem://');
  });

  it('opens s3:// with region, prefix and no endpoint (AWS, virtual-hosted style)', () => {
    const store = openObjectStore('s3://my-bucket?region=eu-west-1&prefix=/slipstream/prod/', defaults);
    assert.ok(store instanceof S3ObjectStore);
    assert.equal(store.bucket, 'my-bucket');
    assert.equal(store.prefix, 'slipstream/prod');
    assert.equal(store.region, 'eu-west-1');
    assert.equal(store.endpoint, undefined);
    assert.equal(store.forcePathStyle, false);
    assert.equal(store.url, 's3://my-bucket?region=eu-west-1&prefix=slipstream/prod');
    const bare = openObjectStore('s3://my-bucket', defaults) as S3ObjectStore;
    assert.equal(bare.url, 's3://my-bucket');
    assert.equal(bare.prefix, '');
  });

  it('takes the prefix from the path too', () => {
    const store = openObjectStore('s3://my-bucket/a/b/', defaults) as S3ObjectStore;
    assert.equal(store.prefix, 'a/b');
  });

  it('uses path-style addressing and a default region with an endpoint', (t) => {
    const saved = { AWS_REGION: process.env.AWS_REGION, AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    t.after(() => {
      for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
    });
    const store = openObjectStore('s3://local?endpoint=http://127.0.0.1:7070/', defaults) as S3ObjectStore;
    assert.equal(store.endpoint, 'http://127.0.0.1:7070');
    assert.equal(store.forcePathStyle, true);
    assert.equal(store.region, 'us-east-1');
    assert.equal(store.url, 's3://local?region=us-east-1&endpoint=http://127.0.0.1:7070');
    const virtual = openObjectStore('s3://local?endpoint=https://s3.example.com&force_path_style=false', defaults) as S3ObjectStore;
    assert.equal(virtual.forcePathStyle, false);
    assert.match(virtual.url, /force_path_style=false/);
  });

  it('never puts query credentials into url', () => {
    const store = openObjectStore(
      's3://local?region=us-east-1&endpoint=http://127.0.0.1:7070&access_key_id=AKIDEXAMPLE&secret_access_key=SECRETEXAMPLE&session_token=TOKENEXAMPLE',
      defaults,
    );
    assert.doesNotMatch(store.url, /AKIDEXAMPLE|SECRETEXAMPLE|TOKENEXAMPLE|access_key|secret|token/);
  });

  const invalid: Array<[string, RegExp]> = [
    ['ftp://host/path', /unknown scheme ftp:/],
    ['/just/a/path', /no scheme/],
    ['nonsense', /no scheme/],
    ['file://relative/path', /absolute path/],
    ['file:///abs?x=1', /no query/],
    ['mem://something', /mem:\/\/ takes no path/],
    ['s3://', /missing bucket/],
    ['s3://Bad_Bucket', /invalid bucket name/],
    ['s3://ab', /invalid bucket name/],
    ['s3://bucket:9000', /endpoint=/],
    ['s3://bucket?regoin=us-east-1', /unknown parameter "regoin"/],
    ['s3://bucket?region=us-east-1&region=eu-west-1', /region given twice/],
    ['s3://bucket?region=../x', /invalid region/],
    ['s3://bucket?endpoint=ftp://host', /http:\/\/ or https:\/\//],
    ['s3://bucket?endpoint=not%20a%20url', /is not a URL/],
    ['s3://bucket?prefix=a/../b', /invalid prefix/],
    ['s3://bucket?prefix=a%20b', /invalid prefix/],
    ['s3://bucket/a?prefix=b', /either as a path or as prefix=/],
    ['s3://bucket?force_path_style=yes', /true or false/],
    ['s3://bucket?access_key_id=AKID', /go together/],
    ['s3://bucket?session_token=T', /needs access_key_id/],
    ['s3://AKID:SECRET@bucket', /not user:password@/],
  ];
  for (const [url, reason] of invalid) {
    it(`refuses ${JSON.stringify(url)}`, () => {
      assert.throws(
        () => openObjectStore(url, defaults),
        (error: unknown) => {
          assert.ok(error instanceof Error);
          assert.match(error.message, reason);
          assert.match(error.message, /expected file:\/\/\/absolute\/path, file:\/\/\.\/relative\/path, s3:\/\/bucket\?region=/);
          assert.doesNotMatch(error.message, /SECRET/);
          return true;
        },
      );
    });
  }

  it('does not echo credentials in errors', () => {
    assert.throws(
      () => openObjectStore('s3://bucket?access_key_id=AKIDX&secret_access_key=TOPSECRET&bogus=1', defaults),
      (error: unknown) => /unknown parameter "bogus"/.test((error as Error).message) && !/TOPSECRET|AKIDX/.test((error as Error).message),
    );
  });
});
