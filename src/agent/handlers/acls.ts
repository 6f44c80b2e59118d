import { ApiError } from '../../errors.ts';
import { KafkaError } from '../../kafka-protocol/error-codes.ts';
import { AclIndex, aclEntryFromWire, aclEntryToWire, aclFilterFromWire, matchesFilter, type AclEntry } from '../../acls/index.ts';
import type { CreateAclsRequest, DeleteAclsRequest, DescribeAclsRequest } from '../../kafka-protocol/index.ts';
import type { AgentContext } from '../context.ts';
import type { AclDecider } from '../acl.ts';
import { checkOf, type Authorization } from '../authorize.ts';

/**
 * Kafka's CreateAcls, DescribeAcls and DeleteAcls over the same store and rules as the
 * Management API (`virtual_clusters/acls/*`). Who may call them (ALTER/DESCRIBE on the cluster)
 * is decided before, by their `authorize` steps.
 */

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function handleCreateAcls(agent: AgentContext, request: CreateAclsRequest) {
  const results = [];
  for (const creation of request.creations) {
    const parsed = aclEntryFromWire(creation);
    if ('error' in parsed) {
      results.push({ errorCode: KafkaError.INVALID_REQUEST, errorMessage: parsed.error });
      continue;
    }
    try {
      await agent.controlPlane.createAcl(agent.cluster.id, parsed.acl);
      results.push({ errorCode: 0, errorMessage: null });
    } catch (error) {
      // An identical ACL already there is success on the Kafka path, as in Kafka.
      if (error instanceof ApiError && error.code === 'ACL_ALREADY_EXISTS') results.push({ errorCode: 0, errorMessage: null });
      else if (error instanceof ApiError) results.push({ errorCode: KafkaError.INVALID_REQUEST, errorMessage: messageOf(error) });
      else throw error;
    }
  }
  agent.acls?.invalidate();
  return { throttleTimeMs: 0, results };
}

export async function handleDescribeAcls(agent: AgentContext, request: DescribeAclsRequest) {
  const parsed = aclFilterFromWire(request);
  if ('error' in parsed) return { throttleTimeMs: 0, errorCode: KafkaError.INVALID_REQUEST, errorMessage: parsed.error, resources: [] };
  const acls = (await agent.controlPlane.listAcls(agent.cluster.id)).filter((acl) => matchesFilter(acl, parsed.filter));
  const resources = new Map<string, { resourceType: number; resourceName: string; patternType: number; acls: Array<{ principal: string; host: string; operation: number; permissionType: number }> }>();
  for (const acl of acls) {
    const wire = aclEntryToWire(acl);
    const key = `${wire.resourceType}\u0000${wire.resourcePatternType}\u0000${wire.resourceName}`;
    let resource = resources.get(key);
    if (!resource) resources.set(key, (resource = { resourceType: wire.resourceType, resourceName: wire.resourceName, patternType: wire.resourcePatternType, acls: [] }));
    resource.acls.push({ principal: wire.principal, host: wire.host, operation: wire.operation, permissionType: wire.permissionType });
  }
  return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, resources: [...resources.values()] };
}

export async function handleDeleteAcls(agent: AgentContext, request: DeleteAclsRequest) {
  const index = new AclIndex(await agent.controlPlane.listAcls(agent.cluster.id));
  const filterResults = [];
  for (const wireFilter of request.filters) {
    const parsed = aclFilterFromWire(wireFilter);
    if ('error' in parsed) {
      filterResults.push({ errorCode: KafkaError.INVALID_REQUEST, errorMessage: parsed.error, matchingAcls: [] });
      continue;
    }
    const matching: AclEntry[] = index.filter(parsed.filter);
    const deleted = matching.length > 0 ? await agent.controlPlane.deleteAcls(agent.cluster.id, matching) : [];
    filterResults.push({
      errorCode: 0,
      errorMessage: null,
      matchingAcls: deleted.map((acl) => {
        const wire = aclEntryToWire(acl);
        const { resourcePatternType, ...rest } = wire;
        return { errorCode: 0, errorMessage: null, ...rest, patternType: resourcePatternType };
      }),
    });
  }
  agent.acls?.invalidate();
  return { throttleTimeMs: 0, filterResults };
}

const DESCRIBE_CLUSTER = checkOf('DescribeAcls', 'cluster', 'always');
const ALTER_CLUSTER_TO_CREATE = checkOf('CreateAcls', 'cluster', 'always');
const ALTER_CLUSTER_TO_DELETE = checkOf('DeleteAcls', 'cluster', 'always');
const refusal = { errorCode: KafkaError.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Authorization failed.' };

/** CreateAcls under ACLs: ALTER on the cluster, else every creation result carries the refusal. */
export function authorizeCreateAcls(acls: AclDecider, request: CreateAclsRequest): Authorization<CreateAclsRequest> {
  if (acls.allows(ALTER_CLUSTER_TO_CREATE)) return { request };
  return { answer: { throttleTimeMs: 0, results: request.creations.map(() => ({ ...refusal })) } };
}

/** DescribeAcls under ACLs: DESCRIBE on the cluster. */
export function authorizeDescribeAcls(acls: AclDecider, request: DescribeAclsRequest): Authorization<DescribeAclsRequest> {
  if (acls.allows(DESCRIBE_CLUSTER)) return { request };
  return { answer: { throttleTimeMs: 0, ...refusal, resources: [] } };
}

/** DeleteAcls under ACLs: ALTER on the cluster, else every filter result carries the refusal. */
export function authorizeDeleteAcls(acls: AclDecider, request: DeleteAclsRequest): Authorization<DeleteAclsRequest> {
  if (acls.allows(ALTER_CLUSTER_TO_DELETE)) return { request };
  return { answer: { throttleTimeMs: 0, filterResults: request.filters.map(() => ({ ...refusal, matchingAcls: [] })) } };
}
