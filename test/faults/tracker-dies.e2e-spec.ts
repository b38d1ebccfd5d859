/**
 * Fault suite — the tracker, or the process talking to it, dies right after an issue was created
 * (issue 15). Trackers take no idempotency key, so the hub finds a create whose answer it never
 * got by the dedupe marker the ticket carries (design.md "Remediate"). Whatever dies, the next run
 * files no duplicate: exactly one ticket per finding group, with the markers of a clean run of the
 * same estate (a reference hub on a sandbox of its own), and every finding's ticket recorded.
 *
 * | scenario | what must hold |
 * |---|---|
 * | the relay dies between the tracker's answer and its commit (Jira Cloud, with its search lag; GitLab issues) | one ticket, found by its marker by the next relay — proved in `apps/hub/src/remediation/remediation-relay.spec.ts`, "once only" |
 * | Jira created the issue but answered 504 | one ticket — `remediation-relay.spec.ts`, "once only" |
 * | queue mode: the worker killed while Jira's answer to a create is held | one ticket — `test/faults/worker-killed.e2e-spec.ts`, "the worker killed mid-evaluate" |
 * | a whole reconcile: the tracker creates the issue and the connection dies before its answer (Jira, GitLab issues; both shapes) | the run ends; the issue exists once; the next run adopts it instead of creating it again and files the others: one ticket per finding group, the clean run's markers, each finding's ticket recorded |
 * | embedded: `reconcile` killed right after the tracker created an issue, its answer held back (Jira, GitLab issues) | the next `reconcile` ends the abandoned run `failed` with the reason, adopts the issue: one ticket per finding group, the clean run's markers and findings |
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DataSource } from 'typeorm';
import { startSandbox, type Sandbox, type SandboxConfigOptions } from '../../apps/sandbox/src';
import type { RunReport } from '../../apps/hub/src/runs/run-report.builder';
import { eventually, spawnCli, stop, type CliProcess } from '../support/cli-process';
import { scratchDir, startHub, type TestHub } from '../support/hub';
import { RUNTIME_SHAPES, SQLITE_IN_PROCESS, type ShapeStorage } from '../support/runtime-shapes';

const T0 = new Date('2026-11-02T00:00:00.000Z');
/** The next run: an hour on, past the backoff of a failed create and the lease of a dead relay. */
const T1 = new Date(T0.getTime() + 3600_000);
const SEED = 13;
const TRACKERS = [
  {
    tracker: 'jira' as const,
    system: 'jira' as const,
    create: '^POST /rest/api/3/issue$',
    label: 'audit-hub-',
  },
  {
    tracker: 'gitlab-issues' as const,
    system: 'gitlab' as const,
    create: '^POST /api/v4/projects/[^/]+/issues$',
    label: 'audit-hub::',
  },
];
type Tracker = (typeof TRACKERS)[number];

/** ServiceNow, Vault and CyberArk: the access findings are high, so each gets a ticket. */
const config = (tracker: Tracker['tracker']): SandboxConfigOptions => ({
  only: ['servicenow', 'vault', 'cyberark'],
  tracker,
});

jest.setTimeout(300_000);

/** The dedupe markers of every ticket in the sandbox's tracker, sorted: a ticket filed twice shows twice. */
function markers(sandbox: Sandbox, t: Tracker): string[] {
  const issues = t.tracker === 'jira' ? sandbox.trackers.jira.issues : sandbox.trackers.gitlabIssues.issues;
  return issues
    .flatMap((i) => i.labels.filter((l) => l.startsWith(t.label)).map((l) => l.slice(t.label.length)))
    .sort();
}

async function statuses(hub: TestHub): Promise<Record<string, string>> {
  return Object.fromEntries((await hub.findings()).map((f) => [f.key, f.status]));
}

/** Every open finding at or above the threshold (high) has its ticket recorded, in this tracker. */
async function expectEveryTicketRecorded(hub: TestHub, tracker: string): Promise<void> {
  const due = (await hub.findings('open,reopened')).filter((f) => ['critical', 'high'].includes(f.severity));
  expect(due.length).toBeGreaterThan(0);
  expect(due.map((f) => [f.key, f.ticket?.tracker ?? null])).toEqual(due.map((f) => [f.key, tracker]));
  expect(new Set(due.map((f) => f.ticket!.key)).size).toBe(due.length);
}

describe('a tracker that dies right after creating an issue', () => {
  /** The clean run's markers (the same whatever the tracker: they come from the finding groups) and findings. */
  let clean: { markers: string[]; statuses: Record<string, string> };

  beforeAll(async () => {
    const sandbox = await startSandbox({ port: 0, seed: SEED, scale: 1, now: () => T0 });
    const dir = scratchDir();
    const storage = await SQLITE_IN_PROCESS.storage(dir.dir);
    const hub = await startHub(`${sandbox.configYaml(config('jira'))}\n${storage.yaml}`);
    try {
      process.env.AUDIT_HUB_NOW = T0.toISOString();
      expect((await hub.reconcile()).run.status).toBe('complete');
      process.env.AUDIT_HUB_NOW = T1.toISOString();
      expect((await hub.reconcile()).run.status).toBe('complete');
      clean = { markers: markers(sandbox, TRACKERS[0]), statuses: await statuses(hub) };
      await expectEveryTicketRecorded(hub, 'jira');
    } finally {
      delete process.env.AUDIT_HUB_NOW;
      await hub.close();
      await sandbox.close();
      dir.remove();
    }
    expect(clean.markers.length).toBeGreaterThan(1);
    expect(new Set(clean.markers).size).toBe(clean.markers.length);
  });

  describe.each(RUNTIME_SHAPES)('the answer to a create lost ($name)', (shape) => {
    describe.each(TRACKERS)('$tracker', (t) => {
      const scratch = scratchDir();
      let sandbox: Sandbox;
      let storage: ShapeStorage;
      let hub: TestHub;

      beforeAll(async () => {
        storage = await shape.storage(scratch.dir);
        Object.assign(process.env, storage.env);
        sandbox = await startSandbox({ port: 0, seed: SEED, scale: 1, now: () => T0 });
        hub = await startHub(`${sandbox.configYaml(config(t.tracker))}\n${storage.yaml}`);
      });
      afterAll(async () => {
        delete process.env.AUDIT_HUB_NOW;
        await hub?.close();
        await sandbox?.close();
        await storage?.cleanup();
        for (const k of Object.keys(storage?.env ?? {})) delete process.env[k];
        scratch.remove();
      });

      it('the next run adopts the issue: one ticket per finding group, as the clean run', async () => {
        process.env.AUDIT_HUB_NOW = T0.toISOString();
        // Every create is carried out, and its connection reset before the answer.
        sandbox.setFaults(t.system, { lostAnswers: true, match: t.create });
        let first: RunReport;
        try {
          first = await hub.reconcile();
        } finally {
          sandbox.setFaults(t.system, {});
        }
        expect(first.run.status).toBe('complete');
        const lost = sandbox.requestLog(t.system).filter((r) => r.fault === 'lost');
        expect(lost.length).toBeGreaterThan(0);
        // The issues exist upstream, once each, and the hub recorded none of them.
        const created = markers(sandbox, t);
        expect(created).toHaveLength(lost.length);
        expect(new Set(created).size).toBe(created.length);
        expect(clean.markers).toEqual(expect.arrayContaining(created));
        expect(first.findings.filter((f) => f.ticket)).toEqual([]);

        process.env.AUDIT_HUB_NOW = T1.toISOString();
        const next = await hub.reconcile();
        expect(next.run.status).toBe('complete');
        expect(markers(sandbox, t)).toEqual(clean.markers);
        expect(await statuses(hub)).toEqual(clean.statuses);
        await expectEveryTicketRecorded(hub, t.tracker);
        // Nothing was created twice: one create per ticket reached the tracker.
        const creates = sandbox
          .requestLog(t.system)
          .filter((r) => new RegExp(t.create).test(`${r.method} ${r.target}`));
        expect(creates).toHaveLength(clean.markers.length);
      });
    });
  });

  describe.each(TRACKERS)('embedded: reconcile killed after $tracker created an issue', (t) => {
    const scratch = scratchDir();
    let sandbox: Sandbox;
    let cli: CliProcess | undefined;

    beforeAll(async () => {
      sandbox = await startSandbox({ port: 0, seed: SEED, scale: 1, now: () => T0 });
    });
    afterAll(async () => {
      await stop(cli, 'SIGKILL');
      await sandbox?.close();
      scratch.remove();
    });

    it('the next reconcile ends the abandoned run and adopts the issue: one ticket per finding group', async () => {
      const file = join(scratch.dir, 'hub.sqlite');
      const path = join(scratch.dir, 'hub.yaml');
      const yaml = `${sandbox.configYaml(config(t.tracker))}\nstorage:\n  database: "sqlite:${file}"\n`;
      writeFileSync(path, yaml);
      // A heartbeat every 500 ms: a run is abandoned once it missed four (2 s), not a minute.
      const env = { AUDIT_HUB_NOW: T0.toISOString(), AUDIT_HUB_RUN_HEARTBEAT_MS: '500' };
      expect((await spawnCli(['migrate', '--config', path], env).exited).code).toBe(0);

      // The tracker creates the first issue and holds its answer back: the process waits for it.
      sandbox.setFaults(t.system, { heldAnswers: 1, match: t.create });
      cli = spawnCli(['reconcile', '--config', path, '--format', 'json'], env);
      await eventually(
        async () => sandbox.requestLog(t.system).some((r) => r.fault === 'held'),
        120_000,
        'the tracker to have created an issue',
      );
      expect(markers(sandbox, t)).toHaveLength(1);
      cli.child.kill('SIGKILL');
      await cli.exited;
      sandbox.setFaults(t.system, {});

      const sqlite = new Database(file, { readonly: true, fileMustExist: true, timeout: 10_000 });
      let killedRun: string;
      try {
        const row = sqlite.prepare(`SELECT id FROM run WHERE status = 'running'`).get() as { id: string };
        killedRun = row.id;
        // The reaper ends a run whose heartbeat stopped: wait until this one's did.
        await eventually(
          async () => {
            const { at } = sqlite
              .prepare(`SELECT heartbeat_at AS at FROM run WHERE id = ?`)
              .get(killedRun) as {
              at: string;
            };
            return Date.now() - Date.parse(at) > 3_000;
          },
          60_000,
          'the killed run’s heartbeat to be stale',
        );
      } finally {
        sqlite.close();
      }

      cli = spawnCli(['reconcile', '--config', path, '--format', 'json'], {
        ...env,
        AUDIT_HUB_NOW: T1.toISOString(),
      });
      const exit = await cli.exited;
      expect({ code: exit.code, stderr: cli.stderr.join('').slice(-2000) }).toEqual({
        code: 0,
        stderr: expect.any(String),
      });
      expect((JSON.parse(cli.stdout.join('')) as RunReport).run.status).toBe('complete');
      expect(markers(sandbox, t)).toEqual(clean.markers);

      process.env.AUDIT_HUB_NOW = T1.toISOString();
      const hub = await startHub(yaml);
      try {
        const runs: { id: string; status: string; error: string | null }[] = await hub.app
          .get(DataSource)
          .query(`SELECT id, status, error FROM run ORDER BY started_at, id`);
        expect(runs.filter((r) => r.status === 'running')).toEqual([]);
        expect(runs.find((r) => r.id === killedRun)).toMatchObject({ status: 'failed' });
        expect(runs.find((r) => r.id === killedRun)!.error).toMatch(/the process carrying it stopped/);
        expect(await statuses(hub)).toEqual(clean.statuses);
        await expectEveryTicketRecorded(hub, t.tracker);
      } finally {
        delete process.env.AUDIT_HUB_NOW;
        await hub.close();
      }
    });
  });
});
