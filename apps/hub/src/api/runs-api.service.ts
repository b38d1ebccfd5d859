/**
 * Runs through the API: the list (newest first, keyset-paginated), one run's report (the
 * `reconcile --format json` document, its findings limited to the caller's team), and starting a
 * run without waiting for it, as the scheduler does.
 */
import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { SEVERITIES, Severity } from '@audit-hub/domain';
import { AppLogger } from '../common/app-logger';
import { Clock } from '../common/clock';
import { chunk, sqlQuery } from '../common/sql';
import type { Principal } from '../auth/principal';
import { RunService } from '../runs/run.service';
import { RunReaper } from '../runs/run-reaper.service';
import { ReconcileService } from '../runs/reconcile.service';
import { RunReport, RunReportBuilder } from '../runs/run-report.builder';
import { RECONCILE_RUNNER, ReconcileRunner } from '../runs/job.types';
import { RunEntity } from '../store/entities/run.entity';
import { FindingEntity } from '../store/entities/finding.entity';
import { FindingEventEntity } from '../store/entities/finding-event.entity';
import { decodeCursor, encodeCursor, Page } from './cursor';
import { DEFAULT_LIMIT } from './dto/page-query.dto';
import type { RunsQueryDto } from './dto/runs.dto';
import { splitList } from './dto/validators';

/** As the scheduler: a run still `running` after this long is taken as abandoned. */
const STALE_RUN_MS = 12 * 3600_000;

export interface RunSummaryView {
  id: string;
  trigger: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  full: boolean;
  error: string | null;
  /** How many of the run's sources ended each way. */
  sources: Record<string, number>;
}

export interface StartedRun {
  id: string;
  status: 'running';
  startedAt: string;
  collectJobs: number;
  /** Where to follow it. */
  href: string;
}

@Injectable()
export class RunsApiService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: RunService,
    private readonly reports: RunReportBuilder,
    @Inject(RECONCILE_RUNNER) private readonly runner: ReconcileRunner,
    private readonly clock: Clock,
    private readonly logger: AppLogger,
    private readonly reaper: RunReaper,
    private readonly reconcile: ReconcileService,
  ) {}

  async list(q: RunsQueryDto): Promise<Page<RunSummaryView>> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: limit + 1 };
    const statuses = splitList(q.status);
    if (statuses?.length) {
      where.push('r.status IN (:...statuses)');
      params.statuses = statuses;
    }
    if (q.cursor) {
      const [startedAt, id] = decodeCursor(q.cursor, 'runs', 2);
      where.push('(r.started_at < :cStarted OR (r.started_at = :cStarted AND r.id < :cId))');
      params.cStarted = startedAt;
      params.cId = id;
    }
    const rows = await sqlQuery<{ id: string }>(
      this.dataSource,
      `SELECT r.id FROM run r ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY r.started_at DESC, r.id DESC LIMIT :limit`,
      params,
    );
    const ids = rows.slice(0, limit).map((r) => r.id);
    const runs = ids.length ? await this.dataSource.getRepository(RunEntity).findBy({ id: In(ids) }) : [];
    const counts = new Map<string, Record<string, number>>();
    if (ids.length) {
      const statusRows = await sqlQuery<{ run_id: string; status: string; n: number | string }>(
        this.dataSource,
        'SELECT run_id, status, COUNT(*) AS n FROM source_status WHERE run_id IN (:...ids) GROUP BY run_id, status',
        { ids },
      );
      for (const s of statusRows)
        counts.set(s.run_id, { ...(counts.get(s.run_id) ?? {}), [s.status]: Number(s.n) });
    }
    const byId = new Map(runs.map((r) => [r.id, r]));
    const items = ids
      .map((id) => byId.get(id)!)
      .map((r) => ({
        id: r.id,
        trigger: r.trigger,
        status: r.status,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
        durationMs: r.finishedAt ? Date.parse(r.finishedAt) - Date.parse(r.startedAt) : null,
        full: r.full,
        error: r.error,
        sources: counts.get(r.id) ?? {},
      }));
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: rows.length > limit && last ? encodeCursor('runs', [last.startedAt, last.id]) : null,
      limit,
    };
  }

  async get(id: string, principal: Principal): Promise<RunReport> {
    if (!(await this.dataSource.getRepository(RunEntity).existsBy({ id })))
      throw new NotFoundException(`no run with id "${id}"`);
    const report = await this.reports.build(id);
    return principal.team ? this.scoped(report, id, principal.team) : report;
  }

  /** Starts a run now and returns at once; the runner of this runtime shape carries it out. */
  async start(full: boolean): Promise<StartedRun> {
    // A configuration mistake starts no run; an abandoned run does not block this one.
    this.reconcile.checkSettings();
    await this.reaper.reap();
    const since = new Date(this.clock.now().getTime() - STALE_RUN_MS);
    const active = await this.dataSource
      .getRepository(RunEntity)
      .findOne({ where: { status: 'running' }, order: { startedAt: 'DESC' } });
    if (active && active.startedAt > since.toISOString())
      throw new ConflictException(
        `run ${active.id} (started ${active.startedAt}) is still in progress; wait for it to end`,
      );
    const run = await this.runs.create('api', { full });
    const stopHeartbeat = this.runs.keepAlive(run.id);
    let jobs = 0;
    try {
      const plan = await this.runs.plan(run);
      jobs = plan.collect.length;
      await this.runner.start(plan);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await this.runs.fail(run.id, message);
      this.logger.error('API-triggered run could not start', { runId: run.id, err });
      throw err;
    } finally {
      stopHeartbeat();
    }
    return {
      id: run.id,
      status: 'running',
      startedAt: run.startedAt,
      collectJobs: jobs,
      href: `/api/v1/runs/${run.id}`,
    };
  }

  /**
   * A run's report for a team: only its team's findings, and counts recomputed over them, so
   * nothing of another team's findings shows (not even how many there are).
   */
  private async scoped(report: RunReport, runId: string, team: string): Promise<RunReport> {
    const teamKeys = new Set<string>();
    for (const part of chunk(report.findings.map((f) => f.key))) {
      const rows = await this.dataSource
        .getRepository(FindingEntity)
        .find({ select: { key: true }, where: { key: In(part), team } });
      for (const r of rows) teamKeys.add(r.key);
    }
    const findings = report.findings.filter((f) => teamKeys.has(f.key));
    const events = (await this.dataSource.getRepository(FindingEventEntity).findBy({ runId })).filter((e) =>
      teamKeys.has(e.findingKey),
    );
    const open = await this.dataSource.getRepository(FindingEntity).find({
      select: { key: true, severity: true, controlId: true },
      where: { team, status: In(['open', 'reopened']) },
    });
    const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
    const openByControl = new Map<string, number>();
    for (const f of open) {
      bySeverity[f.severity]++;
      openByControl.set(f.controlId, (openByControl.get(f.controlId) ?? 0) + 1);
    }
    return {
      run: report.run,
      controls: report.controls.map((c) => ({ ...c, open: openByControl.get(c.id) ?? 0 })),
      findings,
      summary: {
        open: open.length,
        new: events.filter((e) => e.fromStatus === null && e.toStatus !== 'accepted').length,
        resolved: events.filter((e) => e.toStatus === 'resolved').length,
        accepted: await this.dataSource
          .getRepository(FindingEntity)
          .count({ where: { team, status: 'accepted' } }),
        bySeverity,
      },
    };
  }
}
