import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import type { Cleanup } from '../helpers/stores.ts';
import { buildOnce, interopCacheDir } from '../interop/build-clients.ts';
import { explain, run } from '../interop/helpers.ts';
import { createCredential } from '../interop/security-helpers.ts';

/**
 * franz-go's own integration tests (the `Test*` functions of `pkg/kgo/*_test.go`, module
 * github.com/twmb/franz-go) against Slipstream: a control plane and one agent in this process
 * (startTestCluster), and a second one with SASL required for the two SCRAM tests.
 *
 * The test binary is built once with `go test -c` into
 * `${XDG_CACHE_HOME:-~/.cache}/slipstream/interop/kgo-test-<hash of the version>/` (next to the
 * interop client programs, with build-clients.ts's buildOnce), together with the one source file
 * a test reads at run time (config.go, TestOptValuesCoversEveryOption); the tests run in that
 * directory. Go comes from PATH, as for test/interop/go (scripts/test.sh makes sure there is one).
 *
 * Every top-level Test function runs in its own process (`-test.run '^Name$'`) with its own
 * `-test.timeout`, one after the other, so a hanging test costs its timeout and nothing more.
 * Every test must pass, except those in EXPECTED below, which must end exactly as listed there:
 * one on the list that starts passing fails this suite too, so that the list stays true.
 *
 * By hand: `scripts/test.sh test/compat/franz-go-kgo.test.ts`. SLIPSTREAM_KGO_RUN=<regexp> runs
 * only the matching Test functions; SLIPSTREAM_KGO_LOG_DIR=<dir> keeps every test's output
 * there; KGO_LOG_LEVEL=debug turns the tests' client loggers up to debug (every request).
 */

const FRANZ_GO = 'github.com/twmb/franz-go';
/** The same version as the interop client (test/interop/go/go.mod) and docs/clients.md. */
const FRANZ_GO_VERSION = 'v1.22.2';

type Outcome = 'pass' | 'fail' | 'skip';

interface Expected {
  outcome: Exclude<Outcome, 'pass'>;
  why: string;
  /** The test's output must show it ended this way for this reason (its skip message, its error). */
  match: RegExp;
  /** A shorter `-test.timeout` for a test known to hang, so that it does not cost the full one. */
  timeoutS?: number;
}

/**
 * Tests that do not pass against Slipstream, and why. Anything not listed must pass; anything
 * listed must end exactly as listed (docs/clients.md has the same table).
 */
const EXPECTED: Record<string, Expected> = {};

/** Seconds each test may take (`-test.timeout`); the slow-by-design ones get more. */
const DEFAULT_TIMEOUT_S = 120;
const TIMEOUT_S: Record<string, number> = {
  TestGroupETL: 300,
  TestTxnEtl: 300,
  TestShareGroupETL: 300,
};

/**
 * Tests whose subtests run one at a time here (`-test.parallel 1`). TestGroupSimple's KIP-848
 * subtest reads `allow848` before anything has called `adm()`, which sets it: in franz-go's own
 * one-process runs another test has called it by then; in a process of its own the subtest would
 * skip itself, unless its classic sibling (whose topic creation calls `adm()`) runs first.
 */
const SERIAL_SUBTESTS: ReadonlySet<string> = new Set(['TestGroupSimple']);

/**
 * What franz-go's test helpers read (pkg/kgo/helpers_test.go), for one agent on two cores:
 * replication factor 1; 100k records through the ETL chains (TestGroupETL, TestTxnEtl: three
 * levels of consumer groups, every record checked once at each; the default is 500k); unsafe
 * EndAndBeginTransaction allowed (Kafka semantics: a transaction may begin while the last one's
 * markers are still being written). Topic partition counts stay franz-go's (7, 11, 31).
 */
const KGO_TEST_RECORDS = 100_000;

interface KgoTests {
  /** The directory the tests run in: the binary and config.go. */
  dir: string;
  binary: string;
  buildMs: number;
}

/** `go test -c` of pkg/kgo at FRANZ_GO_VERSION, cached by version (see the file comment). */
async function buildKgoTests(): Promise<KgoTests> {
  const recipe = `${FRANZ_GO}@${FRANZ_GO_VERSION} go test -c -buildvcs=false ./pkg/kgo + pkg/kgo/config.go`;
  const out = join(interopCacheDir(), `kgo-test-${createHash('sha256').update(recipe).digest('hex').slice(0, 16)}`);
  const binary = join(out, 'kgo.test');
  const usable = () => existsSync(join(out, 'ready')) && existsSync(binary) && existsSync(join(out, 'config.go'));
  if (usable()) return { dir: out, binary, buildMs: 0 };
  const started = Date.now();
  await buildOnce(out, async (tmp) => {
    // The module's source (from the Go module proxy unless the module cache has it), from / so
    // that no go.mod around takes part.
    const download = await run('go', ['-C', '/', 'mod', 'download', '-json', `${FRANZ_GO}@${FRANZ_GO_VERSION}`], {
      timeoutMs: 300_000,
      env: { GOFLAGS: '-mod=mod' },
    });
    assert.equal(download.code, 0, explain(`go mod download ${FRANZ_GO}@${FRANZ_GO_VERSION}`, download));
    const { Dir: source } = JSON.parse(download.stdout) as { Dir?: string };
    assert.ok(source && existsSync(join(source, 'pkg', 'kgo', 'config.go')), `go mod download answered no source directory: ${download.stdout}`);
    // Built as franz-go's own main module: its go.mod and go.sum pin the test dependencies.
    const args = ['-C', source, 'test', '-c', '-buildvcs=false', '-o', join(tmp, 'kgo.test'), './pkg/kgo'];
    const build = await run('go', args, { timeoutMs: 600_000, env: { GOFLAGS: '-mod=readonly' } });
    assert.equal(build.code, 0, explain(`go ${args.join(' ')}`, build));
    copyFileSync(join(source, 'pkg', 'kgo', 'config.go'), join(tmp, 'config.go'));
    writeFileSync(join(tmp, 'version'), `${FRANZ_GO}@${FRANZ_GO_VERSION}\n`);
  });
  assert.ok(usable(), `the build in ${out} left no kgo.test`);
  return { dir: out, binary, buildMs: Date.now() - started };
}

/**
 * A TCP relay to `target` that counts the connections made through it: the kgo tests get it as
 * their seed broker, so a test that made none never talked to a broker (a unit test). Clients
 * then reach the agent at the address its Metadata advertises, as they would behind a load
 * balancer.
 */
async function countingRelay(t: Cleanup, target: string): Promise<{ address: string; take(): number }> {
  const colon = target.lastIndexOf(':');
  const host = target.slice(0, colon);
  const port = Number(target.slice(colon + 1));
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    connections++;
    const upstream = connect(port, host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return {
    address: `127.0.0.1:${address.port}`,
    take() {
      const n = connections;
      connections = 0;
      return n;
    },
  };
}

interface KgoResult {
  name: string;
  outcome: Outcome;
  seconds: number;
  /** Connections the test made to the seed brokers (0: it never talked to a broker). */
  seedConnections: number;
  /** The skip message, or the lines that tell why it failed. */
  why: string;
  /** Subtests that skipped themselves (e.g. the KIP-848 variants of the ETL tests). */
  skippedSubtests: string[];
  output: string;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Runs one top-level Test function in its own process and reads how it ended from `-test.v`. */
async function runKgoTest(kgo: KgoTests, name: string, env: Record<string, string>, seeds: Array<{ take(): number }>): Promise<KgoResult> {
  const timeoutS = EXPECTED[name]?.timeoutS ?? TIMEOUT_S[name] ?? DEFAULT_TIMEOUT_S;
  const started = Date.now();
  for (const s of seeds) s.take();
  const { code, signal, output } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve, reject) => {
    const args = ['-test.run', `^${escapeRegExp(name)}$`, '-test.timeout', `${timeoutS}s`, '-test.v', ...(SERIAL_SUBTESTS.has(name) ? ['-test.parallel', '1'] : [])];
    const child = spawn(kgo.binary, args, {
      cwd: kgo.dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // stdout (the test framework) and stderr (franz-go's logger) in the order they came.
    let output = '';
    const add = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.length > 4_000_000) output = `[…]\n${output.slice(-2_000_000)}`;
    };
    child.stdout.on('data', add);
    child.stderr.on('data', add);
    // Go's own -test.timeout panics first (with every goroutine's stack); this is for a binary
    // that hangs even so.
    const timer = setTimeout(() => child.kill('SIGKILL'), (timeoutS + 30) * 1000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
  const seconds = (Date.now() - started) / 1000;
  const seedConnections = seeds.reduce((n, s) => n + s.take(), 0);
  const lines = output.split('\n');
  const ended = new RegExp(`^--- (PASS|FAIL|SKIP): ${escapeRegExp(name)} \\(`);
  const endLine = lines.findIndex((l) => ended.test(l));
  const reported = endLine >= 0 ? (ended.exec(lines[endLine]!)![1] as 'PASS' | 'FAIL' | 'SKIP') : undefined;
  const outcome: Outcome = code === 0 && reported === 'SKIP' ? 'skip' : code === 0 && reported === 'PASS' ? 'pass' : 'fail';
  const skippedSubtests = lines.flatMap((l) => /^\s+--- SKIP: (\S+)/.exec(l)?.[1] ?? []);
  let why = '';
  if (outcome === 'skip') {
    // A top-level skip's message is the test's last log line before `--- SKIP`.
    const logged = lines.slice(0, endLine).filter((l) => /^ {4}\S+\.go:\d+: /.test(l));
    why = (logged.at(-1) ?? '').trim();
  } else if (outcome === 'fail') {
    const telling = lines.filter((l) => /^\s+--- FAIL|^panic: |^\s+\w+_test\.go:\d+: (?!deleting topic|.* completed in )/.test(l));
    why = [signal ? `killed by ${signal}` : `exit ${code}`, ...telling.slice(0, 25)].join('\n');
  }
  return { name, outcome, seconds, seedConnections, why, skippedSubtests, output };
}

/** Only the tests SLIPSTREAM_KGO_RUN matches (all of them when unset). */
function selected(name: string): boolean {
  const pattern = process.env.SLIPSTREAM_KGO_RUN;
  return !pattern || new RegExp(pattern).test(name);
}

describe(`franz-go ${FRANZ_GO_VERSION}: its own pkg/kgo integration tests`, () => {
  let cluster: TestCluster;
  let saslCluster: TestCluster;
  let env: Record<string, string>;
  let seeds: Array<{ address: string; take(): number }>;
  const cleanups: Array<() => unknown> = [];
  const scope: Cleanup = { after: (fn) => void cleanups.push(fn) };
  let built: Promise<KgoTests> | undefined;
  const kgo = () => (built ??= buildKgoTests());

  before(async () => {
    cluster = await startTestCluster(scope);
    // The SCRAM tests dial a listener that requires SASL (KGO_TEST_SCRAM_SEEDS): another
    // platform, so that the first one's clients need no credentials.
    saslCluster = await startTestCluster(scope, { SLIPSTREAM_REQUIRE_SASL: 'true' });
    const credential = await createCredential(saslCluster, 'kgo-scram', { superuser: true });
    assert.ok(!`${credential.username}${credential.password}`.includes(':'), 'KGO_TEST_SCRAM is user:pass:bits');
    seeds = [await countingRelay(scope, cluster.bootstrap), await countingRelay(scope, saslCluster.bootstrap)];
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => !k.startsWith('KGO_') && v !== undefined)) as Record<string, string>;
    env = {
      ...inherited,
      KGO_SEEDS: seeds[0]!.address,
      KGO_TEST_RF: '1',
      KGO_TEST_RECORDS: String(KGO_TEST_RECORDS),
      KGO_TEST_UNSAFE: '1',
      KGO_TEST_SCRAM: `${credential.username}:${credential.password}:256`,
      KGO_TEST_SCRAM_SEEDS: seeds[1]!.address,
      KGO_LOG_LEVEL: process.env.KGO_LOG_LEVEL ?? 'info',
    };
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  test(`builds pkg/kgo's test binary (go test -c, ${FRANZ_GO}@${FRANZ_GO_VERSION})`, async (t) => {
    const { dir, buildMs } = await kgo();
    t.diagnostic(buildMs ? `built in ${buildMs} ms into ${dir}` : `cached build (${dir})`);
  });

  test('every Test function ends as expected (pass, or as EXPECTED lists it)', async (t) => {
    const tests = await kgo();
    const list = await run(tests.binary, ['-test.list', '^Test'], { timeoutMs: 30_000 });
    assert.equal(list.code, 0, explain('kgo.test -test.list', list));
    const names = list.stdout.split('\n').map((l) => l.trim()).filter((l) => /^Test\w*$/.test(l));
    assert.ok(names.length > 100, `kgo.test lists only ${names.length} tests: ${list.stdout}`);
    const stale = Object.keys(EXPECTED).filter((n) => !names.includes(n));
    assert.deepEqual(stale, [], `EXPECTED names tests kgo.test does not have`);

    const logDir = process.env.SLIPSTREAM_KGO_LOG_DIR;
    if (logDir) mkdirSync(logDir, { recursive: true });
    const results: KgoResult[] = [];
    for (const name of names.filter(selected)) {
      await t.test(name, async (st) => {
        const result = await runKgoTest(tests, name, env, seeds);
        results.push(result);
        if (logDir) writeFileSync(join(logDir, `${name}.log`), result.output);
        const expected = EXPECTED[name];
        const broker = result.seedConnections > 0 ? 'broker' : 'no broker';
        st.diagnostic(`${result.outcome} in ${result.seconds.toFixed(1)} s (${broker})${result.why ? `: ${result.why.split('\n').join(' | ')}` : ''}`);
        if (result.skippedSubtests.length) st.diagnostic(`skipped subtests: ${result.skippedSubtests.join(', ')}`);
        const tail = `\n--- output (tail) ---\n${result.output.slice(-12_000)}`;
        if (expected) {
          st.diagnostic(`expected ${expected.outcome}: ${expected.why}`);
          assert.equal(result.outcome, expected.outcome, `${name} is listed in EXPECTED as ${expected.outcome} (${expected.why}) but ended ${result.outcome}: update the list${tail}`);
          assert.match(result.output, expected.match, `${name} ended ${result.outcome} as EXPECTED lists it, but not for the reason listed (${expected.why})${tail}`);
        } else {
          assert.equal(result.outcome, 'pass', `${name} ${result.outcome === 'skip' ? 'skipped itself' : 'failed'}: ${result.why}${tail}`);
          // Every subtest runs too (a KIP-848 or share variant skips itself when the broker does not advertise its APIs).
          assert.deepEqual(result.skippedSubtests, [], `${name} passed, but these subtests skipped themselves${tail}`);
        }
      });
    }

    const count = (o: Outcome) => results.filter((r) => r.outcome === o).length;
    const total = results.reduce((s, r) => s + r.seconds, 0);
    t.diagnostic(
      `${results.length} tests in ${total.toFixed(0)} s: ${count('pass')} pass, ${count('fail')} fail, ${count('skip')} skip; ` +
        `${results.filter((r) => r.seedConnections > 0).length} talked to a broker`,
    );
    for (const r of results) {
      const notes = [r.why.split('\n').join(' | '), r.skippedSubtests.length ? `skipped subtests: ${r.skippedSubtests.join(', ')}` : ''].filter(Boolean).join('; ');
      t.diagnostic(`| ${r.name} | ${r.outcome} | ${r.seconds.toFixed(1)} | ${r.seedConnections > 0 ? 'yes' : 'no'} | ${notes} |`);
    }
  });
});
