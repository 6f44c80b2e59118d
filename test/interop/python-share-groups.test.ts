import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { ApiKeys } from '../../src/kafka-protocol/index.ts';
import { RawClient } from '../agent/client.ts';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { ClientProcess, type ClientCommand } from './build-clients.ts';
import { unique, waitFor } from './helpers.ts';
import { PYPI_PYTHON, PYTHON_ENV, pythonSkipReason } from './python-clients.ts';

/**
 * Share groups (KIP-932, Kafka's queues) with librdkafka's share consumer (confluent_kafka.ShareConsumer,
 * confluent-kafka 2.16 from PyPI on librdkafka 2.16; Debian's 1.7 has none), driven through
 * test/interop/python/confluent_share.py: group configs set and read by librdkafka's AdminClient
 * (ConfigResource GROUP, which librdkafka sends as config resource type 32), two consumers of one
 * group receiving every record once in implicit mode, explicit acknowledgement (release: back with
 * delivery count 2; reject and accept: never again; share.delivery.count.limit archives a record
 * released that many times), and the records of a consumer that closes without acknowledging, or
 * is killed, going to the other consumer long before their locks would run out. The share
 * group's membership and start offsets are read with the project's own codec (ShareGroupDescribe,
 * DescribeShareGroupOffsets over a RawClient): librdkafka's AdminClient has no share-group calls.
 */

/** A share-poll row: [partition, offset, key, value, topic, deliveryCount]. */
type ShareRow = [number, number, string, string, string, number | null];
type Ack = 'accept' | 'release' | 'reject' | 'none';

const place = (r: ShareRow) => `${r[0]}@${r[1]}`;
const value = (r: ShareRow) => r[3];

const shareClient = (): ClientCommand => ({
  name: 'confluent-share',
  command: PYPI_PYTHON,
  args: [join(import.meta.dirname, 'python', 'confluent_share.py')],
  env: PYTHON_ENV,
  buildMs: 0,
});

const skip = pythonSkipReason(PYPI_PYTHON, 'confluent_kafka; confluent_kafka.ShareConsumer');

describe('librdkafka share consumer (KIP-932, confluent-kafka ShareConsumer from PyPI)', { skip }, () => {
  let cluster: TestCluster;
  let raw: RawClient;
  const cleanups: Array<() => unknown> = [];
  before(async () => {
    cluster = await startTestCluster({ after: (fn) => void cleanups.push(fn) });
    raw = await RawClient.connect(cluster.bootstrap);
  });
  after(async () => {
    raw?.close();
    for (const fn of cleanups.reverse()) await fn();
  });

  async function start(t: TestContext, id: string): Promise<ClientProcess> {
    const proc = await ClientProcess.start(shareClient(), cluster.bootstrap, unique(id));
    t.after(() => proc.close());
    return proc;
  }

  /** A topic, a share group that starts at the log start (plus `configs`), and no records yet. */
  async function setUp(admin: ClientProcess, partitions: number, configs: Record<string, string> = {}) {
    const topic = unique('share');
    const group = unique('share-group');
    await admin.send(`create-topic ${topic} ${partitions}`);
    for (const [name, v] of Object.entries({ 'share.auto.offset.reset': 'earliest', ...configs })) await admin.send(`alter-group-config ${group} ${name} ${v}`);
    return { topic, group };
  }

  /** Produces `count` records (values `<prefix>-i`); answers the values and each partition's end offset. */
  async function produce(admin: ClientProcess, topic: string, partitions: number, count: number) {
    const prefix = unique('v');
    const acks = (await admin.send(`produce ${topic} ${count} 20 ${prefix} 0`)).acks as Array<[number, number]>;
    assert.equal(acks.length, count);
    const ends = Array.from({ length: partitions }, (_, p) => acks.filter((a) => a[0] === p).length);
    return { values: Array.from({ length: count }, (_, i) => `${prefix}-${i}`), ends };
  }

  function assertClean(c: ClientProcess, answer: Record<string, unknown>, what: string) {
    for (const field of ['commitErrors', 'ackErrors', 'messageErrors']) {
      if (answer[field] === undefined) continue;
      assert.deepEqual(answer[field], [], `${c.label}: ${what}: ${field} ${JSON.stringify(answer[field])}${c.logs()}`);
    }
  }

  async function sharePoll(c: ClientProcess, ms: number, ack: Ack = 'none'): Promise<ShareRow[]> {
    const line = ack === 'none' ? `share-poll ${ms}` : `share-poll ${ms} ${ack}`;
    const answer = await c.send(line);
    assertClean(c, answer, line);
    const rows = answer.records as ShareRow[];
    for (const r of rows) assert.equal(typeof r[5], 'number', `${c.label}: Message.delivery_count() is None on ${JSON.stringify(r)}`);
    return rows;
  }

  async function shareCommit(c: ClientProcess) {
    const answer = await c.send('share-commit');
    assertClean(c, answer, 'share-commit');
    return answer;
  }

  async function describeGroup(group: string) {
    const answer = await raw.request(ApiKeys.ShareGroupDescribe, 1, { groupIds: [group], includeAuthorizedOperations: false });
    return answer.groups[0]!;
  }

  /** Waits until the share group has `count` members, each assigned (librdkafka joins in the background after subscribe). */
  async function members(group: string, count: number, consumers: ClientProcess[]) {
    let last: unknown;
    return waitFor(async () => {
      const g = await describeGroup(group);
      last = g;
      const ok = g.errorCode === 0 && g.groupState === 'Stable' && g.members.length === count && g.members.every((m) => m.assignment.topicPartitions.length > 0);
      return ok ? g.members : undefined;
    }, 30_000, () => `the share group never had ${count} assigned members: ${JSON.stringify(last)}${consumers.map((c) => c.logs()).join('')}`);
  }

  /** The share group's start offset and lag on each partition of `topic` (DescribeShareGroupOffsets). */
  async function startOffsets(group: string, topic: string, partitions: number) {
    const answer = await raw.request(ApiKeys.DescribeShareGroupOffsets, 1, { groups: [{ groupId: group, topics: [{ topicName: topic, partitions: Array.from({ length: partitions }, (_, p) => p) }] }] });
    const g = answer.groups[0]!;
    assert.equal(g.errorCode, 0, JSON.stringify(g, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
    const rows = g.topics.find((x) => x.topicName === topic)?.partitions ?? [];
    return Array.from({ length: partitions }, (_, p) => {
      const row = rows.find((r) => r.partitionIndex === p);
      return row ? [Number(row.startOffset), Number(row.lag)] : [-1, -1];
    });
  }

  async function assertAllDone(group: string, topic: string, ends: number[]) {
    const want = ends.map((end) => [end, 0]);
    let last: unknown;
    await waitFor(async () => {
      last = await startOffsets(group, topic, ends.length);
      return JSON.stringify(last) === JSON.stringify(want);
    }, 10_000, () => `the share group's [start offset, lag] per partition never reached ${JSON.stringify(want)}: ${JSON.stringify(last)}`);
  }

  /** Polls `c` for `ms` (in polls of 250 ms), asserting nothing comes. */
  async function assertNothingFor(c: ClientProcess, ms: number, why: string) {
    const end = Date.now() + ms;
    while (Date.now() < end) assert.deepEqual(await sharePoll(c, 250), [], `${c.label}: ${why}`);
  }

  test('group configs on ConfigResource GROUP through librdkafka\'s AdminClient: set, described, bad ones refused', async (t) => {
    const admin = await start(t, 'admin');
    const group = unique('share-group');
    const before_ = await admin.send(`describe-group-configs ${group}`);
    const defaults = before_.configs as Record<string, string>;
    assert.equal(defaults['share.auto.offset.reset'], 'latest', JSON.stringify(before_));
    assert.equal(defaults['share.record.lock.duration.ms'], '30000', JSON.stringify(before_));
    assert.equal(defaults['share.delivery.count.limit'], '5', JSON.stringify(before_));

    await admin.send(`alter-group-config ${group} share.auto.offset.reset earliest`);
    await admin.send(`alter-group-config ${group} share.delivery.count.limit 3`);
    const after_ = await admin.send(`describe-group-configs ${group}`);
    const configs = after_.configs as Record<string, string>;
    const sources = after_.sources as Record<string, string>;
    assert.equal(configs['share.auto.offset.reset'], 'earliest', JSON.stringify(after_));
    assert.equal(configs['share.delivery.count.limit'], '3', JSON.stringify(after_));
    assert.equal(configs['share.record.lock.duration.ms'], '30000', JSON.stringify(after_));
    assert.equal(sources['share.auto.offset.reset'], 'GROUP_CONFIG', JSON.stringify(after_));
    assert.equal(sources['share.record.lock.duration.ms'], 'DEFAULT_CONFIG', JSON.stringify(after_));

    const outOfRange = await admin.call(`alter-group-config ${group} share.delivery.count.limit 99`);
    assert.equal(outOfRange.errorCode, 'INVALID_CONFIG', JSON.stringify(outOfRange));
    const unknown = await admin.call(`alter-group-config ${group} share.no.such.config 1`);
    assert.equal(unknown.errorCode, 'INVALID_CONFIG', JSON.stringify(unknown));
    const unchanged = (await admin.send(`describe-group-configs ${group}`)).configs as Record<string, string>;
    assert.equal(unchanged['share.delivery.count.limit'], '3', 'a refused change changed nothing');
  });

  test('two share consumers (implicit acknowledgement), 3 partitions, 300 records: every record once, start offsets at the ends', async (t) => {
    const PARTITIONS = 3;
    const COUNT = 300;
    const admin = await start(t, 'admin');
    const { topic, group } = await setUp(admin, PARTITIONS);
    const consumers = [await start(t, 'share-a'), await start(t, 'share-b')];
    // max.poll.records 50 (the ShareFetch's MaxRecords): no one fetch takes everything.
    for (const c of consumers) await c.send(`share-subscribe ${topic} ${group} implicit 50`);
    const joined = await members(group, 2, consumers);
    // Members do not own partitions in a share group: Slipstream assigns each of them every one.
    for (const m of joined) {
      assert.deepEqual(m.assignment.topicPartitions.map((tp) => [tp.topicName, [...tp.partitions].sort()]), [[topic, [0, 1, 2]]], JSON.stringify(joined));
    }
    assert.deepEqual(joined.map((m) => m.clientId).sort(), consumers.map((c) => c.label.replace(/^confluent-share:/, '')).sort());

    const { values, ends } = await produce(admin, topic, PARTITIONS, COUNT);
    const got: ShareRow[][] = consumers.map(() => []);
    const pollAll = async () => (await Promise.all(consumers.map((c) => sharePoll(c, 500)))).forEach((rows, i) => got[i]!.push(...rows));
    const deadline = Date.now() + 60_000;
    while (new Set(got.flat().map(value)).size < COUNT) {
      if (Date.now() > deadline) assert.fail(`received ${got.map((g) => g.length).join(' + ')} of ${COUNT}${consumers.map((c) => c.logs()).join('')}`);
      await pollAll();
    }
    // These polls acknowledge (implicitly) what the last ones returned; anything they return is a duplicate.
    await pollAll();
    await pollAll();

    const all = got.flat();
    assert.deepEqual(new Set(all.map(value)), new Set(values), 'together they received every record');
    const seen = new Set<string>();
    const twice = all.filter((r) => seen.size === seen.add(place(r)).size);
    assert.deepEqual(twice, [], 'no record delivered twice');
    assert.equal(all.length, COUNT);
    assert.ok(all.every((r) => r[5] === 1), `every record on its first delivery: ${JSON.stringify(all.filter((r) => r[5] !== 1))}`);
    t.diagnostic(`records per consumer: ${got.map((g) => g.length).join(' + ')}`);
    assert.ok(got.every((g) => g.length > 0), `both consumers received records (${got.map((g) => g.length).join(' + ')})`);

    // The last implicit acknowledgements go out with commit_sync; then every record is accepted.
    for (const c of consumers) await shareCommit(c);
    await assertAllDone(group, topic, ends);
    for (const c of consumers) assertClean(c, await c.send('share-close'), 'share-close');
    await waitFor(async () => (await describeGroup(group)).members.length === 0, 10_000, () => 'the consumers never left the group');
  });

  test('explicit acknowledgement: released records come back with delivery count 2, rejected and accepted ones never; share.delivery.count.limit archives', async (t) => {
    const COUNT = 40;
    const admin = await start(t, 'admin');
    // A record released twice is archived (delivered at most share.delivery.count.limit = 2 times).
    const { topic, group } = await setUp(admin, 1, { 'share.delivery.count.limit': '2' });
    const { values, ends } = await produce(admin, topic, 1, COUNT);
    const c = await start(t, 'share-explicit');
    await c.send(`share-subscribe ${topic} ${group} explicit 10`);

    // By offset: 0 accept, 1 release then accept, 2 reject, 3 release every time.
    const kind = (r: ShareRow) => r[1] % 4;
    const decide = (r: ShareRow): Exclude<Ack, 'none'> => {
      if (kind(r) === 0) return 'accept';
      if (kind(r) === 2) return 'reject';
      if (kind(r) === 1) return r[5] === 1 ? 'release' : 'accept';
      return 'release';
    };
    const deliveries: ShareRow[] = [];
    const expectedDeliveries = COUNT / 4 * (1 + 2 + 1 + 2);
    await waitFor(async () => {
      const rows = await sharePoll(c, 500);
      deliveries.push(...rows);
      if (rows.length > 0) {
        for (const ack of ['accept', 'release', 'reject'] as const) {
          const places = rows.filter((r) => decide(r) === ack).map(place);
          if (places.length > 0) await c.send(`share-ack ${ack} ${places.join(' ')}`);
        }
        await shareCommit(c);
      }
      return deliveries.length >= expectedDeliveries;
    }, 60_000, () => `${deliveries.length} of ${expectedDeliveries} deliveries: ${JSON.stringify(deliveries.map((r) => [r[1], r[5]]))}${c.logs()}`);
    await assertNothingFor(c, 2_000, 'every record was accepted, rejected or archived');

    const byOffset = new Map<number, Array<number | null>>();
    for (const r of deliveries) byOffset.set(r[1], [...(byOffset.get(r[1]) ?? []), r[5]]);
    for (let offset = 0; offset < COUNT; offset++) {
      const want = offset % 2 === 0 ? [1] : [1, 2];
      const what = ['accepted', 'released then accepted', 'rejected', 'released twice, then archived by the limit'][offset % 4];
      assert.deepEqual(byOffset.get(offset), want, `offset ${offset} (${what}): delivery counts ${JSON.stringify(byOffset.get(offset))}`);
    }
    assert.deepEqual(new Set(deliveries.map(value)), new Set(values));
    await assertAllDone(group, topic, ends);

    // Another member of the group gets nothing: accepted, rejected and archived records stay done.
    const other = await start(t, 'share-late');
    await other.send(`share-subscribe ${topic} ${group} explicit`);
    await members(group, 2, [c, other]);
    await assertNothingFor(other, 2_000, 'a record that was done with was delivered again');
    for (const x of [c, other]) assertClean(x, await x.send('share-close'), 'share-close');
  });

  /**
   * A consumer takes records and then goes away without acknowledging them; the other consumer of
   * the group must get them (delivery count 2) long before their locks (60 s here) run out.
   */
  async function goneWithoutAcknowledging(t: TestContext, mode: 'implicit' | 'explicit', leave: (gone: ClientProcess) => Promise<void>) {
    const COUNT = 20;
    const admin = await start(t, 'admin');
    const { topic, group } = await setUp(admin, 1, { 'share.record.lock.duration.ms': '60000' });
    const { values, ends } = await produce(admin, topic, 1, COUNT);
    const first = await start(t, 'share-first');
    await first.send(`share-subscribe ${topic} ${group} ${mode}`);
    const held = await waitFor(async () => {
      const rows = await sharePoll(first, 500);
      return rows.length > 0 ? rows : undefined;
    }, 30_000, () => `the first consumer got no records${first.logs()}`);
    assert.ok(held.every((r) => r[5] === 1), JSON.stringify(held));

    const second = await start(t, 'share-second');
    await second.send(`share-subscribe ${topic} ${group} explicit`);
    await members(group, 2, [first, second]);
    const got: ShareRow[] = [];
    const take = async () => {
      const rows = await sharePoll(second, 250, 'accept');
      got.push(...rows);
    };
    // While the first consumer holds its records, the second gets only the others (if any).
    const holdUntil = Date.now() + 1_500;
    while (Date.now() < holdUntil) await take();
    const heldPlaces = new Set(held.map(place));
    assert.deepEqual(got.filter((r) => heldPlaces.has(place(r))), [], 'records the first consumer holds were delivered to the second');

    const gone = Date.now();
    await leave(first);
    await waitFor(async () => {
      await take();
      return new Set(got.map(value)).size === COUNT;
    }, 30_000, () => `the second consumer got ${got.length} of ${COUNT} records after the first went away (${Date.now() - gone} ms): ${JSON.stringify(got.map(place))}${second.logs()}`);
    const took = Date.now() - gone;
    t.diagnostic(`the first consumer held ${held.length}; the second had them all ${took} ms after it went away`);
    assert.ok(took < 30_000, `the records came back after ${took} ms: only their locks (60 s) ran out?`);
    assert.deepEqual(new Set(got.map(value)), new Set(values));
    assert.equal(got.length, COUNT, `each record once to the second consumer: ${JSON.stringify(got.map(place))}`);
    for (const r of got) {
      if (heldPlaces.has(place(r))) assert.equal(r[5], 2, `${place(r)} was held by the first consumer: delivery count ${r[5]}`);
    }
    await assertAllDone(group, topic, ends);
    assertClean(second, await second.send('share-close'), 'share-close');
  }

  test('a consumer that closes without acknowledging: its records go to the other consumer at once', async (t) => {
    await goneWithoutAcknowledging(t, 'explicit', async (first) => {
      assertClean(first, await first.send('share-close'), 'share-close');
    });
  });

  test('a consumer killed (SIGKILL) before acknowledging: its records go to the other consumer when its connection closes', async (t) => {
    // Implicit mode: the records of its last poll would have been accepted by its next poll.
    await goneWithoutAcknowledging(t, 'implicit', async (first) => {
      const pid = (await first.send('pid')).pid as number;
      process.kill(pid, 'SIGKILL');
    });
  });
});
