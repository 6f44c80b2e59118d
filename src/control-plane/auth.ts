import { forbidden, notFound, unauthorized } from '../errors.ts';
import { hashSecret } from '../ids.ts';
import type { ApiKeyRecord, MetadataStore, VirtualCluster } from '../metadata/store.ts';

export const API_KEY_HEADER = 'warpstream-api-key';

/**
 * Who is calling. Account keys manage the account (workspaces); application keys manage one
 * workspace, optionally only some of its virtual clusters, optionally read-only; agent keys
 * belong to one virtual cluster and manage nothing over the Management API.
 */
export interface Principal {
  key: ApiKeyRecord;
  /** Virtual clusters an application key may touch; '*' for all of its workspace. */
  clusters: '*' | ReadonlySet<string>;
}

/** What a route needs from its caller. */
export type Scope = 'account' | 'workspace' | 'account-or-workspace';

export async function authenticate(store: MetadataStore, secret: string | undefined): Promise<Principal> {
  if (!secret) throw unauthorized(`invalid_api_key: send your API key in the ${API_KEY_HEADER} header`);
  const key = await store.getApiKeyBySecretHash(hashSecret(secret));
  if (!key) throw unauthorized('invalid_api_key: the API key is unknown or has been deleted');
  return { key, clusters: clusterScope(key) };
}

function clusterScope(key: ApiKeyRecord): '*' | ReadonlySet<string> {
  if (key.access_grants.some((grant) => grant.resource_kind === '*')) return '*';
  return new Set(key.access_grants.filter((g) => g.resource_kind === 'virtual_cluster').map((g) => g.resource_id));
}

/** Refuses a caller whose key kind cannot use a route, before its body is even read. */
export function checkScope(principal: Principal, scope: Scope, mutation: boolean): void {
  const { kind } = principal.key;
  if (kind === 'agent') {
    throw forbidden('agent keys authenticate agents with the control plane and cannot call the Management API');
  }
  if (scope === 'account' && kind !== 'account') {
    throw forbidden('this endpoint manages the account: it needs an account key');
  }
  if (scope === 'workspace' && kind !== 'application') {
    throw forbidden('this endpoint manages a workspace: it needs an application key of that workspace');
  }
  if (mutation && principal.key.read_only) {
    throw forbidden('this API key is read-only');
  }
}

/** The workspace an application key belongs to. */
export function workspaceOf(principal: Principal): string {
  const workspaceId = principal.key.workspace_id;
  if (!workspaceId) throw forbidden('this endpoint needs an application key of a workspace');
  return workspaceId;
}

export function mayAccessCluster(principal: Principal, clusterId: string): boolean {
  return principal.clusters === '*' || principal.clusters.has(clusterId);
}

/**
 * Loads a virtual cluster the caller may manage. A cluster of another workspace is answered
 * exactly like one that does not exist, so ids of other tenants cannot be probed; a cluster of
 * the caller's workspace outside the key's grants is a 403.
 */
export async function clusterFor(store: MetadataStore, principal: Principal, clusterId: string): Promise<VirtualCluster> {
  const cluster = await store.getVirtualCluster(clusterId);
  if (!cluster || cluster.workspace_id !== principal.key.workspace_id) {
    throw notFound('VIRTUAL_CLUSTER_NOT_FOUND', `virtual cluster ${clusterId} not found`);
  }
  if (!mayAccessCluster(principal, cluster.id)) {
    throw forbidden(`this API key has no access grant for virtual cluster ${cluster.id}`);
  }
  return cluster;
}
