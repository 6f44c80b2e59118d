import { validateBatches, withLogAppendTime, RecordBatchError, type ProduceRequest, type ProduceResponse } from '../../kafka-protocol/index.ts';
import type { BodyInput } from '../../kafka-protocol/codec.ts';
import type { AgentContext } from '../context.ts';
import type { RequestContext } from '../connection.ts';
import { ApiError } from '../../errors.ts';
import { KafkaError } from '../kafka-errors.ts';
import { autoCreateTopic } from './topics.ts';
import type { PartitionAppend, PartitionResult } from '../write-path.ts';
import type { AclDecider } from '../acl.ts';
import { checkOf, serveAllowed, type Authorization, type Split } from '../authorize.ts';

/** Kafka's default `max.message.bytes` (1 MiB plus the record-batch overhead). */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

type PartitionAnswer = BodyInput<ProduceResponse['responses'][number]['partitionResponses'][number]>;

/**
 * Produce: every batch is checked (magic 2, sizes, CRC-32C, the topic's `max.message.bytes`)
 * and handed to the write path untouched (transactional batches too: the commit checks that
 * the partition is in the producer's open transaction) — except on a topic with
 * `message.timestamp.type=LogAppendTime`, where the batch header gets the append time, as Kafka
 * does, and the answer names it. The answer waits for the commit. With acks=0 nothing is
 * answered at all.
 */
export async function handleProduce(agent: AgentContext, request: ProduceRequest, context: RequestContext): Promise<BodyInput<ProduceResponse> | null> {
  const started = performance.now();
  if (request.acks !== 0 && request.acks !== 1 && request.acks !== -1) {
    return {
      responses: request.topicData.map((topic) => ({
        name: topic.name,
        partitionResponses: topic.partitionData.map((p) => refused(p.index, KafkaError.INVALID_REQUIRED_ACKS, `acks must be -1, 0 or 1`)),
      })),
    };
  }
  let records = 0;
  let bytes = 0;
  // Checked first, all partitions at once (topic lookups are RPCs); handed to the write path
  // after, in this connection's request order (context.appendTurn), partition by partition in
  // request order: the write path keeps that order into the log.
  type Prepared = PartitionAnswer | { append: PartitionAppend; appendTime: bigint };
  const prepare = async (): Promise<Array<{ name: string; partitions: Prepared[] }>> =>
    Promise.all(request.topicData.map(async (topicData) => {
      // A producer that skipped Metadata still gets the topic created, as the cluster allows.
      const topic = (await agent.controlPlane.getTopic(agent.cluster.id, topicData.name)) ?? (await autoCreate(agent, topicData.name));
      const maxMessageBytes = Number(topic?.configs['max.message.bytes'] ?? DEFAULT_MAX_MESSAGE_BYTES);
      const partitions = topicData.partitionData.map((partitionData): Prepared => {
        if (!topic || partitionData.index < 0 || partitionData.index >= topic.partition_count) {
          return refused(partitionData.index, KafkaError.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic or partition ${topicData.name}-${partitionData.index}`);
        }
        const batches = validateBatches(partitionData.records ?? Buffer.alloc(0), { fromProducer: true });
        if (batches instanceof RecordBatchError) return refused(partitionData.index, batches.errorCode, batches.message);
        if (batches.length === 0) return refused(partitionData.index, KafkaError.CORRUPT_MESSAGE, 'no record batch in the request');
        const tooLarge = batches.find((batch) => batch.bytes.length > maxMessageBytes);
        if (tooLarge) {
          return refused(partitionData.index, KafkaError.MESSAGE_TOO_LARGE, `a batch of ${tooLarge.bytes.length} bytes exceeds max.message.bytes ${maxMessageBytes}`);
        }
        // The batches are views into the request frame: keep a copy that outlives it.
        const appendTime = topic.configs['message.timestamp.type'] === 'LogAppendTime' ? BigInt(Date.now()) : -1n;
        const owned = batches.map((batch) => (appendTime >= 0n ? withLogAppendTime(batch, appendTime) : { ...batch, bytes: Buffer.from(batch.bytes) }));
        return { append: { topicId: topic.id, partition: partitionData.index, batches: owned }, appendTime };
      });
      return { name: topicData.name, partitions };
    }));
  const work = (async () => {
    let prepared: Awaited<ReturnType<typeof prepare>>;
    try {
      prepared = await prepare();
      await context.appendTurn?.ready;
    } catch (error) {
      context.appendTurn?.release();
      throw error;
    }
    // Every append of this request, synchronously, before the next request may append.
    const answers = prepared.map(({ name, partitions }) => ({
      name,
      partitionResponses: partitions.map(async (item): Promise<PartitionAnswer> => {
        if (!('append' in item)) return item;
        const result: PartitionResult = await agent.writePath.append(item.append);
        if (result.errorCode === KafkaError.NONE) {
          for (const batch of item.append.batches) {
            records += batch.recordsCount;
            bytes += batch.bytes.length;
          }
        }
        return {
          index: item.append.partition,
          errorCode: result.errorCode,
          baseOffset: BigInt(result.baseOffset),
          logAppendTimeMs: result.errorCode === KafkaError.NONE ? item.appendTime : -1n,
          logStartOffset: BigInt(result.logStartOffset),
        };
      }),
    }));
    context.appendTurn?.release();
    return Promise.all(answers.map(async ({ name, partitionResponses }) => ({ name, partitionResponses: await Promise.all(partitionResponses) })));
  })();
  const account = () => {
    agent.metrics.produceRecords += records;
    agent.metrics.produceBytes += bytes;
    agent.metrics.produceLatencyMs.observe(performance.now() - started);
  };
  if (request.acks === 0) {
    // Nothing is answered, so nothing may wait: later responses on this connection go out now.
    work.then(account, (error: unknown) => agent.log.warn({ err: error, clientId: context.clientId }, 'acks=0 produce failed'));
    return null;
  }
  const responses = await work;
  account();
  return { responses };
}

async function autoCreate(agent: AgentContext, name: string) {
  try {
    return await autoCreateTopic(agent, name);
  } catch (error) {
    if (error instanceof ApiError) return undefined; // not a valid topic: answered as unknown
    throw error;
  }
}

function refused(index: number, errorCode: number, errorMessage: string): PartitionAnswer {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, errorMessage };
}

const TRANSACTIONAL = checkOf('Produce', 'transactional-id', 'transactional');
const WRITE = checkOf('Produce', 'topic', 'always');
const AUTO_CREATE = checkOf('Produce', 'topic', 'auto-create');

/**
 * Produce under ACLs: a transactional id the principal may not write refuses every topic; else
 * each topic needs WRITE, and CREATE too when it does not exist yet (it would be auto-created).
 */
export async function authorizeProduce(acls: AclDecider, request: ProduceRequest, _context: RequestContext, agent: AgentContext): Promise<Authorization<ProduceRequest>> {
  const transactionDenied = request.transactionalId !== null && !acls.allows(TRANSACTIONAL, request.transactionalId);
  const errorCode = transactionDenied ? KafkaError.TRANSACTIONAL_ID_AUTHORIZATION_FAILED : KafkaError.TOPIC_AUTHORIZATION_FAILED;
  const split: Split<ProduceRequest['topicData'][number]> = { allowed: [], refusals: [] };
  for (const topic of request.topicData) {
    let ok = !transactionDenied && acls.allows(WRITE, topic.name);
    if (ok && !(await agent.controlPlane.getTopic(agent.cluster.id, topic.name))) ok = acls.allows(AUTO_CREATE, topic.name);
    if (ok) split.allowed.push(topic);
    else {
      split.refusals.push({
        name: topic.name,
        partitionResponses: topic.partitionData.map((p) => ({
          index: p.index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage: null,
        })),
      });
    }
  }
  const decided = serveAllowed(request, split, (topicData) => ({ ...request, topicData }), 'responses', { throttleTimeMs: 0, responses: [] });
  // acks=0: nothing is answered, refusals included.
  if (request.acks !== 0 || split.refusals.length === 0) return decided;
  return 'answer' in decided ? { answer: null } : { request: decided.request, narrow: () => null };
}
