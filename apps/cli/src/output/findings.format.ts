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

const PROBLEMS_SHOWN = 5;

function problemText(p: unknown): string {
  const message = (p as { message?: unknown })?.message;
  return typeof message === 'string' ? message : JSON.stringify(p);
}

/** How many problems a source's groups stand for (problem-groups.ts: one entry per kind, with a count). */
function problemTotal(problems: unknown[] | undefined): number {
  return (problems ?? []).reduce<number>((n, p) => {
    const count = (p as { count?: unknown })?.count;
    return n + (typeof count === 'number' ? count : 1);
  }, 0);
}

function problemsSummary(problems: unknown[] | undefined): string {
  if (!problems?.length) return '';
  return `${problemTotal(problems)} problem(s): ${problemText(problems[0])}`;
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
      { header: 'ERROR', value: (s) => s.error ?? problemsSummary(s.problems), max: 100 },
    ]),
  );
  // A partial source says what it could not read: the table's column has room for the first.
  const listed = report.run.sources.filter((s) => s.problems?.length);
  for (const s of listed) {
    const problems = s.problems ?? [];
    const kinds = problems.length === 1 ? '' : ` of ${problems.length} kinds`;
    out.push(`\n${s.connector}/${s.stream}: ${problemTotal(problems)} problem(s)${kinds}\n`);
    for (const p of problems.slice(0, PROBLEMS_SHOWN)) out.push(`  - ${problemText(p)}\n`);
    if (problems.length > PROBLEMS_SHOWN)
      out.push(`  … and ${problems.length - PROBLEMS_SHOWN} more kinds (--format json lists every one)\n`);
  }
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
