import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AgentAuthError, GROUP_CALLS, RPC_CALLS, SHARE_CALLS, TOPIC_ID_CALLS, TRANSACTION_CALLS, type ControlPlaneClient } from '../../agent-rpc/contract.ts';
import { AGENT_AUTH_FAILED, RPC_BODY_LIMIT, RPC_CONTENT_TYPE, decodeWire, encodeWire } from '../../agent-rpc/wire.ts';
import { ApiError, badRequest, forbidden, notFound } from '../../errors.ts';
import type { MetadataStore } from '../../metadata/store.ts';
import type { LocalControlPlane } from './local.ts';

export interface AgentRpcOptions {
  controlPlane: LocalControlPlane;
  store: MetadataStore;
}

/** How long a checked agent key is trusted before it is looked up again (a deleted key stops within this). */
const KEY_CACHE_MS = 1_000;

const CALLS: ReadonlySet<string> = new Set<string>([
  ...RPC_CALLS, ...GROUP_CALLS.map((name) => `groups.${name}`), ...TRANSACTION_CALLS.map((name) => `transactions.${name}`),
  ...SHARE_CALLS.map((name) => `shares.${name}`),
]);

/**
 * The control plane's internal routes for agents on other machines (agent-rpc/http-client.ts):
 * `POST <prefix>/<call>` runs that call of the in-process `LocalControlPlane` — the very object
 * `npm start`'s own agent uses, so both paths share every rule. The agent key (bearer token)
 * must be a live agent key, and every call must name the key's own cluster (and a topic id of
 * it): an agent cannot reach another cluster's data. Not part of the public OpenAPI document.
 */
export async function agentRpcRoutes(app: FastifyInstance, options: AgentRpcOptions): Promise<void> {
  const { controlPlane, store } = options;
  const keys = new Map<string, { clusterId: string; checkedAt: number }>();
  const topicClusters = new Map<string, string>();

  // This plugin's own parser (encapsulated): RPC bodies carry bigints and bytes (wire.ts).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(RPC_CONTENT_TYPE, { parseAs: 'string', bodyLimit: RPC_BODY_LIMIT }, (_request, body, done) => {
    try {
      done(null, decodeWire(body as string));
    } catch (error) {
      done(badRequest(`RPC body is not valid: ${(error as Error).message}`, 'MALFORMED_JSON'), undefined);
    }
  });

  async function clusterOf(request: FastifyRequest): Promise<string> {
    const header = request.headers.authorization;
    const key = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
    if (!key) throw new ApiError(401, AGENT_AUTH_FAILED, 'an agent key is required (Authorization: Bearer <agent key>)');
    const cached = keys.get(key);
    if (cached && Date.now() - cached.checkedAt < KEY_CACHE_MS) return cached.clusterId;
    try {
      const cluster = await controlPlane.authenticateAgent(key);
      if (keys.size > 10_000) keys.clear();
      keys.set(key, { clusterId: cluster.id, checkedAt: Date.now() });
      return cluster.id;
    } catch (error) {
      keys.delete(key);
      if (error instanceof AgentAuthError) throw new ApiError(401, AGENT_AUTH_FAILED, error.message);
      throw error;
    }
  }

  async function checkTopic(clusterId: string, topicId: unknown): Promise<void> {
    if (typeof topicId !== 'string') throw badRequest('the topic id must be a string');
    let owner = topicClusters.get(topicId);
    if (owner === undefined) {
      // A topic's cluster never changes: once known, it is kept (ids are never reused).
      owner = (await store.getTopicById(topicId))?.virtual_cluster_id;
      if (owner !== undefined) topicClusters.set(topicId, owner);
    }
    if (owner !== clusterId) throw notFound('TOPIC_NOT_FOUND', `topic ${topicId} not found`);
  }

  app.post<{ Params: { call: string }; Body: unknown }>(
    '/:call',
    { bodyLimit: RPC_BODY_LIMIT, schema: { hide: true }, config: { rateLimit: false } },
    async (request, reply) => {
      const { call } = request.params;
      if (!CALLS.has(call)) throw notFound('RPC_CALL_NOT_FOUND', `no agent RPC call ${call}`);
      const clusterId = await clusterOf(request);
      const args = request.body;
      if (!Array.isArray(args)) throw badRequest('the RPC body must be a JSON array of the call\'s arguments');
      let result: unknown;
      if (call === 'authenticateAgent') {
        // Re-checked now, not from the cache: this is the agent's start.
        const key = request.headers.authorization!.slice('Bearer '.length);
        try {
          result = await controlPlane.authenticateAgent(key, args[0] as string | undefined);
        } catch (error) {
          if (error instanceof AgentAuthError) throw new ApiError(401, AGENT_AUTH_FAILED, error.message);
          throw error;
        }
      } else {
        if (args[0] !== clusterId) throw forbidden(`this agent key belongs to virtual cluster ${clusterId}, not ${String(args[0])}`);
        if (TOPIC_ID_CALLS.has(call)) await checkTopic(clusterId, args[1]);
        const [family, name] = call.includes('.') ? call.split('.') : ['', call];
        // The share calls check topic ids themselves (shares/coordinator.ts topicOf).
        const families: Record<string, object> = { groups: controlPlane.groups, transactions: controlPlane.transactions, shares: controlPlane.shares };
        const target = families[family!] ?? controlPlane;
        const method = (target as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name!];
        result = await method!.apply(target, args);
      }
      const text = result === undefined ? '' : encodeWire(result);
      return reply.type(RPC_CONTENT_TYPE).send(text);
    },
  );
}
