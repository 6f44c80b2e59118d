import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { rssMib } from './proc.ts';
import { api, type RunningSlipstream } from './slipstream.ts';

/**
 * The Management API under load (autocannon): list_topics on a cluster holding 1,000 topics and
 * create_topic with a fresh name per request; and the memory 10,000 partitions cost the process.
 */

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
  '2xx': number;
}
interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  requests?: AutocannonRequest[];
}) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface EndpointResult {
  requests_s: number;
  requests: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  non_2xx: number;
  errors: number;
}

function summarize(result: AutocannonResult): EndpointResult {
  return {
    requests_s: result.requests.average,
    requests: result['2xx'],
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    max_ms: result.latency.max,
    non_2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** Runs `count` calls with at most `parallel` in flight. */
async function inParallel(count: number, parallel: number, call: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) await call(next++);
    }),
  );
}

async function createCluster(s: RunningSlipstream, name: string, tier: string): Promise<string> {
  const created = await api(s, 'create_virtual_cluster', {
    virtual_cluster_name: name,
    virtual_cluster_type: 'byoc',
    virtual_cluster_region: 'local',
    virtual_cluster_cloud_provider: 'aws',
    virtual_cluster_tier: tier,
  });
  return created.virtual_cluster_id as string;
}

export interface ManagementResult {
  connections: number;
  seconds: number;
  list_topics_1000: EndpointResult;
  create_topic: EndpointResult;
}

export async function benchManagement(s: RunningSlipstream, options: { seconds: number; connections: number }): Promise<ManagementResult> {
  const headers = { 'content-type': 'application/json', 'warpstream-api-key': s.applicationKey };

  // list_topics on a cluster of exactly 1,000 topics (a pro cluster: dev's tier limit is lower
  // than what create_topic below would reach).
  const listCluster = await createCluster(s, 'bench_list', 'pro');
  await inParallel(1000, 8, (i) => api(s, 'create_topic', { virtual_cluster_id: listCluster, topic_name: `list-${String(i).padStart(4, '0')}`, partition_count: 1 }));
  const listed = await api(s, 'list_topics', { virtual_cluster_id: listCluster });
  const count = Array.isArray(listed.topics) ? listed.topics.length : -1;
  if (count !== 1000) throw new Error(`list_topics answered ${count} topics, not 1000`);
  const list = await autocannon({
    url: `${s.apiUrl}/api/v1/list_topics`,
    connections: options.connections,
    duration: options.seconds,
    method: 'POST',
    headers,
    body: JSON.stringify({ virtual_cluster_id: listCluster }),
  });

  const createTarget = await createCluster(s, 'bench_create', 'enterprise');
  let n = 0;
  const create = await autocannon({
    url: `${s.apiUrl}/api/v1/create_topic`,
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        method: 'POST',
        headers,
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ virtual_cluster_id: createTarget, topic_name: `create-${n++}`, partition_count: 1 }),
        }),
      },
    ],
  });

  return {
    connections: options.connections,
    seconds: options.seconds,
    list_topics_1000: summarize(list),
    create_topic: summarize(create),
  };
}

export interface MemoryResult {
  memory_per_10k_partitions_mib: number;
  rss_before_mib: number;
  rss_after_mib: number;
  memory_method: string;
}

/**
 * What 10,000 partitions cost a Slipstream process that has done nothing else (a fresh one): its
 * resident set before and after 100 topics of 100 partitions are created and listed, each time
 * after a warm-up call and a second to settle. Garbage the creation left behind counts too (no
 * forced GC), so it is an upper bound.
 */
export async function memoryPer10kPartitions(s: RunningSlipstream): Promise<MemoryResult> {
  const cluster = await createCluster(s, 'bench_memory', 'pro');
  await api(s, 'list_topics', { virtual_cluster_id: cluster });
  await sleep(1000);
  const before = rssMib(s.server.pid);
  await inParallel(100, 4, (i) => api(s, 'create_topic', { virtual_cluster_id: cluster, topic_name: `mem-${i}`, partition_count: 100 }));
  const listed = await api(s, 'list_topics', { virtual_cluster_id: cluster });
  const partitions = (listed.topics as Array<{ partition_count?: number; shard_count?: number }>).reduce((sum, t) => sum + Number(t.partition_count ?? t.shard_count ?? 0), 0);
  if (partitions !== 10_000) throw new Error(`list_topics counts ${partitions} partitions, not 10000`);
  await sleep(1000);
  const after = rssMib(s.server.pid);
  return {
    memory_per_10k_partitions_mib: after - before,
    rss_before_mib: before,
    rss_after_mib: after,
    memory_method: 'VmRSS of a fresh Slipstream dev process after 100 topics x 100 partitions were created (create_topic) and listed, minus VmRSS before; no forced GC, so an upper bound',
  };
}
