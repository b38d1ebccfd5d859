/**
 * The human-readable report laid out once, as sections of facts, paragraphs and tables, so the
 * HTML and the PDF show the same sections with the same words and numbers; each renderer only
 * draws this layout.
 */
import type {
  AuditReport,
  ControlConclusion,
  ControlResultView,
  EmergencyReview,
  PopulationDeployment,
  ReportSection,
  SourceStream,
} from './report.model';
import { REPORT_SECTIONS } from './report.model';
import { CONCLUSION_RULE } from './control-tests';

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

export const CONCLUSION_LABELS: Record<ControlConclusion, string> = {
  effective: 'effective',
  not_effective: 'not effective',
  not_evaluated: 'not evaluated',
  partial: 'partial',
};

/** `12.5 %`, or `n/a` when there is nothing to divide by. */
export function rate(r: number | null): string {
  return r === null ? 'n/a' : `${(r * 100).toFixed(1)} %`;
}

/** An empty line for a signature field not yet filled. */
export const BLANK = '______________________________';

function streamRuns(s: SourceStream): string {
  const parts = [`${s.complete} complete`];
  if (s.partial) parts.push(`${s.partial} partial`);
  if (s.failed) parts.push(`${s.failed} failed`);
  return `${s.runs} run(s): ${parts.join(', ')}`;
}

function streamWhy(s: SourceStream): string {
  const last = s.last;
  const why: string[] = [];
  if (last && last.status !== 'complete')
    why.push(
      `${last.status} in run ${last.runId}: ${[last.error, ...last.problems].filter(Boolean).join('; ') || 'no reason recorded'}`,
    );
  if (s.records !== s.ledgerRecords)
    why.push(`the run recorded ${s.records} record(s), the evidence ledger lists ${s.ledgerRecords}`);
  if (s.failedPages) why.push(`${s.failedPages} upstream response(s) of the last extraction were not 2xx`);
  return why.join('\n') || 'complete';
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

  const c = r.completeness;
  const bad = c.extractions.filter((e) => e.status !== 'complete');
  const unreconciled = c.streams.filter((x) => x.records !== x.ledgerRecords);
  const completenessLine = !c.streams.length
    ? 'no source stream ran in the runs considered'
    : c.complete
      ? `complete: ${c.streams.length} source stream(s), ${c.extractions.length} extraction(s), every one complete, and every stream's record count matches the evidence ledger`
      : `NOT complete: ${bad.length} of ${c.extractions.length} extraction(s) partial or failed${unreconciled.length ? `, ${unreconciled.length} stream(s) whose record count does not match the evidence ledger` : ''} (see Completeness of the source data)`;
  const tally = new Map<string, number>();
  for (const x of r.controls) tally.set(x.test.conclusion, (tally.get(x.test.conclusion) ?? 0) + 1);
  const conclusionsLine = (['effective', 'not_effective', 'partial', 'not_evaluated'] as const)
    .filter((k) => tally.get(k))
    .map((k) => `${tally.get(k)} ${CONCLUSION_LABELS[k]}`)
    .join(', ');
  const linkedChanges = new Set(r.population.deployments.flatMap((d) => d.changes.map((x) => x.ref))).size;
  const populationLine =
    `${r.population.total} successful production deployment(s) in the period (${r.population.traced} traced), ` +
    `${linkedChanges} linked change request(s); ` +
    (c.recordsHeld.length
      ? `${c.recordsHeld.reduce((n, x) => n + x.count, 0)} record(s) on record at the as-of instant`
      : 'no record on record at the as-of instant');

  sections['Summary'].push(
    {
      kind: 'facts',
      items: [
        ['Period', `${r.period.from} to ${r.period.to} (UTC, both days included)`],
        ['As of', `${when(r.asOf)}: what the hub knew then (record versions, finding history, runs)`],
        ['Generated', when(r.generatedAt)],
        ['Report id', `${r.reportId} (SHA-256 of the report's content; a sign-off is bound to it)`],
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
        ['Population', populationLine],
        ['Completeness', completenessLine],
        ['Conclusions', conclusionsLine || 'no control'],
        ['Tool', `${r.preparation.tool} ${r.preparation.toolVersion}, report format ${r.reportVersion}`],
        [
          'Controls',
          `${r.preparation.catalog}, digest ${r.preparation.catalogDigest.slice(0, 16)} (each control's version under Control tests)`,
        ],
        [
          'Configuration',
          r.preparation.configDigest
            ? `digest ${r.preparation.configDigest.slice(0, 16)}, as last recorded in the evidence ledger`
            : 'no config recorded in the evidence ledger by the as-of instant',
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

  sections['Completeness of the source data'].push(
    {
      kind: 'paragraph',
      text:
        'Every source stream reads its upstream in full on its first run (back to collect.since) and from its ' +
        'cursor on later runs. Each upstream response is recorded in the evidence ledger as it is read (method, ' +
        'path and query, HTTP status, SHA-256 of the body), and each committed batch with the content hash of ' +
        'every record, in the transaction that stores them. A run with a stream that is not complete is ' +
        'incomplete, and the controls that depend on it report partial or not evaluated. The counts below are ' +
        "recounted from the ledger and the streams' status rows, not taken from the run's summary; the requests " +
        "are those of each stream's last extraction, as patterns ({n}, {id}, {sha}: path ids; …: a parameter that " +
        'varied between requests, such as the page; any other value: the filter every request used).',
    },
    table(
      [
        col('Source', 2),
        col('Runs', 1.6),
        col('Records (run / ledger)', 1.4),
        col('Requests', 0.9),
        col('Extraction query (last extraction)', 6),
        col('Last extraction', 2.2),
        col('Last complete', 1.5),
        col('Status', 2.2),
      ],
      c.streams.map((x) => [
        `${x.connector}/${x.stream}\n(${x.plugin}: ${x.kinds.join(', ') || '-'})`,
        streamRuns(x),
        `${x.records} / ${x.ledgerRecords}`,
        String(x.pages),
        [
          ...x.queries.map((q) => `${q.request} (${q.count}x)`),
          ...(x.moreQueries ? [`+ ${x.moreQueries} more request pattern(s)`] : []),
        ].join('\n') || 'no request recorded',
        x.last
          ? `run ${x.last.runId}\n${when(x.last.startedAt)} to ${when(x.last.finishedAt)}, ${x.last.status}, ${x.last.records} record(s)`
          : '-',
        x.lastSuccessAt
          ? `${when(x.lastSuccessAt)}${x.lastSuccessRunId ? `\nrun ${x.lastSuccessRunId}` : ''}`
          : 'never',
        streamWhy(x),
      ]),
      'No source stream ran in the runs considered.',
    ),
    { kind: 'heading', text: 'Records on record at the as-of instant' },
    table(
      [col('Connector', 2), col('Record kind', 2), col('Records', 1)],
      c.recordsHeld.map((x) => [x.connector, x.kind, String(x.count)]),
      'The store held no record at the as-of instant.',
    ),
  );

  sections['Control tests'].push(
    {
      kind: 'paragraph',
      text:
        'Each control is tested over its whole population (no sampling). An exception is a subject of the ' +
        'population with a finding of the control open, reopened or accepted at the as-of instant; the deviation ' +
        `rate is exceptions / population. Conclusion rule: ${CONCLUSION_RULE}`,
    },
    table(
      [
        col('Control', 1.3),
        col('Title', 3.2),
        col('Version', 1.2),
        col('Population', 1),
        col('Exceptions', 1),
        col('Accepted', 0.9),
        col('Deviation rate', 1.1),
        col('Conclusion', 1.3),
      ],
      r.controls.map((x) => [
        x.id,
        x.title,
        x.test.version,
        x.test.population === null ? 'n/a' : String(x.test.population),
        String(x.test.exceptions),
        String(x.test.accepted),
        rate(x.test.deviationRate),
        CONCLUSION_LABELS[x.test.conclusion],
      ]),
      'No control.',
    ),
  );
  for (const x of r.controls) {
    sections['Control tests'].push(
      { kind: 'heading', text: `${x.id} ${x.title}` },
      {
        kind: 'facts',
        items: [
          ['Test procedure', x.test.procedure],
          [
            'Control version',
            `${x.test.version}, severity ${x.severity}, ${x.enabled ? 'enabled' : 'disabled'}`,
          ],
          [
            'Population tested',
            x.test.population === null ? `not counted (${x.test.populationBasis})` : x.test.populationBasis,
          ],
          [
            'Exceptions found',
            `${x.test.exceptions}${x.test.accepted ? ` (${x.test.accepted} accepted as risk)` : ''}${
              x.test.exceptionKeys.length
                ? `: ${x.test.exceptionKeys.map((k) => k.slice(k.indexOf('|') + 1)).join(', ')}`
                : ''
            }`,
          ],
          ['Deviation rate', rate(x.test.deviationRate)],
          [
            'Last run',
            x.lastRun
              ? `${x.lastRun.status}${x.lastRun.reason ? `: ${x.lastRun.reason}` : ''} (run ${x.lastRun.runId})`
              : controlStatus(x),
          ],
          ['Conclusion', x.test.rule],
        ],
      },
    );
  }

  sections['Appendix: deployments'].push(
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
  sections['Appendix: traceability'].push(
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

  sections['Accepted exceptions'].push(
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

  const so = r.signOff;
  const reviewed: [string, string][] = so.signatures.length
    ? so.signatures.flatMap((x, i) => [
        [`Reviewed by${so.signatures.length > 1 ? ` (${i + 1})` : ''}`, x.reviewer],
        ['Role', x.role],
        ['Date', x.reviewedOn],
        [
          'Recorded',
          `evidence ledger entry ${x.ledgerSeq} (${x.ledgerHash.slice(0, 16)}), ${when(x.signedAt)}, by ${x.recordedBy}${
            x.file ? `; file ${x.file.name} (${x.file.format}, SHA-256 ${x.file.sha256.slice(0, 16)})` : ''
          }`,
        ],
      ])
    : [
        ['Reviewed by', BLANK],
        ['Role', BLANK],
        ['Date', BLANK],
        ['Signature', BLANK],
      ];
  sections['Sign-off'].push(
    {
      kind: 'facts',
      items: [
        [
          'Prepared by',
          `${r.preparation.tool} ${r.preparation.toolVersion}, run by ${r.preparation.operator} on ${when(r.generatedAt)}`,
        ],
        ['Report id', r.reportId],
        ...reviewed,
      ],
    },
    ...so.mismatched.map((x): Block => ({
      kind: 'paragraph',
      text: `Not a sign-off of this report: ${x.reviewer} (${x.role}) signed ${x.reviewedOn} a report of the same period and as-of instant with id ${x.reportId} (ledger entry ${x.ledgerSeq}); this report's content differs, so that sign-off does not apply to it.`,
    })),
    {
      kind: 'paragraph',
      text: so.signatures.length
        ? 'The sign-off is bound to the report id: a report whose content differs no longer shows it. Verify the ledger with ' +
          `${r.checkpoint.verifyCommand}.`
        : `To record the review in the evidence ledger: ${so.signCommand}. A later render of this report (same period, --as-of and --redact) then shows it here.`,
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
