/**
 * Role membership (config `roles`): a role's members are the members of its groups
 * (`<connector id>:<group name>`, read from that connector's `group-membership` records) and the
 * user names its `users` list names, each resolved to a person.
 */
import type { RoleConfig } from '../config/config.schema';
import { nameKey, type IdentityResolver } from './identity.resolver';

/** `via` of a member listed by a role's `users`; a group's is `<connector>:<group>` (always with a colon). */
export const VIA_USERS = 'users';

/** A current `group_membership` row. */
export interface MembershipRow {
  connector: string;
  grp: string;
  member: string;
}

export interface RoleMemberRow {
  role: string;
  personKey: string;
  via: string;
}

/** `<connector id>:<group name>` → its parts (the group name may itself hold colons). */
export function parseRoleGroup(ref: string): { connector: string; group: string } {
  const colon = ref.indexOf(':');
  if (colon <= 0 || colon === ref.length - 1) {
    throw new RangeError(`role group "${ref}" is not "<connector id>:<group name>"`);
  }
  return { connector: ref.slice(0, colon), group: ref.slice(colon + 1) };
}

/**
 * The members of every role, one row per (role, person, via), sorted. Group names match
 * case-insensitively: a role written `servicenow:developers` must not silently lose the members
 * of the upstream's `Developers` group. Direct members only, as the upstream lists them.
 */
export function roleMembers(
  roles: Readonly<Record<string, RoleConfig>>,
  memberships: readonly MembershipRow[],
  resolver: IdentityResolver,
): RoleMemberRow[] {
  const byGroup = new Map<string, string[]>();
  for (const m of memberships) {
    const key = `${m.connector}\u0000${nameKey(m.grp)}`;
    const members = byGroup.get(key);
    if (members) members.push(m.member);
    else byGroup.set(key, [m.member]);
  }
  const rows = new Map<string, RoleMemberRow>();
  const add = (role: string, name: string, via: string) => {
    if (!nameKey(name)) return;
    const { personKey } = resolver.resolve(name);
    rows.set(`${role}\u0000${personKey}\u0000${via}`, { role, personKey, via });
  };
  for (const [role, config] of Object.entries(roles)) {
    for (const ref of config.groups) {
      const { connector, group } = parseRoleGroup(ref);
      for (const member of byGroup.get(`${connector}\u0000${nameKey(group)}`) ?? []) add(role, member, ref);
    }
    for (const user of config.users) add(role, user, VIA_USERS);
  }
  return [...rows.values()].sort(
    (a, b) => compare(a.role, b.role) || compare(a.personKey, b.personKey) || compare(a.via, b.via),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
