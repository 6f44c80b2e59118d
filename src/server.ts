import type { FastifyInstance } from 'fastify';
import { bootstrap } from './bootstrap.ts';
import type { Config } from './config.ts';
import { buildApp } from './control-plane/app.ts';
import { openMetadataStore } from './metadata/open.ts';
import type { MetadataStore } from './metadata/store.ts';
import packageJson from '../package.json' with { type: 'json' };

export type Mode = 'dev' | 'control-plane';

export interface RunningPlatform {
  app: FastifyInstance;
  store: MetadataStore;
  apiUrl: string;
  bootstrapUrl: string;
  bootstrapPath: string;
  /** True when this start created the account, workspace and default cluster. */
  bootstrapped: boolean;
  close(): Promise<void>;
}

/**
 * Starts the control plane: opens (and migrates) the metadata store, serves the HTTP API, and
 * on first start creates the default account, workspace and cluster. Health turns 200 only
 * once all of that is done.
 */
export async function startPlatform(config: Config, mode: Mode): Promise<RunningPlatform> {
  const store = await openMetadataStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const bootstrapUrl = `${config.host}:${config.kafkaPort}`;
  let ready = false;
  let app: FastifyInstance | undefined;
  const info = {
    name: 'slipstream',
    version: packageJson.version,
    mode,
    metadata_store: store.kind,
    api_url: '', // known once the listener is bound (the port may be 0)
    bootstrap_url: bootstrapUrl,
    node_version: process.version,
    started_at: new Date().toISOString(),
  };
  try {
    app = await buildApp({
      store,
      bootstrapUrl,
      info,
      rateLimit: { max: config.rateLimitMax, windowMs: config.rateLimitWindowMs },
      bodyLimitBytes: config.bodyLimitBytes,
      logLevel: config.logLevel,
      isReady: () => ready,
    });
    await app.listen({ host: config.host, port: config.httpPort });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.httpPort;
    const apiUrl = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    info.api_url = apiUrl;
    const result = await bootstrap(store, { dataDir: config.dataDir, apiUrl, bootstrapUrl });
    ready = true;
    const running = app;
    return {
      app: running,
      store,
      apiUrl,
      bootstrapUrl,
      bootstrapPath: result.path,
      bootstrapped: result.created,
      async close() {
        await running.close();
        await store.close();
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}
