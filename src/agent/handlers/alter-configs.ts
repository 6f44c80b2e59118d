import type { BodyInput } from '../../kafka-protocol/codec.ts';
import type { AlterConfigsRequest, AlterConfigsResponse, IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from '../../kafka-protocol/index.ts';
import { ApiError } from '../../errors.ts';
import type { AgentContext } from '../context.ts';
import { KafkaError, kafkaFailure } from '../kafka-errors.ts';
import { CONFIG_TOPIC, TOPIC_DEFAULTS } from './configs.ts';

/** AlterConfigs and IncrementalAlterConfigs: topic configs only, through the same rules as the Management API. */

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

/** IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT (for list configs) per key. */
export function handleIncrementalAlterConfigs(agent: AgentContext, request: IncrementalAlterConfigsRequest): Promise<BodyInput<IncrementalAlterConfigsResponse>> {
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
