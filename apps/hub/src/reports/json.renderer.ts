/** The report model as JSON, for tools: the same fields as `AuditReport` (report.model.ts). */
import type { AuditReport } from './report.model';

export function renderJson(report: AuditReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
