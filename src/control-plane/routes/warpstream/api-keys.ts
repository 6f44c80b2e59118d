import type { Endpoint } from '../endpoint.ts';
import { ref } from '../schemas.ts';
import { createApiKey, deleteApiKey, listApiKeys, type CreateApiKeyRequest } from '../../services/api-keys.ts';

export const apiKeyEndpoints = [
  {
    path: '/api/v1/list_api_keys',
    method: 'GET',
    operationId: 'listApiKeys',
    summary: 'List API Keys',
    description:
      'Returns all API keys belonging to the same workspace as the authenticating key; with an account key, the account keys and then every workspace\'s keys. Each key answers its secret (`key`), kept sealed under the server\'s secrets key; `key` is "" for keys beyond the caller\'s reach (a read-only or cluster-limited caller listing a wider key) and for keys created before secrets were kept.',
    tag: 'API Keys',
    scope: 'account-or-workspace',
    mutation: false,
    response: { type: 'object', properties: { api_keys: { type: 'array', items: ref('ApiKey') } } },
    handler: async ({ store, secrets, principal }) => ({ api_keys: await listApiKeys(store, secrets, principal) }),
  } satisfies Endpoint,
  {
    path: '/api/v1/create_api_key',
    method: 'POST',
    operationId: 'createApiKey',
    summary: 'Create API Key',
    description: 'Creates a new API key with specified access grants. The answer carries the secret (`key`); list_api_keys answers it again.',
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
    handler: ({ store, secrets, principal, body }) => createApiKey(store, secrets, principal, body),
  } satisfies Endpoint<CreateApiKeyRequest>,
  {
    path: '/api/v1/delete_api_key',
    method: 'POST',
    operationId: 'deleteApiKey',
    summary: 'Delete API Key',
    description:
      'Deletes an API key; its secret is refused (401) from the next request on. Account keys may delete any key of the account but the last account key; application keys only keys of their workspace (a cluster-limited key only keys within its clusters). A key may delete itself. A key the caller cannot see is 404.',
    tag: 'API Keys',
    scope: 'account-or-workspace',
    mutation: true,
    body: {
      type: 'object',
      required: ['api_key_id'],
      properties: { api_key_id: { type: 'string', minLength: 1, description: 'ID of the key to delete (aki_…)' } },
    },
    response: ref('EmptyResponse'),
    handler: ({ store, principal, body }) => deleteApiKey(store, principal, body.api_key_id),
  } satisfies Endpoint<{ api_key_id: string }>,
];
