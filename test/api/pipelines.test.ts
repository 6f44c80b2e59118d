import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCluster, foreignWorkspace, idPattern, listedEveryWay, readOnlyKey, refused, UNKNOWN_CLUSTER } from '../helpers/api.ts';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';

/** create_pipeline and list_pipelines: records and rules (bento default, one orbit, schema linking). */

const CREATE = '/api/v1/create_pipeline';
const LIST = '/api/v1/list_pipelines';
const PIPELINE_ID = idPattern('pi_');

interface CreatedPipeline {
  pipeline_id: string;
  pipeline_name: string;
  pipeline_state: string;
  pipeline_type: string;
  pipeline_deployed_configuration_id: string;
}

async function createPipeline(p: TestPlatform, name: string, type?: string, cluster?: string): Promise<CreatedPipeline> {
  const result = await p.call(CREATE, {
    virtual_cluster_id: cluster ?? p.boot.virtual_cluster_id,
    pipeline_name: name,
    ...(type !== undefined ? { pipeline_type: type } : {}),
  });
  assert.equal(result.status, 200, `${name}/${type}: ${result.text}`);
  return result.body;
}

async function listPipelines(p: TestPlatform, cluster?: string): Promise<Array<Record<string, unknown>>> {
  const result = await p.call(LIST, { virtual_cluster_id: cluster ?? p.boot.virtual_cluster_id });
  assert.equal(result.status, 200, result.text);
  assert.deepEqual(Object.keys(result.body), ['pipelines']);
  return result.body.pipelines;
}

for (const kind of storeKinds()) {
  describe(`pipelines (${kind.kind})`, () => {
    test('create defaults to bento, paused, no configuration deployed; list shows it in the seed shape', async (t) => {
      const p = await startTestPlatform(kind, t);
      assert.equal((await p.call(LIST, { virtual_cluster_id: p.boot.virtual_cluster_id })).text, '{"pipelines":[]}');
      const created = await createPipeline(p, 'my-pipeline');
      assert.deepEqual(Object.keys(created).sort(), [
        'pipeline_deployed_configuration_id',
        'pipeline_id',
        'pipeline_name',
        'pipeline_state',
        'pipeline_type',
      ]);
      assert.match(created.pipeline_id, PIPELINE_ID);
      assert.deepEqual(created, {
        pipeline_id: created.pipeline_id,
        pipeline_name: 'my-pipeline',
        pipeline_state: 'paused',
        pipeline_type: 'bento',
        pipeline_deployed_configuration_id: '',
      });
      assert.deepEqual(await listPipelines(p), [
        { id: created.pipeline_id, name: 'my-pipeline', state: 'paused', type: 'bento', deployed_configuration_id: '' },
      ]);
      const [record] = await p.store.listPipelines(p.boot.virtual_cluster_id);
      assert.equal(record?.virtual_cluster_id, p.boot.virtual_cluster_id);
      assert.equal(typeof record?.created_at, 'number');
    });

    test('list by GET with a body, GET with a query string; an empty body is 400', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await createPipeline(p, 'b_first', 'bento');
      await createPipeline(p, 'a_second', 'orbit');
      const post = await listedEveryWay(p, LIST, id);
      assert.deepEqual(post.body.pipelines.map((x: { name: string }) => x.name).sort(), ['a_second', 'b_first']);
      await refused(p, LIST, undefined, 400, 'VALIDATION_ERROR');
      await refused(p, LIST, { virtual_cluster_id: UNKNOWN_CLUSTER }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
    });

    test('bento and orbit by name; a second orbit on the cluster is 409', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      const bento = await createPipeline(p, 'explicit_bento', 'bento');
      assert.equal(bento.pipeline_type, 'bento');
      const orbit = await createPipeline(p, 'replicator', 'orbit');
      assert.equal(orbit.pipeline_type, 'orbit');
      assert.equal(orbit.pipeline_state, 'paused');
      await refused(p, CREATE, { virtual_cluster_id: id, pipeline_name: 'replicator_2', pipeline_type: 'orbit' }, 409, 'PIPELINE_LIMIT_REACHED');
      // Bento pipelines are not limited.
      await createPipeline(p, 'bento_2');
      await createPipeline(p, 'bento_3', 'bento');
      // Orbit is limited per cluster: another cluster has its own.
      const other = await createCluster(p, 'other');
      await createPipeline(p, 'replicator', 'orbit', other);
      assert.deepEqual((await listPipelines(p)).map((x) => `${x.name}:${x.type}`).sort(), [
        'bento_2:bento',
        'bento_3:bento',
        'explicit_bento:bento',
        'replicator:orbit',
      ]);
    });

    test('schema_linking only on a byoc_schema_registry cluster, one per cluster; nothing else runs there', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await refused(p, CREATE, { virtual_cluster_id: id, pipeline_name: 'link', pipeline_type: 'schema_linking' }, 400, 'INVALID_PIPELINE_TYPE');
      const lake = await createCluster(p, 'lake', { virtual_cluster_type: 'byoc_data_lake' });
      await refused(p, CREATE, { virtual_cluster_id: lake, pipeline_name: 'link', pipeline_type: 'schema_linking' }, 400, 'INVALID_PIPELINE_TYPE');

      const registry = await createCluster(p, 'registry', { virtual_cluster_type: 'byoc_schema_registry' });
      const link = await createPipeline(p, 'link', 'schema_linking', registry);
      assert.equal(link.pipeline_type, 'schema_linking');
      assert.equal(link.pipeline_state, 'paused');
      assert.equal(link.pipeline_deployed_configuration_id, '');
      await refused(p, CREATE, { virtual_cluster_id: registry, pipeline_name: 'link_2', pipeline_type: 'schema_linking' }, 409, 'PIPELINE_LIMIT_REACHED');
      await refused(p, CREATE, { virtual_cluster_id: registry, pipeline_name: 'bento' }, 400, 'INVALID_PIPELINE_TYPE');
      await refused(p, CREATE, { virtual_cluster_id: registry, pipeline_name: 'bento', pipeline_type: 'bento' }, 400, 'INVALID_PIPELINE_TYPE');
      await refused(p, CREATE, { virtual_cluster_id: registry, pipeline_name: 'orbit', pipeline_type: 'orbit' }, 400, 'INVALID_PIPELINE_TYPE');
      assert.deepEqual(await listPipelines(p, registry), [
        { id: link.pipeline_id, name: 'link', state: 'paused', type: 'schema_linking', deployed_configuration_id: '' },
      ]);
      // A second schema-registry cluster gets its own.
      const registry2 = await createCluster(p, 'registry_two', { virtual_cluster_type: 'byoc_schema_registry' });
      await createPipeline(p, 'link', 'schema_linking', registry2);
      assert.deepEqual(await listPipelines(p), []);
    });

    test('a bad pipeline_type is 400 and changes nothing', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      for (const type of ['Bento', 'kafka_connect', '', 'schema-linking', 5, null, ['bento']]) {
        const result = await refused(p, CREATE, { virtual_cluster_id: id, pipeline_name: 'p', pipeline_type: type }, 400, 'VALIDATION_ERROR');
        assert.match(result.body.error.message, /pipeline_type/);
      }
    });

    test('pipeline_name: required, 1 to 128 of letters, digits, "_" and "-"; duplicates are 409', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      await createPipeline(p, 'n'.repeat(128));
      await createPipeline(p, 'A-b_9');
      for (const name of ['', 'n'.repeat(129), 'a b', 'a.b', 'a/b', 'ä', 'name\n']) {
        await refused(p, CREATE, { virtual_cluster_id: id, pipeline_name: name }, 400, 'VALIDATION_ERROR');
      }
      await refused(p, CREATE, { virtual_cluster_id: id }, 400, 'VALIDATION_ERROR');
      await refused(p, CREATE, { virtual_cluster_id: id, pipeline_name: 7 }, 400, 'VALIDATION_ERROR');
      await refused(p, CREATE, { pipeline_name: 'x' }, 400, 'VALIDATION_ERROR');

      await createPipeline(p, 'dup');
      await refused(p, CREATE, { virtual_cluster_id: id, pipeline_name: 'dup' }, 409, 'PIPELINE_ALREADY_EXISTS');
      // A duplicate name is refused whatever the type, and it does not use up the orbit slot.
      await refused(p, CREATE, { virtual_cluster_id: id, pipeline_name: 'dup', pipeline_type: 'orbit' }, 409, 'PIPELINE_ALREADY_EXISTS');
      await createPipeline(p, 'orbit_one', 'orbit');
      // Names are case-sensitive.
      await createPipeline(p, 'DUP');
      assert.equal((await listPipelines(p)).length, 5);
    });

    test('unknown cluster 404; another workspace 404; agent and read-only keys 403; no key 401', async (t) => {
      const p = await startTestPlatform(kind, t);
      const id = p.boot.virtual_cluster_id;
      const body = { virtual_cluster_id: id, pipeline_name: 'p' };
      await refused(p, CREATE, { ...body, virtual_cluster_id: UNKNOWN_CLUSTER }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, CREATE, body, 401, 'UNAUTHORIZED', { key: null });
      await refused(p, CREATE, body, 403, 'FORBIDDEN', { key: p.boot.agent_key });
      await refused(p, LIST, { virtual_cluster_id: id }, 403, 'FORBIDDEN', { key: p.boot.agent_key });
      const reader = await readOnlyKey(p);
      await refused(p, CREATE, body, 403, 'FORBIDDEN', { key: reader });
      assert.equal((await p.call(LIST, { virtual_cluster_id: id }, { key: reader })).text, '{"pipelines":[]}');

      const { key: foreignKey, cluster: foreignId } = await foreignWorkspace(p);
      await refused(p, CREATE, { ...body, virtual_cluster_id: foreignId }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, LIST, { virtual_cluster_id: foreignId }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, LIST, { virtual_cluster_id: id }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND', { key: foreignKey });
    });
  });
}
