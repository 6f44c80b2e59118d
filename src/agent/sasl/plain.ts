import { createHash, createHmac, pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
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
} from './common.ts';

const pbkdf2Async = promisify(pbkdf2);

/**
 * The server side of PLAIN (RFC 4616): one message, `authzid NUL authcid NUL passwd`, answered
 * with an empty token. No password is stored: the given one is salted with the stored SCRAM
 * salt and iteration count and its StoredKey compared with the stored one. The lookup answers
 * the SCRAM-SHA-256 secret (`createMechanism` does that).
 *
 * An unknown user costs the same PBKDF2 work as a known one (a salt derived from the username)
 * before being refused. The messages are Kafka's PlainSaslServer's.
 */

export interface PlainServerOptions {
  /** The secret unknown users' stand-in salts are derived from; see `defaultFakeKey`. */
  fakeSecretKey?: Buffer;
  /** The iteration count unknown users are hashed with; 4096, as every credential. */
  fakeIterations?: number;
}

const MECHANISM = 'PLAIN';
const INVALID_CREDENTIALS = 'Authentication failed: Invalid username or password';

export class PlainServer<P> {
  readonly mechanism = MECHANISM;
  private readonly lookup: ScramLookup<P>;
  private readonly options: PlainServerOptions;
  private state: 'initial' | 'busy' | 'done' | 'failed' = 'initial';

  constructor(lookup: ScramLookup<P>, options: PlainServerOptions = {}) {
    this.lookup = lookup;
    this.options = options;
  }

  get complete(): boolean {
    return this.state === 'done';
  }

  async step(token: Buffer): Promise<SaslStepResult<P>> {
    if (this.state !== 'initial') {
      const reason = { busy: 'a message arrived before the previous one was answered', done: 'a message arrived after the exchange was complete', failed: 'a message arrived after the exchange had failed' }[this.state];
      this.state = 'failed';
      throw new SaslAuthenticationError(MECHANISM, reason);
    }
    this.state = 'busy';
    try {
      const principal = await this.verify(token);
      if (this.state !== 'busy') throw new SaslAuthenticationError(MECHANISM, 'a message arrived before the previous one was answered');
      this.state = 'done';
      return { response: Buffer.alloc(0), done: true, principal };
    } catch (error) {
      this.state = 'failed';
      throw error;
    }
  }

  private async verify(token: Buffer): Promise<P> {
    if (token.length > MAX_SASL_TOKEN_BYTES) throw new SaslAuthenticationError(MECHANISM, `message of ${token.length} bytes`, INVALID_CREDENTIALS);
    const text = decodeUtf8(token);
    if (text === undefined) throw new SaslAuthenticationError(MECHANISM, 'message is not UTF-8', 'Invalid SASL/PLAIN response: not UTF-8');
    const tokens = text.split('\0');
    if (tokens.length !== 3) {
      const message = `Invalid SASL/PLAIN response: expected 3 tokens, got ${tokens.length}`;
      throw new SaslAuthenticationError(MECHANISM, message, message);
    }
    const [authzid, username, password] = tokens as [string, string, string];
    if (username === '') throw new SaslAuthenticationError(MECHANISM, 'no username', 'Authentication failed: username not specified');
    if (password === '') throw new SaslAuthenticationError(MECHANISM, 'no password', 'Authentication failed: password not specified');
    if (authzid !== '' && authzid !== username) {
      const message = 'Authentication failed: Client requested an authorization id that is different from username';
      throw new SaslAuthenticationError(MECHANISM, message, message);
    }

    const found = await this.lookup(username);
    const known = found !== undefined && validSecret(found.secret);
    const secret = known
      ? found.secret
      : fakeScramSecret('sha256', username, this.options.fakeSecretKey ?? defaultFakeKey(), this.options.fakeIterations ?? DEFAULT_FAKE_ITERATIONS);

    // Plain UTF-8 bytes, no SASLprep: as the credentials were made (and as Kafka's ScramFormatter does).
    const salted = await pbkdf2Async(Buffer.from(password, 'utf8'), Buffer.from(secret.salt, 'base64'), secret.iterations, 32, 'sha256');
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    const computed = createHash('sha256').update(clientKey).digest();
    const matches = timingSafeEqual(computed, Buffer.from(secret.stored_key, 'base64'));
    if (!known) throw new SaslAuthenticationError(MECHANISM, `unknown user ${JSON.stringify(username)}`, INVALID_CREDENTIALS);
    if (!matches) throw new SaslAuthenticationError(MECHANISM, `wrong password for user ${JSON.stringify(username)}`, INVALID_CREDENTIALS);
    return found.principal;
  }
}

function validSecret(secret: { salt: string; iterations: number; stored_key: string }): boolean {
  return (
    typeof secret?.salt === 'string' &&
    decodeBase64Strict(secret.salt) !== undefined &&
    Number.isSafeInteger(secret.iterations) &&
    secret.iterations > 0 &&
    decodeBase64Strict(secret.stored_key)?.length === 32
  );
}
