import type { BodyInput } from '../../kafka-protocol/codec.ts';
import type { ListOffsetsRequest, ListOffsetsResponse } from '../../kafka-protocol/index.ts';
import type { RequestContext } from '../connection.ts';
import type { AgentContext } from '../context.ts';
import { KafkaError } from '../kafka-errors.ts';
import type { AclDecider } from '../acl.ts';
import { checkOf, serveAllowed, splitByAcls, type Authorization } from '../authorize.ts';

const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;

/**
 * ListOffsets: latest (-1) is the high watermark, earliest (-2) the log start, max timestamp
 * (-3) the batch with the largest timestamp; a timestamp finds the first batch whose max
 * timestamp is at or after it. Offsets by timestamp are batch-precise: the answer is that batch's
 * first offset (records are never decoded on the agent).
 */
export async function handleListOffsets(agent: AgentContext, request: ListOffsetsRequest, context: RequestContext): Promise<BodyInput<ListOffsetsResponse>> {
  const topics = [];
  for (const wanted of request.topics) {
    const topic = await agent.controlPlane.getTopic(agent.cluster.id, wanted.name);
    const partitions = [];
    for (const p of wanted.partitions) {
      const answer = { partitionIndex: p.partitionIndex, errorCode: KafkaError.NONE, oldStyleOffsets: [] as bigint[], timestamp: -1n, offset: -1n, leaderEpoch: 0 };
      if (!topic || p.partitionIndex < 0 || p.partitionIndex >= topic.partition_count) {
        partitions.push({ ...answer, errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION, leaderEpoch: -1 });
        continue;
      }
      const state = await agent.controlPlane.partitionState(agent.cluster.id, topic.id, p.partitionIndex);
      let offset: number;
      let timestamp = -1;
      if (p.timestamp === LATEST) offset = state.high_watermark;
      else if (p.timestamp === EARLIEST) offset = state.log_start_offset;
      else if (p.timestamp === MAX_TIMESTAMP) {
        const batch = await agent.controlPlane.findMaxTimestampBatch(agent.cluster.id, topic.id, p.partitionIndex);
        offset = batch ? batch.base_offset : -1;
        timestamp = batch ? batch.max_timestamp : -1;
      } else if (p.timestamp < 0n) {
        partitions.push({ ...answer, errorCode: KafkaError.UNSUPPORTED_VERSION });
        continue;
      } else {
        const batch = await agent.controlPlane.findBatchByTimestamp(agent.cluster.id, topic.id, p.partitionIndex, Number(p.timestamp));
        offset = batch ? Math.max(batch.base_offset, state.log_start_offset) : -1;
        timestamp = batch ? batch.max_timestamp : -1;
      }
      // v0 answers a list of offsets instead of one.
      if (context.apiVersion === 0) partitions.push({ ...answer, oldStyleOffsets: offset >= 0 ? [BigInt(offset)] : [] });
      else partitions.push({ ...answer, offset: BigInt(offset), timestamp: BigInt(timestamp) });
    }
    topics.push({ name: wanted.name, partitions });
  }
  return { throttleTimeMs: 0, topics };
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
