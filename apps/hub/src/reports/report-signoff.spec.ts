/**
 * The sign-off round trip over a migrated store: render → `report --sign` (a ledger entry bound to
 * the report's content hash) → a later render shows the reviewer → the ledger still verifies →
 * a changed report (an edited file, or a store that now reports differently) no longer matches.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { dropTestDataSource, testDataSource } from '../../../../test/support/database';
import { pdfText } from '../../../../test/support/pdf-text';
import { Clock } from '../common/clock';
import { defaultConfig } from '../config/config.schema';
import { EvidenceLedger } from '../evidence/evidence.ledger';
import { verifyEvidence } from '../evidence/evidence.verifier';
import { AsOfService } from './as-of.service';
import { reportContentHash } from './report-id';
import { readReportIdentity, readSignOffs, signReport } from './report-signoff';
import { renderReport } from './report.renderer';
import { ReportService } from './report.service';
import { sqlQuery } from '../common/sql';

const AS_OF = new Date('2026-11-02T00:00:00.000Z');
const SIGNED_AT = '2026-11-05T09:30:00.000Z';
const PERIOD = { from: '2026-10-01', to: '2026-10-31' };

describe('report sign-off', () => {
  let ds: DataSource;
  let dir: string;
  let reports: ReportService;
  let ledger: EvidenceLedger;
  const clock = { now: () => new Date(SIGNED_AT) } as Clock;

  beforeAll(async () => {
    ds = await testDataSource('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'report-signoff-'));
    const config = defaultConfig();
    reports = new ReportService(ds, config, clock, new AsOfService(ds));
    ledger = new EvidenceLedger(ds, config, clock);
    // Something in the ledger before the report's as-of instant, as after a run.
    await ledger.append(undefined, [
      {
        type: 'config',
        subject: 'config',
        payload: { digest: 'a'.repeat(64) },
        at: '2026-10-15T00:00:00.000Z',
      },
    ]);
    await ledger.checkpoint(null);
  }, 120_000);

  afterAll(async () => {
    await dropTestDataSource(ds);
    rmSync(dir, { recursive: true, force: true });
  });

  const build = () => reports.build({ ...PERIOD, asOf: AS_OF, operator: 'ops-user' });

  it('the report id is the content hash, the same for every render of the same report', async () => {
    const a = await build();
    const b = await reports.build({ ...PERIOD, asOf: AS_OF, operator: 'someone-else' });
    expect(a.reportId).toMatch(/^[0-9a-f]{64}$/);
    expect(a.reportId).toBe(reportContentHash(a));
    expect(b.reportId).toBe(a.reportId);
    expect(a.preparation).toMatchObject({ operator: 'ops-user', configDigest: 'a'.repeat(64) });
    const later = await reports.build({ ...PERIOD, asOf: new Date('2026-11-03T00:00:00.000Z') });
    expect(later.reportId).not.toBe(a.reportId);
  });

  it('each format names its report id and the parameters that rebuild it', async () => {
    const r = await build();
    for (const format of ['json', 'html', 'pdf', 'csv'] as const) {
      const id = readReportIdentity(await renderReport(r, format), `report.${format}`);
      expect(id).toMatchObject({
        reportId: r.reportId,
        from: PERIOD.from,
        to: PERIOD.to,
        asOf: AS_OF.toISOString(),
        redacted: false,
        format,
      });
    }
    expect(() => readReportIdentity(Buffer.from('<html></html>'), 'x.html')).toThrow(
      'x.html: not an audit-hub report of format 2 or later: its report id, period, as-of instant, redaction cannot be read',
    );
  });

  it('sign → ledger entry → a later render shows the reviewer → the ledger verifies → a changed report no longer matches', async () => {
    const before = await build();
    expect(before.signOff.signatures).toEqual([]);
    const pdfPath = join(dir, 'q4.pdf');
    writeFileSync(pdfPath, await renderReport(before, 'pdf'));

    const signed = await signReport(reports, ledger, clock, {
      target: pdfPath,
      reviewer: 'Dana Auditor',
      role: 'External auditor, Example LLP',
      recordedBy: 'ops-user',
    });
    expect(signed).toMatchObject({ reportId: before.reportId, file: { name: 'q4.pdf', format: 'pdf' } });
    expect(signed.checkpoint).not.toBeNull();
    const [entry] = await sqlQuery<{ type: string; subject: string; payload: string }>(
      ds,
      `SELECT type, subject, payload FROM evidence_entry WHERE seq = :seq`,
      { seq: signed.seq },
    );
    expect(entry).toMatchObject({ type: 'report_signoff', subject: `report ${before.reportId}` });
    expect(JSON.parse(entry.payload)).toMatchObject({
      reportId: before.reportId,
      reviewer: 'Dana Auditor',
      role: 'External auditor, Example LLP',
      reviewedOn: '2026-11-05',
      recordedBy: 'ops-user',
      asOf: AS_OF.toISOString(),
    });

    const after = await build();
    expect(after.reportId).toBe(before.reportId);
    expect(after.signOff.signatures).toEqual([
      expect.objectContaining({ reviewer: 'Dana Auditor', reviewedOn: '2026-11-05', ledgerSeq: signed.seq }),
    ]);
    const html = (await renderReport(after, 'html')).toString('utf8');
    expect(html).toContain('<dt>Reviewed by</dt><dd>Dana Auditor</dd>');
    expect(html).toContain('<dt>Role</dt><dd>External auditor, Example LLP</dd>');
    const { text } = await pdfText(await renderReport(after, 'pdf'));
    expect(text).toContain('Dana Auditor');

    const verified = await verifyEvidence({ source: 'db' }, { trustedKeys: [], dataSource: ds });
    expect(verified).toMatchObject({ ok: true, unanchored: 0 });

    // A report whose content differs (an edited JSON file) is refused, and does not show the sign-off.
    const jsonPath = join(dir, 'q4.json');
    const edited = JSON.parse((await renderReport(after, 'json')).toString('utf8'));
    edited.population.total = 99;
    writeFileSync(jsonPath, JSON.stringify(edited));
    await expect(
      signReport(reports, ledger, clock, { target: jsonPath, reviewer: 'X', role: 'Y', recordedBy: 'ops' }),
    ).rejects.toThrow(`${jsonPath}: its content was changed after it was generated`);
    expect(reportContentHash(edited)).not.toBe(before.reportId);

    // The store changes what the same report says (a run is added at the as-of instant): its
    // content hash changes, and the earlier sign-off is shown as not applying.
    await sqlQuery(
      ds,
      `INSERT INTO run (id, "trigger", schedule_key, started_at, finished_at, status, full_resync, error, summary)
       VALUES ('44444444-4444-4444-8444-444444444444', 'cli', NULL, :at, :at, 'complete', FALSE, NULL, NULL)`,
      { at: '2026-10-20T00:00:00.000Z' },
    );
    const changed = await build();
    expect(changed.reportId).not.toBe(before.reportId);
    expect(changed.signOff.signatures).toEqual([]);
    expect(changed.signOff.mismatched).toEqual([
      expect.objectContaining({ reportId: before.reportId, reviewer: 'Dana Auditor' }),
    ]);
    const changedHtml = (await renderReport(changed, 'html')).toString('utf8');
    expect(changedHtml).toContain('Not a sign-off of this report: Dana Auditor');
    expect(changedHtml).not.toContain('<dd>Dana Auditor</dd>');
    // The signed file no longer matches what the hub reports: signing it again is refused.
    await expect(
      signReport(reports, ledger, clock, { target: pdfPath, reviewer: 'X', role: 'Y', recordedBy: 'ops' }),
    ).rejects.toThrow(`report ${before.reportId}`);
    expect((await readSignOffs(ds)).map((s) => s.reviewer)).toEqual(['Dana Auditor']);
    expect(readFileSync(pdfPath).subarray(0, 5).toString()).toBe('%PDF-');
  }, 120_000);

  it('refuses a sign-off without reviewer or role, or with a bad date', async () => {
    const id = (await build()).reportId;
    const base = { target: id, recordedBy: 'ops', ...PERIOD, asOf: AS_OF };
    await expect(signReport(reports, ledger, clock, { ...base, reviewer: ' ', role: 'R' })).rejects.toThrow(
      '--reviewer: required',
    );
    await expect(signReport(reports, ledger, clock, { ...base, reviewer: 'N', role: '' })).rejects.toThrow(
      '--role: required',
    );
    await expect(
      signReport(reports, ledger, clock, { ...base, reviewer: 'N', role: 'R', reviewedOn: '5/11/2026' }),
    ).rejects.toThrow('--reviewed-on: "5/11/2026" is not a date');
    await expect(
      signReport(reports, ledger, clock, { target: id, reviewer: 'N', role: 'R', recordedBy: 'ops' }),
    ).rejects.toThrow('--sign with a report id needs the --from, --to and --as-of');
  });
});
