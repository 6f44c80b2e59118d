import type { CommittedOffset, MetadataStore, VirtualCluster } from '../../metadata/store.ts';
import { decodeAssignment } from '../groups/consumer-protocol.ts';
import type { GroupCoordinator, GroupDescription } from '../groups/coordinator.ts';

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

function assignmentsOf(member: GroupDescription['members'][number], protocolType: string) {
  if (!member.assignment || member.assignment.length === 0 || protocolType !== 'consumer') return [];
  try {
    return decodeAssignment(member.assignment).map(({ topic, partitions }) => ({ topic_name: topic, partitions: [...partitions].sort((a, b) => a - b) }));
  } catch {
    return []; // not the standard consumer protocol: nothing we can show
  }
}

/**
 * describe_all_consumer_groups: every group the coordinator knows (live members and their
 * assignments) or that has committed offsets. Per partition: the member it is assigned to, the
 * partition's offset range (`min_offset` = log start, `max_offset` = high watermark; `empty`
 * when the range holds no records) and the group's committed offset (-1 when none).
 */
export async function describeAllConsumerGroups(
  store: MetadataStore,
  cluster: VirtualCluster,
  coordinator?: GroupCoordinator,
): Promise<ConsumerGroupView[]> {
  const committed = new Map<string, CommittedOffset[]>();
  for (const offset of await store.listCommittedOffsets(cluster.id)) {
    const offsets = committed.get(offset.group_id);
    if (offsets) offsets.push(offset);
    else committed.set(offset.group_id, [offset]);
  }
  const live = new Map<string, GroupDescription>();
  for (const group of coordinator ? await coordinator.describeAll(cluster.id) : []) live.set(group.name, group);
  const names = [...new Set([...committed.keys(), ...live.keys()])].sort();

  const topics = new Map((await store.listTopics(cluster.id, 'live')).map((topic) => [topic.name, topic]));
  const ranges = new Map<string, { min: number; max: number }>();
  const rangeOf = async (topicName: string, partition: number) => {
    const key = `${topicName}/${partition}`;
    let range = ranges.get(key);
    if (!range) {
      const topic = topics.get(topicName);
      const state = topic ? await store.getPartitionState(topic.id, partition) : undefined;
      range = { min: state?.log_start_offset ?? 0, max: state?.high_watermark ?? 0 };
      ranges.set(key, range);
    }
    return range;
  };

  const views: ConsumerGroupView[] = [];
  for (const name of names) {
    const group = live.get(name);
    const members = (group?.members ?? []).map((member) => ({
      id: member.memberId,
      group_instance_id: member.groupInstanceId ?? '',
      client_id: member.clientId,
      client_host: member.clientHost,
      assignment: { assignments: assignmentsOf(member, group!.protocolType) },
    }));
    const owner = new Map<string, string>();
    for (const member of members) {
      for (const a of member.assignment.assignments) for (const p of a.partitions) owner.set(`${a.topic_name}/${p}`, member.id);
    }
    const offsets = new Map((committed.get(name) ?? []).map((o) => [`${o.topic_name}/${o.partition}`, o.committed_offset]));
    const partitionKeys = [...new Set([...owner.keys(), ...offsets.keys()])];
    const byTopic = new Map<string, number[]>();
    for (const key of partitionKeys) {
      const slash = key.lastIndexOf('/');
      const topic = key.slice(0, slash);
      const partitions = byTopic.get(topic);
      if (partitions) partitions.push(Number(key.slice(slash + 1)));
      else byTopic.set(topic, [Number(key.slice(slash + 1))]);
    }
    const groupTopics: ConsumerGroupView['topics'] = [];
    for (const topicName of [...byTopic.keys()].sort()) {
      const partitions = [];
      for (const partition of byTopic.get(topicName)!.sort((a, b) => a - b)) {
        const range = await rangeOf(topicName, partition);
        const key = `${topicName}/${partition}`;
        partitions.push({
          member_id: owner.get(key) ?? '',
          partition,
          empty: range.max === range.min,
          min_offset: range.min,
          max_offset: range.max,
          committed_offset: offsets.get(key) ?? -1,
        });
      }
      groupTopics.push({ name: topicName, partitions });
    }
    views.push({ name, state: group?.state ?? 'Empty', protocol: group?.protocol ?? '', members, topics: groupTopics });
  }
  return views;
}
