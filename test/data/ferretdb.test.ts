import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { MongoClient, MongoServerError, type Db } from 'mongodb';

/**
 * The real MongoDB-wire server the Mongo data API tests use: FerretDB v1.24.2 on PostgreSQL,
 * built and started by scripts/ferretdb-server.sh (sourced by scripts/test.sh), reached with the
 * official `mongodb` driver at SLIPSTREAM_TEST_MONGODB_URL. This checks the server itself does
 * what the other suites rely on: CRUD with the usual options, upserts, a simple aggregation, and
 * unique indexes giving E11000. (What v1.24.2 lacks is in docs/design/data-apis.md §5.3.)
 */

const url = process.env.SLIPSTREAM_TEST_MONGODB_URL || undefined;
const MISSING =
  'SLIPSTREAM_TEST_MONGODB_URL is not set, so there is no FerretDB to test: run `bash scripts/test.sh test/data/ferretdb.test.ts`, which builds FerretDB once and starts it';

interface Person {
  _id: number;
  name: string;
  age: number;
  city: string;
  tags: string[];
  address?: { zip: string };
}

const PEOPLE: Person[] = [
  { _id: 1, name: 'ann', age: 31, city: 'oslo', tags: ['admin'] },
  { _id: 2, name: 'bob', age: 25, city: 'rome', tags: [] },
  { _id: 3, name: 'cy', age: 40, city: 'oslo', tags: ['dev'] },
  { _id: 4, name: 'dee', age: 19, city: 'lima', tags: [] },
  { _id: 5, name: 'eve', age: 52, city: 'rome', tags: ['ops'] },
  { _id: 6, name: 'fay', age: 33, city: 'oslo', tags: [] },
];

if (!url) {
  if (process.env.CI) {
    test('FerretDB is there to test', () => assert.fail(`CI is set but ${MISSING}`));
  } else {
    test('FerretDB (official mongodb driver)', { skip: MISSING }, () => {});
  }
} else {
  describe('FerretDB (official mongodb driver)', () => {
    let client: MongoClient;
    let db: Db;
    // A database of our own (FerretDB: [a-zA-Z0-9_-]{1,63}), dropped at the end.
    const dbName = `slipstream_ferretdb_test_${randomBytes(4).toString('hex')}`;

    before(async () => {
      client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000 });
      await client.connect();
      db = client.db(dbName);
    });

    after(async () => {
      if (!client) return;
      try {
        await db.dropDatabase();
        const names = (await client.db('admin').admin().listDatabases()).databases.map((d) => d.name);
        assert.ok(!names.includes(dbName), `${dbName} is still listed after dropDatabase`);
      } finally {
        await client.close();
      }
    });

    test('buildInfo says FerretDB and the stages the data API relies on', async (t) => {
      const info = await client.db('admin').command({ buildInfo: 1 });
      t.diagnostic(`buildInfo: ferretdbVersion=${info.ferretdbVersion} version=${info.version} stages=${info.ferretdbFeatures?.aggregationStages?.join(',')}`);
      assert.equal(info.ok, 1);
      assert.match(String(info.ferretdbVersion), /^v\d+\.\d+\.\d+/, 'not FerretDB: buildInfo has no ferretdbVersion');
      assert.match(String(info.version), /^\d+\.\d+\.\d+$/); // the MongoDB version it claims (7.0.42 for v1.24.2)
      const stages: string[] = info.ferretdbFeatures?.aggregationStages ?? [];
      for (const stage of ['$match', '$group', '$sort', '$project', '$count', '$unwind', '$skip', '$limit']) {
        assert.ok(stages.includes(stage), `${stage} is not among FerretDB's aggregation stages: ${stages.join(', ')}`);
      }
    });

    test('insertMany, then find with filter, sort, projection, skip and limit', async () => {
      const people = db.collection<Person>('find_people');
      const inserted = await people.insertMany(PEOPLE.map((p) => ({ ...p })));
      assert.equal(inserted.insertedCount, PEOPLE.length);
      assert.deepEqual(Object.values(inserted.insertedIds), PEOPLE.map((p) => p._id));

      const found = await people
        .find({ city: { $in: ['oslo', 'rome'] }, age: { $gte: 25 } }, { sort: { age: -1 }, projection: { _id: 0, name: 1, age: 1 }, skip: 1, limit: 3 })
        .toArray();
      // oslo/rome and >= 25, oldest first: eve 52, cy 40, fay 33, ann 31, bob 25; skip 1, take 3.
      assert.deepEqual(found, [
        { name: 'cy', age: 40 },
        { name: 'fay', age: 33 },
        { name: 'ann', age: 31 },
      ]);

      assert.deepEqual(await people.findOne({ _id: 4 }), PEOPLE[3]);
      assert.equal(await people.countDocuments({ city: 'oslo' }), 3);
      assert.deepEqual(
        (await people.find({ tags: 'admin' }, { projection: { _id: 1 } }).toArray()).map((d) => d._id),
        [1],
      );
    });

    test('updateOne with $set, $push and $inc, and an upsert', async () => {
      const people = db.collection<Person>('update_people');
      await people.insertMany(PEOPLE.map((p) => ({ ...p })));

      const updated = await people.updateOne({ _id: 2 }, { $set: { city: 'oslo', 'address.zip': '0150' }, $push: { tags: 'new' }, $inc: { age: 2 } });
      assert.equal(updated.matchedCount, 1);
      assert.equal(updated.modifiedCount, 1);
      assert.deepEqual(await people.findOne({ _id: 2 }), { _id: 2, name: 'bob', age: 27, city: 'oslo', tags: ['new'], address: { zip: '0150' } });

      const none = await people.updateOne({ _id: 99 }, { $set: { name: 'nobody' } });
      assert.equal(none.matchedCount, 0);
      assert.equal(none.upsertedCount, 0);
      assert.equal(await people.findOne({ _id: 99 }), null);

      const upserted = await people.updateOne({ _id: 7 }, { $set: { name: 'gus' }, $inc: { age: 1 }, $push: { tags: 'x' } }, { upsert: true });
      assert.equal(upserted.matchedCount, 0);
      assert.equal(upserted.upsertedCount, 1);
      assert.equal(upserted.upsertedId, 7);
      assert.deepEqual(await people.findOne({ _id: 7 }), { _id: 7, name: 'gus', age: 1, tags: ['x'] });

      // The same upsert again matches the document it created.
      const again = await people.updateOne({ _id: 7 }, { $inc: { age: 1 } }, { upsert: true });
      assert.equal(again.matchedCount, 1);
      assert.equal(again.upsertedCount, 0);
      assert.equal((await people.findOne({ _id: 7 }))?.age, 2);
      assert.equal(await people.countDocuments({}), PEOPLE.length + 1);
    });

    test('deleteMany', async () => {
      const people = db.collection<Person>('delete_people');
      await people.insertMany(PEOPLE.map((p) => ({ ...p })));
      const deleted = await people.deleteMany({ age: { $lt: 30 } });
      assert.equal(deleted.deletedCount, 2); // bob 25, dee 19
      assert.deepEqual((await people.find({}, { sort: { _id: 1 } }).toArray()).map((d) => d._id), [1, 3, 5, 6]);
      assert.equal((await people.deleteMany({ city: 'nowhere' })).deletedCount, 0);
      assert.equal((await people.deleteMany({})).deletedCount, 4);
      assert.equal(await people.countDocuments({}), 0);
    });

    test('aggregate: $match, $group with $sum, $sort', async () => {
      const people = db.collection<Person>('aggregate_people');
      await people.insertMany(PEOPLE.map((p) => ({ ...p })));
      // One accumulator per $group: FerretDB v1.24.2 answers 0 for every accumulator after the
      // first one in the same $group (found by probing it; no error is raised).
      const totals = await people
        .aggregate([{ $match: { age: { $gte: 20 } } }, { $group: { _id: '$city', total: { $sum: '$age' } } }, { $sort: { total: -1 } }])
        .toArray();
      assert.deepEqual(totals, [
        { _id: 'oslo', total: 31 + 40 + 33 },
        { _id: 'rome', total: 25 + 52 },
      ]);
      const counts = await people.aggregate([{ $group: { _id: '$city', n: { $sum: 1 } } }, { $sort: { _id: 1 } }]).toArray();
      assert.deepEqual(counts, [
        { _id: 'lima', n: 1 },
        { _id: 'oslo', n: 3 },
        { _id: 'rome', n: 2 },
      ]);
    });

    test('a unique index: duplicate insert is E11000; listIndexes and dropIndex', async () => {
      const users = db.collection<{ _id: number; email: string }>('index_users');
      await users.insertMany([
        { _id: 1, email: 'a@example.com' },
        { _id: 2, email: 'b@example.com' },
      ]);
      assert.equal(await users.createIndex({ email: 1 }, { unique: true }), 'email_1');

      await assert.rejects(users.insertOne({ _id: 3, email: 'a@example.com' }), (error: unknown) => {
        assert.ok(error instanceof MongoServerError, `not a MongoServerError: ${String(error)}`);
        assert.equal(error.code, 11000);
        assert.match(error.message, /E11000 duplicate key error/);
        return true;
      });
      // A duplicate _id is E11000 as well.
      await assert.rejects(users.insertOne({ _id: 1, email: 'c@example.com' }), (error: unknown) => {
        assert.ok(error instanceof MongoServerError);
        assert.equal(error.code, 11000);
        return true;
      });
      assert.equal(await users.countDocuments({}), 2);

      const indexes = await users.listIndexes().toArray();
      assert.deepEqual(
        indexes.map((i) => ({ name: i.name, key: i.key, unique: i.unique ?? false })),
        [
          { name: '_id_', key: { _id: 1 }, unique: false },
          { name: 'email_1', key: { email: 1 }, unique: true },
        ],
      );

      await users.dropIndex('email_1');
      assert.deepEqual((await users.listIndexes().toArray()).map((i) => i.name), ['_id_']);
      await assert.rejects(users.dropIndex('email_1'), (error: unknown) => {
        assert.ok(error instanceof MongoServerError);
        assert.equal(error.code, 27); // IndexNotFound
        return true;
      });
      // Without the index the same email goes in.
      await users.insertOne({ _id: 3, email: 'a@example.com' });
      assert.equal(await users.countDocuments({ email: 'a@example.com' }), 2);
    });
  });
}
