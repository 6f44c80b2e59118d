/**
 * What a PostgREST-style request means, parsed from its query string and headers and before
 * any SQL: the grammar (grammar/*.ts) produces it, the SQL builders (sql/*.ts) consume it. Names
 * here are still the caller's text; only the builders resolve them against the schema cache.
 */

export const FILTER_OPS = [
  'eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch',
  'in', 'is', 'isdistinct', 'cs', 'cd', 'ov', 'fts', 'plfts', 'phfts', 'wfts',
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

/** `is.` takes one of these words, never a bound value. */
export type IsValue = 'null' | 'not_null' | 'true' | 'false' | 'unknown';

/** `column=[not.]op[(any|all)].value`, or one element of an `or=(…)` / `and=(…)` list. */
export interface Condition {
  kind: 'condition';
  column: string;
  negated: boolean;
  op: FilterOp;
  /** `eq(any).{1,2}`: the value is a list compared with ANY/ALL. */
  quantifier?: 'any' | 'all';
  /**
   * `in`, quantified ops: the list's items (quotes removed); `cs`/`cd`/`ov`: the array or range
   * literal as sent (`{a,b}`, `[1,5)`); `is`: an IsValue; everything else: the raw text.
   */
  value: string | string[];
  /** `fts(english).cat`: the text-search configuration. */
  language?: string;
}

/** `or=(…)`, `and=(…)`, `not.or=(…)`, and the nested `and(…)`/`or(…)` inside them. */
export interface Logic {
  kind: 'logic';
  op: 'and' | 'or';
  negated: boolean;
  children: FilterNode[];
}

export type FilterNode = Condition | Logic;

export type SelectItem = StarItem | ColumnItem | EmbedItem;

export interface StarItem {
  kind: 'star';
}

export interface ColumnItem {
  kind: 'column';
  name: string;
  alias?: string;
  /** `col::text`: the cast's type name as written (the builder checks it against its allow-list). */
  cast?: string;
}

/** `alias:relation!hint!inner(select…)`, or `...relation(select…)` (spread). */
export interface EmbedItem {
  kind: 'embed';
  relation: string;
  alias?: string;
  /** `!fk_name` or `!column`: picks one relationship when several exist. */
  hint?: string;
  join: 'left' | 'inner';
  spread: boolean;
  select: SelectItem[];
}

export interface OrderTerm {
  column: string;
  direction: 'asc' | 'desc';
  /** Absent: PostgreSQL's default (NULLS LAST for asc, NULLS FIRST for desc). */
  nulls?: 'first' | 'last';
}

/**
 * Filters, order and paging of one resource: the root table (path []) or an embedded one,
 * named by the path of embed names or aliases that reaches it (`todos.tags.order=…` → ['todos','tags']).
 */
export interface ResourceOptions {
  path: string[];
  filters: FilterNode[];
  order: OrderTerm[];
  limit?: number;
  offset?: number;
}

/** Everything a query string says (GET/HEAD/POST/PATCH/DELETE alike). */
export interface RowsQuery {
  /** `select=` parsed; absent means `*`. */
  select: SelectItem[];
  /** The root first (always present, path []), then every embedded path named, in first-seen order. */
  resources: ResourceOptions[];
  /** `columns="a","b"` (inserts/upserts): the columns to take from the body. */
  columns?: string[];
  /** `on_conflict=a,b` (upserts). */
  onConflict?: string[];
}

/** The `Prefer` header (RFC 7240, as PostgREST reads it). */
export interface Preferences {
  return?: 'minimal' | 'representation' | 'headers-only';
  count?: 'exact' | 'planned' | 'estimated';
  resolution?: 'merge-duplicates' | 'ignore-duplicates';
  missing?: 'default' | 'null';
  handling?: 'strict' | 'lenient';
  maxAffected?: number;
  timezone?: string;
  tx?: 'commit' | 'rollback';
  /** Preferences that were understood, as they should be echoed in `Preference-Applied`. */
  applied: string[];
  /** Preferences that were not understood (an error under handling=strict: PGRST122). */
  invalid: string[];
}

/** A `Range: items=0-9` / `Range: 0-9` header: the offset and (absent for `5-`) the limit. */
export interface RangeHeader {
  offset: number;
  limit?: number;
}

/**
 * A request PostgREST itself would refuse before reaching the database: its code (PGRST100…)
 * and texts, so the route answers what postgrest-js users know.
 */
export class GrammarError extends Error {
  readonly code: string;
  /** Text, or (PGRST201) the list of candidate relationships. */
  readonly details: string | readonly unknown[] | null;
  readonly hint: string | null;
  readonly status: number;
  constructor(code: string, message: string, details: string | readonly unknown[] | null = null, hint: string | null = null, status = 400) {
    super(message);
    this.name = 'GrammarError';
    this.code = code;
    this.details = details;
    this.hint = hint;
    this.status = status;
  }
}
