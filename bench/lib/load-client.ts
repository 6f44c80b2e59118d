import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { killOnExit, runOk } from './proc.ts';

/**
 * The load generator (bench/load, the Apache Kafka Java client), built once into a cache outside
 * the repository keyed by a hash of its sources — `${XDG_CACHE_HOME:-~/.cache}/slipstream/bench/
 * load-<hash>/` — the way test/interop/build-clients.ts builds the interop client.
 */

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), '..', 'load');

function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.name === 'target' || entry.name.startsWith('.')) continue;
      if (entry.isDirectory()) walk(full);
      else out.push(relative(SOURCE, full));
    }
  };
  walk(SOURCE);
  return out.sort();
}

export interface LoadClientBuild {
  classpath: string;
  /** How long the build took in this run; 0 when the cache had it. */
  buildMs: number;
}

export async function buildLoadClient(): Promise<LoadClientBuild> {
  const files = sourceFiles();
  const hash = createHash('sha256');
  for (const rel of files) hash.update(rel).update('\0').update(readFileSync(join(SOURCE, rel))).update('\0');
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const out = join(base, 'slipstream', 'bench', `load-${hash.digest('hex').slice(0, 16)}`);
  const classpathOf = () => {
    const deps = readFileSync(join(out, 'classpath.txt'), 'utf8').trim().split(':').filter(Boolean);
    return [join(out, 'project', 'target', 'classes'), ...deps];
  };
  // A cached build is only good while the jars it points into (Maven's local repository) exist.
  const usable = () => existsSync(join(out, 'ready')) && classpathOf().every((path) => existsSync(path));
  let buildMs = 0;
  if (!usable()) {
    const started = Date.now();
    const tmp = `${out}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(join(tmp, 'project'), { recursive: true });
    try {
      for (const rel of files) {
        mkdirSync(dirname(join(tmp, 'project', rel)), { recursive: true });
        cpSync(join(SOURCE, rel), join(tmp, 'project', rel));
      }
      await runOk('mvn', ['-q', '-B', '-Dstyle.color=never', '-f', join(tmp, 'project', 'pom.xml'), 'compile', 'dependency:build-classpath', `-Dmdep.outputFile=${join(tmp, 'classpath.txt')}`], {
        timeoutMs: 300_000,
      });
      writeFileSync(join(tmp, 'ready'), new Date().toISOString());
      rmSync(out, { recursive: true, force: true });
      renameSync(tmp, out);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    buildMs = Date.now() - started;
    if (!usable()) throw new Error(`the load client build in ${out} left no usable classpath`);
  }
  return { classpath: classpathOf().join(':'), buildMs };
}

export type Answer = Record<string, any>;

/** One running load generator: one command line in, one JSON answer line out. */
export class LoadClient {
  readonly settings: Answer;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<{ resolve: (a: Answer) => void; reject: (e: Error) => void }> = [];
  private readonly log: WriteStream;
  private exited: string | undefined;

  private constructor(child: ChildProcessWithoutNullStreams, log: WriteStream, settings: Answer) {
    this.child = child;
    this.log = log;
    this.settings = settings;
  }

  static async start(build: LoadClientBuild, bootstrap: string, logFile: string): Promise<LoadClient> {
    const child = spawn(
      'java',
      [
        // The same JVM flags for both systems; a long-running client, so the full JIT.
        '-Xms1g',
        '-Xmx1g',
        '-XX:+UseG1GC',
        '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
        '-Dorg.slf4j.simpleLogger.logFile=System.err',
        '-cp',
        build.classpath,
        'slipstream.bench.LoadClient',
        bootstrap,
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    killOnExit(child);
    const log = createWriteStream(logFile);
    child.stderr.pipe(log, { end: false });
    child.stdin.on('error', () => {});
    const lines = createInterface({ input: child.stdout });
    let client: LoadClient | undefined;
    const early: Array<(line: string) => void> = [];
    lines.on('line', (line) => {
      log.write(`[answer] ${line}\n`);
      if (!client) {
        early.shift()?.(line);
        return;
      }
      const waiter = client.waiting.shift();
      if (!waiter) return;
      try {
        waiter.resolve(JSON.parse(line) as Answer);
      } catch {
        waiter.reject(new Error(`load client: not JSON: ${line}`));
      }
    });
    let ready: Answer;
    try {
      const first = await new Promise<string>((resolve, reject) => {
        early.push(resolve);
        child.once('close', (code) => reject(new Error(`load client exited (${code}) before it was ready; see ${logFile}`)));
        child.once('error', (error) => reject(new Error(`load client could not start: ${error.message}`)));
        setTimeout(() => reject(new Error(`load client not ready within 60 s; see ${logFile}`)), 60_000).unref();
      });
      ready = JSON.parse(first) as Answer;
      if (ready.ready !== true) throw new Error(`load client: unexpected first line ${first}`);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    client = new LoadClient(child, log, ready.settings as Answer);
    const c = client;
    child.once('close', (code) => {
      c.exited = `exited (${code})`;
      for (const w of c.waiting.splice(0)) w.reject(new Error(`load client ${c.exited}; see ${logFile}`));
    });
    return client;
  }

  /** Sends one command; throws when the answer is an error or none comes within `timeoutMs`. */
  async send(line: string, timeoutMs: number): Promise<Answer> {
    if (this.exited) throw new Error(`load client ${this.exited}`);
    this.log.write(`[command] ${line}\n`);
    const answer = await new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`load client: no answer to "${line}" within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.push({
        resolve: (a) => {
          clearTimeout(timer);
          resolve(a);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.stdin.write(`${line}\n`);
    });
    if (answer.error !== undefined) throw new Error(`load client: "${line}" failed: ${answer.error}`);
    return answer;
  }

  async close(): Promise<void> {
    if (!this.exited) {
      const closed = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
      this.child.stdin.end('exit\n');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
      await closed;
      clearTimeout(timer);
    }
    this.log.end();
  }
}
