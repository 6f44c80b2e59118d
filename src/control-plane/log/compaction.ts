import type { CompactionGroup, CompactionPlanOptions, RewriteRequest, RewriteResult } from '../../agent-rpc/contract.ts';
import { badRequest, conflict, forbidden } from '../../errors.ts';
import type { BatchDrop, BatchIndexEntry, BatchMove, MetadataStore, ObjectRecord } from '../../metadata/store.ts';
import { OBJECT_DELETION_GRACE_MS, releaseUnreferencedObjects, type ObjectGraceOptions } from './objects.ts';

export type { CompactionGroup, CompactionPlanOptions, RewriteRequest, RewriteResult };

/**
 * Compaction's control-plane side. Ingestion writes many small objects (level 0, one per flush,
 * each holding batches of many partitions); the jobs agent merges them into larger ones so a
 * consumer reading a partition needs fewer GETs and the bucket holds fewer objects. The control
 * plane plans (which objects, and which live index entries in them) and commits the rewrite;
 * the agent copies the byte ranges into the new object in between.
 */

const MiB = 1024 * 1024;

/**
 * Groups of a cluster's objects worth merging: per level, oldest first, consecutive objects up
 * to the level's target size (an object larger than the target on its own is left as it is).
 * A plan is advice read outside any transaction: the entries may change before the rewrite is
 * committed, which commitRewrite allows for.
 */
export async function planCompaction(store: MetadataStore, virtualClusterId: string, options: CompactionPlanOptions & { now: number }): Promise<CompactionGroup[]> {
  const targets = options.targetBytes ?? { 0: 16 * MiB, 1: 128 * MiB };
  const minObjects = Math.max(2, options.minObjects ?? 2);
  const maxObjects = Math.max(minObjects, options.maxObjects ?? 32);
  const maxGroups = options.maxGroups ?? 4;
  const createdBefore = options.now - (options.minAgeMs ?? 5_000);
  const groups: Array<Omit<CompactionGroup, 'entries'>> = [];
  for (const level of Object.keys(targets).map(Number).sort((a, b) => a - b)) {
    const target = targets[level]!;
    let current: ObjectRecord[] = [];
    let bytes = 0;
    const close = () => {
      if (current.length >= minObjects && groups.length < maxGroups) groups.push({ level: level + 1, objects: current, byte_size: bytes });
      current = [];
      bytes = 0;
    };
    for (const object of await store.listObjects(virtualClusterId, level, createdBefore, options.scanLimit ?? 1000)) {
      if (groups.length >= maxGroups) break;
      if (object.byte_size > target) continue;
      if (bytes + object.byte_size > target || current.length >= maxObjects) close();
      current.push(object);
      bytes += object.byte_size;
    }
    close();
  }
  const planned: CompactionGroup[] = [];
  for (const group of groups) {
    planned.push({ ...group, entries: await store.listBatchIndexByObjects(group.objects.map((o) => o.object_key)) });
  }
  return planned;
}

function check(condition: boolean, message: string): void {
  if (!condition) throw badRequest(message, 'INVALID_REWRITE');
}

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

function validate(request: RewriteRequest): void {
  check(typeof request.new_object_key === 'string' && request.new_object_key.length > 0, 'new_object_key must be a non-empty string');
  check(Number.isSafeInteger(request.level) && request.level >= 1, 'level must be an integer of at least 1');
  check(isCount(request.byte_size), 'byte_size must be a non-negative integer');
  for (const m of request.moves) {
    check(typeof m.topic_id === 'string' && isCount(m.partition) && isCount(m.base_offset), 'a move names topic_id, partition and base_offset');
    check(typeof m.from_object_key === 'string' && m.from_object_key !== request.new_object_key, 'a move comes from another object than new_object_key');
    check(isCount(m.byte_offset) && isCount(m.byte_length) && m.byte_length > 0, 'a move has a byte_offset and a positive byte_length');
    check(m.byte_offset + m.byte_length <= request.byte_size, `a move's bytes (${m.byte_offset}+${m.byte_length}) lie beyond byte_size ${request.byte_size}`);
    check(Number.isSafeInteger(m.last_offset) && m.last_offset >= m.base_offset, 'a move has a last_offset at or after its base_offset');
    check(Number.isSafeInteger(m.max_timestamp), 'a move has an integer max_timestamp');
  }
  for (const d of request.drops) {
    check(typeof d.topic_id === 'string' && isCount(d.partition) && isCount(d.base_offset) && typeof d.from_object_key === 'string', 'a drop names topic_id, partition, base_offset and from_object_key');
  }
}

/**
 * Commits a rewrite in one transaction: each move points its entry into the new object if the
 * entry still exists and still points at `from_object_key` (else it is skipped: retention or
 * DeleteRecords removed it, or another rewrite moved it), and may shorten it, never lengthen it
 * (a partition's newest entry keeps its last offset); drops remove entries the same way
 * (except a partition's newest); the new object is recorded; the replaced objects nothing
 * references any more are released, and so is the new object when nothing ended up in it.
 * Retrying a rewrite that was committed changes nothing.
 */
export async function commitRewrite(
  store: MetadataStore,
  virtualClusterId: string,
  request: RewriteRequest,
  options: ObjectGraceOptions & { now?: number } = {},
): Promise<RewriteResult> {
  validate(request);
  const now = options.now ?? Date.now();
  return store.transaction(async (tx) => {
    const topicIds = new Set([...request.moves, ...request.drops].map((e) => e.topic_id));
    for (const topicId of topicIds) {
      const topic = await tx.getTopicById(topicId);
      // A topic deleted meanwhile has no entries left: its moves are skipped.
      if (topic && topic.virtual_cluster_id !== virtualClusterId) throw forbidden(`topic ${topicId} is not a topic of virtual cluster ${virtualClusterId}`);
    }
    const existing = await tx.getObject(request.new_object_key);
    if (existing && existing.virtual_cluster_id !== virtualClusterId) {
      throw conflict('OBJECT_KEY_TAKEN', `object ${request.new_object_key} belongs to another virtual cluster`);
    }
    await tx.insertObjects([
      { object_key: request.new_object_key, virtual_cluster_id: virtualClusterId, level: request.level, byte_size: request.byte_size, created_at: now },
    ]);
    const moved = await tx.moveBatchIndexEntries(request.new_object_key, request.moves);
    const dropped = await tx.dropBatchIndexEntries(request.drops);
    const candidates = new Set([...request.moves, ...request.drops].map((e) => e.from_object_key));
    candidates.add(request.new_object_key);
    const released = await releaseUnreferencedObjects(tx, virtualClusterId, candidates, now, options.graceMs ?? OBJECT_DELETION_GRACE_MS);
    return {
      moved,
      skipped_moves: request.moves.length - moved,
      dropped,
      skipped_drops: request.drops.length - dropped,
      released_object_keys: released.filter((key) => key !== request.new_object_key),
      new_object_released: released.includes(request.new_object_key),
    };
  });
}
