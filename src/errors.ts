/**
 * One error type for every refusal the platform makes. `code` is the stable machine-readable
 * code of the error envelope (`{"error":{"code","message","correlationId","timestamp"}}`);
 * `status` is the HTTP status the control plane answers with. The Kafka path (a later issue)
 * maps the same errors onto Kafka error codes, so services throw this and nothing else.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string> | undefined;
  /** Machine-readable particulars, answered as the envelope's `error.details`. */
  details: Record<string, unknown> | undefined;
  /**
   * Fields answered beside `error` at the top of the body: the data API puts PostgREST's own
   * `{code, message, details, hint}` there, so postgrest-js reads its error where it expects it.
   */
  topLevel: Record<string, unknown> | undefined;

  constructor(status: number, code: string, message: string, headers?: Record<string, string>) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.headers = headers;
    this.details = undefined;
    this.topLevel = undefined;
  }
}

export const badRequest = (message: string, code = 'VALIDATION_ERROR') => new ApiError(400, code, message);
export const unauthorized = (message: string) => new ApiError(401, 'UNAUTHORIZED', message);
export const forbidden = (message: string) => new ApiError(403, 'FORBIDDEN', message);
export const notFound = (code: string, message: string) => new ApiError(404, code, message);
export const conflict = (code: string, message: string) => new ApiError(409, code, message);
export const unprocessable = (code: string, message: string) => new ApiError(422, code, message);
