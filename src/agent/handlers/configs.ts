import type { BodyInput } from '../../kafka-protocol/codec.ts';
import type { DescribeConfigsRequest, DescribeConfigsResponse } from '../../kafka-protocol/index.ts';
import { DEFAULT_RETENTION_MS, TOPIC_CONFIGS } from '../../model/topic-configs.ts';
import type { RequestContext } from '../connection.ts';
import type { AgentContext } from '../context.ts';
import { KafkaError } from '../kafka-errors.ts';
import { DEFAULT_MAX_MESSAGE_BYTES } from './produce.ts';
import type { AclDecider } from '../acl.ts';
import { checkOf, type Authorization } from '../authorize.ts';

/** ConfigResource types (Kafka's ConfigResource.Type). */
export const CONFIG_TOPIC = 2;
const CONFIG_BROKER = 4;
/** A group's dynamic configs (KIP-848, KIP-932's share.* configs). */
export const CONFIG_GROUP = 32;
/** ConfigSource values of DescribeConfigs v1+. */
const DYNAMIC_TOPIC_CONFIG = 1;
const DEFAULT_CONFIG = 5;
const GROUP_CONFIG = 8;

/** Kafka's defaults for the topic configs a client is most likely to show. */
export const TOPIC_DEFAULTS: Record<string, string> = {
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
    if (resource.resourceType === CONFIG_BROKER) {
      results.push({ ...base, errorCode: KafkaError.NONE, errorMessage: null, configs: [] });
      continue;
    }
    if (resource.resourceType === CONFIG_GROUP) {
      const entries = await agent.controlPlane.shares.groupConfigs(agent.cluster.id, resource.resourceName);
      const configs = entries
        .filter((e) => resource.configurationKeys === null || resource.configurationKeys.includes(e.name))
        .map((e) => ({
          name: e.name, value: e.value, readOnly: false, isDefault: e.is_default, configSource: e.is_default ? DEFAULT_CONFIG : GROUP_CONFIG,
          isSensitive: false, synonyms: [], configType: CONFIG_TYPE[e.type] ?? 0, documentation: request.includeDocumentation ? e.doc : null,
        }));
      results.push({ ...base, errorCode: KafkaError.NONE, errorMessage: null, configs });
      continue;
    }
    if (resource.resourceType !== CONFIG_TOPIC) {
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

const DESCRIBE_TOPIC = checkOf('DescribeConfigs', 'topic', 'topic-resource');
const DESCRIBE_BROKER = checkOf('DescribeConfigs', 'cluster', 'broker-resource');
const DESCRIBE_GROUP = checkOf('DescribeConfigs', 'group', 'group-resource');

/** DescribeConfigs under ACLs: DESCRIBE_CONFIGS on the topic for a TOPIC resource, on the group for a GROUP one, on the cluster for any other. */
export function authorizeDescribeConfigs(acls: AclDecider, request: DescribeConfigsRequest): Authorization<DescribeConfigsRequest> {
  return {
    request,
    narrow: (answer) => ({
      ...answer,
      results: answer.results.map((r: { resourceType: number; resourceName: string }) => {
        const ok = r.resourceType === CONFIG_TOPIC ? acls.allows(DESCRIBE_TOPIC, r.resourceName)
          : r.resourceType === CONFIG_GROUP ? acls.allows(DESCRIBE_GROUP, r.resourceName) : acls.allows(DESCRIBE_BROKER);
        if (ok) return r;
        const errorCode = r.resourceType === CONFIG_TOPIC ? KafkaError.TOPIC_AUTHORIZATION_FAILED
          : r.resourceType === CONFIG_GROUP ? KafkaError.GROUP_AUTHORIZATION_FAILED : KafkaError.CLUSTER_AUTHORIZATION_FAILED;
        return { ...r, errorCode, errorMessage: 'Authorization failed.', configs: [] };
      }),
    }),
  };
}
