import type { FastifyInstance } from 'fastify';
import { badRequest, conflict, forbidden, notFound } from '../../../errors.ts';
import { IdentityError } from '../../../identity/provider.ts';
import { PLATFORM_ROLES } from '../../../identity/roles.ts';
import { requireScope, type PlatformCaller } from '../../platform-auth.ts';
import { planOf, requireCapability } from '../../plans.ts';
import { bearerSecurity, callerOf, errorResponses, type PlatformDeps } from './context.ts';

/**
 * IAM, gated by the plan's `identity` capability: the tenant's realms (its own, named by its
 * slug, is made with it), OAuth clients in them (the secret answered once), and the realm roles
 * with the scopes they grant.
 */
const realmView = { type: 'object', properties: { id: { type: 'string' }, displayName: { type: 'string' }, enabled: { type: 'boolean' }, issuer: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' } } } as const;
const clientView = {
  type: 'object',
  properties: {
    clientId: { type: 'string' },
    clientSecret: { type: 'string' },
    realm: { type: 'string' },
    grantTypes: { type: 'array', items: { type: 'string' } },
    redirectUris: { type: 'array', items: { type: 'string' } },
    roles: { type: 'array', items: { type: 'string' } },
  },
} as const;
const realmParams = { type: 'object', required: ['realmId'], properties: { realmId: { type: 'string', minLength: 1, maxLength: 63 } } } as const;
const common = { tags: ['IAM'], security: bearerSecurity };

export function iamRoutes(app: FastifyInstance, deps: PlatformDeps): void {
  const { store, identity } = deps;

  const gate = (caller: PlatformCaller) => requireCapability(planOf(caller.tenant), 'identity');
  /** A realm of the caller's tenant (any for a platform admin). */
  const realmFor = async (caller: PlatformCaller, name: string) => {
    const realm = await store.identity.getRealm(name);
    if (!realm) throw notFound('REALM_NOT_FOUND', `realm ${name} not found`);
    if (realm.account_id !== caller.tenant.id && !caller.scopes.has('platform:admin')) throw forbidden(`realm ${name} belongs to another tenant than this token's`);
    return realm;
  };

  app.get('/v1/iam/realms', {
    config: { bearer: true },
    schema: { ...common, summary: "The realms of the token's tenant", response: { 200: { type: 'object', properties: { items: { type: 'array', items: realmView } } }, ...errorResponses } },
  }, async (request) => {
    const caller = callerOf(request);
    requireScope(caller, 'iam:read');
    gate(caller);
    const realms = await store.identity.listRealms(caller.tenant.id);
    return { items: realms.map((r) => ({ id: r.name, displayName: r.display_name, enabled: r.enabled, issuer: identity.issuerOf(r.name), createdAt: new Date(r.created_at).toISOString() })) };
  });

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
          grantTypes: { type: 'array', minItems: 1, maxItems: 3, uniqueItems: true, items: { type: 'string', enum: ['client_credentials', 'password', 'refresh_token'] }, default: ['client_credentials'] },
          redirectUris: { type: 'array', maxItems: 20, items: { type: 'string', format: 'uri', maxLength: 2048 }, default: [] },
          roles: { type: 'array', maxItems: PLATFORM_ROLES.length, uniqueItems: true, items: { type: 'string', enum: PLATFORM_ROLES.map((r) => r.name) }, default: ['viewer'] },
        },
      },
      response: { 201: clientView, ...errorResponses },
    },
  }, async (request, reply) => {
    const caller = callerOf(request);
    requireScope(caller, 'iam:write');
    gate(caller);
    const realm = await realmFor(caller, (request.params as { realmId: string }).realmId);
    const body = request.body as { clientId: string; grantTypes: string[]; redirectUris: string[]; roles: string[] };
    // A tenant cannot hand out more than it has: platform-admin stays the operator's.
    if (body.roles.includes('platform-admin') && !caller.scopes.has('platform:admin')) throw forbidden('only platform admins can grant platform-admin');
    try {
      const { clientSecret } = await identity.createClient(realm.name, { clientId: body.clientId, grantTypes: body.grantTypes, redirectUris: body.redirectUris, roles: body.roles });
      return reply.code(201).send({ clientId: body.clientId, clientSecret, realm: realm.name, grantTypes: body.grantTypes, redirectUris: body.redirectUris, roles: body.roles });
    } catch (error) {
      if (error instanceof IdentityError && error.oauthError === 'invalid_request') {
        if (/already exists/.test(error.message)) throw conflict('CLIENT_ALREADY_EXISTS', error.message);
        throw badRequest(error.message);
      }
      throw error;
    }
  });

  app.get('/v1/iam/realms/:realmId/clients', {
    config: { bearer: true },
    schema: { ...common, summary: 'The OAuth clients of a realm (no secrets)', params: realmParams, response: { 200: { type: 'object', properties: { items: { type: 'array', items: clientView } } }, ...errorResponses } },
  }, async (request) => {
    const caller = callerOf(request);
    requireScope(caller, 'iam:read');
    gate(caller);
    const realm = await realmFor(caller, (request.params as { realmId: string }).realmId);
    return { items: (await identity.listClients(realm.name)).map((c) => ({ ...c, realm: realm.name })) };
  });

  app.get('/v1/iam/realms/:realmId/roles', {
    config: { bearer: true },
    schema: {
      ...common,
      summary: 'The realm roles and the scopes each grants',
      params: realmParams,
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, description: { type: 'string' }, scopes: { type: 'array', items: { type: 'string' } } } } } } }, ...errorResponses },
    },
  }, async (request) => {
    const caller = callerOf(request);
    requireScope(caller, 'iam:read');
    gate(caller);
    const realm = await realmFor(caller, (request.params as { realmId: string }).realmId);
    const roles = await identity.listRoles(realm.name);
    return { items: roles.map((role) => ({ ...role, scopes: [...(PLATFORM_ROLES.find((r) => r.name === role.name)?.scopes ?? [])] })) };
  });
}
