import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Logger } from 'pino';
import { AclIndex, KAFKA_API_ACLS, type AclEntry } from '../../src/acls/index.ts';
import { AclDecider, type AclSnapshot } from '../../src/agent/acl.ts';
import { checkOf, serveAllowed, serveAuthorized, splitByAcls, type Authorization, type KafkaApi } from '../../src/agent/authorize.ts';
import type { RequestContext } from '../../src/agent/connection.ts';
import type { AgentContext } from '../../src/agent/context.ts';
import { authorizeCreateTopics } from '../../src/agent/handlers/topics.ts';

/**
 * The seam between a Kafka API's handler and its ACL step: serveAuthorized composes them (decide,
 * serve, narrow) the same way for every API, and serveAllowed is the per-resource refusal most
 * steps answer with.
 */

const silent = { info: () => {} } as unknown as Logger;
const agent = {} as AgentContext;
const alice = { name: 'User:alice', is_cluster_superuser: false, read_only: false };
const contextOf = (principal = alice): RequestContext => ({ clientId: 'c', clientHost: '10.0.0.1', apiVersion: 5, signal: new AbortController().signal, principal });
const allowCreate = (topic: string): AclEntry => ({
  resource_type: 'TOPIC', resource_name: topic, pattern_type: 'LITERAL', principal: 'User:alice', host: '*', operation: 'CREATE', permission_type: 'ALLOW',
});
function deciderOf(mode: 'off' | 'enforced' | 'shadow', acls: AclEntry[] = [], principal = alice): AclDecider {
  const snapshot: AclSnapshot = { enforced: mode === 'enforced', shadow: mode === 'shadow', index: new AclIndex(acls) };
  return new AclDecider(snapshot, contextOf(principal), 19, silent);
}

interface Request {
  topics: string[];
}

/** An API whose handler and ACL step record what they were given. */
function recorded(decide: (request: Request) => Authorization<Request>) {
  const seen = { handled: [] as Request[], authorized: [] as Request[] };
  const api: KafkaApi = {
    handle: (async (_agent: AgentContext, request: Request) => {
      seen.handled.push(request);
      return { answered: request.topics };
    }) as KafkaApi['handle'],
    authorize: ((_acls: AclDecider, request: Request) => {
      seen.authorized.push(request);
      return decide(request);
    }) as KafkaApi['authorize'],
  };
  return { api, seen };
}

describe('serveAuthorized', () => {
  const asked: Request = { topics: ['a', 'b'] };

  test('without ACLs, or for a superuser, the handler serves the request as asked and the ACL step is not called', async () => {
    for (const acls of [deciderOf('off'), deciderOf('enforced', [], { ...alice, is_cluster_superuser: true })]) {
      const { api, seen } = recorded(() => ({ answer: { refused: true } }));
      assert.deepEqual(await serveAuthorized(api, acls, agent, asked, contextOf()), { answered: ['a', 'b'] });
      assert.deepEqual(seen, { handled: [asked], authorized: [] });
    }
  });

  test('a refusal is the answer and the handler is not called (an answer of null included)', async () => {
    for (const answer of [{ refused: true }, null]) {
      const { api, seen } = recorded(() => ({ answer }));
      assert.deepEqual(await serveAuthorized(api, deciderOf('enforced'), agent, asked, contextOf()), answer);
      assert.deepEqual(seen, { handled: [], authorized: [asked] });
    }
  });

  test('the handler serves what the step leaves of the request, and its answer goes through narrow', async () => {
    const { api, seen } = recorded((request) => ({
      request: { topics: request.topics.slice(1) },
      narrow: (answer) => ({ ...answer, narrowed: true }),
    }));
    assert.deepEqual(await serveAuthorized(api, deciderOf('enforced'), agent, asked, contextOf()), { answered: ['b'], narrowed: true });
    assert.deepEqual(seen.handled, [{ topics: ['b'] }]);
  });

  test('without narrow the handler answer is the answer', async () => {
    const { api } = recorded((request) => ({ request }));
    assert.deepEqual(await serveAuthorized(api, deciderOf('enforced'), agent, asked, contextOf()), { answered: ['a', 'b'] });
  });

  test('a real step: enforced, a topic without CREATE is refused in its own entry; shadowed, nothing is refused', async () => {
    const created: string[][] = [];
    const api: KafkaApi = {
      handle: (async (_agent: AgentContext, request: { topics: Array<{ name: string }> }) => {
        created.push(request.topics.map((t) => t.name));
        return { throttleTimeMs: 0, topics: request.topics.map((t) => ({ name: t.name, errorCode: 0 })) };
      }) as KafkaApi['handle'],
      authorize: authorizeCreateTopics as KafkaApi['authorize'],
    };
    const request = { topics: [{ name: 'yes' }, { name: 'no' }], timeoutMs: 0, validateOnly: false };
    const enforced = (await serveAuthorized(api, deciderOf('enforced', [allowCreate('yes')]), agent, request, contextOf())) as { topics: Array<{ name: string; errorCode: number }> };
    assert.deepEqual(enforced.topics.map((t) => [t.name, t.errorCode]), [['yes', 0], ['no', 29]]);
    const shadowed = (await serveAuthorized(api, deciderOf('shadow', [allowCreate('yes')]), agent, request, contextOf())) as { topics: Array<{ name: string; errorCode: number }> };
    assert.deepEqual(shadowed.topics.map((t) => [t.name, t.errorCode]), [['yes', 0], ['no', 0]]);
    assert.deepEqual(created, [['yes'], ['yes', 'no']]);
  });
});

describe('serveAllowed and splitByAcls', () => {
  const request: Request = { topics: ['a', 'b', 'c'] };
  const rest = (topics: string[]): Request => ({ ...request, topics });
  const refusedOf = (...refused: string[]) => splitByAcls(request.topics, (t) => (refused.includes(t) ? { name: t, refused: true } : undefined));

  test('splitByAcls keeps request order on both sides', () => {
    assert.deepEqual(refusedOf('a', 'c'), { allowed: ['b'], refusals: [{ name: 'a', refused: true }, { name: 'c', refused: true }] });
  });

  test('nothing refused: the request itself is served, with no narrowing', () => {
    const decided = serveAllowed(request, refusedOf(), rest, 'topics', { topics: [] });
    assert.ok('request' in decided);
    assert.equal(decided.request, request);
    assert.equal(decided.narrow, undefined);
  });

  test('some refused: the rest is served and the refusals follow the served entries', () => {
    const decided = serveAllowed(request, refusedOf('a'), rest, 'topics', { topics: [] });
    assert.ok('request' in decided && decided.narrow);
    assert.deepEqual(decided.request, { topics: ['b', 'c'] });
    assert.deepEqual(decided.narrow({ throttleTimeMs: 7, topics: [{ name: 'b' }, { name: 'c' }] }), {
      throttleTimeMs: 7, topics: [{ name: 'b' }, { name: 'c' }, { name: 'a', refused: true }],
    });
  });

  test('all refused: the empty answer carries the refusals and nothing is served', () => {
    const decided = serveAllowed(request, refusedOf('a', 'b', 'c'), rest, 'results', { throttleTimeMs: 0, results: [] });
    assert.deepEqual(decided, { answer: { throttleTimeMs: 0, results: ['a', 'b', 'c'].map((name) => ({ name, refused: true })) } });
  });
});

test('checkOf answers the check of KAFKA_API_ACLS itself, and fails for one the table lacks', () => {
  assert.equal(checkOf('Fetch', 'topic', 'always'), KAFKA_API_ACLS.Fetch.checks[0]);
  assert.throws(() => checkOf('Fetch', 'group', 'always'), /KAFKA_API_ACLS has no group check of Fetch/);
});
