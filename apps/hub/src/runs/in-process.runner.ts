/**
 * The embedded runtime's runner: the same collect and evaluate handlers as the BullMQ flow, run in
 * this process — collect jobs with bounded concurrency, then evaluation once all of them ended.
 * While it runs, the process keeps the run's heartbeat fresh (run.service.ts), so a run whose
 * process died is ended by the reaper instead of holding back the schedule.
 */
import { Injectable } from '@nestjs/common';
import { AppLogger } from '../common/app-logger';
import pLimit from 'p-limit';
import { CollectHandler } from './collect.handler';
import { EvaluateHandler } from './evaluate.handler';
import type { ReconcileRunner, RunPlan } from './job.types';
import { RunService } from './run.service';

@Injectable()
export class InProcessRunner implements ReconcileRunner {
  constructor(
    private readonly collect: CollectHandler,
    private readonly evaluate: EvaluateHandler,
    private readonly runs: RunService,
    private readonly logger: AppLogger,
  ) {}

  async start(plan: RunPlan): Promise<void> {
    void this.execute(plan).catch(async (err) => {
      const error = err instanceof Error ? err.message : String(err);
      this.logger.error('run failed', { runId: plan.runId, err });
      await this.runs.fail(plan.runId, error).catch(() => undefined);
    });
  }

  async execute(plan: RunPlan, concurrency = 4): Promise<void> {
    const stopHeartbeat = this.runs.keepAlive(plan.runId);
    try {
      const limit = pLimit(concurrency);
      await Promise.all(
        plan.collect.map((job) => limit(() => this.collect.handle(job, { attemptsMade: 0, attempts: 1 }))),
      );
      await this.evaluate.handle({ runId: plan.runId });
    } finally {
      stopHeartbeat();
    }
  }
}
