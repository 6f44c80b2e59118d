import type { CommittedOffset, MetadataStore, VirtualCluster } from '../../metadata/store.ts';

/** The ConsumerGroup of the seed spec. */
export interface ConsumerGroupView {
  name: string;
  state: string;
  protocol: string;
  members: Array<{
    id: string;
    group_instance_id: string;
    client_id: string;
    client_host: string;
    assignment: { assignments: Array<{ topic_name: string; partitions: number[] }> };
  }>;
  topics: Array<{
    name: string;
    partitions: Array<{
      member_id: string;
      partition: number;
      empty: boolean;
      min_offset: number;
      max_offset: number;
      committed_offset: number;
    }>;
  }>;
}

/**
 * describe_all_consumer_groups, from the group store: every group with committed offsets. Live
 * membership and partition offset ranges arrive with the agent's group coordinator; until then
 * groups have no members (state `Empty`, as Kafka reports a group with offsets and no members).
 */
export async function describeAllConsumerGroups(store: MetadataStore, cluster: VirtualCluster): Promise<ConsumerGroupView[]> {
  const byGroup = new Map<string, Map<string, CommittedOffset[]>>();
  for (const offset of await store.listCommittedOffsets(cluster.id)) {
    const topics = byGroup.get(offset.group_id) ?? new Map<string, CommittedOffset[]>();
    byGroup.set(offset.group_id, topics);
    topics.set(offset.topic_name, [...(topics.get(offset.topic_name) ?? []), offset]);
  }
  return [...byGroup].map(([name, topics]) => ({
    name,
    state: 'Empty',
    protocol: '',
    members: [],
    topics: [...topics].map(([topicName, offsets]) => ({
      name: topicName,
      partitions: offsets.map((offset) => ({
        member_id: '',
        partition: offset.partition,
        empty: true,
        min_offset: 0,
        max_offset: 0,
        committed_offset: offset.committed_offset,
      })),
    })),
  }));
}
