/**
 * How the agent ↔ control-plane RPC travels over HTTP: `POST <RPC_PREFIX>/<method>` with the
 * agent key as a bearer token and the call's arguments as a JSON array; the answer is the JSON
 * result, or the control plane's error envelope (`{"error":{"code","message",…}}`) with its status.
 *
 * JSON lacks two types the calls carry — Kafka's int64 fields (bigint) and bytes (group member
 * metadata and assignments) — so they travel tagged: `{"$bigint":"123"}`, `{"$bytes":"<base64>"}`.
 * A plain object that has a key starting with `$` (a user's tag, say) travels as
 * `{"$entries":[[key, value], …]}`, so no value a user chose can pass for a tag.
 */

/** The internal routes' prefix: versioned, and apart from the public /api/v1 and /v1 families. */
export const RPC_PREFIX = '/internal/v1/agent-rpc';

/** The content type of requests and answers (so no other JSON parser touches them). */
export const RPC_CONTENT_TYPE = 'application/vnd.slipstream.agent-rpc+json';

/** Largest RPC body: a commit of a whole flush (thousands of batches) fits with room to spare. */
export const RPC_BODY_LIMIT = 64 * 1024 * 1024;

/** The error code of a refused agent key (thrown as AgentAuthError on the agent's side). */
export const AGENT_AUTH_FAILED = 'AGENT_AUTH_FAILED';

export function encodeWire(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, current: unknown) {
    // `this[key]` is the value before toJSON: a Buffer here, not its {type, data} form.
    const raw = this[key];
    if (typeof raw === 'bigint') return { $bigint: raw.toString() };
    if (Buffer.isBuffer(raw)) return { $bytes: raw.toString('base64') };
    if (raw instanceof Uint8Array) return { $bytes: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') };
    if (current !== null && typeof current === 'object' && !Array.isArray(current) && Object.keys(current).some((k) => k.startsWith('$'))) {
      return { $entries: Object.entries(current) };
    }
    return current;
  });
}

export function decodeWire(text: string): unknown {
  return revive(JSON.parse(text));
}

function revive(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(revive);
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1) {
    const [tag] = keys;
    const inner = object[tag!];
    if (tag === '$bigint' && typeof inner === 'string' && /^-?\d+$/.test(inner)) return BigInt(inner);
    if (tag === '$bytes' && typeof inner === 'string') return Buffer.from(inner, 'base64');
    if (tag === '$entries' && Array.isArray(inner)) {
      return Object.fromEntries(inner.map((entry) => {
        if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string') throw new SyntaxError('malformed $entries');
        return [entry[0], revive(entry[1])];
      }));
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (key.startsWith('$') || key === '__proto__') throw new SyntaxError(`unexpected key ${JSON.stringify(key)} in an RPC value`);
    out[key] = revive(object[key]);
  }
  return out;
}
