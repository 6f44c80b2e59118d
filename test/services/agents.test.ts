import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AGENT_LIVENESS_MS,
  deregisterAgent,
  heartbeatAgent,
  listLiveAgents,
  purgeDeadAgents,
  registerAgent,
  type AgentRegistration,
} from '../../src/control-plane/services/agents.ts';
import { acquireJobLease, JOB_LEASE_TTL_MS, releaseJobLease } from '../../src/control-plane/services/job-leases.ts';
import { ApiError } from '../../src/errors.ts';
import { idPattern } from '../helpers/api.ts';
import { startTestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';

/**
 * The agent registry (services/agents.ts: registration, heartbeats, the liveness rule, the
 * describe_virtual_cluster view) and job leases (services/job-leases.ts).
 */

const JOBS_AGENT: AgentRegistration = { host: '10.1.2.3', port: 9092, roles: ['proxy', 'jobs', 'jobs'], version: '0.1.0', availability_zone: 'az-1' };
const NOW = 1_800_000_000_000;

function refusedWith(status: number, code?: string) {
  return (error: unknown) => error instanceof ApiError && error.status === status && (code === undefined || error.code === code);
}

for (const kind of storeKinds()) {
  describe(`agents and job leases (${kind.kind})`, () => {
    test('register, heartbeat, live while heartbeating, re-register when forgotten, deregister', async (t) => {
      const p = await startTestPlatform(kind, t);
      const vc = p.boot.virtual_cluster_id;
      const first = await registerAgent(p.store, vc, JOBS_AGENT, NOW);
      assert.match(first.id, idPattern('agi_'));
      assert.deepEqual(first, { ...JOBS_AGENT, id: first.id, roles: ['proxy', 'jobs'], virtual_cluster_id: vc, started_at: NOW, last_heartbeat_at: NOW });
      const named = await registerAgent(p.store, vc, { ...JOBS_AGENT, id: 'agent-7', roles: ['proxy'], availability_zone: undefined }, NOW + 10);
      assert.equal(named.availability_zone, null);

      assert.deepEqual((await listLiveAgents(p.store, vc, NOW + 10)).map((a) => a.id), [first.id, 'agent-7']);
      assert.equal(await heartbeatAgent(p.store, vc, 'agent-7', NOW + AGENT_LIVENESS_MS), true);
      // The first agent's last heartbeat is now exactly AGENT_LIVENESS_MS old: dead.
      assert.deepEqual((await listLiveAgents(p.store, vc, NOW + AGENT_LIVENESS_MS)).map((a) => a.id), ['agent-7']);
      assert.equal(await purgeDeadAgents(p.store, vc, NOW + AGENT_LIVENESS_MS), 1);
      assert.equal(await heartbeatAgent(p.store, vc, first.id, NOW + AGENT_LIVENESS_MS), false, 'forgotten: it must register again');
      const back = await registerAgent(p.store, vc, { ...JOBS_AGENT, id: first.id }, NOW + AGENT_LIVENESS_MS + 1);
      assert.equal(back.started_at, NOW + AGENT_LIVENESS_MS + 1);
      assert.equal((await listLiveAgents(p.store, vc, NOW + AGENT_LIVENESS_MS + 1)).length, 2);

      assert.equal(await deregisterAgent(p.store, vc, 'agent-7'), true);
      assert.equal(await deregisterAgent(p.store, vc, 'agent-7'), false);
      assert.deepEqual((await listLiveAgents(p.store, vc, NOW + AGENT_LIVENESS_MS + 1)).map((a) => a.id), [first.id]);
    });

    test('registrations are validated, and an id cannot move to another cluster', async (t) => {
      const p = await startTestPlatform(kind, t);
      const vc = p.boot.virtual_cluster_id;
      const bad: AgentRegistration[] = [
        { ...JOBS_AGENT, host: '' },
        { ...JOBS_AGENT, port: 0 },
        { ...JOBS_AGENT, port: 65_536 },
        { ...JOBS_AGENT, roles: [] },
        { ...JOBS_AGENT, roles: ['proxy', 'broker'] },
        { ...JOBS_AGENT, version: '' },
        { ...JOBS_AGENT, id: 'has spaces' },
      ];
      for (const registration of bad) await assert.rejects(registerAgent(p.store, vc, registration, NOW), refusedWith(400, 'INVALID_AGENT'), JSON.stringify(registration));
      const created = await p.call('/api/v1/create_virtual_cluster', {
        virtual_cluster_name: 'other',
        virtual_cluster_type: 'byoc',
        virtual_cluster_region: 'us-east-1',
        virtual_cluster_cloud_provider: 'aws',
        virtual_cluster_tier: 'dev',
      });
      await registerAgent(p.store, vc, { ...JOBS_AGENT, id: 'shared-id' }, NOW);
      await assert.rejects(registerAgent(p.store, created.body.virtual_cluster_id, { ...JOBS_AGENT, id: 'shared-id' }, NOW), refusedWith(409, 'AGENT_ID_TAKEN'));
      assert.equal(await heartbeatAgent(p.store, created.body.virtual_cluster_id, 'shared-id', NOW), false);
      assert.deepEqual(await listLiveAgents(p.store, vc, NOW), [await p.store.getAgent(vc, 'shared-id')]);
    });

    test('describe_virtual_cluster lists the live agents', async (t) => {
      const p = await startTestPlatform(kind, t);
      const vc = p.boot.virtual_cluster_id;
      const live = await registerAgent(p.store, vc, { ...JOBS_AGENT, id: 'live-one' }, Date.now());
      await registerAgent(p.store, vc, { ...JOBS_AGENT, id: 'dead-one' }, Date.now() - AGENT_LIVENESS_MS - 1);
      const described = await p.call('/api/v1/describe_virtual_cluster', { virtual_cluster_id: vc });
      assert.equal(described.status, 200, described.text);
      assert.deepEqual(described.body.virtual_cluster.agents, [
        {
          id: 'live-one',
          host: '10.1.2.3',
          port: 9092,
          roles: ['proxy', 'jobs'],
          version: '0.1.0',
          availability_zone: 'az-1',
          started_at: new Date(live.started_at).toISOString(),
          last_heartbeat_at: new Date(live.last_heartbeat_at).toISOString(),
        },
      ]);
      const listed = await p.call('/api/v1/list_virtual_clusters', {});
      assert.equal(listed.body.virtual_clusters[0].agents, undefined, 'only describe_virtual_cluster answers agents');
    });

    test('job leases: one live jobs agent at a time; renewed by it, taken over after it expires, released', async (t) => {
      const p = await startTestPlatform(kind, t);
      const vc = p.boot.virtual_cluster_id;
      const a = await registerAgent(p.store, vc, { ...JOBS_AGENT, id: 'a' }, NOW);
      const b = await registerAgent(p.store, vc, { ...JOBS_AGENT, id: 'b' }, NOW);
      await registerAgent(p.store, vc, { ...JOBS_AGENT, id: 'proxy-only', roles: ['proxy'] }, NOW);

      assert.deepEqual(await acquireJobLease(p.store, vc, 'retention', a.id, NOW), { acquired: true, holder: 'a', expires_at: NOW + JOB_LEASE_TTL_MS });
      assert.deepEqual(await acquireJobLease(p.store, vc, 'retention', b.id, NOW + 1), { acquired: false, holder: 'a', expires_at: NOW + JOB_LEASE_TTL_MS });
      assert.deepEqual(await acquireJobLease(p.store, vc, 'retention', a.id, NOW + 3_000), { acquired: true, holder: 'a', expires_at: NOW + 3_000 + JOB_LEASE_TTL_MS });

      await assert.rejects(acquireJobLease(p.store, vc, 'retention', 'proxy-only', NOW), refusedWith(400, 'INVALID_JOB'));
      await assert.rejects(acquireJobLease(p.store, vc, 'retention', 'nobody', NOW), refusedWith(404, 'AGENT_NOT_REGISTERED'));
      await assert.rejects(acquireJobLease(p.store, vc, 'Not A Job', a.id, NOW), refusedWith(400, 'INVALID_JOB'));
      // An agent that stopped heartbeating may not take a lease, even an expired one.
      await assert.rejects(acquireJobLease(p.store, vc, 'compaction', b.id, NOW + AGENT_LIVENESS_MS), refusedWith(404, 'AGENT_NOT_REGISTERED'));

      // a goes silent; b keeps heartbeating and takes the lease once a's has expired.
      const expiry = NOW + 3_000 + JOB_LEASE_TTL_MS;
      await heartbeatAgent(p.store, vc, b.id, expiry - 1);
      assert.equal((await acquireJobLease(p.store, vc, 'retention', b.id, expiry - 1)).acquired, false);
      await heartbeatAgent(p.store, vc, b.id, expiry);
      assert.deepEqual(await acquireJobLease(p.store, vc, 'retention', b.id, expiry), { acquired: true, holder: 'b', expires_at: expiry + JOB_LEASE_TTL_MS });

      assert.equal(await releaseJobLease(p.store, vc, 'retention', a.id), false, 'not the holder any more');
      assert.equal(await releaseJobLease(p.store, vc, 'retention', b.id), true);
      await registerAgent(p.store, vc, { ...JOBS_AGENT, id: 'a' }, expiry + 1);
      assert.equal((await acquireJobLease(p.store, vc, 'retention', a.id, expiry + 1)).acquired, true, 'free at once after a release');
    });

    test('job leases: agents racing for a free lease, exactly one wins', async (t) => {
      const p = await startTestPlatform(kind, t);
      const vc = p.boot.virtual_cluster_id;
      const ids = ['r1', 'r2', 'r3', 'r4', 'r5'];
      for (const id of ids) await registerAgent(p.store, vc, { ...JOBS_AGENT, id }, NOW);
      for (let round = 0; round < 4; round++) {
        const answers = await Promise.all(ids.map((id) => acquireJobLease(p.store, vc, `job-${round}`, id, NOW + 1)));
        const winners = answers.filter((x) => x.acquired);
        assert.equal(winners.length, 1, `round ${round}`);
        const holder = ids[answers.indexOf(winners[0]!)];
        assert.ok(answers.every((x) => x.holder === holder), 'the losers learn who holds it');
        assert.equal((await p.store.getLease(vc, `job-${round}`))?.holder, holder);
      }
    });
  });
}
