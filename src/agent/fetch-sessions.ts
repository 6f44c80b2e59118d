import { randomInt } from 'node:crypto';
import type { FetchRequest } from '../kafka-protocol/index.ts';
import { KafkaError } from './kafka-errors.ts';

/**
 * Incremental fetch sessions (KIP-227), as Kafka's FetchSessionCache keeps them. A consumer
 * fetching many partitions sends them all once (epoch 0) and gets a session id; after that
 * each request names only the partitions whose fetch offset or size changed, plus those to
 * forget, and each answer names only the partitions with something new (records, an error, or a
 * moved high watermark, last stable offset or log start). The session is this agent's, in
 * memory: a client whose session is gone (agent restarted, evicted) is told
 * FETCH_SESSION_ID_NOT_FOUND and starts a new one with a full request, as it would with Kafka.
 *
 *   session id 0, epoch -1   sessionless full fetch (no session made)
 *   session id *, epoch 0    full fetch that makes a new session (answered with its id); a
 *                            session id given is closed first (clients reset a session so)
 *   session id S, epoch N>0  incremental fetch of session S; N must be the session's next epoch
 *   session id S, epoch -1   closes session S; the request is a sessionless full fetch
 */

/** Kafka's max.incremental.fetch.session.cache.slots. */
const MAX_SESSIONS = 1_000;
/** Kafka's min.incremental.fetch.session.eviction.ms: an idle session older than this may go. */
const IDLE_EVICTION_MS = 120_000;
const FINAL_EPOCH = -1;
const INITIAL_EPOCH = 0;

export type FetchPartition = FetchRequest['topics'][number]['partitions'][number];

/** One partition of a fetch, under the topic the request names it by (the name before v13, the id after). */
export interface WantedPartition {
  /** The topic as the request names it: its name (v0-12) or its id (v13+). */
  topic: string;
  partition: FetchPartition;
}

/** What a partition's last answer said, to tell whether the next one has news. */
interface Sent {
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
}

interface Session {
  id: number;
  /** The epoch the next incremental request must carry. */
  nextEpoch: number;
  /** Topics named by id (v13+) or by name: a session serves requests of its own kind only. */
  byId: boolean;
  partitions: Map<string, WantedPartition>;
  sent: Map<string, Sent>;
  usedAt: number;
}

/** What a fetch request asks for once its session is applied. */
export type SessionFetch =
  | { errorCode: number }
  | {
      errorCode: typeof KafkaError.NONE;
      /** The id the answer carries (0: no session). */
      sessionId: number;
      /** Every partition to read, in the session's order. */
      partitions: WantedPartition[];
      /** Incremental: only partitions with news are answered (`news`); their answers are recorded with `sent`. */
      incremental: boolean;
      session: Session | undefined;
    };

const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class FetchSessions {
  private readonly sessions = new Map<number, Session>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Applies the request to its session (making, updating or closing one) and says what to read. */
  begin(request: FetchRequest, apiVersion: number): SessionFetch {
    const byId = apiVersion >= 13;
    const named = (topics: FetchRequest['topics']) =>
      topics.flatMap((t) => t.partitions.map((partition) => ({ topic: byId ? t.topicId : t.topic, partition })));
    // v0-6 have no sessions.
    if (apiVersion < 7 || (request.sessionId === 0 && request.sessionEpoch === FINAL_EPOCH)) {
      return { errorCode: KafkaError.NONE, sessionId: 0, partitions: named(request.topics), incremental: false, session: undefined };
    }
    if (request.sessionEpoch === INITIAL_EPOCH) {
      // As Kafka: a full request with a session id replaces that session (franz-go resets its
      // session this way after a partition is added, removed or re-seeked).
      if (request.sessionId !== 0) this.sessions.delete(request.sessionId);
      const session = this.create(byId, named(request.topics));
      return { errorCode: KafkaError.NONE, sessionId: session?.id ?? 0, partitions: named(request.topics), incremental: false, session };
    }
    if (request.sessionId === 0) return { errorCode: KafkaError.INVALID_FETCH_SESSION_EPOCH };
    const session = this.sessions.get(request.sessionId);
    if (request.sessionEpoch === FINAL_EPOCH) {
      this.sessions.delete(request.sessionId);
      return { errorCode: KafkaError.NONE, sessionId: 0, partitions: named(request.topics), incremental: false, session: undefined };
    }
    if (!session || session.byId !== byId) return { errorCode: KafkaError.FETCH_SESSION_ID_NOT_FOUND };
    if (request.sessionEpoch !== session.nextEpoch) return { errorCode: KafkaError.INVALID_FETCH_SESSION_EPOCH };
    session.nextEpoch = session.nextEpoch === 2 ** 31 - 1 ? 1 : session.nextEpoch + 1;
    session.usedAt = this.now();
    // Most recently used last, for eviction.
    this.sessions.delete(session.id);
    this.sessions.set(session.id, session);
    for (const wanted of named(request.topics)) session.partitions.set(keyOf(wanted.topic, wanted.partition.partition), wanted);
    for (const forgotten of request.forgottenTopicsData) {
      const topic = byId ? forgotten.topicId : forgotten.topic;
      for (const partition of forgotten.partitions) {
        session.partitions.delete(keyOf(topic, partition));
        session.sent.delete(keyOf(topic, partition));
      }
    }
    return { errorCode: KafkaError.NONE, sessionId: session.id, partitions: [...session.partitions.values()], incremental: true, session };
  }

  /** Whether an answer for the partition has news for an incremental fetch of the session. */
  static news(session: Session, wanted: WantedPartition, answer: { errorCode: number; records: Buffer | null } & Sent): boolean {
    if (answer.errorCode !== KafkaError.NONE || (answer.records !== null && answer.records.length > 0)) return true;
    const last = session.sent.get(keyOf(wanted.topic, wanted.partition.partition));
    return !last || last.highWatermark !== answer.highWatermark || last.lastStableOffset !== answer.lastStableOffset || last.logStartOffset !== answer.logStartOffset;
  }

  /** Records what an answer told the client of a partition of the session. */
  static sent(session: Session, wanted: WantedPartition, answer: Sent): void {
    session.sent.set(keyOf(wanted.topic, wanted.partition.partition), {
      highWatermark: answer.highWatermark, lastStableOffset: answer.lastStableOffset, logStartOffset: answer.logStartOffset,
    });
  }

  /** A new session, or none when the cache is full of sessions still in use (the client then fetches without one). */
  private create(byId: boolean, partitions: WantedPartition[]): Session | undefined {
    const now = this.now();
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.values().next().value!;
      if (now - oldest.usedAt < IDLE_EVICTION_MS) return undefined;
      this.sessions.delete(oldest.id);
    }
    let id: number;
    do id = randomInt(1, 2 ** 31 - 1); while (this.sessions.has(id));
    const session: Session = {
      id, nextEpoch: 1, byId, usedAt: now, sent: new Map(),
      partitions: new Map(partitions.map((p) => [keyOf(p.topic, p.partition.partition), p])),
    };
    this.sessions.set(id, session);
    return session;
  }
}
