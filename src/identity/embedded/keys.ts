import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { MetadataStore, SigningKey } from '../../metadata/store.ts';
import type { SecretSealer } from '../../control-plane/secrets.ts';

export const SIGNING_ALGORITHM = 'EdDSA';

/**
 * The embedded issuer's key set (Ed25519). The newest key signs; a new one is made when it is
 * older than `rotateAfterMs`; older keys stay published in the JWKS until no token they signed
 * can still be valid, then they are dropped. Private keys are kept sealed under the secrets key,
 * so the metadata store alone cannot mint tokens. Every control-plane process on one store
 * shares the set (a token signed by one verifies on all).
 */
export class SigningKeys {
  private readonly store: MetadataStore;
  private readonly secrets: SecretSealer;
  private readonly rotateAfterMs: number;
  /** How long a key must stay published after it stopped signing: the longest token lifetime. */
  private readonly keepAfterMs: number;
  private cached: { keys: SigningKey[]; loadedAt: number } | undefined;
  private readonly imported = new Map<string, Promise<CryptoKey>>();

  constructor(options: { store: MetadataStore; secrets: SecretSealer; rotateAfterMs: number; keepAfterMs: number }) {
    this.store = options.store;
    this.secrets = options.secrets;
    this.rotateAfterMs = options.rotateAfterMs;
    this.keepAfterMs = options.keepAfterMs;
  }

  /** The key to sign with now (made, or rotated, when needed). */
  async current(): Promise<{ kid: string; key: CryptoKey }> {
    let keys = await this.load();
    const newest = keys[0];
    if (!newest || newest.created_at < Date.now() - this.rotateAfterMs) {
      await this.rotate();
      keys = await this.load(true);
    }
    const signing = keys[0]!;
    return { kid: signing.kid, key: await this.privateKey(signing) };
  }

  /** The public keys, as a JWKS (RFC 7517 §5). */
  async jwks(): Promise<{ keys: JWK[] }> {
    const keys = await this.load();
    return { keys: keys.map((key) => ({ ...(JSON.parse(key.public_jwk) as JWK), kid: key.kid, alg: key.algorithm, use: 'sig' })) };
  }

  /** The public key of `kid`, reloading once when another process rotated meanwhile. */
  async publicKey(kid: string): Promise<CryptoKey | undefined> {
    let key = (await this.load()).find((k) => k.kid === kid);
    if (!key) key = (await this.load(true)).find((k) => k.kid === kid);
    if (!key) return undefined;
    return (await importJWK(JSON.parse(key.public_jwk) as JWK, key.algorithm)) as CryptoKey;
  }

  private async load(fresh = false): Promise<SigningKey[]> {
    if (!fresh && this.cached && this.cached.loadedAt > Date.now() - 60_000) return this.cached.keys;
    const keys = await this.store.identity.listSigningKeys();
    this.cached = { keys, loadedAt: Date.now() };
    return keys;
  }

  private async rotate(): Promise<void> {
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true, crv: 'Ed25519' });
    const kid = randomUUID();
    const now = Date.now();
    await this.store.transaction(async (tx) => {
      const keys = await tx.identity.listSigningKeys();
      // Another process may have rotated between our read and now: one new key is enough.
      if (keys[0] && keys[0].created_at >= now - this.rotateAfterMs) return;
      await tx.identity.insertSigningKey({
        kid,
        algorithm: SIGNING_ALGORITHM,
        public_jwk: JSON.stringify(await exportJWK(publicKey)),
        private_jwk_sealed: this.secrets.seal(`signing-key:${kid}`, JSON.stringify(await exportJWK(privateKey))),
        created_at: now,
      });
      // A key stops signing when the next one is made; drop those that stopped long enough ago.
      for (let i = 1; i < keys.length; i++) {
        const stoppedSigningAt = keys[i - 1]!.created_at;
        if (stoppedSigningAt < now - this.keepAfterMs) await tx.identity.deleteSigningKey(keys[i]!.kid);
      }
    });
  }

  private privateKey(key: SigningKey): Promise<CryptoKey> {
    let imported = this.imported.get(key.kid);
    if (!imported) {
      const jwk = JSON.parse(this.secrets.open(`signing-key:${key.kid}`, key.private_jwk_sealed)) as JWK;
      imported = importJWK(jwk, key.algorithm) as Promise<CryptoKey>;
      this.imported.set(key.kid, imported);
    }
    return imported;
  }
}
