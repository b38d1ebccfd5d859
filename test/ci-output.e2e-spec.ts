/**
 * What CI systems and monitoring read from a reconcile of the simulated estate:
 * - `reconcile --format sarif` / `--format junit` from the built CLI: stdout is only the document
 *   (SARIF that passes the structural check, JUnit that a conforming XML parser reads), exit codes
 *   as for every format (1 with open findings at or above --fail-on), and progress on stderr as
 *   plain lines when stderr is not a terminal, counting the same streams from first line to last;
 * - stream health: every stream that ended complete — snapshot streams included — has a
 *   last-success time, and the Prometheus last-success gauge has a line for each.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { startSandbox, type Sandbox } from '../apps/sandbox/src';
import { validateSarif } from '../apps/cli/src/output/sarif.validator';
import { MetricsService } from '../apps/hub/src/metrics/metrics.service';
import { sqlQuery } from '../apps/hub/src/common/sql';
import { spawnCli } from './support/cli-process';
import { scratchDir, startHub } from './support/hub';
import { parseXml } from './support/xml-parse';

const NOW = '2026-11-02T00:00:00.000Z';

describe('CI formats and stream health against the simulated estate', () => {
  let sandbox: Sandbox;
  const scratch = scratchDir();
  let config: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, seed: 7, scale: 1, now: () => new Date(NOW) });
    config = join(scratch.dir, 'audit-hub.yaml');
    writeFileSync(
      config,
      `${sandbox.configYaml()}\nstorage:\n  database: "sqlite:${join(scratch.dir, 'cli.sqlite')}"\n`,
    );
  });

  afterAll(async () => {
    await sandbox?.close();
    scratch.remove();
  });

  async function reconcile(...args: string[]) {
    const p = spawnCli(['reconcile', '--config', config, ...args], { AUDIT_HUB_NOW: NOW });
    const { code } = await p.exited;
    return { code, stdout: p.stdout.join(''), stderr: p.stderr.join('') };
  }

  it('--format sarif: only the SARIF log on stdout, one result per open finding; progress as plain lines', async () => {
    const { code, stdout, stderr } = await reconcile('--format', 'sarif');
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const log = JSON.parse(stdout);
    expect(validateSarif(log)).toEqual([]);
    const run = log.runs[0];
    expect(run.invocations[0].executionSuccessful).toBe(true);
    expect(run.tool.driver.rules.length).toBeGreaterThan(15);
    expect(run.results.length).toBeGreaterThan(0);
    for (const r of run.results) {
      expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
      expect(r.locations[0].logicalLocations[0].fullyQualifiedName).toMatch(/^[a-z0-9-]+:|@production$/);
    }
    // One count of streams from the first line to the last, and a line per stream in between.
    const planned = Number(/^Collecting (\d+) streams/m.exec(stderr)?.[1]);
    expect(planned).toBeGreaterThan(10);
    expect(stderr).toContain(`[${planned}/${planned}] `);
    expect(stderr).not.toMatch(new RegExp(`\\[${planned + 1}/`));
    expect(
      stderr.match(/^ {2}\[\d+\/\d+\] \S+\/\S+ (complete|partial|failed): \d+ records?, \d+ pages?/gm),
    ).toHaveLength(planned);
    expect(stderr).toMatch(
      new RegExp(
        `^Collected \\d+ records \\(\\d+ pages\\) from ${planned} streams: ${planned} complete\\.$`,
        'm',
      ),
    );
    expect(stderr).not.toMatch(/[\r\u001b]/);
  });

  it('--format junit: well-formed JUnit with a suite per control; exit 1 with --fail-on, like every format', async () => {
    const { code, stdout } = await reconcile('--format', 'junit', '--fail-on', 'low');
    expect(code).toBe(1);
    const root = parseXml(stdout);
    expect(root.tag).toBe('testsuites');
    const suites = root.children.filter((c) => c.tag === 'testsuite');
    expect(suites[suites.length - 1].attrs.name).toBe('audit-hub sources');
    const controls = suites.slice(0, -1);
    expect(controls.length).toBeGreaterThan(15);
    for (const s of controls) expect(s.attrs.name).toMatch(/^RM-[A-Z]+-\d{3} /);
    const failures = controls.flatMap((s) =>
      s.children
        .filter((c) => c.tag === 'testcase')
        .flatMap((c) => c.children.filter((x) => x.tag === 'failure')),
    );
    expect(failures.length).toBe(Number(root.attrs.failures));
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) expect(f.text).toMatch(/^key: RM-/);
  });

  it('an unknown format is a usage error (exit 2) naming the formats', async () => {
    const { code, stderr } = await reconcile('--format', 'xml');
    expect(code).toBe(2);
    expect(stderr).toContain('--format: must be one of table, json, junit, sarif, not "xml"');
  });

  it('every stream that ended complete has a last success and a last-success gauge line', async () => {
    process.env.AUDIT_HUB_NOW = NOW;
    const hub = await startHub(
      `${sandbox.configYaml()}\nstorage:\n  database: "sqlite:${join(scratch.dir, 'health.sqlite')}"\n`,
    );
    try {
      const report = await hub.reconcile();
      const complete = report.run.sources.filter((s) => s.status === 'complete');
      expect(complete.length).toBe(report.run.sources.length);
      const rows = await sqlQuery<{ connector: string; stream: string; last_success_at: string | null }>(
        hub.app.get(DataSource),
        'SELECT connector, stream, last_success_at FROM stream_cursor',
      );
      const last = (c: string, s: string) =>
        rows.find((r) => r.connector === c && r.stream === s)?.last_success_at ?? null;
      expect(
        complete.filter((s) => !last(s.connector, s.stream)).map((s) => `${s.connector}/${s.stream}`),
      ).toEqual([]);
      // The snapshot streams are the ones that had none before.
      expect(complete.map((s) => `${s.connector}/${s.stream}`)).toEqual(
        expect.arrayContaining([
          'vault/entitlements',
          'cyberark/entitlements',
          'cmdb/inventory',
          'gitlab/group-members',
        ]),
      );
      const { body } = await new MetricsService(hub.app.get(DataSource)).scrape();
      for (const s of complete) {
        expect(body).toContain(
          `audit_hub_stream_last_success_timestamp_seconds{connector="${s.connector}",stream="${s.stream}"} ${Date.parse(NOW) / 1000}`,
        );
      }
    } finally {
      await hub.close();
      delete process.env.AUDIT_HUB_NOW;
    }
  });
});
