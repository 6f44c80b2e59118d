import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { TestCluster } from '../helpers/cluster.ts';
import { tempPki, type Pki } from '../helpers/certs.ts';
import type { Cleanup } from '../helpers/stores.ts';
import { ClientProcess, interopCacheDir, type Answer, type ClientCommand } from './build-clients.ts';
import { createTopicViaApi, unique } from './helpers.ts';
import {
  ACL_PRODUCE_CASES,
  MECHANISMS,
  createCredential,
  deleteCredential,
  highWatermark,
  startSecurityCluster,
  startTlsCluster,
  type ClientSecurity,
  type Mechanism,
  type SecurityCluster,
} from './security-helpers.ts';

/**
 * The security scenario of the compiled clients' programs (test/interop/java, test/interop/go):
 * every SASL mechanism, wrong passwords, deleted credentials, the ACL scenario of
 * security-helpers.ts (LITERAL, PREFIXED, `*`, DENY precedence, groups), read-only credentials,
 * TLS and mutual TLS. A client's dialect says how its program is configured and how it reports
 * each kind of refusal.
 */

export type RefusalKind = 'authentication' | 'topic-authorization' | 'group-authorization' | 'tls';

/**
 * What the refusal is about: the SASL mechanism, the topic or group refused, and for TLS whether
 * the client refused the agent's certificate or the agent refused the client's (none presented).
 */
export interface RefusalDetail {
  mechanism?: Mechanism;
  topic?: string;
  group?: string;
  tls?: 'server-untrusted' | 'client-no-certificate' | 'client-certificate-of-another-ca';
}

/** A refusal as the suite saw it: the client's answer, its error text, and the assertion message. */
export interface Refusal {
  answer: Answer;
  error: string;
  what: string;
}

export interface SecurityDialect {
  /** The program's environment for these settings. */
  env(security: ClientSecurity): Record<string, string>;
  /** Asserts that the refusal is the client's own report of a refusal of this kind. */
  assertRefusal(refusal: Refusal, kind: RefusalKind, detail: RefusalDetail): void;
}

export function defineSecuritySuite(name: string, build: () => Promise<ClientCommand>, dialect: SecurityDialect, options: { skip?: string | false } = {}): void {
  describe(name, { skip: options.skip ?? false }, () => {
    /** Asserts that `answer` is a refusal at all, then the dialect's kind of it. */
    const assertRefused = (answer: Answer, kind: RefusalKind, detail: RefusalDetail, label: string): void => {
      assert.equal(typeof answer.error, 'string', `${label}: expected a refusal, got ${JSON.stringify(answer)}`);
      dialect.assertRefusal({ answer, error: String(answer.error), what: `${label}: ${JSON.stringify(answer)}` }, kind, detail);
    };
    const cleanups: Array<() => unknown> = [];
    const scope: Cleanup = { after: (fn) => void cleanups.push(fn) };
    let pki: Pki;
    let sec: SecurityCluster;

    before(async () => {
      pki = await tempPki(scope);
      sec = await startSecurityCluster(scope);
    });
    after(async () => {
      for (const fn of cleanups.reverse()) await fn();
    });

    /** A running client program with these settings, closed when the test ends. */
    async function client(t: TestContext, cluster: TestCluster, id: string, security: ClientSecurity): Promise<ClientProcess> {
      const built = await build();
      const proc = await ClientProcess.start({ ...built, env: { ...built.env, ...dialect.env(security) } }, cluster.bootstrap, unique(id));
      t.after(() => proc.close());
      return proc;
    }

    /** Produces `count` records to partition 0 of a one-partition topic; asserts the acks continue its offsets. */
    async function produce(proc: ClientProcess, cluster: TestCluster, topic: string, count: number): Promise<string[]> {
      const from = await highWatermark(cluster, topic);
      const prefix = unique('v');
      const answer = await proc.send(`produce ${topic} ${count} 1 ${prefix}`);
      assert.deepEqual(answer.acks, Array.from({ length: count }, (_, i) => [0, from + i]), `${proc.label}: acks of ${topic}`);
      assert.equal(await highWatermark(cluster, topic), from + count, `${topic}'s high watermark after the produce`);
      return Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
    }

    /** Subscribes with `group`, polls until `count` records came (then once more), closes the consumer; answers the values in offset order. */
    async function consume(proc: ClientProcess, topic: string, group: string, count: number): Promise<string[]> {
      await proc.send(`subscribe ${topic} ${group}`);
      const got: Array<[number, number, string, string]> = [];
      const deadline = Date.now() + 20_000;
      while (got.length < count) {
        assert.ok(Date.now() < deadline, `${proc.label}: consumed ${got.length} of ${count} from ${topic}${proc.logs()}`);
        got.push(...((await proc.send('poll 500')).records as Array<[number, number, string, string]>));
      }
      got.push(...((await proc.send('poll 200')).records as Array<[number, number, string, string]>));
      await proc.send('close-consumer');
      assert.deepEqual(got.map((r) => [r[0], r[1]]), Array.from({ length: count }, (_, i) => [0, i]), `${proc.label}: partition and offset of each record of ${topic}`);
      return got.map((r) => r[3]);
    }

    /** Polls until a poll fails (15 s at most); no poll before may hand out records. Answers the failure. */
    async function pollUntilRefused(proc: ClientProcess, what: string): Promise<Answer> {
      let answer: Answer = {};
      const deadline = Date.now() + 15_000;
      while (answer.error === undefined && Date.now() < deadline) {
        answer = await proc.call('poll 500');
        if (answer.error === undefined) assert.deepEqual(answer.records, [], `${proc.label}: records handed out without READ on ${what}`);
      }
      return answer;
    }

    test('builds the client program', async (t) => {
      const built = await build();
      t.diagnostic(built.buildMs ? `${built.name}: built in ${built.buildMs} ms` : `${built.name}: nothing built in this run (a cached build in ${interopCacheDir()}, or none needed)`);
    });

    for (const mechanism of MECHANISMS) {
      test(`SASL ${mechanism}: produce and consume`, async (t) => {
        const topic = `mech-${mechanism.toLowerCase()}`;
        await createTopicViaApi(sec.cluster, topic, 1);
        const proc = await client(t, sec.cluster, mechanism, sec.security(mechanism, sec.root));
        t.diagnostic(`${proc.label} version ${proc.version}`);
        const values = await produce(proc, sec.cluster, topic, 5);
        assert.deepEqual(await consume(proc, topic, unique('g'), 5), values);
      });
    }

    /** list-topics answers of one client program per login, run side by side. */
    async function logins(t: TestContext, cluster: TestCluster, attempts: Array<{ id: string; security: ClientSecurity }>): Promise<Answer[]> {
      return Promise.all(
        attempts.map(async ({ id, security }) => {
          const proc = await client(t, cluster, id, security);
          const answer = await proc.call('list-topics');
          await proc.close();
          return answer;
        }),
      );
    }

    test('a wrong password, or an unknown user, is refused with the authentication error, for every mechanism', async (t) => {
      const wrong = { username: sec.alice.username, password: `${sec.alice.password}x` };
      const answers = await logins(t, sec.cluster, [
        ...MECHANISMS.map((mechanism) => ({ id: `wrong-${mechanism}`, security: sec.security(mechanism, wrong) })),
        { id: 'unknown-user', security: sec.security('SCRAM-SHA-256', { username: 'ccun_nobody', password: sec.alice.password }) },
      ]);
      MECHANISMS.forEach((mechanism, i) => assertRefused(answers[i]!, 'authentication', { mechanism }, `${mechanism} with a wrong password`));
      assertRefused(answers[3]!, 'authentication', { mechanism: 'SCRAM-SHA-256' }, 'an unknown user');
    });

    test('a deleted credential can no longer log in', async (t) => {
      const doomed = await createCredential(sec.cluster, unique('doomed'), { superuser: true });
      const before = await client(t, sec.cluster, 'doomed-before', sec.security('SCRAM-SHA-512', doomed));
      const listed = (await before.send('list-topics')).topics as string[];
      assert.ok(listed.includes('orders') && listed.includes('secret'), `a superuser lists every topic: ${JSON.stringify(listed)}`);
      await before.close();
      await deleteCredential(sec.cluster, doomed);
      const mechanisms = ['SCRAM-SHA-512', 'PLAIN'] as const;
      const answers = await logins(t, sec.cluster, mechanisms.map((mechanism) => ({ id: `doomed-${mechanism}`, security: sec.security(mechanism, doomed) })));
      mechanisms.forEach((mechanism, i) => assertRefused(answers[i]!, 'authentication', { mechanism }, `the deleted credential with ${mechanism}`));
    });

    test('ACLs: LITERAL, PREFIXED and `*` allow; DENY beats ALLOW; read-only never writes', async (t) => {
      const procs = {
        alice: await client(t, sec.cluster, 'alice', sec.security('SCRAM-SHA-256', sec.alice)),
        bob: await client(t, sec.cluster, 'bob', sec.security('PLAIN', sec.bob)),
        reader: await client(t, sec.cluster, 'reader', sec.security('SCRAM-SHA-512', sec.reader)),
      };
      for (const c of ACL_PRODUCE_CASES) {
        const label = `${c.user} produces to ${c.topic} (${c.why})`;
        if (c.expect === 'ok') {
          await produce(procs[c.user], sec.cluster, c.topic, 3);
          continue;
        }
        const before = await highWatermark(sec.cluster, c.topic);
        assertRefused(await procs[c.user].call(`produce ${c.topic} 3 1 ${unique('no')}`), 'topic-authorization', { topic: c.topic }, label);
        assert.equal(await highWatermark(sec.cluster, c.topic), before, `${label}: nothing was written`);
      }
    });

    test('ACLs: consuming needs READ on the topic and on the group', async (t) => {
      const alice = await client(t, sec.cluster, 'alice-consumer', sec.security('SCRAM-SHA-512', sec.alice));
      await produce(alice, sec.cluster, 'orders', 2);
      const count = await highWatermark(sec.cluster, 'orders');
      assert.equal((await consume(alice, 'orders', unique('alice-g'), count)).length, count);

      // logs-app: WRITE (which implies DESCRIBE) but no READ; her group is allowed.
      await produce(alice, sec.cluster, 'logs-app', 1);
      await alice.send(`subscribe logs-app ${unique('alice-g')}`);
      assertRefused(await pollUntilRefused(alice, 'logs-app'), 'topic-authorization', { topic: 'logs-app' }, 'alice consumes logs-app');
      await alice.send('close-consumer');

      const group = unique('forbidden');
      await alice.send(`subscribe orders ${group}`);
      assertRefused(await pollUntilRefused(alice, group), 'group-authorization', { group }, `alice consumes with group ${group}`);
    });

    test('a read-only credential consumes what another wrote; its produce is refused', async (t) => {
      const root = await client(t, sec.cluster, 'root', sec.security('PLAIN', sec.root));
      const values = await produce(root, sec.cluster, 'readable', 4);
      const reader = await client(t, sec.cluster, 'reader-consumer', sec.security('SCRAM-SHA-256', sec.reader));
      assert.deepEqual(await consume(reader, 'readable', unique('ro-g'), 4), values);
      assertRefused(await reader.call(`produce readable 1 1 ${unique('no')}`), 'topic-authorization', { topic: 'readable' }, 'the read-only credential produces');
      assert.equal(await highWatermark(sec.cluster, 'readable'), 4);
    });

    describe('over TLS', () => {
      let tlsSec: SecurityCluster;
      let mutual: TestCluster;
      before(async () => {
        tlsSec = await startSecurityCluster(scope, { pki, tls: 'server' });
        mutual = await startTlsCluster(scope, pki, true);
      });

      test('SASL_SSL (SCRAM-SHA-512) with the server certificate verified: produce and consume', async (t) => {
        await createTopicViaApi(tlsSec.cluster, 'tls-topic', 1);
        const proc = await client(t, tlsSec.cluster, 'sasl-ssl', tlsSec.security('SCRAM-SHA-512', tlsSec.root));
        const values = await produce(proc, tlsSec.cluster, 'tls-topic', 3);
        assert.deepEqual(await consume(proc, 'tls-topic', unique('g'), 3), values);
        const wrong = await client(t, tlsSec.cluster, 'sasl-ssl-wrong', tlsSec.security('PLAIN', { username: tlsSec.root.username, password: 'wrong-password' }));
        assertRefused(await wrong.call('list-topics'), 'authentication', { mechanism: 'PLAIN' }, 'SASL_SSL with a wrong password');
      });

      test('a client trusting another CA refuses the agent', async (t) => {
        const proc = await client(t, tlsSec.cluster, 'other-ca', withTls(tlsSec.security('PLAIN', tlsSec.root), { ca: pki.otherCaCert }));
        assertRefused(await proc.call('list-topics'), 'tls', { tls: 'server-untrusted' }, 'trusting another CA');
      });

      test('mutual TLS: a certificate from the CA works; none, or one from another CA, is refused', async (t) => {
        await createTopicViaApi(mutual, 'mtls-topic', 1);
        const proc = await client(t, mutual, 'mtls', { tls: { ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey } });
        const values = await produce(proc, mutual, 'mtls-topic', 3);
        assert.deepEqual(await consume(proc, 'mtls-topic', unique('g'), 3), values);
        const answers = await logins(t, mutual, [
          { id: 'mtls-no-certificate', security: { tls: { ca: pki.caCert } } },
          { id: 'mtls-stranger', security: { tls: { ca: pki.caCert, cert: pki.strangerCert, key: pki.strangerKey } } },
        ]);
        assertRefused(answers[0]!, 'tls', { tls: 'client-no-certificate' }, 'mutual TLS without a client certificate');
        assertRefused(answers[1]!, 'tls', { tls: 'client-certificate-of-another-ca' }, 'mutual TLS with a certificate from another CA');
        assert.equal(await highWatermark(mutual, 'mtls-topic'), 3);
      });
    });
  });
}

function withTls(security: ClientSecurity, tls: NonNullable<ClientSecurity['tls']>): ClientSecurity {
  return { ...security, tls };
}
