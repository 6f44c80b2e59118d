import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory, writeDurably } from './durable-file.ts';
import { hashSecret, newId, newSecret } from './ids.ts';
import type { SecretSealer } from './control-plane/secrets.ts';
import type { MetadataStore } from './metadata/store.ts';
import { mintApiKey } from './control-plane/services/api-keys.ts';
import { createVirtualCluster } from './control-plane/services/virtual-clusters.ts';
import { createWorkspace } from './control-plane/services/workspaces.ts';

/** What `bootstrap.json` holds: exactly these keys (a contract other tools rely on). */
export interface BootstrapFile {
  account_key: string;
  workspace_id: string;
  application_key: string;
  virtual_cluster_id: string;
  virtual_cluster_name: string;
  agent_key: string;
  bootstrap_url: string;
  api_url: string;
  /** The platform admin of the default tenant (`platform-admin` role), for `POST /v1/auth/token`. */
  platform_admin: { username: string; password: string };
}

/** The tenant (account) the first start makes; its realm has the same name. */
export const DEFAULT_TENANT_SLUG = 'default';

export const BOOTSTRAP_MARKER = 'bootstrap';

export interface BootstrapOptions {
  dataDir: string;
  apiUrl: string;
  bootstrapUrl: string;
  /** Seals the new keys' secrets, so list_api_keys answers them like any other key's. */
  secrets: SecretSealer;
}

/**
 * First start: an account with its account key, a workspace with its application key, and the
 * BYOC virtual cluster `vcn_default` with its agent key; their secrets go to
 * `<dataDir>/bootstrap.json` (mode 0600), the only place they are written in the clear (the
 * store keeps their hashes, and the secrets sealed under the secrets key).
 *
 * Crash safety: the file is written (to a temporary name, fsynced) inside the transaction that
 * creates the records, and renamed into place after it commits. A crash before the commit leaves
 * nothing in the store and the next start begins again; a crash after it leaves the temporary
 * file, which the next start renames. Later starts create nothing; they only refresh the two
 * URLs in the file when the listen addresses changed.
 */
export async function bootstrap(store: MetadataStore, options: BootstrapOptions): Promise<{ path: string; created: boolean }> {
  await mkdir(options.dataDir, { recursive: true });
  const path = join(options.dataDir, 'bootstrap.json');
  const pending = `${path}.tmp`;

  if (await store.getMetadata(BOOTSTRAP_MARKER)) {
    if (!existsSync(path) && existsSync(pending)) await rename(pending, path);
    if (existsSync(path)) await refreshUrls(path, options);
    return { path, created: false };
  }

  const created = await store.transaction(async (tx) => {
    if (await tx.getMetadata(BOOTSTRAP_MARKER)) return false; // another process won the race
    const accountId = newId('ai_');
    const now = Date.now();
    await tx.insertAccount({
      id: accountId,
      slug: DEFAULT_TENANT_SLUG,
      display_name: 'Default',
      plan: 'enterprise',
      admin_email: '',
      status: 'active',
      created_at: now,
      updated_at: now,
      deleted_at: null,
    });
    // The tenant's realm, and the platform admin who signs in to it (the password is written
    // to bootstrap.json only; the identity provider gets the user at every start).
    await tx.identity.insertRealm({ name: DEFAULT_TENANT_SLUG, account_id: accountId, display_name: 'Default', enabled: true, created_at: now });
    const platformAdmin = { username: 'admin', password: newSecret('pap_', 16) };
    const accountKey = mintApiKey({
      name: 'akn_account_key',
      kind: 'account',
      account_id: accountId,
      workspace_id: null,
      virtual_cluster_id: null,
      read_only: false,
      access_grants: [{ principal_kind: 'application', resource_kind: '*', resource_id: '*' }],
    }, options.secrets);
    await tx.insertApiKey(accountKey.record);
    const workspace = await createWorkspace(tx, options.secrets, accountId, { workspace_name: 'default' });
    const applicationKey = workspace.application_key!.key!;
    const principalKey = (await tx.getApiKeyBySecretHash(hashSecret(applicationKey)))!;
    const cluster = await createVirtualCluster(
      tx,
      options.secrets,
      { key: principalKey, clusters: '*' },
      {
        virtual_cluster_name: 'default',
        virtual_cluster_type: 'byoc',
        virtual_cluster_region: 'local',
        virtual_cluster_cloud_provider: 'aws',
        virtual_cluster_tier: 'dev',
      },
      { bootstrapUrl: options.bootstrapUrl },
    );
    const file: BootstrapFile = {
      account_key: accountKey.secret,
      workspace_id: workspace.workspace_id,
      application_key: applicationKey,
      virtual_cluster_id: cluster.virtual_cluster_id,
      virtual_cluster_name: cluster.virtual_cluster_name,
      agent_key: cluster.agent_key!.key!,
      bootstrap_url: options.bootstrapUrl,
      api_url: options.apiUrl,
      platform_admin: platformAdmin,
    };
    await writeDurably(pending, JSON.stringify(file, null, 2) + '\n');
    await tx.setMetadata(
      BOOTSTRAP_MARKER,
      JSON.stringify({ account_id: accountId, workspace_id: file.workspace_id, virtual_cluster_id: file.virtual_cluster_id }),
    );
    return true;
  });

  if (created) {
    await rename(pending, path);
    await syncDirectory(options.dataDir);
  } else {
    await rm(pending, { force: true });
  }
  return { path, created };
}

/** Rewrites the two URLs in bootstrap.json when they changed (the secrets stay as they are). */
export async function refreshUrls(path: string, options: Omit<BootstrapOptions, 'secrets'>): Promise<void> {
  const file = JSON.parse(await readFile(path, 'utf8')) as BootstrapFile;
  if (file.api_url === options.apiUrl && file.bootstrap_url === options.bootstrapUrl) return;
  const pending = `${path}.tmp`;
  await writeDurably(pending, JSON.stringify({ ...file, api_url: options.apiUrl, bootstrap_url: options.bootstrapUrl }, null, 2) + '\n');
  await rename(pending, path);
}
