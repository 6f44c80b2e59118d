import type { Logger } from 'pino';
import type { ControlPlaneClient } from '../../agent-rpc/contract.ts';
import type { ObjectStore } from '../../objects/object-store.ts';
import { KeyCompactor } from './key-compaction.ts';
import { mergeSmallObjects } from './merge.ts';
import { deleteReleasedObjects } from './object-deletion.ts';
import { OrphanSweeper } from './orphans.ts';

/** The lease every jobs agent of a cluster competes for: one of them runs the jobs at a time. */
export const JOBS_LEASE = 'jobs';

export interface JobsOptions {
  controlPlane: ControlPlaneClient;
  objectStore: ObjectStore;
  virtualClusterId: string;
  /** This agent's id in the registry (the lease holder's name). */
  agentId: () => string | undefined;
  log: Logger;
  /** How often the lease is renewed and the due jobs run (default 2 s; well inside the lease's 10 s). */
  intervalMs?: number;
  /** Retention and the soft-delete purge run at most this often (default 30 s). */
  retentionIntervalMs?: number;
  /** Compaction (merging small objects, key compaction) runs at most this often (default 10 s). */
  compactionIntervalMs?: number;
  /** Objects younger than this are not merged (default 5 s: the tail consumers are reading them). */
  compactionMinAgeMs?: number;
  /** The bucket is swept for orphans (uploaded, never committed) at most this often (default 5 min). */
  orphanIntervalMs?: number;
  /** An object unknown to the control plane for this long is an orphan and deleted (default 1 h). */
  orphanAgeMs?: number;
}

export interface JobsCounters {
  runs: number;
  retention_partitions: number;
  objects_deleted: number;
  objects_merged: number;
  objects_written: number;
  compacted_partitions: number;
  orphans_deleted: number;
  transactions_aborted: number;
  errors: number;
}

/**
 * The `jobs` role: retention, the soft-delete purge, deleting released objects, compaction
 * (by size and by key) and aborting transactions past their timeouts, for the agent's cluster. Every jobs agent runs this loop, but only the
 * holder of the cluster's lease does the work: the lease (renewed every tick, 10 s long, in the
 * control plane) makes sure one agent at a time does, and a killed holder's lease runs out so
 * another agent takes over within seconds. Each job is safe to repeat and safe beside the write
 * path and readers (the control plane's side keeps it so), so a holder that loses its lease in
 * the middle of one does no harm.
 */
export class JobsRunner {
  readonly counters: JobsCounters = { runs: 0, retention_partitions: 0, objects_deleted: 0, objects_merged: 0, objects_written: 0, compacted_partitions: 0, orphans_deleted: 0, transactions_aborted: 0, errors: 0 };
  private readonly options: Required<Omit<JobsOptions, 'log'>> & { log: Logger };
  private readonly compactor: KeyCompactor;
  private readonly orphans: OrphanSweeper;
  private lastOrphanSweep = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private holding = false;
  private lastRetention = 0;
  private lastCompaction = 0;

  constructor(options: JobsOptions) {
    this.options = {
      intervalMs: 2_000,
      retentionIntervalMs: 30_000,
      compactionIntervalMs: 2_000,
      compactionMinAgeMs: 5_000,
      orphanIntervalMs: 5 * 60_000,
      orphanAgeMs: 60 * 60_000,
      ...options,
    };
    this.compactor = new KeyCompactor(options.controlPlane, options.objectStore, options.virtualClusterId);
    this.orphans = new OrphanSweeper(options.controlPlane, options.objectStore, options.virtualClusterId, this.options.orphanAgeMs);
  }

  /** Whether this agent held the jobs lease at its last tick. */
  get isLeader(): boolean {
    return this.holding;
  }

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    const agentId = this.options.agentId();
    if (this.holding && agentId) {
      // Handing over at once instead of letting the lease run out.
      await this.options.controlPlane.releaseJobLease(this.options.virtualClusterId, JOBS_LEASE, agentId).catch(() => undefined);
    }
    this.holding = false;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
        this.schedule(this.options.intervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  /** One round: renew (or try to take) the lease; when held, run what is due. */
  async tick(now = Date.now()): Promise<void> {
    const { controlPlane, virtualClusterId, log } = this.options;
    const agentId = this.options.agentId();
    if (!agentId) return;
    try {
      const lease = await controlPlane.acquireJobLease(virtualClusterId, JOBS_LEASE, agentId);
      if (lease.acquired !== this.holding) log.info({ agent_id: agentId, holder: lease.holder }, lease.acquired ? 'took the jobs lease' : 'lost the jobs lease');
      this.holding = lease.acquired;
    } catch (error) {
      // Not knowing is not holding: another agent may have the lease by now.
      this.holding = false;
      this.counters.errors++;
      log.warn({ err: error }, 'could not renew the jobs lease');
      return;
    }
    if (!this.holding) return;
    this.counters.runs++;
    // Every tick: a transaction whose producer died holds back read_committed consumers until aborted.
    await this.step('transaction timeouts', async () => {
      const aborted = await controlPlane.abortExpiredTransactions(virtualClusterId);
      this.counters.transactions_aborted += aborted;
      if (aborted > 0) log.info({ transactions: aborted }, 'aborted transactions past their timeouts');
    });
    await this.step('object deletion', async () => {
      this.counters.objects_deleted += await deleteReleasedObjects(controlPlane, this.options.objectStore, virtualClusterId);
    });
    if (now - this.lastRetention >= this.options.retentionIntervalMs) {
      this.lastRetention = now;
      await this.step('retention', async () => {
        const result = await controlPlane.applyRetention(virtualClusterId);
        this.counters.retention_partitions += result.partitions.length;
        if (result.partitions.length > 0) log.info({ partitions: result.partitions.length, released_objects: result.released_object_keys.length }, 'retention advanced log starts');
      });
      await this.step('soft-delete purge', async () => {
        const purged = await controlPlane.purgeSoftDeletedTopics(virtualClusterId);
        if (purged.purged.length > 0) log.info({ topics: purged.purged.map((t) => t.name) }, 'purged soft-deleted topics');
      });
    }
    if (now - this.lastCompaction >= this.options.compactionIntervalMs) {
      this.lastCompaction = now;
      await this.step('compaction', async () => {
        const merged = await mergeSmallObjects(controlPlane, this.options.objectStore, virtualClusterId, { minAgeMs: this.options.compactionMinAgeMs, maxGroups: 1, scanLimit: 64 });
        this.counters.objects_merged += merged.replaced;
        this.counters.objects_written += merged.objects;
      });
      await this.step('key compaction', async () => {
        this.counters.compacted_partitions += (await this.compactor.run()).partitions;
      });
    }
    await this.orphanSweep(now);
  }

  private async orphanSweep(now: number): Promise<void> {
    if (now - this.lastOrphanSweep < this.options.orphanIntervalMs) return;
    this.lastOrphanSweep = now;
    await this.step('orphan sweep', async () => {
      this.counters.orphans_deleted += await this.orphans.sweep(now);
    });
  }

  private async step(name: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      this.counters.errors++;
      this.options.log.warn({ err: error, job: name }, 'job failed; it runs again at the next tick');
    }
  }
}
