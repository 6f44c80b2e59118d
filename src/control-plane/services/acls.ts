import { conflict } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { MetadataStore, VirtualCluster } from '../../metadata/store.ts';
import { aclEntry, validateAcl, type AclEntry } from '../../acls/vocabulary.ts';

/** The ACLs of a virtual cluster in the metadata store: one set for the Management API and Kafka's ACL APIs. */

function sameAcl(a: AclEntry, b: AclEntry): boolean {
  return (Object.keys(a) as (keyof AclEntry)[]).every((field) => a[field] === b[field]);
}

export async function createAcl(store: MetadataStore, cluster: VirtualCluster, entry: AclEntry): Promise<AclEntry> {
  const acl = validateAcl(entry);
  return store.transaction(async (tx) => {
    const same = (await tx.listAcls(cluster.id)).find((existing) => sameAcl(aclEntry(existing), acl));
    if (same) throw conflict('ACL_ALREADY_EXISTS', 'an identical ACL already exists on this virtual cluster');
    await tx.insertAcl({ id: newId('acl_'), virtual_cluster_id: cluster.id, created_at: Date.now(), ...acl });
    return acl;
  });
}

export async function listAcls(store: MetadataStore, cluster: VirtualCluster): Promise<AclEntry[]> {
  return (await store.listAcls(cluster.id)).map(aclEntry);
}

/**
 * Deletes the ACLs that equal the given entries (after the same canonicalisation as creation)
 * and answers the ones it deleted; an entry that matches no ACL is not an error, as in Kafka.
 */
export async function deleteAcls(store: MetadataStore, cluster: VirtualCluster, entries: readonly AclEntry[]): Promise<AclEntry[]> {
  const wanted = entries.map(validateAcl);
  return store.transaction(async (tx) => {
    const deleted: AclEntry[] = [];
    for (const acl of await tx.listAcls(cluster.id)) {
      const entry = aclEntry(acl);
      if (wanted.some((w) => sameAcl(w, entry))) {
        await tx.deleteAcl(acl.id);
        deleted.push(entry);
      }
    }
    return deleted;
  });
}
