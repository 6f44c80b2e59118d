import type { Endpoint } from '../endpoint.ts';
import { ref } from '../schemas.ts';
import { clusterFor } from '../../auth.ts';
import { createTopic, deleteTopic, listTopics, type CreateTopicRequest } from '../../services/topics.ts';

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
          description: 'If true, topic can be recovered (by re-creating it within a day); if false or absent, permanently deleted',
        },
      },
    },
    response: ref('EmptyResponse'),
    handler: async ({ store, principal, body }) => {
      await deleteTopic(store, await clusterFor(store, principal, body.virtual_cluster_id), body.topic_name, body.soft_delete === true);
      return {};
    },
  } satisfies Endpoint<{ virtual_cluster_id: string; topic_name: string; soft_delete?: boolean }>,
];
