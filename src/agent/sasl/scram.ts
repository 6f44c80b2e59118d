import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ScramSecret } from '../../model/records.ts';
import {
  DEFAULT_FAKE_ITERATIONS,
  MAX_SASL_TOKEN_BYTES,
  SaslAuthenticationError,
  decodeBase64Strict,
  decodeUtf8,
  defaultFakeKey,
  fakeScramSecret,
  type SaslStepResult,
  type ScramLookup,
  type ScramMechanism,
} from './common.ts';

/**
 * The server side of SCRAM (RFC 5802, RFC 7677) as Kafka speaks it: four messages, no channel
 * binding, the password never seen — only the stored StoredKey and ServerKey.
 *
 *   C: n,,n=user,r=cnonce              (client-first)
 *   S: r=cnonce+snonce,s=salt,i=4096    (server-first)
 *   C: c=biws,r=cnonce+snonce,p=proof   (client-final)
 *   S: v=signature                      (server-final)
 *
 * An unknown user is answered like a known one (a salt derived from the username and a server
 * secret, the usual iteration count) and refused only at the proof, so the first two messages
 * do not tell whether a username exists.
 */

export interface ScramServerOptions {
  /** The server's part of the nonce; random (24 bytes, base64) unless given (tests). */
  serverNonce?: () => string;
  /** The secret unknown users' salts are derived from; see `defaultFakeKey`. */
  fakeSecretKey?: Buffer;
  /** The iteration count unknown users are answered with; 4096, as every credential. */
  fakeIterations?: number;
}

const HASHES: Record<ScramMechanism, { hash: 'sha256' | 'sha512'; length: number }> = {
  'SCRAM-SHA-256': { hash: 'sha256', length: 32 },
  'SCRAM-SHA-512': { hash: 'sha512', length: 64 },
};

/** RFC 5802 `printable`: %x21-2B / %x2D-7E (no comma). */
const NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;
/** RFC 5802 `saslname`: anything but "," and "=" (and NUL), those two escaped as =2C and =3D. */
const SASLNAME = /^(?:[^\x00=,]|=2C|=3D)+$/;
/** An attribute after the mandatory ones (RFC 5802 `extensions`; Kafka's are named, e.g. tokenauth). */
const EXTENSION = /^([A-Za-z][A-Za-z0-9]*)=([^\x00,]*)$/;

type State =
  | { kind: 'client-first' }
  | { kind: 'busy' }
  | {
      kind: 'client-final';
      gs2Header: string;
      clientFirstBare: string;
      serverFirst: string;
      nonce: string;
      clientNonce: string;
      secret: ScramSecret;
      principal: unknown;
      known: boolean;
      username: string;
    }
  | { kind: 'done' }
  | { kind: 'failed' };

export class ScramServer<P> {
  readonly mechanism: ScramMechanism;
  private readonly lookup: ScramLookup<P>;
  private readonly options: ScramServerOptions;
  private readonly hash: 'sha256' | 'sha512';
  private readonly hashLength: number;
  private state: State = { kind: 'client-first' };

  constructor(mechanism: ScramMechanism, lookup: ScramLookup<P>, options: ScramServerOptions = {}) {
    const hash = HASHES[mechanism];
    if (!hash) throw new TypeError(`not a SCRAM mechanism: ${String(mechanism)}`);
    this.mechanism = mechanism;
    this.lookup = lookup;
    this.options = options;
    this.hash = hash.hash;
    this.hashLength = hash.length;
  }

  /** True once the exchange has succeeded. */
  get complete(): boolean {
    return this.state.kind === 'done';
  }

  /**
   * Takes the client's next message and answers the server's. Throws `SaslAuthenticationError`
   * for anything refused; after a throw (or after the exchange is done) every call throws.
   * Errors from `lookup` pass through unchanged (they are the server's, not the client's).
   */
  async step(clientMessage: Buffer): Promise<SaslStepResult<P>> {
    const state = this.state;
    this.state = { kind: 'failed' };
    if (clientMessage.length > MAX_SASL_TOKEN_BYTES) throw this.fail(`client message of ${clientMessage.length} bytes`);
    switch (state.kind) {
      case 'client-first': {
        this.state = { kind: 'busy' };
        try {
          const { next, response } = await this.clientFirst(clientMessage);
          // A message that arrived meanwhile failed the exchange; this answer is void too.
          if (this.state.kind !== 'busy') throw this.fail('a message arrived before the previous one was answered');
          this.state = next;
          return { response, done: false };
        } catch (error) {
          this.state = { kind: 'failed' };
          throw error;
        }
      }
      case 'client-final': {
        const result = this.clientFinal(state, clientMessage);
        this.state = { kind: 'done' };
        return result;
      }
      case 'busy':
        throw this.fail('a message arrived before the previous one was answered');
      case 'done':
        throw this.fail('a message arrived after the exchange was complete');
      case 'failed':
        throw this.fail('a message arrived after the exchange had failed');
    }
  }

  private fail(reason: string): SaslAuthenticationError {
    return new SaslAuthenticationError(this.mechanism, reason);
  }

  private async clientFirst(token: Buffer): Promise<{ next: State; response: Buffer }> {
    const text = decodeUtf8(token);
    if (text === undefined) throw this.fail('client-first message is not UTF-8');

    // gs2-header = gs2-cbind-flag "," [ authzid ] ","
    const flagEnd = text.indexOf(',');
    const authzidEnd = flagEnd < 0 ? -1 : text.indexOf(',', flagEnd + 1);
    if (authzidEnd < 0) throw this.fail('client-first message has no GS2 header');
    const flag = text.slice(0, flagEnd);
    const authzidField = text.slice(flagEnd + 1, authzidEnd);
    if (flag.startsWith('p=')) throw this.fail('channel binding requested; it is not supported');
    // "y": the client could bind but thinks the server cannot; right, as no -PLUS is offered.
    if (flag !== 'n' && flag !== 'y') throw this.fail('client-first message has an invalid GS2 channel binding flag');
    let authzid: string | undefined;
    if (authzidField !== '') {
      if (!authzidField.startsWith('a=')) throw this.fail('client-first message has an invalid GS2 authzid');
      authzid = decodeSaslName(authzidField.slice(2));
      if (authzid === undefined) throw this.fail('client-first message has an invalid authzid');
    }
    const gs2Header = text.slice(0, authzidEnd + 1);
    const clientFirstBare = text.slice(authzidEnd + 1);

    // client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]
    const [userField, nonceField, ...extensions] = clientFirstBare.split(',');
    if (userField?.startsWith('m=')) throw this.fail('client-first message has a mandatory extension');
    if (!userField?.startsWith('n=')) throw this.fail('client-first message has no username');
    if (!nonceField?.startsWith('r=')) throw this.fail('client-first message has no nonce');
    const username = decodeSaslName(userField.slice(2));
    if (username === undefined) throw this.fail('client-first message has an invalid username');
    const clientNonce = nonceField.slice(2);
    if (!NONCE.test(clientNonce)) throw this.fail('client-first message has an invalid nonce');
    for (const extension of extensions) {
      const match = EXTENSION.exec(extension);
      if (!match) throw this.fail('client-first message has an invalid extension');
      // Kafka's delegation tokens; there are none here. Other extensions are ignored, as Kafka does.
      if (match[1] === 'tokenauth') throw this.fail('delegation token authentication is not supported');
    }
    if (authzid !== undefined && authzid !== username) throw this.fail('authzid differs from the username');

    const serverNonce = this.options.serverNonce ? this.options.serverNonce() : randomBytes(24).toString('base64');
    if (!NONCE.test(serverNonce)) throw new TypeError('the server nonce must be printable ASCII without ","');

    const found = await this.lookup(username);
    const known = found !== undefined && this.validSecret(found.secret);
    const secret = known
      ? found.secret
      : fakeScramSecret(this.hash, username, this.options.fakeSecretKey ?? defaultFakeKey(), this.options.fakeIterations ?? DEFAULT_FAKE_ITERATIONS);

    const nonce = clientNonce + serverNonce;
    const serverFirst = `r=${nonce},s=${secret.salt},i=${secret.iterations}`;
    return {
      next: {
        kind: 'client-final',
        gs2Header,
        clientFirstBare,
        serverFirst,
        nonce,
        clientNonce,
        secret,
        principal: known ? found.principal : undefined,
        known,
        username,
      },
      response: Buffer.from(serverFirst, 'utf8'),
    };
  }

  private clientFinal(state: Extract<State, { kind: 'client-final' }>, token: Buffer): SaslStepResult<P> {
    const text = decodeUtf8(token);
    if (text === undefined) throw this.fail('client-final message is not UTF-8');

    // client-final-message = channel-binding "," nonce ["," extensions] "," proof
    const fields = text.split(',');
    const [bindingField, nonceField] = fields;
    const proofField = fields.length >= 3 ? fields[fields.length - 1] : undefined;
    if (!bindingField?.startsWith('c=')) throw this.fail('client-final message has no channel binding');
    if (!nonceField?.startsWith('r=')) throw this.fail('client-final message has no nonce');
    if (!proofField?.startsWith('p=')) throw this.fail('client-final message has no proof');
    for (const extension of fields.slice(2, -1)) {
      if (!EXTENSION.exec(extension) || extension.startsWith('p=')) throw this.fail('client-final message has an invalid extension');
    }

    const binding = decodeBase64Strict(bindingField.slice(2));
    if (!binding || !binding.equals(Buffer.from(state.gs2Header, 'utf8'))) throw this.fail('channel binding does not match the GS2 header');
    // Older librdkafka (2.0.2, Debian's) echoes its own nonce in front of the combined one (c-nonce + c-nonce
    // + s-nonce); Kafka accepted that (its check was endsWith), so that one shape is accepted too.
    // The proof covers the message as sent, so it still binds this exchange's server nonce.
    const echoed = nonceField.slice(2);
    if (echoed !== state.nonce && echoed !== state.clientNonce + state.nonce) throw this.fail('nonce does not match');
    const proof = decodeBase64Strict(proofField.slice(2));
    if (!proof || proof.length !== this.hashLength) throw this.fail('client proof is malformed');

    const withoutProof = fields.slice(0, -1).join(',');
    const authMessage = `${state.clientFirstBare},${state.serverFirst},${withoutProof}`;
    const storedKey = Buffer.from(state.secret.stored_key, 'base64');
    const clientSignature = createHmac(this.hash, storedKey).update(authMessage).digest();
    const clientKey = Buffer.alloc(this.hashLength);
    for (let i = 0; i < this.hashLength; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    const computed = createHash(this.hash).update(clientKey).digest();
    const serverSignature = createHmac(this.hash, Buffer.from(state.secret.server_key, 'base64')).update(authMessage).digest();
    const matches = timingSafeEqual(computed, storedKey);
    if (!state.known) throw this.fail(`unknown user ${JSON.stringify(state.username)}`);
    if (!matches) throw this.fail(`invalid proof for user ${JSON.stringify(state.username)}`);

    return {
      response: Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8'),
      done: true,
      principal: state.principal as P,
    };
  }

  /** A secret that cannot be used (wrong key lengths) counts as no secret at all. */
  private validSecret(secret: ScramSecret): boolean {
    return (
      typeof secret?.salt === 'string' &&
      decodeBase64Strict(secret.salt) !== undefined &&
      Number.isSafeInteger(secret.iterations) &&
      secret.iterations > 0 &&
      decodeBase64Strict(secret.stored_key)?.length === this.hashLength &&
      decodeBase64Strict(secret.server_key)?.length === this.hashLength
    );
  }
}

/** RFC 5802 saslname: "=2C" is ",", "=3D" is "=", any other "=" (or an empty name) is invalid. */
export function decodeSaslName(value: string): string | undefined {
  if (!SASLNAME.test(value)) return undefined;
  return value.replace(/=2C|=3D/g, (escape) => (escape === '=2C' ? ',' : '='));
}

/** The inverse of `decodeSaslName`, for clients and tests. */
export function encodeSaslName(value: string): string {
  return value.replace(/=/g, '=3D').replace(/,/g, '=2C');
}
