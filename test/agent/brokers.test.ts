import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brokersFor, clientZone, leaderFor, type Broker } from '../../src/agent/brokers.ts';

const agent = (nodeId: number, rack: string | null = null): Broker => ({ nodeId, host: `10.0.0.${nodeId}`, port: 9092, rack });

test('every live agent is a broker, once, by node id; an empty registry still answers the agent itself', () => {
  const self = agent(7);
  assert.deepEqual(brokersFor([agent(3), agent(1), agent(3), agent(2)], self, 'client').map((b) => b.nodeId), [1, 2, 3]);
  assert.deepEqual(brokersFor([], self, 'client'), [self]);
});

test('leadership spreads over the agents, and only the partitions of an agent that goes move', () => {
  const three = [agent(1), agent(2), agent(3)];
  const keys = Array.from({ length: 3000 }, (_, i) => `ti_topic/${i}`);
  const before = keys.map((key) => leaderFor(three, key).nodeId);
  const counts = [1, 2, 3].map((id) => before.filter((leader) => leader === id).length);
  for (const count of counts) assert.ok(count > 850 && count < 1150, `uneven spread: ${counts}`);
  // Same answer whatever order the agents come in: every agent computes the same leaders.
  assert.deepEqual(keys.map((key) => leaderFor([...three].reverse(), key).nodeId), before);
  const after = keys.map((key) => leaderFor([agent(1), agent(3)], key).nodeId);
  keys.forEach((_, i) => {
    if (before[i] !== 2) assert.equal(after[i], before[i], 'a partition of a surviving agent moved');
    else assert.ok(after[i] === 1 || after[i] === 3);
  });
});

test("a client naming its zone (warpstream_az) sees that zone's agents, or every agent when the zone has none", () => {
  const live = [agent(1, 'us-east-1a'), agent(2, 'us-east-1b'), agent(3, 'us-east-1a')];
  assert.equal(clientZone('app-1,warpstream_az=us-east-1a'), 'us-east-1a');
  assert.equal(clientZone('warpstream_az=eu-west-1c'), 'eu-west-1c');
  assert.equal(clientZone('my-warpstream_az=x'), undefined);
  assert.equal(clientZone('consumer-1'), undefined);
  assert.deepEqual(brokersFor(live, live[0]!, 'svc,warpstream_az=us-east-1a').map((b) => b.nodeId), [1, 3]);
  assert.deepEqual(brokersFor(live, live[0]!, 'svc,warpstream_az=us-east-1b').map((b) => b.nodeId), [2]);
  assert.deepEqual(brokersFor(live, live[0]!, 'svc,warpstream_az=ap-south-1a').map((b) => b.nodeId), [1, 2, 3]);
});
