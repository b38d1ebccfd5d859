/** `sys_user` row → `identity` record (shared/spec/records.md; controls.md "identity"). */
import type { IdentityRecord } from '@audit-hub/domain';
import {
  FieldValueError,
  type TableRow,
  bool,
  optional,
  text,
  withoutUndefined,
} from '@audit-hub/servicenow-table';
import type { Mapped } from './servicenow.types';

export const USER_FIELDS = ['sys_id', 'user_name', 'email', 'name', 'active', 'sys_updated_on'] as const;

/**
 * Maps one row; undefined for a user without a `user_name`. Such rows exist (users created by
 * integrations or imports that never log in): nothing can name them, so they are not identities,
 * and skipping them is not a gap in the population.
 */
export function mapUser(row: TableRow): Mapped<'identity'> | undefined {
  const userName = optional(text(row, 'user_name'));
  if (!userName) return undefined;
  try {
    const data: IdentityRecord = withoutUndefined({
      userName,
      email: optional(text(row, 'email')),
      name: text(row, 'name').trim(),
      active: bool(row, 'active'),
    });
    return { record: { kind: 'identity', externalId: userName, data, raw: row }, problems: [] };
  } catch (err) {
    if (!(err instanceof FieldValueError)) throw err;
    return {
      problems: [
        {
          where: `sys_user ${userName} (sys_id ${text(row, 'sys_id') || '?'})`,
          error: err.message,
          kinds: ['identity'],
        },
      ],
    };
  }
}
