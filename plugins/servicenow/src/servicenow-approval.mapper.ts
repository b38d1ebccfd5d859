/**
 * `sysapproval_approver` row (an approval of a change request) → `change-approval` record
 * (shared/spec/records.md).
 */
import type { ChangeApprovalRecord } from '@audit-hub/domain';
import {
  FieldValueError,
  type MissingReason,
  type TableRow,
  instant,
  optional,
  reference,
  text,
  withoutUndefined,
} from '@audit-hub/servicenow-table';
import { PROBLEM, absentFields, hiddenFields, unresolvedReference } from './servicenow.problems';
import type { Mapped } from './servicenow.types';

/**
 * The fields the `approvals` stream asks for. The change's number is dot-walked through
 * `sysapproval` (the task the approval is for); `document_id` is the fallback when an approval was
 * created by a flow that set only the document id.
 */
export const APPROVAL_FIELDS = [
  'sys_id',
  'sysapproval',
  'sysapproval.number',
  'document_id',
  'approver',
  'state',
  'sys_updated_on',
] as const;

type ApprovalState = ChangeApprovalRecord['state'];

/**
 * `sysapproval_approver.state` choice values. Two have no state of their own in records.md:
 * `not requested` (a later approval stage, not sent yet) is still pending, hence `requested`;
 * `duplicate` (the same approver already decides through another approval of the change) needs no
 * decision, hence `not_required`. Controls count `approved` only, so neither adds an approver.
 */
const STATES: Readonly<Record<string, ApprovalState>> = {
  requested: 'requested',
  'not requested': 'requested',
  approved: 'approved',
  rejected: 'rejected',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  not_required: 'not_required',
  duplicate: 'not_required',
};

const DECIDED: ReadonlySet<ApprovalState> = new Set(['approved', 'rejected']);

export interface ApprovalMappingContext {
  /** A user's `user_name` by sys_id; undefined when sys_user has no such (readable) user. */
  userName(sysId: string): string | undefined;
  /** Why a user sys_id did not resolve (hidden by an ACL, or deleted). */
  userMissing(sysId: string): MissingReason | undefined;
  /** A change's number by sys_id (for rows where `sysapproval.number` is empty). */
  changeNumber(sysId: string): string | undefined;
  /** Why a change sys_id did not resolve. */
  changeMissing(sysId: string): MissingReason | undefined;
}

/** Fields whose absence (a field-level ACL) would misstate the approval. */
const REQUIRED_FIELDS = ['approver', 'state', 'sysapproval'] as const;

/** The change sys_id to look up when the dot-walked number is missing; undefined when it is there. */
export function approvalChangeRef(row: TableRow): string | undefined {
  if (optional(text(row, 'sysapproval.number'))) return undefined;
  return reference(row, 'document_id') ?? reference(row, 'sysapproval');
}

export function approvalUserRefs(row: TableRow): string[] {
  const approver = reference(row, 'approver');
  return approver ? [approver] : [];
}

/**
 * Maps one row. Without a change number, an approver's user name or a known state the row cannot
 * be a `change-approval` (it could not be joined or would misstate the decision): it is left out,
 * with a problem naming the approval.
 */
export function mapApproval(row: TableRow, ctx: ApprovalMappingContext): Mapped<'change-approval'> {
  const sysId = text(row, 'sys_id').trim();
  const where = `sysapproval_approver ${sysId || '(no sys_id)'}`;
  const problem = (error: string): Mapped<'change-approval'> => ({
    problems: [{ where, error, kinds: ['change-approval'] }],
  });
  if (!sysId) return problem('the row has no sys_id');
  const hidden = absentFields(row, REQUIRED_FIELDS);
  if (hidden.length > 0)
    return { problems: [hiddenFields(where, 'sysapproval_approver', hidden, ['change-approval'])] };

  const changeRef = approvalChangeRef(row);
  const change =
    optional(text(row, 'sysapproval.number')) ?? (changeRef ? ctx.changeNumber(changeRef) : undefined);
  if (!change) {
    if (!changeRef) return problem('the approval names no change (sysapproval and document_id are empty)');
    const target = { table: 'change_request', field: 'number' };
    const reason = ctx.changeMissing(changeRef);
    return {
      problems: [unresolvedReference(`${where} change`, target, changeRef, reason, ['change-approval'])],
    };
  }

  const approverId = reference(row, 'approver');
  if (!approverId) {
    // ServiceNow clears a reference to a deleted user: nobody can say who decided, now or later.
    return {
      problems: [
        {
          where,
          error: `approval of ${change} has no approver (the approving user was deleted, which clears the reference)`,
          kinds: ['change-approval'],
          code: PROBLEM.referenceDeleted,
          lasting: true,
        },
      ],
    };
  }
  const approver = ctx.userName(approverId);
  if (!approver) {
    const target = { table: 'sys_user', field: 'user_name' };
    const reason = ctx.userMissing(approverId);
    return {
      problems: [
        unresolvedReference(`${where} approver of ${change}`, target, approverId, reason, [
          'change-approval',
        ]),
      ],
    };
  }

  const state = STATES[text(row, 'state').trim().toLowerCase()];
  if (!state)
    return problem(
      `unknown approval state ${JSON.stringify(text(row, 'state'))} (expected one of ${Object.keys(STATES).join(', ')})`,
    );

  let decidedAt: string | undefined;
  try {
    decidedAt = DECIDED.has(state) ? instant(row, 'sys_updated_on') : undefined;
  } catch (err) {
    if (err instanceof FieldValueError) return problem(err.message);
    throw err;
  }
  const data: ChangeApprovalRecord = withoutUndefined({ change, approver, state, decidedAt });
  return { record: { kind: 'change-approval', externalId: sysId, data, raw: row }, problems: [] };
}
