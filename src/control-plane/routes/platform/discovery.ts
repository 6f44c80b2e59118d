import type { FastifyInstance } from 'fastify';
import { IdentityError } from '../../../identity/provider.ts';
import type { EmbeddedIdentity } from '../../../identity/embedded/issuer.ts';
import { grant, tokenBody, type TokenRequest } from './auth.ts';
import type { PlatformDeps } from './context.ts';

/**
 * OpenID discovery (OpenID Connect Discovery 1.0) in Keycloak's layout, so any OIDC library
 * finds the issuer: `<api>/realms/<realm>` is the issuer of a realm's tokens, with its
 * `.well-known/openid-configuration`, its JWKS (`protocol/openid-connect/certs`) and its token
 * endpoint (RFC 6749 errors). `/.well-known/openid-configuration` is the default realm's.
 * With Keycloak the issuer is Keycloak's own realm URL, and these routes point there.
 */
export function discoveryRoutes(app: FastifyInstance, deps: PlatformDeps): void {
  const document = async (realm: string) => {
    const stored = await deps.store.identity.getRealm(realm);
    if (!stored) return undefined;
    const issuer = deps.identity.issuerOf(realm);
    return {
      issuer,
      token_endpoint: `${issuer}/protocol/openid-connect/token`,
      jwks_uri: `${issuer}/protocol/openid-connect/certs`,
      grant_types_supported: ['password', 'client_credentials', 'refresh_token'],
      response_types_supported: ['token'],
      subject_types_supported: ['public'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      id_token_signing_alg_values_supported: deps.identity.kind === 'embedded' ? ['EdDSA'] : ['RS256'],
      claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'azp', 'preferred_username', 'realm_access', 'tenant_id', 'scope'],
    };
  };
  const notFound = (realm: string) => ({ error: 'not_found', error_description: `realm ${realm} does not exist` });
  const hidden = { schema: { hide: true }, config: { rateLimit: false } } as const;

  app.get('/.well-known/openid-configuration', hidden, async (_request, reply) => {
    const doc = await document(deps.defaultRealm);
    return doc ?? reply.code(404).send(notFound(deps.defaultRealm));
  });
  app.get('/realms/:realm/.well-known/openid-configuration', hidden, async (request, reply) => {
    const { realm } = request.params as { realm: string };
    return (await document(realm)) ?? reply.code(404).send(notFound(realm));
  });

  const embedded = deps.identity.kind === 'embedded' ? (deps.identity as EmbeddedIdentity) : undefined;
  if (!embedded) return;
  // With Keycloak, its own endpoints serve these; the embedded issuer serves them here.
  app.get('/realms/:realm/protocol/openid-connect/certs', hidden, async (request, reply) => {
    const { realm } = request.params as { realm: string };
    if (!(await deps.store.identity.getRealm(realm))) return reply.code(404).send(notFound(realm));
    return reply.header('cache-control', 'public, max-age=60').send(await embedded.keys.jwks());
  });
  app.post('/realms/:realm/protocol/openid-connect/token', { schema: { hide: true, body: tokenBody }, config: { rateLimit: { max: 60, timeWindow: 60_000 } } }, async (request, reply) => {
    const { realm } = request.params as { realm: string };
    try {
      const tokens = await grant(deps, request, request.body as TokenRequest, realm);
      return reply.header('cache-control', 'no-store').send(tokens);
    } catch (error) {
      if (!(error instanceof IdentityError)) throw error;
      // RFC 6749 §5.2: 401 with a challenge for client authentication failures, 400 otherwise.
      const status = error.oauthError === 'invalid_client' ? 401 : 400;
      if (status === 401) reply.header('www-authenticate', 'Basic realm="slipstream"');
      return reply.code(status).header('cache-control', 'no-store').send({ error: error.oauthError, error_description: error.message });
    }
  });
}
