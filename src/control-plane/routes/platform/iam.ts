import type { FastifyInstance } from 'fastify';
import { CLIENT_GRANT_TYPES } from '../../../identity/provider.ts';
import { PLATFORM_ROLES } from '../../../identity/roles.ts';
import { createOAuthClient, createRealm, listOAuthClients, listRealmRoles, listRealms } from '../../services/iam.ts';
import { bearerSecurity, callerOf, errorResponses, type PlatformDeps } from './context.ts';

/** IAM routes: schemas here, rules in services/iam.ts. */
const realmView = {
  type: 'object',
  properties: { id: { type: 'string' }, tenantId: { type: 'string' }, displayName: { type: 'string' }, enabled: { type: 'boolean' }, issuer: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' } },
} as const;
const clientView = {
  type: 'object',
  properties: {
    clientId: { type: 'string' },
    clientSecret: { type: 'string' },
    realm: { type: 'string' },
    grantTypes: { type: 'array', items: { type: 'string' } },
    redirectUris: { type: 'array', items: { type: 'string' } },
    roles: { type: 'array', items: { type: 'string' } },
    workspaceId: { type: 'string' },
  },
} as const;
const realmParams = { type: 'object', required: ['realmId'], properties: { realmId: { type: 'string', minLength: 1, maxLength: 63 } } } as const;
const common = { tags: ['IAM'], security: bearerSecurity };
const realmIdOf = (params: unknown) => (params as { realmId: string }).realmId;

export function iamRoutes(app: FastifyInstance, deps: PlatformDeps): void {
  const { store, identity } = deps;

  app.get('/v1/iam/realms', {
    config: { bearer: true },
    schema: { ...common, summary: "The realms of the token's tenant", response: { 200: { type: 'object', properties: { items: { type: 'array', items: realmView } } }, ...errorResponses } },
  }, async (request) => ({ items: await listRealms(store, identity, callerOf(request)) }));

  app.post('/v1/iam/realms', {
    config: { bearer: true, mutation: true },
    schema: {
      ...common,
      summary: 'Create a further realm (a separate user base) in a tenant',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'displayName'],
        properties: {
          id: { type: 'string', minLength: 1, maxLength: 63, description: 'The realm name; realms and tenant slugs share one namespace' },
          displayName: { type: 'string', minLength: 1, maxLength: 200 },
          tenantId: { type: 'string', minLength: 1, maxLength: 64, description: "Defaults to the token's tenant; another only for platform admins" },
        },
      },
      response: { 201: realmView, ...errorResponses },
    },
  }, async (request, reply) => reply.code(201).send(await createRealm(store, identity, callerOf(request), request.body as { id: string; displayName: string; tenantId?: string })));

  app.post('/v1/iam/realms/:realmId/clients', {
    config: { bearer: true, mutation: true },
    schema: {
      ...common,
      summary: 'Create an OAuth 2.0 client in a realm; its secret is answered once',
      params: realmParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['clientId'],
        properties: {
          clientId: { type: 'string', pattern: '^[A-Za-z0-9._-]{3,64}$' },
          grantTypes: { type: 'array', minItems: 1, maxItems: CLIENT_GRANT_TYPES.length, uniqueItems: true, items: { type: 'string', enum: [...CLIENT_GRANT_TYPES] }, default: ['client_credentials'] },
          redirectUris: { type: 'array', maxItems: 20, items: { type: 'string', format: 'uri', maxLength: 2048 }, default: [] },
          roles: {
            type: 'array',
            maxItems: PLATFORM_ROLES.length,
            uniqueItems: true,
            items: { type: 'string', enum: PLATFORM_ROLES.map((r) => r.name) },
            description: "The service account's roles (client_credentials only); viewer when not given",
          },
          workspaceId: { type: 'string', minLength: 1, maxLength: 64, description: "Binds the client's tokens to one workspace of the realm's tenant" },
        },
      },
      response: { 201: clientView, ...errorResponses },
    },
  }, async (request, reply) => {
    const body = request.body as { clientId: string; grantTypes: string[]; redirectUris: string[]; roles?: string[]; workspaceId?: string };
    return reply.code(201).send(await createOAuthClient(store, identity, callerOf(request), realmIdOf(request.params), body));
  });

  app.get('/v1/iam/realms/:realmId/clients', {
    config: { bearer: true },
    schema: { ...common, summary: 'The OAuth clients of a realm (no secrets)', params: realmParams, response: { 200: { type: 'object', properties: { items: { type: 'array', items: clientView } } }, ...errorResponses } },
  }, async (request) => ({ items: await listOAuthClients(store, identity, callerOf(request), realmIdOf(request.params)) }));

  app.get('/v1/iam/realms/:realmId/roles', {
    config: { bearer: true },
    schema: {
      ...common,
      summary: 'The realm roles and the scopes each grants',
      params: realmParams,
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, description: { type: 'string' }, scopes: { type: 'array', items: { type: 'string' } } } } } } }, ...errorResponses },
    },
  }, async (request) => ({ items: await listRealmRoles(store, identity, callerOf(request), realmIdOf(request.params)) }));
}
