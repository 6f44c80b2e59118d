import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commitBatches } from '../../src/control-plane/log/commit.ts';
import { confirmObjectDeletions, listDueObjectDeletions, OBJECT_DELETION_GRACE_MS } from '../../src/control-plane/log/objects.ts';
import { purgeExpiredSoftDeletedTopics } from '../../src/control-plane/log/soft-deleted-topics.ts';
import { createTopic, deleteRecordsBefore, deleteTopic, listTopics } from '../../src/control-plane/services/topics.ts';
import { commitObject, dueKeys, indexed, logFixture, offsets, recordedKeys } from '../helpers/log.ts';
import { storeKinds } from '../helpers/stores.ts';

/**
 * The object lifecycle (src/control-plane/log/objects.ts): commits record objects; DeleteRecords,
 * topic deletion (hard, and the purge of soft-deleted topics) and cluster deletion release the
 * objects nothing references any more, for deletion after the grace period.
 */

const DAY = 86_400_000;

for (const kind of storeKinds()) {
  describe(`object lifecycle (${kind.kind})`, () => {
    test('a commit records each object it names at level 0, sized by its furthest batch unless told', async (t) => {
      const f = await logFixture(kind, t, { a: 2 });
      const a = f.topics.a;
      const before = Date.now();
      await commitObject(f, 'o/1', [{ topic: a, partition: 0, bytes: 70 }, { topic: a, partition: 1, bytes: 30 }]);
      await commitObject(f, 'o/2', [{ topic: a, partition: 0, bytes: 10 }], { 'o/2': 4096 });
      const o1 = (await f.store.getObject('o/1'))!;
      assert.deepEqual({ ...o1, created_at: 0 }, { object_key: 'o/1', virtual_cluster_id: f.cluster.id, level: 0, byte_size: 100, created_at: 0 });
      assert.ok(o1.created_at >= before && o1.created_at <= Date.now());
      assert.equal((await f.store.getObject('o/2'))?.byte_size, 4096);

      // Several objects in one commit (the write path commits objects ready together).
      const results = await commitBatches(f.store, f.cluster.id, 'o/3', [
        { topic_id: a.id, partition: 0, byte_offset: 0, byte_length: 50, last_offset_delta: 0, max_timestamp: 1, producer_id: -1, producer_epoch: -1, base_sequence: -1 },
        { topic_id: a.id, partition: 0, byte_offset: 40, byte_length: 60, last_offset_delta: 0, max_timestamp: 1, producer_id: -1, producer_epoch: -1, base_sequence: -1, object_key: 'o/4' },
      ]);
      assert.deepEqual(results.map((r) => r.error_code), [0, 0]);
      assert.equal((await f.store.getObject('o/3'))?.byte_size, 50);
      assert.equal((await f.store.getObject('o/4'))?.byte_size, 100);
      assert.deepEqual(await recordedKeys(f), ['o/1', 'o/2', 'o/3', 'o/4']);
      assert.deepEqual(await dueKeys(f), []);
    });

    test('an object none of whose batches was committed is released at once; a retried commit keeps the first one\'s object', async (t) => {
      const f = await logFixture(kind, t, { a: 1 });
      const a = f.topics.a;
      const refused = await commitBatches(f.store, f.cluster.id, 'o/refused', [
        { topic_id: a.id, partition: 7, byte_offset: 0, byte_length: 10, last_offset_delta: 0, max_timestamp: 1, producer_id: -1, producer_epoch: -1, base_sequence: -1 },
      ]);
      assert.equal(refused[0]!.error_code, 3);
      assert.equal(await f.store.getObject('o/refused'), undefined);
      assert.deepEqual(await dueKeys(f), ['o/refused']);

      // An idempotent producer's batch committed, then the very same commit again (an answer
      // lost on the way back): the retry is a duplicate, and the object stays in use.
      const { producer_id } = await f.store.transaction((tx) => tx.insertProducer({ virtual_cluster_id: f.cluster.id, transactional_id: null, producer_epoch: 0, created_at: 1 }));
      const batch = { topic_id: a.id, partition: 0, byte_offset: 0, byte_length: 10, last_offset_delta: 0, max_timestamp: 1, producer_id, producer_epoch: 0, base_sequence: 0 };
      assert.deepEqual(await commitBatches(f.store, f.cluster.id, 'o/idem', [batch]), [{ error_code: 0, base_offset: 0, log_start_offset: 0 }]);
      assert.deepEqual(await commitBatches(f.store, f.cluster.id, 'o/idem', [batch]), [{ error_code: 0, base_offset: 0, log_start_offset: 0 }]);
      assert.ok(await f.store.getObject('o/idem'));
      // A retry written to a new object: that object holds nothing anyone reads.
      await commitBatches(f.store, f.cluster.id, 'o/idem-retry', [batch]);
      assert.deepEqual(await dueKeys(f), ['o/idem-retry', 'o/refused']);
      assert.deepEqual(await recordedKeys(f), ['o/idem']);
    });

    test('DeleteRecords releases objects only when no partition references them, after the grace', async (t) => {
      const f = await logFixture(kind, t, { a: 2 });
      const a = f.topics.a;
      // o/shared holds batches of both partitions; o/p0 only of partition 0.
      await commitObject(f, 'o/shared', [{ topic: a, partition: 0, records: 5 }, { topic: a, partition: 1, records: 5 }]);
      await commitObject(f, 'o/p0', [{ topic: a, partition: 0, records: 5 }]);
      await commitObject(f, 'o/tail', [{ topic: a, partition: 0, records: 5 }, { topic: a, partition: 1, records: 5 }]);

      const before = Date.now();
      assert.equal(await deleteRecordsBefore(f.store, f.cluster, 'a', 0, 10), 10);
      assert.deepEqual(await indexed(f, a, 0), [10]);
      assert.deepEqual(await dueKeys(f), ['o/p0'], 'o/shared is still read through partition 1');
      const [released] = await listDueObjectDeletions(f.store, f.cluster.id, Number.MAX_SAFE_INTEGER);
      assert.ok(released!.delete_after >= before + OBJECT_DELETION_GRACE_MS && released!.delete_after <= Date.now() + OBJECT_DELETION_GRACE_MS);
      assert.deepEqual(await listDueObjectDeletions(f.store, f.cluster.id, Date.now()), [], 'not due within the grace');

      assert.equal(await deleteRecordsBefore(f.store, f.cluster, 'a', 1, 5), 5);
      assert.deepEqual(await dueKeys(f), ['o/p0', 'o/shared']);
      assert.deepEqual(await recordedKeys(f), ['o/tail']);
      // -1: everything up to the high watermark.
      assert.equal(await deleteRecordsBefore(f.store, f.cluster, 'a', 0, -1), 15);
      assert.deepEqual(await dueKeys(f), ['o/p0', 'o/shared'], 'o/tail is still read through partition 1');
      assert.deepEqual(await offsets(f, a, 0), { log_start_offset: 15, high_watermark: 15 });

      assert.equal(await confirmObjectDeletions(f.store, f.cluster.id, ['o/p0', 'o/shared']), 2);
      assert.equal(await confirmObjectDeletions(f.store, f.cluster.id, ['o/p0', 'o/shared']), 0, 'confirming again is harmless');
      assert.deepEqual(await dueKeys(f), []);
    });

    test('a hard topic delete releases the objects only it referenced; a soft delete keeps them', async (t) => {
      const f = await logFixture(kind, t, { a: 1, b: 1, soft: 1 });
      const { a, b, soft } = f.topics;
      await commitObject(f, 'o/ab', [{ topic: a, partition: 0 }, { topic: b, partition: 0 }]);
      await commitObject(f, 'o/a', [{ topic: a, partition: 0 }]);
      await commitObject(f, 'o/soft', [{ topic: soft, partition: 0 }]);

      await deleteTopic(f.store, f.cluster, 'soft', true);
      await deleteTopic(f.store, f.cluster, 'a', false);
      assert.deepEqual(await dueKeys(f), ['o/a'], 'o/ab is still read through b; the soft-deleted topic keeps its data');
      assert.deepEqual(await recordedKeys(f), ['o/ab', 'o/soft']);
      await deleteTopic(f.store, f.cluster, 'b', false);
      assert.deepEqual(await dueKeys(f), ['o/a', 'o/ab']);

      // A soft-deleted topic deleted for good (soft_delete=false) releases too.
      await deleteTopic(f.store, f.cluster, 'soft', false);
      assert.deepEqual(await dueKeys(f), ['o/a', 'o/ab', 'o/soft']);
    });

    test('soft-deleted topics: restorable within the TTL, purged with their objects after it', async (t) => {
      const f = await logFixture(kind, t, { keep: 1, old: 1 });
      const { keep, old } = f.topics;
      await commitObject(f, 'o/old', [{ topic: old, partition: 0, records: 3 }]);
      await commitObject(f, 'o/both', [{ topic: old, partition: 0 }, { topic: keep, partition: 0 }]);
      await deleteTopic(f.store, f.cluster, 'old', true);
      const deletedAt = (await f.store.getTopic(f.cluster.id, 'old'))!.deleted_at!;

      assert.deepEqual(await purgeExpiredSoftDeletedTopics(f.store, f.cluster, deletedAt + DAY), { purged: [], released_object_keys: [] }, 'the TTL (24 h) has not run out');
      const restored = await createTopic(f.store, f.cluster, { topic_name: 'old', partition_count: 1 });
      assert.equal(restored.id, old.id);
      assert.deepEqual(await indexed(f, old, 0), [0, 3], 'restored with its data');

      await deleteTopic(f.store, f.cluster, 'old', true);
      const again = (await f.store.getTopic(f.cluster.id, 'old'))!.deleted_at!;
      const purged = await purgeExpiredSoftDeletedTopics(f.store, f.cluster, again + DAY + 1);
      assert.deepEqual(purged, { purged: [{ id: old.id, name: 'old', deleted_at: again }], released_object_keys: ['o/old'] });
      assert.equal(await f.store.getTopicById(old.id), undefined);
      assert.deepEqual(await dueKeys(f), ['o/old'], 'o/both is still read through keep');
      assert.deepEqual(await purgeExpiredSoftDeletedTopics(f.store, f.cluster, again + DAY + 1), { purged: [], released_object_keys: [] });
    });

    test('soft-deleted topics: an unlimited TTL (-1) never purges; the API paths purge through the releasing function', async (t) => {
      const f = await logFixture(kind, t, { forever: 1, brief: 1 });
      await commitObject(f, 'o/forever', [{ topic: f.topics.forever, partition: 0 }]);
      await commitObject(f, 'o/brief', [{ topic: f.topics.brief, partition: 0 }]);
      await deleteTopic(f.store, f.cluster, 'forever', true);
      await f.store.updateVirtualClusterConfiguration(f.cluster.id, { soft_delete_topics_ttl_millis: -1 });
      const unlimited = (await f.store.getVirtualCluster(f.cluster.id))!;
      assert.deepEqual((await purgeExpiredSoftDeletedTopics(f.store, unlimited, Date.now() + 1000 * DAY)).purged, []);
      assert.deepEqual((await listTopics(f.store, unlimited, true)).recently_deleted_topics?.map((x) => x.name), ['forever']);

      // A TTL of 1 ms: listing topics (and creating one) purges what expired, releasing its objects.
      await f.store.updateVirtualClusterConfiguration(f.cluster.id, { soft_delete_topics_ttl_millis: 1 });
      const short = (await f.store.getVirtualCluster(f.cluster.id))!;
      await deleteTopic(f.store, short, 'brief', true);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await createTopic(f.store, short, { topic_name: 'fresh', partition_count: 1 });
      assert.deepEqual((await listTopics(f.store, short, true)).recently_deleted_topics, []);
      assert.deepEqual(await dueKeys(f), ['o/brief', 'o/forever']);
    });

    test('deleting the virtual cluster releases all its objects, listed after the cluster is gone', async (t) => {
      const f = await logFixture(kind, t, { a: 2 });
      await commitObject(f, 'o/1', [{ topic: f.topics.a, partition: 0 }]);
      await commitObject(f, 'o/2', [{ topic: f.topics.a, partition: 1 }]);
      const deleted = await f.platform.call('/api/v1/delete_virtual_cluster', { virtual_cluster_id: f.cluster.id, virtual_cluster_name: f.cluster.name });
      assert.equal(deleted.status, 200, deleted.text);
      assert.equal(await f.store.getVirtualCluster(f.cluster.id), undefined);
      assert.deepEqual(await dueKeys(f, Date.now()), [], 'not before the grace');
      assert.deepEqual(await dueKeys(f), ['o/1', 'o/2']);
      assert.deepEqual(await recordedKeys(f), []);
    });
  });
}
