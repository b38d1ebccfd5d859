/** The worker role: consumes the reconcile queue in this process until shutdown. */
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AppLogger } from './common/app-logger';
import { QueueService } from './queue/queue.service';

@Injectable()
export class WorkerRole implements OnApplicationBootstrap {
  constructor(
    private readonly queues: QueueService,
    private readonly logger: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.queues.enabled) {
      this.logger.warn(
        'worker role without storage.redis: runs execute in-process in the process that starts them',
      );
      return;
    }
    const concurrency = Number(process.env.AUDIT_HUB_WORKER_CONCURRENCY) || 4;
    this.queues.startWorker(concurrency);
    this.logger.info('worker started', { concurrency });
  }
}
