import { randomBytes } from 'node:crypto';
import { open, readdir, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WriteDone, WriteJob } from './file-writer.ts';
import { checkKey, ObjectNotFound, type ByteRange, type ObjectStore } from './object-store.ts';

const MAX_KNOWN_DIRECTORIES = 1024;
/** Writer threads: as many as the write path overlaps uploads (each put fsyncs twice). */
const WRITERS = 4;

/** Writer threads (src/objects/file-writer.ts), started on first use, each doing one put at a time. */
class WriterPool {
  private readonly idle: Worker[] = [];
  /** What each busy writer is doing. */
  private readonly running = new Map<Worker, PromiseWithResolvers<void>>();
  private readonly waiting: Array<{ job: WriteJob; done: PromiseWithResolvers<void> }> = [];
  private nextId = 0;

  run(job: Omit<WriteJob, 'id'>): Promise<void> {
    const done = Promise.withResolvers<void>();
    this.waiting.push({ job: { ...job, id: this.nextId++ }, done });
    this.dispatch();
    return done.promise;
  }

  private dispatch(): void {
    while (this.waiting.length > 0) {
      const worker = this.idle.pop() ?? (this.idle.length + this.running.size < WRITERS ? this.start() : undefined);
      if (!worker) return;
      const { job, done } = this.waiting.shift()!;
      this.running.set(worker, done);
      // A busy writer keeps the process alive (a put in flight must finish); an idle one not.
      worker.ref();
      worker.postMessage(job);
    }
  }

  private start(): Worker {
    const worker = new Worker(new URL('./file-writer.ts', import.meta.url));
    worker.on('message', (message: WriteDone) => {
      const done = this.running.get(worker);
      this.running.delete(worker);
      worker.unref();
      this.idle.push(worker);
      if (message.error) {
        const error = new Error(message.error.message) as NodeJS.ErrnoException;
        if (message.error.code) error.code = message.error.code;
        done?.reject(error);
      } else done?.resolve();
      this.dispatch();
    });
    worker.on('error', (error) => {
      // Only a bug in the writer itself gets here: fail its put and let another writer start.
      this.running.get(worker)?.reject(error);
      this.running.delete(worker);
      this.dispatch();
    });
    return worker;
  }

  async close(): Promise<void> {
    const all = [...this.idle, ...this.running.keys()];
    this.idle.length = 0;
    for (const done of this.running.values()) done.reject(new Error('the object store was closed'));
    this.running.clear();
    await Promise.all(all.map((worker) => worker.terminate()));
  }
}

/**
 * Objects as files under a directory (`file:///path`), the default for `npm start`. A put writes
 * a temporary file, fsyncs it, renames it into place and fsyncs the directory, so an object is
 * either absent or whole — after a crash too. Puts run on writer threads (file-writer.ts), one
 * job each, instead of eight thread-pool round trips through the event loop.
 */
export class FileObjectStore implements ObjectStore {
  readonly url: string;
  private readonly root: string;
  /** Directories this store made or found: puts into them skip the mkdir. */
  private readonly directories = new Set<string>();
  private readonly writers = new WriterPool();

  constructor(root: string) {
    this.root = root;
    this.url = `file://${root}`;
  }

  private path(key: string): string {
    checkKey(key);
    return join(this.root, ...key.split('/'));
  }

  async put(key: string, data: Buffer | readonly Buffer[]): Promise<void> {
    const path = this.path(key);
    const dir = dirname(path);
    const job = {
      path,
      dir,
      temporary: `${path}.${randomBytes(6).toString('hex')}.tmp`,
      chunks: Buffer.isBuffer(data) ? [data] : [...data],
    };
    // An agent writes thousands of objects into one directory: mkdir only for one not known to
    // exist, and again if it was deleted behind our back.
    const known = this.directories.has(dir);
    try {
      await this.writers.run({ ...job, makeDirectory: !known });
    } catch (error) {
      if (!known || (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.directories.delete(dir);
      await this.writers.run({ ...job, makeDirectory: true });
    }
    if (this.directories.size >= MAX_KNOWN_DIRECTORIES) this.directories.clear();
    this.directories.add(dir);
  }

  async get(key: string, range?: ByteRange): Promise<Buffer> {
    const path = this.path(key);
    let file;
    try {
      file = await open(path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ObjectNotFound(key);
      throw error;
    }
    try {
      const offset = range?.offset ?? 0;
      const length = range?.length ?? (await file.stat()).size - offset;
      const buffer = Buffer.allocUnsafe(Math.max(0, length));
      let read = 0;
      while (read < buffer.length) {
        const { bytesRead } = await file.read(buffer, read, buffer.length - read, offset + read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      return buffer.subarray(0, read);
    } finally {
      await file.close();
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (!entry.name.endsWith('.tmp')) {
          const key = relative(this.root, path).split(sep).join('/');
          if (key.startsWith(prefix)) keys.push(key);
        }
      }
    };
    // Only the directory the prefix names can hold matching keys: start the walk there.
    const base = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    if (base !== '') checkKey(base);
    await walk(base === '' ? this.root : join(this.root, ...base.split('/')));
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async close(): Promise<void> {
    await this.writers.close();
  }

}
