import { ApiError } from '../errors.ts';

/**
 * Plans are data: what each grants (capabilities of its workspaces) and how much (quotas). A
 * request beyond its tenant's plan is a 403 that names what is missing, so a client can tell
 * "upgrade" from "not allowed": PLAN_CAPABILITY_REQUIRED or QUOTA_EXCEEDED.
 */
export const CAPABILITIES = ['postgres', 'mongo', 'kafka', 'storage', 'functions', 'identity'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface Quotas {
  /** Live workspaces per tenant. */
  workspaces: number;
  /** Kafka partitions over all the tenant's virtual clusters. */
  partitions: number;
  storageBytes: number;
  /** Rows of the PostgreSQL data API and documents of the Mongo data API, over all the tenant's workspaces. */
  dataRows: number;
  /** Bytes they take (PostgreSQL: on disk with indexes; Mongo: the documents' size).  */
  dataBytes: number;
  functions: number;
  /** Platform API requests per minute per tenant. */
  requestsPerMinute: number;
}

export interface Plan {
  name: string;
  capabilities: readonly Capability[];
  quotas: Quotas;
}

const GiB = 1024 ** 3;

export const PLANS: readonly Plan[] = [
  {
    name: 'starter',
    capabilities: ['postgres', 'mongo', 'kafka', 'storage'],
    quotas: { workspaces: 3, partitions: 64, storageBytes: 10 * GiB, dataRows: 100_000, dataBytes: 1 * GiB, functions: 0, requestsPerMinute: 600 },
  },
  {
    name: 'growth',
    capabilities: ['postgres', 'mongo', 'kafka', 'storage', 'functions'],
    quotas: { workspaces: 20, partitions: 1024, storageBytes: 500 * GiB, dataRows: 10_000_000, dataBytes: 50 * GiB, functions: 100, requestsPerMinute: 6_000 },
  },
  {
    // Its partitions are above one cluster's largest tier limit (200,000): the plan never
    // stops a single enterprise-tier cluster short of what its tier promises.
    name: 'enterprise',
    capabilities: CAPABILITIES,
    quotas: { workspaces: 1_000, partitions: 1_000_000, storageBytes: 100_000 * GiB, dataRows: 1_000_000_000, dataBytes: 10_000 * GiB, functions: 10_000, requestsPerMinute: 60_000 },
  },
];

const byName = new Map(PLANS.map((plan) => [plan.name, plan]));

export function planNamed(name: string): Plan | undefined {
  return byName.get(name);
}

/** The plan of a stored tenant; a name no longer known falls back to the smallest plan. */
export function planOf(tenant: { plan: string }): Plan {
  return byName.get(tenant.plan) ?? PLANS[0]!;
}

export function requireCapability(plan: Plan, capability: Capability): void {
  if (!plan.capabilities.includes(capability)) {
    throw new ApiError(403, 'PLAN_CAPABILITY_REQUIRED', `the ${plan.name} plan does not include the ${capability} capability; upgrade the tenant's plan`);
  }
}

export function requireQuota(plan: Plan, quota: keyof Quotas, used: number, adding = 1): void {
  const limit = plan.quotas[quota];
  if (used + adding > limit) {
    throw new ApiError(403, 'QUOTA_EXCEEDED', `the ${plan.name} plan allows ${limit} ${quota}; ${used} in use`);
  }
}
