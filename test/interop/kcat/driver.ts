/**
 * kcat driven line by line, for test/interop/kcat-security.test.ts.
 *
 *     node driver.ts BOOTSTRAP [CLIENT_ID]
 *
 * kcat is a command line tool, one process per produce or consume; this driver speaks the line
 * protocol of the Java, Go and Python programs (test/interop/build-clients.ts ClientProcess) by
 * running kcat for each command. Each line on stdin is one command, answered by exactly one JSON
 * line on stdout; the first line says {"ready": true, "version": ...}.
 *
 *     produce TOPIC COUNT KEYS PREFIX [START]   -> {"acks": [[partition, offset], ...]}
 *         one `kcat -P` run, its delivery reports read from its -vvv log
 *     subscribe TOPIC GROUP                     -> {"subscribed": TOPIC, "group": GROUP}
 *         starts a `kcat -G GROUP -J TOPIC` balanced consumer that runs until close-consumer
 *     poll MILLIS                               -> {"records": [[partition, offset, key, value], ...], "assignment": [...], "rebalances": n}
 *         the records the consumer printed so far (waiting up to MILLIS for some)
 *     close-consumer                            -> {"closed": true}
 *     list-topics                               -> {"topics": [...]}      (`kcat -L -J`)
 *     exit
 *
 * A failure answers {"error": kcat's own error lines then librdkafka's error logs, "exit": status}.
 * INTEROP_CLIENT_CONFIG (JSON) holds librdkafka properties (security.protocol, sasl.*, ssl.*)
 * passed as `-X name=value` to every kcat run. The kcat binary is KCAT (default /usr/bin/kcat).
 */

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

const KCAT = process.env.KCAT ?? '/usr/bin/kcat';
const [bootstrap, clientId = 'kcat-interop'] = process.argv.slice(2);
if (!bootstrap) {
  process.stderr.write('usage: driver.ts BOOTSTRAP [CLIENT_ID]\n');
  process.exit(2);
}
const config = JSON.parse(process.env.INTEROP_CLIENT_CONFIG || '{}') as Record<string, string>;
const common = ['-b', bootstrap, '-X', `client.id=${clientId}`, ...Object.entries(config).flatMap(([k, v]) => ['-X', `${k}=${v}`])];

/** A failed command: kcat's error lines are the answer. */
class Failure extends Error {
  readonly answer: Record<string, unknown>;
  constructor(answer: Record<string, unknown>) {
    super(String(answer.error));
    this.answer = answer;
  }
}

function log(...parts: unknown[]): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 23)}] ${parts.join(' ')}\n`);
}

/** kcat's own error reports ("% ERROR: ...", "% Delivery failed ...") and librdkafka's error logs ("%3|...|FAIL|..."). */
function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => isFatal(line) || /^%[0-3]\|/.test(line));
}

function isFatal(line: string): boolean {
  return /^%\s*(ERROR:|Delivery failed)/.test(line);
}

/**
 * A failed kcat run's answer: kcat's own report first, then librdkafka's error logs, which name
 * the cause kcat's report leaves out (a failed login shows in kcat's report only as "Failed to
 * acquire metadata: Local: Broker transport failure").
 */
function failure(stderr: string, status: string): Failure {
  const lines = errorLines(stderr);
  const ordered = [...lines.filter(isFatal), ...lines.filter((line) => !isFatal(line))];
  const error = ordered.join('\n') || `kcat ${status}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`;
  return new Failure({ error, exit: status });
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** One kcat run to its end (killed after `timeoutMs`); its stderr goes to ours too, for the test's log. */
function kcat(args: string[], input: string, timeoutMs: number): Promise<Finished> {
  return new Promise((resolve, reject) => {
    log('kcat', ...args.map((a) => (/^sasl\.password=/.test(a) ? 'sasl.password=***' : a)));
    const child = spawn(KCAT, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      err.push(chunk);
      process.stderr.write(chunk);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

const status = (r: Pick<Finished, 'code' | 'signal'>) => (r.signal ? `killed by ${r.signal}` : `exit ${r.code}`);

async function produce(topic: string, count: number, keys: number, prefix: string, start: number): Promise<Record<string, unknown>> {
  const input = Array.from({ length: count }, (_, i) => `k${(start + i) % keys}\t${prefix}-${start + i}\n`).join('');
  const args = [
    ...common,
    '-P', '-t', topic, '-K', '\t',
    '-X', 'acks=all', '-X', 'enable.idempotence=true', '-X', 'linger.ms=5', '-X', 'message.timeout.ms=10000',
    // -vvv: kcat prints each delivery report ("Message delivered to partition P (offset O)").
    '-v', '-v', '-v',
  ];
  const result = await kcat(args, input, 20_000);
  // kcat logs a failed delivery and exits non-zero when any failed.
  if (result.code !== 0) throw failure(result.stderr, status(result));
  // Reports of one partition come in send order (idempotence keeps them in order).
  const acks = [...result.stderr.matchAll(/Message delivered to partition (\d+) \(offset (\d+)\)/g)].map((m) => [Number(m[1]), Number(m[2])]);
  if (acks.length !== count) throw failure(result.stderr, `${acks.length} delivery reports for ${count} records`);
  return { acks };
}

/** The running `kcat -G` consumer and what it printed since the last poll. */
interface Consumer {
  child: ChildProcessWithoutNullStreams;
  records: Array<[number, number, string | null, string | null]>;
  stderr: string;
  assignment: string[];
  rebalances: number;
  exited?: string;
  changed: () => void;
}
let consumer: Consumer | undefined;

function subscribe(topic: string, group: string): Record<string, unknown> {
  if (consumer) throw new Error('already subscribed');
  const args = [
    ...common,
    '-G', group,
    '-X', 'auto.offset.reset=earliest', '-X', 'enable.auto.commit=false',
    '-X', 'session.timeout.ms=10000', '-X', 'heartbeat.interval.ms=500', '-X', 'fetch.wait.max.ms=200',
    // -u: each record is printed (and reaches the poll) as it comes, not when stdout's buffer fills.
    '-J', '-u', topic,
  ];
  log('kcat', ...args.map((a) => (/^sasl\.password=/.test(a) ? 'sasl.password=***' : a)));
  const child = spawn(KCAT, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const c: Consumer = { child, records: [], stderr: '', assignment: [], rebalances: 0, changed: () => {} };
  child.stdin.end();
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.trim()) return;
    const m = JSON.parse(line) as { topic: string; partition: number; offset: number; key: string | null; payload: string | null };
    c.records.push([m.partition, m.offset, m.key, m.payload]);
    c.changed();
  });
  createInterface({ input: child.stderr }).on('line', (line) => {
    process.stderr.write(`${line}\n`);
    c.stderr += `${line}\n`;
    // "% Group G rebalanced (memberid ...): assigned: t [0], t [1]" / "...: revoked: ..."
    const assigned = /rebalanced .*: assigned: (.*)$/.exec(line);
    if (assigned) {
      c.rebalances += 1;
      c.assignment = [...assigned[1]!.matchAll(/(\S+) \[(\d+)\]/g)].map((p) => `${p[1]}/${p[2]}`);
    } else if (/rebalanced .*: revoked:/.test(line)) c.assignment = [];
    if (isFatal(line)) c.changed();
  });
  child.on('close', (code, signal) => {
    c.exited = status({ code, signal });
    c.changed();
  });
  consumer = c;
  return { subscribed: topic, group };
}

async function poll(millis: number): Promise<Record<string, unknown>> {
  const c = consumer;
  if (!c) throw new Error('not subscribed');
  const refused = () => c.exited !== undefined || c.stderr.split('\n').some(isFatal);
  if (c.records.length === 0 && !refused()) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, millis);
      c.changed = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    c.changed = () => {};
  }
  // Records printed before a refusal are answered first; the refusal is the next poll's answer.
  if (c.records.length === 0 && refused()) throw failure(c.stderr, c.exited ?? 'running');
  const records = c.records.splice(0);
  return { records, assignment: [...c.assignment].sort(), rebalances: c.rebalances };
}

async function closeConsumer(): Promise<Record<string, unknown>> {
  const c = consumer;
  if (!c) throw new Error('not subscribed');
  consumer = undefined;
  if (c.exited === undefined) {
    const closed = new Promise<void>((resolve) => c.child.once('close', () => resolve()));
    // SIGTERM: kcat closes the consumer (leaves the group) and exits.
    c.child.kill('SIGTERM');
    const timer = setTimeout(() => c.child.kill('SIGKILL'), 10_000);
    await closed;
    clearTimeout(timer);
  }
  return { closed: true };
}

async function listTopics(): Promise<Record<string, unknown>> {
  const result = await kcat([...common, '-L', '-J', '-m', '4'], '', 15_000);
  if (result.code !== 0 || !result.stdout.trim()) throw failure(result.stderr, status(result));
  const metadata = JSON.parse(result.stdout) as { topics: Array<{ topic: string }> };
  return { topics: metadata.topics.map((t) => t.topic).sort() };
}

async function handle(words: string[]): Promise<Record<string, unknown>> {
  const [command, ...rest] = words;
  const arg = (i: number) => {
    const value = rest[i];
    if (value === undefined) throw new Error(`${command}: argument ${i + 1} is missing`);
    return value;
  };
  switch (command) {
    case 'produce':
      return produce(arg(0), Number(arg(1)), Number(arg(2)), arg(3), Number(rest[4] ?? 0));
    case 'subscribe':
      return subscribe(arg(0), arg(1));
    case 'poll':
      return poll(Number(arg(0)));
    case 'close-consumer':
      return closeConsumer();
    case 'list-topics':
      return listTopics();
    default:
      throw new Error(`unknown command ${command}`);
  }
}

function emit(answer: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}

async function main(): Promise<void> {
  const version = await kcat(['-V'], '', 10_000);
  const match = /Version (\S+) .*librdkafka (\S+)/.exec(version.stdout + version.stderr);
  emit({ ready: true, client: 'kcat', version: match ? `${match[1]} (librdkafka ${match[2]})` : 'unknown' });
  // Commands run one at a time, in order: each answer before the next line is read.
  for await (const line of createInterface({ input: process.stdin })) {
    const words = line.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) continue;
    if (words[0] === 'exit') break;
    let answer: Record<string, unknown>;
    try {
      answer = await handle(words);
    } catch (error) {
      answer = error instanceof Failure ? error.answer : { error: `${(error as Error).name}: ${(error as Error).message}` };
    }
    emit(answer);
  }
  if (consumer) await closeConsumer();
  emit({ exited: true });
}

await main();
