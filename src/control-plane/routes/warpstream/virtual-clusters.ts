import type { Endpoint } from '../endpoint.ts';
import { ref } from '../schemas.ts';
import {
  createVirtualCluster,
  deleteVirtualCluster,
  listVirtualClusters,
  type CreateVirtualClusterRequest,
} from '../../services/virtual-clusters.ts';
import { clusterFor } from '../../auth.ts';
import { configurationView, updateConfiguration, type ConfigurationUpdate } from '../../services/cluster-configuration.ts';

const configurationSchema = {
  type: 'object',
  properties: {
    are_acls_enabled: { type: 'boolean' },
    acl_shadowing_enabled: { type: 'boolean' },
    is_auto_create_topic_enabled: { type: 'boolean' },
    default_num_partitions: { type: 'integer' },
    default_retention_millis: { type: 'integer' },
    default_topic_type: { type: 'string' },
    enable_deletion_protection: { type: 'boolean' },
    soft_delete_topics_enabled: { type: 'boolean' },
    soft_delete_topics_ttl_millis: { type: 'integer' },
    tier: { type: 'string' },
    broker_configs: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

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
    path: '/api/v1/describe_virtual_cluster_configuration',
    method: 'POST',
    operationId: 'describeVirtualClusterConfiguration',
    summary: 'Describe Virtual Cluster Configuration',
    description: 'The cluster-wide settings: ACL enforcement, topic auto-creation and defaults, deletion protection, soft deletes, and the same as Kafka broker configs.',
    tag: 'Virtual Clusters',
    scope: 'workspace',
    mutation: false,
    body: { type: 'object', required: ['virtual_cluster_id'], properties: { virtual_cluster_id: { type: 'string' } } },
    response: { type: 'object', properties: { virtual_cluster_configuration: configurationSchema } },
    handler: async ({ store, principal, body }) => ({
      virtual_cluster_configuration: configurationView(await clusterFor(store, principal, body.virtual_cluster_id)),
    }),
  } satisfies Endpoint<{ virtual_cluster_id: string }>,
  {
    path: '/api/v1/update_virtual_cluster_configuration',
    method: 'POST',
    operationId: 'updateVirtualClusterConfiguration',
    summary: 'Update Virtual Cluster Configuration',
    description:
      'Changes the given settings (fields, or broker_configs with Kafka names; log.retention.hours and log.retention.minutes are accepted). Unknown settings or wrong types are refused and nothing changes.',
    tag: 'Virtual Clusters',
    scope: 'workspace',
    mutation: true,
    body: {
      type: 'object',
      required: ['virtual_cluster_id', 'virtual_cluster_configuration'],
      properties: { virtual_cluster_id: { type: 'string' }, virtual_cluster_configuration: { type: 'object' } },
    },
    response: ref('EmptyResponse'),
    handler: async ({ store, principal, body }) => {
      await updateConfiguration(store, await clusterFor(store, principal, body.virtual_cluster_id), body.virtual_cluster_configuration);
      return {};
    },
  } satisfies Endpoint<{ virtual_cluster_id: string; virtual_cluster_configuration: ConfigurationUpdate }>,
];
