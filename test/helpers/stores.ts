import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openMetadataStore, type StoreLocation } from '../../src/metadata/open.ts';
import type { Account, MetadataStore, Workspace } from '../../src/metadata/store.ts';

/** What `t.after` needs: a TestContext (or a SuiteContext-like object). */
export interface Cleanup {
  after(fn: () => unknown): void;
}

/** A fresh temp directory, removed when the test (or suite) that asked for it ends. */
export function tempDir(t: Cleanup, prefix = 'slipstream-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface StoreKind {
  kind: 'sqlite' | 'postgres';
  /** A migrated store on its own empty database; closing it throws the database away. */
  open(): Promise<MetadataStore>;
  /**
   * A fresh, empty, not yet migrated location (SQLite directory or PostgreSQL database) that
   * lives until the test ends: for tests that open, close and reopen the same database.
   */
  location(t: Cleanup): Promise<StoreLocation>;
}

/** The PostgreSQL the tests may use (never DATABASE_URL: a developer's own stays untouched). */
export function testDatabaseUrl(): string | undefined {
  return process.env.SLIPSTREAM_TEST_DATABASE_URL || undefined;
}

/**
 * Every metadata store the tests run against: SQLite always, PostgreSQL when
 * SLIPSTREAM_TEST_DATABASE_URL is set (scripts/test.sh starts one). In CI a missing
 * PostgreSQL is an error, never a silent skip.
 */
export function storeKinds(): StoreKind[] {
  const url = testDatabaseUrl();
  if (process.env.CI && !url) {
    throw new Error('CI is set but SLIPSTREAM_TEST_DATABASE_URL is not: the PostgreSQL store would go untested (run npm test)');
  }
  const kinds: StoreKind[] = [
    {
      kind: 'sqlite',
      async open() {
        const dir = mkdtempSync(join(tmpdir(), 'slipstream-store-'));
        let store: MetadataStore;
        try {
          store = await openMetadataStore({ dataDir: dir });
        } catch (error) {
          rmSync(dir, { recursive: true, force: true });
          throw error;
        }
        return onClose(store, async () => rmSync(dir, { recursive: true, force: true }));
      },
      async location(t) {
        return { dataDir: tempDir(t) };
      },
    },
  ];
  if (url) {
    kinds.push({
      kind: 'postgres',
      async open() {
        const { databaseUrl, drop } = await createDatabase(url);
        let store: MetadataStore;
        try {
          store = await openMetadataStore({ databaseUrl, dataDir: ':memory:' });
        } catch (error) {
          await drop();
          throw error;
        }
        return onClose(store, drop);
      },
      async location(t) {
        const { databaseUrl, drop } = await createDatabase(url);
        t.after(drop);
        return { databaseUrl, dataDir: ':memory:' };
      },
    });
  }
  return kinds;
}

/** Makes `store.close()` also run `cleanup` (once, even if close is called again). */
function onClose(store: MetadataStore, cleanup: () => Promise<void>): MetadataStore {
  const close = store.close.bind(store);
  let closing: Promise<void> | undefined;
  Object.defineProperty(store, 'close', {
    value: () => {
      closing ??= close().finally(cleanup);
      return closing;
    },
  });
  return store;
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A new empty database next to the one `url` names, and how to drop it again. */
async function createDatabase(url: string): Promise<{ databaseUrl: string; drop: () => Promise<void> }> {
  const name = `slipstream_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(url, `CREATE DATABASE ${name}`);
  const databaseUrl = new URL(url);
  databaseUrl.pathname = `/${name}`;
  let dropped = false;
  return {
    databaseUrl: databaseUrl.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      // FORCE: a test that failed half-way may have left connections open.
      await adminQuery(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** A fresh, empty PostgreSQL database on the tests' server for the test's lifetime (its URL), or undefined without one. */
export async function testDatabase(t: Cleanup): Promise<string | undefined> {
  const url = testDatabaseUrl();
  if (!url) return undefined;
  const { databaseUrl, drop } = await createDatabase(url);
  t.after(drop);
  return databaseUrl;
}

/** An account (tenant) row for store-level tests that only need one to exist. */
export function testAccount(id: string, created_at = 1): Account {
  return { id, slug: id.replaceAll('_', '-'), display_name: id, plan: 'starter', admin_email: '', status: 'active', created_at, updated_at: created_at, deleted_at: null };
}

/** A workspace row for store-level tests that only need one to exist. */
export function testWorkspace(id: string, account_id: string, name: string, created_at = 1): Workspace {
  return { id, account_id, name, slug: name, capabilities: ['kafka'], status: 'active', created_at, updated_at: created_at, deleted_at: null };
}
