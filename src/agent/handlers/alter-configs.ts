import type { BodyInput } from '../../kafka-protocol/codec.ts';
import type { AlterConfigsRequest, AlterConfigsResponse, IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from '../../kafka-protocol/index.ts';
import { ApiError } from '../../errors.ts';
import type { AgentContext } from '../context.ts';
import { KafkaError, kafkaFailure } from '../kafka-errors.ts';
import { CONFIG_GROUP, CONFIG_TOPIC, TOPIC_DEFAULTS } from './configs.ts';
import type { AclDecider } from '../acl.ts';
import { checkOf, type Authorization } from '../authorize.ts';

/**
 * AlterConfigs and IncrementalAlterConfigs: topic configs through the same rules as the
 * Management API; IncrementalAlterConfigs also sets and deletes groups' configs (GROUP resources).
 */

async function alterTopic(
  agent: AgentContext,
  resource: { resourceType: number; resourceName: string },
  change: (configs: Record<string, string>) => Record<string, string>,
  validateOnly: boolean,
): Promise<{ errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string }> {
  const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
  if (resource.resourceType !== CONFIG_TOPIC) {
    return { ...base, errorCode: KafkaError.INVALID_REQUEST, errorMessage: 'only topic configs can be changed over the Kafka protocol' };
  }
  const topic = await agent.controlPlane.getTopic(agent.cluster.id, resource.resourceName);
  if (!topic) return { ...base, errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'unknown topic' };
  try {
    await agent.controlPlane.setTopicConfigs(agent.cluster.id, topic.name, change({ ...topic.configs }), validateOnly);
    return { ...base, errorCode: KafkaError.NONE, errorMessage: null };
  } catch (error) {
    return { ...base, ...kafkaFailure(error) };
  }
}

/** Applies `change` to each resource of an (Incremental)AlterConfigs request, in order. */
async function alterEach<R extends { resourceType: number; resourceName: string }>(
  agent: AgentContext,
  request: { resources: R[]; validateOnly: boolean },
  change: (resource: R, configs: Record<string, string>) => Record<string, string>,
) {
  const responses = [];
  for (const resource of request.resources) {
    responses.push(await alterTopic(agent, resource, (configs) => change(resource, configs), request.validateOnly));
  }
  return { throttleTimeMs: 0, responses };
}

/** AlterConfigs replaces a topic's whole set of configs, as in Kafka. */
export function handleAlterConfigs(agent: AgentContext, request: AlterConfigsRequest): Promise<BodyInput<AlterConfigsResponse>> {
  return alterEach(agent, request, (resource) =>
    Object.fromEntries(resource.configs.filter((c) => c.value !== null).map((c) => [c.name, c.value!])),
  );
}

const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

/** A GROUP resource's changes, all or nothing: SET and DELETE (no group config is a list). */
async function alterGroup(agent: AgentContext, resource: IncrementalAlterConfigsRequest['resources'][number], validateOnly: boolean) {
  const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
  const changes: Record<string, string | null> = {};
  for (const { name, configOperation, value } of resource.configs) {
    if (configOperation === SET && value !== null) changes[name] = value;
    else if (configOperation === DELETE) changes[name] = null;
    else return { ...base, errorCode: KafkaError.INVALID_CONFIG, errorMessage: `config operation ${configOperation} on ${name} is not valid for a group config` };
  }
  try {
    await agent.controlPlane.shares.setGroupConfigs(agent.cluster.id, resource.resourceName, changes, validateOnly);
    return { ...base, errorCode: KafkaError.NONE, errorMessage: null };
  } catch (error) {
    return { ...base, ...kafkaFailure(error) };
  }
}

/** IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT (for list configs) per key. */
export async function handleIncrementalAlterConfigs(agent: AgentContext, request: IncrementalAlterConfigsRequest): Promise<BodyInput<IncrementalAlterConfigsResponse>> {
  if (request.resources.some((r) => r.resourceType === CONFIG_GROUP)) {
    // Answered in request order, each resource by its own kind.
    const responses = [];
    for (const resource of request.resources) {
      if (resource.resourceType === CONFIG_GROUP) responses.push(await alterGroup(agent, resource, request.validateOnly));
      else responses.push(...(await handleIncrementalAlterConfigs(agent, { ...request, resources: [resource] })).responses ?? []);
    }
    return { throttleTimeMs: 0, responses };
  }
  return alterEach(agent, request, (resource, configs) => {
    for (const { name, configOperation, value } of resource.configs) {
      const items = (configs[name] ?? TOPIC_DEFAULTS[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      if (configOperation === SET && value !== null) configs[name] = value;
      else if (configOperation === DELETE) delete configs[name];
      else if (configOperation === APPEND && value !== null) configs[name] = [...new Set([...items, ...value.split(',')])].join(',');
      else if (configOperation === SUBTRACT && value !== null) configs[name] = items.filter((item) => !value.split(',').includes(item)).join(',');
      else throw new ApiError(400, 'INVALID_CONFIG', `config operation ${configOperation} on ${name} is not valid`);
    }
    return configs;
  });
}

/** ConfigResource types authorized on the cluster: BROKER, BROKER_LOGGER, CLIENT_METRICS. */
const CLUSTER_CONFIG_RESOURCES: ReadonlySet<number> = new Set([4, 8, 16]);
/** Kafka's messages of the refusals (Errors.*.message()). */
const TOPIC_DENIED_MESSAGE = 'Topic authorization failed.';
const CLUSTER_DENIED_MESSAGE = 'Cluster authorization failed.';

/**
 * (Incremental)AlterConfigs under ACLs: ALTER_CONFIGS on the topic for a TOPIC resource, on the
 * cluster for BROKER, BROKER_LOGGER and CLIENT_METRICS ones (ControllerApis.authorizeAlterResource,
 * ConfigAdminManager.preprocess); other types go on to the handler, which refuses them as
 * INVALID_REQUEST. The broker reassembles the answer in request order
 * (ConfigAdminManager.reassemble*Response), and so does this: the handler answers its resources
 * one by one, in order.
 */
function authorizeAlter<Request extends { resources: Array<{ resourceType: number; resourceName: string }> }>(api: 'AlterConfigs' | 'IncrementalAlterConfigs') {
  const topicCheck = checkOf(api, 'topic', 'topic-resource');
  const clusterCheck = checkOf(api, 'cluster', 'broker-resource');
  const groupCheck = checkOf(api, 'group', 'group-resource');
  return (acls: AclDecider, request: Request): Authorization<Request> => {
    const refusalOf = (r: Request['resources'][number]) => {
      if (r.resourceType === CONFIG_TOPIC) {
        return acls.allows(topicCheck, r.resourceName) ? undefined : { errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED, errorMessage: TOPIC_DENIED_MESSAGE };
      }
      if (r.resourceType === CONFIG_GROUP) {
        return acls.allows(groupCheck, r.resourceName) ? undefined : { errorCode: KafkaError.GROUP_AUTHORIZATION_FAILED, errorMessage: 'Group authorization failed.' };
      }
      if (!CLUSTER_CONFIG_RESOURCES.has(r.resourceType) || acls.allows(clusterCheck)) return undefined;
      return { errorCode: KafkaError.CLUSTER_AUTHORIZATION_FAILED, errorMessage: CLUSTER_DENIED_MESSAGE };
    };
    const refusals = request.resources.map(refusalOf);
    if (refusals.every((r) => r === undefined)) return { request };
    const inOrder = <Answer extends { responses: readonly object[] }>(answer: Answer) => {
      const served = [...answer.responses];
      return {
        ...answer,
        responses: request.resources.map((r, i) =>
          refusals[i] === undefined ? served.shift() : { ...refusals[i], resourceType: r.resourceType, resourceName: r.resourceName }),
      };
    };
    const allowed = request.resources.filter((_r, i) => refusals[i] === undefined);
    return allowed.length > 0 ? { request: { ...request, resources: allowed }, narrow: inOrder } : { answer: inOrder({ throttleTimeMs: 0, responses: [] }) };
  };
}

export const authorizeAlterConfigs = authorizeAlter<AlterConfigsRequest>('AlterConfigs');
export const authorizeIncrementalAlterConfigs = authorizeAlter<IncrementalAlterConfigsRequest>('IncrementalAlterConfigs');
