import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { UniqueViolation, type SqlDriver, type SqlExecutor, type SqlValue } from './sql.ts';

const SQLITE_BUSY = 5;

/**
 * SQLite through `node:sqlite`. The database is opened in WAL mode with `synchronous=FULL`, so a
 * commit has reached the disk before the caller is answered: a kill -9 loses nothing acknowledged.
 *
 * `node:sqlite` is synchronous and one connection is shared, so statements are serialized
 * through a promise chain: a transaction holds the chain from BEGIN to COMMIT and nothing else
 * can slip into it while its callback awaits.
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  private chain: Promise<unknown> = Promise.resolve();
  private readonly direct: SqlExecutor;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new DatabaseSync(path);
    this.db.exec('PRAGMA busy_timeout = 5000');
    SqliteDriver.enableWal(this.db);
    this.db.exec('PRAGMA synchronous = FULL');
    this.db.exec('PRAGMA foreign_keys = ON');
    const self = this;
    this.direct = {
      dialect: 'sqlite',
      async all<T>(sql: string, params: readonly SqlValue[] = []) {
        return self.call(() => self.prepare(sql).all(...params) as T[]);
      },
      async get<T>(sql: string, params: readonly SqlValue[] = []) {
        return self.call(() => self.prepare(sql).get(...params) as T | undefined);
      },
      async run(sql: string, params: readonly SqlValue[] = []) {
        return self.call(() => Number(self.prepare(sql).run(...params).changes));
      },
    };
  }

  /**
   * Switching a new file to WAL takes an exclusive lock. When another process opens the same
   * file at the same moment SQLite may answer SQLITE_BUSY at once, without waiting out
   * busy_timeout (it refuses to wait where two lock upgrades could deadlock), so retry here.
   */
  private static enableWal(db: DatabaseSync): void {
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        db.exec('PRAGMA journal_mode = WAL');
        return;
      } catch (error) {
        if ((error as { errcode?: number }).errcode !== SQLITE_BUSY || Date.now() > deadline) throw error;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5 + Math.random() * 20);
      }
    }
  }

  private prepare(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private call<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      const message = (error as Error).message ?? '';
      if (message.includes('UNIQUE constraint failed') || message.includes('PRIMARY KEY')) {
        throw new UniqueViolation(message);
      }
      throw error;
    }
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.chain.then(fn, fn);
    this.chain = result.catch(() => undefined);
    return result;
  }

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.exclusive(() => this.direct.all<T>(sql, params));
  }

  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.exclusive(() => this.direct.get<T>(sql, params));
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.exclusive(() => this.direct.run(sql, params));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      // IMMEDIATE takes the write lock up front, so a second process on the same file waits
      // (busy_timeout) instead of failing half-way through with SQLITE_BUSY.
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.direct);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        this.db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  async lockForMigrations(): Promise<void> {
    // BEGIN IMMEDIATE already excludes every other writer of the file.
  }

  async close(): Promise<void> {
    await this.exclusive(async () => this.db.close());
  }
}
