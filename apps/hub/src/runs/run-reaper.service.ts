/**
 * Ends runs that nobody carries any more, so a run never reads `running` forever and never holds
 * back the schedule for the stale-run bound. A run is alive while the process carrying it keeps its
 * heartbeat fresh (run.service.ts `keepAlive`) or, with a queue, while its evaluate job is still in
 * the queue (workers will carry it). A run with neither — its process died, or Redis lost its jobs —
 * ends `failed` with the reason, and its unfinished sources with it. When Redis does not answer,
 * nothing is decided: the jobs may still be there.
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppLogger } from '../common/app-logger';
import { QueueService } from '../queue/queue.service';
import { RunEntity } from '../store/entities/run.entity';
import { evaluateJobId } from './bullmq.runner';
import { HEARTBEAT_MS, RunService } from './run.service';

/** A heartbeat older than this means the carrying process is gone. */
export const HEARTBEAT_STALE_MS = 4 * HEARTBEAT_MS;

@Injectable()
export class RunReaper {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: RunService,
    private readonly queues: QueueService,
    private readonly logger: AppLogger,
  ) {}

  /** Ends every abandoned run; returns the ids it ended. */
  async reap(wallNow = Date.now()): Promise<string[]> {
    const running = await this.dataSource.getRepository(RunEntity).findBy({ status: 'running' });
    const ended: string[] = [];
    for (const run of running) {
      const why = await this.abandoned(run, wallNow);
      if (why && (await this.runs.fail(run.id, why))) {
        this.logger.warn('ended an abandoned run', { runId: run.id, reason: why });
        ended.push(run.id);
      }
    }
    return ended;
  }

  /** Why a running run is abandoned, or null while something still carries it. */
  async abandoned(run: RunEntity, wallNow = Date.now()): Promise<string | null> {
    const beat = run.heartbeatAt ? Date.parse(run.heartbeatAt) : NaN;
    if (Number.isFinite(beat) && wallNow - beat < HEARTBEAT_STALE_MS) return null;
    const since = run.heartbeatAt ? `since ${run.heartbeatAt}` : 'ever';
    if (this.queues.enabled) {
      const job = await this.queues.runJobState(evaluateJobId(run.id));
      if (job.state === 'present' || job.state === 'unknown') return null;
      if (job.state === 'failed') return `its evaluate job failed: ${job.reason ?? 'no reason given'}`;
      return `its jobs are gone from the queue (Redis restarted without persistence, or was flushed) and no process has carried it ${since}`;
    }
    return `the process carrying it stopped: no heartbeat ${since}`;
  }
}
