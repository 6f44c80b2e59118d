import type { MetadataStore, ObjectDeletion, Topic } from '../../metadata/store.ts';

/**
 * The lifecycle of the objects the batch index points into. Objects are written by agents and
 * recorded by the commit (`objects`, level 0) or by a compaction rewrite (level 1+). When no
 * index entry references an object any more (retention, DeleteRecords, a deleted topic or
 * cluster, compaction), it is released: moved to `object_deletions` with a due time. The jobs
 * agent lists what is due, deletes it from the bucket (the control plane never touches the
 * bucket: only agents reach it) and confirms.
 *
 * Why a grace period: a fetch reads the index first and the object afterwards. One that read
 * index entries just before they were removed may still be long-polling or reading the object
 * when they go, and agents cache index entries (and, until the read path learns otherwise, may
 * keep using one that compaction has since moved). Deleting the object at once would fail
 * such reads. The grace must exceed the longest fetch (its max wait plus reading the object,
 * retries included), so it is minutes, not seconds.
 */
export const OBJECT_DELETION_GRACE_MS = 5 * 60_000;

/** For the job functions: tests shorten the grace, or move `now` past it. */
export interface ObjectGraceOptions {
  /** How long a released object stays readable (default OBJECT_DELETION_GRACE_MS). */
  graceMs?: number;
}

/**
 * Of `candidateKeys`, releases the cluster's objects that no index entry references any more
 * (due at `now + graceMs`) and answers their keys. Referenced objects, other clusters' objects
 * and unknown keys are left alone, so passing too many candidates is harmless. Call it in the
 * transaction that removed the references, so no reference can come back in between.
 */
export function releaseUnreferencedObjects(
  tx: MetadataStore,
  virtualClusterId: string,
  candidateKeys: Iterable<string>,
  now: number,
  graceMs = OBJECT_DELETION_GRACE_MS,
): Promise<string[]> {
  const keys = [...new Set(candidateKeys)];
  if (keys.length === 0) return Promise.resolve([]);
  return tx.releaseUnreferencedObjects(virtualClusterId, keys, now + graceMs);
}

/** Released objects whose grace has passed at `now`, earliest first: what the agent deletes next. */
export function listDueObjectDeletions(store: MetadataStore, virtualClusterId: string, now: number, limit = 1000): Promise<ObjectDeletion[]> {
  return store.listDueObjectDeletions(virtualClusterId, now, limit);
}

/**
 * The agent has deleted these objects from the bucket (deleting one that is already gone counts):
 * forget them. Repeats and unknown keys are harmless; answers how many were still pending.
 */
/**
 * Of the keys an agent found in its cluster's part of the bucket, those the control plane has
 * never heard of: objects uploaded whose commit never happened (the agent died, or the commit
 * failed and the producer retried elsewhere). The agent deletes one only once it has stayed
 * unknown for longer than any commit can take (the jobs role's orphan age).
 */
export async function unknownObjects(store: MetadataStore, virtualClusterId: string, objectKeys: readonly string[]): Promise<string[]> {
  const prefix = `clusters/${virtualClusterId}/`;
  const candidates = objectKeys.filter((key) => key.startsWith(prefix));
  const known = new Set(await store.knownObjectKeys(candidates));
  return candidates.filter((key) => !known.has(key));
}

export function confirmObjectDeletions(store: MetadataStore, virtualClusterId: string, objectKeys: readonly string[]): Promise<number> {
  return store.confirmObjectDeletions(virtualClusterId, objectKeys);
}

/**
 * Deletes a topic for good and releases the objects only it referenced. The index rows go with
 * the topic (ON DELETE CASCADE), so the object keys are gathered first.
 */
export async function deleteTopicReleasingObjects(tx: MetadataStore, topic: Topic, now: number, graceMs = OBJECT_DELETION_GRACE_MS): Promise<string[]> {
  const keys = await tx.listTopicObjectKeys(topic.id);
  await tx.deleteTopic(topic.id);
  return releaseUnreferencedObjects(tx, topic.virtual_cluster_id, keys, now, graceMs);
}

/** Releases every object of a cluster that is being deleted; answers how many. */
export function releaseClusterObjects(tx: MetadataStore, virtualClusterId: string, now: number, graceMs = OBJECT_DELETION_GRACE_MS): Promise<number> {
  return tx.releaseAllObjects(virtualClusterId, now + graceMs);
}
