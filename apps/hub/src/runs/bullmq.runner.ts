/**
 * The queue runner: a run becomes a BullMQ flow — one collect job per (connector, stream) as
 * children of the run's evaluate job, which BullMQ starts once every child ended. Job ids are
 * deterministic (no `:`), so a second scheduler or a retried start adds nothing twice. A collect job
 * that fails for good records its stream as failed and completes; `ignoreDependencyOnFailure` lets
 * evaluation run even after a job that crashed its workers too often.
 *
 * Waiting on a run reads the run's row, not queue events: the row is the truth every shape shares,
 * and it can be read when Redis is gone. A run whose jobs vanished from the queue (Redis restarted
 * without persistence, or flushed), or whose Redis stays unreachable, ends `failed` with the reason
 * within a bound, instead of being waited on forever.
 */
import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FlowJob, JobNode } from 'bullmq';
import { DataSource } from 'typeorm';
import { QueueService } from '../queue/queue.service';
import { RECONCILE_QUEUE } from '../queue/redis.options';
import { RunEntity } from '../store/entities/run.entity';
import type { CollectJob, ReconcileRunner, RunPlan } from './job.types';
import { RunService } from './run.service';

const KEEP = {
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

function envMs(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** How long a waiting run tolerates a Redis that does not answer before ending the run. */
export const REDIS_LOST_MS = envMs('AUDIT_HUB_REDIS_LOST_MS', 60_000);
/** How often a waiting process looks at its run. */
const POLL_MS = envMs('AUDIT_HUB_RUN_POLL_MS', 1000);

/** BullMQ job ids may not contain `:`; connector ids and stream names are kebab-case already. */
export function jobId(...parts: string[]): string {
  return parts.map((p) => p.replace(/[:\s]/g, '_')).join('.');
}

export function evaluateJobId(runId: string): string {
  return jobId('evaluate', runId);
}

@Injectable()
export class BullMqRunner implements ReconcileRunner {
  constructor(
    private readonly queues: QueueService,
    private readonly dataSource: DataSource,
    private readonly runs: RunService,
  ) {}

  flowOf(plan: RunPlan): FlowJob {
    return {
      name: 'evaluate',
      queueName: RECONCILE_QUEUE,
      data: { runId: plan.runId },
      opts: {
        jobId: evaluateJobId(plan.runId),
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

  /** Enqueues the run's flow and returns at once (scheduled runs); refuses when Redis is down. */
  async start(plan: RunPlan): Promise<JobNode> {
    await this.queues.assertReachable();
    return this.queues.flow().add(this.flowOf(plan));
  }

  /** Enqueues the run, works the queue in this process too, and waits for the run's end. */
  async execute(plan: RunPlan): Promise<void> {
    await this.queues.assertReachable();
    const stopHeartbeat = this.runs.keepAlive(plan.runId);
    const worker = this.queues.startWorker();
    try {
      await this.start(plan);
      await this.waitForEnd(plan.runId);
    } finally {
      stopHeartbeat();
      await this.queues.closeWorker(worker);
    }
  }

  /** Polls the run's row until it ended; ends it itself when its jobs are gone or Redis stays away. */
  private async waitForEnd(runId: string): Promise<void> {
    const repo = this.dataSource.getRepository(RunEntity);
    let unreachableSince: number | null = null;
    let missing = 0;
    for (;;) {
      const run = await repo.findOneBy({ id: runId });
      if (!run || run.status !== 'running') return;
      const job = await this.queues.runJobState(evaluateJobId(runId));
      if (job.state === 'unknown') {
        unreachableSince ??= Date.now();
        if (Date.now() - unreachableSince >= REDIS_LOST_MS) {
          await this.runs.fail(
            runId,
            `Redis at ${this.queues.where()} did not answer for ${Math.round(REDIS_LOST_MS / 1000)} s: the run's jobs could not be followed`,
          );
          return;
        }
      } else {
        unreachableSince = null;
      }
      // Twice in a row, so a job between two states is not taken for a lost one.
      missing = job.state === 'missing' ? missing + 1 : 0;
      if (missing >= 2) {
        await this.runs.fail(
          runId,
          "the run's jobs are gone from the queue (Redis restarted without persistence, or was flushed)",
        );
        return;
      }
      if (job.state === 'failed') {
        await this.runs.fail(runId, `its evaluate job failed: ${job.reason ?? 'no reason given'}`);
        return;
      }
      await sleep(POLL_MS);
    }
  }
}
