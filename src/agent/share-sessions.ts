/**
 * Share sessions (KIP-932): what an agent remembers of a share consumer between its ShareFetch
 * requests — the partitions it reads, so a request names only those it adds or forgets — and
 * the session epoch that orders its requests. One session per (group, member) on this agent;
 * the records a member holds are the control plane's (ShareApi), not the session's.
 *
 * - epoch 0 opens a session (replacing the member's previous one, whose records are released);
 * - then each request carries the next epoch (1, 2, …, wrapping to 1), which the session checks;
 * - epoch -1 closes it after its acknowledgements: the records still held are released.
 *
 * A session also ends with the connection that opened it (Kafka ties the two): a client that
 * gave up on a fetch and closed its connection starts again at epoch 0.
 */
import { KafkaError } from './kafka-errors.ts';

export interface SharePartitionId {
  /** The topic's UUID, as the wire carries it. */
  topicId: string;
  partition: number;
}

export interface ShareSession {
  groupId: string;
  memberId: string;
  /** The epoch the next request must carry. */
  nextEpoch: number;
  /** The partitions read, by `topicId:partition`, in the order they were added. */
  partitions: Map<string, SharePartitionId>;
  /** Ends the session when its connection closes. */
  detach: () => void;
}

/** At most this many sessions per agent (Kafka's group.share.max.share.sessions default). */
export const MAX_SHARE_SESSIONS = 2000;

const keyOf = (groupId: string, memberId: string) => `${groupId}\u0000${memberId}`;
export const partitionKey = (p: SharePartitionId) => `${p.topicId}:${p.partition}`;

export class ShareSessions {
  private readonly sessions = new Map<string, ShareSession>();
  /** Called with a session that ended other than by epoch -1 (replaced, or its connection closed). */
  private readonly onEnd: (session: ShareSession) => void;

  constructor(onEnd: (session: ShareSession) => void) {
    this.onEnd = onEnd;
  }

  get size(): number {
    return this.sessions.size;
  }

  /**
   * The session a request with `epoch` continues, or opens (epoch 0), or the error answering it.
   * A session request (epoch ≥ 0) moves the epoch on; epoch -1 is for the caller to `close`.
   */
  begin(groupId: string, memberId: string, epoch: number, signal: AbortSignal): ShareSession | { errorCode: number } {
    const key = keyOf(groupId, memberId);
    const existing = this.sessions.get(key);
    if (epoch === 0) {
      if (existing) this.end(existing);
      else if (this.sessions.size >= MAX_SHARE_SESSIONS) return { errorCode: KafkaError.SHARE_SESSION_LIMIT_REACHED };
      const session: ShareSession = { groupId, memberId, nextEpoch: 1, partitions: new Map(), detach: () => undefined };
      const closed = () => {
        if (this.sessions.get(key) === session) this.end(session);
      };
      signal.addEventListener('abort', closed, { once: true });
      session.detach = () => signal.removeEventListener('abort', closed);
      this.sessions.set(key, session);
      return session;
    }
    if (!existing) return { errorCode: KafkaError.SHARE_SESSION_NOT_FOUND };
    if (epoch === -1) return existing;
    if (epoch !== existing.nextEpoch) return { errorCode: KafkaError.INVALID_SHARE_SESSION_EPOCH };
    existing.nextEpoch = existing.nextEpoch === 0x7fffffff ? 1 : existing.nextEpoch + 1;
    return existing;
  }

  /** Ends a session by the client's epoch -1: the caller releases what it still holds. */
  close(session: ShareSession): void {
    session.detach();
    if (this.sessions.get(keyOf(session.groupId, session.memberId)) === session) this.sessions.delete(keyOf(session.groupId, session.memberId));
  }

  /** Ends every session (the agent stops). */
  clear(): void {
    for (const session of [...this.sessions.values()]) this.end(session);
  }

  private end(session: ShareSession): void {
    this.close(session);
    this.onEnd(session);
  }
}
