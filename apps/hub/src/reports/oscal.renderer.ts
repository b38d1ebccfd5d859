/**
 * The report as an OSCAL 1.1.2 assessment-results document (NIST OSCAL JSON), for GRC systems.
 *
 * - One result for the period (`start`/`end`), whose `reviewed-controls` are the controls the last
 *   run considered evaluated (fully or partly).
 * - One observation per control evaluated (its last run's status), and one per finding (its
 *   subject, reason and the finding events it rests on as `relevant-evidence`).
 * - One OSCAL finding per audit-hub finding, targeting the control (`objective-id` = control id):
 *   `not-satisfied` while open, reopened or accepted, `satisfied` once resolved.
 * - audit-hub publishes no separate assessment plan, so `import-ap` points at a back-matter
 *   resource that says so. Non-OSCAL facts are props in audit-hub's own namespace.
 *
 * UUIDs are name-based (v5) from the report's identity, so rendering the same report twice gives
 * the same document.
 */
import { createHash } from 'node:crypto';
import type { AuditReport, ReportFinding } from './report.model';
import { REPORT_TITLE } from './report.layout';
import { assertValidAssessmentResults } from './oscal.validator';

export const OSCAL_VERSION = '1.1.2';
/** Namespace of audit-hub's own props (OSCAL requires one for non-OSCAL names). */
export const AUDIT_HUB_NS = 'urn:audit-hub:oscal';
/** Fixed namespace UUID of audit-hub's name-based UUIDs. */
const UUID_NAMESPACE = '3d0f6a1e-8c2b-4b7e-9a55-6f3c1e2d4b90';

/** RFC 4122 version 5 (SHA-1, name-based) UUID. */
export function uuidV5(name: string, namespace: string = UUID_NAMESPACE): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

interface Prop {
  name: string;
  value: string;
  ns: string;
}

/** Props with a value (OSCAL forbids empty or padded values). */
function props(entries: [string, string | number | null | undefined][]): Prop[] {
  return entries
    .filter(([, v]) => v !== null && v !== undefined && String(v).trim() !== '')
    .map(([name, v]) => ({ name, value: String(v).trim(), ns: AUDIT_HUB_NS }));
}

function findingState(f: ReportFinding): { state: 'satisfied' | 'not-satisfied'; reason: string } {
  if (f.status === 'resolved') return { state: 'satisfied', reason: 'pass' };
  if (f.status === 'accepted') return { state: 'not-satisfied', reason: 'other' };
  return { state: 'not-satisfied', reason: 'fail' };
}

export function buildOscal(r: AuditReport): Record<string, unknown> {
  const id = `${r.period.start}|${r.period.end}|${r.asOf}|${r.generatedAt}|${r.redacted}`;
  const u = (name: string) => uuidV5(`${id}|${name}`);
  const planResource = u('assessment-plan');

  const evaluated = r.controls.filter(
    (c) => c.lastRun && ['evaluated', 'partial'].includes(c.lastRun.status),
  );
  const controlObservations = evaluated.map((c) => ({
    uuid: u(`observation|control|${c.id}`),
    title: `${c.id} ${c.title}`,
    description:
      `Run ${c.lastRun!.runId} evaluated ${c.id} (${c.lastRun!.status})` +
      `${c.lastRun!.reason ? `: ${c.lastRun!.reason}` : ''}; it flagged ${c.lastRun!.flagged} subject(s). ` +
      `Findings in the period: ${c.findings.open} open, ${c.findings.reopened} reopened, ` +
      `${c.findings.accepted} accepted, ${c.findings.resolved} resolved.`,
    props: props([
      ['control-id', c.id],
      ['control-status', c.lastRun!.status],
      ['run-id', c.lastRun!.runId],
    ]),
    methods: ['TEST'],
    types: ['control-objective'],
    collected: c.lastRun!.startedAt,
  }));

  const findingObservations = r.findings.map((f) => ({
    uuid: u(`observation|finding|${f.key}`),
    title: f.key,
    description: f.reason || `${f.controlId} flagged ${f.subject.ref}.`,
    props: props([
      ['finding-key', f.key],
      ['subject-type', f.subject.type],
      ['subject-ref', f.subject.ref],
      ['service', f.subject.service],
      ['environment', f.subject.environment],
    ]),
    methods: ['TEST'],
    types: ['finding'],
    ...(f.evidence.length
      ? {
          'relevant-evidence': f.evidence.map((e) => ({
            description: `${e.ref}: ${e.from ?? 'new'} to ${e.to} in run ${e.runId} at ${e.at}`,
          })),
        }
      : {}),
    collected: f.firstSeenAt,
  }));

  const findings = r.findings.map((f) => {
    const status = findingState(f);
    return {
      uuid: u(`finding|${f.key}`),
      title: `${f.controlId} ${f.title}: ${f.subject.ref}`,
      description: f.reason || `${f.controlId} flagged ${f.subject.ref}.`,
      props: props([
        ['finding-key', f.key],
        ['severity', f.severity],
        ['status', f.status],
        ['first-seen', f.firstSeenAt],
        ['status-since', f.statusSince],
        ['ticket', f.ticket?.key],
        ...f.frameworks.map((t): [string, string] => ['framework-clause', t]),
      ]),
      target: {
        type: 'objective-id',
        'target-id': f.controlId,
        title: f.title,
        status: {
          state: status.state,
          reason: status.reason,
          ...(f.exception
            ? {
                remarks: `Risk accepted: ${f.exception.reason} (approved by ${f.exception.approvedBy}, expires ${f.exception.expires}).`,
              }
            : {}),
        },
      },
      'related-observations': [{ 'observation-uuid': u(`observation|finding|${f.key}`) }],
    };
  });

  const cp = r.checkpoint;
  return {
    'assessment-results': {
      uuid: u('document'),
      metadata: {
        title: `${REPORT_TITLE}: ${r.period.from} to ${r.period.to}`,
        'last-modified': r.generatedAt,
        version: `${r.period.from}..${r.period.to} as of ${r.asOf}`,
        'oscal-version': OSCAL_VERSION,
        props: props([
          ['period-start', r.period.start],
          ['period-end', r.period.end],
          ['as-of', r.asOf],
          ['redacted', String(r.redacted)],
        ]),
      },
      'import-ap': {
        href: `#${planResource}`,
        remarks:
          'audit-hub publishes no separate assessment plan: the plan is its control catalog, evaluated on every run.',
      },
      results: [
        {
          uuid: u('result'),
          title: `audit-hub controls, ${r.period.from} to ${r.period.to}`,
          description:
            `Every successful production deployment of the period (${r.population.total}) checked by audit-hub's ` +
            `controls; ${r.population.traced} traced to a change approved in time.`,
          start: r.period.start,
          end: r.period.end,
          props: props([
            ['population', r.population.total],
            ['traced', r.population.traced],
            [
              'traceability-rate',
              r.population.traceabilityRate === null ? null : r.population.traceabilityRate.toFixed(4),
            ],
            ['last-run-id', r.scope.lastRunId],
            ['checkpoint-tree-size', cp.treeSize],
            ['checkpoint-root-hash', cp.rootHash],
            ['checkpoint-signed', cp.recorded ? String(cp.signed) : null],
          ]),
          'reviewed-controls': {
            'control-selections': [
              evaluated.length
                ? { 'include-controls': evaluated.map((c) => ({ 'control-id': c.id })) }
                : { description: 'No control was evaluated by a run in scope.' },
            ],
          },
          ...(controlObservations.length || findingObservations.length
            ? { observations: [...controlObservations, ...findingObservations] }
            : {}),
          ...(findings.length ? { findings } : {}),
        },
      ],
      'back-matter': {
        resources: [
          {
            uuid: planResource,
            title: 'audit-hub control catalog (in place of an assessment plan)',
            description:
              'The controls audit-hub evaluates (ids RM-*), with their framework mapping, are listed by `audit-hub controls --format json`.',
          },
        ],
      },
    },
  };
}

export function renderOscal(report: AuditReport): string {
  const doc = buildOscal(report);
  assertValidAssessmentResults(doc);
  return JSON.stringify(doc, null, 2) + '\n';
}
