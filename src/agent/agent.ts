import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from 'pino';
import { ApiKeys, isRequest, supportedApis, type DecodedRequest } from '../kafka-protocol/index.ts';
import type { ObjectStore } from '../objects/object-store.ts';
import { Connection, type Answer, type RequestContext } from './connection.ts';
import type { AgentContext } from './context.ts';
import type { ControlPlaneClient, GroupApi, TransactionApi } from '../agent-rpc/contract.ts';
import { authorizeDescribeCluster, authorizeFindCoordinator, authorizeInitProducerId, handleDescribeCluster, handleFindCoordinator, handleInitProducerId } from './handlers/cluster.ts';
import { AgentPresence, nodeIdFor } from './presence.ts';
import { JobsRunner, type JobsOptions } from './jobs/runner.ts';
import { brokersFor } from './brokers.ts';
import { authorizeAlterConfigs, authorizeIncrementalAlterConfigs, handleAlterConfigs, handleIncrementalAlterConfigs } from './handlers/alter-configs.ts';
import { authorizeDescribeConfigs, handleDescribeConfigs } from './handlers/configs.ts';
import { authorizeFetch, handleFetch } from './handlers/fetch.ts';
import { groupOffsetApis } from './handlers/group-offsets.ts';
import { groupApis } from './handlers/groups.ts';
import { transactionApis } from './handlers/transactions.ts';
import { FetchSessions } from './fetch-sessions.ts';
import { ShareSessions } from './share-sessions.ts';
import { shareGroupApis } from './handlers/share-groups.ts';
import { releaseSession } from './handlers/shares.ts';
import {
  authorizeAlterPartitionReassignments, authorizeDescribeLogDirs, authorizeElectLeaders, authorizeListPartitionReassignments,
  handleAlterPartitionReassignments, handleDescribeLogDirs, handleElectLeaders, handleListPartitionReassignments,
} from './handlers/replicas.ts';
import { authorizeMetadata, handleMetadata } from './handlers/metadata.ts';
import { authorizeListOffsets, authorizeOffsetForLeaderEpoch, handleListOffsets, handleOffsetForLeaderEpoch } from './handlers/offsets.ts';
import { authorizeProduce, handleProduce } from './handlers/produce.ts';
import { authorizeCreateAcls, authorizeDeleteAcls, authorizeDescribeAcls, handleCreateAcls, handleDeleteAcls, handleDescribeAcls } from './handlers/acls.ts';
import { AclDecider, AclView } from './acl.ts';
import { kafkaApi, serveAuthorized, type KafkaApi } from './authorize.ts';
import { authorizeDeleteTopics, handleDeleteTopics } from './handlers/delete-topics.ts';
import { authorizeCreatePartitions, authorizeDeleteRecords, handleCreatePartitions, handleDeleteRecords } from './handlers/partitions.ts';
import { authorizeCreateTopics, handleCreateTopics } from './handlers/topics.ts';
import { AgentMetrics } from './metrics.ts';
import { readOnlyRefusal } from './read-only.ts';
import { KafkaError } from './kafka-errors.ts';
import { ReadPath } from './read-path.ts';
import { clusterCredentialLookup } from './sasl/index.ts';
import { loadTlsOptions, type AgentTlsFiles } from './tls.ts';
import { certificatePrincipal } from './tls-principal.ts';
import { WritePath } from './write-path.ts';

export interface AgentOptions {
  controlPlane: ControlPlaneClient;
  objectStore: ObjectStore;
  agentKey: string;
  /** When given, the agent key must belong to this cluster (else: authorization error). */
  virtualClusterId?: string;
  host: string;
  port: number;
  /** The address clients are told to connect to; defaults to host:port as bound. */
  advertisedHost?: string;
  advertisedPort?: number;
  flushIntervalMs: number;
  flushBytes: number;
  maxFrameBytes: number;
  /** Clients must authenticate with SASL (cluster credentials) before anything but ApiVersions. */
  requireSasl?: boolean;
  /** TLS on the Kafka listener (read at start); with `caFile`, clients need a certificate (mTLS). */
  tls?: AgentTlsFiles;
  /** WarpStream's agent roles: `proxy` serves Kafka clients, `jobs` runs the cluster's background jobs. */
  roles?: readonly string[];
  /** This agent's availability zone (Kafka's rack): clients naming it in `warpstream_az` are routed here. */
  availabilityZone?: string;
  /** What this agent reports as its version in the registry. */
  version?: string;
  /** The jobs role's pacing (tests run it fast). */
  jobs?: Pick<JobsOptions, 'intervalMs' | 'retentionIntervalMs' | 'compactionIntervalMs' | 'compactionMinAgeMs' | 'orphanIntervalMs' | 'orphanAgeMs'>;
  log: Logger;
}

/** What an agent runs when not told: everything it can (WarpStream's default). */
export const DEFAULT_AGENT_ROLES = ['proxy', 'jobs'] as const;

/** How long a closing agent waits for a connection's in-flight requests before cutting it. */
const SHUTDOWN_GRACE_MS = 2_000;

/**
 * Lowest versions served where the codec reads older ones: record batches are stored as magic 2
 * only, and Produce before v3 / Fetch before v4 carry the older message formats.
 */
const MIN_VERSIONS: Readonly<Record<number, number>> = { [ApiKeys.Produce]: 3, [ApiKeys.Fetch]: 4 };

/**
 * Highest versions served where the definitions go further: EndTxn v5 is KIP-890's second part
 * (an epoch bump on every transaction, transaction.version 2), which this coordinator does not
 * do, and Kafka does not advertise it either until that feature is finalized.
 */
const MAX_VERSIONS: Readonly<Record<number, number>> = { [ApiKeys.EndTxn]: 4 };

/** Served by each connection itself (they change its state), not by a handler. */
const CONNECTION_APIS: ReadonlySet<number> = new Set([ApiKeys.ApiVersions, ApiKeys.SaslHandshake, ApiKeys.SaslAuthenticate]);

/**
 * The Kafka APIs this agent serves, each with the version range it answers, its handler and its
 * ACL step. ApiVersions advertises exactly these: nothing is listed that does not work.
 */
function kafkaApis(groups: GroupApi, transactions: TransactionApi): Map<number, KafkaApi> {
  const table: Array<[number, KafkaApi]> = [
    [ApiKeys.Produce, kafkaApi(handleProduce, authorizeProduce)],
    [ApiKeys.CreateAcls, kafkaApi(handleCreateAcls, authorizeCreateAcls)],
    [ApiKeys.DescribeAcls, kafkaApi(handleDescribeAcls, authorizeDescribeAcls)],
    [ApiKeys.DeleteAcls, kafkaApi(handleDeleteAcls, authorizeDeleteAcls)],
    [ApiKeys.Fetch, kafkaApi(handleFetch, authorizeFetch)],
    [ApiKeys.ListOffsets, kafkaApi(handleListOffsets, authorizeListOffsets)],
    [ApiKeys.OffsetForLeaderEpoch, kafkaApi(handleOffsetForLeaderEpoch, authorizeOffsetForLeaderEpoch)],
    [ApiKeys.Metadata, kafkaApi(handleMetadata, authorizeMetadata)],
    [ApiKeys.FindCoordinator, kafkaApi(handleFindCoordinator, authorizeFindCoordinator)],
    [ApiKeys.InitProducerId, kafkaApi(handleInitProducerId, authorizeInitProducerId)],
    [ApiKeys.CreateTopics, kafkaApi(handleCreateTopics, authorizeCreateTopics)],
    [ApiKeys.DeleteTopics, kafkaApi(handleDeleteTopics, authorizeDeleteTopics)],
    [ApiKeys.CreatePartitions, kafkaApi(handleCreatePartitions, authorizeCreatePartitions)],
    [ApiKeys.DeleteRecords, kafkaApi(handleDeleteRecords, authorizeDeleteRecords)],
    [ApiKeys.DescribeConfigs, kafkaApi(handleDescribeConfigs, authorizeDescribeConfigs)],
    [ApiKeys.AlterConfigs, kafkaApi(handleAlterConfigs, authorizeAlterConfigs)],
    [ApiKeys.IncrementalAlterConfigs, kafkaApi(handleIncrementalAlterConfigs, authorizeIncrementalAlterConfigs)],
    [ApiKeys.DescribeCluster, kafkaApi(handleDescribeCluster, authorizeDescribeCluster)],
    [ApiKeys.DescribeLogDirs, kafkaApi(handleDescribeLogDirs, authorizeDescribeLogDirs)],
    [ApiKeys.ElectLeaders, kafkaApi(handleElectLeaders, authorizeElectLeaders)],
    [ApiKeys.AlterPartitionReassignments, kafkaApi(handleAlterPartitionReassignments, authorizeAlterPartitionReassignments)],
    [ApiKeys.ListPartitionReassignments, kafkaApi(handleListPartitionReassignments, authorizeListPartitionReassignments)],
    ...Object.entries({ ...groupApis(groups), ...groupOffsetApis(groups), ...shareGroupApis(groups), ...transactionApis(transactions) }).map(([key, api]): [number, KafkaApi] => [Number(key), api]),
  ];
  return new Map(table);
}

/**
 * A Slipstream agent: a stateless Kafka-protocol server for one virtual cluster. Record batches
 * go to object storage; offsets, the index, producers and groups live in the control plane.
 */
export class Agent {
  private readonly options: AgentOptions;
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  private context: AgentContext | undefined;
  private presence: AgentPresence | undefined;
  /** The jobs role's loop, when this agent has the role (whether it holds the lease is its own business). */
  jobs: JobsRunner | undefined;
  private readonly table: Map<number, KafkaApi>;
  readonly metrics = new AgentMetrics();

  /** What `/v1/status` says of this agent: its registry id, roles, and whether it runs the cluster's jobs now. */
  status() {
    return {
      virtual_cluster_id: this.context?.cluster.id,
      agent_id: this.presence?.agentId,
      roles: [...(this.options.roles ?? DEFAULT_AGENT_ROLES)],
      jobs_leader: this.jobs?.isLeader ?? false,
      jobs: this.jobs?.counters,
    };
  }

  /** The cluster this agent serves, once started. */
  get virtualClusterId(): string | undefined {
    return this.context?.cluster.id;
  }

  constructor(options: AgentOptions) {
    this.options = options;
    this.table = kafkaApis(options.controlPlane.groups, options.controlPlane.transactions);
  }

  /** The API version ranges this agent answers (what ApiVersions advertises). */
  apiVersions(): Array<{ apiKey: number; minVersion: number; maxVersion: number }> {
    return supportedApis()
      .filter((api) => CONNECTION_APIS.has(api.apiKey) || this.table.has(api.apiKey))
      .map((api) => ({
        ...api,
        minVersion: Math.max(api.minVersion, MIN_VERSIONS[api.apiKey] ?? 0),
        maxVersion: Math.min(api.maxVersion, MAX_VERSIONS[api.apiKey] ?? api.maxVersion),
      }))
      .sort((a, b) => a.apiKey - b.apiKey);
  }

  /** Authenticates with the control plane, then listens. Refuses to start with a wrong key. */
  async start(): Promise<{ host: string; port: number }> {
    const cluster = await this.options.controlPlane.authenticateAgent(this.options.agentKey, this.options.virtualClusterId);
    const server = await this.createListener();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    this.server = server;
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : this.options.port;
    const host = this.options.advertisedHost ?? this.options.host;
    const advertisedPort = this.options.advertisedPort ?? port;
    const log = this.options.log;
    const self = { nodeId: nodeIdFor(host, advertisedPort), host, port: advertisedPort, rack: this.options.availabilityZone ?? null };
    const presence = new AgentPresence({
      controlPlane: this.options.controlPlane,
      virtualClusterId: cluster.id,
      registration: {
        host,
        port: advertisedPort,
        roles: this.options.roles ?? DEFAULT_AGENT_ROLES,
        version: this.options.version ?? 'unknown',
        availability_zone: this.options.availabilityZone ?? null,
      },
      log,
    });
    try {
      await presence.start();
    } catch (error) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      this.server = undefined;
      throw error;
    }
    this.presence = presence;
    if ((this.options.roles ?? DEFAULT_AGENT_ROLES).includes('jobs')) {
      this.jobs = new JobsRunner({
        controlPlane: this.options.controlPlane,
        objectStore: this.options.objectStore,
        virtualClusterId: cluster.id,
        agentId: () => presence.agentId,
        log: log.child({ component: 'jobs' }),
        ...this.options.jobs,
      });
      this.jobs.start();
    }
    this.context = {
      cluster,
      controlPlane: this.options.controlPlane,
      writePath: new WritePath({
        controlPlane: this.options.controlPlane,
        objectStore: this.options.objectStore,
        virtualClusterId: cluster.id,
        flushIntervalMs: this.options.flushIntervalMs,
        flushBytes: this.options.flushBytes,
        metrics: this.metrics,
        onError: (error, message) => log.error({ err: error }, message),
      }),
      readPath: new ReadPath(this.options.controlPlane, cluster.id, this.options.objectStore),
      fetchSessions: new FetchSessions(),
      // A share session that ends gives its member's records back at once, not at their locks' expiry.
      shareSessions: new ShareSessions((session) =>
        releaseSession({ controlPlane: this.options.controlPlane, cluster }, session).catch((error: unknown) => {
          // The records go back when their locks run out instead.
          log.warn({ err: error, group_id: session.groupId }, 'releasing an ended share session failed');
        })),
      metrics: this.metrics,
      log,
      node: self,
      brokers: (clientId) => brokersFor(presence.brokers(), self, clientId),
    };
    log.info({ virtual_cluster_id: cluster.id, host, port: advertisedPort }, 'agent listening');
    return { host, port: advertisedPort };
  }

  /**
   * The TCP sockets under a TLS listener: one still in its handshake is no connection yet, and
   * a close must not wait for it (nor for one whose connection has already shut down).
   */
  private readonly tlsSockets = new Set<Socket>();

  /** A plain TCP listener, or a TLS one when configured (its sockets are TLSSockets: net.Sockets). */
  private async createListener(): Promise<Server> {
    if (!this.options.tls) return createServer((socket) => this.accept(socket));
    const tlsOptions = await loadTlsOptions(this.options.tls);
    const server = createTlsServer({ ...tlsOptions, handshakeTimeout: 10_000 }, (socket) => {
      this.accept(socket);
    });
    server.on('connection', (raw: Socket) => {
      this.tlsSockets.add(raw);
      raw.once('close', () => this.tlsSockets.delete(raw));
    });
    server.on('tlsClientError', (error, socket) => {
      this.options.log.warn({ err: error, remote: socket.remoteAddress }, 'TLS handshake failed');
    });
    return server;
  }

  private accept(socket: Socket): void {
    const cluster = this.context?.cluster;
    if (!cluster) {
      socket.destroy();
      return;
    }
    const connection = new Connection(socket, {
      maxFrameBytes: this.options.maxFrameBytes,
      sasl: {
        required: this.options.requireSasl ?? false,
        lookup: clusterCredentialLookup((username) => this.options.controlPlane.findCredential(cluster.id, username)),
      },
      dispatch: (request, context) => this.dispatch(request, context),
      certificatePrincipal: certificatePrincipal(socket),
      unsupportedApiVersions: () => ({ apiKeys: this.apiVersions() }),
      onError: (error, message, details) => this.options.log.warn({ err: error, remote: socket.remoteAddress, ...details }, message),
      onTrailingBytes: ({ header, trailingBytes }) => {
        this.metrics.requestsWithTrailingBytes++;
        this.metrics.trailingBytesIgnored += trailingBytes;
        this.options.log.debug(
          { remote: socket.remoteAddress, apiKey: header.apiKey, apiVersion: header.apiVersion, clientId: header.clientId, trailingBytes },
          'bytes after the request body ignored',
        );
      },
    });
    this.connections.add(connection);
    socket.on('close', () => this.connections.delete(connection));
  }

  private async dispatch(request: DecodedRequest, context: RequestContext): Promise<Answer> {
    if (isRequest(request, ApiKeys.ApiVersions)) {
      // v5 (KIP-1242): a client that names the cluster and node it means, and reached another
      // (stale metadata, an address now another agent's), is told to bootstrap again.
      const { clusterId, nodeId } = request.body;
      const elsewhere = clusterId !== null && nodeId >= 0 && this.context !== undefined && (clusterId !== this.context.cluster.id || nodeId !== this.context.node.nodeId);
      return { errorCode: elsewhere ? KafkaError.REBOOTSTRAP_REQUIRED : KafkaError.NONE, apiKeys: this.apiVersions(), throttleTimeMs: 0 };
    }
    const api = this.table.get(request.header.apiKey);
    if (!api || !this.context) throw new Error(`API ${request.header.apiKey} is not served`);
    if (request.header.apiVersion < (MIN_VERSIONS[request.header.apiKey] ?? 0)) {
      // Not advertised, so a client that sends it anyway gets the broker answer: a closed connection.
      throw new Error(`API ${request.header.apiKey} v${request.header.apiVersion} is below the lowest version served`);
    }
    if (context.principal?.read_only) {
      const refusal = readOnlyRefusal(request.header.apiKey, request.header.apiVersion, request.body);
      if (refusal !== undefined) return refusal;
    }
    const agent = this.context;
    agent.acls ??= new AclView(this.options.controlPlane, agent.cluster.id);
    const acls = new AclDecider(await agent.acls.snapshot(), context, request.header.apiKey, this.options.log);
    return serveAuthorized(api, acls, agent, request.body, context);
  }

  /**
   * Stops accepting, flushes buffered batches, answers what is in flight, then closes every
   * connection. (The listening socket's close completes only once its connections are gone, so
   * it is awaited last: awaiting it first would wait for clients to leave on their own.)
   */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    // Jobs handed over, then out of the registry: other agents stop routing clients here while this one drains.
    await this.jobs?.stop();
    this.jobs = undefined;
    await this.presence?.stop();
    this.presence = undefined;
    const stopped = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    await this.context?.writePath.close();
    await Promise.all([...this.connections].map((connection) => connection.shutdown(SHUTDOWN_GRACE_MS)));
    for (const socket of this.tlsSockets) socket.destroy();
    await stopped;
  }
}
