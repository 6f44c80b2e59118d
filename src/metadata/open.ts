import { join } from 'node:path';
import { migrate } from './migrations.ts';
import { PostgresDriver } from './postgres.ts';
import { SqliteDriver } from './sqlite.ts';
import type { SqlDriver } from './sql.ts';
import { SqlMetadataStore } from './sql-store.ts';
import type { MetadataStore } from './store.ts';

export interface StoreLocation {
  /** PostgreSQL connection string; when absent the embedded SQLite file is used. */
  databaseUrl?: string | undefined;
  /** Directory of the embedded SQLite file (`metadata.db`); or `:memory:`. */
  dataDir: string;
}

/** Opens the metadata store the configuration names and brings its schema up to date. */
export async function openMetadataStore(location: StoreLocation): Promise<MetadataStore> {
  const driver: SqlDriver = location.databaseUrl
    ? new PostgresDriver(location.databaseUrl)
    : new SqliteDriver(location.dataDir === ':memory:' ? ':memory:' : join(location.dataDir, 'metadata.db'));
  try {
    await migrate(driver);
  } catch (error) {
    await driver.close().catch(() => undefined);
    throw error;
  }
  return new SqlMetadataStore(driver);
}
