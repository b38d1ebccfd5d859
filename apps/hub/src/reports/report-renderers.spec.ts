import { csvRecords } from '../../../../test/support/csv-parse';
import { pdfText } from '../../../../test/support/pdf-text';
import { CSV_COLUMNS, csvField, renderCsv } from './csv.renderer';
import { renderHtml } from './html.renderer';
import { buildOscal, OSCAL_VERSION, renderOscal, uuidV5 } from './oscal.renderer';
import { validateAssessmentResults } from './oscal.validator';
import { pdfSafe, renderPdf } from './pdf.renderer';
import { untracedReason } from './report.layout';
import { REPORT_SECTIONS, VERIFY_COMMAND, type AuditReport } from './report.model';

const RUN_1 = '11111111-1111-4111-8111-111111111111';
const RUN_2 = '22222222-2222-4222-8222-222222222222';

/** A small report with one item in every section. */
function sampleReport(): AuditReport {
  const change = {
    ref: 'servicenow:CHG0030042',
    number: 'CHG0030042',
    type: 'normal',
    state: 'closed',
    approval: 'approved',
    approvalSetAt: '2026-10-01T09:00:00.000Z',
    closedAt: '2026-10-02T09:00:00.000Z',
    requestedBy: 'jane.doe',
    assignedTo: 'john.roe',
    approvers: ['ann.lee'],
    approvedAtDeployment: true,
  };
  return {
    reportVersion: 1,
    generatedAt: '2026-11-02T08:00:00.000Z',
    asOf: '2026-11-02T08:00:00.000Z',
    period: {
      from: '2026-10-01',
      to: '2026-10-31',
      start: '2026-10-01T00:00:00.000Z',
      end: '2026-10-31T23:59:59.999Z',
    },
    redacted: false,
    scope: {
      connectors: [
        { id: 'gitlab', plugin: 'gitlab', enabled: true },
        { id: 'servicenow', plugin: 'servicenow', enabled: true },
      ],
      services: ['payments-api'],
      productionEnvironments: ['production'],
      runs: [
        {
          id: RUN_1,
          trigger: 'schedule',
          startedAt: '2026-10-10T02:00:00.000Z',
          finishedAt: '2026-10-10T02:01:00.000Z',
          status: 'incomplete',
        },
        {
          id: RUN_2,
          trigger: 'cli',
          startedAt: '2026-11-02T02:00:00.000Z',
          finishedAt: '2026-11-02T02:01:00.000Z',
          status: 'complete',
        },
      ],
      lastRunId: RUN_2,
    },
    population: {
      total: 2,
      traced: 1,
      untraced: 1,
      traceabilityRate: 0.5,
      byService: [{ service: 'payments-api', total: 2, traced: 1 }],
      deployments: [
        {
          ref: 'gitlab:acme/payments-api#1042',
          connector: 'gitlab',
          service: 'payments-api',
          environment: 'production',
          startedAt: '2026-10-01T10:00:00.000Z',
          finishedAt: '2026-10-01T10:05:00.000Z',
          version: '1.4.0',
          triggeredBy: 'jane.doe',
          changes: [change],
          unknownChanges: [],
          traced: true,
          tracedBy: change.ref,
        },
        {
          ref: 'gitlab:acme/payments-api#1043',
          connector: 'gitlab',
          service: 'payments-api',
          environment: 'production',
          startedAt: '2026-10-03T10:00:00.000Z',
          finishedAt: '2026-10-03T10:05:00.000Z',
          version: '1.4.1',
          triggeredBy: 'jane.doe',
          changes: [
            {
              ...change,
              ref: 'servicenow:CHG0030043',
              number: 'CHG0030043',
              type: 'emergency',
              approvalSetAt: '2026-10-03T11:00:00.000Z',
              approvedAtDeployment: false,
            },
          ],
          unknownChanges: ['CHG0999901'],
          traced: false,
          tracedBy: null,
        },
      ],
    },
    controls: [
      {
        id: 'RM-CHG-001',
        title: 'Unlinked production deployment',
        severity: 'high',
        enabled: true,
        frameworks: ['SOX:ITGC-CM', 'PCI-DSS-4.0:6.5.1'],
        lastRun: {
          runId: RUN_2,
          startedAt: '2026-11-02T02:00:00.000Z',
          status: 'evaluated',
          reason: null,
          open: 1,
          flagged: 1,
        },
        findings: { open: 1, reopened: 0, resolved: 0, accepted: 0, total: 1 },
      },
      {
        id: 'RM-ACC-003',
        title: 'Standing privileged access',
        severity: 'medium',
        enabled: true,
        frameworks: ['SOX:ITGC-AC'],
        lastRun: null,
        findings: { open: 0, reopened: 0, resolved: 0, accepted: 0, total: 0 },
      },
    ],
    frameworks: [
      {
        framework: 'SOX',
        name: 'SOX IT general controls',
        clauses: [
          {
            token: 'SOX:ITGC-AC',
            clause: 'ITGC-AC',
            controls: ['RM-ACC-003'],
            findings: { open: 0, reopened: 0, resolved: 0, accepted: 0, total: 0 },
          },
          {
            token: 'SOX:ITGC-CM',
            clause: 'ITGC-CM',
            controls: ['RM-CHG-001'],
            findings: { open: 1, reopened: 0, resolved: 0, accepted: 0, total: 1 },
          },
        ],
      },
    ],
    findings: [
      {
        key: 'RM-CHG-001|gitlab:acme/payments-api#1043',
        controlId: 'RM-CHG-001',
        title: 'Unlinked production deployment',
        severity: 'high',
        status: 'open',
        subject: {
          type: 'deployment',
          ref: 'gitlab:acme/payments-api#1043',
          service: 'payments-api',
          environment: 'production',
        },
        reason:
          'Deployed to production at 2026-10-03 10:00 UTC; it references CHG0999901 <script>alert(1)</script>',
        related: [],
        frameworks: ['SOX:ITGC-CM', 'PCI-DSS-4.0:6.5.1'],
        firstSeenAt: '2026-10-10T02:00:00.000Z',
        statusSince: '2026-10-10T02:00:00.000Z',
        resolvedAt: null,
        ticket: null,
        exception: null,
        evidence: [
          { ref: 'finding_event:7', runId: RUN_1, at: '2026-10-10T02:00:00.000Z', from: null, to: 'open' },
        ],
      },
    ],
    findingSummary: {
      total: 1,
      byStatus: { open: 1, reopened: 0, resolved: 0, accepted: 0 },
      activeBySeverity: { critical: 0, high: 1, medium: 0, low: 0 },
      newInPeriod: 1,
      resolvedInPeriod: 0,
    },
    exceptions: [
      {
        source: 'config',
        control: 'RM-ACC-003',
        subject: 'cyberark:svc-*',
        reason: 'Service accounts are rotated by CPM',
        requestedBy: 'ops@acme.com',
        approvedBy: 'ciso@acme.com',
        expires: '2027-03-31',
        active: true,
        covers: [],
      },
    ],
    emergencyReleases: [
      {
        deployment: 'gitlab:acme/payments-api#1043',
        service: 'payments-api',
        environment: 'production',
        finishedAt: '2026-10-03T10:05:00.000Z',
        change: 'servicenow:CHG0030043',
        changeState: 'closed',
        closedAt: '2026-10-02T09:00:00.000Z',
        reviewHours: 72,
        reviewDue: '2026-10-06T10:05:00.000Z',
        review: 'in_time',
      },
    ],
    incompleteRuns: [
      {
        id: RUN_1,
        startedAt: '2026-10-10T02:00:00.000Z',
        finishedAt: '2026-10-10T02:01:00.000Z',
        status: 'incomplete',
        error: 'servicenow/changes failed: HTTP 401',
        sources: [
          {
            connector: 'servicenow',
            stream: 'changes',
            status: 'failed',
            records: 0,
            error: 'HTTP 401 from /api/now/table/change_request',
            problems: [],
          },
        ],
      },
    ],
    checkpoint: {
      recorded: true,
      note: 'tree size 120, root hash abc, signed',
      id: 3,
      runId: RUN_2,
      treeSize: 120,
      rootHash: 'ab12cd34',
      signed: true,
      keyId: 'key-1',
      createdAt: '2026-11-02T02:01:00.000Z',
      verifyCommand: VERIFY_COMMAND,
    },
  };
}

describe('report renderers', () => {
  it('HTML: every section, every deployment, and data escaped', () => {
    const html = renderHtml(sampleReport());
    for (const title of REPORT_SECTIONS) expect(html).toContain(`<h2>${title}</h2>`);
    expect(html).toContain('gitlab:acme/payments-api#1042');
    expect(html).toContain('50.0 %');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain(VERIFY_COMMAND);
  });

  it('PDF: the extracted text has every section heading and the key numbers', async () => {
    const pdf = await renderPdf(sampleReport());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const { text, pages } = await pdfText(pdf);
    for (const title of REPORT_SECTIONS) expect(text).toContain(title);
    expect(text).toContain('50.0 %');
    expect(text).toContain('ab12cd34');
    expect(text).toContain(`page 1 of ${pages}`);
  });

  it('PDF: characters the standard fonts cannot draw become ASCII, not garbage', () => {
    expect(pdfSafe('a → b ≤ c — é\tz')).toBe('a -> b <= c — é z');
    expect(pdfSafe('名')).toBe('?');
  });

  it('CSV: rectangular, one row per item, fields quoted and formula-safe', () => {
    const rows = csvRecords(renderCsv(sampleReport()));
    expect(Object.keys(rows[0])).toEqual([...CSV_COLUMNS]);
    const bySection = (s: string) => rows.filter((r) => r.section === s);
    expect(bySection('population').map((r) => r.item)).toEqual([
      'gitlab:acme/payments-api#1042',
      'gitlab:acme/payments-api#1043',
    ]);
    expect(bySection('population')[1]).toMatchObject({
      status: 'untraced',
      related: 'servicenow:CHG0030043;CHG0999901',
      detail: expect.stringContaining('CHG0999901, not in the change source'),
    });
    expect(bySection('finding')).toHaveLength(1);
    expect(bySection('exception')[0]).toMatchObject({
      person: 'requested:ops@acme.com;approved:ciso@acme.com',
    });
    expect(bySection('emergency')[0]).toMatchObject({ status: 'in_time', subject: 'servicenow:CHG0030043' });
    expect(bySection('incomplete_run')[0]).toMatchObject({ item: RUN_1, subject: 'servicenow/changes' });
    expect(bySection('checkpoint')[0]).toMatchObject({ status: 'signed', value: '120' });
    expect(csvField('a,"b"\nc')).toBe('"a,""b""\nc"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('-12.5')).toBe('-12.5');
  });

  it('OSCAL: a valid 1.1.2 assessment-results with one finding per finding', () => {
    const report = sampleReport();
    const doc = JSON.parse(renderOscal(report));
    expect(validateAssessmentResults(doc)).toEqual([]);
    const ar = doc['assessment-results'];
    expect(ar.metadata['oscal-version']).toBe(OSCAL_VERSION);
    expect(OSCAL_VERSION).toBe('1.1.2');
    const result = ar.results[0];
    expect(result['reviewed-controls']['control-selections'][0]['include-controls']).toEqual([
      { 'control-id': 'RM-CHG-001' },
    ]);
    expect(result.findings).toHaveLength(report.findings.length);
    expect(result.findings[0].target).toMatchObject({
      type: 'objective-id',
      'target-id': 'RM-CHG-001',
      status: { state: 'not-satisfied', reason: 'fail' },
    });
    const observation = result.observations.find(
      (o: { uuid: string }) => o.uuid === result.findings[0]['related-observations'][0]['observation-uuid'],
    );
    expect(observation['relevant-evidence'][0].description).toContain('finding_event:7');
    // The same report renders to the same document.
    expect(renderOscal(report)).toBe(renderOscal(report));
  });

  it('OSCAL validation names what is missing or malformed', () => {
    const doc = buildOscal(sampleReport()) as any;
    delete doc['assessment-results'].metadata.title;
    doc['assessment-results'].results[0].findings[0].target.status.state = 'failed';
    doc['assessment-results'].results[0].observations[0].methods = [];
    doc['assessment-results'].uuid = 'not-a-uuid';
    expect(validateAssessmentResults(doc)).toEqual(
      expect.arrayContaining([
        'assessment-results.metadata.title: required',
        expect.stringMatching(
          /^assessment-results\.results\[0\]\.findings\[0\]\.target\.status\.state: must be one of/,
        ),
        'assessment-results.results[0].observations[0].methods: needs at least 1 item(s)',
        expect.stringMatching(/^assessment-results\.uuid: must be a version 4 or 5 UUID/),
      ]),
    );
    expect(validateAssessmentResults({})).toEqual(['assessment-results: required']);
  });

  it('name-based UUIDs are version 5 and stable', () => {
    expect(uuidV5('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidV5('x')).toBe(uuidV5('x'));
    expect(uuidV5('x')).not.toBe(uuidV5('y'));
    // RFC 4122 appendix B's example: the DNS namespace and "www.example.com".
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('says why a deployment is not traced', () => {
    const d = sampleReport().population.deployments[1];
    expect(untracedReason(d)).toBe(
      'references CHG0999901, not in the change source; CHG0030043 approved 2026-10-03 11:00 UTC, after the deployment started',
    );
    expect(untracedReason({ ...d, changes: [], unknownChanges: [] })).toBe('no change number found');
  });
});
