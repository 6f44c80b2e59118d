import { writeFileSync } from 'node:fs';
import { cpuSeconds, peakRssMib, rssMib, type Server } from './proc.ts';
import type { Answer, LoadClient } from './load-client.ts';

/**
 * The one workload both systems get from the same client: closed-loop produce (maximum
 * throughput), consume it all back, then open-loop produce at a fraction of that maximum for
 * latency. The server's CPU time is read around each phase, its peak RSS at the end.
 */

export interface ScenarioOptions {
  partitions: number;
  recordBytes: number;
  warmupSeconds: number;
  produceSeconds: number;
  openLoopSeconds: number;
  /** The open-loop rate as a fraction of the closed loop's measured records/s. */
  openLoopFraction: number;
}

export interface LatencyPercentiles {
  count: number;
  ms: Record<string, number | null>;
}

export interface SystemResult {
  produce_mib_s: number;
  consume_mib_s: number;
  produce_p50_ms: number | null;
  produce_p99_ms: number | null;
  produce_p999_ms: number | null;
  e2e_p50_ms: number | null;
  e2e_p99_ms: number | null;
  /** Server CPU time (user + system) over the three phases. */
  cpu_seconds: number;
  produce_cpu_seconds: number;
  consume_cpu_seconds: number;
  open_loop_cpu_seconds: number;
  /** Server CPU seconds per MiB produced (closed loop, warm-up included on both sides). */
  cpu_s_per_produced_mib: number;
  cpu_s_per_consumed_mib: number;
  peak_rss_mib: number;
  rss_at_start_mib: number;
  open_loop: {
    rate_records_s: number;
    rate_mib_s: number;
    achieved_rate_records_s: number;
    sent: number;
    acked: number;
    failed: number;
    received: number;
    late_sends: number;
    max_send_lag_ms: number;
  };
  produce_latency: LatencyPercentiles;
  e2e_latency: LatencyPercentiles;
  closed_loop: Answer;
  consume: Answer;
  timings_s: Record<string, number>;
  /** Slipstream only: its /metrics after the run (totals over all three phases). */
  server_metrics?: Record<string, number>;
}

const MIB = 1024 * 1024;

export async function runScenario(name: string, server: Server, client: LoadClient, o: ScenarioOptions, say: (line: string) => void): Promise<SystemResult> {
  const timings: Record<string, number> = {};
  const timed = async <T>(phase: string, body: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await body();
    } finally {
      timings[phase] = (Date.now() - started) / 1000;
    }
  };
  const rssAtStart = rssMib(server.pid);
  const throughputTopic = `bench-throughput-${Date.now()}`;
  const latencyTopic = `bench-latency-${Date.now()}`;
  await timed('create_topics', async () => {
    await client.send(`create-topic ${throughputTopic} ${o.partitions}`, 120_000);
    await client.send(`create-topic ${latencyTopic} ${o.partitions}`, 120_000);
  });

  let cpu = cpuSeconds(server.pid);
  const closed = await timed('produce', () => client.send(`produce ${throughputTopic} ${o.warmupSeconds} ${o.produceSeconds}`, (o.warmupSeconds + o.produceSeconds + 180) * 1000));
  const produceCpu = cpuSeconds(server.pid) - cpu;
  if (closed.failed > 0) throw new Error(`${name}: ${closed.failed} produce requests failed: ${closed.first_error}`);
  say(`${name}: closed-loop produce ${closed.mib_s.toFixed(1)} MiB/s (${Math.round(closed.records_s)} records/s), server CPU ${produceCpu.toFixed(1)} s`);

  cpu = cpuSeconds(server.pid);
  const consumed = await timed('consume', () => client.send(`consume ${throughputTopic} ${closed.total_acked} 300`, 330_000));
  const consumeCpu = cpuSeconds(server.pid) - cpu;
  if (!consumed.complete) throw new Error(`${name}: consumed ${consumed.records} of ${closed.total_acked} records within 300 s`);
  say(`${name}: consume ${consumed.mib_s.toFixed(1)} MiB/s, server CPU ${consumeCpu.toFixed(1)} s`);

  const rate = Math.max(1, Math.floor(closed.records_s * o.openLoopFraction));
  cpu = cpuSeconds(server.pid);
  const open = await timed('open_loop', () => client.send(`open-loop ${latencyTopic} ${rate} ${o.warmupSeconds} ${o.openLoopSeconds}`, (o.warmupSeconds + o.openLoopSeconds + 180) * 1000));
  const openCpu = cpuSeconds(server.pid) - cpu;
  if (open.failed > 0) throw new Error(`${name}: ${open.failed} open-loop sends failed: ${open.first_error}`);
  const produceMs = open.produce.ms as Record<string, number | null>;
  const e2eMs = open.e2e.ms as Record<string, number | null>;
  say(
    `${name}: open loop at ${rate} records/s: produce p50 ${produceMs.p50?.toFixed(2)} ms, p99 ${produceMs.p99?.toFixed(2)} ms, p99.9 ${produceMs['p99.9']?.toFixed(2)} ms; end-to-end p99 ${e2eMs.p99?.toFixed(2)} ms`,
  );

  const producedMib = (closed.total_acked * o.recordBytes) / MIB;
  return {
    produce_mib_s: closed.mib_s,
    consume_mib_s: consumed.mib_s,
    produce_p50_ms: produceMs.p50 ?? null,
    produce_p99_ms: produceMs.p99 ?? null,
    produce_p999_ms: produceMs['p99.9'] ?? null,
    e2e_p50_ms: e2eMs.p50 ?? null,
    e2e_p99_ms: e2eMs.p99 ?? null,
    cpu_seconds: produceCpu + consumeCpu + openCpu,
    produce_cpu_seconds: produceCpu,
    consume_cpu_seconds: consumeCpu,
    open_loop_cpu_seconds: openCpu,
    cpu_s_per_produced_mib: produceCpu / producedMib,
    cpu_s_per_consumed_mib: consumeCpu / (consumed.bytes / MIB),
    peak_rss_mib: peakRssMib(server.pid),
    rss_at_start_mib: rssAtStart,
    open_loop: {
      rate_records_s: rate,
      rate_mib_s: (rate * o.recordBytes) / MIB,
      achieved_rate_records_s: open.achieved_rate,
      sent: open.sent,
      acked: open.acked,
      failed: open.failed,
      received: open.received,
      late_sends: open.late_sends,
      max_send_lag_ms: open.max_send_lag_ms,
    },
    produce_latency: open.produce as LatencyPercentiles,
    e2e_latency: open.e2e as LatencyPercentiles,
    closed_loop: closed,
    consume: consumed,
    timings_s: timings,
  };
}

/**
 * Totals and means from a Prometheus text page (Slipstream's /metrics): every counter, and each
 * histogram's count and mean in ms. The raw page is kept in `file`.
 */
export async function serverMetrics(url: string, file: string): Promise<Record<string, number>> {
  const text = await (await fetch(url)).text();
  writeFileSync(file, text);
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{[^}]*\})? ([0-9.eE+-]+)$/.exec(line);
    if (match && !line.includes('_bucket')) values.set(match[1]!, Number(match[2]));
  }
  const out: Record<string, number> = {};
  for (const [name, value] of values) {
    if (name.endsWith('_total')) out[name] = value;
    if (name.endsWith('_seconds_count')) {
      const base = name.slice(0, -'_count'.length);
      out[`${base.replace(/_seconds$/, '')}_count`] = value;
      const sum = values.get(`${base}_sum`);
      if (sum !== undefined && value > 0) out[`${base.replace(/_seconds$/, '')}_mean_ms`] = (sum / value) * 1000;
    }
  }
  return out;
}
