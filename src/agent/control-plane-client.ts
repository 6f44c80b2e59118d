import { EventEmitter } from 'node:events';
import { hashSecret } from '../ids.ts';
import { commitBatches, type BatchToCommit, type CommittedBatch } from '../control-plane/log/commit.ts';
import type { BatchIndexEntry, MetadataStore, PartitionState, Topic, VirtualCluster } from '../metadata/store.ts';

/**
 * Everything an agent asks of the control plane. The agent holds no state that cannot be lost:
 * topics, offsets, the batch index, producers and groups all live behind this interface.
 * `LocalControlPlane` is the in-process implementation `npm start` uses.
 */
export interface ControlPlaneClient {
  /** The virtual cluster an agent key belongs to; refuses any other key. */
  authenticateAgent(agentKey: string, virtualClusterId?: string): Promise<VirtualCluster>;
  getCluster(virtualClusterId: string): Promise<VirtualCluster | undefined>;
  listTopics(virtualClusterId: string): Promise<Topic[]>;
  getTopic(virtualClusterId: string, name: string): Promise<Topic | undefined>;
  commit(virtualClusterId: string, objectKey: string, batches: readonly BatchToCommit[]): Promise<CommittedBatch[]>;
  partitionState(topicId: string, partition: number): Promise<PartitionState>;
  readIndex(topicId: string, partition: number, fromOffset: number, limit: number): Promise<BatchIndexEntry[]>;
  /** Calls `listener` after every commit that touched the partition; answers an unsubscribe. */
  onCommit(topicId: string, partition: number, listener: () => void): () => void;
  store: MetadataStore;
}

export class AgentAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgentAuthError';
  }
}

/** The control plane in the agent's own process: the store and the services, called directly. */
export class LocalControlPlane implements ControlPlaneClient {
  readonly store: MetadataStore;
  private readonly commits = new EventEmitter();

  constructor(store: MetadataStore) {
    this.store = store;
    // Every waiting fetch subscribes; thousands of them are normal, not a leak.
    this.commits.setMaxListeners(0);
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

  listTopics(virtualClusterId: string) {
    return this.store.listTopics(virtualClusterId, 'live');
  }

  async getTopic(virtualClusterId: string, name: string) {
    const topic = await this.store.getTopic(virtualClusterId, name);
    return topic && topic.deleted_at === null ? topic : undefined;
  }

  async commit(virtualClusterId: string, objectKey: string, batches: readonly BatchToCommit[]) {
    const results = await commitBatches(this.store, virtualClusterId, objectKey, batches);
    const touched = new Set<string>();
    batches.forEach((batch, i) => {
      if (results[i]!.error_code === 0) touched.add(`${batch.topic_id}/${batch.partition}`);
    });
    for (const key of touched) this.commits.emit(key);
    return results;
  }

  async partitionState(topicId: string, partition: number): Promise<PartitionState> {
    return (await this.store.getPartitionState(topicId, partition)) ?? { topic_id: topicId, partition, log_start_offset: 0, high_watermark: 0 };
  }

  readIndex(topicId: string, partition: number, fromOffset: number, limit: number) {
    return this.store.listBatchIndex(topicId, partition, fromOffset, limit);
  }

  onCommit(topicId: string, partition: number, listener: () => void): () => void {
    const key = `${topicId}/${partition}`;
    this.commits.on(key, listener);
    return () => this.commits.off(key, listener);
  }
}

/** Kafka topic ids are UUIDs; Slipstream's `ti_…` ids carry one with `_` for `-`. */
export function topicUuid(topic: Pick<Topic, 'id'>): string {
  return topic.id.slice('ti_'.length).replaceAll('_', '-');
}

export function topicIdFromUuid(uuid: string): string {
  return 'ti_' + uuid.replaceAll('-', '_');
}
