import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { storeKinds, testAccount, testWorkspace, type Cleanup } from '../helpers/stores.ts';
import { openMetadataStore, type StoreLocation } from '../../src/metadata/open.ts';
import { migrate, migrations } from '../../src/metadata/migrations.ts';
import { PostgresDriver } from '../../src/metadata/postgres.ts';
import { SqliteDriver } from '../../src/metadata/sqlite.ts';
import type { SqlDriver } from '../../src/metadata/sql.ts';
import type { AgentRecord, BatchIndexEntry, MetadataStore, ObjectRecord, Topic, VirtualCluster } from '../../src/metadata/store.ts';

/**
 * The store methods behind the log jobs (agents, job leases, the object lifecycle, retention's
 * and compaction's index queries), on every store: the same suite as store.test.ts, in its own
 * file to keep that one readable.
 */

function cluster(id: string, name: string): VirtualCluster {
  return {
    id,
    workspace_id: 'wi_1',
    name,
    type: 'byoc',
    region: 'us-east-1',
    cloud_provider: 'aws',
    tier: 'dev',
    agent_pool_id: `apid_${id}`,
    agent_pool_name: `apn_${name}`,
    created_at: 1,
    configuration: {},
    region_group: null,
    tags: {},
    events: { enabled: false, event_types: {} },
  };
}

function topic(id: string, virtual_cluster_id: string, name: string): Topic {
  return { id, virtual_cluster_id, name, partition_count: 4, configs: {}, created_at: 1, deleted_at: null };
}

/** Clusters vci_a and vci_b, topics ti_a1, ti_a2 (in a) and ti_b1 (in b). */
async function seed(store: MetadataStore): Promise<void> {
  await store.insertAccount(testAccount('acc_1'));
  await store.insertWorkspace(testWorkspace('wi_1', 'acc_1', 'main'));
  await store.insertVirtualCluster(cluster('vci_a', 'vcn_a'));
  await store.insertVirtualCluster(cluster('vci_b', 'vcn_b'));
  await store.insertTopic(topic('ti_a1', 'vci_a', 'one'));
  await store.insertTopic(topic('ti_a2', 'vci_a', 'two'));
  await store.insertTopic(topic('ti_b1', 'vci_b', 'one'));
}

function entry(topic_id: string, partition: number, base_offset: number, last_offset: number, object_key: string, extra: Partial<BatchIndexEntry> = {}): BatchIndexEntry {
  return {
    topic_id,
    partition,
    base_offset,
    last_offset,
    max_timestamp: 1_000 + base_offset,
    object_key,
    byte_offset: base_offset * 10,
    byte_length: (last_offset - base_offset + 1) * 10,
    ...extra,
  };
}

function object(object_key: string, virtual_cluster_id = 'vci_a', fields: Partial<ObjectRecord> = {}): ObjectRecord {
  return { object_key, virtual_cluster_id, level: 0, byte_size: 1_000, created_at: 500, ...fields };
}

function agent(id: string, virtual_cluster_id = 'vci_a', fields: Partial<AgentRecord> = {}): AgentRecord {
  return {
    id,
    virtual_cluster_id,
    host: '10.0.0.7',
    port: 9092,
    roles: ['proxy', 'jobs'],
    version: '1.2.3',
    availability_zone: 'us-east-1a',
    started_at: 1_000,
    last_heartbeat_at: 1_000,
    ...fields,
  };
}

const everything = Number.MAX_SAFE_INTEGER;

function driverFor(location: StoreLocation): SqlDriver {
  return location.databaseUrl ? new PostgresDriver(location.databaseUrl) : new SqliteDriver(join(location.dataDir, 'metadata.db'));
}

for (const { kind, open, location } of storeKinds()) {
  describe(`MetadataStore log jobs (${kind})`, () => {
    async function fresh(t: Cleanup): Promise<MetadataStore> {
      const store = await open();
      t.after(() => store.close());
      await seed(store);
      return store;
    }

    it('objects: recorded once (a second record of a key keeps the first), listed by level and age', async (t) => {
      const store = await fresh(t);
      const o1 = object('k/1', 'vci_a', { created_at: 300 });
      const o2 = object('k/2', 'vci_a', { created_at: 100, byte_size: 2 ** 40 });
      const o3 = object('k/3', 'vci_a', { created_at: 100 });
      const l1 = object('k/l1', 'vci_a', { level: 1, created_at: 50 });
      await store.insertObjects([o1, o2]);
      await store.insertObjects([o3, l1, object('k/b', 'vci_b', { created_at: 10 })]);
      await store.insertObjects([]);
      await store.insertObjects([{ ...o1, byte_size: 5, level: 3 }]);
      assert.deepEqual(await store.getObject('k/1'), o1);
      assert.deepEqual(await store.getObject('k/2'), o2);
      assert.equal(await store.getObject('k/none'), undefined);
      assert.deepEqual(await store.listObjects('vci_a', 0, everything, 10), [o2, o3, o1], 'oldest first, then by key');
      assert.deepEqual(await store.listObjects('vci_a', 0, 100, 10), [o2, o3], 'created at or before');
      assert.deepEqual(await store.listObjects('vci_a', 0, everything, 1), [o2]);
      assert.deepEqual(await store.listObjects('vci_a', 1, everything, 10), [l1]);
      assert.deepEqual(await store.listObjects('vci_b', 0, everything, 10), [object('k/b', 'vci_b', { created_at: 10 })]);
      // Many rows in one call (several statements).
      const many = Array.from({ length: 250 }, (_, i) => object(`many/${String(i).padStart(3, '0')}`, 'vci_a', { created_at: 7 }));
      await store.insertObjects(many);
      assert.equal((await store.listObjects('vci_a', 0, 7, 1000)).length, 250);
    });

    it('objects: only unreferenced objects of the cluster are released; due deletions listed, confirmed once', async (t) => {
      const store = await fresh(t);
      await store.insertObjects([object('k/shared'), object('k/free'), object('k/also-free'), object('k/b', 'vci_b')]);
      await store.insertBatchIndex([entry('ti_a1', 0, 0, 4, 'k/shared'), entry('ti_a2', 0, 0, 4, 'k/shared')]);

      const released = await store.releaseUnreferencedObjects('vci_a', ['k/shared', 'k/free', 'k/also-free', 'k/free', 'k/b', 'k/unknown'], 2_000);
      assert.deepEqual(released, ['k/also-free', 'k/free'], 'the referenced, the foreign and the unknown stay');
      assert.equal(await store.getObject('k/free'), undefined);
      assert.ok(await store.getObject('k/shared'));
      assert.ok(await store.getObject('k/b'));
      assert.deepEqual(await store.releaseUnreferencedObjects('vci_a', [], 2_000), []);
      assert.deepEqual(await store.releaseUnreferencedObjects('vci_a', ['k/free'], 9_000), [], 'released once');

      assert.deepEqual(await store.listDueObjectDeletions('vci_a', 1_999, 10), [], 'not due before delete_after');
      const due = [
        { object_key: 'k/also-free', virtual_cluster_id: 'vci_a', delete_after: 2_000 },
        { object_key: 'k/free', virtual_cluster_id: 'vci_a', delete_after: 2_000 },
      ];
      assert.deepEqual(await store.listDueObjectDeletions('vci_a', 2_000, 10), due);
      assert.deepEqual(await store.listDueObjectDeletions('vci_a', 2_000, 1), [due[0]]);
      assert.deepEqual(await store.listDueObjectDeletions('vci_b', everything, 10), []);

      // One partition lets go of the shared object: still referenced by the other, so it stays.
      await store.deleteBatchIndexBefore('ti_a1', 0, 5);
      assert.deepEqual(await store.releaseUnreferencedObjects('vci_a', ['k/shared'], 3_000), []);
      await store.deleteBatchIndexBefore('ti_a2', 0, 5);
      assert.deepEqual(await store.releaseUnreferencedObjects('vci_a', ['k/shared'], 3_000), ['k/shared']);

      // Never handed out while the index points into it or it is recorded again, whatever put it there.
      await store.insertBatchIndex([entry('ti_a1', 0, 10, 10, 'k/free')]);
      await store.insertObjects([object('k/also-free')]);
      assert.deepEqual((await store.listDueObjectDeletions('vci_a', everything, 10)).map((d) => d.object_key), ['k/shared']);

      assert.equal(await store.confirmObjectDeletions('vci_b', ['k/shared']), 0, "another cluster's agent confirms nothing here");
      assert.equal(await store.confirmObjectDeletions('vci_a', ['k/shared', 'k/shared', 'k/never']), 1);
      assert.equal(await store.confirmObjectDeletions('vci_a', ['k/shared']), 0, 'a repeat is harmless');
      assert.deepEqual(await store.listDueObjectDeletions('vci_a', everything, 10), []);
    });

    it('objects: known keys are the recorded, the released and the referenced ones, of any cluster; the rest are orphans', async (t) => {
      const store = await fresh(t);
      await store.insertObjects([object('k/recorded'), object('k/released'), object('k/b', 'vci_b')]);
      await store.releaseUnreferencedObjects('vci_a', ['k/released'], 2_000);
      await store.insertBatchIndex([entry('ti_a1', 0, 0, 4, 'k/referenced-only')]);
      const known = await store.knownObjectKeys(['k/recorded', 'k/released', 'k/b', 'k/referenced-only', 'k/orphan', 'k/recorded']);
      assert.deepEqual([...known].sort(), ['k/b', 'k/recorded', 'k/referenced-only', 'k/released']);
      assert.deepEqual(await store.knownObjectKeys([]), []);
      // Many keys at once (more than one IN list).
      const many = Array.from({ length: 1200 }, (_, i) => `k/many-${i}`);
      await store.insertObjects(many.slice(0, 600).map((key) => object(key)));
      assert.equal((await store.knownObjectKeys(many)).length, 600);
    });

    it('objects: a deleted cluster releases everything, and its deletions outlive it', async (t) => {
      const store = await fresh(t);
      await store.insertObjects([object('k/1'), object('k/2'), object('k/b', 'vci_b')]);
      await store.insertBatchIndex([entry('ti_a1', 0, 0, 0, 'k/1')]);
      assert.equal(await store.releaseAllObjects('vci_a', 4_000), 2);
      assert.equal(await store.getObject('k/1'), undefined);
      assert.ok(await store.getObject('k/b'));
      assert.equal(await store.deleteVirtualCluster('vci_a'), true);
      assert.deepEqual(await store.listDueObjectDeletions('vci_a', 4_000, 10), [
        { object_key: 'k/1', virtual_cluster_id: 'vci_a', delete_after: 4_000 },
        { object_key: 'k/2', virtual_cluster_id: 'vci_a', delete_after: 4_000 },
      ]);
      assert.equal(await store.releaseAllObjects('vci_a', 5_000), 0);
    });

    it('partition sizes: the bytes of each partition\'s index entries, partitions without data left out', async (t) => {
      const store = await fresh(t);
      await store.insertBatchIndex([entry('ti_a1', 0, 0, 4, 'o1'), entry('ti_a1', 0, 5, 5, 'o1'), entry('ti_a1', 2, 0, 1, 'o2'), entry('ti_a2', 0, 0, 9, 'o3')]);
      assert.deepEqual(await store.partitionSizes('ti_a1'), [{ partition: 0, bytes: 60 }, { partition: 2, bytes: 20 }]);
      assert.deepEqual(await store.partitionSizes('ti_b1'), []);
    });

    it('log start: moved forward only, never past the high watermark, the high watermark untouched', async (t) => {
      const store = await fresh(t);
      assert.equal(await store.advanceLogStartOffset('ti_a1', 0, 3), false, 'no partition row');
      await store.upsertPartitionState({ topic_id: 'ti_a1', partition: 0, log_start_offset: 2, high_watermark: 10 });
      assert.equal(await store.advanceLogStartOffset('ti_a1', 0, 11), false);
      assert.equal(await store.advanceLogStartOffset('ti_a1', 0, 1), false);
      assert.equal(await store.advanceLogStartOffset('ti_a1', 0, 2), false);
      assert.equal(await store.advanceLogStartOffset('ti_a1', 0, 7), true);
      assert.equal(await store.advanceLogStartOffset('ti_a1', 0, 10), true, 'up to the high watermark: an empty log');
      assert.deepEqual(await store.getPartitionState('ti_a1', 0), { topic_id: 'ti_a1', partition: 0, log_start_offset: 10, high_watermark: 10, last_stable_offset: 10 });
    });

    it('retention queries: first batch kept by time (no timestamp: its object\'s age) and by bytes', async (t) => {
      const store = await fresh(t);
      await store.insertObjects([object('k/old', 'vci_a', { created_at: 100 }), object('k/new', 'vci_a', { created_at: 5_000 })]);
      const e0 = entry('ti_a1', 0, 0, 9, 'k/old', { max_timestamp: 1_000, byte_length: 100 });
      const e1 = entry('ti_a1', 0, 10, 19, 'k/old', { max_timestamp: -1, byte_length: 200 });
      const e2 = entry('ti_a1', 0, 20, 29, 'k/new', { max_timestamp: -1, byte_length: 300 });
      const e3 = entry('ti_a1', 0, 30, 30, 'k/new', { max_timestamp: 2_000, byte_length: 400 });
      const e4 = entry('ti_a1', 0, 31, 40, 'k/new', { max_timestamp: 1_500, byte_length: 500 });
      await store.insertBatchIndex([e3, e1, e0, e4, e2, entry('ti_a1', 1, 0, 0, 'k/new', { max_timestamp: 0 })]);

      assert.deepEqual(await store.findFirstBatchAtOrAfter('ti_a1', 0, 0, 1_000), e0);
      assert.deepEqual(await store.findFirstBatchAtOrAfter('ti_a1', 0, 0, 1_001), e2, 'e1 has no timestamp and an old object');
      assert.deepEqual(await store.findFirstBatchAtOrAfter('ti_a1', 0, 0, 5_000), e2);
      assert.deepEqual(await store.findFirstBatchAtOrAfter('ti_a1', 0, 0, 5_001), undefined);
      assert.deepEqual(await store.findFirstBatchAtOrAfter('ti_a1', 0, 31, 1_000), e4, 'from an offset');
      assert.deepEqual(await store.findFirstBatchAtOrAfter('ti_a1', 0, 15, 0), e1, 'the batch holding the offset counts');

      // Sizes from the newest back: e4 500, e3 +400 = 900, e2 +300 = 1200, e1 +200 = 1400, e0 +100 = 1500.
      assert.deepEqual(await store.findFirstBatchWithinBytes('ti_a1', 0, 0, 1_500), e0);
      assert.deepEqual(await store.findFirstBatchWithinBytes('ti_a1', 0, 0, 1_499), e1);
      assert.deepEqual(await store.findFirstBatchWithinBytes('ti_a1', 0, 0, 900), e3);
      assert.deepEqual(await store.findFirstBatchWithinBytes('ti_a1', 0, 0, 899), e4);
      assert.deepEqual(await store.findFirstBatchWithinBytes('ti_a1', 0, 0, 499), undefined, 'even the newest batch is larger');
      assert.deepEqual(await store.findFirstBatchWithinBytes('ti_a1', 0, 0, 0), undefined);
      assert.deepEqual(await store.findFirstBatchWithinBytes('ti_a1', 0, 25, 10_000), e2, 'only batches from the offset on');
      assert.deepEqual(await store.findFirstBatchWithinBytes('ti_a1', 2, 0, 10_000), undefined);

      assert.deepEqual(await store.findBatchIndexEntryAfter('ti_a1', 0, 0, 0), e0);
      assert.deepEqual(await store.findBatchIndexEntryAfter('ti_a1', 0, 0, 3), e3);
      assert.deepEqual(await store.findBatchIndexEntryAfter('ti_a1', 0, 15, 2), e3, 'counted from the entry holding the offset');
      assert.deepEqual(await store.findBatchIndexEntryAfter('ti_a1', 0, 0, 5), undefined);
    });

    it('compaction queries: object keys of a topic, entries of objects in index order', async (t) => {
      const store = await fresh(t);
      const entries = [
        entry('ti_a2', 0, 0, 1, 'k/1'),
        entry('ti_a1', 1, 5, 6, 'k/2'),
        entry('ti_a1', 1, 0, 4, 'k/1'),
        entry('ti_a1', 0, 0, 0, 'k/2'),
        entry('ti_a1', 0, 1, 1, 'k/3'),
        entry('ti_b1', 0, 0, 0, 'k/b'),
      ];
      await store.insertBatchIndex(entries);
      assert.deepEqual(await store.listTopicObjectKeys('ti_a1'), ['k/1', 'k/2', 'k/3']);
      assert.deepEqual(await store.listTopicObjectKeys('ti_none'), []);
      assert.deepEqual(await store.listBatchIndexByObjects(['k/2', 'k/1', 'k/1']), [entries[3], entries[2], entries[1], entries[0]]);
      assert.deepEqual(await store.listBatchIndexByObjects([]), []);
    });

    it('moves: only entries that still point at their source; shortened but never lengthened; the newest keeps its last offset', async (t) => {
      const store = await fresh(t);
      await store.insertBatchIndex([
        entry('ti_a1', 0, 0, 9, 'k/1'),
        entry('ti_a1', 0, 10, 19, 'k/2'),
        entry('ti_a1', 0, 20, 29, 'k/1'),
        entry('ti_a2', 0, 0, 4, 'k/1'),
      ]);
      const move = (topic_id: string, partition: number, base_offset: number, last_offset: number, from_object_key: string, byte_offset: number) => ({
        topic_id,
        partition,
        base_offset,
        from_object_key,
        byte_offset,
        byte_length: 77,
        last_offset,
        max_timestamp: 9_000 + base_offset,
      });
      const moved = await store.moveBatchIndexEntries('k/new', [
        move('ti_a1', 0, 0, 7, 'k/1', 0), // shortened: a newer entry follows
        move('ti_a1', 0, 10, 19, 'k/1', 100), // wrong source: skipped
        move('ti_a1', 0, 20, 28, 'k/1', 200), // the newest may not shrink: skipped
        move('ti_a2', 0, 0, 5, 'k/1', 300), // longer than it was: skipped
        move('ti_a2', 0, 99, 99, 'k/1', 400), // no such entry
      ]);
      assert.equal(moved, 1);
      assert.deepEqual(await store.listBatchIndex('ti_a1', 0, 0, 10), [
        { topic_id: 'ti_a1', partition: 0, base_offset: 0, last_offset: 7, max_timestamp: 9_000, object_key: 'k/new', byte_offset: 0, byte_length: 77 },
        entry('ti_a1', 0, 10, 19, 'k/2'),
        entry('ti_a1', 0, 20, 29, 'k/1'),
      ]);
      assert.deepEqual(await store.listBatchIndex('ti_a2', 0, 0, 10), [entry('ti_a2', 0, 0, 4, 'k/1')]);
      assert.equal(await store.moveBatchIndexEntries('k/new', [move('ti_a1', 0, 20, 29, 'k/1', 200), move('ti_a2', 0, 0, 4, 'k/1', 300)]), 2);
      assert.equal(await store.moveBatchIndexEntries('k/new', [move('ti_a1', 0, 20, 29, 'k/1', 200)]), 0, 'moved once');
      assert.deepEqual((await store.listBatchIndexByObjects(['k/1'])), []);

      // Hundreds of moves in one call (several statements).
      const many = Array.from({ length: 230 }, (_, i) => entry('ti_a1', 3, i, i, 'k/many'));
      await store.insertBatchIndex(many);
      assert.equal(await store.moveBatchIndexEntries('k/merged', many.map((e) => ({ ...move('ti_a1', 3, e.base_offset, e.last_offset, 'k/many', e.base_offset * 5) }))), 230);
      assert.deepEqual((await store.listBatchIndexByObjects(['k/merged'])).map((e) => e.byte_offset), many.map((e) => e.base_offset * 5));
    });

    it('drops: entries still in their source go, except a partition\'s newest', async (t) => {
      const store = await fresh(t);
      await store.insertBatchIndex([entry('ti_a1', 0, 0, 0, 'k/1'), entry('ti_a1', 0, 1, 1, 'k/1'), entry('ti_a1', 0, 2, 2, 'k/1'), entry('ti_a1', 1, 0, 0, 'k/1')]);
      const drop = (partition: number, base_offset: number, from_object_key = 'k/1') => ({ topic_id: 'ti_a1', partition, base_offset, from_object_key });
      assert.equal(await store.dropBatchIndexEntries([drop(0, 0, 'k/other'), drop(0, 1), drop(0, 2), drop(1, 0), drop(0, 7)]), 1);
      assert.deepEqual((await store.listBatchIndex('ti_a1', 0, 0, 10)).map((e) => e.base_offset), [0, 2]);
      assert.equal((await store.listBatchIndex('ti_a1', 1, 0, 10)).length, 1);
      assert.equal(await store.dropBatchIndexEntries([drop(0, 0), drop(0, 0)]), 1);
      assert.deepEqual((await store.listBatchIndex('ti_a1', 0, 0, 10)).map((e) => e.base_offset), [2]);
      assert.equal(await store.dropBatchIndexEntries([]), 0);
    });

    it('agents: register, re-register, heartbeat, live listing, delete, purge; ids are not shared across clusters', async (t) => {
      const store = await fresh(t);
      const a1 = agent('ag-1', 'vci_a', { started_at: 200, last_heartbeat_at: 5_000 });
      const a2 = agent('ag-2', 'vci_a', { started_at: 100, last_heartbeat_at: 5_000, roles: ['proxy'], availability_zone: null });
      const a3 = agent('ag-3', 'vci_a', { started_at: 50, last_heartbeat_at: 3_000 });
      for (const a of [a1, a2, a3, agent('ag-b', 'vci_b')]) assert.equal(await store.upsertAgent(a), true);
      assert.deepEqual(await store.getAgent('vci_a', 'ag-2'), a2);
      assert.equal(await store.getAgent('vci_b', 'ag-2'), undefined);
      assert.deepEqual(await store.listLiveAgents('vci_a', 3_000), [a2, a1], 'heartbeat after the cutoff, oldest start first');
      assert.deepEqual(await store.listLiveAgents('vci_a', 2_999), [a3, a2, a1]);

      assert.equal(await store.upsertAgent(agent('ag-1', 'vci_b')), false, "an id of another cluster's agent");
      assert.deepEqual(await store.getAgent('vci_a', 'ag-1'), a1);
      const again = { ...a1, host: 'other', port: 19092, roles: ['jobs'], version: '2', started_at: 6_000, last_heartbeat_at: 6_000 };
      assert.equal(await store.upsertAgent(again), true);
      assert.deepEqual(await store.getAgent('vci_a', 'ag-1'), again);

      assert.equal(await store.heartbeatAgent('vci_a', 'ag-3', 7_000), true);
      assert.equal((await store.getAgent('vci_a', 'ag-3'))?.last_heartbeat_at, 7_000);
      assert.equal(await store.heartbeatAgent('vci_a', 'ag-none', 7_000), false);
      assert.equal(await store.heartbeatAgent('vci_b', 'ag-3', 7_000), false);

      assert.equal(await store.deleteAgent('vci_b', 'ag-2'), false);
      assert.equal(await store.deleteAgent('vci_a', 'ag-2'), true);
      assert.equal(await store.deleteAgent('vci_a', 'ag-2'), false);
      assert.equal(await store.purgeAgents('vci_a', 6_500), 1, 'ag-1 (6000) is older than the cutoff');
      assert.deepEqual((await store.listLiveAgents('vci_a', 0)).map((a) => a.id), ['ag-3']);
      assert.equal((await store.listLiveAgents('vci_b', 0)).length, 1);
      await store.deleteVirtualCluster('vci_a');
      assert.equal(await store.getAgent('vci_a', 'ag-3'), undefined, 'gone with the cluster');
    });

    it('leases: free, held, renewed, expired, released; per cluster and job', async (t) => {
      const store = await fresh(t);
      assert.equal(await store.getLease('vci_a', 'retention'), undefined);
      assert.equal(await store.acquireLease('vci_a', 'retention', 'ag-1', 1_000, 500), true);
      assert.deepEqual(await store.getLease('vci_a', 'retention'), { virtual_cluster_id: 'vci_a', job: 'retention', holder: 'ag-1', expires_at: 1_500 });
      assert.equal(await store.acquireLease('vci_a', 'retention', 'ag-2', 1_499, 500), false, 'held by another');
      assert.equal(await store.acquireLease('vci_a', 'retention', 'ag-1', 1_400, 500), true, 'renewed by its holder');
      assert.equal((await store.getLease('vci_a', 'retention'))?.expires_at, 1_900);
      assert.equal(await store.acquireLease('vci_a', 'compaction', 'ag-2', 1_400, 500), true, 'another job');
      assert.equal(await store.acquireLease('vci_b', 'retention', 'ag-b', 1_400, 500), true, 'another cluster');
      assert.equal(await store.acquireLease('vci_a', 'retention', 'ag-2', 1_900, 500), true, 'expired exactly at expires_at');
      assert.deepEqual(await store.getLease('vci_a', 'retention'), { virtual_cluster_id: 'vci_a', job: 'retention', holder: 'ag-2', expires_at: 2_400 });
      assert.equal(await store.acquireLease('vci_a', 'retention', 'ag-1', 2_000, 500), false, 'the old holder lost it');
      assert.equal(await store.releaseLease('vci_a', 'retention', 'ag-1'), false);
      assert.equal(await store.releaseLease('vci_a', 'retention', 'ag-2'), true);
      assert.equal(await store.acquireLease('vci_a', 'retention', 'ag-1', 2_000, 500), true, 'free again after a release');
      assert.equal((await store.getLease('vci_b', 'retention'))?.holder, 'ag-b');
      await store.deleteVirtualCluster('vci_a');
      assert.equal(await store.getLease('vci_a', 'retention'), undefined);
    });

    it('leases: of agents racing for a free or expired lease exactly one wins, alone or in transactions', async (t) => {
      const store = await fresh(t);
      for (let round = 0; round < 5; round++) {
        const now = 10_000 * (round + 1); // every earlier round's lease has expired by now
        const direct = await Promise.all(Array.from({ length: 6 }, (_, i) => store.acquireLease('vci_a', 'race', `d${round}-${i}`, now, 5_000)));
        assert.equal(direct.filter(Boolean).length, 1, `round ${round}: one winner among direct calls`);
        const winner = (await store.getLease('vci_a', 'race'))!.holder;
        assert.equal(winner, `d${round}-${direct.indexOf(true)}`);

        // Read-then-acquire in transactions. On PostgreSQL every racer first takes its snapshot
        // (all read, then all write), so the losers fail to serialize and are retried; the retry
        // sees the winner's row. SQLite runs transactions one at a time (no barrier there).
        const job = `tx-race-${round}`;
        const racers = 6;
        let attempts = 0;
        const allRead = Promise.withResolvers<void>();
        let read = 0;
        const inTx = await Promise.all(
          Array.from({ length: racers }, (_, i) =>
            store.transaction(async (tx) => {
              const first = attempts++ < racers;
              await tx.getLease('vci_a', job);
              if (kind === 'postgres' && first) {
                if (++read === racers) allRead.resolve();
                await allRead.promise;
              }
              return tx.acquireLease('vci_a', job, `t${i}`, now, 5_000);
            }),
          ),
        );
        assert.equal(inTx.filter(Boolean).length, 1, `round ${round}: one winner among transactions`);
        assert.equal((await store.getLease('vci_a', job))!.holder, `t${inTx.indexOf(true)}`);
        if (kind === 'postgres') assert.ok(attempts > racers, `round ${round}: the losers were retried (${attempts} attempts)`);
      }
    });

    it('migration 7 records the objects committed before it', async (t) => {
      const where = await location(t);
      const driver = driverFor(where);
      try {
        for (const migration of migrations.filter((m) => m.version < 7)) {
          await driver.transaction(async (tx) => {
            await tx.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
            for (const statement of migration.sql.split(';').map((s) => s.trim()).filter(Boolean)) await tx.run(statement);
            await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [migration.version, migration.name, 1]);
          });
        }
        await driver.run("INSERT INTO accounts (id, created_at) VALUES ('acc_1', 1)");
        await driver.run("INSERT INTO workspaces (id, account_id, name, created_at) VALUES ('wi_1', 'acc_1', 'w', 1)");
        for (const vc of ['vci_a', 'vci_b']) {
          await driver.run(
            "INSERT INTO virtual_clusters (id, workspace_id, name, type, region, cloud_provider, tier, agent_pool_id, agent_pool_name, created_at) VALUES (?, 'wi_1', ?, 'byoc', 'r', 'aws', 'dev', 'p', 'p', 1)",
            [vc, `vcn_${vc}`],
          );
          await driver.run("INSERT INTO topics (id, virtual_cluster_id, name, partition_count, configs, created_at) VALUES (?, ?, 't', 2, '{}', 1)", [`ti_${vc}`, vc]);
        }
        const rows: Array<[string, number, number, number, number, string, number, number]> = [
          ['ti_vci_a', 0, 0, 4, 1_000, 'k/x', 0, 100],
          ['ti_vci_a', 1, 0, 0, 3_000, 'k/x', 100, 50],
          ['ti_vci_a', 0, 5, 5, 2_000, 'k/y', 10, 10],
          ['ti_vci_b', 0, 0, 0, 7_000, 'k/z', 0, 10],
        ];
        for (const row of rows) {
          await driver.run('INSERT INTO batches (topic_id, partition, base_offset, last_offset, max_timestamp, object_key, byte_offset, byte_length) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', row);
        }
        assert.deepEqual(await migrate(driver), migrations.map((m) => m.version).filter((v) => v >= 7), 'the migrations from 7 on, and only those');
      } finally {
        await driver.close();
      }
      const store = await openMetadataStore(where);
      t.after(() => store.close());
      assert.deepEqual(await store.listObjects('vci_a', 0, everything, 10), [
        { object_key: 'k/y', virtual_cluster_id: 'vci_a', level: 0, byte_size: 20, created_at: 2_000 },
        { object_key: 'k/x', virtual_cluster_id: 'vci_a', level: 0, byte_size: 150, created_at: 3_000 },
      ]);
      assert.deepEqual(await store.listObjects('vci_b', 0, everything, 10), [{ object_key: 'k/z', virtual_cluster_id: 'vci_b', level: 0, byte_size: 10, created_at: 7_000 }]);
    });
  });
}
