/**
 * The human-readable report laid out once, as sections of facts, paragraphs and tables, so the
 * HTML and the PDF show the same sections with the same words and numbers; each renderer only
 * draws this layout.
 */
import type {
  AuditReport,
  ControlResultView,
  EmergencyReview,
  FindingCounts,
  PopulationDeployment,
  ReportSection,
} from './report.model';
import { REPORT_SECTIONS } from './report.model';

export interface TableColumn {
  title: string;
  /** Relative width. */
  width: number;
}

export type Block =
  | { kind: 'paragraph'; text: string }
  | { kind: 'heading'; text: string }
  | { kind: 'facts'; items: [string, string][] }
  | { kind: 'table'; columns: TableColumn[]; rows: string[][]; empty: string };

export interface LayoutSection {
  title: ReportSection;
  /** HTML anchor. */
  id: string;
  blocks: Block[];
}

export interface ReportLayout {
  title: string;
  subtitle: string;
  sections: LayoutSection[];
}

export const REPORT_TITLE = 'audit-hub period report';

/** `2026-10-01 14:05 UTC`. */
export function when(instant: string | null | undefined): string {
  if (!instant) return '-';
  return `${instant.slice(0, 10)} ${instant.slice(11, 16)} UTC`;
}

export function percent(rate: number | null): string {
  return rate === null ? 'n/a (no production deployment in the period)' : `${(rate * 100).toFixed(1)} %`;
}

const REVIEW_LABELS: Record<EmergencyReview, string> = {
  in_time: 'closed in time',
  late: 'closed late',
  overdue: 'open, review overdue',
  pending: 'open, within the review window',
};

function col(title: string, width: number): TableColumn {
  return { title, width };
}

function table(columns: TableColumn[], rows: string[][], empty: string): Block {
  return { kind: 'table', columns, rows, empty };
}

function counts(c: FindingCounts): string[] {
  return [String(c.open), String(c.reopened), String(c.accepted), String(c.resolved)];
}

function controlStatus(c: ControlResultView): string {
  if (c.lastRun) return c.lastRun.status;
  return c.enabled ? 'no result' : 'disabled';
}

/** Why a deployment of the population is not traced. */
export function untracedReason(d: PopulationDeployment): string {
  const parts: string[] = [];
  if (!d.changes.length && !d.unknownChanges.length) parts.push('no change number found');
  if (d.unknownChanges.length)
    parts.push(`references ${d.unknownChanges.join(', ')}, not in the change source`);
  for (const c of d.changes) {
    if (c.approvedAtDeployment) continue;
    if (['canceled', 'new', 'assess', 'authorize'].includes(c.state))
      parts.push(`${c.number} was ${c.state === 'canceled' ? 'canceled' : `still in state ${c.state}`}`);
    else if (c.approval !== 'approved') parts.push(`${c.number} approval ${c.approval.replace('_', ' ')}`);
    else if (!c.approvalSetAt) parts.push(`${c.number} approved, with no approval time`);
    else parts.push(`${c.number} approved ${when(c.approvalSetAt)}, after the deployment started`);
  }
  return parts.join('; ');
}

function changeCell(d: PopulationDeployment): string {
  const linked = d.changes.map(
    (c) =>
      `${c.ref} (${c.type}, ${c.state}, ${c.approval}${c.approvalSetAt ? ` ${when(c.approvalSetAt)}` : ''}${
        c.approvers.length ? `, approved by ${c.approvers.join(', ')}` : ''
      })`,
  );
  const unknown = d.unknownChanges.map((n) => `${n} (not in the change source)`);
  return [...linked, ...unknown].join('; ') || '-';
}

export function layoutReport(r: AuditReport): ReportLayout {
  const sections: Record<ReportSection, Block[]> = Object.fromEntries(
    REPORT_SECTIONS.map((s) => [s, [] as Block[]]),
  ) as Record<ReportSection, Block[]>;
  const runStatuses = ['complete', 'incomplete', 'failed', 'running']
    .map((s) => [s, r.scope.runs.filter((x) => x.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  const lastRun = r.scope.runs.find((x) => x.id === r.scope.lastRunId);

  sections['Scope'].push(
    {
      kind: 'facts',
      items: [
        ['Period', `${r.period.from} to ${r.period.to} (UTC, both days included)`],
        ['As of', `${when(r.asOf)}: what the hub knew then (record versions, finding history, runs)`],
        ['Generated', when(r.generatedAt)],
        [
          'Personal data',
          r.redacted ? 'replaced with keyed pseudonyms (person-...), consistent across the report' : 'shown',
        ],
        [
          'Connectors',
          r.scope.connectors.map((c) => `${c.id} (${c.plugin}${c.enabled ? '' : ', disabled'})`).join(', ') ||
            'none configured',
        ],
        ['Services', r.scope.services.join(', ') || 'none'],
        ['Production environments', r.scope.productionEnvironments.join(', ') || 'none in the period'],
        [
          'Runs considered',
          `${r.scope.runs.length}${runStatuses.length ? ` (${runStatuses.join(', ')})` : ''}`,
        ],
        [
          'Control results from',
          lastRun ? `run ${lastRun.id} of ${when(lastRun.startedAt)} (${lastRun.status})` : 'no run',
        ],
      ],
    },
    {
      kind: 'paragraph',
      text:
        'The population is every successful production deployment that started in the period, from every ' +
        'configured deployment source: nothing is sampled. Runs from the period start up to the as-of instant ' +
        'are considered, because every run re-evaluates the deployments of the period.',
    },
    table(
      [col('Run', 4), col('Trigger', 1.2), col('Started', 2), col('Finished', 2), col('Status', 1.3)],
      r.scope.runs.map((x) => [x.id, x.trigger, when(x.startedAt), when(x.finishedAt), x.status]),
      'No run started in the period or since.',
    ),
  );

  sections['Population'].push(
    {
      kind: 'paragraph',
      text: `${r.population.total} successful production deployment(s) started in the period.`,
    },
    table(
      [col('Service', 3), col('Deployments', 1.5), col('Traced', 1.5), col('Traceability', 1.5)],
      r.population.byService.map((s) => [
        s.service,
        String(s.total),
        String(s.traced),
        percent(s.total ? s.traced / s.total : null),
      ]),
      'No production deployment in the period.',
    ),
    table(
      [
        col('Deployment', 3.2),
        col('Service', 1.6),
        col('Environment', 1.3),
        col('Started', 1.6),
        col('Deployed by', 1.6),
        col('Linked changes', 5),
        col('Traced', 0.8),
      ],
      r.population.deployments.map((d) => [
        d.ref,
        d.service ?? '-',
        d.environment,
        when(d.startedAt),
        d.triggeredBy ?? '-',
        changeCell(d),
        d.traced ? 'yes' : 'no',
      ]),
      'No production deployment in the period.',
    ),
  );

  const untraced = r.population.deployments.filter((d) => !d.traced);
  sections['Traceability'].push(
    {
      kind: 'facts',
      items: [
        ['Traceability rate', percent(r.population.traceabilityRate)],
        ['Traced', `${r.population.traced} of ${r.population.total}`],
        ['Not traced', String(r.population.untraced)],
      ],
    },
    {
      kind: 'paragraph',
      text:
        'A production deployment is traced when it links a change that exists in the change source and is ' +
        'standard (pre-approved), or was approved no later than the deployment started and was not canceled ' +
        'or still New, Assess or Authorize.',
    },
    table(
      [col('Deployment', 3), col('Service', 1.6), col('Started', 1.6), col('Why not traced', 6)],
      untraced.map((d) => [d.ref, d.service ?? '-', when(d.startedAt), untracedReason(d)]),
      'Every production deployment of the period is traced.',
    ),
  );

  const controlById = new Map(r.controls.map((c) => [c.id, c]));
  for (const group of r.frameworks) {
    sections['Results by framework clause'].push(
      { kind: 'heading', text: group.name },
      table(
        [
          col('Clause', 2),
          col('Control', 1.5),
          col('Title', 4),
          col('Last run', 1.4),
          col('Open', 0.8),
          col('Reopened', 1),
          col('Accepted', 1),
          col('Resolved', 1),
        ],
        group.clauses.flatMap((clause) =>
          clause.controls.map((id) => {
            const c = controlById.get(id);
            const own = r.findings.filter((f) => f.controlId === id && f.frameworks.includes(clause.token));
            const byStatus = (s: string) => String(own.filter((f) => f.status === s).length);
            return [
              clause.token,
              id,
              c?.title ?? id,
              c ? controlStatus(c) : 'no result',
              byStatus('open'),
              byStatus('reopened'),
              byStatus('accepted'),
              byStatus('resolved'),
            ];
          }),
        ),
        'No clause.',
      ),
    );
  }

  sections['Control results'].push(
    table(
      [
        col('Control', 1.4),
        col('Title', 3.6),
        col('Severity', 1),
        col('Last run', 1.3),
        col('Open', 0.8),
        col('Reopened', 1),
        col('Accepted', 1),
        col('Resolved', 1),
        col('Note', 3.5),
      ],
      r.controls.map((c) => [
        c.id,
        c.title,
        c.severity,
        controlStatus(c),
        ...counts(c.findings),
        c.lastRun?.reason ??
          (c.lastRun ? '' : c.enabled ? 'not evaluated by the hub in this period' : 'off in config'),
      ]),
      'No control.',
    ),
  );

  const s = r.findingSummary;
  sections['Findings'].push(
    {
      kind: 'facts',
      items: [
        ['Findings', String(s.total)],
        [
          'By status',
          `${s.byStatus.open} open, ${s.byStatus.reopened} reopened, ${s.byStatus.accepted} accepted, ${s.byStatus.resolved} resolved`,
        ],
        [
          'Active by severity',
          `${s.activeBySeverity.critical} critical, ${s.activeBySeverity.high} high, ${s.activeBySeverity.medium} medium, ${s.activeBySeverity.low} low`,
        ],
        ['New in the period', String(s.newInPeriod)],
        ['Resolved in the period', String(s.resolvedInPeriod)],
      ],
    },
    table(
      [
        col('Control', 1.3),
        col('Subject', 3),
        col('Severity', 0.9),
        col('Status', 1),
        col('Reason', 5),
        col('Evidence', 3.2),
      ],
      r.findings.map((f) => [
        `${f.controlId}\n${f.title}`,
        `${f.subject.ref}${f.related.length ? `\nrelated: ${f.related.map((x) => x.ref).join(', ')}` : ''}`,
        f.severity,
        `${f.status} since ${when(f.statusSince)}`,
        f.reason,
        [
          ...f.evidence.map((e) => `${e.ref} (${e.from ?? 'new'} -> ${e.to}, run ${e.runId.slice(0, 8)})`),
          ...(f.ticket ? [`ticket ${f.ticket.key}`] : []),
        ].join('\n'),
      ]),
      'No finding in the period.',
    ),
  );

  sections['Exceptions'].push(
    table(
      [
        col('Control', 1.3),
        col('Subject', 2.2),
        col('Reason', 3),
        col('Requested by', 1.8),
        col('Approved by', 1.8),
        col('Expires', 1.2),
        col('Findings covered', 3),
      ],
      r.exceptions.map((e) => [
        `${e.control}\n${e.source === 'api' ? 'approved through the API' : 'config file'}`,
        e.subject,
        e.reason,
        e.requestedBy,
        e.approvedBy,
        `${e.expires}${e.active ? '' : ' (expired)'}`,
        e.covers.length ? e.covers.join('\n') : 'none',
      ]),
      'No exception (accepted risk) is configured for the period.',
    ),
  );

  const reviewHours = r.emergencyReleases[0]?.reviewHours;
  sections['Emergency releases'].push(
    {
      kind: 'paragraph',
      text: `Production deployments of the period that link an emergency change, and whether the change was closed (post-implementation review done) within the RM-EMG-001 review window${reviewHours ? ` of ${reviewHours} h` : ''} after the deployment finished.`,
    },
    table(
      [
        col('Deployment', 3),
        col('Service', 1.5),
        col('Finished', 1.6),
        col('Change', 2),
        col('Closed', 1.6),
        col('Review due', 1.6),
        col('Review', 2),
      ],
      r.emergencyReleases.map((e) => [
        e.deployment,
        e.service ?? '-',
        when(e.finishedAt),
        `${e.change} (${e.changeState})`,
        when(e.closedAt),
        when(e.reviewDue),
        REVIEW_LABELS[e.review],
      ]),
      'No emergency release in the period.',
    ),
  );

  sections['Incomplete runs'].push(
    table(
      [col('Run', 3.2), col('Started', 1.6), col('Status', 1.1), col('Source', 2), col('Why', 6)],
      r.incompleteRuns.flatMap((run) =>
        (run.sources.length ? run.sources : [null]).map((src) => [
          run.id,
          when(run.startedAt),
          run.status,
          src ? `${src.connector}/${src.stream} (${src.status})` : '-',
          src
            ? [src.error, ...src.problems].filter(Boolean).join('\n') ||
              `${src.status} with no error recorded`
            : (run.error ?? 'no reason recorded'),
        ]),
      ),
      'Every run considered completed: no source failed or was partial.',
    ),
  );

  const cp = r.checkpoint;
  sections['Evidence checkpoint'].push(
    cp.recorded
      ? {
          kind: 'facts',
          items: [
            ['Checkpoint', `#${cp.id}${cp.runId ? ` (run ${cp.runId})` : ''}, created ${when(cp.createdAt)}`],
            ['Tree size', String(cp.treeSize)],
            ['Root hash', cp.rootHash ?? '-'],
            [
              'Signed',
              cp.signed
                ? `yes${cp.keyId ? ` (key ${cp.keyId})` : ''}`
                : 'no (evidence.signingKey is not set)',
            ],
            ['Verify with', cp.verifyCommand],
          ],
        }
      : {
          kind: 'facts',
          items: [
            ['Checkpoint', cp.note],
            ['Verify with', cp.verifyCommand],
          ],
        },
  );

  return {
    title: REPORT_TITLE,
    subtitle: `${r.period.from} to ${r.period.to}, as of ${when(r.asOf)}${r.redacted ? ', redacted' : ''}`,
    sections: REPORT_SECTIONS.map((title) => ({
      title,
      id: title.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
      blocks: sections[title],
    })),
  };
}
