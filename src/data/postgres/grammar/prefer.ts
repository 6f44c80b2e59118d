/**
 * The headers that shape a rows request: `Prefer` (PostgREST's ApiRequest/Preferences.hs),
 * `Range` (RangeQuery.hs) and the singular `Accept` (MediaType.hs).
 */
import { GrammarError, type Preferences, type RangeHeader } from './ast.ts';

/** The enumerated preferences and their values, compared byte for byte as PostgREST does. */
const CHOICES = {
  resolution: ['merge-duplicates', 'ignore-duplicates'],
  missing: ['default', 'null'],
  return: ['minimal', 'representation', 'headers-only'],
  count: ['exact', 'planned', 'estimated'],
  tx: ['commit', 'rollback'],
  handling: ['strict', 'lenient'],
} as const;
type ChoiceKey = keyof typeof CHOICES;

function isChoiceKey(key: string): key is ChoiceKey {
  return Object.hasOwn(CHOICES, key);
}

/**
 * Every `Prefer` header (postgrest-js sends one, joined by ", "), split on commas and trimmed.
 * The first occurrence of a preference wins; later repeats are ignored, not invalid. Unknown
 * tokens and malformed values (`count=all`, `max-affected=x`, `timezone=`) go to `invalid`
 * (PGRST122 under handling=strict; PostgREST itself ignores a malformed max-affected/timezone).
 * `applied` lists what was understood in PostgREST's Preference-Applied order, max-affected only
 * with handling=strict (the only case where it takes effect). Whether tx and timezone may apply
 * (configuration, a timezone PostgreSQL knows) is for the caller to decide.
 */
export function parsePrefer(header: string | string[] | undefined): Preferences {
  const headers = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const tokens = headers.flatMap((h) => h.split(',')).map((t) => t.trim()).filter((t) => t !== '');
  const chosen: Partial<Record<ChoiceKey, string>> = {};
  let timezone: string | undefined;
  let maxAffected: number | undefined;
  const invalid: string[] = [];

  for (const token of tokens) {
    const eq = token.indexOf('=');
    const key = eq < 0 ? token : token.slice(0, eq);
    const value = eq < 0 ? '' : token.slice(eq + 1);
    if (eq >= 0 && isChoiceKey(key) && (CHOICES[key] as readonly string[]).includes(value)) {
      chosen[key] ??= value;
    } else if (key === 'timezone' && value !== '') {
      timezone ??= value;
    } else if (key === 'max-affected' && /^\d+$/.test(value) && Number.isSafeInteger(Number(value))) {
      maxAffected ??= Number(value);
    } else {
      invalid.push(token);
    }
  }

  const applied = (Object.keys(CHOICES) as ChoiceKey[]).flatMap((k) => (chosen[k] === undefined ? [] : [`${k}=${chosen[k]}`]));
  if (timezone !== undefined) applied.push(`timezone=${timezone}`);
  if (maxAffected !== undefined && chosen.handling === 'strict') applied.push(`max-affected=${maxAffected}`);

  const prefs: Preferences = { applied, invalid };
  if (chosen.return !== undefined) prefs.return = chosen.return as Preferences['return'];
  if (chosen.count !== undefined) prefs.count = chosen.count as Preferences['count'];
  if (chosen.resolution !== undefined) prefs.resolution = chosen.resolution as Preferences['resolution'];
  if (chosen.missing !== undefined) prefs.missing = chosen.missing as Preferences['missing'];
  if (chosen.handling !== undefined) prefs.handling = chosen.handling as Preferences['handling'];
  if (chosen.tx !== undefined) prefs.tx = chosen.tx as Preferences['tx'];
  if (timezone !== undefined) prefs.timezone = timezone;
  if (maxAffected !== undefined) prefs.maxAffected = maxAffected;
  return prefs;
}

/**
 * `Range: 0-9`, `items=0-9` or `5-` (PostgREST's regex `^([0-9]+)-([0-9]*)$`; the `items=` unit
 * prefix is accepted too). A header that does not match is ignored, as PostgREST ignores it; a
 * reversed range is its 416 PGRST103. The caller applies it to GET only (RFC 9110, as PostgREST).
 */
export function parseRangeHeader(header: string | undefined): RangeHeader | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:items=)?([0-9]+)-([0-9]*)$/i.exec(header.trim());
  if (match === null) return undefined;
  const lower = Number(match[1]);
  const upper = match[2] === '' || match[2] === undefined ? undefined : Number(match[2]);
  if (!Number.isSafeInteger(lower) || (upper !== undefined && !Number.isSafeInteger(upper))) return undefined;
  if (upper === undefined) return { offset: lower };
  if (upper < lower) {
    throw new GrammarError(
      'PGRST103',
      'Requested range not satisfiable',
      'The lower boundary must be lower than or equal to the upper boundary in the Range header.',
      null,
      416,
    );
  }
  return { offset: lower, limit: upper - lower + 1 };
}

const SINGULAR = new Set(['application/vnd.pgrst.object+json', 'application/vnd.pgrst.object']);
/** The other types a rows route can answer: the client prefers one of these to a single object. */
const PLURAL = new Set([
  'application/json', 'application/*', '*/*', 'text/csv', 'application/geo+json',
  'application/vnd.pgrst.array+json', 'application/vnd.pgrst.array',
]);

/**
 * Whether the most preferred answerable type in `Accept` is the singular object (postgrest-js
 * `.single()`). Types are ranked like wai's parseHttpAccept: by q, then by specificity (parameters
 * minus wildcards), then by position; q=0 excludes a type. Case and `nulls=stripped`/charset
 * parameters do not matter (MediaType.decodeMediaType lower-cases).
 */
export function wantsSingleObject(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const ranked = accept
    .split(',')
    .map((part, index) => {
      const [type = '', ...params] = part.split(';').map((p) => p.trim());
      const qParam = params.find((p) => /^q=/i.test(p));
      const q = qParam === undefined ? 1 : Number(qParam.slice(2));
      const specificity = params.length - (qParam === undefined ? 0 : 1) - (type.match(/\*/g)?.length ?? 0);
      return { type: type.toLowerCase(), q: Number.isNaN(q) ? 1 : q, specificity, index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || b.specificity - a.specificity || a.index - b.index);
  const best = ranked.find((entry) => SINGULAR.has(entry.type) || PLURAL.has(entry.type));
  return best !== undefined && SINGULAR.has(best.type);
}
