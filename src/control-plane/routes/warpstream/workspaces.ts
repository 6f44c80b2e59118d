import type { Endpoint } from '../endpoint.ts';
import { ref } from '../schemas.ts';
import { createWorkspace, deleteWorkspace, listWorkspaces, renameWorkspace } from '../../services/workspaces.ts';

export const listWorkspacesEndpoint: Endpoint = {
  path: '/api/v1/list_workspaces',
  method: 'GET',
  operationId: 'listWorkspaces',
  summary: 'List Workspaces',
  description: 'Returns all workspaces accessible to the authenticated account key.',
  tag: 'Workspaces',
  scope: 'account',
  mutation: false,
  response: { type: 'object', properties: { workspaces: { type: 'array', items: ref('Workspace') } } },
  handler: async ({ store, principal }) => ({ workspaces: await listWorkspaces(store, principal) }),
};

export const createWorkspaceEndpoint: Endpoint<{ workspace_name: string; skip_application_key_creation?: boolean }> = {
  path: '/api/v1/create_workspace',
  method: 'POST',
  operationId: 'createWorkspace',
  summary: 'Create Workspace',
  description: 'Creates a new workspace under the account, with an application key unless skipped.',
  tag: 'Workspaces',
  scope: 'account',
  mutation: true,
  body: {
    type: 'object',
    required: ['workspace_name'],
    properties: {
      workspace_name: { type: 'string', description: 'Name for the new workspace' },
      skip_application_key_creation: {
        type: 'boolean',
        default: false,
        description: 'Set to true to skip automatic application key creation',
      },
    },
  },
  response: {
    type: 'object',
    properties: { workspace_id: { type: 'string' }, application_key: ref('ApiKey') },
  },
  handler: async ({ store, secrets, principal, body }) => {
    const { workspace: _workspace, ...answer } = await createWorkspace(store, secrets, principal.key.account_id, body);
    return answer;
  },
};

export const renameWorkspaceEndpoint: Endpoint<{ workspace_id: string; new_workspace_name: string }> = {
  path: '/api/v1/rename_workspace',
  method: 'POST',
  operationId: 'renameWorkspace',
  summary: 'Rename Workspace',
  description: 'Renames a workspace of the account (3 to 128 of letters, digits, spaces, "_" and "-"; unique in the account).',
  tag: 'Workspaces',
  scope: 'account',
  mutation: true,
  body: {
    type: 'object',
    required: ['workspace_id', 'new_workspace_name'],
    properties: {
      workspace_id: { type: 'string', description: 'Workspace to rename (wi_…)' },
      new_workspace_name: { type: 'string', description: 'Its new name' },
    },
  },
  response: ref('EmptyResponse'),
  handler: ({ store, principal, body }) => renameWorkspace(store, principal.key.account_id, body),
};

export const deleteWorkspaceEndpoint: Endpoint<{ workspace_id: string }> = {
  path: '/api/v1/delete_workspace',
  method: 'POST',
  operationId: 'deleteWorkspace',
  summary: 'Delete Workspace',
  description:
    'Deletes an empty workspace with its API keys; user roles lose their grants on it. A workspace that still has virtual clusters is refused (409 WORKSPACE_NOT_EMPTY).',
  tag: 'Workspaces',
  scope: 'account',
  mutation: true,
  body: {
    type: 'object',
    required: ['workspace_id'],
    properties: { workspace_id: { type: 'string', description: 'Workspace to delete (wi_…)' } },
  },
  response: ref('EmptyResponse'),
  handler: ({ store, principal, body }) => deleteWorkspace(store, principal.key.account_id, body.workspace_id),
};

export const workspaceEndpoints = [listWorkspacesEndpoint, createWorkspaceEndpoint, renameWorkspaceEndpoint, deleteWorkspaceEndpoint];
