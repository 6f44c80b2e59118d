import type { BodyInput } from '../../kafka-protocol/codec.ts';
import type {
  AlterConfigsRequest,
  AlterConfigsResponse,
  DescribeConfigsRequest,
  DescribeConfigsResponse,
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
} from '../../kafka-protocol/index.ts';
import { ApiError } from '../../errors.ts';
import { DEFAULT_RETENTION_MS, TOPIC_CONFIGS } from '../../model/topic-configs.ts';
import type { RequestContext } from '../connection.ts';
import type { AgentContext } from '../context.ts';
import { KafkaError, kafkaErrorFor } from '../kafka-errors.ts';
import { DEFAULT_MAX_MESSAGE_BYTES } from './produce.ts';

const TOPIC = 2;
const BROKER = 4;
/** ConfigSource values of DescribeConfigs v1+. */
const DYNAMIC_TOPIC_CONFIG = 1;
const DEFAULT_CONFIG = 5;

/** Kafka's defaults for the topic configs a client is most likely to show. */
const TOPIC_DEFAULTS: Record<string, string> = {
  'cleanup.policy': 'delete',
  'compression.type': 'producer',
  'max.message.bytes': String(DEFAULT_MAX_MESSAGE_BYTES),
  'message.timestamp.type': 'CreateTime',
  'min.insync.replicas': '1',
  'retention.bytes': '-1',
  'retention.ms': String(DEFAULT_RETENTION_MS),
  'segment.bytes': '1073741824',
  'segment.ms': '604800000',
};

const CONFIG_TYPE: Record<string, number> = { boolean: 1, string: 2, int: 3, long: 5, double: 6, list: 7, enum: 2 };

export async function handleDescribeConfigs(agent: AgentContext, request: DescribeConfigsRequest, context: RequestContext): Promise<BodyInput<DescribeConfigsResponse>> {
  const results = [];
  for (const resource of request.resources) {
    const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
    if (resource.resourceType === BROKER) {
      results.push({ ...base, errorCode: KafkaError.NONE, errorMessage: null, configs: [] });
      continue;
    }
    if (resource.resourceType !== TOPIC) {
      results.push({ ...base, errorCode: KafkaError.INVALID_REQUEST, errorMessage: `resource type ${resource.resourceType} has no configs here`, configs: [] });
      continue;
    }
    const topic = await agent.controlPlane.getTopic(agent.cluster.id, resource.resourceName);
    if (!topic) {
      results.push({ ...base, errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'unknown topic', configs: [] });
      continue;
    }
    const names = resource.configurationKeys ?? [...new Set([...Object.keys(TOPIC_DEFAULTS), ...Object.keys(topic.configs)])].sort();
    const configs = names
      .filter((name) => name in topic.configs || name in TOPIC_DEFAULTS)
      .map((name) => {
        const set = Object.hasOwn(topic.configs, name);
        const spec = TOPIC_CONFIGS[name];
        return {
          name,
          value: set ? topic.configs[name]! : TOPIC_DEFAULTS[name]!,
          readOnly: false,
          isDefault: !set,
          configSource: set ? DYNAMIC_TOPIC_CONFIG : DEFAULT_CONFIG,
          isSensitive: false,
          synonyms: [],
          configType: spec ? (CONFIG_TYPE[spec.type] ?? 0) : 0,
          documentation: null,
        };
      });
    results.push({ ...base, errorCode: KafkaError.NONE, errorMessage: null, configs });
  }
  void context;
  return { throttleTimeMs: 0, results };
}

async function alterTopic(
  agent: AgentContext,
  resource: { resourceType: number; resourceName: string },
  change: (configs: Record<string, string>) => Record<string, string>,
  validateOnly: boolean,
): Promise<{ errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string }> {
  const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
  if (resource.resourceType !== TOPIC) {
    return { ...base, errorCode: KafkaError.INVALID_REQUEST, errorMessage: 'only topic configs can be changed over the Kafka protocol' };
  }
  const topic = await agent.controlPlane.getTopic(agent.cluster.id, resource.resourceName);
  if (!topic) return { ...base, errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'unknown topic' };
  try {
    await agent.controlPlane.setTopicConfigs(agent.cluster.id, topic.name, change({ ...topic.configs }), validateOnly);
    return { ...base, errorCode: KafkaError.NONE, errorMessage: null };
  } catch (error) {
    if (error instanceof ApiError) return { ...base, errorCode: kafkaErrorFor(error.code), errorMessage: error.message };
    throw error;
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
