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
 * gave up on a fetch and closed its connection starts again at epoch 0. An ended session's
 * records are released at once, not at their locks' expiry.
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
  /** Gives back what an ended session's member still holds on its partitions. */
  private readonly release: (session: ShareSession) => Promise<void>;
  /** Releases under way, by (group, member): the member's next session waits for its last one's. */
  private readonly ending = new Map<string, Promise<void>>();

  constructor(release: (session: ShareSession) => Promise<void>) {
    this.release = release;
  }

  /**
   * The session a request with `epoch` continues, or opens (epoch 0), or the error answering it.
   * A session request (epoch ≥ 0) moves the epoch on; epoch -1 is for the caller to `close`.
   * A new session starts only once the member's previous one has given its records back, so a
   * late release never takes away what the new session acquires.
   */
  async begin(groupId: string, memberId: string, epoch: number, signal: AbortSignal): Promise<ShareSession | { errorCode: number }> {
    const key = keyOf(groupId, memberId);
    const existing = this.sessions.get(key);
    if (epoch === 0) {
      if (existing) await this.close(existing);
      else if (this.sessions.size >= MAX_SHARE_SESSIONS) return { errorCode: KafkaError.SHARE_SESSION_LIMIT_REACHED };
      await this.ending.get(key);
      const session: ShareSession = { groupId, memberId, nextEpoch: 1, partitions: new Map(), detach: () => undefined };
      const closed = () => {
        if (this.sessions.get(key) !== session) return;
        const released = this.close(session).finally(() => {
          if (this.ending.get(key) === released) this.ending.delete(key);
        });
        this.ending.set(key, released);
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

  /** Ends a session (the client's epoch -1, a replacement, its connection closing) and releases what its member still holds. */
  async close(session: ShareSession): Promise<void> {
    session.detach();
    const key = keyOf(session.groupId, session.memberId);
    if (this.sessions.get(key) !== session) return;
    this.sessions.delete(key);
    await this.release(session);
  }
}
