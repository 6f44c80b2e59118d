import { badRequest, conflict, forbidden, notFound, unprocessable } from '../../errors.ts';
import { hashSecret, newApiKeySecret, newId, withPrefix } from '../../ids.ts';
import { CLUSTER_TYPES, type AccessGrant, type ApiKeyRecord, type KeyKind, type MetadataStore, type VirtualCluster } from '../../metadata/store.ts';
import { mayAccessCluster, type Principal } from '../auth.ts';
import type { SecretSealer } from '../secrets.ts';

/**
 * The ApiKey of the seed spec, `key` (the secret) included: WarpStream's Terraform provider reads
 * it back from list_api_keys after creating a key and on every refresh. A key created before
 * secrets were sealed (no `secret_sealed`) answers `key: ""`: its secret was never kept.
 */
export interface ApiKeyView {
  id: string;
  name: string;
  key: string;
  created_at: string;
  access_grants: AccessGrant[];
}

export const KEY_NAME_PATTERN = /^[A-Za-z0-9_]+$/;

/**
 * `principal_kind` spellings: the documented `application|agent` and the Terraform provider's
 * `app|app_r|agent|agent_r`, where `_r` makes the key read-only.
 */
const principalKinds: Record<string, { kind: KeyKind; readOnly: boolean }> = {
  application: { kind: 'application', readOnly: false },
  app: { kind: 'application', readOnly: false },
  app_r: { kind: 'application', readOnly: true },
  agent: { kind: 'agent', readOnly: false },
  agent_r: { kind: 'agent', readOnly: true },
};

/** The answer for `key`; its secret is unsealed unless the caller has it at hand (`secret`). */
export function apiKeyView(key: ApiKeyRecord, secrets: SecretSealer, secret?: string): ApiKeyView {
  return {
    id: key.id,
    name: key.name,
    key: secret ?? (key.secret_sealed === null ? '' : secrets.open(key.id, key.secret_sealed)),
    created_at: new Date(key.created_at).toISOString(),
    access_grants: key.access_grants,
  };
}

/**
 * The answer for a listed key: its secret only when the caller could mint a key of that reach
 * itself (an account key; else a key not limited to fewer clusters, and not read-only unless the
 * listed key is read-only too). Otherwise `key: ""`, so listing never widens what a key can do.
 */
export function listedKeyView(caller: Principal, key: ApiKeyRecord, secrets: SecretSealer): ApiKeyView {
  const reveal =
    caller.key.kind === 'account' ||
    ((!caller.key.read_only || key.read_only) && (caller.clusters === '*' || withinClusters(key, caller.clusters)));
  return apiKeyView(key, secrets, reveal ? undefined : '');
}

/**
 * Builds a key record and its secret; the caller inserts the record. The secret is stored twice,
 * never in the clear: hashed (requests are authenticated by looking the hash up) and sealed
 * under the secrets key, bound to the key id (answered again by list_api_keys).
 */
export function mintApiKey(
  fields: Omit<ApiKeyRecord, 'id' | 'secret_hash' | 'secret_sealed' | 'created_at'>,
  secrets: SecretSealer,
): { record: ApiKeyRecord; secret: string } {
  const secret = newApiKeySecret();
  const id = newId('aki_');
  const record: ApiKeyRecord = { id, secret_hash: hashSecret(secret), secret_sealed: secrets.seal(id, secret), created_at: Date.now(), ...fields };
  return { record, secret };
}

/** A key name derived from free text (a workspace or cluster name), unique in its scope. */
export async function freeKeyName(store: MetadataStore, accountId: string, workspaceId: string | null, base: string): Promise<string> {
  // Derived names obey the limit users must respect (128 after the prefix), suffix included.
  const stem = 'akn_' + base.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 120);
  for (let n = 1; ; n++) {
    const name = n === 1 ? stem : `${stem}_${n}`;
    if (!(await store.findApiKeyByName(accountId, workspaceId, name))) return name;
  }
}

/** The agent key every BYOC virtual cluster gets at creation. */
export async function createAgentKey(
  store: MetadataStore,
  secrets: SecretSealer,
  cluster: VirtualCluster,
  accountId: string,
): Promise<{ record: ApiKeyRecord; secret: string }> {
  const base = cluster.name.replace(/^vcn_/, '') + '_agent_key';
  const minted = mintApiKey({
    name: await freeKeyName(store, accountId, cluster.workspace_id, base),
    kind: 'agent',
    account_id: accountId,
    workspace_id: cluster.workspace_id,
    virtual_cluster_id: cluster.id,
    read_only: false,
    access_grants: [{ principal_kind: 'agent', resource_kind: 'virtual_cluster', resource_id: cluster.id }],
  }, secrets);
  await store.insertApiKey(minted.record);
  return minted;
}

export interface CreateApiKeyRequest {
  name: string;
  access_grants: AccessGrant[];
  virtual_cluster_type?: string;
}

/**
 * create_api_key: an application key (for the caller's workspace, all of it or some clusters)
 * or an agent key (for exactly one virtual cluster). The caller can hand out no more than it
 * holds: a key limited to some clusters cannot mint a key for others.
 */
export async function createApiKey(store: MetadataStore, secrets: SecretSealer, caller: Principal, request: CreateApiKeyRequest): Promise<ApiKeyView> {
  // The limit applies to the name without its akn_ prefix: `x…x` and `akn_x…x` name the same key
  // and must get the same answer (measuring what was sent refused the prefixed spelling only).
  const bare = request.name.replace(/^akn_/, '');
  if (!KEY_NAME_PATTERN.test(bare)) {
    throw badRequest('name must contain only letters, digits and underscores ([A-Za-z0-9_]+)');
  }
  if (bare.length > 128) throw badRequest('name must be at most 128 characters, not counting its akn_ prefix');
  const name = withPrefix('akn_', request.name);
  if (request.access_grants.length === 0) throw badRequest('access_grants must contain at least one grant');
  // The Terraform provider always sends the field, "" when it means the default (byoc).
  const clusterType = request.virtual_cluster_type || undefined;
  if (clusterType !== undefined && !(CLUSTER_TYPES as readonly string[]).includes(clusterType)) {
    throw badRequest(`virtual_cluster_type must be one of ${CLUSTER_TYPES.join(', ')}`);
  }

  const kinds = request.access_grants.map((grant, i) => {
    const kind = Object.hasOwn(principalKinds, grant.principal_kind) ? principalKinds[grant.principal_kind] : undefined;
    if (!kind) throw badRequest(`access_grants[${i}].principal_kind must be one of application, agent, app, app_r, agent, agent_r`);
    if (grant.resource_kind !== '*' && grant.resource_kind !== 'virtual_cluster') {
      throw badRequest(`access_grants[${i}].resource_kind must be "*" or "virtual_cluster"`);
    }
    if (grant.resource_kind === '*' && grant.resource_id !== '*') {
      throw badRequest(`access_grants[${i}].resource_id must be "*" when resource_kind is "*"`);
    }
    return kind;
  });
  const kind = kinds[0]!.kind;
  if (kinds.some((k) => k.kind !== kind)) throw badRequest('access_grants must all have the same principal kind (application or agent)');
  const readOnly = kinds.some((k) => k.readOnly);

  return store.transaction(async (tx) => {
    const workspaceId = await grantWorkspace(tx, caller, request.access_grants);
    const clusters: VirtualCluster[] = [];
    for (const [i, grant] of request.access_grants.entries()) {
      if (grant.resource_kind !== 'virtual_cluster') continue;
      const cluster = await tx.getVirtualCluster(grant.resource_id);
      if (!cluster || cluster.workspace_id !== workspaceId) {
        throw notFound('VIRTUAL_CLUSTER_NOT_FOUND', `access_grants[${i}]: virtual cluster ${grant.resource_id} not found`);
      }
      clusters.push(cluster);
    }
    const reachesBeyondCaller = request.access_grants.some((g) => g.resource_kind === '*')
      ? caller.clusters !== '*'
      : clusters.some((c) => !mayAccessCluster(caller, c.id));
    if (caller.key.kind === 'application' && reachesBeyondCaller) {
      throw forbidden('a key cannot grant access to virtual clusters beyond its own grants');
    }
    if (kind === 'agent') {
      if (request.access_grants.length !== 1 || clusters.length !== 1) {
        throw badRequest('an agent key has exactly one grant, of resource_kind "virtual_cluster" naming its cluster');
      }
      const type = clusterType ?? 'byoc';
      if (clusters[0]!.type !== type) {
        throw badRequest(`virtual cluster ${clusters[0]!.id} is of type ${clusters[0]!.type}, not ${type}`);
      }
    }
    if (await tx.findApiKeyByName(caller.key.account_id, workspaceId, name)) {
      throw conflict('API_KEY_ALREADY_EXISTS', `an API key named ${name} already exists`);
    }
    const { record, secret } = mintApiKey({
      name,
      kind,
      account_id: caller.key.account_id,
      workspace_id: workspaceId,
      virtual_cluster_id: kind === 'agent' ? clusters[0]!.id : null,
      read_only: readOnly,
      // Only the grant fields that mean something are kept, spelled as the client sent them.
      // An empty workspace_id (what the Terraform provider sends when none is configured) means
      // the key's workspace and is answered filled in: the provider reads it back from grants[0].
      access_grants: request.access_grants.map(({ principal_kind, resource_kind, resource_id, workspace_id }) => ({
        principal_kind,
        resource_kind,
        resource_id,
        ...(workspace_id === '' ? { workspace_id: workspaceId } : workspace_id !== undefined ? { workspace_id } : {}),
      })),
    }, secrets);
    await tx.insertApiKey(record);
    return apiKeyView(record, secrets, secret);
  });
}

/** The workspace a new key belongs to: the caller's, or for an account key the grants' workspace_id. */
async function grantWorkspace(store: MetadataStore, caller: Principal, grants: AccessGrant[]): Promise<string> {
  if (caller.key.kind === 'application') {
    const own = caller.key.workspace_id!;
    const other = grants.find((g) => g.workspace_id !== undefined && g.workspace_id !== '' && g.workspace_id !== own);
    if (other) throw forbidden(`an application key can only create keys in its own workspace, not ${other.workspace_id}`);
    return own;
  }
  const ids = new Set(grants.map((g) => g.workspace_id));
  if (ids.has(undefined)) throw badRequest('access_grants[].workspace_id is required when using an account key');
  if (ids.size !== 1) throw badRequest('access_grants must all name the same workspace_id');
  let workspaceId = [...ids][0]!;
  if (workspaceId === '') {
    // The Terraform provider sends "" for "the oldest workspace the key may access".
    const oldest = (await store.listWorkspaces(caller.key.account_id))[0];
    if (!oldest) throw notFound('WORKSPACE_NOT_FOUND', 'the account has no workspace to create the key in');
    workspaceId = oldest.id;
  }
  const workspace = await store.getWorkspace(workspaceId);
  if (!workspace || workspace.account_id !== caller.key.account_id) {
    throw notFound('WORKSPACE_NOT_FOUND', `workspace ${workspaceId} not found`);
  }
  return workspace.id;
}

/**
 * list_api_keys: the keys of the caller's workspace; for an account key, the account's own keys
 * and then every workspace's (oldest workspace first), since the Terraform provider reads back
 * the keys an account key created in any workspace from this list, secrets included (unsealed).
 */
export async function listApiKeys(store: MetadataStore, secrets: SecretSealer, caller: Principal): Promise<ApiKeyView[]> {
  if (caller.key.workspace_id) return (await store.listApiKeys(caller.key.workspace_id)).map((key) => listedKeyView(caller, key, secrets));
  const keys = await store.listAccountKeys(caller.key.account_id);
  for (const workspace of await store.listWorkspaces(caller.key.account_id)) keys.push(...(await store.listApiKeys(workspace.id)));
  return keys.map((key) => listedKeyView(caller, key, secrets));
}

/**
 * delete_api_key. An account key may delete any key of its account but the last account key
 * (nothing could manage the account again: account keys cannot be created over the API); an
 * application key only keys of its own workspace, and a key limited to some virtual clusters
 * only keys that reach no further than it does. A key may delete itself. Keys the caller cannot
 * see answer 404, exactly like unknown ones. The deletion is immediate: every request
 * authenticates against the store, so the deleted secret is refused from the next request on.
 */
export async function deleteApiKey(store: MetadataStore, caller: Principal, apiKeyId: string): Promise<Record<string, never>> {
  return store.transaction(async (tx) => {
    const key = await tx.getApiKey(apiKeyId);
    const visible =
      key !== undefined &&
      key.account_id === caller.key.account_id &&
      (caller.key.kind === 'account' || (key.workspace_id !== null && key.workspace_id === caller.key.workspace_id));
    if (!key || !visible) throw notFound('API_KEY_NOT_FOUND', `API key ${apiKeyId} not found`);
    if (caller.key.kind === 'application' && caller.clusters !== '*' && !withinClusters(key, caller.clusters)) {
      throw forbidden('a key limited to some virtual clusters cannot delete a key that reaches beyond them');
    }
    if (key.kind === 'account' && (await tx.listAccountKeys(key.account_id)).length === 1) {
      throw unprocessable('LAST_ACCOUNT_KEY', 'the last account key of an account cannot be deleted: nothing could manage the account again');
    }
    await tx.deleteApiKey(key.id);
    return {};
  });
}

function withinClusters(key: ApiKeyRecord, clusters: ReadonlySet<string>): boolean {
  if (key.kind === 'agent') return key.virtual_cluster_id !== null && clusters.has(key.virtual_cluster_id);
  const grants = key.access_grants;
  return grants.length > 0 && grants.every((g) => g.resource_kind === 'virtual_cluster' && clusters.has(g.resource_id));
}
