import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors.ts';
import { bearerSecurity, callerOf, errorResponses, type PlatformDeps } from '../../control-plane/routes/platform/context.ts';
import { TooManyAffected } from './engine.ts';
import { toDataApiError } from './errors.ts';
import { GrammarError, type Preferences, type RowsQuery } from './grammar/ast.ts';
import { parsePrefer, parseRangeHeader, wantsSingleObject } from './grammar/prefer.ts';
import { parseRowsQuery } from './grammar/query-string.ts';
import { buildPlannedCount, buildRead } from './sql/read.ts';
import { buildDelete, buildInsert, buildUpdate } from './sql/write.ts';
import { tableView, TYPE_HELP, type TableSpec } from './tables.ts';
import { dataWorkspace, requireDataQuota, type DataDeps } from '../gates.ts';
import type { PostgresData } from './service.ts';

/**
 * The PostgreSQL data API: PostgREST's wire contract (so `@supabase/postgrest-js` works
 * unmodified against `<api>/v1/postgres/<workspace>/rows`) plus a tables route in place of SQL.
 */

const OBJECT_TYPE = 'application/vnd.pgrst.object+json; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
/** At most this many rows in one insert (a bigger batch is many requests). */
export const MAX_INSERT_ROWS = 1000;
/** An answer's JSON may not grow past this; page with limit/offset. */
export const MAX_RESULT_BYTES = 32 * 1024 * 1024;

type Params = { workspaceId: string; table: string };
const common = { tags: ['PostgreSQL data'], security: bearerSecurity };
const workspaceParams = { type: 'object', required: ['workspaceId'], properties: { workspaceId: { type: 'string', maxLength: 128 } } } as const;
const tableParams = { type: 'object', required: ['workspaceId', 'table'], properties: { workspaceId: { type: 'string', maxLength: 128 }, table: { type: 'string', maxLength: 128 } } } as const;

const columnSpec = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'type'],
  properties: {
    name: { type: 'string', maxLength: 63 },
    type: { type: 'string', maxLength: 64, description: TYPE_HELP },
    primaryKey: { type: 'boolean' },
    nullable: { type: 'boolean' },
    unique: { type: 'boolean' },
    default: { description: 'A literal ({"value": …} or a bare JSON scalar) or {"expression": "now()" | "current_timestamp" | "current_date" | "gen_random_uuid()"}' },
    references: {
      type: 'object',
      additionalProperties: false,
      required: ['table'],
      properties: { table: { type: 'string', maxLength: 63 }, column: { type: 'string', maxLength: 63 }, onDelete: { type: 'string', enum: ['cascade', 'restrict', 'set null', 'no action'] } },
    },
  },
} as const;

const tableAnswer = { type: 'object', additionalProperties: true } as const;

/** The query string as sent: repeated keys and their order matter (`id=gt.1&id=lt.9`). */
function rawQuery(request: FastifyRequest): string {
  const at = request.url.indexOf('?');
  return at < 0 ? '' : request.url.slice(at + 1);
}

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

/** Clients see their schema as `public`; `Accept-Profile` / `Content-Profile` may name only that. */
function checkProfile(request: FastifyRequest): void {
  const read = request.method === 'GET' || request.method === 'HEAD';
  const profile = header(request, read ? 'accept-profile' : 'content-profile');
  if (profile !== undefined && profile !== 'public') {
    throw new GrammarError('PGRST106', `Invalid schema: ${profile}`, null, 'Only the following schemas are exposed: public', 406);
  }
}

/** The Prefer header; a time zone PostgreSQL does not know is ignored, as PostgREST does (or refused under handling=strict). */
async function preferences(request: FastifyRequest, data: PostgresData): Promise<Preferences> {
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

function applied(reply: FastifyReply, prefer: Preferences): void {
  if (prefer.applied.length > 0) reply.header('preference-applied', prefer.applied.join(', '));
}

function singular(body: string, count: number): string {
  if (count !== 1) throw new GrammarError('PGRST116', 'Cannot coerce the result to a single JSON object', `The result contains ${count} rows`, null, 406);
  // json_agg of one row is `[<row>]`: the row is the text between the brackets.
  return body.slice(body.indexOf('[') + 1, body.lastIndexOf(']')).trim();
}

function sized(body: string): string {
  if (Buffer.byteLength(body) > MAX_RESULT_BYTES) {
    throw new ApiError(413, 'RESULT_TOO_LARGE', `the answer would be over ${MAX_RESULT_BYTES} bytes; ask for fewer rows (limit/offset or a Range header)`);
  }
  return body;
}

export function postgresRoutes(app: FastifyInstance, deps: PlatformDeps & DataDeps): void {
  const data = deps.data.postgres;
  const maxRows = deps.data.maxRows;

  /** Runs a handler with every data error answered in PostgREST's shape too. */
  const guarded = <T>(run: () => Promise<T>) => run().catch((error: unknown) => {
    throw toDataApiError(error);
  });

  app.post('/v1/postgres/:workspaceId/tables', {
    config: { bearer: true, mutation: true },
    schema: {
      ...common,
      summary: 'Create a table in the workspace (its columns from an allow-list of PostgreSQL types)',
      params: workspaceParams,
      body: { type: 'object', additionalProperties: false, required: ['name', 'columns'], properties: { name: { type: 'string', maxLength: 63 }, columns: { type: 'array', minItems: 1, maxItems: 1600, items: columnSpec } } },
      response: { 201: tableAnswer, ...errorResponses },
    },
  }, async (request, reply) => guarded(async () => {
    const { workspaceId } = request.params as Params;
    await dataWorkspace(deps, callerOf(request), workspaceId, 'postgres', 'data:write');
    const spec = request.body as TableSpec;
    const cache = await data.createTable(workspaceId, spec);
    return reply.code(201).header('location', `/v1/postgres/${workspaceId}/tables/${spec.name}`).send(tableView(cache, cache.tables.get(spec.name)!));
  }));

  app.get('/v1/postgres/:workspaceId/tables', {
    config: { bearer: true },
    schema: { ...common, summary: "List the workspace's tables with their columns", params: workspaceParams, response: { 200: { type: 'object', properties: { items: { type: 'array', items: tableAnswer } } }, ...errorResponses } },
  }, async (request) => guarded(async () => {
    const { workspaceId } = request.params as Params;
    await dataWorkspace(deps, callerOf(request), workspaceId, 'postgres', 'data:read');
    const cache = await data.cache(workspaceId, true);
    return { items: [...cache.tables.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((t) => tableView(cache, t)) };
  }));

  app.get('/v1/postgres/:workspaceId/tables/:table', {
    config: { bearer: true },
    schema: { ...common, summary: 'Get one table with its columns', params: tableParams, response: { 200: tableAnswer, ...errorResponses } },
  }, async (request) => guarded(async () => {
    const { workspaceId, table } = request.params as Params;
    await dataWorkspace(deps, callerOf(request), workspaceId, 'postgres', 'data:read');
    const cache = await data.cacheWith(workspaceId, table);
    const info = cache.tables.get(table);
    if (!info) throw new ApiError(404, 'TABLE_NOT_FOUND', `table ${table} not found in workspace ${workspaceId}`);
    return tableView(cache, info);
  }));

  app.delete('/v1/postgres/:workspaceId/tables/:table', {
    config: { bearer: true, mutation: true },
    schema: { ...common, summary: 'Drop a table and its rows (refused while another table references it)', params: tableParams, response: { 204: { type: 'null' }, ...errorResponses } },
  }, async (request, reply) => guarded(async () => {
    const { workspaceId, table } = request.params as Params;
    await dataWorkspace(deps, callerOf(request), workspaceId, 'postgres', 'data:write');
    if (!(await data.dropTable(workspaceId, table))) throw new ApiError(404, 'TABLE_NOT_FOUND', `table ${table} not found in workspace ${workspaceId}`);
    return reply.code(204).send();
  }));

  const rowsSchema = (summary: string) => ({ ...common, summary, params: tableParams });

  const read = async (request: FastifyRequest, reply: FastifyReply) => guarded(async () => {
    const { workspaceId, table } = request.params as Params;
    await dataWorkspace(deps, callerOf(request), workspaceId, 'postgres', 'data:read');
    checkProfile(request);
    const query = parseRowsQuery(rawQuery(request));
    const prefer = await preferences(request, data);
    const root = query.resources[0]!;
    const range = request.method === 'GET' ? parseRangeHeader(header(request, 'range')) : undefined;
    const offset = root.offset ?? range?.offset ?? 0;
    const asked = root.limit ?? range?.limit;
    // The server's maximum is an implicit limit, visible in Content-Range like PostgREST's db-max-rows.
    const limit = asked === undefined ? maxRows : Math.min(asked, maxRows);
    const cache = await data.cacheWith(workspaceId, table);
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
    const { workspaceId, table } = request.params as Params;
    const workspace = await dataWorkspace(deps, callerOf(request), workspaceId, 'postgres', 'data:write');
    checkProfile(request);
    const query = parseRowsQuery(rawQuery(request));
    const prefer = await preferences(request, data);
    const rows = Array.isArray(request.body) ? request.body.length : 1;
    if (rows > MAX_INSERT_ROWS) throw new ApiError(413, 'TOO_MANY_ROWS', `one insert takes at most ${MAX_INSERT_ROWS} rows; this one has ${rows}`);
    await requireDataQuota(deps, workspace, rows);
    const cache = await data.cacheWith(workspaceId, table);
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

  app.patch('/v1/postgres/:workspaceId/rows/:table', { config: { bearer: true, mutation: true }, schema: rowsSchema('Update the rows the filters match (a filter is required)') }, async (request, reply) => guarded(async () => {
    const { workspaceId, table } = request.params as Params;
    await dataWorkspace(deps, callerOf(request), workspaceId, 'postgres', 'data:write');
    checkProfile(request);
    const query = parseRowsQuery(rawQuery(request));
    const prefer = await preferences(request, data);
    const cache = await data.cacheWith(workspaceId, table);
    const row = await runWrite(request, workspaceId, prefer, buildUpdate(cache, table, query, request.body, request.rawBody, { representation: prefer.return === 'representation' }));
    return answerWrite(request, reply, prefer, row, { minimal: 204, representation: 200 });
  }));

  app.delete('/v1/postgres/:workspaceId/rows/:table', { config: { bearer: true, mutation: true }, schema: rowsSchema('Delete the rows the filters match (a filter is required)') }, async (request, reply) => guarded(async () => {
    const { workspaceId, table } = request.params as Params;
    await dataWorkspace(deps, callerOf(request), workspaceId, 'postgres', 'data:write');
    checkProfile(request);
    const query = parseRowsQuery(rawQuery(request));
    const prefer = await preferences(request, data);
    const cache = await data.cacheWith(workspaceId, table);
    const row = await runWrite(request, workspaceId, prefer, buildDelete(cache, table, query, { representation: prefer.return === 'representation' }));
    return answerWrite(request, reply, prefer, row, { minimal: 204, representation: 200 });
  }));
}
