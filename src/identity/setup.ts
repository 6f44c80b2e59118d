import { readFile, rename } from 'node:fs/promises';
import { DEFAULT_TENANT_SLUG, type BootstrapFile } from '../bootstrap.ts';
import { writeDurably } from '../durable-file.ts';
import { newSecret } from '../ids.ts';
import type { MetadataStore } from '../metadata/store.ts';
import type { Realm } from '../model/records.ts';
import type { IdentityProvider } from './provider.ts';

/**
 * Tells the provider about one realm row, after it is committed (a provider is never in the
 * store's transaction): the realm is made if missing and enabled exactly when the row is.
 */
export async function provisionRealm(identity: IdentityProvider, realm: Realm): Promise<void> {
  await identity.ensureRealm(realm.name, { displayName: realm.display_name, tenantId: realm.account_id });
  await identity.setRealmEnabled(realm.name, realm.enabled);
}

/**
 * Brings the identity provider in line with the store at every start: every tenant has its
 * realm row (tenants made before realms existed get one named by their slug), every realm
 * exists in the provider (a Keycloak added later, or one that lost its data, is filled in), and
 * the platform admin of bootstrap.json can sign in to the default realm — bootstrap.json is the
 * only place its password is kept, so an install from before the platform API gets one written
 * there now.
 */
export async function provisionIdentity(store: MetadataStore, identity: IdentityProvider, bootstrapPath: string): Promise<void> {
  const marker = await store.getMetadata('bootstrap');
  const defaultAccountId = marker ? (JSON.parse(marker) as { account_id: string }).account_id : undefined;
  if (defaultAccountId) {
    const account = await store.getAccount(defaultAccountId);
    if (account && (await store.identity.listRealms(account.id)).length === 0 && !(await store.identity.getRealm(DEFAULT_TENANT_SLUG))) {
      await store.identity.insertRealm({ name: DEFAULT_TENANT_SLUG, account_id: account.id, display_name: account.display_name, enabled: account.status === 'active', created_at: Date.now() });
    }
  }
  for (const account of await store.listAccounts({ limit: 100_000 })) {
    for (const realm of await store.identity.listRealms(account.id)) await provisionRealm(identity, realm);
  }
  const file = JSON.parse(await readFile(bootstrapPath, 'utf8')) as Partial<BootstrapFile>;
  let admin = file.platform_admin;
  if (!admin) {
    admin = { username: 'admin', password: newSecret('pap_', 16) };
    const pending = `${bootstrapPath}.tmp`;
    await writeDurably(pending, JSON.stringify({ ...file, platform_admin: admin }, null, 2) + '\n');
    await rename(pending, bootstrapPath);
  }
  if (await store.identity.getRealm(DEFAULT_TENANT_SLUG)) {
    await identity.upsertUser(DEFAULT_TENANT_SLUG, { username: admin.username, password: admin.password, roles: ['platform-admin'] });
  }
}
