/** `sys_user_grmember` row → `group-membership` record (shared/spec/records.md). */
import type { GroupMembershipRecord } from '@audit-hub/domain';
import { type TableRow, optional, reference, text } from '@audit-hub/servicenow-table';
import type { Mapped } from './servicenow.types';

/** The group's name and the member's user name are dot-walked: one request per page, no lookups. */
export const GROUP_MEMBER_FIELDS = ['sys_id', 'group', 'group.name', 'user', 'user.user_name'] as const;

/**
 * Maps one row; undefined for an orphan (its group or user reference is empty: the group or user
 * was deleted without its memberships), which grants nothing. A membership whose group name or
 * user name cannot be read is a problem: the snapshot would otherwise be incomplete, and the core
 * would take the missing membership for a removed one.
 */
export function mapGroupMember(row: TableRow, source: string): Mapped<'group-membership'> | undefined {
  const sysId = text(row, 'sys_id').trim();
  const groupRef = reference(row, 'group');
  const userRef = reference(row, 'user');
  if (!groupRef || !userRef) return undefined;
  const group = optional(text(row, 'group.name'));
  const member = optional(text(row, 'user.user_name'));
  if (!group || !member) {
    const missing = !group ? `the name of group ${groupRef}` : `the user_name of user ${userRef}`;
    return {
      problems: [
        {
          where: `sys_user_grmember ${sysId || '(no sys_id)'}`,
          error: `${missing} is empty or not readable (a read ACL on ${!group ? 'sys_user_group' : 'sys_user'} is missing, or the field is blank)`,
          kinds: ['group-membership'],
        },
      ],
    };
  }
  const data: GroupMembershipRecord = { group, member, source };
  return {
    record: { kind: 'group-membership', externalId: `${group}/${member}`, data, raw: row },
    problems: [],
  };
}
