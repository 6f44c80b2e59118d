/**
 * Immutable objects by key: what agents write record batches to. Objects are written whole,
 * once, and read by byte range; nothing is ever modified in place, so any agent can read what
 * any other wrote. Implementations: a local directory (default), S3-compatible storage, memory.
 */
export interface ByteRange {
  offset: number;
  length: number;
}

export interface ObjectStore {
  /** A description safe to log and to show in `/v1/platform/info` (no credentials). */
  readonly url: string;
  /** Writes the object durably; when this resolves the bytes survive a crash. */
  put(key: string, data: Buffer | readonly Buffer[]): Promise<void>;
  /** The whole object, or `range` of it. Throws ObjectNotFound when there is no such object. */
  get(key: string, range?: ByteRange): Promise<Buffer>;
  /** Keys that start with `prefix`, in lexicographic order. */
  list(prefix: string): Promise<string[]>;
  /** Removes the object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

export class ObjectNotFound extends Error {
  readonly key: string;
  constructor(key: string) {
    super(`object ${key} not found`);
    this.name = 'ObjectNotFound';
    this.key = key;
  }
}

/** Keys are relative paths of `[A-Za-z0-9._/-]` with no empty, `.` or `..` segment. */
export function checkKey(key: string): void {
  if (
    key.length === 0 ||
    key.length > 1024 ||
    !/^[A-Za-z0-9._/-]+$/.test(key) ||
    key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')
  ) {
    throw new Error(`invalid object key ${JSON.stringify(key)}`);
  }
}

export function concat(data: Buffer | readonly Buffer[]): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
}
