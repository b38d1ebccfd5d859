import { plugin as sonarqubePlugin } from '@audit-hub/plugin-sonarqube';
import { pluginTestContext, readBatches } from '@audit-hub/plugin-sdk/testing';
import { generateEstate } from '../estate/estate.generator';
import { startSandbox, type Sandbox } from '../sandbox.server';
import {
  createSonarqubeFake,
  SONARQUBE_LOSSY_BEHAVIOURS,
  SONARQUBE_LTS_VERSION,
  SONARQUBE_TRANSPARENT_BEHAVIOURS,
  SONARQUBE_VERSION,
  type SonarqubeBehaviours,
} from './sonarqube.fake';
import { serveFake } from './fake-server.testing';

const NOW = new Date('2025-03-14T12:00:00.000Z');

describe('SonarQube fake over HTTP', () => {
  let sandbox: Sandbox;
  const sonar = async (path: string, headers?: Record<string, string>) => {
    const res = await fetch(`${sandbox.url}/sonarqube${path}`, {
      headers: headers ?? { Authorization: `Bearer ${sandbox.credentials.sonarqubeToken}` },
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 42, scale: 1, now: () => NOW });
  });
  afterAll(() => sandbox.close());

  it('answers system status without a token, validates tokens with a 200, and refuses the rest without one', async () => {
    expect((await sonar('/api/system/status', {})).body).toMatchObject({
      status: 'UP',
      version: expect.stringMatching(/^10\./),
    });
    expect((await sonar('/api/authentication/validate', { Authorization: 'Bearer squ_nope' })).body).toEqual({
      valid: false,
    });
    expect((await sonar('/api/authentication/validate')).body).toEqual({ valid: true });
    const basic = Buffer.from(`${sandbox.credentials.sonarqubeToken}:`).toString('base64');
    expect((await sonar('/api/authentication/validate', { Authorization: `Basic ${basic}` })).body).toEqual({
      valid: true,
    });
    const refused = await sonar('/api/components/search?qualifiers=TRK', {});
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ errors: [{ msg: 'Authentication is required' }] });
  });

  it('pages projects and analyses with p/ps and paging.total; analyses newest first, from inclusive', async () => {
    const first = await sonar('/api/components/search?qualifiers=TRK&p=1&ps=3');
    expect(first.body.paging).toEqual({ pageIndex: 1, pageSize: 3, total: 8 });
    expect(first.body.components[0]).toEqual({
      key: 'acme_payments-api',
      name: 'payments-api',
      qualifier: 'TRK',
      project: 'acme_payments-api',
    });
    const all = await sonar('/api/project_analyses/search?project=acme_payments-api&ps=500');
    const dates: string[] = all.body.analyses.map((a: any) => a.date);
    expect([...dates].sort().reverse()).toEqual(dates);
    expect(dates[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
    const from = dates[3];
    const since = await sonar(
      `/api/project_analyses/search?project=acme_payments-api&ps=500&from=${encodeURIComponent(from)}`,
    );
    expect(since.body.analyses.map((a: any) => a.date)).toEqual(dates.slice(0, 4));
    expect((await sonar('/api/project_analyses/search?project=acme_payments-api&ps=501')).status).toBe(400);
    expect((await sonar('/api/project_analyses/search?project=acme_nope')).body).toEqual({
      errors: [{ msg: "Component key 'acme_nope' not found" }],
    });
  });

  it("gives each analysis's gate as computed then, with its conditions as strings", async () => {
    const error = sandbox.estate.analyses.find((a) => a.status === 'ERROR')!;
    const gate = await sonar(`/api/qualitygates/project_status?analysisId=${error.key}`);
    expect(gate.body.projectStatus).toMatchObject({ status: 'ERROR', ignoredConditions: false });
    expect(gate.body.projectStatus.conditions).toContainEqual(
      expect.objectContaining({
        metricKey: 'new_coverage',
        status: 'ERROR',
        errorThreshold: '80',
        actualValue: expect.any(String),
      }),
    );
    const missing = await sonar('/api/qualitygates/project_status?analysisId=AYnope');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ errors: [{ msg: "Analysis with id 'AYnope' is not found" }] });
  });
});

describe('SonarQube fake behaviours', () => {
  const estate = generateEstate({ seed: 42, scale: 1, now: NOW });
  const TOKEN = 'squ_behaviour-test-token';
  const fake = (behaviours: SonarqubeBehaviours = {}) =>
    createSonarqubeFake({ estate: () => estate, token: TOKEN, now: () => NOW, behaviours });
  const call = (handler: ReturnType<typeof fake>, path: string, authorization?: string) => {
    const url = new URL(path, 'http://sonar.invalid');
    const response = handler({
      method: 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: authorization ? { authorization } : {},
      baseUrl: 'http://sonar.invalid',
    });
    const body = response.headers['content-type'].startsWith('text/plain')
      ? response.body
      : JSON.parse(response.body);
    return { status: response.status, body };
  };
  const bearer = `Bearer ${TOKEN}`;
  const basic = `Basic ${Buffer.from(`${TOKEN}:`).toString('base64')}`;
  const project = `${estate.organization.path}_${estate.services.find((s) => !s.archived)!.name}`;

  it('answers api/server/version in plain text and api/users/current for the token’s user', () => {
    expect(call(fake(), '/api/server/version')).toEqual({ status: 200, body: SONARQUBE_VERSION });
    expect(call(fake(), '/api/users/current', bearer).body).toMatchObject({ isLoggedIn: true });
    expect(call(fake(), '/api/users/current').status).toBe(401);
  });

  it('sonarqube99: 9.9 LTS serves a bearer token as anonymous (private projects vanish or are refused), reads it as the basic user name', () => {
    const lts = fake({ sonarqube99: true });
    expect(call(lts, '/api/server/version').body).toBe(SONARQUBE_LTS_VERSION);
    expect(call(lts, '/api/system/status').body.version).toBe(SONARQUBE_LTS_VERSION);
    // Anonymous, yet "valid": authentication is not forced.
    expect(call(lts, '/api/authentication/validate', bearer).body).toEqual({ valid: true });
    expect(call(lts, '/api/users/current', bearer).body).toEqual({
      isLoggedIn: false,
      permissions: { global: [] },
    });
    expect(call(lts, '/api/components/search?qualifiers=TRK', bearer).body.paging.total).toBe(0);
    expect(call(lts, `/api/project_analyses/search?project=${project}`, bearer)).toEqual({
      status: 403,
      body: { errors: [{ msg: 'Insufficient privileges' }] },
    });
    const gate = estate.analyses[0];
    expect(call(lts, `/api/qualitygates/project_status?analysisId=${gate.key}`, bearer).status).toBe(403);
    // The basic form reads the token: everything is there.
    expect(call(lts, '/api/users/current', basic).body).toMatchObject({ isLoggedIn: true });
    expect(call(lts, '/api/components/search?qualifiers=TRK', basic).body.paging.total).toBe(
      call(fake(), '/api/components/search?qualifiers=TRK', bearer).body.paging.total,
    );
    expect(call(lts, `/api/project_analyses/search?project=${project}`, basic).status).toBe(200);
  });

  it('sonarqubeBrowseMissing: one project is left out of the search and refused (403), the others read', () => {
    const all = call(fake(), '/api/components/search?qualifiers=TRK&ps=500', bearer).body.components;
    const some = call(
      fake({ sonarqubeBrowseMissing: true }),
      '/api/components/search?qualifiers=TRK&ps=500',
      bearer,
    ).body.components;
    const missing = all.filter((c: any) => !some.some((s: any) => s.key === c.key));
    expect(missing).toHaveLength(1);
    const hidden = fake({ sonarqubeBrowseMissing: true });
    expect(call(hidden, `/api/project_analyses/search?project=${missing[0].key}`, bearer).status).toBe(403);
    expect(call(hidden, `/api/project_analyses/search?project=${some[0].key}`, bearer).status).toBe(200);
    expect(SONARQUBE_LOSSY_BEHAVIOURS).toEqual(['sonarqubeBrowseMissing']);
    expect(SONARQUBE_TRANSPARENT_BEHAVIOURS).toEqual(['sonarqube99']);
  });
});

describe('the sonarqube connector against the fake’s behaviours', () => {
  const estate = generateEstate({ seed: 42, scale: 1, now: NOW });
  const TOKEN = 'squ_behaviour-test-token';
  const SINCE = new Date(NOW.getTime() - 90 * 86_400_000);
  const services = estate.services.map((s) => ({
    name: s.name,
    keys: { sonarqube: `${estate.organization.path}_${s.name}` },
  }));

  /** The fake on a loopback port, and every batch of one quality-gates read with default options. */
  async function collect(behaviours: SonarqubeBehaviours) {
    const handler = createSonarqubeFake({ estate: () => estate, token: TOKEN, now: () => NOW, behaviours });
    const fake = await serveFake(handler);
    try {
      const ctx = pluginTestContext(sonarqubePlugin, {
        connectorId: 'sonarqube',
        baseUrl: fake.baseUrl,
        auth: { token: TOKEN },
        services,
        now: NOW,
      });
      const connection = await sonarqubePlugin.connect(ctx);
      return {
        batches: await readBatches(connection, 'quality-gates', { cursor: null, full: true, since: SINCE }),
        checks: await connection.check(),
      };
    } finally {
      await fake.close();
    }
  }
  const gates = (batches: { records: { externalId: string }[] }[]) =>
    batches.flatMap((b) => b.records.map((r) => r.externalId)).sort();

  it('sonarqube99 is transparent: the same gates, no problem, every check passing (the token sent as the basic user name)', async () => {
    const plain = await collect({});
    const lts = await collect({ sonarqube99: true });
    expect(gates(plain.batches).length).toBeGreaterThan(0);
    expect(gates(lts.batches)).toEqual(gates(plain.batches));
    expect(lts.batches.flatMap((b) => b.problems ?? [])).toEqual([]);
    expect(lts.checks.filter((c) => !c.ok)).toEqual([]);
    expect(lts.checks.find((c) => c.name === 'auth-scheme')?.detail).toContain('basic-auth user name');
  });

  it('sonarqubeBrowseMissing is lossy and said so: the project is a lasting problem, never a project without gates', async () => {
    const { batches } = await collect({ sonarqubeBrowseMissing: true });
    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([
      expect.objectContaining({ code: 'sonarqube-browse-forbidden', lasting: true }),
    ]);
  });
});
