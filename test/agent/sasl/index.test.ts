import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { findClusterCredential, scramSecret } from '../../../src/control-plane/services/credentials.ts';
import type { ClusterCredential } from '../../../src/metadata/store.ts';
import {
  SUPPORTED_MECHANISMS,
  SaslAuthenticationError,
  clusterCredentialLookup,
  createMechanism,
  isSupportedMechanism,
  type ClusterPrincipal,
  type SaslMechanism,
} from '../../../src/agent/sasl/index.ts';
import { ScramClient } from './scram-client.ts';

/**
 * The mechanism registry over cluster credentials shaped as the store keeps them: each
 * mechanism end to end, the virtual cluster boundary, deleted credentials, and a credential
 * missing one hash.
 */

const credentials = new Map<string, ClusterCredential>();
const store = { getCredentialByUsername: async (username: string) => credentials.get(username) };

async function credential(username: string, password: string, virtualClusterId: string, extra: Partial<ClusterCredential> = {}): Promise<ClusterCredential> {
  const salt = randomBytes(16);
  const record: ClusterCredential = {
    id: `cci_${username}`,
    virtual_cluster_id: virtualClusterId,
    name: `ccn_${username}`,
    username,
    is_cluster_superuser: false,
    read_only: false,
    scram: {
      'SCRAM-SHA-256': await scramSecret(password, 'sha256', salt, 4096),
      'SCRAM-SHA-512': await scramSecret(password, 'sha512', salt, 4096),
    },
    created_at: Date.now(),
    ...extra,
  };
  credentials.set(username, record);
  return record;
}

/** Drives any mechanism with a correct client; answers the principal. */
async function authenticate(mechanism: SaslMechanism<ClusterPrincipal>, username: string, password: string) {
  if (mechanism.mechanism === 'PLAIN') {
    const result = await mechanism.step(Buffer.from(`\0${username}\0${password}`));
    assert.equal(result.done, true);
    assert.equal(result.response.length, 0);
    return result.principal;
  }
  const client = new ScramClient(mechanism.mechanism, username, password, { minIterations: 4096 });
  const first = await mechanism.step(client.first());
  assert.equal(first.done, false);
  const final = await mechanism.step(client.final(first.response));
  assert.equal(final.done, true);
  client.verify(final.response);
  assert.equal(mechanism.complete, true);
  return final.principal;
}

const VC = 'vci_00000000_0000_0000_0000_000000000001';
const OTHER_VC = 'vci_00000000_0000_0000_0000_000000000002';
const lookup = clusterCredentialLookup((username) => findClusterCredential(store, VC, username));

before(async () => {
  await credential('ccun_admin', 'ccp_admin-password', VC, { is_cluster_superuser: true });
  await credential('ccun_reader', 'ccp_reader-password', VC, { read_only: true });
  await credential('ccun_elsewhere', 'ccp_elsewhere-password', OTHER_VC);
  const partial = await credential('ccun_partial', 'ccp_partial-password', VC);
  partial.scram = { 'SCRAM-SHA-256': partial.scram['SCRAM-SHA-256'] } as ClusterCredential['scram'];
});

describe('mechanism registry', () => {
  test('the supported mechanisms, case-sensitive as in Kafka', () => {
    assert.deepEqual([...SUPPORTED_MECHANISMS], ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']);
    for (const name of SUPPORTED_MECHANISMS) assert.equal(isSupportedMechanism(name), true);
    for (const name of ['plain', 'scram-sha-256', 'GSSAPI', 'OAUTHBEARER', 'SCRAM-SHA-1', '']) assert.equal(isSupportedMechanism(name), false);
    assert.throws(() => createMechanism('GSSAPI', lookup), TypeError);
  });

  for (const name of SUPPORTED_MECHANISMS) {
    describe(name, () => {
      test('a cluster credential authenticates as its principal', async () => {
        const mechanism = createMechanism(name, lookup);
        assert.equal(mechanism.mechanism, name);
        assert.equal(mechanism.complete, false);
        assert.deepEqual(await authenticate(mechanism, 'ccun_admin', 'ccp_admin-password'), {
          username: 'ccun_admin',
          credential_id: 'cci_ccun_admin',
          virtual_cluster_id: VC,
          is_cluster_superuser: true,
          read_only: false,
        });
        assert.equal((await authenticate(createMechanism(name, lookup), 'ccun_reader', 'ccp_reader-password'))?.read_only, true);
      });

      test('a wrong password, another cluster’s credential, a deleted credential are all refused', async () => {
        await assert.rejects(authenticate(createMechanism(name, lookup), 'ccun_admin', 'ccp_wrong'), SaslAuthenticationError);
        await assert.rejects(authenticate(createMechanism(name, lookup), 'ccun_elsewhere', 'ccp_elsewhere-password'), SaslAuthenticationError);
        const doomed = await credential(`ccun_doomed_${name}`, 'ccp_doomed-password', VC);
        assert.equal((await authenticate(createMechanism(name, lookup), doomed.username, 'ccp_doomed-password'))?.username, doomed.username);
        credentials.delete(doomed.username);
        await assert.rejects(authenticate(createMechanism(name, lookup), doomed.username, 'ccp_doomed-password'), SaslAuthenticationError);
      });

      test('each authentication (and re-authentication) is a fresh exchange', async () => {
        const mechanism = createMechanism(name, lookup);
        await authenticate(mechanism, 'ccun_admin', 'ccp_admin-password');
        await assert.rejects(mechanism.step(Buffer.from('n,,n=ccun_admin,r=abc')), SaslAuthenticationError);
        assert.equal((await authenticate(createMechanism(name, lookup), 'ccun_admin', 'ccp_admin-password'))?.username, 'ccun_admin');
      });
    });
  }

  test('a credential without a SCRAM-SHA-512 secret authenticates with PLAIN and SCRAM-SHA-256 only', async () => {
    assert.equal((await authenticate(createMechanism('PLAIN', lookup), 'ccun_partial', 'ccp_partial-password'))?.username, 'ccun_partial');
    assert.equal((await authenticate(createMechanism('SCRAM-SHA-256', lookup), 'ccun_partial', 'ccp_partial-password'))?.username, 'ccun_partial');
    await assert.rejects(authenticate(createMechanism('SCRAM-SHA-512', lookup), 'ccun_partial', 'ccp_partial-password'), SaslAuthenticationError);
  });

  test('the same server secret gives an unknown user the same salt on every agent', async () => {
    const fakeSecretKey = randomBytes(32);
    const salts = await Promise.all(
      [0, 1].map(async () => {
        const client = new ScramClient('SCRAM-SHA-512', 'ccun_nobody', 'x');
        const first = await createMechanism('SCRAM-SHA-512', lookup, { fakeSecretKey }).step(client.first());
        return /,s=([^,]+),/.exec(first.response.toString())![1];
      }),
    );
    assert.equal(salts[0], salts[1]);
  });
});
