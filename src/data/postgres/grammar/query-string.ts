/**
 * The query string of a rows request → RowsQuery, following PostgREST's QueryParams.hs `parse`:
 * - `select`, `columns`, `on_conflict` are reserved; a key whose last `.` segment is `order`,
 *   `limit`, `offset`, `and` or `or` is reserved for the resource named by the segments before it
 *   (`todos.order`, `not.or`, `todos.not.and`); every other key is a filter (`todos.done=eq.true`).
 * - Repeats: `select`/`columns`/`on_conflict` take the first (L.lookup); `order` the first per
 *   resource (Plan.addOrders folds right, the first overwrites), though every one must parse;
 *   `limit`/`offset` the last (HM.fromList); filters and logic trees all apply, in URL order.
 * - A key without `=` is ignored (PostgREST's nonemptyParams), so `?select` means `*` while
 *   `?select=` selects no column.
 */
import {
  FILTER_OPS,
  GrammarError,
  type Condition,
  type FilterOp,
  type IsValue,
  type Logic,
  type OrderTerm,
  type ResourceOptions,
  type RowsQuery,
} from './ast.ts';
import { parseSelect } from './select.ts';
import { MAX_DEPTH, MAX_LIST_ITEMS, parseArrayLiteral, readFieldName, readIdentifier, readInList, readLogicValue, Scanner } from './values.ts';

/** PostgREST's quantOperator: the ones that take `(any)`/`(all)`. */
const QUANTIFIABLE: ReadonlySet<FilterOp> = new Set(['eq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch']);
const FTS: ReadonlySet<FilterOp> = new Set(['fts', 'plfts', 'phfts', 'wfts']);
/** Range operators PostgREST has and Slipstream does not. */
const RANGE_OPS = new Set(['sl', 'sr', 'nxr', 'nxl', 'adj']);
const IS_VALUES: readonly IsValue[] = ['null', 'not_null', 'true', 'false', 'unknown'];
const OPERATOR = '"not" or operator (eq, gt, ...)';

export function parseRowsQuery(rawQuery: string): RowsQuery {
  const query: RowsQuery = { select: [{ kind: 'star' }], resources: [] };
  const byPath = new Map<string, ResourceOptions>([['[]', { path: [], filters: [], order: [] }]]);
  const resource = (path: string[]): ResourceOptions => {
    const key = JSON.stringify(path);
    let found = byPath.get(key);
    if (found === undefined) byPath.set(key, (found = { path, filters: [], order: [] }));
    return found;
  };
  const ordered = new Set<ResourceOptions>();
  let selectSeen = false;

  for (const [key, value] of decodePairs(rawQuery)) {
    if (key === 'select') {
      if (!selectSeen) query.select = parseSelect(value);
      selectSeen = true;
      continue;
    }
    if (key === 'columns') {
      query.columns ??= [...new Set(parseNames('columns parameter', value))];
      continue;
    }
    if (key === 'on_conflict') {
      query.onConflict ??= parseNames('on_conflict parameter', value);
      continue;
    }
    const last = key.slice(key.lastIndexOf('.') + 1);
    if (last === 'order') {
      const target = resource(parseTreePath('tree path', key).slice(0, -1));
      const terms = parseOrder(value);
      if (!ordered.has(target)) target.order = terms;
      ordered.add(target);
    } else if (last === 'limit' || last === 'offset') {
      resource(parseTreePath('tree path', key).slice(0, -1))[last] = parseCount(last, value);
    } else if (last === 'and' || last === 'or') {
      const { path, tree } = parseLogicParam(key, value, last);
      resource(path).filters.push(tree);
    } else {
      const names = parseTreePath('tree path', key);
      const column = names.pop() ?? '';
      resource(names).filters.push(parseFilterValue(column, value));
    }
  }
  query.resources = [...byPath.values()];
  return query;
}

/** `a=1&b=2` → pairs in URL order, repeats kept, decoded as URLSearchParams does (`+` is a space). */
function decodePairs(rawQuery: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const segment of rawQuery.split('&')) {
    if (segment.includes('=')) pairs.push(...new URLSearchParams(segment));
  }
  return pairs;
}

/** pTreePath: `todos.tags.name` → ['todos','tags','name'] (quoted names may hold dots). */
function parseTreePath(what: string, key: string): string[] {
  const sc = new Scanner(what, key);
  const names = [readFieldName(sc)];
  while (sc.eat('.')) names.push(readFieldName(sc));
  if (sc.startsWith('->')) throw sc.error('JSON paths (-> and ->>) are not supported in filters');
  if (!sc.done) throw sc.unexpected('delimiter (.) or end of input');
  return names;
}

/** `col=[not.]op.value`: the value after the `=` of a filter key. */
function parseFilterValue(column: string, value: string): Condition {
  const sc = new Scanner('filter', value);
  const condition = parseOpExpr(sc, column, false);
  if (!sc.done) throw sc.unexpected('end of input');
  return condition;
}

/**
 * pOpExpr: `[not.]op[(any|all)|(lang)].value`. At top level the value is the rest of the text;
 * inside a logic tree it ends at `,`/`)` unless quoted or a `{…}` literal.
 */
function parseOpExpr(sc: Scanner, column: string, inLogic: boolean): Condition {
  const negated = sc.eat('not.');
  const at = sc.pos;
  const name = readWord(sc);
  if (RANGE_OPS.has(name)) throw sc.notImplemented(`the range operator '${name}' is not supported`);
  if (!isFilterOp(name)) throw sc.unexpected(OPERATOR, at, name === '' ? undefined : name);
  const condition: Condition = { kind: 'condition', column, negated, op: name, value: '' };
  const readValue = (): string => {
    sc.expect('.', 'delimiter (.)');
    if (inLogic) return readLogicValue(sc);
    const rest = sc.text.slice(sc.pos);
    sc.pos = sc.text.length;
    return rest;
  };
  if (name === 'in') {
    sc.expect('.', 'delimiter (.)');
    condition.value = readInList(sc);
  } else if (name === 'is') {
    sc.expect('.', 'delimiter (.)');
    const wordAt = sc.pos;
    const word = readWord(sc).toLowerCase();
    const isValue = IS_VALUES.find((v) => v === word);
    if (isValue === undefined) throw sc.unexpected('isVal: (null, not_null, true, false, unknown)', wordAt, word === '' ? undefined : word);
    condition.value = isValue;
  } else if (FTS.has(name)) {
    if (sc.eat('(')) {
      condition.language = readIdentifier(sc);
      sc.expect(')');
    }
    condition.value = readValue();
  } else if (QUANTIFIABLE.has(name) && sc.peek() === '(') {
    const quantifier = sc.eat('(any)') ? 'any' : sc.eat('(all)') ? 'all' : undefined;
    if (quantifier === undefined) throw sc.unexpected('"(any)" or "(all)"');
    condition.quantifier = quantifier;
    const valueAt = sc.pos + 1;
    const items = parseArrayLiteral(readValue());
    if (items === undefined) throw sc.error(`expecting a list such as {a,b} after ${name}(${quantifier})`, valueAt);
    if (items.length > MAX_LIST_ITEMS) throw sc.error(`a {…} list may hold at most ${MAX_LIST_ITEMS} items`, valueAt);
    condition.value = items;
  } else {
    condition.value = readValue();
  }
  return condition;
}

function isFilterOp(name: string): name is FilterOp {
  return (FILTER_OPS as readonly string[]).includes(name);
}

function readWord(sc: Scanner): string {
  const start = sc.pos;
  while (/[A-Za-z0-9_]/.test(sc.peek())) sc.pos++;
  return sc.text.slice(start, sc.pos);
}

/**
 * `[path.][not.](and|or)=(…)`. Like pRequestLogicTree, the operator is put back in front of the
 * value, so error columns count from it; like pLogicPath, a `not` anywhere in the key negates.
 */
function parseLogicParam(key: string, value: string, op: 'and' | 'or'): { path: string[]; tree: Logic } {
  const names = parseTreePath('logic path', key).slice(0, -1);
  const negated = names.includes('not');
  const prefix = negated ? `not.${op}` : op;
  const sc = new Scanner('logic tree', prefix + value, value);
  sc.pos = prefix.length;
  const tree = parseLogic(sc, 1, negated, op);
  if (!sc.done) throw sc.unexpected('end of input');
  return { path: names.filter((n) => n !== 'not'), tree };
}

/** `(child, child…)` after `and`/`or`; children are conditions `col.[not.]op.value` or nested trees. */
function parseLogic(sc: Scanner, depth: number, negated: boolean, op: 'and' | 'or'): Logic {
  sc.skipWs();
  sc.expect('(');
  const children: Logic['children'] = [];
  for (;;) {
    sc.skipWs();
    const nested = /(not\.)?(and|or)[ \t]*\(/y;
    nested.lastIndex = sc.pos;
    const match = nested.exec(sc.text);
    if (match !== null) {
      if (depth + 1 > MAX_DEPTH) throw sc.error(`logic trees may be nested at most ${MAX_DEPTH} levels deep`);
      sc.pos += (match[1]?.length ?? 0) + (match[2]?.length ?? 0);
      children.push(parseLogic(sc, depth + 1, match[1] !== undefined, match[2] === 'and' ? 'and' : 'or'));
    } else {
      const column = readFieldName(sc);
      if (sc.startsWith('->')) throw sc.error('JSON paths (-> and ->>) are not supported in filters');
      sc.skipWs();
      sc.expect('.', 'delimiter (.)');
      children.push(parseOpExpr(sc, column, true));
    }
    sc.skipWs();
    if (!sc.eat(',')) break;
  }
  sc.expect(')', '"," or ")"');
  sc.skipWs();
  return { kind: 'logic', op, negated, children };
}

/** pOrder: `col[.asc|.desc][.nullsfirst|.nullslast]`, comma-separated. */
function parseOrder(value: string): OrderTerm[] {
  const sc = new Scanner('order', value);
  const terms: OrderTerm[] = [];
  for (;;) {
    sc.skipWs();
    const term: OrderTerm = { column: readFieldName(sc), direction: 'asc' };
    if (sc.startsWith('->')) throw sc.error('JSON paths (-> and ->>) are not supported in order');
    if (sc.peek() === '(') throw sc.notImplemented('ordering by the column of an embedded resource (order=rel(col)) is not supported');
    sc.skipWs();
    let expecting = '"asc", "desc", "nullsfirst" or "nullslast"';
    while (sc.eat('.')) {
      const at = sc.pos;
      const word = readWord(sc);
      if (expecting.startsWith('"asc"') && (word === 'asc' || word === 'desc')) {
        term.direction = word;
        expecting = '"nullsfirst" or "nullslast"';
      } else if (expecting !== '' && (word === 'nullsfirst' || word === 'nullslast')) {
        term.nulls = word === 'nullsfirst' ? 'first' : 'last';
        expecting = '';
      } else {
        throw sc.unexpected(expecting === '' ? '"," or end of input' : expecting, at, word === '' ? undefined : word);
      }
    }
    sc.skipWs();
    terms.push(term);
    if (sc.done) return terms;
    if (!sc.eat(',')) throw sc.unexpected('delimiter (.), "," or end of input');
  }
}

/**
 * `limit`/`offset`: a non-negative integer. PostgREST ignores one it cannot read; a negative limit
 * is its 416 PGRST103 (RangeQuery NegativeLimit); anything else unreadable is refused here.
 */
function parseCount(name: 'limit' | 'offset', value: string): number {
  if (/^\d+$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
  if (name === 'limit' && /^-\d+$/.test(value)) {
    throw new GrammarError('PGRST103', 'Requested range not satisfiable', 'Limit should be greater than or equal to zero.', null, 416);
  }
  throw new Scanner(`${name} parameter`, value).error('expecting a non-negative integer', 0);
}

/** pColumns (`columns=`, `on_conflict=`): names, quoted or not, separated by commas. */
function parseNames(what: string, value: string): string[] {
  const sc = new Scanner(what, value);
  const names: string[] = [];
  for (;;) {
    sc.skipWs();
    names.push(readFieldName(sc));
    sc.skipWs();
    if (!sc.eat(',')) break;
  }
  if (!sc.done) throw sc.unexpected('"," or end of input');
  return names;
}
