import type { FastifyInstance } from 'fastify';
import { createTenant, deleteTenant, listTenants, tenantFor, tenantView, updateTenant } from '../../services/tenants.ts';
import { requireScope } from '../../platform-auth.ts';
import { bearerSecurity, callerOf, errorResponses, pageLimit, pageQuery, type PlatformDeps } from './context.ts';

const tenant = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    slug: { type: 'string' },
    displayName: { type: 'string' },
    plan: { type: 'string' },
    adminEmail: { type: 'string' },
    status: { type: 'string', enum: ['active', 'suspended', 'deleted'] },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    deletedAt: { type: 'string', format: 'date-time', nullable: true },
  },
} as const;

const tenantParams = { type: 'object', required: ['tenantId'], properties: { tenantId: { type: 'string', minLength: 1, maxLength: 128 } } } as const;
const common = { tags: ['Tenants'], security: bearerSecurity };

export function tenantRoutes(app: FastifyInstance, deps: PlatformDeps): void {
  const { store, identity } = deps;

  app.post('/v1/tenants', {
    config: { bearer: true, mutation: true },
    schema: {
      ...common,
      summary: 'Create a tenant (platform admins): its realm and a tenant admin, whose password is answered once',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['slug', 'displayName', 'plan', 'adminEmail'],
        properties: {
          slug: { type: 'string', maxLength: 63 },
          displayName: { type: 'string', maxLength: 200 },
          plan: { type: 'string', maxLength: 64 },
          adminEmail: { type: 'string', maxLength: 320 },
        },
      },
      response: {
        201: {
          ...tenant,
          properties: {
            ...tenant.properties,
            initialAdmin: { type: 'object', properties: { username: { type: 'string' }, password: { type: 'string' }, realm: { type: 'string' } } },
          },
        },
        ...errorResponses,
      },
    },
  }, async (request, reply) => {
    const created = await createTenant(store, identity, callerOf(request), request.body as Parameters<typeof createTenant>[3]);
    return reply.code(201).header('location', `/v1/tenants/${created.id}`).send(created);
  });

  app.get('/v1/tenants', {
    config: { bearer: true },
    schema: {
      ...common,
      summary: 'List tenants: every tenant for platform admins, the own tenant otherwise',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          status: { type: 'string', enum: ['active', 'suspended', 'deleted'] },
          plan: { type: 'string', maxLength: 64 },
          limit: pageLimit,
          cursor: { type: 'string', maxLength: 400 },
        },
      },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: tenant }, nextCursor: { type: 'string', nullable: true } } }, ...errorResponses },
    },
  }, async (request) => {
    const caller = callerOf(request);
    requireScope(caller, 'tenants:read');
    return listTenants(store, caller, pageQuery(request.query));
  });

  app.get('/v1/tenants/:tenantId', {
    config: { bearer: true },
    schema: { ...common, summary: 'Get a tenant', params: tenantParams, response: { 200: tenant, ...errorResponses } },
  }, async (request) => {
    const caller = callerOf(request);
    requireScope(caller, 'tenants:read');
    return tenantView(await tenantFor(store, caller, (request.params as { tenantId: string }).tenantId));
  });

  app.patch('/v1/tenants/:tenantId', {
    config: { bearer: true, mutation: true },
    schema: {
      ...common,
      summary: 'Update a tenant: display name and admin e-mail (tenant admins); plan and status (platform admins)',
      params: tenantParams,
      body: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: {
          displayName: { type: 'string', maxLength: 200 },
          plan: { type: 'string', maxLength: 64 },
          status: { type: 'string', enum: ['active', 'suspended'] },
          adminEmail: { type: 'string', maxLength: 320 },
        },
      },
      response: { 200: tenant, ...errorResponses },
    },
  }, async (request) =>
    updateTenant(store, identity, callerOf(request), (request.params as { tenantId: string }).tenantId, request.body as Parameters<typeof updateTenant>[4]),
  );

  app.delete('/v1/tenants/:tenantId', {
    config: { bearer: true, mutation: true },
    schema: { ...common, summary: 'Soft-delete (deactivate) a tenant: hidden, its realms, tokens and API keys stop working, its data kept', params: tenantParams, response: { 200: tenant, ...errorResponses } },
  }, async (request) => deleteTenant(store, identity, callerOf(request), (request.params as { tenantId: string }).tenantId));
}
