import { Decimal128 } from 'bson';
import { notImplemented } from './errors.ts';
import type { Document } from './engine.ts';

/**
 * What FerretDB v1.24.2 gets silently wrong, refused before it is sent (422, NotImplemented):
 * probed against the server (test/data/mongo.test.ts runs each case there). Its own
 * NotImplemented answers ($lookup, most accumulators, arrayFilters) need no help; these
 * are the ones it answers wrongly without an error:
 * - a `$group` computes only its first accumulator (the others answer 0);
 * - `$unwind` keeps only `_id` and the unwound field of each document;
 * - `$project` / `$addFields` / `$set` take a field path (`"$name"`) as a literal string;
 * - `$pull` with a condition removes nothing; `$push` ignores `$slice` and `$sort`;
 * - `$elemMatch` on an array of documents matches nothing; positional `$` updates change nothing;
 * - a Decimal128 value drops the connection.
 */

const isObject = (value: unknown): value is Document => value !== null && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
const hasOperator = (value: unknown): boolean => (typeof value === 'string' && value.startsWith('$')) || (isObject(value) && Object.keys(value).some((k) => k.startsWith('$'))) || (Array.isArray(value) && value.some(hasOperator));

function walk(value: unknown, visit: (key: string, value: unknown) => void): void {
  if (value instanceof Decimal128) throw notImplemented('Decimal128 values are not supported by this server (FerretDB)');
  if (Array.isArray(value)) return value.forEach((item) => walk(item, visit));
  if (!isObject(value)) return;
  for (const [key, item] of Object.entries(value)) {
    visit(key, item);
    walk(item, visit);
  }
}

export function checkFilterForFerret(filter: unknown): void {
  walk(filter, (key, value) => {
    if (key === '$elemMatch' && isObject(value) && Object.keys(value).some((k) => !k.startsWith('$'))) {
      throw notImplemented('$elemMatch on an array of documents is not supported by this server (FerretDB); match a field path such as {"grades.g": {"$gt": 4}}');
    }
  });
}

export function checkDocumentForFerret(document: unknown): void {
  walk(document, () => {});
}

export function checkUpdateForFerret(update: Document): void {
  walk(update, () => {});
  for (const [op, fields] of Object.entries(update)) {
    if (!isObject(fields)) continue;
    for (const [path, value] of Object.entries(fields)) {
      if (path.split('.').some((part) => part.startsWith('$'))) throw notImplemented(`positional updates (${path}) are not supported by this server (FerretDB)`);
      if (op === '$pull' && hasOperator(value)) throw notImplemented('$pull with a condition is not supported by this server (FerretDB); pull a value');
      if (op === '$pull' && isObject(value) && Object.values(value).some(hasOperator)) throw notImplemented('$pull with a condition is not supported by this server (FerretDB); pull a value');
      if (op === '$push' && isObject(value) && ('$slice' in value || '$sort' in value || '$position' in value)) throw notImplemented('$push with $slice, $sort or $position is not supported by this server (FerretDB)');
    }
  }
}

export function checkPipelineForFerret(pipeline: Document[]): void {
  for (const stage of pipeline) {
    const [name, spec] = Object.entries(stage)[0]!;
    if (name === '$match') checkFilterForFerret(spec);
    if (name === '$unwind') throw notImplemented('$unwind is not supported by this server (FerretDB drops the other fields of each document)');
    if (name === '$group' && isObject(spec) && Object.keys(spec).filter((k) => k !== '_id').length > 1) {
      throw notImplemented('a $group with more than one accumulator is not supported by this server (FerretDB computes only the first); split it');
    }
    if ((name === '$project' || name === '$addFields' || name === '$set') && isObject(spec)) {
      for (const [field, value] of Object.entries(spec)) {
        const inclusion = value === 0 || value === 1 || value === true || value === false;
        if (name === '$project' ? !inclusion && (hasOperator(value) || typeof value === 'string') : hasOperator(value)) {
          throw notImplemented(`${name} ${field}: expressions and field paths are not supported by this server (FerretDB)`);
        }
      }
    }
  }
}
