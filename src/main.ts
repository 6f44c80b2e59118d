#!/usr/bin/env node
import { loadConfig } from './config.ts';
import { startPlatform, type Mode } from './server.ts';

const usage = `usage: slipstream [dev|control-plane]

  dev            control plane with embedded defaults (SQLite under SLIPSTREAM_DATA_DIR) — what npm start runs
  control-plane  the control plane alone (PostgreSQL when DATABASE_URL is set)

environment: SLIPSTREAM_DATA_DIR (./data), SLIPSTREAM_HOST (127.0.0.1), SLIPSTREAM_HTTP_PORT (8080),
             SLIPSTREAM_KAFKA_PORT (9092), DATABASE_URL, SLIPSTREAM_RATE_LIMIT_MAX (1000),
             SLIPSTREAM_RATE_LIMIT_WINDOW_MS (1000), SLIPSTREAM_BODY_LIMIT_BYTES (1048576), SLIPSTREAM_LOG_LEVEL (info)`;

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'dev';
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(usage);
    return 0;
  }
  if (command === 'agent') {
    console.error('slipstream agent: the Kafka-protocol agent is not part of this release yet');
    return 2;
  }
  if (command !== 'dev' && command !== 'control-plane') {
    console.error(`unknown command ${JSON.stringify(command)}\n\n${usage}`);
    return 2;
  }
  const config = loadConfig();
  const platform = await startPlatform(config, command as Mode);
  const log = platform.app.log;
  log.info({ api_url: platform.apiUrl, metadata_store: platform.store.kind, data_dir: config.dataDir }, 'Slipstream is ready');
  console.log(
    [
      '',
      `Slipstream ${command} is serving the Management API at ${platform.apiUrl}`,
      `${platform.bootstrapped ? 'Created' : 'Reusing'} the default account, workspace and cluster; their keys are in`,
      `  ${platform.bootstrapPath}   (mode 0600; the only copy of the secrets)`,
      'Try:',
      `  curl -s -H "warpstream-api-key: $(node -p 'require(process.argv[1]).application_key' ${platform.bootstrapPath})" \\`,
      `       ${platform.apiUrl}/api/v1/list_virtual_clusters`,
      ...(platform.kafkaAddress ? [`Kafka clients: bootstrap.servers=${platform.kafkaAddress} (virtual cluster vcn_default), e.g.`, `  kcat -b ${platform.kafkaAddress} -L`] : []),
      `API docs: ${platform.apiUrl}/docs    OpenAPI: ${platform.apiUrl}/openapi.json`,
      '',
    ].join('\n'),
  );

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down');
      platform.close().then(resolve, (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`slipstream: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
