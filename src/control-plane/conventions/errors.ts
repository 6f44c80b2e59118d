import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors.ts';

/**
 * One error envelope for every error the HTTP surface answers:
 * `{"error":{"code","message","correlationId","timestamp"}}`. Stable codes, no stack traces;
 * unexpected errors are logged with the correlation id and answered as INTERNAL_ERROR.
 */
export interface ErrorEnvelope {
  error: { code: string; message: string; correlationId: string; timestamp: string; details?: Record<string, unknown> };
}

const codesByStatus: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

/** Fastify's own errors that a client caused, with the code and words we answer them with. */
const fastifyErrors: Record<string, { status: number; code: string; message?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'MALFORMED_JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'MALFORMED_JSON' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'BAD_REQUEST' },
  FST_ERR_CTP_INVALID_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
};

export function envelope(request: FastifyRequest, code: string, message: string): ErrorEnvelope {
  return { error: { code, message, correlationId: request.id, timestamp: new Date().toISOString() } };
}

function classify(error: FastifyError | ApiError | Error): { status: number; code: string; message: string } {
  if (error instanceof ApiError) return { status: error.status, code: error.code, message: error.message };
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const where = fastifyError.validationContext ?? 'request';
    // Ajv says "body must have required property 'x'"; keep that wording, it names the field.
    return { status: 400, code: 'VALIDATION_ERROR', message: fastifyError.message.startsWith(where) ? fastifyError.message : `${where} ${fastifyError.message}` };
  }
  const known = fastifyError.code ? fastifyErrors[fastifyError.code] : undefined;
  if (known) return { status: known.status, code: known.code, message: known.message ?? fastifyError.message };
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return { status, code: codesByStatus[status] ?? 'BAD_REQUEST', message: fastifyError.message };
  }
  return { status: 500, code: 'INTERNAL_ERROR', message: 'internal error; quote the correlation id when reporting it' };
}

export function registerErrorEnvelope(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const { status, code, message } = classify(error);
    if (status >= 500) request.log.error({ err: error, correlationId: request.id }, 'request failed');
    if (error instanceof ApiError && error.headers) reply.headers(error.headers);
    const body = envelope(request, code, message);
    if (error instanceof ApiError && error.details) body.error.details = error.details;
    return reply.code(status).type('application/json; charset=utf-8').send(error instanceof ApiError && error.topLevel ? { ...error.topLevel, ...body } : body);
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .type('application/json; charset=utf-8')
      .send(envelope(request, 'ROUTE_NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]}`));
  });
}
