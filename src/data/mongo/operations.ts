import { ObjectId } from 'bson';
import { PartialInsert, type Document, type MongoEngine } from './engine.ts';
import { badValue, MongoError } from './errors.ts';
import { parseEjson } from './ejson.ts';
import { checkDocument, checkFilter, checkUpdate } from './rules.ts';

/**
 * Bulk writes (the driver's `bulkWrite` shapes), checked whole before the first one runs — a
 * malformed batch changes nothing — then run one by one: ordered stops at the first failure,
 * unordered goes on; either way what ran stays, as in MongoDB.
 */

export type BulkOperation =
  | { insertOne: { document: Document } }
  | { updateOne: { filter: Document; update: Document; upsert?: boolean } }
  | { updateMany: { filter: Document; update: Document; upsert?: boolean } }
  | { replaceOne: { filter: Document; replacement: Document; upsert?: boolean } }
  | { deleteOne: { filter: Document } }
  | { deleteMany: { filter: Document } };

export interface BulkResult {
  insertedCount: number;
  matchedCount: number;
  modifiedCount: number;
  deletedCount: number;
  upsertedCount: number;
  insertedIds: Record<string, unknown>;
  upsertedIds: Record<string, unknown>;
  writeErrors: { index: number; code: number; codeName: string; message: string }[];
}

export const MAX_BULK_OPERATIONS = 1000;
const KINDS = ['insertOne', 'updateOne', 'updateMany', 'replaceOne', 'deleteOne', 'deleteMany'] as const;

const isObject = (value: unknown): value is Document => value !== null && typeof value === 'object' && !Array.isArray(value);

export function parseFilter(value: unknown, what = 'filter'): Document {
  const filter = value === undefined ? {} : parseEjson(value, what);
  if (!isObject(filter)) throw badValue(`${what} must be an object`);
  checkFilter(filter, what);
  return filter;
}

export function parseBulk(raw: unknown): BulkOperation[] {
  if (!Array.isArray(raw) || raw.length === 0) throw badValue('operations must be a non-empty array');
  if (raw.length > MAX_BULK_OPERATIONS) throw badValue(`at most ${MAX_BULK_OPERATIONS} operations per bulk request`);
  return raw.map((op, index) => {
    const at = `operations[${index}]`;
    if (!isObject(op) || Object.keys(op).length !== 1) throw badValue(`${at} must have exactly one of ${KINDS.join(', ')}`);
    const [kind, spec] = Object.entries(op)[0]!;
    if (!(KINDS as readonly string[]).includes(kind) || !isObject(spec)) throw badValue(`${at}: unknown operation ${JSON.stringify(kind)}; one of ${KINDS.join(', ')}`);
    if (spec.upsert !== undefined && typeof spec.upsert !== 'boolean') throw badValue(`${at}.upsert must be a boolean`);
    switch (kind) {
      case 'insertOne': {
        const document = parseEjson(spec.document, `${at}.document`);
        checkDocument(document);
        return { insertOne: { document: document as Document } };
      }
      case 'updateOne':
      case 'updateMany': {
        const update = parseEjson(spec.update, `${at}.update`) as Document;
        checkUpdate(update);
        return { [kind]: { filter: parseFilter(spec.filter, `${at}.filter`), update, upsert: spec.upsert === true } } as BulkOperation;
      }
      case 'replaceOne': {
        const replacement = parseEjson(spec.replacement, `${at}.replacement`);
        checkDocument(replacement);
        return { replaceOne: { filter: parseFilter(spec.filter, `${at}.filter`), replacement: replacement as Document, upsert: spec.upsert === true } };
      }
      default:
        return { [kind]: { filter: parseFilter(spec.filter, `${at}.filter`) } } as BulkOperation;
    }
  });
}

export async function runBulk(engine: MongoEngine, ws: string, collection: string, operations: BulkOperation[], ordered: boolean): Promise<BulkResult> {
  const result: BulkResult = { insertedCount: 0, matchedCount: 0, modifiedCount: 0, deletedCount: 0, upsertedCount: 0, insertedIds: {}, upsertedIds: {}, writeErrors: [] };
  for (const [index, op] of operations.entries()) {
    try {
      if ('insertOne' in op) {
        const document = '_id' in op.insertOne.document ? op.insertOne.document : { _id: new ObjectId(), ...op.insertOne.document };
        const [id] = await engine.insert(ws, collection, [document]);
        result.insertedCount++;
        result.insertedIds[index] = id;
      } else if ('updateOne' in op || 'updateMany' in op) {
        const spec = 'updateOne' in op ? op.updateOne : op.updateMany;
        const done = await engine.update(ws, collection, spec.filter, spec.update, { upsert: spec.upsert === true, multi: 'updateMany' in op });
        result.matchedCount += done.matchedCount;
        result.modifiedCount += done.modifiedCount;
        if (done.upsertedId !== undefined) {
          result.upsertedCount++;
          result.upsertedIds[index] = done.upsertedId;
        }
      } else if ('replaceOne' in op) {
        const done = await engine.replace(ws, collection, op.replaceOne.filter, op.replaceOne.replacement, { upsert: op.replaceOne.upsert === true });
        result.matchedCount += done.matchedCount;
        result.modifiedCount += done.modifiedCount;
        if (done.upsertedId !== undefined) {
          result.upsertedCount++;
          result.upsertedIds[index] = done.upsertedId;
        }
      } else {
        const multi = 'deleteMany' in op;
        result.deletedCount += await engine.delete(ws, collection, (multi ? op.deleteMany : op.deleteOne).filter, { multi });
      }
    } catch (error) {
      const cause = error instanceof PartialInsert ? error.error : error;
      if (!(cause instanceof MongoError)) throw cause;
      result.writeErrors.push({ index, code: cause.code, codeName: cause.codeName, message: cause.message });
      if (ordered) break;
    }
  }
  return result;
}
