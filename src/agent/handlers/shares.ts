import type { BodyInput } from '../../kafka-protocol/codec.ts';
import type {
  ShareAcknowledgeRequest, ShareAcknowledgeResponse, ShareFetchRequest, ShareFetchResponse,
} from '../../kafka-protocol/index.ts';
import { readBatchHeader } from '../../kafka-protocol/index.ts';
import { topicIdFromUuid, type AcquiredRecords, type ShareAcknowledgements, type SharePartitionRef } from '../../agent-rpc/contract.ts';
import type { Topic } from '../../model/records.ts';
import type { RequestContext } from '../connection.ts';
import type { AgentContext } from '../context.ts';
import { KafkaError } from '../kafka-errors.ts';
import { partitionKey, type SharePartitionId, type ShareSession } from '../share-sessions.ts';
import type { AclDecider } from '../acl.ts';
import { checkOf, type Authorization } from '../authorize.ts';

type FetchPartitionAnswer = BodyInput<ShareFetchResponse['responses'][number]['partitions'][number]>;

/** ShareFetch answers longer waits than this with what it has. */
const MAX_WAIT_MS = 30_000;
const COMMIT_POLL_MS = 250;
/** franz-go's and Kafka's default MaxRecords (KIP-1206), for a request that asks for none. */
const DEFAULT_MAX_RECORDS = 500;
/** How much one read of a partition asks for; at least one batch comes back whatever its size. */
const READ_BYTES = 4 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);
const NO_LEADER = { leaderId: -1, leaderEpoch: -1 };

/**
 * ShareFetch (KIP-932): the acknowledgements it carries are settled first, then records are
 * acquired for the member from the session's partitions (control plane: ShareApi) and read. The
 * answer gives each partition the whole batches holding its acquired offsets and the acquired
 * ranges; offsets acquired without a record (transaction markers, compacted keys) the client
 * acknowledges as gaps. With nothing to hand out, the request long-polls like Fetch: a commit
 * to one of its partitions wakes it, and it looks again every COMMIT_POLL_MS until MaxWaitMs.
 */
export async function handleShareFetch(agent: AgentContext, request: ShareFetchRequest, context: RequestContext): Promise<BodyInput<ShareFetchResponse>> {
  const fail = (errorCode: number, errorMessage: string | null = null): BodyInput<ShareFetchResponse> =>
    ({ throttleTimeMs: 0, errorCode, errorMessage, acquisitionLockTimeoutMs: 0, responses: [], nodeEndpoints: [] });
  if (!request.groupId || !request.memberId) return fail(KafkaError.INVALID_REQUEST, 'ShareFetch names its group and member');
  const groupId = request.groupId;
  const memberId = request.memberId;
  const epoch = request.shareSessionEpoch;
  const acks = acknowledgementsOf(request.topics);
  if (epoch === 0 && acks.length > 0) return fail(KafkaError.INVALID_REQUEST, 'a new share session (epoch 0) carries no acknowledgements');
  if (epoch === -1 && request.topics.some((t) => t.partitions.some((p) => p.acknowledgementBatches.length === 0))) {
    return fail(KafkaError.INVALID_REQUEST, 'a closing share session (epoch -1) fetches nothing');
  }
  const session = await agent.shareSessions.begin(groupId, memberId, epoch, context.signal);
  if ('errorCode' in session) return fail(session.errorCode);

  const topics = await agent.controlPlane.listTopics(agent.cluster.id);
  const answers = new Map<string, FetchPartitionAnswer & { topicId: string }>();
  const answerFor = (p: SharePartitionId) => {
    let a = answers.get(partitionKey(p));
    if (!a) {
      a = {
        topicId: p.topicId, partitionIndex: p.partition, errorCode: KafkaError.NONE, errorMessage: null, acknowledgeErrorCode: KafkaError.NONE,
        acknowledgeErrorMessage: null, currentLeader: NO_LEADER, records: EMPTY, acquiredRecords: [],
      };
      answers.set(partitionKey(p), a);
    }
    return a;
  };

  let lockMs = 0;
  if (acks.length > 0) {
    const settled = await settle(agent, topics, groupId, memberId, acks);
    lockMs = settled.lockMs;
    for (const [p, code] of settled.results) answerFor(p).acknowledgeErrorCode = code;
  }
  if (epoch === -1) {
    await agent.shareSessions.close(session);
    return { throttleTimeMs: 0, errorCode: KafkaError.NONE, errorMessage: null, acquisitionLockTimeoutMs: lockMs, responses: grouped(answers), nodeEndpoints: [] };
  }
  for (const t of request.topics) for (const p of t.partitions) session.partitions.set(partitionKey({ topicId: t.topicId, partition: p.partitionIndex }), { topicId: t.topicId, partition: p.partitionIndex });
  for (const t of request.forgottenTopicsData) for (const p of t.partitions) session.partitions.delete(partitionKey({ topicId: t.topicId, partition: p }));

  // KIP-1222 renewals come alone: settle them, fetch nothing.
  if (request.isRenewAck) {
    return { throttleTimeMs: 0, errorCode: KafkaError.NONE, errorMessage: null, acquisitionLockTimeoutMs: lockMs, responses: grouped(answers), nodeEndpoints: [] };
  }

  const readable: Array<{ id: SharePartitionId; topic: Topic }> = [];
  for (const id of session.partitions.values()) {
    const topic = topics.find((t) => t.id === topicIdFromUuid(id.topicId));
    if (!topic || id.partition < 0 || id.partition >= topic.partition_count) {
      answerFor(id).errorCode = topic ? KafkaError.UNKNOWN_TOPIC_OR_PARTITION : KafkaError.UNKNOWN_TOPIC_ID;
      continue;
    }
    readable.push({ id, topic });
  }

  const deadline = Date.now() + Math.min(Math.max(request.maxWaitMs, 0), MAX_WAIT_MS);
  const maxRecords = request.maxRecords > 0 ? request.maxRecords : DEFAULT_MAX_RECORDS;
  for (let round = 0; ; round++) {
    if (readable.length === 0) break;
    const acquired = await agent.controlPlane.shares.acquire(agent.cluster.id, {
      group_id: groupId, member_id: memberId, max_records: maxRecords,
      partitions: readable.map(({ topic, id }) => ({ topic_id: topic.id, partition: id.partition })),
    });
    lockMs = acquired.lock_duration_ms;
    // A member that left while its fetch waited (a consumer closing) gets the empty answer the
    // wait would have ended with; one unknown from the start is refused.
    if (acquired.error_code !== KafkaError.NONE && round > 0) break;
    if (acquired.error_code !== KafkaError.NONE) return fail(acquired.error_code);
    let any = false;
    for (const [i, result] of acquired.partitions.entries()) {
      const { id, topic } = readable[i]!;
      if (result.error_code !== KafkaError.NONE) {
        answerFor(id).errorCode = result.error_code;
        continue;
      }
      if (result.acquired.length === 0) continue;
      any = true;
      const answer = answerFor(id);
      answer.records = await readCovering(agent, topic.id, id.partition, result.acquired);
      answer.acquiredRecords = result.acquired.map((r) => ({ firstOffset: BigInt(r.first_offset), lastOffset: BigInt(r.last_offset), deliveryCount: r.delivery_count }));
      agent.metrics.fetchBytes += answer.records.length;
    }
    const remaining = deadline - Date.now();
    if (any || remaining <= 0 || context.signal.aborted) break;
    await agent.readPath.waitForCommit(readable.map(({ topic, id }) => ({ topicId: topic.id, partition: id.partition })), Math.min(remaining, COMMIT_POLL_MS), context.signal);
  }
  return { throttleTimeMs: 0, errorCode: KafkaError.NONE, errorMessage: null, acquisitionLockTimeoutMs: lockMs, responses: grouped(answers), nodeEndpoints: [] };
}

/** ShareAcknowledge: settles acknowledgements outside a fetch; epoch -1 also ends the session. */
export async function handleShareAcknowledge(agent: AgentContext, request: ShareAcknowledgeRequest, context: RequestContext): Promise<BodyInput<ShareAcknowledgeResponse>> {
  const answer = (errorCode: number, errorMessage: string | null, lockMs: number, responses: ShareAcknowledgeResponse['responses']): BodyInput<ShareAcknowledgeResponse> =>
    ({ throttleTimeMs: 0, errorCode, errorMessage, acquisitionLockTimeoutMs: lockMs, responses, nodeEndpoints: [] });
  if (!request.groupId || !request.memberId) return answer(KafkaError.INVALID_REQUEST, 'ShareAcknowledge names its group and member', 0, []);
  if (request.shareSessionEpoch === 0) return answer(KafkaError.INVALID_SHARE_SESSION_EPOCH, 'acknowledgements need an open share session', 0, []);
  const session = await agent.shareSessions.begin(request.groupId, request.memberId, request.shareSessionEpoch, context.signal);
  if ('errorCode' in session) return answer(session.errorCode, null, 0, []);
  const topics = await agent.controlPlane.listTopics(agent.cluster.id);
  const settled = await settle(agent, topics, request.groupId, request.memberId, acknowledgementsOf(request.topics));
  if (request.shareSessionEpoch === -1) await agent.shareSessions.close(session);
  const byTopic = new Map<string, ShareAcknowledgeResponse['responses'][number]>();
  for (const [p, code] of settled.results) {
    let t = byTopic.get(p.topicId);
    if (!t) byTopic.set(p.topicId, (t = { topicId: p.topicId, partitions: [] }));
    t.partitions.push({ partitionIndex: p.partition, errorCode: code, errorMessage: null, currentLeader: NO_LEADER });
  }
  return answer(KafkaError.NONE, null, settled.lockMs, [...byTopic.values()]);
}

/** The session ended (replaced, its connection closed, or epoch -1): what the member still holds on its partitions goes back. */
export async function releaseSession(agent: Pick<AgentContext, 'controlPlane' | 'cluster'>, session: ShareSession): Promise<void> {
  const topics = await agent.controlPlane.listTopics(agent.cluster.id);
  const partitions: SharePartitionRef[] = [];
  for (const id of session.partitions.values()) {
    const topic = topics.find((t) => t.id === topicIdFromUuid(id.topicId));
    if (topic) partitions.push({ topic_id: topic.id, partition: id.partition });
  }
  if (partitions.length > 0) await agent.controlPlane.shares.release(agent.cluster.id, { group_id: session.groupId, member_id: session.memberId, partitions });
}

interface WireAcks {
  id: SharePartitionId;
  batches: Array<{ firstOffset: bigint; lastOffset: bigint; acknowledgeTypes: number[] }>;
}

function acknowledgementsOf(topics: ReadonlyArray<{ topicId: string; partitions: ReadonlyArray<{ partitionIndex: number; acknowledgementBatches: WireAcks['batches'] }> }>): WireAcks[] {
  return topics.flatMap((t) => t.partitions.filter((p) => p.acknowledgementBatches.length > 0).map((p) => ({ id: { topicId: t.topicId, partition: p.partitionIndex }, batches: p.acknowledgementBatches })));
}

/** Settles acknowledgements; answers each partition's error code (unknown topics: UNKNOWN_TOPIC_ID). */
async function settle(agent: AgentContext, topics: readonly Topic[], groupId: string, memberId: string, acks: readonly WireAcks[]) {
  const results: Array<[SharePartitionId, number]> = [];
  const known: Array<{ id: SharePartitionId; acks: ShareAcknowledgements }> = [];
  for (const a of acks) {
    const topic = topics.find((t) => t.id === topicIdFromUuid(a.id.topicId));
    if (!topic) {
      results.push([a.id, KafkaError.UNKNOWN_TOPIC_ID]);
      continue;
    }
    known.push({
      id: a.id,
      acks: {
        topic_id: topic.id, partition: a.id.partition,
        batches: a.batches.map((b) => ({ first_offset: Number(b.firstOffset), last_offset: Number(b.lastOffset), acknowledge_types: b.acknowledgeTypes })),
      },
    });
  }
  let lockMs = 0;
  if (known.length > 0) {
    const settled = await agent.controlPlane.shares.acknowledge(agent.cluster.id, { group_id: groupId, member_id: memberId, partitions: known.map((k) => k.acks) });
    lockMs = settled.lock_duration_ms;
    for (const [i, k] of known.entries()) results.push([k.id, settled.error_code !== KafkaError.NONE ? settled.error_code : settled.partitions[i]!.error_code]);
  }
  return { results, lockMs };
}

/** The whole batches holding the acquired offsets, each batch once, in offset order. */
async function readCovering(agent: AgentContext, topicId: string, partition: number, ranges: readonly AcquiredRecords[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let next = -1; // the first offset not yet covered by a batch read
  for (const range of ranges) {
    let from = Math.max(range.first_offset, next);
    while (from <= range.last_offset) {
      const read = await agent.readPath.read(topicId, partition, from, READ_BYTES);
      if (read.errorCode !== KafkaError.NONE || !read.records || read.records.length === 0) break;
      let position = 0;
      let last = -1;
      while (position + 61 <= read.records.length) {
        const header = readBatchHeader(read.records, position);
        const end = position + 12 + header.batchLength;
        if (end > read.records.length) break;
        const batchLast = Number(header.baseOffset) + header.lastOffsetDelta;
        if (batchLast >= from) chunks.push(read.records.subarray(position, end));
        last = Math.max(last, batchLast);
        position = end;
      }
      if (last < from) break; // nothing new came back
      next = last + 1;
      from = next;
    }
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

function grouped(answers: Map<string, FetchPartitionAnswer & { topicId: string }>): BodyInput<ShareFetchResponse>['responses'] {
  const byTopic = new Map<string, { topicId: string; partitions: FetchPartitionAnswer[] }>();
  for (const { topicId, ...partition } of answers.values()) {
    let t = byTopic.get(topicId);
    if (!t) byTopic.set(topicId, (t = { topicId, partitions: [] }));
    t.partitions.push(partition);
  }
  return [...byTopic.values()];
}

type ShareRequest = { groupId: string | null; topics: Array<{ topicId: string; partitions: Array<{ partitionIndex: number; acknowledgementBatches: readonly unknown[] }> }> };

/**
 * The ACL step of ShareFetch and ShareAcknowledge: READ on the group, else the whole request is
 * refused; READ on each topic the request adds or acknowledges, else its partitions answer
 * TOPIC_AUTHORIZATION_FAILED (`refusal`) and it does not join the session.
 */
function authorizeShare<Request extends ShareRequest>(api: 'ShareFetch' | 'ShareAcknowledge', refusal: (p: Request['topics'][number]['partitions'][number]) => object) {
  const group = checkOf(api, 'group', 'always');
  const topic = checkOf(api, 'topic', 'always');
  return async (acls: AclDecider, request: Request, _context: RequestContext, agent: AgentContext): Promise<Authorization<Request>> => {
    if (!acls.allows(group, request.groupId ?? '')) {
      return { answer: { throttleTimeMs: 0, errorCode: KafkaError.GROUP_AUTHORIZATION_FAILED, errorMessage: null, acquisitionLockTimeoutMs: 0, responses: [], nodeEndpoints: [] } };
    }
    const refused = await refusedTopics(acls, topic, request.topics.map((t) => t.topicId), agent);
    if (refused.size === 0) return { request };
    return {
      request: { ...request, topics: request.topics.filter((t) => !refused.has(t.topicId)) },
      narrow: (answer) => ({
        ...answer,
        responses: [
          ...answer.responses,
          ...request.topics.filter((t) => refused.has(t.topicId)).map((t) => ({ topicId: t.topicId, partitions: t.partitions.map(refusal) })),
        ],
      }),
    };
  };
}

export const authorizeShareFetch = authorizeShare<ShareFetchRequest>('ShareFetch', (p) => ({
  partitionIndex: p.partitionIndex, errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED, errorMessage: null,
  acknowledgeErrorCode: p.acknowledgementBatches.length > 0 ? KafkaError.TOPIC_AUTHORIZATION_FAILED : KafkaError.NONE, acknowledgeErrorMessage: null,
  currentLeader: NO_LEADER, records: EMPTY, acquiredRecords: [],
}));

export const authorizeShareAcknowledge = authorizeShare<ShareAcknowledgeRequest>('ShareAcknowledge', (p) => ({
  partitionIndex: p.partitionIndex, errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED, errorMessage: null, currentLeader: NO_LEADER,
}));

/** Of these topic ids, those naming a topic the principal may not read (unknown ids go on to the handler). */
async function refusedTopics(acls: AclDecider, check: ReturnType<typeof checkOf>, topicIds: readonly string[], agent: AgentContext): Promise<Set<string>> {
  if (topicIds.length === 0) return new Set();
  const topics = await agent.controlPlane.listTopics(agent.cluster.id);
  return new Set(topicIds.filter((id) => {
    const name = topics.find((t) => t.id === topicIdFromUuid(id))?.name;
    return name !== undefined && !acls.allows(check, name);
  }));
}
