import { FaultBoard, spoil, withWrongCredentials } from './fault.switches';
import { startSandbox, type Sandbox } from './sandbox.server';

const NOW = new Date('2025-03-14T12:00:00.000Z');

describe('fault switches over HTTP', () => {
  let sandbox: Sandbox;
  let gitlab: (path?: string, init?: RequestInit) => Promise<Response>;
  let snow: (init?: RequestInit) => Promise<Response>;

  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: 42,
      scale: 1,
      now: () => NOW,
      faults: { gitlab: { rateLimitBurst: 2, retryAfterSeconds: 3 } },
    });
    const token = { 'PRIVATE-TOKEN': sandbox.credentials.gitlabToken };
    gitlab = (path = '/user', init = {}) =>
      fetch(`${sandbox.url}/gitlab/api/v4${path}`, {
        ...init,
        headers: { ...token, ...(init.headers ?? {}) },
      });
    const basic = Buffer.from(
      `${sandbox.credentials.servicenowUser}:${sandbox.credentials.servicenowPassword}`,
    );
    snow = (init = {}) =>
      fetch(`${sandbox.url}/servicenow/api/now/table/sys_user?sysparm_limit=2`, {
        ...init,
        headers: { Authorization: `Basic ${basic.toString('base64')}` },
      });
  });
  afterAll(() => sandbox.close());
  afterEach(() => {
    for (const system of [
      'gitlab',
      'servicenow',
      'jenkins',
      'vault',
      'cyberark',
      'sonarqube',
      'jira',
    ] as const)
      sandbox.setFaults(system, {});
  });

  it('answers a burst of 429s with Retry-After, set at start, then serves again', async () => {
    const first = await gitlab();
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('3');
    expect(first.headers.get('ratelimit-remaining')).toBe('0');
    expect((await gitlab()).status).toBe(429);
    expect((await gitlab()).status).toBe(200);
    sandbox.setFaults('servicenow', { rateLimitBurst: 1, retryAfterSeconds: 7 });
    const limited = await snow();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.headers.get('x-ratelimit-limit')).toBeTruthy();
    expect(await limited.json()).toMatchObject({
      status: 'failure',
      error: { message: 'Rate limit exceeded' },
    });
    expect((await snow()).status).toBe(200);
  });

  it('answers server errors N times in the vendor shape', async () => {
    sandbox.setFaults('servicenow', { serverErrors: 2, serverErrorStatus: 502 });
    for (let i = 0; i < 2; i++) {
      const r = await snow();
      expect(r.status).toBe(502);
      expect(await r.json()).toEqual({ error: { message: 'Bad Gateway', detail: null }, status: 'failure' });
    }
    expect((await snow()).status).toBe(200);
    sandbox.setFaults('jenkins', { serverErrors: 1, serverErrorStatus: 500 });
    const basic = Buffer.from(`${sandbox.credentials.jenkinsUser}:${sandbox.credentials.jenkinsToken}`);
    const oops = await fetch(`${sandbox.url}/jenkins/api/json`, {
      headers: { Authorization: `Basic ${basic.toString('base64')}` },
    });
    expect(oops.status).toBe(500);
    expect(oops.headers.get('content-type')).toMatch(/text\/html/);
    expect(await oops.text()).toContain('Oops!');
  });

  it('answers malformed JSON, then truncated JSON, as a complete HTTP message', async () => {
    sandbox.setFaults('gitlab', { malformedJson: 1 });
    const bad = await gitlab();
    expect(bad.status).toBe(200);
    const text = await bad.text();
    expect(() => JSON.parse(text)).toThrow();
    expect(JSON.parse(await (await gitlab()).text())).toMatchObject({ username: 'svc-audit-hub' });
    sandbox.setFaults('gitlab', { truncatedJson: true });
    for (let i = 0; i < 2; i++) {
      const cut = await gitlab();
      const body = await cut.text();
      expect(Number(cut.headers.get('content-length'))).toBe(Buffer.byteLength(body));
      expect(() => JSON.parse(body)).toThrow();
    }
  });

  it('refuses the right credentials in each vendor’s way while authFailure is on', async () => {
    sandbox.setFaults('gitlab', { authFailure: true });
    const refused = await gitlab();
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ message: '401 Unauthorized' });
    sandbox.setFaults('vault', { authFailure: true });
    const vault = await fetch(`${sandbox.url}/vault/v1/identity/entity/id?list=true`, {
      headers: { 'X-Vault-Token': sandbox.credentials.vaultToken },
    });
    expect(vault.status).toBe(403);
    expect(await vault.json()).toEqual({ errors: ['permission denied'] });
    sandbox.setFaults('cyberark', { authFailure: true });
    const logon = await fetch(`${sandbox.url}/cyberark/PasswordVault/API/auth/Cyberark/Logon`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: sandbox.credentials.cyberarkUser,
        password: sandbox.credentials.cyberarkPassword,
      }),
    });
    expect(logon.status).toBe(401);
    expect(await logon.json()).toMatchObject({ ErrorCode: 'ITATS004E' });
    sandbox.setFaults('gitlab', {});
    expect((await gitlab()).status).toBe(200);
  });

  it('resets every connection of a system that is down, and only of that one', async () => {
    sandbox.setFaults('sonarqube', { down: true });
    await expect(fetch(`${sandbox.url}/sonarqube/api/system/status`)).rejects.toThrow();
    expect((await snow()).status).toBe(200);
    sandbox.setFaults('sonarqube', {});
    expect((await fetch(`${sandbox.url}/sonarqube/api/system/status`)).status).toBe(200);
  });

  it('holds slow answers back: a client with a short timeout gives up, and gets its answer once switched off', async () => {
    sandbox.setFaults('jira', { slowMs: 10_000 });
    await expect(
      fetch(`${sandbox.url}/jira/rest/api/3/myself`, { signal: AbortSignal.timeout(200) }),
    ).rejects.toThrow();
    sandbox.setFaults('jira', {});
    const answered = await fetch(`${sandbox.url}/jira/rest/api/3/myself`, {
      signal: AbortSignal.timeout(5_000),
    });
    expect(answered.status).toBeGreaterThanOrEqual(200);
  });

  it('counts requests and faults per system, and tells what is switched on', async () => {
    const before = sandbox.stats().servicenow;
    sandbox.setFaults('servicenow', { serverErrors: 1 });
    expect(sandbox.faults('servicenow')).toEqual({ serverErrors: 1 });
    await snow();
    await snow();
    const after = sandbox.stats().servicenow;
    expect(after.requests - before.requests).toBe(2);
    expect(after.faults - before.faults).toBe(1);
  });
});

describe('FaultBoard', () => {
  it('refuses unknown systems, unknown switches and impossible values, naming them', () => {
    const board = new FaultBoard();
    expect(() => board.set('bamboo' as never, {})).toThrow(/unknown system "bamboo"/);
    expect(() => board.set('gitlab', { slowMs: -1 })).toThrow(/gitlab.slowMs must be a non-negative number/);
    expect(() => board.set('gitlab', { serverErrorStatus: 404 })).toThrow(/5xx/);
    expect(() => board.set('gitlab', { bogus: 1 } as never)).toThrow(/unknown switch gitlab.bogus/);
    expect(() => new FaultBoard({ vault: { down: 'yes' as never } })).toThrow(
      /vault.down must be true or false/,
    );
  });

  it('replaces credentials in the scheme they were sent, and spoils JSON only', () => {
    const request = {
      method: 'POST',
      path: '/x',
      query: new URLSearchParams(),
      headers: {
        authorization: `Basic ${Buffer.from('audit:secret').toString('base64')}`,
        'x-vault-token': 't',
      },
      baseUrl: 'http://h',
      body: JSON.stringify({ username: 'audit', password: 'secret' }),
    };
    const wrong = withWrongCredentials(request);
    expect(Buffer.from(String(wrong.headers.authorization).slice(6), 'base64').toString()).toBe(
      'audit:wrong-credentials',
    );
    expect(wrong.headers['x-vault-token']).toBe('wrong-credentials');
    expect(JSON.parse(wrong.body!)).toEqual({ username: 'audit', password: 'wrong-credentials' });
    const html = { status: 200, headers: { 'content-type': 'text/html' }, body: '<html></html>' };
    expect(spoil(html, 'malformed')).toBe(html);
  });
});

describe('fault switches for fault suites: a sealed Vault, answers lost or held, faults on some requests only', () => {
  let sandbox: Sandbox;
  const vault = (path: string) =>
    fetch(`${sandbox.url}/vault/v1/${path}`, {
      headers: { 'X-Vault-Token': sandbox.credentials.vaultToken },
    });
  const createIssue = (summary: string, signal?: AbortSignal) =>
    fetch(`${sandbox.url}/jira/rest/api/3/issue`, {
      method: 'POST',
      signal,
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${sandbox.credentials.jiraEmail}:${sandbox.credentials.jiraToken}`).toString('base64')}`,
      },
      body: JSON.stringify({ fields: { project: { key: 'SEC' }, issuetype: { name: 'Task' }, summary } }),
    });

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 42, scale: 1, now: () => NOW });
  });
  afterAll(() => sandbox.close());

  it('answers as a sealed Vault does, whatever the token, until unsealed', async () => {
    sandbox.setFaults('vault', { sealed: true });
    const listed = await vault('identity/entity/id?list=true');
    expect(listed.status).toBe(503);
    expect(await listed.json()).toEqual({ errors: ['Vault is sealed'] });
    const health = await fetch(`${sandbox.url}/vault/v1/sys/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ initialized: true, sealed: true });
    expect(await (await fetch(`${sandbox.url}/vault/v1/sys/seal-status`)).json()).toMatchObject({
      sealed: true,
    });
    expect(sandbox.requestLog('vault').map((r) => r.fault)).toEqual(['sealed', 'sealed', 'sealed']);
    sandbox.setFaults('vault', {});
    expect((await vault('identity/entity/id?list=true')).status).toBe(200);
    expect(() => sandbox.setFaults('cyberark', { sealed: true })).toThrow(/only Vault can be sealed/);
  });

  it('meets only the requests `match` names, and counts only those', async () => {
    const basic = Buffer.from(
      `${sandbox.credentials.servicenowUser}:${sandbox.credentials.servicenowPassword}`,
    );
    const table = (name: string) =>
      fetch(`${sandbox.url}/servicenow/api/now/table/${name}?sysparm_limit=1`, {
        headers: { Authorization: `Basic ${basic.toString('base64')}` },
      });
    sandbox.setFaults('servicenow', { rateLimitBurst: 1, match: '^GET /api/now/table/sys_user$' });
    expect((await table('sys_user_group')).status).toBe(200);
    expect((await table('sys_user')).status).toBe(429);
    expect((await table('sys_user')).status).toBe(200);
    const log = sandbox.requestLog('servicenow').slice(-3);
    expect(log.map((r) => [r.target.split('?')[0], r.fault ?? null])).toEqual([
      ['/api/now/table/sys_user_group', null],
      ['/api/now/table/sys_user', 'rate_limited'],
      ['/api/now/table/sys_user', null],
    ]);
    expect(log[1].at).toBeLessThanOrEqual(log[2].at);
    expect(() => sandbox.setFaults('servicenow', { match: '(' })).toThrow(/servicenow.match/);
    sandbox.setFaults('servicenow', {});
  });

  it('carries out a request whose answer is lost: the connection is reset, the issue exists', async () => {
    const before = sandbox.trackers.jira.issues.length;
    sandbox.setFaults('jira', { lostAnswers: 1, match: '^POST /rest/api/3/issue$' });
    await expect(createIssue('lost answer')).rejects.toThrow();
    expect(sandbox.trackers.jira.issues.length).toBe(before + 1);
    expect((await createIssue('answered')).status).toBe(201);
    sandbox.setFaults('jira', {});
  });

  it('carries out a request whose answer is held back until the switches change', async () => {
    const before = sandbox.trackers.jira.issues.length;
    sandbox.setFaults('jira', { heldAnswers: 1, match: '^POST /rest/api/3/issue$' });
    let settled = false;
    const answer = createIssue('held answer').finally(() => (settled = true));
    for (let i = 0; i < 500 && sandbox.trackers.jira.issues.length === before; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(sandbox.trackers.jira.issues.length).toBe(before + 1);
    expect(settled).toBe(false);
    sandbox.setFaults('jira', {});
    expect((await answer).status).toBe(201);
  });
});
