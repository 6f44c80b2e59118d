/**
 * The SQL engine the PostgreSQL data API runs on: real PostgreSQL (pg-engine.ts) or PostgreSQL
 * compiled to WebAssembly in a worker thread (pglite-engine.ts), the embedded default. Both
 * take a request as one batch, run it as one transaction, and answer PostgreSQL's own errors.
 */

export interface Statement {
  sql: string;
  params?: readonly unknown[];
}

export interface StatementResult {
  rows: Record<string, unknown>[];
  affectedRows: number;
}

export interface TransactionOptions {
  /** `SET LOCAL ROLE` to this (already quoted-safe: ours, never a caller's text) before the statements. */
  role?: string;
  readOnly?: boolean;
  /** `SET LOCAL timezone`; validated by the caller against pg_timezone_names. */
  timezone?: string;
  /** Run everything, answer the results, then roll back (`Prefer: tx=rollback`, max-affected). */
  rollback?: boolean;
  /** `SET LOCAL statement_timeout` in ms (real PostgreSQL only; PGlite cannot interrupt a statement). */
  statementTimeoutMs?: number;
  /**
   * Roll back and throw TooManyAffected when the last statement's `page_total` is above this
   * (`Prefer: max-affected`, and a singular answer to a mutation).
   */
  maxAffected?: number;
}

export class TooManyAffected extends Error {
  readonly affected: number;
  constructor(affected: number) {
    super(`the statement affects ${affected} rows`);
    this.name = 'TooManyAffected';
    this.affected = affected;
  }
}

/** The guard both engines apply before COMMIT. */
export function checkAffected(results: readonly StatementResult[], options: TransactionOptions): void {
  if (options.maxAffected === undefined) return;
  const affected = Number(results[results.length - 1]?.rows[0]?.page_total ?? 0);
  if (affected > options.maxAffected) throw new TooManyAffected(affected);
}

export interface SqlEngine {
  readonly kind: 'pglite' | 'postgres';
  /** The statements in order, in one transaction; the first error rolls it all back and is thrown as an EngineError. */
  transaction(statements: readonly Statement[], options?: TransactionOptions): Promise<StatementResult[]>;
  close(): Promise<void>;
}

/** PostgreSQL's error fields, the same from both engines. */
export interface EngineErrorFields {
  message: string;
  /** SQLSTATE. */
  code: string;
  detail?: string;
  hint?: string;
  constraint?: string;
  column?: string;
  table?: string;
  schema?: string;
}

export class EngineError extends Error {
  readonly code: string;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
  readonly constraint: string | undefined;
  readonly column: string | undefined;
  readonly table: string | undefined;
  readonly schema: string | undefined;
  constructor(fields: EngineErrorFields) {
    super(fields.message);
    this.name = 'EngineError';
    this.code = fields.code;
    this.detail = fields.detail;
    this.hint = fields.hint;
    this.constraint = fields.constraint;
    this.column = fields.column;
    this.table = fields.table;
    this.schema = fields.schema;
  }
}

/** The fields of a pg / PGlite DatabaseError, or undefined for anything else (a bug, a lost connection). */
export function engineErrorFields(error: unknown): EngineErrorFields | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const e = error as Record<string, unknown>;
  if (typeof e.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code) || typeof e.message !== 'string') return undefined;
  const text = (key: string) => (typeof e[key] === 'string' && e[key] !== '' ? (e[key] as string) : undefined);
  const fields: EngineErrorFields = { message: e.message, code: e.code };
  for (const key of ['detail', 'hint', 'constraint', 'column', 'table', 'schema'] as const) {
    const value = text(key);
    if (value !== undefined) fields[key] = value;
  }
  return fields;
}

/** `"name"` with embedded quotes doubled: the only way an identifier enters SQL text. */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error('identifier with a NUL byte');
  return `"${name.replaceAll('"', '""')}"`;
}

/** The SET LOCAL prelude both engines run after BEGIN. */
export function prelude(options: TransactionOptions): string[] {
  const sets: string[] = [];
  if (options.role !== undefined) sets.push(`SET LOCAL ROLE ${quoteIdent(options.role)}`);
  // Every name is schema-qualified; an empty path means no caller-made object can shadow a function.
  sets.push('SET LOCAL search_path TO pg_catalog, pg_temp');
  // Literals are written with only `'` doubled (tables.ts): that is safe only with this on,
  // whatever the server's configuration says.
  sets.push('SET LOCAL standard_conforming_strings TO on');
  sets.push(`SET LOCAL timezone TO '${(options.timezone ?? 'UTC').replaceAll("'", "''")}'`);
  return sets;
}
