/**
 * A group's dynamic configs (KIP-848's and KIP-932's GROUP config resource): what
 * DescribeConfigs and IncrementalAlterConfigs on resource type GROUP read and change. Only the
 * configs this coordinator applies are known; any other name is INVALID_CONFIG, as Kafka answers
 * a name it does not know. Bounds are Kafka's broker defaults for the group.share.* limits.
 */
import { badRequest } from '../../errors.ts';

export interface GroupConfigDef {
  default: string;
  /** Kafka's config type, as DescribeConfigs v3+ reports it (ConfigType). */
  type: 'string' | 'int';
  /** Why a value is refused, or undefined when it is good. */
  check(value: string): string | undefined;
  doc: string;
}

const intBetween = (min: number, max: number) => (value: string) => {
  const n = Number(value);
  return /^-?\d+$/.test(value.trim()) && n >= min && n <= max ? undefined : `must be an integer between ${min} and ${max}`;
};

export const GROUP_CONFIGS: Readonly<Record<string, GroupConfigDef>> = {
  'share.auto.offset.reset': {
    default: 'latest', type: 'string',
    check: (v) => (v === 'earliest' || v === 'latest' ? undefined : 'must be earliest or latest'),
    doc: 'Where a share group starts on a partition it has no state for: the log start (earliest) or its end (latest).',
  },
  'share.record.lock.duration.ms': {
    default: '30000', type: 'int', check: intBetween(15_000, 60_000),
    doc: 'How long a consumer holds the records it was handed before they go to another consumer.',
  },
  'share.delivery.count.limit': {
    default: '5', type: 'int', check: intBetween(2, 10),
    doc: 'How many times a record is handed out before it is archived (never delivered again).',
  },
  'share.session.timeout.ms': {
    default: '45000', type: 'int', check: intBetween(45_000, 60_000),
    doc: 'How long a share group member may go without a heartbeat before it is removed.',
  },
  'share.heartbeat.interval.ms': {
    default: '5000', type: 'int', check: intBetween(5_000, 15_000),
    doc: 'How often share group members heartbeat.',
  },
};

/** The group's effective value of a config: its own, else the default. */
export function groupConfig(configs: Readonly<Record<string, string>> | undefined, name: keyof typeof GROUP_CONFIGS & string): string {
  return configs?.[name] ?? GROUP_CONFIGS[name]!.default;
}

/**
 * Applies changes (null deletes: back to the default) to a group's configs, checking every one
 * first: a bad name or value is an ApiError (400) and nothing is changed.
 */
export function changedGroupConfigs(current: Readonly<Record<string, string>>, changes: Readonly<Record<string, string | null>>): Record<string, string> {
  const next: Record<string, string> = { ...current };
  for (const [name, value] of Object.entries(changes)) {
    const def = GROUP_CONFIGS[name];
    if (!def) throw badRequest(`${name} is not a group config; known: ${Object.keys(GROUP_CONFIGS).join(', ')}`, 'INVALID_CONFIG');
    if (value === null) {
      delete next[name];
      continue;
    }
    const problem = def.check(value);
    if (problem) throw badRequest(`${name}=${value}: ${problem}`, 'INVALID_CONFIG');
    next[name] = value.trim();
  }
  return next;
}
