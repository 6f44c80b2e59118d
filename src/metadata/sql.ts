/**
 * The small SQL surface the metadata store is written against. Two drivers implement it
 * (SQLite through `node:sqlite`, PostgreSQL through `pg`); the store's queries are written once,
 * with `?` placeholders, in the SQL both dialects share.
 */
export type SqlValue = string | number | null;
export type Row = Record<string, unknown>;

export interface SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs a statement and answers how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface SqlDriver extends SqlExecutor {
  /**
   * Runs `fn` in one serializable transaction: all of it commits or none of it does. The
   * callback may be run more than once (PostgreSQL retries serialization failures), so it must
   * have no effects outside the executor it is given.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Serializes migrations across processes sharing one database. */
  lockForMigrations(tx: SqlExecutor): Promise<void>;
  close(): Promise<void>;
}

/** A unique constraint refused a write; the store turns it into a 409 for the caller. */
export class UniqueViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UniqueViolation';
  }
}
