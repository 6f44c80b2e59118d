import { ApiKeys } from '../../kafka-protocol/index.ts';
import type {
  AlterShareGroupOffsetsRequest, DeleteShareGroupOffsetsRequest, DescribeShareGroupOffsetsRequest, ShareGroupDescribeRequest, ShareGroupHeartbeatRequest,
} from '../../kafka-protocol/index.ts';
import { NO_TOPIC_UUID, type GroupApi } from '../../agent-rpc/contract.ts';
import { KafkaError } from '../kafka-errors.ts';
import type { AclDecider } from '../acl.ts';
import { checkOf, kafkaApi, type Authorization, type KafkaApi } from '../authorize.ts';
import { passTo } from './groups.ts';
import { authorizeShareAcknowledge, authorizeShareFetch, handleShareAcknowledge, handleShareFetch } from './shares.ts';

/**
 * Share groups (KIP-932): membership and offsets are the coordinator's (control plane), passed
 * through like the consumer-group APIs; ShareFetch and ShareAcknowledge read and settle records
 * here (shares.ts).
 */
export function shareGroupApis(groups: GroupApi): Record<number, KafkaApi> {
  return {
    [ApiKeys.ShareGroupHeartbeat]: kafkaApi(passTo(groups, groups.shareGroupHeartbeat), authorizeShareGroupHeartbeat),
    [ApiKeys.ShareGroupDescribe]: kafkaApi(passTo(groups, groups.shareGroupDescribe), authorizeShareGroupDescribe),
    [ApiKeys.ShareFetch]: kafkaApi(handleShareFetch, authorizeShareFetch),
    [ApiKeys.ShareAcknowledge]: kafkaApi(handleShareAcknowledge, authorizeShareAcknowledge),
    [ApiKeys.DescribeShareGroupOffsets]: kafkaApi(passTo(groups, groups.describeShareGroupOffsets), authorizeDescribeShareGroupOffsets),
    [ApiKeys.AlterShareGroupOffsets]: kafkaApi(passTo(groups, groups.alterShareGroupOffsets), authorizeAlterShareGroupOffsets),
    [ApiKeys.DeleteShareGroupOffsets]: kafkaApi(passTo(groups, groups.deleteShareGroupOffsets), authorizeDeleteShareGroupOffsets),
  };
}

const DENIED = KafkaError.GROUP_AUTHORIZATION_FAILED;
const HEARTBEAT = checkOf('ShareGroupHeartbeat', 'group', 'always');
const DESCRIBE = checkOf('ShareGroupDescribe', 'group', 'always');
const DESCRIBE_OFFSETS = checkOf('DescribeShareGroupOffsets', 'group', 'always');
const DESCRIBE_OFFSETS_TOPIC = checkOf('DescribeShareGroupOffsets', 'topic', 'always');

/** ShareGroupHeartbeat under ACLs: READ on the group. */
function authorizeShareGroupHeartbeat(acls: AclDecider, request: ShareGroupHeartbeatRequest): Authorization<ShareGroupHeartbeatRequest> {
  if (acls.allows(HEARTBEAT, request.groupId)) return { request };
  return { answer: { throttleTimeMs: 0, errorCode: DENIED, errorMessage: null, memberId: null, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null } };
}

/** ShareGroupDescribe under ACLs: DESCRIBE on each group. */
function authorizeShareGroupDescribe(acls: AclDecider, request: ShareGroupDescribeRequest): Authorization<ShareGroupDescribeRequest> {
  return {
    request,
    narrow: (answer) => ({
      ...answer,
      groups: answer.groups.map((g: { groupId: string }) => acls.allows(DESCRIBE, g.groupId) ? g : {
        errorCode: DENIED, errorMessage: null, groupId: g.groupId, groupState: '', groupEpoch: -1, assignmentEpoch: -1, assignorName: '', members: [], authorizedOperations: -2147483648,
      }),
    }),
  };
}

/** DescribeShareGroupOffsets under ACLs: DESCRIBE on each group; topics the principal may not describe are left out. */
function authorizeDescribeShareGroupOffsets(acls: AclDecider, request: DescribeShareGroupOffsetsRequest): Authorization<DescribeShareGroupOffsetsRequest> {
  return {
    request,
    narrow: (answer) => ({
      ...answer,
      groups: answer.groups.map((g: { groupId: string; topics: Array<{ topicName: string }> }) => acls.allows(DESCRIBE_OFFSETS, g.groupId)
        ? { ...g, topics: g.topics.filter((t) => acls.allows(DESCRIBE_OFFSETS_TOPIC, t.topicName)) }
        : { groupId: g.groupId, topics: [], errorCode: DENIED, errorMessage: null }),
    }),
  };
}

type OffsetsRequest = { groupId: string; topics: Array<{ topicName: string }> };

/**
 * AlterShareGroupOffsets and DeleteShareGroupOffsets under ACLs: the group's check refuses the
 * whole request; a topic without READ answers `refusal` and is not changed.
 */
function authorizeOffsetsChange<Request extends OffsetsRequest>(api: 'AlterShareGroupOffsets' | 'DeleteShareGroupOffsets', refusal: (t: Request['topics'][number]) => object) {
  const group = checkOf(api, 'group', 'always');
  const topic = checkOf(api, 'topic', 'always');
  return (acls: AclDecider, request: Request): Authorization<Request> => {
    if (!acls.allows(group, request.groupId)) return { answer: { throttleTimeMs: 0, errorCode: DENIED, errorMessage: null, responses: [] } };
    const refused = request.topics.filter((t) => !acls.allows(topic, t.topicName));
    if (refused.length === 0) return { request };
    return {
      request: { ...request, topics: request.topics.filter((t) => !refused.includes(t)) },
      narrow: (answer) => ({ ...answer, responses: [...answer.responses, ...refused.map(refusal)] }),
    };
  };
}

/** READ on the group and on each topic. */
const authorizeAlterShareGroupOffsets = authorizeOffsetsChange<AlterShareGroupOffsetsRequest>('AlterShareGroupOffsets', (t) => ({
  topicName: t.topicName, topicId: NO_TOPIC_UUID,
  partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED, errorMessage: null })),
}));

/** DELETE on the group, READ on each topic. */
const authorizeDeleteShareGroupOffsets = authorizeOffsetsChange<DeleteShareGroupOffsetsRequest>('DeleteShareGroupOffsets', (t) => ({
  topicName: t.topicName, topicId: NO_TOPIC_UUID, errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED, errorMessage: null,
}));
