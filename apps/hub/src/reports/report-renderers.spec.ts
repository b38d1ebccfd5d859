import { csvRecords } from '../../../../test/support/csv-parse';
import { pdfText } from '../../../../test/support/pdf-text';
import { unzipSync, strFromU8 } from 'fflate';
import { CSV_FILES, csvField, renderCsvZip } from './csv.renderer';
import { controlTest } from './control-tests';
import { CATALOG_EDITION } from './report.service';
import { controlDefinition } from '@audit-hub/domain';
import { escapeHtml, renderHtml } from './html.renderer';
import { buildOscal, OSCAL_VERSION, renderOscal, uuidV5 } from './oscal.renderer';
import { validateAssessmentResults } from './oscal.validator';
import { pdfFonts, pdfSafe, renderPdf } from './pdf.renderer';
import { BLANK, untracedReason } from './report.layout';
import { REPORT_SECTIONS, VERIFY_COMMAND, type AuditReport } from './report.model';

const RUN_1 = '11111111-1111-4111-8111-111111111111';
const RUN_2 = '22222222-2222-4222-8222-222222222222';

const TEST_OF = (id: string, status: 'evaluated' | null, refs: string[]) =>
  controlTest(controlDefinition(id)!, controlDefinition(id)!.params, status, null, sampleFindings(), [
    {
      refs: new Set(refs),
      basis: `${refs.length} successful production deployment(s) started in the period`,
    },
  ]);

function sampleFindings(): AuditReport['findings'] {
  return [
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
  ];
}

const DEPLOYMENTS = ['gitlab:acme/payments-api#1042', 'gitlab:acme/payments-api#1043'];

/** A small report with one item in every section. */
export function sampleReport(): AuditReport {
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
    reportVersion: 2,
    reportId: 'f'.repeat(64),
    generatedAt: '2026-11-02T08:00:00.000Z',
    asOf: '2026-11-02T08:00:00.000Z',
    period: {
      from: '2026-10-01',
      to: '2026-10-31',
      start: '2026-10-01T00:00:00.000Z',
      end: '2026-10-31T23:59:59.999Z',
    },
    redacted: false,
    preparation: {
      tool: 'audit-hub',
      toolVersion: '0.1.0',
      catalog: CATALOG_EDITION,
      catalogDigest: 'c'.repeat(64),
      configDigest: 'd'.repeat(64),
      operator: 'release-bot',
    },
    completeness: {
      streams: [
        {
          connector: 'servicenow',
          plugin: 'servicenow',
          stream: 'changes',
          kinds: ['change'],
          runs: 2,
          complete: 1,
          partial: 0,
          failed: 1,
          records: 42,
          ledgerRecords: 42,
          pages: 3,
          failedPages: 0,
          firstExtractedAt: '2026-10-10T02:00:00.000Z',
          last: {
            runId: RUN_2,
            connector: 'servicenow',
            stream: 'changes',
            status: 'complete',
            records: 42,
            ledgerRecords: 42,
            pages: 2,
            startedAt: '2026-11-02T02:00:00.000Z',
            finishedAt: '2026-11-02T02:00:30.000Z',
            error: null,
            problems: [],
          },
          queries: [
            {
              request:
                'GET /api/now/table/change_request?sysparm_query=sys_updated_on>=2026-09-01 00:00:00^ORDERBYsys_updated_on&sysparm_offset=…',
              count: 2,
            },
          ],
          moreQueries: 0,
          lastSuccessAt: '2026-11-02T02:00:30.000Z',
          lastSuccessRunId: RUN_2,
        },
      ],
      extractions: [
        {
          runId: RUN_1,
          connector: 'servicenow',
          stream: 'changes',
          status: 'failed',
          records: 0,
          ledgerRecords: 0,
          pages: 1,
          startedAt: '2026-10-10T02:00:00.000Z',
          finishedAt: '2026-10-10T02:01:00.000Z',
          error: 'HTTP 401 from /api/now/table/change_request',
          problems: [],
        },
        {
          runId: RUN_2,
          connector: 'servicenow',
          stream: 'changes',
          status: 'complete',
          records: 42,
          ledgerRecords: 42,
          pages: 2,
          startedAt: '2026-11-02T02:00:00.000Z',
          finishedAt: '2026-11-02T02:00:30.000Z',
          error: null,
          problems: [],
        },
      ],
      recordsHeld: [{ connector: 'servicenow', kind: 'change', count: 42 }],
      complete: false,
    },
    signOff: {
      signatures: [],
      mismatched: [],
      signCommand: 'npm run audit-hub -- report --sign <report file>',
    },
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
        test: TEST_OF('RM-CHG-001', 'evaluated', DEPLOYMENTS),
      },
      {
        id: 'RM-ACC-003',
        title: 'Standing privileged access',
        severity: 'medium',
        enabled: true,
        frameworks: ['SOX:ITGC-AC'],
        lastRun: null,
        findings: { open: 0, reopened: 0, resolved: 0, accepted: 0, total: 0 },
        test: TEST_OF('RM-ACC-003', null, []),
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
    findings: sampleFindings(),
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

  it('CSV: a zip of one file per record type, each with its documented header row', () => {
    const files = unzipSync(renderCsvZip(sampleReport()));
    expect(Object.keys(files)).toEqual(Object.keys(CSV_FILES));
    const read = (name: keyof typeof CSV_FILES) => {
      const text = strFromU8(files[name]);
      expect(text.split('\r\n')[0]).toBe(CSV_FILES[name].join(','));
      return csvRecords(text);
    };
    expect(read('deployments.csv').map((r) => r.ref)).toEqual(DEPLOYMENTS);
    expect(read('deployments.csv')[1]).toMatchObject({
      traced: 'false',
      linked_changes: 'servicenow:CHG0030043',
      unknown_changes: 'CHG0999901',
      untraced_reason: expect.stringContaining('CHG0999901, not in the change source'),
    });
    expect(read('findings.csv')).toHaveLength(1);
    expect(read('exceptions.csv')[0]).toMatchObject({
      requested_by: 'ops@acme.com',
      approved_by: 'ciso@acme.com',
    });
    expect(read('emergency_releases.csv')[0]).toMatchObject({
      review: 'in_time',
      change: 'servicenow:CHG0030043',
    });
    expect(read('extractions.csv').map((r) => r.status)).toEqual(['failed', 'complete']);
    expect(read('sources.csv')[0]).toMatchObject({
      connector: 'servicenow',
      records: '42',
      ledger_records: '42',
    });
    expect(read('controls.csv')[0]).toMatchObject({
      control_id: 'RM-CHG-001',
      population: '2',
      exceptions: '1',
      deviation_rate: '0.5000',
      conclusion: 'not_effective',
    });
    const report = Object.fromEntries(read('report.csv').map((r) => [r.field, r.value]));
    expect(report).toMatchObject({
      report_id: 'f'.repeat(64),
      as_of: '2026-11-02T08:00:00.000Z',
      completeness: 'not_complete',
    });
    expect(read('signoffs.csv')).toEqual([]);
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

describe('the auditor layout: one section list for HTML and PDF', () => {
  /** Where each section heading first appears in a text, in REPORT_SECTIONS order. */
  const positions = (text: string, headings: readonly string[]) => {
    let from = 0;
    return headings.map((h) => {
      const at = text.indexOf(h, from);
      if (at >= 0) from = at + h.length;
      return at;
    });
  };

  it('HTML and PDF show the same sections in the same order: summary first, deployments last', async () => {
    const r = sampleReport();
    expect(REPORT_SECTIONS[0]).toBe('Summary');
    expect(REPORT_SECTIONS.at(-1)).toBe('Appendix: deployments');
    const html = renderHtml(r);
    const htmlHeadings = [...html.matchAll(/<h2>([^<]+)<\/h2>/g)].map((m) => m[1]);
    expect(htmlHeadings).toEqual([...REPORT_SECTIONS]);
    const { text } = await pdfText(await renderPdf(r));
    const at = positions(text, REPORT_SECTIONS);
    expect(at.every((p) => p >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // The deployments appendix is the only place the deployments list is, and it comes last.
    expect(text.lastIndexOf('gitlab:acme/payments-api#1042')).toBeGreaterThan(at.at(-1)!);
  });

  it('the summary names scope, population, completeness, tool and control versions', () => {
    const html = renderHtml(sampleReport());
    const summary = html.slice(html.indexOf('<h2>Summary</h2>'), html.indexOf('<h2>Completeness'));
    for (const fact of [
      'Report id',
      'f'.repeat(64),
      '2 successful production deployment(s) in the period (1 traced)',
      'NOT complete: 1 of 2 extraction(s) partial or failed',
      'audit-hub 0.1.0, report format 2',
      CATALOG_EDITION,
      'digest dddddddddddddddd',
      '1 not effective, 1 not evaluated',
    ])
      expect(summary).toContain(escapeHtml(fact));
  });

  it('the completeness table has a row per stream: records (run / ledger), requests, the query, last extraction', async () => {
    const r = sampleReport();
    const html = renderHtml(r);
    const section = html.slice(html.indexOf('<h2>Completeness'), html.indexOf('<h2>Control tests'));
    const row = section.match(/<tr><td>servicenow\/changes[\s\S]*?<\/tr>/)![0];
    expect(row).toContain('2 run(s): 1 complete, 1 failed');
    expect(row).toContain('<td>42 / 42</td><td>3</td>');
    expect(row).toContain(escapeHtml('sysparm_query=sys_updated_on>=2026-09-01 00:00:00'));
    expect(row).toContain(`run ${RUN_2}`);
    const { text } = await pdfText(await renderPdf(r));
    expect(text).toContain('42 / 42');
    expect(text).toContain('sys_updated_on>=2026-09-01');
  });

  it('a per-control row with population, exceptions, deviation rate and conclusion; the procedure in words', async () => {
    const html = renderHtml(sampleReport());
    expect(html).toMatch(
      /<tr><td>RM-CHG-001<\/td><td>Unlinked production deployment<\/td><td>[0-9a-f]{12}<\/td><td>2<\/td><td>1<\/td><td>0<\/td><td>50\.0 %<\/td><td>not effective<\/td><\/tr>/,
    );
    expect(html).toContain('For every production deployment of the population, the hub tests');
    expect(html).toContain('not effective: 1 exception(s) not covered by a risk acceptance');
    expect(html).toMatch(/<td>RM-ACC-003<\/td>.*?<td>n\/a<\/td><td>not evaluated<\/td>/);
    const { text } = await pdfText(await renderPdf(sampleReport()));
    expect(text).toContain('50.0 %');
    expect(text).toContain('not effective: 1 exception(s)');
  });

  it('the sign-off block: prepared by the tool and its operator, reviewed-by lines empty until signed', async () => {
    const r = sampleReport();
    const html = renderHtml(r);
    const block = html.slice(html.indexOf('<h2>Sign-off</h2>'), html.indexOf('<h2>Appendix'));
    expect(block).toContain('audit-hub 0.1.0, run by release-bot');
    expect(block).toContain(`<dt>Reviewed by</dt><dd>${BLANK}</dd>`);
    expect(block).toContain(`<dt>Date</dt><dd>${BLANK}</dd>`);
    r.signOff.signatures.push({
      reportId: r.reportId,
      reviewer: 'Dana Auditor',
      role: 'External auditor',
      reviewedOn: '2026-11-05',
      signedAt: '2026-11-05T10:00:00.000Z',
      recordedBy: 'ops',
      file: null,
      ledgerSeq: 321,
      ledgerHash: 'e'.repeat(64),
    });
    const signed = renderHtml(r);
    expect(signed).toContain('<dt>Reviewed by</dt><dd>Dana Auditor</dd>');
    expect(signed).toContain('<dt>Date</dt><dd>2026-11-05</dd>');
    expect(signed).toContain('evidence ledger entry 321');
    const { text } = await pdfText(await renderPdf(r));
    expect(text).toContain('Dana Auditor');
    expect(text).toContain('External auditor');
  });

  it('PDF: tagged, with language, title, author, subject and the report id in its metadata', async () => {
    const pdf = (await renderPdf(sampleReport())).toString('latin1');
    expect(pdf).toContain('/MarkInfo ');
    expect(pdf).toContain('/Marked true');
    expect(pdf).toContain('/StructTreeRoot');
    expect(pdf).toContain('/Lang (en)');
    expect(pdf).toContain('/DisplayDocTitle true');
    for (const key of ['Title', 'Author', 'Subject', 'Keywords', 'AuditHubReportId'])
      expect(pdf).toContain(`/${key} `);
    expect(pdf).toContain('audit-hub period report: 2026-10-01 to 2026-10-31');
  });

  it('PDF: with a TrueType font found it is embedded and the file declares PDF/A-2a', async () => {
    const fonts = pdfFonts();
    if (!fonts.embedded) {
      // No system font on this machine: the standard fonts, tagged but no PDF/A claim.
      const pdf = (await renderPdf(sampleReport(), fonts)).toString('latin1');
      expect(pdf).not.toContain('pdfaid:part');
      return;
    }
    const pdf = (await renderPdf(sampleReport(), fonts)).toString('latin1');
    expect(pdf).toContain('/FontFile2');
    expect(pdf).toContain('<pdfaid:part>2</pdfaid:part>');
    expect(pdf).toContain('<pdfaid:conformance>A</pdfaid:conformance>');
    expect(pdf).toContain('/OutputIntents');
    expect(() => pdfFonts({ AUDIT_HUB_PDF_FONT: '/nonexistent/font.ttf' })).toThrow(
      'AUDIT_HUB_PDF_FONT: /nonexistent/font.ttf does not exist',
    );
  });
});
