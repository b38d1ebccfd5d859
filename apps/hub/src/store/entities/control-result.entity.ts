import type { ControlStatus } from '@audit-hub/domain';
import { Entity } from 'typeorm';
import {
  IntegerColumn,
  JsonColumn,
  RUN_ID_LENGTH,
  TextColumn,
  VarcharColumn,
  VarcharPrimaryColumn,
} from './columns';

/** How each control fared in a run (interfaces.md "reconcile --format json", `controls`). */
@Entity({ name: 'control_result' })
export class ControlResultEntity {
  @VarcharPrimaryColumn('run_id', RUN_ID_LENGTH)
  runId!: string;

  @VarcharPrimaryColumn('control_id', 32)
  controlId!: string;

  @VarcharColumn('status', 20)
  status!: ControlStatus;

  /** Why it was partial, not evaluated or disabled. */
  @TextColumn('reason', { nullable: true })
  reason!: string | null;

  /** Open (or reopened) findings of the control after the run. */
  @IntegerColumn('open')
  open!: number;

  /** Subjects the control flagged in this run. */
  @IntegerColumn('flagged')
  flagged!: number;

  /**
   * The subjects the control could not decide (their data is missing upstream), each with why;
   * null when none. Their findings neither opened nor resolved.
   */
  @JsonColumn('undecided', { nullable: true })
  undecided?: { subjectRef: string; why: string }[] | null;
}
