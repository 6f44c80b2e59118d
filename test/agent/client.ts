/**
 * A raw Kafka client for the agent's tests: one TCP connection, requests encoded with the
 * project's codec, responses read frame by frame in arrival order. Nothing is hidden: tests see
 * correlation ids, arrival order, and whether the agent closed the connection.
 */
import { connect, type Socket } from 'node:net';
import { ApiKeys, decodeResponse, encodeRequest, type ApiKey, type ResponseBodies } from '../../src/kafka-protocol/index.ts';
import type { BodyInput } from '../../src/kafka-protocol/codec.ts';
import type { RequestBodies } from '../../src/kafka-protocol/index.ts';

export interface Frame {
  correlationId: number;
  /** The whole frame, size prefix included. */
  bytes: Buffer;
}

export class RawClient {
  readonly socket: Socket;
  /** Correlation ids in the order their responses arrived. */
  readonly arrivals: number[] = [];
  /** Resolves when the agent (or we) closed the connection. */
  readonly closed: Promise<void>;
  isClosed = false;
  private buffer: Buffer = Buffer.alloc(0);
  private frames: Frame[] = [];
  private waiters: Array<{ resolve(frame: Frame): void; reject(error: Error): void }> = [];
  private nextCorrelationId = 1;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.isClosed = true;
        for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('connection closed'));
        resolve();
      });
    });
    socket.on('error', () => undefined);
  }

  static async connect(address: string): Promise<RawClient> {
    const [host, port] = splitAddress(address);
    const socket = connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setNoDelay(true);
    return new RawClient(socket);
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 4) {
      const size = this.buffer.readInt32BE(0);
      if (this.buffer.length < size + 4) return;
      const bytes = this.buffer.subarray(0, size + 4);
      this.buffer = this.buffer.subarray(size + 4);
      const frame = { correlationId: bytes.readInt32BE(4), bytes };
      this.arrivals.push(frame.correlationId);
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(frame);
      else this.frames.push(frame);
    }
  }

  /** The next response frame to arrive (in order), or a rejection when the connection closes or `timeoutMs` passes. */
  nextFrame(timeoutMs = 10_000): Promise<Frame> {
    const ready = this.frames.shift();
    if (ready) return Promise.resolve(ready);
    if (this.isClosed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (frame: Frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Frames that arrived and were not taken yet. */
  get unread(): number {
    return this.frames.length;
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Encodes and sends a request without waiting; answers its correlation id. */
  send<K extends ApiKey>(apiKey: K, apiVersion: number, body: BodyInput<RequestBodies[K]>, clientId = 'raw-test'): number {
    const correlationId = this.nextCorrelationId++;
    this.write(encodeRequest({ apiKey, apiVersion, correlationId, clientId }, body as never));
    return correlationId;
  }

  /** Reads the next frame as the response to `correlationId` (which it must be). */
  async receiveResponse<K extends ApiKey>(apiKey: K, apiVersion: number, correlationId: number, timeoutMs?: number): Promise<ResponseBodies[K]> {
    const frame = await this.nextFrame(timeoutMs);
    const decoded = decodeResponse(apiKey, apiVersion, frame.bytes);
    if (decoded.correlationId !== correlationId) {
      throw new Error(`expected the response to ${correlationId}, got ${decoded.correlationId}`);
    }
    return decoded.body as ResponseBodies[K];
  }

  /** Sends one request and waits for its response. */
  async request<K extends ApiKey>(apiKey: K, apiVersion: number, body: BodyInput<RequestBodies[K]>, timeoutMs?: number): Promise<ResponseBodies[K]> {
    const correlationId = this.send(apiKey, apiVersion, body);
    return this.receiveResponse(apiKey, apiVersion, correlationId, timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }
}

export function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i), Number(address.slice(i + 1))];
}

/** An "all topics" Metadata v12 answer from the agent at `address`, on a connection of its own. */
export async function metadata(address: string, clientId = 'raw-test') {
  const c = await RawClient.connect(address);
  try {
    c.write(Buffer.alloc(0));
    const id = c.send(ApiKeys.Metadata, 12, { topics: null, allowAutoTopicCreation: false }, clientId);
    return await c.receiveResponse(ApiKeys.Metadata, 12, id);
  } finally {
    c.close();
  }
}

/**
 * Metadata from `address` once `done` holds for it (an agent learns the others at its next
 * heartbeat), or the last answer after 10 s — the caller's assertions say what was missing.
 */
export async function metadataWhen(address: string, done: (answer: Awaited<ReturnType<typeof metadata>>) => boolean, clientId?: string) {
  let answer = await metadata(address, clientId);
  for (let i = 0; i < 40 && !done(answer); i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    answer = await metadata(address, clientId);
  }
  return answer;
}
