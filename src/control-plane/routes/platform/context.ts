import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../../errors.ts';
import type { MetadataStore } from '../../../metadata/store.ts';
import type { IdentityProvider } from '../../../identity/provider.ts';
import { authenticateBearer, type PlatformCaller } from '../../platform-auth.ts';
import { planOf } from '../../plans.ts';
import type { SecretSealer } from '../../secrets.ts';
import type { ClusterContext } from '../../services/virtual-clusters.ts';
import { ref } from '../schemas.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `/v1` routes that need `Authorization: Bearer <JWT>`. */
    bearer?: boolean;
  }
  interface FastifyRequest {
    caller?: PlatformCaller;
  }
}

export interface PlatformDeps {
  store: MetadataStore;
  secrets: SecretSealer;
  identity: IdentityProvider;
  cluster: ClusterContext;
  signupPolicy: 'open' | 'invite-only' | 'closed';
  /** The realm `/v1/auth/token` uses when the request names none: the default tenant's. */
  defaultRealm: string;
}

/** The caller of a bearer route (set by the hook before the body is read). */
export function callerOf(request: FastifyRequest): PlatformCaller {
  return request.caller!;
}

export const errorResponses = {
  400: { description: 'Validation error', ...ref('ErrorResponse') },
  401: { description: 'Missing, expired or forged bearer token', ...ref('ErrorResponse') },
  403: { description: "Outside the token's tenant or scopes, or beyond the tenant's plan (PLAN_CAPABILITY_REQUIRED, QUOTA_EXCEEDED)", ...ref('ErrorResponse') },
  404: { description: 'Not found', ...ref('ErrorResponse') },
  409: { description: 'Conflict: duplicate, or an idempotent request still running', ...ref('ErrorResponse') },
  422: { description: 'Business rule violation', ...ref('ErrorResponse') },
  429: { description: 'Rate limit exceeded (see Retry-After)', ...ref('ErrorResponse') },
};

export const bearerSecurity = [{ BearerAuth: [] }];

/**
 * Bearer authentication for the routes that ask for it, before the body is read; then the
 * tenant's plan rate (requests per minute, per tenant, per process).
 */
export function registerBearerAuth(app: FastifyInstance, deps: PlatformDeps): void {
  const windows = new Map<string, { start: number; count: number }>();
  app.addHook('preParsing', async (request, _reply, payload) => {
    if (!request.routeOptions.config.bearer) return payload;
    const header = request.headers.authorization;
    const caller = await authenticateBearer(deps.store, deps.identity, Array.isArray(header) ? header[0] : header);
    const limit = planOf(caller.tenant).quotas.requestsPerMinute;
    const now = Date.now();
    const window = windows.get(caller.tenant.id);
    if (!window || window.start <= now - 60_000) {
      windows.set(caller.tenant.id, { start: now, count: 1 });
    } else if (++window.count > limit) {
      const retryAfter = Math.max(1, Math.ceil((window.start + 60_000 - now) / 1000));
      throw new ApiError(429, 'RATE_LIMITED', `tenant ${caller.tenant.id} is over its plan's ${limit} requests per minute; retry after ${retryAfter} s`, { 'retry-after': String(retryAfter) });
    }
    request.caller = caller;
    return payload;
  });
}

/** `limit` of a list: 1 to 100 (query strings are text; the app does not coerce types). */
export const pageLimit = { type: 'string', pattern: '^(100|[1-9][0-9]?)$', description: 'Page size: 1 to 100, default 20' } as const;

/** A list's query with its `limit` as the number it names. */
export function pageQuery<Q extends { limit?: string }>(query: unknown): Omit<Q, 'limit'> & { limit?: number } {
  const { limit, ...rest } = query as Q;
  return { ...rest, ...(limit !== undefined ? { limit: Number(limit) } : {}) } as Omit<Q, 'limit'> & { limit?: number };
}
