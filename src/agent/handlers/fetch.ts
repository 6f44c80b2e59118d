import type { BodyInput } from '../../kafka-protocol/codec.ts';
import type { FetchRequest, FetchResponse } from '../../kafka-protocol/index.ts';
import type { Topic } from '../../model/records.ts';
import type { RequestContext } from '../connection.ts';
import type { AgentContext } from '../context.ts';
import type { IsolationLevel } from '../read-path.ts';
import { internalTopic, type InternalTopic } from '../../model/internal-topics.ts';
import { FetchSessions, type WantedPartition } from '../fetch-sessions.ts';
import { topicIdFromUuid, topicUuid, NO_TOPIC_UUID } from '../../agent-rpc/contract.ts';
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
 * what they return. Incremental fetch sessions (KIP-227, fetch-sessions.ts) keep the
 * partitions between requests: a session's request names only what changed, and its answer
 * only partitions with news.
 * When there is less than `minBytes`, the request long-polls: a commit to one of its partitions
 * made through this process wakes it at once (a notification); commits by other processes are
 * seen by looking again every COMMIT_POLL_MS; at `maxWaitMs` it answers what there is.
 */
export async function handleFetch(agent: AgentContext, request: FetchRequest, context: RequestContext): Promise<BodyInput<FetchResponse>> {
  const started = performance.now();
  const fetch = agent.fetchSessions.begin(request, context.apiVersion);
  if (!('sessionId' in fetch)) return { throttleTimeMs: 0, errorCode: fetch.errorCode, sessionId: 0, responses: [] };

  // The partitions to read, grouped by topic in first-seen order. v13+ name topics by id only.
  const byId = context.apiVersion >= 13;
  const topics = byId ? await agent.controlPlane.listTopics(agent.cluster.id) : [];
  const wanted = new Map<string, { name: string; topicId: string; topic: Topic | undefined; internal: InternalTopic | undefined; partitions: WantedPartition[] }>();
  for (const item of fetch.partitions) {
    let entry = wanted.get(item.topic);
    if (!entry) {
      const topic = byId ? topics.find((candidate) => candidate.id === topicIdFromUuid(item.topic)) : await agent.controlPlane.getTopic(agent.cluster.id, item.topic);
      const internal = topic ? undefined : internalTopic(byId ? { topicId: item.topic } : { name: item.topic });
      entry = { name: topic?.name ?? internal?.name ?? (byId ? '' : item.topic), topicId: byId ? item.topic : NO_TOPIC_UUID, topic, internal, partitions: [] };
      wanted.set(item.topic, entry);
    }
    entry.partitions.push(item);
  }

  const isolation: IsolationLevel = request.isolationLevel === 1 ? 'read_committed' : 'read_uncommitted';
  const deadline = Date.now() + Math.min(Math.max(request.maxWaitMs, 0), MAX_WAIT_MS);
  for (;;) {
    let total = 0;
    let budget = request.maxBytes > 0 ? request.maxBytes : Number.MAX_SAFE_INTEGER;
    const answered: Array<{ entry: typeof wanted extends Map<string, infer E> ? E : never; partitions: Array<{ item: WantedPartition; answer: PartitionAnswer }> }> = [];
    for (const entry of wanted.values()) {
      const partitions: Array<{ item: WantedPartition; answer: PartitionAnswer }> = [];
      for (const item of entry.partitions) {
        const p = item.partition;
        const answer = (partition: PartitionAnswer) => partitions.push({ item, answer: partition });
        if (entry.internal && p.partition >= 0 && p.partition < entry.internal.partitionCount) {
          // Kafka's internal topics hold nothing here (model/internal-topics.ts): an empty log.
          const errorCode = p.fetchOffset === 0n ? KafkaError.NONE : KafkaError.OFFSET_OUT_OF_RANGE;
          answer({ partitionIndex: p.partition, errorCode, highWatermark: 0n, lastStableOffset: 0n, logStartOffset: 0n, records: EMPTY });
          continue;
        }
        if (!entry.topic || p.partition < 0 || p.partition >= entry.topic.partition_count) {
          const errorCode = byId && !entry.topic ? KafkaError.UNKNOWN_TOPIC_ID : KafkaError.UNKNOWN_TOPIC_OR_PARTITION;
          answer({ partitionIndex: p.partition, errorCode, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, records: EMPTY });
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
        answer({
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
      answered.push({ entry, partitions });
    }

    const remaining = deadline - Date.now();
    if (total >= Math.max(request.minBytes, 1) || remaining <= 0 || context.signal.aborted) {
      agent.metrics.fetchBytes += total;
      agent.metrics.fetchLatencyMs.observe(performance.now() - started);
      const session = fetch.session;
      const responses = answered
        .map(({ entry, partitions }) => ({
          topic: entry.name,
          topicId: entry.topic ? topicUuid(entry.topic) : (entry.internal?.topicId ?? entry.topicId),
          partitions: partitions
            .filter(({ item, answer }) => !fetch.incremental || !session || FetchSessions.news(session, item, answer as SessionAnswer))
            .map(({ item, answer }) => {
              if (session) FetchSessions.sent(session, item, answer as SessionAnswer);
              return answer;
            }),
        }))
        .filter((topic) => !fetch.incremental || topic.partitions.length > 0);
      return { throttleTimeMs: 0, errorCode: KafkaError.NONE, sessionId: fetch.sessionId, responses };
    }
    const watched = [...wanted.values()].flatMap((entry) => (entry.topic ? entry.partitions.map((p) => ({ topicId: entry.topic!.id, partition: p.partition.partition })) : []));
    // Commits made by this process wake the wait at once; commits by other processes sharing
    // the store (standalone agents) are seen by looking again every COMMIT_POLL_MS.
    await agent.readPath.waitForCommit(watched, Math.min(remaining, COMMIT_POLL_MS), context.signal);
  }
}

/** The fields of a partition's answer a session compares (always set in the answers above). */
type SessionAnswer = { errorCode: number; records: Buffer | null; highWatermark: bigint; lastStableOffset: bigint; logStartOffset: bigint };

const READ = checkOf('Fetch', 'topic', 'always');

/**
 * Fetch under ACLs: READ on each topic; a topic id that names no topic goes on to the handler's
 * UNKNOWN_TOPIC_ID. Under ACLs no fetch session is kept (a broker may decline them): every
 * partition of every request is then checked, and a revoked ACL takes effect at the next fetch.
 * A session made before ACLs applied is gone (FETCH_SESSION_ID_NOT_FOUND), a new one is not made.
 */
export async function authorizeFetch(acls: AclDecider, request: FetchRequest, context: RequestContext, agent: AgentContext): Promise<Authorization<FetchRequest>> {
  if (context.apiVersion >= 7 && request.sessionId !== 0) {
    if (request.sessionEpoch !== -1) return { answer: { throttleTimeMs: 0, errorCode: KafkaError.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] } };
  }
  request = { ...request, sessionId: 0, sessionEpoch: -1 };
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
