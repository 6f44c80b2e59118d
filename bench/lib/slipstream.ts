import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, startServer, waitForPort, type Server } from './proc.ts';

/**
 * Slipstream as `npm start` runs it (`node src/main.ts dev`: control plane, SQLite, the default
 * cluster's agent and the file object store), in its own process so its CPU time and memory can be
 * read, with its data directory in `dir` and free loopback ports.
 */

export interface RunningSlipstream {
  server: Server;
  bootstrap: string;
  apiUrl: string;
  applicationKey: string;
  virtualClusterId: string;
  env: Record<string, string>;
}

export async function startSlipstream(root: string, dir: string, extraEnv: Record<string, string> = {}, nodeArgs: string[] = [], command: 'dev' | 'control-plane' = 'dev'): Promise<RunningSlipstream> {
  const httpPort = await freePort();
  let kafkaPort = await freePort();
  while (kafkaPort === httpPort) kafkaPort = await freePort();
  const dataDir = join(dir, 'data');
  mkdirSync(dir, { recursive: true });
  const env: Record<string, string> = {
    SLIPSTREAM_DATA_DIR: dataDir,
    SLIPSTREAM_HOST: '127.0.0.1',
    SLIPSTREAM_HTTP_PORT: String(httpPort),
    SLIPSTREAM_KAFKA_PORT: String(kafkaPort),
    ...extraEnv,
  };
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  // The benchmark's process environment must not point Slipstream at other stores (tuning
  // variables such as SLIPSTREAM_FLUSH_INTERVAL_MS do pass through; run.ts records them).
  delete childEnv.DATABASE_URL;
  delete childEnv.SLIPSTREAM_OBJECT_STORE_URL;
  const server = startServer('slipstream', join(root, 'node_modules', '.bin', 'node'), [...nodeArgs, join(root, 'src', 'main.ts'), command], {
    cwd: root,
    env: childEnv,
    logFile: join(dir, 'slipstream.log'),
  });
  const apiUrl = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exited()) throw new Error(`slipstream exited while starting; see ${server.logFile}`);
    try {
      const response = await fetch(`${apiUrl}/v1/platform/health`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop(1000);
      throw new Error(`slipstream was not healthy within 60 s; see ${server.logFile}`);
    }
    await sleep(200);
  }
  const boot = JSON.parse(readFileSync(join(dataDir, 'bootstrap.json'), 'utf8')) as Record<string, string>;
  return {
    server,
    bootstrap: boot.bootstrap_url ?? `127.0.0.1:${kafkaPort}`,
    apiUrl,
    applicationKey: boot.application_key!,
    virtualClusterId: boot.virtual_cluster_id!,
    env,
  };
}

/** One Management API call; throws unless it answers 200. */
export async function api(s: RunningSlipstream, path: string, body: unknown): Promise<any> {
  const response = await fetch(`${s.apiUrl}/api/v1/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'warpstream-api-key': s.applicationKey },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status} ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/**
 * `slipstream agent` in its own process for the deployment's cluster, beside `controlPlane`,
 * sharing the object store `objectStoreUrl`; answers once it serves Kafka clients.
 */
export async function startAgentProcess(root: string, dir: string, controlPlane: RunningSlipstream, agentKey: string, objectStoreUrl: string, extraEnv: Record<string, string> = {}): Promise<{ server: Server; bootstrap: string }> {
  mkdirSync(dir, { recursive: true });
  const kafkaPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SLIPSTREAM_DATA_DIR: join(dir, 'data'),
    SLIPSTREAM_HOST: '127.0.0.1',
    SLIPSTREAM_HTTP_PORT: String(await freePort()),
    SLIPSTREAM_KAFKA_PORT: String(kafkaPort),
    SLIPSTREAM_CONTROL_PLANE_URL: controlPlane.apiUrl,
    SLIPSTREAM_AGENT_KEY: agentKey,
    SLIPSTREAM_OBJECT_STORE_URL: objectStoreUrl,
    ...extraEnv,
  };
  delete env.DATABASE_URL;
  const server = startServer('slipstream-agent', join(root, 'node_modules', '.bin', 'node'), [join(root, 'src', 'main.ts'), 'agent'], { cwd: root, env, logFile: join(dir, 'agent.log') });
  await waitForPort(kafkaPort, 60_000, () => !server.exited(), `slipstream agent (see ${server.logFile})`);
  return { server, bootstrap: `127.0.0.1:${kafkaPort}` };
}
