import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory, writeDurably } from '../durable-file.ts';
import { ApiError } from '../errors.ts';
import type { MetadataStore } from '../metadata/store.ts';

export const SECRETS_KEY_ENV = 'SLIPSTREAM_SECRETS_KEY';
export const SECRETS_KEY_FILE = 'secrets.key';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** A version prefix, so a later scheme (another cipher, a rotated key) can be told apart. */
const FORMAT = 'v1:';

/**
 * Seals API key secrets with AES-256-GCM under the server's secrets key, so they can be answered
 * again (list_api_keys, as WarpStream does) without being stored in the clear. The associated data
 * is the key id: a sealed value copied onto another row does not open there.
 */
export class SecretSealer {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`a secrets key is ${KEY_BYTES} bytes, not ${key.length}`);
    this.#key = Buffer.from(key);
  }

  seal(id: string, secret: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(id, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return FORMAT + Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64');
  }

  /**
   * A secret derived from the secrets key for one purpose (HKDF-SHA256), hex: for keys the
   * server needs again after a restart but must not store, such as the key that seals a bearer
   * caller's idempotent answers.
   */
  derive(purpose: string): string {
    return Buffer.from(hkdfSync('sha256', this.#key, Buffer.alloc(0), purpose, 32)).toString('hex');
  }

  /** The secret sealed for `id`; throws when the value was altered, belongs to another id, or was sealed under another key. */
  open(id: string, sealed: string): string {
    const raw = sealed.startsWith(FORMAT) ? Buffer.from(sealed.slice(FORMAT.length), 'base64') : Buffer.alloc(0);
    if (raw.length < IV_BYTES + TAG_BYTES) throw unreadable(id);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(id, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw unreadable(id);
    }
  }
}

function unreadable(id: string): ApiError {
  return new ApiError(
    500,
    'API_KEY_SECRET_UNREADABLE',
    `the stored secret of API key ${id} cannot be unsealed: it was altered, or sealed under another ${SECRETS_KEY_ENV} (every control-plane process on one metadata store must share the same secrets key)`,
  );
}

/** Decodes SLIPSTREAM_SECRETS_KEY (or the file's text): base64 of exactly 32 bytes. */
export function parseSecretsKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  // Buffer.from skips characters outside the alphabet; re-encoding catches them.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || key.length !== KEY_BYTES || key.toString('base64') !== trimmed) {
    throw new Error(`${source} must be the base64 encoding of exactly ${KEY_BYTES} bytes (e.g. the output of \`openssl rand -base64 32\`)`);
  }
  return key;
}

/** The secrets key: SLIPSTREAM_SECRETS_KEY (parsed by loadConfig) when set, else the data dir's file. */
export function secretsKeyFor(config: { secretsKey: Buffer | undefined; dataDir: string }): Promise<Buffer> {
  return config.secretsKey ? Promise.resolve(config.secretsKey) : loadSecretsKey(config.dataDir);
}

/**
 * `<dataDir>/secrets.key`, created on first start (mode 0600, fsynced, then linked into place so a
 * crash or a concurrent start never leaves a partial or second key).
 */
export async function loadSecretsKey(dataDir: string): Promise<Buffer> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, SECRETS_KEY_FILE);
  try {
    return parseSecretsKey(await readFile(path, 'utf8'), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const pending = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeDurably(pending, randomBytes(KEY_BYTES).toString('base64') + '\n');
  try {
    await link(pending, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(pending, { force: true });
  }
  await syncDirectory(dataDir);
  return parseSecretsKey(await readFile(path, 'utf8'), path);
}

const CHECK_MARKER = 'secrets_key_check';
const CHECK_ID = 'secrets_key_check';

/**
 * Refuses to start with a secrets key other than the one this metadata store's secrets are sealed
 * under: otherwise every key created before would answer an error from list_api_keys.
 */
export async function checkSecretsKey(store: MetadataStore, sealer: SecretSealer): Promise<void> {
  const stored = await store.getMetadata(CHECK_MARKER);
  if (stored === undefined || stored === null) {
    await store.setMetadata(CHECK_MARKER, sealer.seal(CHECK_ID, CHECK_ID));
    return;
  }
  try {
    sealer.open(CHECK_ID, stored);
  } catch {
    throw new Error(
      `the secrets key (${SECRETS_KEY_ENV}, or secrets.key in the data dir) is not the one this metadata store's API key secrets are sealed under; every control-plane process on one metadata store must share the same ${SECRETS_KEY_ENV}`,
    );
  }
}
