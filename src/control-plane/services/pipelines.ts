import { badRequest, conflict } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { MetadataStore, Pipeline, PipelineType, VirtualCluster } from '../../metadata/store.ts';

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
