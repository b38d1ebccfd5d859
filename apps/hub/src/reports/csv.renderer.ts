/**
 * The report as one rectangular CSV (RFC 4180: comma-separated, CRLF, fields quoted when needed)
 * for spreadsheets and scripts: one row per item, the `section` column saying what the row is
 * (scope, run, population, control, clause, finding, exception, emergency, incomplete_run,
 * checkpoint), the same columns for every row.
 */
import type { AuditReport } from './report.model';
import { untracedReason } from './report.layout';

export const CSV_COLUMNS = [
  'section',
  'item',
  'control_id',
  'clause',
  'status',
  'severity',
  'service',
  'environment',
  'subject',
  'related',
  'person',
  'started_at',
  'ended_at',
  'value',
  'detail',
] as const;
type Column = (typeof CSV_COLUMNS)[number];
type Row = Partial<Record<Column, string | number | boolean | null | undefined>>;

/**
 * Quotes a field when it holds a comma, quote or line break; a field a spreadsheet would run as a
 * formula (`=`, `+`, `@`, or `-` not starting a number) is prefixed with `'` (OWASP CSV injection).
 */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+@\t\r]/.test(text) || /^-(?![\d.])/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function renderCsv(r: AuditReport): string {
  const rows: Row[] = [];
  const scope = (item: string, value: string, detail?: string) =>
    rows.push({ section: 'scope', item, value, detail });
  scope('period', `${r.period.from}/${r.period.to}`, `${r.period.start}/${r.period.end}`);
  scope('as_of', r.asOf);
  scope('generated_at', r.generatedAt);
  scope('redacted', String(r.redacted));
  for (const c of r.scope.connectors)
    scope('connector', c.id, `${c.plugin}${c.enabled ? '' : ' (disabled)'}`);
  for (const s of r.scope.services) scope('service', s);
  for (const e of r.scope.productionEnvironments) scope('production_environment', e);
  scope('population', String(r.population.total));
  scope('traced', String(r.population.traced));
  scope(
    'traceability_rate',
    r.population.traceabilityRate === null ? '' : r.population.traceabilityRate.toFixed(4),
  );
  for (const run of r.scope.runs) {
    rows.push({
      section: 'run',
      item: run.id,
      status: run.status,
      started_at: run.startedAt,
      ended_at: run.finishedAt,
      detail: run.trigger,
    });
  }
  for (const d of r.population.deployments) {
    rows.push({
      section: 'population',
      item: d.ref,
      status: d.traced ? 'traced' : 'untraced',
      service: d.service,
      environment: d.environment,
      related: [...d.changes.map((c) => c.ref), ...d.unknownChanges].join(';'),
      person: d.triggeredBy,
      started_at: d.startedAt,
      ended_at: d.finishedAt,
      value: d.tracedBy,
      detail: d.traced ? '' : untracedReason(d),
    });
  }
  for (const c of r.controls) {
    rows.push({
      section: 'control',
      item: c.id,
      control_id: c.id,
      status: c.lastRun?.status ?? (c.enabled ? 'no_result' : 'disabled'),
      severity: c.severity,
      value: c.findings.total,
      detail: `open=${c.findings.open};reopened=${c.findings.reopened};accepted=${c.findings.accepted};resolved=${c.findings.resolved}`,
    });
  }
  for (const g of r.frameworks) {
    for (const clause of g.clauses) {
      for (const id of clause.controls) {
        const own = r.findings.filter((f) => f.controlId === id && f.frameworks.includes(clause.token));
        rows.push({
          section: 'clause',
          item: clause.token,
          control_id: id,
          clause: clause.token,
          value: own.filter((f) => f.status === 'open' || f.status === 'reopened').length,
          detail: `findings=${own.length}`,
        });
      }
    }
  }
  for (const f of r.findings) {
    rows.push({
      section: 'finding',
      item: f.key,
      control_id: f.controlId,
      clause: f.frameworks.join(';'),
      status: f.status,
      severity: f.severity,
      service: f.subject.service,
      environment: f.subject.environment,
      subject: f.subject.ref,
      related: f.related.map((x) => x.ref).join(';'),
      started_at: f.firstSeenAt,
      ended_at: f.resolvedAt,
      value: f.evidence.map((e) => e.ref).join(';'),
      detail: f.reason,
    });
  }
  for (const e of r.exceptions) {
    rows.push({
      section: 'exception',
      item: `${e.source}|${e.control}|${e.subject}`,
      control_id: e.control,
      status: e.active ? 'active' : 'expired',
      subject: e.subject,
      related: e.covers.join(';'),
      person: `requested:${e.requestedBy};approved:${e.approvedBy}`,
      ended_at: e.expires,
      value: e.covers.length,
      detail: e.reason,
    });
  }
  for (const e of r.emergencyReleases) {
    rows.push({
      section: 'emergency',
      item: e.deployment,
      control_id: 'RM-EMG-001',
      status: e.review,
      service: e.service,
      environment: e.environment,
      subject: e.change,
      started_at: e.finishedAt,
      ended_at: e.closedAt,
      value: e.reviewDue,
      detail: `change ${e.changeState}; review within ${e.reviewHours} h`,
    });
  }
  for (const run of r.incompleteRuns) {
    for (const s of run.sources.length ? run.sources : [null]) {
      rows.push({
        section: 'incomplete_run',
        item: run.id,
        status: run.status,
        subject: s ? `${s.connector}/${s.stream}` : '',
        started_at: run.startedAt,
        ended_at: run.finishedAt,
        value: s?.status,
        detail: s ? [s.error, ...s.problems].filter(Boolean).join('; ') : run.error,
      });
    }
  }
  const cp = r.checkpoint;
  rows.push({
    section: 'checkpoint',
    item: cp.id === null ? '' : String(cp.id),
    status: cp.recorded ? (cp.signed ? 'signed' : 'unsigned') : 'none',
    started_at: cp.createdAt,
    value: cp.treeSize,
    related: cp.rootHash,
    detail: cp.recorded ? cp.verifyCommand : `${cp.note}; ${cp.verifyCommand}`,
  });
  return (
    [CSV_COLUMNS.join(','), ...rows.map((row) => CSV_COLUMNS.map((c) => csvField(row[c])).join(','))].join(
      '\r\n',
    ) + '\r\n'
  );
}
