import type { Endpoint } from '../endpoint.ts';
import { ref } from '../schemas.ts';
import {
  createVirtualCluster,
  deleteVirtualCluster,
  listVirtualClusters,
  type CreateVirtualClusterRequest,
} from '../../services/virtual-clusters.ts';
import { clusterFor } from '../../auth.ts';
import { createCredentials, type CreateCredentialsRequest } from '../../services/credentials.ts';

export const virtualClusterEndpoints = [
  {
    path: '/api/v1/list_virtual_clusters',
    method: 'GET',
    operationId: 'listVirtualClusters',
    summary: 'List Virtual Clusters',
    description: 'Returns all virtual clusters in the authenticated workspace.',
    tag: 'Virtual Clusters',
    scope: 'workspace',
    mutation: false,
    response: { type: 'object', properties: { virtual_clusters: { type: 'array', items: ref('VirtualCluster') } } },
    handler: async ({ store, principal, cluster }) => ({ virtual_clusters: await listVirtualClusters(store, principal, cluster) }),
  } satisfies Endpoint,
  {
    path: '/api/v1/create_virtual_cluster',
    method: 'POST',
    operationId: 'createVirtualCluster',
    summary: 'Create Virtual Cluster',
    description: 'Creates a new virtual cluster. A new agent key is automatically created with every new virtual cluster.',
    tag: 'Virtual Clusters',
    scope: 'workspace',
    mutation: true,
    body: {
      type: 'object',
      required: [
        'virtual_cluster_name',
        'virtual_cluster_type',
        'virtual_cluster_region',
        'virtual_cluster_cloud_provider',
        'virtual_cluster_tier',
      ],
      properties: {
        virtual_cluster_name: { type: 'string', description: 'Name for the cluster (gets the vcn_ prefix)' },
        virtual_cluster_type: {
          type: 'string',
          enum: ['byoc', 'byoc_data_lake', 'byoc_schema_registry'],
          description: 'Type of virtual cluster',
        },
        virtual_cluster_region: { type: 'string', description: 'Cloud region (e.g., us-east-1)' },
        virtual_cluster_cloud_provider: { type: 'string', description: 'Cloud provider (aws, gcp, azure)' },
        virtual_cluster_tier: { type: 'string', description: 'Cluster tier (dev, fundamentals, pro, enterprise)' },
        skip_agent_key_creation: { type: 'boolean', description: 'Set to true to create no agent key' },
      },
    },
    response: {
      type: 'object',
      properties: {
        virtual_cluster_id: { type: 'string' },
        virtual_cluster_name: { type: 'string' },
        agent_pool_id: { type: 'string' },
        agent_pool_name: { type: 'string' },
        agent_key: ref('ApiKey'),
        bootstrap_url: { type: 'string' },
        workspace_id: { type: 'string' },
      },
    },
    handler: ({ store, principal, body, cluster }) => createVirtualCluster(store, principal, body, cluster),
  } satisfies Endpoint<CreateVirtualClusterRequest>,
  {
    path: '/api/v1/delete_virtual_cluster',
    method: 'POST',
    operationId: 'deleteVirtualCluster',
    summary: 'Delete Virtual Cluster',
    description:
      'Permanently deletes a virtual cluster and all its data. Both virtual_cluster_id and virtual_cluster_name are required as a confirmation safeguard. This operation cannot be undone.',
    tag: 'Virtual Clusters',
    scope: 'workspace',
    mutation: true,
    body: {
      type: 'object',
      required: ['virtual_cluster_id', 'virtual_cluster_name'],
      properties: {
        virtual_cluster_id: { type: 'string', description: 'ID of the cluster to delete' },
        virtual_cluster_name: { type: 'string', description: 'Name of the cluster (confirmation safeguard)' },
      },
    },
    response: ref('EmptyResponse'),
    handler: async ({ store, principal, body }) => {
      await deleteVirtualCluster(store, principal, body);
      return {};
    },
  } satisfies Endpoint<{ virtual_cluster_id: string; virtual_cluster_name: string }>,
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
];
