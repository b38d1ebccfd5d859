import type { Instant } from './estate.model';

/** Time helpers shared by the generator and the fakes: what the estate looks like at an instant. */

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export function iso(ms: number): Instant {
  return new Date(ms).toISOString();
}

export function toMs(instant: Instant): number {
  return Date.parse(instant);
}

/** Midnight UTC of the day holding `ms`. */
export function dayStart(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

/** A record exists at `at` once it was created (ISO instants compare as text). */
export function existsAt(createdAt: Instant, at: Instant): boolean {
  return createdAt <= at;
}

/** The revision in force at `at`: the last one whose `at` is not after it; undefined before the first. */
export function revisionAt<T extends { at: Instant }>(revisions: readonly T[], at: Instant): T | undefined {
  let found: T | undefined;
  for (const revision of revisions) {
    if (revision.at <= at) found = revision;
    else break;
  }
  return found;
}

/** How many revisions had happened by `at` (ServiceNow `sys_mod_count` is this minus one). */
export function revisionCountAt(revisions: readonly { at: Instant }[], at: Instant): number {
  let count = 0;
  for (const revision of revisions) if (revision.at <= at) count++;
  return count;
}
