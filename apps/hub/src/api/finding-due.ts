/**
 * A finding's age and due date: due `remediation.sla[severity]` after it was first seen, overdue
 * while it is open or reopened past that instant. Resolved and accepted findings are never overdue;
 * a severity without an SLA has no due date.
 */
import type { FindingStatus, Severity } from '@audit-hub/domain';
import type { AppConfig } from '../config/config.schema';
import { parseDuration } from '../config/config.schema';

const DAY_MS = 86_400_000;

export interface FindingDue {
  /** Whole days from first seen to its resolution (resolved) or to the instant asked about. */
  ageDays: number;
  /** null when the severity has no SLA in config. */
  due: { sla: string; at: string; overdue: boolean } | null;
}

export function findingDue(
  f: { severity: Severity; status: FindingStatus; firstSeenAt: string; resolvedAt: string | null },
  sla: AppConfig['remediation']['sla'],
  at: Date,
): FindingDue {
  const first = Date.parse(f.firstSeenAt);
  const end = f.status === 'resolved' && f.resolvedAt ? Date.parse(f.resolvedAt) : at.getTime();
  const ageDays = Math.max(0, Math.floor((end - first) / DAY_MS));
  const duration = sla?.[f.severity];
  const ms = duration ? parseDuration(duration) : undefined;
  if (!duration || !ms) return { ageDays, due: null };
  const dueAt = first + ms;
  const open = f.status === 'open' || f.status === 'reopened';
  return {
    ageDays,
    due: { sla: duration, at: new Date(dueAt).toISOString(), overdue: open && at.getTime() > dueAt },
  };
}
