/**
 * `select=`: PostgREST's pFieldForest (QueryParams.hs). Items are `*`, `[alias:]col[::type]`,
 * `[alias:]rel[!hint][!inner|!left](…)` and `...rel[!hint][!inner|!left](…)`, separated by commas
 * with optional spaces/tabs around them. JSON paths are refused (PGRST100), aggregates answer
 * PostgREST's default (PGRST123: db-aggregates-enabled is off).
 */
import { GrammarError, type ColumnItem, type EmbedItem, type SelectItem } from './ast.ts';
import { MAX_DEPTH, MAX_SELECT_ITEMS, readFieldName, readIdentifier, Scanner } from './values.ts';

const AGGREGATES = ['sum', 'avg', 'count', 'max', 'min'];

/** `select=` text → items. The empty text is the empty list (PostgREST: rows as `{}`). */
export function parseSelect(text: string): SelectItem[] {
  const sc = new Scanner('select parameter', text);
  const counter = { items: 0 };
  const items = parseForest(sc, 0, counter);
  if (!sc.done) throw sc.unexpected('"," or end of input');
  return items;
}

/** A comma list of items, possibly empty (`rel()` embeds no column, as in PostgREST). */
function parseForest(sc: Scanner, depth: number, counter: { items: number }): SelectItem[] {
  const items: SelectItem[] = [];
  sc.skipWs();
  if (sc.done || sc.peek() === ')') return items;
  for (;;) {
    if (++counter.items > MAX_SELECT_ITEMS) throw sc.error(`a select may hold at most ${MAX_SELECT_ITEMS} items`);
    items.push(parseItem(sc, depth, counter));
    sc.skipWs();
    if (!sc.eat(',')) return items;
    sc.skipWs();
  }
}

function parseItem(sc: Scanner, depth: number, counter: { items: number }): SelectItem {
  if (sc.eat('...')) return parseEmbed(sc, depth, counter, sc.pos, readFieldName(sc), undefined, true);
  if (sc.eat('*')) {
    sc.skipWs();
    expectEnd(sc);
    return { kind: 'star' };
  }
  const start = sc.pos;
  let name = readFieldName(sc);
  let alias: string | undefined;
  // `a:b` is an alias, `a::b` a cast (PostgREST's aliasSeparator).
  if (sc.peek() === ':' && sc.peek(1) !== ':') {
    sc.pos++;
    alias = name;
    name = readFieldName(sc);
  }
  if (sc.startsWith('->')) throw sc.error('JSON paths (-> and ->>) are not supported in select');
  if (sc.peek() === '(' && name === 'count') throw aggregatesNotAllowed();
  if (sc.peek() === '!' || sc.peek() === '(') return parseEmbed(sc, depth, counter, start, name, alias, false);
  const item: ColumnItem = { kind: 'column', name };
  if (alias !== undefined) item.alias = alias;
  if (sc.eat('::')) item.cast = readIdentifier(sc);
  // `col.sum()`, `col::int.avg()`: PostgREST's aggregates.
  const aggregate = /\.(\w+)\(\)/y;
  aggregate.lastIndex = sc.pos;
  const fn = aggregate.exec(sc.text)?.[1];
  if (fn !== undefined && AGGREGATES.includes(fn)) throw aggregatesNotAllowed();
  sc.skipWs();
  expectEnd(sc);
  return item;
}

/** After `rel` (and `alias:`): `!hint`, `!inner`/`!left` (one of each, in either order), then `(…)`. */
function parseEmbed(
  sc: Scanner,
  depth: number,
  counter: { items: number },
  start: number,
  relation: string,
  alias: string | undefined,
  spread: boolean,
): EmbedItem {
  let hint: string | undefined;
  let join: 'left' | 'inner' | undefined;
  while (sc.peek() === '!') {
    const at = ++sc.pos;
    const param = readFieldName(sc);
    if ((param === 'inner' || param === 'left') && sc.text.charAt(at) !== '"') {
      if (join !== undefined) throw sc.error('an embed takes one join type (!inner or !left)', at);
      join = param;
    } else {
      if (hint !== undefined) throw sc.error('an embed takes one hint', at);
      hint = param;
    }
  }
  if (sc.startsWith('->')) throw sc.error('JSON paths (-> and ->>) are not supported in select');
  sc.expect('(');
  if (depth + 1 > MAX_DEPTH) throw sc.error(`embeds may be nested at most ${MAX_DEPTH} levels deep`, start);
  const select = parseForest(sc, depth + 1, counter);
  sc.expect(')', '"," or ")"');
  const item: EmbedItem = { kind: 'embed', relation, join: join ?? 'left', spread, select };
  if (alias !== undefined) item.alias = alias;
  if (hint !== undefined) item.hint = hint;
  return item;
}

/** pEnd: an item ends at `,`, `)` or the end of the text. */
function expectEnd(sc: Scanner): void {
  if (!sc.done && sc.peek() !== ',' && sc.peek() !== ')') {
    throw sc.unexpected('"::", "(", "!", "," or ")"');
  }
}

function aggregatesNotAllowed(): GrammarError {
  return new GrammarError('PGRST123', 'Use of aggregate functions is not allowed');
}
