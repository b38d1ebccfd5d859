/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core, against the `serve`
 * app over the simulated estate. An auditor signs in with a pasted token and opens every page;
 * each must render its content with no console error, no failed request and no uncaught
 * exception. The findings CSV export and the report download are read back; subject refs must
 * break only at their separators; starting a run is offered to operators only; after a 401 the
 * header no longer names anyone. Screenshots of each page go to test-results/dashboard/ (or
 * $AUDIT_HUB_DASHBOARD_SHOTS) for people to look at.
 *
 * Chromium and playwright-core are requirements of this test, not options: when either is
 * missing the test fails and says how to install it (never skipped).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { startSandbox, type Sandbox } from '../apps/sandbox/src';
import { ReconcileService } from '../apps/hub/src/runs/reconcile.service';
import { ApiTokenService } from '../apps/hub/src/auth/api-token.service';
import { startApiServer, type ApiServer } from './support/api-server';
import { scratchDir } from './support/hub';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = process.env.AUDIT_HUB_DASHBOARD_SHOTS ?? join(__dirname, '..', 'test-results', 'dashboard');
const T0 = new Date('2026-11-02T00:00:00.000Z');
const T1 = new Date('2026-11-09T00:00:00.000Z');
/** Findings first seen at T0 are 7 days old at T1: past due when critical or high, not medium. */
const SLA = { critical: '3d', high: '5d', medium: '30d' };

/** The part of playwright-core's API this test uses (typed here so the file compiles without it). */
interface Page {
  on(event: 'console', listener: (m: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', listener: (e: Error) => void): void;
  on(
    event: 'requestfailed',
    listener: (r: { url(): string; failure(): { errorText: string } | null }) => void,
  ): void;
  on(event: 'response', listener: (r: { url(): string; status(): number }) => void): void;
  goto(url: string): Promise<unknown>;
  waitForEvent(event: 'download', options?: { timeout?: number }): Promise<Download>;
  setViewportSize(size: { width: number; height: number }): Promise<void>;
  close(): Promise<void>;
  fill(selector: string, value: string): Promise<void>;
  click(selector: string): Promise<void>;
  waitForSelector(selector: string, options?: { state?: string; timeout?: number }): Promise<unknown>;
  waitForFunction(fn: () => unknown, arg?: unknown, options?: { timeout?: number }): Promise<unknown>;
  textContent(selector: string): Promise<string | null>;
  innerText(selector: string): Promise<string>;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  evaluate<T>(fn: () => T): Promise<T>;
}
interface Download {
  suggestedFilename(): string;
  path(): Promise<string>;
}
interface Browser {
  newPage(options?: {
    viewport?: { width: number; height: number };
    acceptDownloads?: boolean;
  }): Promise<Page>;
  close(): Promise<void>;
}
interface PlaywrightCore {
  chromium: {
    launch(options: { executablePath: string; args: string[]; headless?: boolean }): Promise<Browser>;
  };
}

/*
 * Functions passed to waitForFunction/evaluate run in the browser, where this project's Node types
 * know no DOM: they reach `document` through globalThis.
 */

function requirements(): PlaywrightCore {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: the dashboard test needs Debian's Chromium (apt-get install -y chromium)`,
    );
  try {
    // Loaded at run time so that the rest of the suite compiles and runs without it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('playwright-core') as PlaywrightCore;
  } catch {
    throw new Error(
      'playwright-core is not installed: the dashboard test needs it as a devDependency (npm install -D playwright-core); never run `npx playwright install`, it drives /usr/bin/chromium',
    );
  }
}

describe('dashboard in Chromium', () => {
  const scratch = scratchDir();
  let now = T0;
  let sandbox: Sandbox;
  let server: ApiServer;
  let browser: Browser | undefined;

  beforeAll(async () => {
    process.env.AUDIT_HUB_NOW = T0.toISOString();
    sandbox = await startSandbox({ port: 0, seed: 7, scale: 1, now: () => now });
    // Due dates from an SLA per severity (none for low), and tickets in the sandbox's Jira.
    const config = parse(sandbox.configYaml({ tracker: 'jira' }));
    config.remediation.sla = SLA;
    config.storage = { database: `sqlite:${join(scratch.dir, 'hub.sqlite')}` };
    server = await startApiServer(stringify(config));
    await server.app.get(ReconcileService).reconcile({ trigger: 'cli' });
    now = T1;
    process.env.AUDIT_HUB_NOW = T1.toISOString();
    await server.app.get(ReconcileService).reconcile({ trigger: 'cli' });
    mkdirSync(SHOTS, { recursive: true });
  }, 600_000);

  afterAll(async () => {
    delete process.env.AUDIT_HUB_NOW;
    await browser?.close();
    await server?.close();
    await sandbox?.close();
    scratch.remove();
  });

  /** The browser, launched once for every test of the file. */
  async function launch(): Promise<Browser> {
    if (browser) return browser;
    const { chromium } = requirements();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    return browser;
  }

  /** A page that records every console error or warning, uncaught exception and failed request. */
  async function watchedPage(width = 1280): Promise<{ page: Page; problems: string[] }> {
    const page = await (await launch()).newPage({ viewport: { width, height: 900 }, acceptDownloads: true });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    return { page, problems };
  }

  /** Waits until the page has rendered its heading and finished loading its data. */
  const settled = (page: Page) =>
    page.waitForFunction(
      () =>
        !!(globalThis as any).document.querySelector('main h1') &&
        !(globalThis as any).document.querySelector('main[aria-busy]'),
      undefined,
      { timeout: 20_000 },
    );

  async function signIn(page: Page, token: string): Promise<void> {
    await page.goto(`${server.url}/`);
    await settled(page);
    await page.fill('#token', token);
    await page.click('form.signin button[type=submit]');
    await page.waitForFunction(() =>
      /^Overview/.test((globalThis as any).document.querySelector('main h1')?.textContent ?? ''),
    );
    await settled(page);
  }

  /** A full load of each page (the query string differs), so no earlier page's content can match. */
  async function visit(page: Page, hash: string, heading: string | RegExp, shot: string, mustShow: RegExp) {
    await page.goto(`${server.url}/?page=${shot}${hash}`);
    await settled(page);
    const h1 = (await page.textContent('main h1')) ?? '';
    expect(h1).toMatch(heading);
    expect(await page.innerText('main')).toMatch(mustShow);
    await page.screenshot({ path: join(SHOTS, `${shot}.png`), fullPage: true });
  }

  async function apiGet(token: string, path: string): Promise<any> {
    const res = await fetch(`${server.url}/api/v1${path}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return res.json();
  }

  /** The file a click downloads, as text. */
  async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string }> {
    const [file] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), click()]);
    return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
  }

  /**
   * Ref segments (text between the <wbr> after separators) that the browser broke across lines:
   * each segment must sit on one line, so a ref wraps only at / : # ! @ | - or `.`.
   */
  const brokenRefs = (page: Page) =>
    page.evaluate<string[]>(() => {
      const doc = (globalThis as any).document;
      const broken: string[] = [];
      for (const el of doc.querySelectorAll('main .ref')) {
        for (const node of el.childNodes) {
          if (node.nodeType !== 3 || !node.textContent) continue;
          const range = doc.createRange();
          range.selectNodeContents(node);
          const tops = new Set([...range.getClientRects()].map((r: any) => Math.round(r.top)));
          if (tops.size > 1) broken.push(`${node.textContent} (in ${el.getAttribute('title')})`);
        }
      }
      return broken;
    });

  it('renders every page for an auditor, with no console error', async () => {
    const token = await server.token('auditor', { name: 'jane.auditor' });
    const { page, problems } = await watchedPage();

    await page.goto(`${server.url}/`);
    await settled(page);
    expect(await page.textContent('main h1')).toBe('Sign in');
    await page.screenshot({ path: join(SHOTS, '01-sign-in.png'), fullPage: true });
    await signIn(page, token);
    expect(await page.textContent('#who')).toContain('Signed in as jane.auditor (auditor)');
    const overview = await page.innerText('main');
    for (const section of [
      'Open findings',
      'Traceability',
      'Open findings by control family',
      'Open findings by team',
      'Trend over runs',
      'Emergency releases awaiting review',
      'Connector health',
      'Last run',
    ])
      expect(overview).toContain(section);
    expect(overview).toMatch(/\d+(\.\d)? %/);
    // The trend chart has a value axis (0 up to a round top), its title, and each run's date.
    const chart = await page.evaluate(() => {
      const svg = (globalThis as any).document.querySelector('.chart svg');
      const texts = (sel: string) => [...svg.querySelectorAll(sel)].map((t: any) => t.textContent);
      return { y: texts('text.y-tick'), x: texts('text.x-tick'), titles: texts('text.axis-title') };
    });
    expect(chart.y[0]).toBe('0');
    expect(chart.y).toHaveLength(3);
    expect(chart.titles).toEqual(['Open findings', 'Run start date (UTC, month-day)']);
    expect(chart.x).toEqual([T0, T1].map((t) => t.toISOString().slice(5, 10)));
    await page.screenshot({ path: join(SHOTS, '02-overview.png'), fullPage: true });

    // Controls: each with its last result, population, failures and trend.
    await visit(
      page,
      '#/controls',
      'Controls',
      '03-controls',
      /RM-CHG-001[\s\S]*Unlinked production deployment/,
    );
    const results = await apiGet(token, '/controls/results');
    const rows = await page.evaluate(() =>
      [...(globalThis as any).document.querySelectorAll('main table tbody tr')].map((tr: any) =>
        [...tr.children].map((td: any) => td.innerText.trim()),
      ),
    );
    expect(rows).toHaveLength(results.controls.length);
    const chg001 = results.controls.find((c: any) => c.id === 'RM-CHG-001');
    expect(chg001.lastRun.outcome).toBe('failing');
    expect(chg001.trend).toHaveLength(2);
    const row = rows.find((r: string[]) => r[0].startsWith('RM-CHG-001'))!;
    expect(row[2]).toBe('failing');
    expect(row[3]).toBe(`${chg001.population.count}\nsuccessful production deployments`);
    expect(row[4]).toBe(String(chg001.lastRun.flagged));
    expect(row[6]).toBe(String(chg001.lastRun.open));
    expect(row[7]).toContain(chg001.trend.map((t: any) => t.flagged).join(' → '));
    // An auditor is told who may start a run, and gets no button.
    expect(await page.evaluate(() => !!(globalThis as any).document.querySelector('#run-now'))).toBe(false);
    expect(await page.innerText('main')).toContain(
      'needs a company-wide operator or admin token (this one is auditor)',
    );

    // Readiness per framework clause.
    await visit(
      page,
      '#/readiness',
      'Readiness by framework',
      '04-readiness',
      /SOX IT general controls[\s\S]*PCI DSS v4.0[\s\S]*ISO\/IEC 27001:2022[\s\S]*SOC 2[\s\S]*HIPAA Security Rule/,
    );
    const readiness = await apiGet(token, '/controls/readiness');
    const sox = readiness.frameworks.find((f: any) => f.framework === 'SOX');
    const cm = sox.clauses.find((c: any) => c.token === 'SOX:ITGC-CM');
    expect(cm.failing).toBeGreaterThan(0);
    expect(cm.passing + cm.failing + cm.partial + cm.notEvaluated).toBe(cm.controls.length);
    expect(await page.innerText('main')).toContain(
      `${sox.controls.passing} of ${sox.controls.passing + sox.controls.failing + sox.controls.partial + sox.controls.notEvaluated} controls passing`,
    );

    // Findings: age, due date from the SLA, overdue marked, owner team and ticket.
    await visit(page, '#/findings', 'Findings', '05-findings', /Unlinked production deployment/);
    const listed = await page.innerText('main table');
    expect(listed).toMatch(/Owner team[\s\S]*Age[\s\S]*Due[\s\S]*Ticket/);
    expect(listed).toContain('overdue');
    expect(
      await page.evaluate(() => (globalThis as any).document.querySelectorAll('tr.row-overdue').length),
    ).toBeGreaterThan(0);
    expect(
      await page.evaluate(() => !!(globalThis as any).document.querySelector('main table a[href^="http"]')),
    ).toBe(true);
    const key = await page.evaluate<string>(() =>
      decodeURIComponent(
        (globalThis as any).document
          .querySelector('main table a[href^="#/findings/"]')
          .getAttribute('href')
          .slice('#/findings/'.length),
      ),
    );
    await visit(
      page,
      `#/findings/${encodeURIComponent(key)}`,
      /./,
      '06-finding-detail',
      /History[\s\S]*Evidence/,
    );
    expect(await page.innerText('main')).toContain(key);
    expect(await page.innerText('main')).toMatch(/Age\s+7 days/);

    // The CSV export holds every finding the filters select, across pages, with the due dates.
    await visit(page, '#/findings?status=open,reopened', 'Findings', '07-findings-open', /Export CSV/);
    const csv = await download(page, () => page.click('#export-csv'));
    expect(csv.name).toMatch(/^audit-hub-findings-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'key,control,title,severity,status,subject_type,subject_ref,service,environment,team,first_seen_at,last_seen_at,age_days,due_at,overdue,ticket,ticket_url,reason',
    );
    const open = (await apiGet(token, '/findings?status=open,reopened&limit=500')).items;
    expect(lines).toHaveLength(open.length + 1);
    const high = open.find((f: any) => f.severity === 'high' && f.firstSeenAt === T0.toISOString());
    const highLine = lines.find((l) => l.startsWith(`${high.key},`))!;
    expect(highLine).toContain(`,${high.ageDays},${high.due.at},true,`);
    expect(high.due).toEqual({
      sla: '5d',
      at: new Date(Date.parse(high.firstSeenAt) + 5 * 86_400_000).toISOString(),
      overdue: true,
    });
    const low = open.find((f: any) => f.severity === 'low');
    if (low) expect(low.due).toBeNull();
    expect(await page.innerText('main')).toContain(`Exported ${open.length} findings`);

    await visit(page, '#/findings?status=open&severity=high', 'Findings', '08-findings-filtered', /high/);
    await visit(page, '#/releases', 'Releases', '09-releases', /Successful production deployments/);
    // The first release listed, whatever the estate holds.
    const ref = await page.evaluate<string>(() =>
      decodeURIComponent(
        (globalThis as any).document
          .querySelector('main table a[href^="#/releases/"]')
          .getAttribute('href')
          .slice('#/releases/'.length),
      ),
    );
    await visit(
      page,
      `#/releases/${encodeURIComponent(ref)}`,
      `Release ${ref}`,
      '10-release-detail',
      /Changes[\s\S]*Approvals[\s\S]*Merge requests/,
    );
    // The config file's exceptions, marked by source, next to the API's.
    await visit(page, '#/exceptions', 'Exceptions', '11-exceptions', /Accepted risks/);
    const configExceptions = server.loaded.config.exceptions;
    expect(configExceptions.length).toBeGreaterThan(0);
    const exceptionRows = await page.evaluate(() =>
      [...(globalThis as any).document.querySelectorAll('main table tbody tr')].map(
        (tr: any) => tr.children[0].innerText,
      ),
    );
    expect(exceptionRows.filter((s: string) => s === 'config file')).toHaveLength(configExceptions.length);
    expect(await page.innerText('main table')).toContain(configExceptions[0].subject);
    await visit(page, '#/runs', 'Runs', '12-runs', /complete/);
    await visit(page, '#/connectors', 'Connectors', '13-connectors', /gitlab \(gitlab\)[\s\S]*servicenow/);

    // Report download through the reports API.
    await visit(page, '#/reports', 'Reports', '14-reports', /period report/);
    await page.fill('#f-from', T0.toISOString().slice(0, 10));
    await page.fill('#f-to', T1.toISOString().slice(0, 10));
    const report = await download(page, () => page.click('#report-download'));
    expect(report.name).toBe(
      `audit-hub-report-${T0.toISOString().slice(0, 10)}-${T1.toISOString().slice(0, 10)}.html`,
    );
    expect(report.text).toMatch(/^<!doctype html>/i);
    expect(report.text).toContain('RM-CHG-001');
    expect(await page.innerText('main')).toContain(`Downloaded ${report.name}`);

    expect(problems).toEqual([]);
    await page.close();
  }, 600_000);

  it('breaks subject refs only at their separators, in a narrow window', async () => {
    const token = await server.token('auditor', { name: 'narrow.auditor' });
    const { page, problems } = await watchedPage(700);
    await signIn(page, token);
    for (const [hash, shot] of [
      ['#/findings', '15-findings-narrow'],
      ['#/releases', '16-releases-narrow'],
      ['#/exceptions', '17-exceptions-narrow'],
    ]) {
      await visit(page, hash, /./, shot, /./);
      expect(
        await page.evaluate(() => (globalThis as any).document.querySelectorAll('main .ref wbr').length),
      ).toBeGreaterThan(0);
      expect(await brokenRefs(page)).toEqual([]);
    }
    expect(problems).toEqual([]);
    await page.close();
  }, 600_000);

  it('offers run-now to operators only, and starts a run with it', async () => {
    const teamOperator = await server.token('operator', { name: 'pay.ops', team: 'payments' });
    const operator = await server.token('operator', { name: 'olga.operator' });
    const { page, problems } = await watchedPage();

    await signIn(page, teamOperator);
    await visit(
      page,
      '#/runs',
      'Runs',
      '18-runs-team-operator',
      /needs a company-wide operator or admin token \(this one is operator, team payments\)/,
    );
    expect(await page.evaluate(() => !!(globalThis as any).document.querySelector('#run-now'))).toBe(false);
    await page.click('#who button');
    await signIn(page, operator);
    await visit(page, '#/runs', 'Runs', '19-runs-operator', /Run now/);
    process.env.AUDIT_HUB_NOW = new Date(T1.getTime() + 3600_000).toISOString();
    await page.click('#run-now');
    await page.waitForFunction(() =>
      /Run started at/.test(
        (globalThis as any).document.querySelector('.run-now .status')?.textContent ?? '',
      ),
    );
    const runId = await page.evaluate<string>(
      () => (globalThis as any).document.querySelector('.run-now .status a').textContent,
    );
    await page.screenshot({ path: join(SHOTS, '20-run-started.png'), fullPage: true });
    // The run is real: it ends, and is the newest of the API's list, started by the API.
    const deadline = Date.now() + 300_000;
    let run = await apiGet(operator, `/runs/${encodeURIComponent(runId)}`);
    while (run.run.status === 'running' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      run = await apiGet(operator, `/runs/${encodeURIComponent(runId)}`);
    }
    process.env.AUDIT_HUB_NOW = T1.toISOString();
    expect(run.run.status).toBe('complete');
    expect((await apiGet(operator, '/runs?limit=1')).items[0]).toMatchObject({ id: runId, trigger: 'api' });
    expect(problems).toEqual([]);
    await page.close();
  }, 600_000);

  it('after a 401, signs out: the header no longer says who is signed in', async () => {
    const token = await server.token('auditor', { name: 'soon.revoked' });
    const page = await (await launch()).newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, token);
    expect(await page.textContent('#who')).toContain('Signed in as soon.revoked');
    await server.app.get(ApiTokenService).revoke('soon.revoked');
    await page.click('a[href="#/findings"]');
    await page.waitForFunction(
      () => (globalThis as any).document.querySelector('main h1')?.textContent === 'Sign in',
    );
    expect(await page.innerText('main')).toMatch(/Paste a valid token to continue/);
    expect((await page.textContent('#who'))?.trim()).toBe('');
    expect(
      await page.evaluate(() => (globalThis as any).sessionStorage.getItem('audit-hub.token')),
    ).toBeNull();
    await page.screenshot({ path: join(SHOTS, '21-after-401.png'), fullPage: true });
    await page.close();
  }, 600_000);
});
