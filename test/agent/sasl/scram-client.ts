import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/**
 * An independent SCRAM client (RFC 5802 / RFC 7677), written from the RFC rather than from the
 * server, to drive `ScramServer` in tests. Every message can be bent for the negative cases.
 */

export type ClientMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface ScramClientOptions {
  /** The client nonce; random unless given. */
  nonce?: string;
  /** The GS2 header; `n,,` unless given. */
  gs2Header?: string;
  /** Extra attributes after the nonce in client-first, e.g. `tokenauth=true`. */
  firstExtensions?: string[];
  /** Refuse server-first iteration counts below this (as real clients do). */
  minIterations?: number;
}

const escape = (name: string) => name.replace(/=/g, '=3D').replace(/,/g, '=2C');

export class ScramClient {
  readonly hash: 'sha256' | 'sha512';
  readonly username: string;
  readonly password: string;
  readonly nonce: string;
  readonly gs2Header: string;
  private readonly options: ScramClientOptions;
  clientFirstBare = '';
  serverFirst = '';
  combinedNonce = '';
  salt = Buffer.alloc(0);
  iterations = 0;
  authMessage = '';
  saltedPassword = Buffer.alloc(0);

  constructor(mechanism: ClientMechanism, username: string, password: string, options: ScramClientOptions = {}) {
    this.hash = mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512';
    this.username = username;
    this.password = password;
    this.nonce = options.nonce ?? randomBytes(18).toString('base64');
    this.gs2Header = options.gs2Header ?? 'n,,';
    this.options = options;
  }

  first(): Buffer {
    const extensions = (this.options.firstExtensions ?? []).map((extension) => `,${extension}`).join('');
    this.clientFirstBare = `n=${escape(this.username)},r=${this.nonce}${extensions}`;
    return Buffer.from(this.gs2Header + this.clientFirstBare, 'utf8');
  }

  /** Parses server-first; answers the client-final message (bent by `tamper` if given). */
  final(serverFirst: Buffer, tamper: { channelBinding?: string; nonce?: string; proof?: (proof: Buffer) => Buffer; extensions?: string[] } = {}): Buffer {
    this.serverFirst = serverFirst.toString('utf8');
    const attributes = parseAttributes(this.serverFirst);
    const r = attributes.get('r');
    const s = attributes.get('s');
    const i = attributes.get('i');
    if (r === undefined || s === undefined || i === undefined) throw new Error(`bad server-first: ${this.serverFirst}`);
    if (!r.startsWith(this.nonce) || r.length <= this.nonce.length) throw new Error('server nonce does not extend ours');
    this.combinedNonce = r;
    this.salt = Buffer.from(s, 'base64');
    this.iterations = Number(i);
    if (!Number.isInteger(this.iterations) || this.iterations < (this.options.minIterations ?? 1)) throw new Error(`bad iteration count ${i}`);

    const channelBinding = tamper.channelBinding ?? Buffer.from(this.gs2Header, 'utf8').toString('base64');
    const extensions = (tamper.extensions ?? []).map((extension) => `,${extension}`).join('');
    const withoutProof = `c=${channelBinding},r=${tamper.nonce ?? this.combinedNonce}${extensions}`;
    this.authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const length = this.hash === 'sha256' ? 32 : 64;
    this.saltedPassword = pbkdf2Sync(Buffer.from(this.password, 'utf8'), this.salt, this.iterations, length, this.hash);
    const clientKey = createHmac(this.hash, this.saltedPassword).update('Client Key').digest();
    const storedKey = createHash(this.hash).update(clientKey).digest();
    const clientSignature = createHmac(this.hash, storedKey).update(this.authMessage).digest();
    let proof: Buffer = Buffer.alloc(length);
    for (let k = 0; k < length; k++) proof[k] = clientKey[k]! ^ clientSignature[k]!;
    if (tamper.proof) proof = tamper.proof(proof);
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  }

  /** Checks server-final's signature; throws unless the server proved it knows the secret. */
  verify(serverFinal: Buffer): void {
    const text = serverFinal.toString('utf8');
    const attributes = parseAttributes(text);
    if (attributes.has('e')) throw new Error(`server error: ${attributes.get('e')}`);
    const serverKey = createHmac(this.hash, this.saltedPassword).update('Server Key').digest();
    const expected = createHmac(this.hash, serverKey).update(this.authMessage).digest('base64');
    if (attributes.get('v') !== expected) throw new Error('server signature does not verify');
  }
}

function parseAttributes(text: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const field of text.split(',')) {
    const at = field.indexOf('=');
    if (at !== 1) throw new Error(`bad attribute ${field}`);
    attributes.set(field[0]!, field.slice(2));
  }
  return attributes;
}
