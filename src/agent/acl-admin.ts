import { aclCheck as check } from '../acls/index.ts';
import { ApiKeys } from '../kafka-protocol/index.ts';
import type { Answer } from './connection.ts';
import type { AgentContext } from './context.ts';
import type { AclDecider, Run } from './acl.ts';
import { topicIdFromUuid } from '../agent-rpc/contract.ts';
import { KafkaError } from './kafka-errors.ts';

/**
 * The admin APIs that name several resources, under ACLs: authorized resource by resource as
 * Kafka's broker does (KafkaApis, ControllerApis, AuthHelper). The allowed resources are served
 * by `run`; each refused one is answered with the authorization error in its own entry, after
 * the served ones unless Kafka keeps request order (configs). Kafka's own order is a keyed
 * collection clients look up by name, and varies by version.
 */

/** The APIs served here. */
export const ADMIN_APIS: ReadonlySet<number> = new Set([
  ApiKeys.DeleteTopics, ApiKeys.CreatePartitions, ApiKeys.DeleteRecords, ApiKeys.AlterConfigs,
  ApiKeys.IncrementalAlterConfigs, ApiKeys.DeleteGroups, ApiKeys.OffsetDelete,
]);

const { TOPIC_AUTHORIZATION_FAILED: TOPIC_DENIED, GROUP_AUTHORIZATION_FAILED: GROUP_DENIED, CLUSTER_AUTHORIZATION_FAILED: CLUSTER_DENIED } = KafkaError;
/** Kafka's messages of those errors (Errors.*.message()), what its per-resource refusals carry. */
const TOPIC_DENIED_MESSAGE = 'Topic authorization failed.';
const CLUSTER_DENIED_MESSAGE = 'Cluster authorization failed.';
const NO_UUID = '00000000-0000-0000-0000-000000000000';
/** ConfigResource types: TOPIC, and those authorized on the cluster (BROKER, BROKER_LOGGER, CLIENT_METRICS). */
const CONFIG_TOPIC = 2;
const CLUSTER_CONFIG_RESOURCES: ReadonlySet<number> = new Set([4, 8, 16]);

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

export async function serveAdminWithAcls(agent: AgentContext, d: AclDecider, apiKey: number, body: Any, version: number, run: Run): Promise<Answer> {
  switch (apiKey) {
    case ApiKeys.DeleteTopics: {
      // Kafka 4 (KRaft, ControllerApis.deleteTopics), topic by topic. By name: a topic the
      // principal may not describe is refused whether or not it exists (existence does not leak);
      // one it may describe but that does not exist goes on to the handler's
      // UNKNOWN_TOPIC_OR_PARTITION; one it may describe but not delete is refused. By id (v6): an
      // unknown id goes on to UNKNOWN_TOPIC_ID; a topic it may not delete is refused, with its
      // name only when it may describe the topic. DELETE on the cluster passes both checks
      // (the `reveal` and `always` checks' first grant). Kafka shuffles its answers; here the
      // served topics come first, then the refusals in request order.
      const del = check('DeleteTopics', 'topic', 'always');
      const reveal = check('DeleteTopics', 'topic', 'reveal');
      const byId = version >= 6;
      const wanted: Any[] = byId ? body.topics : body.topicNames.map((name: string) => ({ name, topicId: NO_UUID }));
      const existing = await agent.controlPlane.listTopics(agent.cluster.id);
      const allowed: Any[] = [];
      const refusals: Any[] = [];
      for (const t of wanted) {
        const refuse = (name: string | null) => refusals.push({ name, topicId: t.topicId, errorCode: TOPIC_DENIED, errorMessage: TOPIC_DENIED_MESSAGE });
        if (t.name !== null) {
          if (!d.allows(reveal, t.name)) refuse(t.name);
          else if (existing.some((c) => c.name === t.name) && !d.allows(del, t.name)) refuse(t.name);
          else allowed.push(t);
          continue;
        }
        const topic = existing.find((c) => c.id === topicIdFromUuid(t.topicId));
        if (topic && !d.allows(del, topic.name)) refuse(d.allows(reveal, topic.name) ? topic.name : null);
        else allowed.push(t);
      }
      if (refusals.length === 0) return run(body);
      const rest = byId ? { ...body, topics: allowed } : { ...body, topicNames: allowed.map((t) => t.name) };
      const answer = allowed.length > 0 ? ((await run(rest)) as Any) : { throttleTimeMs: 0, responses: [] };
      return { ...answer, responses: [...answer.responses, ...refusals] };
    }
    case ApiKeys.CreatePartitions: {
      // ALTER on each topic (ControllerApis.createPartitions); Kafka lists refusals with the
      // message of TOPIC_AUTHORIZATION_FAILED.
      const alter = check('CreatePartitions', 'topic', 'always');
      const allowed = body.topics.filter((t: Any) => d.allows(alter, t.name));
      if (allowed.length === body.topics.length) return run(body);
      const refusals = body.topics.filter((t: Any) => !allowed.includes(t))
        .map((t: Any) => ({ name: t.name, errorCode: TOPIC_DENIED, errorMessage: TOPIC_DENIED_MESSAGE }));
      const answer = allowed.length > 0 ? ((await run({ ...body, topics: allowed })) as Any) : { throttleTimeMs: 0, results: [] };
      return { ...answer, results: [...answer.results, ...refusals] };
    }
    case ApiKeys.DeleteRecords: {
      // DELETE on each topic (KafkaApis.handleDeleteRecordsRequest): every partition of a refused
      // topic answers TOPIC_AUTHORIZATION_FAILED with the invalid low watermark.
      const del = check('DeleteRecords', 'topic', 'always');
      const allowed = body.topics.filter((t: Any) => d.allows(del, t.name));
      if (allowed.length === body.topics.length) return run(body);
      const refusals = body.topics.filter((t: Any) => !allowed.includes(t)).map((t: Any) => ({
        name: t.name, partitions: t.partitions.map((p: Any) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: TOPIC_DENIED })),
      }));
      const answer = allowed.length > 0 ? ((await run({ ...body, topics: allowed })) as Any) : { throttleTimeMs: 0, topics: [] };
      return { ...answer, topics: [...answer.topics, ...refusals] };
    }
    case ApiKeys.AlterConfigs:
    case ApiKeys.IncrementalAlterConfigs: {
      // ALTER_CONFIGS on the topic for a TOPIC resource, on the cluster for BROKER,
      // BROKER_LOGGER and CLIENT_METRICS ones (ControllerApis.authorizeAlterResource,
      // ConfigAdminManager.preprocess); other types go on to the handler, which refuses them as
      // INVALID_REQUEST. The broker reassembles the answer in request order
      // (ConfigAdminManager.reassemble*Response), and so does this: the handler answers its
      // resources one by one, in order.
      const api = apiKey === ApiKeys.AlterConfigs ? 'AlterConfigs' : 'IncrementalAlterConfigs';
      const topicCheck = check(api, 'topic', 'topic-resource');
      const clusterCheck = check(api, 'cluster', 'broker-resource');
      const refusalOf = (r: Any): Any | undefined => {
        if (r.resourceType === CONFIG_TOPIC) {
          return d.allows(topicCheck, r.resourceName) ? undefined : { errorCode: TOPIC_DENIED, errorMessage: TOPIC_DENIED_MESSAGE };
        }
        if (!CLUSTER_CONFIG_RESOURCES.has(r.resourceType) || d.allows(clusterCheck)) return undefined;
        return { errorCode: CLUSTER_DENIED, errorMessage: CLUSTER_DENIED_MESSAGE };
      };
      const refusals = body.resources.map(refusalOf);
      if (refusals.every((r: Any) => r === undefined)) return run(body);
      const allowed = body.resources.filter((_r: Any, i: number) => refusals[i] === undefined);
      const answer = allowed.length > 0 ? ((await run({ ...body, resources: allowed })) as Any) : { throttleTimeMs: 0, responses: [] };
      const served: Any[] = [...answer.responses];
      return {
        ...answer,
        responses: body.resources.map((r: Any, i: number) =>
          refusals[i] === undefined ? served.shift() : { ...refusals[i], resourceType: r.resourceType, resourceName: r.resourceName }),
      };
    }
    case ApiKeys.DeleteGroups: {
      // DELETE on each group (KafkaApis.handleDeleteGroupsRequest); a group named twice is
      // answered once, as there.
      const del = check('DeleteGroups', 'group', 'always');
      const allowed = body.groupsNames.filter((g: string) => d.allows(del, g));
      if (allowed.length === body.groupsNames.length) return run(body);
      const refused = [...new Set<string>(body.groupsNames.filter((g: string) => !allowed.includes(g)))];
      const answer = allowed.length > 0 ? ((await run({ ...body, groupsNames: allowed })) as Any) : { throttleTimeMs: 0, results: [] };
      return { ...answer, results: [...answer.results, ...refused.map((groupId) => ({ groupId, errorCode: GROUP_DENIED }))] };
    }
    case ApiKeys.OffsetDelete: {
      // KafkaApis.handleOffsetDeleteRequest: without DELETE on the group the whole request is
      // GROUP_AUTHORIZATION_FAILED (no partitions listed); otherwise each topic without READ has
      // every partition TOPIC_AUTHORIZATION_FAILED, and the coordinator still answers for the
      // rest, even none (its group-level error, e.g. GROUP_ID_NOT_FOUND, is the answer's).
      if (!d.allows(check('OffsetDelete', 'group', 'always'), body.groupId)) return { errorCode: GROUP_DENIED, throttleTimeMs: 0, topics: [] };
      const read = check('OffsetDelete', 'topic', 'always');
      const allowed = body.topics.filter((t: Any) => d.allows(read, t.name));
      if (allowed.length === body.topics.length) return run(body);
      const refusals = body.topics.filter((t: Any) => !allowed.includes(t)).map((t: Any) => ({
        name: t.name, partitions: t.partitions.map((p: Any) => ({ partitionIndex: p.partitionIndex, errorCode: TOPIC_DENIED })),
      }));
      const answer = (await run({ ...body, topics: allowed })) as Any;
      return { ...answer, topics: [...answer.topics, ...refusals] };
    }
    default:
      return run(body);
  }
}
