import { randomBytes } from 'node:crypto';
import type { CompactionPlanOptions, ControlPlaneClient } from '../../agent-rpc/contract.ts';
import type { BatchMove } from '../../model/records.ts';
import type { ObjectStore } from '../../objects/object-store.ts';

export interface MergeReport {
  /** New objects written. */
  objects: number;
  /** Source objects the rewrites replaced. */
  replaced: number;
  moved: number;
}

/**
 * Compaction by size (WarpStream's L0 → L1 → L2): the control plane names groups of small
 * objects and the live index entries in them; each group's entries are copied, byte range by
 * byte range and untouched, into one new object, which is written durably before the rewrite is
 * committed — so a crash leaves at most an unreferenced object, never an index entry pointing at
 * nothing. The replaced objects are released by the commit and deleted after the grace.
 */
export async function mergeSmallObjects(
  controlPlane: ControlPlaneClient,
  objectStore: ObjectStore,
  virtualClusterId: string,
  options: CompactionPlanOptions = {},
): Promise<MergeReport> {
  const report: MergeReport = { objects: 0, replaced: 0, moved: 0 };
  for (const group of await controlPlane.planCompaction(virtualClusterId, options)) {
    if (group.entries.length === 0) continue;
    const sources = new Map<string, Promise<Buffer>>();
    const parts: Buffer[] = [];
    const moves: BatchMove[] = [];
    let size = 0;
    for (const entry of group.entries) {
      let source = sources.get(entry.object_key);
      if (!source) sources.set(entry.object_key, (source = objectStore.get(entry.object_key)));
      const bytes = (await source).subarray(entry.byte_offset, entry.byte_offset + entry.byte_length);
      moves.push({
        topic_id: entry.topic_id,
        partition: entry.partition,
        base_offset: entry.base_offset,
        from_object_key: entry.object_key,
        byte_offset: size,
        byte_length: entry.byte_length,
        last_offset: entry.last_offset,
        max_timestamp: entry.max_timestamp,
      });
      parts.push(bytes);
      size += bytes.length;
    }
    const key = `clusters/${virtualClusterId}/compacted/l${group.level}/${Date.now()}-${randomBytes(6).toString('hex')}`;
    await objectStore.put(key, parts);
    const result = await controlPlane.commitRewrite(virtualClusterId, { new_object_key: key, level: group.level, byte_size: size, moves, drops: [] });
    report.objects++;
    report.replaced += result.released_object_keys.length;
    report.moved += result.moved;
  }
  return report;
}
