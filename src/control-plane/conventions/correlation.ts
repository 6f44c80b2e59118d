import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../errors.ts';

/** The platform seed's pattern for `X-Correlation-Id`. */
export const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{8,128}$/;
export const CORRELATION_HEADER = 'x-correlation-id';

function headerValue(raw: IncomingMessage): string | undefined {
  const value = raw.headers[CORRELATION_HEADER];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Fastify's request id *is* the correlation id: the client's when it sent a valid one, a new
 * one otherwise. Using it as the request id puts it on every log line of the request.
 */
export function correlationIdFor(raw: IncomingMessage): string {
  const sent = headerValue(raw);
  return sent !== undefined && CORRELATION_ID_PATTERN.test(sent) ? sent : `corr-${randomUUID()}`;
}

/** Echoes the id on every response and refuses a malformed one (after echoing a fresh id). */
export function registerCorrelation(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Correlation-Id', request.id);
    const sent = headerValue(request.raw);
    if (sent !== undefined && !CORRELATION_ID_PATTERN.test(sent)) {
      throw badRequest(
        'X-Correlation-Id must match ^[A-Za-z0-9._:-]{8,128}$; omit it to have one generated',
        'INVALID_CORRELATION_ID',
      );
    }
  });
}
