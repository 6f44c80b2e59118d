import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../errors.ts';

/**
 * `X-API-Version` on the platform API (`/v1/…`): a version of `supported` is honoured, an
 * unknown one is a 400 naming the supported ones, and none means the newest. The version that
 * served the request is echoed on the response.
 */
export function registerApiVersion(app: FastifyInstance, supported: readonly string[]): void {
  const newest = supported[supported.length - 1]!;
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/v1/')) return;
    const header = request.headers['x-api-version'];
    const sent = Array.isArray(header) ? header[0] : header;
    if (sent !== undefined && !supported.includes(sent)) {
      throw badRequest(`X-API-Version ${JSON.stringify(sent)} is not supported; supported: ${supported.join(', ')}`, 'UNSUPPORTED_API_VERSION');
    }
    reply.header('X-API-Version', sent ?? newest);
  });
}
