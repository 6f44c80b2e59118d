import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test, type TestContext } from 'node:test';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import type { Cleanup } from '../helpers/stores.ts';
import {
  KEYS,
  PARTITIONS,
  allPartitions,
  assertCommittedViaApi,
  assertConsumed,
  assertDeliveries,
  assertKeyStability,
  explain,
  groupViaApi,
  nonZero,
  records,
  run,
  topicsViaApi,
  unique,
  waitFor,
  type PartitionOffsets,
  type Placed,
  type Sent,
} from './helpers.ts';

/**
 * Builds the interop programs of the compiled clients — the Apache Kafka Java client
 * (test/interop/java, Maven) and franz-go (test/interop/go) — once per run, into a cache outside
 * the repository keyed by a hash of their sources:
 * `${XDG_CACHE_HOME:-~/.cache}/slipstream/interop/{java,go}-<hash>/`. A clean machine needs only
 * `mvn`, `java` and `go` and the registries (Maven Central, the Go module proxy); Maven's local
 * repository is the usual ~/.m2 and Go's module and build caches are the usual ones.
 *
 * `ClientProcess` drives a built program: one command line in, one JSON line out (see the
 * programs' headers for the commands).
 */

const HERE = dirname(fileURLToPath(import.meta.url));

/** How to start one built client program (its arguments follow: BOOTSTRAP [CLIENT_ID]). */
export interface ClientCommand {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  /** How long the build took in this run, 0 when the cache had it. */
  buildMs: number;
}

export function interopCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'slipstream', 'interop');
}

function listFiles(dir: string, skip: (rel: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      const rel = relative(dir, full);
      if (skip(rel)) continue;
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(rel);
    }
  };
  walk(dir);
  return out.sort();
}

function hashOf(dir: string, files: string[]): string {
  const hash = createHash('sha256');
  for (const rel of files) {
    hash.update(rel).update('\0').update(readFileSync(join(dir, rel))).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** Removes builds of older sources (same client, another hash) not used for a week. */
function pruneOldBuilds(finalDir: string): void {
  const dir = dirname(finalDir);
  const prefix = basename(finalDir).replace(/-[0-9a-f]+$/, '-');
  const weekAgo = Date.now() - 7 * 24 * 3600_000;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (!name.startsWith(prefix) || full === finalDir) continue;
    try {
      if (statSync(full).mtimeMs < weekAgo) rmSync(full, { recursive: true, force: true });
    } catch {
      // another run is pruning too
    }
  }
}

/**
 * Builds into `<final>.tmp-<pid>` and renames it into place, so a half-built output is never used
 * (`<final>/ready` marks a finished build). Also used by test/compat/franz-go-kgo.test.ts.
 */
export async function buildOnce(finalDir: string, build: (tmpDir: string) => Promise<void>): Promise<void> {
  mkdirSync(dirname(finalDir), { recursive: true });
  const tmp = `${finalDir}.tmp-${process.pid}-${Date.now()}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    await build(tmp);
    writeFileSync(join(tmp, 'ready'), new Date().toISOString());
    rmSync(finalDir, { recursive: true, force: true });
    try {
      renameSync(tmp, finalDir);
    } catch (error) {
      // Another run finished the same build first: theirs is as good as ours.
      if (!existsSync(join(finalDir, 'ready'))) throw error;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  pruneOldBuilds(finalDir);
}

const BUILD_TIMEOUT_MS = 240_000;

/**
 * Builds the Maven project in `source` (compile + its dependencies' classpath) into the cache as
 * `<cacheName>-<hash>` and answers how to run `mainClass` from it. The Java client's program is
 * one; test/interop/kafka-streams.test.ts builds test/interop/streams with it.
 */
export async function buildMavenProgram(source: string, cacheName: string, mainClass: string, name = cacheName): Promise<ClientCommand> {
  const files = listFiles(source, (rel) => rel === 'target' || rel.startsWith('.'));
  const out = join(interopCacheDir(), `${cacheName}-${hashOf(source, files)}`);
  const classpathOf = () => {
    const deps = readFileSync(join(out, 'classpath.txt'), 'utf8').trim().split(':').filter(Boolean);
    return { deps, classes: join(out, 'project', 'target', 'classes') };
  };
  // A cached build is only good while the jars it points into (Maven's local repository) exist.
  const usable = () => {
    if (!existsSync(join(out, 'ready'))) return false;
    const { deps, classes } = classpathOf();
    return existsSync(classes) && deps.length > 0 && deps.every((jar) => existsSync(jar));
  };
  let buildMs = 0;
  if (!usable()) {
    const started = Date.now();
    await buildOnce(out, async (tmp) => {
      const project = join(tmp, 'project');
      for (const rel of files) {
        mkdirSync(dirname(join(project, rel)), { recursive: true });
        cpSync(join(source, rel), join(project, rel));
      }
      const args = ['-q', '-B', '-Dstyle.color=never', '-f', join(project, 'pom.xml'), 'compile', 'dependency:build-classpath', `-Dmdep.outputFile=${join(tmp, 'classpath.txt')}`];
      const result = await run('mvn', args, { timeoutMs: BUILD_TIMEOUT_MS });
      assert.equal(result.code, 0, explain(`mvn ${args.join(' ')}`, result));
    });
    buildMs = Date.now() - started;
    assert.ok(usable(), `the Maven build in ${out} left no usable classpath`);
  }
  const { deps, classes } = classpathOf();
  const level = process.env.INTEROP_LOG_LEVEL ?? 'warn';
  return {
    name,
    command: 'java',
    args: [
      // Short-lived client programs: start fast rather than run fast.
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-Xshare:auto',
      `-Dorg.slf4j.simpleLogger.defaultLogLevel=${level}`,
      '-Dorg.slf4j.simpleLogger.showDateTime=true',
      '-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS',
      '-Dorg.slf4j.simpleLogger.logFile=System.err',
      '-cp',
      [classes, ...deps].join(':'),
      mainClass,
    ],
    env: {},
    buildMs,
  };
}

function buildJava(): Promise<ClientCommand> {
  return buildMavenProgram(join(HERE, 'java'), 'java', 'slipstream.interop.InteropClient');
}

async function buildGo(): Promise<ClientCommand> {
  const source = join(HERE, 'go');
  const files = listFiles(source, (rel) => rel.startsWith('.')).filter((rel) => rel.endsWith('.go') || rel === 'go.mod' || rel === 'go.sum');
  const out = join(interopCacheDir(), `go-${hashOf(source, files)}`);
  const binary = join(out, 'interop-franz-go');
  let buildMs = 0;
  if (!(existsSync(join(out, 'ready')) && existsSync(binary))) {
    const started = Date.now();
    await buildOnce(out, async (tmp) => {
      const args = ['build', '-mod=readonly', '-buildvcs=false', '-o', join(tmp, 'interop-franz-go'), '.'];
      const result = await new Promise<Awaited<ReturnType<typeof run>>>((resolve, reject) => {
        // `go build` must run in the module's directory; `run` has no cwd option.
        const child = spawn('go', args, { cwd: source, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GOFLAGS: '-mod=readonly' } });
        const chunks: { out: Buffer[]; err: Buffer[] } = { out: [], err: [] };
        child.stdout.on('data', (c: Buffer) => chunks.out.push(c));
        child.stderr.on('data', (c: Buffer) => chunks.err.push(c));
        const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
        child.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          resolve({ code, signal, stdout: Buffer.concat(chunks.out).toString(), stderr: Buffer.concat(chunks.err).toString() });
        });
      });
      assert.equal(result.code, 0, explain(`go ${args.join(' ')} (in ${source})`, result));
    });
    buildMs = Date.now() - started;
  }
  return { name: 'franz-go', command: binary, args: [], env: { INTEROP_LOG_LEVEL: process.env.INTEROP_LOG_LEVEL ?? 'warn' }, buildMs };
}

const builds = new Map<string, Promise<ClientCommand>>();

/** The Apache Kafka Java client's program (built at most once per process). */
export function javaClient(): Promise<ClientCommand> {
  if (!builds.has('java')) builds.set('java', buildJava());
  return builds.get('java')!;
}

/** franz-go's program (built at most once per process). */
export function franzGoClient(): Promise<ClientCommand> {
  if (!builds.has('go')) builds.set('go', buildGo());
  return builds.get('go')!;
}

// --- driving a client program ---------------------------------------------------------------

/** An answer line of a client program: the command's result, or `{ error }`. */
export type Answer = Record<string, any>;

/**
 * One running client program: `send` writes a command line and resolves with its JSON answer
 * (answers come in command order). Its stderr (the client library's log) is kept and appended
 * to every failure message.
 */
export class ClientProcess {
  readonly label: string;
  /** The client library's version, as the program reports it. */
  version = '';
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<{ resolve: (a: Answer) => void; reject: (e: Error) => void; line: string }> = [];
  private stderr = '';
  private exited: string | undefined;

  private constructor(label: string, child: ChildProcessWithoutNullStreams) {
    this.label = label;
    this.child = child;
  }

  static async start(client: ClientCommand, bootstrap: string, clientId: string): Promise<ClientProcess> {
    const child = spawn(client.command, [...client.args, bootstrap, clientId], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...client.env },
    });
    const proc = new ClientProcess(`${client.name}:${clientId}`, child);
    const ready = proc.next('(start)');
    // INTEROP_LOG_DIR keeps each program's whole log (with INTEROP_LOG_LEVEL=debug: every request).
    const logDir = process.env.INTEROP_LOG_DIR;
    if (logDir) mkdirSync(logDir, { recursive: true });
    const logFile = logDir ? join(logDir, `${proc.label.replace(/[^\w.-]+/g, '_')}.log`) : undefined;
    child.stderr.on('data', (chunk: Buffer) => {
      if (logFile) appendFileSync(logFile, chunk);
      proc.stderr += chunk.toString('utf8');
      if (proc.stderr.length > 400_000) proc.stderr = proc.stderr.slice(-200_000);
    });
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const waiter = proc.waiting.shift();
      if (!waiter) {
        if (line === '{"exited":true}') return; // the answer to `exit`
        proc.stderr += `\n[unexpected stdout] ${line}\n`;
        return;
      }
      try {
        waiter.resolve(JSON.parse(line) as Answer);
      } catch {
        waiter.reject(new Error(`${proc.label}: answer to ${waiter.line} is not JSON: ${line}${proc.logs()}`));
      }
    });
    child.stdin.on('error', () => {});
    child.on('error', (error) => proc.fail(`could not start: ${error.message}`));
    child.on('close', (code, signal) => proc.fail(`exited (${signal ?? code})`));
    let first: Answer;
    try {
      first = await proc.within(ready, 60_000, 'start');
      assert.equal(first.ready, true, `${proc.label}: first line ${JSON.stringify(first)}${proc.logs()}`);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    proc.version = String(first.version ?? '');
    return proc;
  }

  private async within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.label}: no answer to "${what}" within ${timeoutMs} ms${this.logs()}`)), timeoutMs);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private fail(why: string): void {
    this.exited = why;
    for (const waiter of this.waiting.splice(0)) waiter.reject(new Error(`${this.label} ${why} before answering ${waiter.line}${this.logs()}`));
  }

  private next(line: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      if (this.exited) reject(new Error(`${this.label} ${this.exited}${this.logs()}`));
      else this.waiting.push({ resolve, reject, line });
    });
  }

  /** The tail of the client's own log, for assertion messages. */
  logs(chars = 8000): string {
    const tail = this.stderr.trim().slice(-chars);
    return tail ? `\n--- ${this.label} log (stderr, tail) ---\n${tail}` : '';
  }

  /** Sends one command; answers whatever came back, an `{ error }` included. */
  async call(line: string, timeoutMs = 60_000): Promise<Answer> {
    const answer = this.next(line);
    this.child.stdin.write(`${line}\n`);
    return this.within(answer, timeoutMs, line);
  }

  /** Sends one command that must succeed; answers its result. */
  async send(line: string, timeoutMs?: number): Promise<Answer> {
    const answer = await this.call(line, timeoutMs);
    if (answer.error !== undefined) assert.fail(`${this.label}: "${line}" failed: ${answer.error}${this.logs()}`);
    return answer;
  }

  /** Asks the program to close its clients and exit; kills it if it has not within `timeoutMs`. */
  async close(timeoutMs = 20_000): Promise<void> {
    if (this.exited) return;
    const closed = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.child.stdin.end('exit\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await closed;
    clearTimeout(timer);
  }
}

// --- the scenario both compiled clients run ---------------------------------------------------

/** Placed records from a poll answer's `[partition, offset, key, value]` rows. */
function placedOf(rows: Array<[number, number, string, string]>): Placed[] {
  return rows.map(([partition, offset, key, value]) => ({ partition, offset, key, value }));
}

/** A client's per-partition offsets array (index = partition, -1 = none) as PartitionOffsets. */
function offsetsOf(list: number[]): PartitionOffsets {
  const out: PartitionOffsets = {};
  list.forEach((offset, partition) => {
    if (offset !== -1) out[partition] = offset;
  });
  return out;
}

/**
 * Committed offsets as a client reports them are the high watermarks: every partition that got
 * records is committed at its high watermark; a partition that got none is either not committed
 * or committed at 0 (clients differ).
 */
function assertCommittedAtWatermarks(committed: number[], watermarks: PartitionOffsets, label: string): void {
  const full = allPartitions(watermarks);
  assert.equal(committed.length, PARTITIONS, `${label}: ${JSON.stringify(committed)}`);
  assert.deepEqual(nonZero(offsetsOf(committed)), nonZero(full), `${label}: committed ${JSON.stringify(committed)}, high watermarks ${JSON.stringify(full)}`);
  for (const [p, offset] of committed.entries()) {
    if (offset !== -1) assert.equal(offset, full[p], `${label}: partition ${p} committed at ${offset}, high watermark ${full[p]}`);
  }
}

/**
 * The interop suite of a compiled client (the Java client, franz-go), against a whole Slipstream
 * run in-process: admin, acks=all idempotent produce with delivery reports, a consumer group from
 * the beginning, commits seen by the client and by the Management API, resuming, and two
 * consumers splitting the partitions.
 */
/**
 * Inside a `describe`: a whole Slipstream for the suite (started before its tests, stopped after
 * them) and the client programs its tests start (each closed when its test ends).
 */
export function suiteCluster(build: () => Promise<ClientCommand>): { cluster(): TestCluster; client(t: TestContext, id: string): Promise<ClientProcess> } {
  let cluster: TestCluster | undefined;
  const cleanups: Array<() => unknown> = [];
  const scope: Cleanup = { after: (fn) => void cleanups.push(fn) };
  before(async () => {
    cluster = await startTestCluster(scope);
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });
  return {
    cluster: () => cluster!,
    async client(t, id) {
      const proc = await ClientProcess.start(await build(), cluster!.bootstrap, unique(id));
      t.after(() => proc.close());
      return proc;
    },
  };
}

export function defineClientSuite(name: string, build: () => Promise<ClientCommand>): void {
  const N = 600;
  const M = 120;

  describe(name, () => {
    const suite = suiteCluster(build);
    let cluster: TestCluster;
    before(() => {
      cluster = suite.cluster();
    });
    const client = suite.client;

    async function produce(proc: ClientProcess, topic: string, prefix: string, count: number, start = 0): Promise<{ sent: Sent[]; deliveries: Placed[] }> {
      const sent = records(prefix, count, start);
      const answer = await proc.send(`produce ${topic} ${count} ${KEYS} ${prefix} ${start}`);
      const acks = answer.acks as Array<[number, number]>;
      assert.equal(acks.length, count, `${proc.label}: ${acks.length} delivery reports for ${count} records`);
      return { sent, deliveries: sent.map((s, i) => ({ ...s, partition: acks[i]![0], offset: acks[i]![1] })) };
    }

    /**
     * Polls every consumer (all at once) until together they received `total` records, then
     * twice more: whatever else arrives is a duplicate or a stray and fails the checks after.
     */
    async function consume(consumers: ClientProcess[], total: number, label: string) {
      const received = consumers.map((): Placed[] => []);
      const rebalances = consumers.map((): number[] => []);
      const pollAll = async () => {
        const answers = await Promise.all(consumers.map((c) => c.send('poll 500')));
        answers.forEach((a, i) => {
          received[i]!.push(...placedOf(a.records));
          rebalances[i]!.push(a.rebalances as number);
        });
      };
      const deadline = Date.now() + 30_000;
      while (received.flat().length < total) {
        if (Date.now() > deadline) {
          assert.fail(`${label}: received ${received.map((r) => r.length).join(' + ')} of ${total} records in 30 s${consumers.map((c) => c.logs()).join('')}`);
        }
        await pollAll();
      }
      await pollAll();
      await pollAll();
      return { received, rebalances };
    }

    test('builds the client program', async (t) => {
      const built = await build();
      t.diagnostic(built.buildMs ? `${built.name}: built in ${built.buildMs} ms` : `${built.name}: cached build (${interopCacheDir()})`);
    });

    test('admin: create with configs, describe, grow partitions, delete, describe and alter configs', async (t) => {
      const admin = await client(t, 'admin');
      t.diagnostic(`${admin.label} version ${admin.version}`);
      const cluster_ = await admin.send('describe-cluster');
      const nodes = cluster_.nodes as Array<{ id: number; host: string; port: number }>;
      assert.deepEqual(nodes.map((n) => `${n.host}:${n.port}`), [cluster.bootstrap], `describe-cluster nodes ${JSON.stringify(cluster_)}`);
      assert.ok(typeof cluster_.clusterId === 'string' && cluster_.clusterId.length > 0, `clusterId ${JSON.stringify(cluster_)}`);
      const nodeIds = nodes.map((n) => n.id);

      const a = unique('admin-a');
      const created = await admin.send(`create-topic ${a} ${PARTITIONS} retention.ms=3600000`);
      assert.equal(created.topic, a);
      assert.equal(created.partitions, PARTITIONS);
      assert.equal(created.replicationFactor, 1);
      assert.doesNotMatch(String(created.topicId), /^[A0-]*$/, `create-topic answered the zero topic id: ${JSON.stringify(created)}`);

      const described = await admin.send(`describe-topic ${a}`);
      assert.equal(described.topic, a);
      assert.equal(described.internal, false);
      assert.equal(described.topicId, created.topicId, 'describe-topic and create-topic name different topic ids');
      const partitions = described.partitions as Array<{ partition: number; leader: number; replicas: number[]; isr: number[] }>;
      assert.deepEqual(partitions.map((p) => p.partition), [0, 1, 2, 3, 4, 5]);
      for (const p of partitions) {
        assert.ok(nodeIds.includes(p.leader), `partition ${p.partition} led by ${p.leader}, not one of ${nodeIds}: ${JSON.stringify(described)}`);
        assert.deepEqual(p.replicas, [p.leader], `replicas of partition ${p.partition}`);
        assert.deepEqual(p.isr, [p.leader], `isr of partition ${p.partition}`);
      }
      assert.equal((await topicsViaApi(cluster))[a], PARTITIONS, 'the Management API sees the topic the client created');

      const exists = await admin.call(`create-topic ${a} ${PARTITIONS}`);
      assert.match(String(exists.error), /TopicExists|TOPIC_ALREADY_EXISTS/, `creating ${a} twice answered ${JSON.stringify(exists)}`);

      const b = unique('admin-b');
      await admin.send(`create-topic ${b} 2`);
      assert.deepEqual(await admin.send(`create-partitions ${b} 5`), { topic: b, partitions: 5 });
      const grown = await admin.send(`describe-topic ${b}`);
      assert.deepEqual((grown.partitions as Array<{ partition: number }>).map((p) => p.partition), [0, 1, 2, 3, 4]);
      assert.equal((await topicsViaApi(cluster))[b], 5);
      const shrink = await admin.call(`create-partitions ${b} 3`);
      assert.match(String(shrink.error), /InvalidPartitions|INVALID_PARTITIONS/, `shrinking ${b} answered ${JSON.stringify(shrink)}`);

      const c = unique('admin-c');
      await admin.send(`create-topic ${c} 1`);
      assert.ok((await admin.send('list-topics')).topics.includes(c));
      assert.deepEqual(await admin.send(`delete-topic ${c}`), { deleted: c });
      const listed = (await admin.send('list-topics')).topics as string[];
      assert.ok(listed.includes(a) && listed.includes(b) && !listed.includes(c), `list-topics after deleting ${c}: ${JSON.stringify(listed)}`);
      assert.equal((await topicsViaApi(cluster))[c], undefined, 'the Management API still lists the deleted topic');
      const gone = await admin.call(`describe-topic ${c}`);
      assert.match(String(gone.error), /UnknownTopicOrPartition|UNKNOWN_TOPIC_OR_PARTITION/, `describing deleted ${c} answered ${JSON.stringify(gone)}`);

      const configs = (await admin.send(`describe-configs ${a}`)).configs as Record<string, string | null>;
      assert.equal(configs['retention.ms'], '3600000', `configs of ${a}: ${JSON.stringify(configs)}`);
      await admin.send(`alter-config ${a} retention.ms 7200000`);
      const altered = (await admin.send(`describe-configs ${a}`)).configs as Record<string, string | null>;
      assert.equal(altered['retention.ms'], '7200000', `configs of ${a} after alter: ${JSON.stringify(altered)}`);
    });

    test(`produce ${N} keyed records (acks=all, idempotent), consume them in a group, commit, resume`, async (t) => {
      const topic = unique('orders');
      const group = unique('group');
      const admin = await client(t, 'producer');
      await admin.send(`create-topic ${topic} ${PARTITIONS}`);

      const first = await produce(admin, topic, unique('v'), N);
      const watermarks = assertDeliveries(first.sent, first.deliveries, 'first produce');
      const keyHome = assertKeyStability(first.deliveries, 'first produce');
      assert.deepEqual((await admin.send(`list-offsets ${topic} ${PARTITIONS} latest`)).offsets, Object.values(allPartitions(watermarks)));
      assert.deepEqual((await admin.send(`list-offsets ${topic} ${PARTITIONS} earliest`)).offsets, [0, 0, 0, 0, 0, 0]);

      const c1 = await client(t, 'consumer-1');
      await c1.send(`subscribe ${topic} ${group}`);
      const one = await consume([c1], N, 'first consumer');
      assertConsumed(first.deliveries, one.received[0]!, 'first consumer');
      assert.deepEqual((await c1.send(`end-offsets ${topic} ${PARTITIONS}`)).offsets, Object.values(allPartitions(watermarks)));

      await c1.send('commit');
      const committed = (await c1.send(`committed ${topic} ${PARTITIONS}`)).offsets as number[];
      assertCommittedAtWatermarks(committed, watermarks, 'committed offsets (consumer)');
      assert.deepEqual((await admin.send(`group-offsets ${group} ${topic} ${PARTITIONS}`)).offsets, committed, 'committed offsets (admin)');
      await assertCommittedViaApi(cluster, group, topic, offsetsOf(committed), watermarks);
      await c1.send('close-consumer');

      // Resume: a new member of the same group starts at the committed offsets.
      const second = await produce(admin, topic, unique('w'), M, N);
      const watermarks2 = assertDeliveries(second.sent, second.deliveries, 'second produce', { from: watermarks, keyHome });
      const c2 = await client(t, 'consumer-2');
      await c2.send(`subscribe ${topic} ${group}`);
      const two = await consume([c2], M, 'resumed consumer');
      assertConsumed(second.deliveries, two.received[0]!, 'resumed consumer');
      await c2.send('commit');
      const committed2 = (await c2.send(`committed ${topic} ${PARTITIONS}`)).offsets as number[];
      assertCommittedAtWatermarks(committed2, watermarks2, 'committed offsets after resuming (consumer)');
      assert.deepEqual((await admin.send(`group-offsets ${group} ${topic} ${PARTITIONS}`)).offsets, committed2, 'committed offsets after resuming (admin)');
      await assertCommittedViaApi(cluster, group, topic, offsetsOf(committed2), watermarks2);
      await c2.send('close-consumer');
    });

    test('two consumers in one group split the partitions and consume everything exactly once', async (t) => {
      const topic = unique('split');
      const group = unique('group');
      const admin = await client(t, 'admin');
      await admin.send(`create-topic ${topic} ${PARTITIONS}`);
      const consumers = [await client(t, 'member-a'), await client(t, 'member-b')];
      for (const c of consumers) await c.send(`subscribe ${topic} ${group}`);

      // Both members poll (the Java client joins and rejoins inside poll) until the group has
      // settled on an assignment that splits the partitions between them.
      let assignments: string[][] = [];
      await waitFor(
        async () => {
          const answers = await Promise.all(consumers.map((c) => c.send('poll 300')));
          for (const a of answers) assert.deepEqual(a.records, [], 'records from an empty topic');
          assignments = answers.map((a) => a.assignment as string[]);
          const all = assignments.flat();
          return assignments.every((a) => a.length > 0) && all.length === PARTITIONS && new Set(all).size === PARTITIONS;
        },
        30_000,
        () => `assignments never split ${PARTITIONS} partitions: ${JSON.stringify(assignments)}${consumers.map((c) => c.logs()).join('')}`,
      );
      const described = await admin.send(`describe-group ${group}`);
      assert.equal(described.state, 'Stable', JSON.stringify(described));
      assert.deepEqual(
        (described.members as Array<{ partitions: string[] }>).map((m) => m.partitions).sort(),
        [...assignments].sort(),
        `describe-group members ${JSON.stringify(described)} vs the consumers' own ${JSON.stringify(assignments)}`,
      );

      const { sent, deliveries } = await produce(admin, topic, unique('s'), N);
      const watermarks = assertDeliveries(sent, deliveries, 'produce');
      const { received, rebalances } = await consume(consumers, N, 'two consumers');
      assertConsumed(deliveries, received, 'two consumers');
      for (const [i, list] of received.entries()) {
        assert.equal(new Set(rebalances[i]).size, 1, `consumer ${i} was rebalanced while consuming: ${JSON.stringify(rebalances[i])}`);
        const own = new Set(assignments[i]);
        const strays = list.filter((r) => !own.has(`${topic}/${r.partition}`));
        assert.deepEqual(strays, [], `consumer ${i} received records of partitions it was not assigned (${assignments[i]})`);
        const expected = deliveries.filter((d) => own.has(`${topic}/${d.partition}`)).length;
        assert.equal(list.length, expected, `consumer ${i} (partitions ${assignments[i]}) received ${list.length} records`);
      }

      for (const c of consumers) await c.send('commit');
      const committed = (await admin.send(`group-offsets ${group} ${topic} ${PARTITIONS}`)).offsets as number[];
      assertCommittedAtWatermarks(committed, watermarks, 'committed offsets of both members (admin)');
      await assertCommittedViaApi(cluster, group, topic, offsetsOf(committed), watermarks);
      const view = await groupViaApi(cluster, group);
      assert.deepEqual(
        view!.members.map((m) => m.assignment.assignments.flatMap((a) => a.partitions.map((p) => `${a.topic_name}/${p}`))).sort(),
        [...assignments].sort(),
        `describe_all_consumer_groups members: ${JSON.stringify(view!.members)}`,
      );

      // Leaving: both members close (LeaveGroup); the group empties and keeps its offsets.
      for (const c of consumers) await c.send('close-consumer');
      await waitFor(
        async () => (await groupViaApi(cluster, group))?.members.length === 0,
        10_000,
        () => `the group still has members after both closed`,
      );
      assert.equal((await admin.send(`describe-group ${group}`)).state, 'Empty');
      await assertCommittedViaApi(cluster, group, topic, offsetsOf(committed), watermarks);
    });
  });
}
