import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { managementEndpoints } from '../../src/control-plane/app.ts';
import { startTestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';

/**
 * The generated OpenAPI document against the seed spec: every seed path, method, request field
 * (with its type, enum and required-ness) and response field must be there. The seed lives
 * beside the repository (`../shared/seeds`), not in it.
 */
const SEED = join(import.meta.dirname, '..', '..', '..', 'shared', 'seeds', 'warpstream-management-api.openapi.yaml');

type Schema = {
  $ref?: string;
  type?: string;
  enum?: string[];
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: boolean | Schema;
};
type Doc = {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Schema }> }; responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>;
  components: { schemas: Record<string, Schema> };
};

function resolver(doc: Doc) {
  return function resolve(schema: Schema | undefined): Schema | undefined {
    if (!schema?.$ref) return schema;
    const name = schema.$ref.split('/').pop()!;
    return resolve(doc.components.schemas[name]);
  };
}

/** Asserts that `ours` has everything `seed` describes, field by field, recursively. */
function covers(where: string, seedSchema: Schema | undefined, ourSchema: Schema | undefined, seed: Doc, ours: Doc): void {
  const s = resolver(seed)(seedSchema);
  const o = resolver(ours)(ourSchema);
  if (!s) return;
  assert.ok(o, `${where}: missing`);
  if (s.type) assert.equal(o.type, s.type, `${where}: type`);
  if (s.enum) for (const value of s.enum) assert.ok(o.enum?.includes(value), `${where}: enum value ${value} missing`);
  for (const field of s.required ?? []) assert.ok(o.required?.includes(field), `${where}: ${field} must be required`);
  for (const [name, property] of Object.entries(s.properties ?? {})) {
    covers(`${where}.${name}`, property, o.properties?.[name], seed, ours);
  }
  if (s.items) covers(`${where}[]`, s.items, o.items, seed, ours);
  if (s.additionalProperties === false) assert.equal(o.additionalProperties, false, `${where}: must allow no properties`);
}

const json = (body: { content?: Record<string, { schema: Schema }> } | undefined) => body?.content?.['application/json']?.schema;

describe('OpenAPI document', () => {
  test('covers every path, method, request and response field of the seed spec', async (t) => {
    if (!existsSync(SEED)) {
      t.skip(`seed spec not found at ${SEED}`);
      return;
    }
    const seed = parse(readFileSync(SEED, 'utf8')) as Doc;
    const p = await startTestPlatform(storeKinds()[0]!, t);
    const response = await p.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(response.statusCode, 200);
    const ours = JSON.parse(response.body) as Doc;

    const seedPaths = Object.keys(seed.paths);
    assert.equal(seedPaths.length, 15);
    for (const path of seedPaths) {
      for (const [method, operation] of Object.entries(seed.paths[path]!)) {
        const where = `${method.toUpperCase()} ${path}`;
        const ourOperation = ours.paths[path]?.[method];
        assert.ok(ourOperation, `${where} is not documented`);
        const request = json(operation.requestBody);
        // A multi-region cluster names virtual_cluster_region_group instead of a region (WarpStream's
        // Terraform provider sends one or the other), so the service requires exactly one of them.
        const seedRequest = path === '/api/v1/create_virtual_cluster' && request
          ? { ...request, required: request.required?.filter((f) => f !== 'virtual_cluster_region') }
          : request;
        covers(`${where} request`, seedRequest, json(ourOperation.requestBody), seed, ours);
        covers(`${where} response`, json(operation.responses['200']), json(ourOperation.responses['200']), seed, ours);
      }
    }
    for (const [name, schema] of Object.entries(seed.components.schemas)) {
      // ApiKey.key is only in the answer that creates a key, so it is optional here (not required).
      covers(`components.${name}`, { ...schema, required: schema.required?.filter((f) => !(name === 'ApiKey' && f === 'key')) }, ours.components.schemas[name], seed, ours);
    }
  });

  test('documents every Management API endpoint beyond the seed, with its body and answer, and the Prometheus endpoint', async (t) => {
    const p = await startTestPlatform(storeKinds()[0]!, t);
    const ours = JSON.parse((await p.app.inject({ method: 'GET', url: '/openapi.json' })).body) as Doc;
    for (const endpoint of managementEndpoints) {
      const operation = ours.paths[endpoint.path]?.[endpoint.method.toLowerCase()];
      assert.ok(operation, `${endpoint.method} ${endpoint.path} is documented`);
      assert.ok(operation.responses['200'], `${endpoint.path}: 200 answer`);
      if (endpoint.method === 'POST') assert.ok(json(operation.requestBody), `${endpoint.path}: request body schema`);
    }
    for (const path of ['/api/v1/delete_api_key', '/api/v1/rename_workspace', '/api/v1/delete_workspace', '/api/v1/update_user_role', '/api/v1/delete_user_role', '/api/v1/change_pipeline_state', '/api/v1/delete_pipeline']) {
      const answer = json(ours.paths[path]?.post?.responses['200']);
      assert.equal(resolver(ours)(answer)?.additionalProperties, false, `${path} answers exactly {}`);
    }
    assert.ok(ours.paths['/api/v1/monitoring/prometheus/virtual_clusters/{virtual_cluster_id}']?.get, 'the Prometheus endpoint is documented');
  });
});
