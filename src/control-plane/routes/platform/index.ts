import type { FastifyInstance } from 'fastify';
import { authRoutes } from './auth.ts';
import { registerBearerAuth, type PlatformDeps } from './context.ts';
import { discoveryRoutes } from './discovery.ts';
import { iamRoutes } from './iam.ts';
import { tenantRoutes } from './tenants.ts';
import { workspaceRoutes } from './workspaces.ts';

export type { PlatformDeps } from './context.ts';

/** The platform seed's `/v1` route families built so far, and OIDC discovery. */
export function registerPlatformApi(app: FastifyInstance, deps: PlatformDeps): void {
  registerBearerAuth(app, deps);
  tenantRoutes(app, deps);
  workspaceRoutes(app, deps);
  authRoutes(app, deps);
  iamRoutes(app, deps);
  discoveryRoutes(app, deps);
}
