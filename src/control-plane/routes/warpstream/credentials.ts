import type { Endpoint } from '../endpoint.ts';
import { ref } from '../schemas.ts';
import { clusterFor } from '../../auth.ts';
import { createCredentials, deleteCredentials, listCredentials, type CreateCredentialsRequest } from '../../services/credentials.ts';

export const credentialEndpoints = [
  {
    path: '/api/v1/create_virtual_cluster_credentials',
    method: 'POST',
    operationId: 'createVirtualClusterCredentials',
    summary: 'Create Virtual Cluster Credentials',
    description: 'Creates SASL/SCRAM credentials for connecting to a virtual cluster. The password is in this answer only.',
    tag: 'Virtual Cluster Credentials',
    scope: 'workspace',
    mutation: true,
    body: {
      type: 'object',
      required: ['credentials_name', 'is_cluster_superuser', 'virtual_cluster_id'],
      properties: {
        credentials_name: { type: 'string', description: 'Name for the credentials' },
        is_cluster_superuser: { type: 'boolean', description: 'Whether these credentials have superuser privileges' },
        virtual_cluster_id: { type: 'string', description: 'Target virtual cluster ID' },
        imported_password: { type: 'string', description: 'Optional specific password (for migrations); auto-generated if omitted' },
        read_only: { type: 'boolean', description: 'Credentials limited to read operations' },
      },
    },
    response: ref('VirtualClusterCredentials'),
    handler: async ({ store, principal, body }) =>
      createCredentials(store, await clusterFor(store, principal, body.virtual_cluster_id), body),
  } satisfies Endpoint<CreateCredentialsRequest & { virtual_cluster_id: string }>,
  {
    path: '/api/v1/list_virtual_cluster_credentials',
    method: 'POST',
    operationId: 'listVirtualClusterCredentials',
    summary: 'List Virtual Cluster Credentials',
    description: 'The SASL credentials of a virtual cluster. Passwords are never listed.',
    tag: 'Virtual Cluster Credentials',
    scope: 'workspace',
    mutation: false,
    body: { type: 'object', required: ['virtual_cluster_id'], properties: { virtual_cluster_id: { type: 'string' } } },
    response: {
      type: 'object',
      properties: {
        credentials: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              name: { type: 'string' },
              username: { type: 'string' },
              created_at: { type: 'string', format: 'date-time' },
              is_cluster_superuser: { type: 'boolean' },
              read_only: { type: 'boolean' },
            },
          },
        },
      },
    },
    handler: async ({ store, principal, body }) => ({
      credentials: await listCredentials(store, await clusterFor(store, principal, body.virtual_cluster_id)),
    }),
  } satisfies Endpoint<{ virtual_cluster_id: string }>,
  {
    path: '/api/v1/delete_virtual_cluster_credentials',
    method: 'POST',
    operationId: 'deleteVirtualClusterCredentials',
    summary: 'Delete Virtual Cluster Credentials',
    description: 'Deletes SASL credentials; clients can no longer authenticate with them.',
    tag: 'Virtual Cluster Credentials',
    scope: 'workspace',
    mutation: true,
    body: {
      type: 'object',
      required: ['id', 'virtual_cluster_id'],
      properties: { id: { type: 'string', description: 'Credentials id (cci_…)' }, virtual_cluster_id: { type: 'string' } },
    },
    response: ref('EmptyResponse'),
    handler: async ({ store, principal, body }) => {
      await deleteCredentials(store, await clusterFor(store, principal, body.virtual_cluster_id), body.id);
      return {};
    },
  } satisfies Endpoint<{ id: string; virtual_cluster_id: string }>,
];
