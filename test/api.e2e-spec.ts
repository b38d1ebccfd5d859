/**
 * The HTTP API as its users meet it: the `serve` app (api and worker roles) over the simulated
 * estate, after two reconcile runs (the second resolves a finding, so there is history). Every
 * endpoint is called as admin, operator, auditor, team-scoped auditor and operator, and
 * anonymously; then validation, pagination, as-of, exception rules, OIDC tokens, the call record,
 * headers and metrics — and no answer ever carries a credential.
 */
import { DataSource, MoreThan } from 'typeorm';
import { RESOLVE_AFTER, startSandbox, type Sandbox } from '../apps/sandbox/src';
import { ReconcileService } from '../apps/hub/src/runs/reconcile.service';
import { ApiCallEntity } from '../apps/hub/src/auth/api-call.entity';
import { ExceptionStore } from '../apps/hub/src/exceptions/exception.store';
import { startApiServer, type ApiServer } from './support/api-server';
import { eventually } from './support/cli-process';
import { scratchDir } from './support/hub';
import { issuerKey, signJwt, startIssuer, type TestIssuer } from './support/oidc-issuer';
import { RUNTIME_SHAPES, type ShapeStorage } from './support/runtime-shapes';

const T0 = new Date('2026-11-02T00:00:00.000Z');
const T1 = new Date(T0.getTime() + RESOLVE_AFTER + 60_000);

const WHO = ['admin', 'operator', 'auditor', 'teamAuditor', 'teamOperator', 'anonymous'] as const;
type Who = (typeof WHO)[number];
const TEAM = 'payments';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

describe.each(RUNTIME_SHAPES)('HTTP API against the simulated estate ($name)', (shape) => {
  const scratch = scratchDir();
  let now = T0;
  let storage: ShapeStorage;
  let sandbox: Sandbox;
  let issuer: TestIssuer;
  let server: ApiServer;
  const signing = issuerKey('idp-1');
  const tokens: Partial<Record<Who | 'requester', string>> = {};
  /** Every answer's body, for the secret scan at the end. */
  const bodies: string[] = [];
  let calls = 0;

  async function call(
    who: Who | 'requester' | { bearer: string },
    method: string,
    path: string,
    body?: unknown,
  ) {
    const headers: Record<string, string> = { accept: 'application/json' };
    const bearer = typeof who === 'object' ? who.bearer : who === 'anonymous' ? undefined : tokens[who];
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    bodies.push(text);
    if (path.startsWith('/api/v1')) calls++;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json } as Answer;
  }

  const adminGet = async (path: string) => {
    const a = await call('admin', 'GET', path);
    expect(a.status).toBe(200);
    return a.json;
  };

  async function allFindings(who: Who = 'admin', query = ''): Promise<any[]> {
    const a = await call(who, 'GET', `/api/v1/findings?limit=500${query}`);
    expect(a.status).toBe(200);
    expect(a.json.nextCursor).toBeNull();
    return a.json.items;
  }

  async function waitForRun(id: string): Promise<void> {
    await eventually(
      async () => (await adminGet(`/api/v1/runs/${id}`)).run.status !== 'running',
      300_000,
      `run ${id} to end`,
    );
  }

  beforeAll(async () => {
    process.env.AUDIT_HUB_NOW = T0.toISOString();
    storage = await shape.storage(scratch.dir);
    Object.assign(process.env, storage.env);
    sandbox = await startSandbox({ port: 0, seed: 7, scale: 1, now: () => now });
    issuer = await startIssuer([signing]);
    const api = `api:\n  oidc:\n    issuer: "${issuer.url}"\n    audience: audit-hub\n`;
    server = await startApiServer(`${sandbox.configYaml()}\n${storage.yaml}${api}`, ['api', 'worker']);
    await server.app.get(ReconcileService).reconcile({ trigger: 'cli' });
    now = T1;
    process.env.AUDIT_HUB_NOW = T1.toISOString();
    await server.app.get(ReconcileService).reconcile({ trigger: 'cli' });
    tokens.admin = await server.token('admin', { name: 'admin' });
    tokens.operator = await server.token('operator', { name: 'operator' });
    tokens.auditor = await server.token('auditor', { name: 'auditor' });
    tokens.teamAuditor = await server.token('auditor', { name: 'pay-auditor', team: TEAM });
    tokens.teamOperator = await server.token('operator', { name: 'pay-operator', team: TEAM });
    tokens.requester = await server.token('operator', { name: 'requester' });
  }, 600_000);

  afterAll(async () => {
    delete process.env.AUDIT_HUB_NOW;
    delete process.env.AUDIT_HUB_METRICS_TOKEN;
    await server?.close();
    await issuer?.close();
    await sandbox?.close();
    await storage?.cleanup();
    for (const k of Object.keys(storage?.env ?? {})) delete process.env[k];
    scratch.remove();
  });

  it('answers every endpoint according to the caller’s role and team', async () => {
    const findings = await allFindings();
    const payFinding = findings.find((f) => f.team === TEAM)!;
    const otherFinding = findings.find((f) => f.team && f.team !== TEAM)!;
    expect(payFinding && otherFinding).toBeTruthy();
    const paymentsServices = server.loaded.config.services.filter((s) => s.team === TEAM).map((s) => s.name);
    const releases = (await adminGet('/api/v1/releases?limit=500')).items as any[];
    const payRelease = releases.find((r) => paymentsServices.includes(r.service))!;
    const otherRelease = releases.find((r) => r.service && !paymentsServices.includes(r.service))!;
    const runId = (await adminGet('/api/v1/runs?limit=1')).items[0].id;
    const companyException = (
      await call('admin', 'POST', '/api/v1/exceptions', {
        control: 'RM-CHG-001',
        subject: 'gitlab:acme/legacy-*',
        reason: 'legacy estate, migrating',
        expires: '2027-03-31',
      })
    ).json.id;
    const newException = async () =>
      (
        await call('requester', 'POST', '/api/v1/exceptions', {
          control: 'RM-CHG-002',
          subject: 'gitlab:acme/payments-api#*',
          reason: 'approvals recorded late during the tool migration',
          expires: '2027-01-31',
        })
      ).json.id as string;
    const enc = encodeURIComponent;
    const ok = (s: number) => [s, s, s, s, s, 401];

    type Row = {
      method: string;
      path: string | (() => Promise<string>);
      body?: unknown;
      expect: number[];
      after?: (a: Answer) => Promise<void>;
    };
    const rows: Row[] = [
      { method: 'GET', path: '/api/v1/me', expect: ok(200) },
      { method: 'GET', path: '/api/v1/overview', expect: ok(200) },
      { method: 'GET', path: '/api/v1/findings', expect: ok(200) },
      { method: 'GET', path: `/api/v1/findings/${enc(payFinding.key)}`, expect: ok(200) },
      {
        method: 'GET',
        path: `/api/v1/findings/${enc(otherFinding.key)}`,
        expect: [200, 200, 200, 404, 404, 401],
      },
      { method: 'GET', path: '/api/v1/exceptions', expect: ok(200) },
      {
        method: 'GET',
        path: `/api/v1/exceptions/${companyException}`,
        expect: [200, 200, 200, 404, 404, 401],
      },
      {
        method: 'POST',
        path: '/api/v1/exceptions',
        body: {
          control: 'RM-CHG-001',
          subject: 'gitlab:acme/payments-api#1',
          reason: 'test',
          expires: '2027-01-31',
        },
        expect: [201, 201, 403, 403, 201, 401],
      },
      {
        method: 'POST',
        path: async () => `/api/v1/exceptions/${await newException()}/approve`,
        expect: [200, 200, 403, 403, 404, 401],
      },
      {
        method: 'POST',
        path: async () => `/api/v1/exceptions/${await newException()}/reject`,
        expect: [200, 200, 403, 403, 404, 401],
      },
      {
        method: 'POST',
        path: async () => `/api/v1/exceptions/${await newException()}/expire`,
        expect: [200, 200, 403, 403, 404, 401],
      },
      { method: 'GET', path: '/api/v1/runs', expect: ok(200) },
      { method: 'GET', path: `/api/v1/runs/${runId}`, expect: ok(200) },
      {
        method: 'POST',
        path: '/api/v1/runs',
        body: {},
        expect: [202, 202, 403, 403, 403, 401],
        after: async (a) => (a.status === 202 ? waitForRun(a.json.id) : undefined),
      },
      { method: 'GET', path: '/api/v1/controls', expect: ok(200) },
      { method: 'GET', path: '/api/v1/connectors', expect: ok(200) },
      { method: 'GET', path: '/api/v1/releases', expect: ok(200) },
      { method: 'GET', path: `/api/v1/releases/${enc(payRelease.ref)}`, expect: ok(200) },
      {
        method: 'GET',
        path: `/api/v1/releases/${enc(otherRelease.ref)}`,
        expect: [200, 200, 200, 404, 404, 401],
      },
      {
        method: 'GET',
        path: '/api/v1/reports?from=2026-10-01&to=2026-11-01',
        expect: [200, 200, 200, 403, 403, 401],
      },
      { method: 'POST', path: '/api/v1/evidence/verify', expect: [200, 200, 200, 403, 403, 401] },
      { method: 'GET', path: '/health/live', expect: [200, 200, 200, 200, 200, 200] },
      { method: 'GET', path: '/metrics', expect: [200, 200, 200, 200, 200, 200] },
      { method: 'GET', path: '/', expect: [200, 200, 200, 200, 200, 200] },
      { method: 'GET', path: '/api/docs-json', expect: [200, 200, 200, 200, 200, 200] },
    ];

    const mismatches: string[] = [];
    for (const row of rows) {
      for (const [i, who] of WHO.entries()) {
        const path = typeof row.path === 'string' ? row.path : await row.path();
        const a = await call(who, row.method, path, row.body);
        const label = `${row.method} ${path} as ${who}`;
        if (a.status !== row.expect[i]) {
          mismatches.push(`${label}: ${a.status} (expected ${row.expect[i]}) ${a.text.slice(0, 200)}`);
          continue;
        }
        if (a.status >= 400) {
          expect(a.json).toEqual({
            statusCode: a.status,
            error: expect.any(String),
            message: expect.any(String),
          });
          expect(a.json.message.length).toBeGreaterThan(10);
        }
        if (a.status === 401) expect(a.headers.get('www-authenticate')).toMatch(/^Bearer realm="audit-hub"/);
        if (a.status === 403 && (who === 'auditor' || who === 'teamAuditor') && row.method !== 'GET')
          expect(a.json.message).toMatch(/auditor role is read-only|scoped to team payments/);
        await row.after?.(a);
      }
    }
    expect(mismatches).toEqual([]);
  }, 600_000);

  it("shows a team-scoped token only its team's findings, runs and releases", async () => {
    const all = await allFindings();
    const mine = await allFindings('teamAuditor');
    expect(mine.length).toBeGreaterThan(0);
    expect(new Set(mine.map((f) => f.team))).toEqual(new Set([TEAM]));
    expect(mine.map((f) => f.key).sort()).toEqual(
      all
        .filter((f) => f.team === TEAM)
        .map((f) => f.key)
        .sort(),
    );
    const other = await call('teamAuditor', 'GET', '/api/v1/findings?team=finance');
    expect(other.status).toBe(403);
    expect(other.json.message).toBe(
      'query parameter team: this token is scoped to team payments and cannot read team finance',
    );

    const firstRun = (await adminGet('/api/v1/runs?limit=100')).items.at(-1).id;
    const report = (await call('teamAuditor', 'GET', `/api/v1/runs/${firstRun}`)).json;
    const teamKeys = new Set(mine.map((f) => f.key));
    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.findings.every((f: any) => teamKeys.has(f.key))).toBe(true);
    expect(report.summary.open).toBe(mine.filter((f) => ['open', 'reopened'].includes(f.status)).length);

    const overview = (await call('teamAuditor', 'GET', '/api/v1/overview')).json;
    expect(overview.team).toBe(TEAM);
    expect(overview.byTeam.map((t: any) => t.team)).toEqual([TEAM]);

    const services = server.loaded.config.services.filter((s) => s.team === TEAM).map((s) => s.name);
    const releases = (await call('teamAuditor', 'GET', '/api/v1/releases?limit=500')).json.items;
    expect(releases.length).toBeGreaterThan(0);
    expect(releases.every((r: any) => services.includes(r.service))).toBe(true);
  }, 600_000);

  it('refuses unknown fields and sort or filter values outside the allow-lists, naming them', async () => {
    const cases: [string, string, unknown, RegExp][] = [
      [
        'GET',
        '/api/v1/findings?orderBy=reason',
        undefined,
        /query parameter "orderBy" is not allowed \(allowed: asOf,/,
      ],
      [
        'GET',
        '/api/v1/findings?sort=reason',
        undefined,
        /query parameter sort: must be one of severity, key/,
      ],
      [
        'GET',
        '/api/v1/findings?severity=urgent',
        undefined,
        /query parameter severity: must be one of critical/,
      ],
      [
        'GET',
        '/api/v1/findings?status=open;DROP%20TABLE',
        undefined,
        /query parameter status: must be one of open/,
      ],
      [
        'GET',
        '/api/v1/findings?control=RM-XXX-001',
        undefined,
        /query parameter control: must be a control id/,
      ],
      [
        'GET',
        '/api/v1/findings?framework=NIST',
        undefined,
        /query parameter framework: must be a framework family/,
      ],
      [
        'GET',
        '/api/v1/findings?limit=501',
        undefined,
        /query parameter limit: must be a whole number from 1 to 500/,
      ],
      ['GET', '/api/v1/findings?cursor=abc', undefined, /query parameter cursor: not a cursor of this list/],
      [
        'GET',
        '/api/v1/releases?from=31-10-2026',
        undefined,
        /query parameter from: must be a date written YYYY-MM-DD/,
      ],
      [
        'GET',
        '/api/v1/runs?status=done',
        undefined,
        /query parameter status: must be one of running, complete/,
      ],
      [
        'GET',
        '/api/v1/reports?from=2026-10-01',
        undefined,
        /query parameter to: must be a date written YYYY-MM-DD/,
      ],
      [
        'POST',
        '/api/v1/exceptions',
        { control: 'RM-CHG-001', subject: 'x:*', reason: 'r', expires: '2027-01-01', approvedBy: 'me' },
        /body field "approvedBy" is not allowed \(allowed: control, expires, reason, subject\)/,
      ],
      [
        'POST',
        '/api/v1/runs',
        { fullResync: true },
        /body field "fullResync" is not allowed \(allowed: full\)/,
      ],
      ['POST', '/api/v1/runs', { full: 'yes' }, /body field full: must be true or false/],
    ];
    for (const [method, path, body, message] of cases) {
      const a = await call('admin', method, path, body);
      expect({ path, status: a.status }).toEqual({ path, status: 400 });
      expect(a.json.message).toMatch(message);
    }
  });

  it('walks every finding with keyset pagination, without duplicates or gaps', async () => {
    const expected = (await allFindings()).map((f) => f.key).sort();
    expect(expected.length).toBeGreaterThan(4);
    for (const sort of ['severity', '-lastSeenAt', 'key', '-control', 'firstSeenAt']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const q: string = `/api/v1/findings?limit=2&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await adminGet(q);
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((f: any) => f.key));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 100);
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual(expected);
    }
    const first = await adminGet('/api/v1/findings?limit=2&sort=key');
    const wrongSort = await call(
      'admin',
      'GET',
      `/api/v1/findings?limit=2&sort=severity&cursor=${first.nextCursor}`,
    );
    expect(wrongSort.status).toBe(400);
  }, 600_000);

  it('gives each finding’s status as it stood at asOf, from its history', async () => {
    const resolved = (await allFindings('admin', '&status=resolved'))[0];
    expect(resolved).toBeDefined();
    const detail = await adminGet(`/api/v1/findings/${encodeURIComponent(resolved.key)}`);
    expect(detail.history.map((e: any) => e.to)).toEqual(['open', 'resolved']);
    // Each transition is in the evidence ledger, with the run that decided it.
    expect(detail.evidence.ledger).toBe(true);
    const transitions = detail.evidence.entries.filter((e: any) => e.type === 'finding_transition');
    expect(transitions.map((e: any) => e.runId)).toEqual(detail.history.map((e: any) => e.runId));

    const between = new Date(T0.getTime() + 60_000).toISOString();
    const thenOpen = await allFindings('admin', `&asOf=${between}&status=open`);
    expect(thenOpen.map((f) => f.key)).toContain(resolved.key);
    expect(thenOpen.find((f) => f.key === resolved.key).status).toBe('open');
    const page = await adminGet(`/api/v1/findings?limit=500&asOf=${between}`);
    expect(page.asOf).toBe(between);
    // A date means the end of that day: both runs of 2026-11-02 are in.
    const endOfDay = await allFindings('admin', '&asOf=2026-11-02&status=resolved');
    expect(endOfDay.map((f) => f.key)).toContain(resolved.key);
    expect(await allFindings('admin', '&asOf=2026-11-01')).toEqual([]);
  });

  it('needs an exception approver other than the requester, and keeps the lifecycle', async () => {
    const body = {
      control: 'RM-CHG-001',
      subject: 'gitlab:acme/reporting-*',
      reason: 'batch moves to a new pipeline',
      expires: '2027-02-28',
    };
    const requested = await call('operator', 'POST', '/api/v1/exceptions', body);
    expect(requested.status).toBe(201);
    expect(requested.json).toMatchObject({
      ...body,
      status: 'requested',
      requestedBy: 'token:operator',
      approvedBy: null,
    });
    const id = requested.json.id;

    const self = await call('operator', 'POST', `/api/v1/exceptions/${id}/approve`);
    expect(self.status).toBe(403);
    expect(self.json.message).toBe(
      `exception ${id} was requested by token:operator: it must be approved by someone else`,
    );
    const approved = await call('admin', 'POST', `/api/v1/exceptions/${id}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({ status: 'approved', approvedBy: 'token:admin' });
    expect((await call('admin', 'POST', `/api/v1/exceptions/${id}/approve`)).status).toBe(409);
    // What the finding lifecycle will merge with the config's exceptions.
    expect(await server.app.get(ExceptionStore).active()).toContainEqual({
      ...body,
      requestedBy: 'token:operator',
      approvedBy: 'token:admin',
    });
    const expired = await call('operator', 'POST', `/api/v1/exceptions/${id}/expire`);
    expect(expired.json).toMatchObject({ status: 'expired', closedBy: 'token:operator' });
    expect((await call('admin', 'POST', `/api/v1/exceptions/${id}/approve`)).status).toBe(409);
    expect((await adminGet('/api/v1/exceptions?status=expired')).items.map((e: any) => e.id)).toContain(id);

    const past = await call('operator', 'POST', '/api/v1/exceptions', { ...body, expires: '2026-01-31' });
    expect(past.status).toBe(400);
    expect(past.json.message).toBe('expires: 2026-01-31 is already past');

    const teamRequest = await call('teamOperator', 'POST', '/api/v1/exceptions', body);
    expect(teamRequest.json.team).toBe(TEAM);
    expect(
      (await call('teamAuditor', 'GET', '/api/v1/exceptions')).json.items.map((e: any) => e.id),
    ).toContain(teamRequest.json.id);
    const teamLead = await server.token('operator', { name: 'pay-lead', team: TEAM });
    const scoped = await call(
      { bearer: teamLead },
      'POST',
      `/api/v1/exceptions/${teamRequest.json.id}/approve`,
    );
    expect(scoped.status).toBe(403);
    expect(scoped.json.message).toMatch(/scoped to team payments cannot approve exceptions/);
    expect((await call('operator', 'POST', `/api/v1/exceptions/${teamRequest.json.id}/approve`)).status).toBe(
      200,
    );
  });

  it('names the caller as the report’s preparer, without changing the report id', async () => {
    const path = '/api/v1/reports?from=2026-10-01&to=2026-11-01&format=json';
    const byAdmin = await call('admin', 'GET', path);
    const byAuditor = await call('auditor', 'GET', path);
    expect([byAdmin.status, byAuditor.status]).toEqual([200, 200]);
    const admin = byAdmin.json as { reportId: string; preparation: { operator: string } };
    const auditor = byAuditor.json as { reportId: string; preparation: { operator: string } };
    expect(admin.preparation.operator).toMatch(/^admin \(token:admin, through the API\)$/);
    expect(auditor.preparation.operator).toMatch(/^auditor \(token:auditor, through the API\)$/);
    expect(auditor.reportId).toBe(admin.reportId);
  });

  it('starts a run on request and answers before it ends', async () => {
    // A later clock, so this run is the newest by start time.
    process.env.AUDIT_HUB_NOW = new Date(T1.getTime() + 3600_000).toISOString();
    const started = await call('operator', 'POST', '/api/v1/runs', { full: false });
    process.env.AUDIT_HUB_NOW = T1.toISOString();
    expect(started.status).toBe(202);
    expect(started.json).toMatchObject({ status: 'running', href: `/api/v1/runs/${started.json.id}` });
    expect(started.json.collectJobs).toBeGreaterThan(0);
    await waitForRun(started.json.id);
    const report = await adminGet(`/api/v1/runs/${started.json.id}`);
    expect(report.run.status).toBe('complete');
    const list = await adminGet('/api/v1/runs?limit=1');
    expect(list.items[0]).toMatchObject({ id: started.json.id, trigger: 'api', status: 'complete' });
  }, 600_000);

  it('accepts OIDC bearer tokens signed by the configured issuer', async () => {
    const claims = {
      iss: issuer.url,
      aud: 'audit-hub',
      sub: 'u-42',
      email: 'eve@acme.com',
      exp: Math.floor(T1.getTime() / 1000) + 600,
      audit_hub_role: 'auditor',
      audit_hub_team: TEAM,
    };
    const jwt = signJwt(signing, claims);
    const me = await call({ bearer: jwt }, 'GET', '/api/v1/me');
    expect(me.json).toEqual({
      id: 'oidc:u-42',
      name: 'eve@acme.com',
      role: 'auditor',
      team: TEAM,
      kind: 'oidc',
    });
    const items = (await call({ bearer: jwt }, 'GET', '/api/v1/findings?limit=500')).json.items;
    expect(items.every((f: any) => f.team === TEAM)).toBe(true);
    expect((await call({ bearer: jwt }, 'POST', '/api/v1/exceptions', {})).status).toBe(403);
    const wrongAudience = await call(
      { bearer: signJwt(signing, { ...claims, aud: 'other' }) },
      'GET',
      '/api/v1/me',
    );
    expect(wrongAudience.status).toBe(401);
    expect(wrongAudience.headers.get('www-authenticate')).toBe(
      'Bearer realm="audit-hub", error="invalid_token"',
    );
    expect(wrongAudience.json.message).toBe('the JWT\'s audience does not include "audit-hub"');
  });

  it('records every API call: who, what, when and how it ended', async () => {
    const repo = server.app.get(DataSource).getRepository(ApiCallEntity);
    const before = (await repo.find({ order: { id: 'DESC' }, take: 1 }))[0]?.id ?? 0;
    await call('anonymous', 'GET', '/api/v1/findings?status=open');
    await call('auditor', 'POST', '/api/v1/runs', {});
    await eventually(async () => (await repo.count()) >= calls, 120_000, 'every call to be recorded');
    // Rows are written after each answer, so they may land after rows of later calls: look for
    // these two among the rows written since, not at fixed places.
    const expected: Partial<ApiCallEntity>[] = [
      {
        principal: null,
        role: null,
        method: 'GET',
        path: '/api/v1/findings?status=open',
        status: 401,
        at: T1.toISOString(),
      },
      { principal: 'token:auditor', role: 'auditor', method: 'POST', path: '/api/v1/runs', status: 403 },
    ];
    const rows = await eventually(
      async () => {
        const since = await repo.find({ where: { id: MoreThan(before) }, order: { id: 'ASC' } });
        const found = expected.every((e) =>
          since.some((r) => Object.entries(e).every(([k, v]) => (r as any)[k] === v)),
        );
        return found && since;
      },
      10_000,
      'both calls to be recorded',
    );
    expect(rows).toEqual(expect.arrayContaining(expected.map((e) => expect.objectContaining(e))));
    const teamRow = await repo.findOneByOrFail({ principal: 'token:pay-auditor' });
    expect(teamRow.team).toBe(TEAM);
  });

  it('sends security headers, and serves metrics, with a bearer when configured', async () => {
    const page = await call('anonymous', 'GET', '/');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'.*script-src 'self'/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-powered-by')).toBeNull();

    const metrics = await call('anonymous', 'GET', '/metrics');
    expect(metrics.text).toMatch(/^audit_hub_findings\{status="open",severity="high"\} [1-9]/m);
    expect(metrics.text).toMatch(/^audit_hub_runs\{status="complete"\} [1-9]/m);
    expect(metrics.text).toMatch(
      /^audit_hub_http_requests_total\{method="GET",route="\/api\/v1\/findings",status="200"\} [1-9]/m,
    );
    process.env.AUDIT_HUB_METRICS_TOKEN = 'scrape-secret';
    try {
      const refused = await call('anonymous', 'GET', '/metrics');
      expect(refused.status).toBe(401);
      expect((await call({ bearer: 'scrape-secret' }, 'GET', '/metrics')).status).toBe(200);
    } finally {
      delete process.env.AUDIT_HUB_METRICS_TOKEN;
    }
    const docs = await call('anonymous', 'GET', '/api/docs-json');
    expect(Object.keys(docs.json.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/findings',
        '/api/v1/findings/{key}',
        '/api/v1/exceptions/{id}/approve',
      ]),
    );
  });

  it('never answers or logs a credential', () => {
    const secrets = [
      sandbox.credentials.gitlabToken,
      sandbox.credentials.servicenowPassword,
      ...Object.values(tokens),
    ] as string[];
    expect(bodies.length).toBeGreaterThan(150);
    for (const secret of secrets) {
      const hits = bodies.filter(
        (b) => b.includes(secret) || b.includes(Buffer.from(secret).toString('base64')),
      );
      expect({ secret: secret.slice(0, 8), hits: hits.length }).toEqual({
        secret: secret.slice(0, 8),
        hits: 0,
      });
      expect(server.logs.join('').includes(secret)).toBe(false);
    }
  });
});
