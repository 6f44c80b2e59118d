import { columnOf, type SchemaCache, type TableInfo } from '../catalog.ts';
import { quoteIdent, type Statement } from '../engine.ts';
import { GrammarError, type RowsQuery, type SelectItem } from '../grammar/ast.ts';
import { orderSql, resourceFilters, selectPlan, whereSql } from './embed.ts';
import { unknownBodyColumn, unknownColumn } from './errors.ts';
import { Params } from './params.ts';
import { planContext, tableOf } from './read.ts';

/**
 * POST/PATCH/DELETE as one statement: the change in a data-modifying CTE (`pgrst_source`),
 * then `page_total`, `inserted` and, for return=representation, `body` selected from it with
 * the request's select list. The body of a request is one parameter, expanded by PostgreSQL
 * (`json_populate_recordset`), as PostgREST does: no value is ever spliced into the SQL.
 */

export interface WriteOptions {
  representation: boolean;
}

export interface InsertOptions extends WriteOptions {
  resolution?: 'merge-duplicates' | 'ignore-duplicates';
  /** `missing=default`: a key a row lacks takes the column's default, not NULL. */
  missingDefault: boolean;
}

const STAR: SelectItem[] = [{ kind: 'star' }];

function qualified(cache: SchemaCache, table: TableInfo): string {
  return `${quoteIdent(cache.schema)}.${quoteIdent(table.name)}`;
}

/** The select over the changed rows (return=representation), embeds included. */
function finish(cache: SchemaCache, table: TableInfo, query: RowsQuery, params: Params, cte: string, options: WriteOptions, inserted: boolean): Statement {
  let body = 'NULL';
  if (options.representation) {
    const ctx = planContext(cache, query, params);
    const plan = selectPlan(ctx, table, 'pgrst_0', query.select.length === 0 ? STAR : query.select, []);
    const from = `pgrst_source AS pgrst_0${plan.joins.map((j) => ` ${j}`).join('')}`;
    const order = orderSql(table, 'pgrst_0', ctx.resources.get(''));
    body = `(SELECT coalesce(json_agg(pgrst_rows), '[]')::text FROM (SELECT ${plan.columns.join(', ')} FROM ${from}${whereSql(plan.conditions)}${order}) AS pgrst_rows)`;
  }
  const insertedCount = inserted ? '(count(*) FILTER (WHERE pgrst_inserted))::text' : 'NULL';
  return {
    sql: `WITH ${cte} SELECT count(*)::text AS page_total, ${insertedCount} AS inserted, ${body} AS body FROM pgrst_source`,
    params: params.values,
  };
}

function checkColumns(table: TableInfo, columns: Iterable<string>): void {
  for (const column of columns) if (!columnOf(table, column)) throw unknownBodyColumn(table.name, column);
}

function bodyRows(body: unknown): Record<string, unknown>[] {
  const rows = Array.isArray(body) ? body : [body];
  for (const row of rows) {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new GrammarError('PGRST102', 'All object keys must match', 'the body must be a JSON object or an array of objects');
    }
  }
  return rows as Record<string, unknown>[];
}

export function buildInsert(cache: SchemaCache, tableName: string, query: RowsQuery, body: unknown, options: InsertOptions): Statement {
  const table = tableOf(cache, tableName);
  const rows = bodyRows(body);
  const params = new Params();
  const listed = query.columns;
  if (listed) checkColumns(table, listed);
  // Rows grouped by the columns they set: one group (the union, or `columns=`) unless
  // missing=default, where each key set is its own INSERT so absent keys keep their defaults.
  const groups = new Map<string, { columns: string[]; rows: Record<string, unknown>[] }>();
  const union = listed ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
  if (!listed) checkColumns(table, union);
  for (const row of rows) {
    const columns = options.missingDefault ? union.filter((c) => Object.hasOwn(row, c)) : union;
    const key = JSON.stringify(columns);
    const group = groups.get(key) ?? { columns, rows: [] };
    group.rows.push(row);
    groups.set(key, group);
  }
  if (groups.size === 0) groups.set('[]', { columns: union, rows: [] });

  const target = qualified(cache, table);
  const conflictColumns = query.onConflict ?? table.primaryKey;
  if (query.onConflict) for (const c of query.onConflict) if (!columnOf(table, c)) throw unknownColumn(table.name, c);
  const inserts = [...groups.values()].map((group, i) => {
    const columns = group.columns.map(quoteIdent).join(', ');
    const source = `json_populate_recordset(NULL::${target}, ${params.add(JSON.stringify(group.rows))}::json)`;
    const select = group.columns.length === 0 ? `SELECT FROM json_array_elements(${params.add(JSON.stringify(group.rows))}::json)` : `SELECT ${columns} FROM ${source}`;
    let conflict = '';
    if (options.resolution) {
      if (conflictColumns.length === 0) throw new GrammarError('PGRST100', `table ${table.name} has no primary key: name the upsert target with on_conflict`);
      const updatable = group.columns.filter((c) => !conflictColumns.includes(c));
      const set = updatable.length > 0 ? updatable : conflictColumns;
      conflict = options.resolution === 'ignore-duplicates'
        ? ` ON CONFLICT (${conflictColumns.map(quoteIdent).join(', ')}) DO NOTHING`
        : ` ON CONFLICT (${conflictColumns.map(quoteIdent).join(', ')}) DO UPDATE SET ${set.map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`).join(', ')}`;
    }
    const into = group.columns.length === 0 ? `${target} AS pgrst_t` : `${target} AS pgrst_t (${columns})`;
    return `pgrst_i${i} AS (INSERT INTO ${into} ${select}${conflict} RETURNING pgrst_t.*, (pgrst_t.xmax = 0) AS pgrst_inserted)`;
  });
  const union_ = inserts.map((_, i) => `SELECT * FROM pgrst_i${i}`).join(' UNION ALL ');
  return finish(cache, table, query, params, `${inserts.join(', ')}, pgrst_source AS (${union_})`, options, true);
}

/** PATCH and DELETE must be filtered: a bare one would touch every row (pg-safeupdate's rule). */
function rootFilters(table: TableInfo, query: RowsQuery, params: Params, verb: string): string[] {
  const root = query.resources.find((r) => r.path.length === 0);
  const conditions = resourceFilters(table, 'pgrst_t', root, params);
  if (conditions.length === 0) {
    throw new GrammarError('21000', `${verb} requires a WHERE clause`, null, 'add a filter, e.g. ?id=eq.1; to change every row, use a filter every row matches (?id=not.is.null)');
  }
  return conditions;
}

export function buildUpdate(cache: SchemaCache, tableName: string, query: RowsQuery, body: unknown, options: WriteOptions): Statement {
  const table = tableOf(cache, tableName);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new GrammarError('PGRST102', 'Empty or invalid json', 'a PATCH body is one JSON object');
  const columns = Object.keys(body);
  checkColumns(table, columns);
  const params = new Params();
  const target = qualified(cache, table);
  const where = whereSql(rootFilters(table, query, params, 'UPDATE'));
  const change = columns.length === 0
    ? `SELECT pgrst_t.* FROM ${target} AS pgrst_t${where}`
    : `UPDATE ${target} AS pgrst_t SET ${columns.map((c) => `${quoteIdent(c)} = pgrst_body.${quoteIdent(c)}`).join(', ')} FROM json_populate_record(NULL::${target}, ${params.add(JSON.stringify(body))}::json) AS pgrst_body${where} RETURNING pgrst_t.*`;
  return finish(cache, table, query, params, `pgrst_source AS (${change})`, options, false);
}

export function buildDelete(cache: SchemaCache, tableName: string, query: RowsQuery, options: WriteOptions): Statement {
  const table = tableOf(cache, tableName);
  const params = new Params();
  const target = qualified(cache, table);
  const where = whereSql(rootFilters(table, query, params, 'DELETE'));
  return finish(cache, table, query, params, `pgrst_source AS (DELETE FROM ${target} AS pgrst_t${where} RETURNING pgrst_t.*)`, options, false);
}
