/**
 * `reconcile --format sarif`: the run as a SARIF 2.1.0 log, for code-scanning dashboards and
 * policy tools that read SARIF (GitHub code scanning, GitLab, DefectDojo, Conftest/Steampipe users).
 *
 * - `tool.driver.rules` is the control catalog in effect (id, name, short and full description,
 *   help, default level from the severity in effect, frameworks and parameters as properties).
 * - One result per open or reopened finding: its control as `ruleId`, the reason as the message,
 *   the subject ref as a logical location's fully qualified name (audit-hub's subjects are
 *   deployments, changes and entitlements, not files, so there is no physical location), the
 *   finding key as a partial fingerprint, so a consumer follows a finding across runs.
 * - Sources that failed or were partial, and controls that could not decide every subject, are
 *   tool execution notifications; `executionSuccessful` is false unless the run is complete.
 */
import type { ParamValue, Severity } from '@audit-hub/domain';
import type { FindingView, RunReport } from '../../../hub/src/runs/run-report.builder';
import { toolVersion } from '../../../hub/src/common/tool-version';

export const SARIF_SCHEMA =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** A catalog entry with the settings in effect (config `controls.<ID>`). */
export interface ControlInEffect {
  id: string;
  title: string;
  description: string;
  subjectType: string;
  severity: Severity;
  enabled: boolean;
  params: Record<string, ParamValue>;
  frameworks: string[];
}

export type SarifLevel = 'error' | 'warning' | 'note' | 'none';

/** critical and high fail a code-scanning check by default (error), medium warns, low is a note. */
export const SARIF_LEVEL: Record<Severity, SarifLevel> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
};

/** GitHub code scanning ranks by `security-severity` (CVSS-like, 0–10). */
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
};

/** "Unlinked production deployment" → "UnlinkedProductionDeployment" (SARIF's rule name style). */
export function ruleName(title: string): string {
  return title
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

function helpText(c: ControlInEffect): { text: string; markdown: string } {
  const params = Object.entries(c.params);
  const paramText = params.length
    ? `Parameters in effect: ${params.map(([k, v]) => `${k}=${String(v)}`).join(', ')}.`
    : 'No parameters.';
  const text = [
    `${c.id} — ${c.title} (${c.severity}; subject: ${c.subjectType}).`,
    c.description,
    paramText,
    `Frameworks: ${c.frameworks.join(', ')}.`,
    'An accepted risk is recorded as an exception in the audit-hub config (docs/controls.md, docs/remediation.md).',
  ].join('\n\n');
  const markdown = [
    `**${c.id} — ${c.title}** (${c.severity}; subject: ${c.subjectType})`,
    c.description,
    params.length
      ? `Parameters in effect: ${params.map(([k, v]) => `\`${k}\`=${String(v)}`).join(', ')}`
      : 'No parameters.',
    `Frameworks: ${c.frameworks.map((f) => `\`${f}\``).join(', ')}`,
    'An accepted risk is recorded as an exception in the audit-hub config (docs/controls.md, docs/remediation.md).',
  ].join('\n\n');
  return { text, markdown };
}

function problemsText(problems: unknown[] | undefined): string {
  const first = problems?.[0] as { message?: unknown } | undefined;
  return typeof first?.message === 'string' ? `: ${first.message}` : '';
}

function result(f: FindingView, ruleIndex: number) {
  return {
    ruleId: f.controlId,
    ...(ruleIndex >= 0 ? { ruleIndex } : {}),
    kind: 'fail',
    level: SARIF_LEVEL[f.severity] ?? 'warning',
    message: { text: f.reason },
    locations: [
      {
        logicalLocations: [{ name: f.subject.ref, fullyQualifiedName: f.subject.ref, kind: f.subject.type }],
      },
    ],
    ...(f.related.length
      ? {
          relatedLocations: f.related.map((r, i) => ({
            id: i,
            message: { text: r.type },
            logicalLocations: [{ name: r.ref, fullyQualifiedName: r.ref, kind: r.type }],
          })),
        }
      : {}),
    partialFingerprints: { 'auditHubFindingKey/v1': f.key },
    properties: {
      key: f.key,
      status: f.status,
      severity: f.severity,
      subjectType: f.subject.type,
      service: f.subject.service,
      environment: f.subject.environment,
      frameworks: f.frameworks,
      firstSeenAt: f.firstSeenAt,
      lastSeenAt: f.lastSeenAt,
      ticket: f.ticket,
    },
  };
}

export function runSarif(report: RunReport, controls: ControlInEffect[]): string {
  const ruleIds = controls.map((c) => c.id);
  // A finding of a control not in the catalog in effect (removed since) still names its rule.
  const extra = [...new Set(report.findings.map((f) => f.controlId))].filter((id) => !ruleIds.includes(id));
  const rules = [
    ...controls.map((c) => ({
      id: c.id,
      name: ruleName(c.title),
      shortDescription: { text: c.title },
      fullDescription: { text: c.description },
      help: helpText(c),
      defaultConfiguration: { enabled: c.enabled, level: SARIF_LEVEL[c.severity] },
      properties: {
        tags: [...new Set(['compliance', ...c.frameworks])],
        severity: c.severity,
        'security-severity': SECURITY_SEVERITY[c.severity],
        frameworks: c.frameworks,
        subjectType: c.subjectType,
        params: c.params,
      },
    })),
    ...extra.map((id) => ({ id, shortDescription: { text: id } })),
  ];
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const status = new Map(report.controls.map((c) => [c.id, c]));
  const notifications = [
    ...report.run.sources
      .filter((s) => s.status === 'failed' || s.status === 'partial')
      .map((s) => ({
        level: s.status === 'failed' ? 'error' : 'warning',
        message: {
          text: `${s.connector}/${s.stream} ${s.status}${s.error ? `: ${s.error}` : problemsText(s.problems)}`,
        },
        properties: { connector: s.connector, stream: s.stream, status: s.status, records: s.records },
      })),
    ...report.controls
      .filter((c) => c.status === 'partial' || c.status === 'not_evaluated')
      .map((c) => ({
        level: 'warning',
        message: { text: `${c.id} ${c.status}${c.reason ? `: ${c.reason}` : ''}` },
        associatedRule: { id: c.id, ...(index.has(c.id) ? { index: index.get(c.id) } : {}) },
        properties: { status: c.status, undecided: c.undecided?.length ?? 0 },
      })),
  ];
  const open = report.findings.filter((f) => f.status === 'open' || f.status === 'reopened');
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'audit-hub',
            fullName: 'audit-hub release-management audit',
            version: toolVersion(),
            semanticVersion: toolVersion(),
            rules,
          },
        },
        automationDetails: { id: `audit-hub/reconcile/${report.run.id}` },
        invocations: [
          {
            executionSuccessful: report.run.status === 'complete',
            startTimeUtc: report.run.startedAt,
            ...(report.run.finishedAt ? { endTimeUtc: report.run.finishedAt } : {}),
            ...(notifications.length ? { toolExecutionNotifications: notifications } : {}),
            properties: { runId: report.run.id, status: report.run.status, error: report.run.error ?? null },
          },
        ],
        results: open.map((f) => result(f, index.get(f.controlId) ?? -1)),
        properties: {
          runId: report.run.id,
          status: report.run.status,
          controls: Object.fromEntries([...status].map(([id, c]) => [id, c.status])),
          summary: report.summary,
        },
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
