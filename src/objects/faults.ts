import type { ByteRange, ObjectStore } from './object-store.ts';

/** For tests: an ObjectStore wrapper that slows operations down and makes them fail on demand. */

export type ObjectOperation = 'put' | 'get' | 'list' | 'delete';

export const OBJECT_OPERATIONS: readonly ObjectOperation[] = ['put', 'get', 'list', 'delete'];

/** One call reaching the store: `key` is the key, or the prefix for `list`. */
export interface ObjectCall {
  operation: ObjectOperation;
  key: string;
  range?: ByteRange | undefined;
}

/**
 * When the fault strikes. `before`: the call fails and the inner store never sees it. `after`:
 * the inner store performs it, then the caller gets the error anyway — a lost acknowledgement,
 * the ambiguous failure real object stores produce (the put may well have happened).
 */
export type FaultTiming = 'before' | 'after';

export interface FaultOptions {
  timing?: FaultTiming;
  /** Message of the InjectedFault (default names the operation and key). */
  message?: string;
}

/** The error every injected failure throws: tests can tell it from a genuine one. */
export class InjectedFault extends Error {
  readonly operation: ObjectOperation;
  readonly key: string;
  readonly timing: FaultTiming;
  constructor(call: ObjectCall, timing: FaultTiming, message?: string) {
    super(message ?? `injected fault: ${call.operation} ${call.key} (${timing})`);
    this.name = 'InjectedFault';
    this.operation = call.operation;
    this.key = call.key;
    this.timing = timing;
  }
}

export type Latency = number | Partial<Record<ObjectOperation, number>>;

export interface FaultyObjectStoreOptions {
  /** Milliseconds added before every operation, or per operation. */
  latencyMs?: Latency;
}

/** A predicate deciding whether a call fails: true (or a FaultTiming) fails it. */
export type FaultPredicate = (call: ObjectCall) => boolean | FaultTiming;

interface Rule {
  matches: (call: ObjectCall) => FaultTiming | undefined;
  remaining: number;
  message: string | undefined;
}

export class FaultyObjectStore implements ObjectStore {
  readonly inner: ObjectStore;
  /** Every call made through this wrapper, in order (failed ones too). */
  readonly calls: ObjectCall[] = [];
  /** How many faults have been injected so far. */
  injected = 0;
  private latency: Partial<Record<ObjectOperation, number>> = {};
  private rules: Rule[] = [];

  constructor(inner: ObjectStore, options: FaultyObjectStoreOptions = {}) {
    this.inner = inner;
    if (options.latencyMs !== undefined) this.setLatency(options.latencyMs);
  }

  get url(): string {
    return this.inner.url;
  }

  /** Sets the delay before operations: one number for all, or per operation (others unchanged). */
  setLatency(latency: Latency): void {
    if (typeof latency === 'number') {
      checkMs(latency);
      for (const operation of OBJECT_OPERATIONS) this.latency[operation] = latency;
    } else {
      for (const [operation, ms] of Object.entries(latency)) {
        if (!OBJECT_OPERATIONS.includes(operation as ObjectOperation)) throw new Error(`unknown operation ${operation}`);
        if (ms !== undefined) checkMs(ms);
        this.latency[operation as ObjectOperation] = ms;
      }
    }
  }

  /** Makes the next `count` calls of `operation` (`'*'`: any operation) fail. */
  failNext(operation: ObjectOperation | '*', count = 1, options: FaultOptions = {}): void {
    if (operation !== '*' && !OBJECT_OPERATIONS.includes(operation)) throw new Error(`unknown operation ${operation}`);
    if (!Number.isInteger(count) || count < 1) throw new Error(`count must be a positive integer, got ${count}`);
    const timing = options.timing ?? 'before';
    this.rules.push({
      matches: (call) => (operation === '*' || call.operation === operation ? timing : undefined),
      remaining: count,
      message: options.message,
    });
  }

  /**
   * Fails every call the predicate accepts (returning `true` means `before`, or return the
   * timing) until the returned function is called, or `clearFaults`.
   */
  failWhen(predicate: FaultPredicate, options: Omit<FaultOptions, 'timing'> = {}): () => void {
    const rule: Rule = {
      matches: (call) => {
        const verdict = predicate(call);
        return verdict === true ? 'before' : verdict === false ? undefined : verdict;
      },
      remaining: Infinity,
      message: options.message,
    };
    this.rules.push(rule);
    return () => {
      this.rules = this.rules.filter((r) => r !== rule);
    };
  }

  /** Removes every pending failure (latency stays). */
  clearFaults(): void {
    this.rules = [];
  }

  /** Operations still scheduled to fail through failNext. */
  get pendingFaults(): number {
    return this.rules.reduce((sum, rule) => sum + (Number.isFinite(rule.remaining) ? rule.remaining : 0), 0);
  }

  async put(key: string, data: Buffer | readonly Buffer[]): Promise<void> {
    await this.run({ operation: 'put', key }, () => this.inner.put(key, data));
  }

  async get(key: string, range?: ByteRange): Promise<Buffer> {
    return this.run({ operation: 'get', key, range }, () => this.inner.get(key, range));
  }

  async list(prefix: string): Promise<string[]> {
    return this.run({ operation: 'list', key: prefix }, () => this.inner.list(prefix));
  }

  async delete(key: string): Promise<void> {
    await this.run({ operation: 'delete', key }, () => this.inner.delete(key));
  }

  async close(): Promise<void> {
    await this.inner.close();
  }

  private async run<T>(call: ObjectCall, operation: () => Promise<T>): Promise<T> {
    this.calls.push(call);
    // Decide at call time, so that failNext(op, n) hits exactly the next n calls even when they
    // run concurrently.
    const fault = this.take(call);
    const ms = this.latency[call.operation] ?? 0;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
    if (fault?.timing === 'before') throw this.fail(call, fault);
    const result = await operation();
    if (fault?.timing === 'after') throw this.fail(call, fault);
    return result;
  }

  private take(call: ObjectCall): { timing: FaultTiming; message: string | undefined } | undefined {
    for (const rule of this.rules) {
      const timing = rule.matches(call);
      if (timing === undefined) continue;
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
      return { timing, message: rule.message };
    }
    return undefined;
  }

  private fail(call: ObjectCall, fault: { timing: FaultTiming; message: string | undefined }): InjectedFault {
    this.injected += 1;
    return new InjectedFault(call, fault.timing, fault.message);
  }
}

function checkMs(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`latency must be a non-negative number of ms, got ${ms}`);
}
