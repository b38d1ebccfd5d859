/** Shapes shared by the ServiceNow mappers and streams (a Table API row is `TableRow` of @audit-hub/servicenow-table). */
import type { NormalizedRecord, RecordKind } from '@audit-hub/domain';
import type { StreamProblem } from '@audit-hub/plugin-sdk';

/** What a mapper made of one row: the record (absent when the row cannot be one) and what went wrong. */
export interface Mapped<K extends RecordKind> {
  record?: NormalizedRecord<K>;
  problems: StreamProblem[];
}

/** The tables the connector reads. */
export const TABLES = {
  change: 'change_request',
  approval: 'sysapproval_approver',
  user: 'sys_user',
  groupMember: 'sys_user_grmember',
} as const;
