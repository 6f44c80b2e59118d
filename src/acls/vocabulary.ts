import { isIP } from 'node:net';
import { badRequest } from '../errors.ts';
import type { Acl, AclEntry } from '../model/records.ts';

/**
 * Kafka's ACL vocabulary and the canonical form of one ACL, as the Management API, the Kafka
 * ACL APIs and the authorizer all use it.
 */

/** Kafka's ACL vocabulary (org.apache.kafka.common.acl / resource), as concrete values. */
export const ACL_RESOURCE_TYPES = ['TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID', 'DELEGATION_TOKEN', 'USER'] as const;
export const ACL_PATTERN_TYPES = ['LITERAL', 'PREFIXED'] as const;
export const ACL_OPERATIONS = [
  'ALL',
  'READ',
  'WRITE',
  'CREATE',
  'DELETE',
  'ALTER',
  'DESCRIBE',
  'CLUSTER_ACTION',
  'DESCRIBE_CONFIGS',
  'ALTER_CONFIGS',
  'IDEMPOTENT_WRITE',
  'CREATE_TOKENS',
  'DESCRIBE_TOKENS',
] as const;
export const ACL_PERMISSION_TYPES = ['ALLOW', 'DENY'] as const;
/** The only name a CLUSTER resource has in Kafka. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';

export type { AclEntry };

export function aclEntry(acl: Acl): AclEntry {
  const { resource_type, resource_name, pattern_type, principal, host, operation, permission_type } = acl;
  return { resource_type, resource_name, pattern_type, principal, host, operation, permission_type };
}

function oneOf(field: string, value: string, allowed: readonly string[]): string {
  // Kafka's own tools accept any case (`Topic`, `read`); the stored form is the canonical upper case.
  const upper = value.toUpperCase();
  if (!allowed.includes(upper)) throw badRequest(`acl.${field} must be one of ${allowed.join(', ')}`, 'INVALID_ACL');
  return upper;
}

/** Checks an ACL the way Kafka's authorizer does and answers its canonical form. */
export function validateAcl(entry: AclEntry): AclEntry {
  const resource_type = oneOf('resource_type', entry.resource_type, ACL_RESOURCE_TYPES);
  const pattern_type = oneOf('pattern_type', entry.pattern_type, ACL_PATTERN_TYPES);
  const operation = oneOf('operation', entry.operation, ACL_OPERATIONS);
  const permission_type = oneOf('permission_type', entry.permission_type, ACL_PERMISSION_TYPES);
  if (entry.resource_name.length === 0) throw badRequest('acl.resource_name must not be empty', 'INVALID_ACL');
  if (resource_type === 'CLUSTER' && entry.resource_name !== CLUSTER_RESOURCE_NAME) {
    throw badRequest(`acl.resource_name of a CLUSTER resource must be ${CLUSTER_RESOURCE_NAME}`, 'INVALID_ACL');
  }
  if (!/^[^:\s]+:.+$/.test(entry.principal)) {
    throw badRequest('acl.principal must be of the form Type:name, e.g. User:alice or User:*', 'INVALID_ACL');
  }
  if (entry.host !== '*' && isIP(entry.host) === 0) {
    throw badRequest('acl.host must be "*" or an IP address', 'INVALID_ACL');
  }
  return { resource_type, resource_name: entry.resource_name, pattern_type, principal: entry.principal, host: entry.host, operation, permission_type };
}
