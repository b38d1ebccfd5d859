/**
 * Builders for the entries other parts of the hub append through EvidenceLedger.append, in the
 * transaction of what they record: remediation's ticket actions and exception decisions, and a
 * reviewer's sign-off of a period report.
 */
import type { FindingStatus } from '@audit-hub/domain';
import type { EvidenceEntryInput } from './ledger.types';

export type TicketAction = 'create' | 'update' | 'comment' | 'close' | 'reopen' | 'found_existing';

export interface TicketActionEvidence {
  runId: string | null;
  /** The finding (or group) key the ticket is for. */
  findingKey: string;
  action: TicketAction;
  /** The tracker connector id. */
  tracker: string;
  /** The tracker's ticket key or id, once known. */
  ticket?: string | null;
  /** The marker the ticket is found by (search before create). */
  dedupeKey?: string;
  /** The tracker's answer, as a digest or a few fields; never a credential. */
  detail?: unknown;
  at?: string;
}

export function ticketActionEntry(e: TicketActionEvidence): EvidenceEntryInput {
  return {
    type: 'ticket_action',
    subject: e.findingKey,
    runId: e.runId,
    at: e.at,
    payload: {
      findingKey: e.findingKey,
      action: e.action,
      tracker: e.tracker,
      ticket: e.ticket ?? null,
      dedupeKey: e.dedupeKey ?? null,
      detail: e.detail ?? null,
    },
  };
}

export type ExceptionDecision = 'covered' | 'lapsed';

export interface ExceptionDecisionEvidence {
  runId: string | null;
  findingKey: string;
  /** `covered`: an exception now accepts the finding; `lapsed`: it no longer does (expired or removed). */
  decision: ExceptionDecision;
  fromStatus: FindingStatus | null;
  toStatus: FindingStatus;
  /** The exception as configured: control, subject pattern, reason, requester, approver, expiry. */
  exception: unknown;
  at?: string;
}

export function exceptionDecisionEntry(e: ExceptionDecisionEvidence): EvidenceEntryInput {
  return {
    type: 'exception_decision',
    subject: e.findingKey,
    runId: e.runId,
    at: e.at,
    payload: {
      findingKey: e.findingKey,
      decision: e.decision,
      from: e.fromStatus,
      to: e.toStatus,
      exception: e.exception ?? null,
    },
  };
}

/** The payload of a `report_signoff` entry: who reviewed which report content, and when. */
export interface ReportSignOffPayload {
  /** The report's content hash (reports/report-id.ts): a changed report no longer matches it. */
  reportId: string;
  reportVersion: number;
  period: { from: string; to: string };
  asOf: string;
  redacted: boolean;
  reviewer: string;
  role: string;
  /** `YYYY-MM-DD`, as the reviewer dated the sign-off. */
  reviewedOn: string;
  /** Who ran `report --sign`. */
  recordedBy: string;
  /** The rendered file the reviewer signed, when one was given. */
  file: { name: string; format: string; sha256: string } | null;
}

export function reportSignOffEntry(p: ReportSignOffPayload, at?: string): EvidenceEntryInput {
  return { type: 'report_signoff', subject: `report ${p.reportId}`, runId: null, at, payload: p };
}
