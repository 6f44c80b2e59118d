import { badRequest } from '../../errors.ts';
import type { MetadataStore, VirtualCluster } from '../../metadata/store.ts';

/**
 * A virtual cluster's configuration (WarpStream's `virtual_cluster_configuration`). Only what
 * differs from these defaults is stored; the defaults are Kafka's where Kafka has one.
 */
export interface ClusterConfiguration {
  are_acls_enabled: boolean;
  acl_shadowing_enabled: boolean;
  is_auto_create_topic_enabled: boolean;
  default_num_partitions: number;
  default_retention_millis: number;
  default_topic_type: 'classic' | 'lightning';
  enable_deletion_protection: boolean;
  soft_delete_topics_enabled: boolean;
  soft_delete_topics_ttl_millis: number;
}

export const DEFAULT_CLUSTER_CONFIGURATION: Readonly<ClusterConfiguration> = {
  are_acls_enabled: false,
  acl_shadowing_enabled: false,
  is_auto_create_topic_enabled: true,
  default_num_partitions: 1,
  default_retention_millis: 604_800_000,
  default_topic_type: 'classic',
  enable_deletion_protection: false,
  soft_delete_topics_enabled: false,
  soft_delete_topics_ttl_millis: 86_400_000,
};

export function clusterConfiguration(cluster: Pick<VirtualCluster, 'configuration'>): ClusterConfiguration {
  return { ...DEFAULT_CLUSTER_CONFIGURATION, ...(cluster.configuration as Partial<ClusterConfiguration>) };
}

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
};
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
      return n === -1 ? -1 : n * scale;
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
  return { ...configuration, tier: cluster.tier, broker_configs };
}

export interface ConfigurationUpdate {
  broker_configs?: Record<string, unknown>;
  tier?: string;
  [field: string]: unknown;
}

/**
 * update_virtual_cluster_configuration: the given fields, then the given `broker_configs`,
 * each checked; anything unknown or of the wrong type is refused and nothing changes.
 */
export async function updateConfiguration(store: MetadataStore, cluster: VirtualCluster, update: ConfigurationUpdate): Promise<void> {
  const next: Record<string, unknown> = { ...cluster.configuration };
  for (const [field, value] of Object.entries(update)) {
    if (field === 'broker_configs' || value === undefined || value === null) continue;
    if (field === 'tier') {
      if (value !== cluster.tier) throw badRequest('the tier is changed with update_virtual_cluster_tier', 'INVALID_CONFIG');
      continue;
    }
    const kind = Object.hasOwn(FIELDS, field) ? FIELDS[field as Field] : undefined;
    if (!kind) throw badRequest(`unknown virtual cluster configuration field ${JSON.stringify(field)}`, 'INVALID_CONFIG');
    next[field] = parse(field, kind, value);
  }
  for (const [name, value] of Object.entries(update.broker_configs ?? {})) {
    const mapping = Object.hasOwn(BROKER_CONFIGS, name) ? BROKER_CONFIGS[name] : undefined;
    if (!mapping) throw badRequest(`unknown broker config ${JSON.stringify(name)}`, 'INVALID_CONFIG');
    next[mapping.field] = parse(name, FIELDS[mapping.field], value, mapping.scale);
  }
  // Only what differs from the defaults is kept: a default changed later applies to it too.
  const stored = Object.fromEntries(
    Object.entries(next).filter(([field, value]) => DEFAULT_CLUSTER_CONFIGURATION[field as Field] !== value),
  );
  await store.updateVirtualClusterConfiguration(cluster.id, stored);
}
