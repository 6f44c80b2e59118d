import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AclIndex, MATCH_ALL_ACLS, aclAppliesTo, matchesFilter, type AclFilter } from '../../src/acls/authorizer.ts';
import {
  OPERATION_CODES,
  PATTERN_TYPE_CODES,
  PERMISSION_TYPE_CODES,
  RESOURCE_TYPE_CODES,
  aclEntryFromWire,
  aclEntryToWire,
  aclFilterFromWire,
} from '../../src/acls/wire.ts';
import { ACL_OPERATIONS, ACL_PERMISSION_TYPES, ACL_RESOURCE_TYPES } from '../../src/acls/vocabulary.ts';
import { acl } from './helpers.ts';

/** DescribeAcls/DeleteAcls filters (Kafka's AclBindingFilter) and the ACL wire codes. */

const literal = acl({ resource_name: 'orders' });
const wildcard = acl({ resource_name: '*' });
const prefixShort = acl({ resource_name: 'ord', pattern_type: 'PREFIXED' });
const prefixSame = acl({ resource_name: 'orders', pattern_type: 'PREFIXED' });
const prefixLong = acl({ resource_name: 'orders-eu', pattern_type: 'PREFIXED' });
const otherLiteral = acl({ resource_name: 'payments' });
const group = acl({ resource_type: 'GROUP', resource_name: 'orders' });
const all = [literal, wildcard, prefixShort, prefixSame, prefixLong, otherLiteral, group];

function selected(filter: AclFilter): typeof all {
  const chosen = all.filter((entry) => matchesFilter(entry, filter));
  assert.deepEqual(new AclIndex(all).filter(filter), chosen, 'AclIndex.filter and matchesFilter disagree');
  return chosen;
}

describe('matchesFilter: resource pattern', () => {
  test('an empty filter (every field absent or null) selects every ACL', () => {
    assert.deepEqual(selected(MATCH_ALL_ACLS), all);
    assert.deepEqual(selected({ resourceType: null, resourceName: null, patternType: null, principal: null, host: null, operation: null, permissionType: null }), all);
    assert.deepEqual(selected({ resourceType: 'ANY', patternType: 'ANY', operation: 'ANY', permissionType: 'ANY' }), all);
  });

  test('resource type selects that type only', () => {
    assert.deepEqual(selected({ resourceType: 'GROUP' }), [group]);
    assert.deepEqual(selected({ resourceType: 'CLUSTER' }), []);
  });

  test('pattern type ANY with a name: ACLs of any pattern type with exactly that name', () => {
    assert.deepEqual(selected({ resourceName: 'orders' }), [literal, prefixSame, group]);
    assert.deepEqual(selected({ resourceName: 'orders', patternType: 'ANY', resourceType: 'TOPIC' }), [literal, prefixSame]);
    assert.deepEqual(selected({ resourceName: 'orders-eu-1' }), []);
  });

  test('pattern type LITERAL or PREFIXED: that pattern type, exactly that name (`*` is just a name here)', () => {
    assert.deepEqual(selected({ patternType: 'LITERAL', resourceName: 'orders' }), [literal, group]);
    assert.deepEqual(selected({ patternType: 'LITERAL', resourceName: '*' }), [wildcard]);
    assert.deepEqual(selected({ patternType: 'PREFIXED', resourceName: 'orders' }), [prefixSame]);
    assert.deepEqual(selected({ patternType: 'PREFIXED' }), [prefixShort, prefixSame, prefixLong]);
    assert.deepEqual(selected({ patternType: 'LITERAL', resourceType: 'TOPIC' }), [literal, wildcard, otherLiteral]);
  });

  test('pattern type MATCH: the ACLs that would apply to a resource of that name', () => {
    assert.deepEqual(selected({ patternType: 'MATCH', resourceType: 'TOPIC', resourceName: 'orders' }), [literal, wildcard, prefixShort, prefixSame]);
    assert.deepEqual(selected({ patternType: 'MATCH', resourceType: 'TOPIC', resourceName: 'orders-eu-1' }), [wildcard, prefixShort, prefixSame, prefixLong]);
    assert.deepEqual(selected({ patternType: 'MATCH', resourceType: 'TOPIC', resourceName: 'payments' }), [wildcard, otherLiteral]);
    assert.deepEqual(selected({ patternType: 'MATCH', resourceName: 'orders' }), [literal, wildcard, prefixShort, prefixSame, group]);
  });

  test('pattern type MATCH without a name selects every pattern', () => {
    assert.deepEqual(selected({ patternType: 'MATCH' }), all);
  });

  test('MATCH agrees with aclAppliesTo, the set the authorizer consults', () => {
    for (const name of ['orders', 'orders-eu', 'ord', 'o', '*', 'payments', '']) {
      for (const resourceType of ['TOPIC', 'GROUP'] as const) {
        const expected = all.filter((entry) => aclAppliesTo(entry, resourceType, name));
        assert.deepEqual(selected({ patternType: 'MATCH', resourceType, resourceName: name }), expected, `${resourceType} ${name}`);
      }
    }
  });
});

describe('matchesFilter: entry fields', () => {
  const acls = [
    acl({ principal: 'User:alice', host: '*', operation: 'READ', permission_type: 'ALLOW' }),
    acl({ principal: 'User:*', host: '10.0.0.1', operation: 'ALL', permission_type: 'DENY' }),
    acl({ principal: 'User:bob', host: '::1', operation: 'WRITE', permission_type: 'ALLOW' }),
  ];
  const pick = (filter: AclFilter) => acls.filter((entry) => matchesFilter(entry, filter));

  test('principal compares exactly: User:alice does not select User:* ACLs, User:* selects only those', () => {
    assert.deepEqual(pick({ principal: 'User:alice' }), [acls[0]]);
    assert.deepEqual(pick({ principal: 'User:*' }), [acls[1]]);
    assert.deepEqual(pick({ principal: 'User:carol' }), []);
  });

  test('host compares exactly: `*` selects only ACLs for any host', () => {
    assert.deepEqual(pick({ host: '*' }), [acls[0]]);
    assert.deepEqual(pick({ host: '10.0.0.1' }), [acls[1]]);
    assert.deepEqual(pick({ host: '::1' }), [acls[2]]);
  });

  test('operation ANY selects every operation; ALL only ACLs for ALL', () => {
    assert.deepEqual(pick({ operation: 'ANY' }), acls);
    assert.deepEqual(pick({ operation: 'ALL' }), [acls[1]]);
    assert.deepEqual(pick({ operation: 'READ' }), [acls[0]], 'an ALL ACL is not selected by a READ filter');
  });

  test('permission type ANY, ALLOW or DENY', () => {
    assert.deepEqual(pick({ permissionType: 'ANY' }), acls);
    assert.deepEqual(pick({ permissionType: 'DENY' }), [acls[1]]);
    assert.deepEqual(pick({ permissionType: 'ALLOW' }), [acls[0], acls[2]]);
  });

  test('fields combine with AND', () => {
    assert.deepEqual(pick({ principal: 'User:bob', operation: 'WRITE', host: '::1', permissionType: 'ALLOW', resourceName: 'orders', patternType: 'LITERAL' }), [acls[2]]);
    assert.deepEqual(pick({ principal: 'User:bob', operation: 'READ' }), []);
  });

  test('stored enum fields in lower case are matched as their canonical form', () => {
    const lower = acl({ resource_type: 'topic', pattern_type: 'prefixed', resource_name: 'ord', operation: 'read', permission_type: 'allow' });
    assert.equal(matchesFilter(lower, { resourceType: 'TOPIC', patternType: 'MATCH', resourceName: 'orders', operation: 'READ', permissionType: 'ALLOW' }), true);
  });
});

describe('wire codes', () => {
  test('the codes are Kafka\'s', () => {
    assert.deepEqual(RESOURCE_TYPE_CODES, { UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 });
    assert.deepEqual(PATTERN_TYPE_CODES, { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 });
    assert.deepEqual(PERMISSION_TYPE_CODES, { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 });
    assert.deepEqual(Object.entries(OPERATION_CODES).map(([name]) => name),
      ['UNKNOWN', 'ANY', 'ALL', 'READ', 'WRITE', 'CREATE', 'DELETE', 'ALTER', 'DESCRIBE', 'CLUSTER_ACTION', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'IDEMPOTENT_WRITE', 'CREATE_TOKENS', 'DESCRIBE_TOKENS']);
    assert.deepEqual(Object.values(OPERATION_CODES), [...Array(15).keys()]);
    for (const name of [...ACL_RESOURCE_TYPES]) assert.ok(name in RESOURCE_TYPE_CODES, name);
    for (const name of [...ACL_OPERATIONS]) assert.ok(name in OPERATION_CODES, name);
    for (const name of [...ACL_PERMISSION_TYPES]) assert.ok(name in PERMISSION_TYPE_CODES, name);
  });

  const wireFilter = { resourceTypeFilter: 2, resourceNameFilter: 'orders', patternTypeFilter: 2, principalFilter: null, hostFilter: '*', operation: 1, permissionType: 3 };

  test('a DescribeAcls/DeleteAcls filter decodes into an AclFilter', () => {
    assert.deepEqual(aclFilterFromWire(wireFilter), {
      filter: { resourceType: 'TOPIC', resourceName: 'orders', patternType: 'MATCH', principal: null, host: '*', operation: 'ANY', permissionType: 'ALLOW' },
    });
    const { patternTypeFilter: _v0, ...v0 } = wireFilter;
    assert.deepEqual(aclFilterFromWire(v0), { filter: { ...(aclFilterFromWire(wireFilter) as { filter: AclFilter }).filter, patternType: 'LITERAL' } }, 'v0 means LITERAL');
  });

  test('a filter with an UNKNOWN or undefined element is refused', () => {
    for (const field of ['resourceTypeFilter', 'patternTypeFilter', 'operation', 'permissionType'] as const) {
      for (const code of [0, 99, -1]) {
        const result = aclFilterFromWire({ ...wireFilter, [field]: code });
        assert.ok('error' in result, `${field}=${code}`);
      }
    }
  });

  const wireAcl = { resourceType: 3, resourceName: 'g-', resourcePatternType: 4, principal: 'User:ccun_1', host: '*', operation: 3, permissionType: 2 };

  test('a CreateAcls creation decodes into an AclEntry and back', () => {
    const decoded = aclEntryFromWire(wireAcl);
    assert.deepEqual(decoded, {
      acl: { resource_type: 'GROUP', resource_name: 'g-', pattern_type: 'PREFIXED', principal: 'User:ccun_1', host: '*', operation: 'READ', permission_type: 'DENY' },
    });
    assert.deepEqual(aclEntryToWire((decoded as { acl: Parameters<typeof aclEntryToWire>[0] }).acl), wireAcl);
  });

  test('a creation with ANY, MATCH, UNKNOWN or undefined codes is refused', () => {
    for (const [field, codes] of [
      ['resourceType', [0, 1, 8]],
      ['resourcePatternType', [0, 1, 2, 5]],
      ['operation', [0, 1, 15]],
      ['permissionType', [0, 1, 4]],
    ] as const) {
      for (const code of codes) assert.ok('error' in aclEntryFromWire({ ...wireAcl, [field]: code }), `${field}=${code}`);
    }
  });
});
