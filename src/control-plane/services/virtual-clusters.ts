import { badRequest, conflict, forbidden, unprocessable } from '../../errors.ts';
import { clusterConfiguration } from './cluster-configuration.ts';
import { newId, withPrefix } from '../../ids.ts';
import type { MetadataStore, VirtualCluster, VirtualClusterType } from '../../metadata/store.ts';
import { clusterFor, mayAccessCluster, type Principal } from '../auth.ts';
import { apiKeyView, createAgentKey, type ApiKeyView } from './api-keys.ts';

export const CLUSTER_TYPES: readonly VirtualClusterType[] = ['byoc', 'byoc_data_lake', 'byoc_schema_registry'];
export const CLOUD_PROVIDERS = ['aws', 'gcp', 'azure'] as const;

/** Partitions a virtual cluster may hold in all, by tier. */
export const TIER_PARTITION_LIMITS: Readonly<Record<string, number>> = {
  dev: 4_096,
  fundamentals: 16_384,
  pro: 50_000,
  enterprise: 200_000,
};

/** Id and name prefixes by cluster type (`vci_sr_…`/`vcn_sr_…` for schema registries, …). */
const prefixes: Record<VirtualClusterType, { id: string; name: string }> = {
  byoc: { id: 'vci_', name: 'vcn_' },
  byoc_schema_registry: { id: 'vci_sr_', name: 'vcn_sr_' },
  byoc_data_lake: { id: 'vci_dl_', name: 'vcn_dl_' },
};

const CLUSTER_NAME_PATTERN = /^vcn_[a-zA-Z0-9_]+$/;
const REGION_PATTERN = /^[a-z][a-z0-9-]{1,63}$/;

/** The cluster's full name for what a client sent, with or without the prefix. */
export function clusterName(type: VirtualClusterType, sent: string): string {
  return withPrefix(prefixes[type].name, sent);
}

export interface VirtualClusterView {
  id: string;
  agent_pool_id: string;
  agent_pool_name: string;
  name: string;
  created_at: string;
  type: string;
  region: string;
  cloud_provider: string;
  bootstrap_url: string;
  agent_keys: ApiKeyView[];
}

export interface CreateVirtualClusterRequest {
  virtual_cluster_name: string;
  virtual_cluster_type: string;
  virtual_cluster_region: string;
  virtual_cluster_cloud_provider: string;
  virtual_cluster_tier: string;
  skip_agent_key_creation?: boolean;
}

export interface ClusterContext {
  /** Where agents serving this deployment's Kafka clusters are reached (`host:port`). */
  bootstrapUrl: string;
}

function bootstrapUrlOf(cluster: VirtualCluster, context: ClusterContext): string {
  // Only BYOC Kafka clusters are served over the Kafka protocol.
  return cluster.type === 'byoc' ? context.bootstrapUrl : '';
}

export function validateClusterName(name: string): void {
  if (name.length < 3 || name.length > 128 || !CLUSTER_NAME_PATTERN.test(name)) {
    throw badRequest(
      `virtual_cluster_name ${JSON.stringify(name)} is not valid: after its vcn_ prefix it may contain only letters, digits and underscores, 3 to 128 characters in all`,
    );
  }
}

export async function createVirtualCluster(
  store: MetadataStore,
  caller: Principal,
  request: CreateVirtualClusterRequest,
  context: ClusterContext,
) {
  const type = request.virtual_cluster_type as VirtualClusterType;
  if (!CLUSTER_TYPES.includes(type)) throw badRequest(`virtual_cluster_type must be one of ${CLUSTER_TYPES.join(', ')}`);
  // Own keys only: `in` also saw the prototype's, so tiers like "constructor" or "toString" got in
  // (and later read a function where the tier's partition limit should be).
  if (!Object.hasOwn(TIER_PARTITION_LIMITS, request.virtual_cluster_tier)) {
    throw badRequest(`virtual_cluster_tier must be one of ${Object.keys(TIER_PARTITION_LIMITS).join(', ')}`);
  }
  if (!(CLOUD_PROVIDERS as readonly string[]).includes(request.virtual_cluster_cloud_provider)) {
    throw badRequest(`virtual_cluster_cloud_provider must be one of ${CLOUD_PROVIDERS.join(', ')}`);
  }
  if (!REGION_PATTERN.test(request.virtual_cluster_region)) {
    throw badRequest('virtual_cluster_region must be a cloud region name such as us-east-1 (lowercase letters, digits and "-")');
  }
  const name = clusterName(type, request.virtual_cluster_name);
  validateClusterName(name);
  if (caller.clusters !== '*') {
    throw forbidden('this API key is limited to some virtual clusters and cannot create new ones');
  }
  const workspaceId = caller.key.workspace_id!;

  return store.transaction(async (tx) => {
    if (await tx.findVirtualClusterByName(workspaceId, name)) {
      throw conflict('VIRTUAL_CLUSTER_ALREADY_EXISTS', `a virtual cluster named ${name} already exists in this workspace`);
    }
    const cluster: VirtualCluster = {
      id: newId(prefixes[type].id),
      workspace_id: workspaceId,
      name,
      type,
      region: request.virtual_cluster_region,
      cloud_provider: request.virtual_cluster_cloud_provider,
      tier: request.virtual_cluster_tier,
      agent_pool_id: newId('api_'),
      agent_pool_name: 'apn_' + name.slice('vcn_'.length),
      created_at: Date.now(),
      configuration: {},
    };
    await tx.insertVirtualCluster(cluster);
    const agentKey = request.skip_agent_key_creation ? undefined : await createAgentKey(tx, cluster, caller.key.account_id);
    return {
      virtual_cluster_id: cluster.id,
      virtual_cluster_name: cluster.name,
      agent_pool_id: cluster.agent_pool_id,
      agent_pool_name: cluster.agent_pool_name,
      ...(agentKey ? { agent_key: apiKeyView(agentKey.record, agentKey.secret) } : {}),
      bootstrap_url: bootstrapUrlOf(cluster, context),
      workspace_id: workspaceId,
    };
  });
}

export async function listVirtualClusters(store: MetadataStore, caller: Principal, context: ClusterContext): Promise<VirtualClusterView[]> {
  const clusters = (await store.listVirtualClusters(caller.key.workspace_id!)).filter((c) => mayAccessCluster(caller, c.id));
  return Promise.all(
    clusters.map(async (cluster) => ({
      id: cluster.id,
      agent_pool_id: cluster.agent_pool_id,
      agent_pool_name: cluster.agent_pool_name,
      name: cluster.name,
      created_at: new Date(cluster.created_at).toISOString(),
      type: cluster.type,
      region: cluster.region,
      cloud_provider: cluster.cloud_provider,
      bootstrap_url: bootstrapUrlOf(cluster, context),
      agent_keys: (await store.listAgentKeys(cluster.id)).map((key) => apiKeyView(key)),
    })),
  );
}

/**
 * delete_virtual_cluster: the id and the name must both match, a safeguard against deleting the
 * wrong cluster. Everything the cluster owns goes with it.
 */
export async function deleteVirtualCluster(
  store: MetadataStore,
  caller: Principal,
  request: { virtual_cluster_id: string; virtual_cluster_name: string },
): Promise<void> {
  await store.transaction(async (tx) => {
    const cluster = await clusterFor(tx, caller, request.virtual_cluster_id);
    if (clusterName(cluster.type, request.virtual_cluster_name) !== cluster.name) {
      throw badRequest(
        `virtual_cluster_name ${JSON.stringify(request.virtual_cluster_name)} does not match the name of ${cluster.id}; both must match to delete it`,
        'VIRTUAL_CLUSTER_NAME_MISMATCH',
      );
    }
    if (clusterConfiguration(cluster).enable_deletion_protection) {
      throw unprocessable(
        'VIRTUAL_CLUSTER_DELETION_PROTECTED',
        `virtual cluster ${cluster.id} has enable_deletion_protection on; turn it off with update_virtual_cluster_configuration first`,
      );
    }
    await tx.deleteVirtualCluster(cluster.id);
  });
}
