/**
 * Which agents a Kafka client is told about, and which of them "leads" each partition. Any agent
 * can serve any partition (the data is in object storage, the offsets in the control plane), so
 * leadership is only a routing hint, as in WarpStream: spreading it over the live agents makes a
 * client open one connection per agent and spreads the load. Rendezvous hashing keeps the hint
 * stable: while the set of agents does not change every agent answers the same leader, and when
 * one goes only its partitions move.
 *
 * Zones: a client whose client id carries `warpstream_az=<zone>` (WarpStream's convention) is
 * routed to the agents of its zone when there are any, keeping traffic inside the zone.
 */

export interface Broker {
  nodeId: number;
  host: string;
  port: number;
  /** The agent's availability zone (Kafka's rack), when it has one. */
  rack: string | null;
}

/** The `warpstream_az` a client names in its client id (`…,warpstream_az=us-east-1a,…`), if any. */
export function clientZone(clientId: string): string | undefined {
  const match = /(?:^|[,;&\s])warpstream_az=([^,;&\s]+)/.exec(clientId);
  return match?.[1];
}

/**
 * The brokers a client sees: the agents of its zone when it names one that has agents, else
 * every live agent; ordered by node id, without duplicates. `self` is always among them when the
 * registry is empty (an agent that cannot reach the registry still serves its own clients).
 */
export function brokersFor(live: readonly Broker[], self: Broker, clientId: string): Broker[] {
  const byNode = new Map<number, Broker>();
  for (const broker of live) byNode.set(broker.nodeId, broker);
  if (byNode.size === 0) byNode.set(self.nodeId, self);
  const all = [...byNode.values()].sort((a, b) => a.nodeId - b.nodeId);
  const zone = clientZone(clientId);
  if (zone !== undefined) {
    const local = all.filter((broker) => broker.rack === zone);
    if (local.length > 0) return local;
  }
  return all;
}

/** The broker that leads `key` (a topic id and partition, or a group id) among `brokers` (non-empty). */
export function leaderFor(brokers: readonly Broker[], key: string): Broker {
  let best = brokers[0]!;
  let bestScore = -1;
  for (const broker of brokers) {
    const score = fnv1a(`${broker.nodeId}/${key}`);
    if (score > bestScore || (score === bestScore && broker.nodeId < best.nodeId)) {
      best = broker;
      bestScore = score;
    }
  }
  return best;
}

/** FNV-1a (32 bits): cheap and well spread for short keys; a Metadata answer hashes every partition. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // A final avalanche (murmur3's fmix32): FNV alone leaves close keys close.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
