import type { FastifyInstance } from 'fastify';
import { CAPABILITIES } from '../../plans.ts';
import {
  createPlatformWorkspace,
  deletePlatformWorkspace,
  getPlatformWorkspace,
  listPlatformWorkspaces,
  updatePlatformWorkspace,
} from '../../services/platform-workspaces.ts';
import { bearerSecurity, callerOf, errorResponses, pageLimit, pageQuery, type PlatformDeps } from './context.ts';

const workspace = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    tenantId: { type: 'string' },
    slug: { type: 'string' },
    displayName: { type: 'string' },
    capabilities: { type: 'array', items: { type: 'string' } },
    status: { type: 'string', enum: ['active', 'suspended', 'deleted'] },
    kafka: {
      type: 'object',
      nullable: true,
      properties: { virtualClusterId: { type: 'string' }, virtualClusterName: { type: 'string' }, bootstrapUrl: { type: 'string' } },
    },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    deletedAt: { type: 'string', format: 'date-time', nullable: true },
  },
} as const;

const capabilities = { type: 'array', maxItems: CAPABILITIES.length, items: { type: 'string', maxLength: 32 } } as const;
const workspaceParams = { type: 'object', required: ['workspaceId'], properties: { workspaceId: { type: 'string', minLength: 1, maxLength: 128 } } } as const;
const common = { tags: ['Workspaces'], security: bearerSecurity };
type Id = { workspaceId: string };

export function workspaceRoutes(app: FastifyInstance, deps: PlatformDeps): void {
  const { store, secrets, cluster } = deps;

  app.post('/v1/workspaces', {
    config: { bearer: true, mutation: true },
    schema: {
      ...common,
      summary: 'Create a workspace in a tenant (kafka: with its own virtual cluster)',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['slug', 'displayName'],
        properties: { tenantId: { type: 'string', maxLength: 128 }, slug: { type: 'string', maxLength: 63 }, displayName: { type: 'string', maxLength: 128 }, capabilities },
      },
      response: { 201: workspace, ...errorResponses },
    },
  }, async (request, reply) => {
    const created = await createPlatformWorkspace(store, secrets, callerOf(request), request.body as Parameters<typeof createPlatformWorkspace>[3], cluster);
    return reply.code(201).header('location', `/v1/workspaces/${created.id}`).send(created);
  });

  app.get('/v1/workspaces', {
    config: { bearer: true },
    schema: {
      ...common,
      summary: "List the workspaces of the token's tenant (platform admins: of `tenantId`)",
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          tenantId: { type: 'string', maxLength: 128 },
          status: { type: 'string', enum: ['active', 'suspended', 'deleted'] },
          limit: pageLimit,
          cursor: { type: 'string', maxLength: 400 },
        },
      },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: workspace }, nextCursor: { type: 'string', nullable: true } } }, ...errorResponses },
    },
  }, async (request) => listPlatformWorkspaces(store, callerOf(request), pageQuery(request.query), cluster));

  app.get('/v1/workspaces/:workspaceId', {
    config: { bearer: true },
    schema: { ...common, summary: 'Get a workspace', params: workspaceParams, response: { 200: workspace, ...errorResponses } },
  }, async (request) => getPlatformWorkspace(store, callerOf(request), (request.params as Id).workspaceId, cluster));

  app.patch('/v1/workspaces/:workspaceId', {
    config: { bearer: true, mutation: true },
    schema: {
      ...common,
      summary: 'Update a workspace: display name, capabilities (within the plan), status',
      params: workspaceParams,
      body: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: { displayName: { type: 'string', maxLength: 128 }, capabilities, status: { type: 'string', enum: ['active', 'suspended'] } },
      },
      response: { 200: workspace, ...errorResponses },
    },
  }, async (request) =>
    updatePlatformWorkspace(store, secrets, callerOf(request), (request.params as Id).workspaceId, request.body as Parameters<typeof updatePlatformWorkspace>[4], cluster),
  );

  app.delete('/v1/workspaces/:workspaceId', {
    config: { bearer: true, mutation: true },
    schema: { ...common, summary: 'Soft-delete a workspace: hidden from both APIs, its API keys stop working, its data kept', params: workspaceParams, response: { 200: workspace, ...errorResponses } },
  }, async (request) => deletePlatformWorkspace(store, callerOf(request), (request.params as Id).workspaceId, cluster));
}
