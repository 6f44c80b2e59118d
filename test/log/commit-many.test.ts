import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commitBatches, type BatchToCommit } from '../../src/control-plane/log/commit.ts';
import { createTopic } from '../../src/control-plane/services/topics.ts';
import { startTestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';

/**
 * One commit of many batches: the batch index is written with multi-row INSERTs in chunks
 * (src/metadata/sql-store.ts insertBatchIndex), so sizes around and past the chunk size must
 * index every batch exactly once, in order, on both stores.
 */

for (const kind of storeKinds()) {
  test(`a commit of 0, 1, 255, 256, 257 and 1,000 batches indexes each batch once (${kind.kind})`, async (t) => {
    const platform = await startTestPlatform(kind, t);
    const cluster = (await platform.store.getVirtualCluster(platform.boot.virtual_cluster_id))!;
    const topic = await createTopic(platform.store, cluster, { topic_name: 'many', partition_count: 2 });
    let expectedHw = 0;
    for (const [round, count] of [0, 1, 255, 256, 257, 1000].entries()) {
      const objectKey = `objects/round-${round}`;
      const batches: BatchToCommit[] = Array.from({ length: count }, (_, i) => ({
        topic_id: topic.id,
        partition: 1,
        byte_offset: i * 100,
        byte_length: 100,
        last_offset_delta: i % 3,
        max_timestamp: 1_700_000_000_000 + i,
        producer_id: -1,
        producer_epoch: -1,
        base_sequence: -1,
      }));
      const results = await commitBatches(platform.store, cluster.id, objectKey, batches);
      assert.equal(results.length, count);
      const firstOffset = expectedHw;
      results.forEach((r, i) => {
        assert.equal(r.error_code, 0);
        assert.equal(r.base_offset, expectedHw, `batch ${i} of round ${round}`);
        expectedHw += (i % 3) + 1;
      });
      const state = await platform.store.getPartitionState(topic.id, 1);
      assert.equal(state?.high_watermark ?? 0, expectedHw);
      const entries = (await platform.store.listBatchIndex(topic.id, 1, firstOffset, 5000)).filter((e) => e.object_key === objectKey);
      assert.equal(entries.length, count, `round ${round}: every batch indexed once`);
      entries.forEach((e, i) => {
        assert.equal(e.byte_offset, i * 100);
        assert.equal(e.byte_length, 100);
        assert.equal(e.base_offset, results[i]!.base_offset);
        assert.equal(e.last_offset, results[i]!.base_offset + (i % 3));
        assert.equal(e.max_timestamp, 1_700_000_000_000 + i);
      });
    }
    assert.equal((await platform.store.listBatchIndex(topic.id, 0, 0, 10)).length, 0, 'nothing on the other partition');
  });
}
