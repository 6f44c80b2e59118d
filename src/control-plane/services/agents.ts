import { badRequest, conflict } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { AgentRecord, MetadataStore } from '../../metadata/store.ts';
import { AGENT_ROLES, type AgentRegistration } from '../../agent-rpc/contract.ts';

export { AGENT_HEARTBEAT_INTERVAL_MS, AGENT_ROLES, type AgentRegistration } from '../../agent-rpc/contract.ts';

/**
 * The registry of running agents: each registers when it starts, heartbeats while it runs and
 * deregisters when it stops cleanly. An agent is live while its last heartbeat is younger than
 * AGENT_LIVENESS_MS; this file is the one place that rule lives. Times are the control plane's
 * clock (callers pass `now`), never the agent's.
 */

/** An agent whose last heartbeat is older than this is taken for dead (four missed heartbeats). */
export const AGENT_LIVENESS_MS = 6_000;


const AGENT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;


function validate(registration: AgentRegistration): void {
  const { id, host, port, roles, version, availability_zone } = registration;
  if (id !== undefined && (typeof id !== 'string' || !AGENT_ID_PATTERN.test(id))) {
    throw badRequest('id must be 1 to 128 letters, digits or ._:-', 'INVALID_AGENT');
  }
  if (typeof host !== 'string' || host.length === 0 || host.length > 255) throw badRequest('host must be a host name or address', 'INVALID_AGENT');
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw badRequest('port must be an integer from 1 to 65535', 'INVALID_AGENT');
  if (!Array.isArray(roles) || roles.length === 0 || roles.some((role) => !(AGENT_ROLES as readonly string[]).includes(role))) {
    throw badRequest(`roles must name at least one of ${AGENT_ROLES.join(', ')}`, 'INVALID_AGENT');
  }
  if (typeof version !== 'string' || version.length === 0 || version.length > 128) throw badRequest('version must be a non-empty string', 'INVALID_AGENT');
  if (availability_zone !== undefined && availability_zone !== null && (typeof availability_zone !== 'string' || availability_zone.length > 128)) {
    throw badRequest('availability_zone must be a string or null', 'INVALID_AGENT');
  }
}

/**
 * Registers an agent of the cluster (again, when it was forgotten: a heartbeat answered false).
 * Its start time is `now` on every registration. Refused when the id belongs to another cluster.
 */
export async function registerAgent(store: MetadataStore, virtualClusterId: string, registration: AgentRegistration, now: number): Promise<AgentRecord> {
  validate(registration);
  const agent: AgentRecord = {
    id: registration.id ?? newId('agi_'),
    virtual_cluster_id: virtualClusterId,
    host: registration.host,
    port: registration.port,
    roles: [...new Set(registration.roles)],
    version: registration.version,
    availability_zone: registration.availability_zone ?? null,
    started_at: now,
    last_heartbeat_at: now,
  };
  if (!(await store.upsertAgent(agent))) throw conflict('AGENT_ID_TAKEN', `agent id ${agent.id} belongs to another virtual cluster`);
  return agent;
}

/** Records a heartbeat; false when the cluster does not know the agent (it must register again). */
export function heartbeatAgent(store: MetadataStore, virtualClusterId: string, agentId: string, now: number): Promise<boolean> {
  return store.heartbeatAgent(virtualClusterId, agentId, now);
}

/** A clean shutdown: the agent is gone at once instead of after AGENT_LIVENESS_MS. */
export function deregisterAgent(store: MetadataStore, virtualClusterId: string, agentId: string): Promise<boolean> {
  return store.deleteAgent(virtualClusterId, agentId);
}

export function isLive(agent: Pick<AgentRecord, 'last_heartbeat_at'>, now: number): boolean {
  return agent.last_heartbeat_at > now - AGENT_LIVENESS_MS;
}

/** The cluster's live agents at `now`, oldest start first. */
export function listLiveAgents(store: MetadataStore, virtualClusterId: string, now: number): Promise<AgentRecord[]> {
  return store.listLiveAgents(virtualClusterId, now - AGENT_LIVENESS_MS);
}

/** Forgets the agents that are not live (stopped without deregistering: a cleanup job's chore); answers how many. */
export function purgeDeadAgents(store: MetadataStore, virtualClusterId: string, now: number): Promise<number> {
  // Heartbeats at or before now - AGENT_LIVENESS_MS: exactly the agents isLive calls dead.
  return store.purgeAgents(virtualClusterId, now - AGENT_LIVENESS_MS + 1);
}

/**
 * One live agent as describe_virtual_cluster answers it. WarpStream's API documents no agent
 * fields, so these are Slipstream's: the record's names, times as ISO 8601 like the cluster's
 * `created_at`.
 */
export interface AgentView {
  id: string;
  host: string;
  port: number;
  roles: string[];
  version: string;
  availability_zone: string | null;
  started_at: string;
  last_heartbeat_at: string;
}

export function agentView(agent: AgentRecord): AgentView {
  return {
    id: agent.id,
    host: agent.host,
    port: agent.port,
    roles: agent.roles,
    version: agent.version,
    availability_zone: agent.availability_zone,
    started_at: new Date(agent.started_at).toISOString(),
    last_heartbeat_at: new Date(agent.last_heartbeat_at).toISOString(),
  };
}

export async function liveAgentsView(store: MetadataStore, virtualClusterId: string, now: number): Promise<AgentView[]> {
  return (await listLiveAgents(store, virtualClusterId, now)).map(agentView);
}
