import type { RunStatus } from '@audit-hub/domain';
import { Column, Entity, Index } from 'typeorm';
import {
  InstantColumn,
  JsonColumn,
  RUN_ID_LENGTH,
  TextColumn,
  VarcharColumn,
  VarcharPrimaryColumn,
} from './columns';

export type RunTrigger = 'cli' | 'schedule' | 'api' | 'demo';

/** One reconcile run (design.md "What a run guarantees"). */
@Entity({ name: 'run' })
@Index('IDX_run_started', ['startedAt'])
export class RunEntity {
  /** A UUID. */
  @VarcharPrimaryColumn('id', RUN_ID_LENGTH)
  id!: string;

  @VarcharColumn('trigger', 20)
  trigger!: RunTrigger;

  /** `<schedule>@<tick>` for scheduled runs. */
  @VarcharColumn('schedule_key', 255, { nullable: true })
  scheduleKey!: string | null;

  @InstantColumn('started_at')
  startedAt!: string;

  @InstantColumn('finished_at', { nullable: true })
  finishedAt!: string | null;

  @VarcharColumn('status', 20)
  status!: RunStatus;

  /** A full resync (`--full`). `full` is reserved in PostgreSQL, hence the column name. */
  @Column({ name: 'full_resync', type: 'boolean', nullable: false })
  full!: boolean;

  @TextColumn('error', { nullable: true })
  error!: string | null;

  /** Last sign of life from the process executing the run (see runs/run-reaper.service.ts). */
  @InstantColumn('heartbeat_at', { nullable: true })
  heartbeatAt?: string | null;

  @JsonColumn('summary', { nullable: true })
  summary!: Record<string, unknown> | null;
}
