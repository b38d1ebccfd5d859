/**
 * Fault suite — abuse of the HTTP API by its callers, anonymous or not. The `serve` app (api
 * role, as `createServeApp` builds it) on each runtime shape, with an OIDC issuer configured
 * (`companyWideRoles: [admin]`) and `AUDIT_HUB_API_ANONYMOUS_RATE_LIMIT=20`. Each scenario calls
 * from a loopback address of its own (127.0.0.x), so each is a client of its own.
 *
 * | scenario | what must hold |
 * |---|---|
 * | 2 MB and 200 KB JSON bodies (with Content-Length, and chunked), anonymous and with an admin token | 413 in the API error shape, a sentence naming the size and the limit (102400 bytes); security headers sent; one warning logged per call, without a stack; never an error-level log; the call recorded in `api_call` |
 * | a 5,000-deep body, and a 50,000-deep one just under the size limit | 400 naming the depth (32) and where; no stack overflow, no 500 |
 * | `__proto__`, `constructor`, `prototype` as keys, at the top or nested; `__proto__` in the query | 400 naming the key and its path; `Object.prototype` untouched |
 * | invalid JSON carrying an API token | 400 "not valid JSON"; the token is not echoed in the answer nor logged |
 * | 200 concurrent anonymous calls from one client | exactly 20 answered 401, the rest 429 with `Retry-After` (1–60 s) naming the limit; exactly 20 `api_call` rows; one warning for the client; refused calls counted in the metrics |
 * | the same client afterwards, with a bad token, an unknown path, a refused body, a valid token, a forged `X-Forwarded-For` | 429: it stays refused until its minute is over (no proxy is trusted by default) |
 * | valid-token calls from another client, during and after the flood | 200 every time |
 * | 40 calls one after another from another client: bad tokens, unknown paths (404), refused bodies (413) | the first 20 answered as such, every later one 429; exactly 20 `api_call` rows |
 * | OIDC tokens whose team claim is `""`, `null`, `[]`, `[""]`, missing (auditor), or `null` for the company-wide admin | 401 `invalid_token` naming the claim, recorded without a principal: never an unscoped principal |
 * | OIDC tokens with one team, and an admin without the claim | 200, scoped to the team; the admin company-wide |
 * | every answer and log line | no API token, no JWT |
 *
 * A second app (SQLite) checks `api.maxBodyKb: 512` (a 200 KB body is read, a 600 KB one is 413)
 * and `api.trustProxy: 1` (clients told apart by `X-Forwarded-For`, IPv6 ones by their /64).
 */
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { DataSource, IsNull, Like } from 'typeorm';
import { ApiCallEntity } from '../../apps/hub/src/auth/api-call.entity';
import { startApiServer, type ApiServer } from '../support/api-server';
import { eventually } from '../support/cli-process';
import { scratchDir } from '../support/hub';
import { issuerKey, signJwt, startIssuer, type TestIssuer } from '../support/oidc-issuer';
import { RUNTIME_SHAPES, SQLITE_IN_PROCESS, type ShapeStorage } from '../support/runtime-shapes';

const LIMIT = 20;
const MB2 = 2 * 1024 * 1024;
const KB200 = 200 * 1024;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

interface Call {
  /** The loopback address the call comes from: the client. */
  from: string;
  method?: string;
  path: string;
  bearer?: string;
  headers?: Record<string, string>;
  /** A JSON text; sent with Content-Length unless `chunked`. */
  body?: string;
  chunked?: boolean;
}

/** A JSON body of about `bytes` bytes. */
const bodyOf = (bytes: number) => JSON.stringify({ reason: 'x'.repeat(bytes) });
const deepBody = (levels: number) => `{"reason":${'['.repeat(levels)}${']'.repeat(levels)}}`;
/** Something shaped like an API token that no one was given. */
const unknownToken = () => `ahk_${randomBytes(32).toString('base64url')}`;

/** One server's calls, answers and log lines, for the checks at the end. */
function client(server: () => ApiServer) {
  const answers: string[] = [];
  const call = (c: Call): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const url = new URL(server().url);
      const headers: Record<string, string> = { accept: 'application/json', ...c.headers };
      if (c.bearer) headers.authorization = `Bearer ${c.bearer}`;
      if (c.body !== undefined) {
        headers['content-type'] = 'application/json';
        if (!c.chunked) headers['content-length'] = String(Buffer.byteLength(c.body));
      }
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          localAddress: c.from,
          method: c.method ?? (c.body === undefined ? 'GET' : 'POST'),
          path: c.path,
          headers,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            answers.push(text, JSON.stringify(res.headers));
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
          });
        },
      );
      // The server may answer (413) before it has read the whole upload.
      req.on('error', reject);
      if (c.body !== undefined && c.chunked) {
        for (let i = 0; i < c.body.length; i += 16 * 1024) req.write(c.body.slice(i, i + 16 * 1024));
      } else if (c.body !== undefined) req.write(c.body);
      req.end();
    });
  /** The server's log lines, parsed. */
  const logLines = (): Record<string, any>[] =>
    server()
      .logs.join('')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Record<string, any>);
  return { call, answers, logLines };
}

describe.each(RUNTIME_SHAPES)('API abuse ($name)', (shape) => {
  const scratch = scratchDir();
  let storage: ShapeStorage;
  let issuer: TestIssuer;
  let server: ApiServer;
  const signing = issuerKey('idp-abuse');
  const tokens: Record<'admin' | 'operator' | 'steady', string> = { admin: '', operator: '', steady: '' };
  const jwts: string[] = [];
  const { call, answers, logLines } = client(() => server);
  const rows = () => server.app.get(DataSource).getRepository(ApiCallEntity);
  const nowS = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    storage = await shape.storage(scratch.dir);
    Object.assign(process.env, storage.env);
    issuer = await startIssuer([signing]);
    process.env.AUDIT_HUB_API_ANONYMOUS_RATE_LIMIT = String(LIMIT);
    try {
      server = await startApiServer(
        `${storage.yaml}api:\n  oidc:\n    issuer: "${issuer.url}"\n    audience: audit-hub\n    companyWideRoles: [admin]\n`,
      );
    } finally {
      delete process.env.AUDIT_HUB_API_ANONYMOUS_RATE_LIMIT;
    }
    tokens.admin = await server.token('admin', { name: 'abuse-admin' });
    tokens.operator = await server.token('operator', { name: 'abuse-operator' });
    tokens.steady = await server.token('auditor', { name: 'steady' });
  });

  afterAll(async () => {
    await server?.close();
    await issuer?.close();
    await storage?.cleanup();
    for (const k of Object.keys(storage?.env ?? {})) delete process.env[k];
    scratch.remove();
  });

  it('answers 2 MB and 200 KB bodies with 413 and a sentence, anonymous or not, logging a warning without a stack', async () => {
    const from = '127.0.0.2';
    const cases: { bytes: number; chunked: boolean; bearer?: string; message: RegExp }[] = [];
    for (const bearer of [undefined, tokens.admin])
      for (const bytes of [MB2, KB200]) {
        cases.push({
          bytes,
          chunked: false,
          bearer,
          message: /^the request body is \d+ bytes; at most 102400 are accepted$/,
        });
        cases.push({
          bytes,
          chunked: true,
          bearer,
          message: /^the request body is larger than the 102400 bytes accepted$/,
        });
      }
    const before = logLines().length;
    for (const c of cases) {
      const a = await call({
        from,
        path: '/api/v1/exceptions',
        bearer: c.bearer,
        body: bodyOf(c.bytes),
        chunked: c.chunked,
      });
      expect({ status: a.status, body: a.json }).toEqual({
        status: 413,
        body: { statusCode: 413, error: 'Payload Too Large', message: expect.stringMatching(c.message) },
      });
      if (!c.chunked)
        expect(a.json.message).toBe(
          `the request body is ${bodyOf(c.bytes).length} bytes; at most 102400 are accepted`,
        );
      // Answered after the serve module's middleware: security headers as on every answer.
      expect(a.headers['x-content-type-options']).toBe('nosniff');
      expect(a.headers['x-powered-by']).toBeUndefined();
    }
    const lines = logLines().slice(before);
    const refusals = lines.filter((l) => l.msg === 'API request body refused');
    expect(refusals).toHaveLength(cases.length);
    for (const l of refusals) {
      expect(l).toMatchObject({
        level: 40,
        method: 'POST',
        path: '/api/v1/exceptions',
        status: 413,
        reason: 'entity.too.large',
      });
      expect(JSON.stringify(l)).not.toMatch(/stack|\n\s+at /);
    }
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    // Recorded like any other refused call.
    await eventually(
      async () => (await rows().countBy({ path: '/api/v1/exceptions', status: 413 })) === cases.length,
      120_000,
      'the 413 calls to be recorded',
    );
  });

  it('refuses a body nested too deep with 400 naming the depth, without overflowing the stack', async () => {
    const from = '127.0.0.3';
    for (const [levels, bearer] of [
      [5_000, tokens.admin],
      [5_000, undefined],
      // Just under the 100 kB limit: 100,000 brackets.
      [49_990, tokens.admin],
    ] as const) {
      const body = deepBody(levels);
      expect(body.length).toBeLessThan(102_400);
      const a = await call({ from, path: '/api/v1/exceptions', bearer, body });
      expect(a.status).toBe(400);
      expect(a.json.message).toMatch(
        /^the request body is nested more than 32 levels deep \(at body\.reason(\[0\]){31}\)$/,
      );
    }
    expect(logLines().filter((l) => l.level >= 50)).toEqual([]);
  });

  it('refuses __proto__, constructor and prototype keys with 400 naming the key and where', async () => {
    const from = '127.0.0.4';
    const cases: [string, string][] = [
      [
        '{"__proto__":{"isAdmin":true},"control":"RM-CHG-001"}',
        'the request body may not contain the key "__proto__" (at body.__proto__)',
      ],
      [
        '{"control":"RM-CHG-001","reason":{"constructor":{"prototype":{"isAdmin":true}}}}',
        'the request body may not contain the key "constructor" (at body.reason.constructor)',
      ],
      [
        '{"subject":[{"ok":1},{"prototype":1}]}',
        'the request body may not contain the key "prototype" (at body.subject[1].prototype)',
      ],
    ];
    for (const bearer of [tokens.operator, undefined])
      for (const [body, message] of cases) {
        const a = await call({ from, path: '/api/v1/exceptions', bearer, body });
        expect({ status: a.status, message: a.json.message }).toEqual({ status: 400, message });
      }
    const query = await call({
      from,
      path: '/api/v1/findings?__proto__=x&status=open',
      bearer: tokens.operator,
    });
    expect({ status: query.status, message: query.json.message }).toEqual({
      status: 400,
      message: 'the query string may not contain the key "__proto__" (at query.__proto__)',
    });
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'isAdmin')).toBe(false);
    expect(({} as { isAdmin?: unknown }).isAdmin).toBeUndefined();
  });

  it('refuses invalid JSON without echoing it: a token in the body is neither answered nor logged', async () => {
    const a = await call({
      from: '127.0.0.5',
      path: '/api/v1/exceptions',
      bearer: tokens.operator,
      body: `{"reason": ${tokens.admin}}`,
    });
    expect(a.status).toBe(400);
    expect(a.json.message).toBe("the request body is not valid JSON: Unexpected token 'a'");
    // V8's own message quotes the input around the error: the token's first characters.
    expect(a.text).not.toContain(tokens.admin.slice(0, 10));
    expect(server.logs.join('')).not.toContain(tokens.admin.slice(0, 10));
  });

  it('limits an anonymous flood per client: 401 up to the limit, then 429, rows bounded; other clients unaffected', async () => {
    const flooder = '127.0.0.10';
    const steady = '127.0.0.11';
    const me = () => call({ from: steady, path: '/api/v1/me', bearer: tokens.steady });
    const [flood, during] = await Promise.all([
      Promise.all(
        Array.from({ length: 200 }, (_, i) => call({ from: flooder, path: `/api/v1/findings?flood=${i}` })),
      ),
      Promise.all(Array.from({ length: 20 }, () => me())),
    ]);
    const byStatus = (list: Answer[]) =>
      list.reduce<Record<number, number>>((n, a) => ({ ...n, [a.status]: (n[a.status] ?? 0) + 1 }), {});
    expect(byStatus(flood)).toEqual({ 401: LIMIT, 429: 200 - LIMIT });
    for (const a of flood.filter((x) => x.status === 429)) {
      const wait = Number(a.headers['retry-after']);
      expect(wait).toBeGreaterThanOrEqual(1);
      expect(wait).toBeLessThanOrEqual(60);
      expect(a.json).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        message: `too many calls from ${flooder} without valid authentication: at most ${LIMIT} a minute; retry in ${wait} s`,
      });
    }
    expect(byStatus(during)).toEqual({ 200: 20 });

    // Refused whatever it sends now, a valid token included, and however it names itself.
    const after = [
      await call({ from: flooder, path: '/api/v1/findings', bearer: unknownToken() }),
      await call({ from: flooder, path: '/api/v1/nowhere' }),
      await call({ from: flooder, path: '/api/v1/exceptions', body: bodyOf(MB2) }),
      await call({ from: flooder, path: '/api/v1/me', bearer: tokens.admin }),
      await call({ from: flooder, path: '/api/v1/me', headers: { 'x-forwarded-for': '203.0.113.9' } }),
    ];
    expect(after.map((a) => a.status)).toEqual([429, 429, 429, 429, 429]);
    expect((await me()).status).toBe(200);

    // Exactly the calls let through are recorded; the refused ones are not.
    await eventually(
      async () => (await rows().countBy({ path: Like('/api/v1/findings?flood=%') })) >= LIMIT,
      120_000,
      'the flood rows',
    );
    const marker = `/api/v1/findings?limit=1&after-flood=${randomBytes(3).toString('hex')}`;
    await call({ from: steady, path: marker, bearer: tokens.steady });
    await eventually(async () => (await rows().countBy({ path: marker })) === 1, 120_000, 'the marker row');
    expect(await rows().countBy({ path: Like('/api/v1/findings?flood=%') })).toBe(LIMIT);
    expect(
      await rows().countBy({ path: Like('/api/v1/findings?flood=%'), status: 401, principal: IsNull() }),
    ).toBe(LIMIT);

    const warnings = logLines().filter((l) => l.client === flooder);
    expect(warnings).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'API calls without valid authentication over the limit; refusing the client',
        limitPerMinute: LIMIT,
      }),
    ]);
    const metrics = await call({ from: steady, path: '/metrics' });
    const refused = [
      ...metrics.text.matchAll(/^audit_hub_http_requests_total\{[^}]*status="429"\} (\d+)/gm),
    ].reduce((n, m) => n + Number(m[1]), 0);
    expect(refused).toBeGreaterThanOrEqual(200 - LIMIT + after.length);
  });

  it('counts bad tokens, unknown paths and refused bodies alike, one call after another', async () => {
    const from = '127.0.0.12';
    const kinds: ((i: number) => Call)[] = [
      (i) => ({ from, path: `/api/v1/findings?mixed=${i}`, bearer: unknownToken() }),
      (i) => ({ from, path: `/api/v1/mixed-nowhere?mixed=${i}`, bearer: unknownToken() }),
      (i) => ({ from, path: `/api/v1/exceptions?mixed=${i}`, bearer: 'not.a.jwt', body: bodyOf(KB200) }),
      (i) => ({ from, path: `/api/v1/me?mixed=${i}`, bearer: 'eyJhbGciOiJub25lIn0.e30.' }),
    ];
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await call(kinds[i % kinds.length](i))).status);
    expect(statuses.slice(0, LIMIT)).toEqual(
      Array.from({ length: LIMIT }, (_, i) => [401, 404, 413, 401][i % 4]),
    );
    expect(statuses.slice(LIMIT)).toEqual(Array(40 - LIMIT).fill(429));
    await eventually(
      async () => (await rows().countBy({ path: Like('%mixed=%') })) >= LIMIT,
      120_000,
      'the mixed rows',
    );
    const marker = `/api/v1/me?marker=${randomBytes(3).toString('hex')}`;
    await call({ from: '127.0.0.13', path: marker, bearer: tokens.steady });
    await eventually(async () => (await rows().countBy({ path: marker })) === 1, 120_000, 'the marker row');
    expect(await rows().countBy({ path: Like('%mixed=%') })).toBe(LIMIT);
  });

  it('refuses OIDC tokens whose team claim is empty, null or missing: 401, never an unscoped principal', async () => {
    const from = '127.0.0.20';
    const claims = (extra: Record<string, unknown>) => ({
      iss: issuer.url,
      aud: 'audit-hub',
      sub: `u-${randomBytes(3).toString('hex')}`,
      exp: nowS() + 600,
      audit_hub_role: 'auditor',
      ...extra,
    });
    const jwt = (extra: Record<string, unknown>) => {
      const t = signJwt(signing, claims(extra));
      jwts.push(t);
      return t;
    };
    const cases: [string, Record<string, unknown>, string][] = [
      [
        '""',
        { audit_hub_team: '' },
        `the JWT's audit_hub_team claim must name one team (a non-empty string, or a list of one); found ""`,
      ],
      [
        'null',
        { audit_hub_team: null },
        `the JWT's audit_hub_team claim must name one team (a non-empty string, or a list of one); found null`,
      ],
      [
        '[]',
        { audit_hub_team: [] },
        `the JWT's audit_hub_team claim must name one team (a non-empty string, or a list of one); found []`,
      ],
      [
        '[""]',
        { audit_hub_team: [''] },
        `the JWT's audit_hub_team claim must name one team (a non-empty string, or a list of one); found [""]`,
      ],
      [
        'missing',
        {},
        'the JWT has no audit_hub_team claim; only the roles in api.oidc.companyWideRoles (admin) may go without a team',
      ],
      [
        'null (company-wide admin)',
        { audit_hub_role: 'admin', audit_hub_team: null },
        `the JWT's audit_hub_team claim must name one team (a non-empty string, or a list of one); found null`,
      ],
    ];
    for (const [what, extra, message] of cases) {
      const a = await call({
        from,
        path: `/api/v1/me?team-claim=${encodeURIComponent(what)}`,
        bearer: jwt(extra),
      });
      expect({ what, status: a.status, json: a.json }).toEqual({
        what,
        status: 401,
        json: { statusCode: 401, error: 'Unauthorized', message },
      });
      expect(a.headers['www-authenticate']).toBe('Bearer realm="audit-hub", error="invalid_token"');
    }
    await eventually(
      async () => (await rows().countBy({ path: Like('/api/v1/me?team-claim=%') })) === cases.length,
      120_000,
      'the refused OIDC calls to be recorded',
    );
    const recorded = await rows().findBy({ path: Like('/api/v1/me?team-claim=%') });
    expect(recorded.map((r) => [r.status, r.principal, r.role, r.team])).toEqual(
      Array(cases.length).fill([401, null, null, null]),
    );

    const scoped = await call({ from, path: '/api/v1/me', bearer: jwt({ audit_hub_team: ['payments'] }) });
    expect(scoped.status).toBe(200);
    expect(scoped.json).toMatchObject({ role: 'auditor', team: 'payments', kind: 'oidc' });
    const companyWide = await call({ from, path: '/api/v1/me', bearer: jwt({ audit_hub_role: 'admin' }) });
    expect(companyWide.status).toBe(200);
    expect(companyWide.json).toMatchObject({ role: 'admin', team: null, kind: 'oidc' });
  });

  it('never answers or logs an API token or a JWT', () => {
    const secrets = [...Object.values(tokens), ...jwts];
    expect(secrets.length).toBeGreaterThan(8);
    const logs = server.logs.join('');
    for (const secret of secrets) {
      expect({
        secret: secret.slice(0, 8),
        answers: answers.filter((a) => a.includes(secret)).length,
        logged: logs.includes(secret),
      }).toEqual({
        secret: secret.slice(0, 8),
        answers: 0,
        logged: false,
      });
    }
  });
});

describe('api.maxBodyKb and api.trustProxy (SQLite)', () => {
  const scratch = scratchDir();
  let storage: ShapeStorage;
  let server: ApiServer;
  let admin: string;
  const { call } = client(() => server);
  const from = '127.0.0.30';
  const forwarded = (address: string, extra: Partial<Call> = {}): Call => ({
    from,
    path: '/api/v1/findings',
    headers: { 'x-forwarded-for': address },
    ...extra,
  });

  beforeAll(async () => {
    storage = await SQLITE_IN_PROCESS.storage(scratch.dir);
    process.env.AUDIT_HUB_API_ANONYMOUS_RATE_LIMIT = '3';
    try {
      server = await startApiServer(`${storage.yaml}api:\n  maxBodyKb: 512\n  trustProxy: 1\n`);
    } finally {
      delete process.env.AUDIT_HUB_API_ANONYMOUS_RATE_LIMIT;
    }
    admin = await server.token('admin', { name: 'proxy-admin' });
  });

  afterAll(async () => {
    await server?.close();
    await storage?.cleanup();
    scratch.remove();
  });

  it('reads bodies up to maxBodyKb and refuses larger ones', async () => {
    const read = await call(
      forwarded('198.51.100.50', {
        path: '/api/v1/exceptions',
        bearer: admin,
        body: JSON.stringify({ pad: 'x'.repeat(KB200) }),
      }),
    );
    expect(read.status).toBe(400);
    expect(read.json.message).toMatch(/^body field "pad" is not allowed/);
    const big = JSON.stringify({ pad: 'x'.repeat(600 * 1024) });
    const refused = await call(
      forwarded('198.51.100.50', { path: '/api/v1/exceptions', bearer: admin, body: big }),
    );
    expect(refused.status).toBe(413);
    expect(refused.json.message).toBe(`the request body is ${big.length} bytes; at most 524288 are accepted`);
  });

  it('limits clients by the address the trusted proxy forwards, IPv6 ones by their /64', async () => {
    for (let i = 0; i < 3; i++) expect((await call(forwarded('198.51.100.1'))).status).toBe(401);
    const refused = await call(forwarded('198.51.100.1'));
    expect(refused.status).toBe(429);
    expect(refused.json.message).toMatch(
      /^too many calls from 198\.51\.100\.1 without valid authentication: at most 3 a minute/,
    );
    // The proxy's own address, and other clients behind it, are not limited by that.
    expect((await call(forwarded('198.51.100.2'))).status).toBe(401);
    expect((await call({ from, path: '/api/v1/me', bearer: admin })).status).toBe(200);
    // Only the hop the proxy appended counts: what the client put before it does not.
    expect((await call(forwarded('203.0.113.7, 198.51.100.1'))).status).toBe(429);

    for (let i = 0; i < 3; i++) expect((await call(forwarded(`2001:db8:1:2::${i + 1}`))).status).toBe(401);
    const sameNetwork = await call(forwarded('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(sameNetwork.status).toBe(429);
    expect(sameNetwork.json.message).toMatch(/^too many calls from 2001:db8:1:2::\/64 /);
    expect((await call(forwarded('2001:db8:1:3::1'))).status).toBe(401);
  });
});
