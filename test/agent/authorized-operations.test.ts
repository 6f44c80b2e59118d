import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiKeys } from '../../src/kafka-protocol/index.ts';
import { callApi, startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { RawClient } from './client.ts';

/**
 * The *AuthorizedOperations fields of Metadata, DescribeCluster and DescribeGroups: Kafka's bit
 * set (bit i for AclOperation code i) of the operations of the resource's type the principal
 * may perform; every supported operation when ACLs are off (Kafka without an authorizer) and
 * for superusers; INT32_MIN when the client did not ask.
 */

const REFRESH_WAIT_MS = 1_300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const NOT_REQUESTED = -2147483648;
/** AclOperation codes (org.apache.kafka.common.acl.AclOperation). */
const OP = { READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8, CLUSTER_ACTION: 9, DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12 } as const;
const bits = (...ops: Array<keyof typeof OP>) => ops.reduce((field, op) => field | (1 << OP[op]), 0);
const ALL_TOPIC = bits('READ', 'WRITE', 'CREATE', 'DELETE', 'ALTER', 'DESCRIBE', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS');
const ALL_CLUSTER = bits('CREATE', 'CLUSTER_ACTION', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'IDEMPOTENT_WRITE', 'ALTER', 'DESCRIBE');
const ALL_GROUP = bits('READ', 'DESCRIBE', 'DELETE', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS');

describe('authorized operations', () => {
  let cluster: TestCluster;
  let anonymous: RawClient;
  let root: RawClient;
  const cleanups: Array<() => unknown> = [];
  const vc = () => cluster.boot.virtual_cluster_id;

  const api = (path: string, body: object) => callApi(cluster, path, body);
  const allow = (resource_type: string, resource_name: string, operation: string) =>
    api('/api/v1/virtual_clusters/acls/create', {
      virtual_cluster_id: vc(),
      acl: { resource_type, resource_name, pattern_type: 'LITERAL', principal: 'User:ANONYMOUS', host: '*', operation, permission_type: 'ALLOW' },
    });

  /** A raw connection logged in with SASL PLAIN (SaslHandshake v1, SaslAuthenticate v2). */
  async function login(username: string, password: string): Promise<RawClient> {
    const c = await RawClient.connect(cluster.bootstrap);
    assert.equal((await c.request(ApiKeys.SaslHandshake, 1, { mechanism: 'PLAIN' } as never)).errorCode, 0);
    const authenticated = await c.request(ApiKeys.SaslAuthenticate, 2, { authBytes: Buffer.from(`\0${username}\0${password}`) } as never);
    assert.equal(authenticated.errorCode, 0);
    return c;
  }

  const metadata = (c: RawClient, version: number, topics: string[] | null, include: boolean) =>
    c.request(ApiKeys.Metadata, version, {
      topics: topics === null ? null : topics.map((name) => ({ topicId: '00000000-0000-0000-0000-000000000000', name })),
      allowAutoTopicCreation: false, includeClusterAuthorizedOperations: include, includeTopicAuthorizedOperations: include,
    } as never);
  const describeCluster = (c: RawClient, include: boolean) =>
    c.request(ApiKeys.DescribeCluster, 1, { includeClusterAuthorizedOperations: include, endpointType: 1 } as never);
  const describeGroups = (c: RawClient, groups: string[], include = true) =>
    c.request(ApiKeys.DescribeGroups, 5, { groups, includeAuthorizedOperations: include } as never);

  before(async () => {
    cluster = await startTestCluster({ after: (fn: () => unknown) => void cleanups.push(fn) });
    for (const topic_name of ['ops-read', 'ops-other']) await api('/api/v1/create_topic', { virtual_cluster_id: vc(), topic_name, partition_count: 1 });
    const credential = (await api('/api/v1/create_virtual_cluster_credentials', {
      credentials_name: 'root', is_cluster_superuser: true, virtual_cluster_id: vc(), read_only: false,
    })) as unknown as { username: string; password: string };
    anonymous = await RawClient.connect(cluster.bootstrap);
    root = await login(credential.username, credential.password);
    cleanups.push(() => anonymous.close(), () => root.close());
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  test('ACLs off: every supported operation when asked (Kafka without an authorizer), INT32_MIN when not', async () => {
    const asked = await metadata(anonymous, 10, ['ops-read'], true);
    assert.equal(asked.topics[0]!.topicAuthorizedOperations, ALL_TOPIC);
    assert.equal(asked.clusterAuthorizedOperations, ALL_CLUSTER);
    const notAsked = await metadata(anonymous, 10, ['ops-read'], false);
    assert.equal(notAsked.topics[0]!.topicAuthorizedOperations, NOT_REQUESTED);
    assert.equal(notAsked.clusterAuthorizedOperations, NOT_REQUESTED);
    assert.equal((await describeCluster(anonymous, true)).clusterAuthorizedOperations, ALL_CLUSTER);
    assert.equal((await describeCluster(anonymous, false)).clusterAuthorizedOperations, NOT_REQUESTED);
    assert.equal((await describeGroups(anonymous, ['any-group'])).groups[0]!.authorizedOperations, ALL_GROUP);
    assert.equal((await describeGroups(anonymous, ['any-group'], false)).groups[0]!.authorizedOperations, NOT_REQUESTED);
  });

  test('ACLs on: READ on a topic gives READ|DESCRIBE; the cluster field is 0 without DESCRIBE on the cluster', async () => {
    await api('/api/v1/update_virtual_cluster_configuration', { virtual_cluster_id: vc(), virtual_cluster_configuration: { are_acls_enabled: true } });
    await allow('TOPIC', 'ops-read', 'READ');
    await allow('GROUP', 'g-read', 'READ');
    await sleep(REFRESH_WAIT_MS);
    const named = await metadata(anonymous, 10, ['ops-read', 'ops-other'], true);
    const byName = new Map(named.topics.map((t) => [t.name, t]));
    assert.equal(byName.get('ops-read')!.topicAuthorizedOperations, bits('READ', 'DESCRIBE'));
    // Refused topics keep the default, as in Kafka.
    assert.equal(byName.get('ops-other')!.errorCode, 29);
    assert.equal(byName.get('ops-other')!.topicAuthorizedOperations, NOT_REQUESTED);
    assert.equal(named.clusterAuthorizedOperations, 0);
    const all = await metadata(anonymous, 12, null, true);
    assert.deepEqual(all.topics.map((t) => [t.name, t.topicAuthorizedOperations]), [['ops-read', bits('READ', 'DESCRIBE')]]);
    assert.equal((await describeCluster(anonymous, true)).clusterAuthorizedOperations, 0);
    assert.equal((await describeCluster(anonymous, false)).clusterAuthorizedOperations, NOT_REQUESTED);

    const groups = await describeGroups(anonymous, ['g-read', 'g-other']);
    const byGroup = new Map(groups.groups.map((g) => [g.groupId, g]));
    assert.equal(byGroup.get('g-read')!.errorCode, 0);
    assert.equal(byGroup.get('g-read')!.authorizedOperations, bits('READ', 'DESCRIBE'));
    assert.equal(byGroup.get('g-other')!.errorCode, 30);
    assert.equal(byGroup.get('g-other')!.authorizedOperations, NOT_REQUESTED);
  });

  test('ACLs on: DESCRIBE and IDEMPOTENT_WRITE on the cluster are what the cluster field shows', async () => {
    await allow('CLUSTER', 'kafka-cluster', 'DESCRIBE');
    await allow('CLUSTER', 'kafka-cluster', 'IDEMPOTENT_WRITE');
    await sleep(REFRESH_WAIT_MS);
    assert.equal((await metadata(anonymous, 9, ['ops-read'], true)).clusterAuthorizedOperations, bits('DESCRIBE', 'IDEMPOTENT_WRITE'));
    assert.equal((await describeCluster(anonymous, true)).clusterAuthorizedOperations, bits('DESCRIBE', 'IDEMPOTENT_WRITE'));
  });

  test('a superuser gets every supported operation', async () => {
    const named = await metadata(root, 10, ['ops-read', 'ops-other'], true);
    assert.deepEqual(named.topics.map((t) => [t.name, t.topicAuthorizedOperations]).sort(), [['ops-other', ALL_TOPIC], ['ops-read', ALL_TOPIC]]);
    assert.equal(named.clusterAuthorizedOperations, ALL_CLUSTER);
    assert.equal((await describeCluster(root, true)).clusterAuthorizedOperations, ALL_CLUSTER);
    assert.equal((await describeGroups(root, ['g-other'])).groups[0]!.authorizedOperations, ALL_GROUP);
  });
});
