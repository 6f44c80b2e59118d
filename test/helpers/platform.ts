import { provisionIdentity } from '../../src/identity/setup.ts';
import type { FastifyInstance } from 'fastify';
import { bootstrap, type BootstrapFile } from '../../src/bootstrap.ts';
import { buildApp } from '../../src/control-plane/app.ts';
import { SecretSealer } from '../../src/control-plane/secrets.ts';
import { randomBytes } from 'node:crypto';
import type { MetadataStore } from '../../src/metadata/store.ts';
import { readFileSync } from 'node:fs';
import type { IdentityProvider } from '../../src/identity/provider.ts';
import { embeddedIdentity, type IdentityKind, type TestIdentity } from './identity.ts';
import { tempDir, type Cleanup, type StoreKind } from './stores.ts';
import { lazyTestDataEngines } from './data.ts';
import type { DataEngines } from '../../src/data/gates.ts';

export interface CallOptions {
  /** API key secret; defaults to the bootstrap application key. `null` sends none. */
  key?: string | null;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  /** Raw payload instead of JSON-encoding `body`. */
  raw?: string;
}

export interface CallResult {
  status: number;
  // Tests read arbitrary answer shapes; each asserts the fields it cares about.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
  headers: Record<string, string | string[] | number | undefined>;
}

export interface TestPlatform {
  app: FastifyInstance;
  store: MetadataStore;
  /** The keys and ids the first start created. */
  boot: BootstrapFile;
  /** What this platform seals API key secrets with (a random secrets key per platform). */
  secrets: SecretSealer;
  /** Its identity provider (the embedded issuer unless the test asked for another). */
  identity: IdentityProvider;
  /** An access token that has already expired, made by `mint` (a login of `realm`). */
  expiredToken: TestIdentity['expiredToken'];
  call(path: string, body?: unknown, options?: CallOptions): Promise<CallResult>;
}

export const BOOTSTRAP_URL = '127.0.0.1:19092';

/**
 * A control plane on `kind`'s store, bootstrapped like a first `npm start`, driven through
 * Fastify's inject (no socket). Everything is closed and thrown away when the test ends.
 */
export async function startTestPlatform(
  kind: StoreKind,
  t: Cleanup,
  overrides: { data?: DataEngines; rateLimitMax?: number; rateLimitWindowMs?: number; bodyLimitBytes?: number; accessTokenTtlSeconds?: number; listen?: boolean; identity?: IdentityKind } = {},
): Promise<TestPlatform> {
  const store = await kind.open();
  const secrets = new SecretSealer(randomBytes(32));
  let baseUrl = 'http://test';
  const testIdentity = (overrides.identity ?? embeddedIdentity).open(t, { store, secrets, baseUrl: () => baseUrl, accessTokenTtlSeconds: overrides.accessTokenTtlSeconds ?? 300 });
  const identity = testIdentity.provider;
  const app = await buildApp({
    store,
    secrets,
    cluster: { bootstrapUrl: BOOTSTRAP_URL },
    info: {
      name: 'slipstream',
      version: 'test',
      mode: 'test',
      metadata_store: store.kind,
      api_url: 'http://test',
      bootstrap_url: BOOTSTRAP_URL,
      node_version: process.version,
      started_at: new Date().toISOString(),
    },
    rateLimit: { max: overrides.rateLimitMax ?? 1_000_000, windowMs: overrides.rateLimitWindowMs ?? 60_000 },
    bodyLimitBytes: overrides.bodyLimitBytes ?? 1024 * 1024,
    logLevel: 'silent',
    isReady: () => true,
    identity,
    signupPolicy: 'invite-only',
    data: overrides.data ?? lazyTestDataEngines(),
  });
  t.after(async () => {
    await app.close();
    await identity.close();
    await store.close();
  });
  // Listening on a real port (for clients that need a URL: OIDC discovery); tokens name it as their issuer.
  if (overrides.listen) baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const dataDir = tempDir(t);
  const { path } = await bootstrap(store, { dataDir, apiUrl: 'http://test', bootstrapUrl: BOOTSTRAP_URL, secrets });
  await provisionIdentity(store, identity, path);
  const boot = JSON.parse(readFileSync(path, 'utf8')) as BootstrapFile;

  async function call(path: string, body?: unknown, options: CallOptions = {}): Promise<CallResult> {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? boot.application_key : options.key;
    if (key !== null) headers['warpstream-api-key'] = key;
    const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
    if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
    const response = await app.inject({
      method: options.method ?? 'POST',
      url: path,
      headers,
      ...(payload !== undefined ? { payload } : {}),
    });
    let parsed: unknown;
    try {
      parsed = response.body === '' ? undefined : JSON.parse(response.body);
    } catch {
      parsed = undefined;
    }
    return { status: response.statusCode, body: parsed, text: response.body, headers: response.headers };
  }

  return { app, store, boot, secrets, identity, expiredToken: testIdentity.expiredToken, call };
}
