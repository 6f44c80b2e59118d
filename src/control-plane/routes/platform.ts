import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../errors.ts';
import type { MetadataStore } from '../../metadata/store.ts';

export interface PlatformInfo {
  name: string;
  version: string;
  mode: string;
  metadata_store: string;
  api_url: string;
  bootstrap_url: string;
  node_version: string;
  started_at: string;
}

/**
 * The platform seed's management routes. Health answers 200 only while the metadata store
 * answers; info describes the deployment and never carries a secret. Neither needs a key, so
 * load balancers and humans can use them.
 */
export function registerPlatformRoutes(
  app: FastifyInstance,
  store: MetadataStore,
  // `info` is read on every request (the process fills in its URLs once it listens); `extra` is fixed.
  info: PlatformInfo,
  extra: Record<string, string>,
  isReady: () => boolean,
): void {
  app.get(
    '/v1/platform/health',
    {
      config: { rateLimit: false },
      schema: {
        summary: 'Platform health',
        tags: ['Platform'],
        response: {
          200: {
            type: 'object',
            properties: { status: { type: 'string' }, checks: { type: 'object', additionalProperties: { type: 'string' } } },
          },
        },
      },
    },
    async () => {
      if (!isReady()) throw new ApiError(503, 'NOT_READY', 'Slipstream is starting');
      await store.getMetadata('bootstrap');
      return { status: 'ok', checks: { metadata_store: 'ok' } };
    },
  );

  app.get(
    '/v1/platform/info',
    {
      schema: {
        summary: 'Platform version and configuration metadata (no secrets)',
        tags: ['Platform'],
        response: {
          200: {
            type: 'object',
            properties: Object.fromEntries([...Object.keys(info), ...Object.keys(extra)].map((key) => [key, { type: 'string' }])),
          },
        },
      },
    },
    async () => ({ ...info, ...extra }),
  );
}
