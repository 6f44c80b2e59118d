import { badRequest, conflict, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { MetadataStore, Workspace } from '../../metadata/store.ts';
import type { Principal } from '../auth.ts';
import { apiKeyView, freeKeyName, mintApiKey, type ApiKeyView } from './api-keys.ts';
import type { SecretSealer } from '../secrets.ts';

/** Workspace names: 3–128 of letters, digits, spaces, `_` and `-` (WarpStream's rule). */
export const WORKSPACE_NAME_PATTERN = /^[a-zA-Z0-9 _-]{3,128}$/;

export interface WorkspaceView {
  id: string;
  name: string;
  created_at: string;
}

export function workspaceView(workspace: Workspace): WorkspaceView {
  return { id: workspace.id, name: workspace.name, created_at: new Date(workspace.created_at).toISOString() };
}

export async function listWorkspaces(store: MetadataStore, caller: Principal): Promise<WorkspaceView[]> {
  return (await store.listWorkspaces(caller.key.account_id)).filter((w) => w.status !== 'deleted').map(workspaceView);
}

function checkWorkspaceName(name: string, field: string): void {
  if (!WORKSPACE_NAME_PATTERN.test(name)) {
    throw badRequest(`${field} must be 3 to 128 characters of letters, digits, spaces, "_" and "-"`);
  }
}

/** The account's workspace `workspaceId`, or undefined when it is unknown, another account's, or deleted. */
export async function liveWorkspaceOf(store: MetadataStore, accountId: string, workspaceId: string): Promise<Workspace | undefined> {
  const workspace = await store.getWorkspace(workspaceId);
  return workspace && workspace.account_id === accountId && workspace.status !== 'deleted' ? workspace : undefined;
}

/** A workspace of the caller's account; another account's answers exactly like an unknown one. */
async function ownWorkspace(store: MetadataStore, accountId: string, workspaceId: string): Promise<Workspace> {
  const workspace = await liveWorkspaceOf(store, accountId, workspaceId);
  if (!workspace) throw notFound('WORKSPACE_NOT_FOUND', `workspace ${workspaceId} not found`);
  return workspace;
}

/** rename_workspace: the same name rules as create_workspace, unique in the account. */
export async function renameWorkspace(
  store: MetadataStore,
  accountId: string,
  request: { workspace_id: string; new_workspace_name: string },
): Promise<Record<string, never>> {
  checkWorkspaceName(request.new_workspace_name, 'new_workspace_name');
  return store.transaction(async (tx) => {
    const workspace = await ownWorkspace(tx, accountId, request.workspace_id);
    if (workspace.name === request.new_workspace_name) return {};
    if (await tx.findWorkspaceByName(accountId, request.new_workspace_name)) {
      throw conflict('WORKSPACE_ALREADY_EXISTS', `a workspace named ${JSON.stringify(request.new_workspace_name)} already exists`);
    }
    await tx.renameWorkspace(workspace.id, request.new_workspace_name);
    return {};
  });
}

/**
 * delete_workspace. A workspace that still has virtual clusters is refused (409): they hold
 * data, and deleting them is a decision of its own (delete_virtual_cluster, with its deletion
 * protection). An empty workspace goes with its application keys, and user roles lose their
 * grants on it (their other grants stay).
 */
export async function deleteWorkspace(store: MetadataStore, accountId: string, workspaceId: string): Promise<Record<string, never>> {
  return store.transaction(async (tx) => {
    const workspace = await ownWorkspace(tx, accountId, workspaceId);
    const clusters = await tx.listVirtualClusters(workspace.id);
    if (clusters.length > 0) {
      throw conflict(
        'WORKSPACE_NOT_EMPTY',
        `workspace ${workspace.id} still has ${clusters.length} virtual cluster(s) (${clusters.map((c) => c.name).join(', ')}); delete them first`,
      );
    }
    for (const role of await tx.listUserRoles(accountId)) {
      const grants = role.access_grants.filter((grant) => grant.workspace_id !== workspace.id);
      if (grants.length !== role.access_grants.length) await tx.updateUserRole({ ...role, access_grants: grants });
    }
    await tx.deleteWorkspace(workspace.id);
    return {};
  });
}

/** Creates a workspace and, unless skipped, its first application key (full access). */
export async function createWorkspace(
  store: MetadataStore,
  secrets: SecretSealer,
  accountId: string,
  request: { workspace_name: string; skip_application_key_creation?: boolean; slug?: string; capabilities?: string[] },
): Promise<{ workspace_id: string; workspace: Workspace; application_key?: ApiKeyView }> {
  const name = request.workspace_name;
  checkWorkspaceName(name, 'workspace_name');
  return store.transaction(async (tx) => {
    if (await tx.findWorkspaceByName(accountId, name)) {
      throw conflict('WORKSPACE_ALREADY_EXISTS', `a workspace named ${JSON.stringify(name)} already exists`);
    }
    const now = Date.now();
    const workspace: Workspace = {
      id: newId('wi_'),
      account_id: accountId,
      name,
      slug: request.slug ?? (await freeSlug(tx, accountId, name)),
      capabilities: request.capabilities ?? ['kafka'],
      status: 'active',
      created_at: now,
      updated_at: now,
      deleted_at: null,
    };
    if (await tx.findWorkspaceBySlug(accountId, workspace.slug)) {
      throw conflict('WORKSPACE_ALREADY_EXISTS', `a workspace with slug ${JSON.stringify(workspace.slug)} already exists in this tenant`);
    }
    await tx.insertWorkspace(workspace);
    if (request.skip_application_key_creation) return { workspace_id: workspace.id, workspace };
    const { record, secret } = mintApiKey({
      name: await freeKeyName(tx, accountId, workspace.id, `${name}_application_key`),
      kind: 'application',
      account_id: accountId,
      workspace_id: workspace.id,
      virtual_cluster_id: null,
      read_only: false,
      access_grants: [{ principal_kind: 'application', resource_kind: '*', resource_id: '*', workspace_id: workspace.id }],
    }, secrets);
    await tx.insertApiKey(record);
    return { workspace_id: workspace.id, workspace, application_key: apiKeyView(record, secrets, secret) };
  });
}

/** Slugs: 3–63 of lowercase letters, digits and `-`, starting and ending with a letter or digit. */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

export function checkSlug(field: string, value: string): void {
  if (!SLUG_PATTERN.test(value)) throw badRequest(`${field} must be 3 to 63 characters of lowercase letters, digits and "-", starting and ending with a letter or digit`, 'INVALID_SLUG');
}

/** A slug for a workspace made through the WarpStream API (which has only names): the name, lowercased, made unique. */
async function freeSlug(store: MetadataStore, accountId: string, name: string): Promise<string> {
  const base = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 55).padEnd(3, '0');
  for (let n = 1; ; n++) {
    const slug = n === 1 ? base : `${base}-${n}`;
    if (!(await store.findWorkspaceBySlug(accountId, slug))) return slug;
  }
}
