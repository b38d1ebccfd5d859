/**
 * Which policies an entity holds (shared/spec/controls.md "entitlement"): every policy attached to
 * it, or to an identity group it belongs to directly or through parent groups. Vault applies a
 * parent group's policies to the members of its subgroups (api-docs/secret/identity/group.mdx
 * `member_group_ids`); a group's parents are its `parent_group_ids` (Vault 0.10.2+) and, for servers
 * that do not send them, the groups that list it in `member_group_ids`.
 */
import type { ParsedEntity, ParsedGroup } from './vault-identity.parser';
import { groupPoliciesApply, qualify, type GroupPolicyApplicationMode } from './vault-namespace';

/**
 * Why an entity holds a policy: attached to it, or to a group it is in (`path`: direct group
 * first; `namespace`: the group's, when not the base).
 */
export type Grant =
  | { source: 'entity' }
  | { source: 'group'; groupId: string; groupName: string; path: string[]; namespace?: string };

export interface HeldPolicy {
  /** The policy name, with its namespace in front when it is not the base's (`team-a/prod-db`). */
  policy: string;
  /** The group granting it (namespace-qualified the same way); undefined when attached to the entity itself. */
  via?: string;
  /** Every source, the entity first, then groups nearest first. */
  grants: Grant[];
}

/** The groups of an entity, nearest first, with the chain of group names that leads to each. */
interface Reached {
  group: ParsedGroup;
  path: string[];
}

export class GroupGraph {
  private readonly byId: ReadonlyMap<string, ParsedGroup>;
  private readonly parents = new Map<string, Set<string>>();
  private readonly entityGroups = new Map<string, ParsedGroup[]>();

  constructor(groups: Iterable<ParsedGroup>) {
    const byId = new Map<string, ParsedGroup>();
    for (const group of groups) byId.set(group.id, group);
    this.byId = byId;
    for (const group of byId.values()) {
      for (const parent of group.parentGroupIds) this.addParent(group.id, parent);
      for (const child of group.memberGroupIds) this.addParent(child, group.id);
      for (const entityId of group.memberEntityIds) {
        const list = this.entityGroups.get(entityId) ?? [];
        list.push(group);
        this.entityGroups.set(entityId, list);
      }
    }
  }

  /**
   * The groups an entity is in, breadth first from its direct groups (by name within a level), each
   * once: a cycle (which Vault refuses to create, but a hand-edited storage might hold) ends there.
   * Groups referred to but not read (a failed read, already a problem) are skipped.
   */
  groupsOf(entityId: string): Reached[] {
    const reached: Reached[] = [];
    const seen = new Set<string>();
    let level: Reached[] = byName(this.entityGroups.get(entityId) ?? []).map((group) => ({
      group,
      path: [group.name],
    }));
    for (const item of level) seen.add(item.group.id);
    while (level.length > 0) {
      reached.push(...level);
      const next: Reached[] = [];
      for (const { group, path } of level) {
        const parents = [...(this.parents.get(group.id) ?? [])]
          .map((id) => this.byId.get(id))
          .filter((parent): parent is ParsedGroup => parent !== undefined);
        for (const parent of byName(parents)) {
          if (seen.has(parent.id)) continue;
          seen.add(parent.id);
          next.push({ group: parent, path: [...path, parent.name] });
        }
      }
      level = next;
    }
    return reached;
  }

  private addParent(child: string, parent: string): void {
    if (child === parent) return;
    const set = this.parents.get(child) ?? new Set<string>();
    set.add(parent);
    this.parents.set(child, set);
  }
}

/**
 * The policies an entity holds, by policy name. A policy attached to the entity is direct (no
 * `via`) even when a group grants it too; otherwise `via` is the nearest granting group (ties: the
 * first by name), and `grants` lists them all. Policies live in a namespace: an entity's own are
 * those of its namespace, a group's those of the group's; a group of another namespace grants its
 * policies to the member only as `mode` says (Vault's default: the member is in the group's
 * namespace or below it).
 */
export function policiesHeld(
  entity: ParsedEntity,
  graph: GroupGraph,
  mode: GroupPolicyApplicationMode = 'within_namespace_hierarchy',
): HeldPolicy[] {
  const held = new Map<string, HeldPolicy>();
  for (const own of entity.policies) {
    const policy = qualify(entity.namespace, own);
    held.set(policy, { policy, grants: [{ source: 'entity' }] });
  }
  for (const { group, path } of graph.groupsOf(entity.id)) {
    if (!groupPoliciesApply(group.namespace, entity.namespace, mode)) continue;
    for (const granted of group.policies) {
      const policy = qualify(group.namespace, granted);
      const grant: Grant = {
        source: 'group',
        groupId: group.id,
        groupName: group.name,
        path,
        ...(group.namespace ? { namespace: group.namespace } : {}),
      };
      const existing = held.get(policy);
      if (existing) existing.grants.push(grant);
      else held.set(policy, { policy, via: qualify(group.namespace, group.name), grants: [grant] });
    }
  }
  return [...held.values()].sort((a, b) => compare(a.policy, b.policy));
}

function byName(groups: ParsedGroup[]): ParsedGroup[] {
  return [...groups].sort((a, b) => compare(a.name, b.name) || compare(a.id, b.id));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
