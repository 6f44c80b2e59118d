import { createHash, randomBytes, randomUUID } from 'node:crypto';

/**
 * WarpStream identifiers are a prefix plus a UUID with `_` instead of `-`
 * (`vci_1d4930d7_8e6d_4ad9_b27a_654ed4aaa3ee`). Names carry a prefix too; clients send them
 * without it and the server adds it (`withPrefix`).
 */
export function newId(prefix: string): string {
  return prefix + randomUUID().replaceAll('-', '_');
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
