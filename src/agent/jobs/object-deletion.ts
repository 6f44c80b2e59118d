import type { ControlPlaneClient } from '../../agent-rpc/contract.ts';
import type { ObjectStore } from '../../objects/object-store.ts';

/** Deletions in flight at once against the object store. */
const PARALLEL_DELETES = 8;

/**
 * Deletes from the bucket the objects the control plane released (nothing references them and
 * their grace has passed — no fetch can still be reading them), then confirms them so they are
 * not answered again. Deleting a missing object is not an error, so a crash between the delete
 * and the confirmation only repeats harmless deletes. Answers how many it deleted.
 */
export async function deleteReleasedObjects(controlPlane: ControlPlaneClient, objectStore: ObjectStore, virtualClusterId: string, limit = 1000): Promise<number> {
  const due = await controlPlane.listDueObjectDeletions(virtualClusterId, limit);
  if (due.length === 0) return 0;
  const keys = due.map((deletion) => deletion.object_key);
  let next = 0;
  const deleted: string[] = [];
  await Promise.all(
    Array.from({ length: Math.min(PARALLEL_DELETES, keys.length) }, async () => {
      while (next < keys.length) {
        const key = keys[next++]!;
        await objectStore.delete(key);
        deleted.push(key);
      }
    }),
  );
  await controlPlane.confirmObjectDeletions(virtualClusterId, deleted);
  return deleted.length;
}
