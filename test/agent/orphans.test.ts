import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ControlPlaneClient } from '../../src/agent-rpc/contract.ts';
import { OrphanSweeper } from '../../src/agent/jobs/orphans.ts';
import { MemoryObjectStore } from '../../src/objects/memory.ts';

/** The orphan sweep: only objects the control plane never heard of, and only once they stayed unknown for the orphan age. */
test('an object the control plane never heard of is deleted once it stayed unknown for the orphan age; a committed or late-committed one never', async () => {
  const objects = new MemoryObjectStore();
  const prefix = 'clusters/vci_x/batches/a/';
  for (const name of ['committed', 'orphan', 'late']) await objects.put(prefix + name, Buffer.from(name));
  await objects.put('clusters/vci_other/batches/b/theirs', Buffer.from('x'));
  const known = new Set([prefix + 'committed']);
  const controlPlane = {
    unknownObjects: async (_vc: string, keys: readonly string[]) => keys.filter((key) => key.startsWith('clusters/vci_x/') && !known.has(key)),
  } as unknown as ControlPlaneClient;
  const sweeper = new OrphanSweeper(controlPlane, objects, 'vci_x', 10_000);

  assert.equal(await sweeper.sweep(1_000), 0, 'first seen: nothing deleted yet');
  assert.equal(await sweeper.sweep(5_000), 0, 'not old enough');
  known.add(prefix + 'late'); // its commit arrived after all
  assert.equal(await sweeper.sweep(11_000), 1);
  assert.deepEqual(await objects.list('clusters/'), ['clusters/vci_other/batches/b/theirs', prefix + 'committed', prefix + 'late'].sort());
  // A key that goes unknown only now starts its own clock.
  known.delete(prefix + 'late');
  assert.equal(await sweeper.sweep(12_000), 0);
  assert.equal(await sweeper.sweep(22_500), 1);
});
