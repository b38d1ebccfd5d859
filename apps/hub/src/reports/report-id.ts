/**
 * A report's content hash (`reportId`): what a reviewer's sign-off is bound to. It covers every
 * fact of the report — period, as-of instant, redaction, tool and control versions, population,
 * control tests, findings — and leaves out only what differs from one render of the same report
 * to the next: when and by whom it was rendered, and the sign-offs themselves.
 */
import { canonicalJson, sha256Hex, toJsonValue } from '../evidence/ledger-hash';
import type { AuditReport } from './report.model';

/** The report as hashed: without `reportId`, `generatedAt`, `preparation.operator`, `signOff`. */
export function reportContent(report: AuditReport): Record<string, unknown> {
  const { reportId: _id, generatedAt: _at, signOff: _signOff, preparation, ...rest } = report;
  const { operator: _operator, ...tool } = preparation ?? ({} as AuditReport['preparation']);
  return toJsonValue({ ...rest, preparation: tool }) as Record<string, unknown>;
}

/** SHA-256 (hex) of the RFC 8785 canonical JSON of the report's content. */
export function reportContentHash(report: AuditReport): string {
  return sha256Hex(canonicalJson(reportContent(report)));
}

export const REPORT_ID = /^[0-9a-f]{64}$/;
