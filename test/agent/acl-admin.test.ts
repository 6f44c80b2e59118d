import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKeys } from '../../src/kafka-protocol/index.ts';
import { topicUuid } from '../../src/agent-rpc/contract.ts';
import { callApi, startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { RawClient } from './client.ts';

/**
 * Per-resource authorization of the admin APIs that name several resources: in one request, the
 * resource the principal may change is changed and the one it may not is left alone and answered
 * with Kafka's authorization error, as a Kafka broker does. The client is unauthenticated, so
 * the ACLs are on User:ANONYMOUS.
 */

const REFRESH_WAIT_MS = 1_300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TOPIC_DENIED = 29;
const GROUP_DENIED = 30;
const CLUSTER_DENIED = 31;
const NO_UUID = '00000000-0000-0000-0000-000000000000';

describe('admin APIs under ACLs: per resource', () => {
  let cluster: TestCluster;
  let client: RawClient;
  const cleanups: Array<() => unknown> = [];
  const vc = () => cluster.boot.virtual_cluster_id;
  const store = () => cluster.platform.store;

  const api = (path: string, body: object) => callApi(cluster, path, body);
  const allow = (resource_type: string, resource_name: string, operation: string, pattern_type = 'LITERAL') =>
    api('/api/v1/virtual_clusters/acls/create', {
      virtual_cluster_id: vc(),
      acl: { resource_type, resource_name, pattern_type, principal: 'User:ANONYMOUS', host: '*', operation, permission_type: 'ALLOW' },
    });
  const topicNames = async () => (await store().listTopics(vc(), 'live')).map((t) => t.name).sort();
  const commit = (groupId: string, topics: string[]) =>
    client.request(ApiKeys.OffsetCommit, 8, {
      groupId, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n,
      topics: topics.map((name) => ({ name, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] })),
    } as never);
  const committedTopics = async (groupId: string) => (await store().listGroupOffsets(vc(), groupId)).map((o) => o.topic_name).sort();

  before(async () => {
    cluster = await startTestCluster({ after: (fn: () => unknown) => void cleanups.push(fn) });
    const topics = ['del-ok', 'del-no', 'del-v4-ok', 'del-v4-no', 'id-hidden', 'id-seen', 'id-ok', 'cp-ok', 'cp-no', 'dr-ok', 'dr-no', 'cfg-ok', 'cfg-no', 'od-ok', 'od-no'];
    for (const topic_name of topics) await api('/api/v1/create_topic', { virtual_cluster_id: vc(), topic_name, partition_count: 1 });
    // Records to delete, and committed offsets for the group APIs, before ACLs are on.
    const producer = new Kafka({ clientId: 'acl-admin', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING }).producer({ allowAutoTopicCreation: false });
    await producer.connect();
    for (const topic of ['dr-ok', 'dr-no']) await producer.send({ topic, acks: -1, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
    await producer.disconnect();
    client = await RawClient.connect(cluster.bootstrap);
    cleanups.push(() => client.close());
    for (const group of ['g-ok', 'g-no']) assert.equal((await commit(group, ['od-ok'])).topics[0]!.partitions[0]!.errorCode, 0);
    assert.equal((await commit('od', ['od-ok', 'od-no'])).topics.every((t) => t.partitions[0]!.errorCode === 0), true);
    assert.equal((await commit('od-refused', ['od-ok'])).topics[0]!.partitions[0]!.errorCode, 0);

    await api('/api/v1/update_virtual_cluster_configuration', { virtual_cluster_id: vc(), virtual_cluster_configuration: { are_acls_enabled: true } });
    for (const topic of ['del-ok', 'del-v4-ok', 'id-ok']) await allow('TOPIC', topic, 'DELETE');
    await allow('TOPIC', 'id-seen', 'DESCRIBE');
    await allow('TOPIC', 'maybe-', 'DESCRIBE', 'PREFIXED');
    await allow('TOPIC', 'cp-ok', 'ALTER');
    await allow('TOPIC', 'dr-ok', 'DELETE');
    for (const topic of ['dr-ok', 'dr-no']) await allow('TOPIC', topic, 'DESCRIBE');
    await allow('TOPIC', 'cfg-ok', 'ALTER_CONFIGS');
    await allow('GROUP', 'g-ok', 'DELETE');
    await allow('GROUP', 'od', 'DELETE');
    await allow('TOPIC', 'od-ok', 'READ');
    await sleep(REFRESH_WAIT_MS);
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  test('DeleteTopics by name: the allowed topic is deleted, the refused one stays; describe rules for missing topics', async () => {
    const answer = await client.request(ApiKeys.DeleteTopics, 6, {
      topics: ['del-ok', 'del-no', 'ghost', 'maybe-ghost'].map((name) => ({ name, topicId: NO_UUID })), topicNames: [], timeoutMs: 5000,
    } as never);
    const byName = new Map(answer.responses.map((r) => [r.name, r.errorCode]));
    assert.equal(byName.get('del-ok'), 0);
    assert.equal(byName.get('del-no'), TOPIC_DENIED);
    // Not describable: refused whether or not it exists. Describable and missing: unknown.
    assert.equal(byName.get('ghost'), TOPIC_DENIED);
    assert.equal(byName.get('maybe-ghost'), 3);
    assert.equal(answer.responses.length, 4);
    const names = await topicNames();
    assert.ok(!names.includes('del-ok'));
    assert.ok(names.includes('del-no'));
  });

  test('DeleteTopics v4 (topic names): the same split', async () => {
    const answer = await client.request(ApiKeys.DeleteTopics, 4, { topics: [], topicNames: ['del-v4-no', 'del-v4-ok'], timeoutMs: 5000 } as never);
    assert.deepEqual(answer.responses.map((r) => [r.name, r.errorCode]).sort(), [['del-v4-no', TOPIC_DENIED], ['del-v4-ok', 0]]);
    const names = await topicNames();
    assert.ok(!names.includes('del-v4-ok'));
    assert.ok(names.includes('del-v4-no'));
  });

  test('DeleteTopics by id: a refusal names the topic only to a principal that may describe it', async () => {
    const id = async (name: string) => topicUuid((await store().getTopic(vc(), name))!);
    const ids = { hidden: await id('id-hidden'), seen: await id('id-seen'), ok: await id('id-ok') };
    const unknown = '0190aaaa-bbbb-7ccc-8ddd-eeeeffff0000';
    const answer = await client.request(ApiKeys.DeleteTopics, 6, {
      topics: [ids.hidden, ids.seen, ids.ok, unknown].map((topicId) => ({ name: null, topicId })), topicNames: [], timeoutMs: 5000,
    } as never);
    const byId = new Map(answer.responses.map((r) => [r.topicId, r]));
    assert.deepEqual([byId.get(ids.hidden)!.name, byId.get(ids.hidden)!.errorCode], [null, TOPIC_DENIED]);
    assert.deepEqual([byId.get(ids.seen)!.name, byId.get(ids.seen)!.errorCode], ['id-seen', TOPIC_DENIED]);
    assert.deepEqual([byId.get(ids.ok)!.name, byId.get(ids.ok)!.errorCode], ['id-ok', 0]);
    assert.equal(byId.get(unknown)!.errorCode, 100, 'UNKNOWN_TOPIC_ID');
    const names = await topicNames();
    assert.ok(names.includes('id-hidden') && names.includes('id-seen'));
    assert.ok(!names.includes('id-ok'));
  });

  test('DeleteTopics: DELETE on the cluster allows every topic (Kafka 4, KRaft)', async () => {
    const credential = (await api('/api/v1/create_virtual_cluster_credentials', {
      credentials_name: 'cluster-deleter', is_cluster_superuser: false, virtual_cluster_id: vc(), read_only: false,
    })) as unknown as { username: string; password: string };
    await api('/api/v1/virtual_clusters/acls/create', {
      virtual_cluster_id: vc(),
      acl: { resource_type: 'CLUSTER', resource_name: 'kafka-cluster', pattern_type: 'LITERAL', principal: `User:${credential.username}`, host: '*', operation: 'DELETE', permission_type: 'ALLOW' },
    });
    await api('/api/v1/create_topic', { virtual_cluster_id: vc(), topic_name: 'cl-a', partition_count: 1 });
    await sleep(REFRESH_WAIT_MS);
    const c = await RawClient.connect(cluster.bootstrap);
    try {
      assert.equal((await c.request(ApiKeys.SaslHandshake, 1, { mechanism: 'PLAIN' } as never)).errorCode, 0);
      assert.equal((await c.request(ApiKeys.SaslAuthenticate, 2, { authBytes: Buffer.from(`\0${credential.username}\0${credential.password}`) } as never)).errorCode, 0);
      const answer = await c.request(ApiKeys.DeleteTopics, 6, { topics: [{ name: 'cl-a', topicId: NO_UUID }], topicNames: [], timeoutMs: 5000 } as never);
      assert.deepEqual(answer.responses.map((r) => [r.name, r.errorCode]), [['cl-a', 0]]);
    } finally {
      c.close();
    }
    assert.ok(!(await topicNames()).includes('cl-a'));
  });

  test('CreatePartitions: ALTER on the topic', async () => {
    const answer = await client.request(ApiKeys.CreatePartitions, 3, {
      topics: ['cp-ok', 'cp-no'].map((name) => ({ name, count: 3, assignments: null })), timeoutMs: 5000, validateOnly: false,
    } as never);
    assert.deepEqual(answer.results.map((r) => [r.name, r.errorCode, r.errorMessage]).sort(), [
      ['cp-no', TOPIC_DENIED, 'Topic authorization failed.'], ['cp-ok', 0, null],
    ]);
    assert.equal((await store().getTopic(vc(), 'cp-ok'))!.partition_count, 3);
    assert.equal((await store().getTopic(vc(), 'cp-no'))!.partition_count, 1);
  });

  test('DeleteRecords: DELETE on the topic (DESCRIBE is not enough)', async () => {
    const answer = await client.request(ApiKeys.DeleteRecords, 2, {
      topics: ['dr-ok', 'dr-no'].map((name) => ({ name, partitions: [{ partitionIndex: 0, offset: 2n }] })), timeoutMs: 5000,
    } as never);
    assert.deepEqual(answer.topics.map((t) => [t.name, t.partitions[0]!.errorCode, t.partitions[0]!.lowWatermark]).sort(), [
      ['dr-no', TOPIC_DENIED, -1n], ['dr-ok', 0, 2n],
    ]);
    const earliest = await client.request(ApiKeys.ListOffsets, 7, {
      replicaId: -1, isolationLevel: 0,
      topics: ['dr-ok', 'dr-no'].map((name) => ({ name, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2n }] })),
    } as never);
    assert.deepEqual(earliest.topics.map((t) => [t.name, t.partitions[0]!.offset]).sort(), [['dr-no', 0n], ['dr-ok', 2n]]);
  });

  test('AlterConfigs: ALTER_CONFIGS per topic; a broker resource needs it on the cluster; answered in request order', async () => {
    const answer = await client.request(ApiKeys.AlterConfigs, 2, {
      resources: [
        { resourceType: 2, resourceName: 'cfg-no', configs: [{ name: 'retention.ms', value: '1000' }] },
        { resourceType: 4, resourceName: '0', configs: [{ name: 'log.retention.ms', value: '1000' }] },
        { resourceType: 2, resourceName: 'cfg-ok', configs: [{ name: 'retention.ms', value: '2000' }] },
      ],
      validateOnly: false,
    } as never);
    assert.deepEqual(answer.responses.map((r) => [r.resourceName, r.errorCode]), [['cfg-no', TOPIC_DENIED], ['0', CLUSTER_DENIED], ['cfg-ok', 0]]);
    assert.equal((await store().getTopic(vc(), 'cfg-ok'))!.configs['retention.ms'], '2000');
    assert.equal((await store().getTopic(vc(), 'cfg-no'))!.configs['retention.ms'], undefined);
  });

  test('IncrementalAlterConfigs: the same split', async () => {
    const answer = await client.request(ApiKeys.IncrementalAlterConfigs, 1, {
      resources: ['cfg-ok', 'cfg-no'].map((resourceName) => ({ resourceType: 2, resourceName, configs: [{ name: 'cleanup.policy', configOperation: 0, value: 'compact' }] })),
      validateOnly: false,
    } as never);
    assert.deepEqual(answer.responses.map((r) => [r.resourceName, r.errorCode, r.errorMessage]), [['cfg-ok', 0, null], ['cfg-no', TOPIC_DENIED, 'Topic authorization failed.']]);
    assert.equal((await store().getTopic(vc(), 'cfg-ok'))!.configs['cleanup.policy'], 'compact');
    assert.equal((await store().getTopic(vc(), 'cfg-no'))!.configs['cleanup.policy'], undefined);
  });

  test('DeleteGroups: DELETE on the group', async () => {
    const answer = await client.request(ApiKeys.DeleteGroups, 2, { groupsNames: ['g-no', 'g-ok'] } as never);
    assert.deepEqual(answer.results.map((r) => [r.groupId, r.errorCode]).sort(), [['g-no', GROUP_DENIED], ['g-ok', 0]]);
    assert.deepEqual(await committedTopics('g-ok'), []);
    assert.deepEqual(await committedTopics('g-no'), ['od-ok']);
  });

  test('OffsetDelete: READ per topic under DELETE on the group; without DELETE on the group, the whole request', async () => {
    const answer = await client.request(ApiKeys.OffsetDelete, 0, {
      groupId: 'od', topics: ['od-ok', 'od-no'].map((name) => ({ name, partitions: [{ partitionIndex: 0 }] })),
    } as never);
    assert.equal(answer.errorCode, 0);
    assert.deepEqual(answer.topics.map((t) => [t.name, t.partitions[0]!.errorCode]).sort(), [['od-no', TOPIC_DENIED], ['od-ok', 0]]);
    assert.deepEqual(await committedTopics('od'), ['od-no']);

    const refused = await client.request(ApiKeys.OffsetDelete, 0, { groupId: 'od-refused', topics: [{ name: 'od-ok', partitions: [{ partitionIndex: 0 }] }] } as never);
    assert.deepEqual([refused.errorCode, refused.topics], [GROUP_DENIED, []]);
    assert.deepEqual(await committedTopics('od-refused'), ['od-ok']);
  });
});
