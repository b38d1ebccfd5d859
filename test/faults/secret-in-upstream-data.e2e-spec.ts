/**
 * Fault suite — a secret in upstream data. People paste tokens into commits, merge requests,
 * change tickets and build parameters; an upstream that carries a configured secret in its data
 * must not get it stored or shown. The simulated estate has the GitLab token (configured through
 * `${env:}`), its URL-encoded and base64 forms, and the ServiceNow password (a literal) pasted into
 * every free-text field every upstream serves; after two reconciles (the CLI command, `--format
 * json`) none of those forms may appear in the store (every table: `record` data and raw, links,
 * findings, events, the evidence ledger), in `findings --format json|csv`, in the reconcile JSON,
 * in any report format with or without `--redact`, in the API's run and report answers, or in a
 * log line. An unchanged upstream record hashes the same on the second run (no new versions).
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { parseDocument } from 'yaml';
import {
  expectedFindings,
  generateEstate,
  pasteIntoEstate,
  startSandbox,
  type Sandbox,
} from '../../apps/sandbox/src';
import { ReconcileCommand } from '../../apps/cli/src/commands/reconcile.command';
import { FindingsCommand } from '../../apps/cli/src/commands/findings.command';
import { ReportCommand } from '../../apps/cli/src/commands/report.command';
import type { RunReport } from '../../apps/hub/src/runs/run-report.builder';
import { REPORT_FORMATS } from '../../apps/hub/src/reports/report.model';
import { startApiServer, type ApiServer } from '../support/api-server';
import { scratchDir } from '../support/hub';
import { pdfText } from '../support/pdf-text';

jest.setTimeout(600_000);

const T0 = new Date('2026-11-02T00:00:00.000Z');
const FROM = '2026-09-01';
const TO = '2026-11-03';
/** The GitLab token, with characters every encoding changes (no HTML-special ones: see `leaks`). */
const GITLAB_TOKEN = 'glpat-Pasted/Token+Leak=42:x~y';
const SERVICENOW_PASSWORD = 'Sn-Pa55/word+Leak=';
const TOKEN_VARIABLE = 'AUDIT_HUB_E2E_PASTED_GITLAB_TOKEN';

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Every form a secret can leak in: raw, URL-encoded (either hex case, form-encoded), base64. */
function formsOf(secret: string): { name: string; value: string }[] {
  const url = encodeURIComponent(secret);
  const b64 = base64(secret);
  const forms = [
    { name: 'raw', value: secret },
    { name: 'URL-encoded', value: url },
    { name: 'URL-encoded, lower-case hex', value: url.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()) },
    { name: 'form-encoded', value: new URLSearchParams({ s: secret }).toString().slice(2) },
    { name: 'base64', value: b64 },
    { name: 'base64 unpadded', value: b64.replace(/=+$/, '') },
    { name: 'base64url', value: Buffer.from(secret, 'utf8').toString('base64url') },
  ];
  return forms.filter((f, i) => forms.findIndex((g) => g.value === f.value) === i);
}

const FORMS = [
  ...formsOf(GITLAB_TOKEN).map((f) => ({ ...f, name: `GitLab token, ${f.name}` })),
  ...formsOf(SERVICENOW_PASSWORD).map((f) => ({ ...f, name: `ServiceNow password, ${f.name}` })),
];

/** What is pasted: the token in the three forms people paste, and the password. */
const PASTED = `${GITLAB_TOKEN} ${encodeURIComponent(GITLAB_TOKEN)} ${base64(GITLAB_TOKEN)} ${SERVICENOW_PASSWORD}`;

/**
 * The secret forms found in a text: also with whitespace removed (a PDF line break can fall inside
 * a value). The secrets hold no `&<>"'`, so HTML, CSV and JSON escaping cannot hide a leak.
 */
function leaks(text: string): string[] {
  const compact = text.replace(/\s+/g, '');
  return FORMS.filter((f) => text.includes(f.value) || compact.includes(f.value)).map((f) => f.name);
}

function expectNoSecret(where: string, text: string): void {
  expect({ where, leaks: leaks(text) }).toEqual({ where, leaks: [] });
}

describe('a configured secret pasted into upstream data (SQLite, in-process)', () => {
  const scratch = scratchDir();
  const db = join(scratch.dir, 'hub.sqlite');
  const configPath = join(scratch.dir, 'audit-hub.yaml');
  let configText: string;
  let sandbox: Sandbox;
  let pasted: Record<string, number>;
  let stdout: jest.SpyInstance;
  let stderr: jest.SpyInstance;
  let exitCode: typeof process.exitCode;
  const runs: RunReport[] = [];
  let server: ApiServer | undefined;
  let apiToken: string | undefined;
  /** Every log line and message the commands wrote on stderr. */
  const logs: string[] = [];

  /** Runs a CLI command in-process; returns its stdout and checks its exit code. */
  async function cli(run: () => Promise<void>, expectedExit = 0): Promise<string> {
    stdout.mockClear();
    stderr.mockClear();
    process.exitCode = undefined;
    await run();
    const out = stdout.mock.calls.map((c) => String(c[0])).join('');
    const err = stderr.mock.calls.map((c) => String(c[0])).join('');
    logs.push(err);
    expect({ exit: process.exitCode ?? 0, stderr: err.slice(-2000) }).toEqual({
      exit: expectedExit,
      stderr: expect.any(String),
    });
    return out;
  }

  async function reconcile(name: string): Promise<RunReport> {
    const output = join(scratch.dir, `${name}.json`);
    await cli(() => new ReconcileCommand().run([], { config: configPath, format: 'json', output }));
    const text = readFileSync(output, 'utf8');
    expectNoSecret(`reconcile --format json (${name})`, text);
    return JSON.parse(text) as RunReport;
  }

  /** Every row of every table, as text. */
  async function storeDump(): Promise<Record<string, string>> {
    const ds = new DataSource({ type: 'better-sqlite3', database: db });
    await ds.initialize();
    try {
      const tables: { name: string }[] = await ds.query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
      );
      const out: Record<string, string> = {};
      for (const { name } of tables) {
        const rows: Record<string, unknown>[] = await ds.query(`SELECT * FROM "${name}"`);
        out[name] = rows
          .map((row) =>
            Object.values(row)
              .map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)))
              .join('\u0001'),
          )
          .join('\n');
      }
      return out;
    } finally {
      await ds.destroy();
    }
  }

  async function recordVersions(): Promise<number> {
    const ds = new DataSource({ type: 'better-sqlite3', database: db });
    await ds.initialize();
    try {
      const rows: { n: number }[] = await ds.query('SELECT COUNT(*) AS n FROM record');
      return Number(rows[0].n);
    } finally {
      await ds.destroy();
    }
  }

  beforeAll(async () => {
    process.env.AUDIT_HUB_NOW = T0.toISOString();
    process.env[TOKEN_VARIABLE] = GITLAB_TOKEN;
    const estate = generateEstate({ seed: 7, scale: 1, now: T0 });
    pasted = pasteIntoEstate(estate, PASTED);
    sandbox = await startSandbox({
      port: 0,
      seed: 7,
      scale: 1,
      now: () => T0,
      estate,
      credentials: { gitlabToken: GITLAB_TOKEN, servicenowPassword: SERVICENOW_PASSWORD },
    });
    const doc = parseDocument(sandbox.configYaml());
    const connectors = doc.toJS().connectors as { id: string; plugin: string }[];
    connectors.forEach((c, i) => {
      if (c.plugin === 'gitlab' || c.plugin === 'gitlab-issues')
        doc.setIn(['connectors', i, 'auth', 'token'], `\${env:${TOKEN_VARIABLE}}`);
    });
    // A ledger signing key (read through `${file:}`) also keys the `--redact` pseudonyms.
    const key = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
    const keyFile = join(scratch.dir, 'ledger.pem');
    writeFileSync(keyFile, key);
    doc.setIn(['evidence'], { signingKey: `\${file:${keyFile}}` });
    configText = `${doc.toString({ lineWidth: 0 })}\nstorage:\n  database: "sqlite:${db}"\n`;
    writeFileSync(configPath, configText);
    expect(configText).not.toContain(GITLAB_TOKEN);

    exitCode = process.exitCode;
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    runs.push(await reconcile('first'));
    runs.push(await reconcile('second'));
  });

  afterAll(async () => {
    await server?.close();
    stdout?.mockRestore();
    stderr?.mockRestore();
    process.exitCode = exitCode;
    delete process.env.AUDIT_HUB_NOW;
    delete process.env[TOKEN_VARIABLE];
    await sandbox?.close();
    scratch.remove();
  });

  it('pastes the secrets into the free text of every upstream, and the runs still find exactly the planted cases', () => {
    expect(Object.keys(pasted).length).toBeGreaterThanOrEqual(10);
    for (const run of runs) {
      expect(run.run.status).toBe('complete');
      expect(run.run.sources.filter((s) => s.status !== 'complete')).toEqual([]);
      const open = run.findings
        .filter((f) => f.status === 'open' || f.status === 'reopened')
        .map((f) => f.key)
        .sort();
      const expected = expectedFindings(sandbox.estate, undefined, T0)
        .filter((f) => f.status !== 'accepted')
        .map((f) => `${f.controlId}|${f.subjectRef}`)
        .sort();
      expect(open).toEqual(expected);
    }
    // A finding reason quotes a commit title: it reached the output, redacted.
    expect(JSON.stringify(runs[0].findings)).toContain('[REDACTED]');
  });

  it('stores nothing of them: record fields and raw, links, findings, events, the evidence ledger', async () => {
    const dump = await storeDump();
    expect(Object.keys(dump)).toEqual(
      expect.arrayContaining(['record', 'finding', 'finding_event', 'evidence_entry', 'source_status']),
    );
    for (const [table, text] of Object.entries(dump)) expectNoSecret(`table ${table}`, text);
    // What was pasted is there, redacted: in the normalized data and in the raw JSON.
    expect(dump.record).toContain('[REDACTED]');
    expect(dump.evidence_entry.length).toBeGreaterThan(0);
  });

  it('hashes an unchanged upstream record the same on the next run: no new versions', async () => {
    const before = await recordVersions();
    const third = await reconcile('third');
    expect(third.run.status).toBe('complete');
    expect(await recordVersions()).toBe(before);
  });

  it('prints nothing of them in findings --format json or csv', async () => {
    for (const format of ['json', 'csv']) {
      const out = await cli(() => new FindingsCommand().run([], { config: configPath, format }));
      expect(out.length).toBeGreaterThan(0);
      expectNoSecret(`findings --format ${format}`, out);
      expect(out).toContain('[REDACTED]');
    }
  });

  it('shows nothing of them in any report format, with or without --redact', async () => {
    for (const redact of [false, true]) {
      for (const format of REPORT_FORMATS) {
        const output = join(scratch.dir, `report-${redact ? 'redacted' : 'plain'}.${format}`);
        await cli(() =>
          new ReportCommand().run([], { config: configPath, from: FROM, to: TO, format, output, redact }),
        );
        const body = readFileSync(output);
        const text = format === 'pdf' ? (await pdfText(body)).text : body.toString('utf8');
        expect(text.length).toBeGreaterThan(0);
        expectNoSecret(`report --format ${format}${redact ? ' --redact' : ''}`, text);
      }
    }
  });

  async function api(path: string): Promise<string> {
    server ??= await startApiServer(configText, ['api']);
    apiToken ??= await server.token('admin', { name: 'leak-check' });
    const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${apiToken}` } });
    const body = Buffer.from(await res.arrayBuffer());
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    return res.headers.get('content-type')?.includes('pdf') ? (await pdfText(body)).text : body.toString();
  }

  it('answers /api/v1/runs/{id} with nothing of them', async () => {
    for (const run of runs) {
      const body = await api(`/api/v1/runs/${run.run.id}`);
      expectNoSecret(`GET /api/v1/runs/${run.run.id}`, body);
    }
    // The first run opened the findings whose reasons quote a commit title.
    expect(await api(`/api/v1/runs/${runs[0].run.id}`)).toContain('[REDACTED]');
    expectNoSecret('GET /api/v1/findings', await api('/api/v1/findings?limit=500'));
  });

  it('answers /api/v1/reports in every format, with or without redact, with nothing of them', async () => {
    for (const redact of [false, true]) {
      for (const format of REPORT_FORMATS) {
        const path = `/api/v1/reports?from=${FROM}&to=${TO}&format=${format}&redact=${redact}`;
        expectNoSecret(`GET ${path}`, await api(path));
      }
    }
  });

  it('prints nothing of them even from findings an older version stored unredacted', async () => {
    const ds = new DataSource({ type: 'better-sqlite3', database: db });
    await ds.initialize();
    try {
      await ds.query(`UPDATE finding SET reason = reason || ' ' || ?`, [PASTED]);
      await ds.query(`UPDATE finding_event SET reason = reason || ' ' || ?`, [PASTED]);
    } finally {
      await ds.destroy();
    }
    for (const format of ['json', 'csv']) {
      const out = await cli(() => new FindingsCommand().run([], { config: configPath, format }));
      expectNoSecret(`findings --format ${format} (legacy rows)`, out);
    }
    for (const redact of [false, true]) {
      for (const format of REPORT_FORMATS) {
        const output = join(scratch.dir, `legacy-${redact ? 'redacted' : 'plain'}.${format}`);
        await cli(() =>
          new ReportCommand().run([], { config: configPath, from: FROM, to: TO, format, output, redact }),
        );
        const body = readFileSync(output);
        const text = format === 'pdf' ? (await pdfText(body)).text : body.toString('utf8');
        expectNoSecret(`report --format ${format}${redact ? ' --redact' : ''} (legacy rows)`, text);
      }
    }
    expectNoSecret('GET /api/v1/runs/{id} (legacy rows)', await api(`/api/v1/runs/${runs[0].run.id}`));
    expectNoSecret('GET /api/v1/findings (legacy rows)', await api('/api/v1/findings?limit=500'));
  });

  it('logged nothing of them, on the command line or in the API server', () => {
    expect(logs.join('').length).toBeGreaterThan(0);
    expectNoSecret('logs', [...logs, ...(server?.logs ?? [])].join('\n'));
  });
});
