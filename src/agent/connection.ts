import type { Socket } from 'node:net';
import {
  ApiKeys,
  DEFAULT_MAX_FRAME_SIZE,
  ProtocolError,
  decodeRequestPayload,
  encodeResponseChunks,
  type DecodedRequest,
} from '../kafka-protocol/index.ts';
import { KafkaError } from './kafka-errors.ts';
import { SaslSession, type ConnectionPrincipal, type SaslOptions } from './sasl-session.ts';

/** How long a connection that sent an unreadable request may still finish the requests before it. */
const REFUSE_GRACE_MS = 5_000;

/** What a handler answers: a response body, or `null` for no response (acks=0 produce). */
export type Answer = object | null;

export interface RequestContext {
  clientId: string;
  clientHost: string;
  apiVersion: number;
  /** Aborted when the connection closes: long polls stop waiting. */
  signal: AbortSignal;
  /** Who the connection is as of this request's arrival: its SASL login, else its client certificate's subject. */
  principal?: ConnectionPrincipal;
  /**
   * For Produce: this request's turn to hand batches to the write path. Kafka appends a
   * connection's requests in the order they arrived, and idempotent producers pipeline up to 5
   * requests of a partition on one connection relying on it (their sequences follow each
   * other); the requests are served concurrently, so without turns a later one whose topic
   * lookup returns first would be appended first and refused OUT_OF_ORDER_SEQUENCE_NUMBER.
   */
  appendTurn?: AppendTurn;
}

/** A place in a connection's order of Produce requests (see RequestContext.appendTurn). */
export interface AppendTurn {
  /** Resolves once every earlier Produce of the connection has handed its batches over (or ended). */
  ready: Promise<void>;
  /** This request has handed its batches over (or will not): the next may go. Idempotent. */
  release(): void;
}

export type Dispatch = (request: DecodedRequest, context: RequestContext) => Promise<Answer>;

export interface ConnectionOptions {
  maxFrameBytes?: number;
  dispatch: Dispatch;
  /** The ApiVersions answer for a version this agent does not speak (Kafka's fallback dance). */
  unsupportedApiVersions(): Record<string, unknown>;
  onError(error: unknown, message: string, details?: Record<string, unknown>): void;
  /** A request was served although bytes followed its body (ignored, as Kafka ignores them). */
  onTrailingBytes?(request: DecodedRequest): void;
  /** SASL on this listener; without it SaslHandshake and SaslAuthenticate are not served. */
  sasl?: SaslOptions;
  /** The verified client certificate's principal (mutual TLS); a SASL login takes its place. */
  certificatePrincipal?: ConnectionPrincipal;
}

/** What may be sent before authentication when SASL is required. */
const PRE_AUTH_APIS: ReadonlySet<number> = new Set([ApiKeys.ApiVersions, ApiKeys.SaslHandshake, ApiKeys.SaslAuthenticate]);

/**
 * One client connection. Frames are read as they arrive (a frame over the limit is refused from
 * its size prefix, before any of it is buffered), each request is handled concurrently, and the
 * responses go out strictly in request order, as Kafka clients require.
 */
export class Connection {
  private readonly socket: Socket;
  private readonly options: ConnectionOptions;
  private readonly maxFrameBytes: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Responses in request order; a slot is filled when its handler finishes. */
  private readonly queue: Array<{ chunks: Buffer[] | null; done: boolean }> = [];
  /** Released when the newest Produce so far has handed its batches to the write path (appendTurn). */
  private lastAppendTurn: Promise<void> = Promise.resolve();
  private readonly aborter = new AbortController();
  private closed = false;
  /** Shutting down: requests that arrive now are not read. */
  private draining = false;
  /** Called once the response queue is empty (during shutdown). */
  private idle: (() => void) | undefined;
  /** This connection's SASL state (mechanism under way, principal once authenticated). */
  readonly sasl: SaslSession | undefined;

  constructor(socket: Socket, options: ConnectionOptions) {
    this.socket = socket;
    this.options = options;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_SIZE;
    this.sasl = options.sasl ? new SaslSession(options.sasl) : undefined;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.aborter.abort();
    this.socket.destroy();
  }

  /**
   * For an agent shutting down: reads no more requests, ends long polls now (they answer what
   * they have), sends the responses of requests already received, then closes. Gives up after
   * `timeoutMs` (a handler that does not finish) and closes anyway.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    if (this.closed || this.draining) return;
    this.draining = true;
    // Nothing more is read: what the client still sends stays in the kernel, not in memory.
    this.socket.pause();
    this.pending = [];
    this.pendingBytes = 0;
    this.aborter.abort();
    if (this.queue.length > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.idle = undefined;
    }
    if (this.closed) return;
    this.closed = true;
    // end(), not destroy(): what was just written still reaches the client.
    this.socket.end();
    this.socket.destroySoon();
  }

  private receive(chunk: Buffer): void {
    if (this.closed || this.draining) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    while (this.pendingBytes >= 4) {
      if (this.pending[0]!.length < 4) this.pending = [Buffer.concat(this.pending)];
      const size = this.pending[0]!.readInt32BE(0);
      if (size < 4 || size > this.maxFrameBytes) {
        this.options.onError(new ProtocolError('INVALID', `frame size ${size}`), 'refused frame: size out of range', {
          size,
          limit: this.maxFrameBytes,
        });
        this.refuse();
        return;
      }
      // Chunks are joined only once the whole frame is here: no quadratic copying of big frames.
      if (this.pendingBytes < size + 4) return;
      const head = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
      const payload = head.subarray(4, size + 4);
      const rest = head.subarray(size + 4);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
      this.handle(payload);
      // An unreadable request ends the reading: the frames behind it are not looked at.
      if (this.closed || this.draining) return;
    }
  }

  /**
   * Ends a connection that sent something unreadable: nothing more is read, the requests before
   * it still get their responses (as from a Kafka broker, which reads one request at a time),
   * then the connection is closed.
   */
  private refuse(): void {
    void this.shutdown(REFUSE_GRACE_MS);
  }

  private handle(payload: Buffer): void {
    if (this.sasl?.rawTokens) {
      this.handleRawToken(this.sasl, payload);
      return;
    }
    let request: DecodedRequest;
    try {
      request = decodeRequestPayload(payload);
    } catch (error) {
      const header = error instanceof ProtocolError ? error.header : undefined;
      if (header && header.apiKey === ApiKeys.ApiVersions && error instanceof ProtocolError && error.code === 'UNSUPPORTED_VERSION') {
        // Kafka answers an ApiVersions version it does not know with v0 and UNSUPPORTED_VERSION,
        // listing what it supports, so the client retries with a version both speak.
        const slot = { chunks: null as Buffer[] | null, done: false };
        this.queue.push(slot);
        slot.chunks = encodeResponseChunks(ApiKeys.ApiVersions, 0, header.correlationId, {
          ...this.options.unsupportedApiVersions(),
          errorCode: KafkaError.UNSUPPORTED_VERSION,
        });
        slot.done = true;
        this.drain();
        return;
      }
      // Anything else that cannot be read (unknown API or version, malformed bytes) ends the
      // connection, as a Kafka broker does: there is no way to answer in a form the client expects.
      this.options.onError(error, 'closing connection: unreadable request', { apiKey: header?.apiKey, apiVersion: header?.apiVersion });
      this.refuse();
      return;
    }

    if (request.trailingBytes > 0) this.options.onTrailingBytes?.(request);
    const { apiKey, apiVersion, correlationId, clientId } = request.header;
    const sasl = this.sasl;
    if (sasl?.options.required && !sasl.authenticated && !PRE_AUTH_APIS.has(apiKey)) {
      // As a Kafka broker: a client that has not authenticated is disconnected, not answered.
      this.options.onError(new Error('not authenticated'), 'closing connection: request before SASL authentication', { apiKey, apiVersion });
      this.refuse();
      return;
    }
    if (sasl && apiKey === ApiKeys.SaslHandshake) {
      this.handleSaslHandshake(sasl, request);
      return;
    }
    if (sasl && apiKey === ApiKeys.SaslAuthenticate) {
      this.handleSaslAuthenticate(sasl, request);
      return;
    }

    const slot = { chunks: null as Buffer[] | null, done: false };
    this.queue.push(slot);
    const principal = sasl?.principal ?? this.options.certificatePrincipal;
    const appendTurn = apiKey === ApiKeys.Produce ? this.nextAppendTurn() : undefined;
    const context: RequestContext = {
      clientId: clientId ?? '',
      clientHost: this.socket.remoteAddress ?? '',
      apiVersion,
      signal: this.aborter.signal,
      ...(principal ? { principal } : {}),
      ...(appendTurn ? { appendTurn } : {}),
    };
    this.options
      .dispatch(request, context)
      // A request refused before its handler appended anything must not hold up the next ones.
      .finally(() => appendTurn?.release())
      .then((answer) => {
        slot.chunks = answer === null ? null : encodeResponseChunks(apiKey, apiVersion, correlationId, answer as never);
      })
      .catch((error: unknown) => {
        this.options.onError(error, 'request failed; closing connection', { apiKey, apiVersion });
        this.close();
      })
      .finally(() => {
        slot.done = true;
        this.drain();
      });
  }

  /** The next Produce's turn: ready when the previous Produce's turn is released. */
  private nextAppendTurn(): AppendTurn {
    const ready = this.lastAppendTurn;
    const released = Promise.withResolvers<void>();
    this.lastAppendTurn = released.promise;
    return { ready, release: () => released.resolve() };
  }

  /** SaslHandshake (v0 and v1): picks the mechanism; v0 makes the next frames raw tokens. */
  private handleSaslHandshake(sasl: SaslSession, request: DecodedRequest): void {
    const { apiVersion, correlationId } = request.header;
    const answer = sasl.handshake(apiVersion, (request.body as { mechanism: string }).mechanism);
    this.queue.push({ chunks: encodeResponseChunks(ApiKeys.SaslHandshake, apiVersion, correlationId, answer), done: true });
    if (answer.errorCode !== KafkaError.NONE) {
      // Kafka answers, then disconnects: the client cannot go on without a mechanism.
      this.options.onError(new Error(`SaslHandshake error ${answer.errorCode}`), 'closing connection: SASL handshake refused', {
        mechanism: (request.body as { mechanism: string }).mechanism,
      });
      this.refuse();
    }
    this.drain();
  }

  /** SaslAuthenticate (v0–v2): one token of the exchange; a refusal is answered, then the connection closed. */
  private handleSaslAuthenticate(sasl: SaslSession, request: DecodedRequest): void {
    const { apiVersion, correlationId } = request.header;
    const slot = { chunks: null as Buffer[] | null, done: false };
    this.queue.push(slot);
    sasl
      .step((request.body as { authBytes: Buffer }).authBytes)
      .then((outcome) => {
        if (outcome.ok) {
          slot.chunks = encodeResponseChunks(ApiKeys.SaslAuthenticate, apiVersion, correlationId, {
            errorCode: KafkaError.NONE,
            errorMessage: null,
            authBytes: outcome.response,
            sessionLifetimeMs: 0n,
          });
          return;
        }
        slot.chunks = encodeResponseChunks(ApiKeys.SaslAuthenticate, apiVersion, correlationId, {
          errorCode: outcome.errorCode,
          errorMessage: outcome.message,
          authBytes: Buffer.alloc(0),
          sessionLifetimeMs: 0n,
        });
        this.options.onError(new Error(outcome.reason), 'closing connection: SASL authentication failed', { errorCode: outcome.errorCode });
        this.refuse();
      })
      .catch((error: unknown) => {
        this.options.onError(error, 'SASL authentication failed; closing connection', { apiKey: ApiKeys.SaslAuthenticate, apiVersion });
        this.close();
      })
      .finally(() => {
        slot.done = true;
        this.drain();
      });
  }

  /** After SaslHandshake v0: a raw token in, a raw length-prefixed token out; a refusal closes. */
  private handleRawToken(sasl: SaslSession, token: Buffer): void {
    const slot = { chunks: null as Buffer[] | null, done: false };
    this.queue.push(slot);
    sasl
      .step(Buffer.from(token))
      .then((outcome) => {
        if (outcome.ok) {
          const size = Buffer.alloc(4);
          size.writeInt32BE(outcome.response.length, 0);
          slot.chunks = [size, outcome.response];
          return;
        }
        this.options.onError(new Error(outcome.reason), 'closing connection: SASL authentication failed', { errorCode: outcome.errorCode });
        this.refuse();
      })
      .catch((error: unknown) => {
        this.options.onError(error, 'SASL authentication failed; closing connection', {});
        this.close();
      })
      .finally(() => {
        slot.done = true;
        this.drain();
      });
  }

  private drain(): void {
    while (this.queue.length > 0 && this.queue[0]!.done) {
      const { chunks } = this.queue.shift()!;
      if (chunks && !this.closed) {
        // One vectored write per response; record bytes are referenced, not copied.
        this.socket.cork();
        for (const chunk of chunks) this.socket.write(chunk);
        this.socket.uncork();
      }
    }
    if (this.queue.length === 0) this.idle?.();
  }
}
