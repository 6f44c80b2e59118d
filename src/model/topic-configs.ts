import { badRequest } from '../errors.ts';

/**
 * The topic configurations Slipstream accepts, with the type Kafka gives each, so a value is
 * checked the way a Kafka broker checks it (`retention.ms=abc` is refused, not stored).
 * Values travel as strings, as in Kafka's admin protocol.
 */
type ConfigType =
  | { type: 'long' | 'int'; min?: number; max?: number }
  | { type: 'double'; min: number; max: number }
  | { type: 'boolean' }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'list'; values?: readonly string[] };

const INT_MAX = 2_147_483_647;
// Kafka's LONG is a Java long: values up to 2^63-1 (e.g. retention.ms=9223372036854775807, which
// some clients send for "forever") are valid there, so the range is checked exactly, with BigInt.
const LONG_MAX = 2n ** 63n - 1n;
// A decimal number as Java's Double.parseDouble reads it (no hex, which Number() would accept).
const DECIMAL_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export const TOPIC_CONFIGS: Readonly<Record<string, ConfigType>> = {
  'cleanup.policy': { type: 'list', values: ['delete', 'compact'] },
  'compression.type': { type: 'enum', values: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] },
  'delete.retention.ms': { type: 'long', min: 0 },
  'file.delete.delay.ms': { type: 'long', min: 0 },
  'flush.messages': { type: 'long', min: 1 },
  'flush.ms': { type: 'long', min: 0 },
  'index.interval.bytes': { type: 'int', min: 0, max: INT_MAX },
  'local.retention.bytes': { type: 'long', min: -2 },
  'local.retention.ms': { type: 'long', min: -2 },
  'max.compaction.lag.ms': { type: 'long', min: 1 },
  'max.message.bytes': { type: 'int', min: 0, max: INT_MAX },
  'message.downconversion.enable': { type: 'boolean' },
  'message.timestamp.after.max.ms': { type: 'long', min: 0 },
  'message.timestamp.before.max.ms': { type: 'long', min: 0 },
  'message.timestamp.difference.max.ms': { type: 'long', min: 0 },
  'message.timestamp.type': { type: 'enum', values: ['CreateTime', 'LogAppendTime'] },
  'min.cleanable.dirty.ratio': { type: 'double', min: 0, max: 1 },
  'min.compaction.lag.ms': { type: 'long', min: 0 },
  'min.insync.replicas': { type: 'int', min: 1, max: INT_MAX },
  preallocate: { type: 'boolean' },
  'remote.storage.enable': { type: 'boolean' },
  'retention.bytes': { type: 'long', min: -1 },
  'retention.ms': { type: 'long', min: -1 },
  'segment.bytes': { type: 'int', min: 14, max: INT_MAX },
  'segment.index.bytes': { type: 'int', min: 4, max: INT_MAX },
  'segment.jitter.ms': { type: 'long', min: 0 },
  'segment.ms': { type: 'long', min: 1 },
  'unclean.leader.election.enable': { type: 'boolean' },
  'follower.replication.throttled.replicas': { type: 'list' },
  'leader.replication.throttled.replicas': { type: 'list' },
  // WarpStream's own: a protected topic cannot be deleted until this is turned off.
  'warpstream.deletion.protection.enabled': { type: 'boolean' },
};

/** Kafka's default retention (7 days), used when a topic sets no `retention.ms`. */
export const DEFAULT_RETENTION_MS = 604_800_000;

/** Why `value` is not valid for `name`, or undefined when it is. */
function problem(spec: ConfigType, value: string): string | undefined {
  switch (spec.type) {
    case 'long':
    case 'int': {
      const text = value.trim();
      if (!/^-?\d+$/.test(text)) return 'must be an integer';
      const n = BigInt(text);
      const max = spec.max !== undefined ? BigInt(spec.max) : LONG_MAX;
      if (n > max) return `must be at most ${max}`;
      if (spec.min !== undefined && n < BigInt(spec.min)) return `must be at least ${spec.min}`;
      return undefined;
    }
    case 'double': {
      const text = value.trim();
      const n = Number(text);
      if (!DECIMAL_PATTERN.test(text) || !Number.isFinite(n)) return 'must be a number';
      if (n < spec.min || n > spec.max) return `must be between ${spec.min} and ${spec.max}`;
      return undefined;
    }
    case 'boolean':
      return /^(true|false)$/i.test(value.trim()) ? undefined : 'must be true or false';
    case 'enum':
      return spec.values.includes(value) ? undefined : `must be one of ${spec.values.join(', ')}`;
    case 'list': {
      if (!spec.values) return undefined;
      const items = value.split(',').map((item) => item.trim());
      if (items.length === 0 || items.some((item) => !spec.values!.includes(item))) {
        return `must be a comma-separated list of ${spec.values.join(', ')}`;
      }
      return undefined;
    }
  }
}

/** Checks every entry and answers them as given; throws a 400 naming the first bad entry. */
export function validateTopicConfigs(configs: Record<string, unknown>): Record<string, string> {
  const valid: Record<string, string> = {};
  for (const [name, value] of Object.entries(configs)) {
    // Own keys only: `constructor`, `toString`, … are inherited from Object.prototype and must
    // be refused as unknown, not looked up (they were accepted and stored before).
    const spec = Object.hasOwn(TOPIC_CONFIGS, name) ? TOPIC_CONFIGS[name] : undefined;
    if (!spec) throw badRequest(`unknown topic config ${JSON.stringify(name)}`, 'INVALID_CONFIG');
    if (typeof value !== 'string') throw badRequest(`topic config ${name} must be given as a string`, 'INVALID_CONFIG');
    const why = problem(spec, value);
    if (why) throw badRequest(`topic config ${name}=${JSON.stringify(value)} ${why}`, 'INVALID_CONFIG');
    valid[name] = value;
  }
  return valid;
}

export function isTrue(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === 'true';
}
