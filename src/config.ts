import { resolve } from 'node:path';
import { AGENT_ROLES } from './agent-rpc/contract.ts';
import { tlsFiles, type AgentTlsFiles } from './agent/tls.ts';
import { parseSecretsKey, SECRETS_KEY_ENV } from './control-plane/secrets.ts';

/** Everything a Slipstream process is configured with; read from the environment once. */
export interface Config {
  dataDir: string;
  host: string;
  httpPort: number;
  kafkaPort: number;
  /** PostgreSQL connection string; absent means the embedded SQLite store under `dataDir`. */
  databaseUrl: string | undefined;
  /** The PostgreSQL data API's database (SLIPSTREAM_DATA_DATABASE_URL, else DATABASE_URL); absent: embedded PGlite under `dataDir`. */
  dataDatabaseUrl: string | undefined;
  /** Rows in one data API answer at most (SLIPSTREAM_DATA_MAX_ROWS). */
  dataMaxRows: number;
  /** A data API statement's time limit on real PostgreSQL (SLIPSTREAM_DATA_STATEMENT_TIMEOUT_MS). */
  dataStatementTimeoutMs: number;
  /** MONGODB_URL: the Mongo data API's server; absent: its embedded engine on the metadata store. */
  mongodbUrl: string | undefined;
  /**
   * SLIPSTREAM_SECRETS_KEY: the 32-byte key API key secrets are sealed under. Absent: the control
   * plane uses (and on first start creates) `<dataDir>/secrets.key`.
   */
  secretsKey: Buffer | undefined;
  /** Requests per API key (or per client address, for requests without a key) per window. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** Largest accepted HTTP request body, in bytes. */
  bodyLimitBytes: number;
  logLevel: string;
  /** Where agents keep record batches: file://, s3:// or mem:// (default: <dataDir>/objects). */
  objectStoreUrl: string;
  /** How long an agent buffers batches before writing an object (WarpStream: 250 ms). */
  flushIntervalMs: number;
  /** An agent writes an object early once this many bytes are buffered. */
  flushBytes: number;
  /** Largest Kafka request an agent accepts; bigger frames are refused before they are read. */
  maxFrameBytes: number;
  /** For `slipstream agent`: its agent key and (optionally) the cluster it must belong to. */
  agentKey: string | undefined;
  virtualClusterId: string | undefined;
  /** For `slipstream agent`: the control plane's URL; the agent talks to nothing else but the object store. */
  controlPlaneUrl: string | undefined;
  /**
   * Dev mode's own agent reaches the control plane in-process (`local`, the default) or over
   * the same HTTP RPC as agents on other machines (`http`: the agent test suites run both ways).
   */
  devAgentRpc: 'local' | 'http';
  /** The address Kafka clients are told to reach this agent at, when not the one it listens on. */
  advertisedHost: string | undefined;
  advertisedPort: number | undefined;
  /** WarpStream's agent roles this agent runs (`proxy`, `jobs`; `pipelines` is accepted and runs nothing yet). */
  agentRoles: string[];
  /** The agent's availability zone, for clients that name theirs (`warpstream_az=` in the client id). */
  availabilityZone: string | undefined;
  /** The jobs role's pacing: lease renewal and due checks, retention, compaction, and the youngest object compaction merges. */
  jobs: { intervalMs: number; retentionIntervalMs: number; compactionIntervalMs: number; compactionMinAgeMs: number; orphanIntervalMs: number; orphanAgeMs: number };
  /**
   * The control plane keeps a released object this long before agents may delete it: longer
   * than any fetch that may have read its index entries before they went.
   */
  objectDeletionGraceMs: number;
  /** GET /v1/auth/signups/policy (SLIPSTREAM_SIGNUP_POLICY): open, invite-only or closed. */
  signupPolicy: 'open' | 'invite-only' | 'closed';
  /** Lifetime of the embedded issuer's access tokens (SLIPSTREAM_ACCESS_TOKEN_TTL_SECONDS). */
  accessTokenTtlSeconds: number;
  /** Keycloak as the identity provider (SLIPSTREAM_KEYCLOAK_URL and its admin credentials); absent: the embedded issuer. */
  keycloak: { url: string; adminUser: string; adminPassword: string; realmPrefix: string } | undefined;
  /** Kafka clients must authenticate with SASL (cluster credentials) before anything else. */
  requireSasl: boolean;
  /**
   * TLS on the agent's Kafka listener: certificate and key files (PEM), and with a CA file,
   * mutual TLS (clients must present a certificate signed by it). Absent: plaintext.
   */
  tls: AgentTlsFiles | undefined;
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

function boolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`${name} must be true or false, got ${JSON.stringify(raw)}`);
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, values: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(values as readonly string[]).includes(raw)) throw new Error(`${name} must be one of ${values.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw as T;
}

/** A comma-separated list of WarpStream agent roles (`proxy,jobs`). */
export function parseRoles(raw: string, what: string): string[] {
  const roles = [...new Set(raw.split(',').map((role) => role.trim()).filter(Boolean))];
  const unknown = roles.filter((role) => !(AGENT_ROLES as readonly string[]).includes(role));
  if (roles.length === 0 || unknown.length > 0) throw new Error(`${what} must list roles among ${AGENT_ROLES.join(', ')}, got ${JSON.stringify(raw)}`);
  return roles;
}

function controlPlaneUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`SLIPSTREAM_CONTROL_PLANE_URL must be a URL such as http://10.0.0.5:8080, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`SLIPSTREAM_CONTROL_PLANE_URL must be http:// or https://, got ${JSON.stringify(raw)}`);
  return url.toString();
}

/** `dev` feels instant; a standalone agent batches like WarpStream's. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, mode: 'dev' | 'control-plane' | 'agent' = 'dev'): Config {
  const dataDir = resolve(env.SLIPSTREAM_DATA_DIR || './data');
  return {
    dataDir,
    host: env.SLIPSTREAM_HOST || '127.0.0.1',
    httpPort: integer(env, 'SLIPSTREAM_HTTP_PORT', 8080, 0, 65535),
    kafkaPort: integer(env, 'SLIPSTREAM_KAFKA_PORT', 9092, 0, 65535),
    databaseUrl: env.DATABASE_URL || undefined,
    dataDatabaseUrl: env.SLIPSTREAM_DATA_DATABASE_URL || env.DATABASE_URL || undefined,
    dataMaxRows: integer(env, 'SLIPSTREAM_DATA_MAX_ROWS', 1000, 1, 1_000_000),
    dataStatementTimeoutMs: integer(env, 'SLIPSTREAM_DATA_STATEMENT_TIMEOUT_MS', 10_000, 1, 3_600_000),
    mongodbUrl: env.MONGODB_URL || undefined,
    secretsKey: env[SECRETS_KEY_ENV] ? parseSecretsKey(env[SECRETS_KEY_ENV], SECRETS_KEY_ENV) : undefined,
    rateLimitMax: integer(env, 'SLIPSTREAM_RATE_LIMIT_MAX', 1000, 1, 1_000_000_000),
    rateLimitWindowMs: integer(env, 'SLIPSTREAM_RATE_LIMIT_WINDOW_MS', 1000, 1, 86_400_000),
    bodyLimitBytes: integer(env, 'SLIPSTREAM_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 1024 * 1024 * 1024),
    logLevel: env.SLIPSTREAM_LOG_LEVEL || 'info',
    objectStoreUrl: env.SLIPSTREAM_OBJECT_STORE_URL || `file://${resolve(dataDir, 'objects')}`,
    flushIntervalMs: integer(env, 'SLIPSTREAM_FLUSH_INTERVAL_MS', mode === 'agent' ? 250 : 5, 0, 60_000),
    flushBytes: integer(env, 'SLIPSTREAM_FLUSH_BYTES', 8 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxFrameBytes: integer(env, 'SLIPSTREAM_MAX_FRAME_BYTES', 100 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    agentKey: env.SLIPSTREAM_AGENT_KEY || undefined,
    virtualClusterId: env.SLIPSTREAM_VIRTUAL_CLUSTER_ID || undefined,
    controlPlaneUrl: controlPlaneUrl(env.SLIPSTREAM_CONTROL_PLANE_URL),
    devAgentRpc: oneOf(env, 'SLIPSTREAM_DEV_AGENT_RPC', ['local', 'http'] as const, 'local'),
    advertisedHost: env.SLIPSTREAM_ADVERTISED_HOST || undefined,
    advertisedPort: env.SLIPSTREAM_ADVERTISED_PORT ? integer(env, 'SLIPSTREAM_ADVERTISED_PORT', 0, 1, 65535) : undefined,
    agentRoles: parseRoles(env.SLIPSTREAM_AGENT_ROLES || 'proxy,jobs', 'SLIPSTREAM_AGENT_ROLES'),
    availabilityZone: env.SLIPSTREAM_AVAILABILITY_ZONE || undefined,
    jobs: {
      intervalMs: integer(env, 'SLIPSTREAM_JOBS_INTERVAL_MS', 2_000, 50, 60_000),
      retentionIntervalMs: integer(env, 'SLIPSTREAM_RETENTION_INTERVAL_MS', 30_000, 0, 86_400_000),
      compactionIntervalMs: integer(env, 'SLIPSTREAM_COMPACTION_INTERVAL_MS', 2_000, 0, 86_400_000),
      compactionMinAgeMs: integer(env, 'SLIPSTREAM_COMPACTION_MIN_AGE_MS', 5_000, 0, 86_400_000),
      orphanIntervalMs: integer(env, 'SLIPSTREAM_ORPHAN_SWEEP_INTERVAL_MS', 5 * 60_000, 0, 86_400_000),
      orphanAgeMs: integer(env, 'SLIPSTREAM_ORPHAN_AGE_MS', 60 * 60_000, 1_000, 30 * 86_400_000),
    },
    objectDeletionGraceMs: integer(env, 'SLIPSTREAM_OBJECT_DELETION_GRACE_MS', 5 * 60_000, 0, 7 * 86_400_000),
    signupPolicy: oneOf(env, 'SLIPSTREAM_SIGNUP_POLICY', ['open', 'invite-only', 'closed'] as const, 'invite-only'),
    accessTokenTtlSeconds: integer(env, 'SLIPSTREAM_ACCESS_TOKEN_TTL_SECONDS', 300, 10, 86_400),
    keycloak: keycloakConfig(env),
    requireSasl: boolean(env, 'SLIPSTREAM_REQUIRE_SASL', false),
    tls: tlsFiles({
      certFile: env.SLIPSTREAM_TLS_CERT_FILE ? resolve(env.SLIPSTREAM_TLS_CERT_FILE) : undefined,
      keyFile: env.SLIPSTREAM_TLS_KEY_FILE ? resolve(env.SLIPSTREAM_TLS_KEY_FILE) : undefined,
      caFile: env.SLIPSTREAM_TLS_CA_FILE ? resolve(env.SLIPSTREAM_TLS_CA_FILE) : undefined,
    }),
  };
}

function keycloakConfig(env: NodeJS.ProcessEnv): Config['keycloak'] {
  const url = env.SLIPSTREAM_KEYCLOAK_URL;
  if (!url) return undefined;
  if (!/^https?:\/\/[^/\s]+/.test(url)) throw new Error(`SLIPSTREAM_KEYCLOAK_URL must be a URL such as http://127.0.0.1:8081, got ${JSON.stringify(url)}`);
  const adminUser = env.SLIPSTREAM_KEYCLOAK_ADMIN_USER;
  const adminPassword = env.SLIPSTREAM_KEYCLOAK_ADMIN_PASSWORD;
  if (!adminUser || !adminPassword) throw new Error('SLIPSTREAM_KEYCLOAK_URL needs SLIPSTREAM_KEYCLOAK_ADMIN_USER and SLIPSTREAM_KEYCLOAK_ADMIN_PASSWORD (an admin of its master realm)');
  // Realm names are slugs, so a prefix of slug characters keeps Keycloak's names slugs too.
  const realmPrefix = env.SLIPSTREAM_KEYCLOAK_REALM_PREFIX ?? '';
  if (!/^[a-z0-9-]{0,32}$/.test(realmPrefix)) throw new Error(`SLIPSTREAM_KEYCLOAK_REALM_PREFIX must be up to 32 lowercase letters, digits and "-", got ${JSON.stringify(realmPrefix)}`);
  return { url: url.replace(/\/+$/, ''), adminUser, adminPassword, realmPrefix };
}
