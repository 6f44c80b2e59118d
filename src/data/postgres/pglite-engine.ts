import { Worker } from 'node:worker_threads';
import { EngineError, TooManyAffected, type EngineErrorFields, type SqlEngine, type Statement, type StatementResult, type TransactionOptions } from './engine.ts';

type Reply = { id: number; results?: StatementResult[]; tooMany?: number; error?: EngineErrorFields & { internal?: boolean } };

/**
 * The embedded PostgreSQL, run in its own worker thread (pglite-worker.ts): `npm start` needs
 * nothing installed. `dataDir` undefined keeps the database in memory (tests); `template`, a
 * `dumpDataDir()` of a fresh database, is loaded instead of running initdb.
 */
export async function openPgliteEngine(dataDir: string | undefined, options: { template?: Blob } = {}): Promise<SqlEngine> {
  const worker = new Worker(new URL('./pglite-worker.ts', import.meta.url), { workerData: { dataDir, template: options.template } });
  const pending = new Map<number, { resolve: (r: StatementResult[]) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let failure: Error | undefined;
  let closed: (() => void) | undefined;

  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', () => {
      worker.off('error', reject);
      resolve();
    });
  });
  worker.on('message', (message: Reply | { closed: true }) => {
    if ('closed' in message) return closed?.();
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.tooMany !== undefined) {
      waiter.reject(new TooManyAffected(message.tooMany));
    } else if (message.error) {
      waiter.reject(message.error.internal ? new Error(`embedded PostgreSQL: ${message.error.message}`) : new EngineError(message.error));
    } else {
      waiter.resolve(message.results!);
    }
  });
  const fail = (error: Error) => {
    failure = error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the embedded PostgreSQL worker exited (code ${code})`)));

  return {
    kind: 'pglite',
    transaction(statements: readonly Statement[], options: TransactionOptions = {}) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise<StatementResult[]>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, statements, options });
      });
    },
    async close() {
      if (failure) return;
      await new Promise<void>((resolve) => {
        closed = resolve;
        worker.postMessage({ close: true });
      });
      await worker.terminate();
    },
  };
}
