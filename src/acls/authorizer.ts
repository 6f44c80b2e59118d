import { isIP } from 'node:net';
import {
  ACL_OPERATIONS,
  ACL_PATTERN_TYPES,
  ACL_PERMISSION_TYPES,
  ACL_RESOURCE_TYPES,
  type AclEntry,
} from './vocabulary.ts';

/**
 * The ACL authorization decision, as Kafka's authorizer makes it: pure functions over a list of
 * stored ACLs (`AclEntry`, the canonical form `validateAcl` stores), no I/O.
 *
 * The rules are those of Kafka's StandardAuthorizer (KRaft, the only authorizer since Kafka 4.0;
 * org.apache.kafka.metadata.authorizer.StandardAuthorizerData), which decides exactly as the
 * older ZooKeeper-era AclAuthorizer did:
 *
 * - A superuser is allowed everything; no ACL is consulted.
 * - The ACLs that apply to a request are those of the request's resource type whose pattern
 *   matches the resource name: LITERAL with the same name, LITERAL `*` (any name), PREFIXED whose
 *   name the resource name starts with. Names are case-sensitive.
 * - Of those, an ACL matches when its principal is the request's or `User:*`, its host is the
 *   client's address or `*`, and its operation is the request's or ALL.
 * - Implied operations, for ALLOW ACLs only: READ, WRITE, DELETE and ALTER each allow DESCRIBE;
 *   ALTER_CONFIGS allows DESCRIBE_CONFIGS. A DENY matches its own operation (or ALL) only, so
 *   DENY READ does not deny DESCRIBE, and DENY DESCRIBE does not deny READ.
 * - Any matching DENY refuses; otherwise any matching ALLOW allows; otherwise the request is
 *   refused ("no ACL allows it"). With `allowIfNoAclFound` (Kafka's
 *   `allow.everyone.if.no.acl.found`, default false) a resource that no ACL applies to at all —
 *   for any principal, host or operation — is allowed instead.
 *
 * `AclIndex` answers the same as `authorize` without scanning every ACL. The property tests in
 * test/acls hold the two (and an independent model of AclAuthorizer) to the same answers.
 */

export type ResourceType = (typeof ACL_RESOURCE_TYPES)[number];
export type PatternType = (typeof ACL_PATTERN_TYPES)[number];
export type Operation = (typeof ACL_OPERATIONS)[number];
export type PermissionType = (typeof ACL_PERMISSION_TYPES)[number];

/** Kafka's wildcard resource name (LITERAL pattern only), principal and host. */
export const WILDCARD_RESOURCE = '*';
export const WILDCARD_PRINCIPAL = 'User:*';
export const WILDCARD_HOST = '*';

/** One authorization question: may `principal`, connected from `host`, do `operation` on the resource? */
export interface AclRequest {
  /** The authenticated principal, `Type:name`, e.g. `User:ccun_…`. */
  principal: string;
  /** The client's IP address (IPv4, IPv6 or IPv4-mapped IPv6, as a socket reports it). */
  host: string;
  operation: Operation;
  resourceType: ResourceType;
  resourceName: string;
}

/** A question about a resource type rather than one resource (Kafka's authorizeByResourceType). */
export type AclTypeRequest = Omit<AclRequest, 'resourceName'>;

export interface AuthorizeOptions {
  /** The principal is a cluster superuser (`is_cluster_superuser`): ACLs are bypassed. */
  superuser: boolean;
  /** Kafka's `allow.everyone.if.no.acl.found`: a resource no ACL applies to is open to all. Default false. */
  allowIfNoAclFound?: boolean;
}

export interface AuthorizationResult {
  allowed: boolean;
  /** Why, for logs (and shadow mode): the deciding ACL, "superuser", or "no ACL allows it". */
  reason: string;
  /** The deciding ACL, when one decided. */
  acl?: AclEntry;
}

// ---------------------------------------------------------------------------------------------
// Matching one ACL

/** An ACL ready for matching: canonical upper-case enums, normalised host, original position. */
interface CompiledAcl {
  readonly entry: AclEntry;
  /** Index in the list the ACL came from: ties between deciding ACLs go to the earliest. */
  readonly position: number;
  readonly resourceType: ResourceType;
  readonly name: string;
  readonly pattern: PatternType;
  readonly principal: string;
  readonly host: string;
  readonly operation: Operation;
  readonly permission: PermissionType;
}

function oneOf<T extends string>(value: string, allowed: readonly T[]): T | undefined {
  const upper = value.toUpperCase();
  return (allowed as readonly string[]).includes(upper) ? (upper as T) : undefined;
}

/**
 * The ACL in matchable form, or undefined when it is not a well-formed ACL (an unknown resource
 * type, pattern, operation or permission). `validateAcl` lets no such ACL into the store; one
 * that got there anyway is ignored — it neither allows nor denies — rather than guessed at.
 */
function compileAcl(entry: AclEntry, position: number): CompiledAcl | undefined {
  const resourceType = oneOf(entry.resource_type, ACL_RESOURCE_TYPES);
  const pattern = oneOf(entry.pattern_type, ACL_PATTERN_TYPES);
  const operation = oneOf(entry.operation, ACL_OPERATIONS);
  const permission = oneOf(entry.permission_type, ACL_PERMISSION_TYPES);
  if (!resourceType || !pattern || !operation || !permission) return undefined;
  return {
    entry,
    position,
    resourceType,
    name: entry.resource_name,
    pattern,
    principal: entry.principal,
    host: normalizeHost(entry.host),
    operation,
    permission,
  };
}

/** Whether the ACL's resource pattern applies to the named resource of that type. */
function patternApplies(acl: CompiledAcl, resourceType: ResourceType, name: string): boolean {
  if (acl.resourceType !== resourceType) return false;
  if (acl.pattern === 'LITERAL') return acl.name === name || acl.name === WILDCARD_RESOURCE;
  return name.startsWith(acl.name);
}

/**
 * Whether an ACL's resource pattern applies to a resource: the ACLs Kafka consults for it. The
 * same test a DescribeAcls/DeleteAcls filter with pattern type MATCH makes.
 */
export function aclAppliesTo(acl: AclEntry, resourceType: ResourceType, resourceName: string): boolean {
  const compiled = compileAcl(acl, 0);
  return compiled !== undefined && patternApplies(compiled, resourceType, resourceName);
}

/** Operations an ALLOW ACL grants besides its own (Kafka's AclOperation javadoc, StandardAuthorizerData). */
const IMPLIES_DESCRIBE: ReadonlySet<Operation> = new Set<Operation>(['DESCRIBE', 'READ', 'WRITE', 'DELETE', 'ALTER']);
const IMPLIES_DESCRIBE_CONFIGS: ReadonlySet<Operation> = new Set<Operation>(['DESCRIBE_CONFIGS', 'ALTER_CONFIGS']);

/**
 * What one ACL, already known to apply to the resource, says about the request: 'ALLOW', 'DENY'
 * or nothing (StandardAuthorizerData.findResult). `host` is normalised.
 */
function aclVerdict(acl: CompiledAcl, principal: string, host: string, operation: Operation): PermissionType | undefined {
  if (acl.principal !== principal && acl.principal !== WILDCARD_PRINCIPAL) return undefined;
  if (acl.host !== WILDCARD_HOST && acl.host !== host) return undefined;
  if (acl.operation !== 'ALL' && acl.operation !== operation) {
    // Only an ALLOW implies other operations; a DENY refuses exactly what it names.
    if (acl.permission !== 'ALLOW') return undefined;
    if (operation === 'DESCRIBE' ? !IMPLIES_DESCRIBE.has(acl.operation)
      : operation === 'DESCRIBE_CONFIGS' ? !IMPLIES_DESCRIBE_CONFIGS.has(acl.operation)
      : true) return undefined;
  }
  return acl.permission;
}

// ---------------------------------------------------------------------------------------------
// Hosts

/**
 * One spelling per address, so an ACL matches the address rather than the way it was written:
 * IPv4-mapped IPv6 (`::ffff:10.0.0.1`, what a dual-stack Node socket reports for an IPv4 client)
 * becomes the IPv4 address, other IPv6 addresses become Java's InetAddress.getHostAddress form
 * (eight lower-case hex groups, no leading zeros, no `::`: `0:0:0:0:0:0:0:1`), anything else
 * (IPv4, `*`, not an address) is kept as it is.
 *
 * Kafka itself compares the ACL's host string with getHostAddress() as-is, so there an ACL
 * written `::1` never matches (only `0:0:0:0:0:0:0:1` does); here both do. This is the one place
 * the matcher deliberately differs from Kafka, and only for IPv6 spellings.
 */
export function normalizeHost(host: string): string {
  if (host === WILDCARD_HOST) return host;
  const zone = host.indexOf('%');
  const address = zone === -1 ? host : host.slice(0, zone);
  if (isIP(address) !== 6) return host;
  const groups = ipv6Groups(address);
  if (groups === undefined) return host;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi, lo] = [groups[6]!, groups[7]!];
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return groups.map((g) => g.toString(16)).join(':') + (zone === -1 ? '' : host.slice(zone));
}

/** The eight 16-bit groups of an IPv6 address that `isIP` accepted. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const octets = tail.split('.').map(Number);
    if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return undefined;
    text = `${text.slice(0, lastColon + 1)}${((octets[0]! << 8) | octets[1]!).toString(16)}:${((octets[2]! << 8) | octets[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...rest];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

// ---------------------------------------------------------------------------------------------
// Reasons

/** An ACL as one line for logs: `ALLOW User:alice READ on TOPIC:PREFIXED:orders- from *`. */
export function describeAcl(acl: AclEntry): string {
  return `${acl.permission_type} ${acl.principal} ${acl.operation} on ${acl.resource_type}:${acl.pattern_type}:${acl.resource_name} from ${acl.host}`;
}

const SUPERUSER: AuthorizationResult = Object.freeze({ allowed: true, reason: 'superuser: ACLs are bypassed' });
export const NO_ACL_ALLOWS_IT = 'no ACL allows it';

function decide(
  request: AclRequest,
  deny: CompiledAcl | undefined,
  allow: CompiledAcl | undefined,
  anyAclOnResource: boolean,
  options: AuthorizeOptions,
): AuthorizationResult {
  if (deny) return { allowed: false, reason: `denied by ${describeAcl(deny.entry)}`, acl: deny.entry };
  if (allow) {
    const implied = allow.operation !== 'ALL' && allow.operation !== request.operation ? ` (${allow.operation} implies ${request.operation})` : '';
    return { allowed: true, reason: `allowed by ${describeAcl(allow.entry)}${implied}`, acl: allow.entry };
  }
  if (!anyAclOnResource && options.allowIfNoAclFound === true) {
    return { allowed: true, reason: 'no ACL applies to the resource and allow.everyone.if.no.acl.found is set' };
  }
  return { allowed: false, reason: NO_ACL_ALLOWS_IT };
}

/** Keeps the earliest of two candidate ACLs (by position in the original list). */
function earliest(current: CompiledAcl | undefined, candidate: CompiledAcl): CompiledAcl {
  return current === undefined || candidate.position < current.position ? candidate : current;
}

// ---------------------------------------------------------------------------------------------
// authorize: the reference decision, one pass over every ACL

/**
 * Kafka's decision for one request over a list of ACLs. When several ACLs could decide, the
 * reason names the earliest in the list (a DENY before any ALLOW); `allowed` never depends on
 * the order.
 */
export function authorize(acls: readonly AclEntry[], request: AclRequest, options: AuthorizeOptions): AuthorizationResult {
  if (options.superuser) return SUPERUSER;
  const host = normalizeHost(request.host);
  let deny: CompiledAcl | undefined;
  let allow: CompiledAcl | undefined;
  let anyAclOnResource = false;
  for (let i = 0; i < acls.length; i++) {
    const acl = compileAcl(acls[i]!, i);
    if (!acl || !patternApplies(acl, request.resourceType, request.resourceName)) continue;
    anyAclOnResource = true;
    const verdict = aclVerdict(acl, request.principal, host, request.operation);
    if (verdict === 'DENY') deny ??= acl;
    else if (verdict === 'ALLOW') allow ??= acl;
  }
  return decide(request, deny, allow, anyAclOnResource, options);
}

/**
 * Whether the principal may do `operation` on at least one resource of the type: Kafka's
 * Authorizer.authorizeByResourceType (default implementation, used by StandardAuthorizer; the
 * one caller that matters is InitProducerId, where WRITE on any topic stands in for
 * IDEMPOTENT_WRITE on the cluster since Kafka 2.8, KIP-679).
 *
 * Kafka first authorizes the operation on a made-up resource named "hardcode" (so superusers and
 * allow.everyone.if.no.acl.found pass, and so does any ACL that would allow that name); then it
 * looks at the ACLs of that type for the principal (or `User:*`), host (or `*`) and operation
 * (or ALL) — no implied operations here: a LITERAL `*` DENY refuses; a LITERAL `*` ALLOW allows;
 * else an ALLOW on some name allows unless a DENY dominates it (a LITERAL DENY of the same name,
 * for a LITERAL ALLOW; a PREFIXED DENY whose name starts the ALLOW's name, for either).
 */
export function authorizeByResourceType(acls: readonly AclEntry[], request: AclTypeRequest, options: AuthorizeOptions): AuthorizationResult {
  if (options.superuser) return SUPERUSER;
  const sample = authorize(acls, { ...request, resourceName: SAMPLE_RESOURCE_NAME }, options);
  if (sample.allowed) return sample;
  const candidates: CompiledAcl[] = [];
  for (let i = 0; i < acls.length; i++) {
    const acl = compileAcl(acls[i]!, i);
    if (acl && acl.resourceType === request.resourceType) candidates.push(acl);
  }
  return decideByResourceType(candidates, request);
}

/** The name Kafka's default authorizeByResourceType authorizes first. */
const SAMPLE_RESOURCE_NAME = 'hardcode';

/** The ACL loop of authorizeByResourceType over the ACLs of the request's resource type. */
function decideByResourceType(candidates: readonly CompiledAcl[], request: AclTypeRequest): AuthorizationResult {
  const host = normalizeHost(request.host);
  let wildcardDeny: CompiledAcl | undefined;
  let wildcardAllow: CompiledAcl | undefined;
  const denyLiterals = new Set<string>();
  const denyPrefixes = new Set<string>();
  const allows: CompiledAcl[] = [];
  for (const acl of candidates) {
    if (acl.host !== WILDCARD_HOST && acl.host !== host) continue;
    if (acl.principal !== request.principal && acl.principal !== WILDCARD_PRINCIPAL) continue;
    if (acl.operation !== request.operation && acl.operation !== 'ALL') continue;
    const wildcard = acl.pattern === 'LITERAL' && acl.name === WILDCARD_RESOURCE;
    if (acl.permission === 'DENY') {
      if (wildcard) wildcardDeny = earliest(wildcardDeny, acl);
      else (acl.pattern === 'LITERAL' ? denyLiterals : denyPrefixes).add(acl.name);
    } else {
      if (wildcard) wildcardAllow = earliest(wildcardAllow, acl);
      else allows.push(acl);
    }
  }
  const what = `${request.operation} on any ${request.resourceType}`;
  if (wildcardDeny) return { allowed: false, reason: `${what}: denied by ${describeAcl(wildcardDeny.entry)}`, acl: wildcardDeny.entry };
  if (wildcardAllow) return { allowed: true, reason: `${what}: allowed by ${describeAcl(wildcardAllow.entry)}`, acl: wildcardAllow.entry };
  let allow: CompiledAcl | undefined;
  for (const acl of allows) {
    if (acl.pattern === 'LITERAL' && denyLiterals.has(acl.name)) continue;
    let dominated = false;
    for (let length = 1; length <= acl.name.length && !dominated; length++) dominated = denyPrefixes.has(acl.name.slice(0, length));
    if (!dominated) allow = earliest(allow, acl);
  }
  if (allow) return { allowed: true, reason: `${what}: allowed by ${describeAcl(allow.entry)}`, acl: allow.entry };
  return { allowed: false, reason: `${what}: ${NO_ACL_ALLOWS_IT}` };
}

// ---------------------------------------------------------------------------------------------
// AclIndex: the same decisions without a scan

/** ACLs of one resource pattern, by principal (`User:*` is a key like any other). */
class Bucket {
  readonly byPrincipal = new Map<string, CompiledAcl[]>();

  add(acl: CompiledAcl): void {
    const list = this.byPrincipal.get(acl.principal);
    if (list) list.push(acl);
    else this.byPrincipal.set(acl.principal, [acl]);
  }

  /** The ACLs for the principal and for `User:*`, each list in position order. */
  forPrincipal(principal: string): readonly (readonly CompiledAcl[])[] {
    const own = this.byPrincipal.get(principal);
    const anyone = principal === WILDCARD_PRINCIPAL ? undefined : this.byPrincipal.get(WILDCARD_PRINCIPAL);
    return own && anyone ? [own, anyone] : own ? [own] : anyone ? [anyone] : [];
  }
}

/** The ACLs of one resource type. */
class ResourceTable {
  /** LITERAL ACLs by exact name (the wildcard `*` is kept apart). */
  readonly literal = new Map<string, Bucket>();
  /** LITERAL `*` ACLs: they apply to every name. */
  readonly wildcard = new Bucket();
  /** PREFIXED ACLs by prefix, and the distinct prefix lengths, ascending. */
  readonly prefixed = new Map<string, Bucket>();
  prefixLengths: number[] = [];
  /** Every ACL of the type, for authorizeByResourceType. */
  readonly all = new Bucket();
  hasWildcard = false;

  add(acl: CompiledAcl): void {
    this.all.add(acl);
    if (acl.pattern === 'LITERAL' && acl.name === WILDCARD_RESOURCE) {
      this.wildcard.add(acl);
      this.hasWildcard = true;
      return;
    }
    const map = acl.pattern === 'LITERAL' ? this.literal : this.prefixed;
    let bucket = map.get(acl.name);
    if (!bucket) map.set(acl.name, (bucket = new Bucket()));
    bucket.add(acl);
  }

  seal(): void {
    this.prefixLengths = [...new Set([...this.prefixed.keys()].map((p) => p.length))].sort((a, b) => a - b);
  }

  /** The buckets whose pattern applies to `name`. */
  bucketsFor(name: string): Bucket[] {
    const buckets: Bucket[] = [];
    const literal = this.literal.get(name);
    if (literal) buckets.push(literal);
    if (this.hasWildcard) buckets.push(this.wildcard);
    for (const length of this.prefixLengths) {
      if (length > name.length) break;
      const prefixed = this.prefixed.get(name.slice(0, length));
      if (prefixed) buckets.push(prefixed);
    }
    return buckets;
  }
}

/**
 * The ACLs of one virtual cluster, indexed by resource type, then by LITERAL name, wildcard and
 * PREFIXED prefix, then by principal, so a decision touches only the ACLs that can apply to the
 * request. Immutable: build a new index when the ACLs change. Answers exactly as `authorize` and
 * `authorizeByResourceType` over the same list, reasons included.
 */
export class AclIndex {
  readonly #tables = new Map<ResourceType, ResourceTable>();
  readonly #entries: readonly AclEntry[];

  constructor(acls: readonly AclEntry[]) {
    this.#entries = Object.freeze([...acls]);
    this.#entries.forEach((entry, position) => {
      const acl = compileAcl(entry, position);
      if (!acl) return;
      let table = this.#tables.get(acl.resourceType);
      if (!table) this.#tables.set(acl.resourceType, (table = new ResourceTable()));
      table.add(acl);
    });
    for (const table of this.#tables.values()) table.seal();
  }

  /** The ACLs the index was built from, in their order. */
  get entries(): readonly AclEntry[] {
    return this.#entries;
  }

  get size(): number {
    return this.#entries.length;
  }

  authorize(request: AclRequest, options: AuthorizeOptions): AuthorizationResult {
    if (options.superuser) return SUPERUSER;
    const buckets = this.#tables.get(request.resourceType)?.bucketsFor(request.resourceName) ?? [];
    const host = normalizeHost(request.host);
    let deny: CompiledAcl | undefined;
    let allow: CompiledAcl | undefined;
    for (const bucket of buckets) {
      for (const list of bucket.forPrincipal(request.principal)) {
        for (const acl of list) {
          const verdict = aclVerdict(acl, request.principal, host, request.operation);
          if (verdict === 'DENY') deny = earliest(deny, acl);
          else if (verdict === 'ALLOW') allow = earliest(allow, acl);
        }
      }
    }
    // Buckets exist only with ACLs in them, so "some ACL applies to the resource" is "a bucket was found".
    return decide(request, deny, allow, buckets.length > 0, options);
  }

  authorizeByResourceType(request: AclTypeRequest, options: AuthorizeOptions): AuthorizationResult {
    if (options.superuser) return SUPERUSER;
    const sample = this.authorize({ ...request, resourceName: SAMPLE_RESOURCE_NAME }, options);
    if (sample.allowed) return sample;
    const lists = this.#tables.get(request.resourceType)?.all.forPrincipal(request.principal) ?? [];
    const candidates = lists.flat().sort((a, b) => a.position - b.position);
    return decideByResourceType(candidates, request);
  }

  /** `authorizedOperations` over the index. */
  authorizedOperations(identity: { principal: string; host: string }, resourceType: ResourceType, resourceName: string, options: AuthorizeOptions): number {
    return operationsField((request) => this.authorize(request, options), identity, resourceType, resourceName);
  }

  /** The stored ACLs a DescribeAcls/DeleteAcls filter selects, in their order. */
  filter(filter: AclFilter): AclEntry[] {
    return this.#entries.filter((acl) => matchesFilter(acl, filter));
  }
}

// ---------------------------------------------------------------------------------------------
// Authorized operations (the *AuthorizedOperations fields of Metadata, DescribeGroups, DescribeCluster)

/**
 * The operations Kafka reports per resource type (AuthorizerUtils/AclEntry.supportedOperations,
 * Kafka 4.x: groups gained DESCRIBE_CONFIGS and ALTER_CONFIGS with KIP-848).
 */
export const SUPPORTED_OPERATIONS: Readonly<Record<ResourceType, readonly Operation[]>> = {
  TOPIC: ['READ', 'WRITE', 'CREATE', 'DESCRIBE', 'DELETE', 'ALTER', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS'],
  GROUP: ['READ', 'DESCRIBE', 'DELETE', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS'],
  CLUSTER: ['CREATE', 'CLUSTER_ACTION', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'IDEMPOTENT_WRITE', 'ALTER', 'DESCRIBE'],
  TRANSACTIONAL_ID: ['DESCRIBE', 'WRITE'],
  DELEGATION_TOKEN: ['DESCRIBE'],
  USER: ['CREATE_TOKENS', 'DESCRIBE_TOKENS'],
};

/** Kafka's wire codes of the operations (org.apache.kafka.common.acl.AclOperation). */
export const OPERATION_CODES: Readonly<Record<Operation | 'UNKNOWN' | 'ANY', number>> = {
  UNKNOWN: 0, ANY: 1, ALL: 2, READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8,
  CLUSTER_ACTION: 9, DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12, CREATE_TOKENS: 13, DESCRIBE_TOKENS: 14,
};

/**
 * The 32-bit field Kafka answers in topicAuthorizedOperations / authorizedOperations /
 * clusterAuthorizedOperations: bit `code` set for each supported operation of the resource type
 * the principal is allowed (AuthHelper.authorizedOperations). Kafka answers 0 for the cluster
 * field when DESCRIBE on the cluster itself is refused, and INT32_MIN when the client did not ask.
 */
export function authorizedOperations(
  acls: readonly AclEntry[],
  identity: { principal: string; host: string },
  resourceType: ResourceType,
  resourceName: string,
  options: AuthorizeOptions,
): number {
  return operationsField((request) => authorize(acls, request, options), identity, resourceType, resourceName);
}

/**
 * The field when no authorizer decides: every supported operation of the type. Kafka answers
 * this when the broker has no authorizer (AuthHelper.authorizedOperations, `case None`); here
 * when the cluster's ACLs are off or only shadowed, and for superusers.
 */
export function allOperationsField(resourceType: ResourceType): number {
  let field = 0;
  for (const operation of SUPPORTED_OPERATIONS[resourceType]) field |= 1 << OPERATION_CODES[operation];
  return field;
}

/** The value of an *AuthorizedOperations field the client did not ask for (the schema's default). */
export const OPERATIONS_NOT_REQUESTED = -2147483648;

function operationsField(
  decideOne: (request: AclRequest) => AuthorizationResult,
  identity: { principal: string; host: string },
  resourceType: ResourceType,
  resourceName: string,
): number {
  let field = 0;
  for (const operation of SUPPORTED_OPERATIONS[resourceType]) {
    const { principal, host } = identity;
    if (decideOne({ principal, host, operation, resourceType, resourceName }).allowed) field |= 1 << OPERATION_CODES[operation];
  }
  return field;
}

// ---------------------------------------------------------------------------------------------
// DescribeAcls / DeleteAcls filters

/**
 * Kafka's AclBindingFilter (ResourcePatternFilter + AccessControlEntryFilter). An absent (or
 * null) field matches anything; so do resource type, operation and permission `ANY`.
 *
 * Pattern type:
 * - `ANY` (or absent): ACLs of any pattern type whose name equals `resourceName`.
 * - `LITERAL` / `PREFIXED`: ACLs of that pattern type whose name equals `resourceName`.
 * - `MATCH`: the ACLs that would apply to a resource named `resourceName` — LITERAL of that
 *   name, LITERAL `*`, and PREFIXED whose name the resource name starts with. With no name,
 *   every ACL.
 *
 * Principal and host compare exactly: a filter for `User:alice` does not select `User:*` ACLs,
 * and a filter for host `*` selects only ACLs whose host is `*`. Operation `ALL` selects only
 * ACLs whose operation is ALL. (Kafka's DescribeAcls v0 has no pattern type field and means
 * LITERAL; the wire decoder supplies that, this function just takes what it is given.)
 */
export interface AclFilter {
  resourceType?: ResourceType | 'ANY' | null;
  resourceName?: string | null;
  patternType?: PatternType | 'ANY' | 'MATCH' | null;
  principal?: string | null;
  host?: string | null;
  operation?: Operation | 'ANY' | null;
  permissionType?: PermissionType | 'ANY' | null;
}

/** The filter that selects every ACL. */
export const MATCH_ALL_ACLS: Readonly<AclFilter> = Object.freeze({});

export function matchesFilter(acl: AclEntry, filter: AclFilter): boolean {
  const resourceType = acl.resource_type.toUpperCase();
  const patternType = acl.pattern_type.toUpperCase();
  const wanted = (value: string | null | undefined): value is string => value !== undefined && value !== null && value !== 'ANY';

  if (wanted(filter.resourceType) && filter.resourceType !== resourceType) return false;
  const filterPattern = filter.patternType ?? 'ANY';
  if (filterPattern !== 'ANY' && filterPattern !== 'MATCH' && filterPattern !== patternType) return false;
  const name = filter.resourceName;
  if (name !== undefined && name !== null) {
    if (filterPattern !== 'MATCH') {
      if (acl.resource_name !== name) return false;
    } else if (patternType === 'LITERAL') {
      if (acl.resource_name !== name && acl.resource_name !== WILDCARD_RESOURCE) return false;
    } else if (patternType === 'PREFIXED') {
      if (!name.startsWith(acl.resource_name)) return false;
    } else {
      return false;
    }
  }
  if (filter.principal !== undefined && filter.principal !== null && filter.principal !== acl.principal) return false;
  if (filter.host !== undefined && filter.host !== null && filter.host !== acl.host) return false;
  if (wanted(filter.operation) && filter.operation !== acl.operation.toUpperCase()) return false;
  if (wanted(filter.permissionType) && filter.permissionType !== acl.permission_type.toUpperCase()) return false;
  return true;
}
