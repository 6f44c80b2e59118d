import { randomBytes } from 'node:crypto';
import type { BatchToCommit, CommittedBatch } from '../control-plane/data-plane/commit.ts';
import type { RecordBatchView } from '../kafka-protocol/index.ts';
import type { ObjectStore } from '../objects/object-store.ts';
import type { ControlPlaneClient } from './control-plane-client.ts';
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

export interface WritePathOptions {
  controlPlane: ControlPlaneClient;
  objectStore: ObjectStore;
  virtualClusterId: string;
  /** How long the first batch of a flush waits for others (WarpStream's default: 250 ms). */
  flushIntervalMs: number;
  /** A flush starts early once this many bytes are buffered (WarpStream: 8 MiB). */
  flushBytes: number;
  metrics: AgentMetrics;
  onError(error: unknown, message: string): void;
}

/**
 * The agent's write path. Batches from every connection and partition are buffered together;
 * a flush writes them as ONE object (the batches byte for byte, as the producers sent them), then
 * asks the control plane to commit them, which assigns the offsets. Producers are answered only
 * after the commit: an acknowledged batch is in the object store and in the index.
 *
 * Uploads of consecutive flushes may overlap, but commits happen strictly in flush order, so a
 * partition's batches get offsets in the order they arrived.
 */
export class WritePath {
  private readonly options: WritePathOptions;
  private buffer: Pending[] = [];
  private bufferedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private commitChain: Promise<unknown> = Promise.resolve();
  private readonly prefix: string;
  private sequence = 0;
  private closed = false;

  constructor(options: WritePathOptions) {
    this.options = options;
    this.prefix = `clusters/${options.virtualClusterId}/batches/${randomBytes(4).toString('hex')}`;
  }

  /** Buffers one partition's batches; resolves once they are committed (or refused). */
  append(append: PartitionAppend): Promise<PartitionResult> {
    if (this.closed) return Promise.resolve({ errorCode: KafkaError.NOT_LEADER_OR_FOLLOWER, baseOffset: -1, logStartOffset: -1 });
    return new Promise((resolve) => {
      this.buffer.push({ append, resolve });
      for (const batch of append.batches) this.bufferedBytes += batch.bytes.length;
      if (this.bufferedBytes >= this.options.flushBytes) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.flushIntervalMs);
    });
  }

  /** Starts writing what is buffered now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0) return;
    const pending = this.buffer;
    this.buffer = [];
    this.bufferedBytes = 0;
    const started = performance.now();

    const chunks: Buffer[] = [];
    const batches: BatchToCommit[] = [];
    const owners: number[] = []; // index into `pending` for each batch
    let position = 0;
    pending.forEach((item, owner) => {
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
        });
        owners.push(owner);
        position += batch.bytes.length;
      }
    });
    const key = `${this.prefix}/${Date.now().toString().padStart(15, '0')}-${(this.sequence++).toString().padStart(8, '0')}.kbatch`;
    const upload = this.options.objectStore.put(key, chunks);
    // The chain awaits the upload only once the flushes before it are committed; a put that
    // fails sooner must not count as an unhandled rejection (which would end the process).
    upload.catch(() => undefined);
    const committed = this.commitChain.then(async () => {
      await upload;
      this.options.metrics.objectsWritten++;
      return this.options.controlPlane.commit(this.options.virtualClusterId, key, batches);
    });
    this.commitChain = committed.catch(() => undefined);

    committed.then(
      (results) => {
        this.options.metrics.flushLatencyMs.observe(performance.now() - started);
        this.answer(pending, owners, results);
      },
      (error: unknown) => {
        // Nothing was acknowledged: the producers get a retriable error and will send again.
        this.options.onError(error, 'flush failed');
        // The object is left in place: if the commit did land (an answer lost on the way back),
        // the index points into it. Objects no commit refers to are garbage for a cleanup job.
        for (const item of pending) item.resolve({ errorCode: KafkaError.KAFKA_STORAGE_ERROR, baseOffset: -1, logStartOffset: -1 });
      },
    );
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
    this.flush();
    this.closed = true;
    await this.commitChain;
  }
}
