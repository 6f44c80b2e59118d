import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SystemResult } from './scenario.ts';
import type { ScalingResult } from './scaling.ts';

/** The results file's shape (bench/results/latest.json). */
export interface Results {
  generated_at: string;
  quick: boolean;
  machine: Record<string, unknown>;
  settings: Record<string, unknown>;
  slipstream: SystemResult | null;
  /** Slipstream with its agent reaching the control plane over the HTTP RPC (as agents on other machines do). */
  slipstream_rpc: SystemResult | null;
  /** Closed-loop produce through 1 and 3 agent processes behind one control plane. */
  scaling: ScalingResult | null;
  kafka: SystemResult | null;
  kafka_page_cache: SystemResult | null;
  limit: Record<string, number> | null;
  management: Record<string, any> | null;
  targets: Record<string, unknown>;
  timings_s: Record<string, number>;
  errors: string[];
}

const SYSTEMS = [
  ['slipstream', 'Slipstream'],
  ['slipstream_rpc', 'Slipstream (agent over HTTP RPC)'],
  ['kafka', 'Kafka (fsync)'],
  ['kafka_page_cache', 'Kafka (page cache)'],
] as const;

function fmt(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return value.toFixed(digits);
}

/** The targets of the issue, evaluated (reported, never asserted). */
export function evaluateTargets(r: Results, flushIntervalMs: number): Record<string, unknown> {
  const s = r.slipstream;
  const k = r.kafka;
  if (!s) return {};
  const out: Record<string, unknown> = {
    produce_p99_within_flush_plus_20ms: s.produce_p99_ms !== null ? s.produce_p99_ms <= flushIntervalMs + 20 : null,
    produce_p99_budget_ms: flushIntervalMs + 20,
  };
  if (k) {
    out.produce_at_least_kafka = s.produce_mib_s >= k.produce_mib_s;
    out.consume_at_least_kafka = s.consume_mib_s >= k.consume_mib_s;
    out.cpu_per_mib_ratio = s.cpu_s_per_produced_mib / k.cpu_s_per_produced_mib;
    out.cpu_per_mib_within_1_5x = s.cpu_s_per_produced_mib <= 1.5 * k.cpu_s_per_produced_mib;
  }
  // Against Kafka's defaults too (weaker durability): informational, the targets use the above.
  const p = r.kafka_page_cache;
  if (p) {
    out.vs_page_cache = {
      produce_ratio: s.produce_mib_s / p.produce_mib_s,
      consume_ratio: s.consume_mib_s / p.consume_mib_s,
      cpu_per_mib_ratio: s.cpu_s_per_produced_mib / p.cpu_s_per_produced_mib,
    };
  }
  return out;
}

export function markdown(r: Results): string {
  const present = SYSTEMS.filter(([key]) => r[key]);
  const header = `| metric | ${present.map(([, label]) => label).join(' | ')} |`;
  const rule = `|---|${present.map(() => '---:').join('|')}|`;
  const row = (label: string, value: (s: SystemResult) => string) => `| ${label} | ${present.map(([key]) => value(r[key]!)).join(' | ')} |`;
  const lines = [`Benchmark ${r.quick ? '(quick mode) ' : ''}of ${r.generated_at} on ${r.machine.cpus} CPU(s), ${r.machine.cpu_model}.`];
  if (present.length > 0) lines.push(
    '',
    header,
    rule,
    row('produce MiB/s (closed loop)', (s) => fmt(s.produce_mib_s)),
    row('consume MiB/s', (s) => fmt(s.consume_mib_s)),
    row('open-loop rate MiB/s (50%)', (s) => fmt(s.open_loop.rate_mib_s)),
    row('produce p50 ms', (s) => fmt(s.produce_p50_ms, 2)),
    row('produce p99 ms', (s) => fmt(s.produce_p99_ms, 2)),
    row('produce p99.9 ms', (s) => fmt(s.produce_p999_ms, 2)),
    row('end-to-end p50 ms', (s) => fmt(s.e2e_p50_ms, 2)),
    row('end-to-end p99 ms', (s) => fmt(s.e2e_p99_ms, 2)),
    row('server CPU s (all phases)', (s) => fmt(s.cpu_seconds, 1)),
    row('server CPU ms per MiB produced', (s) => fmt(s.cpu_s_per_produced_mib * 1000, 1)),
    row('server CPU ms per MiB consumed', (s) => fmt(s.cpu_s_per_consumed_mib * 1000, 1)),
    row('peak RSS MiB', (s) => fmt(s.peak_rss_mib, 0)),
  );
  const sm = r.slipstream?.server_metrics;
  if (sm) {
    lines.push(
      '',
      `Slipstream's /metrics over its run: ${sm.slipstream_objects_written_total ?? '—'} objects written, flush (object write + commit) mean ${fmt(sm.slipstream_flush_latency_mean_ms, 1)} ms, produce request mean ${fmt(sm.slipstream_produce_latency_mean_ms, 1)} ms, fetch request mean ${fmt(sm.slipstream_fetch_latency_mean_ms, 1)} ms.`,
    );
  }
  const rpc = r.slipstream_rpc;
  if (r.slipstream && rpc) {
    const delta = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);
    lines.push(
      '',
      `The commit RPC's cost (the agent reaching the control plane over HTTP on loopback, one call per flush, against the in-process call, same run): produce p50 ${fmt(delta(r.slipstream.produce_p50_ms, rpc.produce_p50_ms), 2)} ms, p99 ${fmt(delta(r.slipstream.produce_p99_ms, rpc.produce_p99_ms), 2)} ms, end-to-end p99 ${fmt(delta(r.slipstream.e2e_p99_ms, rpc.e2e_p99_ms), 2)} ms; closed-loop produce ${fmt(rpc.produce_mib_s)} against ${fmt(r.slipstream.produce_mib_s)} MiB/s.` +
        (rpc.server_metrics ? ` Flush (object write + commit RPC) mean ${fmt(rpc.server_metrics.slipstream_flush_latency_mean_ms, 1)} ms against ${fmt(r.slipstream.server_metrics?.slipstream_flush_latency_mean_ms, 1)} ms.` : ''),
    );
  }
  const sc = r.scaling;
  if (sc) {
    lines.push(
      '',
      '| agents (separate processes, one control plane) | produce MiB/s (closed loop) | server CPU s |',
      '|---|---:|---:|',
      ...sc.runs.map((run) => `| ${run.agents} | ${fmt(run.produce_mib_s)} | ${fmt(run.cpu_seconds)} |`),
      '',
      `Scaling from ${sc.runs[0]!.agents} to ${sc.runs.at(-1)!.agents} agents: ${fmt(sc.speedup, 2)}× (${sc.note}).`,
    );
  }
  if (r.limit) {
    lines.push(
      '',
      '| machine limit | value |',
      '|---|---:|',
      `| sequential disk write, fsync at end, MiB/s | ${fmt(r.limit.disk_write_mib_s)} |`,
      `| sequential disk write, fdatasync per MiB, MiB/s | ${fmt(r.limit.disk_write_fsync_each_mib_s)} |`,
      `| 4 KiB write + fdatasync p50 / p99 ms | ${fmt(r.limit.fsync_4k_p50_ms, 2)} / ${fmt(r.limit.fsync_4k_p99_ms, 2)} |`,
      `| loopback TCP MiB/s | ${fmt(r.limit.loopback_mib_s)} |`,
    );
  }
  const m = r.management;
  if (m) {
    lines.push(
      '',
      `| Management API (autocannon, ${m.connections} connections, ${m.seconds} s) | req/s | p50 ms | p99 ms | non-2xx |`,
      '|---|---:|---:|---:|---:|',
      `| list_topics (1,000 topics) | ${fmt(m.list_topics_1000.requests_s, 0)} | ${fmt(m.list_topics_1000.p50_ms, 1)} | ${fmt(m.list_topics_1000.p99_ms, 1)} | ${m.list_topics_1000.non_2xx} |`,
      `| create_topic | ${fmt(m.create_topic.requests_s, 0)} | ${fmt(m.create_topic.p50_ms, 1)} | ${fmt(m.create_topic.p99_ms, 1)} | ${m.create_topic.non_2xx} |`,
      '',
      `Memory per 10,000 partitions: ${fmt(m.memory_per_10k_partitions_mib, 1)} MiB (${m.memory_method}).`,
    );
  }
  const t = r.targets;
  if (Object.keys(t).length > 0) {
    const yes = (v: unknown) => (v === true ? 'met' : v === false ? 'NOT met' : '—');
    lines.push(
      '',
      'Targets (benchmarks, not asserted): ' +
        [
          `produce ≥ Kafka: ${yes(t.produce_at_least_kafka)}`,
          `consume ≥ Kafka: ${yes(t.consume_at_least_kafka)}`,
          `produce p99 ≤ flush interval + 20 ms (${t.produce_p99_budget_ms} ms): ${yes(t.produce_p99_within_flush_plus_20ms)}`,
          `CPU/MiB ≤ 1.5× Kafka: ${yes(t.cpu_per_mib_within_1_5x)}${typeof t.cpu_per_mib_ratio === 'number' ? ` (${t.cpu_per_mib_ratio.toFixed(2)}×)` : ''}`,
        ].join('; ') +
        '.',
    );
    const v = t.vs_page_cache as Record<string, number> | undefined;
    if (v) {
      lines.push(
        '',
        `Against Kafka's defaults (page cache, weaker durability): produce ${fmt(v.produce_ratio, 2)}×, consume ${fmt(v.consume_ratio, 2)}×, CPU per produced MiB ${fmt(v.cpu_per_mib_ratio, 2)}×.`,
      );
    }
  }
  const d = r.settings.durability as Record<string, string> | undefined;
  if (d) {
    lines.push('', 'Durability:', ...Object.entries(d).map(([k, v]) => `- ${k}: ${v}`));
  }
  const w = r.settings.workload as Record<string, unknown> | undefined;
  if (w) lines.push('', `Workload: ${Object.entries(w).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ')}.`);
  if (r.errors.length > 0) lines.push('', 'Errors:', ...r.errors.map((e) => `- ${e.split('\n')[0]}`));
  return lines.join('\n') + '\n';
}

/** Debian's gnuplot (gnuplot-nox), installed with apt-get when missing and we are root. */
export function ensureGnuplot(say: (line: string) => void): boolean {
  const has = () => spawnSync('gnuplot', ['--version'], { stdio: 'ignore' }).status === 0;
  if (has()) return true;
  if (process.getuid?.() !== 0 || spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) {
    say('gnuplot is missing (apt-get install gnuplot-nox): no plot');
    return false;
  }
  say('installing gnuplot-nox (apt-get install) for the plot');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'gnuplot-nox'], { stdio: 'ignore', env });
  return has();
}

/** Room for the tallest bar and the disk line drawn across the throughput panel. */
function yMax(r: Results, keys: ReadonlyArray<(typeof SYSTEMS)[number][0]>): number {
  const values = keys.flatMap((key) => [r[key]!.produce_mib_s, r[key]!.consume_mib_s]);
  if (r.limit) values.push(r.limit.disk_write_fsync_each_mib_s!);
  return Math.ceil(Math.max(1, ...values.filter((v) => Number.isFinite(v))) * 1.15);
}

const PERCENTILE_KEYS = ['p50', 'p75', 'p90', 'p95', 'p99', 'p99.5', 'p99.9', 'p99.99', 'max'];

/** Two panels: throughput bars (with the disk limit) and produce / end-to-end latency by percentile. */
export function plot(r: Results, png: string, work: string): void {
  const present = SYSTEMS.filter(([key]) => r[key]);
  if (present.length === 0) throw new Error('nothing to plot');
  const quote = (s: string) => `"${s.replace(/"/g, "'")}"`;
  const throughput = [
    `metric ${present.map(([, label]) => quote(label)).join(' ')}`,
    `produce ${present.map(([key]) => fmt(r[key]!.produce_mib_s, 3)).join(' ')}`,
    `consume ${present.map(([key]) => fmt(r[key]!.consume_mib_s, 3)).join(' ')}`,
  ].join('\n');
  writeFileSync(join(work, 'throughput.dat'), throughput.replace(/—/g, 'NaN') + '\n');
  const latencyRows = PERCENTILE_KEYS.map((p, i) => {
    const cells = present.flatMap(([key]) => [r[key]!.produce_latency.ms[p], r[key]!.e2e_latency.ms[p]].map((v) => (typeof v === 'number' ? v.toFixed(4) : 'NaN')));
    return `${i} ${quote(p)} ${cells.join(' ')}`;
  });
  writeFileSync(join(work, 'latency.dat'), latencyRows.join('\n') + '\n');
  const colors = ['#1f77b4', '#17becf', '#d62728', '#ff7f0e'];
  const limit = r.limit;
  const limitNote = limit ? `machine: disk write ${fmt(limit.disk_write_mib_s, 0)} MiB/s (fsync at end), ${fmt(limit.disk_write_fsync_each_mib_s, 0)} MiB/s (fdatasync per MiB); loopback TCP ${fmt(limit.loopback_mib_s, 0)} MiB/s` : '';
  const script = [
    `set terminal pngcairo size 1400,560 font "sans,10"`,
    `set output ${quote(png)}`,
    `set multiplot layout 1,2 title ${quote(`Slipstream vs Apache Kafka — 1 KiB records, 8 partitions, acks=all${r.quick ? ' (quick mode)' : ''}\\n${limitNote}`)}`,
    // Left: throughput.
    'set style data histograms',
    'set style histogram clustered gap 1',
    'set style fill solid 0.85 border -1',
    'set boxwidth 0.9',
    'set ylabel "MiB/s"',
    `set yrange [0:${yMax(r, present.map(([key]) => key))}]`,
    'set grid ytics',
    'set key top right',
    'set title "Throughput (closed loop)"',
    limit ? `set arrow 1 from graph 0, first ${limit.disk_write_fsync_each_mib_s} to graph 1, first ${limit.disk_write_fsync_each_mib_s} nohead dt 2 lc rgb "#555555"` : '',
    limit ? `set label 1 "disk, fdatasync per MiB" at graph 0.02, first ${limit.disk_write_fsync_each_mib_s} offset 0,0.7 tc rgb "#555555"` : '',
    `plot ${present.map((_, i) => `'${join(work, 'throughput.dat')}' using ${i + 2}:xtic(1) title columnheader(${i + 2}) lc rgb "${colors[i]}"`).join(', ')}`,
    'unset arrow 1',
    'unset label 1',
    // Right: latency by percentile (log scale), at 50% of each system's own maximum.
    'set style data linespoints',
    'set logscale y',
    'set yrange [*:*]',
    'set ylabel "ms (from intended send time)"',
    'set title "Latency, open loop at 50% of max (solid: produce ack, dashed: end-to-end)"',
    'set key below maxrows 2',
    `plot ${present
      .flatMap(([, label], i) => [
        `'${join(work, 'latency.dat')}' using 1:${3 + 2 * i}:xtic(2) title ${quote(`${label} produce`)} lw 2 pt 7 lc rgb "${colors[i]}"`,
        `'' using 1:${4 + 2 * i} title ${quote(`${label} end-to-end`)} lw 2 dt 2 pt 6 lc rgb "${colors[i]}"`,
      ])
      .join(', ')}`,
    'unset multiplot',
  ]
    .filter(Boolean)
    .join('\n');
  writeFileSync(join(work, 'plot.gp'), script + '\n');
  const result = spawnSync('gnuplot', [join(work, 'plot.gp')], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`gnuplot failed: ${result.stderr}`);
}
