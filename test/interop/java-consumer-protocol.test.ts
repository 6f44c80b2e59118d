import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { ClientProcess, javaClient } from './build-clients.ts';
import { groupViaApi, unique, waitFor } from './helpers.ts';

/**
 * The new consumer group protocol (KIP-848) with the Apache Kafka Java client 4.4 and
 * `group.protocol=consumer`: members join by ConsumerGroupHeartbeat alone, the coordinator
 * assigns (server-side uniform assignor), a second member takes over partitions incrementally
 * (the first keeps consuming the ones it keeps), committed offsets carry member epochs, and the
 * Admin client describes the group through ConsumerGroupDescribe.
 */

const PARTITIONS = 6;
type Row = [number, number, string, string, string?];

describe('Java client with group.protocol=consumer (KIP-848)', () => {
  let cluster: TestCluster;
  const cleanups: Array<() => unknown> = [];
  before(async () => {
    cluster = await startTestCluster({ after: (fn) => void cleanups.push(fn) });
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  async function start(t: TestContext, id: string, protocol: 'consumer' | 'classic' = 'consumer'): Promise<ClientProcess> {
    const java = await javaClient();
    const proc = await ClientProcess.start({ ...java, env: { ...java.env, INTEROP_CLIENT_PROPERTIES: `group.protocol=${protocol}` } }, cluster.bootstrap, unique(id));
    t.after(() => proc.close());
    return proc;
  }

  /** Polls until the consumers got `total` records together (each record once), then twice more. */
  async function consume(consumers: ClientProcess[], total: number): Promise<Array<{ rows: Row[]; assignment: string[] }>> {
    const got = consumers.map(() => ({ rows: [] as Row[], assignment: [] as string[] }));
    const poll = async () => {
      const answers = await Promise.all(consumers.map((c) => c.send('poll 500')));
      answers.forEach((a, i) => {
        got[i]!.rows.push(...(a.records as Row[]));
        got[i]!.assignment = a.assignment as string[];
      });
    };
    const deadline = Date.now() + 60_000;
    while (got.reduce((n, g) => n + g.rows.length, 0) < total) {
      if (Date.now() > deadline) assert.fail(`received ${got.map((g) => g.rows.length).join(' + ')} of ${total}${consumers.map((c) => c.logs()).join('')}`);
      await poll();
    }
    await poll();
    await poll();
    return got;
  }

  test('two members share a topic; the second takes over partitions without stopping the first; offsets commit with member epochs', async (t) => {
    const topic = unique('kip848');
    const group = unique('kip848-group');
    const producer = await start(t, 'producer');
    await producer.send(`create-topic ${topic} ${PARTITIONS}`);
    await producer.send(`produce ${topic} 300 20 a 0`);

    const first = await start(t, 'member-1');
    await first.send(`subscribe ${topic} ${group}`);
    const alone = await consume([first], 300);
    assert.equal(new Set(alone[0]!.rows.map((r) => r[3])).size, 300, 'each record once');
    assert.equal(alone[0]!.assignment.length, PARTITIONS, 'a lone member gets every partition');
    await first.send('commit');

    const second = await start(t, 'member-2');
    await second.send(`subscribe ${topic} ${group}`);
    // Both keep polling while the coordinator moves partitions: the first gives some up, the second takes them.
    await waitFor(async () => {
      const [a, b] = await Promise.all([first.send('poll 200'), second.send('poll 200')]);
      const owned = [...(a.assignment as string[]), ...(b.assignment as string[])];
      return (a.assignment as string[]).length > 0 && (b.assignment as string[]).length > 0 && new Set(owned).size === PARTITIONS && owned.length === PARTITIONS;
    }, 60_000, () => `the members did not split the partitions${first.logs()}${second.logs()}`);

    await producer.send(`produce ${topic} 300 20 b 300`);
    const split = await consume([first, second], 300);
    const values = split.flatMap((g) => g.rows.map((r) => r[3]));
    assert.equal(values.length, 300, 'nothing delivered twice');
    assert.deepEqual(new Set(values), new Set(Array.from({ length: 300 }, (_, i) => `b-${300 + i}`)));
    const [mine, theirs] = split.map((g) => new Set(g.assignment));
    assert.ok(mine!.size >= 2 && theirs!.size >= 2, `uniform assignment: ${[...mine!]} / ${[...theirs!]}`);
    for (const p of mine!) assert.ok(!theirs!.has(p), `partition ${p} owned twice`);
    await Promise.all([first.send('commit'), second.send('commit')]);

    const view = await groupViaApi(cluster, group);
    assert.ok(view, 'the group is listed by the Management API');
    const described = await producer.send(`describe-group ${group}`);
    assert.equal(described.state, 'Stable', JSON.stringify(described));
    // The server-side assignor's name: a classic group would name the client's (range, cooperative-sticky).
    assert.equal(described.protocol, 'uniform', JSON.stringify(described));
    assert.equal((described.members as unknown[]).length, 2);
    assert.equal((described.members as Array<{ partitions: string[] }>).reduce((n, m) => n + m.partitions.length, 0), PARTITIONS);
    const committed = await first.send(`committed ${topic} ${PARTITIONS}`);
    assert.equal((committed.offsets as number[]).reduce((a, b) => a + b, 0), 600, `committed ${JSON.stringify(committed)}`);

    // The second leaves: the first gets every partition back.
    await second.send('close-consumer');
    await waitFor(async () => ((await first.send('poll 200')).assignment as string[]).length === PARTITIONS, 60_000, () => `the partitions did not come back${first.logs()}`);
  });
});
