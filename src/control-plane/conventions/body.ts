import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, badRequest } from '../../errors.ts';

/**
 * WarpStream's clients send JSON with or without a body, by POST or by GET. So:
 * - an empty body is `{}` (list calls arrive without one);
 * - any content type is read as JSON (curl's default form type included);
 * - a GET's body is read too (Fastify ignores GET bodies), and a GET without a body takes its
 *   fields from the query string.
 * - an `application/x-www-form-urlencoded` body that is not JSON is read as a form (OAuth).
 * Malformed JSON is refused with MALFORMED_JSON; a body over the limit with 413 before it is
 * buffered past the limit.
 */
declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
  }
}

export function registerJsonBodies(app: FastifyInstance, bodyLimit: number): void {
  const parseJson = (text: string): unknown => {
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text, (key, value) => {
        // Prototype pollution through `__proto__` keys is refused outright.
        if (key === '__proto__') throw new SyntaxError('"__proto__" is not an accepted key');
        return value;
      });
    } catch (error) {
      throw badRequest(`request body is not valid JSON: ${(error as Error).message}`, 'MALFORMED_JSON');
    }
  };

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    try {
      // OAuth 2.0 clients post forms (RFC 6749 §4); WarpStream's send JSON under curl's form
      // type. A form-typed body that is not a JSON object is read as the form it is.
      const text = body as string;
      const form = /^application\/x-www-form-urlencoded\b/i.test(request.headers['content-type'] ?? '') && !/^\s*[{[]/.test(text) && text.trim() !== '';
      // The text as sent, for what must not go through JavaScript numbers (the data API's
      // bodies: a bigint above 2^53 reaches PostgreSQL digit for digit).
      request.rawBody = text;
      done(null, form ? formFields(text) : parseJson(text));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  app.addHook('preValidation', async (request) => {
    if (request.method === 'GET' || request.method === 'HEAD') {
      const text = await readBody(request, bodyLimit);
      request.body = text.trim() !== '' ? parseJson(text) : queryFields(request);
    }
    if (request.body === undefined || request.body === null) request.body = {};
  });
}

function queryFields(request: FastifyRequest): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    // Query values arrive as text; `true`/`false` are the booleans a client means (list flags).
    fields[name] = value === 'true' || value === 'false' ? value === 'true' : value;
  }
  return fields;
}

async function readBody(request: FastifyRequest, limit: number): Promise<string> {
  const headers = request.headers;
  if (headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) return '';
  if (Number(headers['content-length'] ?? 0) > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(limit: number): ApiError {
  return new ApiError(413, 'PAYLOAD_TOO_LARGE', `request body is larger than ${limit} bytes`);
}

function formFields(text: string): Record<string, string> {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of new URLSearchParams(text)) {
    if (name === '__proto__') throw badRequest('"__proto__" is not an accepted key', 'MALFORMED_FORM');
    if (name in fields) throw badRequest(`form field ${name} is repeated`, 'MALFORMED_FORM');
    fields[name] = value;
  }
  return { ...fields };
}
