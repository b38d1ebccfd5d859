/**
 * Prometheus metrics of this process. Two kinds:
 * - read from the database at scrape time, so every process reports the whole estate's state
 *   (runs by status, the last run's duration, records and status per stream, findings by status
 *   and severity, queue depths from Redis);
 * - counted as things happen in this process (API requests, runs finished here, upstream
 *   responses and errors, rate-limit waits), for the process that did them.
 * Each MetricsService has its own registry, so several apps in one process (tests) never clash.
 */
import { Injectable, Optional } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { sqlQuery } from '../common/sql';
import { QueueService } from '../queue/queue.service';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children'] as const;

@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly runDuration: Histogram<'status'>;
  readonly upstreamResponses: Counter<'connector' | 'status'>;
  readonly upstreamErrors: Counter<'connector'>;
  readonly rateLimitWaits: Counter<'connector'>;
  readonly rateLimitWaitSeconds: Counter<'connector'>;
  readonly collectedRecords: Counter<'connector' | 'stream'>;
  private readonly scrapeErrors: Counter<'source'>;

  constructor(
    private readonly dataSource: DataSource,
    @Optional() private readonly queues?: QueueService,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new Counter({
      name: 'audit_hub_http_requests_total',
      help: 'HTTP requests answered, by method, matched route and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'audit_hub_http_request_duration_seconds',
      help: 'Time to answer HTTP requests',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.runDuration = new Histogram({
      name: 'audit_hub_run_duration_seconds',
      help: 'Duration of reconcile runs that finished in this process, by outcome',
      labelNames: ['status'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
      registers,
    });
    this.upstreamResponses = new Counter({
      name: 'audit_hub_upstream_responses_total',
      help: 'Upstream HTTP responses read by collect jobs in this process, by connector and status',
      labelNames: ['connector', 'status'],
      registers,
    });
    this.upstreamErrors = new Counter({
      name: 'audit_hub_upstream_errors_total',
      help: 'Collect jobs in this process that ended failed or partial because of an upstream',
      labelNames: ['connector'],
      registers,
    });
    this.rateLimitWaits = new Counter({
      name: 'audit_hub_rate_limit_waits_total',
      help: 'Times an upstream asked this process to wait (429/503 with Retry-After)',
      labelNames: ['connector'],
      registers,
    });
    this.rateLimitWaitSeconds = new Counter({
      name: 'audit_hub_rate_limit_wait_seconds_total',
      help: 'Seconds this process waited because an upstream asked it to',
      labelNames: ['connector'],
      registers,
    });
    this.collectedRecords = new Counter({
      name: 'audit_hub_collected_records_total',
      help: 'Records collected and committed by this process, by connector and stream',
      labelNames: ['connector', 'stream'],
      registers,
    });
    this.databaseGauges(registers);
    this.queueGauge(registers);
    // Metrics are collected concurrently: a miss shows in this counter from the next scrape on.
    this.scrapeErrors = new Counter({
      name: 'audit_hub_metrics_scrape_errors_total',
      help: 'Scrapes in which a database- or Redis-derived metric could not be read',
      labelNames: ['source'],
      registers,
    });
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  rateLimitWait(connector: string, ms: number): void {
    this.rateLimitWaits.inc({ connector });
    this.rateLimitWaitSeconds.inc({ connector }, ms / 1000);
  }

  upstreamError(connector: string): void {
    this.upstreamErrors.inc({ connector });
  }

  private async guarded(source: string, read: () => Promise<void>): Promise<void> {
    try {
      await read();
    } catch {
      // A scrape never fails because one source is down; the counter says which one was missed.
      this.scrapeErrors.inc({ source });
    }
  }

  private databaseGauges(registers: Registry[]): void {
    const ds = this.dataSource;
    const guarded = this.guarded.bind(this);
    new Gauge({
      name: 'audit_hub_findings',
      help: 'Stored findings by status and severity',
      labelNames: ['status', 'severity'],
      registers,
      async collect() {
        this.reset();
        await guarded('findings', async () => {
          const rows = await sqlQuery<{ status: string; severity: string; n: number | string }>(
            ds,
            'SELECT status, severity, COUNT(*) AS n FROM finding GROUP BY status, severity',
          );
          for (const r of rows) this.set({ status: r.status, severity: r.severity }, Number(r.n));
        });
      },
    });
    new Gauge({
      name: 'audit_hub_runs',
      help: 'Reconcile runs recorded, by status',
      labelNames: ['status'],
      registers,
      async collect() {
        this.reset();
        await guarded('runs', async () => {
          const rows = await sqlQuery<{ status: string; n: number | string }>(
            ds,
            'SELECT status, COUNT(*) AS n FROM run GROUP BY status',
          );
          for (const r of rows) this.set({ status: r.status }, Number(r.n));
        });
      },
    });
    const lastRun = async () =>
      (
        await sqlQuery<{ id: string; status: string; started_at: string; finished_at: string | null }>(
          ds,
          `SELECT id, status, started_at, finished_at FROM run WHERE finished_at IS NOT NULL
           ORDER BY started_at DESC, id DESC LIMIT 1`,
        )
      )[0];
    new Gauge({
      name: 'audit_hub_last_run_duration_seconds',
      help: 'Duration of the last finished reconcile run',
      labelNames: ['status'],
      registers,
      async collect() {
        this.reset();
        await guarded('runs', async () => {
          const run = await lastRun();
          if (run?.finished_at)
            this.set(
              { status: run.status },
              (Date.parse(run.finished_at) - Date.parse(run.started_at)) / 1000,
            );
        });
      },
    });
    new Gauge({
      name: 'audit_hub_last_run_finished_timestamp_seconds',
      help: 'When the last reconcile run finished (Unix seconds)',
      labelNames: ['status'],
      registers,
      async collect() {
        this.reset();
        await guarded('runs', async () => {
          const run = await lastRun();
          if (run?.finished_at) this.set({ status: run.status }, Date.parse(run.finished_at) / 1000);
        });
      },
    });
    const lastStreams = () =>
      sqlQuery<{ connector: string; stream: string; status: string; records: number | string }>(
        ds,
        `SELECT s.connector, s.stream, s.status, s.records FROM source_status s
         WHERE s.run_id = (SELECT r.id FROM run r WHERE r.finished_at IS NOT NULL
                           ORDER BY r.started_at DESC, r.id DESC LIMIT 1)`,
      );
    new Gauge({
      name: 'audit_hub_stream_records',
      help: 'Records each stream collected in the last finished run',
      labelNames: ['connector', 'stream'],
      registers,
      async collect() {
        this.reset();
        await guarded('streams', async () => {
          for (const s of await lastStreams())
            this.set({ connector: s.connector, stream: s.stream }, Number(s.records));
        });
      },
    });
    new Gauge({
      name: 'audit_hub_stream_status',
      help: "Each stream's status in the last finished run (1 for the status it ended with)",
      labelNames: ['connector', 'stream', 'status'],
      registers,
      async collect() {
        this.reset();
        await guarded('streams', async () => {
          for (const s of await lastStreams())
            this.set({ connector: s.connector, stream: s.stream, status: s.status }, 1);
        });
      },
    });
    new Gauge({
      name: 'audit_hub_stream_last_success_timestamp_seconds',
      help: 'When each stream last ended complete (Unix seconds; 0 = never): every stream with a cursor row or in the last finished run',
      labelNames: ['connector', 'stream'],
      registers,
      async collect() {
        this.reset();
        await guarded('streams', async () => {
          // Every stream is exported, so an alert on its age also fires for a stream that never
          // completed (0), instead of the series being absent exactly where it matters.
          const rows = await sqlQuery<{ connector: string; stream: string; last_success_at: string | null }>(
            ds,
            'SELECT connector, stream, last_success_at FROM stream_cursor',
          );
          const at = new Map<string, { connector: string; stream: string; seconds: number }>();
          for (const s of await lastStreams())
            at.set(`${s.connector}\u0000${s.stream}`, {
              connector: s.connector,
              stream: s.stream,
              seconds: 0,
            });
          for (const r of rows)
            at.set(`${r.connector}\u0000${r.stream}`, {
              connector: r.connector,
              stream: r.stream,
              seconds: r.last_success_at ? Date.parse(r.last_success_at) / 1000 : 0,
            });
          for (const s of at.values()) this.set({ connector: s.connector, stream: s.stream }, s.seconds);
        });
      },
    });
  }

  private queueGauge(registers: Registry[]): void {
    const queues = this.queues;
    const guarded = this.guarded.bind(this);
    new Gauge({
      name: 'audit_hub_queue_jobs',
      help: 'Jobs in the reconcile queue by state (queue mode only)',
      labelNames: ['state'],
      registers,
      async collect() {
        this.reset();
        if (!queues?.enabled) return;
        await guarded('queue', async () => {
          if (!(await queues.ping(1000))) throw new Error('Redis does not answer');
          const counts = await queues.queue().getJobCounts(...QUEUE_STATES);
          for (const state of QUEUE_STATES) this.set({ state }, counts[state] ?? 0);
        });
      },
    });
  }
}
