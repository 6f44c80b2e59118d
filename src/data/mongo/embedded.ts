import { BSONRegExp, EJSON, ObjectId } from 'bson';
import { aggregate, find, Query } from 'mingo';
import { updateOne as mingoUpdate } from 'mingo';
import type { MetadataStore } from '../../metadata/store.ts';
import { PartialInsert, type Document, type FindOptions, type MongoEngine, type UpdateResult } from './engine.ts';
import { duplicateKey, MongoError } from './errors.ts';
import { checkDocument, type IndexSpec } from './rules.ts';
import { parseEjsonText } from './ejson.ts';

/**
 * The embedded Mongo engine: documents in the metadata store (SQLite, or PostgreSQL with
 * DATABASE_URL) as canonical EJSON, queried and updated by mingo (a well-kept implementation of
 * MongoDB's query language). A query reads its collection whole, so it suits development-sized
 * collections, bounded by the plan's document quota; point lookups by `_id` read one row.
 */

// mingo's script operators ($where, $function, $accumulator) run JavaScript: never.
const OPTIONS = { scriptEnabled: false, useStrictMode: true } as const;

const keyOf = (id: unknown) => EJSON.stringify({ id } as Document, { relaxed: false });
const encode = (document: Document) => EJSON.stringify(document, { relaxed: false });
const decode = (text: string) => parseEjsonText(text, 'a stored document') as Document;

/** The value at a dotted path (what a unique index keys on); missing is null, as in MongoDB. */
function valueAt(document: Document, path: string): unknown {
  let value: unknown = document;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return null;
    value = (value as Document)[part];
  }
  return value ?? null;
}

/** `_id` equality, the one filter that needs no scan. */
function idLookup(filter: Document): unknown {
  const keys = Object.keys(filter);
  if (keys.length !== 1 || keys[0] !== '_id') return undefined;
  const id = filter._id;
  if (id !== null && typeof id === 'object' && !(id instanceof ObjectId) && !(id instanceof Date)) return undefined;
  return id;
}

/** The fields of the filter's plain equalities (`{a: 1, "b.c": 2, $and: [{d: 3}]}`): the base of an upserted document. */
function equalityFields(filter: Document, into: Document = {}): Document {
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) for (const part of value) equalityFields(part as Document, into);
    else if (key.startsWith('$')) continue;
    else if (value !== null && typeof value === 'object' && !(value instanceof ObjectId) && !(value instanceof Date) && !Array.isArray(value) && Object.keys(value).some((k) => k.startsWith('$'))) {
      if ('$eq' in (value as Document)) setPath(into, key, (value as Document).$eq);
    } else setPath(into, key, value);
  }
  return into;
}

function setPath(target: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let at = target;
  for (const part of parts.slice(0, -1)) {
    if (at[part] === null || typeof at[part] !== 'object') at[part] = {};
    at = at[part] as Document;
  }
  at[parts[parts.length - 1]!] = value;
}

/**
 * BSON regular expressions (`{"$regex": …, "$options": …}` and `$regularExpression` in Extended
 * JSON) as JavaScript ones, which mingo evaluates; MongoDB's `x` (extended) flag has no
 * JavaScript equivalent and is dropped, its other flags (i, m, s) kept.
 */
function native<T>(value: T): T {
  if (value instanceof BSONRegExp) return new RegExp(value.pattern, [...value.options].filter((f) => 'ims'.includes(f)).join('')) as T;
  if (Array.isArray(value)) return value.map(native) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, native(v)])) as T;
  }
  return value;
}

/** mingo's refusals as MongoDB's codes (a path conflict is MongoDB's 40, anything else BadValue). */
function mingo<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof MongoError || !(error instanceof Error)) throw error;
    if (/would create a conflict/.test(error.message)) throw new MongoError(40, 'ConflictingUpdateOperators', error.message.replace(/^updating/, 'Updating'));
    throw new MongoError(2, 'BadValue', error.message);
  }
}

export class EmbeddedMongoEngine implements MongoEngine {
  readonly kind = 'embedded' as const;
  readonly #store: MetadataStore;

  constructor(store: MetadataStore) {
    this.#store = store;
  }

  async #load(store: MetadataStore, ws: string, collection: string, filter: Document): Promise<Document[]> {
    const id = idLookup(filter);
    if (id !== undefined) {
      const text = await store.documents.getDocument(ws, collection, keyOf(id));
      return text === undefined ? [] : [decode(text)];
    }
    return (await store.documents.listDocuments(ws, collection)).map((row) => decode(row.doc));
  }

  async find(ws: string, collection: string, found: FindOptions): Promise<Document[]> {
    const options = { ...found, filter: native(found.filter) };
    const documents = await this.#load(this.#store, ws, collection, options.filter);
    return mingo(() => {
      let cursor = find(documents, options.filter, options.projection && Object.keys(options.projection).length > 0 ? options.projection : {}, OPTIONS);
      if (options.sort && Object.keys(options.sort).length > 0) cursor = cursor.sort(options.sort);
      if (options.skip) cursor = cursor.skip(options.skip);
      if (options.limit !== undefined) cursor = cursor.limit(options.limit);
      return cursor.all() as Document[];
    });
  }

  async count(ws: string, collection: string, given: Document): Promise<number> {
    const filter = native(given);
    const documents = await this.#load(this.#store, ws, collection, filter);
    const query = mingo(() => new Query(filter, OPTIONS));
    return documents.filter((d) => query.test(d)).length;
  }

  /** The unique indexes' keys of a document: claimed in the same transaction as its write. */
  async #claimKeys(tx: MetadataStore, ws: string, collection: string, document: Document, docKey: string): Promise<void> {
    for (const index of await tx.documents.listIndexes(ws, collection)) {
      if (!index.unique) continue;
      const key = JSON.parse(index.key) as Record<string, number>;
      const values = Object.keys(key).map((path) => valueAt(document, path));
      const claimed = await tx.documents.claimUniqueKey(ws, collection, index.name, EJSON.stringify(values, { relaxed: false }), docKey);
      if (!claimed) {
        const keyValue = Object.fromEntries(Object.keys(key).map((path, i) => [path, values[i]]));
        throw duplicateKey(`E11000 duplicate key error collection: ${collection} index: ${index.name} dup key: ${EJSON.stringify(keyValue)}`, EJSON.serialize(keyValue) as Document);
      }
    }
  }

  async #insertOne(tx: MetadataStore, ws: string, collection: string, document: Document): Promise<unknown> {
    const withId = '_id' in document ? document : { _id: new ObjectId(), ...document };
    checkDocument(withId);
    const text = encode(withId);
    if (Buffer.byteLength(text) > 16 * 1024 * 1024) throw new MongoError(10334, 'BSONObjectTooLarge', 'a document is at most 16 MiB');
    const key = keyOf(withId._id);
    await tx.documents.ensureCollection(ws, collection, Date.now());
    if (!(await tx.documents.insertDocument(ws, collection, key, text))) {
      throw duplicateKey(`E11000 duplicate key error collection: ${collection} index: _id_ dup key: ${EJSON.stringify({ _id: withId._id })}`, EJSON.serialize({ _id: withId._id }) as Document);
    }
    await this.#claimKeys(tx, ws, collection, withId, key);
    return withId._id;
  }

  async insert(ws: string, collection: string, documents: Document[]): Promise<unknown[]> {
    const ids: unknown[] = [];
    // Each document is its own transaction, as in MongoDB: an ordered insert keeps what came before a failure.
    for (const document of documents) {
      try {
        ids.push(await this.#store.transaction((tx) => this.#insertOne(tx, ws, collection, document)));
      } catch (error) {
        throw new PartialInsert(ids, error);
      }
    }
    return ids;
  }

  async #rewrite(tx: MetadataStore, ws: string, collection: string, before: Document, after: Document): Promise<void> {
    if (keyOf(before._id) !== keyOf(after._id)) throw new MongoError(66, 'ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
    checkDocument(after);
    const key = keyOf(after._id);
    await tx.documents.releaseUniqueKeys(ws, collection, key);
    await this.#claimKeys(tx, ws, collection, after, key);
    await tx.documents.replaceDocument(ws, collection, key, encode(after));
  }

  async update(ws: string, collection: string, given: Document, update: Document, options: { upsert: boolean; multi: boolean }): Promise<UpdateResult> {
    const filter = native(given);
    return this.#store.transaction(async (tx) => {
      const documents = await this.#load(tx, ws, collection, filter);
      const query = mingo(() => new Query(filter, OPTIONS));
      const matched = documents.filter((d) => query.test(d));
      const targets = options.multi ? matched : matched.slice(0, 1);
      const { $setOnInsert, ...modifier } = update as Document & { $setOnInsert?: Document };
      let modified = 0;
      for (const document of targets) {
        const before = encode(document);
        const copy = decode(before);
        if (Object.keys(modifier).length > 0) mingo(() => mingoUpdate([copy], {}, modifier as never, {}, OPTIONS));
        if (encode(copy) !== before) {
          await this.#rewrite(tx, ws, collection, document, copy);
          modified++;
        }
      }
      if (targets.length > 0 || !options.upsert) return { matchedCount: targets.length, modifiedCount: modified };
      // Upsert: the filter's equalities, then the update, then $setOnInsert (MongoDB's order).
      const created = equalityFields(filter);
      if (!('_id' in created)) created._id = new ObjectId();
      const set = { ...modifier, ...($setOnInsert ? { $set: { ...((modifier.$set as Document) ?? {}), ...$setOnInsert } } : {}) };
      if (Object.keys(set).length > 0) mingo(() => mingoUpdate([created], {}, set as never, {}, OPTIONS));
      const id = await this.#insertOne(tx, ws, collection, created);
      return { matchedCount: 0, modifiedCount: 0, upsertedId: id };
    });
  }

  async replace(ws: string, collection: string, given: Document, replacement: Document, options: { upsert: boolean }): Promise<UpdateResult> {
    const filter = native(given);
    return this.#store.transaction(async (tx) => {
      const documents = await this.#load(tx, ws, collection, filter);
      const query = mingo(() => new Query(filter, OPTIONS));
      const target = documents.find((d) => query.test(d));
      if (target) {
        const after = { _id: target._id, ...replacement };
        if ('_id' in replacement && keyOf(replacement._id) !== keyOf(target._id)) throw new MongoError(66, 'ImmutableField', "the replacement's _id differs from the document's");
        const changed = encode(after) !== encode(target);
        if (changed) await this.#rewrite(tx, ws, collection, target, after);
        return { matchedCount: 1, modifiedCount: changed ? 1 : 0 };
      }
      if (!options.upsert) return { matchedCount: 0, modifiedCount: 0 };
      const created = { ...('_id' in replacement ? {} : { _id: equalityFields(filter)._id ?? new ObjectId() }), ...replacement };
      return { matchedCount: 0, modifiedCount: 0, upsertedId: await this.#insertOne(tx, ws, collection, created) };
    });
  }

  async delete(ws: string, collection: string, given: Document, options: { multi: boolean }): Promise<number> {
    const filter = native(given);
    return this.#store.transaction(async (tx) => {
      const documents = await this.#load(tx, ws, collection, filter);
      const query = mingo(() => new Query(filter, OPTIONS));
      const matched = documents.filter((d) => query.test(d));
      const targets = options.multi ? matched : matched.slice(0, 1);
      for (const document of targets) await tx.documents.deleteDocument(ws, collection, keyOf(document._id));
      return targets.length;
    });
  }

  async aggregate(ws: string, collection: string, given: Document[]): Promise<Document[]> {
    const pipeline = native(given);
    const documents = await this.#load(this.#store, ws, collection, {});
    // $lookup reads other collections of the same workspace only: resolved before the run (mingo is synchronous).
    const lookups = new Map<string, Document[]>();
    const collect = (stages: Document[]) => {
      for (const stage of stages) {
        const lookup = stage.$lookup as Document | undefined;
        if (lookup) {
          lookups.set(lookup.from as string, []);
          if (Array.isArray(lookup.pipeline)) collect(lookup.pipeline as Document[]);
        }
      }
    };
    collect(pipeline);
    for (const name of lookups.keys()) lookups.set(name, (await this.#store.documents.listDocuments(ws, name)).map((row) => decode(row.doc)));
    return mingo(() => aggregate(documents, pipeline, { ...OPTIONS, collectionResolver: (name: string) => lookups.get(name) ?? [] }) as Document[]);
  }

  listCollections(ws: string) {
    return this.#store.documents.listCollections(ws);
  }

  async createIndex(ws: string, collection: string, spec: Required<IndexSpec>): Promise<string> {
    return this.#store.transaction(async (tx) => {
      const existing = (await tx.documents.listIndexes(ws, collection)).find((i) => i.name === spec.name);
      if (existing) {
        if (existing.key === JSON.stringify(spec.key) && existing.unique === spec.unique) return spec.name;
        throw new MongoError(85, 'IndexOptionsConflict', `an index named ${spec.name} exists with other options`);
      }
      await tx.documents.ensureCollection(ws, collection, Date.now());
      await tx.documents.insertIndex(ws, collection, { name: spec.name, key: JSON.stringify(spec.key), unique: spec.unique });
      // A unique index over documents that already collide is refused, as MongoDB does.
      if (spec.unique) for (const row of await tx.documents.listDocuments(ws, collection)) await this.#claimKeys(tx, ws, collection, decode(row.doc), row.key);
      return spec.name;
    });
  }

  async listIndexes(ws: string, collection: string): Promise<Required<IndexSpec>[]> {
    const stored = await this.#store.documents.listIndexes(ws, collection);
    const collections = await this.#store.documents.listCollections(ws);
    if (!collections.includes(collection)) throw new MongoError(26, 'NamespaceNotFound', `collection ${collection} does not exist`);
    return [{ key: { _id: 1 }, name: '_id_', unique: false }, ...stored.map((i) => ({ key: JSON.parse(i.key) as Record<string, 1 | -1>, name: i.name, unique: i.unique }))];
  }

  async dropIndex(ws: string, collection: string, name: string): Promise<void> {
    if (name === '_id_') throw new MongoError(72, 'InvalidOptions', 'cannot drop _id index');
    if (!(await this.#store.transaction((tx) => tx.documents.dropIndex(ws, collection, name)))) throw new MongoError(27, 'IndexNotFound', `index not found with name [${name}]`);
  }

  usage(workspaceIds: readonly string[]) {
    return this.#store.documents.usage(workspaceIds);
  }

  async close(): Promise<void> {}
}
