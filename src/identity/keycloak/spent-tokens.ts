/**
 * The refresh tokens this process has presented to Keycloak, by realm and `jti`, until they
 * expire. Keycloak's own reuse detection has a one-second hole (see KeycloakIdentity.refresh):
 * this closes it for the refreshes that go through this process.
 */

/** A bound on memory: past it, the oldest entries go first (expired ones before that). */
const MAX_ENTRIES = 100_000;

export class SpentRefreshTokens {
  readonly #entries = new Map<string, { session: string | undefined; until: number }>();

  /** The session of a spent token of that realm and id, or undefined when it was not spent here. */
  find(realm: string, tokenId: string): { session: string | undefined } | undefined {
    const key = `${realm}\u0000${tokenId}`;
    const entry = this.#entries.get(key);
    if (entry && entry.until <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Marks a token spent until `expiresAt` (seconds since the epoch; 0: keep for a day). */
  add(realm: string, tokenId: string, session: string | undefined, expiresAt: number): void {
    if (this.#entries.size >= MAX_ENTRIES) this.#prune();
    const until = expiresAt > 0 ? expiresAt * 1000 : Date.now() + 86_400_000;
    this.#entries.set(`${realm}\u0000${tokenId}`, { session, until });
  }

  /** Forgets a token Keycloak refused for another reason than reuse: it was not spent. */
  remove(realm: string, tokenId: string): void {
    this.#entries.delete(`${realm}\u0000${tokenId}`);
  }

  clear(): void {
    this.#entries.clear();
  }

  #prune(): void {
    const now = Date.now();
    for (const [key, entry] of this.#entries) if (entry.until <= now) this.#entries.delete(key);
    for (const key of this.#entries.keys()) {
      if (this.#entries.size < MAX_ENTRIES * 0.9) break;
      this.#entries.delete(key);
    }
  }
}
