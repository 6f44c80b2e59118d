import type { ClusterCredential, ScramSecret } from '../../model/records.ts';
import type { SaslStepResult, ScramMechanism } from './common.ts';
import { PlainServer, type PlainServerOptions } from './plain.ts';
import { ScramServer, type ScramServerOptions } from './scram.ts';

/**
 * SASL for the agent's Kafka listener: the mechanisms it offers, one server-side exchange per
 * authentication (`createMechanism`), and the lookup that finds cluster credentials. Transport
 * (SaslHandshake v0 raw frames, SaslAuthenticate) is the caller's.
 */

export {
  DEFAULT_FAKE_ITERATIONS,
  MAX_SASL_TOKEN_BYTES,
  SASL_AUTHENTICATION_FAILED,
  SaslAuthenticationError,
  defaultFakeKey,
  invalidCredentialsMessage,
} from './common.ts';
export type { SaslStepResult, ScramCredential, ScramLookup, ScramMechanism } from './common.ts';
export { PlainServer, type PlainServerOptions } from './plain.ts';
export { ScramServer, decodeSaslName, encodeSaslName, type ScramServerOptions } from './scram.ts';

/** In the order SaslHandshake answers them. Names are case-sensitive, as in Kafka. */
export const SUPPORTED_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type SaslMechanismName = (typeof SUPPORTED_MECHANISMS)[number];

export function isSupportedMechanism(name: string): name is SaslMechanismName {
  return (SUPPORTED_MECHANISMS as readonly string[]).includes(name);
}

/** One authentication's server side: feed it each client token until `done` (or a throw). */
export interface SaslMechanism<P> {
  readonly mechanism: SaslMechanismName;
  /** True once the exchange has succeeded. */
  readonly complete: boolean;
  step(token: Buffer): Promise<SaslStepResult<P>>;
}

/** A user's stored secrets (either hash may be missing) and who they authenticate. */
export interface SaslCredentials<P> {
  scram: Partial<Record<ScramMechanism, ScramSecret>>;
  principal: P;
}

/** Finds a user by SASL username; `undefined` for an unknown or deleted user. */
export type CredentialLookup<P> = (username: string) => Promise<SaslCredentials<P> | undefined>;

export type MechanismOptions = ScramServerOptions & PlainServerOptions;

/**
 * A fresh exchange for one authentication (re-authentication makes another). PLAIN checks the
 * password against the SCRAM-SHA-256 secret. Throws `TypeError` for a name not in
 * `SUPPORTED_MECHANISMS` (check with `isSupportedMechanism` first).
 */
export function createMechanism<P>(name: string, lookup: CredentialLookup<P>, options: MechanismOptions = {}): SaslMechanism<P> {
  if (!isSupportedMechanism(name)) throw new TypeError(`unsupported SASL mechanism: ${name}`);
  const hash: ScramMechanism = name === 'SCRAM-SHA-512' ? 'SCRAM-SHA-512' : 'SCRAM-SHA-256';
  const scramLookup = async (username: string) => {
    const credentials = await lookup(username);
    const secret = credentials?.scram[hash];
    return credentials && secret ? { secret, principal: credentials.principal } : undefined;
  };
  if (name === 'PLAIN') return new PlainServer(scramLookup, options);
  return new ScramServer(name, scramLookup, options);
}

/** Who a cluster credential authenticates as; Kafka's principal is `User:${username}`. */
export interface ClusterPrincipal {
  username: string;
  credential_id: string;
  virtual_cluster_id: string;
  is_cluster_superuser: boolean;
  read_only: boolean;
}

/**
 * Cluster credentials as `createMechanism` wants them, from `find` (the control plane's lookup
 * of a username in the agent's own cluster: a credential of another cluster is an unknown user,
 * a deleted one is gone).
 */
export function clusterCredentialLookup(find: (username: string) => Promise<ClusterCredential | undefined>): CredentialLookup<ClusterPrincipal> {
  return async (username) => {
    const credential = await find(username);
    if (!credential) return undefined;
    return {
      scram: credential.scram,
      principal: {
        username: credential.username,
        credential_id: credential.id,
        virtual_cluster_id: credential.virtual_cluster_id,
        is_cluster_superuser: credential.is_cluster_superuser,
        read_only: credential.read_only,
      },
    };
  };
}
