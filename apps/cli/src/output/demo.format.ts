/** The demo's summary: findings grouped by control family, most severe first, then the totals. */
import { CONTROL_CATALOG, SEVERITIES } from '@audit-hub/domain';
import type { RunReport } from '../../../hub/src/runs/run-report.builder';
import { renderTable } from './table';

const FAMILIES: Record<string, string> = {
  CHG: 'Change management',
  EMG: 'Emergency changes',
  SOD: 'Segregation of duties',
  ACC: 'Access to production',
  PIPE: 'Pipeline integrity',
  QG: 'Quality gates',
  ART: 'Artifact integrity',
  INV: 'Inventory',
  RBK: 'Rollbacks',
  EVD: 'Test evidence',
};

export function familyOf(controlId: string): string {
  return controlId.split('-')[1] ?? controlId;
}

export function demoSummary(report: RunReport): string {
  const out: string[] = [];
  const active = report.findings.filter((f) => f.status !== 'resolved');
  for (const [family, title] of Object.entries(FAMILIES)) {
    const ids = CONTROL_CATALOG.filter((c) => familyOf(c.id) === family).map((c) => c.id);
    const controls = report.controls.filter((c) => ids.includes(c.id));
    if (!controls.length) continue;
    const findings = active
      .filter((f) => familyOf(f.controlId) === family)
      .sort(
        (a, b) =>
          SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
          a.controlId.localeCompare(b.controlId),
      );
    out.push(`\n${title} (${controls.map((c) => `${c.id} ${c.status}`).join(', ')})\n`);
    out.push(
      findings.length
        ? renderTable(findings, [
            { header: 'SEVERITY', value: (f) => f.severity },
            { header: 'CONTROL', value: (f) => f.controlId },
            { header: 'STATUS', value: (f) => f.status },
            { header: 'SUBJECT', value: (f) => f.subject.ref, max: 48 },
            { header: 'REASON', value: (f) => f.reason, max: 110 },
          ])
        : '  no findings\n',
    );
  }
  const s = report.summary;
  out.push(
    `\nRun ${report.run.id} ${report.run.status}: ${report.run.sources.reduce((n, x) => n + x.records, 0)} records from ${report.run.sources.length} streams.\n` +
      `${s.open} open findings (${SEVERITIES.map((sev) => `${s.bySeverity[sev]} ${sev}`).join(', ')}); ${s.new} new, ${s.resolved} resolved, ${s.accepted} accepted.\n`,
  );
  return out.join('');
}
