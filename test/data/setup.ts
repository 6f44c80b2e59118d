import type { AddressInfo } from 'node:net';
import { PostgrestClient } from '@supabase/postgrest-js';
import type { DataEngines } from '../../src/data/gates.ts';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import { storeKinds, type Cleanup } from '../helpers/stores.ts';
import type { DataEngineKind, MongoEngineKind } from '../helpers/data.ts';
import { v1 } from '../platform-api/client.ts';

/** A platform listening on a port (postgrest-js needs a URL) with the data engines of `kind`, and an admin token. */
export async function dataPlatform(t: Cleanup, kind: DataEngineKind | MongoEngineKind, options: { maxRows?: number } = {}) {
  const data: DataEngines = await kind.open(t, options);
  const platform: TestPlatform = await startTestPlatform(storeKinds()[0]!, t, { listen: true, data });
  const api = v1(platform);
  const { access_token: token } = await api.admin();
  const port = (platform.app.server.address() as AddressInfo).port;

  async function workspace(slug: string, capabilities: string[] = ['postgres'], as = token): Promise<string> {
    const made = await api.call('POST', '/v1/workspaces', { token: as, body: { slug, displayName: slug, capabilities } });
    if (made.status !== 201) throw new Error(`workspace ${slug}: ${made.status} ${JSON.stringify(made.body)}`);
    return made.body.id as string;
  }

  async function table(workspaceId: string, spec: unknown, as = token): Promise<void> {
    const made = await api.call('POST', `/v1/postgres/${workspaceId}/tables`, { token: as, body: spec });
    if (made.status !== 201) throw new Error(`table: ${made.status} ${JSON.stringify(made.body)}`);
  }

  /** postgrest-js on a workspace, as the client users write. */
  const client = (workspaceId: string, as = token) => new PostgrestClient(`http://127.0.0.1:${port}/v1/postgres/${workspaceId}/rows`, { headers: { Authorization: `Bearer ${as}` } });

  return { platform, data, token, ...api, workspace, table, client };
}

export const USERS = {
  name: 'users',
  columns: [
    { name: 'id', type: 'bigserial', primaryKey: true },
    { name: 'name', type: 'text', nullable: false, unique: true },
    { name: 'secret', type: 'text' },
  ],
};
