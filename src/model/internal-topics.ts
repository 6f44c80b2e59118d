/**
 * Kafka's internal topics, as Metadata lists them (`is_internal`): `__consumer_offsets` and
 * `__transaction_state`. Slipstream keeps group offsets and transaction state in the control
 * plane, not in topics, so these have no data; they are listed because clients expect them —
 * regex subscribers and admin tools skip topics flagged internal, and franz-go's tests look for
 * `__consumer_offsets` — and they read as empty partitions (Fetch, ListOffsets) rather than as
 * unknown topics. Their partition counts are Kafka's defaults (offsets.topic.num.partitions,
 * transaction.state.log.num.partitions).
 */
export interface InternalTopic {
  name: string;
  /** A fixed topic id (a UUID no real topic gets: theirs are random). */
  topicId: string;
  partitionCount: number;
}

export const INTERNAL_TOPICS: readonly InternalTopic[] = [
  { name: '__consumer_offsets', topicId: '00000000-0000-0000-0000-00000000c0f5', partitionCount: 50 },
  { name: '__transaction_state', topicId: '00000000-0000-0000-0000-0000000074c5', partitionCount: 50 },
];

export function internalTopic(nameOrId: { name?: string | null; topicId?: string }): InternalTopic | undefined {
  return INTERNAL_TOPICS.find((t) => (nameOrId.name != null ? t.name === nameOrId.name : t.topicId === nameOrId.topicId));
}
