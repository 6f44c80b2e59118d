import type { Endpoint } from '../endpoint.ts';
import { ref } from '../schemas.ts';
import { clusterFor } from '../../auth.ts';
import { createPipeline, listPipelines } from '../../services/pipelines.ts';

export const pipelineEndpoints = [
  {
    path: '/api/v1/list_pipelines',
    method: 'POST',
    operationId: 'listPipelines',
    summary: 'List Pipelines',
    description: 'Returns all pipelines in the specified virtual cluster.',
    tag: 'Pipelines',
    scope: 'workspace',
    mutation: false,
    body: {
      type: 'object',
      required: ['virtual_cluster_id'],
      properties: { virtual_cluster_id: { type: 'string', description: 'Target virtual cluster ID' } },
    },
    response: { type: 'object', properties: { pipelines: { type: 'array', items: ref('Pipeline') } } },
    handler: async ({ store, principal, body }) => ({
      pipelines: await listPipelines(store, await clusterFor(store, principal, body.virtual_cluster_id)),
    }),
  } satisfies Endpoint<{ virtual_cluster_id: string }>,
  {
    path: '/api/v1/create_pipeline',
    method: 'POST',
    operationId: 'createPipeline',
    summary: 'Create Pipeline',
    description:
      'Creates a new pipeline in a virtual cluster. Default type is bento. Orbit pipelines are limited to one per virtual cluster. Schema Linking pipelines are limited to one per schema registry cluster.',
    tag: 'Pipelines',
    scope: 'workspace',
    mutation: true,
    body: {
      type: 'object',
      required: ['virtual_cluster_id', 'pipeline_name'],
      properties: {
        virtual_cluster_id: { type: 'string', description: 'Target virtual cluster ID' },
        pipeline_name: { type: 'string', description: 'Name for the new pipeline' },
        pipeline_type: { type: 'string', enum: ['bento', 'orbit', 'schema_linking'], description: 'Pipeline type (defaults to bento)' },
      },
    },
    response: {
      type: 'object',
      properties: {
        pipeline_id: { type: 'string' },
        pipeline_name: { type: 'string' },
        pipeline_state: { type: 'string' },
        pipeline_type: { type: 'string' },
        pipeline_deployed_configuration_id: { type: 'string' },
      },
    },
    handler: async ({ store, principal, body }) =>
      createPipeline(store, await clusterFor(store, principal, body.virtual_cluster_id), body),
  } satisfies Endpoint<{ virtual_cluster_id: string; pipeline_name: string; pipeline_type?: string }>,
];
