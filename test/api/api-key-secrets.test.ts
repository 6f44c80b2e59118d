/**
 * API key secrets kept sealed (AES-256-GCM under the secrets key, bound to the key id) so that
 * list_api_keys and the cluster views answer them, as WarpStream's Terraform provider expects:
 * the exact secret create answered, never stored in the clear, unreadable under another key,
 * tampering and row swaps detected; the secrets key file and SLIPSTREAM_SECRETS_KEY.
 */
import { EmbeddedIdentity } from '../../src/identity/embedded/issuer.ts';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrap, type BootstrapFile } from '../../src/bootstrap.ts';
import { loadConfig } from '../../src/config.ts';
import { buildApp } from '../../src/control-plane/app.ts';
import { lazyTestDataEngines } from '../helpers/data.ts';
import { checkSecretsKey, loadSecretsKey, parseSecretsKey, SecretSealer, secretsKeyFor } from '../../src/control-plane/secrets.ts';
import { mintApiKey } from '../../src/control-plane/services/api-keys.ts';
import { hashSecret } from '../../src/ids.ts';
import { openMetadataStore } from '../../src/metadata/open.ts';
import { PostgresDriver } from '../../src/metadata/postgres.ts';
import { SqliteDriver } from '../../src/metadata/sqlite.ts';
import type { ApiKeyRecord, MetadataStore } from '../../src/metadata/store.ts';
import { assertError, createCluster, createWorkspace, ok, SECRET, sharedPlatform } from '../helpers/api.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { storeKinds, tempDir } from '../helpers/stores.ts';

const all = (principal_kind: string) => ({ principal_kind, resource_kind: '*', resource_id: '*' });
const onCluster = (principal_kind: string, resource_id: string) => ({ principal_kind, resource_kind: 'virtual_cluster', resource_id });
type Listed = { id: string; name: string; key: string };
const byId = (keys: Listed[], id: string) => keys.find((k) => k.id === id);

/** A second control plane over the same store, with another secrets key. */
async function appWithKey(store: MetadataStore, secrets: SecretSealer) {
  const app = await buildApp({
    store,
    secrets,
    cluster: { bootstrapUrl: '127.0.0.1:1' },
    data: lazyTestDataEngines(),
    info: { name: 'slipstream', version: 'test', mode: 'test', metadata_store: store.kind, api_url: '', bootstrap_url: '', node_version: '', started_at: '' },
    rateLimit: { max: 1_000_000, windowMs: 60_000 },
    bodyLimitBytes: 1024 * 1024,
    logLevel: 'silent',
    isReady: () => true,
    identity: new EmbeddedIdentity({ store, secrets, baseUrl: () => 'http://test' }),
    signupPolicy: 'closed',
  });
  return app;
}

/** Replaces a key's stored `secret_sealed` (the store has no update: the row is re-inserted). */
async function storeSealed(p: TestPlatform, record: ApiKeyRecord, secret_sealed: string | null): Promise<void> {
  await p.store.deleteApiKey(record.id);
  await p.store.insertApiKey({ ...record, secret_sealed });
}

describe('SecretSealer', () => {
  const sealer = new SecretSealer(randomBytes(32));
  const secret = 'aks_' + 'ab'.repeat(32);

  it('opens what it sealed, for the same id only, and seals differently every time', () => {
    const sealed = sealer.seal('aki_1', secret);
    assert.match(sealed, /^v1:[A-Za-z0-9+/]+=*$/);
    assert.ok(!sealed.includes(secret.slice(4)) && !Buffer.from(sealed.slice(3), 'base64').toString('latin1').includes(secret.slice(4)));
    assert.equal(sealer.open('aki_1', sealed), secret);
    assert.notEqual(sealer.seal('aki_1', secret), sealed, 'a fresh IV per seal');
    assert.throws(() => sealer.open('aki_2', sealed), (e: Error & { code?: string }) => e.code === 'API_KEY_SECRET_UNREADABLE' && /aki_2/.test(e.message));
  });

  it('refuses every altered byte, a truncated value, garbage and another key', () => {
    const sealed = sealer.seal('aki_1', secret);
    const raw = Buffer.from(sealed.slice(3), 'base64');
    for (let i = 0; i < raw.length; i++) {
      const altered = Buffer.from(raw);
      altered[i] = altered[i]! ^ 0x01;
      assert.throws(() => sealer.open('aki_1', 'v1:' + altered.toString('base64')), /cannot be unsealed/, `byte ${i}`);
    }
    assert.throws(() => sealer.open('aki_1', 'v1:' + raw.subarray(0, 20).toString('base64')), /cannot be unsealed/);
    assert.throws(() => sealer.open('aki_1', secret), /cannot be unsealed/);
    assert.throws(() => sealer.open('aki_1', 'v2:' + raw.toString('base64')), /cannot be unsealed/);
    assert.throws(() => new SecretSealer(randomBytes(32)).open('aki_1', sealed), /SLIPSTREAM_SECRETS_KEY/);
    assert.throws(() => new SecretSealer(randomBytes(16)), /32 bytes/);
  });
});

describe('the secrets key', () => {
  it('is created once in the data dir (0600) and reused; SLIPSTREAM_SECRETS_KEY wins and writes nothing', async (t) => {
    const dir = join(tempDir(t), 'nested', 'data');
    const first = await loadSecretsKey(dir);
    const path = join(dir, 'secrets.key');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(first.length, 32);
    assert.deepEqual(parseSecretsKey(readFileSync(path, 'utf8'), path), first);
    assert.deepEqual(await loadSecretsKey(dir), first, 'the second start reads the same key');
    assert.deepEqual(await secretsKeyFor(loadConfig({ SLIPSTREAM_SECRETS_KEY: '', SLIPSTREAM_DATA_DIR: dir })), first, 'an empty variable means unset');
    // Concurrent first starts agree on one key.
    const racing = join(tempDir(t), 'race');
    const keys = await Promise.all([1, 2, 3, 4].map(() => loadSecretsKey(racing)));
    for (const key of keys) assert.deepEqual(key, keys[0]);

    const fromEnv = randomBytes(32);
    const envDir = tempDir(t);
    assert.deepEqual(await secretsKeyFor(loadConfig({ SLIPSTREAM_SECRETS_KEY: fromEnv.toString('base64'), SLIPSTREAM_DATA_DIR: envDir })), fromEnv);
    assert.ok(!existsSync(join(envDir, 'secrets.key')));
  });

  it('refuses a malformed SLIPSTREAM_SECRETS_KEY or secrets.key with a clear message', async (t) => {
    for (const bad of ['not base64!', randomBytes(31).toString('base64'), randomBytes(33).toString('base64'), randomBytes(32).toString('hex')]) {
      assert.throws(() => loadConfig({ SLIPSTREAM_SECRETS_KEY: bad }), /SLIPSTREAM_SECRETS_KEY must be the base64 encoding of exactly 32 bytes/, bad);
    }
    const good = randomBytes(32);
    assert.deepEqual(loadConfig({ SLIPSTREAM_SECRETS_KEY: good.toString('base64') }).secretsKey, good);
    assert.equal(loadConfig({}).secretsKey, undefined);
    const dir = tempDir(t);
    writeFileSync(join(dir, 'secrets.key'), 'short\n', { mode: 0o600 });
    await assert.rejects(loadSecretsKey(dir), /secrets\.key must be the base64 encoding of exactly 32 bytes/);
  });
});

for (const kind of storeKinds()) {
  describe(`api key secrets (${kind.kind})`, () => {
    const platform = sharedPlatform(kind);

    it('lists the bootstrap keys with the secrets of bootstrap.json, everywhere an ApiKey is answered', async () => {
      const p = platform();
      const asAccount = (await ok(p, '/api/v1/list_api_keys', {}, { key: p.boot.account_key })).body.api_keys as Listed[];
      assert.equal(asAccount.find((k) => k.name === 'akn_account_key')?.key, p.boot.account_key);
      const listed = (await ok(p, '/api/v1/list_api_keys', {})).body.api_keys as Listed[];
      assert.equal(listed.find((k) => k.name === 'akn_default_application_key')?.key, p.boot.application_key);
      assert.equal(listed.find((k) => k.name === 'akn_default_agent_key')?.key, p.boot.agent_key);
      const described = await ok(p, '/api/v1/describe_virtual_cluster', { virtual_cluster_id: p.boot.virtual_cluster_id });
      assert.deepEqual(described.body.virtual_cluster.agent_keys.map((k: Listed) => k.key), [p.boot.agent_key]);
    });

    it('answers the very secret create answered, and it authenticates as that key', async () => {
      const p = platform();
      const vci = await createCluster(p, 'sealed_vc');
      const clusterKey = (await ok(p, '/api/v1/list_virtual_clusters', {})).body.virtual_clusters.find((c: { id: string }) => c.id === vci).agent_keys[0];
      const app = await ok(p, '/api/v1/create_api_key', { name: 'sealed_app', access_grants: [all('app')] });
      const agent = await ok(p, '/api/v1/create_api_key', { name: 'sealed_agent', access_grants: [onCluster('agent', vci)] });
      const listed = (await ok(p, '/api/v1/list_api_keys', {})).body.api_keys as Listed[];
      for (const made of [app.body, agent.body, clusterKey]) {
        assert.match(made.key, SECRET);
        assert.equal(byId(listed, made.id)?.key, made.key, made.name);
        assert.equal((await p.store.getApiKeyBySecretHash(hashSecret(made.key)))?.id, made.id, `${made.name} authenticates by its hash`);
      }
      // Listed secrets authenticate: the application key manages, the agent key is an agent.
      await ok(p, '/api/v1/list_virtual_clusters', {}, { key: byId(listed, app.body.id)!.key });
      assertError(await p.call('/api/v1/list_virtual_clusters', {}, { key: byId(listed, agent.body.id)!.key }), 403, 'FORBIDDEN', 'agent key');

      // create_workspace's application key is listed, with its secret, from inside that workspace.
      const ws = await createWorkspace(p, 'sealed workspace');
      const inWs = (await ok(p, '/api/v1/list_api_keys', {}, { key: ws.key })).body.api_keys as Listed[];
      assert.deepEqual(inWs.map((k) => k.key), [ws.key]);
    });

    it('shows a secret only to a caller that could mint such a key: "" otherwise', async () => {
      const p = platform();
      const vci = await createCluster(p, 'reach_vc');
      const other = await createCluster(p, 'reach_other');
      const reader = await ok(p, '/api/v1/create_api_key', { name: 'reach_reader', access_grants: [all('app_r')] });
      const limited = await ok(p, '/api/v1/create_api_key', { name: 'reach_limited', access_grants: [onCluster('app', vci)] });
      const agentHere = await ok(p, '/api/v1/create_api_key', { name: 'reach_agent', access_grants: [onCluster('agent', vci)] });
      const agentThere = await ok(p, '/api/v1/create_api_key', { name: 'reach_agent_other', access_grants: [onCluster('agent', other)] });

      const asReader = (await ok(p, '/api/v1/list_api_keys', {}, { key: reader.body.key })).body.api_keys as Listed[];
      assert.equal(byId(asReader, reader.body.id)?.key, reader.body.key, 'its own (read-only) secret');
      for (const wider of [p.boot.application_key, limited.body.key, agentHere.body.key]) {
        const id = (await p.store.getApiKeyBySecretHash(hashSecret(wider)))!.id;
        assert.equal(byId(asReader, id)?.key, '', 'a read-only key sees no writable secret');
      }
      assert.ok(!JSON.stringify(asReader).includes(p.boot.application_key));

      const asLimited = (await ok(p, '/api/v1/list_api_keys', {}, { key: limited.body.key })).body.api_keys as Listed[];
      assert.equal(byId(asLimited, limited.body.id)?.key, limited.body.key);
      assert.equal(byId(asLimited, agentHere.body.id)?.key, agentHere.body.key, 'an agent key of its cluster');
      assert.equal(byId(asLimited, agentThere.body.id)?.key, '', 'no agent key of another cluster');
      assert.equal(byId(asLimited, reader.body.id)?.key, '', 'no key reaching every cluster');
      const seen = (await ok(p, '/api/v1/describe_virtual_cluster', { virtual_cluster_id: vci }, { key: reader.body.key })).body.virtual_cluster;
      assert.ok(seen.agent_keys.length >= 2 && seen.agent_keys.every((k: Listed) => k.key === ''), 'describe: a read-only key sees no agent secret');
    });

    it('answers key "" for a key stored before secrets were sealed', async () => {
      const p = platform();
      const legacy = await ok(p, '/api/v1/create_api_key', { name: 'legacy', access_grants: [all('app')] });
      const record = (await p.store.getApiKey(legacy.body.id))!;
      await storeSealed(p, record, null);
      const listed = (await ok(p, '/api/v1/list_api_keys', {})).body.api_keys as Listed[];
      assert.deepEqual(byId(listed, legacy.body.id), { ...legacy.body, key: '' });
      await ok(p, '/api/v1/list_virtual_clusters', {}, { key: legacy.body.key });
      await ok(p, '/api/v1/delete_api_key', { api_key_id: legacy.body.id });
    });

    it('detects a tampered sealed secret and one swapped between two rows; another secrets key cannot unseal', async () => {
      const p = platform();
      // A workspace of its own, so the default workspace's list stays readable for other tests.
      const ws = await createWorkspace(p, 'tamper');
      const a = await ok(p, '/api/v1/create_api_key', { name: 'tamper_a', access_grants: [all('app')] }, { key: ws.key });
      const b = await ok(p, '/api/v1/create_api_key', { name: 'tamper_b', access_grants: [all('app')] }, { key: ws.key });
      const recordA = (await p.store.getApiKey(a.body.id))!;
      const recordB = (await p.store.getApiKey(b.body.id))!;
      const list = () => p.call('/api/v1/list_api_keys', {}, { key: ws.key });
      assert.equal((await list()).status, 200);

      const raw = Buffer.from(recordA.secret_sealed!.slice(3), 'base64');
      raw[raw.length - 20] = raw[raw.length - 20]! ^ 0x80;
      await storeSealed(p, recordA, 'v1:' + raw.toString('base64'));
      const tampered = await list();
      assertError(tampered, 500, 'API_KEY_SECRET_UNREADABLE', 'tampered');
      assert.match(tampered.body.error.message, new RegExp(a.body.id));

      await storeSealed(p, recordA, recordB.secret_sealed);
      await storeSealed(p, recordB, recordA.secret_sealed);
      const swapped = await list();
      assertError(swapped, 500, 'API_KEY_SECRET_UNREADABLE', 'swapped');
      assert.ok(!swapped.text.includes(a.body.key) && !swapped.text.includes(b.body.key));
      // Authentication does not depend on the sealed copy: both keys still work.
      await ok(p, '/api/v1/list_virtual_clusters', {}, { key: a.body.key });

      await storeSealed(p, recordA, recordA.secret_sealed);
      await storeSealed(p, recordB, recordB.secret_sealed);
      const restored = (await list()).body.api_keys as Listed[];
      assert.equal(byId(restored, a.body.id)?.key, a.body.key);
      assert.equal(byId(restored, b.body.id)?.key, b.body.key);

      // The same store served with another secrets key: authentication works, unsealing refuses.
      const stranger = await appWithKey(p.store, new SecretSealer(randomBytes(32)));
      try {
        const r = await stranger.inject({ method: 'POST', url: '/api/v1/list_api_keys', headers: { 'warpstream-api-key': ws.key } });
        assert.equal(r.statusCode, 500, r.body);
        assert.equal(JSON.parse(r.body).error.code, 'API_KEY_SECRET_UNREADABLE');
        assert.match(JSON.parse(r.body).error.message, /SLIPSTREAM_SECRETS_KEY/);
        assert.ok(!r.body.includes(ws.key));
      } finally {
        await stranger.close();
      }
      assert.equal(byId((await list()).body.api_keys, a.body.id)?.key, a.body.key, 'the right key still unseals');
    });

    it('stores no secret in the clear: every column of every api_keys row, bootstrap keys included', async (t) => {
      const where = await kind.location(t);
      const store = await openMetadataStore(where);
      t.after(() => store.close());
      const secrets = new SecretSealer(randomBytes(32));
      const { path } = await bootstrap(store, { dataDir: tempDir(t), apiUrl: 'http://test', bootstrapUrl: '127.0.0.1:1', secrets });
      const boot = JSON.parse(readFileSync(path, 'utf8')) as BootstrapFile;
      const accountId = (await store.getApiKeyBySecretHash(hashSecret(boot.application_key)))!.account_id;
      const fields = { name: 'akn_raw', kind: 'application' as const, account_id: accountId, workspace_id: boot.workspace_id, virtual_cluster_id: null, read_only: false, access_grants: [] };
      const minted = mintApiKey(fields, secrets);
      await store.insertApiKey(minted.record);

      const driver = where.databaseUrl ? new PostgresDriver(where.databaseUrl) : new SqliteDriver(join(where.dataDir, 'metadata.db'));
      t.after(() => driver.close());
      const rows = await driver.all<Record<string, unknown>>('SELECT * FROM api_keys');
      assert.equal(rows.length, 4);
      const plain = [boot.account_key, boot.application_key, boot.agent_key, minted.secret];
      for (const row of rows) {
        assert.match(String(row.secret_sealed), /^v1:/, `${row.name} is sealed`);
        const text = JSON.stringify(row);
        for (const secret of plain) {
          assert.ok(!text.includes(secret.slice(4)), `${row.name} holds no plaintext secret`);
          assert.ok(!text.includes(Buffer.from(secret).toString('base64').slice(0, 40)), `${row.name} holds no encoded secret`);
        }
        assert.equal(secrets.open(String(row.id), String(row.secret_sealed)), plain.find((s) => hashSecret(s) === row.secret_hash));
      }
    });

    it('refuses to start with a secrets key other than the one the store was sealed under', async (t) => {
      const store = await kind.open();
      t.after(() => store.close());
      const sealer = new SecretSealer(randomBytes(32));
      await checkSecretsKey(store, sealer);
      await checkSecretsKey(store, sealer);
      await assert.rejects(checkSecretsKey(store, new SecretSealer(randomBytes(32))), /not the one this metadata store's API key secrets are sealed under/);
      await checkSecretsKey(store, sealer);
    });
  });
}
