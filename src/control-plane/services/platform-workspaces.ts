import { badRequest, conflict, forbidden, notFound, unprocessable } from '../../errors.ts';
import { hashSecret } from '../../ids.ts';
import type { ApiKeyRecord, LifecycleStatus, MetadataStore, Workspace } from '../../metadata/store.ts';
import { CAPABILITIES, planOf, requireCapability, requireQuota, type Capability } from '../plans.ts';
import { requireScope, requireTenantWide, type PlatformCaller } from '../platform-auth.ts';
import type { SecretSealer } from '../secrets.ts';
import { decodeCursor, encodeCursor } from './cursors.ts';
import { tenantFor } from './tenants.ts';
import { createVirtualCluster, type ClusterContext } from './virtual-clusters.ts';
import { checkSlug, createWorkspace, WORKSPACE_NAME_PATTERN } from './workspaces.ts';

/**
 * Workspaces of the platform API: the same rows as WarpStream's workspaces (`displayName` is
 * the WarpStream `workspace_name`). `kafka` among the capabilities means the workspace owns a
 * BYOC virtual cluster, made with it (or when the capability is added) and described in it.
 * DELETE is a soft delete: hidden from both APIs, its API keys refused, its data kept.
 */

/** The virtual cluster a workspace with `kafka` gets (vcn_ is added as for any cluster). */
export const WORKSPACE_CLUSTER_NAME = 'default';

export interface PlatformWorkspaceView {
  id: string;
  tenantId: string;
  slug: string;
  displayName: string;
  capabilities: string[];
  status: LifecycleStatus;
  kafka: { virtualClusterId: string; virtualClusterName: string; bootstrapUrl: string } | null;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

async function view(store: MetadataStore, workspace: Workspace, context: ClusterContext): Promise<PlatformWorkspaceView> {
  const cluster = (await store.listVirtualClusters(workspace.id)).find((c) => c.type === 'byoc');
  return {
    id: workspace.id,
    tenantId: workspace.account_id,
    slug: workspace.slug,
    displayName: workspace.name,
    capabilities: workspace.capabilities,
    status: workspace.status,
    kafka: workspace.capabilities.includes('kafka') && cluster ? { virtualClusterId: cluster.id, virtualClusterName: cluster.name, bootstrapUrl: context.bootstrapUrl } : null,
    createdAt: iso(workspace.created_at)!,
    updatedAt: iso(workspace.updated_at)!,
    deletedAt: iso(workspace.deleted_at),
  };
}

function checkCapabilities(capabilities: readonly string[]): Capability[] {
  const unknown = capabilities.filter((c) => !(CAPABILITIES as readonly string[]).includes(c));
  if (unknown.length > 0) throw badRequest(`unknown capabilities: ${unknown.join(', ')}; known: ${CAPABILITIES.join(', ')}`, 'UNKNOWN_CAPABILITY');
  if (new Set(capabilities).size !== capabilities.length) throw badRequest('capabilities must not repeat');
  return capabilities as Capability[];
}

function checkDisplayName(name: string): void {
  if (!WORKSPACE_NAME_PATTERN.test(name)) throw badRequest('displayName must be 3 to 128 characters of letters, digits, spaces, "_" and "-"');
}

/** A workspace the caller may reach: of its tenant (any tenant for a platform admin), its own if bound to one, not deleted. */
export async function workspaceFor(store: MetadataStore, caller: PlatformCaller, workspaceId: string): Promise<Workspace> {
  if (caller.workspaceId !== undefined && caller.workspaceId !== workspaceId) throw forbidden(`this token is bound to workspace ${caller.workspaceId}, not ${workspaceId}`);
  const workspace = await store.getWorkspace(workspaceId);
  if (!workspace || workspace.status === 'deleted') throw notFound('WORKSPACE_NOT_FOUND', `workspace ${workspaceId} not found`);
  if (workspace.account_id !== caller.tenant.id && !caller.scopes.has('platform:admin')) {
    throw forbidden(`workspace ${workspaceId} belongs to another tenant than this token's`);
  }
  return workspace;
}

/** The workspace's virtual cluster, made through the WarpStream service under the workspace's own application key. */
async function addKafkaCluster(tx: MetadataStore, secrets: SecretSealer, key: ApiKeyRecord, context: ClusterContext): Promise<void> {
  await createVirtualCluster(
    tx,
    secrets,
    { key, clusters: '*' },
    { virtual_cluster_name: WORKSPACE_CLUSTER_NAME, virtual_cluster_type: 'byoc', virtual_cluster_region: 'local', virtual_cluster_cloud_provider: 'aws', virtual_cluster_tier: 'dev' },
    context,
  );
}

export async function createPlatformWorkspace(
  store: MetadataStore,
  secrets: SecretSealer,
  caller: PlatformCaller,
  request: { tenantId?: string; slug: string; displayName: string; capabilities?: string[] },
  context: ClusterContext,
): Promise<PlatformWorkspaceView> {
  requireScope(caller, 'workspaces:write');
  requireTenantWide(caller, 'creating a workspace');
  const tenantId = request.tenantId ?? caller.tenant.id;
  checkSlug('slug', request.slug);
  checkDisplayName(request.displayName);
  const capabilities = checkCapabilities(request.capabilities ?? ['kafka']);
  return store.transaction(async (tx) => {
    const tenant = await tenantFor(tx, caller, tenantId);
    const plan = planOf(tenant);
    for (const capability of capabilities) requireCapability(plan, capability);
    const live = (await tx.listWorkspaces(tenant.id)).filter((w) => w.status !== 'deleted');
    requireQuota(plan, 'workspaces', live.length);
    if (await tx.findWorkspaceBySlug(tenant.id, request.slug)) {
      throw conflict('WORKSPACE_ALREADY_EXISTS', `a workspace with slug ${JSON.stringify(request.slug)} already exists in this tenant`);
    }
    const created = await createWorkspace(tx, secrets, tenant.id, { workspace_name: request.displayName, slug: request.slug, capabilities });
    if (capabilities.includes('kafka')) await addKafkaCluster(tx, secrets, (await tx.getApiKeyBySecretHash(hashSecret(created.application_key!.key!)))!, context);
    return view(tx, created.workspace, context);
  });
}

export async function listPlatformWorkspaces(
  store: MetadataStore,
  caller: PlatformCaller,
  query: { tenantId?: string; status?: string; limit?: number; cursor?: string },
  context: ClusterContext,
): Promise<{ items: PlatformWorkspaceView[]; nextCursor: string | null }> {
  requireScope(caller, 'workspaces:read');
  const tenant = await tenantFor(store, caller, query.tenantId ?? caller.tenant.id);
  const limit = query.limit ?? 20;
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const all = (await store.listWorkspaces(tenant.id))
    .filter((w) => caller.workspaceId === undefined || w.id === caller.workspaceId)
    .filter((w) => (query.status === undefined ? w.status !== 'deleted' : w.status === query.status))
    .filter((w) => !after || w.created_at > after.created_at || (w.created_at === after.created_at && w.id > after.id));
  const page = all.slice(0, limit);
  const last = page[page.length - 1];
  return { items: await Promise.all(page.map((w) => view(store, w, context))), nextCursor: all.length > limit && last ? encodeCursor(last) : null };
}

export async function getPlatformWorkspace(store: MetadataStore, caller: PlatformCaller, workspaceId: string, context: ClusterContext): Promise<PlatformWorkspaceView> {
  requireScope(caller, 'workspaces:read');
  return view(store, await workspaceFor(store, caller, workspaceId), context);
}

export async function updatePlatformWorkspace(
  store: MetadataStore,
  secrets: SecretSealer,
  caller: PlatformCaller,
  workspaceId: string,
  patch: { displayName?: string; capabilities?: string[]; status?: 'active' | 'suspended' },
  context: ClusterContext,
): Promise<PlatformWorkspaceView> {
  requireScope(caller, 'workspaces:write');
  if (patch.displayName !== undefined) checkDisplayName(patch.displayName);
  const capabilities = patch.capabilities === undefined ? undefined : checkCapabilities(patch.capabilities);
  return store.transaction(async (tx) => {
    const workspace = await workspaceFor(tx, caller, workspaceId);
    const tenant = (await tx.getAccount(workspace.account_id))!;
    const plan = planOf(tenant);
    const next: Workspace = { ...workspace, updated_at: Date.now() };
    if (patch.displayName !== undefined && patch.displayName !== workspace.name) {
      if (await tx.findWorkspaceByName(tenant.id, patch.displayName)) {
        throw conflict('WORKSPACE_ALREADY_EXISTS', `a workspace named ${JSON.stringify(patch.displayName)} already exists`);
      }
      next.name = patch.displayName;
    }
    if (capabilities !== undefined) {
      for (const capability of capabilities) if (!workspace.capabilities.includes(capability)) requireCapability(plan, capability);
      const clusters = await tx.listVirtualClusters(workspace.id);
      if (workspace.capabilities.includes('kafka') && !capabilities.includes('kafka') && clusters.length > 0) {
        throw unprocessable('CAPABILITY_IN_USE', `the workspace still has ${clusters.length} virtual cluster(s); delete them before removing kafka`);
      }
      next.capabilities = capabilities;
      if (capabilities.includes('kafka') && !clusters.some((c) => c.type === 'byoc')) {
        const [key] = (await tx.listApiKeys(workspace.id)).filter((k) => k.kind === 'application' && !k.read_only);
        if (!key) throw unprocessable('NO_APPLICATION_KEY', 'the workspace has no application key to own its virtual cluster');
        await addKafkaCluster(tx, secrets, key, context);
      }
    }
    if (patch.status !== undefined) next.status = patch.status;
    await tx.updateWorkspace(next);
    return view(tx, next, context);
  });
}

export async function deletePlatformWorkspace(store: MetadataStore, caller: PlatformCaller, workspaceId: string, context: ClusterContext): Promise<PlatformWorkspaceView> {
  requireScope(caller, 'workspaces:write');
  return store.transaction(async (tx) => {
    const workspace = await workspaceFor(tx, caller, workspaceId);
    const now = Date.now();
    const next: Workspace = { ...workspace, status: 'deleted', updated_at: now, deleted_at: now };
    await tx.updateWorkspace(next);
    return view(tx, next, context);
  });
}
