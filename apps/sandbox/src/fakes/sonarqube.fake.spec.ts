import { startSandbox, type Sandbox } from '../sandbox.server';

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
