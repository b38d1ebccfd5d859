/**
 * The problems the ServiceNow streams report, each with a stable `code` (run summaries group them
 * into one line with a count) and what fixes it. Whether one is `lasting` follows from the cause:
 * a missing permission is fixed by someone and then read again (not lasting: the cursor waits for
 * it); a deleted record will never be read again (lasting: the cursor moves on).
 */
import type { RecordKind } from '@audit-hub/domain';
import type { StreamProblem } from '@audit-hub/plugin-sdk';
import type { MissingReason } from '@audit-hub/servicenow-table';
import { TABLES } from './servicenow.types';

export const PROBLEM = {
  referenceHidden: 'servicenow-reference-hidden',
  referenceDeleted: 'servicenow-reference-deleted',
  referenceUnreadable: 'servicenow-reference-unreadable',
  referenceUnnamed: 'servicenow-reference-unnamed',
  fieldHidden: 'servicenow-field-hidden',
  changeQueryInvalid: 'servicenow-change-query-invalid',
} as const;

/** What grants the integration user read on each table the streams read. */
export const TABLE_READ_FIX: Readonly<Record<string, string>> = {
  [TABLES.change]:
    'the itil role (or sn_change_read), or a read ACL on change_request for the integration user',
  [TABLES.approval]: 'the itil role, or a read ACL on sysapproval_approver for the integration user',
  [TABLES.user]:
    "a read ACL on sys_user for the integration user's role (instances that restrict sys_user grant it to itil or user_admin)",
  [TABLES.groupMember]:
    'the itil role, or read ACLs on sys_user_grmember and sys_user_group for the integration user',
};

export function tableReadFix(table: string): string {
  return TABLE_READ_FIX[table] ?? `a read ACL on ${table} for the integration user`;
}

/**
 * A reference (`requested_by`, `approver`, `document_id`) whose target could not be read: hidden
 * by a row ACL (the instance counts it), deleted (it does not), or either; or read, but without the
 * field that names it (`reason` undefined: a user without `user_name`).
 */
export function unresolvedReference(
  where: string,
  target: { table: string; field: string },
  sysId: string,
  reason: MissingReason | undefined,
  kinds: RecordKind[],
): StreamProblem {
  const { table } = target;
  switch (reason) {
    case 'hidden':
      return {
        where,
        error: `${table} ${sysId} exists but a read ACL hides it from the integration user`,
        kinds,
        code: PROBLEM.referenceHidden,
        fix: tableReadFix(table),
      };
    case 'deleted':
      return {
        where,
        error: `${table} ${sysId} no longer exists (deleted): who or what it was cannot be read`,
        kinds,
        code: PROBLEM.referenceDeleted,
        fix: 'none needed to read on; restore the record from Deleted Records (sys_audit_delete) if it was deleted by mistake',
        lasting: true,
      };
    case undefined:
      return {
        where,
        error: `${table} ${sysId} has no ${target.field}: nothing names it`,
        kinds,
        code: PROBLEM.referenceUnnamed,
        fix: `give ${table} ${sysId} a ${target.field}`,
      };
    case 'hidden-or-deleted':
      return {
        where,
        error: `${table} ${sysId} is not readable (deleted, or hidden from the integration user by an ACL)`,
        kinds,
        code: PROBLEM.referenceUnreadable,
        fix: tableReadFix(table),
      };
  }
}

/**
 * Fields the row came back without although they were asked for: a field-level read ACL hides them
 * (ServiceNow leaves such a field out of the row). Not lasting: once granted, the row is read again.
 */
export function hiddenFields(
  where: string,
  table: string,
  fields: readonly string[],
  kinds: RecordKind[],
): StreamProblem {
  return {
    where,
    error: `${fields.join(', ')} ${fields.length === 1 ? 'is' : 'are'} not returned: a field-level read ACL hides ${fields.length === 1 ? 'it' : 'them'} from the integration user`,
    kinds,
    code: PROBLEM.fieldHidden,
    fix: `read ACLs on ${fields.map((f) => `${table}.${f}`).join(', ')} for the integration user`,
  };
}

/** The asked-for fields a row came back without. */
export function absentFields(row: Record<string, unknown>, fields: readonly string[]): string[] {
  return fields.filter((field) => !(field in row));
}
