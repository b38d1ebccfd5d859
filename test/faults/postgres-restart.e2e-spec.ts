/**
 * Fault suite — PostgreSQL crashes and restarts while a run appends to the evidence ledger. The
 * database is a cluster of the test's own (test/support/private-postgres.ts), crashed with
 * `pg_ctl stop -m immediate` (every server process quits at once, as on a power cut or an OOM kill)
 * and started again at once, on both shapes that use PostgreSQL:
 *
 * | shape                               | what must hold                                                                |
 * | ----------------------------------- | ----------------------------------------------------------------------------- |
 * | in-process runner, PostgreSQL       | the run ends (failed or incomplete with the reason, never `running`);          |
 * | BullMQ queue, PostgreSQL            | nothing resolved by it; the ledger verifies, its seqs have no gap and no twin; |
 * |                                     | the next run completes with exactly the estate's planted findings             |
 */
import { writeFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { expectedFindings, startSandbox, type Sandbox } from '../../apps/sandbox/src';
import { dataSourceOptions } from '../../apps/hub/src/store/data-source.factory';
import { eventually, spawnCli, stop, type CliProcess } from '../support/cli-process';
import { scratchDir } from '../support/hub';
import { privatePostgres, type PrivatePostgres } from '../support/private-postgres';

const T0 = new Date('2026-11-02T00:00:00.000Z');

jest.setTimeout(900_000);

describe.each([
  { shape: 'in-process runner', queue: false },
  { shape: 'BullMQ queue', queue: true },
])('PostgreSQL crashed and restarted mid-append ($shape)', ({ queue }) => {
  const scratch = scratchDir();
  let sandbox: Sandbox;
  let pg: PrivatePostgres;
  let ds: DataSource | undefined;
  let cli: CliProcess | undefined;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, seed: 5, scale: 1, now: () => T0 });
    pg = await privatePostgres();
    await pg.start();
  });
  afterAll(async () => {
    await stop(cli, 'SIGKILL');
    if (ds?.isInitialized) await ds.destroy();
    await pg?.remove();
    await sandbox?.close();
    scratch.remove();
  });

  /** A fresh connection each time: the test's own pool must not be what the crash breaks. */
  async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const conn = new DataSource(dataSourceOptions(pg.urlOf('postgres')));
    await conn.initialize();
    try {
      return (await conn.query(sql, params)) as T[];
    } finally {
      await conn.destroy();
    }
  }

  it('the run ends, nothing is resolved, the ledger verifies, the next run is exact', async () => {
    const path = `${scratch.dir}/pg-restart.yaml`;
    const storage = queue
      ? `storage:\n  database: "${pg.urlOf('postgres')}"\n  redis: "redis://127.0.0.1:6379"\n`
      : `storage:\n  database: "${pg.urlOf('postgres')}"\n`;
    writeFileSync(path, `${sandbox.configYaml()}\n${storage}`);
    const env = {
      AUDIT_HUB_NOW: T0.toISOString(),
      AUDIT_HUB_QUEUE_PREFIX: `audit-hub-pg-restart-${process.pid}`,
      AUDIT_HUB_RUN_POLL_MS: '250',
      // A short heartbeat, so the reaper may end a run whose process lost it within the test.
      AUDIT_HUB_RUN_HEARTBEAT_MS: '2000',
    };
    const migrate = spawnCli(['migrate', '--config', path], env);
    expect((await migrate.exited).code).toBe(0);

    // Slow GitLab answers keep the run appending page digests while the database goes away.
    sandbox.setFaults('gitlab', { slowMs: 150 });
    cli = spawnCli(['reconcile', '--config', path, '--format', 'json'], env);
    const before = await eventually(
      async () => {
        const rows = await query<{ n: string }>(
          `SELECT COUNT(*) AS n FROM evidence_entry e JOIN run r ON r.status = 'running' AND e.at >= r.started_at`,
        ).catch(() => [{ n: '0' }]);
        const n = Number(rows[0]?.n ?? 0);
        return n > 20 ? n : undefined;
      },
      300_000,
      'the run to be appending evidence',
    );
    expect(before).toBeGreaterThan(20);
    await pg.crash();
    await pg.start();
    sandbox.setFaults('gitlab', {});

    const exit = await cli.exited;
    cli = undefined;
    expect(exit.code).not.toBeNull();

    // The run ends — by itself, or, when its process could not write the end, by the reaper the
    // next reconcile runs first (once the dead process's heartbeat is stale) — and a run that lost
    // data resolves nothing.
    const runs = await query<{ id: string; status: string; heartbeat_at: string | null }>(
      `SELECT id, status, heartbeat_at FROM run ORDER BY started_at`,
    );
    expect(runs).toHaveLength(1);
    const crashed = runs[0];
    if (crashed.status === 'running')
      await eventually(
        async () => {
          const [row] = await query<{ heartbeat_at: string | null }>(
            `SELECT heartbeat_at FROM run WHERE id = $1`,
            [crashed.id],
          );
          return !row.heartbeat_at || Date.now() - Date.parse(row.heartbeat_at) > 4 * 2000 + 1000;
        },
        120_000,
        "the crashed run's heartbeat to go stale",
      );
    const next = spawnCli(['reconcile', '--config', path, '--format', 'json'], env);
    const second = await next.exited;
    expect(second.code).toBe(0);
    const report = JSON.parse(next.stdout.join(''));
    expect(report.run.status).toBe('complete');

    const first = (
      await query<{ status: string; error: string | null }>(`SELECT status, error FROM run WHERE id = $1`, [
        crashed.id,
      ])
    )[0];
    expect(first.status).not.toBe('running');
    if (first.status !== 'complete') {
      expect(first.error ?? '').not.toBe('');
      const resolved = await query<{ n: string }>(
        `SELECT COUNT(*) AS n FROM finding_event WHERE run_id = $1 AND to_status = 'resolved'`,
        [crashed.id],
      );
      expect(Number(resolved[0].n)).toBe(0);
    }
    const stuck = await query<{ stream: string }>(
      `SELECT stream FROM source_status WHERE status = 'running'`,
    );
    expect(stuck).toEqual([]);

    // The ledger: one entry per seq, no gap, and it verifies end to end.
    const seqs = await query<{ n: string; lo: string; hi: string; d: string }>(
      `SELECT COUNT(*) AS n, MIN(seq) AS lo, MAX(seq) AS hi, COUNT(DISTINCT seq) AS d FROM evidence_entry`,
    );
    expect(Number(seqs[0].d)).toBe(Number(seqs[0].n));
    expect(Number(seqs[0].hi) - Number(seqs[0].lo) + 1).toBe(Number(seqs[0].n));
    const verify = spawnCli(['evidence', 'verify', '--config', path], env);
    const verified = await verify.exited;
    expect(verify.stdout.join('') + verify.stderr.join('')).toMatch(/^OK: /m);
    expect(verified.code).toBe(0);

    // Exactly the planted cases are open.
    const open = await query<{ key: string }>(
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
