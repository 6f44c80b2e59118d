import { badRequest } from '../../errors.ts';
import type { MetadataStore, VirtualCluster } from '../../metadata/store.ts';

/** Partitions a virtual cluster may hold in all, by tier. */
export const TIER_PARTITION_LIMITS: Readonly<Record<string, number>> = {
  dev: 4_096,
  fundamentals: 16_384,
  pro: 50_000,
  enterprise: 200_000,
};

export const TIERS = Object.keys(TIER_PARTITION_LIMITS);

/** Throws a 400 unless `tier` is one of the tiers (`field` names it in the message). */
export function validateTier(tier: unknown, field: string): asserts tier is string {
  // Own keys only: `in` also saw the prototype's, so tiers like "constructor" or "toString" got in
  // (and later read a function where the tier's partition limit should be).
  if (typeof tier !== 'string' || !Object.hasOwn(TIER_PARTITION_LIMITS, tier)) {
    throw badRequest(`${field} must be one of ${TIERS.join(', ')}`);
  }
}

/**
 * Moves a cluster to another tier, inside the caller's transaction. A smaller tier is refused
 * while the cluster holds more partitions than that tier allows: nothing would be consistent
 * afterwards (no topic could grow, and the limit would be a lie).
 */
export async function changeTier(tx: MetadataStore, cluster: VirtualCluster, tier: string): Promise<void> {
  validateTier(tier, 'tier');
  if (tier === cluster.tier) return;
  const limit = TIER_PARTITION_LIMITS[tier]!;
  const partitions = await tx.countPartitions(cluster.id);
  if (partitions > limit) {
    throw badRequest(
      `virtual cluster ${cluster.id} holds ${partitions} partitions; tier ${tier} allows at most ${limit}, so it cannot move there`,
      'PARTITION_LIMIT_EXCEEDED',
    );
  }
  await tx.updateVirtualClusterTier(cluster.id, tier);
}
