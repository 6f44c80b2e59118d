import type { FastifyInstance } from 'fastify';
import type { MetadataStore } from '../../../metadata/store.ts';
import type { GroupCoordinator } from '../../groups/coordinator.ts';
import type { Endpoint } from '../endpoint.ts';
import { ref } from '../schemas.ts';
import { authenticatePrometheus, clusterFor, clusterForMetrics } from '../../auth.ts';
import { describeAllConsumerGroups } from '../../services/consumer-groups.ts';
import { prometheusMetrics } from '../../services/prometheus.ts';

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

export const PROMETHEUS_PATH = '/api/v1/monitoring/prometheus/virtual_clusters/:virtual_cluster_id';
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * WarpStream's hosted Prometheus endpoint: a scrape target per virtual cluster, authenticated
 * with HTTP basic auth (user `prometheus`, an API key as password) as Prometheus sends it, not
 * with the warpstream-api-key header; answered in the text exposition format. Errors are still
 * the JSON error envelope (a 401 also carries a Basic challenge).
 */
export function registerPrometheusRoute(app: FastifyInstance, store: MetadataStore, groups: GroupCoordinator | undefined): void {
  app.get<{ Params: { virtual_cluster_id: string } }>(
    PROMETHEUS_PATH,
    {
      schema: {
        operationId: 'prometheusVirtualClusterMetrics',
        summary: 'Prometheus metrics of a virtual cluster',
        description:
          'Consumer-group lag and committed offsets per group, topic and partition, partition offsets and partition counts, in the Prometheus text format (0.0.4). HTTP basic auth: user "prometheus", password an API key that may see the cluster (account key, application key with a grant for it, read-only too, or the cluster\'s agent key).',
        tags: ['Monitoring'],
        security: [{ PrometheusBasicAuth: [] }],
        params: {
          type: 'object',
          required: ['virtual_cluster_id'],
          properties: { virtual_cluster_id: { type: 'string', description: 'Virtual cluster to scrape' } },
        },
        response: {
          200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } },
          401: { description: 'Missing or wrong basic auth (WWW-Authenticate: Basic)', ...ref('ErrorResponse') },
          403: { description: 'The key may not see this cluster', ...ref('ErrorResponse') },
          404: { description: 'Unknown virtual cluster', ...ref('ErrorResponse') },
        },
      },
      // Authenticated before anything else is looked at, like the JSON endpoints.
      onRequest: async (request) => {
        request.principal = await authenticatePrometheus(store, request.headers.authorization);
      },
    },
    async (request, reply) => {
      const cluster = await clusterForMetrics(store, request.principal!, request.params.virtual_cluster_id);
      return reply.type(PROMETHEUS_CONTENT_TYPE).send(await prometheusMetrics(store, cluster, groups));
    },
  );
}
