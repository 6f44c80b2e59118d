import type { Endpoint } from '../endpoint.ts';
import { ref } from '../schemas.ts';
import { createWorkspace, listWorkspaces } from '../../services/workspaces.ts';

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
  handler: ({ store, principal, body }) => createWorkspace(store, principal.key.account_id, body),
};

export const workspaceEndpoints = [listWorkspacesEndpoint, createWorkspaceEndpoint];
