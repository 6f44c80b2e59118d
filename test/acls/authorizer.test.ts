import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AclIndex,
  NO_ACL_ALLOWS_IT,
  OPERATION_CODES,
  authorizedOperations,
  describeAcl,
  normalizeHost,
  type Operation,
} from '../../src/acls/authorizer.ts';
import { ACL_OPERATIONS } from '../../src/acls/vocabulary.ts';
import { SUPER, USER, acl, allowed, decide, decideByType, req } from './helpers.ts';

/** Unit tests of the ACL decision, one Kafka rule at a time; every case also checks AclIndex agrees. */

describe('authorize: no ACLs and superusers', () => {
  test('with no ACLs every request is denied, and the reason says no ACL allows it', () => {
    const result = decide([], req());
    assert.equal(result.allowed, false);
    assert.equal(result.reason, NO_ACL_ALLOWS_IT);
    assert.equal(result.acl, undefined);
  });

  test('a superuser is allowed everything, whatever the ACLs say', () => {
    const denyAll = [acl({ resource_name: '*', operation: 'ALL', permission_type: 'DENY', principal: 'User:*' })];
    for (const operation of ACL_OPERATIONS) {
      for (const acls of [[], denyAll]) {
        const result = decide(acls, req({ operation, resourceType: 'CLUSTER', resourceName: 'kafka-cluster' }), SUPER);
        assert.equal(result.allowed, true);
        assert.match(result.reason, /superuser/);
      }
    }
  });
});

describe('authorize: resource patterns', () => {
  test('a LITERAL ACL matches its exact name only (case-sensitive)', () => {
    const acls = [acl({ resource_name: 'orders' })];
    assert.equal(allowed(acls, req({ resourceName: 'orders' })), true);
    for (const name of ['Orders', 'orders2', 'order', 'orders ', '', '*']) {
      assert.equal(allowed(acls, req({ resourceName: name })), false, name);
    }
  });

  test('a LITERAL `*` ACL matches every name of its resource type', () => {
    const acls = [acl({ resource_name: '*' })];
    for (const name of ['orders', 'x', '*', '', 'a*b']) assert.equal(allowed(acls, req({ resourceName: name })), true, name);
    assert.equal(allowed(acls, req({ resourceType: 'GROUP', resourceName: 'orders' })), false);
  });

  test('a PREFIXED ACL matches names that start with it, the prefix itself included', () => {
    const acls = [acl({ resource_name: 'orders-', pattern_type: 'PREFIXED' })];
    for (const name of ['orders-', 'orders-eu', 'orders-eu-1']) assert.equal(allowed(acls, req({ resourceName: name })), true, name);
    for (const name of ['orders', 'order', 'Orders-eu', 'x-orders-eu', '']) assert.equal(allowed(acls, req({ resourceName: name })), false, name);
  });

  test('a PREFIXED `*` is an ordinary prefix, not a wildcard', () => {
    const acls = [acl({ resource_name: '*', pattern_type: 'PREFIXED' })];
    assert.equal(allowed(acls, req({ resourceName: '*orders' })), true);
    assert.equal(allowed(acls, req({ resourceName: 'orders' })), false);
  });

  test('an ACL applies to its own resource type only', () => {
    const acls = [acl({ resource_type: 'GROUP', resource_name: 'orders' })];
    assert.equal(allowed(acls, req({ resourceType: 'GROUP' })), true);
    for (const resourceType of ['TOPIC', 'TRANSACTIONAL_ID', 'DELEGATION_TOKEN', 'USER'] as const) {
      assert.equal(allowed(acls, req({ resourceType })), false, resourceType);
    }
  });

  test('the CLUSTER resource is matched by name like any other', () => {
    const acls = [acl({ resource_type: 'CLUSTER', resource_name: 'kafka-cluster', operation: 'IDEMPOTENT_WRITE' })];
    assert.equal(allowed(acls, req({ resourceType: 'CLUSTER', resourceName: 'kafka-cluster', operation: 'IDEMPOTENT_WRITE' })), true);
    assert.equal(allowed(acls, req({ resourceType: 'CLUSTER', resourceName: 'kafka-cluster', operation: 'CREATE' })), false);
  });
});

describe('authorize: principals', () => {
  test('the principal must be the same, or the ACL is for User:*', () => {
    assert.equal(allowed([acl()], req({ principal: 'User:alice' })), true);
    assert.equal(allowed([acl()], req({ principal: 'User:bob' })), false);
    assert.equal(allowed([acl({ principal: 'User:*' })], req({ principal: 'User:bob' })), true);
    assert.equal(allowed([acl({ principal: 'User:*' })], req({ principal: 'User:ccun_0f1e2d' })), true);
  });

  test('principals compare exactly: type and name are case-sensitive; only User:* is a wildcard', () => {
    assert.equal(allowed([acl({ principal: 'user:alice' })], req()), false);
    assert.equal(allowed([acl({ principal: 'User:Alice' })], req()), false);
    assert.equal(allowed([acl({ principal: 'Group:*' })], req()), false);
    assert.equal(allowed([acl({ principal: 'User:ali*' })], req()), false);
  });

  test('a request from the principal User:* itself is matched by User:* ACLs once', () => {
    const result = decide([acl({ principal: 'User:*' })], req({ principal: 'User:*' }));
    assert.equal(result.allowed, true);
  });
});

describe('authorize: hosts', () => {
  test('the host must be the client address, or `*`', () => {
    assert.equal(allowed([acl({ host: '10.0.0.1' })], req({ host: '10.0.0.1' })), true);
    assert.equal(allowed([acl({ host: '10.0.0.1' })], req({ host: '10.0.0.2' })), false);
    assert.equal(allowed([acl({ host: '*' })], req({ host: '192.168.7.7' })), true);
    assert.equal(allowed([acl({ host: '*' })], req({ host: '2001:db8::7' })), true);
  });

  test('an IPv4 client on a dual-stack socket (::ffff:a.b.c.d) matches ACLs for a.b.c.d', () => {
    assert.equal(allowed([acl({ host: '10.0.0.1' })], req({ host: '::ffff:10.0.0.1' })), true);
    assert.equal(allowed([acl({ host: '10.0.0.1' })], req({ host: '::FFFF:10.0.0.2' })), false);
  });

  test('IPv6 addresses match however they are spelled', () => {
    for (const spelling of ['::1', '0:0:0:0:0:0:0:1', '0000:0000::0001']) {
      assert.equal(allowed([acl({ host: spelling })], req({ host: '::1' })), true, spelling);
      assert.equal(allowed([acl({ host: '::1' })], req({ host: spelling })), true, spelling);
    }
    assert.equal(allowed([acl({ host: '2001:DB8::1' })], req({ host: '2001:db8:0:0::1' })), true);
    assert.equal(allowed([acl({ host: '2001:db8::1' })], req({ host: '2001:db8::2' })), false);
  });

  test('normalizeHost gives Java getHostAddress spellings', () => {
    assert.equal(normalizeHost('*'), '*');
    assert.equal(normalizeHost('10.1.2.3'), '10.1.2.3');
    assert.equal(normalizeHost('::'), '0:0:0:0:0:0:0:0');
    assert.equal(normalizeHost('::1'), '0:0:0:0:0:0:0:1');
    assert.equal(normalizeHost('2001:DB8:0::ab:1'), '2001:db8:0:0:0:0:ab:1');
    assert.equal(normalizeHost('::ffff:192.168.0.1'), '192.168.0.1');
    assert.equal(normalizeHost('::ffff:c0a8:1'), '192.168.0.1');
    assert.equal(normalizeHost('64:ff9b::1.2.3.4'), '64:ff9b:0:0:0:0:102:304');
    assert.equal(normalizeHost('fe80::1%eth0'), 'fe80:0:0:0:0:0:0:1%eth0');
    assert.equal(normalizeHost('not-an-address'), 'not-an-address');
  });
});

describe('authorize: operations', () => {
  test('the operation must be the same, or the ACL is for ALL', () => {
    assert.equal(allowed([acl({ operation: 'READ' })], req({ operation: 'WRITE' })), false);
    for (const operation of ACL_OPERATIONS) {
      assert.equal(allowed([acl({ operation: 'ALL' })], req({ operation })), true, operation);
    }
  });

  test('an ALLOW of ALL grants each operation; a DENY of ALL denies each', () => {
    const acls = [acl({ operation: 'ALL' }), acl({ operation: 'ALL', permission_type: 'DENY', resource_name: 'secret' })];
    for (const operation of ACL_OPERATIONS) {
      assert.equal(allowed(acls, req({ operation })), true, operation);
      assert.equal(allowed(acls, req({ operation, resourceName: 'secret' })), false, operation);
    }
  });

  test('ALLOW READ, WRITE, DELETE or ALTER implies DESCRIBE; nothing else does', () => {
    for (const operation of ACL_OPERATIONS) {
      const implies = ['READ', 'WRITE', 'DELETE', 'ALTER', 'DESCRIBE', 'ALL'].includes(operation);
      assert.equal(allowed([acl({ operation })], req({ operation: 'DESCRIBE' })), implies, operation);
    }
  });

  test('ALLOW ALTER_CONFIGS implies DESCRIBE_CONFIGS; nothing else does', () => {
    for (const operation of ACL_OPERATIONS) {
      const implies = ['ALTER_CONFIGS', 'DESCRIBE_CONFIGS', 'ALL'].includes(operation);
      assert.equal(allowed([acl({ operation })], req({ operation: 'DESCRIBE_CONFIGS' })), implies, operation);
    }
  });

  test('implication runs one way: DESCRIBE grants no READ, DESCRIBE_CONFIGS no ALTER_CONFIGS, ALTER no ALTER_CONFIGS', () => {
    assert.equal(allowed([acl({ operation: 'DESCRIBE' })], req({ operation: 'READ' })), false);
    assert.equal(allowed([acl({ operation: 'DESCRIBE_CONFIGS' })], req({ operation: 'ALTER_CONFIGS' })), false);
    assert.equal(allowed([acl({ operation: 'ALTER' })], req({ operation: 'ALTER_CONFIGS' })), false);
    assert.equal(allowed([acl({ operation: 'ALTER_CONFIGS' })], req({ operation: 'DESCRIBE' })), false);
  });

  test('a DENY implies nothing: DENY READ leaves DESCRIBE to the ALLOWs', () => {
    const acls = [acl({ operation: 'READ' }), acl({ operation: 'READ', permission_type: 'DENY' })];
    assert.equal(allowed(acls, req({ operation: 'READ' })), false);
    assert.equal(allowed(acls, req({ operation: 'DESCRIBE' })), true, 'ALLOW READ still implies DESCRIBE');
    assert.equal(allowed([acl({ operation: 'ALTER_CONFIGS' }), acl({ operation: 'ALTER_CONFIGS', permission_type: 'DENY' })],
      req({ operation: 'DESCRIBE_CONFIGS' })), true);
  });

  test('DENY DESCRIBE denies DESCRIBE only: READ stays allowed', () => {
    const acls = [acl({ operation: 'READ' }), acl({ operation: 'DESCRIBE', permission_type: 'DENY' })];
    assert.equal(allowed(acls, req({ operation: 'DESCRIBE' })), false);
    assert.equal(allowed(acls, req({ operation: 'READ' })), true);
  });
});

describe('authorize: DENY beats ALLOW', () => {
  const deny = (overrides: Parameters<typeof acl>[0]) => acl({ permission_type: 'DENY', ...overrides });

  test('a DENY wins over an ALLOW whatever the patterns, principals and hosts involved', () => {
    const cases = [
      [acl(), deny({})],
      [acl({ resource_name: '*' }), deny({ resource_name: 'orders' })],
      [acl(), deny({ resource_name: '*' })],
      [acl(), deny({ resource_name: 'ord', pattern_type: 'PREFIXED' })],
      [acl({ resource_name: 'ord', pattern_type: 'PREFIXED' }), deny({})],
      [acl(), deny({ principal: 'User:*' })],
      [acl({ principal: 'User:*' }), deny({})],
      [acl({ host: '10.0.0.1' }), deny({ host: '*' })],
      [acl({ host: '*' }), deny({ host: '10.0.0.1' })],
      [acl(), deny({ operation: 'ALL' })],
      [acl({ operation: 'ALL' }), deny({ operation: 'READ' })],
    ];
    for (const acls of cases) {
      for (const order of [acls, [...acls].reverse()]) {
        const result = decide(order, req());
        assert.equal(result.allowed, false, JSON.stringify(order));
        assert.equal(result.acl?.permission_type, 'DENY');
      }
    }
  });

  test('a DENY that does not match the request leaves the ALLOW in force', () => {
    const allow = acl();
    for (const other of [
      deny({ principal: 'User:bob' }),
      deny({ host: '10.9.9.9' }),
      deny({ operation: 'WRITE' }),
      deny({ resource_name: 'other' }),
      deny({ resource_name: 'orders-', pattern_type: 'PREFIXED' }),
      deny({ resource_type: 'GROUP' }),
    ]) {
      assert.equal(allowed([allow, other], req()), true, JSON.stringify(other));
    }
  });
});

describe('authorize: allow.everyone.if.no.acl.found', () => {
  const open = { superuser: false, allowIfNoAclFound: true };

  test('a resource no ACL applies to is allowed to everyone', () => {
    const result = decide([acl({ resource_name: 'other' })], req(), open);
    assert.equal(result.allowed, true);
    assert.match(result.reason, /allow\.everyone\.if\.no\.acl\.found/);
    assert.equal(allowed([], req({ operation: 'DELETE' }), open), true);
  });

  test('any ACL on the resource, for anyone, switches it off for that resource', () => {
    for (const other of [acl({ principal: 'User:bob' }), acl({ host: '10.9.9.9' }), acl({ operation: 'WRITE' }),
      acl({ resource_name: '*', principal: 'User:bob' }), acl({ resource_name: 'ord', pattern_type: 'PREFIXED', principal: 'User:bob' })]) {
      assert.equal(allowed([other], req(), open), false, JSON.stringify(other));
    }
  });

  test('without the option a resource with no ACL is denied', () => {
    assert.equal(allowed([acl({ resource_name: 'other' })], req(), USER), false);
  });
});

describe('authorize: reasons', () => {
  test('the reason names the deciding ACL', () => {
    const deny = acl({ resource_name: 'ord', pattern_type: 'PREFIXED', permission_type: 'DENY', principal: 'User:*' });
    const denied = decide([acl(), deny], req());
    assert.equal(denied.reason, 'denied by DENY User:* READ on TOPIC:PREFIXED:ord from *');
    assert.deepEqual(denied.acl, deny);

    const granted = decide([acl({ host: '10.0.0.1' })], req({ operation: 'DESCRIBE' }));
    assert.equal(granted.reason, 'allowed by ALLOW User:alice READ on TOPIC:LITERAL:orders from 10.0.0.1 (READ implies DESCRIBE)');
    assert.equal(describeAcl(acl()), 'ALLOW User:alice READ on TOPIC:LITERAL:orders from *');
  });

  test('of several ACLs that could decide, the earliest in the list is named', () => {
    const first = acl({ resource_name: '*' });
    const second = acl({ resource_name: 'ord', pattern_type: 'PREFIXED' });
    assert.deepEqual(decide([first, second, acl()], req()).acl, first);
    assert.deepEqual(decide([acl(), second, first], req()).acl, acl());
    const deny1 = acl({ permission_type: 'DENY', principal: 'User:*' });
    const deny2 = acl({ permission_type: 'DENY' });
    assert.deepEqual(decide([acl(), deny1, deny2], req()).acl, deny1);
    assert.deepEqual(decide([deny2, acl(), deny1], req()).acl, deny2);
  });
});

describe('authorize: stored forms', () => {
  test('enum fields in any case are understood, as validateAcl accepts them', () => {
    assert.equal(allowed([acl({ resource_type: 'topic', pattern_type: 'literal', operation: 'read', permission_type: 'allow' })], req()), true);
    assert.equal(allowed([acl({ pattern_type: 'Prefixed', resource_name: 'ord' })], req()), true);
  });

  test('a malformed ACL (unknown resource type, pattern, operation or permission) neither allows nor denies', () => {
    for (const bad of [acl({ resource_type: 'TOPICS' }), acl({ pattern_type: 'MATCH' }), acl({ operation: 'ANY' }), acl({ permission_type: 'MAYBE' })]) {
      assert.equal(allowed([bad], req()), false, JSON.stringify(bad));
      assert.equal(allowed([acl(), { ...bad, permission_type: bad.permission_type === 'MAYBE' ? 'MAYBE' : 'DENY' }], req()), true, JSON.stringify(bad));
      assert.equal(allowed([bad], req(), { superuser: false, allowIfNoAclFound: true }), true, 'ignored for allow.everyone too');
    }
  });
});

describe('authorizeByResourceType (InitProducerId: WRITE on any topic)', () => {
  const write = (overrides: Parameters<typeof acl>[0]) => acl({ operation: 'WRITE', ...overrides });
  const any = { principal: 'User:alice', host: '10.0.0.1', operation: 'WRITE' as Operation, resourceType: 'TOPIC' as const };

  test('no ACLs: denied; superuser: allowed', () => {
    assert.equal(decideByType([], any).allowed, false);
    assert.equal(decideByType([], any, SUPER).allowed, true);
  });

  test('an ALLOW on any one topic, literal or prefixed, is enough', () => {
    assert.equal(decideByType([write({})], any).allowed, true);
    assert.equal(decideByType([write({ resource_name: 'ord', pattern_type: 'PREFIXED' })], any).allowed, true);
    assert.equal(decideByType([write({ resource_name: '*' })], any).allowed, true);
    assert.equal(decideByType([write({ operation: 'ALL' })], any).allowed, true);
  });

  test('the ACL must be for the principal (or User:*), host (or *), operation (or ALL) and type', () => {
    assert.equal(decideByType([write({ principal: 'User:bob' })], any).allowed, false);
    assert.equal(decideByType([write({ principal: 'User:*' })], any).allowed, true);
    assert.equal(decideByType([write({ host: '10.9.9.9' })], any).allowed, false);
    assert.equal(decideByType([write({ host: '10.0.0.1' })], { ...any, host: '::ffff:10.0.0.1' }).allowed, true);
    assert.equal(decideByType([write({ operation: 'READ' })], any).allowed, false);
    assert.equal(decideByType([write({ resource_type: 'GROUP' })], any).allowed, false);
  });

  test('an ALLOW dominated by a DENY does not count', () => {
    // a LITERAL DENY of the same name; a PREFIXED DENY that starts the ALLOW's name.
    assert.equal(decideByType([write({}), write({ permission_type: 'DENY' })], any).allowed, false);
    assert.equal(decideByType([write({}), write({ permission_type: 'DENY', resource_name: 'ord', pattern_type: 'PREFIXED' })], any).allowed, false);
    assert.equal(decideByType([write({ resource_name: 'orders-', pattern_type: 'PREFIXED' }),
      write({ permission_type: 'DENY', resource_name: 'orders', pattern_type: 'PREFIXED' })], any).allowed, false);
    assert.equal(decideByType([write({ resource_name: '*', permission_type: 'DENY' }), write({ resource_name: '*' })], any).allowed, false);
  });

  test('a DENY that does not dominate leaves the ALLOW counting', () => {
    // A literal DENY never dominates a prefixed ALLOW; a longer prefix DENY does not dominate a shorter ALLOW.
    assert.equal(decideByType([write({ resource_name: 'orders', pattern_type: 'PREFIXED' }), write({ permission_type: 'DENY' })], any).allowed, true);
    assert.equal(decideByType([write({ resource_name: 'ord', pattern_type: 'PREFIXED' }),
      write({ permission_type: 'DENY', resource_name: 'orders', pattern_type: 'PREFIXED' })], any).allowed, true);
    assert.equal(decideByType([write({}), write({ permission_type: 'DENY', resource_name: 'other' })], any).allowed, true);
  });

  test('a wildcard ALLOW counts even when prefixed DENYs cover the names (Kafka\'s default implementation)', () => {
    assert.equal(decideByType([write({ resource_name: '*' }), write({ permission_type: 'DENY', resource_name: 'o', pattern_type: 'PREFIXED' })], any).allowed, true);
  });

  test('Kafka first authorizes the sample name "hardcode": allow.everyone.if.no.acl.found and implied operations count there', () => {
    assert.equal(decideByType([], any, { superuser: false, allowIfNoAclFound: true }).allowed, true);
    assert.equal(decideByType([write({ principal: 'User:bob' })], any, { superuser: false, allowIfNoAclFound: true }).allowed, true);
    assert.equal(decideByType([write({ principal: 'User:bob', resource_name: '*' })], any, { superuser: false, allowIfNoAclFound: true }).allowed, false);
    const readAll = [acl({ resource_name: '*' })];
    assert.equal(decideByType(readAll, { ...any, operation: 'DESCRIBE' }).allowed, true, 'READ on * implies DESCRIBE of "hardcode"');
    assert.equal(decideByType([acl()], { ...any, operation: 'DESCRIBE' }).allowed, false, 'the loop itself implies nothing');
  });

  test('the reason names the deciding ACL', () => {
    const result = decideByType([write({ resource_name: 'ord', pattern_type: 'PREFIXED' })], any);
    assert.equal(result.reason, 'WRITE on any TOPIC: allowed by ALLOW User:alice WRITE on TOPIC:PREFIXED:ord from *');
    assert.equal(decideByType([], any).reason, 'WRITE on any TOPIC: no ACL allows it');
  });
});

describe('AclIndex', () => {
  test('keeps the ACLs it was built from, in order, and is not changed by later edits of the list', () => {
    const list = [acl(), acl({ resource_type: 'GROUP' })];
    const index = new AclIndex(list);
    list.push(acl({ resource_name: 'x' }));
    assert.equal(index.size, 2);
    assert.deepEqual(index.entries, [acl(), acl({ resource_type: 'GROUP' })]);
    assert.equal(index.authorize(req({ resourceName: 'x' }), USER).allowed, false);
  });

  test('answers across resource types, patterns and many prefixes', () => {
    const acls = [
      acl({ resource_name: 'a', pattern_type: 'PREFIXED' }),
      acl({ resource_name: 'abc', pattern_type: 'PREFIXED', permission_type: 'DENY' }),
      acl({ resource_name: 'abcdef', pattern_type: 'PREFIXED' }),
      acl({ resource_type: 'GROUP', resource_name: 'g', operation: 'ALL' }),
    ];
    assert.equal(allowed(acls, req({ resourceName: 'ab' })), true);
    assert.equal(allowed(acls, req({ resourceName: 'abcdefg' })), false);
    assert.equal(allowed(acls, req({ resourceName: 'b' })), false);
    assert.equal(allowed(acls, req({ resourceType: 'GROUP', resourceName: 'g', operation: 'DELETE' })), true);
  });
});

describe('authorizedOperations', () => {
  test('sets the bit of each supported operation the principal may do', () => {
    const acls = [acl({ operation: 'READ' }), acl({ operation: 'ALTER_CONFIGS' })];
    const expected = [OPERATION_CODES.READ, OPERATION_CODES.DESCRIBE, OPERATION_CODES.ALTER_CONFIGS, OPERATION_CODES.DESCRIBE_CONFIGS]
      .reduce((field, code) => field | (1 << code), 0);
    const identity = { principal: 'User:alice', host: '10.0.0.1' };
    assert.equal(authorizedOperations(acls, identity, 'TOPIC', 'orders', USER), expected);
    assert.equal(new AclIndex(acls).authorizedOperations(identity, 'TOPIC', 'orders', USER), expected);
    assert.equal(authorizedOperations([], identity, 'TOPIC', 'orders', USER), 0);
  });

  test('a superuser gets every supported operation of the type, and only those', () => {
    const identity = { principal: 'User:root', host: '10.0.0.1' };
    assert.equal(authorizedOperations([], identity, 'GROUP', 'g', SUPER),
      (1 << 3) | (1 << 8) | (1 << 6) | (1 << 10) | (1 << 11));
    assert.equal(authorizedOperations([], identity, 'TRANSACTIONAL_ID', 't', SUPER), (1 << 8) | (1 << 4));
  });
});
