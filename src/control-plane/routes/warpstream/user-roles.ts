import type { Endpoint } from '../endpoint.ts';
import { ref } from '../schemas.ts';
import {
  createUserRole,
  deleteUserRole,
  listUserRoles,
  MANAGED_GRANT_NAMES,
  updateUserRole,
  type UserRoleGrantRequest,
} from '../../services/user-roles.ts';

/** A grant as sent: the Terraform provider sends all five fields, the ones it does not use empty. */
const grantRequestSchema = {
  type: 'object',
  required: ['workspace_id', 'managed_grant_name'],
  properties: {
    workspace_id: { type: 'string', description: 'Workspace id (wi_…), "*" for every workspace, or "-" with the billing grant' },
    managed_grant_name: { type: 'string', description: `One of ${MANAGED_GRANT_NAMES.join(', ')}` },
    principal_kind: { type: 'string', description: 'Ignored (may be empty)' },
    resource_kind: { type: 'string', description: 'Empty or "*"' },
    resource_id: { type: 'string', description: 'Empty or "*": a role covers every resource of its workspaces' },
  },
} as const;

const grantSchema = {
  type: 'object',
  properties: {
    principal_kind: { type: 'string' },
    resource_kind: { type: 'string' },
    resource_id: { type: 'string' },
    workspace_id: { type: 'string' },
    managed_grant_name: { type: 'string', enum: [...MANAGED_GRANT_NAMES] },
  },
} as const;

const userRoleSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'User role id (pri_…)' },
    name: { type: 'string' },
    access_grants: { type: 'array', items: grantSchema },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

const common = { tag: 'User Roles', scope: 'account' } as const;

export const userRoleEndpoints = [
  {
    ...common,
    path: '/api/v1/list_user_roles',
    method: 'GET',
    operationId: 'listUserRoles',
    summary: 'List User Roles',
    description: 'Returns the account\'s user roles, oldest first.',
    mutation: false,
    response: { type: 'object', properties: { user_roles: { type: 'array', items: userRoleSchema } } },
    handler: async ({ store, principal }) => ({ user_roles: await listUserRoles(store, principal.key.account_id) }),
  } satisfies Endpoint,
  {
    ...common,
    path: '/api/v1/create_user_role',
    method: 'POST',
    operationId: 'createUserRole',
    summary: 'Create User Role',
    description:
      'Creates a user role: a name (3 to 60 of letters, digits, spaces, "_" and "-"; unique in the account) and managed grants on workspaces. An unknown workspace is 404.',
    mutation: true,
    body: {
      type: 'object',
      required: ['user_role_name', 'access_grants'],
      properties: {
        user_role_name: { type: 'string' },
        access_grants: { type: 'array', items: grantRequestSchema },
      },
    },
    response: { type: 'object', properties: { user_role_id: { type: 'string' } } },
    handler: ({ store, principal, body }) => createUserRole(store, principal.key.account_id, body),
  } satisfies Endpoint<{ user_role_name: string; access_grants: UserRoleGrantRequest[] }>,
  {
    ...common,
    path: '/api/v1/update_user_role',
    method: 'POST',
    operationId: 'updateUserRole',
    summary: 'Update User Role',
    description: 'Renames a user role and/or replaces all its grants; a field left out keeps its value.',
    mutation: true,
    body: {
      type: 'object',
      required: ['user_role_id'],
      properties: {
        user_role_id: { type: 'string' },
        new_user_role_name: { type: 'string' },
        access_grants: { type: 'array', items: grantRequestSchema },
      },
    },
    response: ref('EmptyResponse'),
    handler: ({ store, principal, body }) => updateUserRole(store, principal.key.account_id, body),
  } satisfies Endpoint<{ user_role_id: string; new_user_role_name?: string; access_grants?: UserRoleGrantRequest[] }>,
  {
    ...common,
    path: '/api/v1/delete_user_role',
    method: 'POST',
    operationId: 'deleteUserRole',
    summary: 'Delete User Role',
    description: 'Deletes a user role. An unknown role is 404.',
    mutation: true,
    body: { type: 'object', required: ['user_role_id'], properties: { user_role_id: { type: 'string' } } },
    response: ref('EmptyResponse'),
    handler: ({ store, principal, body }) => deleteUserRole(store, principal.key.account_id, body.user_role_id),
  } satisfies Endpoint<{ user_role_id: string }>,
];
