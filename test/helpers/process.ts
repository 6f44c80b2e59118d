import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface SlipstreamProcess {
  child: ChildProcess;
  apiUrl: string;
  /** `host:port` of the agent (dev mode), as printed. */
  kafkaAddress: string | undefined;
  output(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

/**
 * Runs `node src/main.ts <command>` as `npm start` does, with the given environment, and waits
 * until it prints the address it serves. The HTTP port defaults to 0 (any free port).
 */
export async function startSlipstream(
  command: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
  // The banner is complete once its last line ("API docs: …") is out.
  ready = /serving the Management API at (http:\/\/\S+)[\s\S]*API docs:/,
): Promise<SlipstreamProcess> {
  const inherited = { ...process.env };
  delete inherited.DATABASE_URL; // a store is chosen by the test alone
  const child = spawn(process.execPath, [join(ROOT, 'src', 'main.ts'), command], {
    cwd: ROOT,
    env: { ...inherited, SLIPSTREAM_HTTP_PORT: '0', SLIPSTREAM_KAFKA_PORT: '0', SLIPSTREAM_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const apiUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`slipstream did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const check = () => {
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`slipstream exited (${code}) before it was ready:\n${output}`));
    });
  });
  const kafkaAddress = /bootstrap\.servers=(\S+)/.exec(output)?.[1];
  return { child, apiUrl, kafkaAddress, output: () => output, exited };
}

export async function api(apiUrl: string, key: string, path: string, body: unknown = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${apiUrl}${path}`, {
    method: 'POST',
    headers: { 'warpstream-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}
