import type { ControlPlaneClient } from '../../agent-rpc/contract.ts';
import type { ObjectStore } from '../../objects/object-store.ts';

/** Keys asked about per control-plane call. */
const KEYS_PER_CALL = 1000;

/**
 * Objects in the cluster's part of the bucket that no commit ever named: an agent that died
 * between its upload and its commit, or a commit that failed (the producer was answered with an
 * error and retried into another object). The sweeper remembers when it first saw each such
 * object and deletes it once it has stayed unknown for `orphanAgeMs` — far longer than any
 * upload-to-commit can take, so an object whose commit is merely slow is never touched.
 */
export class OrphanSweeper {
  private readonly firstSeen = new Map<string, number>();
  private readonly controlPlane: ControlPlaneClient;
  private readonly objectStore: ObjectStore;
  private readonly virtualClusterId: string;
  private readonly orphanAgeMs: number;

  constructor(controlPlane: ControlPlaneClient, objectStore: ObjectStore, virtualClusterId: string, orphanAgeMs: number) {
    this.controlPlane = controlPlane;
    this.objectStore = objectStore;
    this.virtualClusterId = virtualClusterId;
    this.orphanAgeMs = orphanAgeMs;
  }

  /** One sweep; answers how many orphans it deleted. */
  async sweep(now = Date.now()): Promise<number> {
    const keys = await this.objectStore.list(`clusters/${this.virtualClusterId}/`);
    const unknown = new Set<string>();
    for (let i = 0; i < keys.length; i += KEYS_PER_CALL) {
      for (const key of await this.controlPlane.unknownObjects(this.virtualClusterId, keys.slice(i, i + KEYS_PER_CALL))) unknown.add(key);
    }
    // Forget what is known now (committed meanwhile) or gone.
    for (const key of this.firstSeen.keys()) if (!unknown.has(key)) this.firstSeen.delete(key);
    let deleted = 0;
    for (const key of unknown) {
      const seen = this.firstSeen.get(key);
      if (seen === undefined) {
        this.firstSeen.set(key, now);
      } else if (now - seen >= this.orphanAgeMs) {
        // Asked again right before deleting: a commit may have named it since the listing.
        if ((await this.controlPlane.unknownObjects(this.virtualClusterId, [key])).length === 0) continue;
        await this.objectStore.delete(key);
        this.firstSeen.delete(key);
        deleted++;
      }
    }
    return deleted;
  }
}
