/** What a control implementation is and what it returns. */
import type { ControlDefinition, ParamValue, Severity, SubjectType } from '@audit-hub/domain';
import type { Queryable } from '../common/sql';
import type { AppConfig } from '../config/config.schema';

export interface RelatedRef {
  type: SubjectType;
  ref: string;
}

/** One subject a control flags in this run. */
export interface Flag {
  subjectType: SubjectType;
  subjectRef: string;
  /** The connector whose records make up the subject (partial-run scoping); omitted for services. */
  subjectConnector?: string;
  service?: string;
  environment?: string;
  /** A sentence an auditor can read, with the times and numbers it was decided on. */
  reason: string;
  related: RelatedRef[];
  /** Overrides the control's severity for this subject (RM-QG-001: missing analysis is medium). */
  severity?: Severity;
  /** The facts the decision was made on, kept with the finding's events as evidence. */
  input: Record<string, unknown>;
}

export interface ControlContext {
  db: Queryable;
  runId: string;
  /** The run's clock. */
  now: Date;
  /** The control's parameters in effect (catalog defaults overridden by config). */
  params: Record<string, ParamValue>;
  config: AppConfig;
}

/** Subjects the control could not decide on (their data is missing upstream), with why. */
export interface Undecided {
  subjectRef: string;
  why: string;
}

export interface ControlOutcome {
  flags: Flag[];
  /** Not evaluated: their findings neither open nor resolve, and the control reports `partial`. */
  undecided: Undecided[];
}

export interface Control {
  readonly definition: ControlDefinition;
  /** Flags every subject that violates the control, as one set-based query over the store. */
  evaluate(ctx: ControlContext): Promise<Flag[] | ControlOutcome>;
}

export function outcomeOf(result: Flag[] | ControlOutcome): ControlOutcome {
  return Array.isArray(result) ? { flags: result, undecided: [] } : result;
}
