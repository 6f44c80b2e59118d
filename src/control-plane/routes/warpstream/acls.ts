import type { Endpoint } from '../endpoint.ts';
import { ref } from '../schemas.ts';
import { clusterFor } from '../../auth.ts';
import { createAcl, deleteAcls, listAcls } from '../../services/acls.ts';
import type { AclEntry } from '../../../acls/vocabulary.ts';

export const aclEndpoints = [
  {
    path: '/api/v1/virtual_clusters/acls/create',
    method: 'POST',
    operationId: 'createAcl',
    summary: 'Create ACL',
    description: 'Creates a Kafka ACL rule for the specified virtual cluster.',
    tag: 'ACLs',
    scope: 'workspace',
    mutation: true,
    body: {
      type: 'object',
      required: ['virtual_cluster_id', 'acl'],
      properties: { virtual_cluster_id: { type: 'string', description: 'Target virtual cluster ID' }, acl: ref('AclEntry') },
    },
    response: { type: 'object', properties: { acl: ref('AclEntry') } },
    handler: async ({ store, principal, body }) => ({
      acl: await createAcl(store, await clusterFor(store, principal, body.virtual_cluster_id), body.acl),
    }),
  } satisfies Endpoint<{ virtual_cluster_id: string; acl: AclEntry }>,
  {
    path: '/api/v1/virtual_clusters/acls/list',
    method: 'POST',
    operationId: 'listAcls',
    summary: 'List ACLs',
    description: 'Returns the ACLs of a virtual cluster (an empty array, never null).',
    tag: 'ACLs',
    scope: 'workspace',
    mutation: false,
    body: {
      type: 'object',
      required: ['virtual_cluster_id'],
      properties: { virtual_cluster_id: { type: 'string', description: 'Target virtual cluster ID' } },
    },
    response: { type: 'object', properties: { acls: { type: 'array', items: ref('AclEntry') } } },
    handler: async ({ store, principal, body }) => ({
      acls: await listAcls(store, await clusterFor(store, principal, body.virtual_cluster_id)),
    }),
  } satisfies Endpoint<{ virtual_cluster_id: string }>,
  {
    path: '/api/v1/virtual_clusters/acls/delete',
    method: 'POST',
    operationId: 'deleteAcls',
    summary: 'Delete ACLs',
    description: 'Deletes the ACLs equal to the given ones and answers those deleted (an ACL that does not exist is not an error).',
    tag: 'ACLs',
    scope: 'workspace',
    mutation: true,
    body: {
      type: 'object',
      required: ['virtual_cluster_id', 'acls'],
      properties: { virtual_cluster_id: { type: 'string', description: 'Target virtual cluster ID' }, acls: { type: 'array', items: ref('AclEntry') } },
    },
    response: { type: 'object', properties: { acls: { type: 'array', items: ref('AclEntry') } } },
    handler: async ({ store, principal, body }) => ({
      acls: await deleteAcls(store, await clusterFor(store, principal, body.virtual_cluster_id), body.acls),
    }),
  } satisfies Endpoint<{ virtual_cluster_id: string; acls: AclEntry[] }>,
];
