/** What the GroupCoordinator suites of test/groups/ share: a client that drives groups one request at a time, and fixtures. */
import { after, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testAccount, testWorkspace, type StoreKind } from './stores.ts';
import { GroupCoordinator, type GroupCoordinatorOptions } from '../../src/control-plane/groups/coordinator.ts';
import { KafkaError } from '../../src/kafka-protocol/error-codes.ts';
import { encodeAssignment, encodeSubscription } from '../../src/control-plane/groups/consumer-protocol.ts';
import type {
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupRequestProtocol,
  JoinGroupResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  SyncGroupRequestAssignment,
  SyncGroupResponse,
} from '../../src/kafka-protocol/messages.generated.ts';
import type { MetadataStore, VirtualCluster } from '../../src/metadata/store.ts';

/**
 * The coordinator's timers are unref'd (the agent's socket keeps its process alive); in a test
 * a long-polling JoinGroup would otherwise let the process run out of work and exit. Called
 * once at the top of each test file.
 */
export function keepAliveUntilTestsEnd(): void {
  const keepAlive = setInterval(() => undefined, 1 << 30);
  after(() => clearInterval(keepAlive));
}

export const E = KafkaError;
export const MEMBER_ID = /^[\w.-]+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const who = (clientId: string) => ({ clientId, clientHost: '/10.0.0.1' });
export const sub = (...topics: string[]): JoinGroupRequestProtocol[] => [{ name: 'range', metadata: encodeSubscription(topics) }];
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Each test takes well under a second; a JoinGroup or SyncGroup left unanswered fails it instead of hanging. */
export const test = (name: string, fn: (t: TestContext) => Promise<void>) => it(name, { timeout: 2_000 }, fn);

/** A pending promise's state without waiting for it. */
export async function settled<T>(promise: Promise<T>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await sleep(5);
  return done;
}

export function joinRequest(fields: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId: 'g',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 5_000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: sub('orders'),
    reason: null,
    ...fields,
  };
}

/** A cluster of its own per test (offsets are per cluster), with live topics orders (3) and payments (2), and a deleted one. */
export async function newCluster(store: MetadataStore): Promise<string> {
  const vc = `vci_${randomBytes(6).toString('hex')}`;
  // Only the columns every version of the schema has; the cast keeps this fixture independent of
  // fields other work adds to VirtualCluster (the database supplies their defaults).
  await store.insertVirtualCluster({
    id: vc,
    workspace_id: 'wi_groups',
    name: `vcn_${vc}`,
    type: 'byoc',
    region: 'us-east-1',
    cloud_provider: 'aws',
    tier: 'dev',
    agent_pool_id: `apid_${vc}`,
    agent_pool_name: `apn_${vc}`,
    created_at: 1_700_000_000_000,
  } as unknown as VirtualCluster);
  const topic = (name: string, partition_count: number, deleted_at: number | null = null) =>
    store.insertTopic({ id: `ti_${vc}_${name}`, virtual_cluster_id: vc, name, partition_count, configs: {}, created_at: 1, deleted_at });
  await topic('orders', 3);
  await topic('payments', 2);
  await topic('gone', 4, 1_700_000_000_500);
  return vc;
}

/** Drives groups the way a Kafka client does; every call is one request. */
export class Client {
  readonly coordinator: GroupCoordinator;
  readonly vc: string;
  readonly clientId: string;
  readonly groupId: string;
  memberId = '';
  generationId = -1;
  constructor(coordinator: GroupCoordinator, vc: string, clientId: string, groupId = 'g') {
    this.coordinator = coordinator;
    this.vc = vc;
    this.clientId = clientId;
    this.groupId = groupId;
  }

  join(fields: Partial<JoinGroupRequest> = {}, version = 9): Promise<JoinGroupResponse> {
    return this.coordinator
      .joinGroup(this.vc, joinRequest({ groupId: this.groupId, memberId: this.memberId, ...fields }), version, who(this.clientId))
      .then((response) => {
        if (response.errorCode === E.NONE || response.errorCode === E.MEMBER_ID_REQUIRED) this.memberId = response.memberId;
        if (response.errorCode === E.NONE) this.generationId = response.generationId;
        return response;
      });
  }

  /** v4+ first contact: MEMBER_ID_REQUIRED hands out the id to join with. */
  async getMemberId(): Promise<string> {
    const response = await this.join();
    assert.equal(response.errorCode, E.MEMBER_ID_REQUIRED);
    return this.memberId;
  }

  sync(assignments: SyncGroupRequestAssignment[] = [], fields: { generationId?: number; groupInstanceId?: string | null; protocolName?: string | null } = {}, version = 5): Promise<SyncGroupResponse> {
    return this.coordinator.syncGroup(
      this.vc,
      {
        groupId: this.groupId,
        generationId: fields.generationId ?? this.generationId,
        memberId: this.memberId,
        groupInstanceId: fields.groupInstanceId ?? null,
        protocolType: 'consumer',
        protocolName: fields.protocolName ?? 'range',
        assignments,
      },
      version,
      who(this.clientId),
    );
  }

  heartbeat(fields: { generationId?: number; groupInstanceId?: string | null; memberId?: string } = {}): Promise<HeartbeatResponse> {
    return this.coordinator.heartbeat(
      this.vc,
      { groupId: this.groupId, generationId: fields.generationId ?? this.generationId, memberId: fields.memberId ?? this.memberId, groupInstanceId: fields.groupInstanceId ?? null },
      4,
      who(this.clientId),
    );
  }

  commit(topics: OffsetCommitRequest['topics'], fields: { generationId?: number; memberId?: string } = {}, version = 8): Promise<OffsetCommitResponse> {
    return this.coordinator.offsetCommit(
      this.vc,
      {
        groupId: this.groupId,
        generationIdOrMemberEpoch: fields.generationId ?? this.generationId,
        memberId: fields.memberId ?? this.memberId,
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics,
      },
      version,
      who(this.clientId),
    );
  }
}

export const partition = (partitionIndex: number, committedOffset: number, committedMetadata: string | null = null) => ({
  partitionIndex,
  committedOffset: BigInt(committedOffset),
  committedLeaderEpoch: -1,
  commitTimestamp: -1n,
  committedMetadata,
});

/** Joins `clients` (dynamic, v9) into one generation; the first is the leader and assigns `orders` partitions round-robin. */
export async function formGroup(clients: Client[]): Promise<{ generationId: number; leader: string; assignments: Buffer[] }> {
  for (const client of clients) if (client.memberId === '') await client.getMemberId();
  const joins = await Promise.all(clients.map((c) => c.join()));
  for (const join of joins) assert.equal(join.errorCode, E.NONE);
  const leader = joins[0]!.leader;
  const assignments = clients.map((_, i) => encodeAssignment([{ topic: 'orders', partitions: [0, 1, 2].filter((p) => p % clients.length === i) }]));
  const leaderClient = clients.find((c) => c.memberId === leader)!;
  const syncs = await Promise.all(
    clients.map((c) => (c === leaderClient ? c.sync(clients.map((m, i) => ({ memberId: m.memberId, assignment: assignments[i]! }))) : c.sync())),
  );
  syncs.forEach((s, i) => {
    assert.equal(s.errorCode, E.NONE);
    assert.deepEqual(s.assignment, assignments[i]);
  });
  return { generationId: joins[0]!.generationId, leader, assignments };
}

/** A store for one suite, with the account and workspace every test cluster belongs to. */
export async function openGroupsStore(kind: StoreKind): Promise<MetadataStore> {
  const store = await kind.open();
  await store.insertAccount(testAccount('acc_groups'));
  await store.insertWorkspace(testWorkspace('wi_groups', 'acc_groups', 'groups'));
  return store;
}

/** A coordinator closed with the test, a cluster of its own, and clients of it. */
export async function setupCoordinator(store: MetadataStore, t: TestContext, options: GroupCoordinatorOptions = {}) {
  const coordinator = new GroupCoordinator(store, { now: () => 1_700_000_123_000, ...options });
  t.after(() => coordinator.close());
  const vc = await newCluster(store);
  const client = (clientId: string, groupId = 'g') => new Client(coordinator, vc, clientId, groupId);
  return { coordinator, vc, client };
}
