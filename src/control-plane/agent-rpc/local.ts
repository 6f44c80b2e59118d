import { CommitSignals } from '../../agent-rpc/commit-signals.ts';
import {
  AgentAuthError, type AgentRegistration, type BatchToCommit, type CompactionPlanOptions, type ControlPlaneClient,
  type RewriteRequest, type ShareApi, type TopicCreation, type TransactionApi,
} from '../../agent-rpc/contract.ts';
import type { AclEntry } from '../../acls/vocabulary.ts';
import { notFound } from '../../errors.ts';
import { hashSecret } from '../../ids.ts';
import { deadOwner } from '../auth.ts';
import type { MetadataStore, PartitionState, VirtualCluster } from '../../metadata/store.ts';
import { clusterConfiguration } from '../../model/cluster-configuration.ts';
import { commitBatches } from '../log/commit.ts';
import { commitRewrite, planCompaction } from '../log/compaction.ts';
import { confirmObjectDeletions, listDueObjectDeletions, OBJECT_DELETION_GRACE_MS, unknownObjects } from '../log/objects.ts';
import { applyRetention } from '../log/retention.ts';
import { purgeExpiredSoftDeletedTopics } from '../log/soft-deleted-topics.ts';
import { deregisterAgent, heartbeatAgent, listLiveAgents, registerAgent } from '../services/agents.ts';
import { acquireJobLease, releaseJobLease } from '../services/job-leases.ts';
import { createAcl, deleteAcls, listAcls } from '../services/acls.ts';
import { findClusterCredential } from '../services/credentials.ts';
import { initProducerId } from '../services/producers.ts';
import { createTopic, deleteRecordsBefore, deleteTopic, growPartitions, setTopicConfigs } from '../services/topics.ts';
import type { GroupCoordinator } from '../groups/coordinator.ts';
import { TransactionCoordinator } from '../transactions/coordinator.ts';
import { describeProducers, describeTransactions, listTransactions } from '../transactions/admin.ts';

/**
 * The control plane's side of the agent boundary: each call runs the control plane's own
 * service function — the rule the Management API uses too — against the metadata store. Agents in
 * the same process (`npm start`) call it directly; agents elsewhere reach it through the internal
 * HTTP routes (routes.ts), which call this same object.
 */
export class LocalControlPlane implements ControlPlaneClient {
  readonly groups: GroupCoordinator;
  readonly transactions: TransactionApi;
  readonly shares: ShareApi;
  private readonly coordinator: TransactionCoordinator;
  private readonly store: MetadataStore;
  private readonly commits = new CommitSignals();

  /** How long released objects wait before agents may delete them (see log/objects.ts). */
  private readonly graceMs: number;

  constructor(store: MetadataStore, groups: GroupCoordinator, options: { objectDeletionGraceMs?: number } = {}) {
    this.store = store;
    this.groups = groups;
    this.shares = groups.shares;
    this.graceMs = options.objectDeletionGraceMs ?? OBJECT_DELETION_GRACE_MS;
    const coordinator = new TransactionCoordinator(store, {
      offsetCommitError: (...args) => groups.offsetCommitError(...args),
      // Markers are commits too: fetches waiting on those partitions answer at once.
      marked: (partitions) => this.commits.touched(partitions),
    });
    this.coordinator = coordinator;
    this.transactions = {
      initProducerId: (id, request, version) => coordinator.initProducerId(id, request, version),
      addPartitionsToTxn: (id, request, version) => coordinator.addPartitionsToTxn(id, request, version),
      addOffsetsToTxn: (id, request, version) => coordinator.addOffsetsToTxn(id, request, version),
      txnOffsetCommit: (id, request, version) => coordinator.txnOffsetCommit(id, request, version),
      endTxn: (id, request, version) => coordinator.endTxn(id, request, version),
      describeTransactions: async (id, request) => describeTransactions(store, id, request),
      listTransactions: async (id, request, version) => listTransactions(store, id, request, version, Date.now()),
      describeProducers: async (id, request) => describeProducers(store, id, request),
    };
  }

  async close(): Promise<void> {
    this.commits.clear();
  }

  async authenticateAgent(agentKey: string, virtualClusterId?: string): Promise<VirtualCluster> {
    const key = await this.store.getApiKeyBySecretHash(hashSecret(agentKey));
    if (!key) throw new AgentAuthError('the agent key is unknown or has been deleted');
    if (key.kind !== 'agent' || !key.virtual_cluster_id) {
      throw new AgentAuthError(`the key ${key.name} is not an agent key; an agent needs the agent key of its virtual cluster`);
    }
    // WarpStream's read-only agent keys (`agent_r`) read cluster data (e.g. the Prometheus
    // endpoint) but cannot deploy agents.
    if (key.read_only) throw new AgentAuthError(`the agent key ${key.name} is read-only: it cannot run an agent`);
    const dead = await deadOwner(this.store, key);
    if (dead) throw new AgentAuthError(`the agent key ${key.name} no longer works: ${dead}`);
    if (virtualClusterId !== undefined && virtualClusterId !== key.virtual_cluster_id) {
      throw new AgentAuthError(
        `the agent key ${key.name} belongs to virtual cluster ${key.virtual_cluster_id}, not ${virtualClusterId}: authorization failed`,
      );
    }
    const cluster = await this.store.getVirtualCluster(key.virtual_cluster_id);
    if (!cluster) throw new AgentAuthError(`virtual cluster ${key.virtual_cluster_id} no longer exists`);
    if (cluster.type !== 'byoc') throw new AgentAuthError(`virtual cluster ${cluster.id} is of type ${cluster.type} and serves no Kafka clients`);
    return cluster;
  }

  getCluster(virtualClusterId: string) {
    return this.store.getVirtualCluster(virtualClusterId);
  }

  private async cluster(virtualClusterId: string): Promise<VirtualCluster> {
    const cluster = await this.store.getVirtualCluster(virtualClusterId);
    if (!cluster) throw notFound('VIRTUAL_CLUSTER_NOT_FOUND', `virtual cluster ${virtualClusterId} not found`);
    return cluster;
  }

  listTopics(virtualClusterId: string) {
    return this.store.listTopics(virtualClusterId, 'live');
  }

  async getTopic(virtualClusterId: string, name: string) {
    const topic = await this.store.getTopic(virtualClusterId, name);
    return topic && topic.deleted_at === null ? topic : undefined;
  }

  async createTopic(virtualClusterId: string, request: TopicCreation) {
    const cluster = await this.cluster(virtualClusterId);
    const creation = { topic_name: request.topic_name, partition_count: request.partition_count, configs: request.configs ?? {} };
    if (!request.validate_only) return createTopic(this.store, cluster, creation);
    // The same checks, in a transaction that is rolled back.
    let checked: Awaited<ReturnType<typeof createTopic>> | undefined;
    await this.store
      .transaction(async (tx) => {
        checked = await createTopic(tx, cluster, creation);
        throw new RolledBack();
      })
      .catch((error: unknown) => {
        if (!(error instanceof RolledBack)) throw error;
      });
    return checked!;
  }

  async deleteTopic(virtualClusterId: string, name: string) {
    const cluster = await this.cluster(virtualClusterId);
    await deleteTopic(this.store, cluster, name, clusterConfiguration(cluster).soft_delete_topics_enabled);
  }

  async growPartitions(virtualClusterId: string, name: string, partitionCount: number, validateOnly: boolean) {
    return growPartitions(this.store, await this.cluster(virtualClusterId), name, partitionCount, validateOnly);
  }

  async setTopicConfigs(virtualClusterId: string, name: string, configs: Record<string, string | null>, validateOnly: boolean) {
    return setTopicConfigs(this.store, await this.cluster(virtualClusterId), name, configs, validateOnly);
  }

  async deleteRecordsBefore(virtualClusterId: string, name: string, partition: number, offset: number) {
    return deleteRecordsBefore(this.store, await this.cluster(virtualClusterId), name, partition, offset);
  }

  async commit(virtualClusterId: string, objectKey: string, batches: readonly BatchToCommit[]) {
    const results = await commitBatches(this.store, virtualClusterId, objectKey, batches, {}, { graceMs: this.graceMs });
    this.commits.committed(batches, results);
    return results;
  }

  async partitionState(_virtualClusterId: string, topicId: string, partition: number): Promise<PartitionState> {
    return (await this.store.getPartitionState(topicId, partition)) ?? { topic_id: topicId, partition, log_start_offset: 0, high_watermark: 0, last_stable_offset: 0 };
  }

  abortedTransactions(_virtualClusterId: string, topicId: string, partition: number, from: number, to: number) {
    return this.store.transactions.listAbortedTransactions(topicId, partition, from, to);
  }

  partitionSizes(_virtualClusterId: string, topicId: string) {
    return this.store.partitionSizes(topicId);
  }

  abortExpiredTransactions(virtualClusterId: string) {
    return this.coordinator.abortExpiredTransactions(virtualClusterId);
  }

  readIndex(_virtualClusterId: string, topicId: string, partition: number, fromOffset: number, limit: number) {
    return this.store.listBatchIndex(topicId, partition, fromOffset, limit);
  }

  async findBatchByTimestamp(virtualClusterId: string, topicId: string, partition: number, timestamp: number) {
    const state = await this.partitionState(virtualClusterId, topicId, partition);
    return this.store.findBatchByTimestamp(topicId, partition, timestamp, state.log_start_offset);
  }

  async findMaxTimestampBatch(virtualClusterId: string, topicId: string, partition: number) {
    const state = await this.partitionState(virtualClusterId, topicId, partition);
    return this.store.findMaxTimestampBatch(topicId, partition, state.log_start_offset);
  }

  onCommit(topicId: string, partition: number, listener: () => void): () => void {
    return this.commits.on(topicId, partition, listener);
  }

  initProducerId(virtualClusterId: string, current: { producer_id: number; producer_epoch: number } | null) {
    return initProducerId(this.store, virtualClusterId, current);
  }

  findCredential(virtualClusterId: string, username: string) {
    return findClusterCredential(this.store, virtualClusterId, username);
  }

  async listAcls(virtualClusterId: string) {
    return listAcls(this.store, await this.cluster(virtualClusterId));
  }

  async createAcl(virtualClusterId: string, acl: AclEntry) {
    return createAcl(this.store, await this.cluster(virtualClusterId), acl);
  }

  async deleteAcls(virtualClusterId: string, acls: readonly AclEntry[]) {
    return deleteAcls(this.store, await this.cluster(virtualClusterId), acls);
  }

  async registerAgent(virtualClusterId: string, registration: AgentRegistration) {
    const agent = await registerAgent(this.store, virtualClusterId, registration, Date.now());
    return { agent, live: await listLiveAgents(this.store, virtualClusterId, Date.now()) };
  }

  async heartbeatAgent(virtualClusterId: string, agentId: string) {
    if (!(await heartbeatAgent(this.store, virtualClusterId, agentId, Date.now()))) return null;
    return listLiveAgents(this.store, virtualClusterId, Date.now());
  }

  async deregisterAgent(virtualClusterId: string, agentId: string) {
    await deregisterAgent(this.store, virtualClusterId, agentId);
  }

  acquireJobLease(virtualClusterId: string, job: string, agentId: string) {
    return acquireJobLease(this.store, virtualClusterId, job, agentId, Date.now());
  }

  async releaseJobLease(virtualClusterId: string, job: string, agentId: string) {
    await releaseJobLease(this.store, virtualClusterId, job, agentId);
  }

  applyRetention(virtualClusterId: string) {
    return applyRetention(this.store, virtualClusterId, Date.now(), { graceMs: this.graceMs });
  }

  async purgeSoftDeletedTopics(virtualClusterId: string) {
    return purgeExpiredSoftDeletedTopics(this.store, await this.cluster(virtualClusterId), Date.now(), { graceMs: this.graceMs });
  }

  listDueObjectDeletions(virtualClusterId: string, limit: number) {
    return listDueObjectDeletions(this.store, virtualClusterId, Date.now(), limit);
  }

  confirmObjectDeletions(virtualClusterId: string, objectKeys: readonly string[]) {
    return confirmObjectDeletions(this.store, virtualClusterId, objectKeys);
  }

  unknownObjects(virtualClusterId: string, objectKeys: readonly string[]) {
    return unknownObjects(this.store, virtualClusterId, objectKeys);
  }

  planCompaction(virtualClusterId: string, options: CompactionPlanOptions) {
    return planCompaction(this.store, virtualClusterId, { ...options, now: Date.now() });
  }

  commitRewrite(virtualClusterId: string, rewrite: RewriteRequest) {
    return commitRewrite(this.store, virtualClusterId, rewrite, { graceMs: this.graceMs });
  }
}

class RolledBack extends Error {}
