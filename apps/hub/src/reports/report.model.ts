/**
 * The period report for auditors (interfaces.md `report --from D --to D`), as one typed model that
 * every renderer (HTML, PDF, CSV, JSON, OSCAL) reads. The model holds data only: labels and
 * wording live in the renderers, so redaction (pseudonymizer.ts) can rewrite every string here
 * without touching the report's own words.
 */
import type { ControlStatus, FindingStatus, Severity } from '@audit-hub/domain';

export const REPORT_FORMATS = ['html', 'pdf', 'json', 'csv', 'oscal'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * Bumped when a field of the JSON output changes meaning or shape. 2: `reportId`, `preparation`,
 * `completeness`, the per-control test (`controls[].test`) and `signOff`.
 */
export const REPORT_VERSION = 2;

/**
 * The sections every human-readable format shows, in order (headings as printed): the summary an
 * auditor relies on first, the test of each control, what was found and accepted, and the
 * population itself last, as an appendix.
 */
export const REPORT_SECTIONS = [
  'Summary',
  'Completeness of the source data',
  'Control tests',
  'Results by framework clause',
  'Findings',
  'Accepted exceptions',
  'Emergency releases',
  'Incomplete runs',
  'Evidence checkpoint',
  'Sign-off',
  'Appendix: traceability',
  'Appendix: deployments',
] as const;
export type ReportSection = (typeof REPORT_SECTIONS)[number];

/** How to check the evidence ledger the report was built from (interfaces.md `evidence verify`). */
export const VERIFY_COMMAND = 'npm run audit-hub -- evidence verify';

export type Instant = string;

/** What produced the report: the tool, its version, the control catalog, who ran it (IPE). */
export interface ReportPreparation {
  tool: 'audit-hub';
  toolVersion: string;
  /** The control catalog the controls come from (shared/spec/controls.md). */
  catalog: string;
  /** SHA-256 of the catalog's definitions with the parameters in effect, as tested. */
  catalogDigest: string;
  /** The digest of the last `config` entry of the evidence ledger at or before the as-of instant. */
  configDigest: string | null;
  /** The operating-system or API user that rendered this report (not part of `reportId`). */
  operator: string;
}

/** One stream's extraction in one run (source_status, with the evidence ledger's page count). */
export interface SourceExtraction {
  runId: string;
  connector: string;
  stream: string;
  status: string;
  /** Records the stream committed in that run (its status row). */
  records: number;
  /** Records listed by the ledger's `record` entries of that run and stream. */
  ledgerRecords: number;
  /** Upstream responses recorded as `page` entries. */
  pages: number;
  startedAt: Instant;
  finishedAt: Instant | null;
  error: string | null;
  problems: string[];
}

/** One source stream over the runs considered: how its data was extracted and how completely. */
export interface SourceStream {
  connector: string;
  plugin: string;
  stream: string;
  /** The record kinds it writes. */
  kinds: string[];
  /** Runs considered in which it ran, and how each ended. */
  runs: number;
  complete: number;
  partial: number;
  failed: number;
  /** Sums over those runs. */
  records: number;
  ledgerRecords: number;
  pages: number;
  /** Upstream responses that were not 2xx, in the last extraction. */
  failedPages: number;
  firstExtractedAt: Instant | null;
  /** The last extraction: run, status, times, records, why it was not complete. */
  last: SourceExtraction | null;
  /**
   * The requests of the last extraction as patterns: method, path (ids as `{id}`), the query
   * parameters with the value every request used (the filters) and `…` for those that varied
   * (the paging), and how many requests had that pattern.
   */
  queries: { request: string; count: number }[];
  /** Patterns beyond the ones listed. */
  moreQueries: number;
  /** When it last ended complete and in which run (stream_cursor), if by the as-of instant. */
  lastSuccessAt: Instant | null;
  lastSuccessRunId: string | null;
}

/** How the completeness of the system-generated data was established. */
export interface CompletenessSection {
  streams: SourceStream[];
  /** Every (run, stream) of the runs considered. */
  extractions: SourceExtraction[];
  /** Record versions valid at the as-of instant, by connector and kind (deleted ones excluded). */
  recordsHeld: { connector: string; kind: string; count: number }[];
  /** No stream partial or failed in any run considered, and every stream's counts reconcile. */
  complete: boolean;
}

export type ControlConclusion = 'effective' | 'not_effective' | 'not_evaluated' | 'partial';

/** The test of one control over the period's population (attribute testing, no sampling). */
export interface ControlTest {
  /** The catalog definition with the parameters in effect: its SHA-256, first 12 hex digits. */
  version: string;
  subjectType: string;
  /** What the hub checked, in words, from the catalog definition. */
  procedure: string;
  params: Record<string, string | number | boolean>;
  /** The subjects tested, and how they were counted; null when the hub cannot count them. */
  population: number | null;
  populationBasis: string;
  /** Subjects of the population with a finding of this control open, reopened or accepted as of. */
  exceptions: number;
  /** Of those, accepted by an approved exception (risk acceptance). */
  accepted: number;
  /** exceptions / population; null when the population is empty or unknown. */
  deviationRate: number | null;
  conclusion: ControlConclusion;
  /** The rule that gave the conclusion, applied to this control. */
  rule: string;
  /** Finding keys of the exceptions found. */
  exceptionKeys: string[];
}

/** A reviewer's sign-off recorded in the evidence ledger (`report --sign`). */
export interface SignOffEntry {
  reportId: string;
  reviewer: string;
  role: string;
  /** `YYYY-MM-DD`, as the reviewer dated it. */
  reviewedOn: string;
  /** When the hub recorded it. */
  signedAt: Instant;
  /** Who ran `report --sign`. */
  recordedBy: string;
  /** The file that was reviewed, when one was given: name, format and SHA-256 of its bytes. */
  file: { name: string; format: string; sha256: string } | null;
  /** The ledger entry: its seq and hash. */
  ledgerSeq: number;
  ledgerHash: string;
}

export interface SignOffView {
  /** Sign-offs of this exact content (matching `reportId`). */
  signatures: SignOffEntry[];
  /** Sign-offs of the same period, as-of and redaction whose content differs from this one. */
  mismatched: SignOffEntry[];
  /** How to sign this report. */
  signCommand: string;
}

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
  /** The control's test over the period's population. */
  test: ControlTest;
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
  /**
   * SHA-256 of the report's content: RFC 8785 canonical JSON of this object without `reportId`,
   * `generatedAt`, `preparation.operator` and `signOff`. The same period, as-of instant and
   * redaction over the same store give the same id; a changed report does not (report-id.ts).
   */
  reportId: string;
  generatedAt: Instant;
  /** What the hub knew at this instant: record versions, finding history and runs up to it. */
  asOf: Instant;
  period: ReportPeriod;
  redacted: boolean;
  preparation: ReportPreparation;
  scope: ReportScope;
  completeness: CompletenessSection;
  population: PopulationSection;
  controls: ControlResultView[];
  frameworks: FrameworkGroup[];
  findings: ReportFinding[];
  findingSummary: FindingSummary;
  exceptions: ReportException[];
  emergencyReleases: EmergencyRelease[];
  incompleteRuns: IncompleteRun[];
  checkpoint: CheckpointView;
  signOff: SignOffView;
}
