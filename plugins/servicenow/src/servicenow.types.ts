/** Shapes shared by the ServiceNow client, mappers and streams. */
import type { NormalizedRecord, RecordKind } from '@audit-hub/domain';
import type { StreamProblem } from '@audit-hub/plugin-sdk';

/**
 * One row of a Table API `result` list: field name → value. Values are strings, or `{link, value}`
 * objects for references when the instance ignores `sysparm_exclude_reference_link`. Dot-walked
 * fields asked for in `sysparm_fields` come back under their dotted name (`"cmdb_ci.name"`).
 */
export type ServiceNowRow = Record<string, unknown>;

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
