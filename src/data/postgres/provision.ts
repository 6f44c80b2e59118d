import { EngineError, quoteIdent, type SqlEngine } from './engine.ts';

/**
 * Isolation of one workspace's data: its own schema, and a NOLOGIN role that is granted that
 * schema's tables and nothing else. Every data request runs `SET LOCAL ROLE <its role>` inside
 * its transaction, and every table has forced row-level security with a policy naming only
 * that role — so even a table granted by mistake to another role answers it no rows.
 */

/** Workspace ids are ours (`wi_` + a UUID with `_`): safe as names, checked anyway. */
const WORKSPACE_ID = /^wi_[0-9a-f_]{1,60}$/;

export interface WorkspaceNames {
  schema: string;
  role: string;
}

export function workspaceNames(workspaceId: string): WorkspaceNames {
  if (!WORKSPACE_ID.test(workspaceId)) throw new Error(`not a workspace id: ${workspaceId}`);
  return { schema: workspaceId, role: `slipstream_${workspaceId}` };
}

export const META_SCHEMA = 'slipstream_meta';

/** Once per database: the private schema with the row counters the plan quotas read. */
const META_DDL = [
  `CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA}`,
  `REVOKE ALL ON SCHEMA ${META_SCHEMA} FROM PUBLIC`,
  `CREATE TABLE IF NOT EXISTS ${META_SCHEMA}.usage (schema_name text PRIMARY KEY, row_count bigint NOT NULL DEFAULT 0)`,
  // Statement triggers with transition tables keep the count exact in the same transaction,
  // cascaded deletes included; SECURITY DEFINER because the workspace role cannot see this schema.
  `CREATE OR REPLACE FUNCTION ${META_SCHEMA}.count_rows() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
     SET search_path = pg_catalog AS $fn$
   BEGIN
     IF TG_OP = 'INSERT' THEN
       INSERT INTO ${META_SCHEMA}.usage AS u (schema_name, row_count) SELECT TG_TABLE_SCHEMA, count(*) FROM new_rows
         ON CONFLICT (schema_name) DO UPDATE SET row_count = u.row_count + EXCLUDED.row_count;
     ELSE
       UPDATE ${META_SCHEMA}.usage SET row_count = row_count - (SELECT count(*) FROM old_rows) WHERE schema_name = TG_TABLE_SCHEMA;
     END IF;
     RETURN NULL;
   END $fn$`,
];

/** Concurrent first calls (two processes) race on CREATE … IF NOT EXISTS: one retry settles it. */
async function withRaceRetry(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!(error instanceof EngineError) || (error.code !== '23505' && error.code !== '42710' && error.code !== '42P06')) throw error;
    await run();
  }
}

export async function provisionDatabase(engine: SqlEngine): Promise<void> {
  await withRaceRetry(() => engine.transaction(META_DDL.map((sql) => ({ sql }))));
}

export async function provisionWorkspace(engine: SqlEngine, workspaceId: string): Promise<WorkspaceNames> {
  const names = workspaceNames(workspaceId);
  const role = quoteIdent(names.role);
  const schema = quoteIdent(names.schema);
  await withRaceRetry(() =>
    engine.transaction([
      // DO cannot take parameters; the role name is ours and matches WORKSPACE_ID.
      { sql: `DO $do$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '${names.role}') THEN CREATE ROLE ${role} NOLOGIN NOINHERIT NOBYPASSRLS; END IF; END $do$` },
      // A non-superuser provisioning user (CREATEROLE, PostgreSQL 16+) needs membership to SET ROLE.
      { sql: `GRANT ${role} TO CURRENT_USER` },
      { sql: `CREATE SCHEMA IF NOT EXISTS ${schema}` },
      { sql: `REVOKE ALL ON SCHEMA ${schema} FROM PUBLIC` },
      { sql: `GRANT USAGE ON SCHEMA ${schema} TO ${role}` },
      { sql: `INSERT INTO ${META_SCHEMA}.usage (schema_name) VALUES ($1) ON CONFLICT DO NOTHING`, params: [names.schema] },
    ]),
  );
  return names;
}

/** The grants, RLS and counters a new table gets, in the transaction that creates it. */
export function tableSecurityDdl(names: WorkspaceNames, table: string): string[] {
  const qualified = `${quoteIdent(names.schema)}.${quoteIdent(table)}`;
  const role = quoteIdent(names.role);
  return [
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ${qualified} TO ${role}`,
    // Identity sequences: missing=default asks for nextval() of a row that lacks its id.
    `GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${quoteIdent(names.schema)} TO ${role}`,
    `ALTER TABLE ${qualified} ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE ${qualified} FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY workspace_only ON ${qualified} FOR ALL TO ${role} USING (true) WITH CHECK (true)`,
    `CREATE TRIGGER slipstream_count_inserts AFTER INSERT ON ${qualified} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${META_SCHEMA}.count_rows()`,
    `CREATE TRIGGER slipstream_count_deletes AFTER DELETE ON ${qualified} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${META_SCHEMA}.count_rows()`,
  ];
}

/** Rows in the workspaces' tables (kept by the triggers above) and their bytes on disk. */
export async function workspaceUsage(engine: SqlEngine, schemas: readonly string[]): Promise<{ rows: number; bytes: number }> {
  if (schemas.length === 0) return { rows: 0, bytes: 0 };
  const [result] = await engine.transaction([
    {
      sql: `SELECT coalesce((SELECT sum(row_count) FROM ${META_SCHEMA}.usage WHERE schema_name = ANY($1::text[])), 0)::text AS rows,
                   coalesce((SELECT sum(pg_total_relation_size(c.oid)) FROM pg_catalog.pg_class c
                              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                             WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p')), 0)::text AS bytes`,
      params: [`{${schemas.join(',')}}`],
    },
  ]);
  const row = result!.rows[0]!;
  return { rows: Number(row.rows), bytes: Number(row.bytes) };
}
