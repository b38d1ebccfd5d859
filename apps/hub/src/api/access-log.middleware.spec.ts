import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import { AppLogger, errorSerializer, redactingStream } from '../common/app-logger';
import { Redactor } from '../config/redactor';
import type { Principal } from '../auth/principal';
import { AccessLogMiddleware, maskedQuery } from './access-log.middleware';
import type { ApiRequest } from './http.types';

const TOKEN = 'ahk_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
const COOKIE = 'session=c00kie-value-991';
const PRINCIPAL: Principal = {
  id: 'token:pay-ops',
  name: 'pay-ops',
  role: 'operator',
  team: 'payments',
  kind: 'token',
};

describe('AccessLogMiddleware', () => {
  const out: string[] = [];
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const redactor = new Redactor();
    const sink = new Writable({
      write(chunk, _enc, done) {
        out.push(chunk.toString());
        done();
      },
    });
    const base = pino(
      { level: 'debug', serializers: { err: errorSerializer(redactor) } },
      redactingStream(redactor, sink),
    );
    const middleware = new AccessLogMiddleware(new AppLogger(redactor, base));
    // What the app does after the access log: authenticate, then answer by the path.
    server = createServer((req, res) =>
      middleware.use(req as ApiRequest, res, () => {
        if (req.headers.authorization === `Bearer ${TOKEN}`) (req as ApiRequest).principal = PRINCIPAL;
        if (req.url?.includes('flood')) (req as ApiRequest).refusedBeforeAuthentication = true;
        const status = Number(/status=(\d+)/.exec(req.url ?? '')?.[1] ?? 200);
        res.statusCode = status;
        res.end('{}');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function get(path: string, headers: Record<string, string> = {}) {
    const before = out.length;
    const res = await fetch(`${url}${path}`, { headers });
    await res.text();
    // The line is written when the answer is finished, which may be just after the client has it.
    for (let i = 0; i < 200 && out.length === before; i++) await new Promise((r) => setImmediate(r));
    expect(out.length).toBe(before + 1);
    return { res, line: JSON.parse(out[out.length - 1]), raw: out[out.length - 1] };
  }

  it('logs one line per answer: id, method, path, masked query, status, duration, the caller; never a header', async () => {
    const { res, line, raw } = await get(`/api/v1/findings?status=open&access_token=${TOKEN}&cursor=abc`, {
      authorization: `Bearer ${TOKEN}`,
      cookie: COOKIE,
    });
    expect(line).toMatchObject({
      level: 30,
      method: 'GET',
      path: '/api/v1/findings',
      query: 'status=open&access_token=[REDACTED]&cursor=abc',
      status: 200,
      principal: 'token:pay-ops',
      role: 'operator',
      team: 'payments',
      msg: expect.stringMatching(/^GET \/api\/v1\/findings 200 \d+ms$/),
    });
    expect(typeof line.durationMs).toBe('number');
    expect(line.reqId).toBe(res.headers.get('x-request-id'));
    expect(line.reqId).toMatch(/^[0-9a-f-]{36}$/);
    expect(raw).not.toContain(TOKEN);
    expect(raw).not.toContain('c00kie');
    expect(raw).not.toMatch(/authorization|headers/i);
  });

  it('logs 4xx as warn, 5xx as error, anonymous callers without a principal', async () => {
    const warn = (await get('/api/v1/me?status=401')).line;
    expect(warn).toMatchObject({ level: 40, status: 401 });
    expect(warn.principal).toBeUndefined();
    const error = (await get('/api/v1/runs?status=503', { authorization: `Bearer ${TOKEN}` })).line;
    expect(error).toMatchObject({ level: 50, status: 503, principal: 'token:pay-ops' });
    expect(error.err).toBeUndefined();
  });

  it('logs the probes and the metrics scrape at debug while they answer fine', async () => {
    expect((await get('/health/live')).line).toMatchObject({ level: 20, path: '/health/live' });
    expect((await get('/metrics')).line.level).toBe(20);
    expect((await get('/health/ready?status=503')).line.level).toBe(50);
  });

  it('does not log, call by call, a client refused for failing to authenticate too often', async () => {
    const before = out.length;
    await (await fetch(`${url}/api/v1/me?flood=1&status=429`)).text();
    await get('/api/v1/me?status=401');
    expect(out.slice(before).map((l) => JSON.parse(l).status)).toEqual([401]);
  });

  it("keeps an ingress's X-Request-Id when it is a plain token, else makes one", async () => {
    const kept = await get('/api/v1/me', { 'x-request-id': 'ingress-7f3a.1' });
    expect(kept.line.reqId).toBe('ingress-7f3a.1');
    expect(kept.res.headers.get('x-request-id')).toBe('ingress-7f3a.1');
    const replaced = await get('/api/v1/me', { 'x-request-id': 'bad id\twith "quotes"' });
    expect(replaced.line.reqId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('masks credential-like query values only', () => {
    expect(maskedQuery('limit=5&apiKey=x&Signature=y&password=z&sort=-key')).toBe(
      'limit=5&apiKey=[REDACTED]&Signature=[REDACTED]&password=[REDACTED]&sort=-key',
    );
    expect(maskedQuery(undefined)).toBeUndefined();
  });
});
