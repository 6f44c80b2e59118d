import { badRequest } from '../../errors.ts';
import type { EventsState, EventTypeSettings, MetadataStore } from '../../metadata/store.ts';
import { clusterFor, type Principal } from '../auth.ts';

/**
 * A virtual cluster's events state (get_events_state / update_events_state): whether the cluster
 * keeps WarpStream's event log and, per event type, whether it is on and how long it is kept.
 *
 * Slipstream records and reports these settings (so the Terraform provider's `events` block
 * round-trips); it does not yet write an event log — see README's compatibility notes.
 */

/** WarpStream's event types: agent diagnostics, ACL decisions, pipeline logs. */
export const EVENT_TYPES = ['agent_logs', 'acl_logs', 'pipeline_logs'] as const;
/** Longest retention accepted: 90 days, in nanoseconds (kept exact as a JSON number). */
export const MAX_EVENT_RETENTION_NANOS = 90 * 24 * 3600 * 1e9;

export interface EventsStateUpdate {
  virtual_cluster_id: string;
  enabled?: boolean | null;
  event_types?: Record<string, { enabled?: boolean | null; retention_period_nanos?: number | null }> | null;
}

export async function getEventsState(store: MetadataStore, caller: Principal, id: string): Promise<EventsState> {
  return (await clusterFor(store, caller, id)).events;
}

/**
 * Fields that are sent replace the stored ones; fields left out (or null) keep their value, per
 * event type too — the provider sends only what its configuration names.
 */
export async function updateEventsState(store: MetadataStore, caller: Principal, request: EventsStateUpdate): Promise<void> {
  const changes = Object.entries(request.event_types ?? {});
  for (const [type, settings] of changes) {
    if (!(EVENT_TYPES as readonly string[]).includes(type)) {
      throw badRequest(`event_types: unknown event type ${JSON.stringify(type)}; known: ${EVENT_TYPES.join(', ')}`);
    }
    const retention = settings.retention_period_nanos;
    if (retention !== undefined && retention !== null && (!Number.isSafeInteger(retention) || retention <= 0 || retention > MAX_EVENT_RETENTION_NANOS)) {
      throw badRequest(`event_types.${type}.retention_period_nanos must be a whole number of nanoseconds between 1 and ${MAX_EVENT_RETENTION_NANOS} (90 days); got ${retention}`);
    }
  }
  await store.transaction(async (tx) => {
    const cluster = await clusterFor(tx, caller, request.virtual_cluster_id);
    const next: EventsState = { enabled: request.enabled ?? cluster.events.enabled, event_types: { ...cluster.events.event_types } };
    for (const [type, settings] of changes) {
      const merged: EventTypeSettings = { ...next.event_types[type] };
      if (settings.enabled !== undefined && settings.enabled !== null) merged.enabled = settings.enabled;
      if (settings.retention_period_nanos !== undefined && settings.retention_period_nanos !== null) merged.retention_period_nanos = settings.retention_period_nanos;
      next.event_types[type] = merged;
    }
    await tx.updateVirtualClusterEvents(cluster.id, next);
  });
}
