import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { API_NAMES, KAFKA_44_API_NAMES, OUTPUT_PATH, generate, messageTable, parseMessage, stripJsonComments } from '../../scripts/generate-kafka-messages.ts';
import { requestDefs, responseDefs } from '../../src/kafka-protocol/index.ts';

/** Kafka's definitions, when this checkout sits next to the shared reference material. */
const REFERENCE_DIR = resolve(import.meta.dirname, '../..', '../shared/reference/kafka-protocol/messages');

/**
 * Kafka 4.4's definitions, for the share-group APIs and ApiVersions: the common/message folder
 * of the kafka-clients jar the Java interop suites pin, fetched into Maven's repository when
 * missing.
 */
const KAFKA_CLIENTS = 'org.apache.kafka:kafka-clients:4.4.0';
const KAFKA_CLIENTS_JAR = join(homedir(), '.m2/repository/org/apache/kafka/kafka-clients/4.4.0/kafka-clients-4.4.0.jar');

test('messages.generated.ts is up to date with the reference definitions', (t) => {
  if (!existsSync(REFERENCE_DIR)) {
    t.skip('reference definitions not present');
    return;
  }
  if (!existsSync(KAFKA_CLIENTS_JAR)) {
    execFileSync('mvn', ['-q', '-B', 'dependency:get', `-Dartifact=${KAFKA_CLIENTS}`, '-Dtransitive=false'], { stdio: 'inherit' });
  }
  const unpacked = mkdtempSync(join(tmpdir(), 'kafka-messages-'));
  execFileSync('unzip', ['-q', KAFKA_CLIENTS_JAR, 'common/message/*', '-d', unpacked]);
  const committed = readFileSync(OUTPUT_PATH, 'utf8');
  assert.ok(committed.startsWith("// Generated from Apache Kafka's message definitions"));
  assert.ok(
    committed === generate(REFERENCE_DIR, join(unpacked, 'common/message')),
    'regenerate with `node scripts/generate-kafka-messages.ts <dir> <kafka-4.4-dir>`',
  );
});

test('the table holds exactly the listed APIs, requests and responses', () => {
  const names = Object.values(requestDefs).map((d) => d.name.replace(/Request$/, '')).sort();
  assert.deepEqual(names, [...API_NAMES, ...KAFKA_44_API_NAMES].sort());
  for (const def of Object.values(requestDefs)) assert.equal(responseDefs[def.apiKey]?.name, def.name.replace(/Request$/, 'Response'));
});

test('comment stripping leaves strings alone', () => {
  const text = '{ // comment\n "a": "http://x//y", /* block */ "b": "q\\"//" }';
  assert.deepEqual(JSON.parse(stripJsonComments(text)), { a: 'http://x//y', b: 'q"//' });
});

test('a message transcribes to a table entry: defaults typed, commonStructs inlined, mapKey and about dropped', () => {
  const msg = parseMessage(`// license
  {
    "apiKey": 99, "type": "request", "name": "DemoRequest",
    // comment
    "validVersions": "0-3", "flexibleVersions": "2+",
    "fields": [
      { "name": "Epoch", "type": "int64", "versions": "0+", "default": "-1", "about": "x" },
      { "name": "Max", "type": "int32", "versions": "1+", "default": "0x7fffffff" },
      { "name": "Name", "type": "string", "versions": "0+", "nullableVersions": "1+", "default": "null" },
      { "name": "Items", "type": "[]Item", "versions": "0+", "mapKey": true },
      { "name": "Leader", "type": "Item", "versions": "2+", "tag": 0, "taggedVersions": "2+" }
    ],
    "commonStructs": [
      { "name": "Item", "versions": "0+", "fields": [
        { "name": "Id", "type": "uuid", "versions": "0+" },
        { "name": "Ok", "type": "bool", "versions": "3+", "default": "true" }
      ]}
    ]
  }`);
  const item = `[\n      { name: 'id', type: 'uuid', versions: '0+' },\n      { name: 'ok', type: 'bool', versions: '3+', default: true },\n    ]`;
  assert.equal(messageTable(msg), `{
  apiKey: 99, name: 'DemoRequest', validVersions: '0-3', flexibleVersions: '2+',
  fields: [
    { name: 'epoch', type: 'int64', versions: '0+', default: -1n },
    { name: 'max', type: 'int32', versions: '1+', default: 2147483647 },
    { name: 'name', type: 'string', versions: '0+', nullableVersions: '1+', default: null },
    { name: 'items', type: '[]Item', versions: '0+', fields: ${item} },
    { name: 'leader', type: 'Item', versions: '2+', tag: 0, taggedVersions: '2+', fields: ${item} },
  ],
}`);
});
