import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { ApiKeys } from '../../src/kafka-protocol/index.ts';
import { callApi, startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { RawClient } from './client.ts';
import { AclIndex, KAFKA_API_ACLS } from '../../src/acls/index.ts';
import { AclDecider } from '../../src/agent/acl.ts';
import type { RequestContext } from '../../src/agent/connection.ts';
import type { Logger } from 'pino';

/**
 * ACLs on the Kafka path: enabled or not per the cluster configuration, LITERAL/PREFIXED/`*`,
 * DENY precedence, superusers, groups, Metadata filtering, shadow mode, Kafka's ACL APIs over
 * the same store as the Management API, and a change seen within a few seconds.
 */

const KCAT = '/usr/bin/kcat';
const REFRESH_WAIT_MS = 1_300;
function errorType(error: unknown): string {
  const e = error as { type?: string; message?: string; cause?: { type?: string } };
  if (e.type) return e.type;
  if (e.cause?.type) return e.cause.type;
  if (/access topics/i.test(e.message ?? '')) return 'TOPIC_AUTHORIZATION_FAILED';
  if (/group authorization/i.test(e.message ?? '')) return 'GROUP_AUTHORIZATION_FAILED';
  return String(e.message ?? error);
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Credential { username: string; password: string }

function run(file: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

describe('ACLs on the Kafka path', () => {
  let cluster: TestCluster;
  let alice: Credential;
  let bob: Credential;
  let root: Credential;

  const api = (path: string, body: object) => callApi(cluster, path, body);
  const vc = () => cluster.boot.virtual_cluster_id;
  const credential = async (name: string, superuser = false) =>
    (await api('/api/v1/create_virtual_cluster_credentials', { credentials_name: name, is_cluster_superuser: superuser, virtual_cluster_id: vc(), read_only: false })) as unknown as Credential;
  const configure = async (configuration: object) => {
    await api('/api/v1/update_virtual_cluster_configuration', { virtual_cluster_id: vc(), virtual_cluster_configuration: configuration });
    await sleep(REFRESH_WAIT_MS);
  };
  const allow = (principal: string, resource_type: string, resource_name: string, operation: string, pattern_type = 'LITERAL', permission_type = 'ALLOW') =>
    api('/api/v1/virtual_clusters/acls/create', {
      virtual_cluster_id: vc(),
      acl: { resource_type, resource_name, pattern_type, principal: `User:${principal}`, host: '*', operation, permission_type },
    });
  const kafka = (c: Credential, clientId = 'acl-test') =>
    new Kafka({
      clientId, brokers: [cluster.bootstrap], connectionTimeout: 3000, requestTimeout: 10_000,
      retry: { retries: 0 }, logLevel: logLevel.NOTHING,
      sasl: { mechanism: 'plain', username: c.username, password: c.password } as SASLOptions,
    });
  async function produce(c: Credential, topic: string, value = 'v'): Promise<string> {
    const producer = kafka(c).producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    await producer.connect();
    try {
      await producer.send({ topic, messages: [{ value }] });
      return 'ok';
    } catch (error) {
      return errorType(error);
    } finally {
      await producer.disconnect();
    }
  }

  const cleanups: Array<() => unknown> = [];
  before(async () => {
    cluster = await startTestCluster({ after: (fn: () => unknown) => void cleanups.push(fn) });
    alice = await credential('alice');
    bob = await credential('bob');
    root = await credential('root', true);
    const admin = kafka(root).admin();
    await admin.connect();
    await admin.createTopics({ topics: ['open', 'lit', 'pre-a', 'pre-denied', 'other'].map((topic) => ({ topic, numPartitions: 1 })) });
    await admin.disconnect();
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  test('ACLs disabled: everything is allowed', async () => {
    assert.equal(await produce(alice, 'open'), 'ok');
  });

  test('enabled without ACLs: produce refused with TOPIC_AUTHORIZATION_FAILED; superusers bypass', async () => {
    await configure({ are_acls_enabled: true });
    assert.equal(await produce(alice, 'open'), 'TOPIC_AUTHORIZATION_FAILED');
    assert.equal(await produce(root, 'open'), 'ok');
  });

  test('LITERAL, PREFIXED and * allow; DENY beats ALLOW', async () => {
    await allow(alice.username, 'TOPIC', 'lit', 'WRITE');
    await allow(alice.username, 'TOPIC', 'pre-', 'WRITE', 'PREFIXED');
    await allow(alice.username, 'TOPIC', 'pre-denied', 'WRITE', 'LITERAL', 'DENY');
    await allow(bob.username, 'TOPIC', '*', 'WRITE');
    await sleep(REFRESH_WAIT_MS);
    assert.equal(await produce(alice, 'lit'), 'ok');
    assert.equal(await produce(alice, 'pre-a'), 'ok');
    assert.equal(await produce(alice, 'pre-denied'), 'TOPIC_AUTHORIZATION_FAILED');
    assert.equal(await produce(alice, 'other'), 'TOPIC_AUTHORIZATION_FAILED');
    assert.equal(await produce(bob, 'other'), 'ok');
    assert.equal(await produce(bob, 'pre-denied'), 'ok');
  });

  test('Metadata lists only the topics the principal may describe', async () => {
    const admin = kafka(alice).admin();
    await admin.connect();
    try {
      // pre-denied: the DENY is for WRITE only; the PREFIXED WRITE allow implies DESCRIBE.
      assert.deepEqual((await admin.listTopics()).sort(), ['lit', 'pre-a', 'pre-denied']);
    } finally {
      await admin.disconnect();
    }
  });

  test('consuming with a group needs READ on the topic and on the group', async () => {
    const consume = async (groupId: string): Promise<string> => {
      const consumer = kafka(alice).consumer({ groupId, retry: { retries: 0 } });
      try {
        await consumer.connect();
        await consumer.subscribe({ topic: 'lit', fromBeginning: true });
        const got = new Promise<string>((resolve) => {
          void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) });
        });
        const crashed = new Promise<string>((resolve) => consumer.on(consumer.events.CRASH, (e) => resolve(errorType(e.payload.error))));
        return await Promise.race([got, crashed, sleep(15_000).then(() => 'timeout')]);
      } catch (error) {
        return errorType(error);
      } finally {
        await consumer.disconnect();
      }
    };
    // lit: WRITE (which implies DESCRIBE) but no READ yet; the group is allowed. Fetch refuses it.
    await allow(alice.username, 'GROUP', 'g-noread', 'READ');
    await sleep(REFRESH_WAIT_MS);
    assert.equal(await consume('g-noread'), 'TOPIC_AUTHORIZATION_FAILED');
    await allow(alice.username, 'TOPIC', 'lit', 'READ');
    await sleep(REFRESH_WAIT_MS);
    assert.equal(await consume('g-noread'), 'v');
    // FindCoordinator answers GROUP_AUTHORIZATION_FAILED; kafkajs reports it as this.
    assert.match(await consume('g-acl'), /^(GROUP_AUTHORIZATION_FAILED|Failed to find group coordinator)$/);
    await allow(alice.username, 'GROUP', 'g-acl', 'READ');
    await sleep(REFRESH_WAIT_MS);
    assert.equal(await consume('g-acl'), 'v');
  });

  test('unauthenticated clients are User:ANONYMOUS: Fetch, ListOffsets and Metadata per partition and topic', async () => {
    const c = await RawClient.connect(cluster.bootstrap);
    try {
      const fetchBody = (topics: string[]) => ({
        maxWaitMs: 0, minBytes: 0, maxBytes: 1024 * 1024, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: topics.map((topic) => ({ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1024 * 1024 }] })),
        forgottenTopicsData: [], rackId: '',
      });
      let fetched = await c.request(ApiKeys.Fetch, 12, fetchBody(['open', 'lit']) as never, 10_000);
      assert.deepEqual(fetched.responses.map((t) => [t.topic, t.partitions[0]!.errorCode]).sort(), [['lit', 29], ['open', 29]]);
      await allow('ANONYMOUS', 'TOPIC', 'open', 'READ');
      await sleep(REFRESH_WAIT_MS);
      fetched = await c.request(ApiKeys.Fetch, 12, fetchBody(['open', 'lit']) as never, 10_000);
      const byTopic = new Map(fetched.responses.map((t) => [t.topic, t.partitions[0]!]));
      assert.equal(byTopic.get('lit')!.errorCode, 29);
      assert.equal(byTopic.get('open')!.errorCode, 0);
      assert.ok(byTopic.get('open')!.records!.length > 0, 'open has records (produced by alice and root)');

      const offsets = await c.request(ApiKeys.ListOffsets, 7, {
        replicaId: -1, isolationLevel: 0,
        topics: ['open', 'lit'].map((name) => ({ name, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] })),
      } as never);
      assert.deepEqual(offsets.topics.map((t) => [t.name, t.partitions[0]!.errorCode]).sort(), [['lit', 29], ['open', 0]]);

      const named = await c.request(ApiKeys.Metadata, 12, {
        topics: ['open', 'lit', 'nope'].map((name) => ({ topicId: '00000000-0000-0000-0000-000000000000', name })),
        allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false,
      } as never);
      // 'nope' does not exist and may not be created (no CREATE): refused, not created.
      assert.deepEqual(named.topics.map((t) => [t.name, t.errorCode]).sort(), [['lit', 29], ['nope', 29], ['open', 0]]);
      assert.equal(await cluster.platform.store.getTopic(vc(), 'nope'), undefined);
      const all = await c.request(ApiKeys.Metadata, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false } as never);
      assert.deepEqual(all.topics.map((t) => t.name), ['open']);
    } finally {
      c.close();
    }
  });

  test('idempotent producers: WRITE on a topic is enough for InitProducerId; without any WRITE, CLUSTER_AUTHORIZATION_FAILED', async () => {
    const idempotent = async (c: Credential, topic: string): Promise<string> => {
      const producer = kafka(c).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 } });
      try {
        await producer.connect();
        await producer.send({ topic, messages: [{ value: 'idem' }] });
        return 'ok';
      } catch (error) {
        return errorType(error);
      } finally {
        await producer.disconnect();
      }
    };
    assert.equal(await idempotent(alice, 'lit'), 'ok');
    const carol = await credential('carol');
    await allow(carol.username, 'TOPIC', 'open', 'DESCRIBE');
    await sleep(REFRESH_WAIT_MS);
    assert.equal(await idempotent(carol, 'open'), 'CLUSTER_AUTHORIZATION_FAILED');
  });

  test('shadow mode refuses nothing', async () => {
    await configure({ are_acls_enabled: true, acl_shadowing_enabled: true });
    assert.equal(await produce(alice, 'other'), 'ok');
    await configure({ acl_shadowing_enabled: false });
    assert.equal(await produce(alice, 'other'), 'TOPIC_AUTHORIZATION_FAILED');
  });

  test('kafkajs createAcls/describeAcls/deleteAcls share the Management API store; changes apply within seconds', async () => {
    const admin = kafka(root).admin();
    await admin.connect();
    try {
      const acl = { resourceType: 2, resourceName: 'other', resourcePatternType: 3, principal: `User:${alice.username}`, host: '*', operation: 4, permissionType: 3 } as const;
      await admin.createAcls({ acl: [acl] as never });
      await admin.createAcls({ acl: [acl] as never }); // a duplicate is success
      const listed = (await api('/api/v1/virtual_clusters/acls/list', { virtual_cluster_id: vc() })).acls as Array<Record<string, string>>;
      assert.equal(listed.filter((a) => a.resource_name === 'other' && a.operation === 'WRITE' && a.principal === `User:${alice.username}`).length, 1);
      const described = await admin.describeAcls({ resourceType: 2, resourceName: 'other', resourcePatternType: 3, principal: `User:${alice.username}`, host: '*', operation: 1, permissionType: 1 } as never);
      assert.equal(described.resources.length, 1);
      assert.deepEqual(described.resources[0]!.acls, [{ principal: `User:${alice.username}`, host: '*', operation: 4, permissionType: 3 }]);
      // Alice can write once the ACL reaches the agent's view (within a few seconds).
      const started = Date.now();
      let result = await produce(alice, 'other');
      while (result !== 'ok' && Date.now() - started < 4000) {
        await sleep(200);
        result = await produce(alice, 'other');
      }
      assert.equal(result, 'ok');
      const deleted = await admin.deleteAcls({ filters: [{ resourceType: 2, resourceName: 'other', resourcePatternType: 3, principal: `User:${alice.username}`, host: '*', operation: 1, permissionType: 1 }] } as never);
      assert.equal(deleted.filterResponses[0]!.matchingAcls.length, 1);
      const after = (await api('/api/v1/virtual_clusters/acls/list', { virtual_cluster_id: vc() })).acls as Array<Record<string, string>>;
      assert.equal(after.filter((a) => a.resource_name === 'other').length, 0);
      await sleep(REFRESH_WAIT_MS);
      assert.equal(await produce(alice, 'other'), 'TOPIC_AUTHORIZATION_FAILED');
    } finally {
      await admin.disconnect();
    }
  });

  test('a principal without ALTER on the cluster may not create ACLs', async () => {
    const admin = kafka(alice).admin();
    await admin.connect();
    try {
      await assert.rejects(
        admin.createAcls({ acl: [{ resourceType: 2, resourceName: 'x', resourcePatternType: 3, principal: 'User:x', host: '*', operation: 4, permissionType: 3 }] } as never),
        (error: { type?: string }) => error.type === 'CLUSTER_AUTHORIZATION_FAILED',
      );
    } finally {
      await admin.disconnect();
    }
  });

  test('kcat: an allowed and a refused produce', async () => {
    const args = (topic: string) => ['-b', cluster.bootstrap, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=PLAIN',
      '-X', `sasl.username=${alice.username}`, '-X', `sasl.password=${alice.password}`, '-P', '-t', topic, '-X', 'message.timeout.ms=5000'];
    const ok = await run(KCAT, args('lit'), 'hello\n');
    assert.equal(ok.code, 0, ok.stderr);
    const refused = await run(KCAT, args('other'), 'hello\n');
    assert.match(refused.stderr, /authoriz/i);
  });
});

test('shadow mode: each decision is logged (allowed and would-deny, with the reason) and allowed', () => {
  const logged: Array<{ fields: Record<string, unknown>; message: string }> = [];
  const log = { info: (fields: Record<string, unknown>, message: string) => logged.push({ fields, message }) } as unknown as Logger;
  const index = new AclIndex([{ resource_type: 'TOPIC', resource_name: 'yes', pattern_type: 'LITERAL', principal: 'User:ANONYMOUS', host: '*', operation: 'WRITE', permission_type: 'ALLOW' }]);
  const context = { clientId: 'c', clientHost: '127.0.0.1', apiVersion: 9, signal: new AbortController().signal } satisfies RequestContext;
  const decider = new AclDecider({ enforced: false, shadow: true, index }, context, 0, log);
  const write = KAFKA_API_ACLS.Produce.checks.find((c) => c.target === 'topic' && c.when === 'always');
  assert.equal(decider.allows(write, 'yes'), true);
  assert.equal(decider.allows(write, 'no'), true);
  assert.deepEqual(logged.map((l) => [l.message, l.fields.resource, l.fields.allowed, l.fields.principal]), [
    ['ACL shadow: allowed', 'yes', true, 'User:ANONYMOUS'],
    ['ACL shadow: would deny', 'no', false, 'User:ANONYMOUS'],
  ]);
  assert.match(String(logged[1]!.fields.reason), /no ACL allows it/);
  // Enforced (not shadowing): the same question is refused, and nothing is logged.
  const enforced = new AclDecider({ enforced: true, shadow: false, index }, context, 0, log);
  assert.equal(enforced.allows(write, 'no'), false);
  assert.equal(logged.length, 2);
});
