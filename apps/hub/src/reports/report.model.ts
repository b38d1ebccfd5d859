/**
 * The period report for auditors (interfaces.md `report --from D --to D`), as one typed model that
 * every renderer (HTML, PDF, CSV, JSON, OSCAL) reads. The model holds data only: labels and
 * wording live in the renderers, so redaction (pseudonymizer.ts) can rewrite every string here
 * without touching the report's own words.
 */
import type { ControlStatus, FindingStatus, Severity } from '@audit-hub/domain';

export const REPORT_FORMATS = ['html', 'pdf', 'json', 'csv', 'oscal'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Bumped when a field of the JSON output changes meaning or shape. */
export const REPORT_VERSION = 1;

/** The sections every human-readable format shows, in order (headings as printed). */
export const REPORT_SECTIONS = [
  'Scope',
  'Population',
  'Traceability',
  'Results by framework clause',
  'Control results',
  'Findings',
  'Exceptions',
  'Emergency releases',
  'Incomplete runs',
  'Evidence checkpoint',
] as const;
export type ReportSection = (typeof REPORT_SECTIONS)[number];

/** How to check the evidence ledger the report was built from (interfaces.md `evidence verify`). */
export const VERIFY_COMMAND = 'npm run audit-hub -- evidence verify';

export type Instant = string;

/** `[start, end]`: `from` 00:00:00.000 UTC through `to` 23:59:59.999 UTC. */
export interface ReportPeriod {
  from: string;
  to: string;
  start: Instant;
  end: Instant;
}

export type FindingCounts = Record<FindingStatus, number> & { total: number };

export interface ReportRun {
  id: string;
  trigger: string;
  startedAt: Instant;
  finishedAt: Instant | null;
  status: string;
}

export interface ReportScope {
  connectors: { id: string; plugin: string; enabled: boolean }[];
  /** Services with a production deployment in the period, and those of the config's catalog. */
  services: string[];
  /** Production environment names seen in the population. */
  productionEnvironments: string[];
  /** Runs from the period start up to the as-of instant (a later run still evaluates the period). */
  runs: ReportRun[];
  /** The run whose control results are reported. */
  lastRunId: string | null;
}

export interface LinkedChange {
  /** `<connector>:<number>` (interfaces.md subject refs). */
  ref: string;
  number: string;
  type: string;
  state: string;
  approval: string;
  approvalSetAt: Instant | null;
  closedAt: Instant | null;
  requestedBy: string | null;
  assignedTo: string | null;
  /** ServiceNow approval records in state `approved`, as of the report's as-of instant. */
  approvers: string[];
  /** Standard (pre-approved), or approved at deployment time (controls.md). */
  approvedAtDeployment: boolean;
}

export interface PopulationDeployment {
  ref: string;
  connector: string;
  service: string | null;
  environment: string;
  startedAt: Instant;
  finishedAt: Instant | null;
  version: string | null;
  triggeredBy: string | null;
  changes: LinkedChange[];
  /** Change numbers the deployment references that the change source does not have. */
  unknownChanges: string[];
  traced: boolean;
  /** The first linked change that makes it traced. */
  tracedBy: string | null;
}

export interface PopulationSection {
  total: number;
  traced: number;
  untraced: number;
  /** traced / total; null when the population is empty. */
  traceabilityRate: number | null;
  byService: { service: string; total: number; traced: number }[];
  deployments: PopulationDeployment[];
}

export interface ControlResultView {
  id: string;
  title: string;
  severity: Severity;
  enabled: boolean;
  frameworks: string[];
  /** The control's row in the last run considered; null when that run has none. */
  lastRun: {
    runId: string;
    startedAt: Instant;
    status: ControlStatus;
    reason: string | null;
    open: number;
    flagged: number;
  } | null;
  findings: FindingCounts;
}

export interface FrameworkClause {
  /** `SOX:ITGC-CM`. */
  token: string;
  /** `ITGC-CM`. */
  clause: string;
  controls: string[];
  findings: FindingCounts;
}

export interface FrameworkGroup {
  /** The token prefix: `SOX`, `PCI-DSS-4.0`, … */
  framework: string;
  name: string;
  clauses: FrameworkClause[];
}

/** A finding_event row the report relied on: the transition, its run and time. */
export interface EvidenceRef {
  ref: string;
  runId: string;
  at: Instant;
  from: FindingStatus | null;
  to: FindingStatus;
}

export interface ReportFinding {
  key: string;
  controlId: string;
  title: string;
  severity: Severity;
  /** As of the report's as-of instant, from the finding's event history. */
  status: FindingStatus;
  subject: { type: string; ref: string; service: string | null; environment: string | null };
  reason: string;
  related: { type: string; ref: string }[];
  frameworks: string[];
  firstSeenAt: Instant;
  /** When the finding took its reported status. */
  statusSince: Instant;
  resolvedAt: Instant | null;
  ticket: { tracker: string; key: string; url?: string } | null;
  exception: {
    subject: string;
    reason: string;
    requestedBy: string;
    approvedBy: string;
    expires: string;
  } | null;
  evidence: EvidenceRef[];
}

export interface FindingSummary {
  total: number;
  byStatus: Record<FindingStatus, number>;
  /** Open, reopened and accepted findings by severity. */
  activeBySeverity: Record<Severity, number>;
  /** First seen within the period. */
  newInPeriod: number;
  /** Resolved within the period. */
  resolvedInPeriod: number;
}

export interface ReportException {
  /** The config file's `exceptions`, or one requested and approved through the API. */
  source: 'config' | 'api';
  control: string;
  subject: string;
  reason: string;
  requestedBy: string;
  approvedBy: string;
  /** `YYYY-MM-DD`; covers through 23:59:59 UTC of that day. */
  expires: string;
  /** Not expired at the as-of instant. */
  active: boolean;
  /** Keys of the report's findings it covers (status accepted). */
  covers: string[];
}

export type EmergencyReview = 'in_time' | 'late' | 'overdue' | 'pending';

export interface EmergencyRelease {
  deployment: string;
  service: string | null;
  environment: string;
  finishedAt: Instant;
  change: string;
  changeState: string;
  closedAt: Instant | null;
  reviewHours: number;
  /** finishedAt + reviewHours. */
  reviewDue: Instant;
  review: EmergencyReview;
}

export interface IncompleteRun {
  id: string;
  startedAt: Instant;
  finishedAt: Instant | null;
  status: string;
  error: string | null;
  sources: {
    connector: string;
    stream: string;
    status: string;
    records: number;
    error: string | null;
    problems: string[];
  }[];
}

export interface CheckpointView {
  recorded: boolean;
  /** What to print when none is recorded. */
  note: string;
  id: number | null;
  runId: string | null;
  treeSize: number | null;
  rootHash: string | null;
  signed: boolean;
  keyId: string | null;
  createdAt: Instant | null;
  verifyCommand: string;
}

export interface AuditReport {
  reportVersion: typeof REPORT_VERSION;
  generatedAt: Instant;
  /** What the hub knew at this instant: record versions, finding history and runs up to it. */
  asOf: Instant;
  period: ReportPeriod;
  redacted: boolean;
  scope: ReportScope;
  population: PopulationSection;
  controls: ControlResultView[];
  frameworks: FrameworkGroup[];
  findings: ReportFinding[];
  findingSummary: FindingSummary;
  exceptions: ReportException[];
  emergencyReleases: EmergencyRelease[];
  incompleteRuns: IncompleteRun[];
  checkpoint: CheckpointView;
}
