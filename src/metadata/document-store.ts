import type { SqlExecutor } from './sql.ts';

/**
 * The embedded engine of the Mongo data API (data/mongo/embedded.ts) keeps its documents here:
 * canonical Extended JSON text per document, keyed by the canonical EJSON of its `_id` (so
 * `{"$oid":…}` and the string of the same hex are two ids, as in MongoDB); unique indexes as
 * rows of a key table whose primary key is the constraint. Reached as `MetadataStore.documents`.
 */
export interface StoredIndex {
  name: string;
  /** `{"field": 1 | -1, …}` as JSON. */
  key: string;
  unique: boolean;
}

export interface DocumentStore {
  listCollections(workspaceId: string): Promise<string[]>;
  /** Makes the collection if it is not there (collections are made on first insert). */
  ensureCollection(workspaceId: string, collection: string, now: number): Promise<void>;
  dropCollection(workspaceId: string, collection: string): Promise<boolean>;
  /** Every document of the collection (canonical EJSON), in insertion order. */
  listDocuments(workspaceId: string, collection: string): Promise<{ key: string; doc: string }[]>;
  getDocument(workspaceId: string, collection: string, key: string): Promise<string | undefined>;
  /** Inserts; false when the key is taken (a duplicate `_id`). */
  insertDocument(workspaceId: string, collection: string, key: string, doc: string): Promise<boolean>;
  replaceDocument(workspaceId: string, collection: string, key: string, doc: string): Promise<void>;
  deleteDocument(workspaceId: string, collection: string, key: string): Promise<void>;

  listIndexes(workspaceId: string, collection: string): Promise<StoredIndex[]>;
  insertIndex(workspaceId: string, collection: string, index: StoredIndex): Promise<boolean>;
  dropIndex(workspaceId: string, collection: string, name: string): Promise<boolean>;
  /** Claims a unique index's key value for a document; false when another document holds it. */
  claimUniqueKey(workspaceId: string, collection: string, index: string, value: string, docKey: string): Promise<boolean>;
  releaseUniqueKeys(workspaceId: string, collection: string, docKey: string): Promise<void>;

  /** Documents and their bytes (EJSON text) over the workspaces. */
  usage(workspaceIds: readonly string[]): Promise<{ documents: number; bytes: number }>;
}

export class SqlDocumentStore implements DocumentStore {
  private readonly db: SqlExecutor;
  constructor(db: SqlExecutor) {
    this.db = db;
  }

  async listCollections(workspaceId: string) {
    const rows = await this.db.all<{ name: string }>('SELECT name FROM mongo_collections WHERE workspace_id = ? ORDER BY name', [workspaceId]);
    return rows.map((r) => r.name);
  }

  async ensureCollection(workspaceId: string, collection: string, now: number) {
    await this.db.run('INSERT INTO mongo_collections (workspace_id, name, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [workspaceId, collection, now]);
  }

  async dropCollection(workspaceId: string, collection: string) {
    await this.db.run('DELETE FROM mongo_unique_keys WHERE workspace_id = ? AND collection = ?', [workspaceId, collection]);
    await this.db.run('DELETE FROM mongo_indexes WHERE workspace_id = ? AND collection = ?', [workspaceId, collection]);
    await this.db.run('DELETE FROM mongo_documents WHERE workspace_id = ? AND collection = ?', [workspaceId, collection]);
    return (await this.db.run('DELETE FROM mongo_collections WHERE workspace_id = ? AND name = ?', [workspaceId, collection])) > 0;
  }

  listDocuments(workspaceId: string, collection: string) {
    return this.db.all<{ key: string; doc: string }>('SELECT doc_key AS key, doc FROM mongo_documents WHERE workspace_id = ? AND collection = ? ORDER BY seq', [workspaceId, collection]);
  }

  async getDocument(workspaceId: string, collection: string, key: string) {
    return (await this.db.get<{ doc: string }>('SELECT doc FROM mongo_documents WHERE workspace_id = ? AND collection = ? AND doc_key = ?', [workspaceId, collection, key]))?.doc;
  }

  async insertDocument(workspaceId: string, collection: string, key: string, doc: string) {
    // seq keeps insertion order (MongoDB's natural order) across both dialects.
    const changed = await this.db.run(
      `INSERT INTO mongo_documents (workspace_id, collection, doc_key, doc, bytes, seq)
       SELECT ?, ?, ?, ?, ?, coalesce(max(seq), 0) + 1 FROM mongo_documents WHERE workspace_id = ? AND collection = ?
       ON CONFLICT DO NOTHING`,
      [workspaceId, collection, key, doc, Buffer.byteLength(doc), workspaceId, collection],
    );
    return changed > 0;
  }

  async replaceDocument(workspaceId: string, collection: string, key: string, doc: string) {
    await this.db.run('UPDATE mongo_documents SET doc = ?, bytes = ? WHERE workspace_id = ? AND collection = ? AND doc_key = ?', [doc, Buffer.byteLength(doc), workspaceId, collection, key]);
  }

  async deleteDocument(workspaceId: string, collection: string, key: string) {
    await this.releaseUniqueKeys(workspaceId, collection, key);
    await this.db.run('DELETE FROM mongo_documents WHERE workspace_id = ? AND collection = ? AND doc_key = ?', [workspaceId, collection, key]);
  }

  async listIndexes(workspaceId: string, collection: string) {
    const rows = await this.db.all<{ name: string; key: string; is_unique: number }>('SELECT name, key, is_unique FROM mongo_indexes WHERE workspace_id = ? AND collection = ? ORDER BY created_seq', [workspaceId, collection]);
    return rows.map((r) => ({ name: r.name, key: r.key, unique: Number(r.is_unique) === 1 }));
  }

  async insertIndex(workspaceId: string, collection: string, index: StoredIndex) {
    const changed = await this.db.run(
      `INSERT INTO mongo_indexes (workspace_id, collection, name, key, is_unique, created_seq)
       SELECT ?, ?, ?, ?, ?, coalesce(max(created_seq), 0) + 1 FROM mongo_indexes WHERE workspace_id = ? AND collection = ?
       ON CONFLICT DO NOTHING`,
      [workspaceId, collection, index.name, index.key, index.unique ? 1 : 0, workspaceId, collection],
    );
    return changed > 0;
  }

  async dropIndex(workspaceId: string, collection: string, name: string) {
    await this.db.run('DELETE FROM mongo_unique_keys WHERE workspace_id = ? AND collection = ? AND index_name = ?', [workspaceId, collection, name]);
    return (await this.db.run('DELETE FROM mongo_indexes WHERE workspace_id = ? AND collection = ? AND name = ?', [workspaceId, collection, name])) > 0;
  }

  async claimUniqueKey(workspaceId: string, collection: string, index: string, value: string, docKey: string) {
    const changed = await this.db.run('INSERT INTO mongo_unique_keys (workspace_id, collection, index_name, key_value, doc_key) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [workspaceId, collection, index, value, docKey]);
    return changed > 0;
  }

  async releaseUniqueKeys(workspaceId: string, collection: string, docKey: string) {
    await this.db.run('DELETE FROM mongo_unique_keys WHERE workspace_id = ? AND collection = ? AND doc_key = ?', [workspaceId, collection, docKey]);
  }

  async usage(workspaceIds: readonly string[]) {
    if (workspaceIds.length === 0) return { documents: 0, bytes: 0 };
    const row = await this.db.get<{ documents: number | string; bytes: number | string | null }>(
      `SELECT count(*) AS documents, sum(bytes) AS bytes FROM mongo_documents WHERE workspace_id IN (${workspaceIds.map(() => '?').join(', ')})`,
      [...workspaceIds],
    );
    return { documents: Number(row?.documents ?? 0), bytes: Number(row?.bytes ?? 0) };
  }
}
