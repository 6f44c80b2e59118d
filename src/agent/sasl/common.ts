import { createHmac, randomBytes } from 'node:crypto';
import type { ScramSecret } from '../../model/records.ts';

/**
 * What the SASL mechanisms share: the error they fail with, the shape of one step, and the
 * stand-in secret an unknown user is answered with.
 */

/** Kafka's SASL_AUTHENTICATION_FAILED (org.apache.kafka.common.protocol.Errors). */
export const SASL_AUTHENTICATION_FAILED = 58;

/** Larger client tokens are refused before any parsing (SCRAM and PLAIN messages are small). */
export const MAX_SASL_TOKEN_BYTES = 16 * 1024;

/** The iteration count an unknown user is answered with: the one every credential is made with. */
export const DEFAULT_FAKE_ITERATIONS = 4096;

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** One step's outcome. `principal` is set on the step that completes the exchange (`done`). */
export interface SaslStepResult<P> {
  response: Buffer;
  done: boolean;
  principal?: P;
}

/** A stored secret and who it authenticates. */
export interface ScramCredential<P> {
  secret: ScramSecret;
  principal: P;
}

/** Finds a user's secret for one hash; `undefined` for an unknown (or deleted) user. */
export type ScramLookup<P> = (username: string) => Promise<ScramCredential<P> | undefined>;

/**
 * A refused authentication. `message` is safe to send to the client (it is Kafka's wording and
 * says nothing about why); `reason` is for the server's log only and never holds a password.
 */
export class SaslAuthenticationError extends Error {
  readonly errorCode = SASL_AUTHENTICATION_FAILED;
  readonly mechanism: string;
  readonly reason: string;

  constructor(mechanism: string, reason: string, message = invalidCredentialsMessage(mechanism)) {
    super(message);
    this.name = 'SaslAuthenticationError';
    this.mechanism = mechanism;
    this.reason = reason;
  }
}

/** Kafka's SaslServerAuthenticator words every SaslException this way. */
export function invalidCredentialsMessage(mechanism: string): string {
  return `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`;
}

/**
 * The server secret unknown users' stand-in salts are derived from. Per process unless the
 * caller passes one (every agent of a cluster should share it, or two agents answer an unknown
 * user with different salts while a real user's salt is the same everywhere).
 */
const processFakeKey = randomBytes(32);

export function defaultFakeKey(): Buffer {
  return processFakeKey;
}

/**
 * A secret for a user that does not exist: the salt is derived from the username, so asking
 * twice gives the same salt, as for a real user; the keys match no password.
 */
export function fakeScramSecret(hash: 'sha256' | 'sha512', username: string, key: Buffer, iterations: number): ScramSecret {
  const derive = (label: string) => createHmac('sha256', key).update(`slipstream-sasl-${label}\0${hash}\0${username}`).digest();
  const length = hash === 'sha256' ? 32 : 64;
  const keyBytes = (label: string) => Buffer.concat([derive(`${label}-1`), derive(`${label}-2`)]).subarray(0, length);
  return {
    salt: derive('salt').subarray(0, 16).toString('base64'),
    iterations,
    stored_key: keyBytes('stored').toString('base64'),
    server_key: keyBytes('server').toString('base64'),
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The token as UTF-8 text, or `undefined` when it is not valid UTF-8. */
export function decodeUtf8(token: Uint8Array): string | undefined {
  try {
    return utf8.decode(token);
  } catch {
    return undefined;
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Canonical, padded base64 only (Node's own decoder skips anything it does not understand). */
export function decodeBase64Strict(text: string): Buffer | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}
