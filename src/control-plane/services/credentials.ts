import { createHash, createHmac, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { badRequest, conflict, notFound } from '../../errors.ts';
import { newId, newSecret, withPrefix } from '../../ids.ts';
import type { ClusterCredential, MetadataStore, ScramSecret, VirtualCluster } from '../../metadata/store.ts';

const pbkdf2Async = promisify(pbkdf2);

/** Kafka's default and minimum for SCRAM; the salted password is all that is kept. */
export const SCRAM_ITERATIONS = 4096;
// Letters, digits, "_" and "-": the seed spec's own example is `credentials_name: my-credentials`
// (the name is only a label; the SASL username is the generated ccun_…).
const CREDENTIALS_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;

/**
 * SCRAM secrets (RFC 5802): SaltedPassword = PBKDF2(password, salt, i); ClientKey =
 * HMAC(SaltedPassword, "Client Key"); StoredKey = H(ClientKey); ServerKey = HMAC(SaltedPassword,
 * "Server Key"). These verify a SCRAM proof and a PLAIN password alike, and cannot be turned
 * back into the password.
 */
export async function scramSecret(password: string, algorithm: 'sha256' | 'sha512', salt: Buffer, iterations: number): Promise<ScramSecret> {
  const keyLength = algorithm === 'sha256' ? 32 : 64;
  // The password's plain UTF-8 bytes, no normalization: Kafka's ScramFormatter (clients and
  // brokers alike) skips SASLprep, so normalizing here (NFKC before) locked out clients whose
  // password is not already in normal form.
  const salted = await pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, keyLength, algorithm);
  const clientKey = createHmac(algorithm, salted).update('Client Key').digest();
  return {
    salt: salt.toString('base64'),
    iterations,
    stored_key: createHash(algorithm).update(clientKey).digest('base64'),
    server_key: createHmac(algorithm, salted).update('Server Key').digest('base64'),
  };
}

export interface CreateCredentialsRequest {
  credentials_name: string;
  is_cluster_superuser: boolean;
  imported_password?: string;
  read_only?: boolean;
}

/**
 * create_virtual_cluster_credentials: a SASL username (`ccun_…`) and password (`ccp_…`, or the
 * imported one). The password is answered once and never stored.
 */
export async function createCredentials(store: MetadataStore, cluster: VirtualCluster, request: CreateCredentialsRequest) {
  const bare = request.credentials_name.replace(/^ccn_/, '');
  if (!CREDENTIALS_NAME_PATTERN.test(bare) || request.credentials_name.length > 128) {
    throw badRequest('credentials_name must be 1 to 128 letters, digits, "_" and "-"');
  }
  const name = withPrefix('ccn_', request.credentials_name);
  const imported = request.imported_password;
  if (imported !== undefined && (imported.length < 8 || imported.length > 1024 || /[\x00-\x1f\x7f]/.test(imported))) {
    throw badRequest('imported_password must be 8 to 1024 characters without control characters');
  }
  const password = imported ?? newSecret('ccp_', 24);
  const salt = randomBytes(16);
  const [sha256, sha512] = await Promise.all([
    scramSecret(password, 'sha256', salt, SCRAM_ITERATIONS),
    scramSecret(password, 'sha512', salt, SCRAM_ITERATIONS),
  ]);
  const credential: ClusterCredential = {
    id: newId('cci_'),
    virtual_cluster_id: cluster.id,
    name,
    username: newSecret('ccun_', 12),
    is_cluster_superuser: request.is_cluster_superuser,
    read_only: request.read_only ?? false,
    scram: { 'SCRAM-SHA-256': sha256, 'SCRAM-SHA-512': sha512 },
    created_at: Date.now(),
  };
  await store.transaction(async (tx) => {
    if (await tx.findCredentialByName(cluster.id, name)) {
      throw conflict('CREDENTIALS_ALREADY_EXIST', `credentials named ${name} already exist on this virtual cluster`);
    }
    await tx.insertCredential(credential);
  });
  return { id: credential.id, username: credential.username, password };
}

/** A credential as list_virtual_cluster_credentials shows it: never a password or a SCRAM secret. */
export function credentialView(credential: ClusterCredential) {
  return {
    id: credential.id,
    name: credential.name,
    username: credential.username,
    created_at: new Date(credential.created_at).toISOString(),
    is_cluster_superuser: credential.is_cluster_superuser,
    read_only: credential.read_only,
  };
}

export async function listCredentials(store: MetadataStore, cluster: VirtualCluster) {
  return (await store.listCredentials(cluster.id)).map(credentialView);
}

/** Deletes credentials; SASL logins with them fail from then on. */
export async function deleteCredentials(store: MetadataStore, cluster: VirtualCluster, id: string): Promise<void> {
  await store.transaction(async (tx) => {
    const credential = await tx.getCredential(id);
    if (!credential || credential.virtual_cluster_id !== cluster.id) {
      throw notFound('CREDENTIALS_NOT_FOUND', `credentials ${id} not found on virtual cluster ${cluster.id}`);
    }
    await tx.deleteCredential(id);
  });
}

/**
 * The credential an agent of `virtualClusterId` may log a client in with: usernames are unique
 * across clusters, and a credential of another cluster is an unknown user here.
 */
export async function findClusterCredential(
  store: Pick<MetadataStore, 'getCredentialByUsername'>,
  virtualClusterId: string,
  username: string,
): Promise<ClusterCredential | undefined> {
  const credential = await store.getCredentialByUsername(username);
  return credential && credential.virtual_cluster_id === virtualClusterId ? credential : undefined;
}
