import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AclIndex, type Operation, type ResourceType } from '../../src/acls/authorizer.ts';
import {
  KAFKA_API_ACLS,
  aclRuleFor,
  authorizationErrorCode,
  evaluateCheck,
  type AclCheck,
  type ApiName,
  type CheckCondition,
} from '../../src/acls/kafka-apis.ts';
import { KafkaError } from '../../src/kafka-protocol/error-codes.ts';
import { ApiKeys } from '../../src/kafka-protocol/messages.generated.ts';
import { SUPER, USER, acl } from './helpers.ts';

/** The per-API table: complete, consistent, and saying what Kafka's broker checks. */

/** `OPERATION RESOURCE_TYPE on` for each grant of each check of an API that applies `when`. */
function grants(api: ApiName, when?: CheckCondition): string[][] {
  return KAFKA_API_ACLS[api].checks
    .filter((check) => when === undefined || check.when === when)
    .map((check) => check.anyOf.map((grant) => `${grant.operation} ${grant.resourceType} ${grant.on}`));
}

describe('KAFKA_API_ACLS', () => {
  test('covers every API the codec serves, under its own key', () => {
    assert.deepEqual(Object.keys(KAFKA_API_ACLS).sort(), Object.keys(ApiKeys).sort());
    for (const [name, key] of Object.entries(ApiKeys)) {
      assert.equal(KAFKA_API_ACLS[name as ApiName].apiKey, key, name);
      assert.equal(aclRuleFor(key), KAFKA_API_ACLS[name as ApiName]);
    }
    assert.equal(aclRuleFor(9999), undefined);
  });

  test('each check refuses with the error of its target type, and grants on the target are of that type', () => {
    const targetType: Record<AclCheck['target'], ResourceType> = { topic: 'TOPIC', group: 'GROUP', 'transactional-id': 'TRANSACTIONAL_ID', cluster: 'CLUSTER' };
    for (const [name, rule] of Object.entries(KAFKA_API_ACLS)) {
      for (const check of rule.checks) {
        assert.ok(check.anyOf.length > 0, name);
        assert.equal(check.errorCode, authorizationErrorCode(targetType[check.target]), `${name} ${check.target}`);
        for (const grant of check.anyOf) {
          if (grant.on === 'target') assert.equal(grant.resourceType, targetType[check.target], `${name} ${grant.operation}`);
          if (grant.on === 'cluster') assert.equal(grant.resourceType, 'CLUSTER', name);
        }
      }
    }
  });

  test('authentication APIs need no ACL', () => {
    for (const api of ['ApiVersions', 'SaslHandshake', 'SaslAuthenticate'] as const) assert.deepEqual(KAFKA_API_ACLS[api].checks, []);
  });

  test('produce and consume', () => {
    assert.deepEqual(grants('Produce', 'always'), [['WRITE TOPIC target']]);
    assert.deepEqual(grants('Produce', 'transactional'), [['WRITE TRANSACTIONAL_ID target']]);
    assert.deepEqual(grants('Produce', 'auto-create'), [['CREATE CLUSTER cluster', 'CREATE TOPIC target']]);
    assert.ok(!JSON.stringify(KAFKA_API_ACLS.Produce).includes('IDEMPOTENT_WRITE'), 'Kafka >= 2.8: Produce checks no IDEMPOTENT_WRITE');
    assert.deepEqual(grants('Fetch'), [['READ TOPIC target']]);
    assert.deepEqual(grants('ListOffsets'), [['DESCRIBE TOPIC target']]);
    assert.deepEqual(grants('OffsetForLeaderEpoch'), [['DESCRIBE TOPIC target']]);
    assert.deepEqual(grants('InitProducerId', 'idempotent'), [['IDEMPOTENT_WRITE CLUSTER cluster', 'WRITE TOPIC any']]);
    assert.deepEqual(grants('InitProducerId', 'transactional'), [['WRITE TRANSACTIONAL_ID target']]);
  });

  test('metadata: describe named topics, hide the rest, create for auto-creation', () => {
    const metadata = KAFKA_API_ACLS.Metadata.checks;
    assert.deepEqual(metadata.map((check) => [check.when, check.denied]),
      [['named', 'fail-resource'], ['all', 'omit'], ['auto-create', 'fail-resource'], ['authorized-operations', 'omit']]);
    assert.deepEqual(grants('Metadata', 'auto-create'), [['CREATE CLUSTER cluster', 'CREATE TOPIC target']]);
  });

  test('groups', () => {
    assert.deepEqual(grants('OffsetCommit'), [['READ GROUP target'], ['READ TOPIC target']]);
    assert.deepEqual(grants('OffsetFetch', 'always'), [['DESCRIBE GROUP target']]);
    assert.deepEqual(grants('OffsetFetch', 'named'), [['DESCRIBE TOPIC target']]);
    for (const api of ['JoinGroup', 'SyncGroup', 'Heartbeat', 'LeaveGroup'] as const) {
      assert.deepEqual(grants(api), [['READ GROUP target']], api);
      assert.equal(KAFKA_API_ACLS[api].checks[0]!.errorCode, KafkaError.GROUP_AUTHORIZATION_FAILED);
    }
    assert.deepEqual(grants('DescribeGroups'), [['DESCRIBE GROUP target']]);
    assert.deepEqual(grants('ListGroups'), [['DESCRIBE CLUSTER cluster', 'DESCRIBE GROUP target']]);
    assert.equal(KAFKA_API_ACLS.ListGroups.checks[0]!.denied, 'omit');
    assert.deepEqual(grants('DeleteGroups'), [['DELETE GROUP target']]);
    assert.deepEqual(grants('OffsetDelete'), [['DELETE GROUP target'], ['READ TOPIC target']]);
    // Share groups (KIP-932), as Kafka 4.2's KafkaApis checks them.
    assert.deepEqual(grants('ShareGroupHeartbeat'), [['READ GROUP target']]);
    assert.deepEqual(grants('ShareGroupDescribe'), [['DESCRIBE GROUP target']]);
    for (const api of ['ShareFetch', 'ShareAcknowledge', 'AlterShareGroupOffsets'] as const) assert.deepEqual(grants(api), [['READ GROUP target'], ['READ TOPIC target']], api);
    assert.deepEqual(grants('DescribeShareGroupOffsets'), [['DESCRIBE GROUP target'], ['DESCRIBE TOPIC target']]);
    assert.deepEqual(grants('DeleteShareGroupOffsets'), [['DELETE GROUP target'], ['READ TOPIC target']]);
    assert.deepEqual(grants('FindCoordinator', 'group-key'), [['DESCRIBE GROUP target']]);
    assert.deepEqual(grants('FindCoordinator', 'transaction-key'), [['DESCRIBE TRANSACTIONAL_ID target']]);
  });

  test('admin APIs', () => {
    assert.deepEqual(grants('CreateTopics', 'always'), [['CREATE CLUSTER cluster', 'CREATE TOPIC target']]);
    assert.deepEqual(grants('DeleteTopics', 'always'), [['DELETE CLUSTER cluster', 'DELETE TOPIC target']]);
    assert.deepEqual(grants('DeleteTopics', 'reveal'), [['DELETE CLUSTER cluster', 'DESCRIBE TOPIC target']]);
    assert.deepEqual(grants('CreatePartitions'), [['ALTER TOPIC target']]);
    assert.deepEqual(grants('DeleteRecords'), [['DELETE TOPIC target']]);
    assert.deepEqual(grants('DescribeConfigs'), [['DESCRIBE_CONFIGS TOPIC target'], ['DESCRIBE_CONFIGS CLUSTER cluster'], ['DESCRIBE_CONFIGS GROUP target']]);
    for (const api of ['AlterConfigs', 'IncrementalAlterConfigs'] as const) {
      assert.deepEqual(grants(api), [['ALTER_CONFIGS TOPIC target'], ['ALTER_CONFIGS CLUSTER cluster'], ['ALTER_CONFIGS GROUP target']]);
    }
    assert.deepEqual(grants('DescribeAcls'), [['DESCRIBE CLUSTER cluster']]);
    assert.deepEqual(grants('CreateAcls'), [['ALTER CLUSTER cluster']]);
    assert.deepEqual(grants('DeleteAcls'), [['ALTER CLUSTER cluster']]);
    assert.deepEqual(KAFKA_API_ACLS.DescribeCluster.checks.map((check) => check.when), ['authorized-operations'], 'DescribeCluster itself needs no ACL');
  });

  test('error codes are Kafka\'s', () => {
    assert.equal(KafkaError.TOPIC_AUTHORIZATION_FAILED, 29);
    assert.equal(KafkaError.GROUP_AUTHORIZATION_FAILED, 30);
    assert.equal(KafkaError.CLUSTER_AUTHORIZATION_FAILED, 31);
    assert.equal(KafkaError.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 53);
    assert.equal(KafkaError.SECURITY_DISABLED, 54);
    assert.equal(authorizationErrorCode('TOPIC'), 29);
    assert.equal(authorizationErrorCode('GROUP'), 30);
    assert.equal(authorizationErrorCode('CLUSTER'), 31);
    assert.equal(authorizationErrorCode('TRANSACTIONAL_ID'), 53);
    assert.equal(authorizationErrorCode('DELEGATION_TOKEN'), 65);
  });
});

describe('evaluateCheck', () => {
  const alice = { principal: 'User:alice', host: '10.0.0.1' };
  const cluster = (operation: Operation) => acl({ resource_type: 'CLUSTER', resource_name: 'kafka-cluster', operation });
  const createTopics = KAFKA_API_ACLS.CreateTopics.checks[0]!;
  const idempotent = KAFKA_API_ACLS.InitProducerId.checks.find((check) => check.when === 'idempotent')!;
  const listGroups = KAFKA_API_ACLS.ListGroups.checks[0]!;

  test('CreateTopics: CREATE on the cluster, or else on the topic', () => {
    assert.equal(evaluateCheck(new AclIndex([cluster('CREATE')]), alice, createTopics, 'anything', USER).allowed, true);
    const perTopic = new AclIndex([acl({ operation: 'CREATE', resource_name: 'new-', pattern_type: 'PREFIXED' })]);
    assert.equal(evaluateCheck(perTopic, alice, createTopics, 'new-orders', USER).allowed, true);
    const refused = evaluateCheck(perTopic, alice, createTopics, 'old-orders', USER);
    assert.equal(refused.allowed, false);
    assert.equal(refused.reason, 'CREATE on CLUSTER: no ACL allows it; CREATE on TOPIC: no ACL allows it');
  });

  test('InitProducerId: IDEMPOTENT_WRITE on the cluster or WRITE on any topic', () => {
    assert.equal(evaluateCheck(new AclIndex([cluster('IDEMPOTENT_WRITE')]), alice, idempotent, undefined, USER).allowed, true);
    assert.equal(evaluateCheck(new AclIndex([acl({ operation: 'WRITE', resource_name: 'x' })]), alice, idempotent, undefined, USER).allowed, true);
    assert.equal(evaluateCheck(new AclIndex([acl({ operation: 'READ' })]), alice, idempotent, undefined, USER).allowed, false);
    assert.equal(evaluateCheck(new AclIndex([]), alice, idempotent, undefined, SUPER).allowed, true);
  });

  test('ListGroups: DESCRIBE on the cluster shows every group, else per group', () => {
    assert.equal(evaluateCheck(new AclIndex([cluster('DESCRIBE')]), alice, listGroups, 'g1', USER).allowed, true);
    const perGroup = new AclIndex([acl({ resource_type: 'GROUP', resource_name: 'g1', operation: 'READ' })]);
    assert.equal(evaluateCheck(perGroup, alice, listGroups, 'g1', USER).allowed, true, 'READ implies DESCRIBE');
    assert.equal(evaluateCheck(perGroup, alice, listGroups, 'g2', USER).allowed, false);
  });

  test('a refusal by a DENY carries that ACL', () => {
    const deny = cluster('ALL');
    deny.permission_type = 'DENY';
    const refused = evaluateCheck(new AclIndex([deny]), alice, KAFKA_API_ACLS.DescribeAcls.checks[0]!, undefined, USER);
    assert.equal(refused.allowed, false);
    assert.deepEqual(refused.acl, deny);
  });

  test('a check on a named resource without a name is a programming error', () => {
    assert.throws(() => evaluateCheck(new AclIndex([]), alice, KAFKA_API_ACLS.Fetch.checks[0]!, undefined, USER), TypeError);
  });
});
