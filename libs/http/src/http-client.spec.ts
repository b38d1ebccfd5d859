import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, Socket, type AddressInfo, type LookupFunction } from 'node:net';
import { inspect } from 'node:util';
import type { HostResolver } from './address-policy';
import { basicAuth, headerAuth, sessionAuth } from './auth';
import { HttpClient, realClock } from './http-client';
import type { HttpClientOptions, ResponseInfo } from './types';
import { UpstreamError } from './upstream-error';

const SAMPLES = join(__dirname, '../../../../shared/upstream-samples');
const sample = (file: string) => readFileSync(join(SAMPLES, file), 'utf8');

let server: LocalServer;
let handler: Handler;

beforeEach(async () => {
  handler = (_req, res) => reply(res, 200, {});
  server = await startLocalServer((req, res) => handler(req, res));
});

afterEach(() => server.close());

/** The fake clock's time: a whole second, as HTTP dates are. */
const NOW = Date.parse('2025-03-01T12:00:00Z');

/**
 * A clock that never moves: every wait the client asks for is recorded instead of waited, and an
 * attempt's timeout fires only when the test says so (`expire`), never because the machine is slow.
 */
function fakeClock() {
  const waits: number[] = [];
  const timeouts: { ms: number; controller: AbortController }[] = [];
  const clock = {
    waits,
    /** The timeout (ms) of each attempt, in order. */
    timeouts: () => timeouts.map((t) => t.ms),
    /** Fires the timeout of the latest attempt, as if `ms` had passed with no answer. */
    expire: () => timeouts.at(-1)?.controller.abort(new DOMException('timed out', 'TimeoutError')),
    now: () => NOW,
    sleep: async (ms: number) => {
      waits.push(ms);
    },
    timeout: (ms: number) => {
      const controller = new AbortController();
      timeouts.push({ ms, controller });
      return controller.signal;
    },
  };
  return clock;
}

/** A client on the local server with a fake clock: its waits are recorded instead of waited. */
function setup(options: Partial<HttpClientOptions> = {}) {
  const clock = fakeClock();
  const rateLimitWaits: number[] = [];
  const responses: ResponseInfo[] = [];
  const client = new HttpClient({
    connector: 'test',
    baseUrl: server.origin,
    clock,
    onRateLimitWait: (ms) => rateLimitWaits.push(ms),
    onResponse: (info) => responses.push(info),
    ...options,
  });
  return { client, clock, waits: clock.waits, rateLimitWaits, responses };
}

/** Answers the n-th request with the n-th handler (the last one repeats). */
function inTurn(...handlers: Handler[]): Handler {
  let call = 0;
  return (req, res) => handlers[Math.min(call++, handlers.length - 1)](req, res);
}

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const outcome = await promise.then(
    () => new Error('expected the request to fail'),
    (err: unknown) => err,
  );
  expect(outcome).toBeInstanceOf(UpstreamError);
  return outcome as UpstreamError;
}

const ok: Handler = (_req, res) => reply(res, 200, { ok: true });
const nowSeconds = () => NOW / 1000;

describe('URLs and queries', () => {
  it('joins a base URL with a path and serialises the query (arrays repeated, undefined and null dropped)', async () => {
    const { client } = setup({ baseUrl: `${server.origin}/gitlab/` });
    const res = await client.get('/api/v4/projects', {
      membership: true,
      per_page: 100,
      scope: ['a', 'b c'],
      skip: undefined,
      none: null,
    });
    expect(server.requests[0].url).toBe(
      '/gitlab/api/v4/projects?membership=true&per_page=100&scope=a&scope=b%20c',
    );
    expect(res.url).toBe('GET /gitlab/api/v4/projects');
    expect(client.baseUrl).toBe(`${server.origin}/gitlab`);
  });

  it('accepts an absolute URL on the same origin, the query given replacing parameters of the same name', async () => {
    const { client } = setup({ baseUrl: `${server.origin}/gitlab` });
    await client.get(`${server.origin}/gitlab/api/v4/projects?page=2&per_page=20`, { page: 3 });
    expect(server.requests[0].url).toBe('/gitlab/api/v4/projects?per_page=20&page=3');
  });

  it('keeps a query written in the path (a relative nextLink resolved by the caller)', async () => {
    const { client } = setup({ baseUrl: `${server.origin}/PasswordVault` });
    await client.get('api/Accounts?offset=2&limit=2');
    expect(server.requests[0].url).toBe('/PasswordVault/api/Accounts?offset=2&limit=2');
  });

  it('refuses an absolute URL on another host without sending anything', async () => {
    const { client } = setup({ auth: headerAuth({ 'PRIVATE-TOKEN': 'glpat-never-elsewhere' }) });
    const err = await failure(client.get('http://localhost:9/api/v4/projects'));
    expect(err.code).toBe('client');
    expect(err.detail).toContain('localhost:9');
    expect(server.requests).toHaveLength(0);
  });

  it('sends JSON bodies, default headers and auth headers, the request headers winning', async () => {
    const { client } = setup({
      auth: headerAuth({ 'X-Vault-Token': 'hvs.token-value' }),
      headers: { Accept: 'application/vnd.github+json', 'X-Tenant': 'a' },
      userAgent: 'audit-hub-test',
    });
    await client.request({
      method: 'POST',
      path: '/issues',
      body: { title: 'x' },
      headers: { 'x-tenant': 'b' },
    });
    const seen = server.requests[0];
    expect(seen.method).toBe('POST');
    expect(seen.body).toBe('{"title":"x"}');
    expect(seen.headers['content-type']).toBe('application/json');
    expect(seen.headers.accept).toBe('application/vnd.github+json');
    expect(seen.headers['x-vault-token']).toBe('hvs.token-value');
    expect(seen.headers['x-tenant']).toBe('b');
    expect(seen.headers['user-agent']).toBe('audit-hub-test');
  });

  it('follows a same-origin redirect of a read but not one to another host', async () => {
    handler = inTurn((_req, res) => reply(res, 302, '', { Location: '/moved' }), ok);
    const { client } = setup();
    await expect(client.get('/old')).resolves.toMatchObject({ data: { ok: true } });
    expect(server.requests.map((r) => r.url)).toEqual(['/old', '/moved']);

    handler = (_req, res) =>
      reply(res, 302, '', { Location: 'http://localhost:9/login?private_token=leaky-value' });
    const err = await failure(client.get('/elsewhere'));
    expect(err.code).toBe('client');
    expect(err.status).toBe(302);
    expect(err.detail).toBe('redirected to http://localhost:9/login?private_token=[REDACTED]');
  });
});

describe('rate limits and retries', () => {
  it('waits the Retry-After seconds of a 429, then succeeds', async () => {
    handler = inTurn((_req, res) => reply(res, 429, { message: 'slow down' }, { 'Retry-After': '7' }), ok);
    const { client, waits, rateLimitWaits } = setup();
    const res = await client.get('/api/v4/projects');
    expect(res.data).toEqual({ ok: true });
    expect(waits).toEqual([7000]);
    expect(rateLimitWaits).toEqual([7000]);
    expect(server.requests).toHaveLength(2);
  });

  it('waits until a Retry-After HTTP date, read against its clock', async () => {
    handler = inTurn(
      (_req, res) => reply(res, 429, '', { 'Retry-After': new Date(NOW + 30_000).toUTCString() }),
      ok,
    );
    const { client, waits, rateLimitWaits } = setup();
    await client.get('/x');
    expect(waits).toEqual([30_000]);
    expect(rateLimitWaits).toEqual([30_000]);
  });

  it('does not wait for a Retry-After date already past', async () => {
    handler = inTurn(
      (_req, res) => reply(res, 429, '', { 'Retry-After': new Date(NOW - 5_000).toUTCString() }),
      ok,
    );
    const { client, waits } = setup();
    await client.get('/x');
    expect(waits).toEqual([0]);
  });

  it.each([
    ['ServiceNow X-RateLimit-Reset', 429, { 'X-RateLimit-Reset': 'RESET' }],
    ['GitLab RateLimit-Reset', 429, { 'RateLimit-Remaining': '0', 'RateLimit-Reset': 'RESET' }],
    [
      'GitHub 403 with X-RateLimit-Remaining: 0',
      403,
      { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': 'RESET' },
    ],
  ])('without Retry-After, waits for the %s epoch', async (_name, status, headers) => {
    const reset = nowSeconds() + 20;
    const withReset = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, v.replace('RESET', `${reset}`)]),
    );
    handler = inTurn(
      (_req, res) => reply(res, status, { message: 'API rate limit exceeded' }, withReset),
      ok,
    );
    const { client, waits, rateLimitWaits } = setup();
    await client.get('/x');
    expect(waits).toEqual([20_000]);
    expect(rateLimitWaits).toEqual([20_000]);
  });

  it('does not wait for GitHub’s X-RateLimit-Reset on a 503 while quota remains', async () => {
    const headers = { 'X-RateLimit-Remaining': '4000', 'X-RateLimit-Reset': `${nowSeconds() + 3000}` };
    handler = inTurn((_req, res) => reply(res, 503, 'busy', headers), ok);
    const { client, waits, rateLimitWaits } = setup();
    await client.get('/x');
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeLessThanOrEqual(500);
    expect(rateLimitWaits).toEqual([]);
  });

  it('fails rate_limited without waiting when the server asks for longer than maxRetryAfterMs', async () => {
    handler = (_req, res) => reply(res, 429, { message: 'quota spent' }, { 'Retry-After': '3600' });
    const { client, waits } = setup();
    const err = await failure(client.get('/api/v4/projects'));
    expect(err.code).toBe('rate_limited');
    expect(err.status).toBe(429);
    expect(err.retryable).toBe(true);
    expect(err.detail).toBe('asked to wait 3600 s, more than the allowed 120 s: quota spent');
    expect(waits).toEqual([]);
    expect(server.requests).toHaveLength(1);

    const strict = setup({ retry: { maxRetryAfterMs: 5_000 } });
    handler = (_req, res) => reply(res, 503, '', { 'Retry-After': '10' });
    expect((await failure(strict.client.get('/x'))).code).toBe('rate_limited');
    expect(strict.waits).toEqual([]);
  });

  it('retries 500, 502, 503 and 504 with exponential backoff and full jitter, then succeeds', async () => {
    const fail =
      (status: number): Handler =>
      (_req, res) =>
        reply(res, status, 'oops');
    handler = inTurn(fail(500), fail(502), fail(503), fail(504), ok);
    const { client, waits, rateLimitWaits } = setup({ retry: { baseDelayMs: 100 } });
    const res = await client.get('/x');
    expect(res.status).toBe(200);
    expect(waits).toHaveLength(4);
    waits.forEach((ms, attempt) => {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThanOrEqual(100 * 2 ** attempt);
    });
    expect(rateLimitWaits).toEqual([]);
  });

  it('caps a backoff at maxDelayMs', async () => {
    handler = inTurn(
      (_req, res) => reply(res, 500, ''),
      (_req, res) => reply(res, 500, ''),
      ok,
    );
    const { client, waits } = setup({ retry: { baseDelayMs: 10_000, maxDelayMs: 50 } });
    await client.get('/x');
    expect(waits.every((ms) => ms <= 50)).toBe(true);
  });

  it('fails with the server error and its status once the retries are spent', async () => {
    handler = (_req, res) => reply(res, 503, sample('servicenow/error-500-cmdb-instance.json'));
    const { client, waits } = setup({ retry: { retries: 2 } });
    const err = await failure(client.get('/api/now/cmdb/instance/cmdb_ci_linux_server'));
    expect(err).toMatchObject({ code: 'server', status: 503, retryable: true, method: 'GET' });
    expect(err.path).toBe('/api/now/cmdb/instance/cmdb_ci_linux_server');
    expect(err.detail).toMatch(
      /^Exception while executing request: null; Exception while executing request: null Check/,
    );
    expect(err.message).toBe(
      `test: GET /api/now/cmdb/instance/cmdb_ci_linux_server failed (server 503): ${err.detail}`,
    );
    expect(waits).toHaveLength(2);
    expect(server.requests).toHaveLength(3);
  });

  it('never retries a POST on a 500 or a 429 unless it is marked idempotent', async () => {
    const { client, waits } = setup();
    handler = (_req, res) => reply(res, 500, { message: 'boom' });
    expect((await failure(client.request({ method: 'POST', path: '/issues', body: {} }))).code).toBe(
      'server',
    );
    handler = (_req, res) => reply(res, 429, '', { 'Retry-After': '1' });
    expect((await failure(client.request({ method: 'POST', path: '/issues', body: {} }))).code).toBe(
      'rate_limited',
    );
    expect(server.requests).toHaveLength(2);
    expect(waits).toEqual([]);

    handler = inTurn((_req, res) => reply(res, 500, ''), ok);
    await client.request({ method: 'POST', path: '/search', body: {}, idempotent: true });
    expect(server.requests).toHaveLength(4);
    expect(waits).toHaveLength(1);
  });

  it('retries a dropped connection', async () => {
    handler = inTurn((_req, res) => void res.socket?.destroy(), ok);
    const { client, waits } = setup();
    await expect(client.get('/x')).resolves.toMatchObject({ status: 200 });
    expect(waits).toHaveLength(1);
  });

  it('fails with code network when nothing listens', async () => {
    const { client, waits } = setup({ baseUrl: 'http://127.0.0.1:9', retry: { retries: 1 } });
    const err = await failure(client.get('/x'));
    expect(err).toMatchObject({ code: 'network', retryable: true });
    expect(err.detail).toMatch(/ECONNREFUSED/);
    expect(waits).toHaveLength(1);
  });
});

describe('timeouts and cancellation', () => {
  /** Never answers; the attempt's timeout fires once the request has arrived. */
  const hangUntilTimeout =
    (clock: ReturnType<typeof fakeClock>): Handler =>
    () =>
      void clock.expire();

  it('fails with code timeout when no answer comes within timeoutMs', async () => {
    const { client, clock } = setup({ timeoutMs: 50, retry: { retries: 0 } });
    handler = hangUntilTimeout(clock);
    const err = await failure(client.get('/slow'));
    expect(err).toMatchObject({ code: 'timeout', retryable: true, path: '/slow' });
    expect(err.detail).toBe('no answer within 50 ms');
    expect(clock.timeouts()).toEqual([50]);
  });

  it('retries a read that timed out', async () => {
    const { client, clock, waits } = setup();
    handler = inTurn(hangUntilTimeout(clock), ok);
    await expect(client.get('/slow', undefined, { timeoutMs: 400 })).resolves.toMatchObject({ status: 200 });
    expect(waits).toHaveLength(1);
    expect(clock.timeouts()).toEqual([400, 400]);
    expect(server.requests).toHaveLength(2);
  });

  it('times an attempt out with the real clock by default', async () => {
    handler = () => undefined;
    const client = new HttpClient({
      connector: 'test',
      baseUrl: server.origin,
      timeoutMs: 20,
      retry: { retries: 0 },
    });
    const err = await failure(client.get('/slow'));
    expect(err).toMatchObject({ code: 'timeout', detail: 'no answer within 20 ms' });
  });

  it('fails with code aborted, without retrying, when the run is cancelled mid-request', async () => {
    const controller = new AbortController();
    handler = () => controller.abort();
    const { client, waits } = setup({ signal: controller.signal });
    const err = await failure(client.get('/x'));
    expect(err).toMatchObject({ code: 'aborted', retryable: false });
    expect(waits).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('sends nothing once cancelled, and stops during a retry wait', async () => {
    const controller = new AbortController();
    controller.abort();
    const { client } = setup();
    expect((await failure(client.get('/x', undefined, { signal: controller.signal }))).code).toBe('aborted');
    expect(server.requests).toHaveLength(0);

    const during = new AbortController();
    handler = (_req, res) => reply(res, 503, '');
    const sleeping = setup({
      signal: during.signal,
      clock: {
        now: () => NOW,
        sleep: async () => {
          during.abort();
        },
      },
    });
    expect((await failure(sleeping.client.get('/x'))).code).toBe('aborted');
    expect(server.requests).toHaveLength(1);
  });
});

describe('errors and answers', () => {
  it.each([
    [400, 'client'],
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [409, 'client'],
    [501, 'server'],
  ])('maps %i to %s', async (status, code) => {
    handler = (_req, res) => reply(res, status, '');
    const { client } = setup();
    const err = await failure(client.get('/x'));
    expect(err).toMatchObject({ status, code, retryable: code === 'server' });
  });

  it.each([
    ['gitlab/error-400-missing-attribute.json', 400, '400 (Bad request) "title" not given'],
    ['gitlab/error-400-validation.json', 400, 'bio: is too long (maximum is 255 characters)'],
    ['gitlab/error-404-unknown-route.json', 404, '404 Not Found'],
    [
      'servicenow/error-429-rate-limit.json',
      429,
      'Rate limit exceeded; Rate limit of 100 requests per hour for Table API exceeded',
    ],
    ['vault/error-response.json', 403, 'message; another message'],
    ['sonarqube/error-400-multiple-messages.json', 400, 'one; two; three'],
    ['jira/issue-create-400.json', 400, "Field 'priority' is required"],
    [
      'cyberark/pvwa11-error-404-components-monitoring.json',
      404,
      'CAWS00001E: ITATP072E Unsupported client for monitoring.',
    ],
    ['github/error-422-validation.json', 422, 'Validation Failed; Label color invalid'],
  ])('takes the detail from %s', async (file, status, detail) => {
    handler = (_req, res) => reply(res, status, sample(file), { 'Content-Type': 'application/json' });
    const { client } = setup();
    const err = await failure(client.request({ method: 'POST', path: '/x' }));
    expect(err.detail).toBe(detail);
  });

  it('takes the title, else the first heading, of an HTML error page (Jenkins)', async () => {
    const { client } = setup();
    handler = (_req, res) =>
      reply(
        res,
        404,
        '<html><head><title>Error 404 Not Found</title></head><body><h2>HTTP ERROR 404</h2></body></html>',
        {
          'Content-Type': 'text/html;charset=utf-8',
        },
      );
    expect((await failure(client.get('/job/x/api/json'))).detail).toBe('Error 404 Not Found');
    handler = (_req, res) =>
      reply(res, 403, '<html><body><h1>Access <b>Denied</b> &amp; logged</h1><p>…</p></body></html>', {
        'Content-Type': 'text/html',
      });
    expect((await failure(client.get('/job/x/api/json'))).detail).toBe('Access Denied & logged');
  });

  it('shortens a long detail to 300 characters', async () => {
    handler = (_req, res) => reply(res, 400, { message: 'x'.repeat(5000) });
    const { client } = setup();
    const err = await failure(client.get('/x'));
    expect(err.detail).toHaveLength(300);
  });

  it('returns okStatuses as answers (Vault’s empty list is a 404)', async () => {
    handler = (_req, res) => reply(res, 404, sample('vault/error-404-empty-list.json'));
    const { client } = setup();
    const res = await client.get('/v1/identity/entity/id', { list: true }, { okStatuses: [404] });
    expect(res).toMatchObject({ status: 404, data: { errors: [] } });
  });

  it('fails malformed, without retrying, on a 2xx body that is not JSON', async () => {
    handler = (_req, res) =>
      reply(res, 200, '<html><body>Sign in</body></html>', { 'Content-Type': 'text/html' });
    const { client, waits } = setup();
    const err = await failure(client.get('/api/v4/projects', { page: 2 }));
    expect(err).toMatchObject({ code: 'malformed', retryable: false, status: 200, path: '/api/v4/projects' });
    expect(err.message).toContain('GET /api/v4/projects');
    expect(err.detail).toMatch(/^the body is not valid JSON \(.*; text\/html, 33 bytes\)$/);
    expect(waits).toEqual([]);
  });

  it('fails malformed on an empty body to a read, accepts it from a 204', async () => {
    const { client } = setup();
    handler = (_req, res) => reply(res, 200, '');
    expect((await failure(client.get('/x'))).code).toBe('malformed');
    handler = (_req, res) => reply(res, 204);
    await expect(client.request({ method: 'DELETE', path: '/x' })).resolves.toMatchObject({
      status: 204,
      data: undefined,
    });
  });

  it('returns the raw text when asked for text', async () => {
    handler = (_req, res) => reply(res, 200, 'plain log line\n');
    const { client } = setup();
    await expect(client.get('/log', undefined, { responseType: 'text' })).resolves.toMatchObject({
      data: 'plain log line\n',
      text: 'plain log line\n',
    });
  });

  it('keeps integers beyond 2^53 exact (GitLab X.509 serial_number)', async () => {
    const raw = sample('gitlab/commits-signature-x509.json');
    const serial = /"serial_number":\s*(\d+)/.exec(raw)?.[1];
    expect(serial).toHaveLength(39);
    handler = (_req, res) => reply(res, 200, raw, { 'Content-Type': 'application/json' });
    const { client } = setup();
    const res = await client.get<{ x509_certificate: { id: number; serial_number: string } }>('/signature');
    expect(res.data.x509_certificate.serial_number).toBe(serial);
    expect(res.data.x509_certificate.id).toBe(1);
    expect(res.text).toBe(raw);
  });

  it('reports every response, retries included, with the digest and size of its body', async () => {
    handler = inTurn(
      (_req, res) => reply(res, 502, 'bad gateway'),
      (_req, res) => reply(res, 200, '{"é":1}'),
    );
    const { client, responses } = setup();
    await client.get('/items', { page: 1 });
    expect(responses).toEqual([
      {
        method: 'GET',
        url: '/items?page=1',
        status: 502,
        sha256: createHash('sha256').update('bad gateway').digest('hex'),
        bytes: 11,
      },
      {
        method: 'GET',
        url: '/items?page=1',
        status: 200,
        sha256: createHash('sha256').update('{"é":1}').digest('hex'),
        bytes: 8,
      },
    ]);
  });
});

describe('secrets', () => {
  it('never prints a token from the query, the auth headers or an echoed error body', async () => {
    const headerToken = 'glpat-HeaderSecret-123456';
    const queryToken = 'QueryOnlySecret-987654';
    const password = 'p@ss word/with+symbols';
    handler = (req, res) =>
      reply(res, 401, {
        message: [
          `401 Unauthorized: ${req.url} with ${req.headers['private-token']} and ${req.headers.authorization}`,
          `(${encodeURIComponent(password)}, ${new URLSearchParams({ p: password }).toString()})`,
        ].join(' '),
      });
    const { client, responses } = setup({
      auth: headerAuth({ 'PRIVATE-TOKEN': headerToken, Authorization: basicHeader('svc', password) }),
      secrets: [password],
    });
    const err = await failure(client.get('/api/v4/projects', { private_token: queryToken, page: 1 }));

    expect(err.code).toBe('unauthorized');
    expect(err.detail).toContain('[REDACTED]');
    const printed = [
      err.message,
      err.detail ?? '',
      err.path,
      JSON.stringify(err),
      inspect(err),
      String(err.stack),
      ...responses.map((info) => info.url),
    ].join('\n');
    for (const secret of [
      headerToken,
      queryToken,
      password,
      encodeURIComponent(password),
      b64(`svc:${password}`),
    ]) {
      expect(printed).not.toContain(secret);
    }
    expect(responses[0].url).toBe('/api/v4/projects?private_token=[REDACTED]&page=1');
    expect(client.redact(`token ${headerToken}`)).toBe('token [REDACTED]');
  });

  it('redacts values added later with addSecret, and the secrets of basic auth', async () => {
    const { client } = setup({ auth: basicAuth('svc', 'basic-password') });
    client.addSecret('late-added-secret');
    handler = (req, res) => reply(res, 400, { message: `late-added-secret ${req.headers.authorization}` });
    const err = await failure(client.get('/x'));
    expect(err.detail).toBe('[REDACTED] [REDACTED]');
  });
});

describe('session auth', () => {
  /** A CyberArk PVWA-like server: Logon returns a JSON string token; Logoff ends it. */
  function pvwa() {
    const state = { logons: 0, logoffs: [] as string[], valid: new Set<string>() };
    handler = (req, res) => {
      if (req.url === '/PasswordVault/API/auth/CyberArk/Logon') {
        const token = `session-${++state.logons}-abcdef`;
        state.valid.add(token);
        return reply(res, 200, JSON.stringify(token));
      }
      if (req.url === '/PasswordVault/API/Auth/Logoff') {
        state.logoffs.push(String(req.headers.authorization));
        return reply(res, 200, '');
      }
      const token = String(req.headers.authorization);
      if (!state.valid.has(token))
        return reply(res, 401, { ErrorCode: 'PASWS006E', ErrorMessage: `bad ${token}` });
      return reply(res, 200, { value: [], count: 0 });
    };
    const auth = sessionAuth({
      logon: async (client) => {
        const res = await client.request<string>({
          method: 'POST',
          path: '/PasswordVault/API/auth/CyberArk/Logon',
          body: { username: 'svc', password: 'logon-password' },
          anonymous: true,
        });
        return { Authorization: res.data };
      },
      logoff: async (client, headers) => {
        await client.request({
          method: 'POST',
          path: '/PasswordVault/API/Auth/Logoff',
          headers,
          anonymous: true,
        });
      },
      secrets: ['logon-password'],
    });
    return { state, auth };
  }

  it('logs on once for concurrent first requests', async () => {
    const { state, auth } = pvwa();
    const { client } = setup({ auth });
    await Promise.all(Array.from({ length: 5 }, () => client.get('/PasswordVault/API/Accounts')));
    expect(state.logons).toBe(1);
    expect(server.requests.filter((r) => r.url === '/PasswordVault/API/Accounts')).toHaveLength(5);
  });

  it('logs on again after a 401 and retries once, then gives up', async () => {
    const { state, auth } = pvwa();
    const { client } = setup({ auth });
    await client.get('/PasswordVault/API/Accounts');
    state.valid.clear();
    await expect(client.get('/PasswordVault/API/Accounts')).resolves.toMatchObject({ status: 200 });
    expect(state.logons).toBe(2);

    const alwaysRefused = handler;
    handler = (req, res) =>
      req.url.endsWith('/Accounts') ? reply(res, 401, { ErrorMessage: 'expired' }) : alwaysRefused(req, res);
    const err = await failure(client.get('/PasswordVault/API/Accounts'));
    expect(err.code).toBe('unauthorized');
    expect(state.logons).toBe(3);
  });

  it('redacts the session token and the log-on password', async () => {
    const { state, auth } = pvwa();
    const { client } = setup({ auth });
    await client.get('/PasswordVault/API/Accounts');
    state.valid.clear();
    handler = (_req, res) => reply(res, 401, { ErrorMessage: 'bad session-1-abcdef for logon-password' });
    const err = await failure(client.get('/PasswordVault/API/Accounts'));
    expect(err.detail).toBe('bad [REDACTED] for [REDACTED]');
  });

  it('tells the caller each session token it learns, once, so the caller redacts it too', async () => {
    const { auth } = pvwa();
    const learned: string[] = [];
    const { client } = setup({ auth, onSecret: (value) => learned.push(value) });
    await client.get('/PasswordVault/API/Accounts');
    await client.get('/PasswordVault/API/Accounts');
    expect(learned).toEqual(['session-1-abcdef']);
  });

  it('logs off once on close, and refuses requests after it', async () => {
    const { state, auth } = pvwa();
    const { client } = setup({ auth });
    await client.get('/PasswordVault/API/Accounts');
    await Promise.all([client.close(), client.close()]);
    expect(state.logoffs).toEqual(['session-1-abcdef']);
    expect((await failure(client.get('/PasswordVault/API/Accounts'))).code).toBe('aborted');
  });
});

describe('network policy (SSRF)', () => {
  const TOKEN = 'glpat-never-to-the-metadata-service';
  const METADATA_PATH = '/latest/meta-data/iam/security-credentials/';
  let network: LoopbackOnlyNetwork;
  beforeEach(() => {
    network = loopbackOnlyNetwork();
  });
  afterEach(() => network.restore());

  const port = () => new URL(server.origin).port;
  /** A resolver that answers every name with these addresses, recording the names asked. */
  const resolving = (...addresses: string[]) => {
    const asked: string[] = [];
    const resolver: HostResolver = async (hostname) => {
      asked.push(hostname);
      return addresses.map((address) => ({ address, family: isIP(address) }));
    };
    return { resolver, asked };
  };
  const printed = (err: UpstreamError) =>
    [err.message, err.detail, JSON.stringify(err), inspect(err), String(err.stack)].join('\n');

  it.each([
    ['http://169.254.169.254/', '169.254.169.254 is a link-local/metadata address'],
    ['http://2852039166/', '169.254.169.254 is a link-local/metadata address'],
    ['http://0xa9fea9fe/', '169.254.169.254 is a link-local/metadata address'],
    ['http://0251.0376.0251.0376/', '169.254.169.254 is a link-local/metadata address'],
    [
      'http://[::ffff:169.254.169.254]/',
      '::ffff:a9fe:a9fe is 169.254.169.254, a link-local/metadata address',
    ],
    ['http://[fd00:ec2::254]/', 'fd00:ec2::254 is a cloud metadata address'],
    ['http://100.100.100.200/', '100.100.100.200 is a cloud metadata address'],
    ['http://0.0.0.0:8080/', '0.0.0.0 is an unspecified ("this host") address'],
  ])('refuses the base URL %s before opening any socket, token unsent', async (baseUrl, why) => {
    const { resolver, asked } = resolving('127.0.0.1');
    const { client, waits, responses } = setup({
      baseUrl,
      auth: headerAuth({ 'PRIVATE-TOKEN': TOKEN }),
      resolver,
    });
    const err = await failure(client.get(METADATA_PATH));
    expect(err).toMatchObject({
      code: 'address_refused',
      retryable: false,
      method: 'GET',
      path: METADATA_PATH,
    });
    expect(err.detail).toBe(`${why}; refused by the network policy`);
    expect(err.message).toBe(`test: GET ${METADATA_PATH} failed (address_refused): ${err.detail}`);
    expect(printed(err)).not.toContain(TOKEN);
    expect(network.connects).toBe(0);
    expect(asked).toEqual([]);
    expect(waits).toEqual([]);
    expect(responses).toEqual([]);
  });

  it('refuses a host name that resolves to 169.254.169.254 before a byte is sent, and does not retry', async () => {
    const { resolver, asked } = resolving('169.254.169.254');
    const { client, waits } = setup({
      baseUrl: `http://169.254.169.254.nip.io:${port()}`,
      auth: headerAuth({ 'PRIVATE-TOKEN': TOKEN }),
      resolver,
    });
    const err = await failure(client.get(METADATA_PATH));
    expect(err).toMatchObject({ code: 'address_refused', retryable: false });
    expect(err.detail).toBe(
      '169.254.169.254.nip.io resolves to 169.254.169.254, a link-local/metadata address; refused by the network policy',
    );
    expect(printed(err)).not.toContain(TOKEN);
    expect(asked).toEqual(['169.254.169.254.nip.io']);
    // The client's lookup refused: no address reached a socket, so none could be connected to.
    expect(network.handedOn).toEqual([]);
    expect(network.stopped).toEqual([]);
    expect(waits).toEqual([]);
  });

  it('connects to a host name through the resolver, to the addresses it allows', async () => {
    const { resolver, asked } = resolving('169.254.169.254', '127.0.0.1');
    const { client } = setup({ baseUrl: `http://upstream.test:${port()}`, resolver });
    await expect(client.get('/x')).resolves.toMatchObject({ status: 200 });
    expect(asked).toEqual(['upstream.test']);
    expect(network.handedOn).toEqual(['127.0.0.1']);
    expect(server.requests.map((r) => r.headers.host)).toEqual([`upstream.test:${port()}`]);
  });

  it('with allowPrivate: false, refuses loopback unless network.allow lists the host or its subnet', async () => {
    const { resolver } = resolving('127.0.0.1');
    const baseUrl = `http://upstream.test:${port()}`;
    const strict = setup({ baseUrl, resolver, network: { allowPrivate: false } });
    const err = await failure(strict.client.get('/x'));
    expect(err).toMatchObject({ code: 'address_refused', retryable: false });
    expect(err.detail).toBe(
      'upstream.test resolves to 127.0.0.1, a loopback address, and network.allowPrivate is false and ' +
        'network.allow does not list it; refused by the network policy',
    );
    expect(server.requests).toHaveLength(0);
    expect(network.handedOn).toEqual([]);

    const socketsSoFar = network.connects;
    const literal = setup({ network: { allowPrivate: false } });
    expect((await failure(literal.client.get('/x'))).code).toBe('address_refused');
    expect(network.connects).toBe(socketsSoFar);

    const byName = setup({ baseUrl, resolver, network: { allowPrivate: false, allow: ['upstream.test'] } });
    await expect(byName.client.get('/x')).resolves.toMatchObject({ status: 200 });
    const bySubnet = setup({ network: { allowPrivate: false, allow: ['127.0.0.0/8'] } });
    await expect(bySubnet.client.get('/y')).resolves.toMatchObject({ status: 200 });
    expect(server.requests.map((r) => r.url)).toEqual(['/x', '/y']);
  });

  it('does not follow a redirect to the metadata address', async () => {
    handler = (_req, res) => reply(res, 302, '', { Location: `http://169.254.169.254${METADATA_PATH}` });
    const { client } = setup({ auth: headerAuth({ 'PRIVATE-TOKEN': TOKEN }) });
    const err = await failure(client.get('/login'));
    expect(err).toMatchObject({ code: 'client', status: 302 });
    expect(err.detail).toBe(`redirected to http://169.254.169.254${METADATA_PATH}`);
    expect(server.requests).toHaveLength(1);
    expect(network.stopped).toEqual([]);
  });

  it('checks a same-origin redirect of a host name through the same lookup', async () => {
    handler = inTurn((_req, res) => reply(res, 302, '', { Location: '/moved' }), ok);
    const { resolver, asked } = resolving('127.0.0.1');
    const { client } = setup({ baseUrl: `http://upstream.test:${port()}`, resolver });
    await expect(client.get('/old')).resolves.toMatchObject({ data: { ok: true } });
    expect(server.requests.map((r) => r.url)).toEqual(['/old', '/moved']);
    expect(asked.length).toBeGreaterThanOrEqual(1);
    expect(network.handedOn.every((address) => address === '127.0.0.1')).toBe(true);
  });
});

describe('the real clock', () => {
  it('reads the wall clock, sleeps, and stops sleeping when aborted', async () => {
    const before = Date.now();
    expect(realClock.now()).toBeGreaterThanOrEqual(before);
    await expect(realClock.sleep(0)).resolves.toBeUndefined();
    const controller = new AbortController();
    const sleeping = realClock.sleep(600_000, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(sleeping).rejects.toThrow('cancelled');
    expect(realClock.timeout?.(600_000).aborted).toBe(false);
  });
});

describe('concurrency', () => {
  it('keeps at most `concurrency` requests in flight', async () => {
    const total = 7;
    const held: (() => void)[] = [];
    let arrived = 0;
    const releaseAll = () => held.splice(0).forEach((release) => release());
    // Requests are held until two are in flight, and then a moment longer: a client sending more
    // than two at once gets a third one in meanwhile. A correct client passes whatever the timing.
    handler = (_req, res) => {
      arrived++;
      held.push(() => reply(res, 200, {}));
      if (arrived === total) releaseAll();
      else if (held.length === 2) setTimeout(releaseAll, 25);
    };
    const { client } = setup({ concurrency: 2, timeoutMs: 1_000, retry: { retries: 0 } });
    await Promise.all(Array.from({ length: total }, (_, i) => client.get(`/items/${i}`)));
    expect(server.requests).toHaveLength(total);
    expect(server.maxInFlight()).toBe(2);
  });
});

interface LoopbackOnlyNetwork {
  /** Sockets asked to connect (to anything). */
  readonly connects: number;
  /** Addresses a lookup handed on to a socket (all in 127.0.0.0/8, or they would be stopped). */
  readonly handedOn: string[];
  /** Addresses outside 127.0.0.0/8 a socket was about to connect to: stopped by this guard. */
  readonly stopped: string[];
  restore(): void;
}

/**
 * Stands between every socket and the network while a test runs: a connection to an address
 * outside 127.0.0.0/8, given literally or handed on by a lookup, fails before it is opened. A policy
 * that let one through thus fails its test here, and nothing ever reaches a metadata address.
 */
function loopbackOnlyNetwork(): LoopbackOnlyNetwork {
  const loopback = new BlockList();
  loopback.addSubnet('127.0.0.0', 8, 'ipv4');
  loopback.addAddress('::1', 'ipv6');
  const isLoopback = (address: string) => {
    const version = isIP(address);
    return version !== 0 && loopback.check(address, version === 6 ? 'ipv6' : 'ipv4');
  };
  const state = { connects: 0, handedOn: [] as string[], stopped: [] as string[] };
  const original = Socket.prototype.connect;
  const guarded = function (this: Socket, ...args: unknown[]): Socket {
    state.connects++;
    // net.createConnection passes its normalised [options, callback] as the first argument.
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const options = (typeof first === 'object' && first !== null ? first : {}) as {
      host?: string;
      lookup?: LookupFunction;
    };
    const host = options.host ?? 'localhost';
    if (isIP(host) !== 0 && !isLoopback(host)) {
      state.stopped.push(host);
      process.nextTick(() => this.destroy(new Error(`test guard: no connection to ${host}`)));
      return this;
    }
    const lookup: LookupFunction = options.lookup ?? dnsLookup;
    options.lookup = (hostname, lookupOptions, callback) =>
      lookup(hostname, lookupOptions, (err, address, family) => {
        if (err) return callback(err, address, family);
        const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
        const outside = addresses.filter((a) => !isLoopback(a));
        if (outside.length > 0) {
          state.stopped.push(...outside);
          return callback(new Error(`test guard: no connection to ${outside.join(', ')}`), address, family);
        }
        state.handedOn.push(...addresses);
        callback(null, address, family);
      });
    return (original as (...a: unknown[]) => Socket).apply(this, args);
  };
  Socket.prototype.connect = guarded as typeof original;
  return {
    get connects() {
      return state.connects;
    },
    handedOn: state.handedOn,
    stopped: state.stopped,
    restore: () => {
      Socket.prototype.connect = original;
    },
  };
}

function basicHeader(user: string, password: string): string {
  return `Basic ${b64(`${user}:${password}`)}`;
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}

/** A request as the local test server received it. */
interface SeenRequest {
  method: string;
  /** Path and query, as sent on the wire. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Handler = (req: SeenRequest, res: ServerResponse) => void | Promise<void>;

interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  requests: SeenRequest[];
  /** Requests received whose response has not finished yet. */
  inFlight(): number;
  /** The most requests in flight at once so far. */
  maxInFlight(): number;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 with an OS-chosen port, for exercising the client end to end. */
async function startLocalServer(handler: Handler): Promise<LocalServer> {
  const requests: SeenRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let done = false;
    const finished = () => {
      if (!done) inFlight--;
      done = true;
    };
    res.on('finish', finished);
    res.on('close', finished);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(seen);
      Promise.resolve(handler(seen, res)).catch((err: unknown) => {
        res.statusCode = 599;
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Ends a response with a status, headers and a body (objects as JSON, strings as they are). */
function reply(
  res: ServerResponse,
  status: number,
  body: unknown = '',
  headers: Record<string, string> = {},
) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? {} : { 'Content-Type': 'application/json' };
  res.writeHead(status, { ...type, ...headers });
  res.end(text);
}
