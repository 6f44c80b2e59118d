import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors.ts';
import { bearerSecurity, callerOf, errorResponses, type PlatformDeps } from '../../control-plane/routes/platform/context.ts';
import { TooManyAffected } from './engine.ts';
import { guarded } from './errors.ts';
import { GrammarError, type Preferences } from './grammar/ast.ts';
import { parseRangeHeader, wantsSingleObject } from './grammar/prefer.ts';
import { applied, checkProfile, header, preferences, rawQuery, singular, sized } from './http.ts';
import { parseRowsQuery } from './grammar/query-string.ts';
import { buildPlannedCount, buildRead } from './sql/read.ts';
import { buildDelete, buildInsert, buildUpdate } from './sql/write.ts';
import { tableRoutes } from './table-routes.ts';
import { dataWorkspace, requireDataQuota, type DataDeps } from '../gates.ts';

/**
 * The PostgreSQL data API's rows: PostgREST's wire contract (so `@supabase/postgrest-js` works
 * unmodified against `<api>/v1/postgres/<workspace>/rows`); tables are made by table-routes.ts.
 */

const OBJECT_TYPE = 'application/vnd.pgrst.object+json; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
/** At most this many rows in one insert (a bigger batch is many requests). */
export const MAX_INSERT_ROWS = 1000;

type Params = { workspaceId: string; table: string };
const common = { tags: ['PostgreSQL data'], security: bearerSecurity };
const tableParams = { type: 'object', required: ['workspaceId', 'table'], properties: { workspaceId: { type: 'string', maxLength: 128 }, table: { type: 'string', maxLength: 128 } } } as const;


export function postgresRoutes(app: FastifyInstance, deps: PlatformDeps & DataDeps): void {
  const data = deps.data.postgres;
  const maxRows = deps.data.maxRows;
  tableRoutes(app, deps);

  const rowsSchema = (summary: string) => ({ ...common, summary, params: tableParams });

  /** What every rows request does first: the gates, the profile, the query string, Prefer, the schema cache. */
  const openRows = async (request: FastifyRequest, scope: 'data:read' | 'data:write') => {
    const { workspaceId, table } = request.params as Params;
    const workspace = await dataWorkspace(deps, callerOf(request), workspaceId, 'postgres', scope);
    checkProfile(request);
    const query = parseRowsQuery(rawQuery(request));
    const prefer = await preferences(request, data);
    const cache = await data.cacheWith(workspaceId, table);
    return { request, workspace, workspaceId, table, query, prefer, cache };
  };

  const read = async (request: FastifyRequest, reply: FastifyReply) => guarded(async () => {
    const { workspaceId, table, query, prefer, cache } = await openRows(request, 'data:read');
    const root = query.resources[0]!;
    const range = request.method === 'GET' ? parseRangeHeader(header(request, 'range')) : undefined;
    const offset = root.offset ?? range?.offset ?? 0;
    const asked = root.limit ?? range?.limit;
    // The server's maximum is an implicit limit, visible in Content-Range like PostgREST's db-max-rows.
    const limit = asked === undefined ? maxRows : Math.min(asked, maxRows);
    const statements = [buildRead(cache, table, query, { count: prefer.count, limit, offset })];
    if (prefer.count === 'planned') statements.push(buildPlannedCount(cache, table, query));
    const results = await data.run(workspaceId, statements, { readOnly: true, ...(prefer.timezone ? { timezone: prefer.timezone } : {}) });
    const row = results[0]!.rows[0]!;
    const pageTotal = Number(row.page_total);
    let total: number | undefined = row.total === null ? undefined : Number(row.total);
    if (prefer.count === 'planned') total = Number((results[1]!.rows[0]!['QUERY PLAN'] as [{ Plan: { 'Plan Rows': number } }])[0].Plan['Plan Rows']);
    if (total !== undefined && offset > total && !(offset === 0)) {
      throw new GrammarError('PGRST103', 'Requested range not satisfiable', `An offset of ${offset} was requested, but there are only ${total} rows.`, null, 416);
    }
    const status = total !== undefined && pageTotal < total ? 206 : 200;
    reply.header('content-range', `${pageTotal === 0 ? '*' : `${offset}-${offset + pageTotal - 1}`}/${total ?? '*'}`);
    applied(reply, prefer);
    const single = wantsSingleObject(header(request, 'accept'));
    const body = single ? singular(row.body as string, pageTotal) : sized(row.body as string);
    reply.code(status).type(single ? OBJECT_TYPE : JSON_TYPE);
    return request.method === 'HEAD' ? reply.send() : reply.send(body);
  });

  app.get('/v1/postgres/:workspaceId/rows/:table', { config: { bearer: true }, exposeHeadRoute: false, schema: rowsSchema('Query rows (PostgREST grammar: filters, select with embeds, order, limit/offset, Range, Prefer: count)') }, read);
  app.head('/v1/postgres/:workspaceId/rows/:table', { config: { bearer: true }, schema: { ...rowsSchema('Count rows without reading them (Prefer: count=exact|planned)'), hide: true } }, read);

  /** A mutation's answer: status, Content-Range, Preference-Applied and (return=representation) the rows. */
  const answerWrite = (request: FastifyRequest, reply: FastifyReply, prefer: Preferences, row: Record<string, unknown>, status: { minimal: number; representation: number }) => {
    const affected = Number(row.page_total);
    const single = wantsSingleObject(header(request, 'accept'));
    const count = prefer.count !== undefined ? String(affected) : '*';
    reply.header('content-range', request.method === 'PATCH' ? `${affected === 0 ? '*' : `0-${affected - 1}`}/${count}` : `*/${count}`);
    applied(reply, prefer);
    if (prefer.return !== 'representation') return reply.code(status.minimal).send();
    const body = single ? singular(row.body as string, affected) : sized(row.body as string);
    return reply.code(status.representation).type(single ? OBJECT_TYPE : JSON_TYPE).send(body);
  };

  /** `Prefer: max-affected` (with handling=strict) and a singular Accept roll back a change of too many rows. */
  const maxAffected = (request: FastifyRequest, prefer: Preferences) => {
    const limits: number[] = [];
    if (prefer.handling === 'strict' && prefer.maxAffected !== undefined) limits.push(prefer.maxAffected);
    if (wantsSingleObject(header(request, 'accept'))) limits.push(1);
    return limits.length === 0 ? {} : { maxAffected: Math.min(...limits) };
  };

  const runWrite = async (request: FastifyRequest, workspaceId: string, prefer: Preferences, statement: Parameters<typeof data.run>[1][number]) => {
    try {
      const [result] = await data.run(workspaceId, [statement], { ...maxAffected(request, prefer), ...(prefer.tx === 'rollback' ? { rollback: true } : {}), ...(prefer.timezone ? { timezone: prefer.timezone } : {}) });
      return result!.rows[0]!;
    } catch (error) {
      if (!(error instanceof TooManyAffected)) throw error;
      if (wantsSingleObject(header(request, 'accept')) && !(prefer.handling === 'strict' && prefer.maxAffected !== undefined && error.affected > prefer.maxAffected)) {
        throw new GrammarError('PGRST116', 'Cannot coerce the result to a single JSON object', `The result contains ${error.affected} rows`, null, 406);
      }
      throw new GrammarError('PGRST124', 'Query result exceeds max-affected preference constraint', `The query affects ${error.affected} rows`);
    }
  };

  app.post('/v1/postgres/:workspaceId/rows/:table', { config: { bearer: true, mutation: true }, schema: rowsSchema('Insert rows: one object or an array; upsert with Prefer: resolution=merge-duplicates|ignore-duplicates and on_conflict') }, async (request, reply) => guarded(async () => {
    const rows = Array.isArray(request.body) ? request.body.length : 1;
    if (rows > MAX_INSERT_ROWS) throw new ApiError(413, 'TOO_MANY_ROWS', `one insert takes at most ${MAX_INSERT_ROWS} rows; this one has ${rows}`);
    const { workspace, workspaceId, table, query, prefer, cache } = await openRows(request, 'data:write');
    await requireDataQuota(deps, workspace, rows);
    const statement = buildInsert(cache, table, query, request.body, request.rawBody, {
      representation: prefer.return === 'representation',
      ...(prefer.resolution ? { resolution: prefer.resolution } : {}),
      missingDefault: prefer.missing === 'default',
    });
    const row = await runWrite(request, workspaceId, prefer, statement);
    // PostgREST: an upsert that only updated answers 200, anything that inserted 201.
    const created = prefer.resolution === 'merge-duplicates' && Number(row.inserted) === 0 && Number(row.page_total) > 0 ? 200 : 201;
    return answerWrite(request, reply, prefer, row, { minimal: created, representation: created });
  }));

  /** PATCH and DELETE: the same answer; the filter they require is checked by the builders. */
  const change = (build: (rows: Awaited<ReturnType<typeof openRows>>, representation: boolean) => Parameters<typeof runWrite>[3]) =>
    async (request: FastifyRequest, reply: FastifyReply) => guarded(async () => {
      const rows = await openRows(request, 'data:write');
      const row = await runWrite(request, rows.workspaceId, rows.prefer, build(rows, rows.prefer.return === 'representation'));
      return answerWrite(request, reply, rows.prefer, row, { minimal: 204, representation: 200 });
    });

  app.patch('/v1/postgres/:workspaceId/rows/:table', { config: { bearer: true, mutation: true }, schema: rowsSchema('Update the rows the filters match (a filter is required)') },
    change((r, representation) => buildUpdate(r.cache, r.table, r.query, r.request.body, r.request.rawBody, { representation })));

  app.delete('/v1/postgres/:workspaceId/rows/:table', { config: { bearer: true, mutation: true }, schema: rowsSchema('Delete the rows the filters match (a filter is required)') },
    change((r, representation) => buildDelete(r.cache, r.table, r.query, { representation })));
}
