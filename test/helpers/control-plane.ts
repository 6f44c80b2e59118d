import { LocalControlPlane } from '../../src/control-plane/agent-rpc/local.ts';
import { GroupCoordinator } from '../../src/control-plane/groups/coordinator.ts';
import type { MetadataStore } from '../../src/metadata/store.ts';
import type { Cleanup } from './stores.ts';

/** The in-process control plane over `store`, with its own group coordinator (closed after the test when `t` is given). */
export function localControlPlane(store: MetadataStore, t?: Cleanup): LocalControlPlane {
  const groups = new GroupCoordinator(store, { initialRebalanceDelayMs: 100 });
  t?.after(() => groups.close());
  return new LocalControlPlane(store, groups);
}
