import { parseDocument } from 'yaml';
import { badRequest, conflict, notFound, unprocessable } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { MetadataStore, Pipeline, PipelineConfiguration, PipelineType, VirtualCluster } from '../../metadata/store.ts';

export const PIPELINE_TYPES: readonly PipelineType[] = ['bento', 'orbit', 'schema_linking'];
const PIPELINE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** The Pipeline of the seed spec. */
export function pipelineView(pipeline: Pipeline) {
  return {
    id: pipeline.id,
    name: pipeline.name,
    state: pipeline.state,
    type: pipeline.type,
    deployed_configuration_id: pipeline.deployed_configuration_id,
  };
}

/**
 * create_pipeline. Bento is the default type; an orbit pipeline is limited to one per cluster;
 * schema linking runs only on a schema-registry cluster, one per cluster, and that is the only
 * kind a schema-registry cluster runs. A new pipeline is paused with no configuration deployed.
 */
export async function createPipeline(
  store: MetadataStore,
  cluster: VirtualCluster,
  request: { pipeline_name: string; pipeline_type?: string },
) {
  const type = (request.pipeline_type ?? 'bento') as PipelineType;
  if (!PIPELINE_TYPES.includes(type)) throw badRequest(`pipeline_type must be one of ${PIPELINE_TYPES.join(', ')}`);
  if (!PIPELINE_NAME_PATTERN.test(request.pipeline_name)) {
    throw badRequest('pipeline_name must be 1 to 128 letters, digits, "_" and "-"');
  }
  const registry = cluster.type === 'byoc_schema_registry';
  if (type === 'schema_linking' && !registry) {
    throw badRequest('schema_linking pipelines run only on a byoc_schema_registry virtual cluster', 'INVALID_PIPELINE_TYPE');
  }
  if (type !== 'schema_linking' && registry) {
    throw badRequest(`a byoc_schema_registry virtual cluster runs only schema_linking pipelines, not ${type}`, 'INVALID_PIPELINE_TYPE');
  }

  return store.transaction(async (tx) => {
    const existing = await tx.listPipelines(cluster.id);
    if (existing.some((p) => p.name === request.pipeline_name)) {
      throw conflict('PIPELINE_ALREADY_EXISTS', `a pipeline named ${request.pipeline_name} already exists on this virtual cluster`);
    }
    if ((type === 'orbit' || type === 'schema_linking') && existing.some((p) => p.type === type)) {
      throw conflict('PIPELINE_LIMIT_REACHED', `a virtual cluster can have only one ${type} pipeline, and this one has it`);
    }
    const pipeline: Pipeline = {
      id: newId('pi_'),
      virtual_cluster_id: cluster.id,
      name: request.pipeline_name,
      type,
      state: 'paused',
      deployed_configuration_id: '',
      created_at: Date.now(),
    };
    await tx.insertPipeline(pipeline);
    return {
      pipeline_id: pipeline.id,
      pipeline_name: pipeline.name,
      pipeline_state: pipeline.state,
      pipeline_type: pipeline.type,
      pipeline_deployed_configuration_id: pipeline.deployed_configuration_id,
    };
  });
}

export async function listPipelines(store: MetadataStore, cluster: VirtualCluster) {
  return (await store.listPipelines(cluster.id)).map(pipelineView);
}

// --- configurations, state, describe, delete ---------------------------------------------------

/**
 * The top-level sections of a Bento configuration (Bento's config reference), plus `warpstream`,
 * where WarpStream's managed pipelines take their own settings. Anything else is a typo Bento
 * would refuse at deploy time, so it is refused here, when it is written.
 */
export const BENTO_SECTIONS: readonly string[] = [
  'http',
  'input',
  'buffer',
  'pipeline',
  'output',
  'input_resources',
  'processor_resources',
  'output_resources',
  'cache_resources',
  'rate_limit_resources',
  'logger',
  'metrics',
  'tracer',
  'shutdown_delay',
  'shutdown_timeout',
  'tests',
  'warpstream',
];

export const PIPELINE_STATES = ['running', 'paused'] as const;

/** A pipeline of the cluster; one of another cluster answers exactly like an unknown one. */
async function pipelineOf(store: MetadataStore, cluster: VirtualCluster, pipelineId: string): Promise<Pipeline> {
  const pipeline = await store.getPipeline(pipelineId);
  if (!pipeline || pipeline.virtual_cluster_id !== cluster.id) throw notFound('PIPELINE_NOT_FOUND', `pipeline ${pipelineId} not found`);
  return pipeline;
}

/**
 * Checks a configuration: YAML without errors (duplicate keys included), a mapping at the top;
 * for Bento also only known top-level sections, with an input and an output. Orbit and schema
 * linking configurations are WarpStream's own formats: checked as YAML mappings only.
 */
export function checkConfigurationYaml(type: PipelineType, text: string): void {
  if (text.trim() === '') throw badRequest('configuration_yaml must not be empty');
  const document = parseDocument(text);
  const error = document.errors[0];
  if (error) throw badRequest(`configuration_yaml is not valid YAML: ${error.message.split('\n')[0]}`, 'INVALID_PIPELINE_CONFIGURATION');
  const value: unknown = document.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest('configuration_yaml must be a YAML mapping of sections', 'INVALID_PIPELINE_CONFIGURATION');
  }
  if (type !== 'bento') return;
  const keys = Object.keys(value);
  const unknown = keys.filter((key) => !BENTO_SECTIONS.includes(key));
  if (unknown.length > 0) {
    throw badRequest(
      `configuration_yaml has unknown top-level section(s) ${unknown.join(', ')}; a Bento configuration has ${BENTO_SECTIONS.join(', ')}`,
      'INVALID_PIPELINE_CONFIGURATION',
    );
  }
  for (const required of ['input', 'output']) {
    if (!keys.includes(required)) throw badRequest(`configuration_yaml needs an ${required} section`, 'INVALID_PIPELINE_CONFIGURATION');
  }
}

function configurationView(configuration: PipelineConfiguration) {
  return { id: configuration.id, version: configuration.version, configuration_yaml: configuration.configuration_yaml };
}

/** describe_pipeline: the overview (as list_pipelines shows it) and every configuration, oldest first. */
export async function describePipeline(store: MetadataStore, cluster: VirtualCluster, pipelineId: string) {
  const pipeline = await pipelineOf(store, cluster, pipelineId);
  return {
    pipeline_overview: pipelineView(pipeline),
    pipeline_configurations: (await store.listPipelineConfigurations(pipeline.id)).map(configurationView),
  };
}

/** create_pipeline_configuration: a new version; it runs only once change_pipeline_state deploys it. */
export async function createPipelineConfiguration(
  store: MetadataStore,
  cluster: VirtualCluster,
  request: { pipeline_id: string; configuration_yaml?: string; configuration_inputs?: unknown },
): Promise<{ configuration_id: string }> {
  if (request.configuration_inputs !== undefined && request.configuration_inputs !== null) {
    throw badRequest('configuration_inputs are for tableflow pipelines, which Slipstream does not run; send configuration_yaml');
  }
  if (request.configuration_yaml === undefined) throw badRequest('configuration_yaml is required');
  const yaml = request.configuration_yaml;
  return store.transaction(async (tx) => {
    const pipeline = await pipelineOf(tx, cluster, request.pipeline_id);
    checkConfigurationYaml(pipeline.type, yaml);
    const existing = await tx.listPipelineConfigurations(pipeline.id);
    const configuration: PipelineConfiguration = {
      id: newId('pci_'),
      pipeline_id: pipeline.id,
      version: (existing.at(-1)?.version ?? 0) + 1,
      configuration_yaml: yaml,
      created_at: Date.now(),
    };
    await tx.insertPipelineConfiguration(configuration);
    return { configuration_id: configuration.id };
  });
}

/**
 * change_pipeline_state: the desired state, the deployed configuration, or both (the Terraform
 * provider sends both, and `null` for one it leaves alone). The configuration must be one of the
 * pipeline's; a pipeline runs only with a configuration deployed.
 */
export async function changePipelineState(
  store: MetadataStore,
  cluster: VirtualCluster,
  request: { pipeline_id: string; desired_state?: string | null; deployed_configuration_id?: string | null },
): Promise<Record<string, never>> {
  const desired = request.desired_state ?? undefined;
  const deploy = request.deployed_configuration_id ?? undefined;
  if (desired === undefined && deploy === undefined) throw badRequest('send desired_state, deployed_configuration_id, or both');
  if (desired !== undefined && !(PIPELINE_STATES as readonly string[]).includes(desired)) {
    throw badRequest(`desired_state must be one of ${PIPELINE_STATES.join(', ')}`);
  }
  if (deploy === '') throw badRequest('deployed_configuration_id must name a configuration of the pipeline');
  return store.transaction(async (tx) => {
    const pipeline = await pipelineOf(tx, cluster, request.pipeline_id);
    if (deploy !== undefined && !(await tx.listPipelineConfigurations(pipeline.id)).some((c) => c.id === deploy)) {
      throw notFound('PIPELINE_CONFIGURATION_NOT_FOUND', `pipeline ${pipeline.id} has no configuration ${deploy}`);
    }
    const state = desired ?? pipeline.state;
    const deployed = deploy ?? pipeline.deployed_configuration_id;
    if (state === 'running' && deployed === '') {
      throw unprocessable('PIPELINE_NOT_CONFIGURED', 'a pipeline runs only with a configuration deployed: send deployed_configuration_id');
    }
    await tx.updatePipelineState(pipeline.id, state, deployed);
    return {};
  });
}

/** delete_pipeline: the pipeline and all its configurations. */
export async function deletePipeline(store: MetadataStore, cluster: VirtualCluster, pipelineId: string): Promise<Record<string, never>> {
  return store.transaction(async (tx) => {
    const pipeline = await pipelineOf(tx, cluster, pipelineId);
    await tx.deletePipeline(pipeline.id);
    return {};
  });
}
