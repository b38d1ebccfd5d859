/**
 * Creates runs and plans them: one collect job per (connector, stream), from each configured
 * connector's streams, and a pending `shipped-ranges` source for each repository connector that
 * has Jenkins-style deployments to resolve (read by the evaluate job). A connector that cannot even be connected is recorded as one failed source
 * covering every kind its plugin collects.
 */
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, MoreThan } from 'typeorm';
import { CAPABILITY_KINDS } from '@audit-hub/plugin-sdk';
import { Clock } from '../common/clock';
import { Redactor } from '../config/redactor';
import { ConnectorRegistry } from '../connectors/connector.registry';
import { RunEntity, RunTrigger } from '../store/entities/run.entity';
import { SourceStatusEntity } from '../store/entities/source-status.entity';
import type { CollectJob, PlannedSource, RunPlan } from './job.types';
import { SHIPPED_RANGES_KINDS, SHIPPED_RANGES_STREAM, ShippedRangeSource } from './shipped-range.source';

/** How often a live run's process writes its heartbeat. */
export const HEARTBEAT_MS = envMs('AUDIT_HUB_RUN_HEARTBEAT_MS', 15_000);

function envMs(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

function wallNow(): string {
  return new Date().toISOString();
}

@Injectable()
export class RunService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly connectors: ConnectorRegistry,
    private readonly clock: Clock,
    private readonly redactor: Redactor,
    private readonly shippedRanges: ShippedRangeSource,
  ) {}

  async create(
    trigger: RunTrigger,
    opts: { full?: boolean; scheduleKey?: string; id?: string; manager?: EntityManager } = {},
  ): Promise<RunEntity> {
    const repo = (opts.manager ?? this.dataSource.manager).getRepository(RunEntity);
    const run = repo.create({
      id: opts.id ?? randomUUID(),
      trigger,
      scheduleKey: opts.scheduleKey ?? null,
      startedAt: this.clock.now().toISOString(),
      finishedAt: null,
      status: 'running',
      full: !!opts.full,
      error: null,
      summary: null,
      heartbeatAt: wallNow(),
    });
    await repo.insert(run as any);
    return run;
  }

  /**
   * Keeps `heartbeat_at` fresh while this process carries the run (planning, the in-process
   * runner, waiting on a queued run), so the reaper can tell a live run from one whose process
   * died. The heartbeat is wall-clock time, never the pinned run clock. Returns the stop function.
   */
  keepAlive(runId: string, everyMs = HEARTBEAT_MS): () => void {
    const repo = this.dataSource.getRepository(RunEntity);
    const timer = setInterval(() => {
      void repo.update({ id: runId, status: 'running' }, { heartbeatAt: wallNow() }).catch(() => undefined); // an unreachable database is the run's own failure to report
    }, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Whether a run is still in progress (started after `since`). */
  async activeSince(since: Date): Promise<boolean> {
    return (
      (await this.dataSource
        .getRepository(RunEntity)
        .count({ where: { status: 'running', startedAt: MoreThan(since.toISOString()) } })) > 0
    );
  }

  /**
   * Ends a run that cannot go on (planning failed, its jobs were lost, its process died) as
   * `failed` with the reason; each of its sources still `running` ends `failed` with the same
   * reason, so nothing reads as in progress or as read. Only a run still `running` is touched:
   * one that ended meanwhile keeps its own outcome. Returns whether this call ended it.
   */
  async fail(runId: string, error: string): Promise<boolean> {
    const reason = this.redactor.redact(error);
    const at = this.clock.now().toISOString();
    const ended = await this.dataSource
      .getRepository(RunEntity)
      .update({ id: runId, status: 'running' }, { status: 'failed', error: reason, finishedAt: at });
    await this.dataSource
      .getRepository(SourceStatusEntity)
      .update(
        { runId, status: 'running' },
        { status: 'failed', error: `did not finish: ${reason}`, finishedAt: at },
      );
    return (ended.affected ?? 0) > 0;
  }

  /** Lists every connector's streams and records each as a pending source of the run. */
  async plan(run: RunEntity): Promise<RunPlan> {
    const jobs: CollectJob[] = [];
    const statuses: SourceStatusEntity[] = [];
    const at = run.startedAt;
    for (const instance of this.connectors.instances()) {
      const manifestKinds = instance.plugin.manifest.capabilities.flatMap((c) => [...CAPABILITY_KINDS[c]]);
      try {
        const open = await this.connectors.connect(instance.id);
        try {
          for (const s of open.connection.streams) {
            jobs.push({ runId: run.id, connector: instance.id, stream: s.name, full: run.full });
            statuses.push(this.status(run.id, instance.id, s.name, 'running', s.kinds, at, null));
          }
          // Read by the evaluate job once every collect job ended (it needs their deployments).
          if (this.shippedRanges.applies(instance, open.connection)) {
            statuses.push(
              this.status(
                run.id,
                instance.id,
                SHIPPED_RANGES_STREAM,
                'running',
                SHIPPED_RANGES_KINDS,
                at,
                null,
              ),
            );
          }
        } finally {
          await open.close();
        }
      } catch (err) {
        const message = this.redactor.redact(err instanceof Error ? err.message : String(err));
        statuses.push(this.status(run.id, instance.id, 'connect', 'failed', manifestKinds, at, message));
      }
    }
    await this.dataSource.getRepository(SourceStatusEntity).save(statuses);
    const sources: PlannedSource[] = statuses.map((s) => ({
      connector: s.connector,
      stream: s.stream,
      when:
        s.status === 'failed' ? 'failed' : s.stream === SHIPPED_RANGES_STREAM ? 'after-collect' : 'collect',
    }));
    return { runId: run.id, collect: jobs, sources };
  }

  private status(
    runId: string,
    connector: string,
    stream: string,
    status: SourceStatusEntity['status'],
    kinds: SourceStatusEntity['kinds'],
    at: string,
    error: string | null,
  ): SourceStatusEntity {
    return Object.assign(new SourceStatusEntity(), {
      runId,
      connector,
      stream,
      status,
      kinds,
      records: 0,
      error,
      problems: [],
      startedAt: at,
      finishedAt: status === 'failed' ? at : null,
    });
  }
}
