import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { MetadataStore } from '../metadata/store.ts';
import { API_KEY_HEADER, authenticate, checkScope } from './auth.ts';
import { registerJsonBodies } from './conventions/body.ts';
import { correlationIdFor, registerCorrelation } from './conventions/correlation.ts';
import { envelope, registerErrorEnvelope } from './conventions/errors.ts';
import { registerIdempotency } from './conventions/idempotency.ts';
import { registerRateLimit } from './conventions/rate-limit.ts';
import { registerEndpoint, type Endpoint } from './routes/endpoint.ts';
import type { ClusterContext } from './services/virtual-clusters.ts';
import type { SecretSealer } from './secrets.ts';
import type { GroupCoordinator } from './groups/coordinator.ts';
import type { LocalControlPlane } from './agent-rpc/local.ts';
import { agentRpcRoutes } from './agent-rpc/routes.ts';
import { RPC_PREFIX } from '../agent-rpc/wire.ts';
import { registerPlatformRoutes, type PlatformInfo } from './routes/platform.ts';
import { registerPlatformApi } from './routes/platform/index.ts';
import { registerApiVersion } from './conventions/api-version.ts';
import type { IdentityProvider } from '../identity/provider.ts';
import type { DataEngines } from '../data/gates.ts';
import { DEFAULT_TENANT_SLUG } from '../bootstrap.ts';
import { sharedSchemas } from './routes/schemas.ts';
import { aclEndpoints } from './routes/warpstream/acls.ts';
import { apiKeyEndpoints } from './routes/warpstream/api-keys.ts';
import { monitoringEndpoints, registerPrometheusRoute } from './routes/warpstream/monitoring.ts';
import { pipelineEndpoints } from './routes/warpstream/pipelines.ts';
import { topicEndpoints } from './routes/warpstream/topics.ts';
import { credentialEndpoints } from './routes/warpstream/credentials.ts';
import { virtualClusterEndpoints } from './routes/warpstream/virtual-clusters.ts';
import { workspaceEndpoints } from './routes/warpstream/workspaces.ts';
import { userRoleEndpoints } from './routes/warpstream/user-roles.ts';
import { eventsEndpoints } from './routes/warpstream/events.ts';

export interface AppOptions {
  store: MetadataStore;
  /** Seals API key secrets (list_api_keys answers them again); see secrets.ts. */
  secrets: SecretSealer;
  /**
   * Where this deployment's agents serve Kafka clients. Read on every request, so the process
   * can fill in the real address once its agent is listening.
   */
  cluster: ClusterContext;
  info: PlatformInfo;
  rateLimit: { max: number; windowMs: number };
  bodyLimitBytes: number;
  logLevel: string;
  /** The process's group coordinator, for live group state in monitoring. */
  groups?: GroupCoordinator;
  /** Prometheus text for `GET /metrics` (the agent's produce/fetch measurements). */
  metrics?: () => string;
  /** Health answers 503 until this says the process is ready. */
  isReady: () => boolean;
  /** Served to agents on other machines under the internal RPC prefix (agent-rpc/routes.ts). */
  agentRpc?: LocalControlPlane;
  /** Issues and verifies the platform API's bearer tokens (embedded issuer or Keycloak). */
  identity: IdentityProvider;
  signupPolicy: 'open' | 'invite-only' | 'closed';
  /** The data APIs' engines (closed with the app). */
  data: DataEngines;
}

/** The platform API versions `X-API-Version` may name (the seed's example first); absent means the newest. */
export const API_VERSIONS = ['2024-01-01'] as const;

// Every endpoint's body type differs; the registry only needs their common shape.
export const managementEndpoints: Endpoint<any>[] = [
  ...workspaceEndpoints,
  ...virtualClusterEndpoints,
  ...credentialEndpoints,
  ...apiKeyEndpoints,
  ...topicEndpoints,
  ...aclEndpoints,
  ...pipelineEndpoints,
  ...monitoringEndpoints,
  ...userRoleEndpoints,
  ...eventsEndpoints,
];

/** The control plane's HTTP app: the conventions on every route, then the route families. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: options.logLevel },
    genReqId: correlationIdFor,
    bodyLimit: options.bodyLimitBytes,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false } },
    return503OnClosing: true,
    // Fastify's own refusals before routing (a path parameter over its length, a malformed
    // percent-encoding) answer the envelope too, without echoing the URL.
    frameworkErrors: (error, request, reply: FastifyReply) => {
      const status = error.statusCode ?? 400;
      const message = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a path segment is too long' : error.code === 'FST_ERR_BAD_URL' ? 'the URL is not valid (a malformed percent-encoding?)' : 'the request cannot be routed';
      reply.code(status).type('application/json; charset=utf-8').send(envelope(request, status === 414 ? 'URI_TOO_LONG' : 'BAD_REQUEST', message));
    },
  });

  registerErrorEnvelope(app);
  registerCorrelation(app);
  registerJsonBodies(app, options.bodyLimitBytes);
  await registerRateLimit(app, options.rateLimit.max, options.rateLimit.windowMs);

  // Authentication comes before the body is read: a caller without a valid key learns nothing,
  // not even which fields a route wants.
  app.addHook('preParsing', async (request, _reply, payload) => {
    const { scope, mutation } = request.routeOptions.config;
    if (scope === undefined) return payload;
    const header = request.headers[API_KEY_HEADER];
    const principal = await authenticate(options.store, Array.isArray(header) ? header[0] : header);
    checkScope(principal, scope, mutation === true);
    request.principal = principal;
    return payload;
  });
  registerIdempotency(app, options.store, (request) => {
    if (request.caller) {
      // Bearer tokens change at every refresh, so a bearer caller's answers are sealed under a
      // key derived from the secrets key for that subject: the store alone cannot open them.
      const subject = `bearer:${request.caller.token.realm}:${request.caller.token.subject}`;
      return { apiKeyId: subject, secret: options.secrets.derive(`idempotency ${subject}`) };
    }
    const header = request.headers[API_KEY_HEADER];
    const secret = Array.isArray(header) ? header[0] : header;
    return request.principal && secret ? { apiKeyId: request.principal.key.id, secret } : undefined;
  });
  registerApiVersion(app, API_VERSIONS);

  for (const schema of sharedSchemas) app.addSchema(schema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Slipstream Management API',
        description:
          'WarpStream-compatible Management API of Slipstream. Every endpoint accepts GET and POST (and any method) with a JSON body; list calls accept an empty body.',
        version: options.info.version,
      },
      components: {
        securitySchemes: {
          ApiKeyAuth: { type: 'apiKey', in: 'header', name: API_KEY_HEADER },
          BearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          PrometheusBasicAuth: { type: 'http', scheme: 'basic' },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true }, config: { rateLimit: false } }, async () => app.swagger());

  registerPlatformRoutes(app, options.store, options.info, { api_versions: API_VERSIONS.join(','), identity_provider: options.identity.kind }, options.isReady);
  registerPlatformApi(app, {
    store: options.store,
    secrets: options.secrets,
    identity: options.identity,
    cluster: options.cluster,
    signupPolicy: options.signupPolicy,
    defaultRealm: DEFAULT_TENANT_SLUG,
    data: options.data,
  });
  app.addHook('onClose', async () => options.data.postgres.close());
  const deps = { store: options.store, secrets: options.secrets, cluster: options.cluster, groups: options.groups };
  const metrics = options.metrics;
  if (metrics) {
    app.get('/metrics', { schema: { hide: true }, config: { rateLimit: false } }, async (_request, reply) =>
      reply.type('text/plain; version=0.0.4').send(metrics()),
    );
  }
  for (const endpoint of managementEndpoints) registerEndpoint(app, deps, endpoint);
  if (options.agentRpc) await app.register(agentRpcRoutes, { prefix: RPC_PREFIX, controlPlane: options.agentRpc, store: options.store });
  registerPrometheusRoute(app, options.store, options.groups);

  return app;
}
