#!/usr/bin/env node
import { loadConfig, parseRoles } from './config.ts';
import { startAgent, startPlatform, type Mode } from './server.ts';

const usage = `usage: slipstream [dev|control-plane|agent [--require-sasl] [--roles=proxy,jobs]]

  dev            control plane and the default cluster's agent, embedded defaults — what npm start runs
  control-plane  the control plane alone (PostgreSQL when DATABASE_URL is set)
  agent          one Kafka agent for the cluster of SLIPSTREAM_AGENT_KEY, on any machine: it talks to the
                 control plane at SLIPSTREAM_CONTROL_PLANE_URL and to the object store, nothing else;
                 --require-sasl: clients must authenticate with cluster credentials (SASL);
                 --roles: WarpStream's agent roles (proxy: serve Kafka clients; jobs: retention, compaction,
                 object deletion — one agent of the cluster at a time; default proxy,jobs)

environment: SLIPSTREAM_DATA_DIR (./data), SLIPSTREAM_HOST (127.0.0.1), SLIPSTREAM_HTTP_PORT (8080),
             SLIPSTREAM_KAFKA_PORT (9092), DATABASE_URL, SLIPSTREAM_RATE_LIMIT_MAX (1000),
             SLIPSTREAM_RATE_LIMIT_WINDOW_MS (1000), SLIPSTREAM_BODY_LIMIT_BYTES (1048576), SLIPSTREAM_LOG_LEVEL (info),
             SLIPSTREAM_OBJECT_STORE_URL (file://<data dir>/objects; s3://bucket?region=…&endpoint=…; mem://),
             SLIPSTREAM_FLUSH_INTERVAL_MS (dev 5, agent 250), SLIPSTREAM_FLUSH_BYTES (8 MiB),
             SLIPSTREAM_MAX_FRAME_BYTES (100 MiB), SLIPSTREAM_AGENT_KEY, SLIPSTREAM_VIRTUAL_CLUSTER_ID,
             SLIPSTREAM_CONTROL_PLANE_URL, SLIPSTREAM_ADVERTISED_HOST, SLIPSTREAM_ADVERTISED_PORT,
             SLIPSTREAM_AGENT_ROLES (proxy,jobs), SLIPSTREAM_AVAILABILITY_ZONE,
             SLIPSTREAM_DEV_AGENT_RPC (local; http: dev mode's agent over the HTTP RPC),
             SLIPSTREAM_REQUIRE_SASL (false), SLIPSTREAM_SECRETS_KEY (<data dir>/secrets.key),
             SLIPSTREAM_TLS_CERT_FILE, SLIPSTREAM_TLS_KEY_FILE, SLIPSTREAM_TLS_CA_FILE`;

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'dev';
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(usage);
    return 0;
  }
  if (command === 'agent') {
    const flags = argv.slice(1);
    const roles = flags.find((flag) => flag.startsWith('--roles='));
    const unknown = flags.filter((flag) => flag !== '--require-sasl' && flag !== roles);
    if (unknown.length > 0) {
      console.error(`unknown option ${JSON.stringify(unknown[0])}\n\n${usage}`);
      return 2;
    }
    const config = loadConfig(process.env, 'agent');
    if (flags.includes('--require-sasl')) config.requireSasl = true;
    if (roles) config.agentRoles = parseRoles(roles.slice('--roles='.length), '--roles');
    const running = await startAgent(config);
    console.log(`Slipstream agent for ${running.agent.virtualClusterId} is serving Kafka clients at bootstrap.servers=${running.kafkaAddress}; status: ${running.statusUrl}`);
    await untilSignal((signal) => console.log(`shutting down (${signal})`));
    await running.close();
    return 0;
  }
  if (command !== 'dev' && command !== 'control-plane') {
    console.error(`unknown command ${JSON.stringify(command)}\n\n${usage}`);
    return 2;
  }
  const config = loadConfig(process.env, command as Mode);
  const platform = await startPlatform(config, command as Mode);
  const log = platform.app.log;
  log.info({ api_url: platform.apiUrl, metadata_store: platform.store.kind, data_dir: config.dataDir }, 'Slipstream is ready');
  console.log(
    [
      '',
      `Slipstream ${command} is serving the Management API at ${platform.apiUrl}`,
      `${platform.bootstrapped ? 'Created' : 'Reusing'} the default account, workspace and cluster; their keys are in`,
      `  ${platform.bootstrapPath}   (mode 0600; list_api_keys answers them too, sealed under secrets.key)`,
      'Try:',
      `  curl -s -H "warpstream-api-key: $(node -p 'require(process.argv[1]).application_key' ${platform.bootstrapPath})" \\`,
      `       ${platform.apiUrl}/api/v1/list_virtual_clusters`,
      ...(platform.kafkaAddress ? [`Kafka clients: bootstrap.servers=${platform.kafkaAddress} (virtual cluster vcn_default), e.g.`, `  kcat -b ${platform.kafkaAddress} -L`] : []),
      `API docs: ${platform.apiUrl}/docs    OpenAPI: ${platform.apiUrl}/openapi.json`,
      '',
    ].join('\n'),
  );

  await untilSignal((signal) => log.info({ signal }, 'shutting down'));
  await platform.close();
  return 0;
}

function untilSignal(onSignal: (signal: string) => void): Promise<void> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      onSignal(signal);
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`slipstream: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
