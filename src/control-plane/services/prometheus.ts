import type { MetadataStore, VirtualCluster } from '../../metadata/store.ts';
import type { GroupCoordinator } from '../groups/coordinator.ts';
import { describeAllConsumerGroups } from './consumer-groups.ts';

/**
 * The hosted Prometheus endpoint's text (exposition format 0.0.4): per-partition consumer-group
 * metrics, which would multiply by the number of agents if every agent exported them, under
 * the names WarpStream documents for its own hosted endpoint (`warpstream_consumer_group_lag`,
 * `warpstream_consumer_group_max_offset`, …), plus each topic's partition count and offsets.
 * Every series carries `virtual_cluster_id`.
 */

type Labels = Record<string, string | number>;

interface Family {
  name: string;
  help: string;
  samples: Array<{ labels: Labels; value: number }>;
}

/** Label values escaped as the format requires: backslash, double quote and newline. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function render(families: Family[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} gauge`);
    for (const { labels, value } of family.samples) {
      const text = Object.entries(labels)
        .map(([name, v]) => `${name}="${escapeLabel(String(v))}"`)
        .join(',');
      lines.push(`${family.name}{${text}} ${value}`);
    }
  }
  return lines.join('\n') + '\n';
}

export async function prometheusMetrics(store: MetadataStore, cluster: VirtualCluster, coordinator?: GroupCoordinator): Promise<string> {
  const vc = { virtual_cluster_id: cluster.id };
  const family = (name: string, help: string): Family => ({ name, help, samples: [] });

  const partitions = family('warpstream_topic_num_partitions', 'Number of partitions of the topic.');
  const minOffset = family('warpstream_min_offset', 'First offset still in the partition (log start offset).');
  const maxOffset = family('warpstream_max_offset', 'Next offset the partition will assign (high watermark).');
  const highWatermarks = new Map<string, number>();
  for (const topic of await store.listTopics(cluster.id, 'live')) {
    partitions.samples.push({ labels: { ...vc, topic: topic.name }, value: topic.partition_count });
    const states = new Map((await store.listPartitionStates(topic.id)).map((s) => [s.partition, s]));
    for (let partition = 0; partition < topic.partition_count; partition++) {
      const state = states.get(partition);
      const labels = { ...vc, topic: topic.name, partition };
      minOffset.samples.push({ labels, value: state?.log_start_offset ?? 0 });
      maxOffset.samples.push({ labels, value: state?.high_watermark ?? 0 });
      highWatermarks.set(`${topic.name}/${partition}`, state?.high_watermark ?? 0);
    }
  }

  const groupState = family('warpstream_consumer_group_state', 'Consumer group state (1 for the state the group is in).');
  const members = family('warpstream_consumer_group_num_members', 'Members of the consumer group.');
  const groupTopics = family('warpstream_consumer_group_num_topics', 'Topics the consumer group has offsets or assignments for.');
  const groupPartitions = family('warpstream_consumer_group_num_partitions', 'Partitions the consumer group has offsets or assignments for.');
  const committed = family('warpstream_consumer_group_max_offset', 'Offset the consumer group committed for the partition.');
  const lag = family('warpstream_consumer_group_lag', 'Records of the partition after the group\'s committed offset (high watermark minus committed offset).');
  for (const group of await describeAllConsumerGroups(store, cluster, coordinator)) {
    const g = { ...vc, consumer_group: group.name };
    groupState.samples.push({ labels: { ...g, consumer_group_state: group.state }, value: 1 });
    members.samples.push({ labels: g, value: group.members.length });
    groupTopics.samples.push({ labels: g, value: group.topics.length });
    groupPartitions.samples.push({ labels: g, value: group.topics.reduce((n, t) => n + t.partitions.length, 0) });
    for (const topic of group.topics) {
      for (const p of topic.partitions) {
        // A partition assigned but never committed has no offset and so no lag to report.
        if (p.committed_offset < 0) continue;
        const labels = { ...g, topic: topic.name, partition: p.partition };
        const high = highWatermarks.get(`${topic.name}/${p.partition}`) ?? p.max_offset;
        committed.samples.push({ labels, value: p.committed_offset });
        lag.samples.push({ labels, value: Math.max(0, high - p.committed_offset) });
      }
    }
  }
  return render([partitions, minOffset, maxOffset, groupState, members, groupTopics, groupPartitions, committed, lag]);
}
