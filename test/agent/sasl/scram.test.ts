import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { scramSecret } from '../../../src/control-plane/services/credentials.ts';
import type { ScramSecret } from '../../../src/metadata/store.ts';
import { SaslAuthenticationError, type ScramLookup, type ScramMechanism } from '../../../src/agent/sasl/common.ts';
import { ScramServer, decodeSaslName, encodeSaslName, type ScramServerOptions } from '../../../src/agent/sasl/scram.ts';
import { ScramClient } from './scram-client.ts';

/**
 * ScramServer against an independent client: RFC 7677's test vector byte for byte, full
 * exchanges with secrets made by the control plane's own `scramSecret` (both hashes), and every
 * way an exchange must fail — wrong password, unknown user (shaped like a wrong password),
 * tampered nonce and channel binding, malformed and out-of-order messages.
 */

const MECHANISMS: ScramMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];
const HASH = { 'SCRAM-SHA-256': 'sha256', 'SCRAM-SHA-512': 'sha512' } as const;

interface Principal {
  name: string;
}
interface User {
  secrets: Record<ScramMechanism, ScramSecret>;
  principal: Principal;
}
const users = new Map<string, User>();
const lookups: string[] = [];

async function addUser(username: string, password: string) {
  const salt = randomBytes(16);
  users.set(username, {
    secrets: {
      'SCRAM-SHA-256': await scramSecret(password, 'sha256', salt, 4096),
      'SCRAM-SHA-512': await scramSecret(password, 'sha512', salt, 4096),
    },
    principal: { name: username },
  });
}

function lookup(mechanism: ScramMechanism): ScramLookup<Principal> {
  return async (username) => {
    lookups.push(username);
    const user = users.get(username);
    return user && { secret: user.secrets[mechanism], principal: user.principal };
  };
}

function server(mechanism: ScramMechanism, options: ScramServerOptions = {}) {
  return new ScramServer(mechanism, lookup(mechanism), options);
}

async function rejects(promise: Promise<unknown>, mechanism: ScramMechanism, reason?: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof SaslAuthenticationError, `expected SaslAuthenticationError, got ${String(error)}`);
    assert.equal(error.errorCode, 58);
    assert.equal(error.mechanism, mechanism);
    assert.equal(error.message, `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`);
    if (reason) assert.match(error.reason, reason);
    return true;
  });
}

/** Runs the four messages; answers the principal the server settled on. */
async function exchange(mechanism: ScramMechanism, username: string, password: string, options: ScramServerOptions = {}) {
  const scram = server(mechanism, options);
  const client = new ScramClient(mechanism, username, password, { minIterations: 4096 });
  const first = await scram.step(client.first());
  assert.equal(first.done, false);
  assert.equal(first.principal, undefined);
  assert.equal(scram.complete, false);
  const final = await scram.step(client.final(first.response));
  assert.equal(final.done, true);
  assert.equal(scram.complete, true);
  client.verify(final.response);
  return { principal: final.principal, scram };
}

const PASSWORD = 'ccp_correct-horse-battery-staple';

before(async () => {
  await addUser('ccun_alice', PASSWORD);
  await addUser('we,ird=name', 'pässwörd ✓');
});

describe('RFC 7677 test vector (SCRAM-SHA-256)', () => {
  test('server-first and server-final are the RFC bytes', async () => {
    // user "user", password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations.
    const secret = await scramSecret('pencil', 'sha256', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), 4096);
    const scram = new ScramServer('SCRAM-SHA-256', async (username) => (username === 'user' ? { secret, principal: 'user' } : undefined), {
      serverNonce: () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
    });
    const first = await scram.step(Buffer.from('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'));
    assert.equal(first.response.toString(), 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096');
    assert.equal(first.done, false);
    const final = await scram.step(
      Buffer.from('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ='),
    );
    assert.equal(final.response.toString(), 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
    assert.equal(final.done, true);
    assert.equal(final.principal, 'user');
  });

  test('the independent client computes the RFC proof from the same nonces', async () => {
    const client = new ScramClient('SCRAM-SHA-256', 'user', 'pencil', { nonce: 'rOprNGfwEbeRWgbNEkqO' });
    assert.equal(client.first().toString(), 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    const final = client.final(Buffer.from('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'));
    assert.equal(final.toString(), 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
    client.verify(Buffer.from('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='));
  });
});

for (const mechanism of MECHANISMS) {
  describe(mechanism, () => {
    test('a full exchange authenticates and the server proves itself', async () => {
      const { principal } = await exchange(mechanism, 'ccun_alice', PASSWORD);
      assert.deepEqual(principal, { name: 'ccun_alice' });
    });

    test('server-first: the client nonce extended by a fresh server nonce, the stored salt and iterations', async () => {
      const a = server(mechanism);
      const b = server(mechanism);
      const first = new ScramClient(mechanism, 'ccun_alice', PASSWORD, { nonce: 'fixed-client-nonce' }).first();
      const ra = (await a.step(first)).response.toString();
      const rb = (await b.step(first)).response.toString();
      const secret = users.get('ccun_alice')!.secrets[mechanism];
      const pattern = /^r=fixed-client-nonce([\x21-\x2b\x2d-\x7e]{16,}),s=([^,]+),i=(\d+)$/;
      const ma = pattern.exec(ra);
      const mb = pattern.exec(rb);
      assert.ok(ma && mb, ra);
      assert.notEqual(ma[1], mb[1], 'each exchange has its own server nonce');
      assert.equal(ma[2], secret.salt);
      assert.equal(ma[3], '4096');
    });

    test('usernames with "," and "=" travel escaped as =2C and =3D', async () => {
      const { principal } = await exchange(mechanism, 'we,ird=name', 'pässwörd ✓');
      assert.deepEqual(principal, { name: 'we,ird=name' });
      assert.equal(lookups.at(-1), 'we,ird=name');
    });

    test('an authzid equal to the username is accepted; a different one is refused', async () => {
      const same = server(mechanism);
      const client = new ScramClient(mechanism, 'ccun_alice', PASSWORD, { gs2Header: 'n,a=ccun_alice,' });
      const first = await same.step(client.first());
      // c= carries the whole GS2 header, authzid included.
      const final = await same.step(client.final(first.response));
      client.verify(final.response);
      assert.deepEqual(final.principal, { name: 'ccun_alice' });

      const other = new ScramClient(mechanism, 'ccun_alice', PASSWORD, { gs2Header: 'n,a=ccun_bob,' });
      await rejects(server(mechanism).step(other.first()), mechanism, /authzid/);
    });

    test('"y" (client could bind, thinks the server cannot) is accepted; c= must then be base64("y,,")', async () => {
      const scram = server(mechanism);
      const client = new ScramClient(mechanism, 'ccun_alice', PASSWORD, { gs2Header: 'y,,' });
      const first = await scram.step(client.first());
      client.verify((await scram.step(client.final(first.response))).response);

      const bent = server(mechanism);
      const liar = new ScramClient(mechanism, 'ccun_alice', PASSWORD, { gs2Header: 'y,,' });
      const bentFirst = await bent.step(liar.first());
      await rejects(bent.step(liar.final(bentFirst.response, { channelBinding: 'biws' })), mechanism, /channel binding/);
    });

    test('a wrong password is refused at the proof', async () => {
      const scram = server(mechanism);
      const client = new ScramClient(mechanism, 'ccun_alice', 'wrong password');
      const first = await scram.step(client.first());
      await rejects(scram.step(client.final(first.response)), mechanism, /invalid proof/);
      assert.equal(scram.complete, false);
    });

    test('an unknown user gets a server-first shaped like a real one, stable per username, and fails like a wrong password', async () => {
      const key = randomBytes(32);
      const shape = (text: string) => text.replace(/^r=[^,]+,s=([^,]+),i=(\d+)$/, (_, salt: string, i: string) => `r=*,s=${salt.length}:${Buffer.from(salt, 'base64').length},i=${i}`);
      const known = (await server(mechanism, { fakeSecretKey: key }).step(new ScramClient(mechanism, 'ccun_alice', PASSWORD).first())).response.toString();

      const firstFor = async (username: string, fakeSecretKey = key) => {
        const scram = server(mechanism, { fakeSecretKey });
        const client = new ScramClient(mechanism, username, 'whatever');
        const first = await scram.step(client.first());
        return { scram, client, first, text: first.response.toString() };
      };
      const ghost = await firstFor('ccun_ghost');
      assert.equal(shape(ghost.text), shape(known));
      assert.equal(ghost.first.done, false);
      const salt = (text: string) => /,s=([^,]+),/.exec(text)![1];
      assert.equal(salt((await firstFor('ccun_ghost')).text), salt(ghost.text), 'same salt on every attempt');
      assert.notEqual(salt((await firstFor('ccun_other')).text), salt(ghost.text), 'another user, another salt');
      assert.notEqual(salt((await firstFor('ccun_ghost', randomBytes(32))).text), salt(ghost.text), 'another server secret, another salt');

      let unknownError: unknown;
      await ghost.scram.step(ghost.client.final(ghost.first.response)).catch((error: unknown) => (unknownError = error));
      let wrongError: unknown;
      const wrong = server(mechanism);
      const wrongClient = new ScramClient(mechanism, 'ccun_alice', 'wrong password');
      await wrong.step(wrongClient.final((await wrong.step(wrongClient.first())).response)).catch((error: unknown) => (wrongError = error));
      assert.ok(unknownError instanceof SaslAuthenticationError && wrongError instanceof SaslAuthenticationError);
      assert.equal(unknownError.message, wrongError.message);
      assert.equal(unknownError.errorCode, wrongError.errorCode);
      assert.match(unknownError.reason, /unknown user/);
    });

    test('a secret of the wrong shape counts as an unknown user', async () => {
      const scram = new ScramServer(mechanism, async () => ({ secret: { salt: 'AAAA', iterations: 4096, stored_key: 'AAAA', server_key: 'AAAA' }, principal: 'x' }));
      const client = new ScramClient(mechanism, 'ccun_alice', PASSWORD);
      const first = await scram.step(client.first());
      await rejects(scram.step(client.final(first.response)), mechanism, /unknown user/);
    });

    test('a proof made for the other hash is refused', async () => {
      const other = mechanism === 'SCRAM-SHA-256' ? 'SCRAM-SHA-512' : 'SCRAM-SHA-256';
      const scram = server(mechanism);
      const client = new ScramClient(other, 'ccun_alice', PASSWORD);
      const first = await scram.step(client.first());
      await rejects(scram.step(client.final(first.response)), mechanism, /proof/);
    });

    test('a tampered nonce is refused', async () => {
      // The first character swapped for another one (the random nonce may itself start with "x").
      const swapFirst = (n: string) => (n.startsWith('x') ? 'y' : 'x') + n.slice(1);
      for (const nonce of [(n: string) => n + 'x', (n: string) => n.slice(0, -1), swapFirst, () => '']) {
        const scram = server(mechanism);
        const client = new ScramClient(mechanism, 'ccun_alice', PASSWORD);
        const first = await scram.step(client.first());
        const combined = /^r=([^,]+)/.exec(first.response.toString())![1]!;
        assert.notEqual(nonce(combined), combined);
        await rejects(scram.step(client.final(first.response, { nonce: nonce(combined) })), mechanism, /nonce/);
      }
    });

    test('tampered channel binding is refused', async () => {
      const bindings = [
        'eSws', // base64("y,,")
        Buffer.from('p=tls-unique,,').toString('base64'),
        Buffer.from('n,a=ccun_alice,').toString('base64'),
        'biws==',
        'biw',
        '',
        'Ymlud3M=',
      ];
      for (const channelBinding of bindings) {
        const scram = server(mechanism);
        const client = new ScramClient(mechanism, 'ccun_alice', PASSWORD);
        const first = await scram.step(client.first());
        await rejects(scram.step(client.final(first.response, { channelBinding })), mechanism, /channel binding/);
      }
    });

    test('a tampered proof is refused; one flipped bit is enough', async () => {
      for (const proof of [
        (p: Buffer) => Buffer.from(p.map((byte, i) => (i === 0 ? byte ^ 1 : byte))),
        (p: Buffer) => p.subarray(1),
        (p: Buffer) => Buffer.concat([p, Buffer.from([0])]),
        () => Buffer.alloc(0),
      ]) {
        const scram = server(mechanism);
        const client = new ScramClient(mechanism, 'ccun_alice', PASSWORD);
        const first = await scram.step(client.first());
        await rejects(scram.step(client.final(first.response, { proof })), mechanism, /proof/);
      }
    });

    test('client-final extensions before the proof are covered by the proof and otherwise ignored', async () => {
      const scram = server(mechanism);
      const client = new ScramClient(mechanism, 'ccun_alice', PASSWORD);
      const first = await scram.step(client.first());
      const final = await scram.step(client.final(first.response, { extensions: ['x=1'] }));
      client.verify(final.response);
    });

    test('channel binding (p=) is refused at client-first', async () => {
      const client = new ScramClient(mechanism, 'ccun_alice', PASSWORD, { gs2Header: 'p=tls-server-end-point,,' });
      await rejects(server(mechanism).step(client.first()), mechanism, /channel binding/);
    });

    test("Kafka's tokenauth extension is refused; other extensions are ignored", async () => {
      for (const extension of ['tokenauth=true', 'tokenauth=false']) {
        const client = new ScramClient(mechanism, 'ccun_alice', PASSWORD, { firstExtensions: [extension] });
        await rejects(server(mechanism).step(client.first()), mechanism, /token/);
      }
      const scram = server(mechanism);
      const client = new ScramClient(mechanism, 'ccun_alice', PASSWORD, { firstExtensions: ['foo=bar', 'x='] });
      const first = await scram.step(client.first());
      client.verify((await scram.step(client.final(first.response))).response);
    });

    test('malformed client-first messages are refused before any lookup', async () => {
      const messages = [
        '',
        'n',
        'n,',
        'n,,',
        'n,,n=ccun_alice',
        'n,,r=abc',
        'n,,r=abc,n=ccun_alice',
        'n,,n=,r=abc',
        'n,,n=ccun_alice,r=',
        'n,,n=ccun_alice,r=a b',
        'n,,m=ext,n=ccun_alice,r=abc',
        'x,,n=ccun_alice,r=abc',
        'N,,n=ccun_alice,r=abc',
        'n,b=ccun_alice,n=ccun_alice,r=abc',
        'n,a=,n=ccun_alice,r=abc',
        'n,,n=we=2cird,r=abc',
        'n,,n=we=ird,r=abc',
        'n,,n=bad=,r=abc',
        'n,,n=nul\0name,r=abc',
        'n,,n=ccun_alice,r=abc,',
        'n,,n=ccun_alice,r=abc,=x',
        'n,,n=ccun_alice,r=abc,noequals',
        'n,,n=ccun_alice,r=abc,1x=2',
        ' n,,n=ccun_alice,r=abc',
      ];
      for (const message of messages) {
        const before = lookups.length;
        await rejects(server(mechanism).step(Buffer.from(message)), mechanism);
        assert.equal(lookups.length, before, `no lookup for ${JSON.stringify(message)}`);
      }
      await rejects(server(mechanism).step(Buffer.from([0x6e, 0x2c, 0x2c, 0x6e, 0x3d, 0xff, 0xfe, 0x2c, 0x72, 0x3d, 0x61])), mechanism, /UTF-8/);
      await rejects(server(mechanism).step(Buffer.alloc(20_000, 0x61)), mechanism, /bytes/);
    });

    test('malformed client-final messages are refused', async () => {
      type Bend = (c: string, r: string, p: string) => string;
      const bends: Bend[] = [
        () => '',
        (c) => c,
        (c, r) => `${c},${r}`,
        (c, r, p) => `${r},${c},${p}`,
        (c, r, p) => `${c},${p},${r}`,
        (c, r, p) => `${c},${r},${p},x=1`,
        (c, r) => `${c},${r},p=`,
        (c, r) => `${c},${r},p=!!!!`,
        (c, r, p) => `${c},${r},${p.slice(0, -1)}`,
        (c, r, p) => `${c},${r},${p}=`,
        (c, r, p) => `${c},${r},${p},`,
        (c, r, p) => `${c},${r},bad,${p}`,
        (c, r, p) => `${c},${r},${p},${p}`,
        (_, r, p) => `c=,${r},${p}`,
        (c, r, p) => `${c},${r.replace('r=', 'R=')},${p}`,
        (c, r, p) => `${c},${r},${p.replace('p=', 'q=')}`,
      ];
      for (const bend of bends) {
        const scram = server(mechanism);
        const client = new ScramClient(mechanism, 'ccun_alice', PASSWORD);
        const good = client.final((await scram.step(client.first())).response).toString();
        const [c, r, p] = good.split(',') as [string, string, string];
        await rejects(scram.step(Buffer.from(bend(c, r, p))), mechanism);
      }
      const scram = server(mechanism);
      const client = new ScramClient(mechanism, 'ccun_alice', PASSWORD);
      await scram.step(client.first());
      await rejects(scram.step(Buffer.from([0x63, 0x3d, 0xc3, 0x28])), mechanism, /UTF-8/);
    });

    test('random bytes at either step fail with SaslAuthenticationError and nothing else', async () => {
      for (let i = 0; i < 300; i++) {
        const token = randomBytes(Math.floor(Math.random() * 64));
        await rejects(server(mechanism).step(token), mechanism);
      }
      for (let i = 0; i < 100; i++) {
        const scram = server(mechanism);
        const client = new ScramClient(mechanism, 'ccun_alice', PASSWORD);
        await scram.step(client.first());
        await rejects(scram.step(randomBytes(1 + Math.floor(Math.random() * 200))), mechanism);
      }
    });

    test('printable garbage shaped like SCRAM fails cleanly', async () => {
      const alphabet = 'nrcpamsiy,=2C3D_abc+/';
      for (let i = 0; i < 500; i++) {
        const length = Math.floor(Math.random() * 40);
        let text = '';
        for (let k = 0; k < length; k++) text += alphabet[Math.floor(Math.random() * alphabet.length)];
        const scram = server(mechanism);
        try {
          await scram.step(Buffer.from(text));
          // A message that happened to parse (an unknown user): the second step must fail.
          await rejects(scram.step(Buffer.from(text)), mechanism);
        } catch (error) {
          assert.ok(error instanceof SaslAuthenticationError, `${JSON.stringify(text)}: ${String(error)}`);
        }
      }
    });

    test('no step after done, none after a failure, none while one is pending', async () => {
      const { scram } = await exchange(mechanism, 'ccun_alice', PASSWORD);
      await rejects(scram.step(Buffer.from('c=biws,r=x,p=AAAA')), mechanism, /complete/);
      await rejects(scram.step(Buffer.alloc(0)), mechanism);

      const failed = server(mechanism);
      await rejects(failed.step(Buffer.from('garbage')), mechanism);
      await rejects(failed.step(new ScramClient(mechanism, 'ccun_alice', PASSWORD).first()), mechanism, /failed/);

      // The same message twice at once: both fail, and the exchange with them.
      const racy = server(mechanism);
      const first = new ScramClient(mechanism, 'ccun_alice', PASSWORD).first();
      const [a, b] = await Promise.allSettled([racy.step(first), racy.step(first)]);
      assert.equal(a.status, 'rejected');
      assert.equal(b.status, 'rejected');
      await rejects(racy.step(first), mechanism);
    });

    test('errors from the lookup pass through and fail the exchange', async () => {
      const scram = new ScramServer(mechanism, async () => {
        throw new Error('store unavailable');
      });
      const first = new ScramClient(mechanism, 'ccun_alice', PASSWORD).first();
      await assert.rejects(scram.step(first), /store unavailable/);
      await rejects(scram.step(first), mechanism, /failed/);
    });

    test('hash-specific: the proof and signature are the hash length', async () => {
      const scram = server(mechanism);
      const client = new ScramClient(mechanism, 'ccun_alice', PASSWORD);
      const first = await scram.step(client.first());
      const final = client.final(first.response).toString();
      const length = HASH[mechanism] === 'sha256' ? 32 : 64;
      assert.equal(Buffer.from(/p=(.+)$/.exec(final)![1]!, 'base64').length, length);
      const answer = await scram.step(Buffer.from(final));
      assert.equal(Buffer.from(answer.response.toString().slice(2), 'base64').length, length);
    });
  });
}

describe('saslname', () => {
  test('escapes round-trip; only =2C and =3D are escapes', () => {
    for (const name of ['plain', 'a,b', 'a=b', '=,=,', '=2C literally', 'ünï©ødé']) {
      assert.equal(decodeSaslName(encodeSaslName(name)), name);
    }
    assert.equal(decodeSaslName('a=2Cb=3Dc'), 'a,b=c');
    assert.equal(decodeSaslName('a=2cb'), undefined);
    assert.equal(decodeSaslName('a=b'), undefined);
    assert.equal(decodeSaslName('a,b'), undefined);
    assert.equal(decodeSaslName(''), undefined);
  });
});

test('a non-SCRAM mechanism name is a programming error', () => {
  assert.throws(() => new ScramServer('PLAIN' as ScramMechanism, async () => undefined), TypeError);
});
