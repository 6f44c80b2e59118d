import type { Endpoint } from '../endpoint.ts';
import { ref } from '../schemas.ts';
import { createApiKey, listApiKeys, type CreateApiKeyRequest } from '../../services/api-keys.ts';

export const apiKeyEndpoints = [
  {
    path: '/api/v1/list_api_keys',
    method: 'GET',
    operationId: 'listApiKeys',
    summary: 'List API Keys',
    description: 'Returns all API keys belonging to the same workspace as the authenticating key. Secrets are never listed.',
    tag: 'API Keys',
    scope: 'account-or-workspace',
    mutation: false,
    response: { type: 'object', properties: { api_keys: { type: 'array', items: ref('ApiKey') } } },
    handler: async ({ store, principal }) => ({ api_keys: await listApiKeys(store, principal) }),
  } satisfies Endpoint,
  {
    path: '/api/v1/create_api_key',
    method: 'POST',
    operationId: 'createApiKey',
    summary: 'Create API Key',
    description: 'Creates a new API key with specified access grants. The secret is in this answer only.',
    tag: 'API Keys',
    scope: 'account-or-workspace',
    mutation: true,
    body: {
      type: 'object',
      required: ['name', 'access_grants'],
      properties: {
        name: { type: 'string', description: 'Key name (alphanumeric and underscores only; gets akn_ prefix)' },
        access_grants: { type: 'array', items: ref('AccessGrant'), description: 'List of permission grants for this key' },
        virtual_cluster_type: { type: 'string', description: 'Set to byoc_schema_registry for Schema Registry agent keys' },
      },
    },
    response: ref('ApiKey'),
    handler: ({ store, principal, body }) => createApiKey(store, principal, body),
  } satisfies Endpoint<CreateApiKeyRequest>,
];
