import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCluster, foreignWorkspace, idPattern, listedEveryWay, readOnlyKey, refused, UNKNOWN_CLUSTER } from '../helpers/api.ts';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';

/** create_topic, list_topics, delete_topic: shapes, Kafka's rules, tier limits, soft delete. */

const TOPIC_ID = idPattern('ti_');
const CREATE = '/api/v1/create_topic';
const LIST = '/api/v1/list_topics';
const DELETE = '/api/v1/delete_topic';

async function createTopic(p: TestPlatform, name: string, partitions: number, configs?: Record<string, string>, cluster?: string) {
  const result = await p.call(CREATE, {
    virtual_cluster_id: cluster ?? p.boot.virtual_cluster_id,
    topic_name: name,
    partition_count: partitions,
    ...(configs ? { configs } : {}),
  });
  assert.equal(result.status, 200, `create_topic ${name}: ${result.text}`);
  assert.equal(result.text, '{}');
  return result;
}

async function listTopics(p: TestPlatform, includeDeleted = false, cluster?: string) {
  const result = await p.call(LIST, {
    virtual_cluster_id: cluster ?? p.boot.virtual_cluster_id,
    ...(includeDeleted ? { include_recently_deleted: true } : {}),
  });
  assert.equal(result.status, 200, result.text);
  return result.body as { topics: Array<Record<string, unknown>>; recently_deleted_topics: Array<Record<string, unknown>> | null };
}

for (const kind of storeKinds()) {
  describe(`topics (${kind.kind})`, () => {
    test('create_topic answers exactly {} and list_topics shows the topic in the seed shape', async (t) => {
      const p = await startTestPlatform(kind, t);
      const before = Math.floor(Date.now() / 1000);
      await createTopic(p, 'orders', 3);
      const after = Math.ceil(Date.now() / 1000);

      const list = await listTopics(p);
      assert.deepEqual(Object.keys(list).sort(), ['recently_deleted_topics', 'topics']);
      assert.equal(list.recently_deleted_topics, null);
      assert.equal(list.topics.length, 1);
      const topic = list.topics[0]!;
      assert.deepEqual(Object.keys(topic).sort(), ['created_at', 'id', 'name', 'retention', 'shard_count', 'uncompressed_size_hint']);
      assert.match(topic.id as string, TOPIC_ID);
      assert.equal(topic.name, 'orders');
      assert.equal(typeof topic.created_at, 'number');
      assert.ok(Number.isInteger(topic.created_at), 'created_at is whole unix seconds');
      assert.ok((topic.created_at as number) >= before && (topic.created_at as number) <= after, `created_at ${topic.created_at} in [${before}, ${after}]`);
      assert.equal(topic.retention, '604800000');
      assert.equal(topic.shard_count, 3);
      assert.equal(topic.uncompressed_size_hint, '0');

      const stored = await p.store.getTopic(p.boot.virtual_cluster_id, 'orders');
      assert.ok(stored);
      assert.equal(stored.id, topic.id);
      assert.equal(stored.partition_count, 3);
      assert.deepEqual(stored.configs, {});
      assert.equal(stored.deleted_at, null);
    });

    test('retention is the topic\'s retention.ms when set, also -1', async (t) => {
      const p = await startTestPlatform(kind, t);
      await createTopic(p, 'forever', 1, { 'retention.ms': '-1' });
      await createTopic(p, 'day', 1, { 'retention.ms': '86400000', 'cleanup.policy': 'delete' });
      await createTopic(p, 'plain', 1, { 'cleanup.policy': 'compact' });
      const byName = Object.fromEntries((await listTopics(p)).topics.map((topic) => [topic.name, topic.retention]));
      assert.deepEqual(byName, { day: '86400000', forever: '-1', plain: '604800000' });
    });

    test('Kafka topic-name rules: 249 characters and the legal alphabet are fine', async (t) => {
      const p = await startTestPlatform(kind, t);
      const names = ['a'.repeat(249), 'Orders.v1-final_2', '...', '.hidden', '_internal', '-dash', '0'];
      for (const name of names) await createTopic(p, name, 1);
      const listed = (await listTopics(p)).topics.map((topic) => topic.name);
      assert.deepEqual([...listed].sort(), [...names].sort());
    });

    test('illegal topic names are refused with INVALID_TOPIC_NAME and change nothing', async (t) => {
      const p = await startTestPlatform(kind, t);
      await createTopic(p, 'existing', 1);
      const bad = ['', '.', '..', 'a'.repeat(250), 'a b', 'a/b', 'a:b', 'a\\b', 'ä', 'topic\n', 'a*', 'a,b', 'a#b', '😀'];
      for (const name of bad) {
        await refused(p, CREATE, { virtual_cluster_id: p.boot.virtual_cluster_id, topic_name: name, partition_count: 1 }, 400, 'INVALID_TOPIC_NAME');
      }
    });

    test('topic_name missing or not a string: 400 VALIDATION_ERROR', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await refused(p, CREATE, { virtual_cluster_id: id, partition_count: 1 }, 400, 'VALIDATION_ERROR');
      await refused(p, CREATE, { virtual_cluster_id: id, topic_name: 12, partition_count: 1 }, 400, 'VALIDATION_ERROR');
      await refused(p, CREATE, { virtual_cluster_id: id, topic_name: null, partition_count: 1 }, 400, 'VALIDATION_ERROR');
      await refused(p, CREATE, { topic_name: 'x', partition_count: 1 }, 400, 'VALIDATION_ERROR');
    });

    test('partition_count: missing/0/-1/1.5/"3"/null are refused; 1 is fine', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      const cases: Array<[unknown, string]> = [
        [undefined, 'VALIDATION_ERROR'],
        [0, 'INVALID_PARTITIONS'],
        [-1, 'INVALID_PARTITIONS'],
        [1.5, 'VALIDATION_ERROR'],
        ['3', 'VALIDATION_ERROR'],
        [null, 'VALIDATION_ERROR'],
        [true, 'VALIDATION_ERROR'],
        [[1], 'VALIDATION_ERROR'],
      ];
      for (const [count, code] of cases) {
        const body: Record<string, unknown> = { virtual_cluster_id: id, topic_name: 't' };
        if (count !== undefined) body.partition_count = count;
        await refused(p, CREATE, body, 400, code);
      }
      await createTopic(p, 't', 1);
      assert.equal((await listTopics(p)).topics[0]?.shard_count, 1);
    });

    test('dev tier: 4,096 partitions in all; soft-deleted topics do not count', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await refused(p, CREATE, { virtual_cluster_id: id, topic_name: 'too_big', partition_count: 4097 }, 400, 'PARTITION_LIMIT_EXCEEDED');
      await createTopic(p, 'big', 4096);
      assert.equal(await p.store.countPartitions(id), 4096);
      await refused(p, CREATE, { virtual_cluster_id: id, topic_name: 'one_more', partition_count: 1 }, 400, 'PARTITION_LIMIT_EXCEEDED');

      // Soft-deleting frees the partitions; the restorable topic does not count against the limit.
      assert.equal((await p.call(DELETE, { virtual_cluster_id: id, topic_name: 'big', soft_delete: true })).text, '{}');
      assert.equal(await p.store.countPartitions(id), 0);
      await createTopic(p, 'second', 4000);
      await createTopic(p, 'third', 96);
      // Restoring `big` would bring the live total to 8,192.
      await refused(p, CREATE, { virtual_cluster_id: id, topic_name: 'big', partition_count: 4096 }, 400, 'PARTITION_LIMIT_EXCEEDED');
      const list = await listTopics(p, true);
      assert.deepEqual(list.topics.map((topic) => topic.name), ['second', 'third']);
      assert.deepEqual(list.recently_deleted_topics?.map((topic) => topic.name), ['big']);

      // Hard-deleting frees them too.
      assert.equal((await p.call(DELETE, { virtual_cluster_id: id, topic_name: 'third' })).text, '{}');
      await createTopic(p, 'fourth', 96);
      assert.equal(await p.store.countPartitions(id), 4096);
    });

    test('each tier has its own partition limit (fundamentals 16,384; pro 50,000; enterprise 200,000)', async (t) => {
      const p = await startTestPlatform(kind, t);
      for (const [tier, limit] of [['fundamentals', 16_384], ['pro', 50_000], ['enterprise', 200_000]] as const) {
        const id = await createCluster(p, `tier_${tier}`, { virtual_cluster_tier: tier });
        await refused(p, CREATE, { virtual_cluster_id: id, topic_name: 'over', partition_count: limit + 1 }, 400, 'PARTITION_LIMIT_EXCEEDED');
        await createTopic(p, 'full', limit - 1, undefined, id);
        await createTopic(p, 'last', 1, undefined, id);
        await refused(p, CREATE, { virtual_cluster_id: id, topic_name: 'over', partition_count: 1 }, 400, 'PARTITION_LIMIT_EXCEEDED');
      }
      // Limits are per cluster: the default dev cluster is untouched by the others.
      assert.equal(await p.store.countPartitions(p.boot.virtual_cluster_id), 0);
      await createTopic(p, 'dev_full', 4096);
    });

    test('known configs with typed values are stored as given', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      const good: Array<Record<string, string>> = [
        { 'retention.ms': '-1' },
        { 'retention.ms': '0' },
        { 'retention.ms': '9223372036854775807' },
        { 'cleanup.policy': 'delete' },
        { 'cleanup.policy': 'compact' },
        { 'cleanup.policy': 'compact,delete' },
        { 'compression.type': 'zstd' },
        { 'compression.type': 'producer' },
        { 'min.cleanable.dirty.ratio': '0.5' },
        { 'message.downconversion.enable': 'true' },
        { 'warpstream.deletion.protection.enabled': 'false' },
        { 'max.message.bytes': '1048576', 'retention.bytes': '-1', 'message.timestamp.type': 'LogAppendTime' },
      ];
      for (const [i, configs] of good.entries()) {
        await createTopic(p, `good_${i}`, 1, configs);
        assert.deepEqual((await p.store.getTopic(id, `good_${i}`))?.configs, configs);
      }
    });

    test('unknown configs, wrong values and non-string values are refused and change nothing', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await createTopic(p, 'existing', 2, { 'retention.ms': '1000' });
      const invalid: Array<Record<string, string>> = [
        { 'retention.mss': '1000' },
        { 'log.retention.ms': '1000' },
        { constructor: 'x' },
        { toString: 'x' },
        { 'retention.ms': 'abc' },
        { 'retention.ms': '-2' },
        { 'retention.ms': '1.5' },
        { 'retention.ms': '' },
        { 'cleanup.policy': 'compacted' },
        { 'cleanup.policy': 'delete,' },
        { 'compression.type': 'brotli' },
        { 'min.cleanable.dirty.ratio': '1.5' },
        { 'min.cleanable.dirty.ratio': 'abc' },
        { 'message.downconversion.enable': 'yes' },
        { 'retention.ms': '1000', 'compression.type': 'nope' },
      ];
      for (const configs of invalid) {
        await refused(p, CREATE, { virtual_cluster_id: id, topic_name: 'fresh', partition_count: 1, configs }, 400, 'INVALID_CONFIG');
        // The same check applies when re-creating restores a soft-deleted topic (checked below).
      }
      // Non-string values never reach the validator: the route's JSON schema says configs are
      // strings and answers VALIDATION_ERROR naming the field.
      for (const value of [1000, -1, true, null, ['delete'], { ms: 1 }]) {
        const result = await refused(
          p,
          CREATE,
          { virtual_cluster_id: id, topic_name: 'fresh', partition_count: 1, configs: { 'retention.ms': value } },
          400,
          'VALIDATION_ERROR',
        );
        assert.match(result.body.error.message, /configs/);
      }
      for (const configs of ['retention.ms=1', ['retention.ms'], 5]) {
        await refused(p, CREATE, { virtual_cluster_id: id, topic_name: 'fresh', partition_count: 1, configs }, 400, 'VALIDATION_ERROR');
      }
    });

    test('duplicates answer 409 TOPIC_ALREADY_EXISTS; "." and "_" collide with 409 TOPIC_NAME_COLLISION', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await createTopic(p, 'a.b', 2);
      await refused(p, CREATE, { virtual_cluster_id: id, topic_name: 'a.b', partition_count: 2 }, 409, 'TOPIC_ALREADY_EXISTS');
      await refused(p, CREATE, { virtual_cluster_id: id, topic_name: 'a.b', partition_count: 5, configs: { 'retention.ms': '1' } }, 409, 'TOPIC_ALREADY_EXISTS');
      await refused(p, CREATE, { virtual_cluster_id: id, topic_name: 'a_b', partition_count: 1 }, 409, 'TOPIC_NAME_COLLISION');
      await createTopic(p, 'x_y_z', 1);
      await refused(p, CREATE, { virtual_cluster_id: id, topic_name: 'x.y_z', partition_count: 1 }, 409, 'TOPIC_NAME_COLLISION');
      await refused(p, CREATE, { virtual_cluster_id: id, topic_name: 'x.y.z', partition_count: 1 }, 409, 'TOPIC_NAME_COLLISION');
      // Kafka topic names are case-sensitive: these do not collide.
      await createTopic(p, 'A.b', 1);
      await createTopic(p, 'a-b', 1);
      // Names in another cluster are independent.
      const other = await createCluster(p, 'other');
      await createTopic(p, 'a.b', 1, undefined, other);
      await createTopic(p, 'x.y.z', 1, undefined, other);
      assert.deepEqual((await listTopics(p)).topics.map((topic) => topic.name), ['A.b', 'a-b', 'a.b', 'x_y_z']);
      assert.deepEqual((await listTopics(p, false, other)).topics.map((topic) => topic.name), ['a.b', 'x.y.z']);
    });

    test('an unknown virtual cluster answers 404 on create, list and delete', async (t) => {
      const p = await startTestPlatform(kind, t);
      await refused(p, CREATE, { virtual_cluster_id: UNKNOWN_CLUSTER, topic_name: 't', partition_count: 1 }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, LIST, { virtual_cluster_id: UNKNOWN_CLUSTER }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, DELETE, { virtual_cluster_id: UNKNOWN_CLUSTER, topic_name: 't' }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, CREATE, { virtual_cluster_id: '', topic_name: 't', partition_count: 1 }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
    });

    test('schema-registry and data-lake clusters have no Kafka topics: 400', async (t) => {
      const p = await startTestPlatform(kind, t);
      const registry = await createCluster(p, 'registry', { virtual_cluster_type: 'byoc_schema_registry' });
      const lake = await createCluster(p, 'lake', { virtual_cluster_type: 'byoc_data_lake' });
      for (const id of [registry, lake]) {
        await refused(p, CREATE, { virtual_cluster_id: id, topic_name: 't', partition_count: 1 }, 400, 'INVALID_CLUSTER_TYPE');
        assert.deepEqual(await listTopics(p, true, id), { topics: [], recently_deleted_topics: [] });
      }
    });

    test('list_topics by POST, by GET with a JSON body, by GET with a query string; empty body is 400', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await createTopic(p, 'b_topic', 2);
      await createTopic(p, 'a_topic', 1);
      await p.call(DELETE, { virtual_cluster_id: id, topic_name: 'b_topic', soft_delete: true });

      // POST, GET with a JSON body and GET with a query string answer alike.
      const post = await listedEveryWay(p, LIST, id);
      assert.deepEqual(post.body.topics.map((topic: { name: string }) => topic.name), ['a_topic']);
      assert.equal(post.body.recently_deleted_topics, null);
      assert.match(post.text, /"recently_deleted_topics":null/);

      const withDeleted = await p.call(`${LIST}?virtual_cluster_id=${id}&include_recently_deleted=true`, undefined, { method: 'GET' });
      assert.equal(withDeleted.status, 200, withDeleted.text);
      assert.deepEqual(withDeleted.body.recently_deleted_topics.map((topic: { name: string }) => topic.name), ['b_topic']);
      assert.deepEqual(withDeleted.body.topics, post.body.topics);

      const explicitFalse = await p.call(LIST, { virtual_cluster_id: id, include_recently_deleted: false });
      assert.equal(explicitFalse.body.recently_deleted_topics, null);

      await refused(p, LIST, undefined, 400, 'VALIDATION_ERROR');
      await refused(p, LIST, undefined, 400, 'VALIDATION_ERROR', { method: 'GET' });
      await refused(p, LIST, {}, 400, 'VALIDATION_ERROR');
      await refused(p, LIST, { virtual_cluster_id: id, include_recently_deleted: 'yes' }, 400, 'VALIDATION_ERROR');
      await refused(p, LIST, { virtual_cluster_id: 42 }, 400, 'VALIDATION_ERROR');
      await refused(p, LIST, undefined, 400, 'MALFORMED_JSON', { raw: '{"virtual_cluster_id":' });
    });

    test('recently_deleted_topics is [] (not null) when asked for and nothing is deleted; topics is [] on a fresh cluster', async (t) => {
      const p = await startTestPlatform(kind, t);
      assert.equal((await p.call(LIST, { virtual_cluster_id: p.boot.virtual_cluster_id })).text, '{"topics":[],"recently_deleted_topics":null}');
      assert.deepEqual(await listTopics(p, true), { topics: [], recently_deleted_topics: [] });
    });

    test('list_topics orders topics by name, byte-wise, on both stores', async (t) => {
      const p = await startTestPlatform(kind, t);
      const names = ['b', 'B', 'a', 'A', '_z', '-m', '9', 'a-c', 'ab', 'a.d'];
      for (const name of names) await createTopic(p, name, 1);
      const expected = [...names].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      assert.deepEqual((await listTopics(p)).topics.map((topic) => topic.name), expected);
    });

    test('hard delete removes the topic for good; re-creating it makes a new topic', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await createTopic(p, 'gone', 4, { 'retention.ms': '1000' });
      const first = (await listTopics(p)).topics[0]!;
      const result = await p.call(DELETE, { virtual_cluster_id: id, topic_name: 'gone' });
      assert.equal(result.status, 200, result.text);
      assert.equal(result.text, '{}');
      assert.deepEqual(await listTopics(p, true), { topics: [], recently_deleted_topics: [] });
      assert.equal(await p.store.getTopic(id, 'gone'), undefined);

      const hardExplicit = await createTopic(p, 'gone', 1);
      assert.equal(hardExplicit.text, '{}');
      const second = (await listTopics(p)).topics[0]!;
      assert.notEqual(second.id, first.id);
      assert.equal(second.shard_count, 1);
      assert.equal(second.retention, '604800000', 'configs of the deleted topic do not come back');
      assert.equal((await p.call(DELETE, { virtual_cluster_id: id, topic_name: 'gone', soft_delete: false })).text, '{}');
      assert.deepEqual(await listTopics(p, true), { topics: [], recently_deleted_topics: [] });
    });

    test('soft delete keeps the topic under recently_deleted_topics; re-creating restores it', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await createTopic(p, 'keep', 3, { 'retention.ms': '1000', 'cleanup.policy': 'delete' });
      await createTopic(p, 'other', 1);
      const original = (await listTopics(p)).topics.find((topic) => topic.name === 'keep')!;

      const result = await p.call(DELETE, { virtual_cluster_id: id, topic_name: 'keep', soft_delete: true });
      assert.equal(result.status, 200, result.text);
      assert.equal(result.text, '{}');
      const list = await listTopics(p, true);
      assert.deepEqual(list.topics.map((topic) => topic.name), ['other']);
      assert.deepEqual(list.recently_deleted_topics, [original]);
      assert.equal((await listTopics(p)).recently_deleted_topics, null);
      const stored = await p.store.getTopic(id, 'keep');
      assert.equal(typeof stored?.deleted_at, 'number');

      // Fewer partitions than it had: refused, still soft-deleted.
      await refused(p, CREATE, { virtual_cluster_id: id, topic_name: 'keep', partition_count: 2 }, 400, 'INVALID_PARTITIONS');
      // Invalid configs: refused too.
      await refused(p, CREATE, { virtual_cluster_id: id, topic_name: 'keep', partition_count: 5, configs: { 'retention.ms': 'x' } }, 400, 'INVALID_CONFIG');

      // More partitions and new configs: the same topic comes back, grown, configs merged.
      await createTopic(p, 'keep', 5, { 'retention.ms': '2000', 'compression.type': 'zstd' });
      const restored = await listTopics(p, true);
      assert.deepEqual(restored.recently_deleted_topics, []);
      assert.deepEqual(restored.topics.find((topic) => topic.name === 'keep'), { ...original, shard_count: 5, retention: '2000' });
      const after = await p.store.getTopic(id, 'keep');
      assert.equal(after?.id, original.id);
      assert.equal(after?.deleted_at, null);
      assert.deepEqual(after?.configs, { 'retention.ms': '2000', 'cleanup.policy': 'delete', 'compression.type': 'zstd' });
    });

    test('re-creating a soft-deleted topic with the same partition count restores it as it was', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await createTopic(p, 'same', 3, { 'retention.ms': '1000' });
      const original = (await listTopics(p)).topics[0]!;
      await p.call(DELETE, { virtual_cluster_id: id, topic_name: 'same', soft_delete: true });
      await createTopic(p, 'same', 3);
      assert.deepEqual(await listTopics(p, true), { topics: [original], recently_deleted_topics: [] });
      assert.deepEqual((await p.store.getTopic(id, 'same'))?.configs, { 'retention.ms': '1000' });
    });

    test('delete_topic refusals: unknown → 404, soft-deleting a soft-deleted topic → 404, bad fields → 400', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await refused(p, DELETE, { virtual_cluster_id: id, topic_name: 'nope' }, 404, 'TOPIC_NOT_FOUND');
      await refused(p, DELETE, { virtual_cluster_id: id, topic_name: 'nope', soft_delete: true }, 404, 'TOPIC_NOT_FOUND');
      await createTopic(p, 'soft', 1);
      await p.call(DELETE, { virtual_cluster_id: id, topic_name: 'soft', soft_delete: true });
      await refused(p, DELETE, { virtual_cluster_id: id, topic_name: 'soft', soft_delete: true }, 404, 'TOPIC_NOT_FOUND');
      // Collision-equivalent names are different topics for delete.
      await refused(p, DELETE, { virtual_cluster_id: id, topic_name: 'SOFT' }, 404, 'TOPIC_NOT_FOUND');
      await refused(p, DELETE, { virtual_cluster_id: id }, 400, 'VALIDATION_ERROR');
      await refused(p, DELETE, { virtual_cluster_id: id, topic_name: 'soft', soft_delete: 'true' }, 400, 'VALIDATION_ERROR');
      await refused(p, DELETE, { virtual_cluster_id: id, topic_name: ['soft'] }, 400, 'VALIDATION_ERROR');
    });

    test('hard-deleting a soft-deleted topic removes it from recently_deleted_topics', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await createTopic(p, 'twice', 2);
      const original = (await listTopics(p)).topics[0]!;
      await p.call(DELETE, { virtual_cluster_id: id, topic_name: 'twice', soft_delete: true });
      const result = await p.call(DELETE, { virtual_cluster_id: id, topic_name: 'twice', soft_delete: false });
      assert.equal(result.status, 200, result.text);
      assert.equal(result.text, '{}');
      assert.deepEqual(await listTopics(p, true), { topics: [], recently_deleted_topics: [] });
      assert.equal(await p.store.getTopic(id, 'twice'), undefined);
      await refused(p, DELETE, { virtual_cluster_id: id, topic_name: 'twice' }, 404, 'TOPIC_NOT_FOUND');
      // Nothing left to restore: a new topic with a new id.
      await createTopic(p, 'twice', 1);
      assert.notEqual((await listTopics(p)).topics[0]?.id, original.id);
    });

    test('a soft-deleted topic older than a day is purged: not listed, and re-creating makes a new topic', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await createTopic(p, 'old', 2);
      await createTopic(p, 'recent', 1);
      const original = (await listTopics(p)).topics.find((topic) => topic.name === 'old')!;
      await p.call(DELETE, { virtual_cluster_id: id, topic_name: 'old', soft_delete: true });
      await p.call(DELETE, { virtual_cluster_id: id, topic_name: 'recent', soft_delete: true });
      const stored = await p.store.getTopic(id, 'old');
      assert.ok(stored);
      await p.store.updateTopic({ ...stored, deleted_at: Date.now() - 25 * 60 * 60 * 1000 });
      assert.deepEqual((await listTopics(p, true)).recently_deleted_topics?.map((topic) => topic.name), ['recent']);
      await createTopic(p, 'old', 1);
      const now = (await listTopics(p)).topics.find((topic) => topic.name === 'old')!;
      assert.notEqual(now.id, original.id);
      assert.equal(now.shard_count, 1);
    });

    test('a.b soft-deleted does not block a_b, but then a.b cannot be restored (collision)', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await createTopic(p, 'a.b', 1);
      await p.call(DELETE, { virtual_cluster_id: id, topic_name: 'a.b', soft_delete: true });
      await createTopic(p, 'a_b', 1);
      await refused(p, CREATE, { virtual_cluster_id: id, topic_name: 'a.b', partition_count: 1 }, 409, 'TOPIC_NAME_COLLISION');
      const list = await listTopics(p, true);
      assert.deepEqual(list.topics.map((topic) => topic.name), ['a_b']);
      assert.deepEqual(list.recently_deleted_topics?.map((topic) => topic.name), ['a.b']);
    });

    test('warpstream.deletion.protection.enabled=true: 422 TOPIC_DELETION_PROTECTED, the topic stays', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await createTopic(p, 'guarded', 2, { 'warpstream.deletion.protection.enabled': 'true' });
      await createTopic(p, 'guarded_upper', 1, { 'warpstream.deletion.protection.enabled': 'TRUE' });
      await createTopic(p, 'unguarded', 1, { 'warpstream.deletion.protection.enabled': 'false' });
      for (const name of ['guarded', 'guarded_upper']) {
        await refused(p, DELETE, { virtual_cluster_id: id, topic_name: name }, 422, 'TOPIC_DELETION_PROTECTED');
        await refused(p, DELETE, { virtual_cluster_id: id, topic_name: name, soft_delete: true }, 422, 'TOPIC_DELETION_PROTECTED');
      }
      assert.equal((await p.call(DELETE, { virtual_cluster_id: id, topic_name: 'unguarded' })).text, '{}');
      assert.deepEqual((await listTopics(p, true)).topics.map((topic) => topic.name), ['guarded', 'guarded_upper']);
    });

    test('who may call: no key 401, agent key 403, read-only key cannot create or delete, key of another cluster 403', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await createTopic(p, 'existing', 1);
      const body = { virtual_cluster_id: id, topic_name: 'new', partition_count: 1 };
      const noKey = await refused(p, CREATE, body, 401, 'UNAUTHORIZED', { key: null });
      assert.match(noKey.body.error.message, /invalid_api_key/);
      await refused(p, CREATE, body, 401, 'UNAUTHORIZED', { key: 'aks_' + '0'.repeat(64) });
      await refused(p, CREATE, body, 403, 'FORBIDDEN', { key: p.boot.agent_key });
      await refused(p, LIST, { virtual_cluster_id: id }, 403, 'FORBIDDEN', { key: p.boot.agent_key });
      await refused(p, CREATE, body, 403, 'FORBIDDEN', { key: p.boot.account_key });

      const reader = await readOnlyKey(p, 'reader', id);
      await refused(p, CREATE, body, 403, 'FORBIDDEN', { key: reader });
      await refused(p, DELETE, { virtual_cluster_id: id, topic_name: 'existing' }, 403, 'FORBIDDEN', { key: reader });
      const listed = await p.call(LIST, { virtual_cluster_id: id }, { key: reader });
      assert.equal(listed.status, 200, listed.text);
      assert.deepEqual(listed.body.topics.map((topic: { name: string }) => topic.name), ['existing']);

      const other = await createCluster(p, 'elsewhere');
      await refused(p, CREATE, { ...body, virtual_cluster_id: other }, 403, 'FORBIDDEN', { key: reader });
      await refused(p, LIST, { virtual_cluster_id: other }, 403, 'FORBIDDEN', { key: reader });
    });

    test('a cluster of another workspace is answered like an unknown one (404)', async (t) => {
      const p = await startTestPlatform(kind, t);
      const { key: foreignKey, cluster: foreignId } = await foreignWorkspace(p, 'second workspace');
      await refused(p, CREATE, { virtual_cluster_id: foreignId, topic_name: 't', partition_count: 1 }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, LIST, { virtual_cluster_id: foreignId }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      // ...and the other workspace's key cannot reach ours either.
      await refused(p, CREATE, { virtual_cluster_id: p.boot.virtual_cluster_id, topic_name: 't', partition_count: 1 }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND', { key: foreignKey });
      await createTopic(p, 'mine', 1);
      const theirs = await p.call(CREATE, { virtual_cluster_id: foreignId, topic_name: 'mine', partition_count: 1 }, { key: foreignKey });
      assert.equal(theirs.text, '{}');
    });
  });
}
