import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors.ts';
import { GrammarError, type Preferences } from './grammar/ast.ts';
import { parsePrefer } from './grammar/prefer.ts';
import type { PostgresData } from './service.ts';

/** The HTTP side of PostgREST's contract: the query string as sent, Prefer, profiles, singular answers. */

/** An answer's JSON may not grow past this; page with limit/offset. */
export const MAX_RESULT_BYTES = 32 * 1024 * 1024;

/** The query string as sent: repeated keys and their order matter (`id=gt.1&id=lt.9`). */
export function rawQuery(request: FastifyRequest): string {
  const at = request.url.indexOf('?');
  return at < 0 ? '' : request.url.slice(at + 1);
}

export const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

/** Clients see their schema as `public`; `Accept-Profile` / `Content-Profile` may name only that. */
export function checkProfile(request: FastifyRequest): void {
  const read = request.method === 'GET' || request.method === 'HEAD';
  const profile = header(request, read ? 'accept-profile' : 'content-profile');
  if (profile !== undefined && profile !== 'public') {
    throw new GrammarError('PGRST106', `Invalid schema: ${profile}`, null, 'Only the following schemas are exposed: public', 406);
  }
}

/** The Prefer header; a time zone PostgreSQL does not know is ignored, as PostgREST does (or refused under handling=strict). */
export async function preferences(request: FastifyRequest, data: PostgresData): Promise<Preferences> {
  const prefer = parsePrefer(request.headers.prefer);
  if (prefer.timezone !== undefined && !(await data.timezones()).has(prefer.timezone)) {
    prefer.invalid.push(`timezone=${prefer.timezone}`);
    prefer.applied = prefer.applied.filter((p) => !p.startsWith('timezone='));
    delete prefer.timezone;
  }
  if (prefer.handling === 'strict' && prefer.invalid.length > 0) {
    throw new GrammarError('PGRST122', 'Invalid preferences given with handling=strict', `Invalid preferences: ${prefer.invalid.join(', ')}`);
  }
  return prefer;
}

export function applied(reply: FastifyReply, prefer: Preferences): void {
  if (prefer.applied.length > 0) reply.header('preference-applied', prefer.applied.join(', '));
}

export function singular(body: string, count: number): string {
  if (count !== 1) throw new GrammarError('PGRST116', 'Cannot coerce the result to a single JSON object', `The result contains ${count} rows`, null, 406);
  // json_agg of one row is `[<row>]`: the row is the text between the brackets.
  return body.slice(body.indexOf('[') + 1, body.lastIndexOf(']')).trim();
}

export function sized(body: string): string {
  if (Buffer.byteLength(body) > MAX_RESULT_BYTES) {
    throw new ApiError(413, 'RESULT_TOO_LARGE', `the answer would be over ${MAX_RESULT_BYTES} bytes; ask for fewer rows (limit/offset or a Range header)`);
  }
  return body;
}

