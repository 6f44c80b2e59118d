import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { ClientProcess, javaClient } from './build-clients.ts';
import { unique, waitFor } from './helpers.ts';

/**
 * Share groups (KIP-932, Kafka's queues) with the Apache Kafka Java client 4.4's
 * KafkaShareConsumer: group configs set and read by the Admin client (ConfigResource type
 * GROUP), two members of one group sharing every partition and receiving each record once,
 * explicit acknowledgement (release: back with the next delivery count; reject and accept: never
 * again; share.delivery.count.limit), the records of a member that closes without acknowledging
 * going to another member at once, and the Admin client's describeShareGroups and
 * list/alter/deleteShareGroupOffsets. The commands are test/interop/java's (InteropClient.java).
 */

/** A share-poll row: [partition, offset, key, value, topic, deliveryCount]. */
type ShareRow = [number, number, string, string, string, number];
type Ack = 'accept' | 'release' | 'reject' | 'none';
interface Member { memberId: string; clientId: string; memberEpoch: number; partitions: string[] }

const value = (r: ShareRow) => r[3];
const place = (r: ShareRow) => `${r[0]}@${r[1]}`;

describe('Java client share groups (KIP-932, KafkaShareConsumer)', () => {
  let cluster: TestCluster;
  const cleanups: Array<() => unknown> = [];
  before(async () => {
    cluster = await startTestCluster({ after: (fn) => void cleanups.push(fn) });
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  async function start(t: TestContext, id: string): Promise<ClientProcess> {
    const proc = await ClientProcess.start(await javaClient(), cluster.bootstrap, unique(id));
    t.after(() => proc.close());
    return proc;
  }

  /** A topic with `count` records (values `<prefix>-i`) and a group that starts at the log start. */
  async function setUp(admin: ClientProcess, partitions: number, count: number, configs: Record<string, string> = {}) {
    const topic = unique('share');
    const group = unique('share-group');
    const prefix = unique('v');
    await admin.send(`create-topic ${topic} ${partitions}`);
    for (const [name, v] of Object.entries({ 'share.auto.offset.reset': 'earliest', ...configs })) await admin.send(`alter-group-config ${group} ${name} ${v}`);
    const acks = (await admin.send(`produce ${topic} ${count} 20 ${prefix} 0`)).acks as Array<[number, number]>;
    assert.equal(acks.length, count);
    const ends = Array.from({ length: partitions }, (_, p) => acks.filter((a) => a[0] === p).length);
    return { topic, group, values: Array.from({ length: count }, (_, i) => `${prefix}-${i}`), ends };
  }

  /** The lock duration each client last saw in a ShareFetch answer (acquisitionLockTimeoutMs()). */
  const lockMs = new Map<ClientProcess, number | null>();

  async function sharePoll(c: ClientProcess, ms: number, ack: Ack = 'none'): Promise<ShareRow[]> {
    const answer = await c.send(ack === 'none' ? `share-poll ${ms}` : `share-poll ${ms} ${ack}`);
    assert.deepEqual(answer.commitErrors, [], `${c.label}: the broker refused acknowledgements: ${JSON.stringify(answer.commitErrors)}${c.logs()}`);
    for (const r of answer.records as ShareRow[]) assert.equal(typeof r[5], 'number', `${c.label}: no delivery count on ${JSON.stringify(r)}`);
    lockMs.set(c, answer.lockMs as number | null);
    return answer.records as ShareRow[];
  }

  /** Polls until the share group has `count` members (the Java client joins inside poll), each assigned. */
  async function members(admin: ClientProcess, group: string, count: number, pollers: ClientProcess[] = []): Promise<Member[]> {
    let last: unknown;
    return waitFor(async () => {
      for (const c of pollers) assert.deepEqual(await sharePoll(c, 100), [], `${c.label} got records before any were produced`);
      const d = await admin.call(`describe-share-group ${group}`);
      last = d;
      const list = (d.members ?? []) as Member[];
      return list.length === count && list.every((m) => m.partitions.length > 0) && d.state === 'Stable' ? list : undefined;
    }, 60_000, () => `the share group never had ${count} assigned members: ${JSON.stringify(last)}${pollers.map((c) => c.logs()).join('')}`);
  }

  async function startOffsets(admin: ClientProcess, group: string, topic: string, partitions: number) {
    const answer = await admin.send(`share-group-offsets ${group} ${topic} ${partitions}`);
    return { offsets: answer.offsets as number[], lags: answer.lags as Array<number | null> };
  }

  test('group configs on ConfigResource type GROUP: set, described, bad ones refused', async (t) => {
    const admin = await start(t, 'admin');
    const group = unique('share-group');
    const before_ = (await admin.send(`describe-group-configs ${group}`)).configs as Record<string, string>;
    assert.equal(before_['share.auto.offset.reset'], 'latest', JSON.stringify(before_));
    assert.equal(before_['share.record.lock.duration.ms'], '30000', JSON.stringify(before_));
    assert.equal(before_['share.delivery.count.limit'], '5', JSON.stringify(before_));

    await admin.send(`alter-group-config ${group} share.auto.offset.reset earliest`);
    await admin.send(`alter-group-config ${group} share.delivery.count.limit 3`);
    const after_ = await admin.send(`describe-group-configs ${group}`);
    const configs = after_.configs as Record<string, string>;
    assert.equal(configs['share.auto.offset.reset'], 'earliest', JSON.stringify(after_));
    assert.equal(configs['share.delivery.count.limit'], '3', JSON.stringify(after_));
    assert.equal(configs['share.record.lock.duration.ms'], '30000', JSON.stringify(after_));
    const sources = after_.sources as Record<string, string>;
    assert.equal(sources['share.auto.offset.reset'], 'DYNAMIC_GROUP_CONFIG', JSON.stringify(after_));
    assert.notEqual(sources['share.record.lock.duration.ms'], 'DYNAMIC_GROUP_CONFIG', JSON.stringify(after_));

    const outOfRange = await admin.call(`alter-group-config ${group} share.delivery.count.limit 99`);
    assert.equal(outOfRange.errorClass, 'org.apache.kafka.common.errors.InvalidConfigurationException', JSON.stringify(outOfRange));
    const unknown = await admin.call(`alter-group-config ${group} share.no.such.config 1`);
    assert.equal(unknown.errorClass, 'org.apache.kafka.common.errors.InvalidConfigurationException', JSON.stringify(unknown));
    const unchanged = (await admin.send(`describe-group-configs ${group}`)).configs as Record<string, string>;
    assert.equal(unchanged['share.delivery.count.limit'], '3', 'a refused change changed nothing');
  });

  test('two share consumers (implicit acknowledgement) on one topic: every record once, both get records, start offsets at the end', async (t) => {
    const PARTITIONS = 3;
    const COUNT = 300;
    const admin = await start(t, 'admin');
    const topic = unique('share');
    const group = unique('share-group');
    const prefix = unique('v');
    await admin.send(`create-topic ${topic} ${PARTITIONS}`);
    await admin.send(`alter-group-config ${group} share.auto.offset.reset earliest`);
    const consumers = [await start(t, 'share-a'), await start(t, 'share-b')];
    // max.poll.records 50 (the ShareFetch's MaxRecords): no one fetch takes everything.
    for (const c of consumers) await c.send(`share-subscribe ${topic} ${group} implicit 50`);
    const joined = await members(admin, group, 2, consumers);
    // Members do not own partitions in a share group: Slipstream assigns each of them every one.
    for (const m of joined) assert.deepEqual(m.partitions, Array.from({ length: PARTITIONS }, (_, p) => `${topic}/${p}`), JSON.stringify(joined));
    assert.deepEqual(joined.map((m) => m.clientId).sort(), consumers.map((c) => c.label.replace(/^java:/, '')).sort());

    const acks = (await admin.send(`produce ${topic} ${COUNT} 20 ${prefix} 0`)).acks as Array<[number, number]>;
    const ends = Array.from({ length: PARTITIONS }, (_, p) => acks.filter((a) => a[0] === p).length);
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
    const expected = Array.from({ length: COUNT }, (_, i) => `${prefix}-${i}`);
    assert.deepEqual(new Set(all.map(value)), new Set(expected), 'together they received every record');
    const twice = all.filter((r, i) => all.findIndex((s) => place(s) === place(r)) !== i);
    assert.deepEqual(twice, [], 'no record delivered twice');
    assert.equal(all.length, COUNT);
    assert.ok(all.every((r) => r[5] === 1), `every record on its first delivery: ${JSON.stringify(all.filter((r) => r[5] !== 1))}`);
    for (const c of consumers) assert.equal(lockMs.get(c), 30_000, `${c.label}: the acquisition lock is share.record.lock.duration.ms's default`);
    t.diagnostic(`records per consumer: ${got.map((g) => g.length).join(' + ')}`);
    assert.ok(got.every((g) => g.length > 0), `both consumers received records (${got.map((g) => g.length).join(' + ')})`);
    // A share group is not partition-exclusive: some partition's records went to both.
    const partitionsOf = got.map((g) => new Set(g.map((r) => r[0])));
    assert.ok([...partitionsOf[0]!].some((p) => partitionsOf[1]!.has(p)), `no partition shared by the two consumers: ${JSON.stringify(partitionsOf.map((s) => [...s]))}`);

    // Every record accepted: each share-partition's start offset is the partition's end.
    await waitFor(async () => {
      const { offsets, lags } = await startOffsets(admin, group, topic, PARTITIONS);
      return JSON.stringify(offsets) === JSON.stringify(ends) && lags.every((l) => l === 0);
    }, 10_000, () => `start offsets never reached the ends ${JSON.stringify(ends)}`);
    for (const c of consumers) await c.send('share-close');
  });

  test('explicit acknowledgement: released records come back with delivery count 2, rejected and accepted ones never', async (t) => {
    const COUNT = 30;
    const admin = await start(t, 'admin');
    const { topic, group, values, ends } = await setUp(admin, 1, COUNT);
    const c = await start(t, 'share-explicit');
    await c.send(`share-subscribe ${topic} ${group} explicit 10`);

    const polls: Array<{ ack: Ack; rows: ShareRow[] }> = [];
    const take = async (ack: Ack) => {
      const rows = await sharePoll(c, 500, ack);
      if (rows.length > 0) polls.push({ ack, rows });
      return rows;
    };
    await waitFor(async () => (await take('release')).length > 0, 60_000, () => `no records for the first poll${c.logs()}`);
    const released = polls[0]!.rows;
    assert.ok(released.every((r) => r[5] === 1), JSON.stringify(released));
    await waitFor(async () => (await take('reject')).length > 0, 30_000, () => `no records for the second poll${c.logs()}`);
    const done = () => new Set(polls.filter((p) => p.ack !== 'release').flatMap((p) => p.rows.map(value)));
    await waitFor(async () => {
      await take('accept');
      return done().size === COUNT;
    }, 60_000, () => `accepted or rejected ${done().size} of ${COUNT}${c.logs()}`);
    for (let i = 0; i < 3; i++) assert.deepEqual(await take('accept'), [], 'nothing after every record was accepted or rejected');

    // Each released record was delivered once more, with delivery count 2; no other record twice.
    const later = polls.slice(1).flatMap((p) => p.rows);
    for (const r of released) {
      const again = later.filter((s) => place(s) === place(r));
      assert.deepEqual(again.map((s) => s[5]), [2], `released ${place(r)} came back as ${JSON.stringify(again)}`);
    }
    const releasedPlaces = new Set(released.map(place));
    assert.ok(later.filter((r) => !releasedPlaces.has(place(r))).every((r) => r[5] === 1), 'only released records are redelivered');
    assert.equal(later.length, COUNT, `every record accepted or rejected once: ${later.length} deliveries after the release`);
    assert.deepEqual(new Set(later.map(value)), new Set(values));
    const rejected = polls[1]!.rows;
    const rejectedPlaces = new Set(rejected.map(place));
    const afterRejecting = polls.slice(2).flatMap((p) => p.rows).filter((r) => rejectedPlaces.has(place(r)));
    assert.deepEqual(afterRejecting, [], 'rejected records were delivered again');
    t.diagnostic(`released ${released.length}, rejected ${rejected.length}, accepted ${COUNT - rejected.length}`);

    // Accepted and rejected records are done with: a second consumer gets none, the start offset is the end.
    const other = await start(t, 'share-other');
    await other.send(`share-subscribe ${topic} ${group} explicit`);
    await members(admin, group, 2, [c, other]);
    for (let i = 0; i < 3; i++) assert.deepEqual(await sharePoll(other, 300, 'accept'), [], 'a record came back after it was accepted or rejected');
    assert.deepEqual((await startOffsets(admin, group, topic, 1)).offsets, ends);
    await c.send('share-close');
    await other.send('share-close');
  });

  test('share.delivery.count.limit: a record released that many times is archived', async (t) => {
    const admin = await start(t, 'admin');
    const { topic, group, ends } = await setUp(admin, 1, 5, { 'share.delivery.count.limit': '2' });
    const c = await start(t, 'share-limit');
    await c.send(`share-subscribe ${topic} ${group} explicit`);
    const first = await waitFor(async () => { const rows = await sharePoll(c, 500, 'release'); return rows.length > 0 ? rows : undefined; }, 60_000, () => `no records${c.logs()}`);
    const second = await waitFor(async () => { const rows = await sharePoll(c, 500, 'release'); return rows.length > 0 ? rows : undefined; }, 30_000, () => `the released records did not come back${c.logs()}`);
    assert.deepEqual(second.filter((r) => first.some((f) => place(f) === place(r))).map((r) => r[5]), first.map(() => 2), JSON.stringify({ first, second }));
    // Whatever the polls so far had not reached yet: delivered once, accepted.
    const seen = new Set([...first, ...second].map(place));
    const rest: ShareRow[] = [];
    for (let i = 0; i < 6; i++) rest.push(...(await sharePoll(c, 300, 'accept')));
    const back = rest.filter((r) => first.some((f) => place(f) === place(r)));
    assert.deepEqual(back, [], `records released twice (the limit) were delivered a third time: ${JSON.stringify(back)}`);
    assert.ok(rest.every((r) => !seen.has(place(r)) || r[5] === 2), JSON.stringify(rest));
    await waitFor(async () => JSON.stringify((await startOffsets(admin, group, topic, 1)).offsets) === JSON.stringify(ends), 10_000, () => 'the start offset did not move past the archived records');
    await c.send('share-close');
  });

  test('the records a consumer held when it closed without acknowledging go to another consumer at once', async (t) => {
    const COUNT = 20;
    const admin = await start(t, 'admin');
    // A 60 s lock: the records can only come back in time because the holder left.
    const { topic, group, values, ends } = await setUp(admin, 1, COUNT, { 'share.record.lock.duration.ms': '60000' });
    const holder = await start(t, 'share-holder');
    const taker = await start(t, 'share-taker');
    await holder.send(`share-subscribe ${topic} ${group} explicit 5`);
    await taker.send(`share-subscribe ${topic} ${group} explicit`);
    const held = await waitFor(async () => { const rows = await sharePoll(holder, 500, 'none'); return rows.length > 0 ? rows : undefined; }, 60_000, () => `the holder got no records${holder.logs()}`);
    assert.ok(held.every((r) => r[5] === 1), JSON.stringify(held));
    assert.equal(lockMs.get(holder), 60_000, 'the acquisition lock is the group\'s share.record.lock.duration.ms');
    const closedAt = Date.now();
    await holder.send('share-close');

    const got: ShareRow[] = [];
    await waitFor(async () => {
      got.push(...(await sharePoll(taker, 500, 'accept')));
      return new Set(got.map(value)).size === COUNT;
    }, 30_000, () => `the taker received ${new Set(got.map(value)).size} of ${COUNT} (the held ones: ${held.map(place)})${taker.logs()}`);
    t.diagnostic(`the ${held.length} held records came back within ${Date.now() - closedAt} ms of the close`);
    assert.deepEqual(new Set(got.map(value)), new Set(values));
    for (const r of held) {
      const again = got.filter((s) => place(s) === place(r));
      assert.deepEqual(again.map((s) => s[5]), [2], `held ${place(r)} came back as ${JSON.stringify(again)}`);
    }
    assert.deepEqual((await startOffsets(admin, group, topic, 1)).offsets, ends);
    await taker.send('share-close');
  });

  test('Admin: describeShareGroups shows the members; share group offsets listed, refused while members are in, altered and deleted when empty', async (t) => {
    const PARTITIONS = 3;
    const COUNT = 90;
    const admin = await start(t, 'admin');
    const { topic, group, values, ends } = await setUp(admin, PARTITIONS, COUNT);
    assert.deepEqual((await startOffsets(admin, group, topic, PARTITIONS)).offsets, [-1, -1, -1], 'no state before the group fetched');

    const consumers = [await start(t, 'share-1'), await start(t, 'share-2')];
    for (const c of consumers) await c.send(`share-subscribe ${topic} ${group} explicit 20`);
    // The first poll may already return records: accept whatever comes while waiting for both to join.
    const got: ShareRow[] = [];
    let described: Member[] = [];
    await waitFor(async () => {
      for (const c of consumers) got.push(...(await sharePoll(c, 200, 'accept')));
      const d = await admin.send(`describe-share-group ${group}`);
      described = d.members as Member[];
      return d.state === 'Stable' && described.length === 2 && described.every((m) => m.partitions.length === PARTITIONS);
    }, 60_000, () => `describe-share-group: ${JSON.stringify(described)}${consumers.map((c) => c.logs()).join('')}`);
    assert.deepEqual(described.map((m) => m.clientId).sort(), consumers.map((c) => c.label.replace(/^java:/, '')).sort());
    assert.equal(new Set(described.map((m) => m.memberId)).size, 2);
    assert.ok(described.every((m) => m.memberEpoch > 0), JSON.stringify(described));

    await waitFor(async () => {
      for (const c of consumers) got.push(...(await sharePoll(c, 300, 'accept')));
      return new Set(got.map(value)).size === COUNT;
    }, 60_000, () => `received ${got.length} of ${COUNT}`);
    assert.equal(got.length, COUNT, 'each record once');
    assert.deepEqual(new Set(got.map(value)), new Set(values));
    const listed = await startOffsets(admin, group, topic, PARTITIONS);
    assert.deepEqual(listed.offsets, ends, `start offsets past every accepted record: ${JSON.stringify(listed)}`);
    assert.deepEqual(listed.lags, [0, 0, 0], `lags ${JSON.stringify(listed)}`);

    const busy = await admin.call(`alter-share-group-offsets ${group} ${topic} 0=0 1=0 2=0`);
    assert.equal(busy.errorClass, 'org.apache.kafka.common.errors.GroupNotEmptyException', JSON.stringify(busy));
    const busyDelete = await admin.call(`delete-share-group-offsets ${group} ${topic}`);
    assert.equal(busyDelete.errorClass, 'org.apache.kafka.common.errors.GroupNotEmptyException', JSON.stringify(busyDelete));

    for (const c of consumers) await c.send('share-close');
    await waitFor(async () => {
      const d = await admin.send(`describe-share-group ${group}`);
      return d.state === 'Empty' && (d.members as unknown[]).length === 0;
    }, 30_000, () => 'the share group did not empty after both members closed');

    // Back to the start of partition 0: its records are delivered again (to a new member), once each.
    await admin.send(`alter-share-group-offsets ${group} ${topic} 0=0`);
    assert.deepEqual((await startOffsets(admin, group, topic, PARTITIONS)).offsets, [0, ends[1], ends[2]]);
    const again = await start(t, 'share-again');
    await again.send(`share-subscribe ${topic} ${group} explicit`);
    const replayed: ShareRow[] = [];
    await waitFor(async () => {
      replayed.push(...(await sharePoll(again, 300, 'accept')));
      return replayed.length >= ends[0]!;
    }, 60_000, () => `replayed ${replayed.length} of partition 0's ${ends[0]}`);
    for (let i = 0; i < 2; i++) replayed.push(...(await sharePoll(again, 300, 'accept')));
    assert.deepEqual(replayed.map((r) => r[1]).sort((a, b) => a - b), Array.from({ length: ends[0]! }, (_, i) => i), 'partition 0 again, each record once');
    assert.ok(replayed.every((r) => r[0] === 0), 'only partition 0 was reset');
    await again.send('share-close');
    await waitFor(async () => ((await admin.send(`describe-share-group ${group}`)).members as unknown[]).length === 0, 30_000, () => 'the last member did not leave');

    await admin.send(`delete-share-group-offsets ${group} ${topic}`);
    assert.deepEqual((await startOffsets(admin, group, topic, PARTITIONS)).offsets, [-1, -1, -1], 'no state after delete-share-group-offsets');
  });
});
