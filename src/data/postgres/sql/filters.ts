import { columnOf, type TableInfo } from '../catalog.ts';
import { quoteIdent } from '../engine.ts';
import { GrammarError, type Condition, type FilterNode } from '../grammar/ast.ts';
import { unknownColumn } from './errors.ts';
import { arrayLiteral, type Params } from './params.ts';

/** A filter tree as a WHERE condition on `alias` (a table of the workspace), its values bound. */

const COMPARE: Record<string, string> = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=', like: 'LIKE', ilike: 'ILIKE', match: '~', imatch: '~*', isdistinct: 'IS DISTINCT FROM' };
const RANGE_OPS: Record<string, string> = { cs: '@>', cd: '<@', ov: '&&' };
const FTS: Record<string, string> = { fts: 'to_tsquery', plfts: 'plainto_tsquery', phfts: 'phraseto_tsquery', wfts: 'websearch_to_tsquery' };
const IS: Record<string, string> = { null: 'IS NULL', not_null: 'IS NOT NULL', true: 'IS TRUE', false: 'IS FALSE', unknown: 'IS UNKNOWN' };

/** PostgREST's `*` wildcard for like/ilike (`%` is awkward in URLs). */
const likePattern = (value: string) => value.replaceAll('*', '%');

/**
 * `embeds`: the embedded resources of this level by name, with the alias of their lateral
 * join, for `?reviewer=not.is.null` (keep the rows whose embed exists, PostgREST 11's null filter).
 */
export function filterSql(node: FilterNode, table: TableInfo, alias: string, params: Params, embeds?: ReadonlyMap<string, string>): string {
  if (node.kind === 'logic') {
    if (node.children.length === 0) return node.negated ? 'false' : 'true';
    const joined = `(${node.children.map((child) => filterSql(child, table, alias, params, embeds)).join(node.op === 'and' ? ' AND ' : ' OR ')})`;
    return node.negated ? `NOT ${joined}` : joined;
  }
  const condition = conditionSql(node, table, alias, params, embeds);
  return node.negated ? `NOT (${condition})` : condition;
}

function conditionSql(c: Condition, table: TableInfo, alias: string, params: Params, embeds?: ReadonlyMap<string, string>): string {
  if (!columnOf(table, c.column)) {
    const join = embeds?.get(c.column);
    const value = typeof c.value === 'string' ? c.value.toLowerCase() : '';
    if (join !== undefined && c.op === 'is' && (value === 'null' || value === 'not_null')) return `${join}.body IS ${value === 'null' ? 'NULL' : 'NOT NULL'}`;
    throw unknownColumn(table.name, c.column);
  }
  const column = `${alias}.${quoteIdent(c.column)}`;
  const text = (value: string | string[]) => {
    if (typeof value !== 'string') throw new GrammarError('PGRST100', `"failed to parse filter (${c.op}.${value.join(',')})"`, `the ${c.op} operator takes one value`);
    return value;
  };
  if (c.quantifier) {
    const items = Array.isArray(c.value) ? c.value : [c.value];
    const op = COMPARE[c.op];
    if (!op || c.op === 'isdistinct') throw new GrammarError('PGRST100', `"failed to parse filter (${c.op}(${c.quantifier}))"`, `the ${c.op} operator takes no (any)/(all) modifier`);
    const values = c.op === 'like' || c.op === 'ilike' ? items.map(likePattern) : items;
    return `${column} ${op} ${c.quantifier === 'any' ? 'ANY' : 'ALL'}(${params.add(arrayLiteral(values))})`;
  }
  switch (c.op) {
    case 'in': {
      const items = Array.isArray(c.value) ? c.value : [c.value];
      if (items.length === 0) return 'false';
      return `${column} IN (${items.map((item) => params.add(item)).join(', ')})`;
    }
    case 'is': {
      const sql = IS[text(c.value).toLowerCase()];
      if (!sql) throw new GrammarError('PGRST100', `"failed to parse filter (is.${text(c.value)})"`, 'is. takes null, not_null, true, false or unknown');
      return `${column} ${sql}`;
    }
    case 'like':
    case 'ilike':
      return `${column} ${COMPARE[c.op]} ${params.add(likePattern(text(c.value)))}`;
    case 'cs':
    case 'cd':
    case 'ov':
      return `${column} ${RANGE_OPS[c.op]} ${params.add(text(c.value))}`;
    case 'fts':
    case 'plfts':
    case 'phfts':
    case 'wfts': {
      const query = c.language === undefined
        ? `${FTS[c.op]}(${params.add(text(c.value))})`
        : `${FTS[c.op]}(${params.add(c.language)}::regconfig, ${params.add(text(c.value))})`;
      return `${column} @@ ${query}`;
    }
    default: {
      const op = COMPARE[c.op];
      if (!op) throw new GrammarError('PGRST100', `"failed to parse filter (${c.op})"`, `unknown operator ${c.op}`);
      return `${column} ${op} ${params.add(text(c.value))}`;
    }
  }
}
