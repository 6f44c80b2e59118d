import type { Endpoint } from '../endpoint.ts';
import { ref } from '../schemas.ts';
import { EVENT_TYPES, getEventsState, updateEventsState, type EventsStateUpdate } from '../../services/events.ts';

const clusterId = { type: 'string', description: 'Target virtual cluster ID' };

const eventTypesSchema = {
  type: 'object',
  description: `Per event type (${EVENT_TYPES.join(', ')}): only the fields ever set are present`,
  additionalProperties: {
    type: 'object',
    additionalProperties: false,
    properties: {
      enabled: { type: ['boolean', 'null'] },
      retention_period_nanos: { type: ['integer', 'null'], description: 'How long events are kept, in nanoseconds' },
    },
  },
} as const;

export const eventsEndpoints = [
  {
    path: '/api/v1/get_events_state',
    method: 'POST',
    operationId: 'getEventsState',
    summary: 'Get Virtual Cluster Events State',
    description: 'Whether the cluster keeps an event log, and the settings of each event type.',
    tag: 'Virtual Clusters',
    scope: 'workspace',
    mutation: false,
    body: { type: 'object', required: ['virtual_cluster_id'], properties: { virtual_cluster_id: clusterId } },
    response: { type: 'object', properties: { enabled: { type: 'boolean' }, event_types: eventTypesSchema } },
    handler: ({ store, principal, body }) => getEventsState(store, principal, body.virtual_cluster_id),
  } satisfies Endpoint<{ virtual_cluster_id: string }>,
  {
    path: '/api/v1/update_events_state',
    method: 'POST',
    operationId: 'updateEventsState',
    summary: 'Update Virtual Cluster Events State',
    description: 'Sets the fields sent (per event type too); fields left out keep their value.',
    tag: 'Virtual Clusters',
    scope: 'workspace',
    mutation: true,
    body: {
      type: 'object',
      required: ['virtual_cluster_id'],
      properties: { virtual_cluster_id: clusterId, enabled: { type: ['boolean', 'null'] }, event_types: { ...eventTypesSchema, type: ['object', 'null'] } },
    },
    response: ref('EmptyResponse'),
    handler: async ({ store, principal, body }) => {
      await updateEventsState(store, principal, body);
      return {};
    },
  } satisfies Endpoint<EventsStateUpdate>,
];
