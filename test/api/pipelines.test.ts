import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCluster, foreignWorkspace, idPattern, listedEveryWay, ok, readOnlyKey, refused, refusedKeeping, UNKNOWN_CLUSTER } from '../helpers/api.ts';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import { storeKinds } from '../helpers/stores.ts';

/**
 * create_pipeline and list_pipelines: records and rules (bento default, one orbit, schema linking);
 * describe_pipeline, create_pipeline_configuration, change_pipeline_state and delete_pipeline in
 * the shapes the Terraform provider sends and parses.
 */

const CREATE = '/api/v1/create_pipeline';
const DESCRIBE = '/api/v1/describe_pipeline';
const CONFIGURE = '/api/v1/create_pipeline_configuration';
const STATE = '/api/v1/change_pipeline_state';
const DELETE = '/api/v1/delete_pipeline';
const BENTO = 'input:\n  generate:\n    mapping: root = "hello"\n    interval: 1s\npipeline:\n  processors: []\noutput:\n  drop: {}\n';
const BENTO_V2 = 'input:\n  generate:\n    mapping: root = "v2"\noutput:\n  drop: {}\nwarpstream:\n  pipeline_group: group_a\n';
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

    // --- describe, configurations, state, delete ---

    test('the Terraform provider\'s lifecycle: create, configure, deploy running, read back, reconfigure, pause, delete', async (t) => {
      const p = await startTestPlatform(kind, t);
      const vci = p.boot.virtual_cluster_id;
      const created = await createPipeline(p, 'tf-pipeline');
      const ids = { virtual_cluster_id: vci, pipeline_id: created.pipeline_id };
      assert.deepEqual((await ok(p, DESCRIBE, ids)).body, {
        pipeline_overview: { id: created.pipeline_id, name: 'tf-pipeline', state: 'paused', type: 'bento', deployed_configuration_id: '' },
        pipeline_configurations: [],
      });

      const config = await ok(p, CONFIGURE, { ...ids, configuration_yaml: BENTO });
      assert.deepEqual(Object.keys(config.body), ['configuration_id']);
      const first = config.body.configuration_id as string;
      assert.match(first, idPattern('pci_'));
      // Configuring deploys nothing by itself.
      assert.equal((await ok(p, DESCRIBE, ids)).body.pipeline_overview.deployed_configuration_id, '');

      assert.equal((await ok(p, STATE, { ...ids, desired_state: 'running', deployed_configuration_id: first })).text, '{}');
      const described = await ok(p, DESCRIBE, ids);
      assert.deepEqual(described.body, {
        pipeline_overview: { id: created.pipeline_id, name: 'tf-pipeline', state: 'running', type: 'bento', deployed_configuration_id: first },
        pipeline_configurations: [{ id: first, version: 1, configuration_yaml: BENTO }],
      });
      // The same overview in list_pipelines; GET with a body answers the same as POST.
      assert.deepEqual((await listPipelines(p))[0], described.body.pipeline_overview);
      assert.equal((await ok(p, DESCRIBE, ids, { method: 'GET' })).text, described.text);

      // A new version, deployed with the state the provider resends; null leaves a field alone.
      const second = (await ok(p, CONFIGURE, { ...ids, configuration_yaml: BENTO_V2 })).body.configuration_id as string;
      assert.equal((await ok(p, STATE, { ...ids, desired_state: 'running', deployed_configuration_id: second })).text, '{}');
      assert.equal((await ok(p, STATE, { ...ids, desired_state: 'paused', deployed_configuration_id: null })).text, '{}');
      const after = (await ok(p, DESCRIBE, ids)).body;
      assert.equal(after.pipeline_overview.state, 'paused');
      assert.equal(after.pipeline_overview.deployed_configuration_id, second);
      assert.deepEqual(after.pipeline_configurations.map((c: { id: string; version: number }) => [c.id, c.version]), [[first, 1], [second, 2]]);
      // Rolling back to version 1 by id.
      assert.equal((await ok(p, STATE, { ...ids, desired_state: null, deployed_configuration_id: first })).text, '{}');
      assert.equal((await ok(p, DESCRIBE, ids)).body.pipeline_overview.deployed_configuration_id, first);

      assert.equal((await ok(p, DELETE, ids)).text, '{}');
      assert.deepEqual(await listPipelines(p), []);
      assert.deepEqual(await p.store.listPipelineConfigurations(created.pipeline_id), []);
      // Gone: 404 everywhere, which the provider takes as "deleted".
      await refused(p, DESCRIBE, ids, 404, 'PIPELINE_NOT_FOUND');
      await refused(p, DELETE, ids, 404, 'PIPELINE_NOT_FOUND');
      await refused(p, CONFIGURE, { ...ids, configuration_yaml: BENTO }, 404, 'PIPELINE_NOT_FOUND');
      await refused(p, STATE, { ...ids, desired_state: 'paused' }, 404, 'PIPELINE_NOT_FOUND');
    });

    test('create_pipeline_configuration validates the YAML: syntax, a mapping, Bento\'s sections with input and output', async (t) => {
      const p = await startTestPlatform(kind, t);
      const vci = p.boot.virtual_cluster_id;
      const { pipeline_id } = await createPipeline(p, 'validated');
      const ids = { virtual_cluster_id: vci, pipeline_id };
      const keeping = refusedKeeping((q) => q.call(DESCRIBE, ids));
      const invalid: Array<[string, RegExp]> = [
        ['input: [unclosed\noutput: {}', /not valid YAML/],
        ['input: {}\ninput: {}\noutput: {}', /not valid YAML/],
        ['- input\n- output', /mapping/],
        ['just text', /mapping/],
        ['', /empty/],
        ['   \n', /empty/],
        ['input: {}\noutptu: {}', /unknown top-level section\(s\) outptu/],
        ['output:\n  drop: {}', /input/],
        ['input:\n  generate: {}', /output/],
      ];
      for (const [yaml, message] of invalid) {
        const r = await keeping(p, CONFIGURE, { ...ids, configuration_yaml: yaml }, 400, yaml.trim() === '' ? 'VALIDATION_ERROR' : 'INVALID_PIPELINE_CONFIGURATION');
        assert.match(r.body.error.message, message, yaml);
      }
      await keeping(p, CONFIGURE, ids, 400, 'VALIDATION_ERROR');
      await keeping(p, CONFIGURE, { ...ids, configuration_yaml: 5 }, 400, 'VALIDATION_ERROR');
      await keeping(p, CONFIGURE, { virtual_cluster_id: vci, configuration_yaml: BENTO }, 400, 'VALIDATION_ERROR');
      await keeping(p, CONFIGURE, { ...ids, configuration_yaml: BENTO, configuration_inputs: [{ name: 'a', yaml: 'x: 1' }] }, 400, 'VALIDATION_ERROR', {}, /tableflow/);
      // Every Bento section is accepted, warpstream's own included.
      const everything = ['http: {}', 'input:\n  generate: {}', 'buffer: {}', 'pipeline:\n  processors: []', 'output:\n  drop: {}', 'input_resources: []',
        'processor_resources: []', 'output_resources: []', 'cache_resources: []', 'rate_limit_resources: []', 'logger:\n  level: INFO', 'metrics: {}',
        'tracer: {}', 'shutdown_delay: 1s', 'shutdown_timeout: 20s', 'tests: []', 'warpstream:\n  pipeline_group: g'].join('\n');
      await ok(p, CONFIGURE, { ...ids, configuration_yaml: everything });
      // Orbit's configuration is WarpStream's own format: any mapping.
      const orbit = await createPipeline(p, 'orbit', 'orbit');
      await ok(p, CONFIGURE, { virtual_cluster_id: vci, pipeline_id: orbit.pipeline_id, configuration_yaml: 'source_bootstrap_brokers:\n  - hostname: kafka\n    port: 9092\n' });
      await refused(p, CONFIGURE, { virtual_cluster_id: vci, pipeline_id: orbit.pipeline_id, configuration_yaml: '[1, 2]' }, 400, 'INVALID_PIPELINE_CONFIGURATION');
      // Versions count per pipeline.
      const described = (await ok(p, DESCRIBE, ids)).body;
      assert.deepEqual(described.pipeline_configurations.map((c: { version: number }) => c.version), [1]);
    });

    test('change_pipeline_state refuses unknown configurations, running without one, and bad states', async (t) => {
      const p = await startTestPlatform(kind, t);
      const vci = p.boot.virtual_cluster_id;
      const { pipeline_id } = await createPipeline(p, 'stateful');
      const other = await createPipeline(p, 'other');
      const ids = { virtual_cluster_id: vci, pipeline_id };
      const keeping = refusedKeeping((q) => q.call(DESCRIBE, ids));
      await keeping(p, STATE, { ...ids, desired_state: 'running' }, 422, 'PIPELINE_NOT_CONFIGURED');
      await keeping(p, STATE, { ...ids, desired_state: 'running', deployed_configuration_id: null }, 422, 'PIPELINE_NOT_CONFIGURED');
      await keeping(p, STATE, { ...ids, deployed_configuration_id: 'pci_00000000_0000_4000_8000_000000000000' }, 404, 'PIPELINE_CONFIGURATION_NOT_FOUND');
      // Another pipeline's configuration is not this one's.
      const theirs = (await ok(p, CONFIGURE, { virtual_cluster_id: vci, pipeline_id: other.pipeline_id, configuration_yaml: BENTO })).body.configuration_id;
      await keeping(p, STATE, { ...ids, desired_state: 'running', deployed_configuration_id: theirs }, 404, 'PIPELINE_CONFIGURATION_NOT_FOUND');
      for (const state of ['Running', 'stopped', '', 1]) {
        await keeping(p, STATE, { ...ids, desired_state: state }, 400, 'VALIDATION_ERROR');
      }
      await keeping(p, STATE, ids, 400, 'VALIDATION_ERROR', {}, /desired_state/);
      await keeping(p, STATE, { ...ids, desired_state: null, deployed_configuration_id: null }, 400, 'VALIDATION_ERROR');
      await keeping(p, STATE, { ...ids, deployed_configuration_id: '' }, 400, 'VALIDATION_ERROR');
      await keeping(p, STATE, { virtual_cluster_id: vci, desired_state: 'paused' }, 400, 'VALIDATION_ERROR');
      // Paused needs no configuration.
      assert.equal((await ok(p, STATE, { ...ids, desired_state: 'paused' })).text, '{}');
    });

    test('describe/configure/state/delete: other clusters\' pipelines 404, foreign workspaces 404, read-only keys read only', async (t) => {
      const p = await startTestPlatform(kind, t);
      const vci = p.boot.virtual_cluster_id;
      const { pipeline_id } = await createPipeline(p, 'guarded');
      const ids = { virtual_cluster_id: vci, pipeline_id };
      const configurationId = (await ok(p, CONFIGURE, { ...ids, configuration_yaml: BENTO })).body.configuration_id;
      const other = await createCluster(p, 'other');
      const foreign = await foreignWorkspace(p);
      const reader = await readOnlyKey(p);
      const bodies: Array<[string, Record<string, unknown>]> = [
        [DESCRIBE, ids],
        [CONFIGURE, { ...ids, configuration_yaml: BENTO }],
        [STATE, { ...ids, desired_state: 'running', deployed_configuration_id: configurationId }],
        [DELETE, ids],
      ];
      for (const [path, body] of bodies) {
        // The pipeline asked for under another cluster of the workspace.
        await refused(p, path, { ...body, virtual_cluster_id: other }, 404, 'PIPELINE_NOT_FOUND');
        await refused(p, path, { ...body, virtual_cluster_id: foreign.cluster }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
        await refused(p, path, body, 404, 'VIRTUAL_CLUSTER_NOT_FOUND', { key: foreign.key });
        await refused(p, path, { ...body, virtual_cluster_id: UNKNOWN_CLUSTER }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
        await refused(p, path, body, 403, 'FORBIDDEN', { key: p.boot.agent_key });
        await refused(p, path, body, 403, 'FORBIDDEN', { key: p.boot.account_key });
        await refused(p, path, body, 401, 'UNAUTHORIZED', { key: null });
        if (path === DESCRIBE) {
          assert.equal((await ok(p, path, body, { key: reader })).text, (await ok(p, path, body)).text);
        } else {
          await refused(p, path, body, 403, 'FORBIDDEN', { key: reader }, /read-only/);
        }
      }
    });
  });
}
