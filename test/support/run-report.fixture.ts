/**
 * A `reconcile --format json` document with one of everything the CI formats render: an evaluated
 * control with open, reopened and resolved findings, a partial one with undecided subjects and an
 * accepted finding, one not evaluated, one disabled; sources complete, partial and failed. The
 * first finding's reason carries what breaks naive XML: markup, `]]>`, quotes, line breaks and
 * control characters.
 */
import type { FindingView, RunReport } from '../../apps/hub/src/runs/run-report.builder';

export const NASTY_REASON =
  'Deployed <before> approval & "without" CHG\u0001 ]]> ESC\u001b[31m red\ttab\nsecond line \u{1F680} \uFFFF end';

const finding = (over: Partial<FindingView> & Pick<FindingView, 'controlId' | 'status'>): FindingView => {
  const ref = over.subject?.ref ?? 'gitlab:acme/payments-api#1042';
  return {
    key: `${over.controlId}|${ref}`,
    title: over.controlId,
    severity: 'high',
    subject: { type: 'deployment', ref, service: 'payments-api', environment: 'production' },
    reason: 'a reason',
    related: [],
    frameworks: ['SOX:ITGC-CM', 'SOC2:CC8.1'],
    firstSeenAt: '2026-11-01T02:00:00.000Z',
    lastSeenAt: '2026-11-02T02:00:00.000Z',
    ticket: null,
    ...over,
  };
};

export function ciFixtureReport(): RunReport {
  return {
    run: {
      id: '5f0c6a52-0d57-4a2b-9f55-1c1f8a0e2b11',
      startedAt: '2026-11-02T02:00:00.000Z',
      finishedAt: '2026-11-02T02:03:30.000Z',
      status: 'incomplete',
      error: null,
      sources: [
        { connector: 'gitlab', stream: 'deployments', status: 'complete', records: 120, error: null },
        {
          connector: 'vault',
          stream: 'entitlements',
          status: 'partial',
          records: 30,
          error: null,
          problems: [{ message: 'policy prod-db: permission denied', count: 2 }],
        },
        {
          connector: 'jenkins',
          stream: 'deployments',
          status: 'failed',
          records: 0,
          error: 'HTTP 503 <html>',
        },
      ],
    },
    controls: [
      { id: 'RM-CHG-001', status: 'evaluated', reason: null, open: 2 },
      {
        id: 'RM-ACC-003',
        status: 'partial',
        reason: 'vault/entitlements was partial',
        open: 0,
        undecided: [{ subjectRef: 'vault:alice:prod-db', why: 'policy prod-db unreadable' }],
      },
      { id: 'RM-SOD-001', status: 'not_evaluated', reason: 'jenkins/deployments failed', open: 0 },
      { id: 'RM-SOD-003', status: 'disabled', reason: 'off in config', open: 0 },
    ],
    findings: [
      finding({
        controlId: 'RM-CHG-001',
        status: 'open',
        reason: NASTY_REASON,
        related: [{ type: 'change', ref: 'servicenow:CHG0030042' }],
        ticket: { tracker: 'jira', key: 'SEC-12', url: 'https://acme.atlassian.net/browse/SEC-12' },
      }),
      finding({
        controlId: 'RM-CHG-001',
        status: 'reopened',
        severity: 'critical',
        subject: {
          type: 'deployment',
          ref: 'jenkins:payments/payments-api-deploy#311',
          service: null,
          environment: null,
        },
      }),
      finding({
        controlId: 'RM-CHG-001',
        status: 'resolved',
        subject: { type: 'deployment', ref: 'gitlab:acme/web#7', service: 'web', environment: 'production' },
      }),
      finding({
        controlId: 'RM-ACC-003',
        status: 'accepted',
        severity: 'medium',
        subject: {
          type: 'entitlement',
          ref: 'cyberark:svc-deploy:PROD-DB',
          service: null,
          environment: null,
        },
        exception: { reason: 'Service accounts are rotated by CPM', approvedBy: 'ciso@acme.com' },
      }),
    ],
    summary: {
      open: 2,
      new: 1,
      resolved: 1,
      accepted: 1,
      bySeverity: { critical: 1, high: 1, medium: 0, low: 0 },
    },
  };
}
