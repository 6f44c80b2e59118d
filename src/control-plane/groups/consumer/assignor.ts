/**
 * KIP-848's server-side assignors, free of I/O: from the members' subscriptions and the topics'
 * partition counts to each member's target assignment. Both keep a partition with its current
 * owner when that stays balanced (sticky), so a rebalance moves as few partitions as it can.
 *
 * - `uniform` (Kafka's default): every partition of the subscribed topics, spread so that member
 *   counts differ by at most one among members that could take a partition.
 * - `range`: per topic, consecutive partition ranges in member-id order (Kafka's RangeAssignor
 *   rule), for consumers that co-partition topics.
 */

/** topic id → partitions. */
export type Assignment = Map<string, Set<number>>;

export interface AssignorMember {
  memberId: string;
  /** Topic ids the member subscribes to (that exist). */
  topics: ReadonlySet<string>;
  /** What the member has now (kept where possible). */
  current: Assignment;
}

export const ASSIGNORS = ['uniform', 'range'] as const;
export type AssignorName = (typeof ASSIGNORS)[number];

export function assign(name: AssignorName, members: readonly AssignorMember[], partitionCounts: ReadonlyMap<string, number>): Map<string, Assignment> {
  return name === 'range' ? rangeAssign(members, partitionCounts) : uniformAssign(members, partitionCounts);
}

function emptyTargets(members: readonly AssignorMember[]): Map<string, Assignment> {
  return new Map(members.map((m) => [m.memberId, new Map()]));
}

function add(assignment: Assignment, topicId: string, partition: number): void {
  let partitions = assignment.get(topicId);
  if (!partitions) assignment.set(topicId, (partitions = new Set()));
  partitions.add(partition);
}

export function size(assignment: Assignment): number {
  let n = 0;
  for (const partitions of assignment.values()) n += partitions.size;
  return n;
}

function uniformAssign(members: readonly AssignorMember[], partitionCounts: ReadonlyMap<string, number>): Map<string, Assignment> {
  const targets = emptyTargets(members);
  const counts = new Map(members.map((m) => [m.memberId, 0]));
  const byId = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  const topics = [...new Set(members.flatMap((m) => [...m.topics]))].filter((t) => partitionCounts.has(t)).sort();
  const partitions = topics.flatMap((topicId) => Array.from({ length: partitionCounts.get(topicId)! }, (_, partition) => ({ topicId, partition })));
  const candidates = (topicId: string) => byId.filter((m) => m.topics.has(topicId));
  // The most any member should hold: partitions over members, rounded up (members all subscribe
  // alike in the common case; with mixed subscriptions the least-loaded rule below balances).
  const quota = Math.ceil(partitions.length / Math.max(members.length, 1));
  const unassigned: typeof partitions = [];
  // Sticky pass: a partition stays with its current owner while that owner is under quota.
  for (const p of partitions) {
    const owner = byId.find((m) => m.topics.has(p.topicId) && m.current.get(p.topicId)?.has(p.partition));
    if (owner && counts.get(owner.memberId)! < quota) {
      add(targets.get(owner.memberId)!, p.topicId, p.partition);
      counts.set(owner.memberId, counts.get(owner.memberId)! + 1);
    } else {
      unassigned.push(p);
    }
  }
  // The rest go to the least-loaded member that subscribes to the topic.
  for (const p of unassigned) {
    const pool = candidates(p.topicId);
    if (pool.length === 0) continue;
    const least = pool.reduce((best, m) => (counts.get(m.memberId)! < counts.get(best.memberId)! ? m : best));
    add(targets.get(least.memberId)!, p.topicId, p.partition);
    counts.set(least.memberId, counts.get(least.memberId)! + 1);
  }
  return targets;
}

function rangeAssign(members: readonly AssignorMember[], partitionCounts: ReadonlyMap<string, number>): Map<string, Assignment> {
  const targets = emptyTargets(members);
  const topics = [...new Set(members.flatMap((m) => [...m.topics]))].filter((t) => partitionCounts.has(t)).sort();
  for (const topicId of topics) {
    const subscribers = members.filter((m) => m.topics.has(topicId)).map((m) => m.memberId).sort();
    const count = partitionCounts.get(topicId)!;
    const per = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    let next = 0;
    subscribers.forEach((memberId, i) => {
      const n = per + (i < extra ? 1 : 0);
      for (let k = 0; k < n; k++) add(targets.get(memberId)!, topicId, next++);
    });
  }
  return targets;
}
