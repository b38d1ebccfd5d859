/**
 * Fault suite — Redis lost mid-run. Redis without persistence (as this machine's, and many
 * caches') killed while `reconcile` collects: restarted empty, the run's jobs are gone; not
 * restarted, nothing answers. Either way `reconcile` returns within a bound with exit 3 and the run
 * `failed` with the reason; nothing is resolved by the run, no source reads as running, and the next
 * run with Redis back finds exactly the estate's planted cases.
 */
import { writeFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { expectedFindings, startSandbox, type Sandbox } from '../../apps/sandbox/src';
import { dataSourceOptions } from '../../apps/hub/src/store/data-source.factory';
import { createTestDatabase } from '../support/database';
import { eventually, spawnCli, stop, type CliProcess } from '../support/cli-process';
import { scratchDir } from '../support/hub';
import { privateRedis, type PrivateRedis } from '../support/private-redis';

const T0 = new Date('2026-11-02T00:00:00.000Z');

jest.setTimeout(600_000);

describe.each([
  { name: 'restarted empty', restart: true, reason: /gone from the queue/ },
  { name: 'gone for good', restart: false, reason: /did not answer for \d+ s/ },
])('Redis $name in the middle of a run', ({ restart, reason }) => {
  const scratch = scratchDir();
  let sandbox: Sandbox;
  let redis: PrivateRedis;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;
  let cli: CliProcess | undefined;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, seed: 5, scale: 1, now: () => T0 });
    redis = await privateRedis();
    await redis.start();
    db = await createTestDatabase();
    ds = new DataSource(dataSourceOptions(db.url));
  });
  afterAll(async () => {
    await stop(cli, 'SIGKILL');
    if (ds?.isInitialized) await ds.destroy();
    await redis?.kill();
    await sandbox?.close();
    await db?.drop();
    scratch.remove();
  });

  it('reconcile ends failed with the reason within its bound; the next run is exact', async () => {
    const path = `${scratch.dir}/redis-lost.yaml`;
    writeFileSync(
      path,
      `${sandbox.configYaml()}\nstorage:\n  database: "${db.url}"\n  redis: "${redis.url}"\n`,
    );
    const env = {
      AUDIT_HUB_NOW: T0.toISOString(),
      AUDIT_HUB_QUEUE_PREFIX: 'audit-hub-redis-lost',
      AUDIT_HUB_REDIS_LOST_MS: '15000',
      AUDIT_HUB_RUN_POLL_MS: '250',
    };
    const migrate = spawnCli(['migrate', '--config', path], env);
    expect((await migrate.exited).code).toBe(0);
    await ds.initialize();

    // Slow GitLab answers keep the run collecting while Redis goes away.
    sandbox.setFaults('gitlab', { slowMs: 150 });
    cli = spawnCli(['reconcile', '--config', path, '--format', 'json'], env);
    await eventually(
      async () => {
        const rows: { records: number }[] = await ds.query(
          `SELECT records FROM source_status WHERE connector = 'gitlab' AND stream = 'deployments'`,
        );
        return rows[0] && rows[0].records > 0;
      },
      300_000,
      'the GitLab deployments stream to be under way',
    );
    await redis.kill();
    if (restart) await redis.start();

    const exit = await cli.exited;
    expect(exit.code).toBe(3);
    const report = JSON.parse(cli.stdout.join(''));
    expect(report.run.status).toBe('failed');
    expect(report.run.error).toMatch(reason);
    const runId: string = report.run.id;
    const running: unknown[] = await ds.query(
      `SELECT stream FROM source_status WHERE run_id = $1 AND status = 'running'`,
      [runId],
    );
    expect(running).toEqual([]);
    const resolved: { n: string }[] = await ds.query(
      `SELECT COUNT(*) AS n FROM finding_event WHERE run_id = $1 AND to_status = 'resolved'`,
      [runId],
    );
    expect(Number(resolved[0].n)).toBe(0);
    expect(cli.stderr.join('')).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);

    // Redis back: the next run completes and finds exactly the planted cases.
    if (!restart) await redis.start();
    sandbox.setFaults('gitlab', {});
    const again = spawnCli(['reconcile', '--config', path, '--format', 'json'], env);
    const second = await again.exited;
    expect(second.code).toBe(0);
    const next = JSON.parse(again.stdout.join(''));
    expect(next.run.status).toBe('complete');
    const open: { key: string }[] = await ds.query(
      `SELECT key FROM finding WHERE status IN ('open', 'reopened') ORDER BY key`,
    );
    expect(open.map((r) => r.key).sort()).toEqual(
      expectedFindings(sandbox.estate, undefined, T0)
        .filter((f) => f.status !== 'accepted')
        .map((f) => `${f.controlId}|${f.subjectRef}`)
        .sort(),
    );
  });
});
