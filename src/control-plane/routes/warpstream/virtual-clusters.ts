import type { Endpoint } from '../endpoint.ts';
import { ref } from '../schemas.ts';
import {
  createVirtualCluster,
  deleteVirtualCluster,
  describeVirtualCluster,
  describeVirtualClusterTags,
  listVirtualClusters,
  MAX_TAG_KEY_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  MAX_TAGS,
  renameVirtualCluster,
  updateVirtualClusterTags,
  updateVirtualClusterTier,
  type CreateVirtualClusterRequest,
} from '../../services/virtual-clusters.ts';
import { TIERS } from '../../services/tiers.ts';
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
    inactive_topics_ttl: { type: 'integer', description: 'The soft-delete TTL again, in nanoseconds (a Go time.Duration)' },
    tier: { type: 'string' },
    broker_configs: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

const clusterId = { type: 'string', description: 'Target virtual cluster ID' };
const tagsSchema = {
  type: 'object',
  maxProperties: MAX_TAGS,
  additionalProperties: { type: 'string', maxLength: MAX_TAG_VALUE_LENGTH },
  description: `Tags: at most ${MAX_TAGS}, keys 1 to ${MAX_TAG_KEY_LENGTH} printable characters, values strings of at most ${MAX_TAG_VALUE_LENGTH}`,
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
    handler: async ({ store, secrets, principal, cluster }) => ({ virtual_clusters: await listVirtualClusters(store, secrets, principal, cluster) }),
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
      // The seed requires virtual_cluster_region; a multi-region cluster names a region group
      // instead, so the service requires exactly one of the two.
      required: ['virtual_cluster_name', 'virtual_cluster_type', 'virtual_cluster_cloud_provider', 'virtual_cluster_tier'],
      properties: {
        virtual_cluster_name: {
          type: 'string',
          description: 'Name for the cluster (gets the vcn_ prefix; vcn_sr_ for schema registries, vcn_dl_ for data lakes)',
        },
        virtual_cluster_type: {
          type: 'string',
          enum: ['byoc', 'byoc_data_lake', 'byoc_schema_registry'],
          description: 'Type of virtual cluster',
        },
        virtual_cluster_region: { type: 'string', description: 'Cloud region (e.g., us-east-1); required unless virtual_cluster_region_group is given' },
        virtual_cluster_region_group: { type: 'string', description: 'Region group of a multi-region cluster, instead of virtual_cluster_region' },
        virtual_cluster_cloud_provider: { type: 'string', description: 'Cloud provider (aws, gcp, azure)' },
        virtual_cluster_tier: { type: 'string', description: 'Cluster tier (dev, fundamentals, pro, enterprise)' },
        virtual_cluster_tags: tagsSchema,
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
    handler: ({ store, secrets, principal, body, cluster }) => createVirtualCluster(store, secrets, principal, body, cluster),
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
    path: '/api/v1/describe_virtual_cluster',
    method: 'POST',
    operationId: 'describeVirtualCluster',
    summary: 'Describe Virtual Cluster',
    description: 'One virtual cluster, as list_virtual_clusters shows it: with its workspace, tier and cluster_region.',
    tag: 'Virtual Clusters',
    scope: 'workspace',
    mutation: false,
    body: { type: 'object', required: ['virtual_cluster_id'], properties: { virtual_cluster_id: clusterId } },
    response: { type: 'object', properties: { virtual_cluster: ref('VirtualCluster') } },
    handler: ({ store, secrets, principal, body, cluster }) => describeVirtualCluster(store, secrets, principal, body.virtual_cluster_id, cluster),
  } satisfies Endpoint<{ virtual_cluster_id: string }>,
  {
    path: '/api/v1/rename_virtual_cluster',
    method: 'POST',
    operationId: 'renameVirtualCluster',
    summary: 'Rename Virtual Cluster',
    description:
      "Renames a virtual cluster. The new name gets the cluster type's prefix (vcn_, vcn_sr_, vcn_dl_), follows the name rules and must be unused in the workspace. The id, agent pool and keys stay.",
    tag: 'Virtual Clusters',
    scope: 'workspace',
    mutation: true,
    body: {
      type: 'object',
      required: ['virtual_cluster_id', 'new_virtual_cluster_name'],
      properties: {
        virtual_cluster_id: clusterId,
        new_virtual_cluster_name: { type: 'string', description: 'The new name, with or without its prefix' },
      },
    },
    response: ref('EmptyResponse'),
    handler: async ({ store, principal, body }) => {
      await renameVirtualCluster(store, principal, body);
      return {};
    },
  } satisfies Endpoint<{ virtual_cluster_id: string; new_virtual_cluster_name: string }>,
  {
    path: '/api/v1/update_virtual_cluster_tier',
    method: 'POST',
    operationId: 'updateVirtualClusterTier',
    summary: 'Update Virtual Cluster Tier',
    description: `Moves a virtual cluster to another tier (${TIERS.join(', ')}). A tier whose partition limit is below the partitions the cluster holds is refused.`,
    tag: 'Virtual Clusters',
    scope: 'workspace',
    mutation: true,
    body: {
      type: 'object',
      required: ['virtual_cluster_id', 'tier'],
      properties: { virtual_cluster_id: clusterId, tier: { type: 'string', description: `One of ${TIERS.join(', ')}` } },
    },
    response: ref('EmptyResponse'),
    handler: async ({ store, principal, body }) => {
      await updateVirtualClusterTier(store, principal, body);
      return {};
    },
  } satisfies Endpoint<{ virtual_cluster_id: string; tier: string }>,
  {
    path: '/api/v1/describe_virtual_cluster_tags',
    method: 'POST',
    operationId: 'describeVirtualClusterTags',
    summary: 'Describe Virtual Cluster Tags',
    description: 'The tags of a virtual cluster (an empty object when it has none).',
    tag: 'Virtual Clusters',
    scope: 'workspace',
    mutation: false,
    body: { type: 'object', required: ['virtual_cluster_id'], properties: { virtual_cluster_id: clusterId } },
    response: { type: 'object', properties: { tags: { type: 'object', additionalProperties: { type: 'string' } } } },
    handler: ({ store, principal, body }) => describeVirtualClusterTags(store, principal, body.virtual_cluster_id),
  } satisfies Endpoint<{ virtual_cluster_id: string }>,
  {
    path: '/api/v1/update_virtual_cluster_tags',
    method: 'POST',
    operationId: 'updateVirtualClusterTags',
    summary: 'Update Virtual Cluster Tags',
    description: 'Replaces every tag of a virtual cluster with the given ones ({} removes them all).',
    tag: 'Virtual Clusters',
    scope: 'workspace',
    mutation: true,
    body: { type: 'object', required: ['virtual_cluster_id', 'tags'], properties: { virtual_cluster_id: clusterId, tags: tagsSchema } },
    response: ref('EmptyResponse'),
    handler: async ({ store, principal, body }) => {
      await updateVirtualClusterTags(store, principal, body);
      return {};
    },
  } satisfies Endpoint<{ virtual_cluster_id: string; tags: Record<string, unknown> }>,
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
      'Changes the given settings (fields, or broker_configs with Kafka names; log.retention.hours, log.retention.minutes and warpstream.soft.delete.topic.ttl.hours are accepted). A tier other than the current one moves the cluster to it. Null values change nothing. Unknown settings or wrong types are refused and nothing changes.',
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
