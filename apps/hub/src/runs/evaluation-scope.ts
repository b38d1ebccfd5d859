/**
 * Partial-run scoping (controls.md "Partial runs"): a control is not evaluated for the subjects a
 * failed or partial stream covers. A failing stream that writes the control's subject kind blocks
 * only its own connector's subjects (with whatever else it writes for them); one that writes only
 * other kinds the control needs (the change source for a deployment control) blocks every subject.
 */
import type { ControlDefinition, RecordKind, SubjectType } from '@audit-hub/domain';
import type { EvaluationScope } from '../findings/finding.service';

export interface SourceHealth {
  connector: string;
  stream: string;
  status: string;
  kinds: RecordKind[];
  error: string | null;
}

const SUBJECT_KINDS: Record<SubjectType, RecordKind | undefined> = {
  deployment: 'deployment',
  change: 'change',
  merge_request: 'merge-request',
  commit: 'commit',
  entitlement: 'entitlement',
  service: undefined,
};

export interface ScopeDecision {
  scope: EvaluationScope;
  /** Why subjects were left out, for the control's `reason`. */
  reasons: string[];
}

/**
 * `providers` lists, per record kind, the connectors configured to collect it: when every provider
 * of the subjects is blocked, nothing is left to evaluate.
 */
export function evaluationScope(
  def: ControlDefinition,
  sources: SourceHealth[],
  providers: (kind: RecordKind) => string[] = () => [],
): ScopeDecision {
  const subjectKinds = new Set(
    String(def.subjectType)
      .split(' or ')
      .map((t) => SUBJECT_KINDS[t as SubjectType])
      .filter((k): k is RecordKind => !!k),
  );
  const scope: EvaluationScope = { none: false, blockedConnectors: new Set() };
  const reasons: string[] = [];
  for (const s of sources) {
    if (s.status === 'complete') continue;
    const needed = s.kinds.filter((k) => def.needs.includes(k));
    if (!needed.length) continue;
    const why = `${s.connector}/${s.stream} ${s.status === 'running' ? 'did not finish' : s.status}${s.error ? `: ${s.error}` : ''}`;
    reasons.push(why);
    // A stream that writes the subjects themselves leaves its own connector's subjects out; one
    // that only feeds other kinds (the change source of a deployment control) leaves all out.
    if (needed.some((k) => subjectKinds.has(k))) scope.blockedConnectors.add(s.connector);
    else scope.none = true;
  }
  const subjectProviders = [...subjectKinds].flatMap((k) => providers(k));
  if (subjectProviders.length && subjectProviders.every((c) => scope.blockedConnectors.has(c)))
    scope.none = true;
  return { scope, reasons };
}
