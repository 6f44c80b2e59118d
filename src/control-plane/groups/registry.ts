/**
 * The groups this process coordinates, per (virtual cluster, group id). Membership lives only
 * here, in memory: this process is the coordinator of every group it is asked about.
 */
import { Group } from './group.ts';

export class GroupRegistry {
  /** virtual cluster id → group id → group. */
  private readonly clusters = new Map<string, Map<string, Group>>();
  /** Set by the coordinator's close(): from then on every group request answers NOT_COORDINATOR. */
  closed = false;

  get(virtualClusterId: string, groupId: string): Group | undefined {
    return this.clusters.get(virtualClusterId)?.get(groupId);
  }

  /** A new, Empty group under that id. */
  create(virtualClusterId: string, groupId: string): Group {
    const group = new Group(virtualClusterId, groupId);
    let groups = this.clusters.get(virtualClusterId);
    if (!groups) {
      groups = new Map();
      this.clusters.set(virtualClusterId, groups);
    }
    groups.set(groupId, group);
    return group;
  }

  /** The groups of one cluster, in creation order. */
  of(virtualClusterId: string): Iterable<Group> {
    return this.clusters.get(virtualClusterId)?.values() ?? [];
  }

  /** Every group of every cluster, as a list (removing groups while going through it is safe). */
  all(): Group[] {
    return [...this.clusters.values()].flatMap((groups) => [...groups.values()]);
  }

  remove(group: Group): void {
    const groups = this.clusters.get(group.virtualClusterId);
    if (groups?.get(group.groupId) !== group) return;
    groups.delete(group.groupId);
    if (groups.size === 0) this.clusters.delete(group.virtualClusterId);
  }

  /**
   * A group that never formed a generation and has nobody in it (a failed first JoinGroup, an
   * expired MEMBER_ID_REQUIRED id) is dropped, so stray requests do not accumulate groups.
   */
  forgetIfUnused(group: Group): void {
    if (group.state === 'Empty' && group.generationId === 0 && group.members.size === 0 && group.pendingMembers.size === 0) {
      this.remove(group);
    }
  }

  clear(): void {
    this.clusters.clear();
  }
}
