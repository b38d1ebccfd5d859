/**
 * `reconcile --format junit`: the run as JUnit XML, the format every CI system shows as tests
 * (GitLab, Jenkins, GitHub Actions reporters, Azure DevOps).
 *
 * - One `<testsuite>` per control of the run, named `<id> <title>`, its severity, status and
 *   frameworks as properties.
 * - In it, one `<testcase>` for the control's own result (classname the control id, name
 *   `<id> control result`): passes when the control was evaluated; `<skipped>` with the reason when
 *   it is partial, not evaluated or disabled (a partial control lists its undecided subjects).
 * - And one `<testcase>` per finding the run touched, named by its subject ref: an open or reopened
 *   finding is a `<failure>` (message: the reason; type: the severity; body: key, subject ref,
 *   related refs, frameworks, ticket); an accepted one is `<skipped>` naming its exception; one
 *   this run resolved passes.
 * - A last suite, `audit-hub sources`, has one testcase per source stream: a failed stream is an
 *   `<error>`, so a run that exits 3 shows why.
 *
 * Text is escaped for XML 1.0: markup characters as entities (no CDATA, so `]]>` in a reason is
 * plain text), line breaks in attributes as character references, and characters XML 1.0 cannot
 * carry at all (C0 controls other than tab and line breaks, lone surrogates, U+FFFE/U+FFFF) written
 * visibly as `\u{…}` instead of being dropped.
 */
import { controlDefinition } from '@audit-hub/domain';
import type { FindingView, RunReport } from '../../../hub/src/runs/run-report.builder';
import type { ControlInEffect } from './sarif.format';

const NOT_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function visible(s: string): string {
  return s.replace(NOT_XML, (c) => `\\u{${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}}`);
}

/** Element text. */
export function xmlText(s: string): string {
  return visible(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An attribute value (double-quoted); line breaks and tabs survive attribute normalization. */
export function xmlAttr(s: string): string {
  return xmlText(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

function attrs(a: Record<string, string | number | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('');
}

interface Case {
  classname: string;
  name: string;
  outcome?: { kind: 'failure' | 'error' | 'skipped'; message: string; type?: string; body?: string };
}

function testcase(c: Case): string {
  const open = `    <testcase${attrs({ classname: c.classname, name: c.name, time: '0' })}`;
  if (!c.outcome) return `${open}/>\n`;
  const o = c.outcome;
  const tag = `<${o.kind}${attrs({ message: o.message, type: o.type })}`;
  const inner = o.body ? `${tag}>${xmlText(o.body)}</${o.kind}>` : `${tag}/>`;
  return `${open}>\n      ${inner}\n    </testcase>\n`;
}

interface Suite {
  name: string;
  id?: string;
  properties: Record<string, string>;
  cases: Case[];
}

function count(cases: Case[], kind: 'failure' | 'error' | 'skipped'): number {
  return cases.filter((c) => c.outcome?.kind === kind).length;
}

function findingCase(f: FindingView): Case {
  const body = [
    `key: ${f.key}`,
    `subject: ${f.subject.type} ${f.subject.ref}`,
    ...(f.subject.service ? [`service: ${f.subject.service}`] : []),
    ...(f.subject.environment ? [`environment: ${f.subject.environment}`] : []),
    `severity: ${f.severity}`,
    `status: ${f.status}`,
    `reason: ${f.reason}`,
    ...(f.related.length ? [`related: ${f.related.map((r) => `${r.type} ${r.ref}`).join(', ')}`] : []),
    ...(f.frameworks.length ? [`frameworks: ${f.frameworks.join(' ')}`] : []),
    `first seen: ${f.firstSeenAt}; last seen: ${f.lastSeenAt}`,
    ...(f.ticket ? [`ticket: ${f.ticket.key}${f.ticket.url ? ` ${f.ticket.url}` : ''}`] : []),
  ].join('\n');
  const base = { classname: f.controlId, name: f.subject.ref };
  if (f.status === 'open' || f.status === 'reopened')
    return { ...base, outcome: { kind: 'failure', message: f.reason, type: f.severity, body } };
  if (f.status === 'accepted') {
    const reason = typeof f.exception?.reason === 'string' ? `: ${f.exception.reason}` : '';
    return { ...base, outcome: { kind: 'skipped', message: `accepted under an exception${reason}`, body } };
  }
  return base; // resolved by this run
}

/** `controls`: the catalog in effect, for the severity a config may have changed (default: the catalog's). */
export function runJunit(report: RunReport, controls: ControlInEffect[] = []): string {
  const ids = [
    ...report.controls.map((c) => c.id),
    ...report.findings.map((f) => f.controlId).filter((id) => !report.controls.some((c) => c.id === id)),
  ].filter((id, i, all) => all.indexOf(id) === i);
  const suites: Suite[] = ids.map((id) => {
    const def = controlDefinition(id);
    const inEffect = controls.find((c) => c.id === id);
    const control = report.controls.find((c) => c.id === id);
    const findings = report.findings.filter((f) => f.controlId === id);
    const cases: Case[] = [];
    if (control) {
      const result: Case = { classname: id, name: `${id} control result` };
      if (control.status !== 'evaluated') {
        const undecided = control.undecided ?? [];
        result.outcome = {
          kind: 'skipped',
          message: `${control.status}${control.reason ? `: ${control.reason}` : ''}`,
          ...(undecided.length
            ? { body: undecided.map((u) => `undecided: ${u.subjectRef} — ${u.why}`).join('\n') }
            : {}),
        };
      }
      cases.push(result);
    }
    cases.push(...findings.map(findingCase));
    return {
      name: def ? `${id} ${def.title}` : id,
      id,
      properties: {
        ...(control ? { status: control.status, open: String(control.open) } : {}),
        ...(def
          ? { severity: inEffect?.severity ?? def.severity, frameworks: def.frameworks.join(' ') }
          : {}),
      },
      cases,
    };
  });
  suites.push({
    name: 'audit-hub sources',
    properties: { run: report.run.id, status: report.run.status },
    cases: report.run.sources.map((s) => {
      const c: Case = { classname: 'audit-hub.sources', name: `${s.connector}/${s.stream}` };
      if (s.status === 'failed')
        c.outcome = { kind: 'error', message: s.error ?? 'failed', type: 'source_failed' };
      else if (s.status !== 'complete')
        c.outcome = {
          kind: 'skipped',
          message: `${s.status}${problemsMessage(s.problems)}`,
        };
      return c;
    }),
  });
  const all = suites.flatMap((s) => s.cases);
  const duration =
    report.run.finishedAt && report.run.startedAt
      ? Math.max(0, (Date.parse(report.run.finishedAt) - Date.parse(report.run.startedAt)) / 1000)
      : 0;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<testsuites${attrs({
      name: `audit-hub reconcile ${report.run.id}`,
      tests: all.length,
      failures: count(all, 'failure'),
      errors: count(all, 'error'),
      skipped: count(all, 'skipped'),
      time: duration,
      timestamp: report.run.startedAt,
    })}>\n`,
  ];
  for (const s of suites) {
    out.push(
      `  <testsuite${attrs({
        name: s.name,
        id: s.id,
        tests: s.cases.length,
        failures: count(s.cases, 'failure'),
        errors: count(s.cases, 'error'),
        skipped: count(s.cases, 'skipped'),
        time: '0',
        timestamp: report.run.startedAt,
      })}>\n`,
    );
    const props = Object.entries(s.properties);
    if (props.length) {
      out.push('    <properties>\n');
      for (const [name, value] of props) out.push(`      <property${attrs({ name, value })}/>\n`);
      out.push('    </properties>\n');
    }
    for (const c of s.cases) out.push(testcase(c));
    out.push('  </testsuite>\n');
  }
  out.push('</testsuites>\n');
  return out.join('');
}

function problemsMessage(problems: unknown[] | undefined): string {
  const first = problems?.[0] as { message?: unknown } | undefined;
  return typeof first?.message === 'string' ? `: ${first.message}` : '';
}
