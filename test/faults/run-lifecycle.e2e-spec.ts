/**
 * Fault suite — a run always ends. A configuration mistake starts no run (exit 2, no run row); a
 * failure once the run exists ends it `failed` with the reason, never `running`; a run whose process
 * died, or whose queued jobs Redis lost, is ended by the reaper; Redis unreachable at the start
 * fails the run at once, with a sentence and no stack trace.
 */
import { writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { DataSource } from 'typeorm';
import { startSandbox, type Sandbox } from '../../apps/sandbox/src';
import { RunService } from '../../apps/hub/src/runs/run.service';
import { RunReaper } from '../../apps/hub/src/runs/run-reaper.service';
import { BullMqRunner } from '../../apps/hub/src/runs/bullmq.runner';
import { RunEntity } from '../../apps/hub/src/store/entities/run.entity';
import { SourceStatusEntity } from '../../apps/hub/src/store/entities/source-status.entity';
import { spawnCli } from '../support/cli-process';
import { scratchDir, startHub } from '../support/hub';
import { freePort } from '../support/private-redis';
import { POSTGRES_BULLMQ, RUNTIME_SHAPES, ShapeStorage } from '../support/runtime-shapes';

const T0 = new Date('2026-11-02T00:00:00.000Z');

jest.setTimeout(600_000);

describe('a configuration mistake starts no run', () => {
  const scratch = scratchDir();
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, seed: 3, scale: 1, now: () => T0 });
  });
  afterAll(async () => {
    await sandbox?.close();
    scratch.remove();
  });

  it('a bad plugin option exits 2 naming the key and line, and leaves no run row', async () => {
    const doc = parseDocument(sandbox.configYaml());
    doc.setIn(['connectors', 0, 'options', 'perPage'], -5);
    const db = `${scratch.dir}/bad-option.sqlite`;
    const path = `${scratch.dir}/bad-option.yaml`;
    writeFileSync(path, `${doc.toString()}\nstorage:\n  database: "sqlite:${db}"\n`);
    const migrate = spawnCli(['migrate', '--config', path]);
    expect((await migrate.exited).code).toBe(0);

    const cli = spawnCli(['reconcile', '--config', path], { AUDIT_HUB_NOW: T0.toISOString() });
    const exit = await cli.exited;
    const stderr = cli.stderr.join('');
    expect(exit.code).toBe(2);
    expect(stderr).toMatch(/connectors\[0\]\.options\.perPage \(line \d+\)/);

    const ds = new DataSource({ type: 'better-sqlite3', database: db });
    await ds.initialize();
    try {
      const rows: { n: number }[] = await ds.query('SELECT COUNT(*) AS n FROM run');
      expect(Number(rows[0].n)).toBe(0);
    } finally {
      await ds.destroy();
    }
  });
});

describe.each(RUNTIME_SHAPES)('a run that cannot go on ends failed ($name)', (shape) => {
  const scratch = scratchDir();
  let sandbox: Sandbox;
  let storage: ShapeStorage;

  beforeAll(async () => {
    process.env.AUDIT_HUB_NOW = T0.toISOString();
    storage = await shape.storage(scratch.dir);
    Object.assign(process.env, storage.env);
    sandbox = await startSandbox({ port: 0, seed: 3, scale: 1, now: () => T0 });
  });
  afterAll(async () => {
    delete process.env.AUDIT_HUB_NOW;
    await sandbox?.close();
    await storage?.cleanup();
    for (const k of Object.keys(storage?.env ?? {})) delete process.env[k];
    scratch.remove();
  });

  it('an exception while planning ends the run failed with the reason, and nothing reads as running', async () => {
    const hub = await startHub(`${sandbox.configYaml()}\n${storage.yaml}`);
    try {
      const runs = hub.app.get(RunService);
      jest.spyOn(runs, 'plan').mockRejectedValueOnce(new Error('planning blew up'));
      const report = await hub.reconcile();
      expect(report.run.status).toBe('failed');
      expect(report.run.error).toContain('planning blew up');
      const ds = hub.app.get(DataSource);
      expect(await ds.getRepository(RunEntity).countBy({ status: 'running' })).toBe(0);
      expect(await ds.getRepository(SourceStatusEntity).countBy({ status: 'running' })).toBe(0);
      // The next run is not held back by the failed one.
      const next = await hub.reconcile();
      expect(next.run.status).toBe('complete');
    } finally {
      await hub.close();
    }
  });

  it('the reaper ends a run nobody carries, and leaves a live one alone', async () => {
    const hub = await startHub(`${sandbox.configYaml()}\n${storage.yaml}`);
    try {
      const runs = hub.app.get(RunService);
      const ds = hub.app.get(DataSource);
      const repo = ds.getRepository(RunEntity);
      // A run whose process died: its heartbeat stopped long ago, and (queue mode) no job of it is queued.
      const dead = await runs.create('cli');
      await repo.update({ id: dead.id }, { heartbeatAt: new Date(Date.now() - 3600_000).toISOString() });
      // A live run: its carrier keeps the heartbeat fresh.
      const live = await runs.create('cli');
      let queued: string | undefined;
      if (shape === POSTGRES_BULLMQ) {
        // A queued run whose carrier is gone is still alive: workers will carry it.
        const waiting = await runs.create('api');
        await repo.update({ id: waiting.id }, { heartbeatAt: new Date(Date.now() - 3600_000).toISOString() });
        await hub.app.get(BullMqRunner).start({ runId: waiting.id, collect: [] });
        queued = waiting.id;
      }
      const ended = await hub.app.get(RunReaper).reap();
      expect(ended).toEqual([dead.id]);
      const deadRow = await repo.findOneByOrFail({ id: dead.id });
      expect(deadRow.status).toBe('failed');
      expect(deadRow.error).toMatch(
        shape === POSTGRES_BULLMQ ? /jobs are gone from the queue/ : /process carrying it stopped/,
      );
      expect((await repo.findOneByOrFail({ id: live.id })).status).toBe('running');
      if (queued) expect((await repo.findOneByOrFail({ id: queued })).status).toBe('running');
      await repo.update({ status: 'running' }, { status: 'failed', error: 'test cleanup' });
    } finally {
      await hub.close();
    }
  });
});

describe('Redis unreachable when a run starts', () => {
  const scratch = scratchDir();
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, seed: 3, scale: 1, now: () => T0 });
  });
  afterAll(async () => {
    await sandbox?.close();
    scratch.remove();
  });

  it('reconcile exits 3 with a sentence, no stack trace, and the run ends failed', async () => {
    const port = await freePort(); // nothing listens there
    const db = `${scratch.dir}/no-redis.sqlite`;
    const path = `${scratch.dir}/no-redis.yaml`;
    writeFileSync(
      path,
      `${sandbox.configYaml()}\nstorage:\n  database: "sqlite:${db}"\n  redis: "redis://127.0.0.1:${port}"\n`,
    );
    const cli = spawnCli(['reconcile', '--config', path, '--format', 'json'], {
      AUDIT_HUB_NOW: T0.toISOString(),
    });
    const exit = await cli.exited;
    const stderr = cli.stderr.join('');
    expect(exit.code).toBe(3);
    expect(stderr).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
    const report = JSON.parse(cli.stdout.join(''));
    expect(report.run.status).toBe('failed');
    expect(report.run.error).toContain(`Redis at 127.0.0.1:${port} does not answer`);
    expect(report.run.sources.filter((s: { status: string }) => s.status === 'running')).toEqual([]);
  });
});
