import type { AclEntry } from './vocabulary.ts';
import { OPERATION_CODES, type AclFilter, type Operation, type PatternType, type PermissionType, type ResourceType } from './authorizer.ts';

/**
 * Kafka's wire codes for the ACL vocabulary (org.apache.kafka.common.resource.ResourceType,
 * PatternType, org.apache.kafka.common.acl.AclOperation, AclPermissionType), and the conversions
 * CreateAcls, DescribeAcls and DeleteAcls need between those int8 codes and stored ACLs.
 */

export { OPERATION_CODES };
export const RESOURCE_TYPE_CODES: Readonly<Record<ResourceType | 'UNKNOWN' | 'ANY', number>> = {
  UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7,
};
export const PATTERN_TYPE_CODES: Readonly<Record<PatternType | 'UNKNOWN' | 'ANY' | 'MATCH', number>> = {
  UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4,
};
export const PERMISSION_TYPE_CODES: Readonly<Record<PermissionType | 'UNKNOWN' | 'ANY', number>> = {
  UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3,
};

/** The name of a code in one of the tables above (undefined for a code Kafka does not define). */
function nameOf<K extends string>(codes: Readonly<Record<K, number>>, code: number): K | undefined {
  for (const [name, value] of Object.entries(codes) as [K, number][]) if (value === code) return name;
  return undefined;
}

/** A DescribeAcls request body or one DeleteAcls filter, as the codec decodes it. */
export interface WireAclFilter {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  /** Absent before v1 of the APIs, where it means LITERAL (the schema's default, 3). */
  patternTypeFilter?: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}

/** One CreateAcls creation, or one ACL of a DescribeAcls/DeleteAcls answer, in wire codes. */
export interface WireAcl {
  resourceType: number;
  resourceName: string;
  resourcePatternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/**
 * The filter a DescribeAcls/DeleteAcls request carries, or the reason Kafka refuses it with
 * INVALID_REQUEST (42): any element UNKNOWN or not a code Kafka defines
 * (AclBindingFilter.findIndefiniteField / isUnknown).
 */
export function aclFilterFromWire(wire: WireAclFilter): { filter: AclFilter } | { error: string } {
  const resourceType = nameOf(RESOURCE_TYPE_CODES, wire.resourceTypeFilter);
  const patternType = nameOf(PATTERN_TYPE_CODES, wire.patternTypeFilter ?? PATTERN_TYPE_CODES.LITERAL);
  const operation = nameOf(OPERATION_CODES, wire.operation);
  const permissionType = nameOf(PERMISSION_TYPE_CODES, wire.permissionType);
  if (resourceType === undefined || resourceType === 'UNKNOWN') return { error: 'the filter has an unknown resource type' };
  if (patternType === undefined || patternType === 'UNKNOWN') return { error: 'the filter has an unknown pattern type' };
  if (operation === undefined || operation === 'UNKNOWN') return { error: 'the filter has an unknown operation' };
  if (permissionType === undefined || permissionType === 'UNKNOWN') return { error: 'the filter has an unknown permission type' };
  return {
    filter: {
      resourceType,
      resourceName: wire.resourceNameFilter,
      patternType,
      principal: wire.principalFilter,
      host: wire.hostFilter,
      operation,
      permissionType,
    },
  };
}

/**
 * The ACL a CreateAcls creation asks for, with names for codes — still to be checked by
 * `validateAcl` (names, principal, host) — or the reason Kafka refuses it with INVALID_REQUEST:
 * a code that is not a concrete value (UNKNOWN, ANY, MATCH, or undefined).
 */
export function aclEntryFromWire(wire: WireAcl): { acl: AclEntry } | { error: string } {
  const concrete = <K extends string>(codes: Readonly<Record<K, number>>, code: number): K | undefined => {
    const name = nameOf(codes, code);
    return name === 'UNKNOWN' || name === 'ANY' || name === 'MATCH' ? undefined : name;
  };
  const resource_type = concrete(RESOURCE_TYPE_CODES, wire.resourceType);
  const pattern_type = concrete(PATTERN_TYPE_CODES, wire.resourcePatternType);
  const operation = concrete(OPERATION_CODES, wire.operation);
  const permission_type = concrete(PERMISSION_TYPE_CODES, wire.permissionType);
  if (resource_type === undefined) return { error: `the ACL has no concrete resource type (code ${wire.resourceType})` };
  if (pattern_type === undefined) return { error: `the ACL has no concrete pattern type (code ${wire.resourcePatternType})` };
  if (operation === undefined) return { error: `the ACL has no concrete operation (code ${wire.operation})` };
  if (permission_type === undefined) return { error: `the ACL has no concrete permission type (code ${wire.permissionType})` };
  return {
    acl: { resource_type, resource_name: wire.resourceName, pattern_type, principal: wire.principal, host: wire.host, operation, permission_type },
  };
}

/** A stored ACL in wire codes, for DescribeAcls and DeleteAcls answers. */
export function aclEntryToWire(acl: AclEntry): WireAcl {
  const code = <K extends string>(codes: Readonly<Record<K, number>>, name: string): number =>
    (codes as Readonly<Record<string, number>>)[name.toUpperCase()] ?? 0;
  return {
    resourceType: code(RESOURCE_TYPE_CODES, acl.resource_type),
    resourceName: acl.resource_name,
    resourcePatternType: code(PATTERN_TYPE_CODES, acl.pattern_type),
    principal: acl.principal,
    host: acl.host,
    operation: code(OPERATION_CODES, acl.operation),
    permissionType: code(PERMISSION_TYPE_CODES, acl.permission_type),
  };
}
