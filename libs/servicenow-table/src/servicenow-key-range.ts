/**
 * Midpoints of the two orders the client pages by, `sys_id` and `sys_updated_on`, so that a range
 * whose first window row ACLs hid entirely can be split in two and each half read on its own.
 *
 * Why splitting and not offsets: `sysparm_limit` is applied before ACLs (Table API reference,
 * `sysparm_limit`), so a window of hidden rows answers `[]` while `X-Total-Count` says more rows
 * match. Stepping over it with `sysparm_offset` would be positional again, and a row updated or
 * removed meanwhile would shift the next window past an unread row. A range bounded by key values
 * shifts for nobody: every row that is in it when it is read, and readable, comes back.
 */
import { formatSnTime, snTimeToIso } from './servicenow-value.parser';

/** A sys_id as the platform generates it: 32 hex digits (a GUID without dashes). */
const SYS_ID = /^[0-9a-f]{32}$/i;
const SYS_ID_TOP = (1n << 128n) - 1n;

/**
 * A sys_id strictly between `after` (exclusive; undefined: below every sys_id) and `upTo`
 * (inclusive; undefined: above every sys_id); undefined when the range cannot be split (it holds
 * one key, or a bound is not a 32-hex sys_id, e.g. a record imported with a custom sys_id).
 */
export function sysIdBetween(after: string | undefined, upTo: string | undefined): string | undefined {
  if ((after !== undefined && !SYS_ID.test(after)) || (upTo !== undefined && !SYS_ID.test(upTo)))
    return undefined;
  const lo = after === undefined ? -1n : BigInt(`0x${after}`);
  const hi = upTo === undefined ? SYS_ID_TOP : BigInt(`0x${upTo}`);
  if (hi - lo < 2n) return undefined;
  return (lo + (hi - lo) / 2n).toString(16).padStart(32, '0');
}

/** The lower end of the `sys_updated_on` order when a read starts from nothing. */
export const EARLIEST_SN_TIME = '1970-01-01 00:00:00';
/** The upper end of `glide_date_time`. */
export const LATEST_SN_TIME = '9999-12-31 23:59:59';
const DAY_S = 86_400;

function seconds(snTime: string): number {
  const iso = snTimeToIso(snTime);
  if (iso === undefined) throw new RangeError(`not a YYYY-MM-DD HH:MM:SS time: ${snTime}`);
  return Date.parse(iso) / 1000;
}

function snTimeAt(epochSeconds: number): string {
  return formatSnTime(new Date(epochSeconds * 1000));
}

/**
 * A second strictly after `after` (exclusive; null: from the beginning) and before `upTo`
 * (inclusive). An open range is first cut a day past `now`: rows are updated at the instance's
 * present, so the part after the cut is nearly always empty and answers in one request. Undefined
 * when `(after, upTo]` is a single second: it is then read by sys_id instead.
 */
export function timeBetween(after: string | null, upTo: string | undefined, now: Date): string | undefined {
  const lo = seconds(after ?? EARLIEST_SN_TIME);
  let hi: number;
  if (upTo === undefined) {
    const soon = Math.floor(now.getTime() / 1000) + DAY_S;
    if (soon > lo) return snTimeAt(soon);
    hi = seconds(LATEST_SN_TIME);
  } else {
    hi = seconds(upTo);
  }
  if (hi - lo < 2) return undefined;
  return snTimeAt(lo + Math.floor((hi - lo) / 2));
}

/** Whether `(after, upTo]` holds exactly one second (`upTo`), which only sys_id can split further. */
export function isOneSecond(after: string | null, upTo: string): boolean {
  return seconds(upTo) - seconds(after ?? EARLIEST_SN_TIME) === 1;
}
