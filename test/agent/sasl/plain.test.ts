import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { scramSecret } from '../../../src/control-plane/services/credentials.ts';
import type { ScramSecret } from '../../../src/metadata/store.ts';
import { SaslAuthenticationError, type ScramLookup } from '../../../src/agent/sasl/common.ts';
import { PlainServer } from '../../../src/agent/sasl/plain.ts';

/**
 * PLAIN (RFC 4616) verified against the SCRAM-SHA-256 secret the control plane stores: the
 * right password, a wrong one, an unknown user, authzid rules and malformed messages.
 */

const secrets = new Map<string, ScramSecret>();
const lookups: string[] = [];
const lookup: ScramLookup<string> = async (username) => {
  lookups.push(username);
  const secret = secrets.get(username);
  return secret && { secret, principal: `User:${username}` };
};

const plain = (...parts: string[]) => Buffer.from(parts.join('\0'), 'utf8');

async function refused(promise: Promise<unknown>, message: string | RegExp, reason?: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof SaslAuthenticationError, `expected SaslAuthenticationError, got ${String(error)}`);
    assert.equal(error.errorCode, 58);
    assert.equal(error.mechanism, 'PLAIN');
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    if (reason) assert.match(error.reason, reason);
    return true;
  });
}

const INVALID = 'Authentication failed: Invalid username or password';

before(async () => {
  secrets.set('ccun_alice', await scramSecret('ccp_secret-password', 'sha256', randomBytes(16), 4096));
  secrets.set('ccun_bob', await scramSecret('pässwörd ✓ with spaces', 'sha256', randomBytes(16), 8192));
});

describe('PLAIN', () => {
  test('the right password authenticates, with an empty response', async () => {
    const server = new PlainServer(lookup);
    const result = await server.step(plain('', 'ccun_alice', 'ccp_secret-password'));
    assert.deepEqual(result, { response: Buffer.alloc(0), done: true, principal: 'User:ccun_alice' });
    assert.equal(server.complete, true);
  });

  test('non-ASCII passwords and other iteration counts work (plain UTF-8, no SASLprep)', async () => {
    const result = await new PlainServer(lookup).step(plain('', 'ccun_bob', 'pässwörd ✓ with spaces'));
    assert.equal(result.principal, 'User:ccun_bob');
    await refused(new PlainServer(lookup).step(plain('', 'ccun_bob', 'pässwörd ✓ with spaces'.normalize('NFD'))), INVALID);
  });

  test('an authzid equal to the username is accepted; a different one is refused before any lookup', async () => {
    const result = await new PlainServer(lookup).step(plain('ccun_alice', 'ccun_alice', 'ccp_secret-password'));
    assert.equal(result.principal, 'User:ccun_alice');
    const before = lookups.length;
    await refused(
      new PlainServer(lookup).step(plain('ccun_bob', 'ccun_alice', 'ccp_secret-password')),
      'Authentication failed: Client requested an authorization id that is different from username',
    );
    assert.equal(lookups.length, before);
  });

  test('a wrong password is refused', async () => {
    for (const password of ['wrong', 'ccp_secret-passwor', 'ccp_secret-password ', 'CCP_SECRET-PASSWORD']) {
      const server = new PlainServer(lookup);
      await refused(server.step(plain('', 'ccun_alice', password)), INVALID, /wrong password/);
      assert.equal(server.complete, false);
    }
  });

  test('an unknown user is refused exactly like a wrong password, after the same hashing work', async () => {
    await refused(new PlainServer(lookup).step(plain('', 'ccun_ghost', 'ccp_secret-password')), INVALID, /unknown user/);
    // The fake secret costs PBKDF2 at the given iteration count: many more iterations, measurably slower.
    const time = async (iterations: number) => {
      const start = performance.now();
      await new PlainServer(lookup, { fakeIterations: iterations }).step(plain('', 'ccun_ghost', 'x')).catch(() => {});
      return performance.now() - start;
    };
    await time(1);
    const cheap = await time(1);
    const costly = await time(200_000);
    assert.ok(costly > cheap * 5, `PBKDF2 ran for the unknown user (${cheap.toFixed(2)} ms vs ${costly.toFixed(2)} ms)`);
  });

  test('a secret of the wrong shape counts as an unknown user', async () => {
    const broken = new PlainServer(async () => ({ secret: { salt: 'AAAA', iterations: 4096, stored_key: 'short', server_key: '' }, principal: 'x' }));
    await refused(broken.step(plain('', 'ccun_alice', 'ccp_secret-password')), INVALID, /unknown user/);
  });

  test('malformed messages are refused with Kafka’s wording', async () => {
    const cases: Array<[Buffer, string | RegExp]> = [
      [Buffer.alloc(0), 'Invalid SASL/PLAIN response: expected 3 tokens, got 1'],
      [plain('ccun_alice', 'ccp_secret-password'), 'Invalid SASL/PLAIN response: expected 3 tokens, got 2'],
      [plain('', 'ccun_alice', 'ccp_secret-password', ''), 'Invalid SASL/PLAIN response: expected 3 tokens, got 4'],
      [plain('', 'ccun_alice', 'ccp_secret\0password'), 'Invalid SASL/PLAIN response: expected 3 tokens, got 4'],
      [plain('', '', 'ccp_secret-password'), 'Authentication failed: username not specified'],
      [plain('', 'ccun_alice', ''), 'Authentication failed: password not specified'],
      [Buffer.from([0, 0x61, 0, 0xff, 0xfe]), /not UTF-8/],
      [Buffer.concat([plain('', 'ccun_alice', ''), Buffer.alloc(20_000, 0x61)]), INVALID],
    ];
    for (const [token, message] of cases) {
      const before = lookups.length;
      await refused(new PlainServer(lookup).step(token), message);
      assert.equal(lookups.length, before, 'no lookup for a malformed message');
    }
  });

  test('random bytes fail with SaslAuthenticationError and nothing else', async () => {
    for (let i = 0; i < 200; i++) {
      const token = randomBytes(Math.floor(Math.random() * 48));
      await refused(new PlainServer(lookup, { fakeIterations: 1 }).step(token), /./);
    }
  });

  test('one message only: no step after done, after a failure, or while one is pending', async () => {
    const good = plain('', 'ccun_alice', 'ccp_secret-password');
    const server = new PlainServer(lookup);
    await server.step(good);
    await refused(server.step(good), /invalid credentials with SASL mechanism PLAIN/, /complete/);

    const failed = new PlainServer(lookup);
    await refused(failed.step(plain('', 'ccun_alice', 'wrong')), INVALID);
    await refused(failed.step(good), /invalid credentials/, /failed/);

    const racy = new PlainServer(lookup);
    const [a, b] = await Promise.allSettled([racy.step(good), racy.step(good)]);
    assert.equal(a.status, 'rejected');
    assert.equal(b.status, 'rejected');
    assert.equal(racy.complete, false);
  });

  test('errors from the lookup pass through and fail the exchange', async () => {
    const server = new PlainServer(async () => {
      throw new Error('store unavailable');
    });
    await assert.rejects(server.step(plain('', 'ccun_alice', 'x')), /store unavailable/);
    await refused(server.step(plain('', 'ccun_alice', 'x')), /invalid credentials/, /failed/);
  });
});
