import { Entity } from 'typeorm';
import { RUN_ID_LENGTH, VarcharColumn, VarcharPrimaryColumn } from './columns';

/**
 * One row per (schedule, cron tick): every scheduler process tries to insert it, and only the one
 * that succeeds starts the run, so any number of schedulers start one run per tick (design.md).
 */
@Entity({ name: 'schedule_tick' })
export class ScheduleTickEntity {
  @VarcharPrimaryColumn('schedule', 255)
  schedule!: string;

  /** The ISO instant of the cron tick. */
  @VarcharPrimaryColumn('tick', 30)
  tick!: string;

  @VarcharColumn('run_id', RUN_ID_LENGTH)
  runId!: string;
}
