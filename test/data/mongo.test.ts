import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EJSON } from 'bson';
import { MongoClient, MongoServerError, type Db } from 'mongodb';
import { mongoEngineKinds, testMongoUrl } from '../helpers/data.ts';
import { dataPlatform } from './setup.ts';

/**
 * One Mongo suite for both engines of the data API — the embedded one (mingo over the metadata
 * store) and FerretDB through the official driver — where every case is also run straight
 * against FerretDB with the official `mongodb` driver, and the answers compared. Cases are data
 * (an operation and its arguments); each runner turns them into an HTTP request or a driver call.
 *
 * Read cases come first and never change the fixture; write cases then run in order, and
 * after each one the whole collection must be the same on every side.
 * `gap`: FerretDB v1.24.2 lacks the feature — it says so (238), or answers wrongly without an
 * error (src/data/mongo/ferretdb-gaps.ts refuses those up front): there the API answers 422, the
 * embedded engine answers `expected`.
 */

const oid = (n: number) => ({ $oid: n.toString(16).padStart(24, '0') });
const PEOPLE = [
  { _id: oid(1), name: 'ann', age: 31, city: 'oslo', tags: ['admin', 'dev'], address: { zip: '0150', country: 'no' }, joined: { $date: '2021-03-01T00:00:00Z' }, scores: [{ k: 'x', v: 2 }, { k: 'y', v: 0 }] },
  { _id: oid(2), name: 'bob', age: 25, city: 'rome', tags: ['dev'], address: { zip: '00100', country: 'it' }, joined: { $date: '2022-07-15T12:00:00Z' } },
  { _id: oid(3), name: 'cy', age: 40, city: 'oslo', tags: [], score: 7.5, joined: { $date: '2020-01-10T08:00:00Z' } },
  { _id: 'dee', name: 'dee', age: 19, city: 'lima', tags: ['ops'], manager: null },
  { _id: 5, name: 'eve', age: 52, city: 'rome', tags: ['admin'], big: { $numberLong: '9007199254740993' } },
];
const CITIES = [{ _id: 'oslo', country: 'no' }, { _id: 'rome', country: 'it' }];

type Op =
  | { find: { filter?: unknown; projection?: unknown; sort?: unknown; skip?: number; limit?: number } }
  | { get: string }
  | { aggregate: unknown[] }
  | { insert: unknown[] }
  | { update: { id: string; update: unknown; upsert?: boolean } }
  | { replace: { id: string; replacement: unknown } }
  | { remove: string }
  | { bulk: { operations: unknown[]; ordered?: boolean } };

interface Case {
  name: string;
  op: Op;
  /** The status the API answers (and whether the driver succeeds: 2xx). */
  status: number;
  /** Compare in order (sorted queries); otherwise as a set. */
  ordered?: boolean;
  /** FerretDB v1.24.2 refuses it itself (`refused`, its 238) or answers it wrongly without an error (`wrong`: the API refuses it up front). */
  gap?: 'refused' | 'wrong';
  /** The answer, written out: where FerretDB cannot give one to compare with, and where a silent mismatch on every side must still fail. */
  expected?: unknown;
}

const q = (value: unknown) => encodeURIComponent(JSON.stringify(value));

const READS: Case[] = [
  { name: 'find all', op: { find: {} }, status: 200 },
  { name: 'equality and $gt', op: { find: { filter: { city: 'oslo', age: { $gt: 30 } } } }, status: 200 },
  { name: '$in, $nin, $ne', op: { find: { filter: { city: { $in: ['rome', 'lima'] }, name: { $ne: 'bob' }, age: { $nin: [1, 2] } } } }, status: 200 },
  { name: '$or and $and', op: { find: { filter: { $or: [{ age: { $lt: 20 } }, { $and: [{ city: 'rome' }, { age: { $gte: 50 } }] }] } } }, status: 200 },
  { name: '$nor and $not', op: { find: { filter: { $nor: [{ city: 'oslo' }], age: { $not: { $gt: 50 } } } } }, status: 200 },
  { name: '$exists and null', op: { find: { filter: { manager: { $exists: true } } } }, status: 200 },
  { name: '$type string', op: { find: { filter: { _id: { $type: 'string' } } } }, status: 200 },
  { name: 'array contains, $all, $size', op: { find: { filter: { tags: 'dev', $and: [{ tags: { $all: ['admin', 'dev'] } }, { tags: { $size: 2 } }] } } }, status: 200 },
  { name: '$elemMatch', op: { find: { filter: { tags: { $elemMatch: { $eq: 'ops' } } } } }, status: 200 },
  { name: '$regex with options', op: { find: { filter: { name: { $regex: '^[AB]', $options: 'i' } }, projection: { _id: 0, name: 1 } } }, status: 200, expected: [{ name: 'ann' }, { name: 'bob' }] },
  { name: 'dot paths', op: { find: { filter: { 'address.country': 'it' }, projection: { _id: 0, name: 1 } } }, status: 200, expected: [{ name: 'bob' }] },
  { name: 'dates in Extended JSON', op: { find: { filter: { joined: { $gte: { $date: '2021-01-01T00:00:00Z' } } } } }, status: 200 },
  { name: 'ObjectId _id', op: { find: { filter: { _id: oid(2) } } }, status: 200 },
  { name: 'a Long beyond 2^53 keeps its digits', op: { find: { filter: { big: { $numberLong: '9007199254740993' } }, projection: { _id: 0, big: 1 } } }, status: 200, expected: [{ big: { $numberLong: '9007199254740993' } }] },
  { name: 'projection (include)', op: { find: { filter: { city: 'rome' }, projection: { name: 1, age: 1 } } }, status: 200 },
  { name: 'projection (exclude)', op: { find: { filter: { city: 'oslo' }, projection: { tags: 0, address: 0, joined: 0 } } }, status: 200 },
  { name: 'sort, skip, limit', op: { find: { sort: { age: -1 }, skip: 1, limit: 2 } }, status: 200, ordered: true },
  { name: 'sort on two keys', op: { find: { sort: { city: 1, age: -1 }, projection: { name: 1 } } }, status: 200, ordered: true },
  { name: 'get by ObjectId', op: { get: '000000000000000000000001' }, status: 200 },
  { name: 'get by string id', op: { get: 'dee' }, status: 200 },
  { name: 'get by number id (Extended JSON text)', op: { get: '5' }, status: 200 },
  { name: 'get a missing id', op: { get: '0000000000000000000000ff' }, status: 404 },
  { name: 'unknown query operator', op: { find: { filter: { age: { $near: 1 } } } }, status: 400 },
  { name: '$where is never run', op: { find: { filter: { $where: 'sleep(1000)' } } }, status: 422 },
  { name: 'a pattern that backtracks exponentially is refused', op: { find: { filter: { name: { $regex: '^(a+)+$' } } } }, status: 400 },
  { name: 'so is one written as an Extended JSON regular expression', op: { find: { filter: { name: { $regularExpression: { pattern: '(x*)*y', options: '' } } } } }, status: 400 },
  { name: 'aggregate: $match, $group $sum, $sort', op: { aggregate: [{ $match: { age: { $gte: 20 } } }, { $group: { _id: '$city', total: { $sum: '$age' } } }, { $sort: { _id: 1 } }] }, status: 200, ordered: true },
  { name: 'aggregate: $group $count', op: { aggregate: [{ $group: { _id: '$city', n: { $count: {} } } }, { $sort: { _id: 1 } }] }, status: 200, ordered: true },
  {
    name: 'aggregate: $group with two accumulators',
    op: { aggregate: [{ $match: { age: { $gte: 20 } } }, { $group: { _id: '$city', total: { $sum: '$age' }, n: { $count: {} } } }, { $sort: { _id: 1 } }] },
    status: 200,
    ordered: true,
    gap: 'wrong',
    expected: [{ _id: 'oslo', total: 71, n: 2 }, { _id: 'rome', total: 77, n: 2 }],
  },
  {
    name: 'aggregate: $unwind, $project, $sort, $limit',
    op: { aggregate: [{ $unwind: '$tags' }, { $project: { _id: 0, name: 1, tags: 1 } }, { $sort: { name: 1, tags: 1 } }, { $limit: 3 }] },
    status: 200,
    ordered: true,
    gap: 'wrong',
    expected: [{ name: 'ann', tags: 'admin' }, { name: 'ann', tags: 'dev' }, { name: 'bob', tags: 'dev' }],
  },
  { name: 'aggregate: $project inclusion', op: { aggregate: [{ $match: { city: 'oslo' } }, { $project: { _id: 0, name: 1, tags: 1 } }] }, status: 200 },
  {
    name: 'aggregate: $project with a field path',
    op: { aggregate: [{ $unwind: '$tags' }, { $project: { _id: 0, name: 1, tag: '$tags' } }, { $sort: { name: 1, tag: 1 } }, { $limit: 3 }] },
    status: 200,
    ordered: true,
    gap: 'wrong',
    expected: [{ name: 'ann', tag: 'admin' }, { name: 'ann', tag: 'dev' }, { name: 'bob', tag: 'dev' }],
  },
  {
    name: '$elemMatch on an array of documents',
    op: { find: { filter: { scores: { $elemMatch: { k: 'x', v: { $gt: 1 } } } }, projection: { _id: 0, name: 1 } } },
    status: 200,
    gap: 'wrong',
    expected: [{ name: 'ann' }],
  },
  { name: 'aggregate: $count', op: { aggregate: [{ $match: { city: 'oslo' } }, { $count: 'people' }] }, status: 200 },
  {
    name: 'aggregate: $group with $avg, $max, $push',
    op: { aggregate: [{ $group: { _id: '$city', avg: { $avg: '$age' }, oldest: { $max: '$age' }, names: { $push: '$name' } } }, { $sort: { _id: 1 } }] },
    status: 200,
    ordered: true,
    gap: 'refused',
    expected: [{ _id: 'lima', avg: 19, oldest: 19, names: ['dee'] }, { _id: 'oslo', avg: 35.5, oldest: 40, names: ['ann', 'cy'] }, { _id: 'rome', avg: 38.5, oldest: 52, names: ['bob', 'eve'] }],
  },
  {
    name: 'aggregate: $lookup within the workspace',
    op: { aggregate: [{ $match: { city: 'rome' } }, { $lookup: { from: 'cities', localField: 'city', foreignField: '_id', as: 'where' } }, { $project: { _id: 0, name: 1, where: 1 } }, { $sort: { name: 1 } }] },
    status: 200,
    ordered: true,
    gap: 'refused',
    expected: [{ name: 'bob', where: [{ _id: 'rome', country: 'it' }] }, { name: 'eve', where: [{ _id: 'rome', country: 'it' }] }],
  },
  { name: 'aggregate: $out is refused', op: { aggregate: [{ $out: 'stolen' }] }, status: 422 },
];

const WRITES: Case[] = [
  { name: 'insert one with a generated id', op: { insert: [{ name: 'fay', age: 33, city: 'oslo' }] }, status: 201 },
  { name: 'insert many', op: { insert: [{ _id: 'g1', name: 'gus', age: 29 }, { _id: 'g2', name: 'gia', age: 61, tags: ['x'] }] }, status: 201 },
  { name: 'insert a duplicate _id', op: { insert: [{ _id: 'dee', name: 'again' }] }, status: 409 },
  { name: 'a $-prefixed key is refused', op: { insert: [{ _id: 'bad', $set: 1 }] }, status: 400 },
  { name: 'a dotted key is refused', op: { insert: [{ _id: 'bad', 'a.b': 1 }] }, status: 400 },
  { name: '$set and $inc', op: { update: { id: '000000000000000000000002', update: { $set: { city: 'milan' }, $inc: { age: 1 } } } }, status: 200 },
  { name: '$unset and $push', op: { update: { id: 'dee', update: { $unset: { manager: '' }, $push: { tags: 'dev' } } } }, status: 200 },
  { name: '$addToSet', op: { update: { id: '000000000000000000000001', update: { $addToSet: { tags: 'ops' } } } }, status: 200 },
  { name: '$addToSet of a value already there modifies nothing', op: { update: { id: '000000000000000000000001', update: { $addToSet: { tags: 'ops' } } } }, status: 200 },
  { name: '$pull', op: { update: { id: '000000000000000000000001', update: { $pull: { tags: 'admin' } } } }, status: 200 },
  { name: 'two operators on one path conflict (MongoDB code 40)', op: { update: { id: '000000000000000000000001', update: { $addToSet: { tags: 'x' }, $pull: { tags: 'dev' } } } }, status: 400 },
  { name: 'upsert with $setOnInsert', op: { update: { id: 'new1', update: { $set: { name: 'neo' }, $setOnInsert: { age: 1 } }, upsert: true } }, status: 200 },
  { name: 'update a missing document', op: { update: { id: 'nobody', update: { $set: { a: 1 } } } }, status: 404 },
  { name: 'a replacement is not an update', op: { update: { id: 'dee', update: { name: 'x' } } }, status: 400 },
  { name: 'replace', op: { replace: { id: 'g1', replacement: { name: 'gus', age: 30, city: 'lima' } } }, status: 200 },
  { name: 'delete one', op: { remove: 'g2' }, status: 200 },
  { name: 'delete a missing document', op: { remove: 'g2' }, status: 404 },
  {
    name: 'bulk, ordered: stops at the duplicate',
    op: { bulk: { operations: [{ insertOne: { document: { _id: 'b1', name: 'b1' } } }, { insertOne: { document: { _id: 'b1', name: 'dup' } } }, { insertOne: { document: { _id: 'b2', name: 'b2' } } }] } },
    status: 200,
  },
  {
    name: 'bulk, unordered: goes on after the duplicate',
    op: { bulk: { ordered: false, operations: [{ insertOne: { document: { _id: 'b1', name: 'dup' } } }, { updateMany: { filter: { city: 'oslo' }, update: { $inc: { age: 10 } } } }, { deleteOne: { filter: { _id: 'b1' } } }, { replaceOne: { filter: { _id: 'new2' }, replacement: { name: 'r' }, upsert: true } }, { deleteMany: { filter: { age: { $gt: 60 } } } }] } },
    status: 200,
  },
  { name: 'a malformed bulk changes nothing', op: { bulk: { operations: [{ insertOne: { document: { _id: 'z1' } } }, { updateOne: { filter: {}, update: { $evil: 1 } } }] } }, status: 400 },
];

/** What a side answered, reduced to what the other sides must equal. */
type Answer = { ok: true; value: unknown } | { ok: false; code: number | undefined };

/**
 * Relaxed Extended JSON with each object's keys sorted: field order is not compared, because the
 * engines differ in it (MongoDB 5+ and FerretDB apply updates in field-name order, mingo in the
 * update's order; mingo puts a projection's fields in the projection's order).
 */
const sortKeys = (value: unknown): unknown =>
  Array.isArray(value) ? value.map(sortKeys) : value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sortKeys(v)])) : value;
const normal = (value: unknown) => sortKeys(JSON.parse(EJSON.stringify(value as object, { relaxed: true })));
const setOf = (value: unknown) => (Array.isArray(value) ? value.map((v) => JSON.stringify(v)).sort() : value);

async function viaDriver(db: Db, op: Op): Promise<Answer> {
  const people = db.collection('people');
  const parse = (v: unknown) => EJSON.deserialize(v as object, { relaxed: false });
  const id = (text: string) => (/^[0-9a-f]{24}$/.test(text) ? parse({ $oid: text }) : /^\d+$/.test(text) ? Number(text) : text);
  try {
    if ('find' in op) {
      const f = op.find;
      let cursor = people.find(parse(f.filter ?? {}) as object, f.projection ? { projection: f.projection as object } : {});
      if (f.sort) cursor = cursor.sort(f.sort as Record<string, 1 | -1>);
      if (f.skip) cursor = cursor.skip(f.skip);
      if (f.limit) cursor = cursor.limit(f.limit);
      return { ok: true, value: normal(await cursor.toArray()) };
    }
    if ('get' in op) {
      const found = await people.findOne({ _id: id(op.get) as never });
      return found ? { ok: true, value: normal(found) } : { ok: false, code: 404 };
    }
    if ('aggregate' in op) return { ok: true, value: normal(await people.aggregate(parse(op.aggregate) as never).toArray()) };
    if ('insert' in op) {
      const docs = op.insert.map((d) => parse(d)) as never[];
      await people.insertMany(docs);
      return { ok: true, value: null };
    }
    if ('update' in op) {
      const r = await people.updateOne({ _id: id(op.update.id) as never }, op.update.update as never, { upsert: op.update.upsert === true });
      if (r.matchedCount === 0 && !r.upsertedId) return { ok: false, code: 404 };
      return { ok: true, value: { matchedCount: r.matchedCount, modifiedCount: r.modifiedCount, upserted: r.upsertedId !== null } };
    }
    if ('replace' in op) {
      const r = await people.replaceOne({ _id: id(op.replace.id) as never }, parse(op.replace.replacement) as never);
      return { ok: true, value: { matchedCount: r.matchedCount, modifiedCount: r.modifiedCount, upserted: false } };
    }
    if ('remove' in op) {
      const r = await people.deleteOne({ _id: id(op.remove) as never });
      return r.deletedCount === 0 ? { ok: false, code: 404 } : { ok: true, value: { deletedCount: r.deletedCount } };
    }
    const r = await people.bulkWrite(parse(op.bulk.operations) as never, { ordered: op.bulk.ordered !== false }).catch((e: unknown) => {
      if (e instanceof Error && 'result' in e) return (e as unknown as { result: { insertedCount: number; matchedCount: number; modifiedCount: number; deletedCount: number; upsertedCount: number }; writeErrors: { index: number; code: number }[] | { index: number; code: number } }) as never;
      throw e;
    });
    const result = ((r as unknown as { result?: unknown }).result ?? r) as { insertedCount: number; matchedCount: number; modifiedCount: number; deletedCount: number; upsertedCount: number };
    const errors = (r as unknown as { writeErrors?: unknown }).writeErrors;
    const list = errors === undefined ? [] : Array.isArray(errors) ? errors : [errors];
    return { ok: true, value: { insertedCount: result.insertedCount, matchedCount: result.matchedCount, modifiedCount: result.modifiedCount, deletedCount: result.deletedCount, upsertedCount: result.upsertedCount, writeErrors: list.map((e: { index: number; code: number }) => ({ index: e.index, code: e.code })) } };
  } catch (error) {
    return { ok: false, code: error instanceof MongoServerError ? Number(error.code) : undefined };
  }
}

for (const kind of mongoEngineKinds()) describe(`Mongo data API (${kind.kind})`, () => {
  let api: (op: Op) => Promise<{ status: number; answer: Answer }>;
  let reference: Db | undefined;
  let close: () => Promise<void> = async () => {};
  const cleanups: (() => unknown)[] = [];

  before(async () => {
    const d = await dataPlatform({ after: (fn) => cleanups.push(fn) }, kind);
    const ws = await d.workspace('docs', ['mongo']);
    const base = `/v1/mongo/${ws}/collections`;
    const call = (method: string, url: string, body?: unknown) => d.call(method, url, { token: d.token, ...(body !== undefined ? { body } : {}) });
    assert.equal((await call('POST', `${base}/people/documents`, { documents: PEOPLE })).status, 201);
    assert.equal((await call('POST', `${base}/cities/documents`, { documents: CITIES })).status, 201);
    api = async (op) => {
      let r;
      if ('find' in op) {
        const f = op.find;
        const params = [f.filter && `filter=${q(f.filter)}`, f.projection && `projection=${q(f.projection)}`, f.sort && `sort=${q(f.sort)}`, f.skip && `skip=${f.skip}`, f.limit && `limit=${f.limit}`].filter(Boolean).join('&');
        r = await call('GET', `${base}/people/documents?${params}`);
        return { status: r.status, answer: r.status === 200 ? { ok: true, value: normal(EJSON.parse(JSON.stringify(r.body.documents))) } : { ok: false, code: r.body.error?.details?.mongoCode } };
      }
      if ('get' in op) r = await call('GET', `${base}/people/documents/${op.get}`);
      else if ('aggregate' in op) r = await call('POST', `${base}/people/aggregate`, { pipeline: op.aggregate });
      else if ('insert' in op) r = await call('POST', `${base}/people/documents`, { documents: op.insert });
      else if ('update' in op) r = await call('PATCH', `${base}/people/documents/${op.update.id}`, { update: op.update.update, upsert: op.update.upsert === true });
      else if ('replace' in op) r = await call('PUT', `${base}/people/documents/${op.replace.id}`, op.replace.replacement);
      else if ('remove' in op) r = await call('DELETE', `${base}/people/documents/${op.remove}`);
      else r = await call('POST', `${base}/people/bulk`, op.bulk);
      if (r.status >= 300) return { status: r.status, answer: { ok: false, code: r.status === 404 ? 404 : r.body.error?.details?.mongoCode } };
      const body = EJSON.parse(JSON.stringify(r.body)) as Record<string, unknown>;
      let value: unknown = null;
      if ('get' in op) value = normal(body.document);
      else if ('aggregate' in op) value = normal(body.documents);
      else if ('update' in op || 'replace' in op) value = { matchedCount: body.matchedCount, modifiedCount: body.modifiedCount, upserted: body.upsertedId !== undefined };
      else if ('remove' in op) value = { deletedCount: body.deletedCount };
      else if ('bulk' in op) value = { insertedCount: body.insertedCount, matchedCount: body.matchedCount, modifiedCount: body.modifiedCount, deletedCount: body.deletedCount, upsertedCount: body.upsertedCount, writeErrors: (body.writeErrors as { index: number; code: number }[]).map((e) => ({ index: e.index, code: e.code })) };
      return { status: r.status, answer: { ok: true, value } };
    };
    const url = testMongoUrl();
    if (url) {
      const client = new MongoClient(url);
      reference = client.db(`reference_${kind.kind}_${Date.now()}`);
      const db = reference;
      await db.collection('people').insertMany(PEOPLE.map((p) => EJSON.deserialize(p, { relaxed: false })) as never[]);
      await db.collection('cities').insertMany(CITIES as never[]);
      close = async () => {
        await db.dropDatabase();
        await client.close();
      };
    }
  });
  after(async () => {
    await close();
    for (const fn of cleanups.reverse()) await fn();
  });

  const documents = async () => (await api({ find: { sort: { _id: 1 } } })).answer;

  const run = async (c: Case) => {
    const mine = await api(c.op);
    const ferret = kind.kind === 'ferretdb';
    assert.equal(mine.status, c.gap && ferret ? 422 : c.status, JSON.stringify(mine.answer));
    if (c.expected !== undefined && !(c.gap && ferret)) {
      assert.ok(mine.answer.ok);
      const expected = normal(EJSON.deserialize(c.expected as object));
      if (c.ordered) assert.deepEqual(mine.answer.value, expected);
      else assert.deepEqual(setOf(mine.answer.value), setOf(expected));
    }
    // The API's own refusals (scripting, unknown operators, document rules, malformed bulks) happen before any engine: nothing to run on the other side.
    if (!reference || (c.status >= 400 && c.status !== 404 && c.status !== 409)) return;
    const theirs = await viaDriver(reference, c.op);
    if (c.gap === 'refused') {
      assert.equal(theirs.ok, false, 'FerretDB does it now: drop the gap mark');
      if (!theirs.ok) assert.equal(theirs.code, 238);
      return;
    }
    if (c.gap === 'wrong') {
      const right = theirs.ok && JSON.stringify(setOf(theirs.value)) === JSON.stringify(setOf(normal(EJSON.deserialize(c.expected as object))));
      assert.equal(right, false, 'FerretDB answers it right now: drop it from ferretdb-gaps.ts and the gap mark');
      return;
    }
    assert.equal(theirs.ok, mine.answer.ok, `driver ${JSON.stringify(theirs)} vs API ${JSON.stringify(mine.answer)}`);
    if (theirs.ok && mine.answer.ok) {
      if (c.ordered || !Array.isArray(theirs.value)) assert.deepEqual(mine.answer.value, theirs.value);
      else assert.deepEqual(setOf(mine.answer.value), setOf(theirs.value));
    } else if (!theirs.ok && !mine.answer.ok) {
      assert.equal(mine.answer.code, theirs.code);
    }
  };

  for (const c of READS) test(`read: ${c.name}`, () => run(c));
  for (const c of WRITES) {
    test(`write: ${c.name}`, async () => {
      await run(c);
      // Every side holds the same documents after each write (generated ids aside).
      const mine = await documents();
      if (!reference || !mine.ok) return;
      const theirs = await viaDriver(reference, { find: { sort: { _id: 1 } } });
      assert.ok(theirs.ok);
      const strip = (value: unknown) => setOf((value as Record<string, unknown>[]).map((d) => (typeof d._id === 'object' && d.name === 'fay' ? { ...d, _id: 'generated' } : d)));
      assert.deepEqual(strip(mine.value), strip(theirs.value));
    });
  }
});
