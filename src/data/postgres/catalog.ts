import type { SqlEngine } from './engine.ts';

/**
 * The schema cache: what a workspace's schema holds, read from PostgreSQL's own catalog. Every
 * identifier that reaches SQL comes from here, so a name the caller made up never does.
 */

export interface ColumnInfo {
  name: string;
  /** `format_type`: `bigint`, `character varying(20)`, `text[]`, … */
  type: string;
  nullable: boolean;
  /** The default's SQL text (as PostgreSQL prints it), or null. */
  default: string | null;
  /** `GENERATED … AS IDENTITY`. */
  identity: boolean;
  /** `GENERATED ALWAYS AS (…) STORED`: not writable. */
  generated: boolean;
}

export interface TableInfo {
  name: string;
  /** In table order. */
  columns: ColumnInfo[];
  primaryKey: string[];
  /** Unique constraints other than the primary key, each a column list. */
  uniques: string[][];
}

export interface ForeignKey {
  name: string;
  table: string;
  columns: string[];
  foreignTable: string;
  foreignColumns: string[];
  onDelete: string;
}

export interface SchemaCache {
  /** The PostgreSQL schema (never shown to callers: to them it is `public`). */
  schema: string;
  tables: Map<string, TableInfo>;
  foreignKeys: ForeignKey[];
}

export function columnOf(table: TableInfo, name: string): ColumnInfo | undefined {
  return table.columns.find((c) => c.name === name);
}

const ON_DELETE: Record<string, string> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

export async function loadSchemaCache(engine: SqlEngine, schema: string): Promise<SchemaCache> {
  const [columns, keys, foreign] = await engine.transaction([
    {
      sql: `SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
                   a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default_expr,
                   a.attidentity <> '' AS is_identity, a.attgenerated <> '' AS is_generated
              FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
              LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
             WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
             ORDER BY c.relname, a.attnum`,
      params: [schema],
    },
    {
      sql: `SELECT c.relname AS table_name, con.contype AS kind,
                   ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                          JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
              FROM pg_catalog.pg_constraint con
              JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = $1 AND con.contype IN ('p', 'u')
             ORDER BY c.relname, con.conname`,
      params: [schema],
    },
    {
      sql: `SELECT con.conname AS name, c.relname AS table_name, fc.relname AS foreign_table, con.confdeltype AS on_delete,
                   ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o)
                          JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o) AS columns,
                   ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o)
                          JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o) AS foreign_columns
              FROM pg_catalog.pg_constraint con
              JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
              JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
             WHERE con.contype = 'f' AND n.nspname = $1 AND fn.nspname = $1
             ORDER BY c.relname, con.conname`,
      params: [schema],
    },
  ]);
  const tables = new Map<string, TableInfo>();
  for (const row of columns!.rows) {
    const name = row.table_name as string;
    let table = tables.get(name);
    if (!table) tables.set(name, (table = { name, columns: [], primaryKey: [], uniques: [] }));
    table.columns.push({
      name: row.column_name as string,
      type: row.type as string,
      nullable: !(row.not_null as boolean),
      default: (row.default_expr as string | null) ?? null,
      identity: row.is_identity as boolean,
      generated: row.is_generated as boolean,
    });
  }
  for (const row of keys!.rows) {
    const table = tables.get(row.table_name as string);
    if (!table) continue;
    const cols = row.columns as string[];
    if (row.kind === 'p') table.primaryKey = cols;
    else table.uniques.push(cols);
  }
  const foreignKeys: ForeignKey[] = foreign!.rows.map((row) => ({
    name: row.name as string,
    table: row.table_name as string,
    columns: row.columns as string[],
    foreignTable: row.foreign_table as string,
    foreignColumns: row.foreign_columns as string[],
    onDelete: ON_DELETE[row.on_delete as string] ?? 'no action',
  }));
  return { schema, tables, foreignKeys };
}
