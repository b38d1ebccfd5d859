/** How findings and runs print: tables for people, JSON and CSV for tools. */
import type { FindingView, RunReport } from '../../../hub/src/runs/run-report.builder';
import { renderCsv, renderTable } from './table';

export function findingsTable(findings: FindingView[]): string {
  if (!findings.length) return 'No findings.\n';
  return renderTable(findings, [
    { header: 'SEVERITY', value: (f) => f.severity },
    { header: 'CONTROL', value: (f) => f.controlId },
    { header: 'STATUS', value: (f) => f.status },
    { header: 'SUBJECT', value: (f) => f.subject.ref, max: 60 },
    { header: 'REASON', value: (f) => f.reason, max: 120 },
  ]);
}

export function findingsCsv(findings: FindingView[]): string {
  return renderCsv(
    [
      'key',
      'controlId',
      'title',
      'severity',
      'status',
      'subjectType',
      'subjectRef',
      'service',
      'environment',
      'reason',
      'frameworks',
      'firstSeenAt',
      'lastSeenAt',
      'ticket',
    ],
    findings.map((f) => [
      f.key,
      f.controlId,
      f.title,
      f.severity,
      f.status,
      f.subject.type,
      f.subject.ref,
      f.subject.service,
      f.subject.environment,
      f.reason,
      f.frameworks.join(' '),
      f.firstSeenAt,
      f.lastSeenAt,
      f.ticket?.key ?? '',
    ]),
  );
}

export function runTable(report: RunReport): string {
  const out: string[] = [];
  out.push(`Run ${report.run.id}: ${report.run.status}${report.run.error ? ` (${report.run.error})` : ''}\n`);
  out.push(
    renderTable(report.run.sources, [
      { header: 'CONNECTOR', value: (s) => s.connector },
      { header: 'STREAM', value: (s) => s.stream },
      { header: 'STATUS', value: (s) => s.status },
      { header: 'RECORDS', value: (s) => String(s.records) },
      { header: 'ERROR', value: (s) => s.error ?? '', max: 100 },
    ]),
  );
  out.push('\n');
  out.push(
    renderTable(report.controls, [
      { header: 'CONTROL', value: (c) => c.id },
      { header: 'STATUS', value: (c) => c.status },
      { header: 'OPEN', value: (c) => String(c.open) },
      { header: 'REASON', value: (c) => c.reason ?? '', max: 100 },
    ]),
  );
  out.push('\n');
  out.push(findingsTable(report.findings));
  const s = report.summary;
  out.push(
    `\n${s.open} open (${s.bySeverity.critical} critical, ${s.bySeverity.high} high, ${s.bySeverity.medium} medium, ${s.bySeverity.low} low); ${s.new} new, ${s.resolved} resolved, ${s.accepted} accepted.\n`,
  );
  return out.join('');
}
