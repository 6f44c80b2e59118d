import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { api, startSlipstream, type SlipstreamProcess } from '../helpers/process.ts';

/**
 * Terraform acceptance: WarpStream's official provider (warpstreamlabs/warpstream), unmodified,
 * run by OpenTofu against a running Slipstream (`npm start` mode). It applies
 * test/terraform/config/main.tf, checks through the Management API that everything exists as
 * declared, plans again (no diff), applies an update of every changeable attribute, plans again,
 * and destroys — then checks that everything is gone.
 *
 * Run by `npm run test:terraform` (scripts/test-terraform.sh), which builds OpenTofu and the
 * provider and passes them in SLIPSTREAM_TOFU and SLIPSTREAM_TF_PLUGIN_MIRROR.
 */

const TOFU = process.env.SLIPSTREAM_TOFU;
const MIRROR = process.env.SLIPSTREAM_TF_PLUGIN_MIRROR;
const UNAVAILABLE = process.env.SLIPSTREAM_TF_UNAVAILABLE;
const CONFIG = join(import.meta.dirname, 'config');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function tofu(dir: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(TOFU!, args, { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function explain(step: string, run: Run): string {
  return `${step} exited ${run.code}\n--- stdout\n${run.stdout.slice(-6000)}\n--- stderr\n${run.stderr.slice(-6000)}`;
}

const PIPELINE_V1 = `input:
  generate:
    mapping: 'root = "hello"'
    interval: 1s
pipeline:
  processors:
    - mapping: root = content().uppercase()
output:
  drop: {}
`;
const PIPELINE_V2 = PIPELINE_V1.replace('interval: 1s', 'interval: 5s');

test('the official WarpStream Terraform provider applies, re-plans clean, updates and destroys', { skip: UNAVAILABLE ? `Terraform provider unavailable: ${UNAVAILABLE}` : !TOFU ? 'run through npm run test:terraform' : false, timeout: 600_000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'slipstream-terraform-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const dataDir = join(work, 'data');
  const platform: SlipstreamProcess = await startSlipstream('dev', { SLIPSTREAM_DATA_DIR: dataDir });
  t.after(() => platform.child.kill('SIGKILL'));
  const boot = JSON.parse(readFileSync(join(dataDir, 'bootstrap.json'), 'utf8'));
  const app = boot.application_key as string;
  const account = boot.account_key as string;

  const dir = join(work, 'config');
  cpSync(CONFIG, dir, { recursive: true });
  // Only the locally built provider, from a filesystem mirror: no registry is reachable here.
  const cliConfig = join(work, 'tofurc');
  writeFileSync(cliConfig, `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(MIRROR)}\n    include = ["registry.opentofu.org/warpstreamlabs/*"]\n  }\n}\n`);
  const env = { TF_CLI_CONFIG_FILE: cliConfig, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_LOG: process.env.TF_LOG ?? '' };

  const vars = (overrides: Record<string, unknown>) => {
    const file = join(dir, 'run.tfvars.json');
    writeFileSync(file, JSON.stringify({
      base_url: `${platform.apiUrl}/api/v1`,
      account_key: account,
      application_key: app,
      suffix: 'acc',
      workspace_name: 'tf-team',
      cluster_name: 'vcn_tf_main',
      cluster_tier: 'dev',
      cluster_tags: { team: 'payments', env: 'test' },
      auto_create_topic: false,
      default_num_partitions: 3,
      partition_count: 2,
      retention_ms: '604800000',
      pipeline_state: 'running',
      pipeline_yaml: PIPELINE_V1,
      role_grant: 'admin',
      ...overrides,
    }));
    return ['-input=false', '-no-color', `-var-file=${file}`];
  };
  const step = async (name: string, args: string[], expected = 0) => {
    const run = await tofu(dir, args, env);
    assert.equal(run.code, expected, explain(name, run));
    return run;
  };
  const planClean = async (name: string, varArgs: string[]) => {
    // -detailed-exitcode: 0 = no changes, 2 = changes, 1 = error.
    await step(name, ['plan', '-detailed-exitcode', ...varArgs], 0);
  };
  const output = async (): Promise<Record<string, { value: unknown }>> =>
    JSON.parse((await step('output', ['output', '-json', '-no-color'])).stdout);
  const call = async (key: string, path: string, body: unknown = {}) => {
    const answer = await api(platform.apiUrl, key, `/api/v1/${path}`, body);
    assert.equal(answer.status, 200, `${path}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };

  await step('init', ['init', '-input=false', '-no-color']);

  // --- create -------------------------------------------------------------------------------
  const v1 = vars({});
  await step('apply (create)', ['apply', '-auto-approve', ...v1]);
  let out = await output();
  const clusterId = out.cluster_id!.value as string;
  const workspaceId = out.workspace_id!.value as string;
  assert.match(clusterId, /^vci_/);
  assert.match(workspaceId, /^wi_/);
  assert.match(out.schema_registry_id!.value as string, /^vci_sr_/);
  assert.match(out.user_role_id!.value as string, /^pri_/);

  const described = (await call(app, 'describe_virtual_cluster', { virtual_cluster_id: clusterId })).virtual_cluster;
  assert.equal(described.name, 'vcn_tf_main');
  assert.equal(described.tier, 'dev');
  assert.deepEqual((await call(app, 'describe_virtual_cluster_tags', { virtual_cluster_id: clusterId })).tags, { team: 'payments', env: 'test' });
  const configuration = (await call(app, 'describe_virtual_cluster_configuration', { virtual_cluster_id: clusterId })).virtual_cluster_configuration;
  assert.equal(configuration.are_acls_enabled, true);
  assert.equal(configuration.is_auto_create_topic_enabled, false);
  assert.equal(configuration.default_num_partitions, 3);
  const topic = await call(app, 'describe_topic', { virtual_cluster_id: clusterId, topic_name: 'orders' });
  assert.equal(topic.partition_count, 2);
  assert.equal(topic.configs['retention.ms'], '604800000');
  const acls = (await call(app, 'virtual_clusters/acls/list', { virtual_cluster_id: clusterId })).acls;
  assert.equal(acls.length, 2);
  const username = out.credentials_username!.value as string;
  assert.ok(acls.every((acl: { principal: string }) => acl.principal === `User:${username}`));
  const credentials = (await call(app, 'list_virtual_cluster_credentials', { virtual_cluster_id: clusterId })).credentials;
  assert.deepEqual(credentials.map((c: { username: string }) => c.username), [username]);
  // The provider's pipeline id is `virtual_cluster_id/pipeline_id`.
  const [pipelineCluster, pipelineId] = (out.pipeline_id!.value as string).split('/');
  assert.equal(pipelineCluster, clusterId);
  assert.match(pipelineId!, /^pi_/);
  const pipeline = await call(app, 'describe_pipeline', { virtual_cluster_id: clusterId, pipeline_id: pipelineId });
  assert.equal(pipeline.pipeline_overview.state, 'running');
  assert.equal(pipeline.pipeline_configurations.length, 1);
  const workspaces = (await call(account, 'list_workspaces')).workspaces;
  assert.ok(workspaces.some((w: { id: string; name: string }) => w.id === workspaceId && w.name === 'tf-team'));
  const teamKey = out.team_application_key!.value as string;
  const teamClusters = await api(platform.apiUrl, teamKey, '/api/v1/list_virtual_clusters');
  assert.equal(teamClusters.status, 200, 'the application key Terraform created works');
  const roles = (await call(account, 'list_user_roles')).user_roles;
  assert.equal(roles.length, 1);

  // Data sources read back what the resources made.
  assert.equal(out.default_cluster_id!.value, boot.virtual_cluster_id);
  assert.equal(out.main_cluster_name!.value, 'vcn_tf_main');
  assert.deepEqual(out.cluster_names!.value, ['vcn_default', 'vcn_sr_tf_acc', 'vcn_tf_main']);
  assert.deepEqual(out.workspace_key_names!.value, ['akn_tf_team_acc', 'akn_tf_team_ro_acc']);
  const appKeyNames = out.application_key_names!.value as string[];
  assert.ok(appKeyNames.includes('akn_tf_team_acc') && appKeyNames.includes('akn_tf_team_ro_acc'), JSON.stringify(appKeyNames));
  assert.ok((out.agent_key_names!.value as string[]).includes('akn_tf_agent_acc'));
  assert.equal(out.user_role_name!.value, 'tf-role-acc');
  assert.equal(out.schema_registry_lookup_id!.value, out.schema_registry_id!.value);

  await planClean('plan after create', v1);

  // --- update -------------------------------------------------------------------------------
  const v2 = vars({
    workspace_name: 'tf-team-renamed',
    cluster_name: 'vcn_tf_renamed',
    cluster_tier: 'pro',
    cluster_tags: { team: 'payments', env: 'prod', owner: 'ops' },
    auto_create_topic: true,
    default_num_partitions: 6,
    partition_count: 4,
    retention_ms: '86400000',
    pipeline_state: 'paused',
    pipeline_yaml: PIPELINE_V2,
    role_grant: 'read_only',
  });
  await step('apply (update)', ['apply', '-auto-approve', ...v2]);
  out = await output();
  assert.equal(out.cluster_id!.value, clusterId, 'renaming keeps the cluster');
  const renamed = (await call(app, 'describe_virtual_cluster', { virtual_cluster_id: clusterId })).virtual_cluster;
  assert.equal(renamed.name, 'vcn_tf_renamed');
  assert.equal(renamed.tier, 'pro');
  assert.deepEqual((await call(app, 'describe_virtual_cluster_tags', { virtual_cluster_id: clusterId })).tags, { team: 'payments', env: 'prod', owner: 'ops' });
  const grown = await call(app, 'describe_topic', { virtual_cluster_id: clusterId, topic_name: 'orders' });
  assert.equal(grown.partition_count, 4);
  assert.equal(grown.configs['retention.ms'], '86400000');
  const paused = await call(app, 'describe_pipeline', { virtual_cluster_id: clusterId, pipeline_id: pipelineId });
  assert.equal(paused.pipeline_overview.state, 'paused');
  assert.equal(paused.pipeline_configurations.length, 2, 'a changed YAML is a new configuration version');
  assert.ok((await call(account, 'list_workspaces')).workspaces.some((w: { name: string }) => w.name === 'tf-team-renamed'));

  await planClean('plan after update', v2);

  // --- destroy ------------------------------------------------------------------------------
  await step('destroy', ['destroy', '-auto-approve', ...v2]);
  const clusters = (await call(app, 'list_virtual_clusters')).virtual_clusters;
  assert.deepEqual(clusters.map((c: { id: string }) => c.id), [boot.virtual_cluster_id], 'only the bootstrap cluster is left');
  assert.ok(!(await call(account, 'list_workspaces')).workspaces.some((w: { id: string }) => w.id === workspaceId));
  assert.equal((await call(account, 'list_user_roles')).user_roles.length, 0);
  const revoked = await api(platform.apiUrl, teamKey, '/api/v1/list_virtual_clusters');
  assert.equal(revoked.status, 401, 'the destroyed application key is revoked');
});
