import type { Logger } from 'pino';
import { AGENT_HEARTBEAT_INTERVAL_MS, type AgentRegistration, type ControlPlaneClient } from '../agent-rpc/contract.ts';
import type { AgentRecord } from '../model/records.ts';
import type { Broker } from './brokers.ts';

/** Roles whose agents serve Kafka clients, and so are brokers in Metadata answers. */
const PROXY_ROLES: ReadonlySet<string> = new Set(['proxy', 'proxy-produce', 'proxy-consume']);

/** A node id for an agent: stable for its advertised address, so restarts keep it. */
export function nodeIdFor(host: string, port: number): number {
  let hash = 0;
  for (const char of `${host}:${port}`) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  return Math.abs(hash) % 1_000_000 || 1;
}

export function brokerOf(agent: Pick<AgentRecord, 'host' | 'port' | 'availability_zone'>): Broker {
  return { nodeId: nodeIdFor(agent.host, agent.port), host: agent.host, port: agent.port, rack: agent.availability_zone };
}

/**
 * This agent in the control plane's registry: registered at start, heartbeating while it runs
 * (each heartbeat answers the cluster's live agents: the brokers Metadata lists), registered
 * again when the control plane forgot it, deregistered on a clean stop. When the control plane
 * cannot be reached the last list stays in use — the agent keeps serving its clients.
 */
export class AgentPresence {
  private readonly controlPlane: ControlPlaneClient;
  private readonly virtualClusterId: string;
  private readonly registration: AgentRegistration;
  private readonly log: Logger;
  private readonly intervalMs: number;
  private id: string | undefined;
  private live: Broker[] = [];
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private stopped = false;

  constructor(options: { controlPlane: ControlPlaneClient; virtualClusterId: string; registration: AgentRegistration; log: Logger; intervalMs?: number }) {
    this.controlPlane = options.controlPlane;
    this.virtualClusterId = options.virtualClusterId;
    this.registration = options.registration;
    this.log = options.log;
    this.intervalMs = options.intervalMs ?? AGENT_HEARTBEAT_INTERVAL_MS;
  }

  /** The registry's id of this agent, once registered. */
  get agentId(): string | undefined {
    return this.id;
  }

  /** The live agents that serve Kafka clients (this one among them once registered). */
  brokers(): Broker[] {
    return this.live;
  }

  async start(): Promise<void> {
    await this.register();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.beating;
    if (this.id) await this.controlPlane.deregisterAgent(this.virtualClusterId, this.id).catch((error: unknown) => this.log.warn({ err: error }, 'could not deregister the agent'));
  }

  private async register(): Promise<void> {
    const { agent, live } = await this.controlPlane.registerAgent(this.virtualClusterId, { ...this.registration, ...(this.id ? { id: this.id } : {}) });
    this.id = agent.id;
    this.update(live);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.beating = this.beat().finally(() => {
        this.beating = undefined;
        this.schedule();
      });
    }, this.intervalMs);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    try {
      const live = await this.controlPlane.heartbeatAgent(this.virtualClusterId, this.id!);
      if (live === null) {
        this.log.warn({ agent_id: this.id }, 'the control plane forgot this agent (missed heartbeats): registering again');
        await this.register();
      } else {
        this.update(live);
      }
    } catch (error) {
      this.log.warn({ err: error }, 'agent heartbeat failed; serving with the last known brokers');
    }
  }

  private update(live: readonly AgentRecord[]): void {
    this.live = live.filter((agent) => agent.roles.some((role) => PROXY_ROLES.has(role))).map(brokerOf);
  }
}
