/**
 * Lexical helpers shared by select.ts and query-string.ts: a cursor that raises PostgREST-shaped
 * PGRST100 errors, names, quoted strings, `in.(…)` lists, logic-tree values and `{…}` lists.
 * Values stay raw text: the SQL builder binds them (and turns `*` into `%` for like/ilike).
 * The lexical rules follow PostgREST's QueryParams.hs (pFieldName, pQuotedValue, pListElement,
 * pLogicSingleVal); the parsers are hand-written and always demand the whole input, where
 * Parsec's `parse` silently ignores trailing text.
 */
import { GrammarError } from './ast.ts';

/** DoS limits: nesting of logic trees and select embeds, items of one list, items of a select. */
export const MAX_DEPTH = 16;
export const MAX_LIST_ITEMS = 1000;
export const MAX_SELECT_ITEMS = 500;

/** Error messages echo the input, as PostgREST does, but never more than this much of it. */
const SHOWN_MAX = 300;

/**
 * A position in one parameter's text. `what` names it in errors ("filter", "select parameter"),
 * `shown` is the text quoted in the message (a logic tree scans "or" + value but shows the value).
 */
export class Scanner {
  readonly text: string;
  readonly what: string;
  readonly shown: string;
  pos = 0;

  constructor(what: string, text: string, shown: string = text) {
    this.what = what;
    this.text = text;
    this.shown = shown;
  }

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  /** The character at pos + offset, '' past the end. */
  peek(offset = 0): string {
    return this.text.charAt(this.pos + offset);
  }

  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  eat(s: string): boolean {
    if (!this.startsWith(s)) return false;
    this.pos += s.length;
    return true;
  }

  /** PostgREST's `ws`: spaces and tabs. */
  skipWs(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  expect(s: string, expecting = JSON.stringify(s)): void {
    if (!this.eat(s)) throw this.unexpected(expecting);
  }

  /** Parsec's wording: `unexpected "x" expecting …`; `found` overrides the single character shown. */
  unexpected(expecting: string, at = this.pos, found?: string): GrammarError {
    const shownFound = found !== undefined && found.length > 40 ? `${found.slice(0, 40)}…` : found;
    const what = shownFound !== undefined ? JSON.stringify(shownFound) : at >= this.text.length ? 'end of input' : JSON.stringify(this.text.charAt(at));
    return this.error(`unexpected ${what} expecting ${expecting}`, at);
  }

  /** `"failed to parse filter (eq.x)" (line 1, column 4)`, the message PostgREST's mapError builds. */
  error(details: string, at = this.pos, code = 'PGRST100'): GrammarError {
    const shown = this.shown.length > SHOWN_MAX ? `${this.shown.slice(0, SHOWN_MAX)}…` : this.shown;
    return new GrammarError(code, `${JSON.stringify(`failed to parse ${this.what} (${shown})`)} (line 1, column ${at + 1})`, details);
  }

  /** The features PostgREST has and Slipstream does not (yet): 400 PGRST127, as PostgREST answers them. */
  notImplemented(details: string): GrammarError {
    return new GrammarError('PGRST127', 'Feature not implemented', details);
  }
}

/** Length of the identifier character at `pos` (letter, digit, `_`, space, `$`; astral letters are 2), or 0. */
function identCharLength(text: string, pos: number): number {
  const cp = text.codePointAt(pos);
  if (cp === undefined) return 0;
  const ch = String.fromCodePoint(cp);
  return /^[\p{L}0-9_ $]$/u.test(ch) ? ch.length : 0;
}

/** pIdentifier: one or more identifier characters, trimmed (so `a b` is one name, ` a ` is `a`). */
export function readIdentifier(sc: Scanner, expecting = 'letter or digit'): string {
  const start = sc.pos;
  for (let n = identCharLength(sc.text, sc.pos); n > 0; n = identCharLength(sc.text, sc.pos)) sc.pos += n;
  if (sc.pos === start) throw sc.unexpected(expecting);
  return sc.text.slice(start, sc.pos).trim();
}

const FIELD_NAME = 'field name (* or [a..z0..9_$])';

/**
 * pFieldName: a `"quoted name"` (any characters, `\` escapes) or identifiers joined by `-` (a `-`
 * followed by `>` starts a JSON path instead). An empty name is refused: PostgreSQL has none.
 */
export function readFieldName(sc: Scanner): string {
  const start = sc.pos;
  let name: string;
  if (sc.peek() === '"') {
    name = readQuoted(sc);
  } else {
    name = readIdentifier(sc, FIELD_NAME);
    while (sc.peek() === '-' && sc.peek(1) !== '>') {
      sc.pos++;
      name += `-${readIdentifier(sc)}`;
    }
  }
  if (name === '') throw sc.error(`unexpected empty name expecting ${FIELD_NAME}`, start);
  return name;
}

/** pQuotedValue: `"…"` where `\` takes the next character literally (`\"`, `\\`). */
export function readQuoted(sc: Scanner): string {
  sc.expect('"');
  let out = '';
  for (;;) {
    const c = sc.peek();
    if (c === '') throw sc.unexpected('"\\"" (closing quote)');
    sc.pos++;
    if (c === '"') return out;
    if (c === '\\') {
      if (sc.done) throw sc.unexpected('any character after "\\"');
      out += sc.peek();
      sc.pos++;
    } else {
      out += c;
    }
  }
}

/** A quoted value, only if the closing quote is followed by one of `stops` or the end (else: raw text). */
function tryQuoted(sc: Scanner, stops: string): string | undefined {
  if (sc.peek() !== '"') return undefined;
  const start = sc.pos;
  try {
    const value = readQuoted(sc);
    if (sc.done || stops.includes(sc.peek())) return value;
  } catch (err) {
    if (!(err instanceof GrammarError)) throw err;
  }
  sc.pos = start;
  return undefined;
}

function readRaw(sc: Scanner, stops: string): string {
  const start = sc.pos;
  while (!sc.done && !stops.includes(sc.peek())) sc.pos++;
  return sc.text.slice(start, sc.pos);
}

/**
 * pListVal, the value of `in.`: `(a,"b,c",d)` → ['a','b,c','d']. Items are quoted or raw up to
 * the next `,`/`)` (kept untrimmed, as PostgREST does); `in.()` is the empty list.
 */
export function readInList(sc: Scanner): string[] {
  sc.skipWs();
  sc.expect('(');
  sc.skipWs();
  const items: string[] = [];
  let quotedAny = false;
  for (;;) {
    const quoted = tryQuoted(sc, ',)');
    quotedAny ||= quoted !== undefined;
    items.push(quoted ?? readRaw(sc, ',)'));
    if (items.length > MAX_LIST_ITEMS) throw sc.error(`an in.(…) list may hold at most ${MAX_LIST_ITEMS} items`);
    if (!sc.eat(',')) break;
  }
  sc.skipWs();
  sc.expect(')', '"," or ")"');
  sc.skipWs();
  return items.length === 1 && items[0] === '' && !quotedAny ? [] : items;
}

/**
 * pLogicSingleVal, a value inside `or=(…)`: a quoted value followed by `,`/`)`, a `{…}` array
 * literal (kept whole, commas and all; nested braces allowed), or raw text up to `,`/`)`.
 */
export function readLogicValue(sc: Scanner): string {
  const quoted = tryQuoted(sc, ',)');
  if (quoted !== undefined) return quoted;
  if (sc.peek() === '{') {
    const end = closingIndex(sc.text, sc.pos);
    if (end >= 0) {
      const value = sc.text.slice(sc.pos, end + 1);
      sc.pos = end + 1;
      return value;
    }
  }
  return readRaw(sc, ',)');
}

/** Index of the bracket closing the one at `open`, skipping quoted parts and nested brackets; -1 if none. */
function closingIndex(text: string, open: number): number {
  const stack: string[] = [];
  for (let i = open; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '"') {
      for (i++; i < text.length && text.charAt(i) !== '"'; i++) if (text.charAt(i) === '\\') i++;
      if (i >= text.length) return -1;
    } else if (c === '{' || c === '(') {
      stack.push(c === '{' ? '}' : ')');
    } else if (c === '}' || c === ')') {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

/**
 * Splits `text` on the commas that are outside `"…"` and outside nested `(…)`/`{…}`; the pieces
 * are returned raw (quotes kept). Undefined when a quote or bracket is left open.
 */
export function splitList(text: string): string[] | undefined {
  const pieces: string[] = [];
  let start = 0;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '"') {
      for (i++; i < text.length && text.charAt(i) !== '"'; i++) if (text.charAt(i) === '\\') i++;
      if (i >= text.length) return undefined;
    } else if (c === '(' || c === '{') {
      depth++;
    } else if (c === ')' || c === '}') {
      if (--depth < 0) return undefined;
    } else if (c === ',' && depth === 0) {
      pieces.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) return undefined;
  pieces.push(text.slice(start));
  return pieces;
}

/** `"a\"b"` → `a"b`; anything not wholly quoted is returned as it is. */
export function unquote(piece: string): string {
  if (piece.length < 2 || !piece.startsWith('"') || !piece.endsWith('"')) return piece;
  const sc = new Scanner('value', piece);
  const value = readQuoted(sc);
  return sc.done ? value : piece;
}

/**
 * The `{a,"b,c"}` list of a quantified operator (`eq(any).{1,2}`) → ['a','b,c']: PostgreSQL's
 * array-literal rules for the top level (unquoted items trimmed, quoted ones unescaped). Undefined
 * if `text` is not one balanced `{…}`.
 */
export function parseArrayLiteral(text: string): string[] | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || closingIndex(trimmed, 0) !== trimmed.length - 1) return undefined;
  const inner = trimmed.slice(1, -1);
  if (inner.trim() === '') return [];
  return splitList(inner)?.map((piece) => unquote(piece.trim()));
}
