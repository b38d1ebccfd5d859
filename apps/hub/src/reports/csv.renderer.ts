/**
 * The report as CSV: one RFC 4180 file per record type (comma-separated, CRLF, fields quoted when
 * needed, a header row of stable column names), zipped together (`--format csv` writes a `.zip`).
 * Columns are only ever added at the end; docs/reports.md lists them.
 */
import { strToU8, zipSync } from 'fflate';
import type { AuditReport } from './report.model';
import { untracedReason } from './report.layout';

type Value = string | number | boolean | null | undefined;

/** The files of the zip and their columns, in order. */
export const CSV_FILES = {
  'report.csv': ['field', 'value'],
  'runs.csv': ['run_id', 'trigger', 'started_at', 'finished_at', 'status'],
  'sources.csv': [
    'connector',
    'plugin',
    'stream',
    'kinds',
    'runs',
    'complete',
    'partial',
    'failed',
    'records',
    'ledger_records',
    'pages',
    'failed_pages',
    'first_extracted_at',
    'last_run_id',
    'last_status',
    'last_started_at',
    'last_finished_at',
    'last_records',
    'last_error',
    'last_complete_at',
    'last_complete_run_id',
    'queries',
  ],
  'extractions.csv': [
    'run_id',
    'connector',
    'stream',
    'status',
    'records',
    'ledger_records',
    'pages',
    'started_at',
    'finished_at',
    'error',
    'problems',
  ],
  'records_held.csv': ['connector', 'kind', 'count'],
  'controls.csv': [
    'control_id',
    'title',
    'version',
    'severity',
    'enabled',
    'subject_type',
    'last_run_id',
    'last_run_status',
    'last_run_reason',
    'population',
    'population_basis',
    'exceptions',
    'accepted',
    'deviation_rate',
    'conclusion',
    'rule',
    'procedure',
    'frameworks',
  ],
  'clauses.csv': ['framework', 'clause', 'control_id', 'open', 'reopened', 'accepted', 'resolved'],
  'findings.csv': [
    'key',
    'control_id',
    'severity',
    'status',
    'status_since',
    'subject_type',
    'subject',
    'service',
    'environment',
    'related',
    'frameworks',
    'first_seen_at',
    'resolved_at',
    'ticket',
    'reason',
    'evidence',
  ],
  'exceptions.csv': [
    'source',
    'control_id',
    'subject',
    'reason',
    'requested_by',
    'approved_by',
    'expires',
    'active',
    'covers',
  ],
  'emergency_releases.csv': [
    'deployment',
    'service',
    'environment',
    'finished_at',
    'change',
    'change_state',
    'closed_at',
    'review_hours',
    'review_due',
    'review',
  ],
  'signoffs.csv': [
    'report_id',
    'matches',
    'reviewer',
    'role',
    'reviewed_on',
    'signed_at',
    'recorded_by',
    'ledger_seq',
    'ledger_hash',
    'file',
    'file_sha256',
  ],
  'deployments.csv': [
    'ref',
    'connector',
    'service',
    'environment',
    'started_at',
    'finished_at',
    'version',
    'triggered_by',
    'traced',
    'traced_by',
    'linked_changes',
    'unknown_changes',
    'untraced_reason',
  ],
} as const;
export type CsvFile = keyof typeof CSV_FILES;

/**
 * Quotes a field when it holds a comma, quote or line break; a field a spreadsheet would run as a
 * formula (`=`, `+`, `@`, or `-` not starting a number) is prefixed with `'` (OWASP CSV injection).
 */
export function csvField(value: Value): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+@\t\r]/.test(text) || /^-(?![\d.])/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csv(columns: readonly string[], rows: Value[][]): string {
  return [columns.join(','), ...rows.map((row) => row.map(csvField).join(','))].join('\r\n') + '\r\n';
}

const list = (items: readonly string[]) => items.join(';');

/** Each file's rows, in the columns of CSV_FILES. */
export function csvTables(r: AuditReport): Record<CsvFile, Value[][]> {
  const cp = r.checkpoint;
  return {
    'report.csv': [
      ['report_id', r.reportId],
      ['report_version', r.reportVersion],
      ['period_from', r.period.from],
      ['period_to', r.period.to],
      ['period_start', r.period.start],
      ['period_end', r.period.end],
      ['as_of', r.asOf],
      ['generated_at', r.generatedAt],
      ['redacted', r.redacted],
      ['tool', r.preparation.tool],
      ['tool_version', r.preparation.toolVersion],
      ['catalog', r.preparation.catalog],
      ['catalog_digest', r.preparation.catalogDigest],
      ['config_digest', r.preparation.configDigest],
      ['operator', r.preparation.operator],
      [
        'connectors',
        list(r.scope.connectors.map((c) => `${c.id}:${c.plugin}${c.enabled ? '' : ':disabled'}`)),
      ],
      ['services', list(r.scope.services)],
      ['production_environments', list(r.scope.productionEnvironments)],
      ['last_run_id', r.scope.lastRunId],
      ['population', r.population.total],
      ['traced', r.population.traced],
      [
        'traceability_rate',
        r.population.traceabilityRate === null ? '' : r.population.traceabilityRate.toFixed(4),
      ],
      ['completeness', r.completeness.complete ? 'complete' : 'not_complete'],
      ['checkpoint_id', cp.id],
      ['checkpoint_tree_size', cp.treeSize],
      ['checkpoint_root_hash', cp.rootHash],
      ['checkpoint_signed', cp.recorded ? cp.signed : ''],
      ['verify_command', cp.verifyCommand],
    ],
    'runs.csv': r.scope.runs.map((x) => [x.id, x.trigger, x.startedAt, x.finishedAt, x.status]),
    'sources.csv': r.completeness.streams.map((x) => [
      x.connector,
      x.plugin,
      x.stream,
      list(x.kinds),
      x.runs,
      x.complete,
      x.partial,
      x.failed,
      x.records,
      x.ledgerRecords,
      x.pages,
      x.failedPages,
      x.firstExtractedAt,
      x.last?.runId,
      x.last?.status,
      x.last?.startedAt,
      x.last?.finishedAt,
      x.last?.records,
      x.last ? [x.last.error, ...x.last.problems].filter(Boolean).join('; ') : '',
      x.lastSuccessAt,
      x.lastSuccessRunId,
      [
        ...x.queries.map((q) => `${q.request} (${q.count}x)`),
        ...(x.moreQueries ? [`+${x.moreQueries} more`] : []),
      ].join('\n'),
    ]),
    'extractions.csv': r.completeness.extractions.map((x) => [
      x.runId,
      x.connector,
      x.stream,
      x.status,
      x.records,
      x.ledgerRecords,
      x.pages,
      x.startedAt,
      x.finishedAt,
      x.error,
      x.problems.join('; '),
    ]),
    'records_held.csv': r.completeness.recordsHeld.map((x) => [x.connector, x.kind, x.count]),
    'controls.csv': r.controls.map((c) => [
      c.id,
      c.title,
      c.test.version,
      c.severity,
      c.enabled,
      c.test.subjectType,
      c.lastRun?.runId,
      c.lastRun?.status ?? (c.enabled ? 'no_result' : 'disabled'),
      c.lastRun?.reason,
      c.test.population,
      c.test.populationBasis,
      c.test.exceptions,
      c.test.accepted,
      c.test.deviationRate === null ? '' : c.test.deviationRate.toFixed(4),
      c.test.conclusion,
      c.test.rule,
      c.test.procedure,
      list(c.frameworks),
    ]),
    'clauses.csv': r.frameworks.flatMap((g) =>
      g.clauses.flatMap((clause) =>
        clause.controls.map((id) => {
          const own = r.findings.filter((f) => f.controlId === id && f.frameworks.includes(clause.token));
          const n = (s: string) => own.filter((f) => f.status === s).length;
          return [g.framework, clause.token, id, n('open'), n('reopened'), n('accepted'), n('resolved')];
        }),
      ),
    ),
    'findings.csv': r.findings.map((f) => [
      f.key,
      f.controlId,
      f.severity,
      f.status,
      f.statusSince,
      f.subject.type,
      f.subject.ref,
      f.subject.service,
      f.subject.environment,
      list(f.related.map((x) => x.ref)),
      list(f.frameworks),
      f.firstSeenAt,
      f.resolvedAt,
      f.ticket ? `${f.ticket.tracker}:${f.ticket.key}` : '',
      f.reason,
      list(f.evidence.map((e) => e.ref)),
    ]),
    'exceptions.csv': r.exceptions.map((e) => [
      e.source,
      e.control,
      e.subject,
      e.reason,
      e.requestedBy,
      e.approvedBy,
      e.expires,
      e.active,
      list(e.covers),
    ]),
    'emergency_releases.csv': r.emergencyReleases.map((e) => [
      e.deployment,
      e.service,
      e.environment,
      e.finishedAt,
      e.change,
      e.changeState,
      e.closedAt,
      e.reviewHours,
      e.reviewDue,
      e.review,
    ]),
    'signoffs.csv': [
      ...r.signOff.signatures.map((x) => ({ x, matches: true })),
      ...r.signOff.mismatched.map((x) => ({ x, matches: false })),
    ].map(({ x, matches }) => [
      x.reportId,
      matches,
      x.reviewer,
      x.role,
      x.reviewedOn,
      x.signedAt,
      x.recordedBy,
      x.ledgerSeq,
      x.ledgerHash,
      x.file?.name,
      x.file?.sha256,
    ]),
    'deployments.csv': r.population.deployments.map((d) => [
      d.ref,
      d.connector,
      d.service,
      d.environment,
      d.startedAt,
      d.finishedAt,
      d.version,
      d.triggeredBy,
      d.traced,
      d.tracedBy,
      list(d.changes.map((c) => c.ref)),
      list(d.unknownChanges),
      d.traced ? '' : untracedReason(d),
    ]),
  };
}

/** Each file of the zip as CSV text. */
export function renderCsvFiles(r: AuditReport): Record<CsvFile, string> {
  const tables = csvTables(r);
  return Object.fromEntries(
    (Object.keys(CSV_FILES) as CsvFile[]).map((name) => [name, csv(CSV_FILES[name], tables[name])]),
  ) as Record<CsvFile, string>;
}

/** The zip: every file of CSV_FILES, dated the report's generation time (so renders compare). */
export function renderCsvZip(r: AuditReport): Buffer {
  const mtime = new Date(r.generatedAt);
  const files = renderCsvFiles(r);
  return Buffer.from(
    zipSync(
      Object.fromEntries(
        Object.entries(files).map(([name, text]) => [name, [strToU8(text), { mtime, level: 6 }]]),
      ),
    ),
  );
}
