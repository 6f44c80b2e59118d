import { readFileSync } from 'node:fs';
import type { BootstrapFile } from '../../src/bootstrap.ts';
import { loadConfig } from '../../src/config.ts';
import { startPlatform, type RunningPlatform } from '../../src/server.ts';
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
 * this process, on free ports and a throwaway data directory, stopped when the test ends.
 */
export async function startTestCluster(t: Cleanup, env: Record<string, string> = {}): Promise<TestCluster> {
  const dataDir = tempDir(t);
  const config = loadConfig({
    SLIPSTREAM_DATA_DIR: dataDir,
    SLIPSTREAM_HTTP_PORT: '0',
    SLIPSTREAM_KAFKA_PORT: '0',
    SLIPSTREAM_LOG_LEVEL: process.env.SLIPSTREAM_TEST_LOG_LEVEL ?? 'silent',
    SLIPSTREAM_RATE_LIMIT_MAX: '1000000',
    ...env,
  });
  const platform = await startPlatform(config, 'dev');
  t.after(() => platform.close());
  const boot = JSON.parse(readFileSync(platform.bootstrapPath, 'utf8')) as BootstrapFile;
  return { platform, bootstrap: platform.kafkaAddress!, apiUrl: platform.apiUrl, boot, dataDir };
}
