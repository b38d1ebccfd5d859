/**
 * The problems a Table API read reports when it cannot vouch for what it read, the same way for the
 * servicenow and cmdb plugins: run summaries group them by `code` into one line with the fix.
 */
import type { RecordKind } from '@audit-hub/domain';
import type { StreamProblem } from '@audit-hub/plugin-sdk';
import type { Unproven } from './servicenow-table.client';

/** Problem codes of the Table API reads. */
export const READ_PROBLEM = {
  unproven: 'servicenow-read-unproven',
  rowsHidden: 'servicenow-rows-hidden',
} as const;

/**
 * The read could not prove it read every readable row (no `X-Total-Count`, or a hidden block no
 * key bound can split). Not lasting: once the instance sends counts again, the next run reads on.
 */
export function unprovenProblem(unproven: Unproven, kinds: RecordKind[]): StreamProblem {
  return {
    where: unproven.where,
    error: `could not prove the read complete: ${unproven.reason}`,
    kinds,
    code: READ_PROBLEM.unproven,
    fix: 'let X-Total-Count through (sysparm_no_count=false is sent) from the instance to audit-hub',
  };
}

/**
 * A snapshot met rows the instance counts but does not return: a read ACL with a condition or
 * script denies them to the integration user. The snapshot cannot tell those records from deleted
 * ones, so it is not whole and the core marks nothing deleted. Lasting: reading again returns the
 * same until someone changes the ACL or the user's roles.
 */
export function hiddenRowsProblem(table: string, hidden: number, kinds: RecordKind[]): StreamProblem {
  return {
    where: `GET /api/now/table/${table}`,
    error: `${hidden.toLocaleString('en-US')} ${hidden === 1 ? 'row' : 'rows'} of ${table} counted by the instance but hidden from the integration user by row-level read ACLs: the snapshot cannot tell them from deleted rows, so none is marked deleted`,
    kinds,
    code: READ_PROBLEM.rowsHidden,
    fix: `give the integration user a role that every ${table} read ACL admits (an ACL with a condition or script hides rows from it)`,
    lasting: true,
  };
}
