/**
 * `npm run bench [-- --quick]`: Slipstream and Apache Kafka side by side, one after the other on
 * this machine, under the same client and workload, next to the machine's own limits. Writes
 * bench/results/latest.{json,md,png}. See bench/README.md for what is measured and how.
 *
 *   --quick                 short phases (CI: the whole run well under 10 minutes)
 *   --only=slipstream,slipstream-rpc,scaling,kafka,kafka-page-cache,limits,management
 *                           run only these parts (default: all)
 *   --out=DIR               where the results go (default bench/results)
 *   --keep                  keep the temporary directory (logs, data) even on success
 *   --cpu-prof              profile Slipstream under the Kafka workload (node --cpu-prof): the
 *                           .cpuprofile lands in the results directory (git-ignored)
 */
import { cpus, totalmem, tmpdir } from 'node:os';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installKafka, KAFKA_DURABILITY, KAFKA_JVM_OPTS, startKafka, type KafkaDurability } from './lib/kafka.ts';
import { buildLoadClient, LoadClient, type LoadClientBuild } from './lib/load-client.ts';
import { measureDisk, measureLoopback } from './lib/limits.ts';
import { benchManagement, memoryPer10kPartitions } from './lib/management.ts';
import { ensureGnuplot, evaluateTargets, markdown, plot, type Results } from './lib/report.ts';
import { runScenario, serverMetrics, type ScenarioOptions, type SystemResult } from './lib/scenario.ts';
import { startSlipstream } from './lib/slipstream.ts';
import { benchScaling } from './lib/scaling.ts';
import type { Server } from './lib/proc.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const PARTS = ['slipstream', 'slipstream-rpc', 'scaling', 'kafka', 'kafka-page-cache', 'limits', 'management'] as const;
type Part = (typeof PARTS)[number];

function parseArgs(argv: string[]) {
  let quick = false;
  let keep = false;
  let cpuProf = false;
  let out = join(ROOT, 'bench', 'results');
  let only = new Set<Part>(PARTS);
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg === '--keep') keep = true;
    else if (arg === '--cpu-prof') cpuProf = true;
    else if (arg.startsWith('--out=')) out = resolve(arg.slice('--out='.length));
    else if (arg.startsWith('--only=')) {
      const names = arg.slice('--only='.length).split(',').filter(Boolean);
      for (const name of names) if (!PARTS.includes(name as Part)) throw new Error(`--only: unknown part ${name} (one of ${PARTS.join(', ')})`);
      only = new Set(names as Part[]);
    } else throw new Error(`unknown argument ${arg}\nusage: npm run bench -- [--quick] [--only=${PARTS.join(',')}] [--out=DIR] [--keep] [--cpu-prof]`);
  }
  return { quick, keep, out, only, cpuProf };
}

const started = Date.now();
function say(line: string): void {
  const at = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  console.log(`[bench ${at}s] ${line}`);
}

function javaVersion(): string {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return (result.stderr || result.stdout || '').split('\n')[0]?.trim() ?? 'unknown';
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const scenario: ScenarioOptions = args.quick
    ? { partitions: 8, recordBytes: 1024, warmupSeconds: 2, produceSeconds: 8, openLoopSeconds: 8, openLoopFraction: 0.5 }
    : { partitions: 8, recordBytes: 1024, warmupSeconds: 5, produceSeconds: 30, openLoopSeconds: 30, openLoopFraction: 0.5 };
  const management = args.quick ? { seconds: 5, connections: 10 } : { seconds: 15, connections: 10 };
  const limits = args.quick ? { diskMib: 256, loopbackSeconds: 3 } : { diskMib: 1024, loopbackSeconds: 10 };
  const work = mkdtempSync(join(tmpdir(), 'slipstream-bench-'));
  say(`${args.quick ? 'quick mode; ' : ''}work directory ${work}`);

  const flushIntervalMs = Number(process.env.SLIPSTREAM_FLUSH_INTERVAL_MS || 5);
  const results: Results = {
    generated_at: new Date().toISOString(),
    quick: args.quick,
    machine: {
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model ?? 'unknown',
      memory_gib: Math.round(totalmem() / 2 ** 30),
      kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
      node: spawnSync(NODE, ['--version'], { encoding: 'utf8' }).stdout.trim(),
      java: javaVersion(),
      note: 'servers and the load client share this machine; each system runs alone (one after the other)',
    },
    settings: {
      workload: {
        record_bytes: scenario.recordBytes,
        partitions: scenario.partitions,
        replication_factor: 1,
        acks: 'all',
        compression: 'none',
        warmup_s: scenario.warmupSeconds,
        closed_loop_s: scenario.produceSeconds,
        open_loop_s: scenario.openLoopSeconds,
        open_loop_fraction_of_max: scenario.openLoopFraction,
        latency_measured_from: 'the intended send time on a fixed schedule (no coordinated omission)',
      },
      durability: {
        slipstream: `acknowledged after the object is written and fsynced (file, then its directory; file object store) and the offsets are committed to SQLite (WAL, synchronous=FULL); flush interval ${flushIntervalMs} ms`,
        kafka: KAFKA_DURABILITY.fsync.description,
        kafka_page_cache: KAFKA_DURABILITY['page-cache'].description,
      },
      slipstream: {
        command: 'node src/main.ts dev',
        metadata_store: 'SQLite',
        object_store: 'file (temporary directory)',
        flush_interval_ms: flushIntervalMs,
        inherited_env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('SLIPSTREAM_') && k !== 'SLIPSTREAM_OBJECT_STORE_URL')),
      },
      kafka: { version: '4.4.0', mode: 'KRaft combined (broker + controller), 1 node', jvm: KAFKA_JVM_OPTS.join(' ') },
    },
    slipstream: null,
    slipstream_rpc: null,
    scaling: null,
    kafka: null,
    kafka_page_cache: null,
    limit: null,
    management: null,
    targets: {},
    timings_s: {},
    errors: [],
  };
  const timed = async <T>(phase: string, body: () => Promise<T>): Promise<T | undefined> => {
    const t0 = Date.now();
    try {
      return await body();
    } catch (error) {
      const message = `${phase}: ${(error as Error).stack ?? String(error)}`;
      results.errors.push(message);
      say(`FAILED ${message}`);
      return undefined;
    } finally {
      results.timings_s[phase] = (Date.now() - t0) / 1000;
      say(`${phase} took ${results.timings_s[phase]!.toFixed(1)} s`);
    }
  };

  // --- installs -----------------------------------------------------------------------------
  const needsKafka = args.only.has('kafka') || args.only.has('kafka-page-cache');
  const needsClient = needsKafka || args.only.has('slipstream') || args.only.has('slipstream-rpc') || args.only.has('scaling');
  let kafkaHome: string | undefined;
  let build: LoadClientBuild | undefined;
  await timed('install', async () => {
    say('installing: Apache Kafka (scripts/install-kafka.sh), the load client (bench/load, Maven), gnuplot');
    // One after the other: the Kafka script installs java and mvn when a fresh machine lacks them.
    const kafka = needsKafka ? await installKafka(ROOT) : undefined;
    const client = needsClient ? await buildLoadClient() : undefined;
    if (kafka) say(`Apache Kafka in ${kafka.home} (${(kafka.ms / 1000).toFixed(1)} s)`);
    if (client) say(`load client ${client.buildMs > 0 ? `built in ${(client.buildMs / 1000).toFixed(1)} s` : 'cached'}`);
    kafkaHome = kafka?.home;
    build = client;
    results.settings.load_client_build_ms = client?.buildMs ?? 0;
    if (!ensureGnuplot(say)) throw new Error('gnuplot is not available: no plot');
  });

  // --- the machine's limits -----------------------------------------------------------------
  if (args.only.has('limits')) {
    await timed('limits', async () => {
      const disk = measureDisk(work, limits.diskMib);
      const loopback = await measureLoopback(NODE, limits.loopbackSeconds);
      results.limit = { ...disk, ...loopback };
      say(`limits: disk ${disk.disk_write_mib_s.toFixed(0)} MiB/s (fsync at end), ${disk.disk_write_fsync_each_mib_s.toFixed(0)} MiB/s (fdatasync per MiB), 4 KiB fdatasync p50 ${disk.fsync_4k_p50_ms.toFixed(2)} ms; loopback ${loopback.loopback_mib_s.toFixed(0)} MiB/s`);
    });
  }

  // --- one system under the workload --------------------------------------------------------
  const underLoad = async (label: string, dir: string, start: () => Promise<{ server: Server; bootstrap: string; apiUrl?: string }>): Promise<SystemResult> => {
    mkdirSync(dir, { recursive: true });
    const { server, bootstrap, apiUrl } = await start();
    let client: LoadClient | undefined;
    try {
      say(`${label} is up at ${bootstrap} (pid ${server.pid})`);
      client = await LoadClient.start(build!, bootstrap, join(dir, 'load-client.log'));
      if (!results.settings.client) results.settings.client = client.settings;
      const result = await runScenario(label, server, client, scenario, say);
      // Slipstream's own view of the same run (flushes, server-side latency), for diagnosis.
      if (apiUrl) result.server_metrics = await serverMetrics(`${apiUrl}/metrics`, join(dir, 'metrics.txt'));
      return result;
    } finally {
      await client?.close();
      await server.stop();
    }
  };

  if (args.only.has('slipstream') && build) {
    const dir = join(work, 'slipstream');
    // The profile is written when the process exits (SIGTERM: a clean shutdown).
    const profile = args.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${args.out}`, `--cpu-prof-name=slipstream-${Date.now()}.cpuprofile`] : [];
    if (args.cpuProf) mkdirSync(args.out, { recursive: true });
    const r = await timed('slipstream', () => underLoad('slipstream', dir, () => startSlipstream(ROOT, dir, {}, profile)));
    if (r) results.slipstream = r;
    rmSync(join(dir, 'data'), { recursive: true, force: true });
  }
  if (args.only.has('slipstream-rpc') && build) {
    // The same, with the agent reaching the control plane over the HTTP RPC: what the hop costs.
    const dir = join(work, 'slipstream-rpc');
    const r = await timed('slipstream_rpc', () => underLoad('slipstream (agent over HTTP RPC)', dir, () => startSlipstream(ROOT, dir, { SLIPSTREAM_DEV_AGENT_RPC: 'http' })));
    if (r) results.slipstream_rpc = r;
    rmSync(join(dir, 'data'), { recursive: true, force: true });
  }
  if (args.only.has('scaling') && build) {
    // 1 and 3 agent processes behind one control plane: what adding agents buys on this machine.
    const r = await timed('scaling', () => benchScaling(ROOT, join(work, 'scaling'), build!, [1, 3], scenario, say));
    if (r) results.scaling = r;
    rmSync(join(work, 'scaling'), { recursive: true, force: true });
  }
  const kafkaRuns: Array<[Part, KafkaDurability, 'kafka' | 'kafka_page_cache']> = [
    ['kafka', 'fsync', 'kafka'],
    ['kafka-page-cache', 'page-cache', 'kafka_page_cache'],
  ];
  for (const [part, durability, key] of kafkaRuns) {
    if (!args.only.has(part) || !kafkaHome || !build) continue;
    const dir = join(work, key);
    const r = await timed(key, () =>
      underLoad(`kafka (${durability})`, dir, async () => {
        const kafka = await startKafka(kafkaHome!, dir, durability);
        (results.settings as Record<string, any>)[`${key}_server_properties`] = kafka.properties;
        return kafka;
      }),
    );
    if (r) results[key] = r;
    rmSync(join(dir, 'kafka-logs'), { recursive: true, force: true });
  }

  // --- the Management API ---------------------------------------------------------------------
  if (args.only.has('management')) {
    const dir = join(work, 'management');
    mkdirSync(dir, { recursive: true });
    await timed('management', async () => {
      // The per-key rate limit would measure itself: it is lifted for this instance.
      const s = await startSlipstream(ROOT, join(dir, 'api'), { SLIPSTREAM_RATE_LIMIT_MAX: '1000000000' });
      try {
        results.management = { ...(await benchManagement(s, management)), rate_limit: 'SLIPSTREAM_RATE_LIMIT_MAX=1000000000 (lifted)' };
      } finally {
        await s.server.stop();
      }
      const fresh = await startSlipstream(ROOT, join(dir, 'memory'));
      try {
        results.management = { ...results.management, ...(await memoryPer10kPartitions(fresh)) };
      } finally {
        await fresh.server.stop();
      }
      const m = results.management;
      say(`management: list_topics(1,000) ${m.list_topics_1000.requests_s.toFixed(0)} req/s, create_topic ${m.create_topic.requests_s.toFixed(0)} req/s, ${m.memory_per_10k_partitions_mib.toFixed(1)} MiB per 10,000 partitions`);
    });
  }

  // --- results --------------------------------------------------------------------------------
  results.targets = evaluateTargets(results, flushIntervalMs);
  results.timings_s.total = (Date.now() - started) / 1000;
  mkdirSync(args.out, { recursive: true });
  writeFileSync(join(args.out, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
  const md = markdown(results);
  writeFileSync(join(args.out, 'latest.md'), md);
  try {
    if (results.slipstream || results.slipstream_rpc || results.kafka || results.kafka_page_cache) plot(results, join(args.out, 'latest.png'), work);
  } catch (error) {
    results.errors.push(`plot: ${(error as Error).message}`);
    writeFileSync(join(args.out, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
    say(`FAILED plot: ${(error as Error).message}`);
  }
  console.log(`\n${md}`);
  say(`wrote ${join(args.out, 'latest.json')}, latest.md, latest.png in ${results.timings_s.total.toFixed(0)} s`);
  if (results.errors.length > 0 || args.keep) say(`logs and data kept in ${work}`);
  else rmSync(work, { recursive: true, force: true });
  return results.errors.length > 0 ? 1 : 0;
}

process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
