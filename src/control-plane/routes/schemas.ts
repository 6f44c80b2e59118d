/**
 * The seed spec's component schemas, as JSON Schema. They are registered on the app by `$id`,
 * referenced by the routes (`{ $ref: 'ApiKey#' }`), used to serialize answers (so an answer
 * carries exactly the documented fields) and published in `/openapi.json` under the same names.
 */
export const accessGrantSchema = {
  $id: 'AccessGrant',
  type: 'object',
  description: 'Permission grant for an API key',
  required: ['principal_kind', 'resource_kind', 'resource_id'],
  properties: {
    principal_kind: {
      type: 'string',
      enum: ['application', 'agent', 'app', 'app_r', 'agent_r'],
      description: 'Type of principal: application or agent (also app, app_r, agent_r; _r = read-only)',
    },
    resource_kind: { type: 'string', enum: ['*', 'virtual_cluster'], description: 'Kind of resource the grant applies to' },
    resource_id: { type: 'string', description: "Specific resource ID or '*' for all resources" },
    workspace_id: { type: 'string', description: 'Workspace ID, required when using an account key' },
  },
} as const;

export const apiKeySchema = {
  $id: 'ApiKey',
  type: 'object',
  required: ['id', 'name', 'key', 'created_at'],
  properties: {
    id: { type: 'string', description: 'API key identifier' },
    name: { type: 'string', description: 'Human-readable key name (prefixed with akn_)' },
    key: { type: 'string', description: 'The actual secret key value used in the warpstream-api-key header ("" when the caller may not see it, or the key predates sealed secrets)' },
    created_at: { type: 'string', format: 'date-time', description: 'ISO 8601 creation timestamp' },
    access_grants: { type: 'array', items: { $ref: 'AccessGrant#' } },
  },
} as const;

export const virtualClusterSchema = {
  $id: 'VirtualCluster',
  type: 'object',
  properties: {
    id: { type: 'string', description: 'Unique cluster identifier' },
    agent_pool_id: { type: 'string', description: 'Associated agent pool ID' },
    agent_pool_name: { type: 'string', description: 'Agent pool display name' },
    name: { type: 'string', description: 'Cluster name' },
    created_at: { type: 'string', format: 'date-time', description: 'ISO 8601 creation timestamp' },
    type: { type: 'string', enum: ['byoc', 'byoc_data_lake', 'byoc_schema_registry'], description: 'Cluster type' },
    region: { type: 'string', description: 'Cloud region (e.g., us-east-1)' },
    cloud_provider: { type: 'string', description: 'Cloud provider (e.g., aws, gcp, azure)' },
    bootstrap_url: { type: 'string', description: 'Kafka bootstrap connection endpoint' },
    agent_keys: { type: 'array', items: { $ref: 'ApiKey#' } },
    // Beyond the seed: what describe_virtual_cluster answers (and WarpStream's Terraform provider reads).
    workspace_id: { type: 'string', description: 'Workspace the cluster belongs to' },
    // Slipstream's own (WarpStream documents no agent fields), answered by describe_virtual_cluster only.
    agents: {
      type: 'array',
      description: 'describe_virtual_cluster only: the agents heartbeating for the cluster now',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          host: { type: 'string' },
          port: { type: 'integer' },
          roles: { type: 'array', items: { type: 'string' }, description: 'proxy (or proxy-produce, proxy-consume), jobs, pipelines' },
          version: { type: 'string' },
          availability_zone: { type: ['string', 'null'] },
          started_at: { type: 'string', format: 'date-time' },
          last_heartbeat_at: { type: 'string', format: 'date-time' },
        },
      },
    },
    tier: { type: 'string', enum: ['dev', 'fundamentals', 'pro', 'enterprise'], description: 'Cluster tier' },
    cluster_region: {
      type: 'object',
      description: 'Where the control plane of the cluster lives: one region, or a region group when is_multi_region',
      properties: {
        is_multi_region: { type: 'boolean' },
        region: {
          type: 'object',
          properties: { name: { type: 'string' }, cloud_provider: { type: 'string' } },
        },
        region_group: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            regions: {
              type: 'array',
              items: { type: 'object', properties: { name: { type: 'string' }, cloud_provider: { type: 'string' } } },
            },
          },
        },
      },
    },
  },
} as const;

export const topicSchema = {
  $id: 'Topic',
  type: 'object',
  properties: {
    id: { type: 'string', description: 'Topic identifier' },
    name: { type: 'string', description: 'Topic name' },
    created_at: { type: 'number', description: 'Unix timestamp of creation (seconds)' },
    retention: { type: 'string', description: 'Retention policy string (retention.ms)' },
    shard_count: { type: 'number', description: 'Number of shards/partitions' },
    uncompressed_size_hint: { type: 'string', description: 'Approximate uncompressed size' },
  },
} as const;

export const aclEntrySchema = {
  $id: 'AclEntry',
  type: 'object',
  required: ['resource_type', 'resource_name', 'pattern_type', 'principal', 'host', 'operation', 'permission_type'],
  properties: {
    resource_type: { type: 'string', description: 'Kafka resource type (e.g., TOPIC, GROUP)' },
    resource_name: { type: 'string', description: 'Name of the resource' },
    pattern_type: { type: 'string', description: 'Pattern matching type (e.g., LITERAL, PREFIXED)' },
    principal: { type: 'string', description: 'Principal (e.g., User:alice)' },
    host: { type: 'string', description: 'Host to restrict access from' },
    operation: { type: 'string', description: 'Kafka operation (e.g., READ, WRITE, ALL)' },
    permission_type: { type: 'string', description: 'Permission type (ALLOW or DENY)' },
  },
} as const;

export const pipelineSchema = {
  $id: 'Pipeline',
  type: 'object',
  properties: {
    id: { type: 'string', description: 'Pipeline identifier' },
    name: { type: 'string', description: 'Pipeline name' },
    state: { type: 'string', description: 'Operational status (e.g., running, paused)' },
    type: { type: 'string', enum: ['bento', 'orbit', 'schema_linking'], description: 'Pipeline type' },
    deployed_configuration_id: { type: 'string', description: 'Reference to active configuration' },
  },
} as const;

export const workspaceSchema = {
  $id: 'Workspace',
  type: 'object',
  properties: {
    id: { type: 'string', description: 'Workspace identifier' },
    name: { type: 'string', description: 'Workspace name' },
    created_at: { type: 'string', format: 'date-time', description: 'ISO 8601 creation timestamp' },
  },
} as const;

export const consumerGroupMemberSchema = {
  $id: 'ConsumerGroupMember',
  type: 'object',
  properties: {
    id: { type: 'string' },
    group_instance_id: { type: 'string' },
    client_id: { type: 'string' },
    client_host: { type: 'string' },
    assignment: {
      type: 'object',
      properties: {
        assignments: {
          type: 'array',
          items: {
            type: 'object',
            properties: { topic_name: { type: 'string' }, partitions: { type: 'array', items: { type: 'integer' } } },
          },
        },
      },
    },
  },
} as const;

export const consumerGroupSchema = {
  $id: 'ConsumerGroup',
  type: 'object',
  properties: {
    name: { type: 'string' },
    state: { type: 'string' },
    protocol: { type: 'string' },
    members: { type: 'array', items: { $ref: 'ConsumerGroupMember#' } },
    topics: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          partitions: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                member_id: { type: 'string' },
                partition: { type: 'integer' },
                empty: { type: 'boolean' },
                min_offset: { type: 'integer' },
                max_offset: { type: 'integer' },
                committed_offset: { type: 'integer' },
              },
            },
          },
        },
      },
    },
  },
} as const;

export const virtualClusterCredentialsSchema = {
  $id: 'VirtualClusterCredentials',
  type: 'object',
  properties: {
    id: { type: 'string' },
    username: { type: 'string' },
    password: { type: 'string' },
  },
} as const;

export const emptyResponseSchema = {
  $id: 'EmptyResponse',
  type: 'object',
  description: 'Empty JSON object indicating success',
  additionalProperties: false,
} as const;

export const errorResponseSchema = {
  $id: 'ErrorResponse',
  type: 'object',
  description: "The error envelope of every error (the data APIs add PostgREST's code, message, details and hint at the top)",
  required: ['error'],
  additionalProperties: true,
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'correlationId', 'timestamp'],
      properties: {
        code: { type: 'string', description: 'Stable machine-readable error code' },
        message: { type: 'string' },
        correlationId: { type: 'string' },
        timestamp: { type: 'string', format: 'date-time' },
        details: { type: 'object', additionalProperties: true, description: 'Particulars of the error: a SQLSTATE, a MongoDB code, the ids inserted before a failure' },
      },
    },
  },
} as const;

export const sharedSchemas = [
  accessGrantSchema,
  apiKeySchema,
  virtualClusterSchema,
  topicSchema,
  aclEntrySchema,
  pipelineSchema,
  workspaceSchema,
  consumerGroupMemberSchema,
  consumerGroupSchema,
  virtualClusterCredentialsSchema,
  emptyResponseSchema,
  errorResponseSchema,
];

export const ref = (id: string) => ({ $ref: `${id}#` });
