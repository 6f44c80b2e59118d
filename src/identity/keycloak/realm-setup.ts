/**
 * What ensureRealm puts into a Keycloak realm besides the realm itself. Each step first looks,
 * then adds what is missing, so running it again completes a realm whose set-up was cut short.
 */
import { PLATFORM_ROLES } from '../roles.ts';
import { idFromLocation, type KeycloakAdmin } from './admin.ts';

export const AUDIENCE = 'slipstream';
export const DEFAULT_CLIENT = 'slipstream';
const AUDIENCE_SCOPE = 'slipstream-audience';
const TENANT_CLAIM = 'tenant_id';

const path = (realm: string, rest: string) => `/${encodeURIComponent(realm)}${rest}`;

export async function setUpRealm(admin: KeycloakAdmin, realm: string, tenantId: string): Promise<void> {
  await relaxUserProfile(admin, realm);
  await ensureRoles(admin, realm);
  const scopeId = await ensureAudienceScope(admin, realm);
  await ensureTenantClaim(admin, realm, scopeId, tenantId);
  await ensureDefaultClient(admin, realm, scopeId);
}

/**
 * Keycloak 26's user profile requires email, first and last name, and refuses the password
 * grant of a user missing one ("Account is not fully set up"): the platform's users have a
 * username, a password and maybe an email, so none of those is required here.
 */
async function relaxUserProfile(admin: KeycloakAdmin, realm: string): Promise<void> {
  const profile = (await admin.expect('GET', path(realm, '/users/profile'), undefined, 200)).body as { attributes?: Array<{ name: string; required?: unknown }> };
  let changed = false;
  for (const attribute of profile.attributes ?? []) {
    if (['email', 'firstName', 'lastName'].includes(attribute.name) && attribute.required !== undefined) {
      delete attribute.required;
      changed = true;
    }
  }
  if (changed) await admin.expect('PUT', path(realm, '/users/profile'), profile, 200);
}

async function ensureRoles(admin: KeycloakAdmin, realm: string): Promise<void> {
  const existing = (await admin.expect('GET', path(realm, '/roles'), undefined, 200)).body as Array<{ name: string }>;
  for (const role of PLATFORM_ROLES) {
    if (existing.some((have) => have.name === role.name)) continue;
    await admin.expect('POST', path(realm, '/roles'), { name: role.name, description: role.description }, 201, 409);
  }
}

/**
 * A client scope whose audience mapper puts `slipstream` into access tokens' `aud`, made one of
 * the realm's default client scopes (so every client made later gets it, including ones made in
 * Keycloak's console); answers its id.
 */
async function ensureAudienceScope(admin: KeycloakAdmin, realm: string): Promise<string> {
  const scopes = (await admin.expect('GET', path(realm, '/client-scopes'), undefined, 200)).body as Array<{ id: string; name: string }>;
  let id = scopes.find((scope) => scope.name === AUDIENCE_SCOPE)?.id;
  if (id === undefined) {
    const created = await admin.expect('POST', path(realm, '/client-scopes'), {
      name: AUDIENCE_SCOPE,
      description: `Puts ${AUDIENCE} into the audience of access tokens`,
      protocol: 'openid-connect',
      attributes: { 'include.in.token.scope': 'false', 'display.on.consent.screen': 'false' },
      protocolMappers: [{
        name: `${AUDIENCE} audience`,
        protocol: 'openid-connect',
        protocolMapper: 'oidc-audience-mapper',
        config: { 'included.custom.audience': AUDIENCE, 'access.token.claim': 'true', 'id.token.claim': 'false', 'introspection.token.claim': 'true' },
      }],
    }, 201);
    id = idFromLocation(created);
  }
  // 409: it is one already.
  await admin.expect('PUT', path(realm, `/default-default-client-scopes/${id}`), undefined, 204, 409);
  return id;
}

/**
 * A realm belongs to one tenant, so its tokens name the tenant as the embedded issuer's do
 * (`tenant_id`): a hard-coded claim on the audience scope every client of the realm has.
 */
async function ensureTenantClaim(admin: KeycloakAdmin, realm: string, scopeId: string, tenantId: string): Promise<void> {
  const mappers = path(realm, `/client-scopes/${scopeId}/protocol-mappers/models`);
  const existing = ((await admin.expect('GET', mappers, undefined, 200)).body as Array<{ id: string; name: string; config?: Record<string, string> }>).find((m) => m.name === TENANT_CLAIM);
  const mapper = {
    name: TENANT_CLAIM,
    protocol: 'openid-connect',
    protocolMapper: 'oidc-hardcoded-claim-mapper',
    config: { 'claim.name': TENANT_CLAIM, 'claim.value': tenantId, 'jsonType.label': 'String', 'access.token.claim': 'true', 'id.token.claim': 'false', 'introspection.token.claim': 'true' },
  };
  if (existing === undefined) await admin.expect('POST', mappers, mapper, 201, 409);
  else if (existing.config?.['claim.value'] !== tenantId) await admin.expect('PUT', `${mappers}/${existing.id}`, { ...mapper, id: existing.id }, 204);
}

/** The public client of the password grant (`/v1/auth/token` without a client_id). */
async function ensureDefaultClient(admin: KeycloakAdmin, realm: string, scopeId: string): Promise<void> {
  const query = new URLSearchParams({ clientId: DEFAULT_CLIENT });
  const found = (await admin.expect('GET', path(realm, `/clients?${query}`), undefined, 200)).body as Array<{ id: string }>;
  let id = found[0]?.id;
  if (id === undefined) {
    const created = await admin.expect('POST', path(realm, '/clients'), {
      clientId: DEFAULT_CLIENT,
      name: 'Slipstream',
      protocol: 'openid-connect',
      publicClient: true,
      directAccessGrantsEnabled: true,
      standardFlowEnabled: false,
      implicitFlowEnabled: false,
      serviceAccountsEnabled: false,
    }, 201, 409);
    if (created.status === 409) return ensureDefaultClient(admin, realm, scopeId);
    id = idFromLocation(created);
  }
  // A client made after the scope became a default has it already (409); this covers one made before.
  await admin.expect('PUT', path(realm, `/clients/${id}/default-client-scopes/${scopeId}`), undefined, 204, 409);
}
