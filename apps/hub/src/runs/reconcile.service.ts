/**
 * One reconcile run now: create the run, plan its collect jobs, hand the plan to the runner of this
 * runtime shape, and report. The same entry point serves the CLI, the scheduler and the API.
 */
import { Inject, Injectable } from '@nestjs/common';
import { RunTrigger } from '../store/entities/run.entity';
import { RunService } from './run.service';
import { RunReport, RunReportBuilder } from './run-report.builder';
import { RECONCILE_RUNNER, ReconcileRunner } from './job.types';

export interface ReconcileOptions {
  trigger: RunTrigger;
  full?: boolean;
  scheduleKey?: string;
  /** Called as the run moves on (the CLI's progress display). */
  onProgress?: (event: { phase: 'planned' | 'evaluated'; jobs?: number }) => void;
}

@Injectable()
export class ReconcileService {
  constructor(
    private readonly runs: RunService,
    private readonly reports: RunReportBuilder,
    @Inject(RECONCILE_RUNNER) private readonly runner: ReconcileRunner,
  ) {}

  async reconcile(opts: ReconcileOptions): Promise<RunReport> {
    const run = await this.runs.create(opts.trigger, { full: opts.full, scheduleKey: opts.scheduleKey });
    const plan = await this.runs.plan(run);
    opts.onProgress?.({ phase: 'planned', jobs: plan.collect.length });
    await this.runner.execute(plan);
    opts.onProgress?.({ phase: 'evaluated' });
    return this.reports.build(run.id);
  }
}
