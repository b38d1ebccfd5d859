/**
 * Table API values (shared/upstream-samples README, ServiceNow): with `sysparm_display_value=false`
 * every value is a string (`"true"`, `"4"`, `""` for empty), times are `YYYY-MM-DD HH:MM:SS` in UTC,
 * and references are the target's sys_id — or `{link, value}` objects when the instance ignores
 * `sysparm_exclude_reference_link` (see `table-problem-list.json`). Dot-walked fields come back under
 * their dotted name (`"support_group.name"`). These readers turn such values into record fields
 * the same way for every plugin that reads the Table API.
 */
import type { TableRow } from './servicenow-table.types';

const SN_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** A value that cannot be read as the type its field has; names the field and the value. */
export class FieldValueError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'FieldValueError';
  }
}

/**
 * The field's value as a string: a plain string as is, a `{link, value}` (or `{value}`) reference
 * object by its value, a number or boolean as text, and a missing field (hidden by a field ACL, or
 * not asked for) as `''`.
 */
export function text(row: TableRow, field: string): string {
  const value = row[field];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const inner = (value as Record<string, unknown>).value;
    if (typeof inner === 'string') return inner;
    if (typeof inner === 'number' || typeof inner === 'boolean') return String(inner);
  }
  return '';
}

/** A reference field's target sys_id, or undefined when empty (`""` or an empty `{link, value}`). */
export function reference(row: TableRow, field: string): string | undefined {
  return optional(text(row, field));
}

/** The trimmed value, undefined when empty. */
export function optional(value: string): string | undefined {
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed : undefined;
}

/** A ServiceNow date-time (UTC) as an ISO-8601 instant; undefined when empty. */
export function instant(row: TableRow, field: string): string | undefined {
  const value = text(row, field).trim();
  if (value === '') return undefined;
  const iso = snTimeToIso(value);
  if (iso === undefined)
    throw new FieldValueError(field, `${JSON.stringify(value)} is not a YYYY-MM-DD HH:MM:SS time`);
  return iso;
}

/** `2024-05-01 10:00:00` (UTC, as the Table API sends it) → `2024-05-01T10:00:00.000Z`. */
export function snTimeToIso(value: string): string | undefined {
  const match = SN_DATE_TIME.exec(value.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const date = new Date(ms);
  // Date.UTC rolls 2024-02-30 over to March: a value that does not round-trip is not a real time.
  if (date.getUTCDate() !== d || date.getUTCMonth() !== mo - 1 || date.getUTCHours() !== h) return undefined;
  return date.toISOString();
}

/** An instant as the `YYYY-MM-DD HH:MM:SS` UTC literal an encoded query compares `sys_updated_on` with. */
export function formatSnTime(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('formatSnTime: invalid Date');
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** Whether a value is a real `YYYY-MM-DD HH:MM:SS` time, as `sys_updated_on` and the saved cursors hold. */
export function isSnTime(value: unknown): value is string {
  return typeof value === 'string' && snTimeToIso(value) !== undefined;
}

/** `"true"`/`"false"` (the Table API's booleans) as a boolean. */
export function bool(row: TableRow, field: string): boolean {
  const value = text(row, field).trim().toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new FieldValueError(field, `${JSON.stringify(text(row, field))} is not "true" or "false"`);
}

/** Drops undefined fields, so that a record's content hash does not depend on how absence was written. */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
