import type { FindingStatus } from '@audit-hub/domain';
import { Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { InstantColumn, JsonColumn, RUN_ID_LENGTH, TextColumn, VarcharColumn } from './columns';

/** One transition of a finding, with the run and the input it was decided on. */
@Entity({ name: 'finding_event' })
@Index('IDX_finding_event_finding', ['findingKey', 'at'])
@Index('IDX_finding_event_run', ['runId'])
export class FindingEventEntity {
  @PrimaryGeneratedColumn('increment', { name: 'id', type: 'integer' })
  id!: number;

  @VarcharColumn('finding_key', 700)
  findingKey!: string;

  @VarcharColumn('run_id', RUN_ID_LENGTH)
  runId!: string;

  /** Null when the finding was first seen. */
  @VarcharColumn('from_status', 10, { nullable: true })
  fromStatus!: FindingStatus | null;

  @VarcharColumn('to_status', 10)
  toStatus!: FindingStatus;

  @InstantColumn('at')
  at!: string;

  @TextColumn('reason', { nullable: true })
  reason!: string | null;

  /** What the transition was decided on (the control's row, the exception, …). */
  @JsonColumn('input', { nullable: true })
  input!: unknown;
}
