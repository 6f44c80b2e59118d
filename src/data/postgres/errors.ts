import { ApiError } from '../../errors.ts';
import { EngineError } from './engine.ts';
import { GrammarError } from './grammar/ast.ts';

/**
 * Every refusal of the PostgreSQL data API in both shapes at once: PostgREST's top-level
 * `{code, message, details, hint}` (postgrest-js reads those) and the platform envelope
 * `error: {code, message, correlationId, timestamp, details}` with the SQLSTATE kept.
 */

const GRAMMAR_CODES: Record<string, string> = {
  PGRST100: 'INVALID_QUERY',
  PGRST102: 'INVALID_BODY',
  PGRST103: 'RANGE_NOT_SATISFIABLE',
  PGRST106: 'SCHEMA_NOT_FOUND',
  PGRST107: 'UNSUPPORTED_MEDIA_TYPE',
  PGRST116: 'SINGULAR_RESULT_REQUIRED',
  PGRST119: 'INVALID_QUERY',
  PGRST122: 'INVALID_PREFERENCE',
  PGRST124: 'MAX_AFFECTED_EXCEEDED',
  PGRST200: 'RELATIONSHIP_NOT_FOUND',
  PGRST201: 'AMBIGUOUS_RELATIONSHIP',
  PGRST204: 'UNKNOWN_COLUMN',
  PGRST205: 'TABLE_NOT_FOUND',
  '42703': 'UNKNOWN_COLUMN',
  '21000': 'FILTER_REQUIRED',
};

/** SQLSTATE → status and envelope code. Not-null and check violations are 422 here (PostgREST: 400). */
function classifySqlState(code: string): { status: number; code: string } {
  switch (code) {
    case '23505': return { status: 409, code: 'UNIQUE_VIOLATION' };
    case '23503': return { status: 409, code: 'FOREIGN_KEY_VIOLATION' };
    case '23502': return { status: 422, code: 'NOT_NULL_VIOLATION' };
    case '23514': return { status: 422, code: 'CHECK_VIOLATION' };
    case '23P01': return { status: 422, code: 'EXCLUSION_VIOLATION' };
    case '42703': return { status: 400, code: 'UNKNOWN_COLUMN' };
    case '42P01': return { status: 404, code: 'TABLE_NOT_FOUND' };
    case '42501': return { status: 403, code: 'FORBIDDEN' };
    case '57014': return { status: 504, code: 'STATEMENT_TIMEOUT' };
    case '40001':
    case '40P01': return { status: 503, code: 'SERIALIZATION_FAILURE' };
  }
  if (code.startsWith('22')) return { status: 400, code: 'INVALID_VALUE' };
  if (code.startsWith('53') || code.startsWith('08')) return { status: 503, code: 'DATABASE_UNAVAILABLE' };
  if (code.startsWith('42') || code.startsWith('23') || code.startsWith('P0') || code.startsWith('0A')) return { status: 400, code: 'INVALID_QUERY' };
  return { status: 500, code: 'INTERNAL_ERROR' };
}

function dataError(status: number, code: string, postgrest: { code: string; message: string; details: string | readonly unknown[] | null; hint: string | null }, details: Record<string, unknown>): ApiError {
  const error = new ApiError(status, code, postgrest.message, status === 503 ? { 'retry-after': '1' } : undefined);
  error.topLevel = postgrest;
  error.details = details;
  return error;
}

/** The answer for an error thrown while serving a data request; anything unknown is rethrown (a 500). */
export function toDataApiError(error: unknown): unknown {
  if (error instanceof GrammarError) {
    return dataError(error.status, GRAMMAR_CODES[error.code] ?? 'INVALID_QUERY', { code: error.code, message: error.message, details: error.details, hint: error.hint }, { postgrestCode: error.code });
  }
  if (error instanceof EngineError) {
    const { status, code } = classifySqlState(error.code);
    const details: Record<string, unknown> = { sqlstate: error.code };
    if (error.constraint) details.constraint = error.constraint;
    if (error.column) details.column = error.column;
    if (error.table) details.table = error.table;
    if (error.detail) details.detail = error.detail;
    // The real schema name is not the caller's business: to it the schema is `public`.
    return dataError(status, code, { code: error.code, message: error.message, details: error.detail ?? null, hint: error.hint ?? null }, details);
  }
  return error;
}

/** Runs a handler with every data error answered in PostgREST's shape too. */
export function guarded<T>(run: () => Promise<T>): Promise<T> {
  return run().catch((error: unknown) => {
    throw toDataApiError(error);
  });
}
