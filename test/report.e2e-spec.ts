/**
 * The period report over a store built by the real pipeline: the simulated estate's GitLab and
 * ServiceNow → reconcile (three runs: the first, one after the estate fixed a finding, and one with
 * ServiceNow refusing the credentials) → `ReportService`. Its counts are compared with direct SQL
 * over the same store, every format is rendered and checked, and a redacted report is searched for
 * every person value the store holds.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { parseDocument } from 'yaml';
import { CONTROL_CATALOG, deploymentRefFromExternalId, FINDING_STATUSES } from '@audit-hub/domain';
import { expectedFindings, RESOLVE_AFTER, startSandbox, type Sandbox } from '../apps/sandbox/src';
import { Clock } from '../apps/hub/src/common/clock';
import { sqlQuery } from '../apps/hub/src/common/sql';
import type { RunReport } from '../apps/hub/src/runs/run-report.builder';
import { AsOfService } from '../apps/hub/src/reports/as-of.service';
import { ReportService } from '../apps/hub/src/reports/report.service';
import { renderReport } from '../apps/hub/src/reports/report.renderer';
import { REPORT_SECTIONS, type AuditReport, type ReportFormat } from '../apps/hub/src/reports/report.model';
import { validateAssessmentResults } from '../apps/hub/src/reports/oscal.validator';
import { writeReport } from '../apps/cli/src/commands/report.command';
import { createTestDatabase, DB_KINDS, dropTestDataSource, testDataSource } from './support/database';
import { scratchDir, startHub, TestHub } from './support/hub';
import { pdfText } from './support/pdf-text';
import { csvRecords } from './support/csv-parse';
import { renderCsvFiles } from '../apps/hub/src/reports/csv.renderer';
import { strFromU8, unzipSync } from 'fflate';

const T0 = new Date('2026-11-02T00:00:00.000Z');
const FROM = '2026-09-01';
const TO = '2026-11-03';
const PERIOD = { start: `${FROM}T00:00:00.000Z`, end: `${TO}T23:59:59.999Z` };
const KEY = Buffer.from('report e2e pseudonym key, 32 b!!');
const PRODUCTION = `d.is_production = TRUE AND d.status = 'success' AND d.deleted = FALSE
  AND d.started_at >= :start AND d.started_at <= :end`;

function setNow(at: Date): void {
  process.env.AUDIT_HUB_NOW = at.toISOString();
}

/** Every format as text (the PDF's extracted text). */
async function renderAll(report: AuditReport): Promise<Record<ReportFormat, string>> {
  const out = {} as Record<ReportFormat, string>;
  for (const format of ['html', 'json', 'csv', 'oscal', 'pdf'] as const) {
    const body = await renderReport(report, format);
    out[format] =
      format === 'pdf'
        ? (await pdfText(body)).text
        : format === 'csv'
          ? Object.values(unzipSync(body))
              .map((f) => strFromU8(f))
              .join('\n')
          : body.toString('utf8');
  }
  return out;
}

describe.each(DB_KINDS)('period report over the simulated estate (%s)', (kind) => {
  const scratch = scratchDir();
  let sandbox: Sandbox;
  let now = T0;
  let storageYaml: string;
  let dropDatabase: (() => Promise<void>) | undefined;
  let hub: TestHub;
  let ds: DataSource;
  let service: ReportService;
  let runs: RunReport[];
  let excepted: string;
  let report: AuditReport;

  beforeAll(async () => {
    setNow(T0);
    if (kind === 'postgres') {
      const db = await createTestDatabase();
      storageYaml = `storage:\n  database: "${db.url}"\n`;
      dropDatabase = db.drop;
    } else {
      storageYaml = `storage:\n  database: "sqlite:${join(scratch.dir, 'hub.sqlite')}"\n`;
    }
    sandbox = await startSandbox({ port: 0, seed: 7, scale: 1, now: () => now });
    const later = new Date(T0.getTime() + RESOLVE_AFTER + 60_000);
    // An accepted risk on a finding that stays flagged through every run.
    const stays = expectedFindings(sandbox.estate, undefined, later).map(
      (f) => `${f.controlId}|${f.subjectRef}`,
    );
    excepted = expectedFindings(sandbox.estate, undefined, T0).find(
      (f) => f.controlId === 'RM-CHG-001' && stays.includes(`${f.controlId}|${f.subjectRef}`),
    )!.subjectRef;
    // Added to the estate's own exceptions in its config.
    const withException = (text: string): string => {
      const d = parseDocument(text);
      d.addIn(['exceptions'], {
        control: 'RM-CHG-001',
        subject: excepted,
        reason: 'Hotfix shipped during the freeze; change raised after the fact',
        requestedBy: 'ops.lead@acme.example',
        approvedBy: 'ciso@acme.example',
        expires: '2027-03-31',
      });
      return d.toString();
    };
    const good = `${withException(sandbox.configYaml())}\n${storageYaml}`;

    runs = [];
    let h = await startHub(good);
    runs.push(await h.reconcile());
    now = later;
    setNow(now);
    runs.push(await h.reconcile());
    await h.close();
    // ServiceNow refuses the credentials: the third run is incomplete.
    const doc = parseDocument(sandbox.configYaml());
    doc.setIn(['connectors', 1, 'auth', 'password'], 'not-the-password');
    now = new Date(now.getTime() + 60_000);
    setNow(now);
    h = await startHub(`${withException(doc.toString())}\n${storageYaml}`);
    runs.push(await h.reconcile());
    await h.close();

    now = new Date(now.getTime() + 60_000);
    setNow(now);
    hub = await startHub(good);
    ds = hub.app.get(DataSource);
    service = new ReportService(ds, hub.loaded.config, new Clock(), new AsOfService(ds));
    report = await service.build({ from: FROM, to: TO });
  }, 600_000);

  afterAll(async () => {
    delete process.env.AUDIT_HUB_NOW;
    await hub?.close();
    await sandbox?.close();
    await dropDatabase?.();
    scratch.remove();
  });

  it('ran the three runs the report describes', () => {
    expect(runs.map((r) => r.run.status)).toEqual(['complete', 'complete', 'incomplete']);
    expect(report.scope.runs.map((r) => r.id)).toEqual(runs.map((r) => r.run.id));
    expect(report.scope.lastRunId).toBe(runs[2].run.id);
    expect(report.asOf).toBe(now.toISOString());
  });

  it('shows the same population and traceability as the store', async () => {
    const rows = await sqlQuery<{ connector: string; external_id: string; project: string }>(
      ds,
      `SELECT d.connector, d.external_id, d.project FROM deployment d WHERE ${PRODUCTION}`,
      PERIOD,
    );
    const [{ n: traced }] = await sqlQuery<{ n: string | number }>(
      ds,
      `SELECT COUNT(*) AS n FROM deployment d WHERE ${PRODUCTION} AND EXISTS (
         SELECT 1 FROM link l JOIN change_request c ON c.number = l.change_number AND c.deleted = FALSE
         WHERE l.deployment_connector = d.connector AND l.deployment_id = d.external_id
           AND (c.type = 'standard' OR (c.approval = 'approved' AND c.approval_set_at IS NOT NULL
                AND c.approval_set_at <= d.started_at
                AND c.state NOT IN ('canceled', 'new', 'assess', 'authorize'))))`,
      PERIOD,
    );
    expect(rows.length).toBeGreaterThan(10);
    expect(report.population.total).toBe(rows.length);
    expect(report.population.deployments.map((d) => d.ref).sort()).toEqual(
      rows.map((r) => deploymentRefFromExternalId(r.connector, r.project, r.external_id)).sort(),
    );
    expect(report.population.traced).toBe(Number(traced));
    expect(report.population.untraced).toBeGreaterThan(0);
    expect(report.population.traceabilityRate).toBeCloseTo(Number(traced) / rows.length, 10);
    expect(report.population.byService.reduce((s, x) => s + x.total, 0)).toBe(rows.length);
  });

  it('shows the same findings, by status and by control, as the store', async () => {
    const byStatus = await sqlQuery<{ status: string; n: string | number }>(
      ds,
      'SELECT status, COUNT(*) AS n FROM finding GROUP BY status',
    );
    const expected = Object.fromEntries(FINDING_STATUSES.map((s) => [s, 0]));
    for (const r of byStatus) expected[r.status] = Number(r.n);
    expect(report.findingSummary.byStatus).toEqual(expected);
    expect(expected.open).toBeGreaterThan(0);
    expect(expected.resolved).toBeGreaterThan(0);
    // The estate's own exception and this test's.
    expect(expected.accepted).toBe(2);

    const keys = await sqlQuery<{ key: string; control_id: string; events: string | number }>(
      ds,
      `SELECT f.key, f.control_id, (SELECT COUNT(*) FROM finding_event e WHERE e.finding_key = f.key) AS events
       FROM finding f`,
    );
    expect(report.findings.map((f) => f.key).sort()).toEqual(keys.map((k) => k.key).sort());
    const events = new Map(keys.map((k) => [k.key, Number(k.events)]));
    for (const f of report.findings) expect(f.evidence).toHaveLength(events.get(f.key)!);
    for (const c of report.controls) {
      expect(c.findings.total).toBe(keys.filter((k) => k.control_id === c.id).length);
    }
  });

  it("reports each control's status in the last run", async () => {
    const rows = await sqlQuery<{ control_id: string; status: string }>(
      ds,
      'SELECT control_id, status FROM control_result WHERE run_id = :runId',
      { runId: runs[2].run.id },
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(report.controls.find((c) => c.id === r.control_id)?.lastRun?.status).toBe(r.status);
    }
    expect(report.controls.map((c) => c.id)).toEqual(CONTROL_CATALOG.map((c) => c.id));
  });

  it('groups control results under every framework clause each control maps to', () => {
    const clauses = new Map(report.frameworks.flatMap((g) => g.clauses.map((c) => [c.token, c] as const)));
    for (const def of CONTROL_CATALOG) {
      for (const token of def.frameworks) expect(clauses.get(token)?.controls).toContain(def.id);
    }
    const sox = clauses.get('SOX:ITGC-CM')!;
    const changeFindings = report.findings.filter((f) => f.frameworks.includes('SOX:ITGC-CM'));
    expect(sox.findings.total).toBe(changeFindings.length);
    expect(report.frameworks.map((g) => g.framework).slice(0, 5)).toEqual([
      'SOX',
      'PCI-DSS-4.0',
      'ISO27001-2022',
      'SOC2',
      'HIPAA',
    ]);
    const gdpr = report.findings.some((f) => f.frameworks.includes('GDPR:Art.32'));
    expect(clauses.has('GDPR:Art.32')).toBe(gdpr);
  });

  it('lists the exception with its approver and expiry, and the finding it covers', () => {
    expect(report.exceptions.filter((e) => e.control === 'RM-CHG-001')).toEqual([
      {
        source: 'config',
        control: 'RM-CHG-001',
        subject: excepted,
        reason: 'Hotfix shipped during the freeze; change raised after the fact',
        requestedBy: 'ops.lead@acme.example',
        approvedBy: 'ciso@acme.example',
        expires: '2027-03-31',
        active: true,
        covers: [`RM-CHG-001|${excepted}`],
      },
    ]);
    expect(report.findings.find((f) => f.key === `RM-CHG-001|${excepted}`)).toMatchObject({
      status: 'accepted',
      exception: { approvedBy: 'ciso@acme.example', expires: '2027-03-31' },
    });
  });

  it('lists exceptions approved through the API by the as-of instant', async () => {
    const approvedAt = new Date(T0.getTime() + 3_600_000).toISOString();
    await sqlQuery(
      ds,
      `INSERT INTO exception (id, control, subject, reason, requested_by, team, approved_by, approved_at,
                              expires, status, closed_by, closed_at, created_at)
       VALUES ('44444444-4444-4444-8444-444444444444', 'RM-CHG-001', :subject, 'Covered by the freeze waiver',
               'token:release-team', NULL, 'oidc:ciso', :approvedAt, '2026-12-31', 'approved', NULL, NULL, :approvedAt)`,
      { subject: excepted, approvedAt },
    );
    try {
      const withApi = await service.build({ from: FROM, to: TO });
      expect(withApi.exceptions.map((e) => e.source)).toEqual(['config', 'config', 'api']);
      expect(withApi.exceptions[2]).toEqual({
        source: 'api',
        control: 'RM-CHG-001',
        subject: excepted,
        reason: 'Covered by the freeze waiver',
        requestedBy: 'token:release-team',
        approvedBy: 'oidc:ciso',
        expires: '2026-12-31',
        active: true,
        covers: [`RM-CHG-001|${excepted}`],
      });
      // Not yet approved at an earlier instant: not known then.
      const before = await service.build({ from: FROM, to: TO, asOf: new Date(T0.getTime() + 1000) });
      expect(before.exceptions.map((e) => e.source)).toEqual(['config', 'config']);
    } finally {
      await sqlQuery(ds, `DELETE FROM exception WHERE id = '44444444-4444-4444-8444-444444444444'`);
    }
  });

  it('lists the incomplete run, its failed sources and why', () => {
    expect(report.incompleteRuns).toHaveLength(1);
    const run = report.incompleteRuns[0];
    expect(run).toMatchObject({ id: runs[2].run.id, status: 'incomplete' });
    expect(run.sources.length).toBeGreaterThan(0);
    for (const s of run.sources) {
      expect(s).toMatchObject({ connector: 'servicenow', status: 'failed' });
      expect(s.error).toMatch(/401/);
    }
  });

  it('lists every production deployment of the period that links an emergency change', async () => {
    const [{ n }] = await sqlQuery<{ n: string | number }>(
      ds,
      // A change found in several places (variables, commit, MRs) has several link rows: count pairs.
      `SELECT COUNT(*) AS n FROM (
         SELECT DISTINCT d.connector, d.external_id, c.connector AS change_connector, c.number
         FROM deployment d
         JOIN link l ON l.deployment_connector = d.connector AND l.deployment_id = d.external_id
         JOIN change_request c ON c.number = l.change_number AND c.deleted = FALSE
         WHERE ${PRODUCTION} AND c.type = 'emergency') pairs`,
      PERIOD,
    );
    const pairs = new Set(report.emergencyReleases.map((e) => `${e.deployment} ${e.change}`));
    expect(pairs.size).toBe(report.emergencyReleases.length);
    expect(Number(n)).toBeGreaterThan(0);
    expect(report.emergencyReleases.length).toBe(Number(n));
    for (const e of report.emergencyReleases) {
      const due = new Date(e.finishedAt).getTime() + 72 * 3_600_000;
      expect(e.reviewDue).toBe(new Date(due).toISOString());
      if (e.closedAt) expect(e.review).toBe(e.closedAt <= e.reviewDue ? 'in_time' : 'late');
    }
  });

  it('renders HTML and PDF with every section, CSV that parses, OSCAL with one finding per finding', async () => {
    const text = await renderAll(report);
    for (const title of REPORT_SECTIONS) {
      expect(text.html).toContain(`<h2>${title}</h2>`);
      expect(text.pdf).toContain(title);
    }
    for (const d of report.population.deployments) expect(text.html).toContain(d.ref);
    expect(text.pdf).toContain(`${report.population.traced} of ${report.population.total}`);

    const files = renderCsvFiles(report);
    expect(csvRecords(files['deployments.csv'])).toHaveLength(report.population.total);
    expect(csvRecords(files['findings.csv']).map((r) => r.key)).toEqual(report.findings.map((f) => f.key));
    expect(csvRecords(files['sources.csv']).length).toBe(report.completeness.streams.length);

    const oscal = JSON.parse(text.oscal);
    expect(validateAssessmentResults(oscal)).toEqual([]);
    const ar = oscal['assessment-results'];
    expect(ar.metadata['oscal-version']).toBe('1.1.2');
    const findings = ar.results[0].findings as { props: { name: string; value: string }[] }[];
    expect(findings).toHaveLength(report.findings.length);
    expect(findings.map((f) => f.props.find((p) => p.name === 'finding-key')!.value).sort()).toEqual(
      report.findings.map((f) => f.key).sort(),
    );

    expect(JSON.parse(text.json)).toEqual(JSON.parse(JSON.stringify(report)));
    // Every stream of every run is in the completeness table, its counts reconciled with the ledger.
    expect(report.completeness.extractions.length).toBeGreaterThan(0);
    for (const s of report.completeness.streams) expect(s.ledgerRecords).toBe(s.records);
    // Secrets of the config never reach a report (interfaces.md).
    for (const out of Object.values(text)) {
      expect(out).not.toContain(sandbox.credentials.gitlabToken);
      expect(out).not.toContain(sandbox.credentials.servicenowPassword);
    }
  }, 600_000);

  it('--redact: no name, e-mail or user name of the store in any format, and pseudonyms still join', async () => {
    const columns = [
      'SELECT user_name AS v FROM identity',
      'SELECT email AS v FROM identity',
      'SELECT name AS v FROM identity',
      'SELECT triggered_by AS v FROM deployment',
      'SELECT requested_by AS v FROM change_request',
      'SELECT assigned_to AS v FROM change_request',
      'SELECT approver AS v FROM change_approval',
      'SELECT author AS v FROM merge_request',
      'SELECT merged_by AS v FROM merge_request',
      'SELECT author_name AS v FROM git_commit',
      'SELECT author_email AS v FROM git_commit',
    ];
    const originals = new Set<string>(['ops.lead@acme.example', 'ciso@acme.example']);
    for (const sql of columns) {
      for (const r of await sqlQuery<{ v: string | null }>(ds, sql)) if (r.v) originals.add(r.v);
    }
    expect(originals.size).toBeGreaterThan(10);
    const plain = await renderAll(report);
    // Without --redact the people are there, so the check below is not vacuous.
    for (const format of ['html', 'json', 'csv'] as const) {
      expect([...originals].filter((v) => plain[format].includes(v)).length).toBeGreaterThan(3);
    }

    const redacted = await service.build({ from: FROM, to: TO, redact: true, pseudonymKey: KEY });
    expect(redacted.redacted).toBe(true);
    const text = await renderAll(redacted);
    const leaks = Object.entries(text).flatMap(([format, out]) =>
      [...originals].filter((v) => out.includes(v)).map((v) => `${format}: ${v}`),
    );
    expect(leaks).toEqual([]);

    // The same person is the same pseudonym everywhere; different people differ.
    const before = report.population.deployments.map((d) => d.triggeredBy);
    const after = redacted.population.deployments.map((d) => d.triggeredBy);
    expect(after.every((p) => p === null || /^person-[0-9a-f]{6,12}$/.test(p))).toBe(true);
    for (let i = 0; i < before.length; i++) {
      for (let j = i + 1; j < before.length; j++) expect(after[i] === after[j]).toBe(before[i] === before[j]);
    }
    expect(redacted.exceptions[0].approvedBy).toMatch(/^person-/);
    // Everything else is unchanged.
    expect(redacted.population.total).toBe(report.population.total);
    expect(redacted.findings).toHaveLength(report.findings.length);
    // Keys of other subjects than entitlements (whose refs name their holder) are unchanged.
    const named = (k: string) => k.startsWith('RM-ACC-') || [...originals].some((v) => k.includes(v));
    expect(
      redacted.findings
        .map((f) => f.key)
        .filter((k) => !named(k) && !/person-/.test(k))
        .sort(),
    ).toEqual(
      report.findings
        .map((f) => f.key)
        .filter((k) => !named(k))
        .sort(),
    );
    // The same key gives the same pseudonyms in another report; another key others.
    expect(await service.build({ from: FROM, to: TO, redact: true, pseudonymKey: KEY })).toEqual(redacted);
    const other = await service.build({
      from: FROM,
      to: TO,
      redact: true,
      pseudonymKey: Buffer.alloc(32, 7),
    });
    expect(other.population.deployments.map((d) => d.triggeredBy)).not.toEqual(after);
  }, 600_000);

  it('answers what the hub knew at an earlier instant', async () => {
    const afterFirst = new Date(T0.getTime() + 1000);
    const early = await service.build({ from: FROM, to: TO, asOf: afterFirst });
    expect(early.scope.runs.map((r) => r.id)).toEqual([runs[0].run.id]);
    const events = await sqlQuery<{ finding_key: string; to_status: string; at: string; id: number }>(
      ds,
      'SELECT finding_key, to_status, at, id FROM finding_event WHERE at <= :at',
      { at: afterFirst.toISOString() },
    );
    const last = new Map<string, { to_status: string; at: string; id: number }>();
    for (const e of events) {
      const prior = last.get(e.finding_key);
      if (!prior || e.at > prior.at || (e.at === prior.at && Number(e.id) > Number(prior.id)))
        last.set(e.finding_key, e);
    }
    const expected = Object.fromEntries(FINDING_STATUSES.map((s) => [s, 0]));
    for (const e of last.values()) expected[e.to_status]++;
    expect(early.findingSummary.byStatus).toEqual(expected);
    expect(early.findingSummary.byStatus.resolved).toBe(0);
    expect(report.findingSummary.byStatus.resolved).toBeGreaterThan(0);

    // Before the first run the hub knew nothing.
    const before = await service.build({ from: FROM, to: TO, asOf: new Date(T0.getTime() - 1) });
    expect(before.population.total).toBe(0);
    expect(before.findings).toEqual([]);
    expect(before.scope.runs).toEqual([]);
  });

  it('writes the file the report command writes', async () => {
    const output = join(scratch.dir, 'report.csv.zip');
    const written = await writeReport(service, { from: FROM, to: TO, format: 'csv', output, redact: false });
    expect(written.path).toBe(output);
    expect(existsSync(output)).toBe(true);
    const files = unzipSync(readFileSync(output));
    expect(csvRecords(strFromU8(files['deployments.csv']))).toHaveLength(report.population.total);
  });

  it("points at the store's latest evidence checkpoint", async () => {
    const [latest] = await sqlQuery<{ id: number | string; tree_size: number | string; root_hash: string }>(
      ds,
      `SELECT id, tree_size, root_hash FROM evidence_checkpoint WHERE created_at <= :asOf
       ORDER BY created_at DESC, id DESC LIMIT 1`,
      { asOf: report.asOf },
    );
    if (latest) {
      expect(report.checkpoint).toMatchObject({
        recorded: true,
        id: Number(latest.id),
        treeSize: Number(latest.tree_size),
        rootHash: latest.root_hash,
      });
    } else {
      expect(report.checkpoint).toMatchObject({ recorded: false, note: 'no evidence checkpoint recorded' });
    }
  });

  it('reads the latest evidence checkpoint at or before the as-of instant, or says none is recorded', async () => {
    const fresh = await testDataSource(kind);
    try {
      const s = new ReportService(fresh, hub.loaded.config, new Clock(), new AsOfService(fresh));
      const none = await s.build({ from: FROM, to: TO });
      expect(none.checkpoint).toMatchObject({
        recorded: false,
        note: 'no evidence checkpoint recorded',
        verifyCommand: 'npm run audit-hub -- evidence verify',
      });
      await fresh.query(
        `CREATE TABLE IF NOT EXISTS evidence_checkpoint (
           id integer PRIMARY KEY, run_id varchar(36), tree_size integer NOT NULL, root_hash varchar(64) NOT NULL,
           signature text, key_id varchar(128), public_key text, prev_checkpoint_id integer,
           created_at varchar(30) NOT NULL)`,
      );
      const runId = '33333333-3333-4333-8333-333333333333';
      await sqlQuery(
        fresh,
        `INSERT INTO run (id, "trigger", schedule_key, started_at, finished_at, status, full_resync, error, summary)
         VALUES (:runId, 'cli', NULL, :at, :at, 'complete', FALSE, NULL, NULL)`,
        { runId, at: T0.toISOString() },
      );
      const insert = `INSERT INTO evidence_checkpoint
        (id, run_id, tree_size, root_hash, signature, key_id, public_key, prev_checkpoint_id, created_at)
        VALUES (:id, :runId, :size, :hash, :signature, :keyId, :publicKey, :prev, :at)`;
      await sqlQuery(fresh, insert, {
        id: 1,
        runId,
        size: 40,
        hash: 'a'.repeat(64),
        signature: 'c2lnbmF0dXJl',
        keyId: 'ed25519:1f2e',
        publicKey: 'MCowBQYDK2VwAyEA',
        prev: null,
        at: T0.toISOString(),
      });
      await sqlQuery(fresh, insert, {
        id: 2,
        runId,
        size: 55,
        hash: 'b'.repeat(64),
        signature: null,
        keyId: null,
        publicKey: null,
        prev: 1,
        at: new Date(now.getTime() + 3_600_000).toISOString(),
      });
      const found = await s.build({ from: FROM, to: TO });
      expect(found.checkpoint).toMatchObject({
        recorded: true,
        id: 1,
        runId,
        treeSize: 40,
        rootHash: 'a'.repeat(64),
        signed: true,
        keyId: 'ed25519:1f2e',
        verifyCommand: 'npm run audit-hub -- evidence verify',
      });
      const { text } = await pdfText(await renderReport(found, 'pdf'));
      expect(text).toContain('a'.repeat(64));
      expect(text).toContain('npm run audit-hub -- evidence verify');
    } finally {
      await dropTestDataSource(fresh);
    }
  });
});
