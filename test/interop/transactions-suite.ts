import assert from 'node:assert/strict';
import { before, describe, test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestCluster } from '../helpers/cluster.ts';
import { suiteCluster, interopCacheDir, type Answer, type ClientCommand, type ClientProcess } from './build-clients.ts';
import {
  KEYS,
  PARTITIONS,
  allPartitions,
  assertCommittedViaApi,
  assertConsumed,
  assertDeliveries,
  assertKeyStability,
  createTopicViaApi,
  records,
  unique,
  waitFor,
  type PartitionOffsets,
  type Placed,
} from './helpers.ts';

/**
 * Kafka transactions (KIP-98) through real clients' own transactional APIs — the Java client's
 * KafkaProducer, franz-go's kgo, librdkafka through confluent-kafka — driven by their programs'
 * txn-* commands (test/interop/java, test/interop/go, test/interop/python/confluent_interactive.py).
 * Every scenario reads the outcome back with the same client's consumers at both isolation
 * levels, and asserts exact records, offsets and committed offsets:
 *
 * 1. commit — records of one transaction over two topics × six partitions are invisible to a
 *    read_committed consumer while it is open (the last stable offset stays at its first offset,
 *    0) although a read_uncommitted one gets all of them; after the commit the read_committed
 *    consumer gets every one exactly once, in offset order per partition, and each partition
 *    the transaction wrote ends one control record (the commit marker) past its last record.
 * 2. abort — an aborted transaction's records are never delivered at read_committed, neither to a
 *    consumer that was reading while they were written nor to one reading the history later; a
 *    transaction committed after it on the same partitions is (read_committed skips exactly the
 *    aborted data); read_uncommitted gets both.
 * 3. zombie fencing — producer B calling initTransactions with producer A's transactional id
 *    aborts A's open transaction and fences A: A's next call (a produce, or the commit) fails with
 *    the client's fenced error, none of A's records reach read_committed, and B then commits.
 * 4. consume-transform-produce — a group member (read_committed) consumes, produces the
 *    transformed records and sends the consumed offsets in the same transaction (with its
 *    generation and member id, where the client exposes them): after the commit the group's
 *    committed offsets are the input's ends (as the clients and the Management API see them);
 *    an aborted attempt moves neither the committed offsets nor read_committed's view of the
 *    output; offsets sent in a transaction are not the group's committed offsets while it is open;
 *    the retried transaction commits both, and a new member of the group resumes there.
 * 5. a transaction left open holds read_committed back: a later transaction of another id,
 *    committed on the same partitions, is not delivered while it is open (the last stable offset
 *    stays at its first offset); once it is past its transaction.timeout.ms the broker aborts it
 *    on its own (nobody calls anything), the later transaction is delivered and the expired
 *    records never are (their abort marker comes after the later commit marker), and the late
 *    commit fails with the fenced (or invalid-epoch) error.
 * 6. a transaction timeout above the broker's transaction.max.timeout.ms (15 minutes, Kafka's
 *    default) is refused at initTransactions with INVALID_TRANSACTION_TIMEOUT, not a hang.
 */

/** How one client names the errors the scenarios expect (each list: the accepted alternatives). */
export interface TransactionDialect {
  /** The client's own names for an error answer (an exception class chain, a Kafka error name). */
  errorKinds(answer: Answer): string[];
  /** Fenced: another producer took the transactional id, or the coordinator bumped the epoch. */
  fenced: string[];
  /**
   * What the commit of a producer whose produce was just fenced fails with: the fenced error, or
   * the client's own refusal to attempt a commit after that failure.
   */
  commitAfterFencedProduce: string[];
  /** initTransactions with a timeout above the broker's maximum. */
  invalidTimeout: string[];
  /** What txn-send-offsets reports of the group metadata it sent. */
  reportsGeneration: boolean;
  reportsMemberId: boolean;
}

/** A polled record: where it lives, and in which topic. */
interface Got extends Placed {
  topic: string;
}

type Row = [number, number, string, string, string];

const TXN_TIMEOUT_MS = 60_000;

/** One control record (a commit or abort marker) after the last record of each partition written. */
function pastMarkers(watermarks: PartitionOffsets): PartitionOffsets {
  const out: PartitionOffsets = {};
  for (const [p, o] of Object.entries(watermarks)) out[Number(p)] = o + 1;
  return out;
}

/** Per partition 0..PARTITIONS-1, the offset after the last record of `items` (-1 when none), as `group-offsets` answers. */
function endsOf(items: Placed[]): number[] {
  const ends = Array<number>(PARTITIONS).fill(-1);
  for (const r of items) ends[r.partition] = Math.max(ends[r.partition]!, r.offset + 1);
  return ends;
}

/** `PARTITION=OFFSET` words for the partitions `ends` has. */
function offsetWords(ends: number[]): string {
  return ends.flatMap((o, p) => (o === -1 ? [] : [`${p}=${o}`])).join(' ');
}

/**
 * `got` is exactly `expected` (topic → its delivery reports): per topic the same records, each
 * once, at the partitions and offsets delivered, in offset order per partition; no other topic.
 */
function assertExactly(got: Got[], expected: Record<string, Placed[]>, label: string): void {
  const strays = got.filter((g) => !(g.topic in expected));
  assert.deepEqual(strays, [], `${label}: records of topics not expected`);
  for (const [topic, deliveries] of Object.entries(expected)) {
    assertConsumed(deliveries, got.filter((g) => g.topic === topic), `${label} (${topic})`);
  }
}

/** No record of `got` has one of the values of `forbidden`. */
function assertNone(got: Got[], forbidden: Placed[], label: string): void {
  const values = new Set(forbidden.map((f) => f.value));
  const leaked = got.filter((g) => values.has(g.value)).map((g) => `${g.topic}/${g.partition}@${g.offset} ${g.value}`);
  assert.deepEqual(leaked.slice(0, 20), [], `${label}: ${leaked.length} records delivered that must not be`);
}

export function defineTransactionSuite(name: string, build: () => Promise<ClientCommand>, dialect: TransactionDialect, options: { skip?: string | false } = {}): void {
  describe(name, { skip: options.skip ?? false }, () => {
    const suite = suiteCluster(build);
    let cluster: TestCluster;
    before(() => {
      cluster = suite.cluster();
    });
    const client = suite.client;

    /** A consumer without a group, from the beginning of every partition of `topics`. */
    async function reader(t: TestContext, topics: string[], isolation: 'read_committed' | 'read_uncommitted'): Promise<ClientProcess> {
      const proc = await client(t, isolation === 'read_committed' ? 'rc' : 'ru');
      const answer = await proc.send(`assign ${topics.join(',')} ${PARTITIONS} ${isolation}`);
      assert.equal(answer.assigned.length, topics.length * PARTITIONS, `${proc.label}: ${JSON.stringify(answer)}`);
      return proc;
    }

    async function topics(...names: string[]): Promise<void> {
      for (const topic of names) await createTopicViaApi(cluster, topic, PARTITIONS);
    }

    /** Records `count` of the produce scheme, in the open transaction; answers them as delivered. */
    async function produceTxn(proc: ClientProcess, topic: string, prefix: string, count: number, start = 0): Promise<Placed[]> {
      const sent = records(prefix, count, start);
      const answer = await proc.send(`txn-produce ${topic} ${count} ${KEYS} ${prefix} ${start}`);
      const acks = answer.acks as Array<[number, number]>;
      assert.equal(acks.length, count, `${proc.label}: ${acks.length} delivery reports for ${count} records`);
      return sent.map((s, i) => ({ ...s, partition: acks[i]![0], offset: acks[i]![1] }));
    }

    /** A plain (idempotent, not transactional) produce. */
    async function produce(proc: ClientProcess, topic: string, prefix: string, count: number, start = 0): Promise<Placed[]> {
      const sent = records(prefix, count, start);
      const acks = (await proc.send(`produce ${topic} ${count} ${KEYS} ${prefix} ${start}`)).acks as Array<[number, number]>;
      assert.equal(acks.length, count, `${proc.label}: ${acks.length} delivery reports for ${count} records`);
      return sent.map((s, i) => ({ ...s, partition: acks[i]![0], offset: acks[i]![1] }));
    }

    /**
     * Polls every consumer (all at once) until each has at least its `want` records, then twice
     * more: whatever else arrives is a duplicate or a stray and fails the exact checks after. A
     * consumer that wants 0 is polled alongside the others: it must stay empty while they fill.
     */
    async function consumeUntil(wants: Array<[ClientProcess, number]>, label: string): Promise<Got[][]> {
      const got = wants.map((): Got[] => []);
      const pollAll = async () => {
        const answers = await Promise.all(wants.map(([proc]) => proc.send('poll 300')));
        answers.forEach((a, i) => got[i]!.push(...(a.records as Row[]).map(([partition, offset, key, value, topic]) => ({ partition, offset, key, value, topic }))));
      };
      const deadline = Date.now() + 30_000;
      while (wants.some(([, want], i) => got[i]!.length < want)) {
        if (Date.now() > deadline) {
          assert.fail(`${label}: received ${got.map((g, i) => `${g.length}/${wants[i]![1]}`).join(', ')} records in 30 s${wants.map(([p]) => p.logs()).join('')}`);
        }
        await pollAll();
      }
      await pollAll();
      await pollAll();
      return got;
    }

    /** Asserts `answer` failed with one of `kinds` (the client's own names for it); notes what it was. */
    function assertKind(t: TestContext, answer: Answer, kinds: string[], label: string): void {
      assert.equal(typeof answer.error, 'string', `${label}: expected an error, got ${JSON.stringify(answer)}`);
      const named = dialect.errorKinds(answer);
      t.diagnostic(`${label}: ${JSON.stringify(named)}`);
      assert.ok(named.some((k) => kinds.includes(k)), `${label}: failed with ${JSON.stringify(named)}, expected one of ${JSON.stringify(kinds)}: ${JSON.stringify(answer)}`);
    }

    /** Waits (10 s at most) for `group-offsets` to answer `expected`. */
    async function awaitGroupOffsets(admin: ClientProcess, group: string, topic: string, expected: number[], label: string): Promise<void> {
      let last: unknown;
      await waitFor(
        async () => {
          last = (await admin.send(`group-offsets ${group} ${topic} ${PARTITIONS}`)).offsets;
          return JSON.stringify(last) === JSON.stringify(expected);
        },
        10_000,
        () => `${label}: group ${group} committed ${JSON.stringify(last)} on ${topic}, expected ${JSON.stringify(expected)}`,
      );
    }

    test('builds the client program', async (t) => {
      const built = await build();
      t.diagnostic(built.buildMs ? `${built.name}: built in ${built.buildMs} ms` : `${built.name}: nothing built in this run (a cached build in ${interopCacheDir()}, or none needed)`);
    });

    test('commit: a transaction over two topics is invisible to read_committed until committed, then delivered exactly once', { timeout: 120_000 }, async (t) => {
      const N = 300;
      const [a, b] = [unique('txn-commit-a'), unique('txn-commit-b')];
      await topics(a, b);
      const committed = await reader(t, [a, b], 'read_committed');
      const uncommitted = await reader(t, [a, b], 'read_uncommitted');
      const producer = await client(t, 'producer');
      t.diagnostic(`${producer.label} version ${producer.version}`);
      const opened = await producer.send(`txn-producer ${unique('tid')} ${TXN_TIMEOUT_MS}`);
      assert.equal(opened.timeoutMs, TXN_TIMEOUT_MS, JSON.stringify(opened));
      await producer.send('txn-begin');
      const inA = await produceTxn(producer, a, 'a', N);
      const inB = await produceTxn(producer, b, 'b', N);
      const wa = assertDeliveries(records('a', N), inA, `${a} delivery reports`);
      const wb = assertDeliveries(records('b', N), inB, `${b} delivery reports`);
      assert.ok(Object.keys(wa).length >= 4 && Object.keys(wb).length >= 4, `${KEYS} keys used only partitions ${Object.keys(wa)} / ${Object.keys(wb)}`);

      // Open: read_uncommitted gets everything, read_committed (polled as long) nothing.
      const [rcOpen, ruOpen] = await consumeUntil([[committed, 0], [uncommitted, 2 * N]], 'while the transaction is open');
      assertExactly(ruOpen!, { [a]: inA, [b]: inB }, 'read_uncommitted while the transaction is open');
      assert.deepEqual(rcOpen, [], 'read_committed received records of an open transaction');
      for (const [topic, w] of [[a, wa], [b, wb]] as const) {
        assert.deepEqual((await committed.send(`end-offsets ${topic} ${PARTITIONS}`)).offsets, Array(PARTITIONS).fill(0), `read_committed end offsets (last stable offsets) of ${topic} while its transaction is open`);
        assert.deepEqual((await uncommitted.send(`end-offsets ${topic} ${PARTITIONS}`)).offsets, Object.values(allPartitions(w)), `read_uncommitted end offsets (high watermarks) of ${topic} while its transaction is open`);
      }

      assert.deepEqual(await producer.send('txn-commit'), { committed: true });
      const [rcDone, ruDone] = await consumeUntil([[committed, 2 * N], [uncommitted, 0]], 'after the commit');
      assertExactly(rcDone!, { [a]: inA, [b]: inB }, 'read_committed after the commit');
      assert.deepEqual(ruDone, [], 'read_uncommitted received more after the commit (a control record handed out as data?)');
      for (const [topic, w] of [[a, wa], [b, wb]] as const) {
        const ends = Object.values(allPartitions(pastMarkers(w)));
        let last: unknown;
        await waitFor(
          async () => JSON.stringify((last = (await committed.send(`end-offsets ${topic} ${PARTITIONS}`)).offsets)) === JSON.stringify(ends),
          10_000,
          () => `read_committed end offsets of ${topic} after the commit: ${JSON.stringify(last)}, expected ${JSON.stringify(ends)} (one commit marker past each partition written)`,
        );
        assert.deepEqual((await uncommitted.send(`end-offsets ${topic} ${PARTITIONS}`)).offsets, ends, `read_uncommitted end offsets of ${topic} after the commit`);
      }
    });

    test('abort: read_committed skips exactly the aborted transaction, live and from history; read_uncommitted gets both', { timeout: 120_000 }, async (t) => {
      const N = 200;
      const topic = unique('txn-abort');
      await topics(topic);
      const live = await reader(t, [topic], 'read_committed');
      const producer = await client(t, 'producer');
      await producer.send(`txn-producer ${unique('tid')} ${TXN_TIMEOUT_MS}`);

      await producer.send('txn-begin');
      const aborted = await produceTxn(producer, topic, 'x', N);
      const wx = assertDeliveries(records('x', N), aborted, 'aborted transaction delivery reports');
      const keyHome = assertKeyStability(aborted, 'aborted transaction');
      assert.deepEqual(await producer.send('txn-abort'), { aborted: true });

      await producer.send('txn-begin');
      const kept = await produceTxn(producer, topic, 'y', N, N);
      // The same keys, so the same partitions, each past the abort marker.
      assertDeliveries(records('y', N, N), kept, 'committed transaction delivery reports', { from: pastMarkers(wx), keyHome });
      await producer.send('txn-commit');

      const history = await reader(t, [topic], 'read_committed');
      const everything = await reader(t, [topic], 'read_uncommitted');
      const [liveGot, historyGot, allGot] = await consumeUntil([[live, N], [history, N], [everything, 2 * N]], 'after abort and commit');
      for (const [got, label] of [[liveGot!, 'read_committed (reading while written)'], [historyGot!, 'read_committed (reading the history)']] as const) {
        assertNone(got, aborted, `${label}: aborted records`);
        assertExactly(got, { [topic]: kept }, label);
      }
      assertExactly(allGot!, { [topic]: [...aborted, ...kept] }, 'read_uncommitted');
    });

    for (const next of ['produce', 'commit'] as const) {
      test(`zombie fencing: initTransactions by a second producer with the same transactional id fences the first (its next ${next} fails)`, { timeout: 120_000 }, async (t) => {
        const N = 30;
        const topic = unique('txn-zombie');
        await topics(topic);
        const id = unique('tid');
        const zombie = await client(t, 'zombie');
        await zombie.send(`txn-producer ${id} ${TXN_TIMEOUT_MS}`);
        await zombie.send('txn-begin');
        const written = await produceTxn(zombie, topic, 'z', N);
        const wz = assertDeliveries(records('z', N), written, 'zombie delivery reports');

        const successor = await client(t, 'successor');
        await successor.send(`txn-producer ${id} ${TXN_TIMEOUT_MS}`);

        if (next === 'produce') {
          assertKind(t, await zombie.call(`txn-produce ${topic} ${N} ${KEYS} z ${N}`), dialect.fenced, 'the fenced producer producing');
          assertKind(t, await zombie.call('txn-commit'), dialect.commitAfterFencedProduce, 'the fenced producer committing after its produce failed');
        } else {
          assertKind(t, await zombie.call('txn-commit'), dialect.fenced, 'the fenced producer committing');
        }

        await successor.send('txn-begin');
        const kept = await produceTxn(successor, topic, 's', N);
        // The fencing aborted the zombie's transaction (one abort marker per partition) before
        // the successor's initTransactions returned.
        assertDeliveries(records('s', N), kept, 'successor delivery reports', { from: pastMarkers(wz) });
        assert.deepEqual(await successor.send('txn-commit'), { committed: true });

        const committed = await reader(t, [topic], 'read_committed');
        const uncommitted = await reader(t, [topic], 'read_uncommitted');
        const [rc, ru] = await consumeUntil([[committed, N], [uncommitted, 2 * N]], 'after the successor committed');
        assertNone(rc!, written, 'read_committed: the fenced producer\'s records');
        assertExactly(rc!, { [topic]: kept }, 'read_committed');
        assertExactly(ru!, { [topic]: [...written, ...kept] }, 'read_uncommitted (the fenced producer wrote nothing after being fenced)');
      });
    }

    test('consume-transform-produce: offsets sent in the transaction commit with it, and stay put when it aborts', { timeout: 120_000 }, async (t) => {
      const [N1, N2] = [60, 40];
      const [input, output] = [unique('txn-in'), unique('txn-out')];
      const group = unique('txn-group');
      await topics(input, output);
      const source = await client(t, 'source');
      const first = await produce(source, input, 'in', N1);
      const win1 = assertDeliveries(records('in', N1), first, 'input delivery reports');
      const keyHome = assertKeyStability(first, 'input');

      const processor = await client(t, 'processor');
      await processor.send(`subscribe ${input} ${group} read_committed`);
      const [consumed1] = await consumeUntil([[processor, N1]], 'processor, first input');
      assertExactly(consumed1!, { [input]: first }, 'processor, first input');
      const ends1 = endsOf(consumed1!);
      assert.deepEqual(ends1, Object.values(allPartitions(win1)).map((o) => (o === 0 ? -1 : o)), 'the consumed ends are the input high watermarks');
      await processor.send(`txn-producer ${unique('tid')} ${TXN_TIMEOUT_MS}`);

      /** One transaction: the transformed records (key kept, value `<prefix>-<i>`) and the consumed offsets. */
      /**
       * One transaction: the transformed records (key kept, value `<prefix>-<i>`) and the consumed
       * offsets, left open; the group's committed offsets stay `before` meanwhile.
       */
      const transact = async (prefix: string, count: number, start: number, ends: number[], before: number[]): Promise<Placed[]> => {
        await processor.send('txn-begin');
        const out = await produceTxn(processor, output, prefix, count, start);
        const sent = await processor.send(`txn-send-offsets ${group} ${input} ${offsetWords(ends)}`);
        assert.equal(sent.sent, true, JSON.stringify(sent));
        if (dialect.reportsGeneration) assert.ok(Number(sent.generation) >= 1, `the offsets went without the member's generation: ${JSON.stringify(sent)}`);
        if (dialect.reportsMemberId) assert.ok(typeof sent.memberId === 'string' && sent.memberId.length > 0, `the offsets went without the member id: ${JSON.stringify(sent)}`);
        assert.deepEqual((await source.send(`group-offsets ${group} ${input} ${PARTITIONS}`)).offsets, before, 'committed offsets while the transaction that sent offsets is open');
        return out;
      };

      const out1 = await transact('out', N1, 0, ends1, Array(PARTITIONS).fill(-1));
      const wout1 = assertDeliveries(records('out', N1), out1, 'first output delivery reports', { keyHome });
      await processor.send('txn-commit');
      await awaitGroupOffsets(source, group, input, ends1, 'after the first commit');
      await assertCommittedViaApi(cluster, group, input, win1, win1);

      const second = await produce(source, input, 'in', N2, N1);
      const win2 = assertDeliveries(records('in', N2, N1), second, 'second input delivery reports', { from: win1, keyHome });
      const [consumed2] = await consumeUntil([[processor, N2]], 'processor, second input');
      assertExactly(consumed2!, { [input]: second }, 'processor, second input');
      const ends2 = endsOf([...consumed1!, ...consumed2!]);

      const lost = await transact('lost', N2, N1, ends2, ends1);
      const wlost = assertDeliveries(records('lost', N2, N1), lost, 'aborted output delivery reports', { from: pastMarkers(wout1), keyHome });
      await processor.send('txn-abort');
      // The aborted offsets must never show: watch them for 2 s (a broker that applied them
      // late would show them within that).
      const watchUntil = Date.now() + 2_000;
      while (Date.now() < watchUntil) {
        assert.deepEqual((await source.send(`group-offsets ${group} ${input} ${PARTITIONS}`)).offsets, ends1, 'committed offsets after the aborted transaction');
        await sleep(200);
      }
      await assertCommittedViaApi(cluster, group, input, win1, win2);

      const out2 = await transact('out', N2, N1, ends2, ends1);
      assertDeliveries(records('out', N2, N1), out2, 'retried output delivery reports', { from: pastMarkers(wlost), keyHome });
      await processor.send('txn-commit');
      await awaitGroupOffsets(source, group, input, ends2, 'after the retried commit');
      assert.deepEqual((await processor.send(`committed ${input} ${PARTITIONS}`)).offsets, ends2, 'the processor\'s own view of its committed offsets');
      await assertCommittedViaApi(cluster, group, input, win2, win2);

      const committed = await reader(t, [output], 'read_committed');
      const [rc] = await consumeUntil([[committed, N1 + N2]], 'read_committed output');
      assertNone(rc!, lost, 'read_committed output: the aborted attempt');
      assertExactly(rc!, { [output]: [...out1, ...out2] }, 'read_committed output');

      // A new member of the group (the processor restarted) resumes at the transactionally
      // committed offsets: it gets the next input only.
      await processor.send('close-consumer');
      const third = await produce(source, input, 'in', N2, N1 + N2);
      assertDeliveries(records('in', N2, N1 + N2), third, 'third input delivery reports', { from: win2, keyHome });
      const restarted = await client(t, 'restarted');
      await restarted.send(`subscribe ${input} ${group} read_committed`);
      const [resumed] = await consumeUntil([[restarted, N2]], 'restarted member');
      assertExactly(resumed!, { [input]: third }, 'the restarted member (resuming at the committed offsets)');
    });

    test('a transaction left open past its timeout holds read_committed back until the broker aborts it; the late commit is fenced', { timeout: 120_000 }, async (t) => {
      const N = 20;
      const TIMEOUT_MS = 6_000;
      const topic = unique('txn-expired');
      await topics(topic);
      // Everything started first: the checks before the expiry must fit in TIMEOUT_MS.
      const slow = await client(t, 'slow');
      const next = await client(t, 'next');
      const committed = await reader(t, [topic], 'read_committed');
      await slow.send(`txn-producer ${unique('tid')} ${TIMEOUT_MS}`);
      await next.send(`txn-producer ${unique('tid')} ${TXN_TIMEOUT_MS}`);

      await slow.send('txn-begin');
      const opened = Date.now();
      const expired = await produceTxn(slow, topic, 'e', N);
      const we = assertDeliveries(records('e', N), expired, 'expiring transaction delivery reports');
      const keyHome = assertKeyStability(expired, 'expiring transaction');
      // Another transactional id commits on the same partitions (the same keys), after the open one.
      await next.send('txn-begin');
      const kept = await produceTxn(next, topic, 'k', N);
      const wk = assertDeliveries(records('k', N), kept, 'next transaction delivery reports', { from: we, keyHome });
      await next.send('txn-commit');
      const [held] = await consumeUntil([[committed, 0]], 'while the expiring transaction is open');
      assert.deepEqual(held, [], 'read_committed read past a transaction still open (the last stable offset is its first offset)');
      assert.deepEqual((await committed.send(`end-offsets ${topic} ${PARTITIONS}`)).offsets, Array(PARTITIONS).fill(0), 'read_committed end offsets while the expiring transaction is open');
      assert.ok(Date.now() - opened < TIMEOUT_MS, `the checks of the open transaction took ${Date.now() - opened} ms, past its ${TIMEOUT_MS} ms timeout: they prove nothing`);

      // Nobody touches the expired transaction: the broker alone must abort it, which lets the
      // later commit through and skips the expired records (their abort marker comes after it).
      const [rc] = await consumeUntil([[committed, N]], 'after the expiry');
      t.diagnostic(`read_committed got the later transaction ${Date.now() - opened} ms after the expiring one began (timeout ${TIMEOUT_MS} ms)`);
      assertNone(rc!, expired, 'read_committed: the expired transaction');
      assertExactly(rc!, { [topic]: kept }, 'read_committed');
      assertKind(t, await slow.call('txn-commit'), dialect.fenced, 'committing a transaction past its timeout');

      // Each partition ends with the commit marker of the later transaction, then the abort marker.
      const ends = Object.values(allPartitions(pastMarkers(pastMarkers(wk))));
      let last: unknown;
      await waitFor(
        async () => JSON.stringify((last = (await committed.send(`end-offsets ${topic} ${PARTITIONS}`)).offsets)) === JSON.stringify(ends),
        10_000,
        () => `read_committed end offsets after the expiry: ${JSON.stringify(last)}, expected ${JSON.stringify(ends)} (a commit and an abort marker past each partition)`,
      );
      const uncommitted = await reader(t, [topic], 'read_uncommitted');
      const [ru] = await consumeUntil([[uncommitted, 2 * N]], 'read_uncommitted after the expiry');
      assertExactly(ru!, { [topic]: [...expired, ...kept] }, 'read_uncommitted');
    });

    test('initTransactions with a timeout above transaction.max.timeout.ms is refused with INVALID_TRANSACTION_TIMEOUT', { timeout: 60_000 }, async (t) => {
      const producer = await client(t, 'producer');
      assertKind(t, await producer.call(`txn-producer ${unique('tid')} 3600000`), dialect.invalidTimeout, 'a one-hour transaction timeout');
      // The refusal left the program able to make a producer with a valid timeout.
      await producer.send(`txn-producer ${unique('tid')} ${TXN_TIMEOUT_MS}`);
    });
  });
}
