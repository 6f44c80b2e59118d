import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { describe, test } from 'node:test';
import { hashSecret } from '../../src/ids.ts';
import type { ClusterCredential, ScramSecret } from '../../src/metadata/store.ts';
import { createCluster, foreignWorkspace, idPattern, readOnlyKey, refused, UNKNOWN_CLUSTER } from '../helpers/api.ts';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';

/** create_virtual_cluster_credentials: answers, name rules, and SCRAM secrets instead of passwords. */

const CREATE = '/api/v1/create_virtual_cluster_credentials';
const CREDENTIAL_ID = idPattern('cci_');
const USERNAME = /^ccun_[0-9a-f]{24}$/;
const PASSWORD = /^ccp_[0-9a-f]{48}$/;

async function create(p: TestPlatform, fields: Record<string, unknown>, cluster?: string): Promise<{ id: string; username: string; password: string }> {
  const result = await p.call(CREATE, { virtual_cluster_id: cluster ?? p.boot.virtual_cluster_id, is_cluster_superuser: false, ...fields });
  assert.equal(result.status, 200, `${JSON.stringify(fields)} → ${result.text}`);
  assert.deepEqual(Object.keys(result.body).sort(), ['id', 'password', 'username']);
  return result.body;
}

async function stored(p: TestPlatform, id: string, cluster?: string): Promise<ClusterCredential> {
  const credential = (await p.store.listCredentials(cluster ?? p.boot.virtual_cluster_id)).find((c) => c.id === id);
  assert.ok(credential, `credential ${id} is stored`);
  return credential;
}

/** RFC 5802, computed here independently of the code under test (Kafka: UTF-8 bytes, no SASLprep). */
function expectedScram(password: string, algorithm: 'sha256' | 'sha512', secret: ScramSecret): { stored_key: string; server_key: string } {
  const salt = Buffer.from(secret.salt, 'base64');
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, secret.iterations, algorithm === 'sha256' ? 32 : 64, algorithm);
  const clientKey = createHmac(algorithm, salted).update('Client Key').digest();
  return {
    stored_key: createHash(algorithm).update(clientKey).digest('base64'),
    server_key: createHmac(algorithm, salted).update('Server Key').digest('base64'),
  };
}

function assertScram(credential: ClusterCredential, password: string): void {
  assert.deepEqual(Object.keys(credential.scram).sort(), ['SCRAM-SHA-256', 'SCRAM-SHA-512']);
  for (const [mechanism, algorithm, size] of [['SCRAM-SHA-256', 'sha256', 32], ['SCRAM-SHA-512', 'sha512', 64]] as const) {
    const secret = credential.scram[mechanism];
    assert.deepEqual(Object.keys(secret).sort(), ['iterations', 'salt', 'server_key', 'stored_key']);
    assert.ok(Number.isInteger(secret.iterations) && secret.iterations >= 4096, `${mechanism} iterations ${secret.iterations} ≥ 4096`);
    assert.ok(Buffer.from(secret.salt, 'base64').length >= 16, `${mechanism} salt of at least 16 bytes`);
    assert.equal(Buffer.from(secret.stored_key, 'base64').length, size);
    assert.equal(Buffer.from(secret.server_key, 'base64').length, size);
    assert.deepEqual({ stored_key: secret.stored_key, server_key: secret.server_key }, expectedScram(password, algorithm, secret), mechanism);
    // The secret really depends on the password.
    assert.notEqual(expectedScram(password + 'x', algorithm, secret).stored_key, secret.stored_key);
  }
}

function assertPasswordNowhere(json: string, password: string): void {
  assert.ok(!json.includes(password), 'the password is not stored');
  assert.ok(!json.includes(Buffer.from(password, 'utf8').toString('base64')), 'the password is not stored in base64');
  assert.ok(!json.includes(Buffer.from(password, 'utf8').toString('hex')), 'the password is not stored in hex');
  const bare = password.replace(/^ccp_/, '');
  assert.ok(!json.includes(bare), 'no part of a generated password is stored');
}

for (const kind of storeKinds()) {
  describe(`cluster credentials (${kind.kind})`, () => {
    test('answers {id cci_, username ccun_, password ccp_}; the store keeps SCRAM secrets, never the password', async (t) => {
      const p = await startTestPlatform(kind, t);
      const before = Date.now();
      const answer = await create(p, { credentials_name: 'alice' });
      assert.match(answer.id, CREDENTIAL_ID);
      assert.match(answer.username, USERNAME);
      assert.match(answer.password, PASSWORD);

      const credential = await stored(p, answer.id);
      assert.equal(credential.name, 'ccn_alice');
      assert.equal(credential.username, answer.username);
      assert.equal(credential.virtual_cluster_id, p.boot.virtual_cluster_id);
      assert.equal(credential.is_cluster_superuser, false);
      assert.equal(credential.read_only, false);
      assert.ok(credential.created_at >= before && credential.created_at <= Date.now());
      assert.deepEqual(
        Object.keys(credential).sort(),
        ['created_at', 'id', 'is_cluster_superuser', 'name', 'read_only', 'scram', 'username', 'virtual_cluster_id'],
      );
      assertScram(credential, answer.password);
      assertPasswordNowhere(JSON.stringify(await p.store.listCredentials(p.boot.virtual_cluster_id)), answer.password);
      assert.deepEqual(await p.store.getCredentialByUsername(answer.username), credential);
    });

    test('an imported password is answered as given and stored only as SCRAM secrets', async (t) => {
      const p = await startTestPlatform(kind, t);
      const imported = 'correct horse battery staple';
      const answer = await create(p, { credentials_name: 'migrated', imported_password: imported, is_cluster_superuser: true });
      assert.equal(answer.password, imported);
      assert.match(answer.username, USERNAME);
      const credential = await stored(p, answer.id);
      assert.equal(credential.is_cluster_superuser, true);
      assertScram(credential, imported);
      assertPasswordNowhere(JSON.stringify(await p.store.listCredentials(p.boot.virtual_cluster_id)), imported);
    });

    test('the SCRAM secret is computed over the password\'s UTF-8 bytes, as Kafka does (no normalization)', async (t) => {
      const p = await startTestPlatform(kind, t);
      // U+FB01 (ﬁ) and a decomposed "é": NFKC would change both.
      const imported = 'pass\uFB01word-e\u0301-ü';
      assert.notEqual(imported.normalize('NFKC'), imported);
      const answer = await create(p, { credentials_name: 'unicode', imported_password: imported });
      assert.equal(answer.password, imported);
      assertScram(await stored(p, answer.id), imported);
    });

    test('the same password twice gets different salts, ids and usernames', async (t) => {
      const p = await startTestPlatform(kind, t);
      const a = await create(p, { credentials_name: 'one', imported_password: 'same-password' });
      const b = await create(p, { credentials_name: 'two', imported_password: 'same-password' });
      assert.notEqual(a.id, b.id);
      assert.notEqual(a.username, b.username);
      const [ca, cb] = [await stored(p, a.id), await stored(p, b.id)];
      assert.notEqual(ca.scram['SCRAM-SHA-512'].salt, cb.scram['SCRAM-SHA-512'].salt);
      assert.notEqual(ca.scram['SCRAM-SHA-512'].stored_key, cb.scram['SCRAM-SHA-512'].stored_key);
      const generated = [await create(p, { credentials_name: 'three' }), await create(p, { credentials_name: 'four' })];
      assert.notEqual(generated[0]!.password, generated[1]!.password);
    });

    test('read_only is recorded; is_cluster_superuser is required and boolean', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      const ro = await create(p, { credentials_name: 'reader', read_only: true });
      assert.equal((await stored(p, ro.id)).read_only, true);
      await refused(p, CREATE, { virtual_cluster_id: id, credentials_name: 'x' }, 400, 'VALIDATION_ERROR');
      for (const value of ['true', 1, null, [true], {}]) {
        const result = await refused(p, CREATE, { virtual_cluster_id: id, credentials_name: 'x', is_cluster_superuser: value }, 400, 'VALIDATION_ERROR');
        assert.match(result.body.error.message, /is_cluster_superuser/);
      }
      await refused(p, CREATE, { virtual_cluster_id: id, credentials_name: 'x', is_cluster_superuser: false, read_only: 'yes' }, 400, 'VALIDATION_ERROR');
    });

    test('name rules: letters, digits, "_" and "-", 1 to 128, ccn_ prefix optional', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      // The seed spec's own example name has a dash.
      const seed = await create(p, { credentials_name: 'my-credentials' });
      assert.equal((await stored(p, seed.id)).name, 'ccn_my-credentials');
      const prefixed = await create(p, { credentials_name: 'ccn_prefixed' });
      assert.equal((await stored(p, prefixed.id)).name, 'ccn_prefixed');
      const long = await create(p, { credentials_name: 'n'.repeat(128) });
      assert.equal((await stored(p, long.id)).name, 'ccn_' + 'n'.repeat(128));
      await create(p, { credentials_name: 'Mixed_Case_123' });

      for (const name of ['', 'ccn_', 'a b', 'a.b', 'a/b', 'ä', 'a:b', 'n'.repeat(129), ' alice', 'alice\n', 'ccn_a b']) {
        await refused(p, CREATE, { virtual_cluster_id: id, credentials_name: name, is_cluster_superuser: false }, 400, 'VALIDATION_ERROR');
      }
      await refused(p, CREATE, { virtual_cluster_id: id, is_cluster_superuser: false }, 400, 'VALIDATION_ERROR');
      await refused(p, CREATE, { virtual_cluster_id: id, credentials_name: 5, is_cluster_superuser: false }, 400, 'VALIDATION_ERROR');
    });

    test('a duplicate name is 409, with or without the ccn_ prefix; other clusters are separate', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await create(p, { credentials_name: 'alice' });
      await refused(p, CREATE, { virtual_cluster_id: id, credentials_name: 'alice', is_cluster_superuser: true }, 409, 'CREDENTIALS_ALREADY_EXIST');
      await refused(p, CREATE, { virtual_cluster_id: id, credentials_name: 'ccn_alice', is_cluster_superuser: false }, 409, 'CREDENTIALS_ALREADY_EXIST');
      await refused(p, CREATE, { virtual_cluster_id: id, credentials_name: 'alice', is_cluster_superuser: false, imported_password: 'another-password' }, 409, 'CREDENTIALS_ALREADY_EXIST');
      await create(p, { credentials_name: 'Alice' });
      const otherId = await createCluster(p, 'other');
      const there = await create(p, { credentials_name: 'alice' }, otherId);
      assert.equal((await stored(p, there.id, otherId)).name, 'ccn_alice');
      assert.deepEqual((await p.store.listCredentials(id)).map((c) => c.name).sort(), ['ccn_Alice', 'ccn_alice']);
    });

    test('imported_password: 8 to 1024 characters, no control characters, a string', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      const eight = await create(p, { credentials_name: 'eight', imported_password: '12345678' });
      assert.equal(eight.password, '12345678');
      const max = 'p'.repeat(1024);
      const long = await create(p, { credentials_name: 'long', imported_password: max });
      assert.equal(long.password, max);
      assertScram(await stored(p, long.id), max);
      const base = { virtual_cluster_id: id, credentials_name: 'bad', is_cluster_superuser: false };
      for (const password of ['', '1234567', 'p'.repeat(1025), 'pass\nword1', 'pass\u0000word', 'tab\tpassword', 'del\u007fpassword']) {
        const result = await refused(p, CREATE, { ...base, imported_password: password }, 400, 'VALIDATION_ERROR');
        assert.match(result.body.error.message, /imported_password/);
        // A refused password is not echoed back.
        if (password.length >= 8) assert.ok(!result.text.includes(password));
      }
      for (const password of [12345678, null, ['12345678']]) {
        await refused(p, CREATE, { ...base, imported_password: password }, 400, 'VALIDATION_ERROR');
      }
    });

    test('unknown cluster 404; another workspace\'s cluster 404; agent, account and read-only keys 403; no key 401', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      const body = { virtual_cluster_id: id, credentials_name: 'alice', is_cluster_superuser: false };
      await refused(p, CREATE, { ...body, virtual_cluster_id: UNKNOWN_CLUSTER }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, CREATE, { ...body, virtual_cluster_id: undefined }, 400, 'VALIDATION_ERROR');
      await refused(p, CREATE, body, 401, 'UNAUTHORIZED', { key: null });
      await refused(p, CREATE, body, 403, 'FORBIDDEN', { key: p.boot.agent_key });
      await refused(p, CREATE, body, 403, 'FORBIDDEN', { key: p.boot.account_key });
      const reader = await readOnlyKey(p);
      await refused(p, CREATE, body, 403, 'FORBIDDEN', { key: reader });

      const { key: foreignKey, cluster: foreignId } = await foreignWorkspace(p);
      await refused(p, CREATE, { ...body, virtual_cluster_id: foreignId }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, CREATE, body, 404, 'VIRTUAL_CLUSTER_NOT_FOUND', { key: foreignKey });
    });

    test(
      'with an Idempotency-Key, the replayable answer does not keep the password in the store',
      async (t) => {
        const p = await startTestPlatform(kind, t);
        const answer = await p.call(
          CREATE,
          { virtual_cluster_id: p.boot.virtual_cluster_id, credentials_name: 'idem', is_cluster_superuser: false },
          { headers: { 'idempotency-key': 'credentials-idem-1' } },
        );
        assert.equal(answer.status, 200, answer.text);
        const key = await p.store.getApiKeyBySecretHash(hashSecret(p.boot.application_key));
        assert.ok(key);
        const record = await p.store.getIdempotencyRecord(key.id, 'credentials-idem-1');
        assert.ok(record);
        assertPasswordNowhere(JSON.stringify(record), answer.body.password);
        // Yet the holder of the API key gets the very same answer, password included, replayed.
        const again = await p.call(
          CREATE,
          { virtual_cluster_id: p.boot.virtual_cluster_id, credentials_name: 'idem', is_cluster_superuser: false },
          { headers: { 'idempotency-key': 'credentials-idem-1' } },
        );
        assert.equal(again.headers['x-idempotency-replayed'], 'true');
        assert.equal(again.text, answer.text);
      },
    );
  });
}
