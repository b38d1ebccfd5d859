/**
 * Each control's test over the period (attribute testing of the whole population, no sampling):
 * the procedure in words from its catalog definition, the population it applies to, the
 * exceptions found (subjects of that population with a finding of the control open, reopened or
 * accepted as of the as-of instant), the deviation rate, and a conclusion by a stated rule.
 */
import type { ControlDefinition, ControlStatus, ParamValue } from '@audit-hub/domain';
import { canonicalJson, sha256Hex } from '../evidence/ledger-hash';
import type { ControlConclusion, ControlTest, ReportFinding } from './report.model';

/** The population of one subject type, and how it was counted. */
export interface SubjectPopulation {
  refs: ReadonlySet<string> | null;
  /** Used when the refs are not listed (entitlements: counted from record versions). */
  count?: number;
  basis: string;
}

const SUBJECT_WORDS: Record<string, string> = {
  deployment: 'production deployment',
  change: 'change request',
  merge_request: 'merge request',
  commit: 'commit',
  entitlement: 'entitlement',
  service: 'service',
};

/** The catalog definition with the parameters in effect: SHA-256 of its canonical JSON, 12 hex. */
export function controlVersion(def: ControlDefinition, params: Record<string, ParamValue>): string {
  return sha256Hex(canonicalJson({ ...def, params })).slice(0, 12);
}

export function procedureOf(def: ControlDefinition, params: Record<string, ParamValue>): string {
  const subjects = def.subjectType
    .split(' or ')
    .map((t) => SUBJECT_WORDS[t] ?? t)
    .join(' or ');
  const p = Object.entries(params);
  // "A production deployment has…" reads on after "whether": lower-case its first letter
  // (not an acronym's: "CMDB").
  const condition = def.description.replace(/\.$/, '');
  const clause = /^[A-Z][a-z]/.test(condition) ? condition[0].toLowerCase() + condition.slice(1) : condition;
  return (
    `For every ${subjects} of the population, the hub tests, from the records collected, whether: ` +
    `${clause}. A ${subjects} for which this holds is an exception (a finding of ${def.id}); ` +
    `one whose data is missing upstream is left undecided, never passed.` +
    (p.length ? ` Parameters in effect: ${p.map(([k, v]) => `${k} = ${v}`).join(', ')}.` : '')
  );
}

export const CONCLUSION_RULE =
  'Not evaluated when the last run did not evaluate the control (disabled, or its sources failed). ' +
  'Not effective when any exception of the population is open or reopened (zero tolerance: one exception not ' +
  'covered by an approved risk acceptance suffices). Partial when no such exception was found but the last ' +
  'run could not decide every subject. Effective otherwise: every subject of the population passed, or its ' +
  'exceptions are all accepted risks.';

export function controlTest(
  def: ControlDefinition,
  params: Record<string, ParamValue>,
  status: ControlStatus | null,
  reason: string | null,
  findings: readonly ReportFinding[],
  /** One per subject type of the control; null when the report cannot count them. */
  populations: readonly SubjectPopulation[] | null,
): ControlTest {
  const pops = populations ?? [];
  const known = populations !== null;
  const inPopulation = (ref: string) =>
    pops.some((p) => (p.refs ? p.refs.has(ref) : true /* counted, not listed: every subject */));
  const own = findings.filter(
    (f) => f.controlId === def.id && f.status !== 'resolved' && inPopulation(f.subject.ref),
  );
  const keys = [...new Set(own.map((f) => f.key))];
  const population = known ? pops.reduce((n, p) => n + (p.refs ? p.refs.size : (p.count ?? 0)), 0) : null;
  const exceptions = keys.length;
  const accepted = own.filter((f) => f.status === 'accepted').length;
  const unaccepted = exceptions - accepted;
  let conclusion: ControlConclusion;
  let rule: string;
  if (status === null || status === 'disabled' || status === 'not_evaluated') {
    conclusion = 'not_evaluated';
    rule = `not evaluated: ${status === null ? 'no run considered evaluated it' : (reason ?? status)}`;
  } else if (unaccepted > 0) {
    conclusion = 'not_effective';
    rule = `not effective: ${unaccepted} exception(s) not covered by a risk acceptance`;
  } else if (status === 'partial') {
    conclusion = 'partial';
    rule = `partial: no exception found among the subjects decided, but ${reason ?? 'some subjects were left undecided'}`;
  } else {
    conclusion = 'effective';
    rule = accepted
      ? `effective: its ${accepted} exception(s) are all accepted risks (see Accepted exceptions)`
      : 'effective: no exception in the population';
  }
  return {
    version: controlVersion(def, params),
    subjectType: def.subjectType,
    procedure: procedureOf(def, params),
    params: { ...params },
    population,
    populationBasis: known ? pops.map((p) => p.basis).join('; ') : 'not counted by the report',
    exceptions,
    accepted,
    deviationRate: population ? exceptions / population : null,
    conclusion,
    rule,
    exceptionKeys: keys.sort(),
  };
}
