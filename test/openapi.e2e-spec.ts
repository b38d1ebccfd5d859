/**
 * The OpenAPI document (/api/docs-json) against the API that serves it: the `serve` app on the
 * embedded SQLite store over the simulated estate, after two reconcile runs. The served document
 * lints clean with redocly.yaml (the recommended rules of `redocly lint`); every operation is
 * typed and declares its errors; and every answer the API gives — each GET as an admin and a
 * team-scoped caller, each POST, and the refusals 400, 401, 403, 404, 409, 413, 415 and 429 —
 * matches the schema documented for its operation, status and media type. The schemas are
 * checked closed (an object's undeclared field fails), so a field the API returns without
 * documenting it fails here.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RESOLVE_AFTER, startSandbox, type Sandbox } from '../apps/sandbox/src';
import { ReconcileService } from '../apps/hub/src/runs/reconcile.service';
import { startApiServer, type ApiServer } from './support/api-server';
import { eventually } from './support/cli-process';
import { scratchDir } from './support/hub';
import { SQLITE_IN_PROCESS, type ShapeStorage } from './support/runtime-shapes';

// Ajv 8 as @redocly/openapi-core ships it (a transitive dependency): OpenAPI 3.0's `nullable` is
// one of its keywords.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Ajv = require('@redocly/ajv');

const T0 = new Date('2026-11-02T00:00:00.000Z');
const T1 = new Date(T0.getTime() + RESOLVE_AFTER + 60_000);
const TEAM = 'payments';
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean }[];
  responses: Record<string, { content?: Record<string, { schema?: object }>; headers?: object }>;
}

/**
 * An OpenAPI 3.0 schema as JSON Schema for Ajv, closed: `nullable` becomes "or null", and every
 * object schema that lists its properties and says nothing of others allows no others — what the
 * API answers must be declared field by field.
 */
function closed<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map(closed) as T;
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    // Example values are data, not schemas.
    out[k] = k === 'example' || k === 'examples' ? v : closed(v);
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  if (out.nullable !== true) return out as T;
  const { nullable: _nullable, description, ...rest } = out;
  return { description, anyOf: [rest, { type: 'null' }] } as T;
}

describe('The OpenAPI document against the API (SQLite, simulated estate)', () => {
  const scratch = scratchDir();
  let now = T0;
  let storage: ShapeStorage;
  let sandbox: Sandbox;
  let server: ApiServer;
  let doc: any;
  let ajv: any;
  const tokens: Record<string, string> = {};
  /** Each operation (`GET /api/v1/findings/{key}`) and the statuses it was seen answering. */
  const seen = new Map<string, Set<number>>();
  const mismatches: string[] = [];

  async function call(
    who: string | undefined,
    method: string,
    path: string,
    init: { body?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { accept: '*/*', ...init.headers };
    if (who) headers.authorization = `Bearer ${tokens[who]}`;
    if (init.body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${server.url}${path}`, { method, headers, body: init.body });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  /** Checks an answer against what the document says `template` answers with its status. */
  function check(method: string, template: string, label: string, a: Answer): void {
    const op = `${method.toUpperCase()} ${template}`;
    const operation: Operation | undefined = doc.paths[template]?.[method.toLowerCase()];
    if (!operation) {
      mismatches.push(`${label}: ${op} is not in the document`);
      return;
    }
    seen.set(op, (seen.get(op) ?? new Set()).add(a.status));
    const response = operation.responses[String(a.status)];
    if (!response) {
      mismatches.push(
        `${label}: answered ${a.status}, which ${op} does not document (${a.text.slice(0, 200)})`,
      );
      return;
    }
    const mediaType = (a.headers.get('content-type') ?? '').split(';')[0].trim();
    const media = response.content?.[mediaType];
    if (!media?.schema) {
      mismatches.push(
        `${label}: ${a.status} as ${mediaType || '(no content type)'} is not documented for ${op}`,
      );
      return;
    }
    for (const header of Object.keys(response.headers ?? {}))
      if (!a.headers.has(header))
        mismatches.push(`${label}: ${a.status} without its documented ${header} header`);
    const body = mediaType.endsWith('json') ? a.json : a.text;
    const validate = ajv.compile({ ...closed(media.schema), components: closed(doc.components) });
    if (!validate(body))
      mismatches.push(
        `${label}: the ${a.status} body does not match the documented schema: ${ajv.errorsText(validate.errors, { separator: '; ' })}`,
      );
  }

  async function expectAnswer(
    who: string | undefined,
    method: string,
    template: string,
    path: string,
    status: number,
    init?: { body?: string; headers?: Record<string, string> },
  ): Promise<Answer> {
    const a = await call(who, method, path, init);
    const label = `${method} ${path} as ${who ?? 'anonymous'}`;
    if (a.status !== status)
      mismatches.push(`${label}: expected ${status}, got ${a.status} (${a.text.slice(0, 200)})`);
    check(method, template, label, a);
    return a;
  }

  beforeAll(async () => {
    process.env.AUDIT_HUB_NOW = T0.toISOString();
    storage = await SQLITE_IN_PROCESS.storage(scratch.dir);
    sandbox = await startSandbox({ port: 0, seed: 7, scale: 1, now: () => now });
    server = await startApiServer(`${sandbox.configYaml()}\n${storage.yaml}`, ['api', 'worker']);
    await server.app.get(ReconcileService).reconcile({ trigger: 'cli' });
    now = T1;
    process.env.AUDIT_HUB_NOW = T1.toISOString();
    await server.app.get(ReconcileService).reconcile({ trigger: 'cli' });
    tokens.admin = await server.token('admin', { name: 'admin' });
    tokens.operator = await server.token('operator', { name: 'operator' });
    tokens.auditor = await server.token('auditor', { name: 'auditor' });
    tokens.teamAuditor = await server.token('auditor', { name: 'pay-auditor', team: TEAM });
    const res = await fetch(`${server.url}/api/docs-json`);
    expect(res.status).toBe(200);
    doc = await res.json();
    ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addFormat(
      'date-time',
      (s: string) =>
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) &&
        !Number.isNaN(Date.parse(s)),
    );
    ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
    ajv.addFormat('binary', () => true);
  }, 600_000);

  afterAll(async () => {
    delete process.env.AUDIT_HUB_NOW;
    await server?.close();
    await sandbox?.close();
    await storage?.cleanup();
    scratch.remove();
  });

  it('lints clean with the recommended rules (redocly.yaml)', async () => {
    const file = join(scratch.dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc, null, 2));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(__dirname, 'support', 'openapi-lint.mjs'), file, join(__dirname, '..', 'redocly.yaml')],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    expect(JSON.parse(stdout)).toEqual([]);
  });

  it('types every operation and declares its error answers with the error body', () => {
    const problems: string[] = [];
    const ids = new Set<string>();
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })]);
    expect(doc.components.securitySchemes.bearer).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    );
    expect(doc.components.securitySchemes.bearer.bearerFormat).toBeUndefined();
    for (const [template, item] of Object.entries<any>(doc.paths)) {
      for (const method of METHODS) {
        const op: Operation | undefined = item[method];
        if (!op) continue;
        const name = `${method.toUpperCase()} ${template}`;
        if (!op.operationId || ids.has(op.operationId)) problems.push(`${name}: no unique operationId`);
        ids.add(op.operationId ?? '');
        if (!op.summary) problems.push(`${name}: no summary`);
        if (!op.tags?.length) problems.push(`${name}: no tag`);
        const success = Object.entries(op.responses).filter(([s]) => /^2\d\d$/.test(s));
        if (!success.length) problems.push(`${name}: no success answer`);
        for (const [status, r] of success) {
          const schemas = Object.values(r.content ?? {}).map((m) => m.schema);
          if (!schemas.length || schemas.some((s) => !s || !Object.keys(s).length))
            problems.push(`${name}: ${status} has no schema`);
        }
        if (!template.startsWith('/api/v1/')) continue;
        expect({ name, security: op.security }).toEqual({ name, security: [{ bearer: [] }] });
        const errors = ['401', '403', '429', '500'];
        if (template.includes('{')) errors.push('404');
        if (op.parameters?.some((p) => p.in === 'query')) errors.push('400');
        if (method === 'post') errors.push('400', '413', '415');
        for (const status of errors) {
          const schema = op.responses[status]?.content?.['application/json']?.schema as any;
          if (schema?.$ref !== '#/components/schemas/ApiErrorDto')
            problems.push(`${name}: ${status} is not declared with the error body`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('logs each answer in the access log, with its request id and caller, never a token', async () => {
    const a = await call('auditor', 'GET', '/api/v1/me?limit=1');
    const id = a.headers.get('x-request-id');
    expect(id).toBeTruthy();
    const lines = server.logs
      .join('')
      .split('\n')
      .filter((l) => l.includes(`"reqId":"${id}"`))
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        method: 'GET',
        path: '/api/v1/me',
        status: 200,
        principal: 'token:auditor',
      }),
    ]);
    for (const token of Object.values(tokens)) expect(server.logs.join('')).not.toContain(token);
  });

  it('checks answers against closed schemas: an undeclared field fails', () => {
    const response = doc.paths['/api/v1/me'].get.responses['200'];
    const validate = ajv.compile({
      ...closed(response.content['application/json'].schema),
      components: closed(doc.components),
    });
    const me = { id: 'token:admin', name: 'admin', role: 'admin', team: null, kind: 'token' };
    expect(validate(me)).toBe(true);
    expect(validate({ ...me, extra: 1 })).toBe(false);
    expect(validate({ ...me, team: undefined })).toBe(false);
  });

  it('documents every answer the API gives, field for field', async () => {
    const enc = encodeURIComponent;
    const findings = (
      await expectAnswer('admin', 'GET', '/api/v1/findings', '/api/v1/findings?limit=500', 200)
    ).json as any;
    const releases = (
      await expectAnswer('admin', 'GET', '/api/v1/releases', '/api/v1/releases?limit=500', 200)
    ).json as any;
    const runs = (await expectAnswer('admin', 'GET', '/api/v1/runs', '/api/v1/runs', 200)).json as any;

    // Exceptions: requested, approved (then again: 409), rejected and expired; refused to an auditor.
    const exceptionBody = JSON.stringify({
      control: 'RM-CHG-002',
      subject: 'gitlab:acme/payments-api#*',
      reason: 'approvals recorded late during the tool migration',
      expires: '2027-01-31',
    });
    const requested = (
      await expectAnswer('operator', 'POST', '/api/v1/exceptions', '/api/v1/exceptions', 201, {
        body: exceptionBody,
      })
    ).json as any;
    const toReject = (
      await expectAnswer('operator', 'POST', '/api/v1/exceptions', '/api/v1/exceptions', 201, {
        body: exceptionBody,
      })
    ).json as any;
    const approve = '/api/v1/exceptions/{id}/approve';
    await expectAnswer('operator', 'POST', approve, `/api/v1/exceptions/${requested.id}/approve`, 403);
    await expectAnswer('admin', 'POST', approve, `/api/v1/exceptions/${requested.id}/approve`, 200);
    await expectAnswer('admin', 'POST', approve, `/api/v1/exceptions/${requested.id}/approve`, 409);
    await expectAnswer('admin', 'POST', approve, `/api/v1/exceptions/${requested.id}/approve`, 400, {
      body: JSON.stringify({ note: 'no fields are taken' }),
    });
    await expectAnswer(
      'admin',
      'POST',
      '/api/v1/exceptions/{id}/reject',
      `/api/v1/exceptions/${toReject.id}/reject`,
      200,
    );
    await expectAnswer(
      'admin',
      'POST',
      '/api/v1/exceptions/{id}/expire',
      `/api/v1/exceptions/${requested.id}/expire`,
      200,
    );
    await expectAnswer('auditor', 'POST', '/api/v1/exceptions', '/api/v1/exceptions', 403, {
      body: exceptionBody,
    });
    await expectAnswer('operator', 'POST', '/api/v1/exceptions', '/api/v1/exceptions', 400, {
      body: JSON.stringify({ control: 'RM-CHG-002' }),
    });
    await expectAnswer('operator', 'POST', '/api/v1/exceptions', '/api/v1/exceptions', 413, {
      body: JSON.stringify({ reason: 'x'.repeat(200_000) }),
    });
    await expectAnswer('operator', 'POST', '/api/v1/exceptions', '/api/v1/exceptions', 415, {
      body: exceptionBody,
      headers: { 'content-encoding': 'snappy' },
    });
    for (const action of ['approve', 'reject', 'expire'])
      await expectAnswer(
        'admin',
        'POST',
        `/api/v1/exceptions/{id}/${action}`,
        `/api/v1/exceptions/00000000-0000-4000-8000-000000000000/${action}`,
        404,
      );

    await expectAnswer('auditor', 'POST', '/api/v1/evidence/verify', '/api/v1/evidence/verify', 200);
    await expectAnswer('teamAuditor', 'POST', '/api/v1/evidence/verify', '/api/v1/evidence/verify', 403);

    // Every GET operation of the document, its path parameters taken from the lists above.
    const examples: Record<string, string> = {
      key: findings.items.find((f: any) => f.team === TEAM).key,
      id: '',
      ref: releases.items[0].ref,
    };
    const exampleOf = (template: string, param: string) =>
      param === 'id'
        ? template.startsWith('/api/v1/runs')
          ? runs.items[0].id
          : requested.id
        : examples[param];
    const requiredQuery: Record<string, string> = { from: '2026-10-01', to: '2026-11-30' };
    for (const [template, item] of Object.entries<any>(doc.paths)) {
      const op: Operation | undefined = item.get;
      if (!op) continue;
      const params = op.parameters ?? [];
      let path = template;
      for (const p of params.filter((x) => x.in === 'path')) {
        const value = exampleOf(template, p.name);
        expect({ template, param: p.name, value: value ? 'known' : 'unknown' }).toEqual({
          template,
          param: p.name,
          value: 'known',
        });
        path = path.replace(`{${p.name}}`, enc(value));
      }
      const query = params
        .filter((p) => p.in === 'query' && p.required)
        .map((p) => `${p.name}=${enc(requiredQuery[p.name] ?? '')}`);
      const withQuery = (extra: string[] = []) =>
        [path, [...query, ...extra].join('&')].filter(Boolean).join('?');

      if (!template.startsWith('/api/v1/')) {
        await expectAnswer(undefined, 'GET', template, path, 200);
        continue;
      }
      const formats = template === '/api/v1/reports' ? ['json', 'oscal', 'html', 'csv'] : [undefined];
      for (const format of formats) {
        const url = withQuery(format ? [`format=${format}`] : []);
        await expectAnswer('admin', 'GET', template, url, 200);
        // Its own team's share, or refused (a company-wide route), or not found (another team's).
        const team = await call('teamAuditor', 'GET', url);
        check('GET', template, `GET ${url} as teamAuditor`, team);
        if (![200, 403, 404].includes(team.status))
          mismatches.push(`GET ${url} as teamAuditor: ${team.status} (${team.text.slice(0, 200)})`);
      }
      await expectAnswer(undefined, 'GET', template, withQuery(), 401);
      if (params.some((p) => p.in === 'path'))
        await expectAnswer('admin', 'GET', template, template.replace(/\{[^}]+\}/g, 'no-such-item'), 404);
      if (params.some((p) => p.in === 'query'))
        await expectAnswer('admin', 'GET', template, withQuery(['noSuchParameter=1']), 400);
    }
    // As-of answers and the other team's finding.
    await expectAnswer('admin', 'GET', '/api/v1/findings', `/api/v1/findings?asOf=${T0.toISOString()}`, 200);
    const other = findings.items.find((f: any) => f.team && f.team !== TEAM);
    await expectAnswer(
      'teamAuditor',
      'GET',
      '/api/v1/findings/{key}',
      `/api/v1/findings/${enc(other.key)}`,
      404,
    );
    // A resolved finding (the second run resolved one), with its history.
    const resolved = findings.items.find((f: any) => f.status === 'resolved');
    expect(resolved).toBeDefined();
    await expectAnswer(
      'admin',
      'GET',
      '/api/v1/findings/{key}',
      `/api/v1/findings/${enc(resolved.key)}`,
      200,
    );

    // A run started through the API, followed to its end.
    const started = (await expectAnswer('admin', 'POST', '/api/v1/runs', '/api/v1/runs', 202, { body: '{}' }))
      .json as any;
    await expectAnswer('auditor', 'POST', '/api/v1/runs', '/api/v1/runs', 403, { body: '{}' });
    await eventually(
      async () =>
        ((await call('admin', 'GET', `/api/v1/runs/${started.id}`)).json as any)?.run?.status !== 'running',
      300_000,
      `run ${started.id} to end`,
    );
    await expectAnswer('admin', 'GET', '/api/v1/runs/{id}', `/api/v1/runs/${started.id}`, 200);

    // Anonymous calls from one address, past its limit on unauthenticated calls: 429.
    let limited: Answer | undefined;
    for (let i = 0; i < 200 && !limited; i++) {
      const a = await call(undefined, 'GET', '/api/v1/me');
      if (a.status === 429) limited = a;
      else check('GET', '/api/v1/me', 'GET /api/v1/me as anonymous', a);
    }
    expect(limited).toBeDefined();
    check('GET', '/api/v1/me', 'GET /api/v1/me as anonymous, over the limit', limited!);

    expect(mismatches).toEqual([]);
    // Every operation was seen succeeding, and each refusal the document declares was met somewhere.
    const unexercised: string[] = [];
    for (const [template, item] of Object.entries<any>(doc.paths))
      for (const method of METHODS) {
        const op = `${method.toUpperCase()} ${template}`;
        if (item[method] && ![...(seen.get(op) ?? [])].some((s) => s >= 200 && s < 300)) unexercised.push(op);
      }
    expect(unexercised).toEqual([]);
    const statuses = new Set([...seen.values()].flatMap((s) => [...s]));
    for (const status of [400, 401, 403, 404, 409, 413, 415, 429])
      expect({ status, seen: statuses.has(status) }).toEqual({ status, seen: true });
  });
});
