import type { FindingStatus, Severity, SubjectType } from '@audit-hub/domain';
import { Entity, Index } from 'typeorm';
import {
  InstantColumn,
  JsonColumn,
  RUN_ID_LENGTH,
  TextColumn,
  VarcharColumn,
  VarcharPrimaryColumn,
} from './columns';

export interface FindingRelated {
  type: SubjectType | string;
  ref: string;
}

/**
 * A finding, keyed `<controlId>|<subject ref>` (controls.md "Finding lifecycle"), so re-runs
 * update it instead of duplicating it or its ticket.
 */
@Entity({ name: 'finding' })
@Index('IDX_finding_status', ['status'])
@Index('IDX_finding_control', ['controlId'])
@Index('IDX_finding_service', ['service'])
@Index('IDX_finding_last_run', ['lastRunId'])
export class FindingEntity {
  @VarcharPrimaryColumn('key', 700)
  key!: string;

  @VarcharColumn('control_id', 32)
  controlId!: string;

  @VarcharColumn('subject_type', 20)
  subjectType!: SubjectType;

  @VarcharColumn('subject_ref', 660)
  subjectRef!: string;

  @VarcharColumn('service', 255, { nullable: true })
  service!: string | null;

  @VarcharColumn('environment', 255, { nullable: true })
  environment!: string | null;

  @VarcharColumn('team', 255, { nullable: true })
  team!: string | null;

  @VarcharColumn('severity', 10)
  severity!: Severity;

  @VarcharColumn('status', 10)
  status!: FindingStatus;

  @TextColumn('reason')
  reason!: string;

  @JsonColumn('related')
  related!: FindingRelated[];

  @JsonColumn('frameworks')
  frameworks!: string[];

  @InstantColumn('first_seen_at')
  firstSeenAt!: string;

  @InstantColumn('last_seen_at')
  lastSeenAt!: string;

  @InstantColumn('resolved_at', { nullable: true })
  resolvedAt!: string | null;

  @VarcharColumn('resolved_by_run', RUN_ID_LENGTH, { nullable: true })
  resolvedByRun!: string | null;

  @VarcharColumn('last_run_id', RUN_ID_LENGTH)
  lastRunId!: string;

  /** The exception covering it while `accepted`. */
  @JsonColumn('exception', { nullable: true })
  exception!: Record<string, unknown> | null;

  /** The remediation ticket: `{ tracker, key, url }`. */
  @JsonColumn('ticket', { nullable: true })
  ticket!: { tracker: string; key: string; url?: string; [more: string]: unknown } | null;
}
