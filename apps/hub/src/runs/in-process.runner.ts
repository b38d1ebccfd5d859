/**
 * The embedded runtime's runner: the same collect and evaluate handlers as the BullMQ flow, run in
 * this process — collect jobs with bounded concurrency, then evaluation once all of them ended.
 */
import { Injectable } from '@nestjs/common';
import pLimit from 'p-limit';
import { CollectHandler } from './collect.handler';
import { EvaluateHandler } from './evaluate.handler';
import type { ReconcileRunner, RunPlan } from './job.types';

@Injectable()
export class InProcessRunner implements ReconcileRunner {
  constructor(
    private readonly collect: CollectHandler,
    private readonly evaluate: EvaluateHandler,
  ) {}

  async execute(plan: RunPlan, concurrency = 4): Promise<void> {
    const limit = pLimit(concurrency);
    await Promise.all(plan.collect.map((job) => limit(() => this.collect.handle(job))));
    await this.evaluate.handle({ runId: plan.runId });
  }
}
