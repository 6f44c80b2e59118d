import { badRequest, conflict, forbidden, unprocessable } from '../../errors.ts';
import { clusterConfiguration } from '../../model/cluster-configuration.ts';
import { changeTier, validateTier } from './tiers.ts';
import { newId, withPrefix } from '../../ids.ts';
import { CLUSTER_TYPES, type MetadataStore, type VirtualCluster, type VirtualClusterType } from '../../metadata/store.ts';
import { clusterFor, mayAccessCluster, type Principal } from '../auth.ts';
import { apiKeyView, createAgentKey, listedKeyView, type ApiKeyView } from './api-keys.ts';
import type { SecretSealer } from '../secrets.ts';
import { releaseClusterObjects } from '../log/objects.ts';
import { liveAgentsView } from './agents.ts';

export const CLOUD_PROVIDERS = ['aws', 'gcp', 'azure'] as const;

/** Id and name prefixes by cluster type (`vci_sr_…`/`vcn_sr_…` for schema registries, …). */
const prefixes: Record<VirtualClusterType, { id: string; name: string }> = {
  byoc: { id: 'vci_', name: 'vcn_' },
  byoc_schema_registry: { id: 'vci_sr_', name: 'vcn_sr_' },
  byoc_data_lake: { id: 'vci_dl_', name: 'vcn_dl_' },
};

const CLUSTER_NAME_PATTERN = /^vcn_[a-zA-Z0-9_]+$/;
const REGION_PATTERN = /^[a-z][a-z0-9-]{1,63}$/;
// Region groups name several regions at once (WarpStream's multi-region control planes).
const REGION_GROUP_PATTERN = /^[a-z][a-z0-9_-]{1,63}$/;

/** The cluster's full name for what a client sent, with or without the prefix. */
export function clusterName(type: VirtualClusterType, sent: string): string {
  return withPrefix(prefixes[type].name, sent);
}

export interface Region {
  name: string;
  cloud_provider: string;
}

/** Where the cluster's control plane lives: one region, or a region group (multi-region). */
export interface ClusterRegion {
  is_multi_region: boolean;
  region?: Region;
  region_group?: { name: string; regions: Region[] };
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
  cluster_region: ClusterRegion;
  bootstrap_url: string;
  workspace_id: string;
  tier: string;
  agent_keys: ApiKeyView[];
}

export interface CreateVirtualClusterRequest {
  virtual_cluster_name: string;
  virtual_cluster_type: string;
  virtual_cluster_region?: string;
  virtual_cluster_region_group?: string;
  virtual_cluster_cloud_provider: string;
  virtual_cluster_tier: string;
  virtual_cluster_tags?: Record<string, unknown>;
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

export function validateClusterName(name: string, field = 'virtual_cluster_name'): void {
  if (name.length < 3 || name.length > 128 || !CLUSTER_NAME_PATTERN.test(name)) {
    throw badRequest(
      `${field} ${JSON.stringify(name)} is not valid: after its vcn_ prefix it may contain only letters, digits and underscores, 3 to 128 characters in all`,
    );
  }
}

export async function createVirtualCluster(
  store: MetadataStore,
  secrets: SecretSealer,
  caller: Principal,
  request: CreateVirtualClusterRequest,
  context: ClusterContext,
) {
  const type = request.virtual_cluster_type as VirtualClusterType;
  if (!CLUSTER_TYPES.includes(type)) throw badRequest(`virtual_cluster_type must be one of ${CLUSTER_TYPES.join(', ')}`);
  validateTier(request.virtual_cluster_tier, 'virtual_cluster_tier');
  if (!(CLOUD_PROVIDERS as readonly string[]).includes(request.virtual_cluster_cloud_provider)) {
    throw badRequest(`virtual_cluster_cloud_provider must be one of ${CLOUD_PROVIDERS.join(', ')}`);
  }
  const { region, region_group } = regionOf(request);
  const tags = validateTags(request.virtual_cluster_tags ?? {}, 'virtual_cluster_tags');
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
      region,
      cloud_provider: request.virtual_cluster_cloud_provider,
      tier: request.virtual_cluster_tier,
      agent_pool_id: newId('api_'),
      agent_pool_name: 'apn_' + name.slice('vcn_'.length),
      created_at: Date.now(),
      configuration: {},
      region_group,
      tags,
      events: { enabled: false, event_types: {} },
    };
    await tx.insertVirtualCluster(cluster);
    const agentKey = request.skip_agent_key_creation ? undefined : await createAgentKey(tx, secrets, cluster, caller.key.account_id);
    return {
      virtual_cluster_id: cluster.id,
      virtual_cluster_name: cluster.name,
      agent_pool_id: cluster.agent_pool_id,
      agent_pool_name: cluster.agent_pool_name,
      ...(agentKey ? { agent_key: apiKeyView(agentKey.record, secrets, agentKey.secret) } : {}),
      bootstrap_url: bootstrapUrlOf(cluster, context),
      workspace_id: workspaceId,
    };
  });
}

/** The region or region group a create request names: exactly one of them. */
function regionOf(request: CreateVirtualClusterRequest): { region: string; region_group: string | null } {
  const { virtual_cluster_region: region, virtual_cluster_region_group: group } = request;
  if (region !== undefined && group !== undefined) {
    throw badRequest('give virtual_cluster_region or virtual_cluster_region_group, not both');
  }
  if (group !== undefined) {
    if (!REGION_GROUP_PATTERN.test(group)) {
      throw badRequest('virtual_cluster_region_group must be a region group name (lowercase letters, digits, "_" and "-", 2 to 64 characters)');
    }
    return { region: '', region_group: group };
  }
  if (region === undefined) throw badRequest('virtual_cluster_region (or virtual_cluster_region_group) is required');
  if (!REGION_PATTERN.test(region)) {
    throw badRequest('virtual_cluster_region must be a cloud region name such as us-east-1 (lowercase letters, digits and "-")');
  }
  return { region, region_group: null };
}

export const MAX_TAGS = 50;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;
// Printable text only: tags end up in consoles, billing exports and logs.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Checks a tag map (`field` names it in messages) and answers it as a plain string map. */
export function validateTags(tags: Record<string, unknown>, field: string): Record<string, string> {
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) throw badRequest(`${field} may hold at most ${MAX_TAGS} tags; got ${entries.length}`);
  const valid: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > MAX_TAG_KEY_LENGTH || CONTROL_CHARACTERS.test(key)) {
      throw badRequest(`${field}: tag key ${JSON.stringify(key)} must be 1 to ${MAX_TAG_KEY_LENGTH} printable characters`);
    }
    if (typeof value !== 'string') throw badRequest(`${field}: the value of tag ${JSON.stringify(key)} must be a string`);
    if (value.length > MAX_TAG_VALUE_LENGTH || CONTROL_CHARACTERS.test(value)) {
      throw badRequest(`${field}: the value of tag ${JSON.stringify(key)} must be at most ${MAX_TAG_VALUE_LENGTH} printable characters`);
    }
    // defineProperty, not assignment: a "__proto__" tag is a tag, not the map's prototype.
    Object.defineProperty(valid, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return valid;
}

function clusterRegionOf(cluster: VirtualCluster): ClusterRegion {
  if (cluster.region_group !== null) {
    // Slipstream runs one control plane, so a group lists no regions of its own.
    return { is_multi_region: true, region_group: { name: cluster.region_group, regions: [] } };
  }
  return { is_multi_region: false, region: { name: cluster.region, cloud_provider: cluster.cloud_provider } };
}

async function clusterView(
  store: MetadataStore,
  secrets: SecretSealer,
  caller: Principal,
  cluster: VirtualCluster,
  context: ClusterContext,
): Promise<VirtualClusterView> {
  return {
    id: cluster.id,
    agent_pool_id: cluster.agent_pool_id,
    agent_pool_name: cluster.agent_pool_name,
    name: cluster.name,
    created_at: new Date(cluster.created_at).toISOString(),
    type: cluster.type,
    region: cluster.region,
    cloud_provider: cluster.cloud_provider,
    cluster_region: clusterRegionOf(cluster),
    bootstrap_url: bootstrapUrlOf(cluster, context),
    workspace_id: cluster.workspace_id,
    tier: cluster.tier,
    agent_keys: (await store.listAgentKeys(cluster.id)).map((key) => listedKeyView(caller, key, secrets)),
  };
}

export async function listVirtualClusters(
  store: MetadataStore,
  secrets: SecretSealer,
  caller: Principal,
  context: ClusterContext,
): Promise<VirtualClusterView[]> {
  const clusters = (await store.listVirtualClusters(caller.key.workspace_id!)).filter((c) => mayAccessCluster(caller, c.id));
  return Promise.all(clusters.map((cluster) => clusterView(store, secrets, caller, cluster, context)));
}

/** describe_virtual_cluster: the cluster as list_virtual_clusters shows it, and its live agents. */
export async function describeVirtualCluster(store: MetadataStore, secrets: SecretSealer, caller: Principal, id: string, context: ClusterContext) {
  const cluster = await clusterFor(store, caller, id);
  const view = await clusterView(store, secrets, caller, cluster, context);
  return { virtual_cluster: { ...view, agents: await liveAgentsView(store, cluster.id, Date.now()) } };
}

/**
 * rename_virtual_cluster: the new name gets the cluster type's prefix, follows the name rules and
 * is unique in the workspace. The agent pool keeps its name (agents are configured with it).
 */
export async function renameVirtualCluster(
  store: MetadataStore,
  caller: Principal,
  request: { virtual_cluster_id: string; new_virtual_cluster_name: string },
): Promise<void> {
  await store.transaction(async (tx) => {
    const cluster = await clusterFor(tx, caller, request.virtual_cluster_id);
    const name = clusterName(cluster.type, request.new_virtual_cluster_name);
    validateClusterName(name, 'new_virtual_cluster_name');
    if (name === cluster.name) return;
    if (await tx.findVirtualClusterByName(cluster.workspace_id, name)) {
      throw conflict('VIRTUAL_CLUSTER_ALREADY_EXISTS', `a virtual cluster named ${name} already exists in this workspace`);
    }
    await tx.renameVirtualCluster(cluster.id, name);
  });
}

export async function updateVirtualClusterTier(store: MetadataStore, caller: Principal, request: { virtual_cluster_id: string; tier: string }): Promise<void> {
  await store.transaction(async (tx) => changeTier(tx, await clusterFor(tx, caller, request.virtual_cluster_id), request.tier));
}

export async function describeVirtualClusterTags(store: MetadataStore, caller: Principal, id: string) {
  return { tags: (await clusterFor(store, caller, id)).tags };
}

/** update_virtual_cluster_tags: the given map replaces every tag (`{}` removes them all). */
export async function updateVirtualClusterTags(
  store: MetadataStore,
  caller: Principal,
  request: { virtual_cluster_id: string; tags: Record<string, unknown> },
): Promise<void> {
  const tags = validateTags(request.tags, 'tags');
  await store.transaction(async (tx) => {
    const cluster = await clusterFor(tx, caller, request.virtual_cluster_id);
    await tx.updateVirtualClusterTags(cluster.id, tags);
  });
}

/**
 * delete_virtual_cluster: the id and the name must both match, a safeguard against deleting the
 * wrong cluster. Everything the cluster owns goes with it; its objects are released for deletion
 * (the release outlives the cluster: object_deletions has no foreign key to it).
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
    await releaseClusterObjects(tx, cluster.id, Date.now());
    await tx.deleteVirtualCluster(cluster.id);
  });
}
