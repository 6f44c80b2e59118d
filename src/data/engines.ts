import { join } from 'node:path';
import type { DataEngines } from './gates.ts';
import { openPgEngine } from './postgres/pg-engine.ts';
import { openPgliteEngine } from './postgres/pglite-engine.ts';
import { PostgresData } from './postgres/service.ts';
import { DriverMongoEngine } from './mongo/driver-engine.ts';

export interface DataConfig {
  dataDir: string;
  /** SLIPSTREAM_DATA_DATABASE_URL, else DATABASE_URL: real PostgreSQL; absent: the embedded one under `<dataDir>/postgres`. */
  dataDatabaseUrl: string | undefined;
  maxRows: number;
  statementTimeoutMs: number;
  /** MONGODB_URL: a MongoDB-wire server for the Mongo data API; absent: the embedded engine. */
  mongodbUrl: string | undefined;
}

/** The engines of the data APIs; none starts before its first request. */
export function dataEngines(config: DataConfig): DataEngines {
  const url = config.dataDatabaseUrl;
  return {
    postgres: new PostgresData(async () => (url ? openPgEngine(url) : openPgliteEngine(join(config.dataDir, 'postgres'))), { statementTimeoutMs: config.statementTimeoutMs }),
    maxRows: config.maxRows,
    ...(config.mongodbUrl ? { mongo: new DriverMongoEngine(config.mongodbUrl) } : {}),
  };
}
