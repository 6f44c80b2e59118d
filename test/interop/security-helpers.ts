import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { tlsEnv, type Pki } from '../helpers/certs.ts';
import type { Cleanup } from '../helpers/stores.ts';
import { api, createTopicViaApi } from './helpers.ts';

/**
 * The cluster setup of the security interop suites (java-security, franz-go-security,
 * python-security): a platform with SASL required (optionally over TLS or mutual TLS),
 * credentials from the Management API, and one ACL scenario every client is checked against.
 */

export const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type Mechanism = (typeof MECHANISMS)[number];

/** Kafka's refusal messages (PlainSaslServer's, and SaslServerAuthenticator's for SCRAM), as the agent sends them. */
export function invalidCredentialsMessage(mechanism: Mechanism): string {
  return mechanism === 'PLAIN'
    ? 'Authentication failed: Invalid username or password'
    : `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`;
}

export interface Credential {
  id: string;
  username: string;
  password: string;
}

/** What a client is told to connect with: SASL (mechanism and credential) and/or TLS (PEM files). */
export interface ClientSecurity {
  sasl?: { mechanism: Mechanism; username: string; password: string };
  tls?: { ca: string; cert?: string; key?: string };
}

/** librdkafka's properties for `security` (confluent-kafka's config, kcat's `-X` options). */
export function librdkafkaConfig(security: ClientSecurity): Record<string, string> {
  const config: Record<string, string> = { 'security.protocol': `${security.sasl ? 'SASL_' : ''}${security.tls ? 'SSL' : 'PLAINTEXT'}` };
  if (security.sasl) {
    config['sasl.mechanisms'] = security.sasl.mechanism;
    config['sasl.username'] = security.sasl.username;
    config['sasl.password'] = security.sasl.password;
  }
  if (security.tls) {
    config['ssl.ca.location'] = security.tls.ca;
    if (security.tls.cert && security.tls.key) {
      config['ssl.certificate.location'] = security.tls.cert;
      config['ssl.key.location'] = security.tls.key;
    }
  }
  return config;
}

export function withSasl(mechanism: Mechanism, credential: Pick<Credential, 'username' | 'password'>, tls?: ClientSecurity['tls']): ClientSecurity {
  return { sasl: { mechanism, username: credential.username, password: credential.password }, ...(tls ? { tls } : {}) };
}

export async function createCredential(cluster: TestCluster, name: string, options: { readOnly?: boolean; superuser?: boolean } = {}): Promise<Credential> {
  const answer = (await api(cluster, '/api/v1/create_virtual_cluster_credentials', {
    credentials_name: name,
    is_cluster_superuser: options.superuser ?? false,
    virtual_cluster_id: cluster.boot.virtual_cluster_id,
    read_only: options.readOnly ?? false,
  })) as Credential;
  assert.match(answer.username, /^ccun_/);
  assert.ok(answer.password.length > 0 && answer.id.length > 0, JSON.stringify(answer));
  return { id: answer.id, username: answer.username, password: answer.password };
}

export async function deleteCredential(cluster: TestCluster, credential: Credential): Promise<void> {
  assert.deepEqual(await api(cluster, '/api/v1/delete_virtual_cluster_credentials', { id: credential.id, virtual_cluster_id: cluster.boot.virtual_cluster_id }), {});
}

/** One ACL as the Management API takes it; `principal` is a credential's username (or `*`). */
export interface AclRule {
  principal: string;
  resource_type: 'TOPIC' | 'GROUP' | 'CLUSTER';
  resource_name: string;
  pattern_type: 'LITERAL' | 'PREFIXED';
  operation: string;
  permission_type: 'ALLOW' | 'DENY';
}

export async function createAcl(cluster: TestCluster, rule: AclRule): Promise<void> {
  await api(cluster, '/api/v1/virtual_clusters/acls/create', {
    virtual_cluster_id: cluster.boot.virtual_cluster_id,
    acl: { ...rule, principal: `User:${rule.principal}`, host: '*' },
  });
}

/** The agent reloads ACLs and the cluster configuration about every second (src/agent/acl.ts). */
export const ACL_PROPAGATION_MS = 1_300;

export async function enableAcls(cluster: TestCluster): Promise<void> {
  await api(cluster, '/api/v1/update_virtual_cluster_configuration', {
    virtual_cluster_id: cluster.boot.virtual_cluster_id,
    virtual_cluster_configuration: { are_acls_enabled: true },
  });
}

/** The next offset of `topic`/`partition` as the metadata store has it: what the agent committed, whatever any client says. */
export async function highWatermark(cluster: TestCluster, topic: string, partition = 0): Promise<number> {
  const store = cluster.platform.store;
  const found = await store.getTopic(cluster.boot.virtual_cluster_id, topic);
  assert.ok(found, `topic ${topic} does not exist`);
  return (await store.getPartitionState(found.id, partition))?.high_watermark ?? 0;
}

// --- the ACL scenario -----------------------------------------------------------------------

/**
 * Topics of the ACL scenario (one partition each, made through the Management API), and who may
 * do what:
 *   alice  WRITE+READ `orders` (LITERAL), WRITE `logs-` (PREFIXED), DENY WRITE `logs-audit`,
 *          READ groups `alice-` (PREFIXED)
 *   bob    WRITE+READ `*` topics, READ `*` groups, DENY WRITE `secret`
 *   reader a read-only credential with ALLOW ALL on `*` topics and groups: reads, never writes
 *   root   a cluster superuser (no ACL needed)
 */
export const ACL_TOPICS = ['orders', 'logs-app', 'logs-audit', 'secret', 'other', 'readable'] as const;
export type AclTopic = (typeof ACL_TOPICS)[number];
export type AclUser = 'alice' | 'bob' | 'reader';

/** Each produce of the scenario and whether the agent must take it (`ok`) or refuse it (`denied`). */
export const ACL_PRODUCE_CASES: Array<{ user: AclUser; topic: AclTopic; expect: 'ok' | 'denied'; why: string }> = [
  { user: 'alice', topic: 'orders', expect: 'ok', why: 'LITERAL ALLOW' },
  { user: 'alice', topic: 'logs-app', expect: 'ok', why: 'PREFIXED ALLOW' },
  { user: 'alice', topic: 'logs-audit', expect: 'denied', why: 'a LITERAL DENY beats the PREFIXED ALLOW' },
  { user: 'alice', topic: 'other', expect: 'denied', why: 'no ACL allows it' },
  { user: 'bob', topic: 'other', expect: 'ok', why: 'wildcard `*` ALLOW' },
  { user: 'bob', topic: 'logs-audit', expect: 'ok', why: "alice's DENY is hers alone" },
  { user: 'bob', topic: 'secret', expect: 'denied', why: 'a LITERAL DENY beats the wildcard ALLOW' },
  { user: 'reader', topic: 'readable', expect: 'denied', why: 'read-only credentials never write, whatever the ACLs allow' },
];

export interface SecurityCluster {
  cluster: TestCluster;
  root: Credential;
  alice: Credential;
  bob: Credential;
  reader: Credential;
  users: Record<AclUser, Credential>;
  /** Client settings for `credential` on this cluster (TLS too when it has TLS). */
  security(mechanism: Mechanism, credential: Pick<Credential, 'username' | 'password'>): ClientSecurity;
}

/**
 * A platform with SASL required and ACLs enabled, the ACL scenario's credentials, ACLs and topics
 * in place (and propagated to the agent). With `tls`, the listener speaks TLS with `pki`'s server
 * certificate (mutual TLS with `tls: 'mutual'`), and `security()` adds the client side of it.
 */
export async function startSecurityCluster(t: Cleanup, options: { pki?: Pki; tls?: 'server' | 'mutual' } = {}): Promise<SecurityCluster> {
  const { pki, tls } = options;
  assert.ok(!tls || pki, 'TLS needs certificates');
  const cluster = await startTestCluster(t, { SLIPSTREAM_REQUIRE_SASL: 'true', ...(tls ? tlsEnv(pki!, tls === 'mutual') : {}) });
  const [root, alice, bob, reader] = await Promise.all([
    createCredential(cluster, 'root', { superuser: true }),
    createCredential(cluster, 'alice'),
    createCredential(cluster, 'bob'),
    createCredential(cluster, 'reader', { readOnly: true }),
  ]);
  for (const topic of ACL_TOPICS) await createTopicViaApi(cluster, topic, 1);
  const rules: AclRule[] = [
    { principal: alice.username, resource_type: 'TOPIC', resource_name: 'orders', pattern_type: 'LITERAL', operation: 'WRITE', permission_type: 'ALLOW' },
    { principal: alice.username, resource_type: 'TOPIC', resource_name: 'orders', pattern_type: 'LITERAL', operation: 'READ', permission_type: 'ALLOW' },
    { principal: alice.username, resource_type: 'TOPIC', resource_name: 'logs-', pattern_type: 'PREFIXED', operation: 'WRITE', permission_type: 'ALLOW' },
    { principal: alice.username, resource_type: 'TOPIC', resource_name: 'logs-audit', pattern_type: 'LITERAL', operation: 'WRITE', permission_type: 'DENY' },
    { principal: alice.username, resource_type: 'GROUP', resource_name: 'alice-', pattern_type: 'PREFIXED', operation: 'READ', permission_type: 'ALLOW' },
    { principal: bob.username, resource_type: 'TOPIC', resource_name: '*', pattern_type: 'LITERAL', operation: 'WRITE', permission_type: 'ALLOW' },
    { principal: bob.username, resource_type: 'TOPIC', resource_name: '*', pattern_type: 'LITERAL', operation: 'READ', permission_type: 'ALLOW' },
    { principal: bob.username, resource_type: 'GROUP', resource_name: '*', pattern_type: 'LITERAL', operation: 'READ', permission_type: 'ALLOW' },
    { principal: bob.username, resource_type: 'TOPIC', resource_name: 'secret', pattern_type: 'LITERAL', operation: 'WRITE', permission_type: 'DENY' },
    { principal: reader.username, resource_type: 'TOPIC', resource_name: '*', pattern_type: 'LITERAL', operation: 'ALL', permission_type: 'ALLOW' },
    { principal: reader.username, resource_type: 'GROUP', resource_name: '*', pattern_type: 'LITERAL', operation: 'ALL', permission_type: 'ALLOW' },
  ];
  for (const rule of rules) await createAcl(cluster, rule);
  await enableAcls(cluster);
  await new Promise((resolve) => setTimeout(resolve, ACL_PROPAGATION_MS));
  const clientTls = tls ? { ca: pki!.caCert, ...(tls === 'mutual' ? { cert: pki!.clientCert, key: pki!.clientKey } : {}) } : undefined;
  return {
    cluster,
    root,
    alice,
    bob,
    reader,
    users: { alice, bob, reader },
    security: (mechanism, credential) => withSasl(mechanism, credential, clientTls),
  };
}

/**
 * A platform with TLS (mutual TLS with `mutual`) and no SASL: the listener's certificate checks
 * alone decide who gets in.
 */
export async function startTlsCluster(t: Cleanup, pki: Pki, mutual: boolean): Promise<TestCluster> {
  return startTestCluster(t, tlsEnv(pki, mutual));
}
