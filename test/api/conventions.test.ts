import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IDEMPOTENCY_TTL_MS, idempotencyRequestHash } from '../../src/control-plane/conventions/idempotency.ts';
import { managementEndpoints } from '../../src/control-plane/app.ts';
import { startTestPlatform, type CallResult, type TestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';

function assertEnvelope(result: CallResult, status: number, code: string): void {
  assert.equal(result.status, status, result.text);
  assert.deepEqual(Object.keys(result.body), ['error']);
  assert.deepEqual(Object.keys(result.body.error).sort(), ['code', 'correlationId', 'message', 'timestamp']);
  assert.equal(result.body.error.code, code);
  assert.equal(result.body.error.correlationId, result.headers['x-correlation-id']);
  assert.ok(!Number.isNaN(Date.parse(result.body.error.timestamp)));
  assert.doesNotMatch(result.text, /\s+at\s+\S+\s+\(|node_modules|\.ts:\d+/, 'no stack trace leaks to clients');
}

async function pipelineNames(p: TestPlatform): Promise<string[]> {
  const r = await p.call('/api/v1/list_pipelines', { virtual_cluster_id: p.boot.virtual_cluster_id });
  return r.body.pipelines.map((pipeline: { name: string }) => pipeline.name);
}

for (const kind of storeKinds()) {
  describe(`HTTP conventions (${kind.kind})`, () => {
    test('X-Correlation-Id: echoed when valid, generated when absent, refused when malformed', async (t) => {
      const p = await startTestPlatform(kind, t);
      const echoed = await p.call('/api/v1/list_api_keys', undefined, { headers: { 'X-Correlation-Id': 'req:abc.DEF-123_x' } });
      assert.equal(echoed.status, 200);
      assert.equal(echoed.headers['x-correlation-id'], 'req:abc.DEF-123_x');

      const generated = await p.call('/api/v1/list_api_keys');
      assert.match(String(generated.headers['x-correlation-id']), /^[A-Za-z0-9._:-]{8,128}$/);
      const again = await p.call('/api/v1/list_api_keys');
      assert.notEqual(again.headers['x-correlation-id'], generated.headers['x-correlation-id']);

      for (const bad of ['short', 'has space in it', 'x'.repeat(129), 'semi;colon1']) {
        const refused = await p.call('/api/v1/list_api_keys', undefined, { headers: { 'X-Correlation-Id': bad } });
        assertEnvelope(refused, 400, 'INVALID_CORRELATION_ID');
        assert.notEqual(refused.headers['x-correlation-id'], bad);
      }
      // The client's id is in the error body too.
      const missing = await p.call('/api/v1/create_topic', {}, { headers: { 'X-Correlation-Id': 'corr-from-client' } });
      assertEnvelope(missing, 400, 'VALIDATION_ERROR');
      assert.equal(missing.body.error.correlationId, 'corr-from-client');
    });

    test('one error envelope for unknown routes, malformed JSON, wrong types, oversized bodies and auth', async (t) => {
      const p = await startTestPlatform(kind, t, { bodyLimitBytes: 4096 });
      assertEnvelope(await p.call('/api/v1/no_such_endpoint', {}), 404, 'ROUTE_NOT_FOUND');
      assertEnvelope(await p.call('/nowhere', undefined, { method: 'GET', key: null }), 404, 'ROUTE_NOT_FOUND');

      const before = await p.call('/api/v1/list_topics', { virtual_cluster_id: p.boot.virtual_cluster_id });
      const create = '/api/v1/create_topic';
      assertEnvelope(await p.call(create, undefined, { raw: '{"topic_name": ' }), 400, 'MALFORMED_JSON');
      assertEnvelope(await p.call(create, undefined, { raw: '[1,2' }), 400, 'MALFORMED_JSON');
      assertEnvelope(await p.call(create, undefined, { raw: '{"__proto__": {"x": 1}}' }), 400, 'MALFORMED_JSON');
      const wrongType = await p.call(create, { virtual_cluster_id: p.boot.virtual_cluster_id, topic_name: 7, partition_count: 1 });
      assertEnvelope(wrongType, 400, 'VALIDATION_ERROR');
      assert.match(wrongType.body.error.message, /topic_name must be string/);
      const notObject = await p.call(create, ['a']);
      assertEnvelope(notObject, 400, 'VALIDATION_ERROR');
      const oversized = await p.call(create, {
        virtual_cluster_id: p.boot.virtual_cluster_id,
        topic_name: 'big',
        partition_count: 1,
        configs: { 'cleanup.policy': 'delete'.padEnd(5000, ' ') },
      });
      assertEnvelope(oversized, 413, 'PAYLOAD_TOO_LARGE');
      const oversizedGet = await p.call('/api/v1/list_topics', undefined, { method: 'GET', raw: 'x'.repeat(5000) });
      assertEnvelope(oversizedGet, 413, 'PAYLOAD_TOO_LARGE');

      // Authentication comes first: without a valid key nothing about the body is revealed.
      const noKey = await p.call(create, undefined, { key: null, raw: '{bad' });
      assertEnvelope(noKey, 401, 'UNAUTHORIZED');
      assert.match(noKey.body.error.message, /invalid_api_key/);
      const unknownKey = await p.call(create, {}, { key: 'aks_' + '0'.repeat(64) });
      assertEnvelope(unknownKey, 401, 'UNAUTHORIZED');
      assert.match(unknownKey.body.error.message, /invalid_api_key/);

      const after = await p.call('/api/v1/list_topics', { virtual_cluster_id: p.boot.virtual_cluster_id });
      assert.deepEqual(after.body, before.body, 'refused requests changed nothing');
    });

    test('a server error is INTERNAL_ERROR with the correlation id and no details', async (t) => {
      const p = await startTestPlatform(kind, t);
      // Break the store underneath the running app: every query now fails.
      const failing = new Error('disk on fire at /secret/path');
      p.store.listTopics = async () => {
        throw failing;
      };
      const r = await p.call('/api/v1/list_topics', { virtual_cluster_id: p.boot.virtual_cluster_id });
      assertEnvelope(r, 500, 'INTERNAL_ERROR');
      assert.doesNotMatch(r.text, /disk on fire|secret/);
      assert.match(r.body.error.message, /correlation id/);
    });

    test('every endpoint answers GET and POST (and other methods); list calls take an empty body', async (t) => {
      const p = await startTestPlatform(kind, t);
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const) {
        const r = await p.call('/api/v1/list_virtual_clusters', undefined, { method });
        assert.equal(r.status, 200, `${method}: ${r.text}`);
        assert.equal(r.body.virtual_clusters.length, 1);
      }
      const empty = await p.call('/api/v1/list_api_keys', undefined, { method: 'POST', raw: '', headers: { 'content-type': 'application/json' } });
      assert.equal(empty.status, 200, empty.text);
      const getWithBody = await p.call('/api/v1/list_topics', { virtual_cluster_id: p.boot.virtual_cluster_id }, { method: 'GET' });
      assert.equal(getWithBody.status, 200, getWithBody.text);
      assert.deepEqual(getWithBody.body, { topics: [], recently_deleted_topics: null });
      const getWithQuery = await p.call(`/api/v1/list_topics?virtual_cluster_id=${p.boot.virtual_cluster_id}&include_recently_deleted=true`, undefined, {
        method: 'GET',
      });
      assert.deepEqual(getWithQuery.body, { topics: [], recently_deleted_topics: [] });
      const getInvalid = await p.call('/api/v1/list_topics', { virtual_cluster_id: 5 }, { method: 'GET' });
      assertEnvelope(getInvalid, 400, 'VALIDATION_ERROR');
      const put = await p.call('/api/v1/create_topic', { virtual_cluster_id: p.boot.virtual_cluster_id, topic_name: 'via_put', partition_count: 1 }, { method: 'PUT' });
      assert.equal(put.text, '{}');
      const form = await p.call('/api/v1/list_api_keys', undefined, { raw: '{}', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(form.status, 200, 'any content type is read as JSON');
      // Every documented endpoint is served on POST and GET (a route that is missing would be a 404 envelope).
      for (const endpoint of managementEndpoints) {
        for (const method of ['GET', 'POST'] as const) {
          const r = await p.call(endpoint.path, undefined, { method, key: null });
          assertEnvelope(r, 401, 'UNAUTHORIZED');
        }
      }
    });

    test('Idempotency-Key: the first answer is replayed; another body is 422; a running request is 409', async (t) => {
      const p = await startTestPlatform(kind, t);
      const body = { virtual_cluster_id: p.boot.virtual_cluster_id, pipeline_name: 'once' };
      const headers = { 'Idempotency-Key': 'create-once-1' };
      const first = await p.call('/api/v1/create_pipeline', body, { headers });
      assert.equal(first.status, 200);
      assert.equal(first.headers['x-idempotency-replayed'], undefined);
      // Same body with its keys in another order is the same request.
      const replayed = await p.call('/api/v1/create_pipeline', { pipeline_name: 'once', virtual_cluster_id: p.boot.virtual_cluster_id }, { headers });
      assert.equal(replayed.status, 200);
      assert.equal(replayed.headers['x-idempotency-replayed'], 'true');
      assert.equal(replayed.text, first.text);
      assert.deepEqual(await pipelineNames(p), ['once']);

      const reused = await p.call('/api/v1/create_pipeline', { ...body, pipeline_name: 'other' }, { headers });
      assertEnvelope(reused, 422, 'IDEMPOTENCY_KEY_REUSED');
      assert.deepEqual(await pipelineNames(p), ['once']);

      // An error answer is an answer too: it is replayed, not re-run.
      const dupHeaders = { 'Idempotency-Key': 'dup-1' };
      const duplicate = await p.call('/api/v1/create_pipeline', body, { headers: dupHeaders });
      assertEnvelope(duplicate, 409, 'PIPELINE_ALREADY_EXISTS');
      const duplicateAgain = await p.call('/api/v1/create_pipeline', body, { headers: dupHeaders });
      assert.equal(duplicateAgain.headers['x-idempotency-replayed'], 'true');
      assert.equal(duplicateAgain.text, duplicate.text);

      // A request still running (its claim is pending and fresh) makes a repeat wait: 409.
      const keyId = (await p.store.getApiKeyBySecretHash((await import('../../src/ids.ts')).hashSecret(p.boot.application_key)))!.id;
      const runningBody = { ...body, pipeline_name: 'running' };
      await p.store.insertIdempotencyRecord({
        api_key_id: keyId,
        idempotency_key: 'still-running',
        request_hash: idempotencyRequestHash('POST', '/api/v1/create_pipeline', runningBody),
        state: 'pending',
        status_code: null,
        response_body: null,
        created_at: Date.now(),
      });
      const running = await p.call('/api/v1/create_pipeline', runningBody, { headers: { 'Idempotency-Key': 'still-running' } });
      assertEnvelope(running, 409, 'IDEMPOTENCY_IN_PROGRESS');
      assert.deepEqual(await pipelineNames(p), ['once']);

      // After 24 h the key is free again.
      await p.store.insertIdempotencyRecord({
        api_key_id: keyId,
        idempotency_key: 'old-key',
        request_hash: 'something-else',
        state: 'done',
        status_code: 200,
        response_body: '{"stale":true}',
        created_at: Date.now() - IDEMPOTENCY_TTL_MS - 1000,
      });
      const fresh = await p.call('/api/v1/create_pipeline', { ...body, pipeline_name: 'fresh' }, { headers: { 'Idempotency-Key': 'old-key' } });
      assert.equal(fresh.status, 200);
      assert.equal(fresh.headers['x-idempotency-replayed'], undefined);
      assert.equal(fresh.body.pipeline_name, 'fresh');

      const badKey = await p.call('/api/v1/create_pipeline', body, { headers: { 'Idempotency-Key': 'x'.repeat(256) } });
      assertEnvelope(badKey, 400, 'INVALID_IDEMPOTENCY_KEY');
    });

    test('Idempotency-Key is scoped per API key and applies to mutations only', async (t) => {
      const p = await startTestPlatform(kind, t);
      const other = await p.call('/api/v1/create_api_key', {
        name: 'second_app_key',
        access_grants: [{ principal_kind: 'application', resource_kind: '*', resource_id: '*' }],
      });
      assert.equal(other.status, 200, other.text);
      const headers = { 'Idempotency-Key': 'shared-key-1' };
      const body = { virtual_cluster_id: p.boot.virtual_cluster_id, pipeline_name: 'scoped' };
      assert.equal((await p.call('/api/v1/create_pipeline', body, { headers })).status, 200);
      // The same key from another API key is a new request: it runs (and meets the duplicate).
      const second = await p.call('/api/v1/create_pipeline', body, { headers, key: other.body.key });
      assertEnvelope(second, 409, 'PIPELINE_ALREADY_EXISTS');
      assert.equal(second.headers['x-idempotency-replayed'], undefined);

      const listHeaders = { 'Idempotency-Key': 'list-1' };
      await p.call('/api/v1/list_pipelines', { virtual_cluster_id: p.boot.virtual_cluster_id }, { headers: listHeaders });
      const list = await p.call('/api/v1/list_pipelines', { virtual_cluster_id: p.boot.virtual_cluster_id }, { headers: listHeaders });
      assert.equal(list.headers['x-idempotency-replayed'], undefined);
    });

    test('rate limits are per API key and answer 429 with Retry-After', async (t) => {
      const p = await startTestPlatform(kind, t, { rateLimitMax: 3, rateLimitWindowMs: 60_000 });
      for (let i = 0; i < 3; i++) assert.equal((await p.call('/api/v1/list_api_keys')).status, 200);
      const limited = await p.call('/api/v1/list_api_keys');
      assertEnvelope(limited, 429, 'RATE_LIMITED');
      const retryAfter = Number(limited.headers['retry-after']);
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${limited.headers['retry-after']}`);
      // A mutation refused by the limit does nothing.
      const refused = await p.call('/api/v1/create_pipeline', { virtual_cluster_id: p.boot.virtual_cluster_id, pipeline_name: 'limited' });
      assert.equal(refused.status, 429);
      // Another key has its own budget.
      const account = await p.call('/api/v1/list_workspaces', undefined, { key: p.boot.account_key });
      assert.equal(account.status, 200);
      const names = (await p.store.listPipelines(p.boot.virtual_cluster_id)).map((x) => x.name);
      assert.deepEqual(names, []);
    });

    test('platform health and info answer without a key, and info holds no secret', async (t) => {
      const p = await startTestPlatform(kind, t);
      const health = await p.call('/v1/platform/health', undefined, { method: 'GET', key: null });
      assert.equal(health.status, 200);
      assert.equal(health.body.status, 'ok');
      const info = await p.call('/v1/platform/info', undefined, { method: 'GET', key: null });
      assert.equal(info.status, 200);
      assert.equal(info.body.metadata_store, kind.kind);
      assert.equal(info.body.name, 'slipstream');
      for (const secret of [p.boot.account_key, p.boot.application_key, p.boot.agent_key]) {
        assert.ok(!info.text.includes(secret));
      }
      const docs = await p.app.inject({ method: 'GET', url: '/docs/' });
      assert.equal(docs.statusCode, 200);
      assert.match(docs.body, /swagger/i);
    });
  });
}
