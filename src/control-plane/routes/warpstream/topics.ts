import type { Endpoint } from '../endpoint.ts';
import { ref } from '../schemas.ts';
import { clusterFor } from '../../auth.ts';
import { clusterConfiguration } from '../../../model/cluster-configuration.ts';
import { createTopic, deleteTopic, describeTopic, listTopics, updateTopic, type CreateTopicRequest, type UpdateTopicRequest } from '../../services/topics.ts';

const clusterId = { type: 'string', description: 'Target virtual cluster ID' };

export const topicEndpoints = [
  {
    path: '/api/v1/list_topics',
    method: 'POST',
    operationId: 'listTopics',
    summary: 'List Topics',
    description: 'Returns all topics in a virtual cluster.',
    tag: 'Topics',
    scope: 'workspace',
    mutation: false,
    body: {
      type: 'object',
      required: ['virtual_cluster_id'],
      properties: {
        virtual_cluster_id: clusterId,
        include_recently_deleted: { type: 'boolean', description: 'Include recently soft-deleted topics in response' },
      },
    },
    response: {
      type: 'object',
      properties: {
        topics: { type: 'array', items: ref('Topic') },
        recently_deleted_topics: { type: 'array', nullable: true, items: ref('Topic') },
      },
    },
    handler: async ({ store, principal, body }) =>
      listTopics(store, await clusterFor(store, principal, body.virtual_cluster_id), body.include_recently_deleted === true),
  } satisfies Endpoint<{ virtual_cluster_id: string; include_recently_deleted?: boolean }>,
  {
    path: '/api/v1/create_topic',
    method: 'POST',
    operationId: 'createTopic',
    summary: 'Create Topic',
    description:
      'Creates a new Kafka topic in the specified virtual cluster. Re-creating a recently soft-deleted topic restores it.',
    tag: 'Topics',
    scope: 'workspace',
    mutation: true,
    body: {
      type: 'object',
      required: ['virtual_cluster_id', 'topic_name', 'partition_count'],
      properties: {
        virtual_cluster_id: clusterId,
        topic_name: { type: 'string', description: 'Name of the topic' },
        partition_count: { type: 'integer', description: 'Number of partitions' },
        configs: {
          type: 'object',
          additionalProperties: { type: 'string' },
          description: 'Optional Kafka topic configuration key-value pairs',
        },
      },
    },
    response: ref('EmptyResponse'),
    handler: async ({ store, principal, body }) => {
      await createTopic(store, await clusterFor(store, principal, body.virtual_cluster_id), body);
      return {};
    },
  } satisfies Endpoint<CreateTopicRequest & { virtual_cluster_id: string }>,
  {
    path: '/api/v1/describe_topic',
    method: 'POST',
    operationId: 'describeTopic',
    summary: 'Describe Topic',
    description:
      'The partition count of a topic and its configs: every config it sets, over the defaults of cleanup.policy, retention.ms and warpstream.deletion.protection.enabled.',
    tag: 'Topics',
    scope: 'workspace',
    mutation: false,
    body: {
      type: 'object',
      required: ['virtual_cluster_id', 'topic_name'],
      properties: { virtual_cluster_id: clusterId, topic_name: { type: 'string', description: 'Name of the topic' } },
    },
    response: {
      type: 'object',
      properties: {
        partition_count: { type: 'integer' },
        configs: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    handler: async ({ store, principal, body }) =>
      describeTopic(store, await clusterFor(store, principal, body.virtual_cluster_id), body.topic_name),
  } satisfies Endpoint<{ virtual_cluster_id: string; topic_name: string }>,
  {
    path: '/api/v1/update_topic',
    method: 'POST',
    operationId: 'updateTopic',
    summary: 'Update Topic',
    description:
      'Grows a topic to partition_count partitions (shrinking is refused) and sets the given configs; a config given as null goes back to its default, configs not named keep their value. All or nothing: anything invalid is refused and nothing changes.',
    tag: 'Topics',
    scope: 'workspace',
    mutation: true,
    body: {
      type: 'object',
      required: ['virtual_cluster_id', 'topic_name'],
      properties: {
        virtual_cluster_id: clusterId,
        topic_name: { type: 'string', description: 'Name of the topic' },
        partition_count: { type: 'integer', nullable: true, description: 'New partition count; at least the current one' },
        configs: {
          type: 'object',
          nullable: true,
          additionalProperties: { type: 'string', nullable: true },
          description: 'Topic configs to set (null: back to the default)',
        },
      },
    },
    response: ref('EmptyResponse'),
    handler: async ({ store, principal, body }) => {
      await updateTopic(store, await clusterFor(store, principal, body.virtual_cluster_id), body);
      return {};
    },
  } satisfies Endpoint<UpdateTopicRequest & { virtual_cluster_id: string }>,
  {
    path: '/api/v1/delete_topic',
    method: 'POST',
    operationId: 'deleteTopic',
    summary: 'Delete Topic',
    description: 'Deletes a topic from a virtual cluster. Supports soft-delete for recovery.',
    tag: 'Topics',
    scope: 'workspace',
    mutation: true,
    body: {
      type: 'object',
      required: ['virtual_cluster_id', 'topic_name'],
      properties: {
        virtual_cluster_id: clusterId,
        topic_name: { type: 'string', description: 'Name of the topic to delete' },
        soft_delete: {
          type: 'boolean',
          description:
            "If true, the topic can be recovered (by re-creating it within the cluster's soft-delete TTL, a day by default); if false, permanently deleted; if absent, the cluster's soft_delete_topics_enabled decides (off by default)",
        },
      },
    },
    response: ref('EmptyResponse'),
    handler: async ({ store, principal, body }) => {
      const cluster = await clusterFor(store, principal, body.virtual_cluster_id);
      await deleteTopic(store, cluster, body.topic_name, body.soft_delete ?? clusterConfiguration(cluster).soft_delete_topics_enabled);
      return {};
    },
  } satisfies Endpoint<{ virtual_cluster_id: string; topic_name: string; soft_delete?: boolean }>,
];
