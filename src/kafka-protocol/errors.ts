/**
 * - `TRUNCATED`: the input ended before the value did.
 * - `INVALID`: the bytes cannot be a valid message (bad length, null where not nullable, trailing bytes...).
 * - `UNSUPPORTED_API` / `UNSUPPORTED_VERSION`: the header was read (see `header`) but the codec has
 *   no definition for that API or version; the agent answers or closes the connection.
 * - `INVALID_VALUE`: a body handed to an encoder has a value the wire format cannot carry.
 */
export type ProtocolErrorCode = 'TRUNCATED' | 'INVALID' | 'UNSUPPORTED_API' | 'UNSUPPORTED_VERSION' | 'INVALID_VALUE';

/** The request header as decoded; also attached to errors raised after the header was read. */
export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** The only error the codec throws. `path` locates the field (`topics[0].partitions[2].records`). */
export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  readonly detail: string;
  path: string;
  header: RequestHeader | undefined;

  constructor(code: ProtocolErrorCode, detail: string, options?: { header?: RequestHeader; cause?: unknown }) {
    super(detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProtocolError';
    this.code = code;
    this.detail = detail;
    this.path = '';
    this.header = options?.header;
  }

  /**
   * Prefixes `segment` to `path` (and the message) while the error unwinds through nested structs;
   * any other error (a TypeError from a bad value handed to an encoder) becomes a `fallback` one.
   */
  static at(err: unknown, segment: string | number, fallback: ProtocolErrorCode = 'INVALID'): ProtocolError {
    const e = err instanceof ProtocolError
      ? err
      : new ProtocolError(fallback, err instanceof Error ? err.message : String(err), { cause: err });
    const rest = e.path === '' || e.path.startsWith('[') ? e.path : '.' + e.path;
    e.path = (typeof segment === 'number' ? `[${segment}]` : segment) + rest;
    e.message = `${e.detail} (at ${e.path})`;
    return e;
  }
}
