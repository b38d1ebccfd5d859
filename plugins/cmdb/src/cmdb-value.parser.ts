/**
 * Table API values (shared/upstream-samples README, ServiceNow): with `sysparm_display_value=false`
 * every value is a string (`"1"`, `""` for empty), and references are the target's sys_id — or
 * `{link, value}` objects when the instance ignores `sysparm_exclude_reference_link` (see
 * `table-problem-list.json`). Dot-walked fields come back under their dotted name
 * (`"support_group.name"`). (Duplicates plugins/servicenow's `servicenow-value.parser.ts`.)
 */
import type { TableRow } from './cmdb.types';

/**
 * The field's value as a string: a plain string as is, a `{link, value}` (or `{value}`) reference
 * object by its value, a number or boolean as text, and a missing field as `''`.
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

/** The trimmed value, undefined when empty. */
export function optional(value: string): string | undefined {
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed : undefined;
}
