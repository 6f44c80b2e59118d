import { ApiKeys } from '../../kafka-protocol/index.ts';
import type { OffsetCommitRequest, OffsetDeleteRequest, OffsetFetchRequest } from '../../kafka-protocol/index.ts';
import type { GroupApi } from '../../agent-rpc/contract.ts';
import { KafkaError } from '../kafka-errors.ts';
import type { RequestContext } from '../connection.ts';
import type { AclDecider } from '../acl.ts';
import { checkOf, kafkaApi, serveAllowed, splitByAcls, type Authorization, type KafkaApi } from '../authorize.ts';
import { passTo } from './groups.ts';

/** A group's committed offsets, kept by the coordinator (control plane): OffsetCommit, OffsetFetch, OffsetDelete. */
export function groupOffsetApis(groups: GroupApi): Record<number, KafkaApi> {
  return {
    [ApiKeys.OffsetCommit]: kafkaApi(passTo(groups, groups.offsetCommit), authorizeOffsetCommit),
    [ApiKeys.OffsetFetch]: kafkaApi(passTo(groups, groups.offsetFetch), authorizeOffsetFetch),
    [ApiKeys.OffsetDelete]: kafkaApi(passTo(groups, groups.offsetDelete), authorizeOffsetDelete),
  };
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

const { TOPIC_AUTHORIZATION_FAILED: TOPIC_DENIED, GROUP_AUTHORIZATION_FAILED: GROUP_DENIED } = KafkaError;

const COMMIT_GROUP = checkOf('OffsetCommit', 'group', 'always');
const COMMIT_TOPIC = checkOf('OffsetCommit', 'topic', 'always');

/** OffsetCommit under ACLs: READ on the group (else every topic is GROUP_AUTHORIZATION_FAILED), then READ on each topic. */
export function authorizeOffsetCommit(acls: AclDecider, request: OffsetCommitRequest): Authorization<OffsetCommitRequest> {
  const groupOk = acls.allows(COMMIT_GROUP, request.groupId);
  const split = splitByAcls(request.topics, (t) => groupOk && acls.allows(COMMIT_TOPIC, t.name) ? undefined : {
    name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: groupOk ? TOPIC_DENIED : GROUP_DENIED })),
  });
  return serveAllowed(request, split, (topics) => ({ ...request, topics }), 'topics', { throttleTimeMs: 0, topics: [] });
}

const FETCH_GROUP = checkOf('OffsetFetch', 'group', 'always');
const FETCH_NAMED = checkOf('OffsetFetch', 'topic', 'named');
const FETCH_ALL = checkOf('OffsetFetch', 'topic', 'all');

/**
 * OffsetFetch under ACLs: DESCRIBE on the group (v8+ asks for several: a refusal is then that
 * group's), then DESCRIBE on each topic: named topics are refused in their entries, and when all
 * of a group's topics are asked for those the principal may not describe are left out.
 */
export function authorizeOffsetFetch(acls: AclDecider, request: OffsetFetchRequest, context: RequestContext): Authorization<OffsetFetchRequest> {
  const filterTopics = (topics: Any[], requested: readonly unknown[] | null): Any[] =>
    requested === null
      ? topics.filter((t) => acls.allows(FETCH_ALL, t.name))
      : topics.map((t) => (acls.allows(FETCH_NAMED, t.name) ? t : {
          ...t, partitions: t.partitions.map((p: Any) => ({ ...p, committedOffset: -1n, committedLeaderEpoch: -1, metadata: null, errorCode: TOPIC_DENIED })),
        }));
  if (context.apiVersion < 8) {
    if (!acls.allows(FETCH_GROUP, request.groupId)) {
      return {
        answer: {
          throttleTimeMs: 0, errorCode: GROUP_DENIED, groups: [],
          topics: (request.topics ?? []).map((t) => ({
            name: t.name,
            partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: null, errorCode: GROUP_DENIED })),
          })),
        },
      };
    }
    return { request, narrow: (answer) => ({ ...answer, topics: filterTopics(answer.topics, request.topics) }) };
  }
  const allowedGroups = request.groups.filter((g) => acls.allows(FETCH_GROUP, g.groupId));
  const refusals = request.groups.filter((g) => !allowedGroups.includes(g)).map((g) => ({ groupId: g.groupId, topics: [], errorCode: GROUP_DENIED }));
  const narrow = (answer: Any) => {
    const groups = answer.groups.map((g: Any) => {
      const requested = allowedGroups.find((r) => r.groupId === g.groupId);
      return { ...g, topics: filterTopics(g.topics, requested?.topics ?? null) };
    });
    return { ...answer, groups: [...groups, ...refusals] };
  };
  if (allowedGroups.length === 0) return { answer: narrow({ throttleTimeMs: 0, topics: [], errorCode: 0, groups: [] }) };
  return { request: { ...request, groups: allowedGroups }, narrow };
}

const DELETE_GROUP = checkOf('OffsetDelete', 'group', 'always');
const DELETE_TOPIC = checkOf('OffsetDelete', 'topic', 'always');

/**
 * OffsetDelete under ACLs (KafkaApis.handleOffsetDeleteRequest): without DELETE on the group the
 * whole request is GROUP_AUTHORIZATION_FAILED (no partitions listed); otherwise each topic
 * without READ has every partition TOPIC_AUTHORIZATION_FAILED, and the coordinator still answers
 * for the rest, even none (its group-level error, e.g. GROUP_ID_NOT_FOUND, is the answer's).
 */
export function authorizeOffsetDelete(acls: AclDecider, request: OffsetDeleteRequest): Authorization<OffsetDeleteRequest> {
  if (!acls.allows(DELETE_GROUP, request.groupId)) return { answer: { errorCode: GROUP_DENIED, throttleTimeMs: 0, topics: [] } };
  const { allowed, refusals } = splitByAcls(request.topics, (t) => acls.allows(DELETE_TOPIC, t.name) ? undefined : {
    name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: TOPIC_DENIED })),
  });
  if (refusals.length === 0) return { request };
  return { request: { ...request, topics: allowed }, narrow: (answer) => ({ ...answer, topics: [...answer.topics, ...refusals] }) };
}
