/**
 * The worker thread that owns the embedded PostgreSQL (PGlite). A PGlite query runs
 * synchronously in WebAssembly and would stop the control plane's event loop for its whole
 * duration; here it stops only this thread. One message = one transaction.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { checkAffected, engineErrorFields, prelude, TooManyAffected, type Statement, type StatementResult, type TransactionOptions } from './engine.ts';

interface Request {
  id: number;
  statements: Statement[];
  options: TransactionOptions;
}

const port = parentPort!;
const { dataDir, template } = workerData as { dataDir: string | undefined; template: Blob | undefined };

// Dates and timestamps stay PostgreSQL's text (the API answers JSON built by PostgreSQL anyway).
const asText = (value: string) => value;
// A template (a dumped fresh cluster) skips initdb: seconds saved per in-memory database.
const db = await PGlite.create(dataDir, { ...(template ? { loadDataDir: template } : {}), parsers: { 1082: asText, 1114: asText, 1184: asText, 20: asText, 1700: asText } });
port.postMessage({ ready: true });

/** PGlite has one session: transactions queue here so they never interleave. */
let queue: Promise<void> = Promise.resolve();

port.on('message', (message: Request | { close: true }) => {
  if ('close' in message) {
    queue = queue.then(async () => {
      await db.close();
      port.postMessage({ closed: true });
    });
    return;
  }
  queue = queue.then(() => run(message));
});

async function run({ id, statements, options }: Request): Promise<void> {
  const results: StatementResult[] = [];
  try {
    await db.transaction(async (tx) => {
      for (const set of prelude(options)) await tx.query(set);
      if (options.readOnly) await tx.query('SET TRANSACTION READ ONLY');
      for (const statement of statements) {
        const answer = await tx.query<Record<string, unknown>>(statement.sql, statement.params as unknown[] | undefined);
        results.push({ rows: answer.rows, affectedRows: answer.affectedRows ?? 0 });
      }
      checkAffected(results, options);
      if (options.rollback) await tx.rollback();
    });
    port.postMessage({ id, results });
  } catch (error) {
    if (error instanceof TooManyAffected) return void port.postMessage({ id, tooMany: error.affected });
    const fields = engineErrorFields(error);
    port.postMessage({ id, error: fields ?? { message: error instanceof Error ? error.message : String(error), code: 'XX000', internal: true } });
  }
}
