import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { Agent } from './agent/agent.ts';
import { LocalControlPlane } from './control-plane/agent-rpc/local.ts';
import { HttpControlPlane } from './agent-rpc/http-client.ts';
import type { ControlPlaneClient } from './agent-rpc/contract.ts';
import { provisionIdentity } from './identity/setup.ts';
import { EmbeddedIdentity } from './identity/embedded/issuer.ts';
import { KeycloakIdentity } from './identity/keycloak.ts';
import type { IdentityProvider } from './identity/provider.ts';
import { bootstrap, refreshUrls, type BootstrapFile } from './bootstrap.ts';
import { GroupCoordinator } from './control-plane/groups/coordinator.ts';
import { openObjectStore } from './objects/open.ts';
import type { ObjectStore } from './objects/object-store.ts';
import type { Config } from './config.ts';
import { buildApp } from './control-plane/app.ts';
import { dataEngines } from './data/engines.ts';
import { checkSecretsKey, SecretSealer, secretsKeyFor } from './control-plane/secrets.ts';
import { openMetadataStore } from './metadata/open.ts';
import type { MetadataStore } from './metadata/store.ts';
import packageJson from '../package.json' with { type: 'json' };

export type Mode = 'dev' | 'control-plane';

/** The agent settings that come straight from the configuration (listener, batching, security). */
function listenerOptions(config: Config) {
  return {
    host: config.host,
    port: config.kafkaPort,
    ...(config.advertisedHost ? { advertisedHost: config.advertisedHost } : {}),
    ...(config.advertisedPort ? { advertisedPort: config.advertisedPort } : {}),
    flushIntervalMs: config.flushIntervalMs,
    flushBytes: config.flushBytes,
    maxFrameBytes: config.maxFrameBytes,
    requireSasl: config.requireSasl,
    ...(config.tls ? { tls: config.tls } : {}),
    version: packageJson.version,
    roles: config.agentRoles,
    jobs: config.jobs,
    ...(config.availabilityZone ? { availabilityZone: config.availabilityZone } : {}),
  };
}

export interface RunningPlatform {
  app: FastifyInstance;
  store: MetadataStore;
  apiUrl: string;
  bootstrapUrl: string;
  bootstrapPath: string;
  /** True when this start created the account, workspace and default cluster. */
  bootstrapped: boolean;
  /** The agent serving the default cluster (dev mode only). */
  agent: Agent | undefined;
  kafkaAddress: string | undefined;
  close(): Promise<void>;
}

/**
 * Starts the control plane: opens (and migrates) the metadata store, serves the HTTP API, and
 * on first start creates the default account, workspace and cluster. Health turns 200 only
 * once all of that is done.
 */
export async function startPlatform(config: Config, mode: Mode): Promise<RunningPlatform> {
  const secrets = new SecretSealer(await secretsKeyFor(config));
  const store = await openMetadataStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const cluster = { bootstrapUrl: `${config.host}:${config.kafkaPort}` };
  let ready = false;
  let app: FastifyInstance | undefined;
  let agent: Agent | undefined;
  let objectStore: ObjectStore | undefined;
  let agentClient: ControlPlaneClient | undefined;
  // KIP-848 members heartbeat every 2 s (Kafka's default is 5 s): a rebalance converges in a few heartbeats.
  const groups = new GroupCoordinator(store, { initialRebalanceDelayMs: 100, consumer: { heartbeatIntervalMs: 2_000 } });
  // One control plane for the agents: this process's own (dev mode) and those on other machines.
  const agentRpc = new LocalControlPlane(store, groups, { objectDeletionGraceMs: config.objectDeletionGraceMs });
  const info = {
    name: 'slipstream',
    version: packageJson.version,
    mode,
    metadata_store: store.kind,
    api_url: '', // known once the listener is bound (the port may be 0)
    bootstrap_url: cluster.bootstrapUrl,
    node_version: process.version,
    started_at: new Date().toISOString(),
  };
  // Keycloak when configured (the seed's identity provider), else the embedded issuer.
  const identity: IdentityProvider = config.keycloak
    ? new KeycloakIdentity({ ...config.keycloak, accessTokenLifespanSeconds: config.accessTokenTtlSeconds })
    : new EmbeddedIdentity({ store, secrets, baseUrl: () => info.api_url, accessTokenTtlSeconds: config.accessTokenTtlSeconds });
  try {
    await checkSecretsKey(store, secrets);
    app = await buildApp({
      store,
      secrets,
      cluster,
      info,
      groups,
      metrics: () => agent?.metrics.render({ virtual_cluster_id: agent.virtualClusterId ?? '' }) ?? '',
      rateLimit: { max: config.rateLimitMax, windowMs: config.rateLimitWindowMs },
      data: dataEngines({ dataDir: config.dataDir, dataDatabaseUrl: config.dataDatabaseUrl, maxRows: config.dataMaxRows, statementTimeoutMs: config.dataStatementTimeoutMs, mongodbUrl: config.mongodbUrl }),
      bodyLimitBytes: config.bodyLimitBytes,
      logLevel: config.logLevel,
      isReady: () => ready,
      agentRpc,
      identity,
      signupPolicy: config.signupPolicy,
    });
    await app.listen({ host: config.host, port: config.httpPort });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.httpPort;
    const apiUrl = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    info.api_url = apiUrl;
    const result = await bootstrap(store, { dataDir: config.dataDir, apiUrl, bootstrapUrl: cluster.bootstrapUrl, secrets });
    await provisionIdentity(store, identity, result.path);
    let kafkaAddress: string | undefined;
    if (mode === 'dev') {
      // Dev mode runs the default cluster's agent in this process, on its own agent key.
      const boot = JSON.parse(await readFile(result.path, 'utf8')) as BootstrapFile;
      objectStore = openObjectStore(config.objectStoreUrl, { dataDir: config.dataDir });
      // SLIPSTREAM_DEV_AGENT_RPC=http: the same agent, over the RPC agents elsewhere use.
      agentClient = config.devAgentRpc === 'http' ? new HttpControlPlane({ url: apiUrl, agentKey: boot.agent_key }) : agentRpc;
      agent = new Agent({
        controlPlane: agentClient,
        objectStore,
        agentKey: boot.agent_key,
        virtualClusterId: boot.virtual_cluster_id,
        ...listenerOptions(config),
        log: app.log.child({ component: 'agent' }) as unknown as pino.Logger,
      });
      const address = await agent.start();
      kafkaAddress = `${address.host}:${address.port}`;
      // With SLIPSTREAM_KAFKA_PORT=0 the port is known only now: tell the API and the file.
      cluster.bootstrapUrl = kafkaAddress;
      info.bootstrap_url = kafkaAddress;
      await refreshUrls(result.path, { dataDir: config.dataDir, apiUrl, bootstrapUrl: kafkaAddress });
    }
    ready = true;
    const running = app;
    const runningAgent = agent;
    return {
      app: running,
      store,
      apiUrl,
      bootstrapUrl: cluster.bootstrapUrl,
      bootstrapPath: result.path,
      bootstrapped: result.created,
      agent: runningAgent,
      kafkaAddress,
      async close() {
        // Agent first: it answers what is in flight and flushes buffered batches to the store.
        await runningAgent?.close();
        if (agentClient !== agentRpc) await agentClient?.close();
        // Group calls of other agents may be waiting on a rebalance: answered now (NOT_COORDINATOR),
        // so the HTTP server's close does not wait for them.
        groups.close();
        await running.close();
        await objectStore?.close();
        await identity.close();
        await store.close();
      },
    };
  } catch (error) {
    await agent?.close().catch(() => undefined);
    if (agentClient !== agentRpc) await agentClient?.close().catch(() => undefined);
    await app?.close().catch(() => undefined);
    groups.close();
    await objectStore?.close().catch(() => undefined);
    await identity.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}

export interface RunningAgent {
  agent: Agent;
  kafkaAddress: string;
  statusUrl: string;
  close(): Promise<void>;
}

/**
 * `slipstream agent`: one agent as its own process, for the virtual cluster of its agent key,
 * on any machine: it reaches the control plane only over HTTP (SLIPSTREAM_CONTROL_PLANE_URL) and
 * keeps batches in the object store of SLIPSTREAM_OBJECT_STORE_URL — no metadata store of its
 * own. Its HTTP port answers `/v1/status` and `/metrics`.
 */
export async function startAgent(config: Config): Promise<RunningAgent> {
  if (!config.agentKey) throw new Error('slipstream agent needs its agent key in SLIPSTREAM_AGENT_KEY');
  if (!config.controlPlaneUrl) throw new Error('slipstream agent needs the control plane\'s URL in SLIPSTREAM_CONTROL_PLANE_URL (e.g. http://127.0.0.1:8080)');
  const log = pino({ level: config.logLevel });
  const controlPlane = new HttpControlPlane({ url: config.controlPlaneUrl, agentKey: config.agentKey });
  const objectStore = openObjectStore(config.objectStoreUrl, { dataDir: config.dataDir });
  const agent = new Agent({
    controlPlane,
    objectStore,
    agentKey: config.agentKey,
    ...(config.virtualClusterId ? { virtualClusterId: config.virtualClusterId } : {}),
    ...listenerOptions(config),
    log,
  });
  let status: Server | undefined;
  try {
    const address = await agent.start();
    status = createServer((request, response) => {
      const path = (request.url ?? '').split('?')[0];
      if (path === '/v1/status') {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', ...agent.status() }));
      } else if (path === '/metrics') {
        response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(agent.metrics.render({ virtual_cluster_id: agent.virtualClusterId ?? '' }));
      } else {
        response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'ROUTE_NOT_FOUND', message: `no route for ${path}` } }));
      }
    });
    await new Promise<void>((resolve, reject) => {
      status!.once('error', reject);
      status!.listen(config.httpPort, config.host, () => resolve());
    });
    const bound = status.address();
    const statusPort = typeof bound === 'object' && bound ? bound.port : config.httpPort;
    const running = status;
    return {
      agent,
      kafkaAddress: `${address.host}:${address.port}`,
      statusUrl: `http://${config.host}:${statusPort}/v1/status`,
      async close() {
        await new Promise<void>((resolve) => running.close(() => resolve()));
        await agent.close();
        await controlPlane.close();
        await objectStore.close();
      },
    };
  } catch (error) {
    status?.close();
    await agent.close().catch(() => undefined);
    await controlPlane.close().catch(() => undefined);
    await objectStore.close().catch(() => undefined);
    throw error;
  }
}
