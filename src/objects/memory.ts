import { checkKey, concat, ObjectNotFound, type ByteRange, type ObjectStore } from './object-store.ts';

/** Objects in a Map: for unit tests and throwaway agents (`mem://`). Lost with the process. */
export class MemoryObjectStore implements ObjectStore {
  readonly url = 'mem://';
  private readonly objects = new Map<string, Buffer>();

  async put(key: string, data: Buffer | readonly Buffer[]): Promise<void> {
    checkKey(key);
    this.objects.set(key, Buffer.from(concat(data)));
  }

  async get(key: string, range?: ByteRange): Promise<Buffer> {
    checkKey(key);
    const object = this.objects.get(key);
    if (!object) throw new ObjectNotFound(key);
    // A copy, as from any other store: a caller changing it must not change the object.
    return Buffer.from(range ? object.subarray(range.offset, range.offset + range.length) : object);
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    this.objects.delete(key);
  }

  async close(): Promise<void> {}
}
