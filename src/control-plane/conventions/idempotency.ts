import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, conflict, unprocessable } from '../../errors.ts';
import type { MetadataStore } from '../../metadata/store.ts';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A claim older than this belongs to a request that died with its process: it may be retaken. */
export const IDEMPOTENCY_PENDING_TIMEOUT_MS = 60 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { apiKeyId: string; key: string };
  }
}

/**
 * `Idempotency-Key` on mutations (platform seed): the first answer to a key is stored for 24 h
 * and replayed, marked `X-Idempotency-Replayed: true`, for the same key and body. The same key
 * with a different body is refused (422); a repeat while the first is still running gets 409.
 * Keys are scoped per API key, and the record lives in the metadata store, so every control-plane
 * process sharing it honours it. Server errors (5xx) are not stored: the client may retry them.
 */
export function registerIdempotency(app: FastifyInstance, store: MetadataStore, apiKeyIdOf: (request: FastifyRequest) => string | undefined): void {
  app.addHook('preHandler', async (request, reply) => {
    const header = request.headers['idempotency-key'];
    if (header === undefined || !request.routeOptions.config.mutation) return;
    const key = Array.isArray(header) ? header[0]! : header;
    if (!KEY_PATTERN.test(key)) throw badRequest('Idempotency-Key must be 1 to 255 visible ASCII characters', 'INVALID_IDEMPOTENCY_KEY');
    const apiKeyId = apiKeyIdOf(request);
    if (apiKeyId === undefined) return;

    const requestHash = createHash('sha256')
      .update(`${request.routeOptions.url}\n${JSON.stringify(request.body ?? {})}`)
      .digest('hex');
    const now = Date.now();
    for (let attempt = 0; attempt < 2; attempt++) {
      const claimed = await store.insertIdempotencyRecord({
        api_key_id: apiKeyId,
        idempotency_key: key,
        request_hash: requestHash,
        state: 'pending',
        status_code: null,
        response_body: null,
        created_at: now,
      });
      if (claimed) {
        request.idempotency = { apiKeyId, key };
        return;
      }
      const existing = await store.getIdempotencyRecord(apiKeyId, key);
      if (!existing) continue; // it expired or failed between our insert and read: claim again
      const expired = existing.created_at < now - IDEMPOTENCY_TTL_MS;
      const abandoned = existing.state === 'pending' && existing.created_at < now - IDEMPOTENCY_PENDING_TIMEOUT_MS;
      if (expired || abandoned) {
        await store.deleteIdempotencyRecord(apiKeyId, key);
        continue;
      }
      if (existing.request_hash !== requestHash) {
        throw unprocessable('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used with a different request body');
      }
      if (existing.state === 'pending') {
        throw conflict('IDEMPOTENCY_IN_PROGRESS', 'a request with this Idempotency-Key is still being processed; retry later');
      }
      return replay(reply, existing.status_code ?? 200, existing.response_body ?? '{}');
    }
    throw conflict('IDEMPOTENCY_IN_PROGRESS', 'a request with this Idempotency-Key is still being processed; retry later');
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotency;
    if (!claim) return payload;
    request.idempotency = undefined;
    if (reply.statusCode >= 500) {
      await store.deleteIdempotencyRecord(claim.apiKeyId, claim.key);
    } else {
      // Stored before the answer leaves, so a client that saw it will always get it replayed.
      await store.completeIdempotencyRecord(claim.apiKeyId, claim.key, reply.statusCode, String(payload ?? ''));
    }
    return payload;
  });

  // A request that never produced a response (client gone) must not hold its key for a minute.
  app.addHook('onResponse', async (request) => {
    const claim = request.idempotency;
    if (claim) await store.deleteIdempotencyRecord(claim.apiKeyId, claim.key);
  });
}

function replay(reply: FastifyReply, statusCode: number, body: string): FastifyReply {
  return reply
    .code(statusCode)
    .header('X-Idempotency-Replayed', 'true')
    .type('application/json; charset=utf-8')
    .serializer((payload: unknown) => payload as string)
    .send(body);
}
