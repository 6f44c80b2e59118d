import type { Logger } from 'pino';
import { AclIndex, CLUSTER_RESOURCE_NAME, allOperationsField, evaluateCheck, type AclCheck, type ResourceType } from '../acls/index.ts';
import type { ControlPlaneClient } from '../agent-rpc/contract.ts';
import { clusterConfiguration } from '../model/cluster-configuration.ts';
import type { RequestContext } from './connection.ts';

/**
 * The cluster's ACLs as an agent sees them (AclView), and the decider one request is authorized
 * with (AclDecider). What each Kafka API checks is in KAFKA_API_ACLS; how each one applies it is
 * its handler's `authorize` step, composed with the handler by authorize.ts.
 */

/** Kafka's principal for a client that did not authenticate. */
export const ANONYMOUS_PRINCIPAL = 'User:ANONYMOUS';
/** How long an agent serves a loaded ACL view before loading it again. */
export const ACL_REFRESH_MS = 1_000;

export interface AclSnapshot {
  /** `are_acls_enabled` (and not shadowing): refusals are answered. */
  enforced: boolean;
  /** `acl_shadowing_enabled`: every decision is logged, nothing is refused. */
  shadow: boolean;
  index: AclIndex;
}

/**
 * The cluster's ACLs and configuration as this agent sees them: loaded from the control plane, kept for
 * ACL_REFRESH_MS, shared by every connection (one load at a time).
 */
export class AclView {
  private readonly controlPlane: ControlPlaneClient;
  private readonly clusterId: string;
  private readonly refreshMs: number;
  private current: { snapshot: AclSnapshot; at: number } | undefined;
  private loading: Promise<AclSnapshot> | undefined;

  constructor(controlPlane: ControlPlaneClient, clusterId: string, refreshMs = ACL_REFRESH_MS) {
    this.controlPlane = controlPlane;
    this.clusterId = clusterId;
    this.refreshMs = refreshMs;
  }

  /** Forgets the cached view (after this agent changed the ACLs itself). */
  invalidate(): void {
    this.current = undefined;
  }

  async snapshot(): Promise<AclSnapshot> {
    if (this.current && Date.now() - this.current.at < this.refreshMs) return this.current.snapshot;
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<AclSnapshot> {
    const at = Date.now();
    const cluster = await this.controlPlane.getCluster(this.clusterId);
    if (!cluster) throw new Error(`virtual cluster ${this.clusterId} no longer exists`);
    const configuration = clusterConfiguration(cluster);
    const shadow = configuration.acl_shadowing_enabled;
    const enforced = configuration.are_acls_enabled && !shadow;
    const index = enforced || shadow ? new AclIndex(await this.controlPlane.listAcls(cluster.id)) : new AclIndex([]);
    const snapshot = { enforced, shadow, index };
    this.current = { snapshot, at };
    return snapshot;
  }
}

/** One request's authorizer: answers each check, logging in shadow mode. */
export class AclDecider {
  readonly snapshot: AclSnapshot;
  readonly principal: string;
  private readonly host: string;
  private readonly superuser: boolean;
  private readonly log: Logger;
  private readonly apiKey: number;

  constructor(snapshot: AclSnapshot, context: RequestContext, apiKey: number, log: Logger) {
    this.snapshot = snapshot;
    this.principal = context.principal?.name ?? ANONYMOUS_PRINCIPAL;
    this.host = context.clientHost;
    this.superuser = context.principal?.is_cluster_superuser ?? false;
    this.apiKey = apiKey;
    this.log = log;
  }

  /** Whether ACLs are looked at at all for this request. */
  get active(): boolean {
    return (this.snapshot.enforced || this.snapshot.shadow) && !this.superuser;
  }

  /** Whether the check passes for the resource (always true unless enforced). */
  allows(check: AclCheck | undefined, resourceName?: string): boolean {
    if (!check || !this.active) return true;
    const result = evaluateCheck(this.snapshot.index, { principal: this.principal, host: this.host }, check, resourceName, { superuser: this.superuser });
    if (this.snapshot.shadow) {
      this.log.info(
        { acl_shadow: true, principal: this.principal, host: this.host, api_key: this.apiKey, target: check.target, resource: resourceName, allowed: result.allowed, reason: result.reason },
        result.allowed ? 'ACL shadow: allowed' : 'ACL shadow: would deny',
      );
      return true;
    }
    return result.allowed;
  }

  /**
   * A resource's *AuthorizedOperations field: the supported operations of its type this
   * principal may perform (AuthHelper.authorizedOperations, which neither logs nor counts as a
   * refusal). When nothing is enforced (ACLs off or only shadowed) or for a superuser, every
   * supported operation, as Kafka answers without an authorizer.
   */
  authorizedOperations(resourceType: ResourceType, resourceName: string): number {
    if (!this.snapshot.enforced || this.superuser) return allOperationsField(resourceType);
    return this.snapshot.index.authorizedOperations({ principal: this.principal, host: this.host }, resourceType, resourceName, { superuser: false });
  }

  /** clusterAuthorizedOperations as Kafka fills it: 0 without DESCRIBE on the cluster (`describe`, the API's check). */
  clusterOperations(describe: AclCheck): number {
    return this.allows(describe) ? this.authorizedOperations('CLUSTER', CLUSTER_RESOURCE_NAME) : 0;
  }
}
