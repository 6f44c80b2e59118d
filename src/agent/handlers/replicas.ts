import type { BodyInput } from '../../kafka-protocol/codec.ts';
import type {
  AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse, DescribeLogDirsRequest, DescribeLogDirsResponse,
  ElectLeadersRequest, ElectLeadersResponse, ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse,
} from '../../kafka-protocol/index.ts';
import type { Topic } from '../../model/records.ts';
import type { RequestContext } from '../connection.ts';
import type { AgentContext } from '../context.ts';
import { KafkaError } from '../kafka-errors.ts';
import type { AclDecider } from '../acl.ts';
import { checkOf, type Authorization } from '../authorize.ts';

/**
 * The replica-management APIs, answered for a leaderless cluster. A partition's data is in
 * object storage and every agent serves every partition, so there is one "log dir" (the
 * bucket), no replica to move and no leader to elect: DescribeLogDirs reports each partition's
 * stored bytes, ElectLeaders says no election is needed, a reassignment is refused as
 * meaningless (INVALID_REPLICA_ASSIGNMENT, with the reason) and none is ever in progress.
 * Admin tools (kafka-log-dirs.sh, kafka-leader-election.sh, kafka-reassign-partitions.sh,
 * AdminClient) get a clear answer instead of a timeout.
 */

/** What DescribeLogDirs names the one place partitions live. */
export const OBJECT_STORAGE_LOG_DIR = 'object-storage';

async function partitionsOf(agent: AgentContext, wanted: ReadonlyArray<{ topic: string; partitions: number[] }> | null): Promise<Array<{ name: string; topic: Topic | undefined; partitions: number[] }>> {
  const topics = await agent.controlPlane.listTopics(agent.cluster.id);
  if (wanted === null) return topics.map((topic) => ({ name: topic.name, topic, partitions: Array.from({ length: topic.partition_count }, (_, i) => i) }));
  return wanted.map((w) => ({ name: w.topic, topic: topics.find((t) => t.name === w.topic), partitions: w.partitions }));
}

const exists = (topic: Topic | undefined, partition: number) => topic !== undefined && partition >= 0 && partition < topic.partition_count;

/** DescribeLogDirs: the one log dir, with the bytes each existing partition asked about holds. Unknown partitions are left out, as Kafka does. */
export async function handleDescribeLogDirs(agent: AgentContext, request: DescribeLogDirsRequest): Promise<BodyInput<DescribeLogDirsResponse>> {
  const topics = [];
  for (const { name, topic, partitions } of await partitionsOf(agent, request.topics)) {
    if (!topic) continue;
    const sizes = new Map((await agent.controlPlane.partitionSizes(agent.cluster.id, topic.id)).map((s) => [s.partition, s.bytes]));
    const known = partitions.filter((p) => exists(topic, p));
    if (known.length === 0) continue;
    topics.push({ name, partitions: known.map((partitionIndex) => ({ partitionIndex, partitionSize: BigInt(sizes.get(partitionIndex) ?? 0), offsetLag: 0n, isFutureKey: false })) });
  }
  // Object storage has no meaningful total or free space: -1, Kafka's "unknown".
  return { throttleTimeMs: 0, errorCode: KafkaError.NONE, results: [{ errorCode: KafkaError.NONE, logDir: OBJECT_STORAGE_LOG_DIR, topics, totalBytes: -1n, usableBytes: -1n }] };
}

/** ElectLeaders: every partition already has the leader it would get (ELECTION_NOT_NEEDED); asking for all partitions answers none, as Kafka does when no election ran. */
export async function handleElectLeaders(agent: AgentContext, request: ElectLeadersRequest): Promise<BodyInput<ElectLeadersResponse>> {
  if (request.topicPartitions === null) return { throttleTimeMs: 0, errorCode: KafkaError.NONE, replicaElectionResults: [] };
  const replicaElectionResults = (await partitionsOf(agent, request.topicPartitions)).map(({ name, topic, partitions }) => ({
    topic: name,
    partitionResult: partitions.map((partitionId) => exists(topic, partitionId)
      ? { partitionId, errorCode: KafkaError.ELECTION_NOT_NEEDED, errorMessage: 'every agent leads every partition: there is no leader to elect' }
      : { partitionId, errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null }),
  }));
  return { throttleTimeMs: 0, errorCode: KafkaError.NONE, replicaElectionResults };
}

/** AlterPartitionReassignments: nothing to move (INVALID_REPLICA_ASSIGNMENT); cancelling one (null replicas) finds none in progress. */
export async function handleAlterPartitionReassignments(agent: AgentContext, request: AlterPartitionReassignmentsRequest): Promise<BodyInput<AlterPartitionReassignmentsResponse>> {
  const topics = await agent.controlPlane.listTopics(agent.cluster.id);
  const responses = request.topics.map((t) => {
    const topic = topics.find((candidate) => candidate.name === t.name);
    return {
      name: t.name,
      partitions: t.partitions.map((p) => {
        if (!exists(topic, p.partitionIndex)) return { partitionIndex: p.partitionIndex, errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null };
        if (p.replicas === null) return { partitionIndex: p.partitionIndex, errorCode: KafkaError.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: null };
        return {
          partitionIndex: p.partitionIndex,
          errorCode: KafkaError.INVALID_REPLICA_ASSIGNMENT,
          errorMessage: 'partitions have no replicas to move: their data is in object storage and every agent serves every partition',
        };
      }),
    };
  });
  return { throttleTimeMs: 0, errorCode: KafkaError.NONE, errorMessage: null, responses };
}

/** ListPartitionReassignments: none is ever in progress. */
export async function handleListPartitionReassignments(_agent: AgentContext, _request: ListPartitionReassignmentsRequest): Promise<BodyInput<ListPartitionReassignmentsResponse>> {
  return { throttleTimeMs: 0, errorCode: KafkaError.NONE, errorMessage: null, topics: [] };
}

const CLUSTER_DENIED = KafkaError.CLUSTER_AUTHORIZATION_FAILED;
const DESCRIBE_LOG_DIRS = checkOf('DescribeLogDirs', 'cluster', 'always');
const ELECT = checkOf('ElectLeaders', 'cluster', 'always');
const REASSIGN = checkOf('AlterPartitionReassignments', 'cluster', 'always');
const LIST_REASSIGNMENTS = checkOf('ListPartitionReassignments', 'cluster', 'always');

/** DescribeLogDirs under ACLs: DESCRIBE on the cluster (v3+ answer the refusal at the top; older ones with no log dirs). */
export function authorizeDescribeLogDirs(acls: AclDecider, request: DescribeLogDirsRequest, context: RequestContext): Authorization<DescribeLogDirsRequest> {
  if (acls.allows(DESCRIBE_LOG_DIRS)) return { request };
  return { answer: { throttleTimeMs: 0, errorCode: context.apiVersion >= 3 ? CLUSTER_DENIED : KafkaError.NONE, results: [] } };
}

/** ElectLeaders under ACLs: ALTER on the cluster, refusing every partition asked about. */
export function authorizeElectLeaders(acls: AclDecider, request: ElectLeadersRequest): Authorization<ElectLeadersRequest> {
  if (acls.allows(ELECT)) return { request };
  return {
    answer: {
      throttleTimeMs: 0, errorCode: CLUSTER_DENIED,
      replicaElectionResults: (request.topicPartitions ?? []).map((t) => ({
        topic: t.topic, partitionResult: t.partitions.map((partitionId) => ({ partitionId, errorCode: CLUSTER_DENIED, errorMessage: null })),
      })),
    },
  };
}

/** AlterPartitionReassignments under ACLs: ALTER on the cluster. */
export function authorizeAlterPartitionReassignments(acls: AclDecider, request: AlterPartitionReassignmentsRequest): Authorization<AlterPartitionReassignmentsRequest> {
  if (acls.allows(REASSIGN)) return { request };
  return { answer: { throttleTimeMs: 0, errorCode: CLUSTER_DENIED, errorMessage: null, responses: [] } };
}

/** ListPartitionReassignments under ACLs: DESCRIBE on the cluster. */
export function authorizeListPartitionReassignments(acls: AclDecider, request: ListPartitionReassignmentsRequest): Authorization<ListPartitionReassignmentsRequest> {
  if (acls.allows(LIST_REASSIGNMENTS)) return { request };
  return { answer: { throttleTimeMs: 0, errorCode: CLUSTER_DENIED, errorMessage: null, topics: [] } };
}
