/**
 * Builds a representative decoded body for any message and version straight from the table:
 * distinct non-default values for every field the version carries (so a swapped or dropped
 * field shows up), and Kafka's defaults for the fields it does not, reimplemented here
 * independently of the codec.
 */
import { inVersions, type FieldDef } from '../../src/kafka-protocol/index.ts';

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

function implicitDefault(f: FieldDef): unknown {
  if (f.default !== undefined) return f.default;
  if (f.type.startsWith('[]')) return [];
  if (f.fields) return defaultsOf(f.fields);
  switch (f.type) {
    case 'bool': return false;
    case 'int64': return 0n;
    case 'string': return '';
    case 'uuid': return ZERO_UUID;
    case 'bytes': return Buffer.alloc(0);
    case 'records': return null;
    default: return 0;
  }
}

function defaultsOf(fields: readonly FieldDef[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of fields) o[f.name] = implicitDefault(f);
  return o;
}

export function sampleBody(fields: readonly FieldDef[], version: number, seed = 1): Record<string, unknown> {
  let n = seed * 1000;
  const scalar = (type: string): unknown => {
    n++;
    switch (type) {
      case 'bool': return n % 2 === 0 || n % 3 === 0; // mostly true; false is the usual default
      case 'int8': return (n % 100) + 2;
      case 'int16': return (n % 30000) + 2;
      case 'uint16': return 60000 - (n % 1000);
      case 'int32': return n * 1001 + 2;
      case 'uint32': return 4_000_000_000 + n;
      case 'int64': return BigInt(n) * 10_000_000_019n;
      case 'float64': return n + 0.5;
      case 'string': return `s${n}-é✓`;
      case 'uuid': return `${n.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, 'a')}`;
      case 'bytes': return Buffer.from([n & 0xff, 1, 2, 3]);
      case 'records': return Buffer.alloc(700, n & 0xff); // above the writer's zero-copy threshold
      default: throw new Error(`no sample for ${type}`);
    }
  };
  const build = (defs: readonly FieldDef[]): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    for (const f of defs) {
      if (!inVersions(f.versions, version)) {
        o[f.name] = implicitDefault(f);
        continue;
      }
      const nullable = inVersions(f.nullableVersions, version);
      n++;
      if (nullable && n % 5 === 0) {
        o[f.name] = null;
      } else if (f.type.startsWith('[]')) {
        const elem = f.type.slice(2);
        o[f.name] = f.fields ? [build(f.fields), build(f.fields)] : [scalar(elem), scalar(elem), scalar(elem)];
      } else {
        o[f.name] = f.fields ? build(f.fields) : scalar(f.type);
      }
    }
    return o;
  };
  return build(fields);
}
