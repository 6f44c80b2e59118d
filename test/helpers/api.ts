/**
 * Helpers shared by the Management API tests (test/api): a platform per suite, the store state a
 * refused request must leave alone, the error envelope, and the few resources most tests need
 * (clusters, another tenant's workspace, a read-only key).
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { hashSecret } from '../../src/ids.ts';
import { startTestPlatform, type CallOptions, type CallResult, type TestPlatform } from './platform.ts';
import type { Cleanup, StoreKind } from './stores.ts';

/** An ISO 8601 UTC timestamp with milliseconds, as the API answers `created_at`. */
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** An API key secret as answered once on creation. */
export const SECRET = /^aks_[0-9a-f]{64}$/;
/** A well-formed virtual cluster id that names no cluster. */
export const UNKNOWN_CLUSTER = 'vci_00000000_0000_4000_8000_000000000000';

/** An id of the API's form: `prefix` then a UUID with `_` for `-` (`vci_…`, `aki_…`). */
export function idPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix}[0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12}$`);
}

/** Asserts `value` is an ISO timestamp between `startedAt` and now (5 ms slack either side). */
export function assertRecentIso(value: unknown, startedAt: number): void {
  assert.equal(typeof value, 'string');
  assert.match(value as string, ISO);
  const at = Date.parse(value as string);
  assert.ok(at >= startedAt - 5 && at <= Date.now() + 5, `${value} is the creation time`);
}

/** One platform for a whole `describe` (call it there), thrown away when the suite ends. */
export function sharedPlatform(kind: StoreKind): () => TestPlatform {
  const cleanups: (() => unknown)[] = [];
  const scope: Cleanup = { after: (fn) => void cleanups.push(fn) };
  let platform: TestPlatform | undefined;
  before(async () => {
    platform = await startTestPlatform(kind, scope);
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });
  return () => platform!;
}

/** What a virtual cluster owns, read in parallel. */
export async function clusterState(p: TestPlatform, id: string) {
  const [topics, deletedTopics, acls, credentials, pipelines, agentKeys, offsets] = await Promise.all([
    p.store.listTopics(id, 'live'),
    p.store.listTopics(id, 'deleted'),
    p.store.listAcls(id),
    p.store.listCredentials(id),
    p.store.listPipelines(id),
    p.store.listAgentKeys(id),
    p.store.listCommittedOffsets(id),
  ]);
  return { topics, deletedTopics, acls, credentials, pipelines, agentKeys, offsets };
}

/** Everything the store holds for the bootstrap account: what a refused request must not change. */
export async function storeSnapshot(p: TestPlatform) {
  const accountId = (await p.store.getApiKeyBySecretHash(hashSecret(p.boot.account_key)))!.account_id;
  const workspaces = await Promise.all(
    (await p.store.listWorkspaces(accountId)).map(async (workspace) => {
      const clusters = await Promise.all(
        (await p.store.listVirtualClusters(workspace.id)).map(async (cluster) => ({
          cluster,
          ...(await clusterState(p, cluster.id)),
          partitions: await p.store.countPartitions(cluster.id),
        })),
      );
      return { workspace, keys: await p.store.listApiKeys(workspace.id), clusters };
    }),
  );
  return { accountKeys: await p.store.listAccountKeys(accountId), workspaces };
}

/** Asserts `r` is the API's error envelope with `status` and `code`, and leaks no stack trace. */
export function assertError(r: CallResult, status: number, code: string, what: string): void {
  assert.equal(r.status, status, `${what}: expected ${status}, got ${r.status} ${r.text}`);
  assert.deepEqual(Object.keys(r.body ?? {}).sort(), ['error'], `${what}: ${r.text}`);
  assert.deepEqual(Object.keys(r.body.error).sort(), ['code', 'correlationId', 'message', 'timestamp'], what);
  assert.equal(r.body.error.code, code, `${what}: ${r.text}`);
  assert.ok(typeof r.body.error.message === 'string' && r.body.error.message.length > 0, `${what}: a message`);
  assert.equal(typeof r.body.error.correlationId, 'string', what);
  assert.ok(!/\n\s+at /.test(r.text), `${what}: no stack trace in the answer`);
}

/** Calls `path`, asserts a 200 answer, and answers it. */
export async function ok(p: TestPlatform, path: string, body: unknown, options: CallOptions = {}): Promise<CallResult> {
  const r = await p.call(path, body, options);
  assert.equal(r.status, 200, `${path} ${JSON.stringify(body)}: ${r.text}`);
  return r;
}

/** Reads an API answer that, besides the store, a refused request must leave as it was. */
export type AnswerReader = (p: TestPlatform) => Promise<CallResult>;

/**
 * Calls `path` with `body`, asserts the error answer (`status`, `code`, and the message matching
 * `message` when given), and that the store did not change at all. Answers the refusal.
 */
export type Refused = (
  p: TestPlatform,
  path: string,
  body: unknown,
  status: number,
  code: string,
  options?: CallOptions,
  message?: RegExp,
) => Promise<CallResult>;

/** A `refused` that also asserts `unchanged`'s answer (e.g. a list endpoint) is the same after. */
export function refusedKeeping(unchanged?: AnswerReader): Refused {
  return async (p, path, body, status, code, options = {}, message) => {
    const what = `${options.method ?? 'POST'} ${path} ${JSON.stringify(body)}`;
    const before = await storeSnapshot(p);
    const answered = unchanged && (await unchanged(p));
    const r = await p.call(path, body, options);
    assertError(r, status, code, what);
    if (message) assert.match(r.body.error.message, message, what);
    assert.deepEqual(await storeSnapshot(p), before, `${what}: a refused request changed nothing`);
    if (unchanged) assert.deepEqual((await unchanged(p)).body, answered!.body, `${what}: the answer of the list is unchanged`);
    return r;
  };
}

/** Calls, asserts the refusal, and asserts that nothing at all changed in the store. */
export const refused: Refused = refusedKeeping();

/** A create_virtual_cluster body: a dev byoc cluster on aws us-east-1 unless `overrides` say otherwise. */
export function clusterBody(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    virtual_cluster_name: name,
    virtual_cluster_type: 'byoc',
    virtual_cluster_region: 'us-east-1',
    virtual_cluster_cloud_provider: 'aws',
    virtual_cluster_tier: 'dev',
    ...overrides,
  };
}

/** Creates a cluster (`clusterBody(name, overrides)`) with the default key or `options.key`; answers its id. */
export async function createCluster(
  p: TestPlatform,
  name: string,
  overrides: Record<string, unknown> = {},
  options: CallOptions = {},
): Promise<string> {
  return (await ok(p, '/api/v1/create_virtual_cluster', clusterBody(name, overrides), options)).body.virtual_cluster_id as string;
}

/** Creates a workspace with the account key; answers its id and its new application key's secret. */
export async function createWorkspace(p: TestPlatform, name: string): Promise<{ id: string; key: string }> {
  const r = await ok(p, '/api/v1/create_workspace', { workspace_name: name }, { key: p.boot.account_key });
  return { id: r.body.workspace_id as string, key: r.body.application_key.key as string };
}

/** Another tenant: a new workspace, its application key, and one cluster made with that key. */
export async function foreignWorkspace(
  p: TestPlatform,
  workspaceName = 'tenant two',
  clusterName = 'foreign',
  overrides: Record<string, unknown> = {},
): Promise<{ id: string; key: string; cluster: string }> {
  const workspace = await createWorkspace(p, workspaceName);
  return { ...workspace, cluster: await createCluster(p, clusterName, overrides, { key: workspace.key }) };
}

/** Creates a read-only (app_r) application key for every cluster, or only `clusterId`; answers its secret. */
export async function readOnlyKey(p: TestPlatform, name = 'reader', clusterId?: string): Promise<string> {
  const grant = clusterId
    ? { principal_kind: 'app_r', resource_kind: 'virtual_cluster', resource_id: clusterId }
    : { principal_kind: 'app_r', resource_kind: '*', resource_id: '*' };
  return (await ok(p, '/api/v1/create_api_key', { name, access_grants: [grant] })).body.key as string;
}

/**
 * Calls a cluster's list endpoint by POST, by GET with a JSON body and by GET with a query
 * string; asserts each answers 200 with the very same text, and answers the POST.
 */
export async function listedEveryWay(p: TestPlatform, path: string, virtualClusterId: string): Promise<CallResult> {
  const post = await ok(p, path, { virtual_cluster_id: virtualClusterId });
  const get = await ok(p, path, { virtual_cluster_id: virtualClusterId }, { method: 'GET' });
  assert.equal(get.text, post.text, `GET ${path} with a body answers as POST`);
  const query = await ok(p, `${path}?virtual_cluster_id=${virtualClusterId}`, undefined, { method: 'GET' });
  assert.equal(query.text, post.text, `GET ${path} with a query string answers as POST`);
  return post;
}
