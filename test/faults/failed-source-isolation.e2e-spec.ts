/**
 * Fault suite — one failed source must not blind the healthy ones (issue 15: with Vault sealed,
 * RM-ACC-001 and RM-ACC-003 went `not_evaluated` for every subject, CyberArk's included, so CyberArk
 * findings fixed that day stayed open a night longer). A control is left out only for the subjects
 * whose own data, or whose role data, came from the failed stream (controls.md "Partial runs").
 *
 * The estate: ServiceNow (identity source, and the groups of roles `developer` and `break-glass`),
 * Vault and CyberArk. After a clean first run, two CyberArk findings and two Vault findings are fixed
 * upstream; a reference hub on a database of its own reads the same estate with nothing failing, and
 * every row is compared with what it found.
 *
 * | scenario | what must hold |
 * |---|---|
 * | ServiceNow down (the identity source, and the roles' groups) | RM-ACC-001/002/003 `not_evaluated` for every subject, the reason naming ServiceNow; nothing resolves, though four findings were fixed upstream; no entitlement record is lost |
 * | Vault sealed (`503 {"errors":["Vault is sealed"]}`), CyberArk readable | RM-ACC-001/002/003 `partial`, never `not_evaluated`, the reason naming Vault and its answer; CyberArk's subjects are evaluated: its fixed findings resolve, and every CyberArk finding has the clean run's status; Vault's findings stay open, the fixed ones too, and Vault's records are kept (none marked deleted); every healthy stream reads as many records as in the clean run; the run is `incomplete`, naming Vault |
 * | everything readable again | finding keys and statuses, per-stream record counts and live records per kind as in the clean run |
 */
import { DataSource } from 'typeorm';
import { startSandbox, subjectRefOf, type Estate, type Sandbox } from '../../apps/sandbox/src';
import type { RunReport } from '../../apps/hub/src/runs/run-report.builder';
import { scratchDir, startHub, type TestHub } from '../support/hub';
import { RUNTIME_SHAPES, SQLITE_IN_PROCESS, type ShapeStorage } from '../support/runtime-shapes';
import { liveRecords } from '../support/estate-state';

const T0 = new Date('2026-11-02T00:00:00.000Z');
const ACC = ['RM-ACC-001', 'RM-ACC-002', 'RM-ACC-003'];

/**
 * Runs an hour apart, as nightly runs are days apart: a snapshot marks deleted what it did not see
 * since the run began, so two runs pinned to the same instant could not tell a removal.
 */
function runAt(hours: number): void {
  process.env.AUDIT_HUB_NOW = new Date(T0.getTime() + hours * 3600_000).toISOString();
}

// Queue mode retries a failed collect job twice with a backoff: runs take seconds, not the default.
jest.setTimeout(300_000);

/** Every stored finding's status, by key. */
async function statuses(hub: TestHub): Promise<Record<string, string>> {
  return Object.fromEntries((await hub.findings()).map((f) => [f.key, f.status]));
}

/** Records each stream read in the run, by `connector/stream`. */
function streamCounts(report: RunReport, except: (connector: string) => boolean = () => false) {
  return Object.fromEntries(
    report.run.sources
      .filter((s) => !except(s.connector))
      .map((s) => [`${s.connector}/${s.stream}`, s.records]),
  );
}

const only = <V>(all: Record<string, V>, keep: (key: string) => boolean): Record<string, V> =>
  Object.fromEntries(Object.entries(all).filter(([k]) => keep(k)));
const system = (key: string) => key.split('|')[1].split(':')[0];

/**
 * Fixes four planted access findings upstream: CyberArk's developer in a production safe (removed)
 * and release manager's standing grant (given an expiry); the Vault developer's on-call group
 * membership (behind both RM-ACC-001 and RM-ACC-003). Returns the keys fixed, per system.
 */
function fixAccess(estate: Estate): { cyberark: string[]; vault: string[] } {
  const planted = (id: string) => {
    const p = estate.planted.find((c) => c.id === id);
    if (!p || p.subject.type !== 'entitlement') throw new Error(`no planted entitlement case ${id}`);
    return { ...p.subject, key: `${p.controlId}|${subjectRefOf(p.subject)}` };
  };
  const developer = planted('RM-ACC-001/developer-in-production-safe');
  estate.access.safeMembers = estate.access.safeMembers.filter(
    (m) => !(m.safe === developer.resource && m.memberName === developer.holder),
  );
  const standing = planted('RM-ACC-003/release-manager-standing');
  const member = estate.access.safeMembers.find(
    (m) => m.safe === standing.resource && m.memberName === standing.holder,
  )!;
  member.expiresAt = new Date(Math.floor(T0.getTime() / 1000) * 1000 + 7 * 86_400_000).toISOString();
  const oncall = planted('RM-ACC-001/developer-vault-oncall');
  const entity = estate.access.entities.find((e) => e.name === oncall.holder)!;
  for (const g of estate.access.groups)
    g.memberEntityIds = g.memberEntityIds.filter((id) => id !== entity.id);
  return {
    cyberark: [developer.key, standing.key],
    vault: [oncall.key, planted('RM-ACC-003/developer-vault-oncall').key],
  };
}

describe.each(RUNTIME_SHAPES)('one failed source leaves out only its own subjects ($name)', (shape) => {
  const scratch = scratchDir();
  const referenceDir = scratchDir();
  let sandbox: Sandbox;
  let storage: ShapeStorage;
  let reference: ShapeStorage;
  let hub: TestHub;
  let clean: TestHub;
  let fixed: { cyberark: string[]; vault: string[] };
  /** The first run (before the fixes), and the clean run of the fixed estate. */
  let before: Record<string, string>;
  let cleanRun: RunReport;
  let cleanStatuses: Record<string, string>;

  beforeAll(async () => {
    process.env.AUDIT_HUB_NOW = T0.toISOString();
    storage = await shape.storage(scratch.dir);
    Object.assign(process.env, storage.env);
    reference = await SQLITE_IN_PROCESS.storage(referenceDir.dir);
    sandbox = await startSandbox({ port: 0, seed: 7, scale: 1, now: () => T0 });
    // One retry per request keeps a failing upstream short without changing what is proved.
    const config = sandbox.configYaml({
      only: ['servicenow', 'vault', 'cyberark'],
      http: { servicenow: { retries: 1 }, vault: { retries: 1 }, cyberark: { retries: 1 } },
    });
    hub = await startHub(`${config}\n${storage.yaml}`);
    clean = await startHub(`${config}\n${reference.yaml}`);

    const first = await hub.reconcile();
    expect(first.run.status).toBe('complete');
    expect((await clean.reconcile()).run.status).toBe('complete');
    before = await statuses(hub);
    expect(await statuses(clean)).toEqual(before);

    fixed = fixAccess(sandbox.estate);
    runAt(1);
    cleanRun = await clean.reconcile();
    expect(cleanRun.run.status).toBe('complete');
    cleanStatuses = await statuses(clean);
    // The fixes are real: open before, resolved by a run that could read everything.
    for (const key of [...fixed.cyberark, ...fixed.vault]) {
      expect({ key, before: before[key], clean: cleanStatuses[key] }).toEqual({
        key,
        before: 'open',
        clean: 'resolved',
      });
    }
    // And some findings of each system stay open in the clean run.
    for (const s of ['vault', 'cyberark'])
      expect(
        Object.keys(only(cleanStatuses, (k) => system(k) === s && cleanStatuses[k] === 'open')),
      ).not.toEqual([]);
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

  it('ServiceNow down: every access control is left out for every subject, and nothing resolves', async () => {
    const records = await liveRecords(hub.app.get(DataSource));
    runAt(1);
    sandbox.setFaults('servicenow', { down: true });
    let report: RunReport;
    try {
      report = await hub.reconcile();
    } finally {
      sandbox.setFaults('servicenow', {});
    }
    expect(report.run.status).toBe('incomplete');
    expect(report.run.error).toMatch(/servicenow\/users failed/);
    const acc = report.controls.filter((c) => ACC.includes(c.id));
    expect(acc.map((c) => [c.id, c.status])).toEqual(ACC.map((id) => [id, 'not_evaluated']));
    for (const c of acc) expect(c.reason).toMatch(/^not evaluated: .*servicenow\/users failed/);
    expect(report.summary.resolved).toBe(0);
    expect(await statuses(hub)).toEqual(before);
    // Nothing the failed source holds is lost; the healthy snapshots read the fixes, as the clean run did.
    const after = await liveRecords(hub.app.get(DataSource));
    const servicenow = (k: string) => k.startsWith('servicenow/');
    expect(only(after, servicenow)).toEqual(only(records, servicenow));
    expect(only(after, (k) => !servicenow(k))).toEqual(
      only(await liveRecords(clean.app.get(DataSource)), (k) => !servicenow(k)),
    );
  });

  it('Vault sealed: CyberArk is still evaluated — its fixed findings resolve — and Vault’s stay open', async () => {
    const records = await liveRecords(hub.app.get(DataSource));
    // A sealed Vault cannot even say what it holds: its records of the last good read are all there is.
    const vaultBefore = only(records, (k) => k.startsWith('vault/'));
    const lastGood = Object.fromEntries(
      Object.entries(await statuses(hub)).filter(([k]) => system(k) === 'vault'),
    );
    runAt(2);
    sandbox.setFaults('vault', { sealed: true });
    let report: RunReport;
    try {
      report = await hub.reconcile();
    } finally {
      sandbox.setFaults('vault', {});
    }
    expect(report.run.status).toBe('incomplete');
    expect(report.run.error).toMatch(/vault\/entitlements failed: .*Vault is sealed/);
    const vaultSources = report.run.sources.filter((s) => s.connector === 'vault');
    expect(vaultSources.map((s) => [s.stream, s.status])).toEqual(
      expect.arrayContaining([
        ['entitlements', 'failed'],
        ['groups', 'failed'],
      ]),
    );
    for (const s of vaultSources) expect(s.error).toMatch(/503.*Vault is sealed/);

    for (const id of ACC) {
      const c = report.controls.find((x) => x.id === id)!;
      expect({ id, status: c.status }).toEqual({ id, status: 'partial' });
      expect(c.reason).toMatch(/^not evaluated for the subjects of vault: /);
      expect(c.reason).toMatch(/vault\/entitlements failed: [^;]*Vault is sealed/);
      expect(c.reason).not.toMatch(/cyberark/);
    }

    const now = await statuses(hub);
    // CyberArk's subjects were evaluated: the fixed ones resolved in this run, and every CyberArk
    // finding reads as it does after the clean run.
    const resolvedNow = report.findings.filter((f) => f.status === 'resolved').map((f) => f.key);
    expect(resolvedNow.sort()).toEqual([...fixed.cyberark].sort());
    expect(only(now, (k) => system(k) === 'cyberark')).toEqual(
      only(cleanStatuses, (k) => system(k) === 'cyberark'),
    );
    // Vault's stay as the last good read left them, the two fixed upstream included.
    expect(only(now, (k) => system(k) === 'vault')).toEqual(lastGood);
    for (const key of fixed.vault) expect(now[key]).toBe('open');
    expect(Object.keys(now).sort()).toEqual(Object.keys(cleanStatuses).sort());
    // Nothing of Vault's was taken for deleted; every healthy stream read what the clean run read.
    expect(only(await liveRecords(hub.app.get(DataSource)), (k) => k.startsWith('vault/'))).toEqual(
      vaultBefore,
    );
    expect(streamCounts(report, (c) => c === 'vault')).toEqual(streamCounts(cleanRun, (c) => c === 'vault'));
  });

  it('everything readable again: the same findings, statuses and records as the clean run', async () => {
    runAt(3);
    const report = await hub.reconcile();
    expect(report.run.status).toBe('complete');
    expect(report.controls.filter((c) => ACC.includes(c.id)).map((c) => c.status)).toEqual(
      ACC.map(() => 'evaluated'),
    );
    expect(
      report.findings
        .filter((f) => f.status === 'resolved')
        .map((f) => f.key)
        .sort(),
    ).toEqual([...fixed.vault].sort());
    expect(await statuses(hub)).toEqual(cleanStatuses);
    expect(streamCounts(report)).toEqual(streamCounts(cleanRun));
    expect(await liveRecords(hub.app.get(DataSource))).toEqual(await liveRecords(clean.app.get(DataSource)));
  });
});
