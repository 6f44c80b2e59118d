import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AclIndex,
  aclAppliesTo,
  authorize,
  authorizeByResourceType,
  matchesFilter,
  normalizeHost,
  type AclRequest,
  type AclTypeRequest,
  type AuthorizeOptions,
  type Operation,
  type ResourceType,
} from '../../src/acls/authorizer.ts';
import { ACL_OPERATIONS, type AclEntry } from '../../src/acls/vocabulary.ts';
import { prng } from './helpers.ts';

/**
 * Property tests of the ACL matcher: seeded random ACL sets and requests over a small universe
 * (so that names, prefixes, principals, hosts and operations collide often), thousands of cases
 * per property. A failure names the seed and the case; SLIPSTREAM_ACL_SEED=<n> replays another seed.
 */

const SEED = Number(process.env.SLIPSTREAM_ACL_SEED ?? 20240604);
const SETS = 400;
const REQUESTS_PER_SET = 25;

const PLAIN: AuthorizeOptions = { superuser: false };
const OPEN: AuthorizeOptions = { superuser: false, allowIfNoAclFound: true };

type Rng = ReturnType<typeof prng>;

/** Picks from weighted choices: the universe is kept dense so that ACLs and requests collide often. */
function weighted<T>(rng: Rng, choices: readonly (readonly [T, number])[]): T {
  let roll = rng.next() * choices.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [item, weight] of choices) if ((roll -= weight) < 0) return item;
  return choices[choices.length - 1]![0];
}

const TYPES = [['TOPIC', 6], ['GROUP', 2.5], ['CLUSTER', 1], ['TRANSACTIONAL_ID', 0.5]] as const satisfies readonly (readonly [ResourceType, number])[];
const ACL_NAMES = [['a', 3], ['ab', 3], ['abc', 2], ['*', 2], ['b', 1], ['hardcode', 0.5], ['h', 0.5], ['kafka-cluster', 1]] as const;
const REQUEST_NAMES = [['a', 2], ['ab', 3], ['abc', 3], ['abcd', 2], ['b', 1], ['*', 0.5], ['', 0.3], ['hard', 0.3], ['kafka-cluster', 1]] as const;
const ACL_PRINCIPALS = [['User:alice', 4.5], ['User:*', 3.5], ['User:bob', 2]] as const;
const REQUEST_PRINCIPALS = [['User:alice', 7], ['User:bob', 2], ['User:carol', 1]] as const;
const ACL_HOSTS = [['*', 6], ['10.0.0.1', 2], ['10.0.0.2', 1], ['::1', 0.5], ['0:0:0:0:0:0:0:1', 0.5]] as const;
const REQUEST_HOSTS = [['10.0.0.1', 6], ['::ffff:10.0.0.1', 1.5], ['10.0.0.2', 1], ['10.0.0.3', 1], ['::1', 0.5]] as const;
/** ALL and the operations that imply or are implied weigh most; every other operation appears too. */
const ACL_OPERATION_WEIGHTS = ACL_OPERATIONS.map((operation) =>
  [operation, ['ALL', 'READ', 'WRITE', 'DESCRIBE', 'ALTER', 'ALTER_CONFIGS', 'DESCRIBE_CONFIGS'].includes(operation) ? 4 : 1] as const);
const REQUEST_OPERATION_WEIGHTS = ACL_OPERATIONS.map((operation) =>
  [operation, ['READ', 'WRITE', 'DESCRIBE', 'DESCRIBE_CONFIGS'].includes(operation) ? 6 : 1] as const);

function randomAcl(rng: Rng, permission?: 'ALLOW' | 'DENY'): AclEntry {
  return {
    resource_type: weighted(rng, TYPES),
    resource_name: weighted(rng, ACL_NAMES),
    pattern_type: rng.chance(0.6) ? 'LITERAL' : 'PREFIXED',
    principal: weighted(rng, ACL_PRINCIPALS),
    host: weighted(rng, ACL_HOSTS),
    operation: weighted(rng, ACL_OPERATION_WEIGHTS),
    permission_type: permission ?? (rng.chance(0.35) ? 'DENY' : 'ALLOW'),
  };
}

function randomAcls(rng: Rng): AclEntry[] {
  return Array.from({ length: rng.int(16) }, () => randomAcl(rng));
}

function randomRequest(rng: Rng): AclRequest {
  return {
    principal: weighted(rng, REQUEST_PRINCIPALS),
    host: weighted(rng, REQUEST_HOSTS),
    operation: weighted<Operation>(rng, REQUEST_OPERATION_WEIGHTS),
    resourceType: weighted(rng, TYPES),
    resourceName: weighted(rng, REQUEST_NAMES),
  };
}

/** Runs `check` over SETS random ACL sets × REQUESTS_PER_SET requests; answers the number of cases. */
function forAll(salt: number, check: (acls: AclEntry[], request: AclRequest, rng: Rng) => void): number {
  const rng = prng(SEED ^ salt);
  let cases = 0;
  for (let s = 0; s < SETS; s++) {
    const acls = randomAcls(rng);
    for (let r = 0; r < REQUESTS_PER_SET; r++) {
      const request = randomRequest(rng);
      try {
        check(acls, request, rng);
      } catch (error) {
        if (error instanceof assert.AssertionError) {
          error.message += `\n  seed ${SEED} salt ${salt} set ${s} request ${r}\n  acls ${JSON.stringify(acls)}\n  request ${JSON.stringify(request)}`;
        }
        throw error;
      }
      cases++;
    }
  }
  return cases;
}

const typeRequest = ({ resourceName: _name, ...rest }: AclRequest): AclTypeRequest => rest;

/**
 * An independent model: Kafka's ZooKeeper-era AclAuthorizer.authorizeAction, written from its
 * structure (matching ACLs of the resource; empty → allow.everyone.if.no.acl.found; else no DENY
 * for the operation and an ALLOW for one of the operations that grant it).
 */
function aclAuthorizerModel(acls: readonly AclEntry[], request: AclRequest, options: AuthorizeOptions): boolean {
  if (options.superuser) return true;
  const host = normalizeHost(request.host);
  const resourceAcls = acls.filter((a) => a.resource_type === request.resourceType && (a.pattern_type === 'LITERAL'
    ? a.resource_name === request.resourceName || a.resource_name === '*'
    : request.resourceName.startsWith(a.resource_name)));
  if (resourceAcls.length === 0) return options.allowIfNoAclFound === true;
  const exists = (operation: Operation, permission: string) => resourceAcls.some((a) => a.permission_type === permission
    && (a.principal === request.principal || a.principal === 'User:*')
    && (a.operation === operation || a.operation === 'ALL')
    && (normalizeHost(a.host) === host || a.host === '*'));
  if (exists(request.operation, 'DENY')) return false;
  const granting: Operation[] = request.operation === 'DESCRIBE' ? ['DESCRIBE', 'READ', 'WRITE', 'DELETE', 'ALTER']
    : request.operation === 'DESCRIBE_CONFIGS' ? ['DESCRIBE_CONFIGS', 'ALTER_CONFIGS'] : [request.operation];
  return granting.some((operation) => exists(operation, 'ALLOW'));
}

/** An independent model of Kafka's default Authorizer.authorizeByResourceType. */
function byTypeModel(acls: readonly AclEntry[], request: AclTypeRequest, options: AuthorizeOptions): boolean {
  if (aclAuthorizerModel(acls, { ...request, resourceName: 'hardcode' }, options)) return true;
  const host = normalizeHost(request.host);
  const relevant = acls.filter((a) => a.resource_type === request.resourceType
    && (normalizeHost(a.host) === host || a.host === '*')
    && (a.principal === request.principal || a.principal === 'User:*')
    && (a.operation === request.operation || a.operation === 'ALL'));
  const denies = relevant.filter((a) => a.permission_type === 'DENY');
  const allows = relevant.filter((a) => a.permission_type === 'ALLOW');
  if (denies.some((a) => a.pattern_type === 'LITERAL' && a.resource_name === '*')) return false;
  if (allows.some((a) => a.pattern_type === 'LITERAL' && a.resource_name === '*')) return true;
  return allows.some((allow) =>
    !denies.some((deny) => deny.pattern_type === 'LITERAL' && allow.pattern_type === 'LITERAL' && deny.resource_name === allow.resource_name)
    && !denies.some((deny) => deny.pattern_type === 'PREFIXED' && deny.resource_name.length > 0 && allow.resource_name.startsWith(deny.resource_name)));
}

function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

describe('ACL matcher properties', () => {
  test('AclIndex answers exactly as authorize (allowed, reason and deciding ACL), both option sets', () => {
    const seen = { allowed: 0, deniedByAcl: 0, noAclAllows: 0, implied: 0, openedByNoAcl: 0 };
    const cases = forAll(1, (acls, request) => {
      const index = new AclIndex(acls);
      for (const options of [PLAIN, OPEN]) {
        const result = authorize(acls, request, options);
        assert.deepEqual(index.authorize(request, options), result);
        if (options === OPEN) {
          if (result.allowed && !result.acl) seen.openedByNoAcl++;
          continue;
        }
        if (result.allowed) seen.allowed++;
        else if (result.acl) seen.deniedByAcl++;
        else seen.noAclAllows++;
        if (result.reason.includes(' implies ')) seen.implied++;
      }
    });
    assert.equal(cases, SETS * REQUESTS_PER_SET);
    // The generator is worth something only if every kind of outcome is common.
    for (const [outcome, count] of Object.entries(seen)) assert.ok(count > cases / 50, `only ${count} of ${cases} cases: ${outcome}`);
  });

  test('authorize agrees with an independent model of Kafka\'s AclAuthorizer', () => {
    forAll(2, (acls, request) => {
      for (const options of [PLAIN, OPEN]) assert.equal(authorize(acls, request, options).allowed, aclAuthorizerModel(acls, request, options));
    });
  });

  test('authorizeByResourceType: AclIndex agrees with the scan, and both with a model of Kafka\'s default', () => {
    forAll(3, (acls, request) => {
      const index = new AclIndex(acls);
      for (const options of [PLAIN, OPEN]) {
        const scanned = authorizeByResourceType(acls, typeRequest(request), options);
        assert.deepEqual(index.authorizeByResourceType(typeRequest(request), options), scanned);
        assert.equal(scanned.allowed, byTypeModel(acls, typeRequest(request), options));
      }
    });
  });

  test('adding a DENY never turns a denial into an allow', () => {
    forAll(4, (acls, request, rng) => {
      const more = [...acls, randomAcl(rng, 'DENY')];
      more.splice(rng.int(more.length), 0, randomAcl(rng, 'DENY'));
      for (const options of [PLAIN, OPEN]) {
        if (!authorize(acls, request, options).allowed) assert.equal(authorize(more, request, options).allowed, false);
        if (!authorizeByResourceType(acls, typeRequest(request), options).allowed) {
          assert.equal(authorizeByResourceType(more, typeRequest(request), options).allowed, false);
        }
      }
    });
  });

  test('adding an ALLOW never turns an allow into a denial (with allow.everyone.if.no.acl.found off)', () => {
    forAll(5, (acls, request, rng) => {
      const more = [...acls];
      more.splice(rng.int(more.length + 1), 0, randomAcl(rng, 'ALLOW'));
      if (authorize(acls, request, PLAIN).allowed) assert.equal(authorize(more, request, PLAIN).allowed, true);
      if (authorizeByResourceType(acls, typeRequest(request), PLAIN).allowed) {
        assert.equal(authorizeByResourceType(more, typeRequest(request), PLAIN).allowed, true);
      }
    });
  });

  test('…which allow.everyone.if.no.acl.found breaks: the first ACL on a resource closes it to everyone else', () => {
    // Not a bug: Kafka behaves the same. The generator finds such cases; one is pinned below.
    let broken = 0;
    forAll(6, (acls, request, rng) => {
      const more = [...acls, randomAcl(rng, 'ALLOW')];
      if (authorize(acls, request, OPEN).allowed && !authorize(more, request, OPEN).allowed) broken++;
    });
    assert.ok(broken > 0, 'expected the generator to find ALLOWs that close an open resource');
    const bobOnly: AclEntry = { resource_type: 'TOPIC', resource_name: 'a', pattern_type: 'LITERAL', principal: 'User:bob', host: '*', operation: 'READ', permission_type: 'ALLOW' };
    const alice: AclRequest = { principal: 'User:alice', host: '10.0.0.1', operation: 'READ', resourceType: 'TOPIC', resourceName: 'a' };
    assert.equal(authorize([], alice, OPEN).allowed, true);
    assert.equal(authorize([bobOnly], alice, OPEN).allowed, false);
  });

  test('with no ACLs every non-superuser is denied everything, and a superuser is allowed everything', () => {
    forAll(7, (acls, request) => {
      assert.equal(authorize([], request, PLAIN).allowed, false);
      assert.equal(new AclIndex([]).authorize(request, PLAIN).allowed, false);
      assert.equal(authorizeByResourceType([], typeRequest(request), PLAIN).allowed, false);
      assert.equal(authorize(acls, request, { superuser: true }).allowed, true);
      assert.equal(new AclIndex(acls).authorizeByResourceType(typeRequest(request), { superuser: true }).allowed, true);
    });
  });

  test('the order of the ACLs never changes a decision', () => {
    forAll(8, (acls, request, rng) => {
      const other = shuffled(acls, rng);
      for (const options of [PLAIN, OPEN]) {
        assert.equal(authorize(other, request, options).allowed, authorize(acls, request, options).allowed);
        assert.equal(authorizeByResourceType(other, typeRequest(request), options).allowed, authorizeByResourceType(acls, typeRequest(request), options).allowed);
      }
    });
  });

  test('only the ACLs that apply to the resource matter: dropping the others changes nothing', () => {
    forAll(9, (acls, request) => {
      const applying = acls.filter((a) => aclAppliesTo(a, request.resourceType, request.resourceName));
      for (const options of [PLAIN, OPEN]) assert.equal(authorize(applying, request, options).allowed, authorize(acls, request, options).allowed);
    });
  });

  test('a DescribeAcls MATCH filter selects exactly the ACLs that apply to the resource, and any deciding ACL is among them', () => {
    forAll(10, (acls, request) => {
      const filter = { resourceType: request.resourceType, resourceName: request.resourceName, patternType: 'MATCH' as const };
      const matched = acls.filter((a) => matchesFilter(a, filter));
      assert.deepEqual(matched, acls.filter((a) => aclAppliesTo(a, request.resourceType, request.resourceName)));
      assert.deepEqual(new AclIndex(acls).filter(filter), matched);
      const decision = authorize(acls, request, PLAIN);
      if (decision.acl) assert.ok(matched.includes(decision.acl));
    });
  });

  test('a DENY of ALL for User:* from any host on LITERAL `*` refuses every request of that type', () => {
    forAll(11, (acls, request) => {
      const denyAll: AclEntry = { resource_type: request.resourceType, resource_name: '*', pattern_type: 'LITERAL', principal: 'User:*', host: '*', operation: 'ALL', permission_type: 'DENY' };
      const result = new AclIndex([...acls, denyAll]).authorize(request, PLAIN);
      assert.equal(result.allowed, false);
      assert.equal(result.acl?.permission_type, 'DENY');
    });
  });

  test('an IPv4 client decides the same whether the socket reports a.b.c.d or ::ffff:a.b.c.d', () => {
    forAll(12, (acls, request) => {
      if (request.host.includes(':')) return;
      assert.deepEqual(authorize(acls, { ...request, host: `::ffff:${request.host}` }, PLAIN), authorize(acls, request, PLAIN));
    });
  });
});
