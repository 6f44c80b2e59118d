import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors.ts';
import { API_KEY_HEADER } from '../auth.ts';

/**
 * Per-key rate limits: each API key or bearer token (by a hash of it, so secrets never sit in memory maps) gets
 * `max` requests per window; requests without a key are limited per client address. Over the
 * limit the answer is 429 RATE_LIMITED with `Retry-After` in seconds.
 */
export async function registerRateLimit(app: FastifyInstance, max: number, timeWindow: number): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    max,
    timeWindow,
    hook: 'onRequest',
    keyGenerator: (request: FastifyRequest) => {
      const key = request.headers[API_KEY_HEADER];
      const secret = (Array.isArray(key) ? key[0] : key) ?? bearerToken(request.headers.authorization);
      return secret ? 'key:' + createHash('sha256').update(secret).digest('hex') : 'ip:' + request.ip;
    },
    errorResponseBuilder: (_request, context) =>
      new ApiError(429, 'RATE_LIMITED', `rate limit of ${context.max} requests per ${context.after} exceeded; retry after ${Math.ceil(context.ttl / 1000)} s`),
    addHeadersOnExceeding: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': true },
    addHeaders: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': true, 'retry-after': true },
  });
}

function bearerToken(authorization: string | undefined): string | undefined {
  return authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
}
