import type { IndexSpec } from './rules.ts';

/**
 * The engine behind the Mongo data API: the embedded one (mingo over the metadata store,
 * embedded.ts) or a real MongoDB-wire server through the official driver (driver-engine.ts).
 * Documents cross this interface as bson values (ObjectId, Date, Long); requests are already
 * checked by rules.ts. Errors are MongoError with MongoDB's codes.
 */
export type Document = Record<string, unknown>;

export interface FindOptions {
  filter: Document;
  projection?: Document;
  sort?: Record<string, 1 | -1>;
  skip?: number;
  limit?: number;
}

export interface UpdateResult {
  matchedCount: number;
  modifiedCount: number;
  upsertedId?: unknown;
}

export interface MongoEngine {
  readonly kind: 'embedded' | 'driver';
  find(workspaceId: string, collection: string, options: FindOptions): Promise<Document[]>;
  count(workspaceId: string, collection: string, filter: Document): Promise<number>;
  /** Inserts in order; the first failure stops and is thrown with the ids inserted before it. */
  insert(workspaceId: string, collection: string, documents: Document[]): Promise<unknown[]>;
  update(workspaceId: string, collection: string, filter: Document, update: Document, options: { upsert: boolean; multi: boolean }): Promise<UpdateResult>;
  replace(workspaceId: string, collection: string, filter: Document, replacement: Document, options: { upsert: boolean }): Promise<UpdateResult>;
  delete(workspaceId: string, collection: string, filter: Document, options: { multi: boolean }): Promise<number>;
  aggregate(workspaceId: string, collection: string, pipeline: Document[]): Promise<Document[]>;
  listCollections(workspaceId: string): Promise<string[]>;
  createIndex(workspaceId: string, collection: string, spec: Required<IndexSpec>): Promise<string>;
  listIndexes(workspaceId: string, collection: string): Promise<Required<IndexSpec>[]>;
  dropIndex(workspaceId: string, collection: string, name: string): Promise<void>;
  usage(workspaceIds: readonly string[]): Promise<{ documents: number; bytes: number }>;
  close(): Promise<void>;
}

/** A write that failed part-way: what was done before it (MongoDB's ordered insertMany). */
export class PartialInsert extends Error {
  readonly insertedIds: unknown[];
  readonly error: unknown;
  constructor(insertedIds: unknown[], error: unknown) {
    super(error instanceof Error ? error.message : String(error));
    this.name = 'PartialInsert';
    this.insertedIds = insertedIds;
    this.error = error;
  }
}
