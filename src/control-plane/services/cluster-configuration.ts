import { badRequest, notFound } from '../../errors.ts';
import type { MetadataStore, VirtualCluster } from '../../metadata/store.ts';
import { clusterConfiguration, DEFAULT_CLUSTER_CONFIGURATION, type ClusterConfiguration } from '../../model/cluster-configuration.ts';
import { changeTier, TIER_PARTITION_LIMITS, TIERS } from './tiers.ts';

/**
 * describe/update_virtual_cluster_configuration: the cluster's settings as the API shows them,
 * and their checked updates (the defaults and their resolution are in model/).
 */

type Field = keyof ClusterConfiguration;
type Kind = 'boolean' | 'partitions' | 'millis' | 'topic_type';

const FIELDS: Record<Field, Kind> = {
  are_acls_enabled: 'boolean',
  acl_shadowing_enabled: 'boolean',
  is_auto_create_topic_enabled: 'boolean',
  default_num_partitions: 'partitions',
  default_retention_millis: 'millis',
  default_topic_type: 'topic_type',
  enable_deletion_protection: 'boolean',
  soft_delete_topics_enabled: 'boolean',
  soft_delete_topics_ttl_millis: 'millis',
};

/** Kafka-style broker config names for the same settings (`broker_configs`), and their field. */
const BROKER_CONFIGS: Record<string, { field: Field; scale?: number }> = {
  'auto.create.topics.enable': { field: 'is_auto_create_topic_enabled' },
  'num.partitions': { field: 'default_num_partitions' },
  'log.retention.ms': { field: 'default_retention_millis' },
  // Accepted on write, as Kafka accepts them; answered as log.retention.ms.
  'log.retention.minutes': { field: 'default_retention_millis', scale: 60_000 },
  'log.retention.hours': { field: 'default_retention_millis', scale: 3_600_000 },
  'warpstream.default.topic.type': { field: 'default_topic_type' },
  'warpstream.soft.delete.topic.enable': { field: 'soft_delete_topics_enabled' },
  'warpstream.soft.delete.topic.ttl.ms': { field: 'soft_delete_topics_ttl_millis' },
  'warpstream.soft.delete.topic.ttl.hours': { field: 'soft_delete_topics_ttl_millis', scale: 3_600_000 },
};

const NANOS_PER_MILLI = 1_000_000;
// inactive_topics_ttl is answered in nanoseconds (a Go time.Duration, as WarpStream's clients read
// it), so the TTL must stay a whole, exactly representable number of nanoseconds.
const MAX_TTL_MILLIS = Math.floor(Number.MAX_SAFE_INTEGER / NANOS_PER_MILLI);
const ANSWERED_BROKER_CONFIGS = Object.keys(BROKER_CONFIGS).filter((name) => !BROKER_CONFIGS[name]!.scale);

function parse(field: string, kind: Kind, value: unknown, scale = 1): ClusterConfiguration[Field] {
  const text = typeof value === 'string' ? value.trim() : value;
  switch (kind) {
    case 'boolean':
      if (typeof text === 'boolean') return text;
      if (text === 'true' || text === 'false') return text === 'true';
      throw badRequest(`${field} must be true or false`, 'INVALID_CONFIG');
    case 'partitions':
    case 'millis': {
      const n = typeof text === 'number' ? text : typeof text === 'string' && /^-?\d+$/.test(text) ? Number(text) : NaN;
      const min = kind === 'partitions' ? 1 : -1;
      if (!Number.isSafeInteger(n) || n < min || (kind === 'millis' && n !== -1 && n < 1)) {
        throw badRequest(`${field} must be an integer of at least ${kind === 'partitions' ? 1 : '1 (or -1 for unlimited)'}`, 'INVALID_CONFIG');
      }
      const value = n === -1 ? -1 : n * scale;
      if (!Number.isSafeInteger(value)) throw badRequest(`${field} is too large`, 'INVALID_CONFIG');
      return value;
    }
    case 'topic_type':
      if (text === 'classic' || text === 'lightning') return text;
      throw badRequest(`${field} must be classic or lightning`, 'INVALID_CONFIG');
  }
}

/** describe_virtual_cluster_configuration's answer. */
export function configurationView(cluster: VirtualCluster) {
  const configuration = clusterConfiguration(cluster);
  const broker_configs = Object.fromEntries(ANSWERED_BROKER_CONFIGS.map((name) => [name, String(configuration[BROKER_CONFIGS[name]!.field])]));
  return {
    ...configuration,
    tier: cluster.tier,
    inactive_topics_ttl: configuration.soft_delete_topics_ttl_millis * NANOS_PER_MILLI,
    broker_configs,
  };
}

export interface ConfigurationUpdate {
  broker_configs?: Record<string, unknown>;
  tier?: string;
  [field: string]: unknown;
}

/** `inactive_topics_ttl` as sent back from a describe: nanoseconds, a whole number of milliseconds. */
function ttlFromNanos(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value % NANOS_PER_MILLI !== 0) {
    throw badRequest('inactive_topics_ttl must be an integer number of nanoseconds, a whole number of milliseconds', 'INVALID_CONFIG');
  }
  return parse('inactive_topics_ttl', 'millis', value / NANOS_PER_MILLI) as number;
}

/**
 * update_virtual_cluster_configuration: the given fields, then the given `broker_configs`,
 * each checked; anything unknown or of the wrong type is refused and nothing changes. A `tier`
 * other than the cluster's moves it to that tier (the Terraform provider changes tiers this way),
 * in the same transaction. Null values (fields or broker configs) change nothing.
 */
export async function updateConfiguration(store: MetadataStore, cluster: VirtualCluster, update: ConfigurationUpdate): Promise<void> {
  const changes: Record<string, unknown> = {};
  let tier: string | undefined;
  let ttlNanos: number | undefined;
  for (const [field, value] of Object.entries(update)) {
    if (field === 'broker_configs' || value === undefined || value === null) continue;
    if (field === 'tier') {
      if (typeof value !== 'string' || !Object.hasOwn(TIER_PARTITION_LIMITS, value)) {
        throw badRequest(`tier must be one of ${TIERS.join(', ')}`, 'INVALID_CONFIG');
      }
      tier = value;
      continue;
    }
    if (field === 'inactive_topics_ttl') {
      ttlNanos = ttlFromNanos(value);
      continue;
    }
    const kind = Object.hasOwn(FIELDS, field) ? FIELDS[field as Field] : undefined;
    if (!kind) throw badRequest(`unknown virtual cluster configuration field ${JSON.stringify(field)}`, 'INVALID_CONFIG');
    changes[field] = parse(field, kind, value);
  }
  if (ttlNanos !== undefined) {
    // The same setting in two units: both may come back from a describe, but they must agree.
    if (changes.soft_delete_topics_ttl_millis !== undefined && changes.soft_delete_topics_ttl_millis !== ttlNanos) {
      throw badRequest('inactive_topics_ttl and soft_delete_topics_ttl_millis name the same TTL and disagree', 'INVALID_CONFIG');
    }
    changes.soft_delete_topics_ttl_millis = ttlNanos;
  }
  const brokerConfigs = update.broker_configs ?? {};
  if (typeof brokerConfigs !== 'object' || Array.isArray(brokerConfigs)) {
    throw badRequest('broker_configs must be an object of config names to string values', 'INVALID_CONFIG');
  }
  for (const [name, value] of Object.entries(brokerConfigs)) {
    const mapping = Object.hasOwn(BROKER_CONFIGS, name) ? BROKER_CONFIGS[name] : undefined;
    if (!mapping) {
      throw badRequest(`unknown broker config ${JSON.stringify(name)}; known: ${Object.keys(BROKER_CONFIGS).join(', ')}`, 'INVALID_CONFIG');
    }
    if (value === null) continue;
    changes[mapping.field] = parse(name, FIELDS[mapping.field], value, mapping.scale);
  }
  const ttl = changes.soft_delete_topics_ttl_millis;
  if (typeof ttl === 'number' && ttl > MAX_TTL_MILLIS) {
    throw badRequest(`the soft-delete TTL may be at most ${MAX_TTL_MILLIS} ms`, 'INVALID_CONFIG');
  }

  await store.transaction(async (tx) => {
    // Read again inside the transaction: two updates at once must not undo each other's fields.
    const current = await tx.getVirtualCluster(cluster.id);
    if (!current) throw notFound('VIRTUAL_CLUSTER_NOT_FOUND', `virtual cluster ${cluster.id} not found`);
    if (tier !== undefined) await changeTier(tx, current, tier);
    const next: Record<string, unknown> = { ...current.configuration, ...changes };
    // Only what differs from the defaults is kept: a default changed later applies to it too.
    const stored = Object.fromEntries(
      Object.entries(next).filter(([field, value]) => DEFAULT_CLUSTER_CONFIGURATION[field as Field] !== value),
    );
    await tx.updateVirtualClusterConfiguration(cluster.id, stored);
  });
}
