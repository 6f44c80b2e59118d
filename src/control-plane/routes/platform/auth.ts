import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../../errors.ts';
import { IdentityError, type TokenSet } from '../../../identity/provider.ts';
import { errorResponses, type PlatformDeps } from './context.ts';

/**
 * Tokens. `POST /v1/auth/token` takes OAuth 2.0's form (or the same fields as JSON): the
 * password, client_credentials and refresh_token grants, client credentials in the body or as
 * HTTP Basic (RFC 6749 §2.3.1), `realm` naming the tenant's realm (the default tenant's when
 * absent). Its errors are the platform envelope; the standard endpoint under
 * `/realms/<realm>/protocol/openid-connect/token` (discovery.ts) answers RFC 6749 §5.2 errors
 * for OAuth libraries. Both run `grant` below.
 */

export interface TokenRequest {
  grant_type?: string;
  username?: string;
  password?: string;
  client_id?: string;
  client_secret?: string;
  refresh_token?: string;
  scope?: string;
  realm?: string;
}

const tokenFields = {
  grant_type: { type: 'string', enum: ['password', 'client_credentials', 'refresh_token'] },
  username: { type: 'string', minLength: 1, maxLength: 320 },
  password: { type: 'string', minLength: 1, maxLength: 1024 },
  client_id: { type: 'string', minLength: 1, maxLength: 255 },
  client_secret: { type: 'string', minLength: 1, maxLength: 1024 },
  refresh_token: { type: 'string', minLength: 1, maxLength: 8192 },
  scope: { type: 'string', maxLength: 1024 },
  realm: { type: 'string', minLength: 1, maxLength: 63 },
} as const;

export const tokenBody = { type: 'object', additionalProperties: false, required: ['grant_type'], properties: tokenFields } as const;

const tokenResponse = {
  type: 'object',
  properties: {
    access_token: { type: 'string' },
    token_type: { type: 'string' },
    expires_in: { type: 'integer' },
    refresh_token: { type: 'string' },
    refresh_expires_in: { type: 'integer' },
    scope: { type: 'string' },
  },
} as const;

/** Client credentials from `Authorization: Basic` (form-encoded id and secret), when sent. */
function basicClient(request: FastifyRequest): { client_id: string; client_secret: string } | undefined {
  const match = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(request.headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { client_id: decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' ')), client_secret: decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' ')) };
}

/** Runs one grant. Refusals are IdentityErrors (OAuth's error codes); each route words them its way. */
export async function grant(deps: PlatformDeps, request: FastifyRequest, body: TokenRequest, realmOverride?: string): Promise<TokenSet> {
  const fromBasic = basicClient(request);
  const clientId = fromBasic?.client_id ?? body.client_id;
  const clientSecret = fromBasic?.client_secret ?? body.client_secret;
  const realm = realmOverride ?? body.realm ?? deps.defaultRealm;
  const client = clientId === undefined ? undefined : { clientId, ...(clientSecret === undefined ? {} : { clientSecret }) };
  const stored = await deps.store.identity.getRealm(realm);
  if (!stored) throw new IdentityError('invalid_request', `realm ${realm} does not exist`);
  switch (body.grant_type) {
    case 'password':
      if (!body.username || !body.password) throw new IdentityError('invalid_request', 'the password grant needs username and password');
      return deps.identity.passwordGrant(realm, { username: body.username, password: body.password, ...(client ? { client } : {}), ...(body.scope ? { scope: body.scope } : {}) });
    case 'client_credentials':
      if (!clientId || !clientSecret) throw new IdentityError('invalid_client', 'the client_credentials grant needs client_id and client_secret (in the body or as HTTP Basic)');
      return deps.identity.clientCredentialsGrant(realm, { clientId, clientSecret, ...(body.scope ? { scope: body.scope } : {}) });
    case 'refresh_token':
      if (!body.refresh_token) throw new IdentityError('invalid_request', 'the refresh_token grant needs refresh_token');
      return deps.identity.refresh(realm, body.refresh_token, client);
    default:
      throw new IdentityError('unsupported_grant_type', `grant_type must be password, client_credentials or refresh_token`);
  }
}

/** An IdentityError in the platform envelope: bad credentials are 401, the rest 400. */
export function envelopeError(error: unknown): unknown {
  if (!(error instanceof IdentityError)) return error;
  const status = error.oauthError === 'invalid_client' || error.oauthError === 'invalid_grant' ? 401 : 400;
  return new ApiError(status, error.oauthError.toUpperCase(), error.message);
}

const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store').header('pragma', 'no-cache');

export function authRoutes(app: FastifyInstance, deps: PlatformDeps): void {
  app.post('/v1/auth/token', {
    config: { rateLimit: { max: 60, timeWindow: 60_000 } },
    schema: {
      tags: ['Auth'],
      summary: 'Get tokens (OAuth 2.0 token endpoint: password, client_credentials, refresh_token grants)',
      body: tokenBody,
      response: { 200: tokenResponse, ...errorResponses },
    },
  }, async (request, reply) => {
    try {
      return noStore(reply).send(await grant(deps, request, request.body as TokenRequest));
    } catch (error) {
      throw envelopeError(error);
    }
  });

  app.post('/v1/auth/refresh', {
    config: { rateLimit: { max: 60, timeWindow: 60_000 } },
    schema: {
      tags: ['Auth'],
      summary: 'Refresh an access token: the refresh token is spent and a new one answered; reusing a spent one revokes the login',
      body: { type: 'object', additionalProperties: false, required: ['refresh_token'], properties: { refresh_token: tokenFields.refresh_token, client_id: tokenFields.client_id, client_secret: tokenFields.client_secret, realm: tokenFields.realm } },
      response: { 200: tokenResponse, ...errorResponses },
    },
  }, async (request, reply) => {
    try {
      return noStore(reply).send(await grant(deps, request, { ...(request.body as TokenRequest), grant_type: 'refresh_token' }));
    } catch (error) {
      throw envelopeError(error);
    }
  });

  app.get('/v1/auth/signups/policy', {
    schema: {
      tags: ['Auth'],
      summary: 'The signup policy of this deployment (SLIPSTREAM_SIGNUP_POLICY)',
      response: { 200: { type: 'object', properties: { policy: { type: 'string', enum: ['open', 'invite-only', 'closed'] }, selfServiceSignup: { type: 'boolean' }, identityProvider: { type: 'string' } } } },
    },
  }, async () => ({ policy: deps.signupPolicy, selfServiceSignup: deps.signupPolicy === 'open', identityProvider: deps.identity.kind }));

}
