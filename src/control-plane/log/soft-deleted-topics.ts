import type { PurgeResult } from '../../agent-rpc/contract.ts';
import type { MetadataStore, Topic, VirtualCluster } from '../../metadata/store.ts';
import { clusterConfiguration } from '../../model/cluster-configuration.ts';
import { deleteTopicReleasingObjects, OBJECT_DELETION_GRACE_MS, type ObjectGraceOptions } from './objects.ts';

export type { PurgeResult };

/**
 * Soft-deleted topics are kept (restorable by creating them again) for the cluster's soft-delete
 * TTL: `soft_delete_topics_ttl_millis`, which describe_virtual_cluster_configuration also answers
 * as `inactive_topics_ttl` (WarpStream's name for the same setting: its Terraform provider reads
 * it as the soft topic deletion TTL; default 24 hours). After it they are purged for good and
 * their objects released.
 */

/** Soft-deleted topics deleted before this are purged at `now`; undefined when the TTL is unlimited (-1). */
export function softDeletedBefore(cluster: Pick<VirtualCluster, 'configuration'>, now: number): number | undefined {
  const ttl = clusterConfiguration(cluster).soft_delete_topics_ttl_millis;
  return ttl < 0 ? undefined : now - ttl;
}

/**
 * Purges the cluster's soft-deleted topics whose TTL has run out at `now`, one transaction per
 * topic (each checks again that the topic is still soft-deleted and expired: it may have been
 * restored meanwhile). Inside a caller's transaction it joins that one.
 */
export async function purgeExpiredSoftDeletedTopics(
  store: MetadataStore,
  cluster: Pick<VirtualCluster, 'id' | 'configuration'>,
  now: number,
  options: ObjectGraceOptions = {},
): Promise<PurgeResult> {
  const result: PurgeResult = { purged: [], released_object_keys: [] };
  const before = softDeletedBefore(cluster, now);
  if (before === undefined) return result;
  const expired = (t: Topic | undefined): t is Topic => t !== undefined && t.deleted_at !== null && t.deleted_at < before;
  for (const candidate of (await store.listTopics(cluster.id, 'deleted')).filter(expired)) {
    const released = await store.transaction(async (tx) => {
      const topic = await tx.getTopicById(candidate.id);
      if (!expired(topic)) return undefined;
      return deleteTopicReleasingObjects(tx, topic, now, options.graceMs ?? OBJECT_DELETION_GRACE_MS);
    });
    if (!released) continue;
    result.purged.push({ id: candidate.id, name: candidate.name, deleted_at: candidate.deleted_at });
    result.released_object_keys.push(...released);
  }
  result.released_object_keys.sort();
  return result;
}
