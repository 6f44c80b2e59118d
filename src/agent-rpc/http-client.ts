import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ApiError } from '../errors.ts';
import { CommitSignals } from './commit-signals.ts';
import {
  AgentAuthError, GROUP_CALLS, SHARE_CALLS, TRANSACTION_CALLS, type ShareApi, type AgentRegistration, type TransactionApi, type BatchToCommit, type CompactionGroup, type CompactionPlanOptions,
  type ControlPlaneClient, type GroupApi, type LeaseAnswer, type PurgeResult, type RetentionResult, type RewriteRequest,
  type RewriteResult, type TopicCreation,
} from './contract.ts';
import { AGENT_AUTH_FAILED, RPC_CONTENT_TYPE, RPC_PREFIX, decodeWire, encodeWire } from './wire.ts';
import type { AclEntry } from '../acls/vocabulary.ts';
import type { AbortedTransaction, AgentRecord, BatchIndexEntry, ClusterCredential, ObjectDeletion, PartitionState, Topic, VirtualCluster } from '../model/records.ts';

export interface HttpControlPlaneOptions {
  /** The control plane's base URL (`SLIPSTREAM_CONTROL_PLANE_URL`), e.g. `http://10.0.0.5:8080`. */
  url: string;
  /** The agent key: every call is authenticated with it. */
  agentKey: string;
  /** How long a call may take before it fails (group joins wait as long as the rebalance). */
  timeoutMs?: number;
}

/**
 * How long the cluster (its configuration) read over the wire is reused: handlers read it on
 * admin requests and auto-creation, and a configuration change reaching agents within a second
 * is what the ACL view promises too. Topics are never cached: a topic deleted and created again
 * under its name must not be served under its old id, and a topic made through the Management
 * API is visible to the very next Kafka request.
 */
const CLUSTER_TTL_MS = 1_000;

/** Group calls that wait for the rebalance: no timeout of ours, the coordinator's timers decide. */
const WAITING_CALLS: ReadonlySet<string> = new Set(['groups.joinGroup', 'groups.syncGroup']);

/**
 * `ControlPlaneClient` over HTTP, for agents on other machines: each call is one POST to the
 * control plane's internal routes (control-plane/agent-rpc/routes.ts), on kept-alive
 * connections, authenticated by the agent key. A flush's commit is one call whatever the
 * number of objects and batches it carries.
 *
 * Commits made through this client wake this agent's own waiting fetches at once; commits of
 * other agents are seen when the readers re-check (the read path polls as well as waits).
 */
export class HttpControlPlane implements ControlPlaneClient {
  readonly groups: GroupApi;
  readonly transactions: TransactionApi;
  readonly shares: ShareApi;
  private readonly base: URL;
  private readonly authorization: string;
  private readonly timeoutMs: number;
  private readonly agent: HttpAgent;
  private readonly commits = new CommitSignals();
  private readonly clusters = new Map<string, { at: number; value: Promise<VirtualCluster | undefined> }>();

  constructor(options: HttpControlPlaneOptions) {
    this.base = new URL(options.url);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') {
      throw new Error(`the control plane URL must be http:// or https://, not ${options.url}`);
    }
    this.authorization = `Bearer ${options.agentKey}`;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.agent = this.base.protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    const groups: Record<string, unknown> = {};
    for (const name of GROUP_CALLS) groups[name] = (...args: unknown[]) => this.call(`groups.${name}`, args);
    this.groups = groups as unknown as GroupApi;
    const transactions: Record<string, unknown> = {};
    for (const name of TRANSACTION_CALLS) transactions[name] = (...args: unknown[]) => this.call(`transactions.${name}`, args);
    this.transactions = transactions as unknown as TransactionApi;
    const shares: Record<string, unknown> = {};
    for (const name of SHARE_CALLS) shares[name] = (...args: unknown[]) => this.call(`shares.${name}`, args);
    this.shares = shares as unknown as ShareApi;
  }

  async close(): Promise<void> {
    this.commits.clear();
    this.agent.destroy();
  }

  authenticateAgent(agentKey: string, virtualClusterId?: string): Promise<VirtualCluster> {
    if (`Bearer ${agentKey}` !== this.authorization) return Promise.reject(new AgentAuthError('an HTTP control-plane client authenticates only the key it was made with'));
    return this.call('authenticateAgent', virtualClusterId === undefined ? [] : [virtualClusterId]);
  }

  getCluster(virtualClusterId: string): Promise<VirtualCluster | undefined> {
    const hit = this.clusters.get(virtualClusterId);
    if (hit && Date.now() - hit.at < CLUSTER_TTL_MS) return hit.value;
    const value = this.call<VirtualCluster | undefined>('getCluster', [virtualClusterId]);
    this.clusters.set(virtualClusterId, { at: Date.now(), value });
    value.catch(() => this.clusters.delete(virtualClusterId));
    return value;
  }

  listTopics(virtualClusterId: string): Promise<Topic[]> {
    return this.call('listTopics', [virtualClusterId]);
  }

  getTopic(virtualClusterId: string, name: string): Promise<Topic | undefined> {
    return this.call('getTopic', [virtualClusterId, name]);
  }

  createTopic(virtualClusterId: string, request: TopicCreation): Promise<Topic> {
    return this.call('createTopic', [virtualClusterId, request]);
  }

  deleteTopic(virtualClusterId: string, name: string): Promise<void> {
    return this.call('deleteTopic', [virtualClusterId, name]);
  }

  growPartitions(virtualClusterId: string, name: string, partitionCount: number, validateOnly: boolean): Promise<Topic> {
    return this.call('growPartitions', [virtualClusterId, name, partitionCount, validateOnly]);
  }

  setTopicConfigs(virtualClusterId: string, name: string, configs: Record<string, string | null>, validateOnly: boolean): Promise<Topic> {
    return this.call('setTopicConfigs', [virtualClusterId, name, configs, validateOnly]);
  }

  deleteRecordsBefore(virtualClusterId: string, name: string, partition: number, offset: number): Promise<number> {
    return this.call('deleteRecordsBefore', [virtualClusterId, name, partition, offset]);
  }

  async commit(virtualClusterId: string, objectKey: string, batches: readonly BatchToCommit[]) {
    const results = await this.call<Awaited<ReturnType<ControlPlaneClient['commit']>>>('commit', [virtualClusterId, objectKey, batches]);
    this.commits.committed(batches, results);
    return results;
  }

  partitionState(virtualClusterId: string, topicId: string, partition: number): Promise<PartitionState> {
    return this.call('partitionState', [virtualClusterId, topicId, partition]);
  }

  readIndex(virtualClusterId: string, topicId: string, partition: number, fromOffset: number, limit: number): Promise<BatchIndexEntry[]> {
    return this.call('readIndex', [virtualClusterId, topicId, partition, fromOffset, limit]);
  }

  findBatchByTimestamp(virtualClusterId: string, topicId: string, partition: number, timestamp: number): Promise<BatchIndexEntry | undefined> {
    return this.call('findBatchByTimestamp', [virtualClusterId, topicId, partition, timestamp]);
  }

  findMaxTimestampBatch(virtualClusterId: string, topicId: string, partition: number): Promise<BatchIndexEntry | undefined> {
    return this.call('findMaxTimestampBatch', [virtualClusterId, topicId, partition]);
  }

  onCommit(topicId: string, partition: number, listener: () => void): () => void {
    return this.commits.on(topicId, partition, listener);
  }

  initProducerId(virtualClusterId: string, current: { producer_id: number; producer_epoch: number } | null) {
    return this.call<{ producer_id: number; producer_epoch: number }>('initProducerId', [virtualClusterId, current]);
  }
  abortedTransactions(virtualClusterId: string, topicId: string, partition: number, from: number, to: number): Promise<AbortedTransaction[]> {
    return this.call('abortedTransactions', [virtualClusterId, topicId, partition, from, to]);
  }

  partitionSizes(virtualClusterId: string, topicId: string): Promise<Array<{ partition: number; bytes: number }>> {
    return this.call('partitionSizes', [virtualClusterId, topicId]);
  }

  abortExpiredTransactions(virtualClusterId: string): Promise<number> {
    return this.call('abortExpiredTransactions', [virtualClusterId]);
  }


  findCredential(virtualClusterId: string, username: string): Promise<ClusterCredential | undefined> {
    return this.call('findCredential', [virtualClusterId, username]);
  }

  listAcls(virtualClusterId: string): Promise<AclEntry[]> {
    return this.call('listAcls', [virtualClusterId]);
  }

  createAcl(virtualClusterId: string, acl: AclEntry): Promise<AclEntry> {
    return this.call('createAcl', [virtualClusterId, acl]);
  }

  deleteAcls(virtualClusterId: string, acls: readonly AclEntry[]): Promise<AclEntry[]> {
    return this.call('deleteAcls', [virtualClusterId, acls]);
  }

  registerAgent(virtualClusterId: string, registration: AgentRegistration): Promise<{ agent: AgentRecord; live: AgentRecord[] }> {
    return this.call('registerAgent', [virtualClusterId, registration]);
  }

  heartbeatAgent(virtualClusterId: string, agentId: string): Promise<AgentRecord[] | null> {
    return this.call('heartbeatAgent', [virtualClusterId, agentId]);
  }

  deregisterAgent(virtualClusterId: string, agentId: string): Promise<void> {
    return this.call('deregisterAgent', [virtualClusterId, agentId]);
  }

  acquireJobLease(virtualClusterId: string, job: string, agentId: string): Promise<LeaseAnswer> {
    return this.call('acquireJobLease', [virtualClusterId, job, agentId]);
  }

  releaseJobLease(virtualClusterId: string, job: string, agentId: string): Promise<void> {
    return this.call('releaseJobLease', [virtualClusterId, job, agentId]);
  }

  applyRetention(virtualClusterId: string): Promise<RetentionResult> {
    return this.call('applyRetention', [virtualClusterId]);
  }

  purgeSoftDeletedTopics(virtualClusterId: string): Promise<PurgeResult> {
    return this.call('purgeSoftDeletedTopics', [virtualClusterId]);
  }

  listDueObjectDeletions(virtualClusterId: string, limit: number): Promise<ObjectDeletion[]> {
    return this.call('listDueObjectDeletions', [virtualClusterId, limit]);
  }

  confirmObjectDeletions(virtualClusterId: string, objectKeys: readonly string[]): Promise<number> {
    return this.call('confirmObjectDeletions', [virtualClusterId, objectKeys]);
  }

  unknownObjects(virtualClusterId: string, objectKeys: readonly string[]): Promise<string[]> {
    return this.call('unknownObjects', [virtualClusterId, objectKeys]);
  }

  planCompaction(virtualClusterId: string, options: CompactionPlanOptions): Promise<CompactionGroup[]> {
    return this.call('planCompaction', [virtualClusterId, options]);
  }

  commitRewrite(virtualClusterId: string, rewrite: RewriteRequest): Promise<RewriteResult> {
    return this.call('commitRewrite', [virtualClusterId, rewrite]);
  }

  /** One RPC: the arguments out, the result (or the control plane's refusal, rethrown) back. */
  private call<T>(method: string, args: unknown[]): Promise<T> {
    const body = Buffer.from(encodeWire(args));
    const url = new URL(`${RPC_PREFIX}/${method}`, this.base);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<T>((resolve, reject) => {
      const request = send(url, {
        method: 'POST',
        agent: this.agent,
        headers: { 'content-type': RPC_CONTENT_TYPE, 'content-length': body.length, authorization: this.authorization },
      });
      if (!WAITING_CALLS.has(method)) {
        request.setTimeout(this.timeoutMs, () => request.destroy(new Error(`control plane call ${method} timed out after ${this.timeoutMs} ms`)));
      }
      request.on('error', (error) => reject(new Error(`control plane call ${method} failed: ${error.message}`, { cause: error })));
      request.on('response', (response) => {
        readAll(response).then((text) => {
          try {
            resolve(answerOf(method, response.statusCode ?? 0, text) as T);
          } catch (error) {
            reject(error);
          }
        }, reject);
      });
      request.end(body);
    });
  }
}

function readAll(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
  });
}

/** The result of a 200, else the refusal the control plane's services made, as the same error type. */
function answerOf(method: string, status: number, text: string): unknown {
  if (status === 200) return text === '' ? undefined : decodeWire(text);
  let error: { code?: string; message?: string } = {};
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error ?? {};
  } catch {
    // Not the control plane's envelope (a proxy's page, say): reported with the status below.
  }
  const code = error.code ?? 'INTERNAL_ERROR';
  const message = error.message ?? `HTTP ${status}`;
  if (code === AGENT_AUTH_FAILED) throw new AgentAuthError(message);
  if (status >= 400 && status < 500) throw new ApiError(status, code, message);
  throw new Error(`control plane call ${method} failed: ${status} ${code}: ${message}`);
}
