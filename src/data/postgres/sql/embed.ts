import { columnOf, type ForeignKey, type SchemaCache, type TableInfo } from '../catalog.ts';
import { quoteIdent } from '../engine.ts';
import { GrammarError, type EmbedItem, type ResourceOptions, type SelectItem } from '../grammar/ast.ts';
import { castType } from '../types.ts';
import { noRelationship, unknownColumn } from './errors.ts';
import { filterSql } from './filters.ts';
import type { Params } from './params.ts';

/**
 * A select list over one table, with its embedded resources as lateral joins — the shape of
 * PostgREST's own queries (`readPlanToQuery`): a to-one embed is `row_to_json` of a lateral
 * subquery, a to-many embed a lateral `json_agg`, `!inner` an INNER JOIN that drops the parent.
 */

export interface Relationship {
  fk: ForeignKey;
  target: TableInfo;
  /** [column of the parent, column of the embedded table]. */
  pairs: [string, string][];
  toOne: boolean;
}

export interface SelectPlan {
  /** `expr AS "name"` items. */
  columns: string[];
  /** Output names, in order (a spread embed adds its columns). */
  names: string[];
  joins: string[];
  /** Conditions the parent's WHERE must add (`!inner` to-many embeds). */
  conditions: string[];
  /** Embedded resources by output name → the alias of their join (for null filters on them). */
  embeds: Map<string, string>;
}

export interface PlanContext {
  cache: SchemaCache;
  params: Params;
  /** Options by resource path joined with '.' ('' is the root). */
  resources: Map<string, ResourceOptions>;
  /** The paths the select embeds: options for any other path are an error (PGRST108), never ignored. */
  used: Set<string>;
  nextAlias: () => string;
}

const MAX_DEPTH = 16;
/** PostgreSQL cuts names at 63 bytes (NAMEDATALEN): a longer alias would come back as another key. */
const MAX_ALIAS_BYTES = 63;

function checkAlias(alias: string | undefined): void {
  if (alias === undefined) return;
  if (alias.includes('\0') || alias === '' || Buffer.byteLength(alias) > MAX_ALIAS_BYTES) {
    throw new GrammarError('PGRST100', `"failed to parse select parameter (${alias.slice(0, 64).replaceAll('\0', '\\0')})"`, `an alias is 1 to ${MAX_ALIAS_BYTES} bytes, without NUL`);
  }
}

const isKey = (table: TableInfo, columns: string[]) => {
  const same = (key: string[]) => key.length === columns.length && key.every((c) => columns.includes(c));
  return same(table.primaryKey) || table.uniques.some(same);
};

export function resolveRelationship(cache: SchemaCache, from: TableInfo, item: EmbedItem): Relationship {
  const candidates: Relationship[] = [];
  for (const fk of cache.foreignKeys) {
    const byColumn = fk.columns.length === 1 && fk.columns[0] === item.relation;
    if (fk.table === from.name && (fk.foreignTable === item.relation || fk.name === item.relation || byColumn)) {
      const target = cache.tables.get(fk.foreignTable)!;
      candidates.push({ fk, target, pairs: fk.columns.map((c, i) => [c, fk.foreignColumns[i]!]), toOne: true });
    }
    if (fk.foreignTable === from.name && (fk.table === item.relation || fk.name === item.relation)) {
      const target = cache.tables.get(fk.table)!;
      candidates.push({ fk, target, pairs: fk.foreignColumns.map((c, i) => [c, fk.columns[i]!]), toOne: isKey(target, fk.columns) });
    }
  }
  const hint = item.hint;
  const matching = hint === undefined ? candidates : candidates.filter((r) => r.fk.name === hint || r.fk.columns.includes(hint) || r.fk.foreignColumns.includes(hint) || r.target.name === hint);
  if (matching.length === 0) throw noRelationship(from.name, item.relation, hint);
  if (matching.length > 1) {
    const error = new GrammarError(
      'PGRST201',
      `Could not embed because more than one relationship was found for '${from.name}' and '${item.relation}'`,
      matching.map((r) => ({
        cardinality: r.toOne ? (r.fk.table === from.name ? 'many-to-one' : 'one-to-one') : 'one-to-many',
        embedding: `${from.name} with ${r.target.name}`,
        // PostgREST names the embedding table's side first.
        relationship: `${r.fk.name} using ${from.name}(${r.pairs.map((p) => p[0]).join(', ')}) and ${r.target.name}(${r.pairs.map((p) => p[1]).join(', ')})`,
      })),
      `Try changing '${item.relation}' to one of the following: ${matching.map((r) => `'${item.relation}!${r.fk.name}'`).join(', ')}. Find the desired relationship in the 'details' key.`,
      300,
    );
    throw error;
  }
  return matching[0]!;
}

export function orderSql(table: TableInfo, alias: string, options: ResourceOptions | undefined): string {
  if (!options || options.order.length === 0) return '';
  const terms = options.order.map((term) => {
    if (!columnOf(table, term.column)) throw unknownColumn(table.name, term.column);
    const nulls = term.nulls === undefined ? '' : term.nulls === 'first' ? ' NULLS FIRST' : ' NULLS LAST';
    return `${alias}.${quoteIdent(term.column)} ${term.direction === 'desc' ? 'DESC' : 'ASC'}${nulls}`;
  });
  return ` ORDER BY ${terms.join(', ')}`;
}

/** Filters, order or paging named for a resource the select does not embed: PostgREST's PGRST108. */
export function checkResourcesUsed(ctx: PlanContext): void {
  for (const key of ctx.resources.keys()) {
    if (key !== '' && !ctx.used.has(key)) {
      const name = key.length > 100 ? `${key.slice(0, 100)}…` : key;
      throw new GrammarError('PGRST108', `'${name}' is not an embedded resource in this request`, null, `Verify that '${name}' is included in the 'select' query parameter.`);
    }
  }
}

export function whereSql(conditions: string[]): string {
  return conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
}

/** The filters a resource's options name, as conditions on `alias`. */
export function resourceFilters(table: TableInfo, alias: string, options: ResourceOptions | undefined, params: Params, embeds?: ReadonlyMap<string, string>): string[] {
  return (options?.filters ?? []).map((node) => filterSql(node, table, alias, params, embeds));
}

export function selectPlan(ctx: PlanContext, table: TableInfo, alias: string, items: SelectItem[], path: string[]): SelectPlan {
  if (path.length > MAX_DEPTH) throw new GrammarError('PGRST100', 'embedded resources are nested too deeply', `at most ${MAX_DEPTH} levels`);
  const plan: SelectPlan = { columns: [], names: [], joins: [], conditions: [], embeds: new Map() };
  for (const item of items) {
    if (item.kind === 'star') {
      for (const column of table.columns) {
        plan.columns.push(`${alias}.${quoteIdent(column.name)}`);
        plan.names.push(column.name);
      }
    } else if (item.kind === 'column') {
      if (!columnOf(table, item.name)) throw unknownColumn(table.name, item.name);
      let expr = `${alias}.${quoteIdent(item.name)}`;
      if (item.cast !== undefined) {
        const type = castType(item.cast);
        if (!type) throw new GrammarError('PGRST100', `"failed to parse select parameter (${item.name}::${item.cast})"`, `the cast type ${item.cast} is not allowed`);
        expr = `${expr}::${type}`;
      }
      checkAlias(item.alias);
      const name = item.alias ?? item.name;
      plan.columns.push(`${expr} AS ${quoteIdent(name)}`);
      plan.names.push(name);
    } else {
      embed(ctx, table, alias, item, path, plan);
    }
  }
  return plan;
}

function embed(ctx: PlanContext, parent: TableInfo, parentAlias: string, item: EmbedItem, path: string[], plan: SelectPlan): void {
  checkAlias(item.alias);
  const relationship = resolveRelationship(ctx.cache, parent, item);
  const name = item.alias ?? item.relation;
  const childPath = [...path, name];
  ctx.used.add(childPath.join('.'));
  ctx.used.add([...path, item.relation].join('.'));
  const options = ctx.resources.get(childPath.join('.')) ?? ctx.resources.get([...path, item.relation].join('.'));
  const alias = ctx.nextAlias();
  const join = `${alias}_j`;
  const target = relationship.target;
  const inner = selectPlan(ctx, target, alias, item.select.length === 0 ? [{ kind: 'star' }] : item.select, childPath);
  const link = relationship.pairs.map(([mine, theirs]) => `${alias}.${quoteIdent(theirs)} = ${parentAlias}.${quoteIdent(mine)}`);
  const conditions = [...link, ...resourceFilters(target, alias, options, ctx.params, inner.embeds), ...inner.conditions];
  const from = `${quoteIdent(ctx.cache.schema)}.${quoteIdent(target.name)} AS ${alias}${inner.joins.map((j) => ` ${j}`).join('')}`;
  const body = `SELECT ${inner.columns.join(', ') || 'NULL'} FROM ${from}${whereSql(conditions)}`;
  const kind = item.join === 'inner' ? 'INNER JOIN LATERAL' : 'LEFT JOIN LATERAL';
  if (relationship.toOne) {
    const one = `${body}${orderSql(target, alias, options)} LIMIT 1`;
    if (item.spread) {
      plan.joins.push(`${kind} (${one}) AS ${join} ON TRUE`);
      for (const column of inner.names) {
        plan.columns.push(`${join}.${quoteIdent(column)}`);
        plan.names.push(column);
      }
    } else {
      // No row, no body: an absent parent embeds as null (a row of nulls would not).
      plan.joins.push(`${kind} (SELECT row_to_json(${alias}_r) AS body FROM (${one}) AS ${alias}_r) AS ${join} ON TRUE`);
      plan.embeds.set(name, join);
      plan.columns.push(`${join}.body AS ${quoteIdent(name)}`);
      plan.names.push(name);
    }
    return;
  }
  if (item.spread) throw new GrammarError('PGRST119', `A spread operation on '${item.relation}' is not possible`, "'" + parent.name + "' and '" + item.relation + "' do not form a many-to-one or one-to-one relationship");
  const limit = options?.limit === undefined ? '' : ` LIMIT ${ctx.params.add(options.limit)}`;
  const offset = options?.offset === undefined ? '' : ` OFFSET ${ctx.params.add(options.offset)}`;
  const rows = `${body}${orderSql(target, alias, options)}${limit}${offset}`;
  plan.joins.push(`${kind} (SELECT json_agg(${alias}_r) AS body FROM (${rows}) AS ${alias}_r) AS ${join} ON ${item.join === 'inner' ? `${join}.body IS NOT NULL` : 'TRUE'}`);
  plan.columns.push(`coalesce(${join}.body, '[]') AS ${quoteIdent(name)}`);
  plan.embeds.set(name, join);
  plan.names.push(name);
}
