/**
 * Transcribes Apache Kafka's JSON message definitions (JSON with `//` comments, as found in
 * clients/src/main/resources/common/message) into `src/kafka-protocol/messages.generated.ts`:
 * a typed table the codec interprets, plus TypeScript interfaces for the decoded bodies.
 *
 *   node scripts/generate-kafka-messages.ts <dir-with-the-json-files> <kafka-4.4-dir>
 *
 * Only the APIs in `API_NAMES` and `KAFKA_44_API_NAMES` are included. The latter come from a
 * second directory, Kafka 4.4's definitions (the `common/message` folder of the kafka-clients
 * 4.4.0 jar, the version the Java interop suites pin): the reference set has only the share-group
 * APIs' early-access v0, which no client speaks any more, and ApiVersions up to v4. The output is
 * deterministic, so a test can regenerate it in memory and compare it with the committed file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const API_NAMES = [
  'Metadata', 'Produce', 'Fetch', 'ListOffsets', 'FindCoordinator', 'JoinGroup',
  'SyncGroup', 'Heartbeat', 'LeaveGroup', 'OffsetCommit', 'OffsetFetch', 'OffsetDelete',
  'DescribeGroups', 'ListGroups', 'DeleteGroups', 'InitProducerId', 'CreateTopics', 'DeleteTopics',
  'CreatePartitions', 'DeleteRecords', 'DescribeConfigs', 'AlterConfigs', 'IncrementalAlterConfigs',
  'DescribeCluster', 'SaslHandshake', 'SaslAuthenticate', 'CreateAcls', 'DescribeAcls', 'DeleteAcls',
  'OffsetForLeaderEpoch', 'AddPartitionsToTxn', 'AddOffsetsToTxn', 'EndTxn', 'TxnOffsetCommit',
  'DescribeProducers', 'DescribeTransactions', 'ListTransactions', 'DescribeLogDirs', 'ElectLeaders',
  'AlterPartitionReassignments', 'ListPartitionReassignments', 'ConsumerGroupHeartbeat', 'ConsumerGroupDescribe',
] as const;

/**
 * The APIs transcribed from Kafka 4.4's definitions (the second directory): the share-group
 * APIs, and ApiVersions for its v5 (KIP-1242), the version Kafka 4.x clients open every
 * connection with — without it each connection costs them a refused request and a retry.
 */
export const KAFKA_44_API_NAMES = [
  'ApiVersions', 'ShareGroupHeartbeat', 'ShareGroupDescribe', 'ShareFetch', 'ShareAcknowledge',
  'DescribeShareGroupOffsets', 'AlterShareGroupOffsets', 'DeleteShareGroupOffsets',
] as const;

export const OUTPUT_PATH = resolve(import.meta.dirname, '../src/kafka-protocol/messages.generated.ts');
export const DEFAULT_INPUT_DIR = resolve(import.meta.dirname, '../../shared/reference/kafka-protocol/messages');

export interface JsonField {
  name: string;
  type: string;
  versions?: string;
  nullableVersions?: string;
  flexibleVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  fields?: JsonField[];
}

export interface JsonMessage {
  apiKey?: number;
  type: 'request' | 'response' | 'header' | 'data';
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: JsonField[];
  commonStructs?: { name: string; versions?: string; fields: JsonField[] }[];
}

/** Removes `//` line comments and block comments outside string literals. */
export function stripJsonComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      const start = i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      out += text.slice(start, ++i);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

export function parseMessage(text: string): JsonMessage {
  return JSON.parse(stripJsonComments(text)) as JsonMessage;
}

function readMessage(dir: string, name: string): JsonMessage {
  return parseMessage(readFileSync(join(dir, name + '.json'), 'utf8'));
}

const PRIMITIVES = new Set([
  'bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'uuid', 'records',
]);
const TS_TYPES: Record<string, string> = {
  bool: 'boolean', int8: 'number', int16: 'number', uint16: 'number', int32: 'number', uint32: 'number',
  int64: 'bigint', float64: 'number', string: 'string', bytes: 'Buffer', uuid: 'string', records: 'Buffer',
};

const camel = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);
const elementType = (type: string) => (type.startsWith('[]') ? type.slice(2) : type);
const hasVersions = (v: string | undefined) => v !== undefined && v !== 'none';

function parseDefault(field: JsonField): string {
  const raw = field.default;
  const type = field.type;
  if (raw === undefined) throw new Error('no default');
  const text = String(raw).trim();
  if (text === 'null') {
    if (!hasVersions(field.nullableVersions)) throw new Error(`${field.name}: default null on a non-nullable field`);
    return 'null';
  }
  if (type === 'bool') return String(text === 'true');
  if (type === 'int64') return `${BigInt(text)}n`;
  if (type === 'string' || type === 'uuid') return quote(text);
  if (/^(u?int(8|16|32)|float64)$/.test(type)) {
    const negative = text.startsWith('-');
    const n = Number(negative ? text.slice(1) : text);
    if (!Number.isFinite(n)) throw new Error(`${field.name}: bad default ${text}`);
    return String(negative ? -n : n);
  }
  throw new Error(`${field.name}: unsupported default ${text} for ${type}`);
}

function quote(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** A struct with its fields resolved (inline or from commonStructs) and its interface name. */
interface StructInfo {
  tsName: string;
  fields: JsonField[];
}

class MessageWriter {
  readonly structs: StructInfo[] = [];
  private readonly common: Map<string, JsonField[]>;
  private readonly msg: JsonMessage;

  constructor(msg: JsonMessage) {
    this.msg = msg;
    this.common = new Map((msg.commonStructs ?? []).map((s) => [s.name, s.fields]));
  }

  /** Fields of a struct-typed field: inline, or a common struct. */
  structFields(field: JsonField): JsonField[] | undefined {
    const elem = elementType(field.type);
    if (PRIMITIVES.has(elem)) return undefined;
    const fields = field.fields ?? this.common.get(elem);
    if (!fields) throw new Error(`${this.msg.name}.${field.name}: unknown struct type ${elem}`);
    return fields;
  }

  structTsName(structName: string): string {
    return structName.startsWith(this.msg.name) ? structName : this.msg.name + structName;
  }

  table(fields: JsonField[], indent: string): string {
    let out = '[\n';
    for (const f of fields) {
      const parts = [`name: ${quote(camel(f.name))}`, `type: ${quote(f.type)}`, `versions: ${quote(f.versions ?? '0+')}`];
      if (hasVersions(f.nullableVersions)) parts.push(`nullableVersions: ${quote(f.nullableVersions!)}`);
      if (f.flexibleVersions !== undefined) parts.push(`flexibleVersions: ${quote(f.flexibleVersions)}`);
      if (f.tag !== undefined) {
        parts.push(`tag: ${f.tag}`, `taggedVersions: ${quote(f.taggedVersions ?? f.versions ?? '0+')}`);
      }
      if (f.default !== undefined) parts.push(`default: ${parseDefault(f)}`);
      const sub = this.structFields(f);
      if (sub) parts.push(`fields: ${this.table(sub, indent + '  ')}`);
      out += `${indent}  { ${parts.join(', ')} },\n`;
    }
    return out + indent + ']';
  }

  /** Interface declarations for the message body and every struct in it, depth first. */
  interfaces(): string {
    const out: string[] = [];
    const emitted = new Set<string>();
    const emit = (tsName: string, fields: JsonField[]) => {
      // A common struct two fields use (AddPartitionsToTxn's topics, before and after v4) once.
      if (emitted.has(tsName)) return;
      emitted.add(tsName);
      const lines = fields.map((f) => `  ${camel(f.name)}: ${this.tsType(f, emit)};`);
      out.push(`export interface ${tsName} {\n${lines.join('\n')}${lines.length ? '\n' : ''}}`);
    };
    emit(this.msg.name, this.msg.fields);
    return out.join('\n');
  }

  private tsType(f: JsonField, emit: (tsName: string, fields: JsonField[]) => void): string {
    const elem = elementType(f.type);
    const sub = this.structFields(f);
    let base: string;
    if (sub) {
      base = this.structTsName(elem);
      emit(base, sub);
    } else {
      base = TS_TYPES[elem]!;
    }
    const t = f.type.startsWith('[]') ? `${base}[]` : base;
    return hasVersions(f.nullableVersions) || f.type === 'records' ? `${t} | null` : t;
  }
}

/** The table entry (a TypeScript object literal) for one parsed message definition. */
export function messageTable(msg: JsonMessage, indent = ''): string {
  const w = new MessageWriter(msg);
  return (
    `{\n${indent}  apiKey: ${msg.apiKey ?? -1}, name: ${quote(msg.name)}, ` +
    `validVersions: ${quote(msg.validVersions)}, flexibleVersions: ${quote(msg.flexibleVersions)},\n` +
    `${indent}  fields: ${w.table(msg.fields, indent + '  ')},\n${indent}}`
  );
}

/** Returns the text of messages.generated.ts for the definitions in `dir` and `kafka44Dir`. */
export function generate(dir: string, kafka44Dir: string): string {
  const requests: JsonMessage[] = [];
  const responses: JsonMessage[] = [];
  const sources = [...API_NAMES.map((api) => [api, dir]), ...KAFKA_44_API_NAMES.map((api) => [api, kafka44Dir])];
  for (const [api, from] of sources) {
    const req = readMessage(from!, api + 'Request');
    const res = readMessage(from!, api + 'Response');
    if (req.apiKey === undefined || req.apiKey !== res.apiKey) throw new Error(`${api}: api keys differ`);
    requests.push(req);
    responses.push(res);
  }
  const byKey = (a: JsonMessage, b: JsonMessage) => a.apiKey! - b.apiKey!;
  requests.sort(byKey);
  responses.sort(byKey);

  const out: string[] = [];
  out.push(
    '// Generated from Apache Kafka\'s message definitions, Copyright The Apache Software Foundation,',
    '// Apache License 2.0 (https://www.apache.org/licenses/LICENSE-2.0).',
    '// Do not edit; regenerate with `node scripts/generate-kafka-messages.ts <dir> <kafka-4.4-dir>`.',
    '',
    "import type { MessageDef } from './schema.ts';",
    '',
    '/** API keys of the supported APIs. */',
    'export const ApiKeys = {',
    ...requests.map((m) => `  ${m.name.replace(/Request$/, '')}: ${m.apiKey},`),
    '} as const;',
    'export type ApiKey = (typeof ApiKeys)[keyof typeof ApiKeys];',
    '',
  );
  for (const name of ['RequestHeader', 'ResponseHeader']) {
    out.push(`export const ${name}Def: MessageDef = ${messageTable(readMessage(dir, name), '')};`, '');
  }
  for (const [label, list] of [['request', requests], ['response', responses]] as const) {
    out.push(`/** ${label[0]!.toUpperCase() + label.slice(1)} definitions by API key. */`);
    out.push(`export const ${label}Defs: Readonly<Record<number, MessageDef>> = {`);
    for (const m of list) out.push(`  ${m.apiKey}: ${messageTable(m, '  ')},`);
    out.push('};', '');
  }
  out.push('// Decoded bodies: every field of the message is present (defaults fill the versions without it).', '');
  const seen = new Set<string>();
  for (const m of [...requests, ...responses]) {
    const text = new MessageWriter(m).interfaces();
    for (const match of text.matchAll(/^export interface (\w+)/gm)) {
      if (seen.has(match[1]!)) throw new Error(`duplicate interface ${match[1]}`);
      seen.add(match[1]!);
    }
    out.push(text, '');
  }
  for (const [label, list] of [['Request', requests], ['Response', responses]] as const) {
    out.push(`export interface ${label}Bodies {`);
    for (const m of list) out.push(`  ${m.apiKey}: ${m.name};`);
    out.push('}', '');
  }
  return out.join('\n');
}

if (import.meta.main) {
  const dir = process.argv[2] ?? DEFAULT_INPUT_DIR;
  const kafka44Dir = process.argv[3];
  if (!kafka44Dir) throw new Error('usage: generate-kafka-messages.ts <dir> <kafka-4.4-dir>');
  writeFileSync(OUTPUT_PATH, generate(dir, kafka44Dir));
  console.log(`wrote ${OUTPUT_PATH}`);
}
