import { MongoBulkWriteError, MongoClient, MongoServerError, type Document as DriverDocument } from 'mongodb';
import { ApiError } from '../../errors.ts';
import { PartialInsert, type Document, type FindOptions, type MongoEngine, type UpdateResult } from './engine.ts';
import { MongoError } from './errors.ts';
import type { IndexSpec } from './rules.ts';
import { checkDocumentForFerret, checkFilterForFerret, checkPipelineForFerret, checkUpdateForFerret } from './ferretdb-gaps.ts';

/**
 * A real MongoDB-wire server (MongoDB itself, or FerretDB on PostgreSQL) through the official
 * driver: one database per workspace, named by its id. What the server lacks it answers with
 * its own code (FerretDB: NotImplemented, 238), which the API turns into 422.
 */

function fromDriver(error: unknown): unknown {
  if (error instanceof MongoServerError) {
    // FerretDB answers a unique index broken by an update with code 1 and PostgreSQL's own 23505 text.
    if (error.code === 1 && /duplicate key|23505/.test(error.message)) return new MongoError(11000, 'DuplicateKey', 'E11000 duplicate key error');
    const code = typeof error.code === 'number' ? error.code : 1;
    return new MongoError(code, error.codeName ?? 'Error', error.errmsg ?? error.message, error.keyValue as Record<string, unknown> | undefined);
  }
  if (error instanceof Error && /Mongo(Network|ServerSelection|Topology)/.test(error.name)) {
    return new ApiError(503, 'DATABASE_UNAVAILABLE', `the MongoDB server is not reachable: ${error.message}`, { 'retry-after': '1' });
  }
  return error;
}

async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw fromDriver(error);
  }
}

export class DriverMongoEngine implements MongoEngine {
  readonly kind = 'driver' as const;
  readonly #client: MongoClient;
  #ferret: Promise<boolean> | undefined;

  constructor(url: string) {
    this.#client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000, appName: 'slipstream-data' });
  }

  /** FerretDB says so in buildInfo; its silent gaps (ferretdb-gaps.ts) are then refused up front. */
  async #isFerret(): Promise<boolean> {
    this.#ferret ??= this.#client.db('admin').command({ buildInfo: 1 }).then((info) => typeof info.ferretdbVersion === 'string');
    this.#ferret.catch(() => (this.#ferret = undefined));
    return this.#ferret;
  }

  async #check(run: () => void): Promise<void> {
    if (await call(() => this.#isFerret())) run();
  }

  #collection(ws: string, collection: string) {
    return this.#client.db(ws).collection<DriverDocument>(collection);
  }

  async find(ws: string, collection: string, options: FindOptions): Promise<Document[]> {
    await this.#check(() => checkFilterForFerret(options.filter));
    return call(() => {
      let cursor = this.#collection(ws, collection).find(options.filter, options.projection ? { projection: options.projection } : {});
      if (options.sort && Object.keys(options.sort).length > 0) cursor = cursor.sort(options.sort);
      if (options.skip) cursor = cursor.skip(options.skip);
      if (options.limit !== undefined) cursor = cursor.limit(options.limit);
      return cursor.toArray();
    });
  }

  count(ws: string, collection: string, filter: Document): Promise<number> {
    return call(() => this.#collection(ws, collection).countDocuments(filter));
  }

  async insert(ws: string, collection: string, documents: Document[]): Promise<unknown[]> {
    try {
      await this.#check(() => documents.forEach(checkDocumentForFerret));
      const result = await this.#collection(ws, collection).insertMany(documents, { ordered: true });
      return documents.map((_, i) => result.insertedIds[i]);
    } catch (error) {
      if (error instanceof MongoBulkWriteError) {
        const inserted = Object.values(error.result.insertedIds ?? {}).slice(0, error.result.insertedCount);
        const first = error.writeErrors instanceof Array ? error.writeErrors[0] : error.writeErrors;
        throw new PartialInsert(inserted, new MongoError(Number(first?.code ?? error.code ?? 1), 'WriteError', first?.errmsg ?? error.message, (first?.err as { keyValue?: Record<string, unknown> } | undefined)?.keyValue));
      }
      throw new PartialInsert([], fromDriver(error));
    }
  }

  async update(ws: string, collection: string, filter: Document, update: Document, options: { upsert: boolean; multi: boolean }): Promise<UpdateResult> {
    await this.#check(() => {
      checkFilterForFerret(filter);
      checkUpdateForFerret(update);
    });
    return call(async () => {
      const c = this.#collection(ws, collection);
      const result = options.multi ? await c.updateMany(filter, update, { upsert: options.upsert }) : await c.updateOne(filter, update, { upsert: options.upsert });
      return { matchedCount: result.matchedCount, modifiedCount: result.modifiedCount, ...(result.upsertedId !== null && result.upsertedId !== undefined ? { upsertedId: result.upsertedId } : {}) };
    });
  }

  async replace(ws: string, collection: string, filter: Document, replacement: Document, options: { upsert: boolean }): Promise<UpdateResult> {
    await this.#check(() => {
      checkFilterForFerret(filter);
      checkDocumentForFerret(replacement);
    });
    return call(async () => {
      const result = await this.#collection(ws, collection).replaceOne(filter, replacement, { upsert: options.upsert });
      return { matchedCount: result.matchedCount, modifiedCount: result.modifiedCount, ...(result.upsertedId !== null && result.upsertedId !== undefined ? { upsertedId: result.upsertedId } : {}) };
    });
  }

  async delete(ws: string, collection: string, filter: Document, options: { multi: boolean }): Promise<number> {
    await this.#check(() => checkFilterForFerret(filter));
    return call(async () => {
      const c = this.#collection(ws, collection);
      return (options.multi ? await c.deleteMany(filter) : await c.deleteOne(filter)).deletedCount;
    });
  }

  async aggregate(ws: string, collection: string, pipeline: Document[]): Promise<Document[]> {
    await this.#check(() => checkPipelineForFerret(pipeline));
    return call(() => this.#collection(ws, collection).aggregate(pipeline).toArray());
  }

  listCollections(ws: string): Promise<string[]> {
    return call(async () => (await this.#client.db(ws).listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort());
  }

  createIndex(ws: string, collection: string, spec: Required<IndexSpec>): Promise<string> {
    return call(() => this.#collection(ws, collection).createIndex(spec.key, { name: spec.name, unique: spec.unique }));
  }

  listIndexes(ws: string, collection: string): Promise<Required<IndexSpec>[]> {
    return call(async () => (await this.#collection(ws, collection).listIndexes().toArray()).map((i) => ({ key: i.key as Record<string, 1 | -1>, name: i.name as string, unique: i.unique === true })));
  }

  dropIndex(ws: string, collection: string, name: string): Promise<void> {
    return call(async () => {
      await this.#collection(ws, collection).dropIndex(name);
    });
  }

  /** `dbStats` per workspace database: objects and data size, as the server counts them. */
  usage(workspaceIds: readonly string[]): Promise<{ documents: number; bytes: number }> {
    return call(async () => {
      let documents = 0;
      let bytes = 0;
      for (const ws of workspaceIds) {
        const stats = await this.#client.db(ws).stats();
        documents += Number(stats.objects ?? 0);
        bytes += Number(stats.dataSize ?? 0);
      }
      return { documents, bytes };
    });
  }

  async close(): Promise<void> {
    await this.#client.close();
  }
}
