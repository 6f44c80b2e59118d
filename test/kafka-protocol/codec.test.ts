import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ApiKeys, ProtocolError, decodeRequest, decodeRequestPayload, decodeResponse, encodeRequest, encodeResponse,
  encodeResponseChunks,
  frameLength, isRequest, parseVersions, requestDefs, requestHeaderVersion, responseDefs, responseHeaderVersion,
  supportedApis,
} from '../../src/kafka-protocol/index.ts';
import { sampleBody } from './sample.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** Prefixes a payload with its int32 size. */
const frameOf = (payload: Buffer) => {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
};

/** The body of a request frame, untyped (tests look at fields across APIs). */
const bodyOf = (frame: Buffer) => decodeRequest(frame).body as unknown as Record<string, unknown>;

function assertProtocolError(fn: () => unknown, code?: string): ProtocolError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ProtocolError, `expected a ProtocolError, got ${String(e)}`);
    if (code) assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail('expected a ProtocolError');
}

const apis = Object.values(requestDefs).map((req) => {
  const [min, max] = parseVersions(req.validVersions);
  return { apiKey: req.apiKey, name: req.name.replace(/Request$/, ''), req, res: responseDefs[req.apiKey]!, min, max };
});

describe('round trip of every API and version', () => {
  assert.equal(apis.length, 51);
  for (const { apiKey, name, req, res, min, max } of apis) {
    test(`${name} (key ${apiKey}) v${min}-v${max}`, async (t) => {
      for (let v = min; v <= max; v++) {
        await t.test(`v${v}${v === min ? ' (lowest)' : v === max ? ' (highest)' : ''}`, () => {
          const header = { apiKey, apiVersion: v, correlationId: 1000 + v, clientId: v % 2 ? 'client-é' : null };
          const body = sampleBody(req.fields, v, 1);
          const frame = encodeRequest(header, body);
          assert.equal(frame.readInt32BE(0), frame.length - 4);
          const decoded = decodeRequest(frame);
          assert.deepEqual(decoded, { header, body, trailingBytes: 0 });
          assert.deepEqual(encodeRequest(decoded.header, decoded.body), frame, 're-encoding gives the same bytes');

          const resBody = sampleBody(res.fields, v, 2);
          const resFrame = encodeResponse(apiKey, v, 77 + v, resBody);
          assert.equal(resFrame.readInt32BE(0), resFrame.length - 4);
          assert.equal(resFrame.readInt32BE(4), 77 + v);
          const resDecoded = decodeResponse(apiKey, v, resFrame);
          assert.deepEqual(resDecoded, { correlationId: 77 + v, body: resBody });
          assert.deepEqual(encodeResponse(apiKey, v, 77 + v, resDecoded.body), resFrame);
        });
      }
    });
  }
});

describe('wire bytes', () => {
  test('ApiVersions v0 request: header v1, empty body', () => {
    const frame = encodeRequest({ apiKey: 18, apiVersion: 0, correlationId: 1, clientId: 'ab' }, {});
    assert.deepEqual(frame, hex('0000000c 0012 0000 00000001 0002 6162'));
  });

  test('ApiVersions v3 request: header v2 keeps the int16 client id, body is compact', () => {
    const frame = encodeRequest(
      { apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'ab' },
      { clientSoftwareName: 'kc', clientSoftwareVersion: '1.0' },
    );
    assert.deepEqual(frame, hex('00000015 0012 0003 00000001 0002 6162 00  03 6b63 04 312e30 00'));
    assert.deepEqual(decodeRequest(frame).body, { clientSoftwareName: 'kc', clientSoftwareVersion: '1.0', clusterId: null, nodeId: -1 });
  });

  test('ApiVersions responses always use response header v0, even when flexible', () => {
    const body = { errorCode: 0, apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 11 }], throttleTimeMs: 0 };
    // header v0: correlation id only; then errorCode, compact array (2 = 1 element), element
    // tagged fields, throttleTimeMs, body tagged fields
    assert.deepEqual(encodeResponse(18, 3, 1, body), hex('00000013 00000001 0000 02 0000 0000 000b 00 00000000 00'));
    assert.deepEqual(encodeResponse(18, 0, 1, body), hex('00000010 00000001 0000 00000001 0000 0000 000b'));
    const v4 = encodeResponse(18, 4, 9, { errorCode: 35 });
    assert.equal(v4.readInt16BE(8), 35, 'errorCode right after the correlation id');
    assert.equal(responseHeaderVersion(18, 4), 0);
    assert.equal(decodeResponse(18, 4, v4).body.errorCode, 35);
  });

  test('flexible responses of other APIs use response header v1', () => {
    assert.equal(responseHeaderVersion(3, 8), 0);
    assert.equal(responseHeaderVersion(3, 9), 1);
    const v8 = encodeResponse(3, 8, 5, { throttleTimeMs: 0x01020304 });
    const v9 = encodeResponse(3, 9, 5, { throttleTimeMs: 0x01020304 });
    assert.equal(v8.readInt32BE(8), 0x01020304);
    assert.equal(v9[8], 0, 'empty header tagged fields');
    assert.equal(v9.readInt32BE(9), 0x01020304);
  });

  test('request header versions', () => {
    assert.equal(requestHeaderVersion(18, 2), 1);
    assert.equal(requestHeaderVersion(18, 3), 2);
    assert.equal(requestHeaderVersion(18, 99), 2, 'unknown future ApiVersions stays flexible');
    assert.equal(requestHeaderVersion(0, 8), 1);
    assert.equal(requestHeaderVersion(0, 9), 2);
    assert.equal(requestHeaderVersion(60, 0), 2);
    assert.equal(requestHeaderVersion(47, 0), 1, 'OffsetDelete is never flexible');
    assert.equal(requestHeaderVersion(9999, 0), 1);
  });

  test('flexible and non-flexible encodings of the same body', () => {
    const body = { groupId: 'g', generationId: 5, memberId: 'm', groupInstanceId: null };
    const v3 = encodeRequest({ apiKey: 12, apiVersion: 3, correlationId: 2, clientId: null }, body);
    const v4 = encodeRequest({ apiKey: 12, apiVersion: 4, correlationId: 2, clientId: null }, body);
    // header v1: key, version, correlation id, null client id
    assert.deepEqual(v3, hex('00000016 000c 0003 00000002 ffff  0001 67 00000005 0001 6d ffff'));
    // header v2 adds empty tagged fields; compact strings (length + 1), null is 0, body tagged fields
    assert.deepEqual(v4, hex('00000015 000c 0004 00000002 ffff 00  02 67 00000005 02 6d 00 00'));
    assert.deepEqual(decodeRequest(v3).body, body);
    assert.deepEqual(decodeRequest(v4).body, body);
  });

  test('fields absent from a version get their defaults on decode', () => {
    // Metadata v0: int32 count 1, topic name "t"
    const frame = frameOf(hex('0003 0000 00000007 ffff  00000001 0001 74'));
    assert.deepEqual(decodeRequest(frame).body, {
      topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name: 't' }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    const fetch = decodeRequest(encodeRequest({ apiKey: 1, apiVersion: 0, correlationId: 1 }, { topics: [] }));
    assert.equal(isRequest(fetch, ApiKeys.Fetch), true);
    if (!isRequest(fetch, ApiKeys.Fetch)) return;
    assert.equal(fetch.body.maxBytes, 0x7fffffff);
    assert.equal(fetch.body.clusterId, null);
    assert.equal(fetch.body.replicaId, -1);
    assert.equal(fetch.body.sessionEpoch, -1);
    assert.deepEqual(fetch.body.replicaState, { replicaId: -1, replicaEpoch: -1n });
    assert.deepEqual(fetch.body.forgottenTopicsData, []);
  });

  test('fields absent from a version are left out on encode; missing values are written as defaults', () => {
    const header = { apiKey: 0, apiVersion: 0, correlationId: 3, clientId: 'c' };
    const base = { acks: 1, timeoutMs: 100, topicData: [] };
    assert.deepEqual(encodeRequest(header, { ...base, transactionalId: 'tx' }), encodeRequest(header, base));
    assert.deepEqual(
      decodeRequest(encodeRequest({ ...header, apiVersion: 3 }, base)).body,
      { transactionalId: null, ...base },
    );
  });

  test('nulls: nullable fields carry them, non-nullable ones refuse them', () => {
    const header = { apiKey: 3, apiVersion: 1, correlationId: 1, clientId: null };
    assert.equal(bodyOf(encodeRequest(header, { topics: null })).topics, null);
    const e = assertProtocolError(() => encodeRequest({ ...header, apiVersion: 0 }, { topics: null }), 'INVALID_VALUE');
    assert.equal(e.path, 'MetadataRequest.topics');
    const e2 = assertProtocolError(
      () => encodeRequest({ apiKey: 12, apiVersion: 4, correlationId: 1 }, { groupId: null } as never), 'INVALID_VALUE');
    assert.equal(e2.path, 'HeartbeatRequest.groupId');
    // Heartbeat v3 with a null (length -1) group id
    const e3 = assertProtocolError(() => decodeRequest(frameOf(hex('000c 0003 00000001 ffff ffff 00000005 0001 6d ffff'))), 'INVALID');
    assert.equal(e3.path, 'HeartbeatRequest.groupId');
    assert.equal(e3.header?.correlationId, 1);
  });

  test('bad values on encode are ProtocolErrors with the field path', () => {
    const header = { apiKey: 0, apiVersion: 9, correlationId: 1 };
    const bad = (partitionData: unknown) => ({ acks: 1, timeoutMs: 1, topicData: [{ name: 't', partitionData }] });
    let e = assertProtocolError(() => encodeRequest(header, bad([{ index: 'x' }]) as never), 'INVALID_VALUE');
    assert.equal(e.path, 'ProduceRequest.topicData[0].partitionData[0].index');
    e = assertProtocolError(() => encodeRequest(header, bad([{ index: 2 ** 40 }]) as never), 'INVALID_VALUE');
    assert.equal(e.path, 'ProduceRequest.topicData[0].partitionData[0].index');
    e = assertProtocolError(() => encodeRequest(header, bad(5) as never), 'INVALID_VALUE');
    assert.equal(e.path, 'ProduceRequest.topicData[0].partitionData');
    assertProtocolError(() => encodeResponse(1, 17, 1, { responses: [{ topicId: 'nope' }] } as never), 'INVALID_VALUE');
    assertProtocolError(() => encodeResponse(1, 17, 1, { throttleTimeMs: 1, errorCode: 1n } as never), 'INVALID_VALUE');
  });
});

describe('tagged fields', () => {
  test('a set tagged field is written at the end of its struct and read back', () => {
    const header = { apiKey: 1, apiVersion: 12, correlationId: 1, clientId: null };
    const plain = encodeRequest(header, { topics: [] });
    const tagged = encodeRequest(header, { topics: [], clusterId: 'c' });
    assert.equal(plain.at(-1), 0, 'no tagged fields: count 0');
    // count 1, tag 0, size 2, compact string "c"
    assert.deepEqual(tagged.subarray(-5), hex('01 00 02 02 63'));
    assert.deepEqual(plain.subarray(4, -1), tagged.subarray(4, -5));
    assert.equal(bodyOf(tagged).clusterId, 'c');
    assert.equal(bodyOf(plain).clusterId, null);
  });

  test('tagged fields equal to their default are not written', () => {
    const body = { errorCode: 0, apiKeys: [], throttleTimeMs: 0, finalizedFeaturesEpoch: -1n, zkMigrationReady: false, supportedFeatures: [] };
    assert.equal(encodeResponse(18, 3, 1, body).at(-1), 0);
    const set = encodeResponse(18, 3, 1, { ...body, finalizedFeaturesEpoch: 7n, zkMigrationReady: true });
    // count 2; tag 1 size 8 int64 7; tag 3 size 1 true
    assert.deepEqual(set.subarray(-14), hex('02 01 08 0000000000000007 03 01 01'));
  });

  test('tagged struct fields (Fetch v12+ partition data)', () => {
    const partition = {
      partitionIndex: 0, errorCode: 0, highWatermark: 10n, lastStableOffset: 10n, logStartOffset: 0n,
      abortedTransactions: null, preferredReadReplica: -1, records: null,
      currentLeader: { leaderId: 3, leaderEpoch: 9 },
    };
    const frame = encodeResponse(1, 12, 1, { responses: [{ topic: 't', partitions: [partition] }] });
    const p = decodeResponse(1, 12, frame).body.responses[0]!.partitions[0]!;
    assert.deepEqual(p.currentLeader, { leaderId: 3, leaderEpoch: 9 });
    assert.deepEqual(p.divergingEpoch, { epoch: -1, endOffset: -1n });
    assert.deepEqual(p.snapshotId, { endOffset: -1n, epoch: -1 });
  });

  test('unknown tagged fields are skipped, in the header and in the body', () => {
    // Heartbeat v4; header tags: tag 7 size 1; body tags: tag 5 size 3, tag 9 size 0
    const frame = frameOf(hex('000c 0004 00000002 ffff 01 07 01 ff  02 67 00000005 02 6d 00  02 05 03 aabbcc 09 00'));
    assert.deepEqual(decodeRequest(frame), {
      header: { apiKey: 12, apiVersion: 4, correlationId: 2, clientId: null },
      body: { groupId: 'g', generationId: 5, memberId: 'm', groupInstanceId: null },
      trailingBytes: 0,
    });
  });

  test('a known tagged field must fill exactly its declared size', () => {
    // ApiVersions v3 response; tag 1 (int64 finalizedFeaturesEpoch) declared as 9 bytes
    const frame = frameOf(hex('00000001 0000 01 00000000 01 01 09 000000000000000700'));
    const e = assertProtocolError(() => decodeResponse(18, 3, frame), 'INVALID');
    assert.equal(e.path, 'ApiVersionsResponse.finalizedFeaturesEpoch');
    const short = frameOf(hex('00000001 0000 01 00000000 01 01 04 00000007'));
    assertProtocolError(() => decodeResponse(18, 3, short), 'TRUNCATED');
  });
});

describe('errors', () => {
  const sampleFrames = apis.flatMap(({ apiKey, req, min, max }) => [min, max].map((v) => ({
    apiKey, v, frame: encodeRequest({ apiKey, apiVersion: v, correlationId: 1, clientId: 'id' }, sampleBody(req.fields, v)),
  })));

  test('every truncation of every sample request is a TRUNCATED ProtocolError', () => {
    for (const { frame } of sampleFrames) {
      const payload = frame.subarray(4);
      for (let cut = 0; cut < payload.length; cut++) {
        assertProtocolError(() => decodeRequest(frameOf(payload.subarray(0, cut))), 'TRUNCATED');
        assertProtocolError(() => decodeRequest(frame.subarray(0, cut + 4)), 'TRUNCATED');
      }
    }
  });

  test('every truncation of every sample response is a TRUNCATED ProtocolError', () => {
    for (const { apiKey, res, min, max } of apis) {
      for (const v of [min, max]) {
        const payload = encodeResponse(apiKey, v, 1, sampleBody(res.fields, v)).subarray(4);
        for (let cut = 0; cut < payload.length; cut++) {
          assertProtocolError(() => decodeResponse(apiKey, v, frameOf(payload.subarray(0, cut))), 'TRUNCATED');
        }
      }
    }
  });

  test('bytes after a whole request body are ignored and counted, for every API and version', () => {
    // As Apache Kafka's broker: it reads the fields it knows and drops what follows.
    for (const { apiKey, req, min, max } of apis) {
      for (let v = min; v <= max; v++) {
        const header = { apiKey, apiVersion: v, correlationId: 7, clientId: 'id' };
        const body = sampleBody(req.fields, v, 1);
        const payload = encodeRequest(header, body).subarray(4);
        for (const extra of [hex('00'), hex('010000'), hex('ffffffffffff7f')]) {
          const decoded = decodeRequest(frameOf(Buffer.concat([payload, extra])));
          assert.deepEqual(decoded, { header, body, trailingBytes: extra.length }, `${req.name} v${v} + ${extra.length} bytes`);
        }
      }
    }
  });

  test("librdkafka 2.x's Metadata v12 \"all topics\" request (3 bytes after the body) is served", () => {
    // Captured from confluent-kafka 2.16.1 (librdkafka 2.16.0) listing topics: librdkafka reserves
    // a 4-byte array count and writes the compact varint 0 (null: all topics) into its first byte,
    // so the body reads as topics=null, then three one-byte fields, then 01 00 00 left over.
    const frame = frameOf(hex('0003 000c 00000003 0007 72646b61666b61 00   00 00 00 00 01 00 00'));
    const decoded = decodeRequest(frame);
    assert.deepEqual(decoded.header, { apiKey: 3, apiVersion: 12, correlationId: 3, clientId: 'rdkafka' });
    assert.ok(isRequest(decoded, ApiKeys.Metadata));
    assert.equal(decoded.body.topics, null, 'all topics');
    assert.equal(decoded.trailingBytes, 3);
    // Its "brokers only" request of the same run has nothing left over.
    const brokersOnly = decodeRequest(frameOf(hex('0003 000c 00000002 0007 72646b61666b61 00   01 00 00 00')));
    assert.ok(isRequest(brokersOnly, ApiKeys.Metadata));
    assert.deepEqual(brokersOnly.body.topics, []);
    assert.equal(brokersOnly.trailingBytes, 0);
  });

  test('a body that cannot be read is still refused, trailing bytes or not', () => {
    const frame = encodeRequest({ apiKey: 12, apiVersion: 4, correlationId: 1 }, { groupId: 'g', memberId: 'm' });
    // A frame whose size prefix claims more than there is.
    assertProtocolError(() => decodeRequest(Buffer.concat([frame, hex('00')])), 'INVALID');
    assertProtocolError(() => decodeRequest(hex('ffffffff')), 'INVALID');
    // Heartbeat v4 is flexible: a string length past the end stays TRUNCATED whatever follows.
    const payload = Buffer.from(frame.subarray(4));
    const at = payload.indexOf(Buffer.from('g')) - 1; // the compact length of groupId
    payload[at] = 0x7f;
    assertProtocolError(() => decodeRequest(frameOf(payload)), 'TRUNCATED');
    // A null where the field may not be null is INVALID, whatever follows.
    payload[at] = 0x00;
    assertProtocolError(() => decodeRequest(frameOf(Buffer.concat([payload, hex('000000')]))), 'INVALID');
  });

  test('garbage never escapes as anything but a ProtocolError', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    let decoded = 0;
    const attempt = (fn: () => unknown) => {
      try {
        fn();
        decoded++;
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
      }
    };
    for (let i = 0; i < 5000; i++) {
      // random bytes after a real API key and version
      const { apiKey, min, max } = apis[rand(apis.length)]!;
      const body = Buffer.alloc(rand(64));
      for (let j = 0; j < body.length; j++) body[j] = rand(4) === 0 ? 0xff : rand(256);
      const head = Buffer.alloc(4);
      head.writeInt16BE(apiKey);
      head.writeInt16BE(min + rand(max - min + 1), 2);
      attempt(() => decodeRequest(frameOf(Buffer.concat([head, body]))));
      // a sample frame with a few bytes overwritten
      const { frame, apiKey: k, v } = sampleFrames[rand(sampleFrames.length)]!;
      const mutated = Buffer.from(frame);
      for (let j = 0; j < 3; j++) mutated[4 + rand(mutated.length - 4)] = rand(256);
      attempt(() => decodeRequest(mutated));
      const res = Buffer.from(encodeResponse(k, v, 1, {}));
      res[4 + rand(res.length - 4)] = rand(256);
      attempt(() => decodeResponse(k, v, res));
    }
    assert.ok(decoded > 0);
  });

  test('an unknown API or version still yields the header', () => {
    const unknownApi = frameOf(hex('03e8 0000 0000002a 0001 78'));
    let e = assertProtocolError(() => decodeRequest(unknownApi), 'UNSUPPORTED_API');
    assert.deepEqual(e.header, { apiKey: 1000, apiVersion: 0, correlationId: 42, clientId: 'x' });
    // ApiVersions v9 from a newer client: header v2, body unknown
    const future = frameOf(hex('0012 0009 0000002b 0001 78 00 0102030405'));
    e = assertProtocolError(() => decodeRequest(future), 'UNSUPPORTED_VERSION');
    assert.deepEqual(e.header, { apiKey: 18, apiVersion: 9, correlationId: 43, clientId: 'x' });
    assertProtocolError(() => encodeResponse(18, 9, 1, {}), 'UNSUPPORTED_VERSION');
    assertProtocolError(() => encodeRequest({ apiKey: 7, apiVersion: 0, correlationId: 1 }, {}), 'UNSUPPORTED_API');
    assertProtocolError(() => decodeRequestPayload(hex('0012')), 'TRUNCATED');
  });
});

describe('frames', () => {
  test('frameLength finds complete frames in a stream buffer', () => {
    const a = encodeRequest({ apiKey: 18, apiVersion: 0, correlationId: 1 }, {});
    const stream = Buffer.concat([a, a.subarray(0, 7)]);
    assert.equal(frameLength(stream, 0), a.length);
    assert.equal(frameLength(stream, a.length), -1);
    assert.equal(frameLength(stream, stream.length - 2), -1);
    assertProtocolError(() => frameLength(hex('80000000')), 'INVALID');
    assertProtocolError(() => frameLength(hex('00100000'), 0, 1024), 'INVALID');
    assert.deepEqual(decodeRequest(stream.subarray(0, frameLength(stream))).header.correlationId, 1);
  });

  test('supportedApis lists the table', () => {
    const list = supportedApis();
    assert.equal(list.length, 51);
    assert.deepEqual(list.find((a) => a.apiKey === ApiKeys.ApiVersions), { apiKey: 18, minVersion: 0, maxVersion: 5 });
    assert.deepEqual(list.find((a) => a.apiKey === ApiKeys.Fetch), { apiKey: 1, minVersion: 0, maxVersion: 17 });
  });

  test('encodeResponseChunks: the same bytes, records by reference', () => {
    const records = Buffer.alloc(3000, 0xcd);
    const body = { responses: [{ topic: 't', partitions: [{ partitionIndex: 0, highWatermark: 5n, records }] }] };
    const chunks = encodeResponseChunks(1, 11, 9, body);
    assert.ok(chunks.includes(records));
    assert.deepEqual(Buffer.concat(chunks), encodeResponse(1, 11, 9, body));
  });

  test('decoded defaults are fresh objects', () => {
    const frame = encodeRequest({ apiKey: 1, apiVersion: 4, correlationId: 1 }, {});
    const a = bodyOf(frame);
    const b = bodyOf(frame);
    assert.notEqual(a.forgottenTopicsData, b.forgottenTopicsData);
    assert.notEqual(a.replicaState, b.replicaState);
    assert.deepEqual(a, b);
  });

  test('records stay raw views of the request bytes', () => {
    const records = Buffer.alloc(2000, 0xab);
    const frame = encodeRequest(
      { apiKey: 0, apiVersion: 11, correlationId: 1 },
      { acks: -1, timeoutMs: 1, topicData: [{ name: 't', partitionData: [{ index: 0, records }] }] },
    );
    const got = decodeRequest(frame);
    assert.ok(isRequest(got, ApiKeys.Produce));
    const r = got.body.topicData[0]!.partitionData[0]!.records!;
    assert.deepEqual(r, records);
    assert.equal(r.buffer, frame.buffer, 'a view, not a copy');
  });
});
