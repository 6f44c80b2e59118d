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

/**
 * INSERT … SELECT over the body's elements in array order (`WITH ORDINALITY`), so identities
 * are given in the order rows were sent. A column a row lacks is NULL, or with missing=default
 * its default, evaluated per row (a uuid default differs row by row).
 */
export function buildInsert(cache: SchemaCache, tableName: string, query: RowsQuery, body: unknown, rawBody: string | undefined, options: InsertOptions): Statement {
  const table = tableOf(cache, tableName);
  const rows = bodyRows(body);
  const params = new Params();
  const columns = query.columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
  checkColumns(table, columns);
  const target = qualified(cache, table);
  // The body as sent when there is one: PostgreSQL reads its numbers, digit for digit.
  const text = rawBody !== undefined && rawBody.trim() !== '' ? (Array.isArray(body) ? rawBody : `[${rawBody}]`) : JSON.stringify(rows);
  const elements = `json_array_elements(${params.add(text)}::json) WITH ORDINALITY AS pgrst_e(elem, n)`;
  let select: string;
  if (columns.length === 0) {
    select = `SELECT FROM ${elements} ORDER BY pgrst_e.n`;
  } else {
    const values = columns.map((name) => {
      const value = `pgrst_r.${quoteIdent(name)}`;
      const column = columnOf(table, name)!;
      if (!options.missingDefault || (column.default === null && !column.identity)) return value;
      // The default's text is PostgreSQL's own (pg_get_expr of a default our tables API made), never the caller's.
      const fallback = column.identity ? `nextval(pg_get_serial_sequence(${params.add(target)}, ${params.add(name)}))` : column.default;
      return `CASE WHEN pgrst_e.elem::jsonb ? ${params.add(name)} THEN ${value} ELSE ${fallback} END`;
    });
    select = `SELECT ${values.join(', ')} FROM ${elements}, LATERAL json_populate_record(NULL::${target}, pgrst_e.elem) AS pgrst_r ORDER BY pgrst_e.n`;
  }
  let conflict = '';
  if (options.resolution) {
    const conflictColumns = query.onConflict ?? table.primaryKey;
    for (const c of conflictColumns) if (!columnOf(table, c)) throw unknownColumn(table.name, c);
    if (conflictColumns.length === 0) throw new GrammarError('PGRST100', `table ${table.name} has no primary key: name the upsert target with on_conflict`);
    const updatable = columns.filter((c) => !conflictColumns.includes(c));
    const set = updatable.length > 0 ? updatable : conflictColumns;
    const on = `ON CONFLICT (${conflictColumns.map(quoteIdent).join(', ')})`;
    conflict = options.resolution === 'ignore-duplicates' ? ` ${on} DO NOTHING` : ` ${on} DO UPDATE SET ${set.map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`).join(', ')}`;
  }
  const into = columns.length === 0 ? `${target} AS pgrst_t` : `${target} AS pgrst_t (${columns.map(quoteIdent).join(', ')})`;
  return finish(cache, table, query, params, `pgrst_source AS (INSERT INTO ${into} ${select}${conflict} RETURNING pgrst_t.*, (pgrst_t.xmax = 0) AS pgrst_inserted)`, options, true);
}

/** PATCH and DELETE must be filtered: a bare one would touch every row (pg-safeupdate's rule). */
function rootFilters(table: TableInfo, query: RowsQuery, params: Params, verb: string): string[] {
  // A filter on a resource that is not embedded would be ignored: refused instead (PGRST108).
  const stray = query.resources.find((r) => r.path.length > 0 && r.filters.length > 0);
  if (stray && !query.select.some((item) => item.kind === 'embed' && (item.alias ?? item.relation) === stray.path[0])) {
    throw new GrammarError('PGRST108', `'${stray.path.join('.').slice(0, 100)}' is not an embedded resource in this request`, null, 'filters of a change name the table\'s own columns');
  }
  const root = query.resources.find((r) => r.path.length === 0);
  const conditions = resourceFilters(table, 'pgrst_t', root, params);
  if (conditions.length === 0) {
    throw new GrammarError('21000', `${verb} requires a WHERE clause`, null, 'add a filter, e.g. ?id=eq.1; to change every row, use a filter every row matches (?id=not.is.null)');
  }
  return conditions;
}

export function buildUpdate(cache: SchemaCache, tableName: string, query: RowsQuery, body: unknown, rawBody: string | undefined, options: WriteOptions): Statement {
  const table = tableOf(cache, tableName);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new GrammarError('PGRST102', 'Empty or invalid json', 'a PATCH body is one JSON object');
  const columns = Object.keys(body);
  checkColumns(table, columns);
  const params = new Params();
  const target = qualified(cache, table);
  const where = whereSql(rootFilters(table, query, params, 'UPDATE'));
  const change = columns.length === 0
    ? `SELECT pgrst_t.* FROM ${target} AS pgrst_t${where}`
    : `UPDATE ${target} AS pgrst_t SET ${columns.map((c) => `${quoteIdent(c)} = pgrst_body.${quoteIdent(c)}`).join(', ')} FROM json_populate_record(NULL::${target}, ${params.add(rawBody !== undefined && rawBody.trim() !== '' ? rawBody : JSON.stringify(body))}::json) AS pgrst_body${where} RETURNING pgrst_t.*`;
  return finish(cache, table, query, params, `pgrst_source AS (${change})`, options, false);
}

export function buildDelete(cache: SchemaCache, tableName: string, query: RowsQuery, options: WriteOptions): Statement {
  const table = tableOf(cache, tableName);
  const params = new Params();
  const target = qualified(cache, table);
  const where = whereSql(rootFilters(table, query, params, 'DELETE'));
  return finish(cache, table, query, params, `pgrst_source AS (DELETE FROM ${target} AS pgrst_t${where} RETURNING pgrst_t.*)`, options, false);
}
