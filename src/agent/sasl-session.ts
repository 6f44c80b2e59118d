import {
  SUPPORTED_MECHANISMS,
  SaslAuthenticationError,
  createMechanism,
  isSupportedMechanism,
  type ClusterPrincipal,
  type CredentialLookup,
  type SaslMechanism,
} from './sasl/index.ts';
import { KafkaError } from './kafka-errors.ts';

/**
 * Who a connection is, as ACLs see it: Kafka's principal name and what it may bypass. A SASL
 * login (AuthenticatedPrincipal) or a verified client certificate (tls-principal.ts); SASL,
 * when used, wins, as in Kafka.
 */
export interface ConnectionPrincipal {
  /** Kafka's principal string, `User:<name>`. */
  name: string;
  is_cluster_superuser: boolean;
  read_only: boolean;
}

/** Who a connection authenticated as: Kafka's principal name (`User:ccun_…`) and the credential. */
export interface AuthenticatedPrincipal extends ClusterPrincipal {
  /** Kafka's principal string, `User:<username>`. */
  name: string;
}

/** What the agent's listener is told about SASL. */
export interface SaslOptions {
  /** When true, nothing but ApiVersions, SaslHandshake and SaslAuthenticate is served before authentication. */
  required: boolean;
  lookup: CredentialLookup<ClusterPrincipal>;
}

/** One step's outcome as the transport needs it: the bytes to send, or a refusal (then close). */
export type SaslStepOutcome =
  | { ok: true; response: Buffer; done: boolean }
  | { ok: false; errorCode: number; message: string; reason: string };

/**
 * The SASL state of one connection: the exchange under way (after SaslHandshake), whether the
 * next frames are raw tokens (SaslHandshake v0), and the principal once authenticated. A new
 * SaslHandshake after success re-authenticates; it must end as the same principal.
 */
export class SaslSession {
  readonly options: SaslOptions;
  principal: AuthenticatedPrincipal | undefined;
  private exchange: SaslMechanism<ClusterPrincipal> | undefined;
  /** SaslHandshake v0 was accepted: the frames that follow are raw SASL tokens. */
  rawTokens = false;
  /** A step is being verified; another token before its answer is a protocol error. */
  private busy = false;

  constructor(options: SaslOptions) {
    this.options = options;
  }

  get authenticated(): boolean {
    return this.principal !== undefined;
  }

  /** SaslHandshake: starts an exchange. Synchronous, so v0's raw mode applies to the very next frame. */
  handshake(version: number, mechanism: string): { errorCode: number; mechanisms: string[] } {
    const mechanisms = [...SUPPORTED_MECHANISMS];
    if (!isSupportedMechanism(mechanism)) {
      this.exchange = undefined;
      return { errorCode: KafkaError.UNSUPPORTED_SASL_MECHANISM, mechanisms };
    }
    if (this.exchange && !this.exchange.complete) {
      // A second handshake in the middle of an exchange.
      this.exchange = undefined;
      return { errorCode: KafkaError.ILLEGAL_SASL_STATE, mechanisms };
    }
    this.exchange = createMechanism(mechanism, this.options.lookup);
    this.rawTokens = version === 0;
    return { errorCode: KafkaError.NONE, mechanisms };
  }

  /** One client token of the exchange started by the last handshake. */
  async step(token: Buffer): Promise<SaslStepOutcome> {
    const exchange = this.exchange;
    if (!exchange || exchange.complete || this.busy) {
      this.exchange = undefined;
      this.rawTokens = false;
      return { ok: false, errorCode: KafkaError.ILLEGAL_SASL_STATE, message: 'Unexpected SASL token: no authentication in progress', reason: 'token without handshake' };
    }
    this.busy = true;
    try {
      const result = await exchange.step(token);
      if (!result.done) return { ok: true, response: result.response, done: false };
      const found = result.principal;
      if (!found) throw new SaslAuthenticationError(exchange.mechanism, 'exchange completed without a principal');
      const name = `User:${found.username}`;
      if (this.principal && this.principal.name !== name) {
        // Re-authentication must not change who the connection is.
        throw new SaslAuthenticationError(
          exchange.mechanism,
          `re-authentication as ${name} on a connection of ${this.principal.name}`,
          'Cannot change principals during re-authentication',
        );
      }
      this.principal = { ...found, name };
      this.exchange = undefined;
      this.rawTokens = false;
      return { ok: true, response: result.response, done: true };
    } catch (error) {
      this.exchange = undefined;
      this.rawTokens = false;
      if (error instanceof SaslAuthenticationError) {
        return { ok: false, errorCode: error.errorCode, message: error.message, reason: error.reason };
      }
      throw error;
    } finally {
      this.busy = false;
    }
  }
}
