import type { VirtualCluster } from './records.ts';

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
