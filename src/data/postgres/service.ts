import { forbidden } from '../../errors.ts';
import { loadSchemaCache, type SchemaCache } from './catalog.ts';
import { EngineError, type SqlEngine, type Statement, type StatementResult, type TransactionOptions } from './engine.ts';
import { provisionDatabase, provisionWorkspace, workspaceNames, workspaceUsage, type WorkspaceNames } from './provision.ts';
import { createTableStatements, dropTableStatements, type TableSpec } from './tables.ts';

/**
 * The PostgreSQL data of every workspace on one engine: provisioning on first use, the schema
 * cache, and the transactions requests run in (as the workspace's role, never as ours).
 */
export class PostgresData {
  readonly #open: () => Promise<SqlEngine>;
  #engine: Promise<SqlEngine> | undefined;
  readonly #provisioned = new Map<string, Promise<WorkspaceNames>>();
  readonly #caches = new Map<string, SchemaCache>();
  #timezones: Promise<Set<string>> | undefined;
  readonly statementTimeoutMs: number;

  /** `open` runs on the first data request: a process that never serves one never starts an engine. */
  constructor(open: () => Promise<SqlEngine>, options: { statementTimeoutMs?: number } = {}) {
    this.#open = open;
    this.statementTimeoutMs = options.statementTimeoutMs ?? 10_000;
  }

  engine(): Promise<SqlEngine> {
    this.#engine ??= (async () => {
      const engine = await this.#open();
      await provisionDatabase(engine);
      return engine;
    })();
    // A failed start is retried by the next request rather than remembered.
    this.#engine.catch(() => (this.#engine = undefined));
    return this.#engine;
  }

  async names(workspaceId: string): Promise<WorkspaceNames> {
    let names = this.#provisioned.get(workspaceId);
    if (!names) {
      names = this.engine().then((engine) => provisionWorkspace(engine, workspaceId));
      this.#provisioned.set(workspaceId, names);
      names.catch(() => this.#provisioned.delete(workspaceId));
    }
    return names;
  }

  /** The schema cache; `reload` re-reads the catalog (after a miss: another process may have made the table). */
  async cache(workspaceId: string, reload = false): Promise<SchemaCache> {
    const cached = this.#caches.get(workspaceId);
    if (cached && !reload) return cached;
    const names = await this.names(workspaceId);
    const cache = await loadSchemaCache(await this.engine(), names.schema);
    this.#caches.set(workspaceId, cache);
    return cache;
  }

  /** The cache, re-read once if it does not know `table`. */
  async cacheWith(workspaceId: string, table: string): Promise<SchemaCache> {
    const cache = await this.cache(workspaceId);
    return cache.tables.has(table) ? cache : this.cache(workspaceId, true);
  }

  /** Statements as the workspace's role, in one transaction. */
  async run(workspaceId: string, statements: readonly Statement[], options: Omit<TransactionOptions, 'role'> = {}): Promise<StatementResult[]> {
    const names = await this.names(workspaceId);
    const engine = await this.engine();
    try {
      return await engine.transaction(statements, { statementTimeoutMs: this.statementTimeoutMs, ...options, role: names.role });
    } catch (error) {
      // The role reaching something it may not is an isolation bug, never a caller's mistake.
      if (error instanceof EngineError && error.code === '42501') throw forbidden(`permission denied in workspace ${workspaceId}: ${error.message}`);
      throw error;
    }
  }

  /** PostgreSQL's time zone names (`Prefer: timezone` may name only these), read once. */
  timezones(): Promise<Set<string>> {
    this.#timezones ??= this.engine()
      .then((engine) => engine.transaction([{ sql: 'SELECT name FROM pg_catalog.pg_timezone_names' }]))
      .then(([result]) => new Set(result!.rows.map((row) => row.name as string)));
    this.#timezones.catch(() => (this.#timezones = undefined));
    return this.#timezones;
  }

  async createTable(workspaceId: string, spec: TableSpec): Promise<SchemaCache> {
    const names = await this.names(workspaceId);
    const cache = await this.cache(workspaceId, true);
    await (await this.engine()).transaction(createTableStatements(names, cache, spec));
    return this.cache(workspaceId, true);
  }

  async dropTable(workspaceId: string, table: string): Promise<boolean> {
    const names = await this.names(workspaceId);
    const cache = await this.cache(workspaceId, true);
    const statements = dropTableStatements(names, cache, table);
    if (statements.length === 0) return false;
    await (await this.engine()).transaction(statements);
    await this.cache(workspaceId, true);
    return true;
  }

  /** What the workspaces hold together (a tenant's plan quota counts all of its workspaces). */
  async usage(workspaceIds: readonly string[]): Promise<{ rows: number; bytes: number }> {
    return workspaceUsage(await this.engine(), workspaceIds.map((id) => workspaceNames(id).schema));
  }

  async close(): Promise<void> {
    const engine = this.#engine;
    this.#engine = undefined;
    if (engine) await (await engine.catch(() => undefined))?.close();
  }
}
