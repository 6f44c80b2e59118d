import { ApiError, forbidden } from '../errors.ts';
import type { Account, MetadataStore } from '../metadata/store.ts';
import { IdentityError, type IdentityProvider, type VerifiedToken } from '../identity/provider.ts';
import { scopesOf, type Scope } from '../identity/roles.ts';
import { liveWorkspaceOf } from './services/workspaces.ts';

/**
 * Who calls a `/v1` route: a bearer token from the identity provider (embedded or Keycloak),
 * its realm mapped to its tenant by the metadata store, its roles to scopes (identity/roles.ts).
 */
export interface PlatformCaller {
  token: VerifiedToken;
  tenant: Account;
  scopes: ReadonlySet<Scope>;
  /**
   * The one workspace the token reaches (its OAuth client is bound to it): it reads its tenant
   * and works in that workspace, and nothing tenant-wide (other workspaces, tenant changes, IAM).
   */
  workspaceId?: string;
}

const BEARER_CHALLENGE = (error: string, description: string) => ({
  'www-authenticate': `Bearer realm="slipstream", error="${error}", error_description="${description.replaceAll('"', "'")}"`,
});

function unauthorizedBearer(message: string, error = 'invalid_token'): ApiError {
  return new ApiError(401, 'UNAUTHORIZED', message, BEARER_CHALLENGE(error, message));
}

export async function authenticateBearer(store: MetadataStore, identity: IdentityProvider, authorization: string | undefined): Promise<PlatformCaller> {
  const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(authorization ?? '');
  if (!match) throw unauthorizedBearer('send Authorization: Bearer <access token> (POST /v1/auth/token issues one)', 'invalid_request');
  let token: VerifiedToken;
  try {
    token = await identity.verify(match[1]!);
  } catch (error) {
    if (error instanceof IdentityError) throw unauthorizedBearer(error.message);
    throw error;
  }
  const realm = await store.identity.getRealm(token.realm);
  const tenant = realm ? await store.getAccount(realm.account_id) : undefined;
  if (!realm || !realm.enabled || !tenant) throw unauthorizedBearer(`realm ${token.realm} is not a realm of an active tenant`);
  if (tenant.status !== 'active') throw unauthorizedBearer(`tenant ${tenant.id} is ${tenant.status}`);
  if (token.workspaceId !== undefined) {
    const workspace = await liveWorkspaceOf(store, tenant.id, token.workspaceId);
    // Its workspace deleted, the token is worth nothing (as an API key of that workspace).
    if (!workspace) throw unauthorizedBearer(`workspace ${token.workspaceId} of this token does not exist`);
    return { token, tenant, scopes: scopesOf(token.roles), workspaceId: workspace.id };
  }
  return { token, tenant, scopes: scopesOf(token.roles) };
}

/** Refuses a workspace-bound token what reaches beyond its workspace. */
export function requireTenantWide(caller: PlatformCaller, what: string): void {
  if (caller.workspaceId !== undefined) throw forbidden(`${what} needs a tenant-wide token; this one is bound to workspace ${caller.workspaceId}`);
}

export function requireScope(caller: PlatformCaller, scope: Scope): void {
  if (!caller.scopes.has(scope) && !caller.scopes.has('platform:admin')) {
    throw forbidden(`this route needs the ${scope} scope; the token has ${[...caller.scopes].join(' ') || 'none'}`);
  }
}
