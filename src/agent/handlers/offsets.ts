import type { BodyInput } from '../../kafka-protocol/codec.ts';
import { decodeBatch, RecordBatchError, recordAtTimestamp, recordWithMaxTimestamp, type DecodedBatch, type ListOffsetsRequest, type ListOffsetsResponse, type OffsetForLeaderEpochRequest, type OffsetForLeaderEpochResponse, type RecordPosition } from '../../kafka-protocol/index.ts';
import type { BatchIndexEntry } from '../../model/records.ts';
import type { RequestContext } from '../connection.ts';
import type { AgentContext } from '../context.ts';
import { KafkaError } from '../kafka-errors.ts';
import { internalTopic } from '../../model/internal-topics.ts';
import type { AclDecider } from '../acl.ts';
import { checkOf, serveAllowed, splitByAcls, type Authorization } from '../authorize.ts';

const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;

/**
 * ListOffsets: latest (-1) is the high watermark (read_committed: the last stable offset),
 * earliest (-2) the log start, max timestamp
 * (-3) the record with the largest timestamp; a timestamp the earliest record at or after it.
 * The control plane's index finds the batch (by its max timestamp); the agent reads that one
 * batch and looks at its records, so the answer is precise to the record, as Kafka's is.
 */
export async function handleListOffsets(agent: AgentContext, request: ListOffsetsRequest, context: RequestContext): Promise<BodyInput<ListOffsetsResponse>> {
  const topics = [];
  for (const wanted of request.topics) {
    const topic = await agent.controlPlane.getTopic(agent.cluster.id, wanted.name);
    const partitions = [];
    for (const p of wanted.partitions) {
      const answer = { partitionIndex: p.partitionIndex, errorCode: KafkaError.NONE, oldStyleOffsets: [] as bigint[], timestamp: -1n, offset: -1n, leaderEpoch: 0 };
      const internal = topic ? undefined : internalTopic({ name: wanted.name });
      if (internal && p.partitionIndex >= 0 && p.partitionIndex < internal.partitionCount) {
        // An internal topic's empty log (model/internal-topics.ts): every position is 0.
        partitions.push(context.apiVersion === 0 ? { ...answer, oldStyleOffsets: [0n] } : { ...answer, offset: 0n });
        continue;
      }
      if (!topic || p.partitionIndex < 0 || p.partitionIndex >= topic.partition_count) {
        partitions.push({ ...answer, errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION, leaderEpoch: -1 });
        continue;
      }
      const state = await agent.controlPlane.partitionState(agent.cluster.id, topic.id, p.partitionIndex);
      let offset: number;
      let timestamp = -1;
      // read_committed consumers (isolation level 1, v2+) see the end of the log at the last stable offset.
      if (p.timestamp === LATEST) offset = context.apiVersion >= 2 && request.isolationLevel === 1 ? state.last_stable_offset : state.high_watermark;
      else if (p.timestamp === EARLIEST) offset = state.log_start_offset;
      else if (p.timestamp === MAX_TIMESTAMP) {
        const entry = await agent.controlPlane.findMaxTimestampBatch(agent.cluster.id, topic.id, p.partitionIndex);
        ({ offset, timestamp } = await inBatch(agent, entry, state.log_start_offset, (batch, from) => recordWithMaxTimestamp(batch, from)));
      } else if (p.timestamp < 0n) {
        partitions.push({ ...answer, errorCode: KafkaError.UNSUPPORTED_VERSION });
        continue;
      } else {
        const entry = await agent.controlPlane.findBatchByTimestamp(agent.cluster.id, topic.id, p.partitionIndex, Number(p.timestamp));
        const target = p.timestamp;
        ({ offset, timestamp } = await inBatch(agent, entry, state.log_start_offset, (batch, from) => recordAtTimestamp(batch, target, from)));
      }
      // v0 answers a list of offsets instead of one.
      if (context.apiVersion === 0) partitions.push({ ...answer, oldStyleOffsets: offset >= 0 ? [BigInt(offset)] : [] });
      else partitions.push({ ...answer, offset: BigInt(offset), timestamp: BigInt(timestamp) });
    }
    topics.push({ name: wanted.name, partitions });
  }
  return { throttleTimeMs: 0, topics };
}

/**
 * The record `pick` chooses in the indexed batch `entry` (none: -1), counting only offsets from
 * the log start on. A batch that cannot be decoded (it was accepted, so it never should be) or
 * whose chosen records all lie before the log start answers at the batch's granularity.
 */
async function inBatch(
  agent: AgentContext,
  entry: BatchIndexEntry | undefined,
  logStart: number,
  pick: (batch: DecodedBatch, fromOffset: bigint) => RecordPosition | undefined,
): Promise<{ offset: number; timestamp: number }> {
  if (!entry) return { offset: -1, timestamp: -1 };
  let found: RecordPosition | undefined;
  try {
    found = pick(decodeBatch(await agent.readPath.batch(entry)), BigInt(logStart));
  } catch (error) {
    if (!(error instanceof RecordBatchError)) throw error;
  }
  if (!found) return { offset: Math.max(entry.base_offset, logStart), timestamp: entry.max_timestamp };
  return { offset: Number(found.offset), timestamp: Number(found.timestamp) };
}

const DESCRIBE = checkOf('ListOffsets', 'topic', 'always');

/** ListOffsets under ACLs: DESCRIBE on each topic. */
export function authorizeListOffsets(acls: AclDecider, request: ListOffsetsRequest): Authorization<ListOffsetsRequest> {
  const split = splitByAcls(request.topics, (t) => acls.allows(DESCRIBE, t.name) ? undefined : {
    name: t.name,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED, oldStyleOffsets: [], timestamp: -1n, offset: -1n, leaderEpoch: -1 })),
  });
  return serveAllowed(request, split, (topics) => ({ ...request, topics }), 'topics', { throttleTimeMs: 0, topics: [] });
}

/**
 * The one leader epoch there is. Agents are stateless and every agent leads every partition, so
 * no partition ever changes leader: Metadata and ListOffsets answer epoch 0, and no record is
 * ever truncated by a leader change.
 */
const LEADER_EPOCH = 0;
const UNDEFINED_EPOCH = -1;

/**
 * OffsetForLeaderEpoch (KIP-101/KIP-320): the end offset of a leader epoch, which consumers ask
 * for to check that their position survived a leader change. Epoch 0 ends at the high
 * watermark (the log end: nothing past it is ever acknowledged); a later epoch than the current
 * one is unknown here (UNDEFINED), as Kafka answers. The current-leader fence (v2+) refuses a
 * client that knows a newer epoch (UNKNOWN_LEADER_EPOCH) or an older one (FENCED_LEADER_EPOCH).
 */
export async function handleOffsetForLeaderEpoch(agent: AgentContext, request: OffsetForLeaderEpochRequest): Promise<BodyInput<OffsetForLeaderEpochResponse>> {
  const topics = [];
  for (const wanted of request.topics) {
    const topic = await agent.controlPlane.getTopic(agent.cluster.id, wanted.topic);
    const partitions = [];
    for (const p of wanted.partitions) {
      const answer = { partition: p.partition, errorCode: KafkaError.NONE, leaderEpoch: UNDEFINED_EPOCH, endOffset: -1n };
      if (!topic || p.partition < 0 || p.partition >= topic.partition_count) partitions.push({ ...answer, errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION });
      else if (p.currentLeaderEpoch > LEADER_EPOCH) partitions.push({ ...answer, errorCode: KafkaError.UNKNOWN_LEADER_EPOCH });
      else if (p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch < LEADER_EPOCH) partitions.push({ ...answer, errorCode: KafkaError.FENCED_LEADER_EPOCH });
      else if (p.leaderEpoch < 0 || p.leaderEpoch > LEADER_EPOCH) partitions.push(answer);
      else {
        const state = await agent.controlPlane.partitionState(agent.cluster.id, topic.id, p.partition);
        partitions.push({ ...answer, leaderEpoch: LEADER_EPOCH, endOffset: BigInt(state.high_watermark) });
      }
    }
    topics.push({ topic: wanted.topic, partitions });
  }
  return { throttleTimeMs: 0, topics };
}

const DESCRIBE_FOR_EPOCH = checkOf('OffsetForLeaderEpoch', 'topic', 'always');

/** OffsetForLeaderEpoch under ACLs: DESCRIBE on each topic. */
export function authorizeOffsetForLeaderEpoch(acls: AclDecider, request: OffsetForLeaderEpochRequest): Authorization<OffsetForLeaderEpochRequest> {
  const split = splitByAcls(request.topics, (t) => acls.allows(DESCRIBE_FOR_EPOCH, t.topic) ? undefined : {
    topic: t.topic,
    partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED, leaderEpoch: UNDEFINED_EPOCH, endOffset: -1n })),
  });
  return serveAllowed(request, split, (topics) => ({ ...request, topics }), 'topics', { throttleTimeMs: 0, topics: [] });
}
