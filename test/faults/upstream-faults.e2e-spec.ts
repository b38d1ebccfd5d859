/**
 * Fault suite — upstreams that misbehave (issue 15). Each scenario switches one fault on in the
 * sandbox for one run of the hub under test, then runs it again with the fault off. A reference hub
 * on a database of its own reads the same estate at the same moments with nothing failing; the
 * hub under test must end each faulted run with the findings it had before (the estate did not
 * change, so anything resolved, new or doubled is wrong), every live record kept, each healthy
 * stream reading what the reference's did, and no secret in its report or logs; and the run after
 * must catch up with the reference exactly.
 *
 * | scenario | what must hold |
 * |---|---|
 * | a burst of 429s from ServiceNow, shorter than the retries | each retry waits the `Retry-After` asked for; the run completes with every source complete; the findings are the reference's |
 * | a 429 storm from Jenkins, longer than the retries | the Jenkins streams end `failed` naming the 429; the run is `incomplete` naming Jenkins; the deployment controls are left out for Jenkins' subjects only; no finding changes |
 * | CyberArk hangs (answers later than the client timeout) | the run ends within a bound; CyberArk's stream `failed`, its reason naming CyberArk and the timeout; RM-ACC-00x `partial` for CyberArk's subjects; no finding changes, no CyberArk record is lost |
 * | ServiceNow's change pages come back truncated, as a change that resolves two findings lands | the changes stream ends `failed` or `partial` naming the `change_request` page; the change controls are not evaluated; neither finding resolves (the reference resolves both); the next run reads the page and resolves them |
 * | CyberArk's member page of PROD-Payments comes back malformed | the stream ends `partial` naming that safe's members; no entitlement is marked deleted, no finding of that safe resolves |
 * | ServiceNow refuses the credentials (401) and Vault's token (403) | their streams end `failed`, the reasons naming the 401 and the 403; no finding changes |
 */
import { DataSource } from 'typeorm';
import { RESOLVE_AFTER, startSandbox, type Sandbox, type SandboxSystem } from '../../apps/sandbox/src';
import type { RunReport } from '../../apps/hub/src/runs/run-report.builder';
import { scratchDir, startHub, type TestHub } from '../support/hub';
import { RUNTIME_SHAPES, SQLITE_IN_PROCESS, type ShapeStorage } from '../support/runtime-shapes';
import type { FaultSwitches } from '../../apps/sandbox/src';
import { liveRecords } from '../support/estate-state';

const T0 = new Date('2026-11-02T00:00:00.000Z');
const HOUR = 3600_000;
/**
 * The client timeout of CyberArk in these runs. Normal answers take milliseconds, but the same
 * config serves the fault-free runs, and on a 2-core machine busy with other work an answer took
 * over 1.5 s (a clean run then ended `incomplete`): the timeout leaves room for a loaded machine.
 */
const CYBERARK_TIMEOUT_MS = 8_000;

// Queue mode retries a failed collect job twice with a backoff: runs take seconds, not the default.
jest.setTimeout(300_000);

async function statuses(hub: TestHub): Promise<Record<string, string>> {
  return Object.fromEntries((await hub.findings()).map((f) => [f.key, f.status]));
}

function streamCounts(report: RunReport, keep: (connector: string) => boolean = () => true) {
  return Object.fromEntries(
    report.run.sources.filter((s) => keep(s.connector)).map((s) => [`${s.connector}/${s.stream}`, s.records]),
  );
}

function sources(report: RunReport, connector: string) {
  return report.run.sources.filter((s) => s.connector === connector);
}

describe.each(RUNTIME_SHAPES)('upstream faults ($name)', (shape) => {
  const scratch = scratchDir();
  const referenceDir = scratchDir();
  let sandbox: Sandbox;
  let estateNow = T0;
  let storage: ShapeStorage;
  let reference: ShapeStorage;
  let hub: TestHub;
  let clean: TestHub;
  let hour = 0;
  /** Every credential the sandbox accepts, and the Basic headers made of them. */
  let secrets: string[];

  beforeAll(async () => {
    process.env.AUDIT_HUB_NOW = T0.toISOString();
    storage = await shape.storage(scratch.dir);
    Object.assign(process.env, storage.env);
    reference = await SQLITE_IN_PROCESS.storage(referenceDir.dir);
    sandbox = await startSandbox({ port: 0, seed: 7, scale: 1, now: () => estateNow });
    const c = sandbox.credentials;
    secrets = [
      c.gitlabToken,
      c.servicenowPassword,
      c.jenkinsToken,
      c.vaultToken,
      c.cyberarkPassword,
      Buffer.from(`${c.servicenowUser}:${c.servicenowPassword}`).toString('base64'),
      Buffer.from(`${c.jenkinsUser}:${c.jenkinsToken}`).toString('base64'),
    ];
    // Two GitLab projects are enough for the change findings the truncated pages must not resolve.
    const config = sandbox.configYaml({
      only: ['gitlab', 'servicenow', 'jenkins', 'vault', 'cyberark'],
      options: { gitlab: { groups: null, projects: ['acme/reporting-batch', 'acme/payments-api'] } },
      http: {
        jenkins: { retries: 1 },
        vault: { retries: 1 },
        cyberark: { retries: 1, timeoutMs: CYBERARK_TIMEOUT_MS },
      },
    });
    hub = await startHub(`${config}\n${storage.yaml}`);
    clean = await startHub(`${config}\n${reference.yaml}`);
    expect((await clean.reconcile()).run.status).toBe('complete');
    expect((await hub.reconcile()).run.status).toBe('complete');
    expect(await statuses(hub)).toEqual(await statuses(clean));
  });

  afterAll(async () => {
    delete process.env.AUDIT_HUB_NOW;
    await hub?.close();
    await clean?.close();
    await sandbox?.close();
    await storage?.cleanup();
    await reference?.cleanup();
    for (const k of Object.keys(storage?.env ?? {})) delete process.env[k];
    scratch.remove();
    referenceDir.remove();
  });

  /**
   * One scenario: the reference reads the estate, then the hub under test reads it with the fault
   * on. Checks what every faulted run must keep; returns both reports for the scenario's own checks.
   */
  async function faulted(faults: Partial<Record<SandboxSystem, FaultSwitches>>) {
    hour += 2;
    process.env.AUDIT_HUB_NOW = new Date(T0.getTime() + hour * HOUR).toISOString();
    const cleanReport = await clean.reconcile();
    expect(cleanReport.run.status).toBe('complete');
    const before = await statuses(hub);
    const records = await liveRecords(hub.app.get(DataSource));
    const logsFrom = hub.logs.length;
    const systems = Object.keys(faults) as SandboxSystem[];
    for (const s of systems) sandbox.setFaults(s, faults[s]!);
    const startedAt = Date.now();
    let report: RunReport;
    try {
      report = await hub.reconcile();
    } finally {
      for (const s of systems) sandbox.setFaults(s, {});
    }
    const elapsedMs = Date.now() - startedAt;
    // Nothing resolved, nothing new, nothing doubled; every record kept.
    expect(await statuses(hub)).toEqual(before);
    expect(await liveRecords(hub.app.get(DataSource))).toEqual(records);
    // No secret in what the run says or logs.
    const said = JSON.stringify(report) + hub.logs.slice(logsFrom).join('');
    expect(secrets.filter((s) => said.includes(s))).toEqual([]);
    return { report, cleanReport, before, elapsedMs };
  }

  /** The run after the fault: the hub under test catches up with the reference exactly. */
  async function recovered(): Promise<RunReport> {
    const report = await hub.reconcile();
    expect(report.run.status).toBe('complete');
    expect(await statuses(hub)).toEqual(await statuses(clean));
    expect(await liveRecords(hub.app.get(DataSource))).toEqual(await liveRecords(clean.app.get(DataSource)));
    return report;
  }

  it('a burst of 429s shorter than the retries: Retry-After is honoured and the run completes', async () => {
    const from = sandbox.requestLog('servicenow').length;
    const { report, cleanReport } = await faulted({
      servicenow: { rateLimitBurst: 3, retryAfterSeconds: 1 },
    });
    expect(report.run.status).toBe('complete');
    expect(report.run.sources.filter((s) => s.status !== 'complete')).toEqual([]);
    expect(streamCounts(report)).toEqual(streamCounts(cleanReport));
    expect(await statuses(hub)).toEqual(await statuses(clean));
    const log = sandbox.requestLog('servicenow').slice(from);
    const limited = log.filter((r) => r.fault === 'rate_limited');
    expect(limited).toHaveLength(3);
    for (const r of limited) {
      const retry = log.find((x) => x.at >= r.at && x !== r && x.target === r.target);
      expect(retry).toBeDefined();
      expect(retry!.at - r.at).toBeGreaterThanOrEqual(990);
    }
  });

  it('a 429 storm longer than the retries: Jenkins failed with the 429, only its subjects left out', async () => {
    const { report, cleanReport } = await faulted({
      jenkins: { rateLimitBurst: 100_000, retryAfterSeconds: 1 },
    });
    expect(report.run.status).toBe('incomplete');
    expect(report.run.error).toMatch(/jenkins\/deployments failed/);
    const jenkins = sources(report, 'jenkins');
    expect(jenkins.map((s) => s.status)).toEqual(jenkins.map(() => 'failed'));
    for (const s of jenkins) expect(s.error).toMatch(/jenkins: GET \S+ failed \(rate_limited 429\)/);
    expect(streamCounts(report, (c) => c !== 'jenkins')).toEqual(
      streamCounts(cleanReport, (c) => c !== 'jenkins'),
    );
    const chg = report.controls.find((c) => c.id === 'RM-CHG-001')!;
    expect(chg.status).toBe('partial');
    expect(chg.reason).toMatch(/^not evaluated for the subjects of jenkins: jenkins\/deployments failed/);
    expect(report.controls.find((c) => c.id === 'RM-ACC-001')!.status).toBe('evaluated');
    await recovered();
  });

  it('a hanging upstream: CyberArk failed on its timeout, in bounded time, only its subjects left out', async () => {
    const { report, cleanReport, elapsedMs } = await faulted({
      cyberark: { slowMs: 3 * CYBERARK_TIMEOUT_MS },
    });
    // Three attempts at most (queue mode), each of two tries ending at the timeout: bounded by
    // the timeout, not by the hang (the answers held longer would complete the stream instead).
    expect(elapsedMs).toBeLessThan(3 * 2 * CYBERARK_TIMEOUT_MS + 120_000);
    expect(report.run.status).toBe('incomplete');
    const [cyberark] = sources(report, 'cyberark');
    expect(cyberark.status).toBe('failed');
    expect(cyberark.error).toMatch(
      new RegExp(`^cyberark: POST \\S+ failed \\(timeout\\): no answer within ${CYBERARK_TIMEOUT_MS} ms`),
    );
    expect(streamCounts(report, (c) => c !== 'cyberark')).toEqual(
      streamCounts(cleanReport, (c) => c !== 'cyberark'),
    );
    for (const id of ['RM-ACC-001', 'RM-ACC-002', 'RM-ACC-003']) {
      const c = report.controls.find((x) => x.id === id)!;
      expect({ id, status: c.status }).toEqual({ id, status: 'partial' });
      expect(c.reason).toMatch(/^not evaluated for the subjects of cyberark: cyberark\/entitlements failed/);
    }
    await recovered();
  });

  it('truncated change pages as a change lands: nothing resolves until the page is read', async () => {
    // The estate moves on: the late change of RM-CHG-001/change-created-later is created, and the
    // change behind RM-CHG-002/authorize-then-canceled leaves Authorize.
    estateNow = new Date(T0.getTime() + RESOLVE_AFTER + 60_000);
    const { report, cleanReport, before } = await faulted({
      servicenow: { truncatedJson: true, match: '^GET /api/now/table/change_request$' },
    });
    const resolvedByClean = cleanReport.findings.filter((f) => f.status === 'resolved').map((f) => f.key);
    expect(resolvedByClean.sort()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^RM-CHG-001\|gitlab:acme\/reporting-batch#/),
        expect.stringMatching(/^RM-CHG-002\|gitlab:acme\/payments-api#/),
      ]),
    );
    for (const key of resolvedByClean) expect(before[key]).toBe('open');
    const [changes] = report.run.sources.filter(
      (s) => s.connector === 'servicenow' && s.stream === 'changes',
    );
    expect(['failed', 'partial']).toContain(changes.status);
    expect(changes.error ?? JSON.stringify(report.run)).toMatch(/GET \/api\/now\/table\/change_request/);
    expect(report.controls.find((c) => c.id === 'RM-CHG-001')!.status).toBe('not_evaluated');
    expect(report.controls.find((c) => c.id === 'RM-CHG-002')!.status).toBe('not_evaluated');
    expect(report.summary.resolved).toBe(0);
    const next = await recovered();
    expect(
      next.findings
        .filter((f) => f.status === 'resolved')
        .map((f) => f.key)
        .sort(),
    ).toEqual(resolvedByClean.sort());
  });

  it('a malformed member page: CyberArk partial naming the safe, nothing of that safe deleted or resolved', async () => {
    const { report } = await faulted({
      cyberark: { malformedJson: true, match: '^GET /PasswordVault/API/Safes/PROD-Payments/Members$' },
    });
    const [cyberark] = sources(report, 'cyberark');
    expect(cyberark.status).toBe('partial');
    expect(JSON.stringify(cyberark)).toMatch(/PROD-Payments/);
    expect(report.run.error).toMatch(/cyberark\/entitlements partial/);
    // The safe held open findings: they are still open (checked with every other finding above).
    expect(
      (await hub.findings('open')).filter(
        (f) => f.subject.ref.startsWith('cyberark:') && f.key.includes(':PROD-Payments'),
      ),
    ).not.toEqual([]);
    await recovered();
  });

  it('credentials refused: ServiceNow failed naming the 401, Vault naming the 403', async () => {
    const { report } = await faulted({
      servicenow: { authFailure: true },
      vault: { authFailure: true },
    });
    expect(report.run.status).toBe('incomplete');
    for (const s of sources(report, 'servicenow')) {
      expect({ stream: s.stream, status: s.status }).toEqual({ stream: s.stream, status: 'failed' });
      expect(s.error).toMatch(/\(unauthorized 401\)/);
    }
    for (const s of sources(report, 'vault')) {
      expect({ stream: s.stream, status: s.status }).toEqual({ stream: s.stream, status: 'failed' });
      expect(s.error).toMatch(/\(forbidden 403\).*permission denied/);
    }
    await recovered();
  });
});
