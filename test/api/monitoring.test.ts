import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CommittedOffset } from '../../src/metadata/store.ts';
import { createCluster, foreignWorkspace, listedEveryWay, ok, readOnlyKey, refused, UNKNOWN_CLUSTER } from '../helpers/api.ts';
import { startTestPlatform, type CallOptions, type CallResult, type TestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';

/**
 * monitoring/describe_all_consumer_groups: the seed's shape, answered from the group store; and
 * the hosted Prometheus endpoint (basic auth, text exposition format, lag per partition).
 */

const DESCRIBE = '/api/v1/monitoring/describe_all_consumer_groups';

async function commit(p: TestPlatform, cluster: string, group: string, topic: string, partition: number, offset: number): Promise<void> {
  const record: CommittedOffset = {
    virtual_cluster_id: cluster,
    group_id: group,
    topic_name: topic,
    partition,
    committed_offset: offset,
    metadata: null,
    committed_at: Date.now(),
  };
  await p.store.upsertCommittedOffset(record);
}

function partition(index: number, committed: number) {
  return { member_id: '', partition: index, empty: true, min_offset: 0, max_offset: 0, committed_offset: committed };
}

function group(name: string, topics: Array<{ name: string; partitions: ReturnType<typeof partition>[] }>) {
  return { name, state: 'Empty', protocol: '', members: [], topics };
}

/** describe_all_consumer_groups for `cluster` (the bootstrap cluster unless given), asserting 200. */
function describeGroups(p: TestPlatform, cluster = p.boot.virtual_cluster_id, options: CallOptions = {}): Promise<CallResult> {
  return ok(p, DESCRIBE, { virtual_cluster_id: cluster }, options);
}

for (const kind of storeKinds()) {
  describe(`describe_all_consumer_groups (${kind.kind})`, () => {
    test('a fresh cluster answers exactly {"state":{"groups":[]}} by POST, GET with a body and GET with a query string', async (t) => {
      const p = await startTestPlatform(kind, t);
      assert.equal((await listedEveryWay(p, DESCRIBE, p.boot.virtual_cluster_id)).text, '{"state":{"groups":[]}}');
    });

    test('committed offsets appear as groups, topics and partitions with committed_offset', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await commit(p, id, 'group_b', 'orders', 1, 70);
      await commit(p, id, 'group_a', 'payments', 0, 3);
      await commit(p, id, 'group_a', 'orders', 1, 7);
      await commit(p, id, 'group_a', 'orders', 0, 5);
      await commit(p, id, 'group_b', 'orders', 2, 2 ** 40);

      const answer = await describeGroups(p);
      assert.deepEqual(answer.body, {
        state: {
          groups: [
            group('group_a', [
              { name: 'orders', partitions: [partition(0, 5), partition(1, 7)] },
              { name: 'payments', partitions: [partition(0, 3)] },
            ]),
            group('group_b', [{ name: 'orders', partitions: [partition(1, 70), partition(2, 2 ** 40)] }]),
          ],
        },
      });
      // Same answer by GET.
      assert.deepEqual((await p.call(DESCRIBE, { virtual_cluster_id: id }, { method: 'GET' })).body, answer.body);
    });

    test('a new commit replaces the group\'s offset for that partition', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await commit(p, id, 'g', 'orders', 0, 10);
      await commit(p, id, 'g', 'orders', 0, 11);
      await commit(p, id, 'g', 'orders', 0, 4);
      assert.deepEqual((await describeGroups(p)).body, { state: { groups: [group('g', [{ name: 'orders', partitions: [partition(0, 4)] }])] } });
    });

    test('only the asked cluster\'s groups are answered', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      const otherId = await createCluster(p, 'other');
      await commit(p, id, 'mine', 'orders', 0, 1);
      await commit(p, otherId, 'theirs', 'orders', 0, 2);
      assert.deepEqual((await describeGroups(p)).body.state.groups.map((g: { name: string }) => g.name), ['mine']);
      assert.deepEqual((await describeGroups(p, otherId)).body.state.groups.map((g: { name: string }) => g.name), ['theirs']);
    });

    test('missing or mistyped virtual_cluster_id is 400; unknown cluster 404', async (t) => {
      const p = await startTestPlatform(kind, t);
      await refused(p, DESCRIBE, undefined, 400, 'VALIDATION_ERROR');
      await refused(p, DESCRIBE, undefined, 400, 'VALIDATION_ERROR', { method: 'GET' });
      await refused(p, DESCRIBE, {}, 400, 'VALIDATION_ERROR');
      await refused(p, DESCRIBE, { virtual_cluster_id: 1 }, 400, 'VALIDATION_ERROR');
      await refused(p, DESCRIBE, undefined, 400, 'MALFORMED_JSON', { raw: '{' });
      await refused(p, DESCRIBE, { virtual_cluster_id: UNKNOWN_CLUSTER }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
    });

    test('a cluster of another workspace is 404 both ways, its groups are not shown', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      const foreign = await foreignWorkspace(p);
      await commit(p, foreign.cluster, 'secret_group', 'secret_topic', 0, 42);
      await commit(p, id, 'my_group', 'orders', 0, 1);
      const result = await refused(p, DESCRIBE, { virtual_cluster_id: foreign.cluster }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      assert.ok(!result.text.includes('secret_group'));
      await refused(p, DESCRIBE, { virtual_cluster_id: id }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND', { key: foreign.key });
      // Each workspace's key sees its own.
      const theirs = await describeGroups(p, foreign.cluster, { key: foreign.key });
      assert.deepEqual(theirs.body.state.groups.map((g: { name: string }) => g.name), ['secret_group']);
      assert.deepEqual((await describeGroups(p)).body.state.groups.map((g: { name: string }) => g.name), ['my_group']);
    });

    test('agent and account keys 403, no key 401; a read-only or cluster-scoped application key may read', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await commit(p, id, 'g', 't', 0, 1);
      await refused(p, DESCRIBE, { virtual_cluster_id: id }, 401, 'UNAUTHORIZED', { key: null });
      await refused(p, DESCRIBE, { virtual_cluster_id: id }, 403, 'FORBIDDEN', { key: p.boot.agent_key });
      await refused(p, DESCRIBE, { virtual_cluster_id: id }, 403, 'FORBIDDEN', { key: p.boot.account_key });
      const reader = await readOnlyKey(p, 'reader', id);
      const read = await describeGroups(p, id, { key: reader });
      assert.deepEqual(read.body.state.groups.map((g: { name: string }) => g.name), ['g']);
      const other = await createCluster(p, 'other');
      await refused(p, DESCRIBE, { virtual_cluster_id: other }, 403, 'FORBIDDEN', { key: reader });
    });
  });
}

// --- GET /api/v1/monitoring/prometheus/virtual_clusters/{virtual_cluster_id} ---------------------

const prometheusPath = (cluster: string) => `/api/v1/monitoring/prometheus/virtual_clusters/${cluster}`;
const basic = (user: string, password: string) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');

async function scrape(p: TestPlatform, cluster: string, authorization?: string) {
  const response = await p.app.inject({ method: 'GET', url: prometheusPath(cluster), headers: authorization ? { authorization } : {} });
  return { status: response.statusCode, headers: response.headers, text: response.body };
}

/** Parses exposition text into `name{labels}` → value, asserting every family is declared once as a gauge. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const declared = new Set<string>();
  assert.ok(text.endsWith('\n'), 'ends with a newline');
  for (const line of text.trimEnd().split('\n')) {
    const type = /^# TYPE (\w+) gauge$/.exec(line);
    if (type) {
      assert.ok(!declared.has(type[1]!), `${type[1]} declared once`);
      declared.add(type[1]!);
      continue;
    }
    if (line.startsWith('# HELP ')) continue;
    const sample = /^(\w+)(\{.*\}) (-?\d+)$/.exec(line);
    assert.ok(sample, `a sample line: ${line}`);
    assert.ok(declared.has(sample[1]!), `${sample[1]} has a TYPE before its samples`);
    samples.set(sample[1]! + sample[2]!, Number(sample[3]));
  }
  return samples;
}

for (const kind of storeKinds()) {
  describe(`Prometheus endpoint (${kind.kind})`, () => {
    test('answers lag, committed offsets, partition offsets and counts in the text format', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await ok(p, '/api/v1/create_topic', { virtual_cluster_id: id, topic_name: 'orders', partition_count: 2 });
      await ok(p, '/api/v1/create_topic', { virtual_cluster_id: id, topic_name: 'idle', partition_count: 1 });
      const orders = (await p.store.getTopic(id, 'orders'))!;
      await p.store.upsertPartitionState({ topic_id: orders.id, partition: 0, log_start_offset: 2, high_watermark: 10 });
      await p.store.upsertPartitionState({ topic_id: orders.id, partition: 1, log_start_offset: 0, high_watermark: 5 });
      await commit(p, id, 'billing', 'orders', 0, 4);
      await commit(p, id, 'billing', 'orders', 1, 5);
      await commit(p, id, 'audit "eu"', 'orders', 0, 10);

      const r = await scrape(p, id, basic('prometheus', p.boot.application_key));
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
      const samples = parseExposition(r.text);
      const vc = `virtual_cluster_id="${id}"`;
      const expected: Record<string, number> = {
        [`warpstream_topic_num_partitions{${vc},topic="idle"}`]: 1,
        [`warpstream_topic_num_partitions{${vc},topic="orders"}`]: 2,
        [`warpstream_min_offset{${vc},topic="orders",partition="0"}`]: 2,
        [`warpstream_max_offset{${vc},topic="orders",partition="0"}`]: 10,
        [`warpstream_max_offset{${vc},topic="orders",partition="1"}`]: 5,
        [`warpstream_max_offset{${vc},topic="idle",partition="0"}`]: 0,
        [`warpstream_consumer_group_max_offset{${vc},consumer_group="billing",topic="orders",partition="0"}`]: 4,
        [`warpstream_consumer_group_max_offset{${vc},consumer_group="billing",topic="orders",partition="1"}`]: 5,
        [`warpstream_consumer_group_lag{${vc},consumer_group="billing",topic="orders",partition="0"}`]: 6,
        [`warpstream_consumer_group_lag{${vc},consumer_group="billing",topic="orders",partition="1"}`]: 0,
        // Label values are escaped.
        [`warpstream_consumer_group_lag{${vc},consumer_group="audit \\"eu\\"",topic="orders",partition="0"}`]: 0,
        [`warpstream_consumer_group_num_partitions{${vc},consumer_group="billing"}`]: 2,
        [`warpstream_consumer_group_num_topics{${vc},consumer_group="billing"}`]: 1,
        [`warpstream_consumer_group_num_members{${vc},consumer_group="billing"}`]: 0,
        [`warpstream_consumer_group_state{${vc},consumer_group="billing",consumer_group_state="Empty"}`]: 1,
      };
      for (const [series, value] of Object.entries(expected)) assert.equal(samples.get(series), value, series);
      // Lag only where the group committed: one series per committed partition, no more.
      assert.equal([...samples.keys()].filter((k) => k.startsWith('warpstream_consumer_group_lag{')).length, 3);

      // The lag follows new records.
      await p.store.upsertPartitionState({ topic_id: orders.id, partition: 1, log_start_offset: 0, high_watermark: 12 });
      const again = parseExposition((await scrape(p, id, basic('prometheus', p.boot.application_key))).text);
      assert.equal(again.get(`warpstream_consumer_group_lag{${vc},consumer_group="billing",topic="orders",partition="1"}`), 7);
      // What Prometheus itself sends (content negotiation, no body) gets the same text format.
      const promHeaders = {
        authorization: basic('prometheus', p.boot.application_key),
        accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
        'user-agent': 'Prometheus/2.53.0',
        'x-prometheus-scrape-timeout-seconds': '10',
      };
      const real = await p.app.inject({ method: 'GET', url: prometheusPath(id), headers: promHeaders });
      assert.equal(real.statusCode, 200, real.body);
      assert.equal(real.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
      assert.equal(parseExposition(real.body).get(`warpstream_consumer_group_lag{${vc},consumer_group="billing",topic="orders",partition="1"}`), 7);
      // Only the asked cluster's series.
      const other = await createCluster(p, 'other_metrics');
      const otherText = (await scrape(p, other, basic('prometheus', p.boot.application_key))).text;
      assert.ok(!otherText.includes('billing') && !otherText.includes(id));
    });

    test('wrong or missing basic auth is 401 with a Basic challenge, in the error envelope', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      const deleted = await ok(p, '/api/v1/create_api_key', { name: 'scraper_gone', access_grants: [{ principal_kind: 'app_r', resource_kind: '*', resource_id: '*' }] });
      await ok(p, '/api/v1/delete_api_key', { api_key_id: deleted.body.id });
      const cases: Array<[string, string | undefined]> = [
        ['no header', undefined],
        ['wrong user', basic('admin', p.boot.application_key)],
        ['empty password', basic('prometheus', '')],
        ['unknown key', basic('prometheus', 'aks_' + '0'.repeat(64))],
        ['deleted key', basic('prometheus', deleted.body.key)],
        ['bearer', `Bearer ${p.boot.application_key}`],
        ['not base64', 'Basic !!!'],
      ];
      for (const [what, authorization] of cases) {
        const r = await scrape(p, id, authorization);
        assert.equal(r.status, 401, `${what}: ${r.text}`);
        assert.match(String(r.headers['www-authenticate']), /^Basic realm="slipstream"/, what);
        assert.match(String(r.headers['content-type']), /^application\/json/, what);
        const body = JSON.parse(r.text);
        assert.equal(body.error.code, 'UNAUTHORIZED', what);
        assert.match(body.error.message, /invalid_api_key/, what);
      }
      // The Management API's header does not stand in for basic auth.
      const header = await p.app.inject({ method: 'GET', url: prometheusPath(id), headers: { 'warpstream-api-key': p.boot.application_key } });
      assert.equal(header.statusCode, 401);
    });

    test('which keys may scrape which cluster', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      const other = await createCluster(p, 'scoped_other');
      const foreign = await foreignWorkspace(p);
      const reader = await readOnlyKey(p, 'scrape_reader');
      const limited = await readOnlyKey(p, 'scrape_limited', other);
      const agentReadOnly = (await ok(p, '/api/v1/create_api_key', { name: 'scrape_agent_r', access_grants: [{ principal_kind: 'agent_r', resource_kind: 'virtual_cluster', resource_id: id }] })).body.key;
      const allowed = [p.boot.application_key, reader, p.boot.account_key, p.boot.agent_key, agentReadOnly];
      for (const key of allowed) assert.equal((await scrape(p, id, basic('prometheus', key))).status, 200);
      const status = async (cluster: string, key: string) => (await scrape(p, cluster, basic('prometheus', key))).status;
      assert.equal(await status(id, limited), 403);
      assert.equal(await status(other, limited), 200);
      assert.equal(await status(other, p.boot.agent_key), 403);
      assert.equal(await status(id, foreign.key), 404);
      assert.equal(await status(foreign.cluster, p.boot.application_key), 404);
      assert.equal(await status(foreign.cluster, p.boot.account_key), 200);
      assert.equal(await status(UNKNOWN_CLUSTER, p.boot.application_key), 404);
    });

    test('is documented in /openapi.json with basic auth and a text answer', async (t) => {
      const p = await startTestPlatform(kind, t);
      const doc = JSON.parse((await p.app.inject({ method: 'GET', url: '/openapi.json' })).body);
      const operation = doc.paths['/api/v1/monitoring/prometheus/virtual_clusters/{virtual_cluster_id}']?.get;
      assert.ok(operation, 'documented');
      assert.deepEqual(operation.security, [{ PrometheusBasicAuth: [] }]);
      assert.deepEqual(doc.components.securitySchemes.PrometheusBasicAuth, { type: 'http', scheme: 'basic' });
      assert.ok(operation.responses['200'].content['text/plain']);
      assert.equal(operation.parameters[0].name, 'virtual_cluster_id');
    });
  });
}
