import pg from 'pg';
import { UniqueViolation, type SqlDriver, type SqlExecutor, type SqlValue } from './sql.ts';

/** `?` placeholders (the store's one spelling) become PostgreSQL's `$1, $2, …`. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const SERIALIZATION_FAILURE = '40001';
const DEADLOCK_DETECTED = '40P01';
const UNIQUE_VIOLATION = '23505';
const MAX_ATTEMPTS = 10;

function translate(error: unknown): unknown {
  if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
    return new UniqueViolation((error as Error).message);
  }
  return error;
}

function executor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    dialect: 'postgres',
    async all<T>(sql: string, params: readonly SqlValue[] = []) {
      try {
        return (await client.query(numbered(sql), params as SqlValue[])).rows as T[];
      } catch (error) {
        throw translate(error);
      }
    },
    async get<T>(sql: string, params: readonly SqlValue[] = []) {
      try {
        return (await client.query(numbered(sql), params as SqlValue[])).rows[0] as T | undefined;
      } catch (error) {
        throw translate(error);
      }
    },
    async run(sql: string, params: readonly SqlValue[] = []) {
      try {
        return (await client.query(numbered(sql), params as SqlValue[])).rowCount ?? 0;
      } catch (error) {
        throw translate(error);
      }
    },
  };
}

/**
 * PostgreSQL through a `pg` pool. Transactions run SERIALIZABLE and are retried on
 * serialization failures, so the store's check-then-write rules (duplicate names, tier
 * partition limits) hold even with several control-plane processes on one database.
 */
export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly direct: SqlExecutor;

  constructor(connectionString: string) {
    this.pool = new pg.Pool({
      connectionString,
      max: 10,
      // BIGINT columns hold epoch milliseconds and offsets, all below 2^53: read them as numbers.
      types: {
        getTypeParser: ((oid: number, format?: string) =>
          oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.pool.on('error', () => undefined);
    this.direct = executor(this.pool);
  }

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.direct.all<T>(sql, params);
  }

  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.direct.get<T>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.direct.run(sql, params);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
        const result = await fn(executor(client));
        // After a failed statement (whose error the callback caught) PostgreSQL answers COMMIT
        // with a ROLLBACK and no error: never report such a transaction as committed.
        const commit = await client.query('COMMIT');
        if (commit.command === 'ROLLBACK') {
          throw new Error('transaction was rolled back: a statement in it failed');
        }
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        const code = (error as { code?: string }).code;
        if ((code === SERIALIZATION_FAILURE || code === DEADLOCK_DETECTED) && attempt < MAX_ATTEMPTS) {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
          continue;
        }
        throw translate(error);
      } finally {
        client.release();
      }
    }
  }

  async lockForMigrations(tx: SqlExecutor): Promise<void> {
    // A SERIALIZABLE transaction takes its snapshot at its first statement, which would be the
    // lock itself: a process that waited here would then not see the migration the lock holder
    // just committed, and apply it again ("relation already exists"). READ COMMITTED gives every
    // statement after the lock a fresh snapshot; the lock alone serializes the migrators.
    await tx.run('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
    // One constant key: every Slipstream process migrating this database queues here.
    await tx.run('SELECT pg_advisory_xact_lock(7301985)');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
