import { conflict, forbidden, notFound, unprocessable } from '../../errors.ts';
import { IdentityError, type ClientView, type IdentityProvider, type RoleView } from '../../identity/provider.ts';
import { PLATFORM_ROLES } from '../../identity/roles.ts';
import { provisionRealm } from '../../identity/setup.ts';
import type { MetadataStore } from '../../metadata/store.ts';
import type { Realm } from '../../model/records.ts';
import { planOf, requireCapability } from '../plans.ts';
import { requireScope, requireTenantWide, type PlatformCaller } from '../platform-auth.ts';
import { checkDisplayName, checkRealmName, tenantFor } from './tenants.ts';
import { liveWorkspaceOf } from './workspaces.ts';

/**
 * IAM of the platform API, gated by the plan's `identity` capability: a tenant's realms (its
 * own, named by its slug, is made with it; more are made here), the OAuth clients in them (the
 * secret answered once, optionally bound to one workspace) and the realm roles with the scopes
 * each grants. IAM is tenant-wide: a workspace-bound token reaches none of it.
 */

export interface RealmView {
  id: string;
  tenantId: string;
  displayName: string;
  enabled: boolean;
  issuer: string;
  createdAt: string;
}

export interface OAuthClientView extends ClientView {
  realm: string;
  /** Answered once, when the client is made. */
  clientSecret?: string;
}

function gate(caller: PlatformCaller, scope: 'iam:read' | 'iam:write'): void {
  requireScope(caller, scope);
  requireTenantWide(caller, 'IAM');
  requireCapability(planOf(caller.tenant), 'identity');
}

function realmView(identity: IdentityProvider, realm: Realm): RealmView {
  return { id: realm.name, tenantId: realm.account_id, displayName: realm.display_name, enabled: realm.enabled, issuer: identity.issuerOf(realm.name), createdAt: new Date(realm.created_at).toISOString() };
}

/** A realm of the caller's tenant (any for a platform admin). */
async function realmFor(store: MetadataStore, caller: PlatformCaller, name: string): Promise<Realm> {
  const realm = await store.identity.getRealm(name);
  if (!realm) throw notFound('REALM_NOT_FOUND', `realm ${name} not found`);
  if (realm.account_id !== caller.tenant.id && !caller.scopes.has('platform:admin')) throw forbidden(`realm ${name} belongs to another tenant than this token's`);
  return realm;
}

export async function listRealms(store: MetadataStore, identity: IdentityProvider, caller: PlatformCaller): Promise<RealmView[]> {
  gate(caller, 'iam:read');
  return (await store.identity.listRealms(caller.tenant.id)).map((realm) => realmView(identity, realm));
}

/**
 * A further realm of a tenant (a separate user base: an app's customers, a partner). Realm
 * names share one namespace with tenant slugs (a tenant's own realm is its slug), so a name
 * any tenant or realm has is 409.
 */
export async function createRealm(
  store: MetadataStore,
  identity: IdentityProvider,
  caller: PlatformCaller,
  request: { id: string; displayName: string; tenantId?: string },
): Promise<RealmView> {
  gate(caller, 'iam:write');
  checkRealmName('id', request.id);
  checkDisplayName(request.displayName);
  const realm = await store.transaction(async (tx) => {
    const tenant = await tenantFor(tx, caller, request.tenantId ?? caller.tenant.id);
    if ((await tx.identity.getRealm(request.id)) || (await tx.findAccountBySlug(request.id))) {
      throw conflict('REALM_ALREADY_EXISTS', `a realm or tenant named ${JSON.stringify(request.id)} already exists`);
    }
    const row: Realm = { name: request.id, account_id: tenant.id, display_name: request.displayName, enabled: tenant.status === 'active', created_at: Date.now() };
    await tx.identity.insertRealm(row);
    return row;
  });
  // A realm whose making is cut short here is completed at the next start (identity/setup.ts).
  await provisionRealm(identity, realm);
  return realmView(identity, realm);
}

export async function createOAuthClient(
  store: MetadataStore,
  identity: IdentityProvider,
  caller: PlatformCaller,
  realmName: string,
  request: { clientId: string; grantTypes: string[]; redirectUris: string[]; roles?: string[]; workspaceId?: string },
): Promise<OAuthClientView> {
  gate(caller, 'iam:write');
  const realm = await realmFor(store, caller, realmName);
  // A client's roles are its service account's: viewer unless told, when it has one.
  const roles = request.roles ?? (request.grantTypes.includes('client_credentials') ? ['viewer'] : []);
  // A tenant cannot hand out more than it has: platform-admin stays the operator's.
  if (roles.includes('platform-admin') && !caller.scopes.has('platform:admin')) throw forbidden('only platform admins can grant platform-admin');
  if (request.workspaceId !== undefined && !(await liveWorkspaceOf(store, realm.account_id, request.workspaceId))) {
    throw unprocessable('WORKSPACE_NOT_IN_TENANT', `workspace ${request.workspaceId} is not a workspace of the realm's tenant`);
  }
  const spec = { clientId: request.clientId, grantTypes: request.grantTypes, redirectUris: request.redirectUris, roles, ...(request.workspaceId === undefined ? {} : { workspaceId: request.workspaceId }) };
  try {
    const { clientSecret } = await identity.createClient(realm.name, spec);
    return { ...spec, realm: realm.name, clientSecret };
  } catch (error) {
    if (error instanceof IdentityError && error.oauthError === 'invalid_request') {
      if (/already exists/.test(error.message)) throw conflict('CLIENT_ALREADY_EXISTS', error.message);
      throw unprocessable('INVALID_CLIENT', error.message);
    }
    throw error;
  }
}

export async function listOAuthClients(store: MetadataStore, identity: IdentityProvider, caller: PlatformCaller, realmName: string): Promise<OAuthClientView[]> {
  gate(caller, 'iam:read');
  const realm = await realmFor(store, caller, realmName);
  return (await identity.listClients(realm.name)).map((client) => ({ ...client, realm: realm.name }));
}

export async function listRealmRoles(store: MetadataStore, identity: IdentityProvider, caller: PlatformCaller, realmName: string): Promise<Array<RoleView & { scopes: string[] }>> {
  gate(caller, 'iam:read');
  const realm = await realmFor(store, caller, realmName);
  const roles = await identity.listRoles(realm.name);
  return roles.map((role) => ({ ...role, scopes: [...(PLATFORM_ROLES.find((r) => r.name === role.name)?.scopes ?? [])] }));
}
