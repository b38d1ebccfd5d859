/**
 * The report's period and knowledge date from what a user typed: `--from`/`--to` are calendar
 * dates (`YYYY-MM-DD`, UTC), `--as-of` a date (its end) or an ISO instant. Anything else is a usage
 * error (exit 2) that names the option and the value.
 */
import { HubError } from '../common/errors';
import { isCalendarDate } from '../config/config.schema';
import { normalizeInstant } from '../store/instant';
import { REPORT_FORMATS, type ReportFormat, type ReportPeriod } from './report.model';

export function parsePeriod(from: string | undefined, to: string | undefined): ReportPeriod {
  if (!from) throw new HubError('usage', '--from: required, a date written YYYY-MM-DD');
  if (!to) throw new HubError('usage', '--to: required, a date written YYYY-MM-DD');
  for (const [name, value] of [
    ['--from', from],
    ['--to', to],
  ] as const) {
    if (!isCalendarDate(value))
      throw new HubError('usage', `${name}: "${value}" is not a date written YYYY-MM-DD`);
  }
  if (from > to) throw new HubError('usage', `--from ${from} is after --to ${to}`);
  return { from, to, start: `${from}T00:00:00.000Z`, end: `${to}T23:59:59.999Z` };
}

/** A date means the end of that day (UTC); an instant is taken as written (zone-less = UTC). */
export function parseAsOf(value: string): Date {
  if (isCalendarDate(value)) return new Date(`${value}T23:59:59.999Z`);
  const instant = value.includes('T') ? normalizeInstant(value) : undefined;
  if (!instant)
    throw new HubError('usage', `--as-of: "${value}" is not a date (YYYY-MM-DD) or an ISO instant`);
  return new Date(instant);
}

export function parseFormat(value: string | undefined): ReportFormat {
  const format = value ?? 'html';
  if (!(REPORT_FORMATS as readonly string[]).includes(format))
    throw new HubError('usage', `--format: must be one of ${REPORT_FORMATS.join(', ')}, not "${format}"`);
  return format as ReportFormat;
}
