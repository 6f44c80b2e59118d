import { randomBytes } from 'node:crypto';
import type { RecordBatchView } from '../kafka-protocol/index.ts';
import type { ObjectStore } from '../objects/object-store.ts';
import type { BatchToCommit, CommittedBatch, ControlPlaneClient } from '../agent-rpc/contract.ts';
import { KafkaError } from './kafka-errors.ts';
import type { AgentMetrics } from './metrics.ts';

export interface PartitionAppend {
  topicId: string;
  partition: number;
  batches: RecordBatchView[];
}

export interface PartitionResult {
  errorCode: number;
  baseOffset: number;
  logStartOffset: number;
}

interface Pending {
  append: PartitionAppend;
  resolve(result: PartitionResult): void;
}

interface Flush {
  key: string;
  batches: BatchToCommit[];
  uploaded: boolean;
  /** Why the upload failed (set once `uploaded`). */
  error: unknown;
  committed: PromiseWithResolvers<CommittedBatch[]>;
}

export interface WritePathOptions {
  controlPlane: ControlPlaneClient;
  objectStore: ObjectStore;
  virtualClusterId: string;
  /** How long the first batch of a flush waits for others (WarpStream's default: 250 ms). */
  flushIntervalMs: number;
  /** A flush starts early once this many bytes are buffered (WarpStream: 8 MiB). */
  flushBytes: number;
  /** Uploads that may overlap (default 4); beyond that, batches buffer into the next object. */
  maxFlushesInFlight?: number;
  metrics: AgentMetrics;
  onError(error: unknown, message: string): void;
}

/**
 * The agent's write path. Batches from every connection and partition are buffered together;
 * a flush writes them as ONE object (the batches byte for byte, as the producers sent them), then
 * asks the control plane to commit them, which assigns the offsets. Producers are answered only
 * after the commit: an acknowledged batch is in the object store and in the index.
 *
 * Uploads of consecutive flushes overlap (an object store's latency, an fsync's, is hidden that
 * way), but at most `maxFlushesInFlight` of them: while that many are in flight, batches keep
 * buffering, and the next free slot writes everything buffered as one object — so a slow store
 * makes objects bigger instead of queueing flushes without bound. Commits happen strictly in
 * flush order, so a partition's batches get offsets in the order they arrived; objects written
 * by the time the commit before them ends are committed together, in one metadata transaction.
 */
export class WritePath {
  private readonly options: WritePathOptions;
  private readonly maxFlushesInFlight: number;
  private buffer: Pending[] = [];
  private bufferedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  /** The flush of the buffer is due (interval, size or caller) but every slot is taken. */
  private flushWanted = false;
  /** Flushes in flush order, from the oldest not yet committed. */
  private commitQueue: Flush[] = [];
  private committing = false;
  private idle: PromiseWithResolvers<void> | undefined;
  private readonly prefix: string;
  private sequence = 0;
  private closed = false;

  constructor(options: WritePathOptions) {
    this.options = options;
    this.maxFlushesInFlight = options.maxFlushesInFlight ?? 4;
    if (!Number.isInteger(this.maxFlushesInFlight) || this.maxFlushesInFlight < 1) {
      throw new Error(`maxFlushesInFlight must be a positive integer, got ${options.maxFlushesInFlight}`);
    }
    this.prefix = `clusters/${options.virtualClusterId}/batches/${randomBytes(4).toString('hex')}`;
  }

  /** Buffers one partition's batches; resolves once they are committed (or refused). */
  append(append: PartitionAppend): Promise<PartitionResult> {
    if (this.closed) return Promise.resolve({ errorCode: KafkaError.NOT_LEADER_OR_FOLLOWER, baseOffset: -1, logStartOffset: -1 });
    return new Promise((resolve) => {
      this.buffer.push({ append, resolve });
      for (const batch of append.batches) this.bufferedBytes += batch.bytes.length;
      if (this.bufferedBytes >= this.options.flushBytes) this.flush();
      else if (!this.flushWanted) this.timer ??= setTimeout(() => this.flush(), this.options.flushIntervalMs);
    });
  }

  /** Starts writing what is buffered now, or as soon as a flush in flight has ended. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.buffer.length > 0) {
      if (this.inFlight >= this.maxFlushesInFlight) {
        this.flushWanted = true;
        return;
      }
      this.inFlight++;
      void this.write(this.take()).finally(() => this.flushEnded());
    }
    this.flushWanted = false;
  }

  private flushEnded(): void {
    this.inFlight--;
    if (this.buffer.length > 0) {
      // What waited for a free slot has waited at least as long as the interval asks.
      if (this.flushWanted || this.bufferedBytes >= this.options.flushBytes) this.flush();
    } else if (this.inFlight === 0) {
      this.idle?.resolve();
      this.idle = undefined;
    }
  }

  /** Takes the buffered appends for one object: all of them, up to flushBytes (at least one). */
  private take(): Pending[] {
    let bytes = 0;
    let count = 0;
    while (count < this.buffer.length && (count === 0 || bytes < this.options.flushBytes)) {
      for (const batch of this.buffer[count]!.append.batches) bytes += batch.bytes.length;
      count++;
    }
    const pending = count === this.buffer.length ? this.buffer : this.buffer.slice(0, count);
    this.buffer = count === this.buffer.length ? [] : this.buffer.slice(count);
    this.bufferedBytes -= bytes;
    return pending;
  }

  private async write(pending: Pending[]): Promise<void> {
    const started = performance.now();
    const chunks: Buffer[] = [];
    const batches: BatchToCommit[] = [];
    const owners: number[] = []; // index into `pending` for each batch
    let position = 0;
    for (let owner = 0; owner < pending.length; owner++) {
      const item = pending[owner]!;
      for (const batch of item.append.batches) {
        chunks.push(batch.bytes);
        batches.push({
          topic_id: item.append.topicId,
          partition: item.append.partition,
          byte_offset: position,
          byte_length: batch.bytes.length,
          last_offset_delta: batch.lastOffsetDelta,
          max_timestamp: Number(batch.maxTimestamp),
          producer_id: Number(batch.producerId),
          producer_epoch: batch.producerEpoch,
          base_sequence: batch.baseSequence,
          is_transactional: batch.isTransactional,
        });
        owners.push(owner);
        position += batch.bytes.length;
      }
    }
    const key = `${this.prefix}/${Date.now().toString().padStart(15, '0')}-${(this.sequence++).toString().padStart(8, '0')}.kbatch`;
    const flush: Flush = { key, batches, uploaded: false, error: undefined, committed: Promise.withResolvers<CommittedBatch[]>() };
    this.commitQueue.push(flush);
    this.options.objectStore.put(key, chunks).then(
      () => this.uploaded(flush, undefined),
      (error: unknown) => this.uploaded(flush, error ?? new Error('object store put failed')),
    );
    let results: CommittedBatch[];
    try {
      results = await flush.committed.promise;
    } catch (error) {
      // Nothing was acknowledged: every producer in the flush gets a retriable error and sends
      // again. The object is left in place: if the commit did land (an answer lost on the way
      // back), the index points into it. Objects no commit refers to are garbage for a cleanup job.
      this.options.onError(error, 'flush failed');
      for (const item of pending) item.resolve({ errorCode: KafkaError.KAFKA_STORAGE_ERROR, baseOffset: -1, logStartOffset: -1 });
      return;
    }
    this.options.metrics.flushLatencyMs.observe(performance.now() - started);
    this.answer(pending, owners, results);
  }

  private uploaded(flush: Flush, error: unknown): void {
    flush.uploaded = true;
    flush.error = error;
    this.commitNext();
  }

  /**
   * Commits the flushes at the head of the queue whose objects are written, in flush order, all
   * in ONE commit (one metadata transaction and fsync for several objects); a flush whose upload
   * failed is refused on its own. Only one commit is in flight, and a flush is never committed
   * before an earlier one, so offsets follow arrival order.
   */
  private commitNext(): void {
    if (this.committing) return;
    while (this.commitQueue[0]?.uploaded && this.commitQueue[0].error !== undefined) {
      const failed = this.commitQueue.shift()!;
      failed.committed.reject(failed.error);
    }
    let count = 0;
    while (count < this.commitQueue.length && this.commitQueue[count]!.uploaded && this.commitQueue[count]!.error === undefined) count++;
    if (count === 0) return;
    const group = this.commitQueue.splice(0, count);
    this.options.metrics.objectsWritten += group.length;
    const batches = group.length === 1 ? group[0]!.batches : group.flatMap((f) => f.batches.map((b) => ({ ...b, object_key: f.key })));
    this.committing = true;
    // Through an async function: a client that throws instead of rejecting must not wedge the queue.
    (async () => this.options.controlPlane.commit(this.options.virtualClusterId, group[0]!.key, batches))().then(
      (results) => {
        let at = 0;
        for (const flush of group) {
          flush.committed.resolve(results.slice(at, at + flush.batches.length));
          at += flush.batches.length;
        }
      },
      (error: unknown) => {
        for (const flush of group) flush.committed.reject(error);
      },
    ).finally(() => {
      this.committing = false;
      this.commitNext();
    });
  }

  private answer(pending: Pending[], owners: number[], results: CommittedBatch[]): void {
    const answers = pending.map<PartitionResult | undefined>(() => undefined);
    results.forEach((result, i) => {
      const owner = owners[i]!;
      const current = answers[owner];
      // A partition's answer is its first batch's offset, or the first error among its batches.
      if (!current) answers[owner] = { errorCode: result.error_code, baseOffset: result.base_offset, logStartOffset: result.log_start_offset };
      else if (current.errorCode === 0 && result.error_code !== 0) answers[owner] = { ...current, errorCode: result.error_code, baseOffset: -1 };
    });
    pending.forEach((item, i) => item.resolve(answers[i] ?? { errorCode: KafkaError.UNKNOWN_SERVER_ERROR, baseOffset: -1, logStartOffset: -1 }));
  }

  /** Flushes what is buffered and waits for every commit in flight. */
  async close(): Promise<void> {
    this.closed = true;
    this.flush();
    if (this.inFlight === 0) return;
    this.idle ??= Promise.withResolvers<void>();
    await this.idle.promise;
  }
}
