/**
 * `change_request` row → `change` record (shared/spec/records.md). Values come as the Table API
 * sends them with `sysparm_display_value=false`: choice values (`"normal"`, `"-5"`,
 * `"not requested"`), UTC times and reference sys_ids.
 */
import type { ChangeApprovalStatus, ChangeRecord, ChangeState, ChangeType } from '@audit-hub/domain';
import type { StreamProblem } from '@audit-hub/plugin-sdk';
import { normalizeStateCode } from './servicenow.config';
import { absentFields, hiddenFields, unresolvedReference } from './servicenow.problems';
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
import type { Mapped } from './servicenow.types';

/**
 * The fields the `changes` stream asks for (`sysparm_fields`). The CI's name is dot-walked
 * (`cmdb_ci.name`) rather than looked up: one request per page instead of two, and a reader without
 * access to `cmdb_ci` simply gets no name (the name is optional; the CI's sys_id is what links).
 */
export const CHANGE_FIELDS = [
  'sys_id',
  'number',
  'type',
  'state',
  'approval',
  'approval_set',
  'start_date',
  'end_date',
  'requested_by',
  'assigned_to',
  'cmdb_ci',
  'cmdb_ci.name',
  'closed_at',
  'close_code',
  'short_description',
  'description',
  'sys_updated_on',
] as const;

const CHANGE_TYPES: readonly ChangeType[] = ['normal', 'standard', 'emergency'];

/** `change_request.approval` choice values (the task `approval` field). */
const APPROVALS: Readonly<Record<string, ChangeApprovalStatus>> = {
  'not requested': 'not_requested',
  not_requested: 'not_requested',
  requested: 'requested',
  approved: 'approved',
  rejected: 'rejected',
};

export interface ChangeMappingContext {
  /** State code → state: the out-of-box codes with `options.stateMap` merged over them. */
  stateMap: Readonly<Record<string, ChangeState>>;
  /** A user's `user_name` by sys_id; undefined when sys_user has no such (readable) user. */
  userName(sysId: string): string | undefined;
  /** Why a user sys_id did not resolve (hidden by an ACL, or deleted). */
  userMissing(sysId: string): MissingReason | undefined;
}

/**
 * The fields without which a change would be misstated. Every other field of CHANGE_FIELDS but the
 * dot-walked CI name is needed too, but a row that lacks one of these is not mapped at all.
 */
const USER_NAME = { table: 'sys_user', field: 'user_name' };

const REQUIRED_FIELDS = ['number', 'type', 'state', 'approval', 'requested_by', 'assigned_to'] as const;

/** The user sys_ids a change row refers to (to resolve them for the whole page at once). */
export function changeUserRefs(row: TableRow): string[] {
  return [reference(row, 'requested_by'), reference(row, 'assigned_to')].filter((id): id is string => !!id);
}

/**
 * Maps one row. A row whose type, state or approval is not a known value is not a `change` (the
 * record would misstate it), so it is left out with a problem naming the change and the value;
 * an unresolvable requester or assignee leaves that field out, with a problem.
 */
export function mapChange(row: TableRow, ctx: ChangeMappingContext): Mapped<'change'> {
  const sysId = text(row, 'sys_id').trim();
  const number = text(row, 'number').trim();
  const where = `change_request ${number || '(no number)'} (sys_id ${sysId || '?'})`;
  const problem = (error: string): Mapped<'change'> => ({ problems: [{ where, error, kinds: ['change'] }] });
  if (!sysId || !number) return problem('the row has no number or sys_id');
  // A field ACL leaves a field out of the row: "" would read as "no requester", which it is not.
  const hidden = absentFields(row, REQUIRED_FIELDS);
  if (hidden.length > 0) return { problems: [hiddenFields(where, 'change_request', hidden, ['change'])] };

  const type = text(row, 'type').trim().toLowerCase() as ChangeType;
  if (!CHANGE_TYPES.includes(type))
    return problem(
      `unknown change type ${JSON.stringify(text(row, 'type'))} (expected ${CHANGE_TYPES.join(', ')})`,
    );

  const code = normalizeStateCode(text(row, 'state'));
  const state = Object.prototype.hasOwnProperty.call(ctx.stateMap, code) ? ctx.stateMap[code] : undefined;
  if (!state)
    return problem(
      `unknown state code ${JSON.stringify(text(row, 'state'))}: map it in options.stateMap (known codes: ${Object.keys(ctx.stateMap).join(', ')})`,
    );

  const approval = APPROVALS[text(row, 'approval').trim().toLowerCase()];
  if (!approval)
    return problem(
      `unknown approval ${JSON.stringify(text(row, 'approval'))} (expected not requested, requested, approved or rejected)`,
    );

  const problems: StreamProblem[] = [];
  const user = (field: 'requested_by' | 'assigned_to'): string | undefined => {
    const id = reference(row, field);
    if (!id) return undefined;
    const name = ctx.userName(id);
    if (!name)
      problems.push(unresolvedReference(`${where} ${field}`, USER_NAME, id, ctx.userMissing(id), ['change']));
    return name;
  };

  let data: ChangeRecord;
  try {
    const ciSysId = reference(row, 'cmdb_ci');
    data = {
      number,
      sysId,
      type,
      state,
      approval,
      approvalSetAt: instant(row, 'approval_set'),
      plannedStart: instant(row, 'start_date'),
      plannedEnd: instant(row, 'end_date'),
      requestedBy: user('requested_by'),
      assignedTo: user('assigned_to'),
      ci: ciSysId
        ? withoutUndefined({ sysId: ciSysId, name: optional(text(row, 'cmdb_ci.name')) })
        : undefined,
      closedAt: instant(row, 'closed_at'),
      closeCode: optional(text(row, 'close_code')),
      shortDescription: text(row, 'short_description'),
      description: text(row, 'description'),
    };
  } catch (err) {
    if (err instanceof FieldValueError) return problem(err.message);
    throw err;
  }
  return { record: { kind: 'change', externalId: number, data: withoutUndefined(data), raw: row }, problems };
}
