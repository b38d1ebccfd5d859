/** Control catalog types (shared/spec/controls.md). */
import type { RecordKind } from './records';
import type { SubjectType } from './refs';

export type Severity = 'critical' | 'high' | 'medium' | 'low';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity);
}

export type FindingStatus = 'open' | 'reopened' | 'resolved' | 'accepted';
export const FINDING_STATUSES: readonly FindingStatus[] = ['open', 'reopened', 'resolved', 'accepted'];

export type ControlStatus = 'evaluated' | 'partial' | 'not_evaluated' | 'disabled';
export type RunStatus = 'running' | 'complete' | 'incomplete' | 'failed';
export type SourceStatus = 'running' | 'complete' | 'partial' | 'failed';

export type ParamValue = number | string | boolean;

export interface ControlDefinition {
  id: string;
  title: string;
  subjectType: SubjectType | `${SubjectType} or ${SubjectType}`;
  description: string;
  severity: Severity;
  params: Record<string, ParamValue>;
  needs: RecordKind[];
  /**
   * The kinds without which the control cannot run at all (it is `disabled` when no configured
   * connector provides one of them); defaults to `needs`. Kinds in `needs` but not here are used
   * where present.
   */
  requires?: RecordKind[];
  /**
   * The roles (config `roles`) the control decides with. Their groups can come from any connector,
   * so a failed source of one of those groups leaves every subject of the control unevaluated.
   */
  roles?: string[];
  /**
   * Record fields (`deployment.variables`) the control decides with, beyond its kinds: a connector
   * that cannot read one (`connectors check` `affects.fields`) leaves undecided the subjects whose
   * decision rests on it.
   */
  fields?: string[];
  frameworks: string[];
  /** Off unless a config sets `enabled: true`. */
  enabledByDefault: boolean;
}
