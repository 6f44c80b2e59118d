import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { ApiError } from '../../errors.ts';
import { bearerSecurity, callerOf, errorResponses, type PlatformDeps } from '../../control-plane/routes/platform/context.ts';
import { dataWorkspace, requireDataQuota, type DataDeps } from '../gates.ts';
import { PartialInsert, type Document, type MongoEngine } from './engine.ts';
import { badValue, toMongoApiError } from './errors.ts';
import { jsonText, parseEjson, parseEjsonText, parseId, serialize } from './ejson.ts';
import { parseBulk, parseFilter, runBulk } from './operations.ts';
import { checkCollectionName, checkDocument, checkIndexSpec, checkPipeline, checkUpdate } from './rules.ts';
import { EmbeddedMongoEngine } from './embedded.ts';

/**
 * The Mongo data API: the shapes of the Atlas Data API (retired in 2025) as REST routes —
 * find with filter/projection/sort/limit/skip in Extended JSON, inserts answering their ids,
 * update operators, aggregation, bulk writes, indexes — on the embedded engine or a real
 * MongoDB-wire server (MONGODB_URL; FerretDB in the tests).
 */

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
/** An aggregation may answer at most this many documents (page it with $skip/$limit). */
export const MAX_AGGREGATE_DOCUMENTS = 10_000;
const MAX_INSERT = 1000;

type Params = { workspaceId: string; col: string; id: string; name: string };
const common = { tags: ['MongoDB data'], security: bearerSecurity };
const collectionParams = { type: 'object', required: ['workspaceId', 'col'], properties: { workspaceId: { type: 'string', maxLength: 128 }, col: { type: 'string', maxLength: 235 } } } as const;
const documentParams = { type: 'object', required: ['workspaceId', 'col', 'id'], properties: { ...collectionParams.properties, id: { type: 'string', maxLength: 1024 } } } as const;
const indexParams = { type: 'object', required: ['workspaceId', 'col', 'name'], properties: { ...collectionParams.properties, name: { type: 'string', maxLength: 128 } } } as const;
const anything = { type: 'object', additionalProperties: true } as const;

/** Answers in relaxed Extended JSON, or canonical for `Accept: application/ejson`. */
function send(request: FastifyRequest, reply: FastifyReply, status: number, body: unknown) {
  const canonical = /application\/ejson/i.test(String(request.headers.accept ?? ''));
  return reply.code(status).type(canonical ? 'application/ejson; charset=utf-8' : 'application/json; charset=utf-8').send(JSON.stringify(serialize(body, canonical)));
}

function queryText(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badValue(`${name} is given more than once`);
  return value;
}

function integer(text: string | undefined, name: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text) || Number(text) < min || Number(text) > max) throw badValue(`${name} must be an integer from ${min} to ${max}`);
  return Number(text);
}

/** A page's cursor: where the next page starts, bound to the query it pages (another query cannot use it). */
function cursorFor(skip: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ skip, q: fingerprint })).toString('base64url');
}

function readCursor(cursor: string, fingerprint: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { skip?: unknown; q?: unknown };
    if (typeof parsed.skip === 'number' && Number.isInteger(parsed.skip) && parsed.skip >= 0 && parsed.q === fingerprint) return parsed.skip;
  } catch {
    // answered below
  }
  throw new ApiError(400, 'INVALID_CURSOR', 'cursor is not one this query answered; start again without it');
}

function sortOf(value: unknown): Record<string, 1 | -1> | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badValue('sort must be an object such as {"createdAt": -1}');
  for (const [field, direction] of Object.entries(value)) if (direction !== 1 && direction !== -1) throw badValue(`sort ${field}: the direction is 1 or -1`);
  return value as Record<string, 1 | -1>;
}

function projectionOf(value: unknown): Document | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badValue('projection must be an object such as {"name": 1}');
  for (const [field, include] of Object.entries(value)) {
    if (field.startsWith('$') || (include !== 0 && include !== 1 && include !== true && include !== false)) throw badValue(`projection ${field}: 0 or 1 (expressions are for aggregate)`);
  }
  return value as Document;
}

export function mongoRoutes(app: FastifyInstance, deps: PlatformDeps & DataDeps): void {
  const engine: MongoEngine = deps.data.mongo ?? new EmbeddedMongoEngine(deps.store);
  app.addHook('onClose', async () => engine.close());

  const guarded = <T>(run: () => Promise<T>) => run().catch((error: unknown) => {
    if (error instanceof PartialInsert) {
      const answer = toMongoApiError(error.error);
      if (answer instanceof ApiError) answer.details = { ...answer.details, insertedIds: serialize(error.insertedIds, false) };
      throw answer;
    }
    throw toMongoApiError(error);
  });

  /** The gates, then the collection name checked. */
  async function open(request: FastifyRequest, scope: 'data:read' | 'data:write') {
    const params = request.params as Params;
    const workspace = await dataWorkspace(deps, callerOf(request), params.workspaceId, 'mongo', scope);
    if (params.col !== undefined) checkCollectionName(params.col);
    return { workspace, ws: params.workspaceId, collection: params.col, params };
  }

  app.get('/v1/mongo/:workspaceId/collections', {
    config: { bearer: true },
    schema: { ...common, summary: "List the workspace's collections", params: { type: 'object', required: ['workspaceId'], properties: { workspaceId: { type: 'string', maxLength: 128 } } }, response: { 200: { type: 'object', properties: { items: { type: 'array', items: { type: 'string' } } } }, ...errorResponses } },
  }, async (request) => guarded(async () => {
    const { ws } = await open(request, 'data:read');
    return { items: await engine.listCollections(ws) };
  }));

  app.get('/v1/mongo/:workspaceId/collections/:col/documents', {
    config: { bearer: true },
    schema: {
      ...common,
      summary: 'Find documents: filter, projection and sort as Extended JSON; limit (1–1000, default 100), skip, cursor',
      params: collectionParams,
      querystring: { type: 'object', additionalProperties: false, properties: { filter: { type: 'string', maxLength: 65_536 }, projection: { type: 'string', maxLength: 8192 }, sort: { type: 'string', maxLength: 4096 }, limit: { type: 'string', maxLength: 9 }, skip: { type: 'string', maxLength: 9 }, cursor: { type: 'string', maxLength: 512 } } },
      response: { 200: anything, ...errorResponses },
    },
  }, async (request, reply) => guarded(async () => {
    const { ws, collection } = await open(request, 'data:read');
    const query = request.query as Record<string, unknown>;
    const filterText = queryText(query, 'filter');
    // Read as Extended JSON once: a second pass would turn values it made (a BSONRegExp) into plain objects.
    const filter = filterText === undefined ? {} : parseFilter(jsonText(filterText, 'filter'));
    const projectionText = queryText(query, 'projection');
    const projection = projectionText === undefined ? undefined : projectionOf(parseEjsonText(projectionText, 'projection'));
    const sortText = queryText(query, 'sort');
    const sort = sortText === undefined ? undefined : sortOf(parseEjsonText(sortText, 'sort'));
    const limit = integer(queryText(query, 'limit'), 'limit', 1, MAX_LIMIT) ?? DEFAULT_LIMIT;
    const fingerprint = createHash('sha256').update(`${collection}\n${filterText ?? ''}\n${projectionText ?? ''}\n${sortText ?? ''}`).digest('base64url').slice(0, 16);
    const cursor = queryText(query, 'cursor');
    const skip = cursor !== undefined ? readCursor(cursor, fingerprint) : integer(queryText(query, 'skip'), 'skip', 0, 100_000_000) ?? 0;
    // Unsorted pages are in natural order, which both engines keep stable: _id order is not assumed.
    const page = await engine.find(ws, collection, { filter, ...(projection ? { projection } : {}), ...(sort ? { sort } : {}), skip, limit: limit + 1 });
    const more = page.length > limit;
    return send(request, reply, 200, { documents: page.slice(0, limit), nextCursor: more ? cursorFor(skip + limit, fingerprint) : null });
  }));

  app.get('/v1/mongo/:workspaceId/collections/:col/documents/:id', {
    config: { bearer: true },
    schema: { ...common, summary: 'Get one document by _id (24 hex digits are an ObjectId; Extended JSON text for other types)', params: documentParams, response: { 200: anything, ...errorResponses } },
  }, async (request, reply) => guarded(async () => {
    const { ws, collection, params } = await open(request, 'data:read');
    const [document] = await engine.find(ws, collection, { filter: { _id: parseId(params.id) }, limit: 1 });
    if (!document) throw new ApiError(404, 'DOCUMENT_NOT_FOUND', `no document with _id ${params.id} in ${collection}`);
    return send(request, reply, 200, { document });
  }));

  app.post('/v1/mongo/:workspaceId/collections/:col/documents', {
    config: { bearer: true, mutation: true },
    schema: { ...common, summary: 'Insert one document ({"document": …} or the document) or many ({"documents": […]} or an array); the collection is made on first insert', params: collectionParams, response: { 201: anything, ...errorResponses } },
  }, async (request, reply) => guarded(async () => {
    const { workspace, ws, collection } = await open(request, 'data:write');
    const body = request.body as unknown;
    const wrapped = body !== null && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 1 ? (body as Document) : undefined;
    const many = Array.isArray(body) ? body : Array.isArray(wrapped?.documents) ? (wrapped.documents as unknown[]) : undefined;
    const raw = many ?? [wrapped && 'document' in wrapped ? wrapped.document : body];
    if (raw.length === 0 || raw.length > MAX_INSERT) throw badValue(`insert 1 to ${MAX_INSERT} documents at a time`);
    const documents = raw.map((item, i) => checkDocument(parseEjson(item, `documents[${i}]`)));
    await requireDataQuota(deps, workspace, documents.length);
    const ids = await engine.insert(ws, collection, documents);
    return send(request, reply, 201, many ? { insertedIds: ids } : { insertedId: ids[0] });
  }));

  const updateById = async (request: FastifyRequest, reply: FastifyReply, replace: boolean) => {
    const { workspace, ws, collection, params } = await open(request, 'data:write');
    const body = request.body as Document;
    const filter = { _id: parseId(params.id) };
    let result;
    if (replace) {
      const replacement = checkDocument(parseEjson(body.replacement ?? body, 'replacement'));
      await requireDataQuota(deps, workspace, 0);
      result = await engine.replace(ws, collection, filter, replacement as Document, { upsert: body.upsert === true && body.replacement !== undefined });
    } else {
      // {"update": {...}, "upsert": true}, or the operators themselves.
      const update = parseEjson(body.update ?? body, 'update') as Document;
      checkUpdate(update);
      const upsert = body.update !== undefined && body.upsert === true;
      if (upsert) await requireDataQuota(deps, workspace, 1);
      result = await engine.update(ws, collection, filter, update, { upsert, multi: false });
    }
    if (result.matchedCount === 0 && result.upsertedId === undefined) throw new ApiError(404, 'DOCUMENT_NOT_FOUND', `no document with _id ${params.id} in ${collection}`);
    return send(request, reply, 200, result);
  };

  app.patch('/v1/mongo/:workspaceId/collections/:col/documents/:id', {
    config: { bearer: true, mutation: true },
    schema: { ...common, summary: 'Update one document with update operators ({"$set": …}, or {"update": {…}, "upsert": true})', params: documentParams, response: { 200: anything, ...errorResponses } },
  }, async (request, reply) => guarded(() => updateById(request, reply, false)));

  app.put('/v1/mongo/:workspaceId/collections/:col/documents/:id', {
    config: { bearer: true, mutation: true },
    schema: { ...common, summary: 'Replace one document (its _id kept)', params: documentParams, response: { 200: anything, ...errorResponses } },
  }, async (request, reply) => guarded(() => updateById(request, reply, true)));

  app.delete('/v1/mongo/:workspaceId/collections/:col/documents/:id', {
    config: { bearer: true, mutation: true },
    schema: { ...common, summary: 'Delete one document', params: documentParams, response: { 200: anything, ...errorResponses } },
  }, async (request, reply) => guarded(async () => {
    const { ws, collection, params } = await open(request, 'data:write');
    const deleted = await engine.delete(ws, collection, { _id: parseId(params.id) }, { multi: false });
    if (deleted === 0) throw new ApiError(404, 'DOCUMENT_NOT_FOUND', `no document with _id ${params.id} in ${collection}`);
    return send(request, reply, 200, { deletedCount: deleted });
  }));

  app.post('/v1/mongo/:workspaceId/collections/:col/aggregate', {
    // It reads, whatever its method: no write scope, no idempotency record.
    config: { bearer: true },
    schema: { ...common, summary: 'Run an aggregation pipeline ($match, $group, $project, $sort, $limit, $skip, $unwind, $lookup, $count, …)', params: collectionParams, body: { type: 'object', additionalProperties: false, required: ['pipeline'], properties: { pipeline: { type: 'array', maxItems: 100 } } }, response: { 200: anything, ...errorResponses } },
  }, async (request, reply) => guarded(async () => {
    const { ws, collection } = await open(request, 'data:read');
    const pipeline = checkPipeline(parseEjson((request.body as Document).pipeline, 'pipeline'));
    // One more than the cap tells "too many" from "exactly the cap".
    const documents = await engine.aggregate(ws, collection, [...pipeline, { $limit: MAX_AGGREGATE_DOCUMENTS + 1 }]);
    if (documents.length > MAX_AGGREGATE_DOCUMENTS) throw new ApiError(413, 'RESULT_TOO_LARGE', `the pipeline answers more than ${MAX_AGGREGATE_DOCUMENTS} documents; end it with $skip/$limit to page`);
    return send(request, reply, 200, { documents });
  }));

  app.post('/v1/mongo/:workspaceId/collections/:col/bulk', {
    config: { bearer: true, mutation: true },
    schema: { ...common, summary: 'Bulk writes: insertOne, updateOne, updateMany, replaceOne, deleteOne, deleteMany; ordered (default) or not', params: collectionParams, body: { type: 'object', additionalProperties: false, required: ['operations'], properties: { operations: { type: 'array' }, ordered: { type: 'boolean' } } }, response: { 200: anything, ...errorResponses } },
  }, async (request, reply) => guarded(async () => {
    const { workspace, ws, collection } = await open(request, 'data:write');
    const body = request.body as { operations: unknown; ordered?: boolean };
    const operations = parseBulk(body.operations);
    const adding = operations.filter((op) => 'insertOne' in op || ('updateOne' in op && op.updateOne.upsert) || ('updateMany' in op && op.updateMany.upsert) || ('replaceOne' in op && op.replaceOne.upsert)).length;
    await requireDataQuota(deps, workspace, adding);
    return send(request, reply, 200, await runBulk(engine, ws, collection, operations, body.ordered !== false));
  }));

  app.get('/v1/mongo/:workspaceId/collections/:col/indexes', {
    config: { bearer: true },
    schema: { ...common, summary: "List a collection's indexes", params: collectionParams, response: { 200: anything, ...errorResponses } },
  }, async (request, reply) => guarded(async () => {
    const { ws, collection } = await open(request, 'data:read');
    return send(request, reply, 200, { items: await engine.listIndexes(ws, collection) });
  }));

  app.post('/v1/mongo/:workspaceId/collections/:col/indexes', {
    config: { bearer: true, mutation: true },
    schema: { ...common, summary: 'Create an index {key: {field: 1 | -1}, name?, unique?}; a unique one refuses duplicates with 409', params: collectionParams, body: anything, response: { 201: anything, ...errorResponses } },
  }, async (request, reply) => guarded(async () => {
    const { ws, collection } = await open(request, 'data:write');
    const name = await engine.createIndex(ws, collection, checkIndexSpec(request.body));
    return send(request, reply, 201, { name });
  }));

  app.delete('/v1/mongo/:workspaceId/collections/:col/indexes/:name', {
    config: { bearer: true, mutation: true },
    schema: { ...common, summary: 'Drop an index', params: indexParams, response: { 204: { type: 'null' }, ...errorResponses } },
  }, async (request, reply) => guarded(async () => {
    const { ws, collection, params } = await open(request, 'data:write');
    await engine.dropIndex(ws, collection, params.name);
    return reply.code(204).send();
  }));
}

