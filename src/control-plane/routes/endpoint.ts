import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MetadataStore } from '../../metadata/store.ts';
import type { GroupCoordinator } from '../groups/coordinator.ts';
import type { Principal, Scope } from '../auth.ts';
import type { ClusterContext } from '../services/virtual-clusters.ts';
import type { SecretSealer } from '../secrets.ts';
import { badRequest } from '../../errors.ts';
import { ref } from './schemas.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Which keys may call the route; routes without a scope need no key. */
    scope?: Scope;
    /** Whether the route changes state: read-only keys are refused, Idempotency-Key applies. */
    mutation?: boolean;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

export interface EndpointContext<Body> {
  store: MetadataStore;
  principal: Principal;
  body: Body;
  /** Seals and unseals API key secrets under the server's secrets key. */
  secrets: SecretSealer;
  request: FastifyRequest;
  cluster: ClusterContext;
  /** The group coordinator of this process, when it runs one (live group membership). */
  groups: GroupCoordinator | undefined;
}

/** One Management API endpoint: `/api/v1/<name>`, described once, served on every method. */
export interface Endpoint<Body = Record<string, never>> {
  path: string;
  /** The method the seed documents; the others are served too, undocumented. */
  method: 'GET' | 'POST';
  operationId: string;
  summary: string;
  description: string;
  tag: string;
  scope: Scope;
  mutation: boolean;
  body?: object;
  response: object;
  handler(context: EndpointContext<Body>): Promise<unknown>;
}

export interface EndpointDeps {
  store: MetadataStore;
  secrets: SecretSealer;
  cluster: ClusterContext;
  groups: GroupCoordinator | undefined;
}

const ALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const errorResponses = {
  400: { description: 'Validation error', ...ref('ErrorResponse') },
  401: { description: 'Missing or unknown API key (invalid_api_key)', ...ref('ErrorResponse') },
  403: { description: 'The API key is outside its scope', ...ref('ErrorResponse') },
  404: { description: 'Not found', ...ref('ErrorResponse') },
  409: { description: 'Conflict: duplicate, or an idempotent request still running', ...ref('ErrorResponse') },
  422: { description: 'Business rule violation, or an Idempotency-Key reused with another body', ...ref('ErrorResponse') },
  429: { description: 'Rate limit exceeded (see Retry-After)', ...ref('ErrorResponse') },
};

export function registerEndpoint<Body>(app: FastifyInstance, deps: EndpointDeps, endpoint: Endpoint<Body>): void {
  const handler = async (request: FastifyRequest) =>
    endpoint.handler({
      store: deps.store,
      principal: request.principal!,
      body: request.body as Body,
      secrets: deps.secrets,
      request,
      cluster: deps.cluster,
      groups: deps.groups,
    });
  const config = { scope: endpoint.scope, mutation: endpoint.mutation };
  const body = endpoint.body ?? { type: 'object' };
  const response = { 200: endpoint.response, ...errorResponses };

  const schema = {
    operationId: endpoint.operationId,
    summary: endpoint.summary,
    description: endpoint.description,
    tags: [endpoint.tag],
    security: [{ ApiKeyAuth: [] }],
    response,
  };
  // Fastify refuses a body schema on GET routes, yet WarpStream's clients send GET with a body:
  // GET routes validate the body themselves, against the same schema, with the same errors.
  const validateGetBody = async (request: FastifyRequest) => {
    const validate = request.compileValidationSchema(body);
    if (!validate(request.body)) {
      const first = validate.errors?.[0];
      throw badRequest(`body${first?.instancePath ?? ''} ${first?.message ?? 'is not valid'}`);
    }
  };
  const others = ALL_METHODS.filter((method) => method !== endpoint.method && method !== 'GET');
  if (endpoint.method === 'GET') {
    app.route({ method: 'GET', url: endpoint.path, config, schema, preValidation: validateGetBody, handler });
  } else {
    app.route({ method: endpoint.method, url: endpoint.path, config, schema: { ...schema, body }, handler });
    app.route({ method: 'GET', url: endpoint.path, config, schema: { hide: true, response }, preValidation: validateGetBody, handler });
  }
  // WarpStream's clients use any method: serve the rest too, undocumented.
  app.route({ method: others, url: endpoint.path, config, schema: { hide: true, body, response }, handler });
}
