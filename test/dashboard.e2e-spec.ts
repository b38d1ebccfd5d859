/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core, against the `serve`
 * app over the simulated estate. An auditor signs in with a pasted token and opens the main
 * pages; each must render its content with no console error, no failed request and no uncaught
 * exception. Screenshots of each page go to test-results/dashboard/ for people to look at.
 *
 * Chromium and playwright-core are requirements of this test, not options: when either is
 * missing the test fails and says how to install it (never skipped).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../apps/sandbox/src';
import { ReconcileService } from '../apps/hub/src/runs/reconcile.service';
import { startApiServer, type ApiServer } from './support/api-server';
import { scratchDir } from './support/hub';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(__dirname, '..', 'test-results', 'dashboard');
const T0 = new Date('2026-11-02T00:00:00.000Z');
const T1 = new Date('2026-11-09T00:00:00.000Z');

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
  fill(selector: string, value: string): Promise<void>;
  click(selector: string): Promise<void>;
  waitForSelector(selector: string, options?: { state?: string; timeout?: number }): Promise<unknown>;
  waitForFunction(fn: () => unknown, arg?: unknown, options?: { timeout?: number }): Promise<unknown>;
  textContent(selector: string): Promise<string | null>;
  innerText(selector: string): Promise<string>;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  evaluate<T>(fn: () => T): Promise<T>;
}
interface Browser {
  newPage(options?: { viewport?: { width: number; height: number } }): Promise<Page>;
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
    server = await startApiServer(
      `${sandbox.configYaml()}\nstorage:\n  database: "sqlite:${join(scratch.dir, 'hub.sqlite')}"\n`,
    );
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

  it('renders the main pages for an auditor, with no console error', async () => {
    const { chromium } = requirements();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const token = await server.token('auditor', { name: 'jane.auditor' });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    /** Waits until the page has rendered its heading and finished loading its data. */
    const settled = () =>
      page.waitForFunction(
        () =>
          !!(globalThis as any).document.querySelector('main h1') &&
          !(globalThis as any).document.querySelector('main[aria-busy]'),
        undefined,
        {
          timeout: 20_000,
        },
      );
    /** A full load of each page (the query string differs), so no earlier page's content can match. */
    const visit = async (hash: string, heading: string | RegExp, shot: string, mustShow: RegExp) => {
      await page.goto(`${server.url}/?page=${shot}${hash}`);
      await settled();
      const h1 = (await page.textContent('main h1')) ?? '';
      expect(h1).toMatch(heading);
      expect(await page.innerText('main')).toMatch(mustShow);
      await page.screenshot({ path: join(SHOTS, `${shot}.png`), fullPage: true });
    };

    await page.goto(`${server.url}/`);
    await settled();
    expect(await page.textContent('main h1')).toBe('Sign in');
    await page.screenshot({ path: join(SHOTS, '01-sign-in.png'), fullPage: true });
    await page.fill('#token', token);
    await page.click('form.signin button[type=submit]');
    await page.waitForFunction(
      () => (globalThis as any).document.querySelector('main h1')?.textContent === 'Overview',
    );
    await settled();
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
    await page.screenshot({ path: join(SHOTS, '02-overview.png'), fullPage: true });

    await visit('#/findings', 'Findings', '03-findings', /Unlinked production deployment/);
    const key = await page.evaluate<string>(() =>
      decodeURIComponent(
        (globalThis as any).document
          .querySelector('main table a[href^="#/findings/"]')
          .getAttribute('href')
          .slice('#/findings/'.length),
      ),
    );
    await visit(`#/findings/${encodeURIComponent(key)}`, /./, '04-finding-detail', /History[\s\S]*Evidence/);
    expect(await page.innerText('main')).toContain(key);
    await visit('#/findings?status=open&severity=high', 'Findings', '05-findings-filtered', /high/);
    await visit('#/releases', 'Releases', '06-releases', /Successful production deployments/);
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
      `#/releases/${encodeURIComponent(ref)}`,
      `Release ${ref}`,
      '07-release-detail',
      /Changes[\s\S]*Approvals[\s\S]*Merge requests/,
    );
    await visit('#/exceptions', 'Exceptions', '08-exceptions', /Accepted risks/);
    await visit('#/runs', 'Runs', '09-runs', /complete/);
    await visit('#/connectors', 'Connectors', '10-connectors', /gitlab \(gitlab\)[\s\S]*servicenow/);

    expect(problems).toEqual([]);
  }, 600_000);
});
