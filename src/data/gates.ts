import { ApiError } from '../errors.ts';
import type { Workspace } from '../metadata/store.ts';
import type { PlatformDeps } from '../control-plane/routes/platform/context.ts';
import { planOf, requireCapability, requireQuota, type Capability } from '../control-plane/plans.ts';
import { requireScope, type PlatformCaller } from '../control-plane/platform-auth.ts';
import { workspaceFor } from '../control-plane/services/platform-workspaces.ts';
import type { Scope } from '../identity/roles.ts';
import type { PostgresData } from './postgres/service.ts';
import type { MongoEngine } from './mongo/engine.ts';
import { EmbeddedMongoEngine } from './mongo/embedded.ts';

/** The data engines the platform API serves (opened lazily: see PostgresData). */
export interface DataEngines {
  postgres: PostgresData;
  /** A MongoDB-wire server (MONGODB_URL); absent: the embedded engine on the metadata store. */
  mongo?: MongoEngine;
  /** Rows in one answer at most (PostgREST's db-max-rows). */
  maxRows: number;
}

export interface DataDeps {
  data: DataEngines;
}

/**
 * The gates every data request passes, in this order: the token's scope, the workspace (its
 * tenant, a bound token's own, not deleted, not suspended), the plan's capability, and the
 * workspace's own capability list.
 */
export async function dataWorkspace(deps: PlatformDeps, caller: PlatformCaller, workspaceId: string, capability: Capability, scope: Scope): Promise<Workspace> {
  requireScope(caller, scope);
  const workspace = await workspaceFor(deps.store, caller, workspaceId);
  if (workspace.status !== 'active') throw new ApiError(403, 'WORKSPACE_SUSPENDED', `workspace ${workspaceId} is ${workspace.status}`);
  const tenant = workspace.account_id === caller.tenant.id ? caller.tenant : await deps.store.getAccount(workspace.account_id);
  requireCapability(planOf(tenant!), capability);
  if (!workspace.capabilities.includes(capability)) {
    throw new ApiError(403, 'WORKSPACE_CAPABILITY_REQUIRED', `workspace ${workspaceId} does not have the ${capability} capability; add it with PATCH /v1/workspaces/${workspaceId}`);
  }
  return workspace;
}

/**
 * The tenant's plan quota of data rows — PostgreSQL rows and Mongo documents together, over all
 * its workspaces — and bytes, before `adding` more.
 */
export async function requireDataQuota(deps: PlatformDeps & DataDeps, workspace: Workspace, adding: number): Promise<void> {
  const tenant = await deps.store.getAccount(workspace.account_id);
  const plan = planOf(tenant!);
  const live = (await deps.store.listWorkspaces(workspace.account_id)).filter((w) => w.status !== 'deleted');
  const withCapability = (capability: Capability) => live.filter((w) => w.capabilities.includes(capability)).map((w) => w.id);
  const postgres = await deps.data.postgres.usage(withCapability('postgres'));
  const mongo = await (deps.data.mongo ?? new EmbeddedMongoEngine(deps.store)).usage(withCapability('mongo'));
  requireQuota(plan, 'dataRows', postgres.rows + mongo.documents, adding);
  requireQuota(plan, 'dataBytes', postgres.bytes + mongo.bytes, 0);
}
