/**
 * Instants are stored as `YYYY-MM-DDTHH:MM:SS.sssZ` strings (varchar(30)) on every database, so
 * that SQL compares them lexicographically and identically on PostgreSQL and SQLite.
 */
export type Instant = string;

export function toInstant(date: Date): Instant {
  if (Number.isNaN(date.getTime())) throw new RangeError('toInstant: invalid Date');
  return date.toISOString();
}

/** An ISO-8601 date or date-time; a date-time without a zone designator is read as UTC. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Normalizes an upstream time string to the stored form; `undefined` when it is not an ISO-8601
 * instant. Zone-less values are UTC: ServiceNow's table API returns `2024-05-01 10:00:00` in UTC
 * (controls.md), and Node would otherwise read such a string in the host's local zone.
 */
export function normalizeInstant(value: string): Instant | undefined {
  const match = ISO_DATE_TIME.exec(value.trim());
  if (!match) return undefined;
  let text = value.trim().replace(' ', 'T');
  const hasTime = text.includes('T');
  if (hasTime && !match[1]) text += 'Z';
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
