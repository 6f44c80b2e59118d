import { ApiError, forbidden, notFound, unauthorized } from '../errors.ts';
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
  const dead = await deadOwner(store, key);
  if (dead) throw unauthorized(`invalid_api_key: ${dead}`);
  return { key, clusters: clusterScope(key) };
}

/**
 * Why a key no longer works although it exists: its tenant (account) was deleted or suspended,
 * or its workspace deleted, through the platform API's soft deletes. Undefined for a live key.
 */
export async function deadOwner(store: MetadataStore, key: ApiKeyRecord): Promise<string | undefined> {
  const account = await store.getAccount(key.account_id);
  if (!account || account.status !== 'active') return `the key's tenant ${key.account_id} is ${account?.status ?? 'gone'}`;
  if (key.workspace_id !== null) {
    const workspace = await store.getWorkspace(key.workspace_id);
    if (!workspace || workspace.status !== 'active') return `the key's workspace ${key.workspace_id} is ${workspace?.status ?? 'gone'}`;
  }
  return undefined;
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

// --- Prometheus scrapes: HTTP basic auth -------------------------------------------------------

/** The basic-auth user a Prometheus scrape sends; the password is an API key. */
export const PROMETHEUS_USER = 'prometheus';
const BASIC_CHALLENGE = { 'www-authenticate': 'Basic realm="slipstream", charset="UTF-8"' };

function basicUnauthorized(message: string): ApiError {
  return new ApiError(401, 'UNAUTHORIZED', `invalid_api_key: ${message}`, BASIC_CHALLENGE);
}

/**
 * Authenticates a scrape of the hosted Prometheus endpoint: `Authorization: Basic` with the user
 * `prometheus` and an API key as the password. Every failure is a 401 with a Basic challenge, so
 * Prometheus (and a browser) know what to send.
 */
export async function authenticatePrometheus(store: MetadataStore, authorization: string | undefined): Promise<Principal> {
  const match = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(authorization ?? '');
  if (!match) throw basicUnauthorized(`send HTTP basic auth: user ${PROMETHEUS_USER}, an API key as the password`);
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  if (user !== PROMETHEUS_USER) throw basicUnauthorized(`the basic-auth user must be ${PROMETHEUS_USER}`);
  if (!password) throw basicUnauthorized('the basic-auth password must be an API key');
  const key = await store.getApiKeyBySecretHash(hashSecret(password));
  if (!key) throw basicUnauthorized('the API key is unknown or has been deleted');
  const dead = await deadOwner(store, key);
  if (dead) throw basicUnauthorized(dead);
  return { key, clusters: clusterScope(key) };
}

/**
 * A cluster whose metrics the key may read: an account key any cluster of its account, an
 * application key (read-only too) the clusters of its grants, an agent key (read-only too: that
 * is what WarpStream's read-only agent keys are for) its own cluster. Clusters the key cannot
 * see answer 404, like unknown ones.
 */
export async function clusterForMetrics(store: MetadataStore, principal: Principal, clusterId: string): Promise<VirtualCluster> {
  const cluster = await store.getVirtualCluster(clusterId);
  const { key } = principal;
  const workspace = cluster ? await store.getWorkspace(cluster.workspace_id) : undefined;
  const visible =
    cluster !== undefined &&
    workspace?.account_id === key.account_id &&
    (key.kind === 'account' || cluster.workspace_id === key.workspace_id);
  if (!cluster || !visible) throw notFound('VIRTUAL_CLUSTER_NOT_FOUND', `virtual cluster ${clusterId} not found`);
  if (key.kind === 'agent' && key.virtual_cluster_id !== cluster.id) {
    throw forbidden(`this agent key belongs to another virtual cluster than ${cluster.id}`);
  }
  if (key.kind === 'application' && !mayAccessCluster(principal, cluster.id)) {
    throw forbidden(`this API key has no access grant for virtual cluster ${cluster.id}`);
  }
  return cluster;
}
