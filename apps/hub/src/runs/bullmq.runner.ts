/**
 * The queue runner: a run becomes a BullMQ flow — one collect job per (connector, stream) as
 * children of the run's evaluate job, which BullMQ starts once every child ended. Job ids are
 * deterministic (no `:`), so a second scheduler or a retried start adds nothing twice. A collect job
 * that fails for good records its stream as failed and completes; `ignoreDependencyOnFailure` lets
 * evaluation run even after a job that crashed its workers too often.
 */
import { Injectable } from '@nestjs/common';
import type { FlowJob, JobNode } from 'bullmq';
import { QueueService } from '../queue/queue.service';
import { RECONCILE_QUEUE } from '../queue/redis.options';
import type { CollectJob, ReconcileRunner, RunPlan } from './job.types';

const KEEP = {
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/** BullMQ job ids may not contain `:`; connector ids and stream names are kebab-case already. */
export function jobId(...parts: string[]): string {
  return parts.map((p) => p.replace(/[:\s]/g, '_')).join('.');
}

@Injectable()
export class BullMqRunner implements ReconcileRunner {
  constructor(private readonly queues: QueueService) {}

  flowOf(plan: RunPlan): FlowJob {
    return {
      name: 'evaluate',
      queueName: RECONCILE_QUEUE,
      data: { runId: plan.runId },
      opts: {
        jobId: jobId('evaluate', plan.runId),
        attempts: 3,
        backoff: { type: 'exponential', delay: 2000 },
        ...KEEP,
      },
      children: plan.collect.map((c: CollectJob) => ({
        name: 'collect',
        queueName: RECONCILE_QUEUE,
        data: c,
        opts: {
          jobId: jobId('collect', c.runId, c.connector, c.stream),
          attempts: 3,
          backoff: { type: 'exponential', delay: 2000 },
          ignoreDependencyOnFailure: true,
          ...KEEP,
        },
      })),
    };
  }

  /** Enqueues the run's flow and returns at once (scheduled runs). */
  async start(plan: RunPlan): Promise<JobNode> {
    return this.queues.flow().add(this.flowOf(plan));
  }

  /** Enqueues the run, works the queue in this process too, and waits for the run's end. */
  async execute(plan: RunPlan): Promise<void> {
    const events = await this.queues.events();
    const worker = this.queues.startWorker();
    try {
      const node = await this.start(plan);
      await node.job.waitUntilFinished(events);
    } finally {
      await this.queues.closeWorker(worker);
    }
  }
}
