import { badRequest, conflict, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { MetadataStore, UserRole, UserRoleGrant } from '../../metadata/store.ts';

/**
 * User roles: named sets of managed grants (admin, read_only, billing) on workspaces, for the
 * account's users. Managed with an account key. The rules follow the Terraform provider's:
 * names are 3–60 of letters, digits, spaces, `_` and `-`; a grant's workspace is a `wi_` id of
 * the account, `*` (every workspace) or `-` (none), and `billing` goes with `-` and only with it.
 */

export const USER_ROLE_NAME_PATTERN = /^[a-zA-Z0-9 _-]{3,60}$/;
export const MANAGED_GRANT_NAMES = ['admin', 'read_only', 'billing'] as const;

/** A grant as clients send it: the provider sends every field, the unused ones empty. */
export interface UserRoleGrantRequest {
  workspace_id: string;
  managed_grant_name: string;
  principal_kind?: string;
  resource_kind?: string;
  resource_id?: string;
}

export interface UserRoleView {
  id: string;
  name: string;
  access_grants: UserRoleGrant[];
  created_at: string;
}

export function userRoleView(role: UserRole): UserRoleView {
  return { id: role.id, name: role.name, access_grants: role.access_grants, created_at: new Date(role.created_at).toISOString() };
}

function checkName(name: string, field: string): void {
  if (!USER_ROLE_NAME_PATTERN.test(name)) {
    throw badRequest(`${field} must be 3 to 60 characters of letters, digits, spaces, "_" and "-"`);
  }
}

/**
 * Validates grants and answers them as stored. Roles cover whole workspaces, so a grant's
 * resource is always every resource (`*`); a narrower resource_id is refused rather than ignored.
 */
async function checkGrants(store: MetadataStore, accountId: string, grants: UserRoleGrantRequest[]): Promise<UserRoleGrant[]> {
  const seen = new Set<string>();
  const checked: UserRoleGrant[] = [];
  for (const [i, grant] of grants.entries()) {
    const where = `access_grants[${i}]`;
    const name = grant.managed_grant_name;
    if (!(MANAGED_GRANT_NAMES as readonly string[]).includes(name)) {
      throw badRequest(`${where}.managed_grant_name must be one of ${MANAGED_GRANT_NAMES.join(', ')}`);
    }
    if (grant.resource_id !== undefined && grant.resource_id !== '' && grant.resource_id !== '*') {
      throw badRequest(`${where}.resource_id must be "*" (a role grants every resource of its workspaces)`);
    }
    if (grant.resource_kind !== undefined && grant.resource_kind !== '' && grant.resource_kind !== '*') {
      throw badRequest(`${where}.resource_kind must be "*" or empty`);
    }
    const workspaceId = grant.workspace_id;
    if ((name === 'billing') !== (workspaceId === '-')) {
      throw badRequest(`${where}: the billing grant goes with workspace_id "-", and workspace_id "-" only with billing`);
    }
    if (workspaceId !== '-' && workspaceId !== '*') {
      if (!workspaceId.startsWith('wi_')) throw badRequest(`${where}.workspace_id must be a workspace id (wi_…), "*" or "-"`);
      const workspace = await store.getWorkspace(workspaceId);
      if (!workspace || workspace.account_id !== accountId) throw notFound('WORKSPACE_NOT_FOUND', `${where}: workspace ${workspaceId} not found`);
    }
    if (seen.has(workspaceId)) throw badRequest(`${where}: workspace_id ${workspaceId} has more than one grant`);
    seen.add(workspaceId);
    checked.push({ principal_kind: 'user', resource_kind: '*', resource_id: '*', workspace_id: workspaceId, managed_grant_name: name });
  }
  return checked;
}

async function ownRole(store: MetadataStore, accountId: string, id: string): Promise<UserRole> {
  const role = await store.getUserRole(id);
  if (!role || role.account_id !== accountId) throw notFound('USER_ROLE_NOT_FOUND', `user role ${id} not found`);
  return role;
}

async function checkNameFree(store: MetadataStore, accountId: string, name: string, except?: string): Promise<void> {
  const existing = await store.findUserRoleByName(accountId, name);
  if (existing && existing.id !== except) throw conflict('USER_ROLE_ALREADY_EXISTS', `a user role named ${JSON.stringify(name)} already exists`);
}

export async function listUserRoles(store: MetadataStore, accountId: string): Promise<UserRoleView[]> {
  return (await store.listUserRoles(accountId)).map(userRoleView);
}

export async function createUserRole(
  store: MetadataStore,
  accountId: string,
  request: { user_role_name: string; access_grants: UserRoleGrantRequest[] },
): Promise<{ user_role_id: string }> {
  checkName(request.user_role_name, 'user_role_name');
  return store.transaction(async (tx) => {
    const grants = await checkGrants(tx, accountId, request.access_grants);
    await checkNameFree(tx, accountId, request.user_role_name);
    const role: UserRole = { id: newId('pri_'), account_id: accountId, name: request.user_role_name, access_grants: grants, created_at: Date.now() };
    await tx.insertUserRole(role);
    return { user_role_id: role.id };
  });
}

/** update_user_role: a new name, new grants (replacing all of them), or both; what is absent stays. */
export async function updateUserRole(
  store: MetadataStore,
  accountId: string,
  request: { user_role_id: string; new_user_role_name?: string; access_grants?: UserRoleGrantRequest[] },
): Promise<Record<string, never>> {
  if (request.new_user_role_name !== undefined) checkName(request.new_user_role_name, 'new_user_role_name');
  return store.transaction(async (tx) => {
    const role = await ownRole(tx, accountId, request.user_role_id);
    const grants = request.access_grants === undefined ? role.access_grants : await checkGrants(tx, accountId, request.access_grants);
    const name = request.new_user_role_name ?? role.name;
    await checkNameFree(tx, accountId, name, role.id);
    await tx.updateUserRole({ ...role, name, access_grants: grants });
    return {};
  });
}

export async function deleteUserRole(store: MetadataStore, accountId: string, id: string): Promise<Record<string, never>> {
  return store.transaction(async (tx) => {
    const role = await ownRole(tx, accountId, id);
    await tx.deleteUserRole(role.id);
    return {};
  });
}
