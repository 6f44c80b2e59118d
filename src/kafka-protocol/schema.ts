/**
 * Shape of the message table in `messages.generated.ts`, which is a transcription of Apache
 * Kafka's JSON message definitions. Version ranges keep Kafka's notation: `"3+"`, `"0-7"`,
 * `"5"`, `"none"`.
 */
export type Versions = `${number}+` | `${number}-${number}` | `${number}` | 'none';

export type PrimitiveType =
  | 'bool' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'float64'
  | 'string' | 'bytes' | 'uuid' | 'records';

export type DefaultValue = number | bigint | boolean | string | null;

export interface FieldDef {
  /** camelCase of Kafka's field name (`PartitionIndex` → `partitionIndex`). */
  readonly name: string;
  /** Kafka's type: a primitive, `[]primitive`, `StructName` or `[]StructName` (then `fields` is set). */
  readonly type: string;
  readonly versions: Versions;
  readonly nullableVersions?: Versions;
  /** Only on RequestHeader.ClientId: always the non-compact encoding. */
  readonly flexibleVersions?: Versions;
  readonly tag?: number;
  readonly taggedVersions?: Versions;
  /** Only when Kafka's definition has an explicit default; otherwise 0, '', false, [], ... */
  readonly default?: DefaultValue;
  readonly fields?: readonly FieldDef[];
}

export interface MessageDef {
  /** -1 for headers. */
  readonly apiKey: number;
  readonly name: string;
  readonly validVersions: Versions;
  readonly flexibleVersions: Versions;
  readonly fields: readonly FieldDef[];
}

/** `[min, max]` of a version range, inclusive; `"none"` is `[1, 0]` (contains nothing). */
export function parseVersions(v: Versions | undefined): readonly [number, number] {
  if (v === undefined || v === 'none') return [1, 0];
  if (v.endsWith('+')) return [Number(v.slice(0, -1)), Number.MAX_SAFE_INTEGER];
  const dash = v.indexOf('-');
  if (dash > 0) return [Number(v.slice(0, dash)), Number(v.slice(dash + 1))];
  const n = Number(v);
  return [n, n];
}

export function inVersions(v: Versions | undefined, version: number): boolean {
  const [min, max] = parseVersions(v);
  return version >= min && version <= max;
}
