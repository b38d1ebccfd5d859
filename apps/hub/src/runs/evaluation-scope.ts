/**
 * Partial-run scoping (controls.md "Partial runs"): a control is not evaluated for the subjects a
 * failed or partial stream covers. A failing stream that writes the control's subject kind blocks
 * only its own connector's subjects; one that writes another kind the control needs (the change
 * source for a deployment control) blocks every subject.
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

export function evaluationScope(def: ControlDefinition, sources: SourceHealth[]): ScopeDecision {
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
    if (needed.some((k) => !subjectKinds.has(k))) scope.none = true;
    else scope.blockedConnectors.add(s.connector);
  }
  return { scope, reasons };
}
