import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { startSlipstream, type SlipstreamProcess } from '../helpers/process.ts';
import { tempDir } from '../helpers/stores.ts';
import { buildMavenProgram, type ClientCommand } from './build-clients.ts';
import { cleanups, createTopicViaApi, unique, waitFor } from './helpers.ts';

/**
 * Exactly-once with a real Kafka Streams application (kafka-streams 4.4.0 from Maven Central,
 * processing.guarantee=exactly_once_v2, test/interop/streams): a word count from an input topic
 * into an output topic, through crashes. The control plane runs in this process; the Streams
 * application and two agents run as their own OS processes (the agents share the control plane's
 * object store directory), and are killed with SIGKILL mid-run and restarted. An idempotent
 * producer feeds the input in small batches all along, never far ahead of the committed output,
 * so every kill finds the application with input in hand and transactions open; each kill comes
 * at a point measured on the committed output:
 *
 *   1. at 15%, Streams instance 1 is killed; instance 2 starts on the same state directory;
 *   2. 10% later, agent A is killed while the application and the producer work through it, and
 *      10% later (committed without it) restarted on the same port;
 *   3. 2 s and 5% later, instance 2 is killed; instance 3 starts on an empty state directory,
 *      so its counts come back from the changelog topic alone.
 *
 * Record caches are off, so each input word yields exactly one output update: read with
 * read_committed, every word's output records (in offset order) must be exactly 1, 2, …, N for
 * its N occurrences in the input. A double count would repeat or skip a number; a lost update
 * would leave a gap or end short; a count ahead of the input would exceed N. That holds for a
 * live read_committed consumer that tails the output the whole time, and for a fresh one at the
 * end, and both saw the same records.
 */

const HERE = dirname(fileURLToPath(import.meta.url));
const PARTITIONS = 4;
/** Input: BATCHES × LINES_PER_BATCH lines, produced no more than BACKLOG_WORDS ahead of the output. */
const BATCHES = 120;
const LINES_PER_BATCH = 40;
const BACKLOG_WORDS = 1500;
/** The last batches, produced only once every kill is done (streams-3 has them all to count). */
const HELD_BATCHES = 30;
const WORDS = ['kafka', 'stream', 'object', 'storage', 'agent', 'broker', 'topic', 'record', 'offset', 'commit', 'abort', 'marker', 'epoch', 'fence', 'producer', 'consumer', 'group', 'leader', 'replica', 'segment', 'batch', 'slipstream', 'exactly', 'once'];
const WAIT_MS = 90_000;

let built: Promise<ClientCommand> | undefined;
function streamsProgram(): Promise<ClientCommand> {
  return (built ??= buildMavenProgram(join(HERE, 'streams'), 'kafka-streams', 'slipstream.streams.WordCount'));
}

/** Deterministic input: Zipf-like word frequencies, 1–8 words a line. */
function makeInput(): { batches: string[][]; expected: Map<string, number> } {
  let seed = 0x5eed;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const weights = WORDS.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const pick = () => {
    let r = random() * total;
    for (let i = 0; i < WORDS.length; i++) if ((r -= weights[i]!) < 0) return WORDS[i]!;
    return WORDS[WORDS.length - 1]!;
  };
  const expected = new Map<string, number>();
  const batches: string[][] = [];
  for (let b = 0; b < BATCHES; b++) {
    const lines: string[] = [];
    for (let l = 0; l < LINES_PER_BATCH; l++) {
      const words = Array.from({ length: 1 + Math.floor(random() * 8) }, pick);
      for (const w of words) expected.set(w, (expected.get(w) ?? 0) + 1);
      lines.push(words.join(' '));
    }
    batches.push(lines);
  }
  return { batches, expected };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One process of the Streams program: JSON lines on stdout, its log on stderr. */
class JavaProcess {
  readonly label: string;
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: Array<Record<string, any>> = [];
  readonly exited: Promise<string>;
  exit: string | undefined;
  private stderr = '';
  private stdoutTail: string[] = [];
  private listeners: Array<(line: Record<string, any>) => void> = [];

  constructor(program: ClientCommand, label: string, args: string[]) {
    this.label = label;
    this.child = spawn(program.command, [...program.args, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...program.env } });
    this.child.stdin.on('error', () => {});
    // INTEROP_LOG_DIR keeps each process's whole log (INTEROP_LOG_LEVEL=info or debug for more).
    const logDir = process.env.INTEROP_LOG_DIR;
    if (logDir) mkdirSync(logDir, { recursive: true });
    const logFile = logDir ? join(logDir, `kafka-streams-${label}.log`) : undefined;
    this.child.stderr.on('data', (chunk: Buffer) => {
      if (logFile) appendFileSync(logFile, chunk);
      this.stderr += chunk.toString('utf8');
      if (this.stderr.length > 200_000) this.stderr = this.stderr.slice(-100_000);
    });
    createInterface({ input: this.child.stdout }).on('line', (text) => {
      let line: Record<string, any>;
      try {
        line = JSON.parse(text) as Record<string, any>;
      } catch {
        line = { unparsed: text };
      }
      line.at = Date.now();
      this.lines.push(line);
      if (line.event !== undefined || line.p === undefined) {
        this.stdoutTail.push(text);
        if (this.stdoutTail.length > 60) this.stdoutTail.shift();
      }
      for (const listener of this.listeners) listener(line);
    });
    this.exited = new Promise((resolve) => {
      this.child.on('error', (error) => resolve((this.exit = `could not start: ${error.message}`)));
      this.child.on('close', (code, signal) => resolve((this.exit = `exited (${signal ?? code})`)));
    });
  }

  on(listener: (line: Record<string, any>) => void): void {
    this.listeners.push(listener);
  }

  write(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Its recent stdout events and stderr log, for failure messages. */
  logs(): string {
    return `\n--- ${this.label}${this.exit ? ` (${this.exit})` : ''}: stdout (events, tail) ---\n${this.stdoutTail.join('\n')}\n--- ${this.label}: stderr (tail) ---\n${this.stderr.trim().slice(-6000)}`;
  }

  /** Waits for a stdout line matching `match`; fails (with the logs) on timeout or exit. */
  async waitLine(what: string, match: (line: Record<string, any>) => boolean, timeoutMs = WAIT_MS, from = 0): Promise<Record<string, any>> {
    const deadline = Date.now() + timeoutMs;
    for (let i = from; ; ) {
      for (; i < this.lines.length; i++) if (match(this.lines[i]!)) return this.lines[i]!;
      if (this.exit) assert.fail(`${this.label} ${this.exit} before ${what}${this.logs()}`);
      if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}${this.logs()}`);
      await sleep(50);
    }
  }

  kill(): Promise<string> {
    this.child.kill('SIGKILL');
    return this.exited;
  }
}

/** Output updates as the Streams program prints them: partition, offset, word, its count. */
interface Update {
  p: number;
  o: number;
  k: string;
  v: number;
}

/**
 * Each word's updates, in offset order, are exactly 1, 2, …, N for its N occurrences (all in one
 * partition), and there is one update per input word: nothing counted twice, nothing lost.
 */
function checkCounts(records: Update[], expected: Map<string, number>, totalWords: number, label: string): void {
  const byWord = new Map<string, Array<{ p: number; o: number; v: number }>>();
  for (const r of records) {
    if (!byWord.has(r.k)) byWord.set(r.k, []);
    byWord.get(r.k)!.push(r);
  }
  assert.deepEqual([...byWord.keys()].sort(), [...expected.keys()].sort(), `${label}: the words in the output`);
  const wrong: string[] = [];
  for (const [word, list] of byWord) {
    const partitions = new Set(list.map((r) => r.p));
    assert.equal(partitions.size, 1, `${label}: ${word} is in partitions ${[...partitions]}`);
    list.sort((a, b) => a.o - b.o);
    const values = list.map((r) => r.v);
    const n = expected.get(word)!;
    const firstBad = values.findIndex((v, i) => v !== i + 1);
    if (values.length !== n || firstBad !== -1) {
      const at = firstBad === -1 ? values.length : firstBad;
      wrong.push(`${word}: ${values.length} updates for ${n} occurrences, final ${values.at(-1)}; first break at update ${at + 1}: …${values.slice(Math.max(0, at - 3), at + 4).join(',')}… (offset ${list[at]?.o})`);
    }
  }
  assert.deepEqual(wrong, [], `${label}: every word's committed counts must be exactly 1..N`);
  assert.equal(records.length, totalWords, `${label}: one output record per input word`);
}

interface AgentProcess {
  name: string;
  port: number;
  proc: SlipstreamProcess;
}

describe('Kafka Streams (exactly_once_v2): word count through SIGKILLs of the application and an agent', () => {
  test('every word is counted exactly once: its committed output is exactly 1..N', { timeout: 300_000 }, async (t: TestContext) => {
    const started = Date.now();
    const cleanup = cleanups(t);
    const program = await streamsProgram();
    if (program.buildMs > 0) t.diagnostic(`built test/interop/streams in ${program.buildMs} ms`);
    const cluster: TestCluster = await startTestCluster(t);
    const objectStoreUrl = `file://${join(cluster.dataDir, 'objects')}`;
    const agents: AgentProcess[] = [];
    const others: JavaProcess[] = [];
    cleanup(() => {
      for (const p of others) p.child.kill('SIGKILL');
      for (const a of agents) a.proc.child.kill('SIGKILL');
    });

    const startAgent = async (name: string, port = 0): Promise<AgentProcess> => {
      const proc = await startSlipstream(
        'agent',
        {
          SLIPSTREAM_DATA_DIR: tempDir(t),
          SLIPSTREAM_CONTROL_PLANE_URL: cluster.apiUrl,
          SLIPSTREAM_AGENT_KEY: cluster.boot.agent_key,
          SLIPSTREAM_OBJECT_STORE_URL: objectStoreUrl,
          SLIPSTREAM_KAFKA_PORT: String(port),
          SLIPSTREAM_FLUSH_INTERVAL_MS: '10',
          SLIPSTREAM_LOG_LEVEL: process.env.SLIPSTREAM_TEST_LOG_LEVEL ?? 'warn',
        },
        30_000,
        /is serving Kafka clients at bootstrap\.servers=(\S+); status: (\S+)/,
      );
      const address = /bootstrap\.servers=(\S+);/.exec(proc.output())![1]!;
      const agent = { name, port: Number(address.slice(address.lastIndexOf(':') + 1)), proc };
      agents.push(agent);
      return agent;
    };
    const agentA = await startAgent('A');
    const agentB = await startAgent('B');
    const bootstrap = `127.0.0.1:${agentA.port},127.0.0.1:${agentB.port}`;

    const input = unique('words-in');
    const output = unique('counts-out');
    const appId = unique('wordcount');
    await createTopicViaApi(cluster, input, PARTITIONS);
    await createTopicViaApi(cluster, output, PARTITIONS);
    const { batches, expected } = makeInput();
    const totalWords = [...expected.values()].reduce((a, b) => a + b, 0);
    const totalLines = BATCHES * LINES_PER_BATCH;
    const batchWords = batches.map((lines) => lines.reduce((n, line) => n + line.split(' ').length, 0));

    const java = (label: string, args: string[]) => {
      const p = new JavaProcess(program, label, args);
      others.push(p);
      return p;
    };
    const allLogs = () =>
      others.map((p) => p.logs()).join('') + agents.map((a) => `\n--- agent ${a.name} (port ${a.port}) output (tail) ---\n${a.proc.output().slice(-3000)}`).join('');

    // The live read_committed reader of the output, all along.
    const tail = java('tail', ['tail', bootstrap, output]);
    await tail.waitLine('the output tail to start', (l) => l.ready === true, 60_000);
    let tailCount = 0;
    tail.on((l) => {
      if (l.p !== undefined) tailCount++;
    });
    const tailed = () => tailCount;

    // The input's idempotent producer, fed in small batches all along, never more than
    // BACKLOG_WORDS ahead of the committed output: whenever something is killed, the application
    // has input in hand and more arriving.
    const producer = java('producer', ['produce', bootstrap, input]);
    await producer.waitLine('the producer to start', (l) => l.ready === true, 60_000);
    let producedLines = 0;
    let producedWords = 0;
    const produceBatch = async (b: number) => {
      const from = producer.lines.length;
      const text = batches[b]!.map((line, i) => `> line-${b}-${i} ${line}`).join('\n');
      producer.write(`${text}\nflush`);
      const answer = await producer.waitLine(`the producer to flush batch ${b}`, (l) => l.acked !== undefined, WAIT_MS, from);
      producedLines += batches[b]!.length;
      producedWords += batchWords[b]!;
      assert.equal(answer.failed, 0, `batch ${b}: ${JSON.stringify(answer)}${producer.logs()}`);
      assert.equal(answer.acked, producedLines, `batch ${b}: ${JSON.stringify(answer)}${producer.logs()}`);
    };
    // The last HELD_BATCHES wait until every kill is done: however fast the application and the
    // producer are on a machine, each kill happens with input still to come.
    const heldFrom = BATCHES - HELD_BATCHES;
    const heldWords = batchWords.slice(0, heldFrom).reduce((a, b) => a + b, 0);
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const feeding = (async () => {
      for (let b = 0; b < BATCHES; b++) {
        if (b === heldFrom) await released;
        while (producedWords - tailed() > BACKLOG_WORDS) await sleep(20);
        await produceBatch(b);
      }
    })();
    // Surfaced where it is awaited; until then, a failed produce must not be an unhandled rejection.
    feeding.catch(() => undefined);

    // One instance of the Streams application; `lines` counts what it processed, committed or not.
    let instances = 0;
    const startStreams = async (stateDir: string) => {
      const label = `streams-${++instances}`;
      const p = java(label, ['run', bootstrap, appId, input, output, stateDir, '2']);
      await p.waitLine(`${label} to reach RUNNING`, (l) => l.event === 'state' && l.to === 'RUNNING');
      return p;
    };
    const processed = (p: JavaProcess) => Number(p.lines.findLast((l) => l.event === 'progress')?.lines ?? 0);
    /**
     * Waits until the committed output grew by `fraction` of all updates, or reached all the input
     * produced before the held batches (a fast application can get there before the last kills).
     */
    const waitCommitted = async (fraction: number, what: string) => {
      const target = Math.min(tailed() + Math.round(totalWords * fraction), heldWords);
      await waitFor(() => tailed() >= target, WAIT_MS, () => `${target} committed output updates (${what}); the tail has ${tailed()}, ${producedWords} words produced${allLogs()}`);
    };
    const note = (what: string) => t.diagnostic(`${((Date.now() - started) / 1000).toFixed(1)}s ${what} (committed output so far: ${tailed()}/${totalWords}; input produced: ${producedLines}/${totalLines} lines)`);

    // 1. Instance 1 is killed once 15% of the output is committed.
    const stateDir = tempDir(t);
    const streams1 = await startStreams(stateDir);
    await waitCommitted(0.15, 'killing streams-1');
    await streams1.kill();
    note(`SIGKILL streams-1 (it had processed ${processed(streams1)} lines)`);

    // 2. Instance 2, same state directory; once it committed 10% more, agent A is killed while it
    //    works and the producer produces, and restarted (same port) once the application
    //    committed another 10% without it.
    const streams2 = await startStreams(stateDir);
    await waitCommitted(0.1, 'killing agent A');
    agentA.proc.child.kill('SIGKILL');
    await agentA.proc.exited;
    agents.splice(agents.indexOf(agentA), 1);
    note(`SIGKILL agent A (port ${agentA.port})`);
    await waitCommitted(0.1, 'restarting agent A');
    const agentA2 = await startAgent('A', agentA.port);
    note(`restarted agent A on port ${agentA2.port}`);

    // 3. 2 s and 5% more later, instance 2 is killed; instance 3 starts on an empty state directory (its
    //    counts come back from the changelog alone).
    await sleep(2000);
    await waitCommitted(0.05, 'killing streams-2');
    await streams2.kill();
    note(`SIGKILL streams-2 (it had processed ${processed(streams2)} lines)`);
    rmSync(stateDir, { recursive: true, force: true });
    const streams3 = await startStreams(tempDir(t));
    note('streams-3 RUNNING on an empty state directory');
    release();
    await feeding;
    assert.equal(producedLines, totalLines);
    note('all input produced');

    // Everything is counted and committed: the tail has every update, the group nothing left to read.
    const updates = (p: JavaProcess) => p.lines.filter((l) => l.p !== undefined) as Update[];
    try {
      await waitFor(() => tailed() >= totalWords, 120_000, () => `the output to hold ${totalWords} committed updates; the tail has ${tailed()}${allLogs()}`);
    } catch (error) {
      checkCounts(updates(tail), expected, totalWords, 'live read_committed tail (still short)'); // says which words are short
      throw error;
    }
    const lagOf = async (topic: string) => {
      const l = java(`lag-${topic}`, ['lag', bootstrap, appId, topic]);
      return l.waitLine(`the group's offsets on ${topic}`, (x) => x.committed !== undefined, 60_000);
    };
    let lag: Record<string, any> = {};
    await waitFor(
      async () => {
        lag = await lagOf(input);
        return Object.keys(lag.end).length === PARTITIONS && Object.entries(lag.end).every(([p, end]) => lag.committed[p] === end);
      },
      60_000,
      () => `the Streams group to commit the end of ${input}: ${JSON.stringify(lag)}${streams3.logs()}`,
    );
    // Late duplicates would show up here.
    await sleep(3000);
    streams3.write('exit');
    const closed = await streams3.waitLine('streams-3 to close', (l) => l.event === 'closed', 60_000);
    assert.equal(closed.clean, true, `streams-3 did not close cleanly${streams3.logs()}`);
    await sleep(500);

    // A fresh read_committed reader of the whole output.
    const dump = java('dump', ['dump', bootstrap, output]);
    const end = await dump.waitLine('the output dump', (l) => l.end !== undefined, 60_000);
    const dumped = updates(dump);
    const live = updates(tail);
    checkCounts(dumped, expected, totalWords, 'fresh read_committed dump');
    checkCounts(live, expected, totalWords, 'live read_committed tail');
    const key = (r: { p: number; o: number }) => `${r.p}/${r.o}`;
    assert.deepEqual(live.map(key).sort(), dumped.map(key).sort(), 'the live tail and the fresh dump read the same records');

    const errors = others.flatMap((p) => p.lines.filter((l) => l.event === 'error').map((l) => `${p.label}: ${l.class}: ${l.error} (cause ${l.cause})`));
    t.diagnostic(`${totalLines} lines, ${totalWords} words (${expected.size} distinct), ${instances} Streams instances, output end offsets ${JSON.stringify(end.end)}`);
    if (process.env.KAFKA_STREAMS_TEST_VERBOSE) {
      for (const p of others.filter((x) => x.label.startsWith('streams'))) {
        t.diagnostic(`${p.label}: ${p.lines.filter((l) => l.event).map((l) => `${((l.at - started) / 1000).toFixed(1)}s ${JSON.stringify({ ...l, at: undefined })}`).join('\n')}`);
      }
      const marks: string[] = [];
      live.forEach((r: any, i) => {
        if (i % 500 === 0) marks.push(`${((r.at - started) / 1000).toFixed(1)}s:${i}`);
      });
      t.diagnostic(`tail: ${marks.join(' ')}`);
    }
    if (errors.length > 0) t.diagnostic(`uncaught Streams exceptions (threads replaced): ${errors.join(' | ')}`);
    t.diagnostic(`scenario took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});
