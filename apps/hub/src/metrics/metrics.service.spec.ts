import { DataSource } from 'typeorm';
import { dropTestDataSource, testDataSource } from '../../../../test/support/database';
import { FindingEntity } from '../store/entities/finding.entity';
import { RunEntity } from '../store/entities/run.entity';
import { SourceStatusEntity } from '../store/entities/source-status.entity';
import { StreamCursorEntity } from '../store/entities/stream-cursor.entity';
import type { QueueService } from '../queue/queue.service';
import { MetricsBatchListener } from './metrics.listeners';
import { MetricsService } from './metrics.service';

describe('MetricsService', () => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = await testDataSource('sqlite');
    const run = { trigger: 'cli', scheduleKey: null, full: false, error: null, summary: null } as const;
    await ds.getRepository(RunEntity).insert([
      {
        ...run,
        id: 'r1',
        startedAt: '2026-11-01T00:00:00.000Z',
        finishedAt: '2026-11-01T00:01:30.000Z',
        status: 'complete',
      },
      {
        ...run,
        id: 'r2',
        startedAt: '2026-11-02T00:00:00.000Z',
        finishedAt: '2026-11-02T00:02:00.000Z',
        status: 'incomplete',
      },
    ]);
    const status = {
      kinds: [],
      problems: [],
      startedAt: '2026-11-02T00:00:00.000Z',
      finishedAt: null,
      error: null,
    };
    await ds.getRepository(SourceStatusEntity).insert([
      {
        ...status,
        runId: 'r2',
        connector: 'gitlab',
        stream: 'deployments',
        status: 'complete',
        records: 120,
      },
      { ...status, runId: 'r2', connector: 'servicenow', stream: 'changes', status: 'failed', records: 0 },
    ] as any[]);
    await ds.getRepository(StreamCursorEntity).insert({
      connector: 'gitlab',
      stream: 'deployments',
      cursor: null,
      updatedAt: '2026-11-02T00:01:00.000Z',
      lastSuccessAt: '2026-11-02T00:01:00.000Z',
      lastRunId: 'r2',
    } as any);
    const finding = {
      controlId: 'RM-CHG-001',
      subjectType: 'deployment',
      service: null,
      environment: null,
      team: null,
      reason: 'x',
      related: [],
      frameworks: [],
      firstSeenAt: '2026-11-01T00:00:00.000Z',
      lastSeenAt: '2026-11-02T00:00:00.000Z',
      resolvedAt: null,
      resolvedByRun: null,
      lastRunId: 'r2',
      exception: null,
      ticket: null,
    };
    await ds.getRepository(FindingEntity).insert([
      { ...finding, key: 'a', subjectRef: 'a', severity: 'high', status: 'open' },
      { ...finding, key: 'b', subjectRef: 'b', severity: 'high', status: 'open' },
      { ...finding, key: 'c', subjectRef: 'c', severity: 'low', status: 'resolved' },
    ] as any[]);
  });
  afterAll(() => dropTestDataSource(ds));

  it('reports the estate from the database: findings, runs, streams', async () => {
    const { body, contentType } = await new MetricsService(ds).scrape();
    expect(contentType).toMatch(/^text\/plain/);
    expect(body).toContain('audit_hub_findings{status="open",severity="high"} 2');
    expect(body).toContain('audit_hub_findings{status="resolved",severity="low"} 1');
    expect(body).toContain('audit_hub_runs{status="complete"} 1');
    expect(body).toContain('audit_hub_last_run_duration_seconds{status="incomplete"} 120');
    expect(body).toContain('audit_hub_stream_records{connector="gitlab",stream="deployments"} 120');
    expect(body).toContain(
      'audit_hub_stream_status{connector="servicenow",stream="changes",status="failed"} 1',
    );
    expect(body).toContain(
      `audit_hub_stream_last_success_timestamp_seconds{connector="gitlab",stream="deployments"} ${Date.parse('2026-11-02T00:01:00Z') / 1000}`,
    );
    // A stream of the last run that never completed is there too (0 = never), so an age alert fires.
    expect(body).toContain(
      'audit_hub_stream_last_success_timestamp_seconds{connector="servicenow",stream="changes"} 0',
    );
    expect(body).toContain('process_cpu_seconds_total');
  });

  it('counts what this process did, and reports queue depths in queue mode', async () => {
    const queue = {
      enabled: true,
      ping: async () => true,
      queue: () => ({ getJobCounts: async () => ({ waiting: 4, active: 2, delayed: 0, failed: 1 }) }),
    } as unknown as QueueService;
    const metrics = new MetricsService(ds, queue);
    await new MetricsBatchListener(metrics).onBatch({} as any, {
      runId: 'r3',
      connector: 'gitlab',
      stream: 'deployments',
      pages: [
        { method: 'GET', url: '/a', status: 200, sha256: '', bytes: 1 },
        { method: 'GET', url: '/b', status: 200, sha256: '', bytes: 1 },
      ],
      records: [{} as any, {} as any, {} as any],
    });
    metrics.rateLimitWait('gitlab', 1500);
    const { body } = await metrics.scrape();
    expect(body).toContain('audit_hub_collected_records_total{connector="gitlab",stream="deployments"} 3');
    expect(body).toContain('audit_hub_upstream_responses_total{connector="gitlab",status="200"} 2');
    expect(body).toContain('audit_hub_rate_limit_wait_seconds_total{connector="gitlab"} 1.5');
    expect(body).toContain('audit_hub_queue_jobs{state="waiting"} 4');
    expect(body).toContain('audit_hub_queue_jobs{state="failed"} 1');
  });

  it('still answers when the database is gone, and counts the miss', async () => {
    const broken = {
      query: async () => Promise.reject(new Error('down')),
      driver: ds.driver,
    } as unknown as DataSource;
    const metrics = new MetricsService(broken);
    await metrics.scrape();
    const { body } = await metrics.scrape();
    expect(body).not.toContain('audit_hub_findings{');
    expect(body).toMatch(/audit_hub_metrics_scrape_errors_total\{source="findings"\} [1-9]/);
  });
});
