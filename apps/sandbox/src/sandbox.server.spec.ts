import { parse } from 'yaml';
import { DAY } from './estate/estate.clock';
import { expectedFindings } from './estate/estate.manifest';
import { startSandbox, type Sandbox } from './sandbox.server';

const NOW = new Date('2025-03-14T12:00:00.000Z');

describe('startSandbox', () => {
  let clock = NOW;
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: 42,
      scale: 1,
      now: () => clock,
      credentials: { servicenowUser: 'audit', servicenowPassword: 'not-a-real-secret' },
    });
  });
  afterAll(() => sandbox.close());

  it('listens on a free loopback port and mounts GitLab and ServiceNow', async () => {
    expect(sandbox.url).toBe(`http://127.0.0.1:${sandbox.port}`);
    expect(sandbox.port).toBeGreaterThan(0);
    const root = await fetch(`${sandbox.url}/`).then((r) => r.json());
    expect(root).toMatchObject({ gitlab: `${sandbox.url}/gitlab`, servicenow: `${sandbox.url}/servicenow` });
    const unknown = await fetch(`${sandbox.url}/jenkins/api/json`);
    expect(unknown.status).toBe(404);
  });

  it('keeps default credentials it was not given and takes the ones it was', async () => {
    expect(sandbox.credentials.gitlabToken).toMatch(/^glpat-sandbox-/);
    expect(sandbox.credentials.servicenowUser).toBe('audit');
    const basic = Buffer.from('audit:not-a-real-secret').toString('base64');
    const ok = await fetch(`${sandbox.url}/servicenow/api/now/table/sys_user?sysparm_limit=1`, {
      headers: { Authorization: `Basic ${basic}` },
    });
    expect(ok.status).toBe(200);
  });

  it('prints a config whose connectors point at the sandbox with literal credentials', () => {
    const config = parse(sandbox.configYaml());
    expect(config.connectors).toEqual([
      {
        id: 'gitlab',
        plugin: 'gitlab',
        baseUrl: `${sandbox.url}/gitlab`,
        auth: { token: sandbox.credentials.gitlabToken },
        options: { groups: ['acme'] },
      },
      {
        id: 'servicenow',
        plugin: 'servicenow',
        baseUrl: `${sandbox.url}/servicenow`,
        auth: { username: 'audit', password: 'not-a-real-secret' },
      },
    ]);
    expect(config.linking.changePattern).toBe('\\bCHG\\d{7}\\b');
    expect(config.services.map((s: any) => s.keys.gitlab)).toEqual(
      sandbox.estate.services.filter((s) => !s.archived).map((s) => s.gitlabPath),
    );
    expect(config.services.find((s: any) => s.name === 'payments-api')).toMatchObject({
      criticality: 'high',
      personalData: true,
    });
    expect(config.identities).toEqual({ sources: ['servicenow'], serviceAccountPattern: '^svc[-_]' });
  });

  it('travels in time with its clock: the estate grows and the expected findings follow', async () => {
    const before = expectedFindings(sandbox.estate).length;
    const lastId = Math.max(...sandbox.estate.deployments.map((d) => d.id));
    // Four days on: past the weekend, so routine releases happened in between.
    clock = new Date(NOW.getTime() + 4 * DAY);
    const headers = { 'PRIVATE-TOKEN': sandbox.credentials.gitlabToken };
    const url = `${sandbox.url}/gitlab/api/v4/projects/acme%2Fpayments-api/deployments?sort=desc&per_page=100`;
    const page = (await fetch(url, { headers }).then((r) => r.json())) as { created_at: string }[];
    expect(sandbox.estate.now).toBe(clock.toISOString());
    expect(sandbox.estate.deployments.some((d) => d.id > lastId && d.createdAt <= sandbox.estate.now)).toBe(
      true,
    );
    expect(page.every((d) => d.created_at <= clock.toISOString())).toBe(true);
    // One RM-CHG-001 finding resolved (its change now exists); the RM-CHG-002 one resolved and reopened.
    expect(expectedFindings(sandbox.estate)).toHaveLength(before - 1);
  });
});
