/**
 * The audit-hub application: config, storage, connectors, runs, controls and findings. Built from a
 * config loaded before Nest starts, so a bad config file exits 2 before anything connects.
 */
import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ConfigModule } from './config/config.module';
import type { LoadedConfig } from './config/config.loader';
import { Redactor } from './config/redactor';
import { dataSourceOptions } from './store/data-source.factory';
import { RecordStore } from './store/record.store';
import { Clock } from './common/clock';
import { AppLogger } from './common/app-logger';
import { PluginRegistry } from './plugins/plugin-registry';
import { ConnectorRegistry } from './connectors/connector.registry';
import { ConnectorCheckService } from './connectors/connector-check.service';
import { LinkService } from './linking/link.service';
import { DerivedModelService } from './identities';
import {
  EvidenceBatchListener,
  EvidenceFindingListener,
  EvidenceLedger,
  EvidenceRunListener,
  EvidenceVerifier,
} from './evidence';
import { AsOfService, ReportService } from './reports';
import { ExceptionStore } from './exceptions/exception.store';
import { MetricsBatchListener, MetricsRunListener } from './metrics/metrics.listeners';
import { REMEDIATION_PROVIDERS } from './remediation/remediation.providers';
import { RemediationOutboxListener } from './remediation/remediation-outbox.listener';
import { RemediationRunListener } from './remediation/remediation-run.listener';
import { CONTROL_CLASSES, CONTROLS, ControlRegistry } from './controls/control.registry';
import { FindingService } from './findings/finding.service';
import { FindingQueryService } from './findings/finding-query.service';
import { RunService } from './runs/run.service';
import { CollectHandler } from './runs/collect.handler';
import { RemediationPlanner } from './remediation/remediation.planner';
import { RemediationRelay } from './remediation/remediation.relay';
import { ShippedRangeSource } from './runs/shipped-range.source';
import { EvaluateHandler } from './runs/evaluate.handler';
import { InProcessRunner } from './runs/in-process.runner';
import { RECONCILE_RUNNER } from './runs/job.types';
import { BullMqRunner } from './runs/bullmq.runner';
import { RunReaper } from './runs/run-reaper.service';
import { QueueService } from './queue/queue.service';
import { JobHandlerRegistry } from './queue/job-handler.registry';
import { APP_CONFIG } from './config/config.module';
import type { AppConfig } from './config/config.schema';
import { RunReportBuilder } from './runs/run-report.builder';
import { ReconcileService } from './runs/reconcile.service';
import { FINDING_TRANSITION_LISTENERS } from './findings/finding-transition.listener';
import { COLLECT_BATCH_LISTENERS, RUN_FINISHED_LISTENERS } from './runs/run-lifecycle.listener';

export interface HubModuleOptions {
  /** Apply pending migrations when the database connects (default true; `migrate` does it explicitly). */
  migrationsRun?: boolean;
  /** Where the JSON logs go (default stderr); every line is redacted first. */
  logStream?: NodeJS.WritableStream;
}

@Module({})
export class HubModule {
  static forRoot(loaded: LoadedConfig, opts: HubModuleOptions = {}): DynamicModule {
    return {
      module: HubModule,
      imports: [
        ConfigModule.forRoot(loaded),
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...dataSourceOptions(loaded.config.storage.database),
            migrationsRun: opts.migrationsRun ?? true,
            // Fail fast with a clear error instead of @nestjs/typeorm's default 10 × 3 s retries.
            retryAttempts: 1,
            retryDelay: 1000,
          }),
        }),
      ],
      providers: [
        Clock,
        {
          provide: AppLogger,
          useFactory: (r: Redactor) => new AppLogger(r, undefined, opts.logStream),
          inject: [Redactor],
        },
        { provide: PluginRegistry, useFactory: () => new PluginRegistry() },
        { provide: RecordStore, useFactory: (ds: DataSource) => new RecordStore(ds), inject: [DataSource] },
        // Extension points: what happens in a finding transition's transaction, with each collected
        // batch, and after each run. The evidence ledger's run listener goes last, so its
        // checkpoint covers what the others appended.
        EvidenceLedger,
        EvidenceVerifier,
        EvidenceFindingListener,
        EvidenceBatchListener,
        EvidenceRunListener,
        ...REMEDIATION_PROVIDERS,
        {
          provide: FINDING_TRANSITION_LISTENERS,
          useFactory: (evidence: EvidenceFindingListener, outbox: RemediationOutboxListener) => [
            evidence,
            outbox,
          ],
          inject: [EvidenceFindingListener, RemediationOutboxListener],
        },
        {
          provide: COLLECT_BATCH_LISTENERS,
          useFactory: (evidence: EvidenceBatchListener, metrics: MetricsBatchListener) => [evidence, metrics],
          inject: [EvidenceBatchListener, MetricsBatchListener],
        },
        {
          provide: RUN_FINISHED_LISTENERS,
          useFactory: (remediation: RemediationRunListener, evidence: EvidenceRunListener) => [
            remediation,
            evidence,
          ],
          inject: [RemediationRunListener, EvidenceRunListener],
        },
        AsOfService,
        ReportService,
        ExceptionStore,
        MetricsBatchListener,
        MetricsRunListener,
        ConnectorRegistry,
        ConnectorCheckService,
        LinkService,
        DerivedModelService,
        ...CONTROL_CLASSES,
        { provide: CONTROLS, useFactory: (...controls: unknown[]) => controls, inject: CONTROL_CLASSES },
        ControlRegistry,
        FindingService,
        FindingQueryService,
        RunService,
        CollectHandler,
        ShippedRangeSource,
        EvaluateHandler,
        InProcessRunner,
        JobHandlerRegistry,
        QueueService,
        BullMqRunner,
        RunReaper,
        {
          // The runtime shape: BullMQ on Redis when storage.redis is set, else in-process.
          provide: RECONCILE_RUNNER,
          useFactory: (config: AppConfig, inProcess: InProcessRunner, bull: BullMqRunner) =>
            config.storage.redis ? bull : inProcess,
          inject: [APP_CONFIG, InProcessRunner, BullMqRunner],
        },
        RunReportBuilder,
        ReconcileService,
      ],
      exports: [
        AppLogger,
        QueueService,
        RunService,
        RunReaper,
        RECONCILE_RUNNER,
        Clock,
        ConnectorRegistry,
        ConnectorCheckService,
        ControlRegistry,
        EvidenceLedger,
        EvidenceVerifier,
        ReportService,
        AsOfService,
        ExceptionStore,
        FindingQueryService,
        ReconcileService,
        RunReportBuilder,
        // The scheduler role's relay between runs shares the run-end relay's instance (one pass at a time).
        RemediationPlanner,
        RemediationRelay,
      ],
    };
  }
}
