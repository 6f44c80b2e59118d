import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { TestCluster } from '../helpers/cluster.ts';

/**
 * Shared pieces of the real-client interop suites: the records they send, the checks every
 * client must pass (exact counts, order per partition, key→partition stability, contiguous
 * offsets, committed offsets) and the Management API calls that cross-check the agent.
 */

export const PARTITIONS = 6;
export const KEYS = 20;

/** One record as the test sends it; `value` is unique across a test. */
export interface Sent {
  key: string;
  value: string;
}

/** A record with where it lives: a delivery report, or a record a consumer received. */
export interface Placed extends Sent {
  partition: number;
  offset: number;
}

/** partition → offset (a high watermark, a committed offset, a starting offset). */
export type PartitionOffsets = Record<number, number>;

/** A name no other test (or earlier run against the same data) uses. */
export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** `count` records keyed k0..k19 in turn, values `<prefix>-<start+i>`. */
export function records(prefix: string, count: number, start = 0): Sent[] {
  return Array.from({ length: count }, (_, i) => ({ key: `k${(start + i) % KEYS}`, value: `${prefix}-${start + i}` }));
}

function byPartition<T extends { partition: number }>(items: T[]): Map<number, T[]> {
  const map = new Map<number, T[]>();
  for (const item of items) {
    const list = map.get(item.partition);
    if (list) list.push(item);
    else map.set(item.partition, [item]);
  }
  return map;
}

function brief(item: Placed): string {
  return `${item.key}=${item.value}@${item.partition}/${item.offset}`;
}

/** Every key in `items` sits in exactly one partition; answers key → partition. */
export function assertKeyStability(items: Placed[], label: string): Map<string, number> {
  const home = new Map<string, number>();
  for (const item of items) {
    const seen = home.get(item.key);
    if (seen === undefined) home.set(item.key, item.partition);
    else assert.equal(item.partition, seen, `${label}: key ${item.key} landed in partitions ${seen} and ${item.partition}`);
  }
  return home;
}

/**
 * The delivery reports of one produce run: exactly one per record sent, for the same key and
 * value; each key in one partition (and in `keyHome`'s partition when given, from an earlier
 * run); per partition, offsets contiguous from `from[partition]` (0 when absent) in the order
 * the records were sent. Answers the high watermark per partition after this run.
 */
export function assertDeliveries(
  sent: Sent[],
  deliveries: Placed[],
  label: string,
  options: { from?: PartitionOffsets; keyHome?: Map<string, number>; partitions?: number } = {},
): PartitionOffsets {
  const partitions = options.partitions ?? PARTITIONS;
  assert.equal(deliveries.length, sent.length, `${label}: ${deliveries.length} delivery reports for ${sent.length} records`);
  const sentIndex = new Map(sent.map((s, i) => [s.value, i]));
  assert.equal(sentIndex.size, sent.length, `${label}: the test sent duplicate values`);
  const reported = new Set<string>();
  for (const d of deliveries) {
    const index = sentIndex.get(d.value);
    assert.ok(index !== undefined, `${label}: delivery report for a record never sent: ${brief(d)}`);
    assert.ok(!reported.has(d.value), `${label}: two delivery reports for ${d.value}`);
    reported.add(d.value);
    assert.equal(d.key, sent[index]!.key, `${label}: delivery report for ${d.value} has key ${d.key}`);
    assert.ok(Number.isInteger(d.partition) && d.partition >= 0 && d.partition < partitions, `${label}: bad partition in ${brief(d)}`);
    assert.ok(Number.isInteger(d.offset) && d.offset >= 0, `${label}: bad offset in ${brief(d)}`);
  }
  const home = assertKeyStability(deliveries, `${label} (delivery reports)`);
  if (options.keyHome) {
    for (const [key, partition] of home) {
      const before = options.keyHome.get(key);
      if (before !== undefined) assert.equal(partition, before, `${label}: key ${key} moved from partition ${before} to ${partition}`);
    }
  }
  const watermarks: PartitionOffsets = { ...options.from };
  for (const [partition, list] of byPartition(deliveries)) {
    const inSendOrder = [...list].sort((a, b) => sentIndex.get(a.value)! - sentIndex.get(b.value)!);
    const first = options.from?.[partition] ?? 0;
    assert.deepEqual(
      inSendOrder.map((d) => d.offset),
      inSendOrder.map((_, i) => first + i),
      `${label}: partition ${partition}: offsets in send order are not contiguous from ${first}: ${inSendOrder.map(brief).join(' ')}`,
    );
    watermarks[partition] = first + list.length;
  }
  return watermarks;
}

/**
 * What a consumer (or several consumers of one group together) received matches the delivery
 * reports exactly: the same count, no duplicates, each record at the partition and offset its
 * delivery report named, per partition in offset order (as produced), keys stable.
 * `received` may be several lists (one per consumer): order is checked within each list.
 */
export function assertConsumed(deliveries: Placed[], received: Placed[] | Placed[][], label: string): void {
  const lists = (received.length > 0 && Array.isArray(received[0]) ? received : [received]) as Placed[][];
  const all = lists.flat();
  const expected = new Map(deliveries.map((d) => [d.value, d]));
  const seen = new Set<string>();
  const duplicates: string[] = [];
  const unknown: string[] = [];
  for (const r of all) {
    if (seen.has(r.value)) duplicates.push(brief(r));
    seen.add(r.value);
    if (!expected.has(r.value)) unknown.push(brief(r));
  }
  assert.deepEqual(duplicates, [], `${label}: records received more than once`);
  assert.deepEqual(unknown, [], `${label}: records received that were not produced in this step`);
  const missing = deliveries.filter((d) => !seen.has(d.value)).map(brief);
  assert.deepEqual(missing.slice(0, 20), [], `${label}: ${missing.length} records never received`);
  assert.equal(all.length, deliveries.length, `${label}: received ${all.length}, produced ${deliveries.length}`);
  for (const r of all) {
    const d = expected.get(r.value)!;
    assert.deepEqual(
      { key: r.key, partition: r.partition, offset: r.offset },
      { key: d.key, partition: d.partition, offset: d.offset },
      `${label}: ${r.value} was received at ${brief(r)} but delivered at ${brief(d)}`,
    );
  }
  assertKeyStability(all, `${label} (received)`);
  // Within one consumer, each partition's records arrive in offset order, i.e. produce order.
  for (const [i, list] of lists.entries()) {
    for (const [partition, items] of byPartition(list)) {
      const offsets = items.map((r) => r.offset);
      assert.deepEqual(
        offsets,
        [...offsets].sort((a, b) => a - b),
        `${label}: consumer ${i} received partition ${partition} out of order: ${items.map(brief).join(' ')}`,
      );
    }
  }
  // And all consumers together: every partition complete (the assertions above pin each record).
  const partitionsSeen = byPartition(all);
  for (const [partition, items] of byPartition(deliveries)) {
    assert.equal(partitionsSeen.get(partition)?.length ?? 0, items.length, `${label}: partition ${partition} count`);
  }
}

/** The partitions that received records, sorted. */
export function partitionsOf(items: Placed[]): number[] {
  return [...new Set(items.map((i) => i.partition))].sort((a, b) => a - b);
}

/** Fills in the partitions that got nothing with 0 (they have high watermark 0). */
export function allPartitions(offsets: PartitionOffsets, partitions = PARTITIONS): PartitionOffsets {
  const full: PartitionOffsets = {};
  for (let p = 0; p < partitions; p++) full[p] = offsets[p] ?? 0;
  return full;
}

/** Drops partitions whose value is 0 — for comparing against clients that omit them. */
export function nonZero(offsets: PartitionOffsets): PartitionOffsets {
  const out: PartitionOffsets = {};
  for (const [p, o] of Object.entries(offsets)) if (o !== 0) out[Number(p)] = o;
  return out;
}

// --- Management API -----------------------------------------------------------------------

export async function api(cluster: TestCluster, path: string, body: unknown): Promise<any> {
  const response = await fetch(`${cluster.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'warpstream-api-key': cluster.boot.application_key },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.equal(response.status, 200, `${path} ${JSON.stringify(body)} → ${response.status} ${text}`);
  return JSON.parse(text);
}

export async function createTopicViaApi(cluster: TestCluster, topic: string, partitions: number): Promise<void> {
  await api(cluster, '/api/v1/create_topic', { virtual_cluster_id: cluster.boot.virtual_cluster_id, topic_name: topic, partition_count: partitions });
}

/** name → partition count, as the Management API lists them. */
export async function topicsViaApi(cluster: TestCluster): Promise<Record<string, number>> {
  const body = await api(cluster, '/api/v1/list_topics', { virtual_cluster_id: cluster.boot.virtual_cluster_id });
  return Object.fromEntries((body.topics as Array<{ name: string; shard_count: number }>).map((t) => [t.name, t.shard_count]));
}

interface GroupPartitionView {
  member_id: string;
  partition: number;
  empty: boolean;
  min_offset: number;
  max_offset: number;
  committed_offset: number;
}

export interface GroupView {
  name: string;
  state: string;
  members: Array<{ id: string; client_id: string; assignment: { assignments: Array<{ topic_name: string; partitions: number[] }> } }>;
  topics: Array<{ name: string; partitions: GroupPartitionView[] }>;
}

export async function groupViaApi(cluster: TestCluster, group: string): Promise<GroupView | undefined> {
  const body = await api(cluster, '/api/v1/monitoring/describe_all_consumer_groups', { virtual_cluster_id: cluster.boot.virtual_cluster_id });
  return (body.state.groups as GroupView[]).find((g) => g.name === group);
}

/**
 * describe_all_consumer_groups shows `group` with, for `topic`, exactly the partitions of
 * `committed` (those the group committed) at those committed offsets, and each partition's
 * max_offset at the high watermark `watermarks` says.
 */
export async function assertCommittedViaApi(
  cluster: TestCluster,
  group: string,
  topic: string,
  committed: PartitionOffsets,
  watermarks: PartitionOffsets,
): Promise<void> {
  const view = await groupViaApi(cluster, group);
  assert.ok(view, `describe_all_consumer_groups does not list group ${group}`);
  const topicView = view.topics.find((t) => t.name === topic);
  assert.ok(topicView, `describe_all_consumer_groups: group ${group} has no topic ${topic}: ${JSON.stringify(view)}`);
  const seen: PartitionOffsets = {};
  for (const p of topicView.partitions) if (p.committed_offset !== -1) seen[p.partition] = p.committed_offset;
  assert.deepEqual(seen, committed, `describe_all_consumer_groups committed offsets of ${group}: ${JSON.stringify(topicView)}`);
  for (const p of topicView.partitions) {
    assert.equal(p.max_offset, watermarks[p.partition] ?? 0, `describe_all_consumer_groups max_offset of ${topic}/${p.partition}`);
    assert.equal(p.min_offset, 0, `describe_all_consumer_groups min_offset of ${topic}/${p.partition}`);
  }
}

// --- processes and waiting ----------------------------------------------------------------

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (killed after `timeoutMs`), feeding `input` on stdin. */
export function run(command: string, args: string[], options: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => {}); // the command may exit before reading everything
    child.stdin.end(options.input ?? '');
  });
}

/** Describes a finished command for an assertion message: exit status and its stderr. */
export function explain(what: string, result: RunResult): string {
  const status = result.signal ? `killed by ${result.signal} (timeout?)` : `exit ${result.code}`;
  return `${what}: ${status}\n--- stderr ---\n${result.stderr.slice(-6000)}\n--- stdout (tail) ---\n${result.stdout.slice(-2000)}`;
}

/** Polls `check` until it answers something truthy; fails with `message` after `timeoutMs`. */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs: number, message: () => string): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms: ${message()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Client cleanups that run before the cluster stops. Call it BEFORE startTestCluster(t): node:test
 * runs `after` hooks in the order they were registered, and the agent's close waits for client
 * connections to go away, so clients must be closed first (also when a test fails or times out).
 * Cleanups run newest first; each is bounded so a stuck client cannot hold the run.
 */
export function cleanups(t: { after(fn: () => unknown): void }): (fn: () => unknown) => void {
  const list: Array<() => unknown> = [];
  t.after(async () => {
    for (const fn of list.reverse()) {
      await Promise.race([Promise.resolve().then(fn).catch(() => undefined), new Promise((r) => setTimeout(r, 5000).unref())]);
    }
  });
  return (fn) => list.push(fn);
}

/**
 * Runs `fn` and, when one of its assertions fails, appends `log()` (a client's stderr or log) to
 * the failure message: every data check then shows what the client said.
 */
export async function withLog<T>(log: () => string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof assert.AssertionError) {
      const text = log();
      if (text) error.message += `\n--- client log ---\n${text.slice(-6000)}`;
    }
    throw error;
  }
}
