import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writevSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

/**
 * The file object store's writer thread: one put, start to end, as one job — write a temporary
 * file, fsync it, rename it into place, fsync the directory. Done with promise-based `fs` on the
 * main thread the same put is eight round trips through the thread pool and the event loop, each
 * waiting its turn behind produce and fetch requests; here it is one.
 */

export interface WriteJob {
  id: number;
  path: string;
  temporary: string;
  dir: string;
  /** Whether the directory may be missing (mkdir -p first). */
  makeDirectory: boolean;
  chunks: Uint8Array[];
}

export interface WriteDone {
  id: number;
  error?: { message: string; code?: string };
}

function write(job: WriteJob): void {
  if (job.makeDirectory) mkdirSync(job.dir, { recursive: true });
  const fd = openSync(job.temporary, 'w', 0o644);
  try {
    // libuv's synchronous write loops until everything is written (IOV_MAX included); a short
    // count would be a disk-full or a bug, never an object to acknowledge.
    const expected = job.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const written = writevSync(fd, job.chunks);
    if (written !== expected) throw new Error(`short write: ${written} of ${expected} bytes`);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(job.temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(job.temporary, job.path);
  const dirFd = openSync(job.dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

parentPort?.on('message', (job: WriteJob) => {
  let done: WriteDone;
  try {
    write(job);
    done = { id: job.id };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    done = { id: job.id, error: { message: e.message, ...(e.code ? { code: e.code } : {}) } };
  }
  parentPort!.postMessage(done);
});
