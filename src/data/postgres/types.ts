/**
 * The column types a table may have: PostgreSQL's own names, from an allow-list, each mapped
 * to fixed SQL text (DDL takes no bind parameters, so nothing of the caller's reaches it).
 */

const BASE_TYPES: Record<string, string> = {
  text: 'text',
  varchar: 'character varying',
  'character varying': 'character varying',
  char: 'character',
  character: 'character',
  boolean: 'boolean',
  bool: 'boolean',
  smallint: 'smallint',
  int2: 'smallint',
  integer: 'integer',
  int: 'integer',
  int4: 'integer',
  bigint: 'bigint',
  int8: 'bigint',
  numeric: 'numeric',
  decimal: 'numeric',
  real: 'real',
  float4: 'real',
  'double precision': 'double precision',
  float8: 'double precision',
  date: 'date',
  time: 'time without time zone',
  'time without time zone': 'time without time zone',
  timestamp: 'timestamp without time zone',
  'timestamp without time zone': 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  'timestamp with time zone': 'timestamp with time zone',
  interval: 'interval',
  uuid: 'uuid',
  json: 'json',
  jsonb: 'jsonb',
  bytea: 'bytea',
};

/** Types that take a length or precision: `varchar(20)`, `numeric(10,2)`. */
const SIZED = new Set(['character varying', 'character', 'numeric']);
/** Arrays are allowed of these (the common ones; every element type PostgREST's `cs`/`cd`/`ov` need). */
const ARRAY_OF = new Set(['text', 'integer', 'bigint', 'uuid', 'boolean', 'smallint', 'numeric', 'double precision', 'real', 'date', 'timestamp with time zone']);

export interface ColumnType {
  /** The SQL the DDL uses. */
  sql: string;
  /** `serial`/`bigserial`: an identity column. */
  identity: boolean;
}

export const TYPE_NAMES = [...Object.keys(BASE_TYPES), 'serial', 'bigserial', 'smallserial'];

/** The SQL for a type the caller names, or undefined when it is not allowed. */
export function columnType(text: string): ColumnType | undefined {
  const normalized = text.trim().toLowerCase().replace(/\s+/g, ' ');
  const serial: Record<string, string> = { serial: 'integer', bigserial: 'bigint', smallserial: 'smallint' };
  if (serial[normalized]) return { sql: serial[normalized]!, identity: true };
  const match = /^([a-z0-9 ]+?)\s*(?:\(\s*(\d{1,8})\s*(?:,\s*(\d{1,4})\s*)?\))?\s*(\[\])?$/.exec(normalized);
  if (!match) return undefined;
  const base = BASE_TYPES[match[1]!];
  if (!base) return undefined;
  const [, , size, scale, array] = match;
  let sql = base;
  if (size !== undefined) {
    if (!SIZED.has(base)) return undefined;
    const n = Number(size);
    if (base === 'numeric') {
      if (n < 1 || n > 1000 || (scale !== undefined && Number(scale) > n)) return undefined;
    } else if (scale !== undefined || n < 1 || n > 10_485_760) {
      return undefined;
    }
    sql += scale === undefined ? `(${n})` : `(${n},${Number(scale)})`;
  }
  if (array) {
    if (!ARRAY_OF.has(base) || size !== undefined) return undefined;
    sql += '[]';
  }
  return { sql, identity: false };
}

/** `select=col::type` casts: PostgREST allows any; here the same allow-list as columns. */
export function castType(text: string): string | undefined {
  const type = columnType(text);
  return type && !type.identity ? type.sql : undefined;
}
