import type { Row, SqlExecutor, SqlValue } from './sql.ts';

/**
 * How a record's fields are kept in its table: JSON values as TEXT, booleans as 0/1. Every
 * other field is stored as it is. One description per table, used both ways.
 */
export interface TableCodec {
  table: string;
  json?: readonly string[];
  booleans?: readonly string[];
}

export function toRow(codec: TableCodec, record: object): Record<string, SqlValue> {
  const row: Record<string, SqlValue> = {};
  for (const [field, value] of Object.entries(record)) {
    if (codec.json?.includes(field)) row[field] = JSON.stringify(value);
    else if (codec.booleans?.includes(field)) row[field] = value ? 1 : 0;
    else row[field] = (value ?? null) as SqlValue;
  }
  return row;
}

export function fromRow<T>(codec: TableCodec, row: Row): T {
  const record: Record<string, unknown> = { ...row };
  for (const field of codec.json ?? []) record[field] = JSON.parse(String(row[field]));
  for (const field of codec.booleans ?? []) record[field] = Number(row[field]) === 1;
  return record as T;
}

/** INSERT, one row and many rows by a WHERE clause, over any executor (a transaction's too). */
export async function insertRow(db: SqlExecutor, codec: TableCodec, record: object): Promise<void> {
  const row = toRow(codec, record);
  const columns = Object.keys(row);
  await db.run(`INSERT INTO ${codec.table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, Object.values(row));
}

export async function oneRow<T>(db: SqlExecutor, codec: TableCodec, where: string, params: SqlValue[]): Promise<T | undefined> {
  const row = await db.get<Row>(`SELECT * FROM ${codec.table} WHERE ${where}`, params);
  return row ? fromRow<T>(codec, row) : undefined;
}

export async function manyRows<T>(db: SqlExecutor, codec: TableCodec, where: string, params: SqlValue[]): Promise<T[]> {
  const rows = await db.all<Row>(`SELECT * FROM ${codec.table} WHERE ${where}`, params);
  return rows.map((row) => fromRow<T>(codec, row));
}
