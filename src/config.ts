import { resolve } from 'node:path';

/** Everything a Slipstream process is configured with; read from the environment once. */
export interface Config {
  dataDir: string;
  host: string;
  httpPort: number;
  kafkaPort: number;
  /** PostgreSQL connection string; absent means the embedded SQLite store under `dataDir`. */
  databaseUrl: string | undefined;
  /** Requests per API key (or per client address, for requests without a key) per window. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** Largest accepted HTTP request body, in bytes. */
  bodyLimitBytes: number;
  logLevel: string;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    dataDir: resolve(env.SLIPSTREAM_DATA_DIR || './data'),
    host: env.SLIPSTREAM_HOST || '127.0.0.1',
    httpPort: integer(env, 'SLIPSTREAM_HTTP_PORT', 8080, 0, 65535),
    kafkaPort: integer(env, 'SLIPSTREAM_KAFKA_PORT', 9092, 0, 65535),
    databaseUrl: env.DATABASE_URL || undefined,
    rateLimitMax: integer(env, 'SLIPSTREAM_RATE_LIMIT_MAX', 1000, 1, 1_000_000_000),
    rateLimitWindowMs: integer(env, 'SLIPSTREAM_RATE_LIMIT_WINDOW_MS', 1000, 1, 86_400_000),
    bodyLimitBytes: integer(env, 'SLIPSTREAM_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 1024 * 1024 * 1024),
    logLevel: env.SLIPSTREAM_LOG_LEVEL || 'info',
  };
}
