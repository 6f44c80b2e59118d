import type { FastifyInstance } from 'fastify';
import { authRoutes } from './auth.ts';
import { registerBearerAuth, type PlatformDeps } from './context.ts';
import { discoveryRoutes } from './discovery.ts';
import { iamRoutes } from './iam.ts';
import { tenantRoutes } from './tenants.ts';
import { workspaceRoutes } from './workspaces.ts';
import { postgresRoutes } from '../../../data/postgres/routes.ts';
import { mongoRoutes } from '../../../data/mongo/routes.ts';
import type { DataDeps } from '../../../data/gates.ts';

export type { PlatformDeps } from './context.ts';

/** The platform seed's `/v1` route families built so far (the data APIs among them), and OIDC discovery. */
export function registerPlatformApi(app: FastifyInstance, deps: PlatformDeps & DataDeps): void {
  registerBearerAuth(app, deps);
  tenantRoutes(app, deps);
  workspaceRoutes(app, deps);
  authRoutes(app, deps);
  iamRoutes(app, deps);
  discoveryRoutes(app, deps);
  postgresRoutes(app, deps);
  mongoRoutes(app, deps);
}
