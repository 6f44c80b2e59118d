/**
 * Table-driven Kafka codec: it interprets the definitions in messages.generated.ts. For each
 * (message, version) the field list is compiled once into a plan (which fields are on the wire,
 * tagged or absent, and a numeric op per value), so encoding and decoding are plain loops with a
 * switch, no per-field closures.
 *
 * Decoded bodies use camelCase field names and hold every field of the message: fields the
 * version does not carry get their default. On encode, fields the version does not carry are
 * left out, and missing (`undefined`) values are written as their default. `records` fields are
 * raw `Buffer | null` views into the input, never decoded or re-encoded.
 */
import { ProtocolError, type RequestHeader } from './errors.ts';
import {
  RequestHeaderDef, ResponseHeaderDef, requestDefs, responseDefs,
  type ApiKey, type RequestBodies, type ResponseBodies,
} from './messages.generated.ts';
import { Reader } from './reader.ts';
import { inVersions, parseVersions, type FieldDef, type MessageDef } from './schema.ts';
import { Writer } from './writer.ts';

export type Body = Record<string, unknown>;

/** What encoders accept: the decoded shape with every field optional (missing → default). */
export type BodyInput<T> = T extends Buffer | string | number | bigint | boolean | null | undefined ? T
  : T extends readonly (infer E)[] ? readonly BodyInput<E>[]
  : { [P in keyof T]?: BodyInput<T[P]> };

export interface DecodedRequest<K extends ApiKey = ApiKey> {
  header: RequestHeader & { apiKey: K };
  body: RequestBodies[K];
  /**
   * Bytes left after a well-formed body, ignored as Apache Kafka's broker ignores them (it reads
   * the fields it knows and drops the rest). librdkafka 2.x sends 3 such bytes with every
   * Metadata v9+ "all topics" request: it reserves a 4-byte array count and never shrinks it to
   * the compact varint.
   */
  trailingBytes: number;
}

export interface DecodedResponse<B = Body> {
  correlationId: number;
  body: B;
}

type RequestBodyInput<K extends number> = K extends ApiKey ? BodyInput<RequestBodies[K]> : Body;
type ResponseBodyInput<K extends number> = K extends ApiKey ? BodyInput<ResponseBodies[K]> : Body;
type ResponseBody<K extends number> = K extends ApiKey ? ResponseBodies[K] : Body;

// ---- plans ---------------------------------------------------------------------------------

// Value ops: how one value (one element, for an array) is read and written.
const BOOL = 0, INT8 = 1, INT16 = 2, UINT16 = 3, INT32 = 4, UINT32 = 5, INT64 = 6, FLOAT64 = 7, UUID = 8;
const STRING = 9, NULLABLE_STRING = 10, COMPACT_STRING = 11, COMPACT_NULLABLE_STRING = 12;
const BYTES = 13, NULLABLE_BYTES = 14, COMPACT_BYTES = 15, COMPACT_NULLABLE_BYTES = 16;
const STRUCT = 17, NULLABLE_STRUCT = 18;
// Array encodings.
const SCALAR = 0, ARRAY = 1, COMPACT_ARRAY = 2;
// Where a field is in a given version.
const REGULAR = 0, TAGGED = 1, ABSENT = 2;

const FIXED: Record<string, [op: number, size: number, zero: unknown]> = {
  bool: [BOOL, 1, false], int8: [INT8, 1, 0], int16: [INT16, 2, 0], uint16: [UINT16, 2, 0],
  int32: [INT32, 4, 0], uint32: [UINT32, 4, 0], int64: [INT64, 8, 0n], float64: [FLOAT64, 8, 0],
  uuid: [UUID, 16, '00000000-0000-0000-0000-000000000000'],
};
const EMPTY = Buffer.alloc(0);

interface FieldPlan {
  readonly name: string;
  readonly mode: number;
  readonly tag: number;
  readonly op: number;
  readonly array: number;
  /** The field itself may be null (for an array: the array, not its elements). */
  readonly nullable: boolean;
  readonly struct: StructPlan | undefined;
  /** Fewest bytes one value (one element, for arrays) takes on the wire; at least 1. */
  readonly minSize: number;
  readonly defaultNull: boolean;
  /** Default of a scalar field (arrays and structs get a fresh one each time). */
  readonly defaultValue: unknown;
}

interface StructPlan {
  readonly fields: readonly FieldPlan[];
  readonly regular: readonly FieldPlan[];
  /** Tagged fields in ascending tag order. */
  readonly tagged: readonly FieldPlan[];
  readonly byTag: ReadonlyMap<number, FieldPlan>;
  readonly flexible: boolean;
  readonly minSize: number;
  /** Every field, in order, with its default when that is a shared value: decoding starts from a copy. */
  readonly template: Body;
  /** Fields that are not read from the wire but need a fresh default (arrays, structs). */
  readonly freshDefaults: readonly FieldPlan[];
}

function compileStruct(defs: readonly FieldDef[], version: number, flexible: boolean): StructPlan {
  const fields = defs.map((d) => compileField(d, version, flexible));
  const regular = fields.filter((f) => f.mode === REGULAR);
  const tagged = fields.filter((f) => f.mode === TAGGED).sort((a, b) => a.tag - b.tag);
  let minSize = flexible ? 1 : 0;
  for (const f of regular) minSize += f.array === SCALAR ? f.minSize : f.array === ARRAY ? 4 : 1;
  const template: Body = {};
  for (const f of fields) template[f.name] = f.mode === REGULAR || needsFresh(f) ? undefined : defaultOf(f);
  const freshDefaults = fields.filter((f) => f.mode !== REGULAR && needsFresh(f));
  return { fields, regular, tagged, byTag: new Map(tagged.map((f) => [f.tag, f])), flexible, minSize, template, freshDefaults };
}

function compileField(d: FieldDef, version: number, flexible: boolean): FieldPlan {
  const present = inVersions(d.versions, version);
  const tagged = present && flexible && d.tag !== undefined && inVersions(d.taggedVersions, version);
  const compact = present && flexible && (d.flexibleVersions === undefined || inVersions(d.flexibleVersions, version));
  const nullable = present && inVersions(d.nullableVersions, version);
  const isArray = d.type.startsWith('[]');
  const elem = isArray ? d.type.slice(2) : d.type;
  const struct = d.fields ? compileStruct(d.fields, version, flexible) : undefined;
  const elemNullable = nullable && !isArray;
  let op: number;
  let minSize: number;
  let defaultValue: unknown = d.default;
  const fixed = FIXED[elem];
  if (struct) {
    [op, minSize] = elemNullable ? [NULLABLE_STRUCT, 1] : [STRUCT, struct.minSize];
  } else if (fixed) {
    [op, minSize] = fixed;
    if (defaultValue === undefined) defaultValue = fixed[2];
  } else if (elem === 'string') {
    op = compact ? (elemNullable ? COMPACT_NULLABLE_STRING : COMPACT_STRING) : elemNullable ? NULLABLE_STRING : STRING;
    minSize = compact ? 1 : 2;
    if (defaultValue === undefined) defaultValue = '';
  } else if (elem === 'bytes' || elem === 'records') {
    op = compact ? (elemNullable ? COMPACT_NULLABLE_BYTES : COMPACT_BYTES) : elemNullable ? NULLABLE_BYTES : BYTES;
    minSize = compact ? 1 : 4;
    if (defaultValue === undefined) defaultValue = elem === 'records' ? null : EMPTY;
  } else {
    throw new Error(`unknown field type ${d.type}`);
  }
  return {
    name: d.name,
    mode: !present ? ABSENT : tagged ? TAGGED : REGULAR,
    tag: d.tag ?? -1,
    op,
    array: !isArray ? SCALAR : compact ? COMPACT_ARRAY : ARRAY,
    nullable,
    struct,
    minSize: Math.max(1, minSize),
    defaultNull: defaultValue === null,
    defaultValue,
  };
}

interface MessageEntry {
  readonly def: MessageDef;
  readonly valid: readonly [number, number];
  readonly flexible: readonly [number, number];
  readonly plans: StructPlan[];
}

const entries = new Map<MessageDef, MessageEntry>();

function entryFor(def: MessageDef): MessageEntry {
  let e = entries.get(def);
  if (e === undefined) {
    e = { def, valid: parseVersions(def.validVersions), flexible: parseVersions(def.flexibleVersions), plans: [] };
    entries.set(def, e);
  }
  return e;
}

const isValid = (e: MessageEntry, v: number) => v >= e.valid[0] && v <= e.valid[1];
const isFlexible = (e: MessageEntry, v: number) => v >= e.flexible[0] && v <= e.flexible[1];

/** The compiled plan of a valid version (callers check validity first). */
function planOf(e: MessageEntry, version: number): StructPlan {
  return (e.plans[version] ??= compileStruct(e.def.fields, version, isFlexible(e, version)));
}

const needsFresh = (f: FieldPlan) => !f.defaultNull && (f.array !== SCALAR || f.struct !== undefined);

function defaultOf(f: FieldPlan): unknown {
  if (f.defaultNull) return null;
  if (f.array !== SCALAR) return [];
  if (f.struct !== undefined) return defaultStruct(f.struct);
  return f.defaultValue;
}

function defaultStruct(p: StructPlan): Body {
  const o: Body = { ...p.template };
  for (const f of p.regular) o[f.name] = defaultOf(f);
  for (const f of p.freshDefaults) o[f.name] = defaultOf(f);
  return o;
}

function isDefault(f: FieldPlan, v: unknown): boolean {
  if (v === null) return f.defaultNull;
  if (f.defaultNull) return false;
  if (f.array !== SCALAR) return Array.isArray(v) && v.length === 0;
  if (f.struct !== undefined) {
    for (const sf of f.struct.fields) {
      const sv = (v as Body)[sf.name];
      if (sf.mode !== ABSENT && sv !== undefined && !isDefault(sf, sv)) return false;
    }
    return true;
  }
  if (f.op >= BYTES && f.op <= COMPACT_NULLABLE_BYTES) return (v as Buffer).length === 0;
  if (f.op === UUID) return typeof v === 'string' && v.replaceAll('-', '') === '0'.repeat(32);
  return v === f.defaultValue;
}

// ---- decoding ------------------------------------------------------------------------------

function readStruct(r: Reader, p: StructPlan): Body {
  const o: Body = { ...p.template };
  const fields = p.regular;
  let i = 0;
  try {
    for (; i < fields.length; i++) {
      const f = fields[i]!;
      o[f.name] = readField(r, f);
    }
  } catch (e) {
    throw ProtocolError.at(e, fields[i]!.name);
  }
  for (const f of p.freshDefaults) o[f.name] = defaultOf(f);
  if (p.flexible) readTaggedFields(r, p, o);
  return o;
}

function readField(r: Reader, f: FieldPlan): unknown {
  if (f.array === SCALAR) return readValue(r, f.op, f.struct);
  const n = f.array === COMPACT_ARRAY ? r.readUnsignedVarInt() - 1 : r.readInt32();
  if (n < 0) {
    if (f.nullable) return null;
    throw new ProtocolError('INVALID', 'non-nullable array is null');
  }
  r.checkCount(n, f.minSize);
  const out: unknown[] = [];
  let i = 0;
  try {
    for (; i < n; i++) out.push(readValue(r, f.op, f.struct));
  } catch (e) {
    throw ProtocolError.at(e, i);
  }
  return out;
}

function readValue(r: Reader, op: number, struct: StructPlan | undefined): unknown {
  switch (op) {
    case BOOL: return r.readBool();
    case INT8: return r.readInt8();
    case INT16: return r.readInt16();
    case UINT16: return r.readUint16();
    case INT32: return r.readInt32();
    case UINT32: return r.readUint32();
    case INT64: return r.readInt64();
    case FLOAT64: return r.readFloat64();
    case UUID: return r.readUuid();
    case STRING: return r.readString();
    case NULLABLE_STRING: return r.readNullableString();
    case COMPACT_STRING: return r.readCompactString();
    case COMPACT_NULLABLE_STRING: return r.readCompactNullableString();
    case BYTES: return r.readBytes();
    case NULLABLE_BYTES: return r.readNullableBytes();
    case COMPACT_BYTES: return r.readCompactBytes();
    case COMPACT_NULLABLE_BYTES: return r.readCompactNullableBytes();
    case STRUCT: return readStruct(r, struct!);
    default: return r.readInt8() < 0 ? null : readStruct(r, struct!); // NULLABLE_STRUCT
  }
}

// tagged fields: unsigned varint count, then per field: unsigned varint tag, unsigned varint
// size, value; a known tag's value must fill its size exactly, unknown tags are skipped
function readTaggedFields(r: Reader, p: StructPlan, o: Body): void {
  const count = r.checkCount(r.readUnsignedVarInt(), 2);
  for (let i = 0; i < count; i++) {
    const tag = r.readUnsignedVarInt();
    const size = r.checkCount(r.readUnsignedVarInt(), 1);
    const f = p.byTag.get(tag);
    if (f === undefined) {
      r.skip(size);
      continue;
    }
    const value = new Reader(r.buffer, r.offset, r.offset + size);
    try {
      o[f.name] = readField(value, f);
      if (value.remaining !== 0) throw new ProtocolError('INVALID', `tagged field ${tag} left ${value.remaining} of its ${size} bytes`);
    } catch (e) {
      throw ProtocolError.at(e, f.name);
    }
    r.offset += size;
  }
}

// ---- encoding ------------------------------------------------------------------------------

function writeStruct(w: Writer, p: StructPlan, o: Body): void {
  if (o === null || typeof o !== 'object') throw new ProtocolError('INVALID_VALUE', `expected an object, got ${o}`);
  const fields = p.regular;
  let i = 0;
  try {
    for (; i < fields.length; i++) {
      const f = fields[i]!;
      const v = o[f.name];
      writeField(w, f, v === undefined ? defaultOf(f) : v);
    }
  } catch (e) {
    throw ProtocolError.at(e, fields[i]!.name, 'INVALID_VALUE');
  }
  if (p.flexible) writeTaggedFields(w, p, o);
}

function writeField(w: Writer, f: FieldPlan, v: unknown): void {
  if (f.array === SCALAR) return writeValue(w, f.op, f.struct, v);
  if (v === null) {
    if (!f.nullable) throw new ProtocolError('INVALID_VALUE', 'null for a non-nullable array');
    if (f.array === COMPACT_ARRAY) w.writeUnsignedVarInt(0);
    else w.writeInt32(-1);
    return;
  }
  if (!Array.isArray(v)) throw new ProtocolError('INVALID_VALUE', `expected an array, got ${typeof v}`);
  if (f.array === COMPACT_ARRAY) w.writeUnsignedVarInt(v.length + 1);
  else w.writeInt32(v.length);
  let i = 0;
  try {
    for (; i < v.length; i++) writeValue(w, f.op, f.struct, v[i]);
  } catch (e) {
    throw ProtocolError.at(e, i, 'INVALID_VALUE');
  }
}

function writeValue(w: Writer, op: number, struct: StructPlan | undefined, v: unknown): void {
  if (v === null && op !== NULLABLE_STRING && op !== COMPACT_NULLABLE_STRING && op !== NULLABLE_BYTES &&
    op !== COMPACT_NULLABLE_BYTES && op !== NULLABLE_STRUCT) {
    throw new ProtocolError('INVALID_VALUE', 'null for a non-nullable field');
  }
  if (op <= UINT32 && op !== BOOL && !Number.isInteger(v)) {
    throw new ProtocolError('INVALID_VALUE', `expected an integer, got ${typeof v === 'number' ? v : typeof v}`);
  }
  switch (op) {
    case BOOL:
      if (typeof v !== 'boolean') throw new ProtocolError('INVALID_VALUE', `expected a boolean, got ${typeof v}`);
      w.writeBool(v);
      return;
    case INT8: w.writeInt8(v as number); return;
    case INT16: w.writeInt16(v as number); return;
    case UINT16: w.writeUint16(v as number); return;
    case INT32: w.writeInt32(v as number); return;
    case UINT32: w.writeUint32(v as number); return;
    case INT64: w.writeInt64(v as bigint); return;
    case FLOAT64: w.writeFloat64(v as number); return;
    case UUID: w.writeUuid(v as string); return;
    case STRING: w.writeString(v as string); return;
    case NULLABLE_STRING: w.writeNullableString(v as string | null); return;
    case COMPACT_STRING: w.writeCompactString(v as string); return;
    case COMPACT_NULLABLE_STRING: w.writeCompactNullableString(v as string | null); return;
    case BYTES: w.writeBytes(v as Buffer); return;
    case NULLABLE_BYTES: w.writeNullableBytes(v as Buffer | null); return;
    case COMPACT_BYTES: w.writeCompactBytes(v as Buffer); return;
    case COMPACT_NULLABLE_BYTES: w.writeCompactNullableBytes(v as Buffer | null); return;
    case STRUCT: writeStruct(w, struct!, v as Body); return;
    default: // NULLABLE_STRUCT: int8 -1 for null, 1 then the struct
      if (v === null) w.writeInt8(-1);
      else writeStruct(w.writeInt8(1), struct!, v as Body);
  }
}

// tagged fields: written in ascending tag order, only those that differ from their default
function writeTaggedFields(w: Writer, p: StructPlan, o: Body): void {
  let present: { tag: number; value: Buffer }[] | undefined;
  for (const f of p.tagged) {
    const v = o[f.name];
    if (v === undefined || isDefault(f, v)) continue;
    const sub = new Writer(64);
    try {
      writeField(sub, f, v);
    } catch (e) {
      throw ProtocolError.at(e, f.name, 'INVALID_VALUE');
    }
    (present ??= []).push({ tag: f.tag, value: sub.toBuffer() });
  }
  w.writeTaggedFields(present);
}

// ---- frames --------------------------------------------------------------------------------

/** Kafka's default socket.request.max.bytes. */
export const DEFAULT_MAX_FRAME_SIZE = 100 * 1024 * 1024;

/**
 * For a stream reader: the length (size prefix included) of the frame starting at `offset`,
 * or -1 when more bytes are needed. A frame is an int32 size N, then N bytes.
 */
export function frameLength(buffer: Buffer, offset = 0, maxSize = DEFAULT_MAX_FRAME_SIZE): number {
  if (buffer.length - offset < 4) return -1;
  const size = buffer.readInt32BE(offset);
  if (size < 0 || size > maxSize) throw new ProtocolError('INVALID', `frame size ${size} out of range`);
  return buffer.length - offset - 4 >= size ? size + 4 : -1;
}

/** The payload of one complete frame (size prefix included, nothing after it). */
function payloadOf(frame: Buffer): Buffer {
  if (frame.length < 4) throw new ProtocolError('TRUNCATED', 'frame shorter than its size prefix');
  const size = frame.readInt32BE(0);
  if (size < 0) throw new ProtocolError('INVALID', `negative frame size ${size}`);
  if (size > frame.length - 4) throw new ProtocolError('TRUNCATED', `frame of ${size} bytes has ${frame.length - 4}`);
  if (size < frame.length - 4) throw new ProtocolError('INVALID', `${frame.length - 4 - size} bytes after the frame`);
  return frame.subarray(4);
}

/** Finishes a frame written after a placeholder int32: sets the size prefix. */
function finishFrame(w: Writer): Buffer {
  const out = w.toBuffer();
  out.writeInt32BE(out.length - 4, 0);
  return out;
}

function entryOrThrow(defs: Readonly<Record<number, MessageDef>>, apiKey: number, apiVersion: number): MessageEntry {
  const def = defs[apiKey];
  if (def === undefined) throw new ProtocolError('UNSUPPORTED_API', `unsupported API key ${apiKey}`);
  const e = entryFor(def);
  if (!isValid(e, apiVersion)) throw new ProtocolError('UNSUPPORTED_VERSION', `${def.name} v${apiVersion} is not supported`);
  return e;
}

// ---- headers -------------------------------------------------------------------------------

const requestHeaderEntry = entryFor(RequestHeaderDef);
const responseHeaderEntry = entryFor(ResponseHeaderDef);

/** Request header v2 (flexible: tagged fields at the end) for flexible versions, else v1. */
export function requestHeaderVersion(apiKey: number, apiVersion: number): number {
  const def = requestDefs[apiKey];
  return def !== undefined && isFlexible(entryFor(def), apiVersion) ? 2 : 1;
}

/** Response header v1 for flexible versions, else v0; ApiVersions responses always use v0. */
export function responseHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === 18) return 0;
  const def = responseDefs[apiKey];
  return def !== undefined && isFlexible(entryFor(def), apiVersion) ? 1 : 0;
}

/** The supported APIs and version ranges, e.g. for an ApiVersions response. */
export function supportedApis(): { apiKey: number; minVersion: number; maxVersion: number }[] {
  return Object.values(requestDefs).map((def) => {
    const [minVersion, maxVersion] = entryFor(def).valid;
    return { apiKey: def.apiKey, minVersion, maxVersion };
  });
}

// ---- requests ------------------------------------------------------------------------------

/**
 * Decodes one request frame (size prefix included). A header for an unknown API or version is
 * still read and attached to the `UNSUPPORTED_API` / `UNSUPPORTED_VERSION` error. Bytes after a
 * well-formed body are not an error (see `DecodedRequest.trailingBytes`); a body that cannot be
 * read is.
 */
export function decodeRequest(frame: Buffer): DecodedRequest {
  return decodeRequestPayload(payloadOf(frame));
}

/** As `decodeRequest`, for a frame whose size prefix was already consumed. */
export function decodeRequestPayload(payload: Buffer): DecodedRequest {
  if (payload.length < 4) throw new ProtocolError('TRUNCATED', 'request shorter than its API key and version');
  const apiKey = payload.readInt16BE(0);
  const apiVersion = payload.readInt16BE(2);
  const r = new Reader(payload);
  let h: Body;
  try {
    h = readStruct(r, planOf(requestHeaderEntry, requestHeaderVersion(apiKey, apiVersion)));
  } catch (e) {
    throw ProtocolError.at(e, 'RequestHeader');
  }
  const header = { apiKey, apiVersion, correlationId: h.correlationId as number, clientId: h.clientId as string | null };
  let e: MessageEntry;
  let body: Body;
  try {
    e = entryOrThrow(requestDefs, apiKey, apiVersion);
    body = readStruct(r, planOf(e, apiVersion));
  } catch (err) {
    const pe = err instanceof ProtocolError && err.code.startsWith('UNSUPPORTED') ? err : ProtocolError.at(err, requestDefs[apiKey]!.name);
    pe.header = header;
    throw pe;
  }
  return { header, body, trailingBytes: r.remaining } as unknown as DecodedRequest;
}

/** Narrows a decoded request to one API. */
export function isRequest<K extends ApiKey>(req: DecodedRequest, apiKey: K): req is DecodedRequest<K> {
  return req.header.apiKey === apiKey;
}

/** Encodes a request frame (size prefix included), as a client would send it. */
export function encodeRequest<K extends number>(
  header: { apiKey: K; apiVersion: number; correlationId: number; clientId?: string | null },
  body: RequestBodyInput<K>,
): Buffer {
  const { apiKey, apiVersion } = header;
  const e = entryOrThrow(requestDefs, apiKey, apiVersion);
  const w = new Writer().writeInt32(0);
  writeStruct(w, planOf(requestHeaderEntry, isFlexible(e, apiVersion) ? 2 : 1), {
    requestApiKey: apiKey, requestApiVersion: apiVersion, correlationId: header.correlationId, clientId: header.clientId ?? null,
  });
  try {
    writeStruct(w, planOf(e, apiVersion), body as Body);
  } catch (err) {
    throw ProtocolError.at(err, e.def.name, 'INVALID_VALUE');
  }
  return finishFrame(w);
}

// ---- responses -----------------------------------------------------------------------------

/** Encodes a response frame (size prefix included). */
export function encodeResponse<K extends number>(
  apiKey: K, apiVersion: number, correlationId: number, body: ResponseBodyInput<K>,
): Buffer {
  return finishFrame(writeResponse(apiKey, apiVersion, correlationId, body as Body));
}

/**
 * As `encodeResponse`, as a list of buffers for a vectored write: large blobs (records) are
 * referenced rather than copied. Do not modify them until the write is done.
 */
export function encodeResponseChunks<K extends number>(
  apiKey: K, apiVersion: number, correlationId: number, body: ResponseBodyInput<K>,
): Buffer[] {
  const w = writeResponse(apiKey, apiVersion, correlationId, body as Body);
  const chunks = w.toChunks();
  chunks[0]!.writeInt32BE(w.length - 4, 0);
  return chunks;
}

function writeResponse(apiKey: number, apiVersion: number, correlationId: number, body: Body): Writer {
  const e = entryOrThrow(responseDefs, apiKey, apiVersion);
  const w = new Writer().writeInt32(0);
  writeStruct(w, planOf(responseHeaderEntry, responseHeaderVersion(apiKey, apiVersion)), { correlationId });
  try {
    writeStruct(w, planOf(e, apiVersion), body);
  } catch (err) {
    throw ProtocolError.at(err, e.def.name, 'INVALID_VALUE');
  }
  return w;
}

/** Decodes a response frame (size prefix included) to a request of `apiKey` v`apiVersion`. */
export function decodeResponse<K extends number>(apiKey: K, apiVersion: number, frame: Buffer): DecodedResponse<ResponseBody<K>> {
  const e = entryOrThrow(responseDefs, apiKey, apiVersion);
  const r = new Reader(payloadOf(frame));
  let correlationId: number;
  let body: Body;
  try {
    correlationId = readStruct(r, planOf(responseHeaderEntry, responseHeaderVersion(apiKey, apiVersion))).correlationId as number;
  } catch (err) {
    throw ProtocolError.at(err, 'ResponseHeader');
  }
  try {
    body = readStruct(r, planOf(e, apiVersion));
    // Strict, unlike requests: responses are read only by Slipstream's own tests and tools, where
    // a leftover byte means our encoder and decoder disagree.
    if (r.remaining !== 0) throw new ProtocolError('INVALID', `${r.remaining} bytes after the body`);
  } catch (err) {
    throw ProtocolError.at(err, e.def.name);
  }
  return { correlationId, body: body as ResponseBody<K> };
}
