import { createHash, randomBytes } from 'node:crypto';

/**
 * WarpStream identifiers are a prefix plus a UUID with `_` instead of `-`
 * (`vci_1d4930d7_8e6d_4ad9_b27a_654ed4aaa3ee`). Names carry a prefix too; clients send them
 * without it and the server adds it (`withPrefix`).
 *
 * The UUIDs are version 7 (RFC 9562): time first, so ids sort in creation order, and lists
 * ordered by (created_at, id) keep that order for things made in the same millisecond.
 */
export function newId(prefix: string): string {
  return prefix + uuidv7().replaceAll('-', '_');
}

let lastMillis = 0;
let sequence = 0;

/** A UUIDv7 whose 12-bit `rand_a` is a counter within the millisecond (RFC 9562, method 1). */
export function uuidv7(): string {
  const now = Date.now();
  if (now > lastMillis) {
    lastMillis = now;
    sequence = 0;
  } else if (++sequence > 0xfff) {
    // 4,096 ids in one millisecond (or a clock that went back): borrow the next millisecond.
    lastMillis++;
    sequence = 0;
  }
  const bytes = randomBytes(16);
  bytes.writeUIntBE(lastMillis, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Adds `prefix` unless the client already sent it, so `my_cluster` and `vcn_my_cluster` agree. */
export function withPrefix(prefix: string, name: string): string {
  return name.startsWith(prefix) ? name : prefix + name;
}

/** An API key secret: `aks_` and 64 hex digits (256 bits), as WarpStream issues them. */
export function newApiKeySecret(): string {
  return 'aks_' + randomBytes(32).toString('hex');
}

/** A random secret with a prefix, for cluster credential passwords (`ccp_`). */
export function newSecret(prefix: string, bytes = 24): string {
  return prefix + randomBytes(bytes).toString('hex');
}

/**
 * Secrets are 256-bit random values, so a plain SHA-256 is enough to store them safely:
 * there is nothing to brute-force, and a fast hash lets every request look its key up by hash.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
