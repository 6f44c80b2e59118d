import { badRequest } from '../../errors.ts';

/**
 * Opaque list cursors: base64url of the last row's (created_at, id). A client can only hand one
 * back; anything else is a 400 INVALID_CURSOR.
 */
export function encodeCursor(row: { created_at: number; id: string }): string {
  return Buffer.from(JSON.stringify([row.created_at, row.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { created_at: number; id: string } {
  try {
    if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw new Error('not base64url');
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string') {
      return { created_at: value[0] as number, id: value[1] as string };
    }
  } catch {
    // answered below
  }
  throw badRequest('cursor is not a cursor this API answered', 'INVALID_CURSOR');
}
