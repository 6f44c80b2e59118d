import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { BootstrapFile } from '../../src/bootstrap.ts';
import { loadConfig } from '../../src/config.ts';
import { startAgent, startPlatform, type RunningAgent, type RunningPlatform } from '../../src/server.ts';
import { tempDir, type Cleanup } from './stores.ts';

export interface TestCluster {
  platform: RunningPlatform;
  /** `host:port` for Kafka clients' bootstrap.servers. */
  bootstrap: string;
  apiUrl: string;
  boot: BootstrapFile;
  dataDir: string;
}

/**
 * A whole Slipstream as `npm start` runs it (control plane + the default cluster's agent), in
 * this process, on free ports and a throwaway data directory, stopped when the test ends. The
 * agent reaches the control plane in-process, or over HTTP with SLIPSTREAM_TEST_AGENT_RPC=http.
 */
export async function startTestCluster(t: Cleanup, env: Record<string, string> = {}): Promise<TestCluster> {
  const dataDir = tempDir(t);
  const config = loadConfig({
    SLIPSTREAM_DATA_DIR: dataDir,
    SLIPSTREAM_HTTP_PORT: '0',
    SLIPSTREAM_KAFKA_PORT: '0',
    SLIPSTREAM_LOG_LEVEL: process.env.SLIPSTREAM_TEST_LOG_LEVEL ?? 'silent',
    SLIPSTREAM_RATE_LIMIT_MAX: '1000000',
    // SLIPSTREAM_TEST_AGENT_RPC=http runs the agent suites over the HTTP control-plane RPC.
    SLIPSTREAM_DEV_AGENT_RPC: process.env.SLIPSTREAM_TEST_AGENT_RPC ?? 'local',
    ...env,
  });
  const platform = await startPlatform(config, 'dev');
  t.after(() => platform.close());
  const boot = JSON.parse(readFileSync(platform.bootstrapPath, 'utf8')) as BootstrapFile;
  return { platform, bootstrap: platform.kafkaAddress!, apiUrl: platform.apiUrl, boot, dataDir };
}

/**
 * Calls the cluster's Management API with its application key; asserts the answer is 200 and
 * answers its JSON body.
 */
export async function callApi(cluster: TestCluster, path: string, body: object): Promise<Record<string, unknown>> {
  const response = await fetch(`${cluster.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'warpstream-api-key': cluster.boot.application_key },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.equal(response.status, 200, `${path}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * One more agent for `cluster`, as `slipstream agent` runs it (in this process, over the HTTP
 * RPC: it knows only the control plane's URL), stopped when the test ends unless stopped before
 * (`close` may be called more than once).
 */
export async function startStandaloneAgent(t: Cleanup, cluster: TestCluster, env: Record<string, string> = {}): Promise<RunningAgent> {
  const running = await startAgent(loadConfig({
    SLIPSTREAM_DATA_DIR: cluster.dataDir,
    SLIPSTREAM_HTTP_PORT: '0',
    SLIPSTREAM_KAFKA_PORT: '0',
    SLIPSTREAM_LOG_LEVEL: process.env.SLIPSTREAM_TEST_LOG_LEVEL ?? 'silent',
    SLIPSTREAM_FLUSH_INTERVAL_MS: '5',
    SLIPSTREAM_AGENT_KEY: cluster.boot.agent_key,
    SLIPSTREAM_CONTROL_PLANE_URL: cluster.apiUrl,
    ...env,
  }, 'agent'));
  const close = running.close.bind(running);
  let closed: Promise<void> | undefined;
  running.close = () => (closed ??= close());
  t.after(() => running.close());
  return running;
}
