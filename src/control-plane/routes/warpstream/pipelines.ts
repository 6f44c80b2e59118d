import type { Endpoint } from '../endpoint.ts';
import { ref } from '../schemas.ts';
import { clusterFor } from '../../auth.ts';
import {
  changePipelineState,
  createPipeline,
  createPipelineConfiguration,
  deletePipeline,
  describePipeline,
  listPipelines,
  PIPELINE_STATES,
} from '../../services/pipelines.ts';

const pipelineIds = {
  virtual_cluster_id: { type: 'string', description: 'Virtual cluster of the pipeline' },
  pipeline_id: { type: 'string', description: 'Pipeline id (pi_…)' },
} as const;

type PipelineIds = { virtual_cluster_id: string; pipeline_id: string };

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
  {
    path: '/api/v1/describe_pipeline',
    method: 'POST',
    operationId: 'describePipeline',
    summary: 'Describe Pipeline',
    description: 'Returns a pipeline (as list_pipelines shows it) and all its configurations, oldest version first.',
    tag: 'Pipelines',
    scope: 'workspace',
    mutation: false,
    body: { type: 'object', required: ['virtual_cluster_id', 'pipeline_id'], properties: pipelineIds },
    response: {
      type: 'object',
      properties: {
        pipeline_overview: ref('Pipeline'),
        pipeline_configurations: {
          type: 'array',
          items: {
            type: 'object',
            properties: { id: { type: 'string' }, version: { type: 'integer' }, configuration_yaml: { type: 'string' } },
          },
        },
      },
    },
    handler: async ({ store, principal, body }) =>
      describePipeline(store, await clusterFor(store, principal, body.virtual_cluster_id), body.pipeline_id),
  } satisfies Endpoint<PipelineIds>,
  {
    path: '/api/v1/create_pipeline_configuration',
    method: 'POST',
    operationId: 'createPipelineConfiguration',
    summary: 'Create Pipeline Configuration',
    description:
      'Adds a configuration version to a pipeline; change_pipeline_state deploys it. The YAML must parse and be a mapping; a Bento configuration has only Bento\'s top-level sections (and warpstream), with an input and an output.',
    tag: 'Pipelines',
    scope: 'workspace',
    mutation: true,
    body: {
      type: 'object',
      required: ['virtual_cluster_id', 'pipeline_id', 'configuration_yaml'],
      properties: {
        ...pipelineIds,
        configuration_yaml: { type: 'string', description: 'The whole configuration, as YAML' },
        configuration_inputs: { description: 'Tableflow only: refused' },
      },
    },
    response: { type: 'object', properties: { configuration_id: { type: 'string' } } },
    handler: async ({ store, principal, body }) =>
      createPipelineConfiguration(store, await clusterFor(store, principal, body.virtual_cluster_id), body),
  } satisfies Endpoint<PipelineIds & { configuration_yaml: string; configuration_inputs?: unknown }>,
  {
    path: '/api/v1/change_pipeline_state',
    method: 'POST',
    operationId: 'changePipelineState',
    summary: 'Change Pipeline State',
    description:
      'Sets the desired state (running or paused) and/or the deployed configuration; null or absent leaves one as it is. The configuration must be one of the pipeline\'s (404 otherwise); running needs a deployed configuration (422).',
    tag: 'Pipelines',
    scope: 'workspace',
    mutation: true,
    body: {
      type: 'object',
      required: ['virtual_cluster_id', 'pipeline_id'],
      properties: {
        ...pipelineIds,
        desired_state: { type: 'string', nullable: true, enum: [...PIPELINE_STATES, null], description: 'running or paused' },
        deployed_configuration_id: { type: 'string', nullable: true, description: 'Configuration to deploy' },
      },
    },
    response: ref('EmptyResponse'),
    handler: async ({ store, principal, body }) =>
      changePipelineState(store, await clusterFor(store, principal, body.virtual_cluster_id), body),
  } satisfies Endpoint<PipelineIds & { desired_state?: string | null; deployed_configuration_id?: string | null }>,
  {
    path: '/api/v1/delete_pipeline',
    method: 'POST',
    operationId: 'deletePipeline',
    summary: 'Delete Pipeline',
    description: 'Deletes a pipeline and all its configurations.',
    tag: 'Pipelines',
    scope: 'workspace',
    mutation: true,
    body: { type: 'object', required: ['virtual_cluster_id', 'pipeline_id'], properties: pipelineIds },
    response: ref('EmptyResponse'),
    handler: async ({ store, principal, body }) =>
      deletePipeline(store, await clusterFor(store, principal, body.virtual_cluster_id), body.pipeline_id),
  } satisfies Endpoint<PipelineIds>,
];
