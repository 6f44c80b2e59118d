import { badRequest, conflict, forbidden, notFound, unprocessable } from '../../errors.ts';
import { newId, newSecret } from '../../ids.ts';
import type { Account, LifecycleStatus, MetadataStore } from '../../metadata/store.ts';
import type { IdentityProvider } from '../../identity/provider.ts';
import { planNamed, PLANS } from '../plans.ts';
import { requireTenantWide, type PlatformCaller } from '../platform-auth.ts';
import { decodeCursor, encodeCursor } from './cursors.ts';
import { checkSlug } from './workspaces.ts';

/**
 * Tenants of the platform API: WarpStream accounts, with the platform's fields. Creating one
 * makes its realm (named by its slug) and a tenant admin; deleting one is a soft delete that
 * disables its realm (its tokens stop verifying) and its API keys (auth.ts checks the status).
 */

/** Slugs a tenant cannot take: Keycloak's own realm, and words a URL should not mean twice. */
const RESERVED_SLUGS = new Set(['master', 'admin', 'api', 'platform', 'realms', 'system']);

/** A tenant's slug names its realm, so tenant slugs and realm names follow one rule. */
export function checkRealmName(field: string, value: string): void {
  checkSlug(field, value);
  if (RESERVED_SLUGS.has(value)) throw badRequest(`${field} ${JSON.stringify(value)} is reserved`, 'INVALID_SLUG');
}
const EMAIL_PATTERN = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

export interface TenantView {
  id: string;
  slug: string;
  displayName: string;
  plan: string;
  adminEmail: string;
  status: LifecycleStatus;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function tenantView(account: Account): TenantView {
  return {
    id: account.id,
    slug: account.slug,
    displayName: account.display_name,
    plan: account.plan,
    adminEmail: account.admin_email,
    status: account.status,
    createdAt: iso(account.created_at)!,
    updatedAt: iso(account.updated_at)!,
    deletedAt: iso(account.deleted_at),
  };
}

/** Tenants' and realms' display names (workspaces' follow WarpStream's workspace names). */
export function checkDisplayName(name: string): void {
  if (name.trim().length === 0 || name.length > 200) throw badRequest('displayName must be 1 to 200 characters');
}
function checkPlan(plan: string): void {
  if (!planNamed(plan)) throw badRequest(`plan must be one of ${PLANS.map((p) => p.name).join(', ')}`, 'UNKNOWN_PLAN');
}
function checkEmail(email: string): void {
  if (!EMAIL_PATTERN.test(email)) throw badRequest('adminEmail must be an e-mail address');
}

function requirePlatformAdmin(caller: PlatformCaller, what: string): void {
  if (!caller.scopes.has('platform:admin')) throw forbidden(`${what} needs the platform:admin scope`);
}

/** A tenant the caller may see: its own, or any for a platform admin; deleted ones answer 404 unless asked for. */
export async function tenantFor(store: MetadataStore, caller: PlatformCaller, tenantId: string, options: { includeDeleted?: boolean } = {}): Promise<Account> {
  if (tenantId !== caller.tenant.id && !caller.scopes.has('platform:admin')) {
    throw forbidden(`this token belongs to tenant ${caller.tenant.id}, not ${tenantId}`);
  }
  const account = await store.getAccount(tenantId);
  if (!account || (account.status === 'deleted' && !options.includeDeleted)) throw notFound('TENANT_NOT_FOUND', `tenant ${tenantId} not found`);
  return account;
}

export async function createTenant(
  store: MetadataStore,
  identity: IdentityProvider,
  caller: PlatformCaller,
  request: { slug: string; displayName: string; plan: string; adminEmail: string },
): Promise<TenantView & { initialAdmin: { username: string; password: string; realm: string } }> {
  requirePlatformAdmin(caller, 'creating a tenant');
  checkRealmName('slug', request.slug);
  checkDisplayName(request.displayName);
  checkPlan(request.plan);
  checkEmail(request.adminEmail);
  const now = Date.now();
  const account: Account = {
    id: newId('ai_'),
    slug: request.slug,
    display_name: request.displayName,
    plan: request.plan,
    admin_email: request.adminEmail,
    status: 'active',
    created_at: now,
    updated_at: now,
    deleted_at: null,
  };
  await store.transaction(async (tx) => {
    // Soft-deleted tenants keep their slug until purged: their data is still there.
    if ((await tx.findAccountBySlug(request.slug)) || (await tx.identity.getRealm(request.slug))) {
      throw conflict('TENANT_ALREADY_EXISTS', `a tenant with slug ${JSON.stringify(request.slug)} already exists`);
    }
    await tx.insertAccount(account);
    await tx.identity.insertRealm({ name: account.slug, account_id: account.id, display_name: account.display_name, enabled: true, created_at: now });
  });
  // The provider is told after the commit: Keycloak is not in the store's transaction. A
  // failure here leaves a tenant whose realm is made again at the next start (ensureRealms).
  const initialAdmin = { username: request.adminEmail, password: newSecret('tap_', 16), realm: account.slug };
  await identity.ensureRealm(account.slug, { displayName: account.display_name, tenantId: account.id });
  await identity.upsertUser(account.slug, { username: initialAdmin.username, password: initialAdmin.password, email: request.adminEmail, roles: ['tenant-admin'] });
  return { ...tenantView(account), initialAdmin };
}

export async function listTenants(
  store: MetadataStore,
  caller: PlatformCaller,
  query: { status?: string; plan?: string; limit?: number; cursor?: string },
): Promise<{ items: TenantView[]; nextCursor: string | null }> {
  const limit = query.limit ?? 20;
  if (query.plan !== undefined) checkPlan(query.plan);
  if (!caller.scopes.has('platform:admin')) {
    // A tenant's own users see one tenant: theirs, when it matches the filters.
    const own = caller.tenant;
    const matches = (query.status === undefined ? own.status !== 'deleted' : own.status === query.status) && (query.plan === undefined || own.plan === query.plan);
    return { items: matches && query.cursor === undefined ? [tenantView(own)] : [], nextCursor: null };
  }
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const rows = await store.listAccounts({ ...(query.status !== undefined ? { status: query.status } : {}), ...(query.plan !== undefined ? { plan: query.plan } : {}), ...(after ? { after } : {}), limit: limit + 1 });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(tenantView), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

export async function updateTenant(
  store: MetadataStore,
  identity: IdentityProvider,
  caller: PlatformCaller,
  tenantId: string,
  patch: { displayName?: string; plan?: string; status?: 'active' | 'suspended'; adminEmail?: string },
): Promise<TenantView> {
  if (patch.displayName !== undefined) checkDisplayName(patch.displayName);
  if (patch.adminEmail !== undefined) checkEmail(patch.adminEmail);
  if (patch.plan !== undefined) {
    checkPlan(patch.plan);
    requirePlatformAdmin(caller, 'changing a plan');
  }
  if (patch.status !== undefined) requirePlatformAdmin(caller, 'changing a status');
  requireTenantWide(caller, 'updating a tenant');
  if (!caller.scopes.has('tenants:write')) throw forbidden('updating a tenant needs the tenants:write scope');
  const updated = await store.transaction(async (tx) => {
    const account = await tenantFor(tx, caller, tenantId);
    if (patch.plan !== undefined && patch.plan !== account.plan) {
      const plan = planNamed(patch.plan)!;
      const workspaces = (await tx.listWorkspaces(account.id)).filter((w) => w.status !== 'deleted');
      if (workspaces.length > plan.quotas.workspaces) {
        throw unprocessable('PLAN_DOWNGRADE_BLOCKED', `the ${plan.name} plan allows ${plan.quotas.workspaces} workspaces; the tenant has ${workspaces.length}`);
      }
      const partitions = await tx.countAccountPartitions(account.id);
      if (partitions > plan.quotas.partitions) {
        throw unprocessable('PLAN_DOWNGRADE_BLOCKED', `the ${plan.name} plan allows ${plan.quotas.partitions} partitions; the tenant's topics have ${partitions}`);
      }
      const missing = [...new Set(workspaces.flatMap((w) => w.capabilities))].filter((c) => !(plan.capabilities as readonly string[]).includes(c));
      if (missing.length > 0) {
        throw unprocessable('PLAN_DOWNGRADE_BLOCKED', `the ${plan.name} plan lacks capabilities its workspaces use: ${missing.join(', ')}`);
      }
    }
    if (patch.status === 'suspended' && account.id === caller.tenant.id) {
      throw unprocessable('CANNOT_SUSPEND_OWN_TENANT', 'a token cannot suspend its own tenant');
    }
    const next: Account = {
      ...account,
      display_name: patch.displayName ?? account.display_name,
      plan: patch.plan ?? account.plan,
      admin_email: patch.adminEmail ?? account.admin_email,
      status: patch.status ?? account.status,
      updated_at: Date.now(),
    };
    await tx.updateAccount(next);
    for (const realm of await tx.identity.listRealms(account.id)) await tx.identity.setRealmEnabled(realm.name, next.status === 'active');
    return { next, statusChanged: next.status !== account.status };
  });
  if (updated.statusChanged) await setRealmsEnabled(store, identity, updated.next);
  return tenantView(updated.next);
}

export async function deleteTenant(store: MetadataStore, identity: IdentityProvider, caller: PlatformCaller, tenantId: string): Promise<TenantView> {
  requirePlatformAdmin(caller, 'deleting a tenant');
  requireTenantWide(caller, 'deleting a tenant');
  const deleted = await store.transaction(async (tx) => {
    const account = await tenantFor(tx, caller, tenantId);
    if (account.id === caller.tenant.id) throw unprocessable('CANNOT_DELETE_OWN_TENANT', 'a token cannot delete its own tenant');
    const now = Date.now();
    const next: Account = { ...account, status: 'deleted', updated_at: now, deleted_at: now };
    await tx.updateAccount(next);
    for (const realm of await tx.identity.listRealms(account.id)) await tx.identity.setRealmEnabled(realm.name, false);
    return next;
  });
  await setRealmsEnabled(store, identity, deleted);
  return tenantView(deleted);
}

async function setRealmsEnabled(store: MetadataStore, identity: IdentityProvider, account: Account): Promise<void> {
  for (const realm of await store.identity.listRealms(account.id)) await identity.setRealmEnabled(realm.name, account.status === 'active');
}

