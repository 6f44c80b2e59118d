import type { BodyInput } from '../../kafka-protocol/codec.ts';
import type { FetchRequest, FetchResponse } from '../../kafka-protocol/index.ts';
import type { Topic } from '../../model/records.ts';
import type { RequestContext } from '../connection.ts';
import type { AgentContext } from '../context.ts';
import type { IsolationLevel } from '../read-path.ts';
import { internalTopic, type InternalTopic } from '../internal-topics.ts';
import { topicIdFromUuid, topicUuid } from '../../agent-rpc/contract.ts';
import { KafkaError } from '../kafka-errors.ts';
import type { AclDecider } from '../acl.ts';
import { checkOf, serveAllowed, splitByAcls, type Authorization } from '../authorize.ts';

type PartitionAnswer = BodyInput<FetchResponse['responses'][number]['partitions'][number]>;

/** Fetch answers longer waits than this with what it has (a client's max_wait_ms is a wish). */
const MAX_WAIT_MS = 30_000;
const EMPTY = Buffer.alloc(0);
const COMMIT_POLL_MS = 250;

/**
 * Fetch: whole batches from the fetch offset on, at least one batch even over the byte limits;
 * read_committed fetches stop at the last stable offset and name the aborted transactions in
 * what they return.
 * When there is less than `minBytes`, the request long-polls: a commit to one of its partitions
 * made through this process wakes it at once (a notification); commits by other processes are
 * seen by looking again every COMMIT_POLL_MS; at `maxWaitMs` it answers what there is.
 * Fetch sessions are not kept: every answer says session 0, so clients send full requests.
 */
export async function handleFetch(agent: AgentContext, request: FetchRequest, context: RequestContext): Promise<BodyInput<FetchResponse>> {
  const started = performance.now();
  // v13+ name topics by id only.
  const wanted: Array<{ name: string; topicId: string; topic: Topic | undefined; internal: InternalTopic | undefined; partitions: FetchRequest['topics'][number]['partitions'] }> = [];
  const topics = context.apiVersion >= 13 ? await agent.controlPlane.listTopics(agent.cluster.id) : [];
  for (const t of request.topics) {
    const topic =
      context.apiVersion >= 13
        ? topics.find((candidate) => candidate.id === topicIdFromUuid(t.topicId))
        : await agent.controlPlane.getTopic(agent.cluster.id, t.topic);
    const internal = topic ? undefined : internalTopic(context.apiVersion >= 13 ? { topicId: t.topicId } : { name: t.topic });
    wanted.push({ name: topic?.name ?? internal?.name ?? t.topic, topicId: t.topicId, topic, internal, partitions: t.partitions });
  }

  const isolation: IsolationLevel = request.isolationLevel === 1 ? 'read_committed' : 'read_uncommitted';
  const deadline = Date.now() + Math.min(Math.max(request.maxWaitMs, 0), MAX_WAIT_MS);
  for (;;) {
    let total = 0;
    let budget = request.maxBytes > 0 ? request.maxBytes : Number.MAX_SAFE_INTEGER;
    const responses = [];
    for (const entry of wanted) {
      const partitions: PartitionAnswer[] = [];
      for (const p of entry.partitions) {
        if (entry.internal && p.partition >= 0 && p.partition < entry.internal.partitionCount) {
          // Kafka's internal topics hold nothing here (internal-topics.ts): an empty log.
          const errorCode = p.fetchOffset === 0n ? KafkaError.NONE : KafkaError.OFFSET_OUT_OF_RANGE;
          partitions.push({ partitionIndex: p.partition, errorCode, highWatermark: 0n, lastStableOffset: 0n, logStartOffset: 0n, records: EMPTY });
          continue;
        }
        if (!entry.topic || p.partition < 0 || p.partition >= entry.topic.partition_count) {
          const errorCode = context.apiVersion >= 13 && !entry.topic ? KafkaError.UNKNOWN_TOPIC_ID : KafkaError.UNKNOWN_TOPIC_OR_PARTITION;
          partitions.push({ partitionIndex: p.partition, errorCode, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, records: EMPTY });
          continue;
        }
        // Once the request's byte budget is spent, later partitions report their offsets only.
        // The very first batch goes out even over the limits (Kafka's rule: a big batch never
        // blocks a consumer); ReadPath.read always returns at least one batch.
        const limit = Math.min(p.partitionMaxBytes, budget);
        const read =
          limit > 0 || total === 0
            ? await agent.readPath.read(entry.topic.id, p.partition, Number(p.fetchOffset), Math.max(limit, 1), isolation)
            : await agent.readPath.offsetsOnly(entry.topic.id, p.partition, Number(p.fetchOffset));
        total += read.bytes;
        budget -= read.bytes;
        partitions.push({
          partitionIndex: p.partition,
          errorCode: read.errorCode,
          highWatermark: BigInt(read.highWatermark),
          lastStableOffset: BigInt(read.lastStableOffset),
          logStartOffset: BigInt(read.logStartOffset),
          // read_committed consumers drop these producers' batches in these ranges (their ABORT markers end them).
          abortedTransactions: read.abortedTransactions.map((a) => ({ producerId: BigInt(a.producer_id), firstOffset: BigInt(a.first_offset) })),
          preferredReadReplica: -1,
          // Kafka sends an empty record set, never null: librdkafka refuses a null one.
          records: read.records ?? EMPTY,
        });
      }
      responses.push({ topic: entry.name, topicId: entry.topic ? topicUuid(entry.topic) : (entry.internal?.topicId ?? entry.topicId), partitions });
    }

    const remaining = deadline - Date.now();
    if (total >= Math.max(request.minBytes, 1) || remaining <= 0 || context.signal.aborted) {
      agent.metrics.fetchBytes += total;
      agent.metrics.fetchLatencyMs.observe(performance.now() - started);
      return { throttleTimeMs: 0, errorCode: KafkaError.NONE, sessionId: 0, responses };
    }
    const watched = wanted.flatMap((entry) => (entry.topic ? entry.partitions.map((p) => ({ topicId: entry.topic!.id, partition: p.partition })) : []));
    // Commits made by this process wake the wait at once; commits by other processes sharing
    // the store (standalone agents) are seen by looking again every COMMIT_POLL_MS.
    await agent.readPath.waitForCommit(watched, Math.min(remaining, COMMIT_POLL_MS), context.signal);
  }
}

const READ = checkOf('Fetch', 'topic', 'always');

/** Fetch under ACLs: READ on each topic; a topic id that names no topic goes on to the handler's UNKNOWN_TOPIC_ID. */
export async function authorizeFetch(acls: AclDecider, request: FetchRequest, context: RequestContext, agent: AgentContext): Promise<Authorization<FetchRequest>> {
  const byId = context.apiVersion >= 13;
  const topics = byId ? await agent.controlPlane.listTopics(agent.cluster.id) : [];
  const split = splitByAcls(request.topics, (t) => {
    const name = byId ? topics.find((c) => c.id === topicIdFromUuid(t.topicId))?.name : t.topic;
    if (name === undefined || acls.allows(READ, name)) return undefined;
    return {
      topic: name, topicId: t.topicId,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partition, errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n,
        abortedTransactions: null, preferredReadReplica: -1, records: EMPTY,
      })),
    };
  });
  return serveAllowed(request, split, (topics) => ({ ...request, topics }), 'responses', { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [] });
}
