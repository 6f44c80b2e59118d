import { PGlite } from '@electric-sql/pglite';
import type { DataEngines } from '../../src/data/gates.ts';
import { openPgEngine } from '../../src/data/postgres/pg-engine.ts';
import { openPgliteEngine } from '../../src/data/postgres/pglite-engine.ts';
import { PostgresData } from '../../src/data/postgres/service.ts';
import { DriverMongoEngine } from '../../src/data/mongo/driver-engine.ts';
import { testDatabase, testDatabaseUrl, type Cleanup } from './stores.ts';

let template: Promise<Blob> | undefined;

/** A fresh PGlite cluster, made once per test process: each in-memory database loads it instead of running initdb. */
function pgliteTemplate(): Promise<Blob> {
  template ??= (async () => {
    const db = await PGlite.create();
    const dump = await db.dumpDataDir('none');
    await db.close();
    return dump;
  })();
  return template;
}

const openMemoryPglite = async () => openPgliteEngine(undefined, { template: await pgliteTemplate() });

/** Data engines that open an in-memory PGlite on first use (most tests never touch data). */
export function lazyTestDataEngines(): DataEngines {
  return { postgres: new PostgresData(openMemoryPglite), maxRows: 1000 };
}

export interface DataEngineKind {
  kind: 'pglite' | 'postgres';
  /** Engines on an empty database of their own, closed and dropped when the test ends. */
  open(t: Cleanup, options?: { maxRows?: number }): Promise<DataEngines>;
}

/**
 * Every engine the PostgreSQL data API runs on: PGlite always, real PostgreSQL when
 * SLIPSTREAM_TEST_DATABASE_URL is set (scripts/test.sh starts one); in CI its absence fails.
 */
export function dataEngineKinds(): DataEngineKind[] {
  const url = testDatabaseUrl();
  if (process.env.CI && !url) throw new Error('CI is set but SLIPSTREAM_TEST_DATABASE_URL is not: the data API on real PostgreSQL would go untested (run npm test)');
  const kinds: DataEngineKind[] = [
    {
      kind: 'pglite',
      async open(t, options = {}) {
        const data = new PostgresData(openMemoryPglite);
        t.after(() => data.close());
        return { postgres: data, maxRows: options.maxRows ?? 1000 };
      },
    },
  ];
  if (url) {
    kinds.push({
      kind: 'postgres',
      async open(t, options = {}) {
        const databaseUrl = (await testDatabase(t))!;
        const data = new PostgresData(async () => openPgEngine(databaseUrl));
        // Registered after the database's drop, so it runs first (t.after runs in reverse order).
        t.after(() => data.close());
        return { postgres: data, maxRows: options.maxRows ?? 1000 };
      },
    });
  }
  return kinds;
}

/** The MongoDB-wire server the tests may use (FerretDB, started by scripts/test.sh). */
export function testMongoUrl(): string | undefined {
  const url = process.env.SLIPSTREAM_TEST_MONGODB_URL || undefined;
  if (process.env.CI && !url) throw new Error('CI is set but SLIPSTREAM_TEST_MONGODB_URL is not: the Mongo data API on a real engine would go untested (run npm test)');
  return url;
}

export interface MongoEngineKind {
  kind: 'embedded' | 'ferretdb';
  /** Data engines whose Mongo API runs on this engine (the PostgreSQL one lazily on PGlite). */
  open(t: Cleanup): DataEngines;
}

/** The Mongo data API's engines: the embedded one always, the real server when there is one. */
export function mongoEngineKinds(): MongoEngineKind[] {
  const url = testMongoUrl();
  const kinds: MongoEngineKind[] = [{ kind: 'embedded', open: () => lazyTestDataEngines() }];
  if (url) {
    kinds.push({
      kind: 'ferretdb',
      open(t) {
        const mongo = new DriverMongoEngine(url);
        t.after(() => mongo.close());
        return { ...lazyTestDataEngines(), mongo };
      },
    });
  }
  return kinds;
}
