/**
 * Accepted-risk exceptions from config (controls.md "Exceptions"): a control, a glob over subject
 * refs, a reason, a requester and a different approver, and an expiry date that covers through
 * 23:59:59.999 UTC of that day. An expired exception stops covering.
 */
export interface ExceptionConfig {
  control: string;
  subject: string;
  reason: string;
  requestedBy: string;
  approvedBy: string;
  expires: string;
}

export interface AppliedException {
  control: string;
  subject: string;
  reason: string;
  requestedBy: string;
  approvedBy: string;
  expires: string;
}

/**
 * Subject globs match the whole ref, case-sensitively; `*` matches any characters including `/`
 * and `:` (interfaces.md), which is why this is not a path glob library.
 */
export function subjectGlob(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

/** End of the expiry day, UTC. */
export function expiryEnd(expires: string): Date {
  return new Date(`${expires}T23:59:59.999Z`);
}

export class ExceptionMatcher {
  private readonly compiled: { rule: ExceptionConfig; re: RegExp; end: Date }[];

  constructor(rules: ExceptionConfig[]) {
    this.compiled = rules.map((rule) => ({
      rule,
      re: subjectGlob(rule.subject),
      end: expiryEnd(rule.expires),
    }));
  }

  /** The exception covering a finding at `now`, if any (the one expiring last wins). */
  covering(controlId: string, subjectRef: string, now: Date): AppliedException | undefined {
    const hits = this.compiled
      .filter(
        (c) => c.rule.control === controlId && c.re.test(subjectRef) && now.getTime() <= c.end.getTime(),
      )
      .sort((a, b) => b.end.getTime() - a.end.getTime());
    if (!hits.length) return undefined;
    const { control, subject, reason, requestedBy, approvedBy, expires } = hits[0].rule;
    return { control, subject, reason, requestedBy, approvedBy, expires };
  }
}
