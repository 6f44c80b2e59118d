import { EventEmitter } from 'node:events';
import type { BatchToCommit, CommittedBatch } from './contract.ts';

/**
 * Wakes the readers waiting on a partition (long-polling fetches) when a commit touched it:
 * `ControlPlaneClient.onCommit` for both implementations.
 */
export class CommitSignals {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every waiting fetch subscribes; thousands of them are normal, not a leak.
    this.emitter.setMaxListeners(0);
  }

  /** Signals the partitions whose batches committed. */
  committed(batches: readonly BatchToCommit[], results: readonly CommittedBatch[]): void {
    const touched = new Set<string>();
    batches.forEach((batch, i) => {
      if (results[i]?.error_code === 0) touched.add(`${batch.topic_id}/${batch.partition}`);
    });
    for (const key of touched) this.emitter.emit(key);
  }

  /** Signals partitions written by other means than a commit (transaction markers). */
  touched(partitions: ReadonlyArray<{ topic_id: string; partition: number }>): void {
    for (const key of new Set(partitions.map((p) => `${p.topic_id}/${p.partition}`))) this.emitter.emit(key);
  }

  on(topicId: string, partition: number, listener: () => void): () => void {
    const key = `${topicId}/${partition}`;
    this.emitter.on(key, listener);
    return () => this.emitter.off(key, listener);
  }

  clear(): void {
    this.emitter.removeAllListeners();
  }
}
