/**
 * Run-lifecycle listeners that feed the in-process metrics: records and upstream responses per
 * committed batch, and run durations by outcome. Registered under COLLECT_BATCH_LISTENERS and
 * RUN_FINISHED_LISTENERS; without MetricsService (CLI commands) they do nothing.
 */
import { Injectable, Optional } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import type { RunStatus } from '@audit-hub/domain';
import type {
  CollectBatchListener,
  CollectedBatch,
  RunFinishedListener,
} from '../runs/run-lifecycle.listener';
import { RunEntity } from '../store/entities/run.entity';
import { MetricsService } from './metrics.service';

@Injectable()
export class MetricsBatchListener implements CollectBatchListener {
  constructor(@Optional() private readonly metrics?: MetricsService) {}

  async onBatch(_manager: EntityManager, batch: CollectedBatch): Promise<void> {
    if (!this.metrics) return;
    this.metrics.collectedRecords.inc(
      { connector: batch.connector, stream: batch.stream },
      batch.records.length,
    );
    for (const page of batch.pages)
      this.metrics.upstreamResponses.inc({ connector: batch.connector, status: String(page.status) });
  }
}

@Injectable()
export class MetricsRunListener implements RunFinishedListener {
  constructor(
    private readonly dataSource: DataSource,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  async onRunFinished(runId: string, status: RunStatus): Promise<void> {
    if (!this.metrics) return;
    const run = await this.dataSource.getRepository(RunEntity).findOneBy({ id: runId });
    if (!run) return;
    const end = run.finishedAt ? Date.parse(run.finishedAt) : Date.now();
    this.metrics.runDuration.observe({ status }, Math.max(0, (end - Date.parse(run.startedAt)) / 1000));
  }
}
