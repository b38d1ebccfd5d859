/**
 * The distributed shape with real processes (the built CLI): two schedulers and two workers start
 * one run per tick and process every job once; a worker killed mid-collect hands its job to another
 * (BullMQ stalled-job recovery) and the run still completes without duplicates.
 */
import { writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { parseDocument } from 'yaml';
import { DataSource } from 'typeorm';
import { expectedFindings, startSandbox, type Sandbox } from '../apps/sandbox/src';
import { dataSourceOptions } from '../apps/hub/src/store/data-source.factory';
import { queuePrefix, RECONCILE_QUEUE, redisOptions } from '../apps/hub/src/queue/redis.options';
import { RunService } from '../apps/hub/src/runs/run.service';
import { BullMqRunner } from '../apps/hub/src/runs/bullmq.runner';
import { createTestDatabase } from './support/database';
import { deleteRedisPrefix, queuePrefixForTest, REDIS_URL } from './support/runtime-shapes';
import { CliProcess, eventually, spawnCli, stop } from './support/cli-process';
import { scratchDir, startHub } from './support/hub';

const T0 = new Date('2026-11-02T00:00:00.000Z');

// Whole runs of the estate across several processes: minutes, not the default 30 s.
jest.setTimeout(600_000);

interface Env {
  sandbox: Sandbox;
  db: Awaited<ReturnType<typeof createTestDatabase>>;
  prefix: string;
  ds: DataSource;
}

async function setUp(): Promise<Env> {
  const sandbox = await startSandbox({ port: 0, seed: 11, scale: 1, now: () => T0 });
  const db = await createTestDatabase();
  const prefix = queuePrefixForTest();
  const ds = new DataSource(dataSourceOptions(db.url));
  return { sandbox, db, prefix, ds };
}

async function tearDown(env: Env | undefined): Promise<void> {
  if (!env) return;
  if (env.ds.isInitialized) await env.ds.destroy();
  await env.sandbox.close();
  await deleteRedisPrefix(env.prefix);
  await env.db.drop();
}

function expectedKeys(sandbox: Sandbox): string[] {
  return expectedFindings(sandbox.estate, undefined, T0)
    .filter((f) => f.status !== 'accepted')
    .map((f) => `${f.controlId}|${f.subjectRef}`)
    .sort();
}

async function openFindingKeys(ds: DataSource): Promise<string[]> {
  const rows: { key: string }[] = await ds.query(
    `SELECT key FROM finding WHERE status IN ('open', 'reopened') ORDER BY key`,
  );
  return rows.map((r) => r.key).sort();
}

describe('queue mode with several processes', () => {
  const scratch = scratchDir();
  afterAll(() => scratch.remove());

  describe('two schedulers and two workers', () => {
    let env: Env;
    const procs: CliProcess[] = [];

    beforeAll(async () => {
      env = await setUp();
    });
    afterAll(async () => {
      await Promise.all(procs.map((p) => stop(p)));
      await tearDown(env);
    });

    it('start one run per tick, process every job once, and duplicate no finding', async () => {
      const config = `${env.sandbox.configYaml()}
storage:
  database: "${env.db.url}"
  redis: "${REDIS_URL}"
schedule:
  reconcile: "*/4 * * * * *"
`;
      const path = `${scratch.dir}/distributed.yaml`;
      writeFileSync(path, config);
      const procEnv = {
        AUDIT_HUB_QUEUE_PREFIX: env.prefix,
        AUDIT_HUB_NOW: T0.toISOString(),
        AUDIT_HUB_LOG_LEVEL: 'info',
      };
      // Migrate first, so four processes do not race to create the schema.
      const migrate = spawnCli(['migrate', '--config', path], procEnv);
      expect((await migrate.exited).code).toBe(0);
      for (const role of ['scheduler', 'scheduler', 'worker', 'worker']) {
        procs.push(spawnCli(['serve', '--role', role, '--port', '0', '--config', path], procEnv));
      }
      await Promise.all(procs.map((p) => p.waitForLog((l) => l.msg === 'audit-hub serving')));
      await env.ds.initialize();
      await eventually(
        async () => {
          const rows: { n: string }[] = await env.ds.query(
            `SELECT COUNT(*) AS n FROM run WHERE status <> 'running'`,
          );
          return Number(rows[0].n) >= 2;
        },
        300_000,
        'two finished scheduled runs',
      );
      await Promise.all(procs.map((p) => stop(p)));

      const runs: { id: string; schedule_key: string; status: string }[] = await env.ds.query(
        `SELECT id, schedule_key, status FROM run ORDER BY started_at, id`,
      );
      const ticks: { tick: string; run_id: string }[] = await env.ds.query(
        `SELECT tick, run_id FROM schedule_tick`,
      );
      // One run per tick: as many runs as tick rows, each run named after its own tick.
      expect(runs.length).toBe(ticks.length);
      expect(new Set(runs.map((r) => r.schedule_key)).size).toBe(runs.length);
      expect(runs.map((r) => r.id).sort()).toEqual(ticks.map((t) => t.run_id).sort());
      const finished = runs.filter((r) => r.status !== 'running');
      expect(finished.every((r) => r.status === 'complete')).toBe(true);

      // Every job processed once: each deterministic job id ran one attempt.
      const queue = new Queue(RECONCILE_QUEUE, { connection: redisOptions(REDIS_URL), prefix: env.prefix });
      try {
        const jobs = await queue.getJobs(['completed']);
        const collectJobs = jobs.filter((j) => j.name === 'collect');
        expect(collectJobs.length).toBeGreaterThanOrEqual(finished.length * 5);
        expect(new Set(jobs.map((j) => j.id)).size).toBe(jobs.length);
        expect(jobs.every((j) => j.attemptsStarted === 1 && j.stalledCounter === 0)).toBe(true);
      } finally {
        await queue.close();
      }
      for (const run of finished) {
        const sources: { connector: string; stream: string; status: string }[] = await env.ds.query(
          `SELECT connector, stream, status FROM source_status WHERE run_id = $1`,
          [run.id],
        );
        // Every stream of every connector once per run, each complete.
        const pairs = sources.map((s) => `${s.connector}/${s.stream}`);
        expect(new Set(pairs).size).toBe(pairs.length);
        expect(pairs).toEqual(
          expect.arrayContaining([
            'gitlab/deployments',
            'servicenow/changes',
            'jenkins/deployments',
            'vault/entitlements',
          ]),
        );
        expect(sources.every((s) => s.status === 'complete')).toBe(true);
      }
      expect(await openFindingKeys(env.ds)).toEqual(expectedKeys(env.sandbox));
      const events: { n: string }[] = await env.ds.query(
        `SELECT COUNT(*) AS n FROM finding_event WHERE from_status IS NULL`,
      );
      // One first-seen event per finding: the open ones and the one an exception accepts.
      expect(Number(events[0].n)).toBe(expectedFindings(env.sandbox.estate, undefined, T0).length);
    });
  });

  describe('a worker killed in the middle of a collect job', () => {
    let env: Env;
    let proxy: Server;
    let w1: CliProcess | undefined;
    let w2: CliProcess | undefined;

    beforeAll(async () => {
      env = await setUp();
      // A slow link in front of the estate, so the collect job is still running when its worker dies.
      const target = new URL(env.sandbox.url);
      proxy = createServer((req, res) => {
        setTimeout(async () => {
          try {
            const upstream = await fetch(`${target.origin}${req.url}`, {
              headers: req.headers as Record<string, string>,
            });
            res.writeHead(upstream.status, Object.fromEntries(upstream.headers.entries()));
            res.end(Buffer.from(await upstream.arrayBuffer()));
          } catch {
            res.destroy();
          }
        }, 40);
      });
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    });
    afterAll(async () => {
      await stop(w1, 'SIGKILL');
      await stop(w2);
      await new Promise((r) => proxy.close(r));
      await tearDown(env);
    });

    it('is recovered by another worker; the run completes and nothing is duplicated', async () => {
      const port = (proxy.address() as AddressInfo).port;
      const doc = parseDocument(env.sandbox.configYaml());
      doc.setIn(['connectors', 0, 'baseUrl'], `http://127.0.0.1:${port}/gitlab`);
      const config = `${doc.toString()}\nstorage:\n  database: "${env.db.url}"\n  redis: "${REDIS_URL}"\n`;
      const path = `${scratch.dir}/killed.yaml`;
      writeFileSync(path, config);
      const procEnv = {
        AUDIT_HUB_QUEUE_PREFIX: env.prefix,
        AUDIT_HUB_NOW: T0.toISOString(),
        AUDIT_HUB_JOB_LOCK_MS: '3000',
        AUDIT_HUB_JOB_STALLED_MS: '1000',
      };
      process.env.AUDIT_HUB_QUEUE_PREFIX = env.prefix;
      process.env.AUDIT_HUB_NOW = T0.toISOString();
      const hub = await startHub(config);
      try {
        w1 = spawnCli(['serve', '--role', 'worker', '--port', '0', '--config', path], {
          ...procEnv,
          AUDIT_HUB_LOG_LEVEL: 'info',
        });
        await w1.waitForLog((l) => l.msg === 'worker started');
        const run = await hub.app.get(RunService).create('api');
        const plan = await hub.app.get(RunService).plan(run);
        await hub.app.get(BullMqRunner).start(plan);
        await env.ds.initialize();
        await eventually(
          async () => {
            const rows: { records: number; status: string }[] = await env.ds.query(
              `SELECT records, status FROM source_status WHERE run_id = $1 AND stream = 'deployments'`,
              [run.id],
            );
            return rows[0]?.status === 'running' && rows[0].records > 0;
          },
          240_000,
          'the deployments stream to be half-way',
        );
        w1.child.kill('SIGKILL');
        await w1.exited;
        w2 = spawnCli(['serve', '--role', 'worker', '--port', '0', '--config', path], procEnv);
        const status = await eventually(
          async () => {
            const rows: { status: string }[] = await env.ds.query(`SELECT status FROM run WHERE id = $1`, [
              run.id,
            ]);
            return rows[0]?.status !== 'running' ? rows[0].status : undefined;
          },
          300_000,
          'the run to finish',
        );
        expect(status).toBe('complete');
        const queue = new Queue(RECONCILE_QUEUE, {
          connection: redisOptions(REDIS_URL),
          prefix: queuePrefix(),
        });
        try {
          const job = await queue.getJob(`collect.${run.id}.gitlab.deployments`);
          expect(job?.stalledCounter).toBeGreaterThanOrEqual(1);
          expect(await job?.getState()).toBe('completed');
        } finally {
          await queue.close();
        }
        expect(await openFindingKeys(env.ds)).toEqual(expectedKeys(env.sandbox));
        const dupes: { n: string }[] = await env.ds.query(
          `SELECT COUNT(*) AS n FROM (SELECT connector, kind, external_id FROM record WHERE valid_to IS NULL
             GROUP BY connector, kind, external_id HAVING COUNT(*) > 1) d`,
        );
        expect(Number(dupes[0].n)).toBe(0);
      } finally {
        delete process.env.AUDIT_HUB_QUEUE_PREFIX;
        delete process.env.AUDIT_HUB_NOW;
        await hub.close();
      }
    });
  });
});
