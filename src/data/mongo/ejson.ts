import { Double, EJSON, Int32, Long, ObjectId } from 'bson';
import { badValue } from './errors.ts';

/**
 * Extended JSON in and out, as the Atlas Data API spoke it: requests are read as EJSON
 * (`{"$oid": …}`, `{"$date": …}`, `{"$numberLong": …}`), answers are relaxed EJSON (plain
 * numbers, `{"$date": "<ISO>"}`) unless the client asks for canonical with
 * `Accept: application/ejson`. A Long beyond 2^53 stays canonical even in relaxed answers:
 * a plain number would lose its digits.
 */

/**
 * Numbers as JavaScript numbers (what mingo compares, and what the driver sends back as
 * int/double), except a Long beyond 2^53, which stays a Long: relaxed parsing would round it.
 */
function plainNumbers(value: unknown): unknown {
  if (value instanceof Int32 || value instanceof Double) return value.valueOf();
  if (value instanceof Long) return UNSAFE(value) ? value : value.toNumber();
  if (Array.isArray(value)) return value.map(plainNumbers);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainNumbers(v)]));
  }
  return value;
}

export function parseEjson(value: unknown, what: string): unknown {
  try {
    return plainNumbers(EJSON.deserialize(value as Record<string, unknown>, { relaxed: false }));
  } catch (error) {
    throw badValue(`${what} is not valid Extended JSON: ${(error as Error).message}`);
  }
}

/** JSON text of a query-string parameter, not yet read as Extended JSON (parseEjson does that, once). */
export function jsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badValue(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

/** A query-string parameter holding EJSON text (`filter`, `projection`, `sort`). */
export function parseEjsonText(text: string, what: string): unknown {
  try {
    return plainNumbers(EJSON.parse(text, { relaxed: false }));
  } catch (error) {
    throw badValue(`${what} is not valid Extended JSON: ${(error as Error).message}`);
  }
}

const UNSAFE = (value: Long) => value.greaterThan(Long.fromNumber(Number.MAX_SAFE_INTEGER)) || value.lessThan(Long.fromNumber(Number.MIN_SAFE_INTEGER));

function keepLongs(value: unknown): unknown {
  if (value instanceof Long) return UNSAFE(value) ? { $numberLong: value.toString() } : value.toNumber();
  if (Array.isArray(value)) return value.map(keepLongs);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, keepLongs(v)]));
  }
  return value;
}

export function serialize(value: unknown, canonical: boolean): unknown {
  if (canonical) return EJSON.serialize(value, { relaxed: false });
  return EJSON.serialize(keepLongs(value), { relaxed: true });
}

/** `:id` of a path: 24 hex digits are an ObjectId, EJSON text (`{"$oid":…}`, a number) is what it says, anything else a string. */
export function parseId(text: string): unknown {
  if (/^[0-9a-f]{24}$/i.test(text)) return new ObjectId(text);
  if (/^["[{]/.test(text) || /^-?\d+(\.\d+)?$/.test(text)) return parseEjsonText(text, 'the document id');
  return text;
}
