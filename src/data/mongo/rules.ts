import { BSONRegExp } from 'bson';
import { MongoError, badValue } from './errors.ts';

/**
 * What the Mongo data API accepts, the same on both engines: one allow-list of query, update
 * and aggregation operators (scripting and cross-database stages never), the document rules
 * FerretDB imposes (so a document the embedded engine takes, the real one takes too), names.
 */

export const QUERY_OPERATORS = new Set([
  '$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$and', '$or', '$nor', '$not',
  '$exists', '$type', '$regex', '$options', '$elemMatch', '$size', '$all', '$mod', '$expr', '$comment',
]);

export const UPDATE_OPERATORS = new Set([
  '$set', '$unset', '$inc', '$mul', '$min', '$max', '$rename', '$push', '$pull', '$pullAll',
  '$addToSet', '$pop', '$currentDate', '$setOnInsert',
]);
/** Modifiers inside `$push` / `$addToSet`. */
const UPDATE_MODIFIERS = new Set(['$each', '$position', '$slice', '$sort']);

export const STAGES = new Set([
  '$match', '$group', '$project', '$sort', '$limit', '$skip', '$unwind', '$lookup', '$count',
  '$addFields', '$set', '$unset', '$replaceRoot', '$replaceWith', '$sortByCount',
]);

export const ACCUMULATORS = new Set(['$sum', '$count', '$avg', '$min', '$max', '$push', '$addToSet', '$first', '$last']);

/** Aggregation expressions: the common ones (arithmetic, comparison, logic, strings, arrays, types, dates). */
export const EXPRESSIONS = new Set([
  '$add', '$subtract', '$multiply', '$divide', '$mod', '$abs', '$ceil', '$floor', '$round', '$trunc', '$pow', '$sqrt',
  '$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$cmp', '$and', '$or', '$not', '$in',
  '$cond', '$ifNull', '$switch', '$literal',
  '$concat', '$toLower', '$toUpper', '$substr', '$substrCP', '$strLenCP', '$split', '$trim', '$ltrim', '$rtrim', '$regexMatch',
  '$size', '$arrayElemAt', '$filter', '$map', '$slice', '$concatArrays', '$first', '$last', '$isArray', '$reverseArray', '$range',
  '$type', '$toString', '$toInt', '$toLong', '$toDouble', '$toDecimal', '$toBool', '$toDate', '$toObjectId', '$convert',
  '$year', '$month', '$dayOfMonth', '$dayOfWeek', '$dayOfYear', '$hour', '$minute', '$second', '$dateToString',
  '$mergeObjects', '$objectToArray', '$arrayToObject', '$sum', '$avg', '$min', '$max',
]);

/** Never: server-side JavaScript, writes to other collections, reads beyond the workspace. */
const FORBIDDEN = new Set(['$where', '$function', '$accumulator', '$out', '$merge', '$documents', '$unionWith', '$graphLookup', '$currentOp', '$listSessions', '$collStats', '$indexStats', '$planCacheStats', '$text']);

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;

function refuse(op: string, where: string): never {
  if (FORBIDDEN.has(op)) throw new MongoError(115, 'CommandNotSupported', `${op} is not allowed in the data API`);
  throw badValue(`unknown or unsupported operator ${op} in ${where}`);
}

/** A query filter: every `$key` an allowed query operator; `$expr` takes expressions. */
export function checkFilter(filter: unknown, where = 'filter', depth = 0): void {
  if (depth > 32) throw badValue(`${where} is nested too deeply`);
  if (filter instanceof BSONRegExp) return checkRegex(filter.pattern);
  if (Array.isArray(filter)) return filter.forEach((item) => checkFilter(item, where, depth + 1));
  if (!isObject(filter)) return;
  for (const [key, value] of Object.entries(filter)) {
    if (key.startsWith('$')) {
      if (!QUERY_OPERATORS.has(key)) refuse(key, where);
      if (key === '$expr') checkExpression(value, where, depth + 1);
      else if (key === '$regex') checkRegex(value);
      else if (key !== '$regex' && key !== '$options' && key !== '$comment') checkFilter(value, where, depth + 1);
    } else {
      checkFilter(value, where, depth + 1);
    }
  }
}

/**
 * The embedded engine runs patterns in JavaScript on the control plane's thread: a long
 * pattern, or a quantified group that is itself quantified (`(a+)+`, the classic catastrophic
 * backtracking), is refused rather than risked.
 */
const MAX_REGEX = 512;
function checkRegex(pattern: unknown): void {
  const text = pattern instanceof RegExp ? pattern.source : pattern instanceof BSONRegExp ? pattern.pattern : pattern;
  if (typeof text !== 'string') return;
  if (text.length > MAX_REGEX) throw badValue(`$regex patterns are at most ${MAX_REGEX} characters`);
  if (/\([^)]*[+*}][^)]*\)\s*[+*{]/.test(text)) throw badValue('$regex: a repeated group that itself repeats (such as (a+)+) can take exponential time; rewrite it');
}

export function checkExpression(expression: unknown, where: string, depth = 0): void {
  if (depth > 32) throw badValue(`${where} is nested too deeply`);
  if (Array.isArray(expression)) return expression.forEach((item) => checkExpression(item, where, depth + 1));
  if (!isObject(expression)) return;
  for (const [key, value] of Object.entries(expression)) {
    if (key.startsWith('$') && !EXPRESSIONS.has(key)) refuse(key, where);
    if (key === '$literal') continue;
    checkExpression(value, where, depth + 1);
  }
}

/** An update: operators only (a replacement is a PUT / replaceOne), each allowed. */
export function checkUpdate(update: unknown): void {
  if (!isObject(update) || Object.keys(update).length === 0) throw new MongoError(9, 'FailedToParse', 'update must be a non-empty object of update operators such as {"$set": {…}}');
  for (const [op, fields] of Object.entries(update)) {
    if (!op.startsWith('$')) throw new MongoError(9, 'FailedToParse', `update must only contain operators; found the field ${JSON.stringify(op)} (replace a whole document with replaceOne)`);
    if (!UPDATE_OPERATORS.has(op)) refuse(op, 'update');
    if (!isObject(fields)) throw new MongoError(9, 'FailedToParse', `${op} takes an object of fields`);
    for (const [path, value] of Object.entries(fields)) {
      checkPath(path);
      if ((op === '$push' || op === '$addToSet') && isObject(value)) {
        for (const key of Object.keys(value)) if (key.startsWith('$') && !UPDATE_MODIFIERS.has(key)) refuse(key, op);
      } else if (op === '$pull') {
        checkFilter(value, '$pull');
      } else {
        checkDocumentValue(value, path, 0);
      }
    }
  }
}

export function checkPipeline(pipeline: unknown, depth = 0): Record<string, unknown>[] {
  if (!Array.isArray(pipeline)) throw badValue('pipeline must be an array of stages');
  if (depth > 4) throw badValue('$lookup pipelines are nested too deeply');
  for (const stage of pipeline) {
    if (!isObject(stage) || Object.keys(stage).length !== 1) throw badValue('each pipeline stage is an object with exactly one field');
    const [name, spec] = Object.entries(stage)[0]!;
    if (!STAGES.has(name)) refuse(name, 'pipeline');
    switch (name) {
      case '$match':
        checkFilter(spec, '$match');
        break;
      case '$group':
        if (!isObject(spec) || !('_id' in spec)) throw new MongoError(15955, 'Location15955', 'a group specification must include an _id');
        for (const [field, acc] of Object.entries(spec)) {
          if (field === '_id') checkExpression(acc, '$group');
          else {
            if (!isObject(acc) || Object.keys(acc).length !== 1) throw new MongoError(40234, 'Location40234', `the field '${field}' must be an accumulator object`);
            const op = Object.keys(acc)[0]!;
            if (!ACCUMULATORS.has(op)) refuse(op, '$group');
            checkExpression(acc[op], '$group');
          }
        }
        break;
      case '$lookup':
        if (!isObject(spec) || typeof spec.from !== 'string') throw badValue('$lookup needs from (a collection of this workspace)');
        checkCollectionName(spec.from);
        if (spec.pipeline !== undefined) checkPipeline(spec.pipeline, depth + 1);
        break;
      case '$limit':
      case '$skip':
        if (typeof spec !== 'number' || !Number.isInteger(spec) || spec < (name === '$limit' ? 1 : 0)) throw badValue(`${name} takes a ${name === '$limit' ? 'positive' : 'non-negative'} integer`);
        break;
      case '$count':
        if (typeof spec !== 'string' || spec === '' || spec.startsWith('$') || spec.includes('.')) throw badValue('$count takes a field name');
        break;
      default:
        checkExpression(spec, name);
    }
  }
  return pipeline as Record<string, unknown>[];
}

/** Collection names: MongoDB's rules, plus FerretDB's (no `.`-leading, `$` or NUL), at most 235 characters. */
export function checkCollectionName(name: string): void {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,234}$/.test(name) || name.startsWith('system.')) {
    throw new MongoError(73, 'InvalidNamespace', `invalid collection name ${JSON.stringify(name)}: 1 to 235 letters, digits, "_", "-" and ".", not starting with "." or "system."`);
  }
}

function checkPath(path: string): void {
  if (path === '' || path.split('.').some((part) => part === '' || part.startsWith('$') && part !== '$' && part !== '$[]' && !/^\$\[[a-z][A-Za-z0-9]*\]$/.test(part))) {
    throw badValue(`invalid field path ${JSON.stringify(path)}`);
  }
}

/**
 * A stored document's rules (FerretDB's, so both engines take the same): keys neither
 * `$`-prefixed nor dotted nor empty-of-meaning, no arrays directly inside arrays, no NaN or
 * infinities, no NUL in strings.
 */
export function checkDocument(document: unknown): Record<string, unknown> {
  if (!isObject(document)) throw badValue('a document must be a JSON object');
  if (Array.isArray(document._id)) throw badValue('_id cannot be an array');
  checkDocumentValue(document, '', 0);
  return document;
}

function checkDocumentValue(value: unknown, path: string, depth: number, inArray = false): void {
  if (depth > 100) throw badValue('the document is nested more than 100 levels deep');
  if (typeof value === 'number' && !Number.isFinite(value)) throw badValue(`${path || 'value'}: NaN and infinities are not stored`);
  if (typeof value === 'string' && value.includes('\0')) throw badValue(`${path || 'value'}: strings cannot contain NUL`);
  if (Array.isArray(value)) {
    if (inArray) throw badValue(`${path}: arrays directly inside arrays are not supported`);
    value.forEach((item, i) => checkDocumentValue(item, `${path}.${i}`, depth + 1, true));
    return;
  }
  if (!isObject(value)) return;
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith('$')) throw new MongoError(52, 'DollarPrefixedFieldName', `field names cannot start with $: ${JSON.stringify(key)}`);
    if (key.includes('.')) throw new MongoError(57, 'DottedFieldName', `field names cannot contain ".": ${JSON.stringify(key)}`);
    if (key.includes('\0')) throw badValue('field names cannot contain NUL');
    checkDocumentValue(item, path ? `${path}.${key}` : key, depth + 1);
  }
}

export interface IndexSpec {
  key: Record<string, 1 | -1>;
  name?: string;
  unique?: boolean;
}

export function checkIndexSpec(spec: unknown): Required<IndexSpec> {
  if (!isObject(spec) || !isObject(spec.key) || Object.keys(spec.key).length === 0) throw badValue('an index needs key: {field: 1 | -1, …}');
  for (const [field, direction] of Object.entries(spec.key)) {
    checkPath(field);
    if (direction !== 1 && direction !== -1) throw badValue(`index key ${field}: the direction is 1 or -1`);
  }
  const key = spec.key as Record<string, 1 | -1>;
  const name = spec.name ?? Object.entries(key).map(([f, d]) => `${f}_${d}`).join('_');
  if (typeof name !== 'string' || name === '' || name.length > 128 || name === '_id_' && Object.keys(key).join() !== '_id') throw badValue('index name must be 1 to 128 characters');
  if (spec.unique !== undefined && typeof spec.unique !== 'boolean') throw badValue('unique is a boolean');
  return { key, name, unique: spec.unique === true };
}
