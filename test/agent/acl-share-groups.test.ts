import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiKeys } from '../../src/kafka-protocol/index.ts';
import { topicUuid } from '../../src/agent-rpc/contract.ts';
import { callApi, startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { RawClient } from './client.ts';
import { valuesBatch } from './batches.ts';

/**
 * Share groups (KIP-932) under ACLs, on the wire: READ on the group for the member's calls,
 * READ on each topic ShareFetch reads, DESCRIBE_CONFIGS / ALTER_CONFIGS on the group for its
 * configs, DESCRIBE on the group for ShareGroupDescribe and its offsets. The client is
 * unauthenticated, so the ACLs are on User:ANONYMOUS.
 */

const REFRESH_WAIT_MS = 1_300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TOPIC_DENIED = 29;
const GROUP_DENIED = 30;
const GROUP_RESOURCE = 32;

describe('share groups under ACLs', () => {
  let cluster: TestCluster;
  let client: RawClient;
  const cleanups: Array<() => unknown> = [];
  const vc = () => cluster.boot.virtual_cluster_id;
  const api = (path: string, body: object) => callApi(cluster, path, body);
  const allow = (resource_type: string, resource_name: string, operation: string) =>
    api('/api/v1/virtual_clusters/acls/create', {
      virtual_cluster_id: vc(),
      acl: { resource_type, resource_name, pattern_type: 'LITERAL', principal: 'User:ANONYMOUS', host: '*', operation, permission_type: 'ALLOW' },
    });
  const uuid = async (name: string) => topicUuid((await cluster.platform.store.getTopic(vc(), name))!);
  const heartbeat = (groupId: string, memberId: string) =>
    client.request(ApiKeys.ShareGroupHeartbeat, 1, { groupId, memberId, memberEpoch: 0, rackId: null, subscribedTopicNames: ['sh-open', 'sh-secret'] });
  const shareFetch = async (groupId: string, memberId: string, topics: string[]) =>
    client.request(ApiKeys.ShareFetch, 2, {
      groupId, memberId, shareSessionEpoch: 0, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, maxRecords: 100, batchSize: 100, shareAcquireMode: 0, isRenewAck: false,
      topics: await Promise.all(topics.map(async (t) => ({ topicId: await uuid(t), partitions: [{ partitionIndex: 0, partitionMaxBytes: 0, acknowledgementBatches: [] }] }))),
      forgottenTopicsData: [],
    });
  const alterConfig = (groupId: string) =>
    client.request(ApiKeys.IncrementalAlterConfigs, 1, {
      resources: [{ resourceType: GROUP_RESOURCE, resourceName: groupId, configs: [{ name: 'share.auto.offset.reset', configOperation: 0, value: 'earliest' }] }],
      validateOnly: false,
    });
  const describeConfig = (groupId: string) =>
    client.request(ApiKeys.DescribeConfigs, 4, { resources: [{ resourceType: GROUP_RESOURCE, resourceName: groupId, configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });

  before(async () => {
    cluster = await startTestCluster({ after: (fn: () => unknown) => void cleanups.push(fn) });
    for (const topic_name of ['sh-open', 'sh-secret']) await api('/api/v1/create_topic', { virtual_cluster_id: vc(), topic_name, partition_count: 1 });
    client = await RawClient.connect(cluster.bootstrap);
    cleanups.push(() => client.close());
    for (const topic of ['sh-open', 'sh-secret']) {
      const produced = await client.request(ApiKeys.Produce, 9, {
        transactionalId: null, acks: -1, timeoutMs: 5000,
        topicData: [{ name: topic, partitionData: [{ index: 0, records: valuesBatch(topic, 2) }] }],
      });
      assert.equal(produced.responses[0]!.partitionResponses[0]!.errorCode, 0);
    }
    await api('/api/v1/update_virtual_cluster_configuration', { virtual_cluster_id: vc(), virtual_cluster_configuration: { are_acls_enabled: true } });
    await allow('GROUP', 'sg-ok', 'READ');
    await allow('GROUP', 'sg-ok', 'ALTER_CONFIGS');
    await allow('GROUP', 'sg-ok', 'DESCRIBE_CONFIGS');
    await allow('TOPIC', 'sh-open', 'READ');
    await sleep(REFRESH_WAIT_MS);
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  test('READ on the group to join and fetch; READ on each topic fetched', async () => {
    assert.equal((await heartbeat('sg-no', 'm1')).errorCode, GROUP_DENIED);
    assert.equal((await shareFetch('sg-no', 'm1', ['sh-open'])).errorCode, GROUP_DENIED);
    assert.equal((await heartbeat('sg-ok', 'm1')).errorCode, 0);
    assert.equal((await alterConfig('sg-ok')).responses[0]!.errorCode, 0);
    const fetched = await shareFetch('sg-ok', 'm1', ['sh-open', 'sh-secret']);
    assert.equal(fetched.errorCode, 0);
    const byTopic = new Map(await Promise.all(fetched.responses.map(async (t) => [t.topicId, t.partitions[0]!] as const)));
    assert.equal(byTopic.get(await uuid('sh-secret'))!.errorCode, TOPIC_DENIED);
    assert.equal(byTopic.get(await uuid('sh-secret'))!.acquiredRecords.length, 0);
    assert.equal(byTopic.get(await uuid('sh-open'))!.errorCode, 0);
    assert.deepEqual(byTopic.get(await uuid('sh-open'))!.acquiredRecords.map((r) => [r.firstOffset, r.lastOffset]), [[0n, 1n]]);
  });

  test('group configs need ALTER_CONFIGS / DESCRIBE_CONFIGS on the group', async () => {
    assert.equal((await alterConfig('sg-no')).responses[0]!.errorCode, GROUP_DENIED);
    assert.equal((await describeConfig('sg-no')).results[0]!.errorCode, GROUP_DENIED);
    const described = await describeConfig('sg-ok');
    assert.equal(described.results[0]!.errorCode, 0);
    assert.equal(described.results[0]!.configs.find((c) => c.name === 'share.auto.offset.reset')?.value, 'earliest');
  });

  test('ShareGroupDescribe and the offsets need DESCRIBE on the group', async () => {
    const described = await client.request(ApiKeys.ShareGroupDescribe, 1, { groupIds: ['sg-ok', 'sg-no'], includeAuthorizedOperations: false });
    assert.deepEqual(described.groups.map((g) => [g.groupId, g.errorCode]), [['sg-ok', 0], ['sg-no', GROUP_DENIED]], 'READ implies DESCRIBE');
    const offsets = await client.request(ApiKeys.DescribeShareGroupOffsets, 1, { groups: [{ groupId: 'sg-no', topics: null }, { groupId: 'sg-ok', topics: null }] });
    assert.deepEqual(offsets.groups.map((g) => [g.groupId, g.errorCode]), [['sg-no', GROUP_DENIED], ['sg-ok', 0]]);
    const alter = await client.request(ApiKeys.AlterShareGroupOffsets, 0, { groupId: 'sg-no', topics: [{ topicName: 'sh-open', partitions: [{ partitionIndex: 0, startOffset: 0n }] }] });
    assert.equal(alter.errorCode, GROUP_DENIED);
  });
});
