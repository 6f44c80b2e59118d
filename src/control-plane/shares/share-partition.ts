/**
 * One share-partition of a share group (KIP-932): which records of one topic partition the
 * group's consumers have been handed, free of I/O. Kafka's SharePartition, reduced to its rules:
 *
 * - the share-partition start offset (SPSO): every record before it is done with;
 * - the in-flight window [SPSO, end): each record in it is `available` (to be handed out again),
 *   `acquired` by one member under a time lock, `acknowledged` or `archived` (rejected, a gap, or
 *   released after `share.delivery.count.limit` deliveries);
 * - acquiring takes available records of the window first, then extends the window into the log
 *   up to the high watermark, at most MAX_IN_FLIGHT records wide (Kafka's
 *   group.share.partition.max.record.locks), so a stuck record bounds the work in flight;
 * - the window's front moves past records as they become acknowledged or archived.
 *
 * Locks expire lazily: every call first releases the acquired records whose lock ran out, so
 * no timer is needed and the state is exactly what the stored JSON says.
 */

import type { InFlightRange, ShareRecordState as RecordState } from '../../model/records.ts';

/** The acknowledgement types of ShareFetch/ShareAcknowledge (Kafka's AcknowledgeType, 0 is a gap). */
export const AcknowledgeType = { GAP: 0, ACCEPT: 1, RELEASE: 2, REJECT: 3, RENEW: 4 } as const;

/** Kafka's group.share.partition.max.record.locks default. */
export const MAX_IN_FLIGHT = 2000;

interface InFlightRecord {
  state: RecordState;
  deliveryCount: number;
  /** The member holding an acquired record; null otherwise. */
  memberId: string | null;
  /** Epoch ms when an acquired record's lock runs out. */
  lockedUntil: number;
}

/** The stored form: the start offset and the window as ranges. */
export interface SharePartitionSnapshot {
  start_offset: number;
  end_offset: number;
  in_flight: InFlightRange[];
}

/** Records handed to a member, as ShareFetch's AcquiredRecords. */
export interface AcquiredRange {
  firstOffset: number;
  lastOffset: number;
  deliveryCount: number;
}

export interface AcknowledgementBatch {
  firstOffset: number;
  lastOffset: number;
  /** One type for the whole batch, or one per offset. */
  acknowledgeTypes: readonly number[];
}

/** The group's rules and the time, for every call that may change records' states. */
export interface ShareRules {
  /** share.record.lock.duration.ms */
  lockDurationMs: number;
  /** share.delivery.count.limit */
  deliveryCountLimit: number;
  now: number;
}

export interface AcquireRequest {
  memberId: string;
  maxRecords: number;
  /** The log's start and high watermark now (what exists to be read). */
  logStartOffset: number;
  highWatermark: number;
}

/** Why an acknowledgement was refused (the partition's AcknowledgeErrorCode). */
export type AcknowledgeRefusal = 'invalid-request' | 'invalid-record-state';

export class SharePartition {
  private start: number;
  private end: number;
  /** Every offset of [start, end). */
  private readonly records = new Map<number, InFlightRecord>();
  private changes = 0;

  constructor(startOffset: number) {
    this.start = startOffset;
    this.end = startOffset;
  }

  static restore(snapshot: SharePartitionSnapshot): SharePartition {
    const partition = new SharePartition(snapshot.start_offset);
    partition.end = snapshot.end_offset;
    for (const r of snapshot.in_flight) {
      for (let o = r.first; o <= r.last; o++) {
        partition.records.set(o, { state: r.state, deliveryCount: r.delivery_count, memberId: r.member_id, lockedUntil: r.locked_until });
      }
    }
    return partition;
  }

  get startOffset(): number {
    return this.start;
  }

  /** Moves on with every change of state: the caller stores the partition only when it moved. */
  get revision(): number {
    return this.changes;
  }

  /** Records of the window that are done with (acknowledged or archived): Lag leaves them out. */
  get finishedInWindow(): number {
    let n = 0;
    for (const r of this.records.values()) if (r.state === 'acknowledged' || r.state === 'archived') n++;
    return n;
  }

  snapshot(): SharePartitionSnapshot {
    const ranges: InFlightRange[] = [];
    for (let o = this.start; o < this.end; o++) {
      const r = this.records.get(o)!;
      const last = ranges.at(-1);
      if (last && last.last === o - 1 && last.state === r.state && last.delivery_count === r.deliveryCount && last.member_id === r.memberId && last.locked_until === r.lockedUntil) {
        last.last = o;
      } else {
        ranges.push({ first: o, last: o, state: r.state, delivery_count: r.deliveryCount, member_id: r.memberId, locked_until: r.lockedUntil });
      }
    }
    return { start_offset: this.start, end_offset: this.end, in_flight: ranges };
  }

  /** Hands the member up to `maxRecords` records: released ones first, then new ones from the log. */
  acquire(request: AcquireRequest, rules: ShareRules): AcquiredRange[] {
    this.expireLocks(rules);
    this.skipTo(request.logStartOffset);
    const acquired: number[] = [];
    const take = (o: number, r: InFlightRecord) => {
      this.changes++;
      r.state = 'acquired';
      r.deliveryCount++;
      r.memberId = request.memberId;
      r.lockedUntil = rules.now + rules.lockDurationMs;
      acquired.push(o);
    };
    for (let o = this.start; o < this.end && acquired.length < request.maxRecords; o++) {
      const r = this.records.get(o)!;
      if (r.state === 'available') take(o, r);
    }
    while (acquired.length < request.maxRecords && this.end < request.highWatermark && this.end - this.start < MAX_IN_FLIGHT) {
      const r: InFlightRecord = { state: 'available', deliveryCount: 0, memberId: null, lockedUntil: 0 };
      this.records.set(this.end, r);
      take(this.end, r);
      this.end++;
    }
    const ranges: AcquiredRange[] = [];
    for (const o of acquired) {
      const dc = this.records.get(o)!.deliveryCount;
      const last = ranges.at(-1);
      if (last && last.lastOffset === o - 1 && last.deliveryCount === dc) last.lastOffset = o;
      else ranges.push({ firstOffset: o, lastOffset: o, deliveryCount: dc });
    }
    return ranges;
  }

  /**
   * Applies a member's acknowledgements, all or nothing: every offset named must be acquired by
   * this member (and its lock not run out), batches in ascending order without overlap.
   */
  acknowledge(memberId: string, batches: readonly AcknowledgementBatch[], rules: ShareRules): AcknowledgeRefusal | undefined {
    this.expireLocks(rules);
    let previousLast = -1;
    for (const b of batches) {
      const count = b.lastOffset - b.firstOffset + 1;
      if (b.firstOffset < 0 || count < 1 || b.firstOffset <= previousLast) return 'invalid-request';
      if (b.acknowledgeTypes.length !== 1 && b.acknowledgeTypes.length !== count) return 'invalid-request';
      if (b.acknowledgeTypes.some((t) => !Number.isInteger(t) || t < AcknowledgeType.GAP || t > AcknowledgeType.RENEW)) return 'invalid-request';
      previousLast = b.lastOffset;
      for (let o = b.firstOffset; o <= b.lastOffset; o++) {
        const r = this.records.get(o);
        if (!r || r.state !== 'acquired' || r.memberId !== memberId) return 'invalid-record-state';
      }
    }
    for (const b of batches) {
      for (let o = b.firstOffset; o <= b.lastOffset; o++) {
        this.changes++;
        const type = b.acknowledgeTypes.length === 1 ? b.acknowledgeTypes[0]! : b.acknowledgeTypes[o - b.firstOffset]!;
        const r = this.records.get(o)!;
        switch (type) {
          case AcknowledgeType.ACCEPT:
            this.finish(r, 'acknowledged');
            break;
          case AcknowledgeType.RELEASE:
            this.release(r, rules);
            break;
          case AcknowledgeType.RENEW:
            r.lockedUntil = rules.now + rules.lockDurationMs;
            break;
          default: // a gap (no record at that offset) or a rejection
            this.finish(r, 'archived');
        }
      }
    }
    this.advance();
    return undefined;
  }

  /** Releases every record the member holds (its session closed, or it left the group); answers how many. */
  releaseMember(memberId: string, rules: ShareRules): number {
    let n = 0;
    for (const r of this.records.values()) {
      if (r.state === 'acquired' && r.memberId === memberId) {
        this.release(r, rules);
        n++;
      }
    }
    this.advance();
    return n;
  }

  /** Releases the records whose lock ran out (their member took too long). */
  expireLocks(rules: ShareRules): void {
    for (const r of this.records.values()) if (r.state === 'acquired' && r.lockedUntil <= rules.now) this.release(r, rules);
    this.advance();
  }

  /** Starts over at `startOffset` with an empty window (AlterShareGroupOffsets, on a group without members). */
  resetTo(startOffset: number): void {
    this.changes++;
    this.records.clear();
    this.start = startOffset;
    this.end = startOffset;
  }

  /** The log's start moved past the window's (retention, DeleteRecords): what is gone is done with. */
  private skipTo(logStartOffset: number): void {
    if (logStartOffset <= this.start) return;
    this.changes++;
    for (let o = this.start; o < Math.min(this.end, logStartOffset); o++) this.records.delete(o);
    this.start = logStartOffset;
    this.end = Math.max(this.end, logStartOffset);
  }

  private release(r: InFlightRecord, rules: ShareRules): void {
    this.changes++;
    if (r.deliveryCount >= rules.deliveryCountLimit) {
      this.finish(r, 'archived');
    } else {
      r.state = 'available';
      r.memberId = null;
      r.lockedUntil = 0;
    }
  }

  private finish(r: InFlightRecord, state: 'acknowledged' | 'archived'): void {
    r.state = state;
    r.memberId = null;
    r.lockedUntil = 0;
  }

  /** Moves the start past the done records at the window's front. */
  private advance(): void {
    while (this.start < this.end) {
      const r = this.records.get(this.start)!;
      if (r.state !== 'acknowledged' && r.state !== 'archived') break;
      this.records.delete(this.start);
      this.start++;
    }
  }
}
