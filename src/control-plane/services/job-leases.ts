import type { LeaseAnswer } from '../../agent-rpc/contract.ts';
import { badRequest, notFound } from '../../errors.ts';
import type { MetadataStore } from '../../metadata/store.ts';
import { isLive } from './agents.ts';

export type { LeaseAnswer };

/**
 * Leases on a cluster's background jobs (retention, compaction, cleanup…): one live agent with
 * the `jobs` role holds a job's lease at a time. The holder renews it well before it expires
 * (every JOB_LEASE_TTL_MS / 3, say) and must stop working on the job once it could no longer
 * renew before `expires_at`; another agent takes the lease over only after it expired. The job
 * functions are safe to run twice at once, so the lease saves work and contention, not data.
 */

export const JOB_LEASE_TTL_MS = 10_000;

const JOB_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/;

/**
 * Takes or renews `job`'s lease for the agent until `now + ttlMs`. Refused (404
 * AGENT_NOT_REGISTERED) when the agent is not a live registered agent of the cluster, so it
 * registers again; 400 when it lacks the `jobs` role.
 */
export async function acquireJobLease(
  store: MetadataStore,
  virtualClusterId: string,
  job: string,
  agentId: string,
  now: number,
  ttlMs = JOB_LEASE_TTL_MS,
): Promise<LeaseAnswer> {
  if (typeof job !== 'string' || !JOB_PATTERN.test(job)) throw badRequest('job must be a lowercase name (letters, digits, _.-)', 'INVALID_JOB');
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) throw badRequest('the lease TTL must be a positive number of milliseconds', 'INVALID_JOB');
  return store.transaction(async (tx) => {
    const agent = await tx.getAgent(virtualClusterId, agentId);
    if (!agent || !isLive(agent, now)) throw notFound('AGENT_NOT_REGISTERED', `agent ${agentId} is not a live agent of virtual cluster ${virtualClusterId}`);
    if (!agent.roles.includes('jobs')) throw badRequest(`agent ${agentId} does not have the jobs role`, 'INVALID_JOB');
    const acquired = await tx.acquireLease(virtualClusterId, job, agentId, now, ttlMs);
    const lease = await tx.getLease(virtualClusterId, job);
    return { acquired, holder: lease?.holder ?? null, expires_at: lease?.expires_at ?? null };
  });
}

/** Gives the lease up (a clean shutdown) so another agent need not wait for it to expire. */
export function releaseJobLease(store: MetadataStore, virtualClusterId: string, job: string, agentId: string): Promise<boolean> {
  return store.releaseLease(virtualClusterId, job, agentId);
}
