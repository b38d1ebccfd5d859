/**
 * Fires `schedule.reconcile` in every scheduler process (@nestjs/schedule). Creating the run is
 * guarded by a unique (schedule, tick) row inserted in the same transaction as the run, so any
 * number of schedulers start exactly one run per tick; the losers see the unique violation and
 * stand down.
 */
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { RunReaper } from '../runs/run-reaper.service';
import { ReconcileService } from '../runs/reconcile.service';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { AppLogger } from '../common/app-logger';
import { Clock } from '../common/clock';
import { RunService } from '../runs/run.service';
import { RECONCILE_RUNNER, ReconcileRunner } from '../runs/job.types';
import { RunEntity } from '../store/entities/run.entity';
import { ScheduleTickEntity } from '../store/entities/schedule-tick.entity';
import { runInTransaction } from '../store/transaction';
import { scheduledTickAt, tickRunId } from './schedule-tick';

export const RECONCILE_SCHEDULE = 'reconcile';
/** A run still `running` after this long is taken as abandoned and no longer holds back the schedule. */
const STALE_RUN_MS = 12 * 3600_000;
export const REAP_INTERVAL = 'run-reaper';
const REAP_INTERVAL_MS = 60_000;

@Injectable()
export class ReconcileScheduler implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: SchedulerRegistry,
    private readonly dataSource: DataSource,
    private readonly runs: RunService,
    @Inject(RECONCILE_RUNNER) private readonly runner: ReconcileRunner,
    private readonly logger: AppLogger,
    private readonly clock: Clock,
    private readonly reaper: RunReaper,
    private readonly reconcile: ReconcileService,
  ) {}

  onApplicationBootstrap(): void {
    // Abandoned runs (their process died, their queued jobs were lost) are ended as they are found,
    // not only when the stale-run bound runs out.
    const reaping = setInterval(() => void this.reapQuietly(), REAP_INTERVAL_MS);
    reaping.unref();
    this.registry.addInterval(REAP_INTERVAL, reaping);
    const expression = this.config.schedule.reconcile;
    if (!expression) {
      this.logger.info('no schedule.reconcile configured: runs start only on demand');
      return;
    }
    const job = CronJob.from({
      cronTime: expression,
      timeZone: this.config.schedule.timezone,
      onTick: () => void this.fire(new Date()),
      start: true,
    });
    this.registry.addCronJob(RECONCILE_SCHEDULE, job as any);
    this.logger.info('reconcile scheduled', { cron: expression, timezone: this.config.schedule.timezone });
  }

  private async reapQuietly(): Promise<void> {
    try {
      await this.reaper.reap();
    } catch (err) {
      this.logger.warn('could not look for abandoned runs', { err });
    }
  }

  /** Handles one tick; returns the run id when this process started the run, else null. */
  async fire(firedAt: Date): Promise<string | null> {
    const tick = scheduledTickAt(this.config.schedule.reconcile!, this.config.schedule.timezone, firedAt);
    await this.reapQuietly();
    try {
      this.reconcile.checkSettings();
    } catch (err) {
      // A configuration mistake starts no run: it would fail the same way at every tick.
      this.logger.error('scheduled run not started: the configuration is invalid', {
        tick: tick.toISOString(),
        err,
      });
      return null;
    }
    if (await this.runs.activeSince(new Date(this.clock.now().getTime() - STALE_RUN_MS))) {
      // Overlapping runs would collect the same streams twice; the next tick catches up instead.
      this.logger.info('skipping tick: a run is still in progress', { tick: tick.toISOString() });
      return null;
    }
    const runId = tickRunId(RECONCILE_SCHEDULE, tick);
    const scheduleKey = `${RECONCILE_SCHEDULE}@${tick.toISOString()}`;
    let run: RunEntity | null = null;
    try {
      run = await runInTransaction(this.dataSource, async (tx) => {
        await tx
          .getRepository(ScheduleTickEntity)
          .insert({ schedule: RECONCILE_SCHEDULE, tick: tick.toISOString(), runId });
        return this.runs.create('schedule', { id: runId, scheduleKey, manager: tx });
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        this.logger.debug('tick already taken by another scheduler', { tick: tick.toISOString() });
        return null;
      }
      this.logger.error('scheduled run could not start', { tick: tick.toISOString(), err });
      return null;
    }
    const stopHeartbeat = this.runs.keepAlive(runId);
    try {
      const plan = await this.runs.plan(run);
      await this.runner.start(plan);
      this.logger.info('scheduled run started', { runId, tick: tick.toISOString() });
    } catch (err) {
      this.logger.error('scheduled run could not be planned', { runId, err });
      await this.runs.fail(runId, (err as Error).message);
    } finally {
      stopHeartbeat();
    }
    return runId;
  }
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string }; message?: string };
  const code = e.driverError?.code ?? e.code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/.test(e.message ?? '')
  );
}
