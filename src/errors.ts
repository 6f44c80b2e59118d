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

  constructor(status: number, code: string, message: string, headers?: Record<string, string>) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export const badRequest = (message: string, code = 'VALIDATION_ERROR') => new ApiError(400, code, message);
export const unauthorized = (message: string) => new ApiError(401, 'UNAUTHORIZED', message);
export const forbidden = (message: string) => new ApiError(403, 'FORBIDDEN', message);
export const notFound = (code: string, message: string) => new ApiError(404, code, message);
export const conflict = (code: string, message: string) => new ApiError(409, code, message);
export const unprocessable = (code: string, message: string) => new ApiError(422, code, message);
