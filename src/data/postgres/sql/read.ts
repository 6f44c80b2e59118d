import type { SchemaCache, TableInfo } from '../catalog.ts';
import { quoteIdent, type Statement } from '../engine.ts';
import type { ResourceOptions, RowsQuery, SelectItem } from '../grammar/ast.ts';
import { checkResourcesUsed, orderSql, resourceFilters, selectPlan, whereSql, type PlanContext } from './embed.ts';
import { unknownTable } from './errors.ts';
import { Params } from './params.ts';

/**
 * GET/HEAD: one statement answering `total` (with count=exact), `page_total` and `body`, the
 * page as PostgreSQL's own JSON text (`json_agg`), so numbers keep their precision and the
 * answer is what psql would print for the same query.
 */

export interface ReadOptions {
  count?: 'exact' | 'planned' | 'estimated';
  limit?: number;
  offset: number;
}

export function tableOf(cache: SchemaCache, name: string): TableInfo {
  const table = cache.tables.get(name);
  if (!table) throw unknownTable(name);
  return table;
}

export function planContext(cache: SchemaCache, query: RowsQuery, params: Params): PlanContext {
  let n = 0;
  const resources = new Map<string, ResourceOptions>(query.resources.map((r) => [r.path.join('.'), r]));
  return { cache, params, resources, used: new Set(['']), nextAlias: () => `pgrst_${++n}` };
}

const STAR: SelectItem[] = [{ kind: 'star' }];

/** FROM … WHERE … of the root (for the page, its count and its plan). */
function rootSource(cache: SchemaCache, table: TableInfo, query: RowsQuery, params: Params) {
  const ctx = planContext(cache, query, params);
  const plan = selectPlan(ctx, table, 'pgrst_0', query.select.length === 0 ? STAR : query.select, []);
  checkResourcesUsed(ctx);
  const root = ctx.resources.get('');
  const conditions = [...resourceFilters(table, 'pgrst_0', root, params, plan.embeds), ...plan.conditions];
  const from = `${quoteIdent(cache.schema)}.${quoteIdent(table.name)} AS pgrst_0${plan.joins.map((j) => ` ${j}`).join('')}`;
  return { plan, from, where: whereSql(conditions), order: orderSql(table, 'pgrst_0', root) };
}

export function buildRead(cache: SchemaCache, tableName: string, query: RowsQuery, options: ReadOptions): Statement {
  const table = tableOf(cache, tableName);
  const params = new Params();
  const { plan, from, where, order } = rootSource(cache, table, query, params);
  const limit = options.limit === undefined ? '' : ` LIMIT ${params.add(options.limit)}`;
  const page = `SELECT ${plan.columns.join(', ')} FROM ${from}${where}${order}${limit} OFFSET ${params.add(options.offset)}`;
  const total = options.count === 'exact' || options.count === 'estimated' ? `(SELECT count(*) FROM ${from}${where})::text` : 'NULL';
  return {
    sql: `WITH pgrst_source AS (${page}) SELECT ${total} AS total, count(*)::text AS page_total, coalesce(json_agg(pgrst_source), '[]')::text AS body FROM pgrst_source`,
    params: params.values,
  };
}

/** `count=planned`: the planner's estimate of the filtered rows (EXPLAIN's `Plan Rows`). */
export function buildPlannedCount(cache: SchemaCache, tableName: string, query: RowsQuery): Statement {
  const table = tableOf(cache, tableName);
  const params = new Params();
  const { from, where } = rootSource(cache, table, query, params);
  return { sql: `EXPLAIN (FORMAT JSON) SELECT 1 FROM ${from}${where}`, params: params.values };
}
