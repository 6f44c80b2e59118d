import { AclIndex, CLUSTER_RESOURCE_NAME, OPERATIONS_NOT_REQUESTED, aclCheck as check, allOperationsField, evaluateCheck, type AclCheck, type ResourceType } from '../acls/index.ts';
import { ApiKeys } from '../kafka-protocol/index.ts';
import { clusterConfiguration } from '../model/cluster-configuration.ts';
import type { Logger } from 'pino';
import type { Answer, RequestContext } from './connection.ts';
import type { AgentContext } from './context.ts';
import { topicIdFromUuid, type ControlPlaneClient } from '../agent-rpc/contract.ts';
import { KafkaError } from './kafka-errors.ts';
import { ADMIN_APIS, serveAdminWithAcls } from './acl-admin.ts';

/** Kafka's principal for a client that did not authenticate. */
export const ANONYMOUS_PRINCIPAL = 'User:ANONYMOUS';
/** How long an agent serves a loaded ACL view before loading it again. */
export const ACL_REFRESH_MS = 1_000;

export interface AclSnapshot {
  /** `are_acls_enabled` (and not shadowing): refusals are answered. */
  enforced: boolean;
  /** `acl_shadowing_enabled`: every decision is logged, nothing is refused. */
  shadow: boolean;
  index: AclIndex;
}

/**
 * The cluster's ACLs and configuration as this agent sees them: loaded from the control plane, kept for
 * ACL_REFRESH_MS, shared by every connection (one load at a time).
 */
export class AclView {
  private readonly controlPlane: ControlPlaneClient;
  private readonly clusterId: string;
  private readonly refreshMs: number;
  private current: { snapshot: AclSnapshot; at: number } | undefined;
  private loading: Promise<AclSnapshot> | undefined;

  constructor(controlPlane: ControlPlaneClient, clusterId: string, refreshMs = ACL_REFRESH_MS) {
    this.controlPlane = controlPlane;
    this.clusterId = clusterId;
    this.refreshMs = refreshMs;
  }

  /** Forgets the cached view (after this agent changed the ACLs itself). */
  invalidate(): void {
    this.current = undefined;
  }

  async snapshot(): Promise<AclSnapshot> {
    if (this.current && Date.now() - this.current.at < this.refreshMs) return this.current.snapshot;
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<AclSnapshot> {
    const at = Date.now();
    const cluster = await this.controlPlane.getCluster(this.clusterId);
    if (!cluster) throw new Error(`virtual cluster ${this.clusterId} no longer exists`);
    const configuration = clusterConfiguration(cluster);
    const shadow = configuration.acl_shadowing_enabled;
    const enforced = configuration.are_acls_enabled && !shadow;
    const index = enforced || shadow ? new AclIndex(await this.controlPlane.listAcls(cluster.id)) : new AclIndex([]);
    const snapshot = { enforced, shadow, index };
    this.current = { snapshot, at };
    return snapshot;
  }
}

/** One request's authorizer: answers each check, logging in shadow mode. */
export class AclDecider {
  readonly snapshot: AclSnapshot;
  readonly principal: string;
  private readonly host: string;
  private readonly superuser: boolean;
  private readonly log: Logger;
  private readonly apiKey: number;

  constructor(snapshot: AclSnapshot, context: RequestContext, apiKey: number, log: Logger) {
    this.snapshot = snapshot;
    this.principal = context.principal?.name ?? ANONYMOUS_PRINCIPAL;
    this.host = context.clientHost;
    this.superuser = context.principal?.is_cluster_superuser ?? false;
    this.apiKey = apiKey;
    this.log = log;
  }

  /** Whether ACLs are looked at at all for this request. */
  get active(): boolean {
    return (this.snapshot.enforced || this.snapshot.shadow) && !this.superuser;
  }

  /** Whether the check passes for the resource (always true unless enforced). */
  allows(check: AclCheck | undefined, resourceName?: string): boolean {
    if (!check || !this.active) return true;
    const result = evaluateCheck(this.snapshot.index, { principal: this.principal, host: this.host }, check, resourceName, { superuser: this.superuser });
    if (this.snapshot.shadow) {
      this.log.info(
        { acl_shadow: true, principal: this.principal, host: this.host, api_key: this.apiKey, target: check.target, resource: resourceName, allowed: result.allowed, reason: result.reason },
        result.allowed ? 'ACL shadow: allowed' : 'ACL shadow: would deny',
      );
      return true;
    }
    return result.allowed;
  }

  /**
   * A resource's *AuthorizedOperations field: the supported operations of its type this
   * principal may perform (AuthHelper.authorizedOperations, which neither logs nor counts as a
   * refusal). When nothing is enforced (ACLs off or only shadowed) or for a superuser, every
   * supported operation, as Kafka answers without an authorizer.
   */
  authorizedOperations(resourceType: ResourceType, resourceName: string): number {
    if (!this.snapshot.enforced || this.superuser) return allOperationsField(resourceType);
    return this.snapshot.index.authorizedOperations({ principal: this.principal, host: this.host }, resourceType, resourceName, { superuser: false });
  }
}

const EMPTY = Buffer.alloc(0);
const { TOPIC_AUTHORIZATION_FAILED: TOPIC_DENIED, GROUP_AUTHORIZATION_FAILED: GROUP_DENIED } = KafkaError;
const NO_UUID = '00000000-0000-0000-0000-000000000000';

export type Run = (body: unknown) => Promise<Answer>;

/** clusterAuthorizedOperations as Kafka fills it: 0 without DESCRIBE on the cluster. */
function operationsOfCluster(d: AclDecider, api: 'Metadata' | 'DescribeCluster'): number {
  return d.allows(check(api, 'cluster', 'authorized-operations')) ? d.authorizedOperations('CLUSTER', CLUSTER_RESOURCE_NAME) : 0;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

/**
 * Serves one request under the cluster's ACLs (KAFKA_API_ACLS): resources the principal may not
 * use are answered with Kafka's authorization error and left out of what the handler sees (or,
 * for reads, out of what it answers); the rest is served by `run`. The multi-resource admin
 * APIs are in acl-admin.ts. Where the client asks for *AuthorizedOperations, the handlers answer
 * Kafka's no-authorizer value and this narrows it to the principal's.
 */
export async function serveWithAcls(agent: AgentContext, d: AclDecider, apiKey: number, body: Any, context: RequestContext, run: Run): Promise<Answer> {
  if (!d.active) return run(body);
  const version = context.apiVersion;
  switch (apiKey) {
    case ApiKeys.Produce: {
      const txn = check('Produce', 'transactional-id', 'transactional');
      const write = check('Produce', 'topic', 'always');
      const create = check('Produce', 'topic', 'auto-create');
      const txnDenied = body.transactionalId !== null && !d.allows(txn, body.transactionalId);
      const allowed: Any[] = [];
      const denied: Any[] = [];
      for (const topic of body.topicData) {
        let ok = !txnDenied && d.allows(write, topic.name);
        if (ok && !(await agent.controlPlane.getTopic(agent.cluster.id, topic.name))) ok = d.allows(create, topic.name);
        (ok ? allowed : denied).push(topic);
      }
      if (denied.length === 0) return run(body);
      const refusals = denied.map((topic) => ({
        name: topic.name,
        partitionResponses: topic.partitionData.map((p: Any) => ({
          index: p.index, errorCode: txnDenied ? 53 : TOPIC_DENIED, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage: null,
        })),
      }));
      const answer = allowed.length > 0 ? ((await run({ ...body, topicData: allowed })) as Any) : { throttleTimeMs: 0, responses: [] };
      if (body.acks === 0) return null;
      return { ...answer, responses: [...(answer?.responses ?? []), ...refusals] };
    }
    case ApiKeys.Fetch: {
      const read = check('Fetch', 'topic', 'always');
      const topics = version >= 13 ? await agent.controlPlane.listTopics(agent.cluster.id) : [];
      const allowed: Any[] = [];
      const refusals: Any[] = [];
      for (const t of body.topics) {
        const name = version >= 13 ? topics.find((c) => c.id === topicIdFromUuid(t.topicId))?.name : t.topic;
        if (name === undefined || d.allows(read, name)) {
          allowed.push(t);
          continue;
        }
        refusals.push({
          topic: name, topicId: t.topicId,
          partitions: t.partitions.map((p: Any) => ({
            partitionIndex: p.partition, errorCode: TOPIC_DENIED, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n,
            abortedTransactions: null, preferredReadReplica: -1, records: EMPTY,
          })),
        });
      }
      if (refusals.length === 0) return run(body);
      const answer = allowed.length > 0 ? ((await run({ ...body, topics: allowed })) as Any) : { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [] };
      return { ...answer, responses: [...answer.responses, ...refusals] };
    }
    case ApiKeys.ListOffsets: {
      const describe = check('ListOffsets', 'topic', 'always');
      const allowed = body.topics.filter((t: Any) => d.allows(describe, t.name));
      if (allowed.length === body.topics.length) return run(body);
      const refusals = body.topics.filter((t: Any) => !allowed.includes(t)).map((t: Any) => ({
        name: t.name,
        partitions: t.partitions.map((p: Any) => ({ partitionIndex: p.partitionIndex, errorCode: TOPIC_DENIED, oldStyleOffsets: [], timestamp: -1n, offset: -1n, leaderEpoch: -1 })),
      }));
      const answer = allowed.length > 0 ? ((await run({ ...body, topics: allowed })) as Any) : { throttleTimeMs: 0, topics: [] };
      return { ...answer, topics: [...answer.topics, ...refusals] };
    }
    case ApiKeys.Metadata: {
      // The *AuthorizedOperations fields, when asked for, are the principal's for the topics
      // served and for the cluster (0 without DESCRIBE on it); refused topics keep the default.
      const topicOperations = version >= 8 && body.includeTopicAuthorizedOperations;
      const clusterOperations = version >= 8 && version <= 10 && body.includeClusterAuthorizedOperations;
      const withOperations = (answer: Any, served: Any[], refused: Any[] = []): Any => ({
        ...answer,
        topics: [
          ...(topicOperations ? served.map((t) => (t.name === null ? t : { ...t, topicAuthorizedOperations: d.authorizedOperations('TOPIC', t.name) })) : served),
          ...refused,
        ],
        ...(clusterOperations ? { clusterAuthorizedOperations: operationsOfCluster(d, 'Metadata') } : {}),
      });
      const all = body.topics === null || (version === 0 && body.topics.length === 0);
      if (all) {
        const answer = (await run(body)) as Any;
        const describe = check('Metadata', 'topic', 'all');
        return withOperations(answer, answer.topics.filter((t: Any) => d.allows(describe, t.name)));
      }
      const describe = check('Metadata', 'topic', 'named');
      const create = check('Metadata', 'topic', 'auto-create');
      const existing = await agent.controlPlane.listTopics(agent.cluster.id);
      const autoCreate = version < 4 || body.allowAutoTopicCreation;
      const refused = new Map<Any, Any>();
      for (const wanted of body.topics) {
        const topic = wanted.name !== null ? existing.find((t) => t.name === wanted.name) : existing.find((t) => t.id === topicIdFromUuid(wanted.topicId));
        const name: string | undefined = wanted.name ?? topic?.name;
        if (name === undefined) continue;
        if (!d.allows(describe, name) || (!topic && autoCreate && !d.allows(create, name))) {
          refused.set(wanted, {
            errorCode: TOPIC_DENIED, name: wanted.name, topicId: wanted.topicId || NO_UUID,
            isInternal: false, partitions: [], topicAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
          });
        }
      }
      if (refused.size === 0) {
        const answer = (await run(body)) as Any;
        return withOperations(answer, answer.topics);
      }
      const rest = body.topics.filter((t: Any) => !refused.has(t));
      const answer = (await run({ ...body, topics: rest })) as Any;
      // Nothing left to ask about: an empty list means "every topic" in v0, so answer none here.
      return withOperations(answer, rest.length === 0 ? [] : answer.topics, [...refused.values()]);
    }
    case ApiKeys.DescribeCluster: {
      // Needs no ACL (as in Kafka); DESCRIBE on the cluster decides clusterAuthorizedOperations.
      const answer = (await run(body)) as Any;
      return body.includeClusterAuthorizedOperations ? { ...answer, clusterAuthorizedOperations: operationsOfCluster(d, 'DescribeCluster') } : answer;
    }
    case ApiKeys.JoinGroup:
    case ApiKeys.SyncGroup:
    case ApiKeys.Heartbeat:
    case ApiKeys.LeaveGroup: {
      const name = ({ [ApiKeys.JoinGroup]: 'JoinGroup', [ApiKeys.SyncGroup]: 'SyncGroup', [ApiKeys.Heartbeat]: 'Heartbeat', [ApiKeys.LeaveGroup]: 'LeaveGroup' } as const)[apiKey];
      if (d.allows(check(name, 'group', 'always'), body.groupId)) return run(body);
      const base = { throttleTimeMs: 0, errorCode: GROUP_DENIED };
      if (apiKey === ApiKeys.JoinGroup) return { ...base, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId: '', members: [] };
      if (apiKey === ApiKeys.SyncGroup) return { ...base, protocolType: null, protocolName: null, assignment: EMPTY };
      if (apiKey === ApiKeys.LeaveGroup) return { ...base, members: [] };
      return base;
    }
    case ApiKeys.OffsetCommit: {
      const groupOk = d.allows(check('OffsetCommit', 'group', 'always'), body.groupId);
      const read = check('OffsetCommit', 'topic', 'always');
      const allowed = groupOk ? body.topics.filter((t: Any) => d.allows(read, t.name)) : [];
      if (allowed.length === body.topics.length) return run(body);
      const refusals = body.topics.filter((t: Any) => !allowed.includes(t)).map((t: Any) => ({
        name: t.name, partitions: t.partitions.map((p: Any) => ({ partitionIndex: p.partitionIndex, errorCode: groupOk ? TOPIC_DENIED : GROUP_DENIED })),
      }));
      const answer = allowed.length > 0 ? ((await run({ ...body, topics: allowed })) as Any) : { throttleTimeMs: 0, topics: [] };
      return { ...answer, topics: [...answer.topics, ...refusals] };
    }
    case ApiKeys.OffsetFetch: {
      const groupCheck = check('OffsetFetch', 'group', 'always');
      const named = check('OffsetFetch', 'topic', 'named');
      const all = check('OffsetFetch', 'topic', 'all');
      const filterTopics = (topics: Any[], requested: Any[] | null): Any[] =>
        requested === null
          ? topics.filter((t) => d.allows(all, t.name))
          : topics.map((t) => (d.allows(named, t.name) ? t : {
              ...t, partitions: t.partitions.map((p: Any) => ({ ...p, committedOffset: -1n, committedLeaderEpoch: -1, metadata: null, errorCode: TOPIC_DENIED })),
            }));
      if (version < 8) {
        if (!d.allows(groupCheck, body.groupId)) {
          return {
            throttleTimeMs: 0, errorCode: GROUP_DENIED, groups: [],
            topics: (body.topics ?? []).map((t: Any) => ({
              name: t.name,
              partitions: t.partitionIndexes.map((partitionIndex: number) => ({ partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: null, errorCode: GROUP_DENIED })),
            })),
          };
        }
        const answer = (await run(body)) as Any;
        return { ...answer, topics: filterTopics(answer.topics, body.topics) };
      }
      const allowedGroups = body.groups.filter((g: Any) => d.allows(groupCheck, g.groupId));
      const refusals = body.groups.filter((g: Any) => !allowedGroups.includes(g)).map((g: Any) => ({ groupId: g.groupId, topics: [], errorCode: GROUP_DENIED }));
      const answer = allowedGroups.length > 0 ? ((await run({ ...body, groups: allowedGroups })) as Any) : { throttleTimeMs: 0, topics: [], errorCode: 0, groups: [] };
      const groups = answer.groups.map((g: Any) => {
        const requested = allowedGroups.find((r: Any) => r.groupId === g.groupId);
        return { ...g, topics: filterTopics(g.topics, requested?.topics ?? null) };
      });
      return { ...answer, groups: [...groups, ...refusals] };
    }
    case ApiKeys.FindCoordinator: {
      const keyCheck = (keyType: number) =>
        keyType === 1 ? check('FindCoordinator', 'transactional-id', 'transaction-key') : check('FindCoordinator', 'group', 'group-key');
      const errorFor = (keyType: number) => (keyType === 1 ? 53 : GROUP_DENIED);
      if (version < 4) {
        if (d.allows(keyCheck(body.keyType), body.key)) return run(body);
        return { throttleTimeMs: 0, errorCode: errorFor(body.keyType), errorMessage: null, nodeId: -1, host: '', port: -1, coordinators: [] };
      }
      const answer = (await run(body)) as Any;
      return {
        ...answer,
        coordinators: answer.coordinators.map((c: Any) =>
          d.allows(keyCheck(body.keyType), c.key) ? c : { key: c.key, nodeId: -1, host: '', port: -1, errorCode: errorFor(body.keyType), errorMessage: null }),
      };
    }
    case ApiKeys.InitProducerId: {
      const ok = body.transactionalId !== null
        ? d.allows(check('InitProducerId', 'transactional-id', 'transactional'), body.transactionalId)
        : d.allows(check('InitProducerId', 'cluster', 'idempotent'));
      if (ok) return run(body);
      return { throttleTimeMs: 0, errorCode: body.transactionalId !== null ? 53 : 31, producerId: -1n, producerEpoch: -1 };
    }
    case ApiKeys.CreateTopics: {
      const create = check('CreateTopics', 'topic', 'always');
      const allowed = body.topics.filter((t: Any) => d.allows(create, t.name));
      if (allowed.length === body.topics.length) return run(body);
      const refusals = body.topics.filter((t: Any) => !allowed.includes(t)).map((t: Any) => ({
        name: t.name, errorCode: TOPIC_DENIED, errorMessage: 'Authorization failed.', numPartitions: -1, replicationFactor: -1, configs: null,
      }));
      const answer = allowed.length > 0 ? ((await run({ ...body, topics: allowed })) as Any) : { throttleTimeMs: 0, topics: [] };
      return { ...answer, topics: [...answer.topics, ...refusals] };
    }
    case ApiKeys.DescribeGroups: {
      // authorizedOperations (v3+, when asked for) only for groups described without error, as Kafka.
      const describe = check('DescribeGroups', 'group', 'always');
      const operations = version >= 3 && body.includeAuthorizedOperations;
      const answer = (await run(body)) as Any;
      return {
        ...answer,
        groups: answer.groups.map((g: Any) => {
          if (!d.allows(describe, g.groupId)) {
            return { errorCode: GROUP_DENIED, groupId: g.groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: OPERATIONS_NOT_REQUESTED };
          }
          return operations && g.errorCode === KafkaError.NONE ? { ...g, authorizedOperations: d.authorizedOperations('GROUP', g.groupId) } : g;
        }),
      };
    }
    case ApiKeys.ListGroups: {
      const describe = check('ListGroups', 'group', 'all');
      const answer = (await run(body)) as Any;
      return { ...answer, groups: answer.groups.filter((g: Any) => d.allows(describe, g.groupId)) };
    }
    case ApiKeys.DescribeConfigs: {
      const topicCheck = check('DescribeConfigs', 'topic', 'topic-resource');
      const brokerCheck = check('DescribeConfigs', 'cluster', 'broker-resource');
      const answer = (await run(body)) as Any;
      return {
        ...answer,
        results: answer.results.map((r: Any) => {
          const ok = r.resourceType === 2 ? d.allows(topicCheck, r.resourceName) : d.allows(brokerCheck);
          return ok ? r : { ...r, errorCode: r.resourceType === 2 ? TOPIC_DENIED : 31, errorMessage: 'Authorization failed.', configs: [] };
        }),
      };
    }
    default:
      return ADMIN_APIS.has(apiKey) ? serveAdminWithAcls(agent, d, apiKey, body, version, run) : run(body);
  }
}
