import type { Logger } from 'pino';
import type { ControlPlaneClient } from '../agent-rpc/contract.ts';
import type { VirtualCluster } from '../model/records.ts';
import type { AclView } from './acl.ts';
import type { Broker } from './brokers.ts';
import type { AgentMetrics } from './metrics.ts';
import type { ReadPath } from './read-path.ts';
import type { FetchSessions } from './fetch-sessions.ts';
import type { ShareSessions } from './share-sessions.ts';
import type { WritePath } from './write-path.ts';

/** What every Kafka API handler works with: the agent's parts, not its sockets. */
export interface AgentContext {
  cluster: VirtualCluster;
  controlPlane: ControlPlaneClient;
  writePath: WritePath;
  readPath: ReadPath;
  /** Incremental fetch sessions (KIP-227) this agent keeps. */
  fetchSessions: FetchSessions;
  /** Share sessions (KIP-932) this agent keeps. */
  shareSessions: ShareSessions;
  metrics: AgentMetrics;
  log: Logger;
  /** This agent as Kafka clients must reach it. */
  node: Broker;
  /** The live agents a client (by its client id: zones) is told about; any of them serves any partition. */
  brokers(clientId: string): Broker[];
  /** The cluster's ACLs and configuration as this agent sees them (refreshed every second or so). */
  acls?: AclView;
}
