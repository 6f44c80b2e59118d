import type { Endpoint } from '../endpoint.ts';
import { ref } from '../schemas.ts';
import { clusterFor } from '../../auth.ts';
import { describeAllConsumerGroups } from '../../services/consumer-groups.ts';

export const monitoringEndpoints = [
  {
    path: '/api/v1/monitoring/describe_all_consumer_groups',
    method: 'POST',
    operationId: 'describeAllConsumerGroups',
    summary: 'Describe All Consumer Groups',
    description:
      'Returns detailed information about all consumer groups in a virtual cluster, including per-partition offset metrics.',
    tag: 'Monitoring',
    scope: 'workspace',
    mutation: false,
    body: {
      type: 'object',
      required: ['virtual_cluster_id'],
      properties: { virtual_cluster_id: { type: 'string', description: 'Target virtual cluster ID' } },
    },
    response: {
      type: 'object',
      properties: {
        state: { type: 'object', properties: { groups: { type: 'array', items: ref('ConsumerGroup') } } },
      },
    },
    handler: async ({ store, principal, body, groups }) => ({
      state: { groups: await describeAllConsumerGroups(store, await clusterFor(store, principal, body.virtual_cluster_id), groups) },
    }),
  } satisfies Endpoint<{ virtual_cluster_id: string }>,
];
