import { badRequest, conflict } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { MetadataStore, Workspace } from '../../metadata/store.ts';
import type { Principal } from '../auth.ts';
import { apiKeyView, freeKeyName, mintApiKey, type ApiKeyView } from './api-keys.ts';

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
  return (await store.listWorkspaces(caller.key.account_id)).map(workspaceView);
}

/** Creates a workspace and, unless skipped, its first application key (full access). */
export async function createWorkspace(
  store: MetadataStore,
  accountId: string,
  request: { workspace_name: string; skip_application_key_creation?: boolean },
): Promise<{ workspace_id: string; application_key?: ApiKeyView }> {
  const name = request.workspace_name;
  if (!WORKSPACE_NAME_PATTERN.test(name)) {
    throw badRequest('workspace_name must be 3 to 128 characters of letters, digits, spaces, "_" and "-"');
  }
  return store.transaction(async (tx) => {
    if (await tx.findWorkspaceByName(accountId, name)) {
      throw conflict('WORKSPACE_ALREADY_EXISTS', `a workspace named ${JSON.stringify(name)} already exists`);
    }
    const workspace: Workspace = { id: newId('wi_'), account_id: accountId, name, created_at: Date.now() };
    await tx.insertWorkspace(workspace);
    if (request.skip_application_key_creation) return { workspace_id: workspace.id };
    const { record, secret } = mintApiKey({
      name: await freeKeyName(tx, accountId, workspace.id, `${name}_application_key`),
      kind: 'application',
      account_id: accountId,
      workspace_id: workspace.id,
      virtual_cluster_id: null,
      read_only: false,
      access_grants: [{ principal_kind: 'application', resource_kind: '*', resource_id: '*', workspace_id: workspace.id }],
    });
    await tx.insertApiKey(record);
    return { workspace_id: workspace.id, application_key: apiKeyView(record, secret) };
  });
}
