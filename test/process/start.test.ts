import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { api, startSlipstream } from '../helpers/process.ts';
import { storeKinds, tempDir } from '../helpers/stores.ts';

const BOOTSTRAP_KEYS = [
  'account_key',
  'workspace_id',
  'application_key',
  'virtual_cluster_id',
  'virtual_cluster_name',
  'agent_key',
  'bootstrap_url',
  'api_url',
  'platform_admin',
];

describe('npm start (dev mode)', () => {
  test('first start bootstraps, SIGTERM stops cleanly, the next start reuses everything', async (t) => {
    const dataDir = tempDir(t);
    const first = await startSlipstream('dev', { SLIPSTREAM_DATA_DIR: dataDir });
    t.after(() => first.child.kill('SIGKILL'));
    const path = join(dataDir, 'bootstrap.json');
    assert.match(first.output(), new RegExp(`Created the default account[\\s\\S]*${path.replaceAll('/', '\\/')}`));
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const boot = JSON.parse(readFileSync(path, 'utf8'));
    assert.deepEqual(Object.keys(boot).sort(), [...BOOTSTRAP_KEYS].sort());
    assert.equal(boot.virtual_cluster_name, 'vcn_default');
    assert.match(String(first.kafkaAddress), /^127\.0\.0\.1:\d+$/);
    assert.equal(boot.bootstrap_url, first.kafkaAddress, 'bootstrap_url is where the agent listens');
    assert.equal(boot.api_url, first.apiUrl);
    assert.match(boot.application_key, /^aks_[0-9a-f]{64}$/);
    assert.match(boot.virtual_cluster_id, /^vci_/);

    const health = await fetch(`${first.apiUrl}/v1/platform/health`);
    assert.equal(health.status, 200);
    const info = (await (await fetch(`${first.apiUrl}/v1/platform/info`)).json()) as { api_url: string; metadata_store: string };
    assert.equal(info.api_url, first.apiUrl);
    assert.equal(info.metadata_store, 'sqlite');

    const clusters = await api(first.apiUrl, boot.application_key, '/api/v1/list_virtual_clusters');
    assert.equal(clusters.body.virtual_clusters.length, 1);
    assert.equal(clusters.body.virtual_clusters[0].type, 'byoc');
    const created = await api(first.apiUrl, boot.application_key, '/api/v1/create_topic', {
      virtual_cluster_id: boot.virtual_cluster_id,
      topic_name: 'survives',
      partition_count: 2,
    });
    assert.equal(created.status, 200);
    const workspaces = await api(first.apiUrl, boot.account_key, '/api/v1/list_workspaces');
    assert.equal(workspaces.body.workspaces.length, 1);
    const agent = await api(first.apiUrl, boot.agent_key, '/api/v1/list_virtual_clusters');
    assert.equal(agent.status, 403);
    // API key secrets are sealed under a secrets key the first start created (0600), and listed.
    const secretsKeyPath = join(dataDir, 'secrets.key');
    assert.equal(statSync(secretsKeyPath).mode & 0o777, 0o600);
    const secretsKey = readFileSync(secretsKeyPath, 'utf8');
    assert.equal(Buffer.from(secretsKey.trim(), 'base64').length, 32);
    const made = await api(first.apiUrl, boot.application_key, '/api/v1/create_api_key', {
      name: 'survivor',
      access_grants: [{ principal_kind: 'app', resource_kind: '*', resource_id: '*' }],
    });
    assert.equal(made.status, 200);
    const keysBefore = await api(first.apiUrl, boot.application_key, '/api/v1/list_api_keys');
    assert.equal(keysBefore.body.api_keys.find((k: { id: string }) => k.id === made.body.id).key, made.body.key);

    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);

    const second = await startSlipstream('dev', { SLIPSTREAM_DATA_DIR: dataDir });
    t.after(() => second.child.kill('SIGKILL'));
    assert.match(second.output(), /Reusing the default account/);
    const again = JSON.parse(readFileSync(path, 'utf8'));
    // Ports are 0 (any free one), so only the two addresses may change between starts.
    assert.deepEqual({ ...again, api_url: '', bootstrap_url: '' }, { ...boot, api_url: '', bootstrap_url: '' }, 'the same keys and ids, nothing recreated');
    assert.equal(again.api_url, second.apiUrl);
    assert.equal(again.bootstrap_url, second.kafkaAddress);
    const topics = await api(second.apiUrl, boot.application_key, '/api/v1/list_topics', { virtual_cluster_id: boot.virtual_cluster_id });
    assert.deepEqual(topics.body.topics.map((x: { name: string }) => x.name), ['survives']);
    const clustersAgain = await api(second.apiUrl, boot.application_key, '/api/v1/list_virtual_clusters');
    assert.equal(clustersAgain.body.virtual_clusters.length, 1);
    const workspacesAgain = await api(second.apiUrl, boot.account_key, '/api/v1/list_workspaces');
    assert.equal(workspacesAgain.body.workspaces.length, 1);
    // The same secrets key, so every secret is listed again exactly as before the restart.
    assert.equal(readFileSync(secretsKeyPath, 'utf8'), secretsKey, 'secrets.key is reused, not recreated');
    const keysAfter = await api(second.apiUrl, boot.application_key, '/api/v1/list_api_keys');
    assert.equal(keysAfter.status, 200);
    assert.deepEqual(keysAfter.body, keysBefore.body);
    const secretOf = (id: string) => keysAfter.body.api_keys.find((k: { id: string }) => k.id === id).key;
    assert.equal(secretOf(made.body.id), made.body.key);
    const agentKeyId = clustersAgain.body.virtual_clusters[0].agent_keys[0].id;
    assert.equal(secretOf(agentKeyId), boot.agent_key);
    assert.equal(clustersAgain.body.virtual_clusters[0].agent_keys[0].key, boot.agent_key);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);

    // Another secrets key could unseal none of the stored secrets: refused at start.
    const otherKey = Buffer.alloc(32, 7).toString('base64');
    await assert.rejects(
      startSlipstream('dev', { SLIPSTREAM_DATA_DIR: dataDir, SLIPSTREAM_SECRETS_KEY: otherKey }),
      /secrets key .* is not the one this metadata store's API key secrets are sealed under/,
    );
    // The file's key given in the environment instead is the same key: accepted.
    const third = await startSlipstream('dev', { SLIPSTREAM_DATA_DIR: dataDir, SLIPSTREAM_SECRETS_KEY: secretsKey.trim() });
    t.after(() => third.child.kill('SIGKILL'));
    assert.deepEqual((await api(third.apiUrl, boot.application_key, '/api/v1/list_api_keys')).body, keysBefore.body);
    third.child.kill('SIGTERM');
    assert.equal(await third.exited, 0);
  });

  test('a bad setting is refused at start with a clear message', async (t) => {
    const dataDir = tempDir(t);
    await assert.rejects(startSlipstream('dev', { SLIPSTREAM_DATA_DIR: dataDir, SLIPSTREAM_HTTP_PORT: 'eighty' }), /SLIPSTREAM_HTTP_PORT must be an integer/);
    await assert.rejects(startSlipstream('bogus', { SLIPSTREAM_DATA_DIR: dataDir }), /unknown command "bogus"/);
    for (const malformed of ['not base64!', Buffer.alloc(16).toString('base64'), Buffer.alloc(33).toString('base64')]) {
      await assert.rejects(
        startSlipstream('dev', { SLIPSTREAM_DATA_DIR: dataDir, SLIPSTREAM_SECRETS_KEY: malformed }),
        /SLIPSTREAM_SECRETS_KEY must be the base64 encoding of exactly 32 bytes/,
        malformed,
      );
    }
    assert.ok(!existsSync(join(dataDir, 'secrets.key')), 'a refused start creates no secrets key');
  });
});

for (const kind of storeKinds()) {
  describe(`kill -9 loses no acknowledged write (${kind.kind})`, () => {
    test('every acknowledged create survives SIGKILL right after the last answer', async (t) => {
      const location = await kind.location(t);
      const dataDir = tempDir(t);
      const env: Record<string, string> = { SLIPSTREAM_DATA_DIR: dataDir };
      if (location.databaseUrl) env.DATABASE_URL = location.databaseUrl;
      const command = location.databaseUrl ? 'control-plane' : 'dev';
      const first = await startSlipstream(command, env);
      t.after(() => first.child.kill('SIGKILL'));
      const boot = JSON.parse(readFileSync(join(dataDir, 'bootstrap.json'), 'utf8'));
      const acknowledged: string[] = [];
      // Fire writes concurrently and kill the process the moment the last answer arrives.
      await Promise.all(
        Array.from({ length: 25 }, async (_, i) => {
          const name = `t${i}`;
          const r = await api(first.apiUrl, boot.application_key, '/api/v1/create_topic', {
            virtual_cluster_id: boot.virtual_cluster_id,
            topic_name: name,
            partition_count: 1,
          });
          if (r.status === 200) acknowledged.push(name);
        }),
      );
      first.child.kill('SIGKILL');
      assert.equal(await first.exited, 'SIGKILL');
      assert.equal(acknowledged.length, 25);

      const second = await startSlipstream(command, env);
      t.after(() => second.child.kill('SIGKILL'));
      const topics = await api(second.apiUrl, boot.application_key, '/api/v1/list_topics', { virtual_cluster_id: boot.virtual_cluster_id });
      assert.deepEqual(topics.body.topics.map((x: { name: string }) => x.name).sort(), [...acknowledged].sort());
      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0);
    });
  });
}
