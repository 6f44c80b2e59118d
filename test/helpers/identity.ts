import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { EmbeddedIdentity, type EmbeddedIdentityOptions } from '../../src/identity/embedded/issuer.ts';
import { KeycloakIdentity } from '../../src/identity/keycloak.ts';
import { KeycloakAdmin } from '../../src/identity/keycloak/admin.ts';
import type { IdentityProvider } from '../../src/identity/provider.ts';
import { storeKinds, type Cleanup, type StoreKind } from './stores.ts';

/**
 * The identity providers the platform API's tests run against, as storeKinds() is for metadata
 * stores: the embedded issuer always, Keycloak when SLIPSTREAM_TEST_KEYCLOAK_URL names one
 * (scripts/test.sh starts it). In CI a missing Keycloak is an error, never a silent skip.
 */
export interface TestIdentity {
  provider: IdentityProvider;
  /** An access token that has already expired, made by `mint` (a login of `realm`). */
  expiredToken(t: { mock: { timers: { enable(options: { apis: ['Date']; now: number }): void; reset(): void } } }, realm: string, mint: () => Promise<string>): Promise<string>;
}

export interface IdentityKind {
  kind: 'embedded' | 'keycloak';
  /** A provider for one test platform; a Keycloak one has realms of its own, deleted when `t` ends. */
  open(t: Cleanup, embedded: EmbeddedIdentityOptions): TestIdentity;
}

export function testKeycloak(): { url: string; adminUser: string; adminPassword: string } | undefined {
  const url = process.env.SLIPSTREAM_TEST_KEYCLOAK_URL;
  if (!url) return undefined;
  return { url: url.replace(/\/+$/, ''), adminUser: process.env.SLIPSTREAM_TEST_KEYCLOAK_ADMIN_USER ?? 'admin', adminPassword: process.env.SLIPSTREAM_TEST_KEYCLOAK_ADMIN_PASSWORD ?? '' };
}

/** Deletes every Keycloak realm whose name starts with `prefix`. */
export async function deleteKeycloakRealms(keycloak: { url: string; adminUser: string; adminPassword: string }, prefix: string): Promise<void> {
  const admin = new KeycloakAdmin(keycloak.url, keycloak.adminUser, keycloak.adminPassword);
  try {
    const realms = (await admin.expect('GET', '', undefined, 200)).body as Array<{ realm: string }>;
    for (const { realm } of realms) if (realm.startsWith(prefix)) await admin.request('DELETE', `/${encodeURIComponent(realm)}`);
  } finally {
    admin.close();
  }
}

export const embeddedIdentity: IdentityKind = {
  kind: 'embedded',
  open(_t, options) {
    return {
      provider: new EmbeddedIdentity(options),
      // Issued an hour ago: the clock moves back while it is made (the key set is loaded by then).
      async expiredToken(t, _realm, mint) {
        t.mock.timers.enable({ apis: ['Date'], now: Date.now() - 3_600_000 });
        try {
          return await mint();
        } finally {
          t.mock.timers.reset();
        }
      },
    };
  },
};

function keycloakKind(keycloak: { url: string; adminUser: string; adminPassword: string }): IdentityKind {
  return {
    kind: 'keycloak',
    open(t, options) {
      // Each platform its own realms in the shared Keycloak, as SLIPSTREAM_KEYCLOAK_REALM_PREFIX gives a deployment.
      const realmPrefix = `t${randomBytes(4).toString('hex')}-`;
      const provider = new KeycloakIdentity({ ...keycloak, realmPrefix, ...(options.accessTokenTtlSeconds === undefined ? {} : { accessTokenLifespanSeconds: options.accessTokenTtlSeconds }) });
      t.after(() => deleteKeycloakRealms(keycloak, realmPrefix));
      return {
        provider,
        // Keycloak signs with its own clock: the realm's token lifespan goes to one second for one login.
        async expiredToken(_t, realm, mint) {
          const admin = new KeycloakAdmin(keycloak.url, keycloak.adminUser, keycloak.adminPassword);
          const path = `/${encodeURIComponent(realmPrefix + realm)}`;
          const before = (await admin.expect('GET', path, undefined, 200)).body as { accessTokenLifespan: number };
          await admin.expect('PUT', path, { accessTokenLifespan: 1 }, 204);
          try {
            return await mint();
          } finally {
            await admin.expect('PUT', path, { accessTokenLifespan: before.accessTokenLifespan }, 204);
            admin.close();
            await sleep(2_100);
          }
        },
      };
    },
  };
}

export function identityKinds(): IdentityKind[] {
  const keycloak = testKeycloak();
  if (process.env.CI && !keycloak) {
    throw new Error('CI is set but SLIPSTREAM_TEST_KEYCLOAK_URL is not: the Keycloak identity provider would go untested (run npm test)');
  }
  return keycloak ? [embeddedIdentity, keycloakKind(keycloak)] : [embeddedIdentity];
}

export interface PlatformKind {
  name: string;
  store: StoreKind;
  identity: IdentityKind;
}

/**
 * What a platform API suite runs on: every metadata store with the embedded issuer, and
 * Keycloak on SQLite (the store does not change what Keycloak does; once keeps the suite quick).
 */
export function platformKinds(): PlatformKind[] {
  const stores = storeKinds();
  const kinds: PlatformKind[] = stores.map((store) => ({ name: `${store.kind}, embedded issuer`, store, identity: embeddedIdentity }));
  for (const identity of identityKinds().slice(1)) kinds.push({ name: `${stores[0]!.kind}, ${identity.kind}`, store: stores[0]!, identity });
  return kinds;
}
