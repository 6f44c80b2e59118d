import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, conflict, unprocessable } from '../../errors.ts';
import type { MetadataStore } from '../../metadata/store.ts';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A claim older than this belongs to a request that died with its process: it may be retaken. */
export const IDEMPOTENCY_PENDING_TIMEOUT_MS = 60 * 1000;
const PURGE_INTERVAL_MS = 10 * 60 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { apiKeyId: string; key: string; secret: string };
  }
}

/**
 * `Idempotency-Key` on mutations (platform seed): the first answer to a key is stored for 24 h
 * and replayed, marked `X-Idempotency-Replayed: true`, for the same key and body. The same key
 * with a different body is refused (422); a repeat while the first is still running gets 409.
 * Keys are scoped per API key, and the record lives in the metadata store, so every control-plane
 * process sharing it honours it. Server errors (5xx) are not stored: the client may retry them.
 *
 * Stored answers can hold secrets (a new API key, a credential's password), and the store must
 * never hold a secret in the clear. So each answer is encrypted (AES-256-GCM) with a key derived
 * from the caller's own API key secret, which the store does not have either: only the holder of
 * that API key — the only one a replay is for — can turn the record back into the answer.
 */
export function registerIdempotency(
  app: FastifyInstance,
  store: MetadataStore,
  callerOf: (request: FastifyRequest) => { apiKeyId: string; secret: string } | undefined,
): void {
  app.addHook('preHandler', async (request, reply) => {
    const header = request.headers['idempotency-key'];
    if (header === undefined || !request.routeOptions.config.mutation) return;
    const key = Array.isArray(header) ? header[0]! : header;
    if (!KEY_PATTERN.test(key)) throw badRequest('Idempotency-Key must be 1 to 255 visible ASCII characters', 'INVALID_IDEMPOTENCY_KEY');
    const caller = callerOf(request);
    if (caller === undefined) return;
    const { apiKeyId, secret } = caller;

    const requestHash = idempotencyRequestHash(request.method, request.url, request.body, meaningfulHeaders(request));
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
        request.idempotency = { apiKeyId, key, secret };
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
      return replay(reply, existing.status_code ?? 200, open(existing.response_body ?? '', secret, apiKeyId));
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
      const sealed = seal(String(payload ?? ''), claim.secret, claim.apiKeyId);
      await store.completeIdempotencyRecord(claim.apiKeyId, claim.key, reply.statusCode, sealed);
    }
    return payload;
  });

  // Answers older than the TTL are dropped in the background; a lookup ignores them anyway.
  const purge = setInterval(() => {
    store.purgeIdempotencyRecords(Date.now() - IDEMPOTENCY_TTL_MS).catch((error: unknown) => app.log.warn({ err: error }, 'idempotency purge failed'));
  }, PURGE_INTERVAL_MS);
  purge.unref();
  app.addHook('onClose', async () => clearInterval(purge));

  // A request that never produced a response (client gone) must not hold its key for a minute.
  app.addHook('onResponse', async (request) => {
    const claim = request.idempotency;
    if (claim) await store.deleteIdempotencyRecord(claim.apiKeyId, claim.key);
  });
}

/**
 * Headers that change what a mutation does or answers (the data API's `Prefer: return=…,
 * resolution=…`, a singular `Accept`, the schema profile): part of "the same request".
 */
const MEANINGFUL_HEADERS = ['prefer', 'accept', 'content-profile'] as const;

function meaningfulHeaders(request: FastifyRequest): string {
  return MEANINGFUL_HEADERS.map((name) => {
    const value = request.headers[name];
    return value === undefined ? '' : `${name}: ${Array.isArray(value) ? value.join(', ') : value}`;
  }).filter((line) => line !== '').join('\n');
}

/**
 * What "the same request" means for a key: the same method, the same path as sent (path
 * parameters and query included: PATCH /v1/workspaces/A and /B are two requests, not one
 * route; PATCH …/rows/todos?id=eq.1 and ?id=eq.2 too), the same headers of MEANINGFUL_HEADERS
 * and the same parsed body, whatever the order of its object keys.
 */
export function idempotencyRequestHash(method: string, url: string, body: unknown, headers = ''): string {
  // Without such headers the text is what it was before they counted: stored records still match.
  return createHash('sha256').update(`${method} ${url}\n${headers === '' ? '' : `${headers}\n`}${canonicalJson(body ?? {})}`).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function answerKey(secret: string, apiKeyId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, apiKeyId, 'slipstream idempotent answer', 32));
}

/** `base64(iv | tag | ciphertext)` of the answer, under a key only the API key's holder can derive. */
export function seal(answer: string, secret: string, apiKeyId: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', answerKey(secret, apiKeyId), iv);
  const ciphertext = Buffer.concat([cipher.update(answer, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
}

export function open(sealed: string, secret: string, apiKeyId: string): string {
  const bytes = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', answerKey(secret, apiKeyId), bytes.subarray(0, 12));
  decipher.setAuthTag(bytes.subarray(12, 28));
  return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
}

function replay(reply: FastifyReply, statusCode: number, body: string): FastifyReply {
  return reply
    .code(statusCode)
    .header('X-Idempotency-Replayed', 'true')
    .type('application/json; charset=utf-8')
    .serializer((payload: unknown) => payload as string)
    .send(body);
}
