import type { Account, MetadataStore, VirtualCluster } from '../../metadata/store.ts';
import { planOf, requireQuota } from '../plans.ts';

/**
 * The plan quotas that count what the data plane holds (a tenant's workspaces are counted where
 * they are made). Partitions count over every virtual cluster of the tenant's live workspaces
 * (MetadataStore.countAccountPartitions): a deleted workspace's topics are kept until purge but
 * serve no one, so they free the quota.
 */

/** The tenant owning `cluster` must have room in its plan for `adding` more partitions (403 QUOTA_EXCEEDED). */
export async function requirePartitionQuota(store: MetadataStore, cluster: VirtualCluster, adding: number): Promise<void> {
  const workspace = await store.getWorkspace(cluster.workspace_id);
  const account: Account | undefined = workspace && (await store.getAccount(workspace.account_id));
  if (!account) return; // a cluster always has both; nothing to count against otherwise
  requireQuota(planOf(account), 'partitions', await store.countAccountPartitions(account.id), adding);
}
