/**
 * One reconcile run now: check the settings, create the run, plan its collect jobs, hand the plan to
 * the runner of this runtime shape, and report. The same entry point serves the CLI, the scheduler
 * and the API.
 *
 * Settings (connectors and their plugin options, control parameters) are checked before the run
 * row exists, so a configuration mistake is a usage error (exit 2) that leaves no run behind. Once
 * the run exists, anything that goes wrong ends it `failed` with the reason — never `running`.
 * Runs abandoned by a process that died (no heartbeat, no jobs) are ended first (run-reaper.service.ts),
 * so a nightly `reconcile` from cron recovers from a crash of the one before without the scheduler.
 */
import { Inject, Injectable } from '@nestjs/common';
import { HubError } from '../common/errors';
import { ConfigError } from '../config/config.error';
import { ConnectorRegistry } from '../connectors/connector.registry';
import { ControlRegistry } from '../controls/control.registry';
import { RunTrigger } from '../store/entities/run.entity';
import { RunReaper } from './run-reaper.service';
import { RunService } from './run.service';
import { RunReport, RunReportBuilder } from './run-report.builder';
import { RECONCILE_RUNNER, ReconcileRunner, type PlannedSource } from './job.types';

export interface ReconcileOptions {
  trigger: RunTrigger;
  full?: boolean;
  scheduleKey?: string;
  /** Called as the run moves on (the CLI's progress display). */
  onProgress?: (event: ReconcileProgressEvent) => void;
}

/**
 * `planned`: the run exists and every source it will report is recorded (`sources`; `jobs` of them
 * are collect jobs, the others come after them or failed already); `evaluated`: the run ended.
 */
export type ReconcileProgressEvent =
  | { phase: 'planned'; runId: string; jobs: number; sources: PlannedSource[] }
  | { phase: 'evaluated'; runId: string };

@Injectable()
export class ReconcileService {
  constructor(
    private readonly runs: RunService,
    private readonly reports: RunReportBuilder,
    private readonly connectors: ConnectorRegistry,
    private readonly controls: ControlRegistry,
    private readonly reaper: RunReaper,
    @Inject(RECONCILE_RUNNER) private readonly runner: ReconcileRunner,
  ) {}

  /** Throws the ConfigError of a bad connector, plugin option or control setting. */
  checkSettings(): void {
    this.connectors.instances();
    this.controls.effective();
  }

  async reconcile(opts: ReconcileOptions): Promise<RunReport> {
    this.checkSettings();
    await this.reaper.reap();
    const run = await this.runs.create(opts.trigger, { full: opts.full, scheduleKey: opts.scheduleKey });
    const stopHeartbeat = this.runs.keepAlive(run.id);
    try {
      const plan = await this.runs.plan(run);
      opts.onProgress?.({
        phase: 'planned',
        runId: run.id,
        jobs: plan.collect.length,
        sources:
          plan.sources ??
          plan.collect.map((c) => ({ connector: c.connector, stream: c.stream, when: 'collect' as const })),
      });
      await this.runner.execute(plan);
      opts.onProgress?.({ phase: 'evaluated', runId: run.id });
    } catch (err) {
      // The run cannot go on: say so on the run. Its report then reads `failed`, exit 3.
      await this.runs.fail(run.id, err instanceof Error ? err.message : String(err)).catch(() => {
        throw err; // the store itself is gone: the original error is the one to report
      });
      // A configuration mistake found only now is still a usage error (exit 2 wins over 3).
      if (err instanceof ConfigError || (err instanceof HubError && err.exitCode === 2)) throw err;
    } finally {
      stopHeartbeat();
    }
    return this.reports.build(run.id);
  }
}
