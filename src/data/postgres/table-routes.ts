import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../errors.ts';
import { bearerSecurity, callerOf, errorResponses, type PlatformDeps } from '../../control-plane/routes/platform/context.ts';
import { dataWorkspace, type DataDeps } from '../gates.ts';
import { guarded } from './errors.ts';
import { tableView, TYPE_HELP, type TableSpec } from './tables.ts';

/** Tables as data (`POST …/tables`), in place of a SQL route; listed and dropped the same way. */

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

export function tableRoutes(app: FastifyInstance, deps: PlatformDeps & DataDeps): void {
  const data = deps.data.postgres;

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
}
