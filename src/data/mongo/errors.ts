import { ApiError } from '../../errors.ts';

/**
 * A refusal with MongoDB's own error code (11000 duplicate key, 2 BadValue, 238 NotImplemented…),
 * thrown the same by both engines, answered in the platform envelope with the code kept.
 */
export class MongoError extends Error {
  readonly code: number;
  readonly codeName: string;
  readonly keyValue: Record<string, unknown> | undefined;
  constructor(code: number, codeName: string, message: string, keyValue?: Record<string, unknown>) {
    super(message);
    this.name = 'MongoError';
    this.code = code;
    this.codeName = codeName;
    this.keyValue = keyValue;
  }
}

export const badValue = (message: string) => new MongoError(2, 'BadValue', message);
export const notImplemented = (message: string) => new MongoError(238, 'NotImplemented', message);
export const duplicateKey = (message: string, keyValue?: Record<string, unknown>) => new MongoError(11000, 'DuplicateKey', message, keyValue);

const STATUS: Record<number, { status: number; code: string }> = {
  11000: { status: 409, code: 'DUPLICATE_KEY' },
  2: { status: 400, code: 'BAD_VALUE' },
  9: { status: 400, code: 'FAILED_TO_PARSE' },
  14: { status: 400, code: 'TYPE_MISMATCH' },
  40: { status: 400, code: 'CONFLICTING_UPDATE_OPERATORS' },
  52: { status: 400, code: 'DOLLAR_PREFIXED_FIELD_NAME' },
  57: { status: 400, code: 'DOTTED_FIELD_NAME' },
  66: { status: 400, code: 'IMMUTABLE_FIELD' },
  73: { status: 400, code: 'INVALID_NAMESPACE' },
  26: { status: 404, code: 'COLLECTION_NOT_FOUND' },
  27: { status: 404, code: 'INDEX_NOT_FOUND' },
  85: { status: 409, code: 'INDEX_OPTIONS_CONFLICT' },
  86: { status: 409, code: 'INDEX_KEY_SPECS_CONFLICT' },
  115: { status: 422, code: 'OPERATOR_NOT_SUPPORTED' },
  238: { status: 422, code: 'OPERATOR_NOT_SUPPORTED' },
  10334: { status: 413, code: 'DOCUMENT_TOO_LARGE' },
};

export function toMongoApiError(error: unknown): unknown {
  if (!(error instanceof MongoError)) return error;
  // Server-side codes we do not list are the caller's request (a 4xx) when they are parse or
  // value errors; anything else is ours to look at.
  const known = STATUS[error.code] ?? (error.code < 100 || (error.code >= 15_000 && error.code < 60_000) || (error.code >= 16_000 && error.code < 50_000) ? { status: 400, code: 'INVALID_REQUEST' } : { status: 500, code: 'INTERNAL_ERROR' });
  const answer = new ApiError(known.status, known.code, error.message);
  answer.details = { mongoCode: error.code, codeName: error.codeName, ...(error.keyValue ? { keyValue: error.keyValue } : {}) };
  return answer;
}
