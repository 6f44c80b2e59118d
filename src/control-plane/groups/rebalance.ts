/**
 * The rebalance state machine (Empty → PreparingRebalance → CompletingRebalance → Stable) and
 * the timers that drive it besides requests: the join phase's end, the initial delay, the
 * SyncGroup deadline, session expiry and pending member ids. Member removal lives here too,
 * since removing a member is what most often moves a group to another state.
 *
 * Timers are unref'd so they never keep a process alive on their own (the agent's listening
 * socket does); `close()` clears them and answers whatever still waits.
 */
import { KafkaError } from '../../kafka-protocol/error-codes.ts';
import { EMPTY, type Group, type Member } from './group.ts';
import type { GroupRegistry } from './registry.ts';
import { answerJoin, answerJoinWithGeneration, syncError } from './responses.ts';

/** Node clamps longer timeouts to 1 ms; int32 rebalance timeouts stay below this. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface RebalanceTimeouts {
  /** Kafka's group.initial.rebalance.delay.ms. */
  initialRebalanceDelayMs: number;
  /** Kafka's 5 minutes of KIP-394 for a member that joined but never completed a join phase. */
  newMemberJoinTimeoutMs: number;
}

/** An unref'd timer, its delay clamped to what Node honours. */
export function timer(ms: number, fn: () => void): NodeJS.Timeout {
  const timeout = setTimeout(fn, Math.min(Math.max(ms, 0), MAX_TIMER_MS));
  timeout.unref();
  return timeout;
}

export class Rebalancer {
  private readonly groups: GroupRegistry;
  private readonly timeouts: RebalanceTimeouts;

  constructor(groups: GroupRegistry, timeouts: RebalanceTimeouts) {
    this.groups = groups;
    this.timeouts = timeouts;
  }

  /** Clears every timer and answers every waiting JoinGroup/SyncGroup with NOT_COORDINATOR (clients look the coordinator up again). */
  close(): void {
    this.groups.closed = true;
    for (const group of this.groups.all()) this.unload(group, KafkaError.NOT_COORDINATOR);
    this.groups.clear();
  }

  maybePrepareRebalance(group: Group): void {
    if (group.state === 'Stable' || group.state === 'CompletingRebalance' || group.state === 'Empty') this.prepareRebalance(group);
  }

  prepareRebalance(group: Group): void {
    // Members waiting for an assignment of the generation being abandoned must rejoin.
    if (group.state === 'CompletingRebalance') this.resetAssignments(group, KafkaError.REBALANCE_IN_PROGRESS);
    clearTimer(group, 'syncTimer');
    clearTimer(group, 'joinTimer');
    const wasEmpty = group.state === 'Empty';
    group.state = 'PreparingRebalance';
    if (wasEmpty) {
      const delay = this.timeouts.initialRebalanceDelayMs;
      this.scheduleInitialJoin(group, delay, Math.max(group.rebalanceTimeoutMs - delay, 0));
    } else {
      // The join phase ends when every member rejoined, or at the rebalance timeout without the rest.
      group.joinTimer = timer(group.rebalanceTimeoutMs, () => this.completeJoin(group));
      this.tryCompleteJoin(group);
    }
  }

  /**
   * A new group waits `initialRebalanceDelayMs` so that consumers starting together land in one
   * generation instead of one rebalance each; every new joiner extends the wait by that much
   * again, never past the rebalance timeout (Kafka's InitialDelayedJoin). With no delay the
   * phase still ends on a zero timer, so joins of the same tick share a generation.
   */
  private scheduleInitialJoin(group: Group, delayMs: number, remainingMs: number): void {
    group.inInitialDelay = true;
    group.joinTimer = timer(delayMs, () => {
      group.joinTimer = null;
      if (group.state !== 'PreparingRebalance') return;
      if (group.newMemberAdded && remainingMs > 0 && delayMs > 0) {
        group.newMemberAdded = false;
        this.scheduleInitialJoin(group, Math.min(this.timeouts.initialRebalanceDelayMs, remainingMs), Math.max(remainingMs - delayMs, 0));
        return;
      }
      group.inInitialDelay = false;
      this.completeJoin(group);
    });
  }

  tryCompleteJoin(group: Group): void {
    if (group.state === 'PreparingRebalance' && !group.inInitialDelay && group.hasAllMembersJoined()) this.completeJoin(group);
  }

  private completeJoin(group: Group): void {
    clearTimer(group, 'joinTimer');
    group.inInitialDelay = false;
    if (group.state !== 'PreparingRebalance') return;
    // Dynamic members that did not rejoin in time are gone; static ones keep their place (that
    // is what static membership is for) until their session expires.
    for (const member of [...group.members.values()]) {
      if (!member.awaitingJoin && member.groupInstanceId === null) this.removeMember(group, member);
    }
    if (!electJoinedLeader(group) && group.members.size > 0) {
      // Only static members that did not rejoin are left: wait for them (or their session expiry).
      group.joinTimer = timer(group.rebalanceTimeoutMs, () => this.completeJoin(group));
      return;
    }

    group.generationId += 1;
    group.pendingSyncMembers.clear();
    if (group.members.size === 0) {
      group.protocolName = null;
      group.subscribedTopics = null;
      group.state = 'Empty';
      return;
    }
    group.protocolName = group.selectProtocol();
    group.subscribedTopics = group.computeSubscribedTopics();
    group.state = 'CompletingRebalance';
    for (const member of group.members.values()) {
      const waiter = member.awaitingJoin;
      member.awaitingJoin = null;
      if (waiter) answerJoinWithGeneration(group, member, waiter);
      member.isNew = false;
      this.scheduleHeartbeat(group, member);
      group.pendingSyncMembers.add(member.memberId);
    }
    // Every member must send SyncGroup within the rebalance timeout, or it is removed.
    const generation = group.generationId;
    group.syncTimer = timer(group.rebalanceTimeoutMs, () => this.expirePendingSync(group, generation));
  }

  private expirePendingSync(group: Group, generation: number): void {
    group.syncTimer = null;
    if (generation !== group.generationId) return;
    if (group.state !== 'CompletingRebalance' && group.state !== 'Stable') return;
    if (group.pendingSyncMembers.size === 0) return;
    for (const memberId of [...group.pendingSyncMembers]) {
      const member = group.members.get(memberId);
      if (member) this.removeMember(group, member);
    }
    this.prepareRebalance(group);
  }

  /** Ends the wait of every member waiting for an assignment, with `errorCode`, and forgets the assignments. */
  private resetAssignments(group: Group, errorCode: number): void {
    for (const member of group.members.values()) {
      member.assignment = EMPTY;
      const waiter = member.awaitingSync;
      member.awaitingSync = null;
      if (waiter) {
        waiter(syncError(errorCode));
        this.scheduleHeartbeat(group, member);
      }
    }
  }

  /** Session timers: a member that neither heartbeats nor waits in a join or sync is removed. */
  scheduleHeartbeat(group: Group, member: Member): void {
    if (member.heartbeatTimer) clearTimeout(member.heartbeatTimer);
    if (this.groups.closed) return;
    const timeout = member.isNew ? this.timeouts.newMemberJoinTimeoutMs : member.sessionTimeoutMs;
    member.heartbeatTimer = timer(timeout, () => this.expireHeartbeat(group, member));
  }

  private expireHeartbeat(group: Group, member: Member): void {
    member.heartbeatTimer = null;
    if (group.state === 'Dead' || group.members.get(member.memberId) !== member) return;
    // A JoinGroup or SyncGroup in flight is the member's heartbeat (Kafka's hasSatisfiedHeartbeat);
    // a new member waiting longer than the new-member timeout is dropped regardless.
    if (!member.isNew && (member.awaitingJoin || member.awaitingSync)) return this.scheduleHeartbeat(group, member);
    this.removeMemberAndUpdateGroup(group, member);
  }

  expirePendingMember(group: Group, memberId: string): void {
    if (!group.pendingMembers.delete(memberId)) return;
    if (group.state === 'PreparingRebalance') this.tryCompleteJoin(group);
    this.groups.forgetIfUnused(group);
  }

  /** Removes a member and reacts as Kafka does: a rebalance, or a join phase that may now be complete. */
  removeMemberAndUpdateGroup(group: Group, member: Member): void {
    this.removeMember(group, member);
    switch (group.state) {
      case 'Stable':
      case 'CompletingRebalance':
        return this.maybePrepareRebalance(group);
      case 'PreparingRebalance':
        return this.tryCompleteJoin(group);
      default:
        return;
    }
  }

  private removeMember(group: Group, member: Member): void {
    // A removed member still waiting is told to start over with a fresh id.
    if (member.awaitingJoin) answerJoin(member.awaitingJoin, { errorCode: KafkaError.UNKNOWN_MEMBER_ID, memberId: '' });
    member.awaitingJoin = null;
    if (member.awaitingSync) member.awaitingSync(syncError(KafkaError.UNKNOWN_MEMBER_ID));
    member.awaitingSync = null;
    if (member.heartbeatTimer) clearTimeout(member.heartbeatTimer);
    member.heartbeatTimer = null;
    group.members.delete(member.memberId);
    if (member.groupInstanceId !== null && group.staticMembers.get(member.groupInstanceId) === member.memberId) {
      group.staticMembers.delete(member.groupInstanceId);
    }
    group.pendingSyncMembers.delete(member.memberId);
    if (group.leaderId === member.memberId) group.leaderId = group.members.keys().next().value ?? null;
  }

  /** Takes a group out of this coordinator: timers cleared, waiters answered with `errorCode`, state Dead. */
  unload(group: Group, errorCode: number): void {
    clearTimer(group, 'joinTimer');
    clearTimer(group, 'syncTimer');
    for (const pending of group.pendingMembers.values()) clearTimeout(pending);
    group.pendingMembers.clear();
    for (const member of group.members.values()) {
      if (member.heartbeatTimer) clearTimeout(member.heartbeatTimer);
      member.heartbeatTimer = null;
      if (member.awaitingJoin) answerJoin(member.awaitingJoin, { errorCode, memberId: member.memberId });
      member.awaitingJoin = null;
      if (member.awaitingSync) member.awaitingSync(syncError(errorCode));
      member.awaitingSync = null;
    }
    group.state = 'Dead';
    this.groups.remove(group);
  }
}

/** The leader must be a member that rejoined; keep the current one if it did. */
function electJoinedLeader(group: Group): boolean {
  if (group.leaderId === null) return false;
  if (group.members.get(group.leaderId)?.awaitingJoin) return true;
  for (const member of group.members.values()) {
    if (member.awaitingJoin) {
      group.leaderId = member.memberId;
      return true;
    }
  }
  return false;
}

function clearTimer(group: Group, which: 'joinTimer' | 'syncTimer'): void {
  const pending = group[which];
  if (pending) clearTimeout(pending);
  group[which] = null;
}
