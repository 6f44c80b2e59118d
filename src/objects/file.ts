import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { checkKey, ObjectNotFound, type ByteRange, type ObjectStore } from './object-store.ts';

const MAX_KNOWN_DIRECTORIES = 1024;

/**
 * Objects as files under a directory (`file:///path`), the default for `npm start`. A put writes
 * a temporary file, fsyncs it, renames it into place and fsyncs the directory, so an object is
 * either absent or whole — after a crash too.
 */
export class FileObjectStore implements ObjectStore {
  readonly url: string;
  private readonly root: string;
  /** Directories this store made or found: puts into them skip the mkdir. */
  private readonly directories = new Set<string>();

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
    const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    const file = await this.create(dir, temporary);
    try {
      await file.writev(Buffer.isBuffer(data) ? [data] : (data as Buffer[]));
      await file.sync();
    } catch (error) {
      await file.close();
      await rm(temporary, { force: true });
      throw error;
    }
    await file.close();
    await rename(temporary, path);
    const directory = await open(dir, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  }

  /**
   * Opens a new file in `dir`, making the directory first only when it is not known to exist:
   * an agent writes thousands of objects into one directory, and a recursive mkdir per put costs
   * a round trip to the thread pool each time. A directory deleted behind our back is remade.
   */
  private async create(dir: string, path: string) {
    if (this.directories.has(dir)) {
      try {
        return await open(path, 'w', 0o644);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        this.directories.delete(dir);
      }
    }
    await mkdir(dir, { recursive: true });
    if (this.directories.size >= MAX_KNOWN_DIRECTORIES) this.directories.clear();
    this.directories.add(dir);
    return open(path, 'w', 0o644);
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

  async close(): Promise<void> {}

}
