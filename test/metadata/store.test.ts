import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { storeKinds, tempDir } from '../helpers/stores.ts';
import { openMetadataStore, type StoreLocation } from '../../src/metadata/open.ts';
import { migrate, migrations } from '../../src/metadata/migrations.ts';
import { PostgresDriver } from '../../src/metadata/postgres.ts';
import { SqliteDriver } from '../../src/metadata/sqlite.ts';
import { UniqueViolation, type SqlDriver } from '../../src/metadata/sql.ts';
import type {
  Account,
  Acl,
  ApiKeyRecord,
  BatchIndexEntry,
  ClusterCredential,
  CommittedOffset,
  IdempotencyRecord,
  MetadataStore,
  Pipeline,
  ProducerPartition,
  Topic,
  VirtualCluster,
  Workspace,
} from '../../src/metadata/store.ts';

const NODE = '/work/main/node_modules/.bin/node';
const OPEN_MODULE = pathToFileURL(join(import.meta.dirname, '../../src/metadata/open.ts')).href;

// --- fixtures: every field set to a value that would show if it were lost or mangled ---------

const account = (id = 'acc_1', created_at = 1_700_000_000_000): Account => ({
  id,
  slug: `slug-${id.replaceAll('_', '-')}`,
  display_name: `Display ${id}`,
  plan: 'growth',
  admin_email: `admin@${id.replaceAll('_', '-')}.example`,
  status: 'suspended',
  created_at,
  updated_at: created_at + 5,
  deleted_at: null,
});

const workspace = (id: string, name: string, created_at: number, account_id = 'acc_1'): Workspace => ({
  id,
  account_id,
  name,
  slug: `ws-${id.replaceAll('_', '-')}`,
  capabilities: ['kafka', 'postgres'],
  status: 'active',
  created_at,
  updated_at: created_at + 7,
  deleted_at: null,
});

function cluster(id: string, name: string, created_at: number, workspace_id = 'wi_1'): VirtualCluster {
  return {
    id,
    workspace_id,
    name,
    type: 'byoc',
    region: 'us-east-1',
    cloud_provider: 'aws',
    tier: 'dev',
    agent_pool_id: `apid_${id}`,
    agent_pool_name: `apn_${name}`,
    created_at,
    configuration: { is_auto_create_topic_enabled: false, default_num_partitions: 3 },
    region_group: null,
    tags: { team: 'data', 'cost-center': '42' },
    events: { enabled: true, event_types: { acl_logs: { enabled: true, retention_period_nanos: 604_800_000_000_000 } } },
  };
}

function apiKey(fields: Partial<ApiKeyRecord> & Pick<ApiKeyRecord, 'id' | 'name' | 'secret_hash'>): ApiKeyRecord {
  return {
    secret_sealed: null,
    kind: 'application',
    account_id: 'acc_1',
    workspace_id: 'wi_1',
    virtual_cluster_id: null,
    read_only: false,
    access_grants: [{ principal_kind: 'application', resource_kind: 'workspace', resource_id: 'wi_1', workspace_id: 'wi_1' }],
    created_at: 1_700_000_000_100,
    ...fields,
  };
}

function topic(id: string, virtual_cluster_id: string, name: string, partition_count: number, deleted_at: number | null = null): Topic {
  return {
    id,
    virtual_cluster_id,
    name,
    partition_count,
    configs: { 'retention.ms': '86400000', 'cleanup.policy': 'compact' },
    created_at: 1_700_000_001_000,
    deleted_at,
  };
}

function acl(id: string, virtual_cluster_id: string, operation: string, created_at: number): Acl {
  return {
    id,
    virtual_cluster_id,
    resource_type: 'TOPIC',
    resource_name: 'orders',
    pattern_type: 'LITERAL',
    principal: 'User:alice',
    host: '*',
    operation,
    permission_type: 'ALLOW',
    created_at,
  };
}

function credential(id: string, virtual_cluster_id: string, name: string, username: string, created_at: number): ClusterCredential {
  return {
    id,
    virtual_cluster_id,
    name,
    username,
    is_cluster_superuser: true,
    read_only: false,
    scram: {
      'SCRAM-SHA-256': { salt: 'c2FsdDI1Ng==', iterations: 4096, stored_key: 'sk256', server_key: 'svk256' },
      'SCRAM-SHA-512': { salt: 'c2FsdDUxMg==', iterations: 8192, stored_key: 'sk512', server_key: 'svk512' },
    },
    created_at,
  };
}

function pipeline(id: string, virtual_cluster_id: string, name: string, created_at: number): Pipeline {
  return {
    id,
    virtual_cluster_id,
    name,
    type: 'bento',
    state: 'running',
    deployed_configuration_id: `pci_${id}`,
    created_at,
  };
}

function offset(
  virtual_cluster_id: string,
  group_id: string,
  topic_name: string,
  partition: number,
  committed_offset: number,
  metadata: string | null = null,
): CommittedOffset {
  return { virtual_cluster_id, group_id, topic_name, partition, committed_offset, metadata, committed_at: 1_700_000_002_000 + committed_offset };
}

function batch(topic_id: string, partition: number, base_offset: number, last_offset: number, max_timestamp: number): BatchIndexEntry {
  return {
    topic_id,
    partition,
    base_offset,
    last_offset,
    max_timestamp,
    object_key: `objects/${topic_id}/${partition}/${base_offset}`,
    byte_offset: base_offset * 100,
    byte_length: (last_offset - base_offset + 1) * 100,
  };
}

function idempotency(api_key_id: string, idempotency_key: string, created_at: number, request_hash = 'hash-1'): IdempotencyRecord {
  return { api_key_id, idempotency_key, request_hash, state: 'pending', status_code: null, response_body: null, created_at };
}

/** One account, one workspace (`wi_1`), one cluster (`vci_a`). */
async function seed(store: MetadataStore): Promise<void> {
  await store.insertAccount(account());
  await store.insertWorkspace(workspace('wi_1', 'main', 1_700_000_000_010));
  await store.insertVirtualCluster(cluster('vci_a', 'vcn_a', 1_700_000_000_020));
}

function driverFor(location: StoreLocation): SqlDriver {
  return location.databaseUrl ? new PostgresDriver(location.databaseUrl) : new SqliteDriver(join(location.dataDir, 'metadata.db'));
}

const latestVersion = Math.max(...migrations.map((m) => m.version));

const MODULES = {
  migrations: pathToFileURL(join(import.meta.dirname, '../../src/metadata/migrations.ts')).href,
  postgres: pathToFileURL(join(import.meta.dirname, '../../src/metadata/postgres.ts')).href,
  sqlite: pathToFileURL(join(import.meta.dirname, '../../src/metadata/sqlite.ts')).href,
};

/**
 * Opens the database and runs `migrate` in two child processes released at the same moment;
 * answers what each applied.
 */
async function migrateInTwoProcesses(t: { after(fn: () => unknown): void }, where: StoreLocation): Promise<[number[], number[]]> {
  const script = `
    const { migrate } = await import(${JSON.stringify(MODULES.migrations)});
    const { PostgresDriver } = await import(${JSON.stringify(MODULES.postgres)});
    const { SqliteDriver } = await import(${JSON.stringify(MODULES.sqlite)});
    process.stdout.write('ready\\n');
    await new Promise((resolve) => process.stdin.once('data', resolve));
    // Opened only now, so the two processes also race to create the database file itself.
    const url = process.env.T_DATABASE_URL;
    const driver = url ? new PostgresDriver(url) : new SqliteDriver(process.env.T_SQLITE_FILE);
    const applied = await migrate(driver);
    await driver.close();
    process.stdout.write(JSON.stringify(applied) + '\\n');
    process.exit(0);
  `;
  const env = {
    ...process.env,
    T_DATABASE_URL: where.databaseUrl ?? '',
    T_SQLITE_FILE: join(where.dataDir, 'metadata.db'),
  };
  const start = () => {
    const child = spawn(NODE, ['--no-warnings', '--input-type=module', '-e', script], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    t.after(() => child.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number[]>((resolve, reject) =>
      child.on('close', (code) => {
        if (code !== 0) reject(new Error(`migrating child exited with ${code}: ${stdout} ${stderr}`));
        else resolve(JSON.parse(stdout.slice('ready\n'.length)) as number[]);
      }),
    );
    exited.catch(() => undefined); // awaited below; no unhandled rejection if a sibling fails first
    const ready = Promise.race([
      new Promise<void>((resolve) =>
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.startsWith('ready\n')) resolve();
        }),
      ),
      exited.then(() => {
        throw new Error(`migrating child finished without waiting: ${stdout}`);
      }),
    ]);
    return { child, ready, exited };
  };
  const a = start();
  const b = start();
  await Promise.all([a.ready, b.ready]);
  a.child.stdin.end('go\n');
  b.child.stdin.end('go\n');
  return Promise.all([a.exited, b.exited]);
}

for (const { kind, open, location } of storeKinds()) {
  describe(`MetadataStore (${kind})`, () => {
    /** A fresh migrated store, closed (and its database dropped) when the test ends. */
    async function fresh(t: { after(fn: () => unknown): void }): Promise<MetadataStore> {
      const store = await open();
      t.after(() => store.close());
      return store;
    }

    it('reports its kind', async (t) => {
      const store = await fresh(t);
      assert.equal(store.kind, kind);
    });

    it('metadata: get/set round-trips and set overwrites', async (t) => {
      const store = await fresh(t);
      assert.equal(await store.getMetadata('cluster_id'), undefined);
      await store.setMetadata('cluster_id', 'c-1');
      await store.setMetadata('other', 'x');
      assert.equal(await store.getMetadata('cluster_id'), 'c-1');
      await store.setMetadata('cluster_id', 'c-2');
      assert.equal(await store.getMetadata('cluster_id'), 'c-2');
      assert.equal(await store.getMetadata('other'), 'x');
    });

    it('accounts: round-trip, missing id, duplicate id', async (t) => {
      const store = await fresh(t);
      await store.insertAccount(account('acc_1', 1_700_000_000_000));
      assert.deepEqual(await store.getAccount('acc_1'), account('acc_1', 1_700_000_000_000));
      assert.equal(await store.getAccount('acc_2'), undefined);
      await assert.rejects(store.insertAccount(account('acc_1', 5)), UniqueViolation);
      assert.deepEqual(await store.getAccount('acc_1'), account('acc_1', 1_700_000_000_000));
      assert.deepEqual(await store.findAccountBySlug('slug-acc-1'), account('acc_1', 1_700_000_000_000));
      // Slugs are unique across tenants.
      await assert.rejects(store.insertAccount({ ...account('acc_9'), slug: 'slug-acc-1' }), UniqueViolation);
    });

    it('accounts: update, and listing by status and plan in pages after a position', async (t) => {
      const store = await fresh(t);
      const a1 = { ...account('acc_1', 100), status: 'active' as const };
      const a2 = { ...account('acc_2', 200), status: 'active' as const, plan: 'starter' };
      const a3 = { ...account('acc_3', 200), status: 'active' as const };
      const gone = { ...account('acc_4', 50), status: 'deleted' as const, deleted_at: 60 };
      for (const a of [a3, gone, a1, a2]) await store.insertAccount(a);
      assert.deepEqual((await store.listAccounts({ limit: 10 })).map((a) => a.id), ['acc_1', 'acc_2', 'acc_3'], 'deleted ones hidden, (created_at, id) order');
      assert.deepEqual((await store.listAccounts({ status: 'deleted', limit: 10 })).map((a) => a.id), ['acc_4']);
      assert.deepEqual((await store.listAccounts({ plan: 'starter', limit: 10 })).map((a) => a.id), ['acc_2']);
      assert.deepEqual((await store.listAccounts({ limit: 2 })).map((a) => a.id), ['acc_1', 'acc_2']);
      assert.deepEqual((await store.listAccounts({ after: { created_at: 200, id: 'acc_2' }, limit: 2 })).map((a) => a.id), ['acc_3']);
      const changed = { ...a1, display_name: 'Renamed', plan: 'enterprise', admin_email: 'x@y.z', status: 'suspended' as const, updated_at: 999 };
      await store.updateAccount(changed);
      assert.deepEqual(await store.getAccount('acc_1'), changed);
    });

    it('identity: realms, users, clients, signing keys, refresh tokens spent once and revoked by family', async (t) => {
      const store = await fresh(t);
      await store.insertAccount(account('acc_1'));
      const realm = { name: 'acme', account_id: 'acc_1', display_name: 'Acme', enabled: true, created_at: 10 };
      await store.identity.insertRealm(realm);
      await assert.rejects(store.identity.insertRealm({ ...realm }), UniqueViolation);
      assert.deepEqual(await store.identity.listRealms('acc_1'), [realm]);
      await store.identity.setRealmEnabled('acme', false);
      assert.equal((await store.identity.getRealm('acme'))!.enabled, false);
      const user = { id: 'usr_1', realm: 'acme', username: 'ann', email: 'ann@acme.test', password_hash: 'scrypt$h', roles: ['viewer'], created_at: 1, updated_at: 1 };
      await store.identity.insertUser(user);
      await assert.rejects(store.identity.insertUser({ ...user, id: 'usr_2' }), UniqueViolation);
      await store.identity.updateUser({ ...user, roles: ['developer', 'viewer'], password_hash: 'scrypt$h2', updated_at: 2 });
      assert.deepEqual(await store.identity.findUser('acme', 'ann'), { ...user, roles: ['developer', 'viewer'], password_hash: 'scrypt$h2', updated_at: 2 });
      assert.deepEqual(await store.identity.getUser('usr_1'), await store.identity.findUser('acme', 'ann'));
      const client = { id: 'oci_1', realm: 'acme', client_id: 'ci', secret_hash: 'ab', grant_types: ['client_credentials'], redirect_uris: ['https://x.test/cb'], roles: ['viewer'], workspace_id: null, created_at: 3 };
      await store.identity.insertClient(client);
      const bound = { ...client, id: 'oci_2', client_id: 'app', workspace_id: 'wi_1', created_at: 4 };
      await store.identity.insertClient(bound);
      assert.deepEqual(await store.identity.findClient('acme', 'ci'), client);
      assert.deepEqual(await store.identity.listClients('acme'), [client, bound]);
      const k1 = { kid: 'k1', algorithm: 'EdDSA', public_jwk: '{}', private_jwk_sealed: 's1', created_at: 1 };
      const k2 = { ...k1, kid: 'k2', created_at: 2 };
      await store.identity.insertSigningKey(k1);
      await store.identity.insertSigningKey(k2);
      assert.deepEqual((await store.identity.listSigningKeys()).map((k) => k.kid), ['k2', 'k1'], 'newest first');
      await store.identity.deleteSigningKey('k1');
      assert.deepEqual(await store.identity.listSigningKeys(), [k2]);
      const token = { token_hash: 'h1', family_id: 'f1', realm: 'acme', subject: 'usr_1', client_id: 'slipstream', expires_at: 1_000, used_at: null, revoked_at: null, created_at: 1 };
      await store.identity.insertRefreshToken(token);
      await store.identity.insertRefreshToken({ ...token, token_hash: 'h2', expires_at: 5_000 });
      assert.equal(await store.identity.spendRefreshToken('h1', 7), true);
      assert.equal(await store.identity.spendRefreshToken('h1', 8), false, 'spent once only');
      assert.deepEqual(await store.identity.getRefreshToken('h1'), { ...token, used_at: 7 });
      await store.identity.revokeRefreshFamily('f1', 9);
      assert.equal((await store.identity.getRefreshToken('h2'))!.revoked_at, 9);
      assert.equal(await store.identity.spendRefreshToken('h2', 10), false, 'a revoked token cannot be spent');
      assert.equal(await store.identity.purgeRefreshTokens(2_000), 1);
      assert.equal(await store.identity.getRefreshToken('h1'), undefined);
    });

    it('workspaces: round-trip, lookup by name, ordering, unique names per account', async (t) => {
      const store = await fresh(t);
      await store.insertAccount(account('acc_1'));
      await store.insertAccount(account('acc_2'));
      const w3 = workspace('wi_3', 'third', 300);
      const w1 = workspace('wi_1', 'first', 100);
      const w2b = workspace('wi_2b', 'second-b', 200);
      const w2a = workspace('wi_2a', 'second-a', 200);
      for (const w of [w3, w1, w2b, w2a]) await store.insertWorkspace(w);
      const other = workspace('wi_x', 'first', 50, 'acc_2'); // same name, other account: allowed
      await store.insertWorkspace(other);

      assert.deepEqual(await store.getWorkspace('wi_2b'), w2b);
      assert.equal(await store.getWorkspace('wi_nope'), undefined);
      assert.deepEqual(await store.findWorkspaceByName('acc_1', 'first'), w1);
      assert.deepEqual(await store.findWorkspaceByName('acc_2', 'first'), other);
      assert.equal(await store.findWorkspaceByName('acc_1', 'nope'), undefined);
      // created_at first, then id for ties; other accounts' workspaces are not listed.
      assert.deepEqual(await store.listWorkspaces('acc_1'), [w1, w2a, w2b, w3]);
      assert.deepEqual(await store.listWorkspaces('acc_2'), [other]);
      assert.deepEqual(await store.listWorkspaces('acc_none'), []);

      await assert.rejects(store.insertWorkspace(workspace('wi_dup', 'third', 400)), UniqueViolation);
      assert.equal(await store.getWorkspace('wi_dup'), undefined);
    });

    it('api keys: JSON grants, booleans and null workspace round-trip; lookups and listings', async (t) => {
      const store = await fresh(t);
      await seed(store);
      await store.insertVirtualCluster(cluster('vci_b', 'vcn_b', 1_700_000_000_030));
      const accountKey = apiKey({
        id: 'aki_account',
        name: 'akn_admin',
        secret_hash: 'h-account',
        // Sealed secrets are opaque text to the store: kept and answered exactly (null when absent).
        secret_sealed: 'v1:c2VhbGVkIHNlY3JldA==',
        kind: 'account',
        workspace_id: null,
        read_only: true,
        access_grants: [
          { principal_kind: 'account', resource_kind: '*', resource_id: '*' },
          { principal_kind: 'account', resource_kind: 'workspace', resource_id: 'wi_1', workspace_id: 'wi_1' },
        ],
        created_at: 10,
      });
      const appLate = apiKey({ id: 'aki_app2', name: 'akn_admin', secret_hash: 'h-app2', created_at: 30 });
      const appEarly = apiKey({ id: 'aki_app1', name: 'akn_app', secret_hash: 'h-app1', created_at: 20, access_grants: [] });
      const agentA = apiKey({
        id: 'aki_agent_a',
        name: 'akn_agent_a',
        secret_hash: 'h-agent-a',
        kind: 'agent',
        virtual_cluster_id: 'vci_a',
        created_at: 40,
      });
      const agentB = apiKey({
        id: 'aki_agent_b',
        name: 'akn_agent_b',
        secret_hash: 'h-agent-b',
        kind: 'agent',
        virtual_cluster_id: 'vci_b',
        created_at: 25,
      });
      const accountKey2 = apiKey({ id: 'aki_account0', name: 'akn_ops', secret_hash: 'h-account0', kind: 'account', workspace_id: null, created_at: 5 });
      const otherAccount = apiKey({ id: 'aki_other', name: 'akn_admin', secret_hash: 'h-other', kind: 'account', account_id: 'acc_2', workspace_id: null });
      await store.insertAccount(account('acc_2'));
      for (const k of [accountKey, appLate, appEarly, agentA, agentB, accountKey2, otherAccount]) await store.insertApiKey(k);

      const fetched = await store.getApiKeyBySecretHash('h-account');
      assert.deepEqual(fetched, accountKey);
      assert.equal(fetched?.read_only, true);
      assert.equal(fetched?.workspace_id, null);
      assert.equal((await store.getApiKeyBySecretHash('h-app1'))?.read_only, false);
      assert.deepEqual(await store.getApiKeyBySecretHash('h-agent-a'), agentA);
      assert.equal(await store.getApiKeyBySecretHash('h-missing'), undefined);

      // The same name at account level and in a workspace are different keys.
      assert.deepEqual(await store.findApiKeyByName('acc_1', null, 'akn_admin'), accountKey);
      assert.deepEqual(await store.findApiKeyByName('acc_1', 'wi_1', 'akn_admin'), appLate);
      assert.equal(await store.findApiKeyByName('acc_1', null, 'akn_app'), undefined);
      assert.equal(await store.findApiKeyByName('acc_other', 'wi_1', 'akn_app'), undefined);

      // Workspace keys (application and agent), oldest first; the account key is not one.
      assert.deepEqual(
        (await store.listApiKeys('wi_1')).map((k) => k.id),
        ['aki_app1', 'aki_agent_b', 'aki_app2', 'aki_agent_a'],
      );
      assert.deepEqual(await store.listApiKeys('wi_1'), [appEarly, agentB, appLate, agentA]);
      assert.deepEqual(await store.listAgentKeys('vci_a'), [agentA]);
      assert.deepEqual(await store.listAgentKeys('vci_b'), [agentB]);
      assert.deepEqual(await store.listAgentKeys('vci_none'), []);
      // Account keys: no workspace, that account only, oldest first.
      assert.deepEqual(await store.listAccountKeys('acc_1'), [accountKey2, accountKey]);
      assert.deepEqual(await store.listAccountKeys('acc_2'), [otherAccount]);
      assert.deepEqual(await store.listAccountKeys('acc_none'), []);

      await assert.rejects(
        store.insertApiKey(apiKey({ id: 'aki_dup', name: 'akn_other', secret_hash: 'h-app1' })),
        UniqueViolation,
      );
      await assert.rejects(store.insertApiKey(apiKey({ id: 'aki_app1', name: 'akn_x', secret_hash: 'h-new' })), UniqueViolation);
    });

    it('virtual clusters: round-trip, lookup by name, ordering, unique names per workspace', async (t) => {
      const store = await fresh(t);
      await store.insertAccount(account());
      await store.insertWorkspace(workspace('wi_1', 'one', 1));
      await store.insertWorkspace(workspace('wi_2', 'two', 2));
      const c2 = cluster('vci_2', 'vcn_second', 200);
      const c1 = cluster('vci_1', 'vcn_first', 100);
      const c3 = cluster('vci_3', 'vcn_third', 200);
      const elsewhere = {
        ...cluster('vci_9', 'vcn_first', 50, 'wi_2'),
        type: 'byoc_schema_registry' as const,
        tier: 'pro',
        configuration: { nested: { list: ['a', 1, null, true] }, retention_hours: 24 },
      };
      for (const c of [c2, c1, c3, elsewhere]) await store.insertVirtualCluster(c);

      assert.deepEqual(await store.getVirtualCluster('vci_3'), c3);
      assert.equal(await store.getVirtualCluster('vci_nope'), undefined);
      assert.deepEqual(await store.findVirtualClusterByName('wi_1', 'vcn_first'), c1);
      assert.deepEqual(await store.findVirtualClusterByName('wi_2', 'vcn_first'), elsewhere);
      assert.deepEqual((await store.getVirtualCluster('vci_9'))?.configuration, {
        nested: { list: ['a', 1, null, true] },
        retention_hours: 24,
      });
      assert.equal(await store.findVirtualClusterByName('wi_1', 'vcn_nope'), undefined);
      assert.deepEqual(await store.listVirtualClusters('wi_1'), [c1, c2, c3]);
      assert.deepEqual(await store.listVirtualClusters('wi_2'), [elsewhere]);

      await assert.rejects(store.insertVirtualCluster(cluster('vci_dup', 'vcn_second', 300)), UniqueViolation);
      assert.equal(await store.getVirtualCluster('vci_dup'), undefined);
      assert.equal((await store.listVirtualClusters('wi_1')).length, 3);
    });

    it('virtual clusters: rename, tier and tags change one cluster only; region groups round-trip', async (t) => {
      const store = await fresh(t);
      await store.insertAccount(account());
      await store.insertWorkspace(workspace('wi_1', 'one', 1));
      const a = cluster('vci_a', 'vcn_a', 1);
      const b = { ...cluster('vci_b', 'vcn_b', 2), region: '', region_group: 'multi_us', tags: {} };
      await store.insertVirtualCluster(a);
      await store.insertVirtualCluster(b);
      assert.deepEqual(await store.getVirtualCluster('vci_b'), b);

      await store.renameVirtualCluster('vci_a', 'vcn_renamed');
      await store.updateVirtualClusterTier('vci_a', 'enterprise');
      await store.updateVirtualClusterTags('vci_a', { owner: 'ünïcode ✓', empty: '' });
      const changed = { ...a, name: 'vcn_renamed', tier: 'enterprise', tags: { owner: 'ünïcode ✓', empty: '' } };
      assert.deepEqual(await store.getVirtualCluster('vci_a'), changed);
      assert.deepEqual(await store.findVirtualClusterByName('wi_1', 'vcn_renamed'), changed);
      assert.equal(await store.findVirtualClusterByName('wi_1', 'vcn_a'), undefined);
      assert.deepEqual(await store.getVirtualCluster('vci_b'), b);

      // Names stay unique per workspace through a rename.
      await assert.rejects(store.renameVirtualCluster('vci_b', 'vcn_renamed'), UniqueViolation);
      assert.equal((await store.getVirtualCluster('vci_b'))!.name, 'vcn_b');
      await store.updateVirtualClusterTags('vci_a', {});
      assert.deepEqual((await store.getVirtualCluster('vci_a'))!.tags, {});

      const events = { enabled: false, event_types: { pipeline_logs: { retention_period_nanos: 259_200_000_000_000 }, agent_logs: { enabled: true } } };
      await store.updateVirtualClusterEvents('vci_a', events);
      assert.deepEqual((await store.getVirtualCluster('vci_a'))!.events, events);
      assert.deepEqual(await store.getVirtualCluster('vci_b'), b, 'the other cluster keeps its events state');
    });

    it('deleteVirtualCluster removes everything the cluster owns and nothing else', async (t) => {
      const store = await fresh(t);
      await seed(store);
      await store.insertVirtualCluster(cluster('vci_b', 'vcn_b', 1_700_000_000_030));
      for (const vc of ['vci_a', 'vci_b']) {
        await store.insertTopic(topic(`ti_${vc}_1`, vc, 'orders', 3));
        await store.insertTopic(topic(`ti_${vc}_2`, vc, 'gone', 2, 500));
        await store.insertAcl(acl(`acl_${vc}`, vc, 'READ', 1));
        await store.insertCredential(credential(`ccr_${vc}`, vc, 'ccn_app', `ccun_${vc}`, 1));
        await store.insertPipeline(pipeline(`pi_${vc}`, vc, 'pn_p', 1));
        await store.insertApiKey(
          apiKey({ id: `aki_${vc}`, name: `akn_agent_${vc}`, secret_hash: `h-${vc}`, kind: 'agent', virtual_cluster_id: vc }),
        );
        await store.upsertCommittedOffset(offset(vc, 'g1', 'orders', 0, 10));
        await store.upsertPartitionState({ topic_id: `ti_${vc}_1`, partition: 0, log_start_offset: 0, high_watermark: 10 });
        await store.insertBatchIndex([batch(`ti_${vc}_1`, 0, 0, 9, 1_000)]);
      }
      const producerA = await store.insertProducer({ virtual_cluster_id: 'vci_a', transactional_id: 'tx-a', producer_epoch: 0, created_at: 1 });
      const producerB = await store.insertProducer({ virtual_cluster_id: 'vci_b', transactional_id: 'tx-b', producer_epoch: 0, created_at: 1 });
      for (const [p, vc] of [[producerA, 'vci_a'], [producerB, 'vci_b']] as const) {
        await store.upsertProducerPartition({
          producer_id: p.producer_id,
          topic_id: `ti_${vc}_1`,
          partition: 0,
          producer_epoch: 0,
          recent_batches: [{ first_sequence: 0, last_sequence: 9, base_offset: 0 }],
          updated_at: 1,
        });
      }
      const appKey = apiKey({ id: 'aki_app', name: 'akn_app', secret_hash: 'h-app' });
      await store.insertApiKey(appKey);

      assert.equal(await store.deleteVirtualCluster('vci_a'), true);

      assert.equal(await store.getVirtualCluster('vci_a'), undefined);
      assert.deepEqual(await store.listTopics('vci_a', 'live'), []);
      assert.deepEqual(await store.listTopics('vci_a', 'deleted'), []);
      assert.equal(await store.getTopic('vci_a', 'orders'), undefined);
      assert.equal(await store.countPartitions('vci_a'), 0);
      assert.deepEqual(await store.listAcls('vci_a'), []);
      assert.deepEqual(await store.listCredentials('vci_a'), []);
      assert.equal(await store.getCredentialByUsername('ccun_vci_a'), undefined);
      assert.deepEqual(await store.listPipelines('vci_a'), []);
      assert.deepEqual(await store.listAgentKeys('vci_a'), []);
      assert.equal(await store.getApiKeyBySecretHash('h-vci_a'), undefined);
      assert.deepEqual(await store.listCommittedOffsets('vci_a'), []);
      assert.equal(await store.getTopicById('ti_vci_a_1'), undefined);
      assert.deepEqual(await store.listPartitionStates('ti_vci_a_1'), []);
      assert.deepEqual(await store.listBatchIndex('ti_vci_a_1', 0, 0, 100), []);
      assert.equal(await store.getProducer(producerA.producer_id), undefined);
      assert.equal(await store.findProducerByTransactionalId('vci_a', 'tx-a'), undefined);
      assert.equal(await store.getProducerPartition(producerA.producer_id, 'ti_vci_a_1', 0), undefined);

      // The other cluster and the workspace's own keys are untouched.
      assert.equal((await store.getVirtualCluster('vci_b'))?.name, 'vcn_b');
      assert.deepEqual((await store.listTopics('vci_b', 'live')).map((x) => x.id), ['ti_vci_b_1']);
      assert.deepEqual((await store.listTopics('vci_b', 'deleted')).map((x) => x.id), ['ti_vci_b_2']);
      assert.equal((await store.listAcls('vci_b')).length, 1);
      assert.equal((await store.getCredentialByUsername('ccun_vci_b'))?.id, 'ccr_vci_b');
      assert.equal((await store.listPipelines('vci_b')).length, 1);
      assert.deepEqual((await store.listAgentKeys('vci_b')).map((k) => k.id), ['aki_vci_b']);
      assert.equal((await store.listCommittedOffsets('vci_b')).length, 1);
      assert.equal((await store.getPartitionState('ti_vci_b_1', 0))?.high_watermark, 10);
      assert.equal((await store.listBatchIndex('ti_vci_b_1', 0, 0, 100)).length, 1);
      assert.deepEqual(await store.getProducer(producerB.producer_id), producerB);
      assert.equal((await store.getProducerPartition(producerB.producer_id, 'ti_vci_b_1', 0))?.producer_epoch, 0);
      assert.deepEqual(await store.getApiKeyBySecretHash('h-app'), appKey);
      assert.deepEqual((await store.listApiKeys('wi_1')).map((k) => k.id).sort(), ['aki_app', 'aki_vci_b']);

      // The freed names can be used again; deleting twice reports nothing deleted.
      assert.equal(await store.deleteVirtualCluster('vci_a'), false);
      assert.equal(await store.deleteVirtualCluster('vci_nope'), false);
      await store.insertVirtualCluster(cluster('vci_a2', 'vcn_a', 2));
      await store.insertCredential(credential('ccr_again', 'vci_a2', 'ccn_app', 'ccun_vci_a', 3));
      assert.equal((await store.getCredentialByUsername('ccun_vci_a'))?.id, 'ccr_again');
    });

    it('topics: round-trip, live vs deleted listings, update, delete, unique names', async (t) => {
      const store = await fresh(t);
      await seed(store);
      await store.insertVirtualCluster(cluster('vci_b', 'vcn_b', 1_700_000_000_030));
      const zeta = topic('ti_z', 'vci_a', 'zeta', 1);
      const alpha = { ...topic('ti_a', 'vci_a', 'alpha', 12), configs: {} };
      const mid = topic('ti_m', 'vci_a', 'mid.events_v2', 6);
      const old = topic('ti_o', 'vci_a', 'old', 4, 1_700_000_009_000);
      const older = topic('ti_o2', 'vci_a', 'gone', 2, 1_700_000_008_000);
      const otherCluster = topic('ti_b', 'vci_b', 'alpha', 5);
      for (const x of [zeta, alpha, mid, old, older, otherCluster]) await store.insertTopic(x);

      assert.deepEqual(await store.getTopic('vci_a', 'mid.events_v2'), mid);
      assert.deepEqual(await store.getTopic('vci_a', 'alpha'), alpha);
      assert.deepEqual(await store.getTopic('vci_b', 'alpha'), otherCluster);
      assert.deepEqual(await store.getTopic('vci_a', 'old'), old, 'a soft-deleted topic is still found by name');
      assert.equal(await store.getTopic('vci_a', 'nope'), undefined);
      assert.equal(await store.getTopic('vci_b', 'zeta'), undefined);
      assert.deepEqual(await store.getTopicById('ti_o'), old);
      assert.deepEqual(await store.getTopicById('ti_b'), otherCluster);
      assert.equal(await store.getTopicById('ti_nope'), undefined);

      assert.deepEqual(await store.listTopics('vci_a', 'live'), [alpha, mid, zeta]);
      assert.deepEqual(await store.listTopics('vci_a', 'deleted'), [older, old]);
      assert.deepEqual(await store.listTopics('vci_b', 'live'), [otherCluster]);
      assert.deepEqual(await store.listTopics('vci_b', 'deleted'), []);

      // A soft-deleted topic keeps its name taken.
      await assert.rejects(store.insertTopic(topic('ti_dup', 'vci_a', 'zeta', 1)), UniqueViolation);
      await assert.rejects(store.insertTopic(topic('ti_dup2', 'vci_a', 'old', 1)), UniqueViolation);

      // updateTopic: partitions, configs and soft-delete state.
      const grown = { ...zeta, partition_count: 9, configs: { 'retention.ms': '-1' } };
      await store.updateTopic(grown);
      assert.deepEqual(await store.getTopic('vci_a', 'zeta'), grown);
      const softDeleted = { ...alpha, deleted_at: 1_700_000_010_000 };
      await store.updateTopic(softDeleted);
      assert.deepEqual(await store.listTopics('vci_a', 'live'), [mid, grown]);
      assert.deepEqual(await store.listTopics('vci_a', 'deleted'), [softDeleted, older, old]);
      const restored = { ...old, deleted_at: null };
      await store.updateTopic(restored);
      assert.deepEqual(await store.getTopic('vci_a', 'old'), restored);
      assert.deepEqual((await store.listTopics('vci_a', 'live')).map((x) => x.name), ['mid.events_v2', 'old', 'zeta']);

      assert.equal(await store.deleteTopic('ti_m'), true);
      assert.equal(await store.deleteTopic('ti_m'), false);
      assert.equal(await store.getTopic('vci_a', 'mid.events_v2'), undefined);
      await store.insertTopic(topic('ti_m2', 'vci_a', 'mid.events_v2', 1)); // the name is free again
      assert.equal((await store.getTopic('vci_a', 'mid.events_v2'))?.id, 'ti_m2');
    });

    it('countPartitions sums live topics of one cluster only', async (t) => {
      const store = await fresh(t);
      await seed(store);
      await store.insertVirtualCluster(cluster('vci_b', 'vcn_b', 1_700_000_000_030));
      assert.equal(await store.countPartitions('vci_a'), 0);
      await store.insertTopic(topic('ti_1', 'vci_a', 't1', 3));
      await store.insertTopic(topic('ti_2', 'vci_a', 't2', 5));
      await store.insertTopic(topic('ti_3', 'vci_a', 't3', 100, 1_700_000_000_000));
      await store.insertTopic(topic('ti_4', 'vci_b', 't1', 7));
      assert.equal(await store.countPartitions('vci_a'), 8);
      assert.equal(await store.countPartitions('vci_b'), 7);
      await store.updateTopic({ ...topic('ti_2', 'vci_a', 't2', 5), deleted_at: 1_700_000_000_500 });
      assert.equal(await store.countPartitions('vci_a'), 3);
      assert.equal(typeof (await store.countPartitions('vci_a')), 'number');
    });

    it("countAccountPartitions sums live topics over the account's live workspaces only", async (t) => {
      const store = await fresh(t);
      await seed(store);
      await store.insertAccount(account('acc_2', 1_700_000_000_001));
      await store.insertWorkspace(workspace('wi_2', 'second', 1_700_000_000_011));
      await store.insertWorkspace(workspace('wi_other', 'elsewhere', 1_700_000_000_012, 'acc_2'));
      await store.insertVirtualCluster(cluster('vci_b', 'vcn_b', 1_700_000_000_030));
      await store.insertVirtualCluster(cluster('vci_c', 'vcn_c', 1_700_000_000_031, 'wi_2'));
      await store.insertVirtualCluster(cluster('vci_x', 'vcn_x', 1_700_000_000_032, 'wi_other'));
      assert.equal(await store.countAccountPartitions('acc_1'), 0);
      await store.insertTopic(topic('ti_1', 'vci_a', 't1', 3));
      await store.insertTopic(topic('ti_2', 'vci_b', 't2', 5));
      await store.insertTopic(topic('ti_3', 'vci_c', 't3', 11));
      await store.insertTopic(topic('ti_4', 'vci_c', 't4', 100, 1_700_000_000_000)); // soft-deleted
      await store.insertTopic(topic('ti_5', 'vci_x', 't5', 7));
      assert.equal(await store.countAccountPartitions('acc_1'), 19);
      assert.equal(await store.countAccountPartitions('acc_2'), 7);
      assert.equal(await store.countAccountPartitions('acc_none'), 0);
      // A deleted workspace's topics no longer count.
      await store.updateWorkspace({ ...workspace('wi_2', 'second', 1_700_000_000_011), status: 'deleted', deleted_at: 1_700_000_000_900 });
      assert.equal(await store.countAccountPartitions('acc_1'), 8);
      assert.equal(typeof (await store.countAccountPartitions('acc_1')), 'number');
    });

    it('purgeSoftDeletedTopics removes only topics deleted before the cutoff, in that cluster', async (t) => {
      const store = await fresh(t);
      await seed(store);
      await store.insertVirtualCluster(cluster('vci_b', 'vcn_b', 1_700_000_000_030));
      await store.insertTopic(topic('ti_100', 'vci_a', 'd100', 1, 100));
      await store.insertTopic(topic('ti_200', 'vci_a', 'd200', 1, 200));
      await store.insertTopic(topic('ti_150', 'vci_a', 'd150', 1, 150));
      await store.insertTopic(topic('ti_live', 'vci_a', 'live', 1));
      await store.insertTopic(topic('ti_b100', 'vci_b', 'd100', 1, 100));

      assert.equal(await store.purgeSoftDeletedTopics('vci_a', 150), 1); // strictly before
      assert.deepEqual((await store.listTopics('vci_a', 'deleted')).map((x) => x.id), ['ti_150', 'ti_200']);
      assert.equal(await store.purgeSoftDeletedTopics('vci_a', 150), 0);
      assert.equal(await store.purgeSoftDeletedTopics('vci_a', 10_000), 2);
      assert.deepEqual(await store.listTopics('vci_a', 'deleted'), []);
      assert.deepEqual((await store.listTopics('vci_a', 'live')).map((x) => x.id), ['ti_live']);
      assert.deepEqual((await store.listTopics('vci_b', 'deleted')).map((x) => x.id), ['ti_b100']);
    });

    it('ACLs: round-trip, ordering, exact duplicates refused', async (t) => {
      const store = await fresh(t);
      await seed(store);
      const write = acl('acl_2', 'vci_a', 'WRITE', 20);
      const read = acl('acl_1', 'vci_a', 'READ', 20);
      const all = { ...acl('acl_0', 'vci_a', 'ALL', 30), pattern_type: 'PREFIXED', resource_name: 'ord', host: '10.0.0.1', permission_type: 'DENY' };
      const first = acl('acl_9', 'vci_a', 'DESCRIBE', 10);
      for (const a of [write, read, all, first]) await store.insertAcl(a);
      assert.deepEqual(await store.listAcls('vci_a'), [first, read, write, all]);
      assert.deepEqual(await store.listAcls('vci_other'), []);
      await assert.rejects(store.insertAcl({ ...read, id: 'acl_dup', created_at: 99 }), UniqueViolation);
      assert.equal((await store.listAcls('vci_a')).length, 4);
    });

    it('credentials: SCRAM JSON and booleans round-trip; names unique per cluster, usernames unique everywhere', async (t) => {
      const store = await fresh(t);
      await seed(store);
      await store.insertVirtualCluster(cluster('vci_b', 'vcn_b', 1_700_000_000_030));
      const late = credential('ccr_2', 'vci_a', 'ccn_late', 'ccun_late', 20);
      const early = { ...credential('ccr_1', 'vci_a', 'ccn_early', 'ccun_early', 10), is_cluster_superuser: false, read_only: true };
      await store.insertCredential(late);
      await store.insertCredential(early);

      const fetched = await store.getCredentialByUsername('ccun_early');
      assert.deepEqual(fetched, early);
      assert.equal(fetched?.read_only, true);
      assert.equal(fetched?.is_cluster_superuser, false);
      assert.equal(fetched?.scram['SCRAM-SHA-512'].iterations, 8192);
      assert.deepEqual(await store.findCredentialByName('vci_a', 'ccn_late'), late);
      assert.equal(await store.findCredentialByName('vci_b', 'ccn_late'), undefined);
      assert.equal(await store.getCredentialByUsername('ccun_nope'), undefined);
      assert.deepEqual(await store.listCredentials('vci_a'), [early, late]);

      // Same name in another cluster is fine; the same username anywhere is not.
      await store.insertCredential(credential('ccr_3', 'vci_b', 'ccn_late', 'ccun_b', 5));
      await assert.rejects(store.insertCredential(credential('ccr_4', 'vci_b', 'ccn_other', 'ccun_late', 6)), UniqueViolation);
      await assert.rejects(store.insertCredential(credential('ccr_5', 'vci_a', 'ccn_late', 'ccun_fresh', 7)), UniqueViolation);
      assert.deepEqual((await store.listCredentials('vci_b')).map((c) => c.id), ['ccr_3']);
      assert.equal(await store.getCredentialByUsername('ccun_fresh'), undefined);
    });

    it('pipelines: round-trip, ordering, unique names per cluster', async (t) => {
      const store = await fresh(t);
      await seed(store);
      const p2 = pipeline('pi_2', 'vci_a', 'pn_two', 20);
      const p1 = { ...pipeline('pi_1', 'vci_a', 'pn_one', 10), type: 'orbit' as const, state: 'paused' };
      await store.insertPipeline(p2);
      await store.insertPipeline(p1);
      assert.deepEqual(await store.listPipelines('vci_a'), [p1, p2]);
      assert.deepEqual(await store.listPipelines('vci_other'), []);
      await assert.rejects(store.insertPipeline(pipeline('pi_3', 'vci_a', 'pn_two', 30)), UniqueViolation);
      assert.equal((await store.listPipelines('vci_a')).length, 2);
    });

    // --- keys, workspaces, user roles, pipeline configurations (issue 5) ---

    it('api keys: getApiKey by id, deleteApiKey removes one key only', async (t) => {
      const store = await fresh(t);
      await seed(store);
      const a = apiKey({ id: 'aki_a', name: 'akn_a', secret_hash: 'h-a' });
      const b = apiKey({ id: 'aki_b', name: 'akn_b', secret_hash: 'h-b', read_only: true });
      await store.insertApiKey(a);
      await store.insertApiKey(b);
      assert.deepEqual(await store.getApiKey('aki_b'), b);
      assert.equal(await store.getApiKey('aki_none'), undefined);
      assert.equal(await store.deleteApiKey('aki_a'), true);
      assert.equal(await store.deleteApiKey('aki_a'), false);
      assert.equal(await store.getApiKeyBySecretHash('h-a'), undefined);
      assert.deepEqual(await store.listApiKeys('wi_1'), [b]);
    });

    it('workspaces: rename; delete takes the workspace\'s keys and nothing else', async (t) => {
      const store = await fresh(t);
      await store.insertAccount(account());
      await store.insertWorkspace(workspace('wi_1', 'one', 1));
      await store.insertWorkspace(workspace('wi_2', 'two', 2));
      await store.insertApiKey(apiKey({ id: 'aki_1', name: 'akn_1', secret_hash: 'h-1', workspace_id: 'wi_1' }));
      await store.insertApiKey(apiKey({ id: 'aki_2', name: 'akn_2', secret_hash: 'h-2', workspace_id: 'wi_2' }));
      await store.renameWorkspace('wi_1', 'renamed');
      assert.deepEqual(await store.getWorkspace('wi_1'), workspace('wi_1', 'renamed', 1));
      assert.equal(await store.findWorkspaceByName('acc_1', 'one'), undefined);
      await assert.rejects(store.renameWorkspace('wi_2', 'renamed'), UniqueViolation);
      assert.equal(await store.deleteWorkspace('wi_1'), true);
      assert.equal(await store.deleteWorkspace('wi_1'), false);
      assert.equal(await store.getApiKey('aki_1'), undefined);
      assert.deepEqual((await store.listWorkspaces('acc_1')).map((w) => w.id), ['wi_2']);
      assert.equal((await store.getApiKey('aki_2'))?.id, 'aki_2');
    });

    it('user roles: JSON grants round-trip, lookup by name, ordering, update, delete, unique names per account', async (t) => {
      const store = await fresh(t);
      await store.insertAccount(account('acc_1'));
      await store.insertAccount(account('acc_2'));
      const grants = [
        { principal_kind: 'user', resource_kind: '*', resource_id: '*', workspace_id: 'wi_1', managed_grant_name: 'admin' },
        { principal_kind: 'user', resource_kind: '*', resource_id: '*', workspace_id: '-', managed_grant_name: 'billing' },
      ];
      const r2 = { id: 'pri_2', account_id: 'acc_1', name: 'second', access_grants: grants, created_at: 20 };
      const r1 = { id: 'pri_1', account_id: 'acc_1', name: 'first', access_grants: [], created_at: 10 };
      const other = { id: 'pri_x', account_id: 'acc_2', name: 'first', access_grants: [], created_at: 5 };
      for (const role of [r2, r1, other]) await store.insertUserRole(role);
      assert.deepEqual(await store.getUserRole('pri_2'), r2);
      assert.equal(await store.getUserRole('pri_none'), undefined);
      assert.deepEqual(await store.findUserRoleByName('acc_2', 'first'), other);
      assert.deepEqual(await store.listUserRoles('acc_1'), [r1, r2]);
      await assert.rejects(store.insertUserRole({ ...r1, id: 'pri_dup' }), UniqueViolation);
      const updated = { ...r1, name: 'renamed', access_grants: [grants[0]!] };
      await store.updateUserRole(updated);
      assert.deepEqual(await store.getUserRole('pri_1'), updated);
      assert.equal(await store.deleteUserRole('pri_1'), true);
      assert.equal(await store.deleteUserRole('pri_1'), false);
      assert.deepEqual(await store.listUserRoles('acc_1'), [r2]);
      assert.deepEqual(await store.listUserRoles('acc_2'), [other]);
    });

    it('pipelines: get, state update, configurations by version, delete takes its configurations', async (t) => {
      const store = await fresh(t);
      await seed(store);
      const p1 = pipeline('pi_1', 'vci_a', 'pn_one', 10);
      const p2 = pipeline('pi_2', 'vci_a', 'pn_two', 20);
      await store.insertPipeline(p1);
      await store.insertPipeline(p2);
      assert.deepEqual(await store.getPipeline('pi_1'), p1);
      assert.equal(await store.getPipeline('pi_none'), undefined);
      const c2 = { id: 'pci_2', pipeline_id: 'pi_1', version: 2, configuration_yaml: 'input: {}\noutput: {}\n', created_at: 2 };
      const c1 = { id: 'pci_1', pipeline_id: 'pi_1', version: 1, configuration_yaml: 'a: "ünïcode"\n', created_at: 1 };
      const other = { id: 'pci_3', pipeline_id: 'pi_2', version: 1, configuration_yaml: 'x: 1', created_at: 3 };
      for (const c of [c2, c1, other]) await store.insertPipelineConfiguration(c);
      await assert.rejects(store.insertPipelineConfiguration({ ...c1, id: 'pci_dup' }), UniqueViolation);
      assert.deepEqual(await store.listPipelineConfigurations('pi_1'), [c1, c2]);
      await store.updatePipelineState('pi_1', 'paused', 'pci_2');
      assert.deepEqual(await store.getPipeline('pi_1'), { ...p1, state: 'paused', deployed_configuration_id: 'pci_2' });
      assert.deepEqual(await store.getPipeline('pi_2'), p2);
      assert.equal(await store.deletePipeline('pi_1'), true);
      assert.equal(await store.deletePipeline('pi_1'), false);
      assert.deepEqual(await store.listPipelineConfigurations('pi_1'), []);
      assert.deepEqual(await store.listPipelineConfigurations('pi_2'), [other]);
      // Configurations go with their cluster too.
      assert.equal(await store.deleteVirtualCluster('vci_a'), true);
      assert.deepEqual(await store.listPipelineConfigurations('pi_2'), []);
    });

    it('committed offsets: upsert inserts then overwrites; listed by group, topic, partition', async (t) => {
      const store = await fresh(t);
      await seed(store);
      await store.insertVirtualCluster(cluster('vci_b', 'vcn_b', 1_700_000_000_030));
      await store.upsertCommittedOffset(offset('vci_a', 'g2', 'orders', 0, 5));
      await store.upsertCommittedOffset(offset('vci_a', 'g1', 'orders', 1, 7, 'meta'));
      await store.upsertCommittedOffset(offset('vci_a', 'g1', 'orders', 0, 3));
      await store.upsertCommittedOffset(offset('vci_a', 'g1', 'events', 2, 1));
      await store.upsertCommittedOffset(offset('vci_b', 'g1', 'orders', 0, 99));

      assert.deepEqual(await store.listCommittedOffsets('vci_a'), [
        offset('vci_a', 'g1', 'events', 2, 1),
        offset('vci_a', 'g1', 'orders', 0, 3),
        offset('vci_a', 'g1', 'orders', 1, 7, 'meta'),
        offset('vci_a', 'g2', 'orders', 0, 5),
      ]);

      // Overwrite: offset, metadata (to null as well) and commit time all change; no new row.
      const big = 2 ** 40 + 17; // a BIGINT above 32 bits still reads back as the same number
      await store.upsertCommittedOffset({ ...offset('vci_a', 'g1', 'orders', 1, big), metadata: null, committed_at: 1_800_000_000_000 });
      await store.upsertCommittedOffset(offset('vci_a', 'g1', 'orders', 0, 4, 'm2'));
      const after = await store.listCommittedOffsets('vci_a');
      assert.equal(after.length, 4);
      assert.deepEqual(after[1], offset('vci_a', 'g1', 'orders', 0, 4, 'm2'));
      assert.deepEqual(after[2], {
        virtual_cluster_id: 'vci_a',
        group_id: 'g1',
        topic_name: 'orders',
        partition: 1,
        committed_offset: big,
        metadata: null,
        committed_at: 1_800_000_000_000,
      });
      assert.deepEqual(await store.listCommittedOffsets('vci_b'), [offset('vci_b', 'g1', 'orders', 0, 99)]);
    });

    it('group offsets: one group listed; deleted whole, by topic, or by partition', async (t) => {
      const store = await fresh(t);
      await seed(store);
      await store.insertVirtualCluster(cluster('vci_b', 'vcn_b', 1_700_000_000_030));
      const rows = [
        offset('vci_a', 'g1', 'orders', 1, 11),
        offset('vci_a', 'g1', 'orders', 0, 10),
        offset('vci_a', 'g1', 'events', 0, 5, 'm'),
        offset('vci_a', 'g1', 'events', 1, 6),
        offset('vci_a', 'g2', 'orders', 0, 20),
        offset('vci_b', 'g1', 'orders', 0, 30),
      ];
      for (const row of rows) await store.upsertCommittedOffset(row);

      assert.deepEqual(await store.listGroupOffsets('vci_a', 'g1'), [
        offset('vci_a', 'g1', 'events', 0, 5, 'm'),
        offset('vci_a', 'g1', 'events', 1, 6),
        offset('vci_a', 'g1', 'orders', 0, 10),
        offset('vci_a', 'g1', 'orders', 1, 11),
      ]);
      assert.deepEqual(await store.listGroupOffsets('vci_a', 'g_none'), []);

      assert.equal(await store.deleteGroupOffsets('vci_a', 'g1', 'orders', 1), 1);
      assert.deepEqual((await store.listGroupOffsets('vci_a', 'g1')).map((o) => `${o.topic_name}/${o.partition}`), [
        'events/0',
        'events/1',
        'orders/0',
      ]);
      assert.equal(await store.deleteGroupOffsets('vci_a', 'g1', 'events'), 2);
      assert.deepEqual((await store.listGroupOffsets('vci_a', 'g1')).map((o) => `${o.topic_name}/${o.partition}`), ['orders/0']);
      assert.equal(await store.deleteGroupOffsets('vci_a', 'g1'), 1);
      assert.equal(await store.deleteGroupOffsets('vci_a', 'g1'), 0);
      assert.deepEqual(await store.listGroupOffsets('vci_a', 'g1'), []);
      // Other groups and other clusters' groups of the same name are untouched.
      assert.deepEqual(await store.listGroupOffsets('vci_a', 'g2'), [offset('vci_a', 'g2', 'orders', 0, 20)]);
      assert.deepEqual(await store.listGroupOffsets('vci_b', 'g1'), [offset('vci_b', 'g1', 'orders', 0, 30)]);
    });

    it('partition states: absent until written, upsert overwrites, listed by partition, gone with the topic', async (t) => {
      const store = await fresh(t);
      await seed(store);
      await store.insertTopic(topic('ti_1', 'vci_a', 'orders', 3));
      await store.insertTopic(topic('ti_2', 'vci_a', 'events', 1));
      assert.equal(await store.getPartitionState('ti_1', 0), undefined);
      const big = 2 ** 45 + 3;
      await store.upsertPartitionState({ topic_id: 'ti_1', partition: 2, log_start_offset: 0, high_watermark: 7 });
      await store.upsertPartitionState({ topic_id: 'ti_1', partition: 0, log_start_offset: 5, high_watermark: big });
      await store.upsertPartitionState({ topic_id: 'ti_2', partition: 0, log_start_offset: 1, high_watermark: 2 });
      // Without open transactions the last stable offset is the high watermark.
      assert.deepEqual(await store.getPartitionState('ti_1', 0), { topic_id: 'ti_1', partition: 0, log_start_offset: 5, high_watermark: big, last_stable_offset: big });
      assert.equal(await store.getPartitionState('ti_1', 1), undefined);

      await store.upsertPartitionState({ topic_id: 'ti_1', partition: 2, log_start_offset: 4, high_watermark: 9 });
      assert.deepEqual(await store.listPartitionStates('ti_1'), [
        { topic_id: 'ti_1', partition: 0, log_start_offset: 5, high_watermark: big },
        { topic_id: 'ti_1', partition: 2, log_start_offset: 4, high_watermark: 9 },
      ]);
      assert.equal(await store.deleteTopic('ti_1'), true);
      assert.deepEqual(await store.listPartitionStates('ti_1'), []);
      assert.deepEqual(await store.listPartitionStates('ti_2'), [{ topic_id: 'ti_2', partition: 0, log_start_offset: 1, high_watermark: 2 }]);
    });

    it('batch index: range reads with limit, lookups by timestamp, trimming', async (t) => {
      const store = await fresh(t);
      await seed(store);
      await store.insertTopic(topic('ti_1', 'vci_a', 'orders', 2));
      await store.insertTopic(topic('ti_2', 'vci_a', 'events', 1));
      const b0 = batch('ti_1', 0, 0, 9, 1_000);
      const b1 = batch('ti_1', 0, 10, 19, 3_000);
      const b2 = batch('ti_1', 0, 20, 24, 2_000);
      const b3 = batch('ti_1', 0, 25, 40, 3_000);
      await store.insertBatchIndex([b2, b0]);
      await store.insertBatchIndex([]);
      await store.insertBatchIndex([b3, b1]);
      await store.insertBatchIndex([batch('ti_1', 1, 0, 99, 9_000), batch('ti_2', 0, 0, 99, 9_000)]);

      assert.deepEqual(await store.listBatchIndex('ti_1', 0, 0, 100), [b0, b1, b2, b3]);
      assert.deepEqual(await store.listBatchIndex('ti_1', 0, 15, 100), [b1, b2, b3], 'the batch holding the offset is included');
      assert.deepEqual(await store.listBatchIndex('ti_1', 0, 20, 2), [b2, b3]);
      assert.deepEqual(await store.listBatchIndex('ti_1', 0, 0, 1), [b0]);
      assert.deepEqual(await store.listBatchIndex('ti_1', 0, 41, 100), []);

      assert.deepEqual(await store.findBatchByTimestamp('ti_1', 0, 1_500, 0), b1);
      assert.deepEqual(await store.findBatchByTimestamp('ti_1', 0, 1_000, 0), b0);
      assert.deepEqual(await store.findBatchByTimestamp('ti_1', 0, 2_000, 20), b2);
      assert.equal(await store.findBatchByTimestamp('ti_1', 0, 3_001, 0), undefined);
      // Largest max timestamp; on a tie the earlier batch.
      assert.deepEqual(await store.findMaxTimestampBatch('ti_1', 0, 0), b1);
      assert.deepEqual(await store.findMaxTimestampBatch('ti_1', 0, 20), b3);
      assert.equal(await store.findMaxTimestampBatch('ti_1', 0, 41), undefined);

      await assert.rejects(store.insertBatchIndex([batch('ti_1', 0, 10, 12, 5)]), UniqueViolation);

      // Trimming drops batches wholly below the offset only, in that partition only, and says
      // how many, how many bytes, and which objects they were in.
      assert.deepEqual(await store.deleteBatchIndexBefore('ti_1', 0, 15), { batches: 1, bytes: 1000, object_keys: ['objects/ti_1/0/0'] });
      assert.deepEqual(await store.listBatchIndex('ti_1', 0, 0, 100), [b1, b2, b3]);
      assert.deepEqual(await store.deleteBatchIndexBefore('ti_1', 0, 15), { batches: 0, bytes: 0, object_keys: [] });
      assert.deepEqual(await store.deleteBatchIndexBefore('ti_1', 0, 41), {
        batches: 3,
        bytes: 3100,
        object_keys: ['objects/ti_1/0/10', 'objects/ti_1/0/20', 'objects/ti_1/0/25'],
      });
      assert.deepEqual(await store.listBatchIndex('ti_1', 0, 0, 100), []);
      assert.equal((await store.listBatchIndex('ti_1', 1, 0, 100)).length, 1);
      assert.equal((await store.listBatchIndex('ti_2', 0, 0, 100)).length, 1);
    });

    it('producers: ids count up, lookups, epochs, transactional ids unique per cluster', async (t) => {
      const store = await fresh(t);
      await seed(store);
      await store.insertVirtualCluster(cluster('vci_b', 'vcn_b', 1_700_000_000_030));
      const first = await store.insertProducer({ virtual_cluster_id: 'vci_a', transactional_id: null, producer_epoch: 0, created_at: 10 });
      const second = await store.insertProducer({ virtual_cluster_id: 'vci_a', transactional_id: null, producer_epoch: 0, created_at: 11 });
      const tx = await store.insertProducer({ virtual_cluster_id: 'vci_a', transactional_id: 'tx-1', producer_epoch: 3, created_at: 12 });
      const txOther = await store.insertProducer({ virtual_cluster_id: 'vci_b', transactional_id: 'tx-1', producer_epoch: 0, created_at: 13 });
      assert.ok(Number.isSafeInteger(first.producer_id) && first.producer_id >= 0, `producer id ${first.producer_id}`);
      assert.deepEqual(
        [second, tx, txOther].map((p) => p.producer_id),
        [first.producer_id + 1, first.producer_id + 2, first.producer_id + 3],
      );
      assert.deepEqual(first, { producer_id: first.producer_id, virtual_cluster_id: 'vci_a', transactional_id: null, producer_epoch: 0, created_at: 10 });

      assert.deepEqual(await store.getProducer(first.producer_id), first);
      assert.deepEqual(await store.getProducer(tx.producer_id), tx);
      assert.equal(await store.getProducer(first.producer_id + 100), undefined);
      assert.deepEqual(await store.findProducerByTransactionalId('vci_a', 'tx-1'), tx);
      assert.deepEqual(await store.findProducerByTransactionalId('vci_b', 'tx-1'), txOther);
      assert.equal(await store.findProducerByTransactionalId('vci_a', 'tx-none'), undefined);

      await store.updateProducerEpoch(tx.producer_id, 4);
      assert.deepEqual(await store.getProducer(tx.producer_id), { ...tx, producer_epoch: 4 });
      assert.equal((await store.getProducer(txOther.producer_id))?.producer_epoch, 0);

      await assert.rejects(
        store.insertProducer({ virtual_cluster_id: 'vci_a', transactional_id: 'tx-1', producer_epoch: 0, created_at: 14 }),
        UniqueViolation,
      );
    });

    it('producers: an id is never handed out twice, even after its producer is gone', async (t) => {
      const store = await fresh(t);
      await seed(store);
      await store.insertVirtualCluster(cluster('vci_b', 'vcn_b', 1_700_000_000_030));
      await store.insertProducer({ virtual_cluster_id: 'vci_a', transactional_id: null, producer_epoch: 0, created_at: 1 });
      const last = await store.insertProducer({ virtual_cluster_id: 'vci_b', transactional_id: null, producer_epoch: 0, created_at: 2 });
      assert.equal(await store.deleteVirtualCluster('vci_b'), true);
      const next = await store.insertProducer({ virtual_cluster_id: 'vci_a', transactional_id: null, producer_epoch: 0, created_at: 3 });
      assert.ok(next.producer_id > last.producer_id, `id ${next.producer_id} was already given to a producer of a deleted cluster`);
    });

    it('producer partitions: JSON recent batches round-trip; upsert overwrites', async (t) => {
      const store = await fresh(t);
      await seed(store);
      await store.insertTopic(topic('ti_1', 'vci_a', 'orders', 2));
      const producer = await store.insertProducer({ virtual_cluster_id: 'vci_a', transactional_id: null, producer_epoch: 0, created_at: 1 });
      const state: ProducerPartition = {
        producer_id: producer.producer_id,
        topic_id: 'ti_1',
        partition: 1,
        producer_epoch: 0,
        recent_batches: [
          { first_sequence: 0, last_sequence: 4, base_offset: 100 },
          { first_sequence: 5, last_sequence: 9, base_offset: 105 },
        ],
        updated_at: 50,
      };
      assert.equal(await store.getProducerPartition(producer.producer_id, 'ti_1', 1), undefined);
      await store.upsertProducerPartition(state);
      assert.deepEqual(await store.getProducerPartition(producer.producer_id, 'ti_1', 1), state);
      assert.equal(await store.getProducerPartition(producer.producer_id, 'ti_1', 0), undefined);

      const next = { ...state, producer_epoch: 1, recent_batches: [{ first_sequence: 0, last_sequence: 0, base_offset: 200 }], updated_at: 60 };
      await store.upsertProducerPartition(next);
      assert.deepEqual(await store.getProducerPartition(producer.producer_id, 'ti_1', 1), next);
      assert.equal(await store.deleteTopic('ti_1'), true);
      assert.equal(await store.getProducerPartition(producer.producer_id, 'ti_1', 1), undefined);
    });

    it('idempotency records: claim once, complete, delete, purge by age', async (t) => {
      const store = await fresh(t);
      assert.equal(await store.getIdempotencyRecord('aki_1', 'k1'), undefined);
      assert.equal(await store.insertIdempotencyRecord(idempotency('aki_1', 'k1', 100)), true);
      assert.equal(await store.insertIdempotencyRecord(idempotency('aki_1', 'k1', 999, 'hash-2')), false);
      // The losing claim changed nothing.
      assert.deepEqual(await store.getIdempotencyRecord('aki_1', 'k1'), idempotency('aki_1', 'k1', 100));
      // Same key under another API key is a different record.
      assert.equal(await store.insertIdempotencyRecord(idempotency('aki_2', 'k1', 200)), true);

      await store.completeIdempotencyRecord('aki_1', 'k1', 201, '{"id":"vci_1"}');
      assert.deepEqual(await store.getIdempotencyRecord('aki_1', 'k1'), {
        api_key_id: 'aki_1',
        idempotency_key: 'k1',
        request_hash: 'hash-1',
        state: 'done',
        status_code: 201,
        response_body: '{"id":"vci_1"}',
        created_at: 100,
      });
      assert.deepEqual(await store.getIdempotencyRecord('aki_2', 'k1'), idempotency('aki_2', 'k1', 200));

      await store.deleteIdempotencyRecord('aki_2', 'k1');
      assert.equal(await store.getIdempotencyRecord('aki_2', 'k1'), undefined);
      assert.equal(await store.insertIdempotencyRecord(idempotency('aki_2', 'k1', 250)), true, 'a deleted key can be claimed again');

      await store.insertIdempotencyRecord(idempotency('aki_3', 'k3', 300));
      assert.equal(await store.purgeIdempotencyRecords(250), 1); // strictly older than the cutoff
      assert.equal(await store.getIdempotencyRecord('aki_1', 'k1'), undefined);
      assert.equal((await store.getIdempotencyRecord('aki_2', 'k1'))?.created_at, 250);
      assert.equal(await store.purgeIdempotencyRecords(1_000), 2);
      assert.equal(await store.getIdempotencyRecord('aki_3', 'k3'), undefined);
      assert.equal(await store.purgeIdempotencyRecords(1_000), 0);
    });

    it('transaction: a throw rolls back every write in it', async (t) => {
      const store = await fresh(t);
      await store.insertAccount(account('acc_1'));
      const boom = new Error('boom');
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.insertWorkspace(workspace('wi_1', 'w', 1));
          await tx.setMetadata('k', 'v');
          await tx.insertIdempotencyRecord(idempotency('aki_1', 'k1', 1));
          assert.deepEqual((await tx.listWorkspaces('acc_1')).map((w) => w.id), ['wi_1'], 'visible inside');
          throw boom;
        }),
        (error) => error === boom,
      );
      assert.equal(await store.getWorkspace('wi_1'), undefined);
      assert.deepEqual(await store.listWorkspaces('acc_1'), []);
      assert.equal(await store.getMetadata('k'), undefined);
      assert.equal(await store.getIdempotencyRecord('aki_1', 'k1'), undefined);

      // A unique violation half-way rolls back what came before it too.
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.insertWorkspace(workspace('wi_2', 'w2', 2));
          await tx.insertAccount(account('acc_1'));
        }),
        UniqueViolation,
      );
      assert.equal(await store.getWorkspace('wi_2'), undefined);
      // The store is still usable afterwards.
      await store.insertWorkspace(workspace('wi_3', 'w3', 3));
      assert.deepEqual((await store.listWorkspaces('acc_1')).map((w) => w.id), ['wi_3']);
    });

    it('transaction: commits are visible afterwards; nested transactions join the outer one', async (t) => {
      const store = await fresh(t);
      const result = await store.transaction(async (tx) => {
        await tx.insertAccount(account('acc_1'));
        await tx.transaction(async (inner) => {
          await inner.insertWorkspace(workspace('wi_1', 'w', 1));
        });
        return 'done';
      });
      assert.equal(result, 'done');
      assert.deepEqual(await store.getAccount('acc_1'), account('acc_1'));
      assert.deepEqual(await store.getWorkspace('wi_1'), workspace('wi_1', 'w', 1));

      // An inner throw aborts the whole outer transaction.
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.insertWorkspace(workspace('wi_2', 'w2', 2));
          await tx.transaction(async () => {
            throw new Error('inner');
          });
        }),
        /inner/,
      );
      assert.equal(await store.getWorkspace('wi_2'), undefined);
    });

    it('transaction: a lost idempotency claim inside a transaction does not spoil it', async (t) => {
      const store = await fresh(t);
      await store.insertAccount(account('acc_1'));
      assert.equal(await store.insertIdempotencyRecord(idempotency('aki_1', 'k1', 1)), true);
      const claimed = await store.transaction(async (tx) => {
        await tx.insertWorkspace(workspace('wi_1', 'w', 1));
        const won = await tx.insertIdempotencyRecord(idempotency('aki_1', 'k1', 2));
        await tx.insertWorkspace(workspace('wi_2', 'w2', 2));
        return won;
      });
      assert.equal(claimed, false);
      assert.deepEqual((await store.listWorkspaces('acc_1')).map((w) => w.id), ['wi_1', 'wi_2']);
    });

    it('transaction: a caught statement error never leaves a half-committed transaction reported as done', async (t) => {
      const store = await fresh(t);
      await store.insertAccount(account('acc_1'));
      let outcome: 'committed' | 'rejected';
      try {
        await store.transaction(async (tx) => {
          await tx.insertWorkspace(workspace('wi_1', 'w', 1));
          await assert.rejects(tx.insertAccount(account('acc_1')), UniqueViolation);
        });
        outcome = 'committed';
      } catch {
        outcome = 'rejected';
      }
      // SQLite undoes only the failed statement; PostgreSQL dooms the whole transaction. Either
      // is fine, but "resolved" must mean the other writes are there.
      assert.equal(outcome, kind === 'sqlite' ? 'committed' : 'rejected');
      const written = await store.getWorkspace('wi_1');
      if (outcome === 'committed') assert.deepEqual(written, workspace('wi_1', 'w', 1));
      else assert.equal(written, undefined);
    });

    it('transactions on one store run one at a time without losing writes', async (t) => {
      const store = await fresh(t);
      await store.insertAccount(account('acc_1'));
      await store.setMetadata('counter', '0');
      await Promise.all(
        Array.from({ length: 5 }, () =>
          store.transaction(async (tx) => {
            const value = Number(await tx.getMetadata('counter'));
            await tx.setMetadata('counter', String(value + 1));
          }),
        ),
      );
      assert.equal(await store.getMetadata('counter'), '5');
    });

    it('migrations: reopening applies nothing new and keeps the data', async (t) => {
      const where = await location(t);
      const first = await openMetadataStore(where);
      await first.insertAccount(account('acc_1'));
      await first.insertWorkspace(workspace('wi_1', 'kept', 1));
      await first.close();

      const second = await openMetadataStore(where);
      t.after(() => second.close());
      assert.deepEqual(await second.getWorkspace('wi_1'), workspace('wi_1', 'kept', 1));

      const driver = driverFor(where);
      t.after(() => driver.close());
      assert.deepEqual(await migrate(driver), []);
      assert.deepEqual(await migrate(driver), []);
      const rows = await driver.all<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
      assert.deepEqual(
        rows.map((r) => ({ version: Number(r.version), name: r.name })),
        migrations.map((m) => ({ version: m.version, name: m.name })),
      );
      assert.deepEqual(await second.getWorkspace('wi_1'), workspace('wi_1', 'kept', 1));
    });

    it('migrations: two processes migrating a fresh database at once apply every version once', async (t) => {
      const where = await location(t);
      const [appliedA, appliedB] = await migrateInTwoProcesses(t, where);
      assert.deepEqual(
        [...appliedA, ...appliedB].sort((x, y) => x - y),
        migrations.map((m) => m.version),
        `each migration applied exactly once (got ${JSON.stringify([appliedA, appliedB])})`,
      );
      const driver = driverFor(where);
      t.after(() => driver.close());
      assert.deepEqual(await migrate(driver), []);
      const max = await driver.get<{ v: number }>('SELECT MAX(version) AS v FROM schema_migrations');
      assert.equal(Number(max?.v), latestVersion);
    });

    if (kind === 'sqlite') {
      it('sqlite: a commit acknowledged by a process that is then killed -9 survives', async (t) => {
        const dataDir = tempDir(t);
        const parent = await openMetadataStore({ dataDir });
        t.after(() => parent.close());
        await parent.insertAccount(account('acc_parent', 1));

        const script = `
          const { openMetadataStore } = await import(process.env.OPEN_MODULE);
          const store = await openMetadataStore({ dataDir: process.env.DATA_DIR });
          if (!(await store.getAccount('acc_parent'))) { console.log('parent write missing'); process.exit(3); }
          await store.transaction(async (tx) => {
            await tx.insertAccount(${JSON.stringify(account('acc_child', 2))});
            await tx.insertWorkspace(${JSON.stringify(workspace('wi_child', 'from-child', 3, 'acc_child'))});
          });
          await store.setMetadata('child', 'yes');
          process.stdout.write('committed\\n');
          setInterval(() => {}, 1000); // stay up, store open, until killed
        `;
        const child = spawn(NODE, ['--no-warnings', '--input-type=module', '-e', script], {
          env: { ...process.env, OPEN_MODULE, DATA_DIR: dataDir },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        t.after(() => child.kill('SIGKILL'));
        let output = '';
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
          child.on('exit', (code, signal) => resolve({ code, signal })),
        );
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('committed')) child.kill('SIGKILL');
        });
        const { code, signal } = await exited;
        assert.equal(output.trim(), 'committed', `child output: ${output} ${stderr}`);
        assert.equal(signal, 'SIGKILL', `child exited with code ${code}: ${stderr}`);

        // Seen by the store that was open all along, and by a fresh open of the file.
        assert.deepEqual(await parent.getAccount('acc_child'), account('acc_child', 2));
        const reopened = await openMetadataStore({ dataDir });
        t.after(() => reopened.close());
        assert.deepEqual(await reopened.getAccount('acc_child'), account('acc_child', 2));
        assert.deepEqual(await reopened.getWorkspace('wi_child'), workspace('wi_child', 'from-child', 3, 'acc_child'));
        assert.equal(await reopened.getMetadata('child'), 'yes');
        assert.deepEqual(await reopened.getAccount('acc_parent'), account('acc_parent', 1));
      });
    }
  });
}
