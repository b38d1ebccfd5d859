/**
 * Fault suite — the process doing the work is killed with SIGKILL (issue 15: after a stalled
 * collect job a run counted "cyberark 88 instead of 77"). Workers and `reconcile` run as real
 * processes of the built CLI; each is killed once the run's own state shows it in the phase named
 * (polled, never timed). A reference hub reads an identical estate (a second sandbox of the same
 * seed, with trackers of its own) with nothing killed, and every row is compared with it: finding
 * keys and statuses, records per stream and live records per kind, and the tickets' dedupe markers.
 *
 * | scenario | what must hold |
 * |---|---|
 * | queue mode: the worker killed mid-collect (GitLab deployments and the CyberArk snapshot half-read), a new worker started | the stalled collect job is taken over and the run ends `complete`, never stuck `running`; every stream's record count is the clean run's (the snapshot counted once, not its committed batches again; the resumed GitLab read not counting its watermark's records twice), the live records and the findings are the clean run's, and each finding's ticket was filed once; the following run gives the clean following run's findings, counts and tickets |
 * | queue mode: the worker killed mid-evaluate (controls applied, tickets being filed), a new worker started | the evaluate job is taken over and the run ends `complete`; no finding or control result doubled, every stream's count as in the clean run, no ticket filed twice; the following run files the tickets still missing, once, and equals the clean following run |
 * | embedded: `reconcile` killed mid-collect | the next `reconcile` ends the abandoned run `failed` with the reason (the run reaper), nothing reads `running`, and completes with the clean run's findings, live records and tickets; each stream either reads what the clean run read or resumes after the killed run's last batch (fewer records than the clean run, none of the killed run's read again but the watermark's boundary) |
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { startSandbox, type Sandbox, type SandboxConfigOptions } from '../../apps/sandbox/src';
import { queuePrefix, RECONCILE_QUEUE, redisOptions } from '../../apps/hub/src/queue/redis.options';
import { BullMqRunner } from '../../apps/hub/src/runs/bullmq.runner';
import { RunService } from '../../apps/hub/src/runs/run.service';
import { RunReportBuilder, type RunReport } from '../../apps/hub/src/runs/run-report.builder';
import { createTestDatabase } from '../support/database';
import { eventually, spawnCli, stop, type CliProcess } from '../support/cli-process';
import { scratchDir, startHub, type TestHub } from '../support/hub';
import {
  deleteRedisPrefix,
  queuePrefixForTest,
  REDIS_URL,
  SQLITE_IN_PROCESS,
} from '../support/runtime-shapes';
import { liveRecords } from '../support/estate-state';

const T0 = new Date('2026-11-02T00:00:00.000Z');
/** The following run: an hour on, past the lease a killed relay left on its ticket. */
const T1 = new Date(T0.getTime() + 3600_000);
const SEED = 11;

/** A small estate: two GitLab projects, Jenkins, ServiceNow, Vault and CyberArk; tickets in Jira. */
const CONFIG: SandboxConfigOptions = {
  only: ['gitlab', 'servicenow', 'jenkins', 'vault', 'cyberark'],
  options: { gitlab: { groups: null, projects: ['acme/payments-api', 'acme/reporting-batch'] } },
  tracker: 'jira',
};

// Whole runs across several processes, each started and killed: minutes, not seconds.
jest.setTimeout(600_000);

/**
 * Holds the collect phase half-way, deterministically: GitLab's deployments of its second project
 * and CyberArk's members of its last safe are answered only once released, so each stream has
 * committed batches (the first project's deployments, the other safes' members) and waits.
 */
function holdCollect(sandbox: Sandbox): void {
  const second = sandbox.estate.services.find((s) => s.gitlabPath === 'acme/reporting-batch')!;
  sandbox.setFaults('gitlab', {
    heldAnswers: true,
    match: `^GET /api/v4/projects/${second.id}/deployments$`,
  });
  const safes = sandbox.estate.access.safes.filter((s) => s.createdAt <= T0.toISOString());
  const last = encodeURIComponent(safes[safes.length - 1].name);
  sandbox.setFaults('cyberark', {
    heldAnswers: true,
    match: `^GET /PasswordVault/API/Safes/${last}/Members$`,
  });
}

/** Whether the sandbox holds an answer of the system back (the request reached it, the fake acted). */
function holding(sandbox: Sandbox, system: 'gitlab' | 'cyberark' | 'jira'): boolean {
  return sandbox.requestLog(system).some((r) => r.fault === 'held');
}

/** What a hub's store says after a run, to compare with the clean run's. */
interface Outcome {
  statuses: Record<string, string>;
  counts: Record<string, number>;
  live: Record<string, number>;
  markers: string[];
}

async function statuses(hub: TestHub): Promise<Record<string, string>> {
  return Object.fromEntries((await hub.findings()).map((f) => [f.key, f.status]));
}

function streamCounts(report: RunReport): Record<string, number> {
  return Object.fromEntries(report.run.sources.map((s) => [`${s.connector}/${s.stream}`, s.records]));
}

/** The dedupe markers of every ticket in the sandbox's Jira, sorted: a ticket filed twice shows twice. */
function markers(sandbox: Sandbox): string[] {
  return sandbox.trackers.jira.issues
    .flatMap((i) => i.labels.filter((l) => l.startsWith('audit-hub-')))
    .sort();
}

async function outcome(hub: TestHub, report: RunReport, sandbox: Sandbox): Promise<Outcome> {
  return {
    statuses: await statuses(hub),
    counts: streamCounts(report),
    live: await liveRecords(hub.app.get(DataSource)),
    markers: markers(sandbox),
  };
}

/** Every finding at or above the tracker's threshold (high) has its ticket, and only those. */
async function expectOneTicketPerFinding(hub: TestHub, sandbox: Sandbox): Promise<void> {
  const ticketed = (await hub.findings('open,reopened')).filter((f) =>
    ['critical', 'high'].includes(f.severity),
  );
  expect(ticketed.map((f) => [f.key, f.ticket?.tracker ?? null])).toEqual(
    ticketed.map((f) => [f.key, 'jira']),
  );
  expect(markers(sandbox)).toHaveLength(ticketed.length);
  expect(new Set(markers(sandbox)).size).toBe(ticketed.length);
}

describe('a process killed in the middle of a run', () => {
  const scratch = scratchDir();
  let reference: { first: Outcome; second: Outcome };

  beforeAll(async () => {
    // The clean runs: the same estate, nothing killed, on a database of its own.
    const sandbox = await startSandbox({ port: 0, seed: SEED, scale: 1, now: () => T0 });
    const dir = scratchDir();
    const storage = await SQLITE_IN_PROCESS.storage(dir.dir);
    const hub = await startHub(`${sandbox.configYaml(CONFIG)}\n${storage.yaml}`);
    try {
      process.env.AUDIT_HUB_NOW = T0.toISOString();
      const first = await hub.reconcile();
      expect(first.run.status).toBe('complete');
      reference = { first: await outcome(hub, first, sandbox), second: undefined as never };
      await expectOneTicketPerFinding(hub, sandbox);
      process.env.AUDIT_HUB_NOW = T1.toISOString();
      const second = await hub.reconcile();
      expect(second.run.status).toBe('complete');
      reference.second = await outcome(hub, second, sandbox);
    } finally {
      delete process.env.AUDIT_HUB_NOW;
      await hub.close();
      await sandbox.close();
      dir.remove();
    }
    expect(reference.first.markers.length).toBeGreaterThan(0);
  });
  afterAll(() => scratch.remove());

  describe.each([
    {
      phase: 'collect',
      hold: holdCollect,
      release: (sandbox: Sandbox) => {
        sandbox.setFaults('gitlab', {});
        sandbox.setFaults('cyberark', {});
      },
      /** Both streams running with batches committed, each waiting on its held answer. */
      reached: async (ds: DataSource, runId: string, sandbox: Sandbox) => {
        if (!holding(sandbox, 'gitlab') || !holding(sandbox, 'cyberark')) return false;
        const rows: { connector: string; stream: string; status: string; records: number }[] = await ds.query(
          `SELECT connector, stream, status, records FROM source_status WHERE run_id = $1`,
          [runId],
        );
        const midway = (c: string, s: string) =>
          rows.some((r) => r.connector === c && r.stream === s && r.status === 'running' && r.records > 0);
        return midway('gitlab', 'deployments') && midway('cyberark', 'entitlements');
      },
      job: (runId: string) => `collect.${runId}.cyberark.entitlements`,
    },
    {
      phase: 'evaluate',
      /** Jira creates the first ticket and holds its answer: the relay, inside evaluate, waits. */
      hold: (sandbox: Sandbox) =>
        sandbox.setFaults('jira', { heldAnswers: 1, match: '^POST /rest/api/3/issue$' }),
      release: (sandbox: Sandbox) => sandbox.setFaults('jira', {}),
      /** Every control applied (their results are written before the tickets are filed). */
      reached: async (ds: DataSource, runId: string, sandbox: Sandbox) => {
        if (!holding(sandbox, 'jira')) return false;
        const rows: { n: string }[] = await ds.query(
          `SELECT COUNT(*) AS n FROM control_result WHERE run_id = $1`,
          [runId],
        );
        return Number(rows[0].n) > 0;
      },
      job: (runId: string) => `evaluate.${runId}`,
    },
  ])('queue mode: the worker killed mid-$phase', ({ phase, hold, release, reached, job }) => {
    let sandbox: Sandbox;
    let db: Awaited<ReturnType<typeof createTestDatabase>>;
    let prefix: string;
    let hub: TestHub | undefined;
    let w1: CliProcess | undefined;
    let w2: CliProcess | undefined;

    beforeAll(async () => {
      sandbox = await startSandbox({ port: 0, seed: SEED, scale: 1, now: () => T0 });
      db = await createTestDatabase();
      prefix = queuePrefixForTest();
    });
    afterAll(async () => {
      await stop(w1, 'SIGKILL');
      await stop(w2);
      await hub?.close();
      delete process.env.AUDIT_HUB_QUEUE_PREFIX;
      delete process.env.AUDIT_HUB_NOW;
      await sandbox?.close();
      await deleteRedisPrefix(prefix);
      await db?.drop();
    });

    it(`is taken over by a new worker: the run completes as the clean run, tickets once`, async () => {
      const config = `${sandbox.configYaml(CONFIG)}\nstorage:\n  database: "${db.url}"\n  redis: "${REDIS_URL}"\n`;
      const path = join(scratch.dir, `killed-mid-${phase}.yaml`);
      writeFileSync(path, config);
      const env = {
        AUDIT_HUB_QUEUE_PREFIX: prefix,
        AUDIT_HUB_NOW: T0.toISOString(),
        AUDIT_HUB_LOG_LEVEL: 'info',
        // A dead worker's job is handed on after its lock expires (seconds, not the default 30 s).
        AUDIT_HUB_JOB_LOCK_MS: '3000',
        AUDIT_HUB_JOB_STALLED_MS: '1000',
      };
      process.env.AUDIT_HUB_QUEUE_PREFIX = prefix;
      process.env.AUDIT_HUB_NOW = T0.toISOString();
      // The test's own hub (migrating the database) creates and reads runs; only workers run jobs.
      hub = await startHub(config);
      const ds = hub.app.get(DataSource);
      w1 = spawnCli(['serve', '--role', 'worker', '--port', '0', '--config', path], env);
      await w1.waitForLog((l) => l.msg === 'worker started');

      hold(sandbox);
      const runs = hub.app.get(RunService);
      const run = await runs.create('api');
      await hub.app.get(BullMqRunner).start(await runs.plan(run));
      await eventually(() => reached(ds, run.id, sandbox), 240_000, `the run to be mid-${phase}`);
      w1.child.kill('SIGKILL');
      await w1.exited;
      release(sandbox);

      w2 = spawnCli(['serve', '--role', 'worker', '--port', '0', '--config', path], env);
      const status = await eventually(
        async () => {
          const rows: { status: string }[] = await ds.query(`SELECT status FROM run WHERE id = $1`, [run.id]);
          return rows[0]?.status !== 'running' ? rows[0]?.status : undefined;
        },
        300_000,
        'the run to end',
      );
      await stop(w2);
      const report = await hub.app.get(RunReportBuilder).build(run.id);
      expect({ status, error: report.run.error }).toEqual({ status: 'complete', error: null });

      // The kill did land inside the job: BullMQ saw it stall, and another worker finished it.
      const queue = new Queue(RECONCILE_QUEUE, {
        connection: redisOptions(REDIS_URL),
        prefix: queuePrefix(),
      });
      try {
        const killed = await queue.getJob(job(run.id));
        expect(killed?.stalledCounter).toBeGreaterThanOrEqual(1);
        expect(await killed?.getState()).toBe('completed');
      } finally {
        await queue.close();
      }

      const got = await outcome(hub, report, sandbox);
      expect(got.counts).toEqual(reference.first.counts);
      expect(got.live).toEqual(reference.first.live);
      expect(got.statuses).toEqual(reference.first.statuses);
      expect(report.controls.map((c) => c.id)).toEqual([...new Set(report.controls.map((c) => c.id))]);
      // Each finding was first seen once, though its control may have been applied twice.
      const firstSeen: { n: string }[] = await ds.query(
        `SELECT COUNT(*) AS n FROM finding_event WHERE from_status IS NULL`,
      );
      expect(Number(firstSeen[0].n)).toBe(Object.keys(got.statuses).length);
      // Each ticket once, in Jira: the one created as the worker died is not created again (the hub
      // adopts it by its marker once the dead relay's lease on it ran out: the following run).
      expect(got.markers).toEqual(reference.first.markers);

      // The following run (the command's own worker) files what is missing and equals the clean one.
      process.env.AUDIT_HUB_NOW = T1.toISOString();
      const next = await hub.reconcile();
      expect(next.run.status).toBe('complete');
      expect(await outcome(hub, next, sandbox)).toEqual(reference.second);
      await expectOneTicketPerFinding(hub, sandbox);
    });
  });

  describe('embedded: the reconcile process killed mid-collect', () => {
    let sandbox: Sandbox;
    let cli: CliProcess | undefined;

    beforeAll(async () => {
      sandbox = await startSandbox({ port: 0, seed: SEED, scale: 1, now: () => T0 });
    });
    afterAll(async () => {
      await stop(cli, 'SIGKILL');
      await sandbox?.close();
    });

    it('the next reconcile ends the abandoned run and completes with the clean result', async () => {
      const file = join(scratch.dir, 'embedded.sqlite');
      const path = join(scratch.dir, 'embedded.yaml');
      writeFileSync(path, `${sandbox.configYaml(CONFIG)}\nstorage:\n  database: "sqlite:${file}"\n`);
      // A heartbeat every 500 ms: a run is abandoned once it missed four (2 s), not a minute.
      const env = { AUDIT_HUB_NOW: T0.toISOString(), AUDIT_HUB_RUN_HEARTBEAT_MS: '500' };
      expect((await spawnCli(['migrate', '--config', path], env).exited).code).toBe(0);

      holdCollect(sandbox);
      cli = spawnCli(['reconcile', '--config', path, '--format', 'json'], env);
      const sqlite = new Database(file, { readonly: true, fileMustExist: true, timeout: 10_000 });
      let killedRun: { id: string };
      try {
        killedRun = await eventually(
          async () => {
            if (!holding(sandbox, 'gitlab')) return undefined;
            const rows = sqlite
              .prepare(
                `SELECT run_id AS id FROM source_status WHERE connector = 'gitlab' AND stream = 'deployments'
                   AND status = 'running' AND records > 0`,
              )
              .all() as { id: string }[];
            return rows[0];
          },
          240_000,
          'the GitLab deployments stream to be half-read, waiting',
        );
        cli.child.kill('SIGKILL');
        await cli.exited;
        sandbox.setFaults('gitlab', {});
        sandbox.setFaults('cyberark', {});
        // The reaper ends a run whose heartbeat stopped: wait until this one's did, as the next nightly run would.
        await eventually(
          async () => {
            const row = sqlite
              .prepare(`SELECT heartbeat_at AS at FROM run WHERE id = ?`)
              .get(killedRun.id) as {
              at: string;
            };
            return Date.now() - Date.parse(row.at) > 3_000;
          },
          60_000,
          'the killed run’s heartbeat to be stale',
        );
      } finally {
        sqlite.close();
      }
      const killed = await readRun(file, killedRun.id);
      expect(killed.run.status).toBe('running');

      cli = spawnCli(['reconcile', '--config', path, '--format', 'json'], env);
      const exit = await cli.exited;
      expect({ code: exit.code, stderr: cli.stderr.join('').slice(-2000) }).toEqual({
        code: 0,
        stderr: expect.any(String),
      });
      const report = JSON.parse(cli.stdout.join('')) as RunReport;
      expect(report.run.status).toBe('complete');

      const after = await readRun(file, killedRun.id);
      expect(after.run).toMatchObject({ status: 'failed' });
      expect(after.run.error).toMatch(/the process carrying it stopped: no heartbeat since/);
      expect(after.sources.filter((s) => s.status === 'running')).toEqual([]);

      // The clean result: the findings, live records and tickets of the clean first run.
      process.env.AUDIT_HUB_NOW = T0.toISOString();
      const hub = await startHub(`${sandbox.configYaml(CONFIG)}\nstorage:\n  database: "sqlite:${file}"\n`);
      try {
        expect(await statuses(hub)).toEqual(reference.first.statuses);
        expect(await liveRecords(hub.app.get(DataSource))).toEqual(reference.first.live);
        expect(markers(sandbox)).toEqual(reference.first.markers);
        await expectOneTicketPerFinding(hub, sandbox);
      } finally {
        delete process.env.AUDIT_HUB_NOW;
        await hub.close();
      }
      // What the killed run committed is not read again: each stream either read what the clean run
      // read (a snapshot, or nothing committed) or resumed after the killed run's last batch — fewer
      // records than the clean run, at least the rest (an inclusive watermark reads its boundary again).
      const killedCounts = Object.fromEntries(
        after.sources.map((s) => [`${s.connector}/${s.stream}`, s.records]),
      );
      const next = streamCounts(report);
      expect(Object.keys(next).sort()).toEqual(Object.keys(reference.first.counts).sort());
      const resumed = Object.keys(next).filter((k) => next[k] !== reference.first.counts[k]);
      for (const stream of resumed) {
        const clean = reference.first.counts[stream];
        const rest = clean - (killedCounts[stream] ?? 0);
        expect({ stream, resumed: next[stream] >= rest && next[stream] < clean }).toEqual({
          stream,
          resumed: true,
        });
      }
      expect(resumed).toContain('gitlab/deployments');
    });
  });
});

/** A run's row and its sources, read straight from the SQLite file. */
async function readRun(
  file: string,
  runId: string,
): Promise<{
  run: { status: string; error: string | null };
  sources: { connector: string; stream: string; status: string; records: number }[];
}> {
  const sqlite = new Database(file, { readonly: true, fileMustExist: true, timeout: 10_000 });
  try {
    const run = sqlite.prepare(`SELECT status, error FROM run WHERE id = ?`).get(runId) as {
      status: string;
      error: string | null;
    };
    const sources = sqlite
      .prepare(`SELECT connector, stream, status, records FROM source_status WHERE run_id = ?`)
      .all(runId) as { connector: string; stream: string; status: string; records: number }[];
    return { run, sources };
  } finally {
    sqlite.close();
  }
}
