import { badRequest, conflict, notFound, unprocessable } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { MetadataStore, Topic, VirtualCluster } from '../../metadata/store.ts';
import { clusterConfiguration } from '../../model/cluster-configuration.ts';
import { DEFAULT_RETENTION_MS, isTrue, TOPIC_CONFIGS, validateTopicConfigs } from '../../model/topic-configs.ts';
import { deleteTopicReleasingObjects, releaseUnreferencedObjects } from '../log/objects.ts';
import { purgeExpiredSoftDeletedTopics } from '../log/soft-deleted-topics.ts';
import { requirePartitionQuota } from './quotas.ts';
import { TIER_PARTITION_LIMITS } from './tiers.ts';

/**
 * Topic rules, shared by the Management API and (later) the Kafka admin protocol: one place
 * decides what a valid topic is.
 */

const TOPIC_NAME_PATTERN = /^[a-zA-Z0-9._-]+$/;
const MAX_TOPIC_NAME_LENGTH = 249;

/** Kafka's topic-name rules. */
export function validateTopicName(name: string): void {
  if (name.length === 0) throw badRequest('topic_name must not be empty', 'INVALID_TOPIC_NAME');
  if (name === '.' || name === '..') throw badRequest('topic_name cannot be "." or ".."', 'INVALID_TOPIC_NAME');
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    throw badRequest(`topic_name must be at most ${MAX_TOPIC_NAME_LENGTH} characters`, 'INVALID_TOPIC_NAME');
  }
  if (!TOPIC_NAME_PATTERN.test(name)) {
    throw badRequest('topic_name may contain only ASCII letters, digits, ".", "_" and "-"', 'INVALID_TOPIC_NAME');
  }
}

/** Kafka refuses names that differ only by "." versus "_": they collide in metric names. */
function collisionKey(name: string): string {
  return name.replaceAll('.', '_');
}

/** The Topic of the seed spec. */
export interface TopicView {
  id: string;
  name: string;
  created_at: number;
  retention: string;
  shard_count: number;
  uncompressed_size_hint: string;
}

export function topicView(topic: Topic): TopicView {
  return {
    id: topic.id,
    name: topic.name,
    created_at: Math.floor(topic.created_at / 1000),
    retention: topic.configs['retention.ms'] ?? String(DEFAULT_RETENTION_MS),
    shard_count: topic.partition_count,
    uncompressed_size_hint: '0',
  };
}

/** Room for `adding` partitions: in the cluster's tier, and in its tenant's plan. */
async function checkPartitionLimit(store: MetadataStore, cluster: VirtualCluster, adding: number): Promise<void> {
  const limit = TIER_PARTITION_LIMITS[cluster.tier] ?? 0;
  const current = await store.countPartitions(cluster.id);
  if (current + adding > limit) {
    throw badRequest(
      `virtual cluster ${cluster.id} (tier ${cluster.tier}) may hold at most ${limit} partitions; it has ${current} and this would add ${adding}`,
      'PARTITION_LIMIT_EXCEEDED',
    );
  }
  await requirePartitionQuota(store, cluster, adding);
}

export interface CreateTopicRequest {
  topic_name: string;
  partition_count: number;
  configs?: Record<string, unknown>;
}

/**
 * Creates a topic. Re-creating a topic that is soft-deleted restores it (same id, same data),
 * growing it to the requested partition count and applying the given configs.
 */
export async function createTopic(store: MetadataStore, cluster: VirtualCluster, request: CreateTopicRequest): Promise<Topic> {
  validateTopicName(request.topic_name);
  if (!Number.isInteger(request.partition_count) || request.partition_count < 1) {
    throw badRequest('partition_count must be an integer of at least 1', 'INVALID_PARTITIONS');
  }
  const configs = validateTopicConfigs(request.configs ?? {});
  if (cluster.type !== 'byoc') {
    throw badRequest(`virtual cluster ${cluster.id} is of type ${cluster.type}, which has no Kafka topics`, 'INVALID_CLUSTER_TYPE');
  }

  return store.transaction(async (tx) => {
    // Soft-deleted topics older than the cluster's soft-delete TTL (default: one day) are gone:
    // creating one of them again makes a new topic rather than restoring it.
    await purgeExpiredSoftDeletedTopics(tx, cluster, Date.now());
    const existing = await tx.getTopic(cluster.id, request.topic_name);
    if (existing && existing.deleted_at === null) {
      throw conflict('TOPIC_ALREADY_EXISTS', `topic ${request.topic_name} already exists`);
    }
    const key = collisionKey(request.topic_name);
    const colliding = (await tx.listTopics(cluster.id, 'live')).find(
      (t) => t.name !== request.topic_name && collisionKey(t.name) === key,
    );
    if (colliding) {
      throw conflict('TOPIC_NAME_COLLISION', `topic ${request.topic_name} collides with existing topic ${colliding.name} ("." and "_" are interchangeable in Kafka metric names)`);
    }

    if (existing) {
      if (request.partition_count < existing.partition_count) {
        throw badRequest(
          `topic ${existing.name} is soft-deleted with ${existing.partition_count} partitions; re-creating it restores it, and partitions cannot shrink`,
          'INVALID_PARTITIONS',
        );
      }
      await checkPartitionLimit(tx, cluster, request.partition_count);
      const restored: Topic = {
        ...existing,
        partition_count: request.partition_count,
        configs: { ...existing.configs, ...configs },
        deleted_at: null,
      };
      await tx.updateTopic(restored);
      return restored;
    }

    await checkPartitionLimit(tx, cluster, request.partition_count);
    const topic: Topic = {
      id: newId('ti_'),
      virtual_cluster_id: cluster.id,
      name: request.topic_name,
      partition_count: request.partition_count,
      configs,
      created_at: Date.now(),
      deleted_at: null,
    };
    await tx.insertTopic(topic);
    return topic;
  });
}

export async function listTopics(store: MetadataStore, cluster: VirtualCluster, includeRecentlyDeleted: boolean) {
  await purgeExpiredSoftDeletedTopics(store, cluster, Date.now());
  const topics = (await store.listTopics(cluster.id, 'live')).map(topicView);
  const recentlyDeleted = includeRecentlyDeleted ? (await store.listTopics(cluster.id, 'deleted')).map(topicView) : null;
  return { topics, recently_deleted_topics: recentlyDeleted };
}

/**
 * Deletes a topic: soft (kept under `recently_deleted_topics`, restorable for a day) or hard
 * (gone). A topic with `warpstream.deletion.protection.enabled=true` is refused.
 */
export async function deleteTopic(store: MetadataStore, cluster: VirtualCluster, name: string, soft: boolean): Promise<void> {
  await store.transaction(async (tx) => {
    const topic = await tx.getTopic(cluster.id, name);
    // A soft-deleted topic can still be deleted for good (soft_delete=false), not soft-deleted again.
    if (!topic || (topic.deleted_at !== null && soft)) throw notFound('TOPIC_NOT_FOUND', `topic ${name} not found`);
    if (isTrue(topic.configs['warpstream.deletion.protection.enabled'])) {
      throw unprocessable(
        'TOPIC_DELETION_PROTECTED',
        `topic ${name} has warpstream.deletion.protection.enabled=true; turn it off before deleting the topic`,
      );
    }
    if (soft) await tx.updateTopic({ ...topic, deleted_at: Date.now() });
    else await deleteTopicReleasingObjects(tx, topic, Date.now());
  });
}

/**
 * Grows a topic to `partitionCount` partitions (Kafka's CreatePartitions; update_topic later).
 * Partitions never shrink: existing data keeps its partition.
 */
export async function growPartitions(store: MetadataStore, cluster: VirtualCluster, name: string, partitionCount: number, validateOnly = false): Promise<Topic> {
  return store.transaction(async (tx) => {
    const topic = await tx.getTopic(cluster.id, name);
    if (!topic || topic.deleted_at !== null) throw notFound('TOPIC_NOT_FOUND', `topic ${name} not found`);
    if (!Number.isInteger(partitionCount) || partitionCount <= topic.partition_count) {
      throw badRequest(`topic ${name} has ${topic.partition_count} partitions; the new count must be larger (partitions cannot shrink)`, 'INVALID_PARTITIONS');
    }
    await checkPartitionLimit(tx, cluster, partitionCount - topic.partition_count);
    const grown = { ...topic, partition_count: partitionCount };
    if (!validateOnly) await tx.updateTopic(grown);
    return grown;
  });
}

/** Configs describe_topic reports for a topic that does not set them (Kafka's defaults). */
const DESCRIBED_DEFAULTS: Readonly<Record<string, string>> = {
  'cleanup.policy': 'delete',
  'retention.ms': String(DEFAULT_RETENTION_MS),
  'warpstream.deletion.protection.enabled': 'false',
};

/**
 * The live topics of these names (undefined for a missing or soft-deleted one), one lookup per
 * distinct name: what the Kafka-level calls naming topics (offset commits, transactions) check.
 */
export async function findLiveTopics(store: MetadataStore, virtualClusterId: string, names: readonly string[]): Promise<Map<string, Topic | undefined>> {
  const topics = new Map<string, Topic | undefined>();
  for (const name of new Set(names)) {
    const topic = await store.getTopic(virtualClusterId, name);
    topics.set(name, topic && topic.deleted_at === null ? topic : undefined);
  }
  return topics;
}

/** Whether the topic exists and has that partition. */
export function hasPartition(topic: Topic | undefined, partition: number): topic is Topic {
  return topic !== undefined && partition >= 0 && partition < topic.partition_count;
}

async function liveTopic(store: MetadataStore, cluster: VirtualCluster, name: string): Promise<Topic> {
  const topic = await store.getTopic(cluster.id, name);
  if (!topic || topic.deleted_at !== null) throw notFound('TOPIC_NOT_FOUND', `topic ${name} not found`);
  return topic;
}

/** describe_topic: the partition count, and every config the topic sets over Kafka's defaults. */
export async function describeTopic(store: MetadataStore, cluster: VirtualCluster, name: string) {
  const topic = await liveTopic(store, cluster, name);
  return { partition_count: topic.partition_count, configs: { ...DESCRIBED_DEFAULTS, ...topic.configs } };
}

export interface UpdateTopicRequest {
  topic_name: string;
  partition_count?: number | null;
  /** Entries to set; a null value removes the entry (back to the default). Others are kept. */
  configs?: Record<string, unknown> | null;
}

function isCompacted(policy: string | undefined): boolean {
  return (policy ?? '').split(',').some((item) => item.trim() === 'compact');
}

/** A compacted topic cannot stop being compacted: its data was written for it (keys kept, not times). */
function checkCompaction(topic: Topic, configs: Record<string, string>): void {
  if (isCompacted(topic.configs['cleanup.policy']) && !isCompacted(configs['cleanup.policy'])) {
    throw badRequest(
      `topic ${topic.name} is compacted (cleanup.policy=${topic.configs['cleanup.policy']}); a compacted topic cannot be made non-compacted`,
      'INVALID_CONFIG',
    );
  }
}

/** update_topic: grows the partition count (never shrinks it) and sets or removes the given configs, all or nothing. */
export async function updateTopic(store: MetadataStore, cluster: VirtualCluster, request: UpdateTopicRequest): Promise<void> {
  const given = request.configs ?? {};
  const removed = Object.keys(given).filter((name) => given[name] === null);
  const set = validateTopicConfigs(Object.fromEntries(Object.entries(given).filter(([, value]) => value !== null)));
  for (const name of removed) {
    if (!Object.hasOwn(TOPIC_CONFIGS, name)) throw badRequest(`unknown topic config ${JSON.stringify(name)}`, 'INVALID_CONFIG');
  }
  const partitionCount = request.partition_count ?? undefined;
  if (partitionCount !== undefined && (!Number.isInteger(partitionCount) || partitionCount < 1)) {
    throw badRequest('partition_count must be an integer of at least 1', 'INVALID_PARTITIONS');
  }

  await store.transaction(async (tx) => {
    const topic = await liveTopic(tx, cluster, request.topic_name);
    const configs = { ...topic.configs, ...set };
    for (const name of removed) delete configs[name];
    checkCompaction(topic, configs);
    let partitions = topic.partition_count;
    if (partitionCount !== undefined && partitionCount !== topic.partition_count) {
      if (partitionCount < topic.partition_count) {
        throw badRequest(
          `topic ${topic.name} has ${topic.partition_count} partitions; partition_count cannot shrink to ${partitionCount} (records keep their partition)`,
          'INVALID_PARTITIONS',
        );
      }
      await checkPartitionLimit(tx, cluster, partitionCount - topic.partition_count);
      partitions = partitionCount;
    }
    await tx.updateTopic({ ...topic, partition_count: partitions, configs });
  });
}

/** Replaces a topic's configs (after validating every entry). */
export async function setTopicConfigs(store: MetadataStore, cluster: VirtualCluster, name: string, configs: Record<string, unknown>, validateOnly = false): Promise<Topic> {
  const valid = validateTopicConfigs(configs);
  return store.transaction(async (tx) => {
    const topic = await tx.getTopic(cluster.id, name);
    if (!topic || topic.deleted_at !== null) throw notFound('TOPIC_NOT_FOUND', `topic ${name} not found`);
    checkCompaction(topic, valid);
    const updated = { ...topic, configs: valid };
    if (!validateOnly) await tx.updateTopic(updated);
    return updated;
  });
}

/**
 * Moves a partition's log start to `offset` (Kafka's DeleteRecords): records before it can no
 * longer be read. -1 means the high watermark (delete everything). Index entries wholly before
 * it go, and the objects nothing references any more are released. Answers the new log start.
 */
export async function deleteRecordsBefore(store: MetadataStore, cluster: VirtualCluster, name: string, partition: number, offset: number): Promise<number> {
  return store.transaction(async (tx) => {
    const topic = await tx.getTopic(cluster.id, name);
    if (!topic || topic.deleted_at !== null || partition < 0 || partition >= topic.partition_count) {
      throw notFound('TOPIC_NOT_FOUND', `topic ${name} partition ${partition} not found`);
    }
    const state = (await tx.getPartitionState(topic.id, partition)) ?? { topic_id: topic.id, partition, log_start_offset: 0, high_watermark: 0 };
    const target = offset === -1 ? state.high_watermark : offset;
    if (target < 0 || target > state.high_watermark) {
      throw badRequest(`offset ${offset} is beyond the high watermark ${state.high_watermark}`, 'OFFSET_OUT_OF_RANGE');
    }
    if (target > state.log_start_offset) {
      await tx.advanceLogStartOffset(topic.id, partition, target);
      await tx.transactions.deleteAbortedTransactionsBefore(topic.id, partition, target);
      const removed = await tx.deleteBatchIndexBefore(topic.id, partition, target);
      await releaseUnreferencedObjects(tx, cluster.id, removed.object_keys, Date.now());
    }
    return Math.max(target, state.log_start_offset);
  });
}
