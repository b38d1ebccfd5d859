/**
 * Collects one (connector, stream): reads from the saved cursor, stores each batch's records and
 * the cursor after it in one transaction (a crash resumes after the last committed batch), and
 * records how the stream ended. A failure is recorded on the stream and the job completes, so
 * evaluation always runs and reports what it could not check. After the first batch with a problem
 * the cursor stops advancing, so the next run reads the unreadable part again — unless every
 * problem is `lasting` (reading again cannot help until someone acts). Repeated problems are kept
 * as one entry with a count (problem-groups.ts). The stream reads its next batch while the last one
 * is written (read-ahead.ts): upstream time and store time overlap instead of adding up.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Cursor } from '@audit-hub/plugin-sdk';
import type { SourceStatus } from '@audit-hub/domain';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { Redactor } from '../config/redactor';
import { ConnectorRegistry, OpenConnection } from '../connectors/connector.registry';
import { RecordStore } from '../store/record.store';
import { runInTransaction } from '../store/transaction';
import { SourceStatusEntity, SourceProblem } from '../store/entities/source-status.entity';
import { StreamCursorEntity } from '../store/entities/stream-cursor.entity';
import { recordStreamSuccess } from '../store/stream-success.store';
import { RunEntity } from '../store/entities/run.entity';
import { EnvironmentClassifier } from '../linking/environment.classifier';
import { ServiceResolver } from '../linking/service.resolver';
import { ProductionResourceClassifier } from '../identities';
import { AppLogger } from '../common/app-logger';
import { Clock } from '../common/clock';
import type { CollectJob } from './job.types';
import { SHIPPED_RANGES_STREAM, ShippedRangeSource } from './shipped-range.source';
import { batchKeys, ResumeCounter, type ResumeState } from './collect-resume';
import { addProblems, problemCount, type IncomingProblem } from './problem-groups';
import { COLLECT_BATCH_LISTENERS, CollectBatchListener } from './run-lifecycle.listener';
import type { ResponseInfo } from '@audit-hub/http';
import type { JobContext } from '../queue/job-handler.registry';
import { isUpstreamError } from '@audit-hub/http';
import { isStoreError } from '../store/store.error';
import { readAhead } from './read-ahead';

@Injectable()
export class CollectHandler {
  private readonly environments: EnvironmentClassifier;
  private readonly services: ServiceResolver;
  private readonly productionResources: ProductionResourceClassifier;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly connectors: ConnectorRegistry,
    private readonly records: RecordStore,
    private readonly redactor: Redactor,
    private readonly logger: AppLogger,
    private readonly clock: Clock,
    private readonly shippedRanges: ShippedRangeSource,
    @Inject(COLLECT_BATCH_LISTENERS) private readonly batchListeners: CollectBatchListener[] = [],
  ) {
    this.environments = new EnvironmentClassifier(config.environments.production);
    this.services = new ServiceResolver(config.services);
    this.productionResources = new ProductionResourceClassifier(config.production);
  }

  /**
   * A retryable failure (an upstream still down after the HTTP client's own retries, a write race)
   * is thrown while the queue has attempts left, so BullMQ retries the job with backoff; the last
   * attempt records the stream as failed and completes.
   */
  async handle(job: CollectJob, ctx: JobContext = { attemptsMade: 0, attempts: 1 }): Promise<SourceStatus> {
    const signal = ctx.signal;
    const { runId, connector, stream: streamName } = job;
    const run = await this.dataSource.getRepository(RunEntity).findOneByOrFail({ id: runId });
    const now = new Date(run.startedAt);
    const statusRepo = this.dataSource.getRepository(SourceStatusEntity);
    const key = { runId, connector, stream: streamName };
    const log = this.logger.child({ runId, connector, stream: streamName });
    const previous = await statusRepo.findOneBy(key);
    let records = 0;
    let problems: SourceProblem[] = [];
    let error: string | null = null;
    let status: SourceStatus = 'complete';
    let open: OpenConnection | undefined;
    const instance = this.connectors.get(connector);
    try {
      // Responses read since the last committed batch: their digests go with that batch.
      let pages: ResponseInfo[] = [];
      open = await this.connectors.connect(connector, { signal, onResponse: (info) => pages.push(info) });
      const stream =
        open.connection.streams.find((s) => s.name === streamName) ??
        (streamName === SHIPPED_RANGES_STREAM
          ? this.shippedRanges.stream(connector, open.connection, { runId, now, full: job.full })
          : undefined);
      if (!stream) throw new Error(`connector ${connector} has no stream "${streamName}"`);
      await statusRepo.update(key, { kinds: stream.kinds });
      const saved = job.full
        ? null
        : await this.dataSource
            .getRepository(StreamCursorEntity)
            .findOneBy({ connector, stream: streamName });
      // A retried or recovered job resumes from the cursor it last committed in this run, with the
      // count and problems as of that cursor (and without counting again what an inclusive cursor
      // reads twice: collect-resume.ts); one that starts over (a snapshot, a full resync, nothing
      // committed yet) counts from zero. Either way each record is counted once.
      let counter = new ResumeCounter();
      if (saved && saved.lastRunId === runId && stream.mode !== 'snapshot' && previous?.resume) {
        const resume = previous.resume as ResumeState;
        records = resume.records;
        problems = [...resume.problems];
        counter = new ResumeCounter(resume.lastBatch);
      }
      const since = new Date(now.getTime() - this.config.collect.sinceMs);
      let cursorFrozen = false;
      const isProductionResource = this.productionResources.forPlugin(instance.plugin.manifest.id);
      const ingestCtx = {
        ...(isProductionResource ? { isProductionResource } : {}),
        connector,
        runId,
        now,
        isProduction: (environment: string, tier: string | null) =>
          this.environments.isProduction(environment, tier),
        serviceOf: (kind: any, data: unknown) =>
          this.services.serviceOf({ id: connector, plugin: instance.plugin.manifest.id }, kind, data),
      };
      log.info('collecting', { cursor: saved?.cursor ?? null, full: job.full });
      const reads = readAhead(
        stream.read({ cursor: (saved?.cursor as Cursor) ?? null, full: job.full, since }),
        (read) => {
          // Taken when the batch arrives, before the stream reads on: the responses read for it
          // (the next batch's go with the next), its records redacted once — before anything
          // stores, digests, links or evaluates them (fields and `raw` alike), so an upstream whose
          // data carries a configured secret (a token pasted into a commit title) never gets it
          // past this point — and a copy of its cursor (the upstream's own, kept as it came), which
          // the plugin may go on changing while this batch is written.
          const batchPages = pages;
          pages = [];
          return {
            batch: {
              ...read,
              records: this.redactor.redactShared(read.records),
              ...(read.cursor !== undefined ? { cursor: structuredClone(read.cursor) } : {}),
            },
            pages: batchPages,
          };
        },
      );
      for await (const { batch, pages: batchPages } of reads) {
        // A record the store cannot hold is reported and left out; the rest of its batch is kept.
        const { valid, invalid, prepared } = this.records.partition(batch.records, ingestCtx);
        const refused = invalid.map((i) => ({
          where: `${i.record.kind} ${i.record.externalId}`,
          error: i.error,
          kinds: [i.record.kind],
        }));
        const met: IncomingProblem[] = [...(batch.problems ?? []), ...refused];
        const batchProblems: IncomingProblem[] = met.map((p) => ({
          ...p,
          where: this.redactor.redact(p.where),
          error: this.redactor.redact(p.error),
          ...(p.fix ? { fix: this.redactor.redact(p.fix) } : {}),
        }));
        // A lasting problem (a permission the token lacks) is not read again run after run: the
        // records it touched say what they lack, and the plugin reads them again once it can.
        if (batchProblems.some((p) => !p.lasting)) cursorFrozen = true;
        const counted = counter.count(valid);
        await runInTransaction(this.dataSource, async (tx) => {
          if (valid.length) await this.records.ingest(prepared, { ...ingestCtx, manager: tx });
          const cursorSaved = batch.cursor !== undefined && !cursorFrozen;
          if (cursorSaved) {
            await tx.getRepository(StreamCursorEntity).save({
              connector,
              stream: streamName,
              cursor: batch.cursor as any,
              updatedAt: now.toISOString(),
              lastRunId: runId,
            });
          }
          for (const l of this.batchListeners) {
            await l.onBatch(tx, {
              runId,
              connector,
              stream: streamName,
              pages: batchPages,
              records: valid,
              cursor: batch.cursor,
            });
          }
          records += counted;
          problems = addProblems(problems, batchProblems);
          const resume = (): ResumeState => ({ records, problems, lastBatch: batchKeys(valid) });
          await tx.getRepository(SourceStatusEntity).update(key, {
            records,
            problems: problems as any,
            ...(cursorSaved ? { resume: resume() as any } : {}),
          });
        });
      }
      status = problems.length ? 'partial' : 'complete';
      if (status === 'complete') {
        if (stream.mode === 'snapshot') {
          await this.records.markMissingDeleted(connector, stream.kinds, now, runId, now);
        }
        await recordStreamSuccess(this.dataSource.manager, connector, streamName, now.toISOString());
      }
    } catch (err) {
      const retryable = (isUpstreamError(err) || isStoreError(err)) && err.retryable;
      if (retryable && ctx.attemptsMade + 1 < ctx.attempts) {
        log.warn('stream attempt failed; the queue retries it', {
          error: this.redactor.redact(String((err as Error).message)),
        });
        throw err;
      }
      status = 'failed';
      error = this.redactor.redact(err instanceof Error ? err.message : String(err));
      log.warn('stream failed', { error });
    } finally {
      if (open)
        await open.close().catch((e) => log.warn('closing the connection failed', { error: String(e) }));
    }
    await statusRepo.update(key, {
      status,
      records,
      problems: problems as any,
      error,
      finishedAt: new Date(Math.max(this.clock.now().getTime(), now.getTime())).toISOString(),
    });
    log.info('collected', { status, records, problems: problemCount(problems) });
    return status;
  }
}
