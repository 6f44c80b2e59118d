/**
 * The "consumer" embedded protocol (ConsumerProtocolSubscription / ConsumerProtocolAssignment):
 * what Kafka consumers put in JoinGroup metadata and SyncGroup assignments. The coordinator
 * treats both as opaque bytes except to learn which topics a consumer group subscribes to
 * (OffsetDelete refuses those), and the monitoring API decodes assignments to show them.
 *
 * Both are non-flexible structs behind an int16 version. Newer versions only append fields, so
 * reading the leading fields works for every version (Kafka's own parser does the same).
 */
import { Reader } from '../../kafka-protocol/reader.ts';
import { Writer } from '../../kafka-protocol/writer.ts';

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

/** The topics of a subscription; throws a ProtocolError when the bytes are not one. */
export function decodeSubscriptionTopics(metadata: Buffer): string[] {
  const reader = new Reader(metadata);
  reader.readInt16(); // version: every version starts with Topics
  return reader.readArray((r) => r.readString());
}

/** A subscription as a consumer would send it (version 0 unless asked: topics and user data). */
export function encodeSubscription(topics: readonly string[], userData: Buffer | null = null): Buffer {
  return new Writer()
    .writeInt16(0)
    .writeArray(topics, (w, topic) => w.writeString(topic))
    .writeNullableBytes(userData)
    .toBuffer();
}

/** The partitions of an assignment; throws a ProtocolError when the bytes are not one. */
export function decodeAssignment(assignment: Buffer): TopicPartitions[] {
  const reader = new Reader(assignment);
  reader.readInt16();
  return reader.readArray((r) => ({ topic: r.readString(), partitions: r.readArray((p) => p.readInt32()) }));
}

/** An assignment as a group leader would send it (version 0, no user data unless given). */
export function encodeAssignment(assigned: readonly TopicPartitions[], userData: Buffer | null = null): Buffer {
  return new Writer()
    .writeInt16(0)
    .writeArray(assigned, (w, tp) => w.writeString(tp.topic).writeArray(tp.partitions, (p, n) => p.writeInt32(n)))
    .writeNullableBytes(userData)
    .toBuffer();
}
