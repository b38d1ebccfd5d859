/**
 * The instant a cron tick stands for: the latest scheduled time at or before `now`. Every
 * scheduler process computes the same instant for the same tick, whatever its timer's jitter, so
 * the (schedule, tick) row dedupes across processes.
 */
import { createHash } from 'node:crypto';
import { CronTime } from 'cron';

export function scheduledTickAt(expression: string, timeZone: string, now: Date): Date {
  const cron = new CronTime(expression, timeZone);
  // Ticks fire at most a few seconds late; look back far enough for any expression's spacing.
  let cursor = new Date(now.getTime() - 10 * 60_000);
  let last: Date | undefined;
  for (let i = 0; i < 1000; i++) {
    const next = cron.getNextDateFrom(cursor, timeZone).toJSDate();
    if (next.getTime() > now.getTime()) break;
    last = next;
    cursor = next;
  }
  if (last) return last;
  // A tick processed more than ten minutes late: name it by the minute it fired in.
  return new Date(Math.floor(now.getTime() / 60_000) * 60_000);
}

/** A run id derived from the tick: every scheduler names the same run, so its job ids dedupe too. */
export function tickRunId(schedule: string, tick: Date): string {
  const h = createHash('sha256').update(`${schedule}@${tick.toISOString()}`).digest('hex');
  // RFC 4122 layout (version 5-like, variant 1) for tools that expect a UUID.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
