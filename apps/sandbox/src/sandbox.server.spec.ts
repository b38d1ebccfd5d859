import { connect } from 'node:net';
import { parse } from 'yaml';
import { DAY } from './estate/estate.clock';
import { expectedFindings } from './estate/estate.manifest';
import { startSandbox, type Sandbox } from './sandbox.server';

const NOW = new Date('2025-03-14T12:00:00.000Z');

/** Sends raw bytes and reads the answer until the server closes the connection. */
function rawRequest(port: number, text: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, ...rest] = received.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), body: rest.join('\r\n\r\n') });
    });
  });
}

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

  it('listens on a free loopback port and mounts every simulated system', async () => {
    expect(sandbox.url).toBe(`http://127.0.0.1:${sandbox.port}`);
    expect(sandbox.port).toBeGreaterThan(0);
    const root = await fetch(`${sandbox.url}/`).then((r) => r.json());
    expect(root).toMatchObject({
      gitlab: `${sandbox.url}/gitlab`,
      servicenow: `${sandbox.url}/servicenow`,
      jenkins: `${sandbox.url}/jenkins`,
      sonarqube: `${sandbox.url}/sonarqube`,
      vault: `${sandbox.url}/vault`,
      cyberark: `${sandbox.url}/cyberark`,
      jira: `${sandbox.url}/jira`,
      manifest: `${sandbox.url}/manifest.json`,
    });
    const unknown = await fetch(`${sandbox.url}/bamboo/api/json`);
    expect(unknown.status).toBe(404);
  });

  it('serves the manifest of expected findings next to the estate', async () => {
    const manifest: any = await fetch(`${sandbox.url}/manifest.json`).then((r) => r.json());
    expect(manifest).toMatchObject({ seed: 42, scale: 1, now: sandbox.estate.now });
    expect(manifest.expectedFindings).toEqual(expectedFindings(sandbox.estate));
    expect(manifest.plantedCases.length).toBeGreaterThan(manifest.expectedFindings.length);
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

  it('answers Vault LIST requests, which Node refuses before any handler, read off the socket', async () => {
    const list = await rawRequest(
      sandbox.port,
      `LIST /vault/v1/identity/group/id HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Vault-Token: ${sandbox.credentials.vaultToken}\r\n\r\n`,
    );
    expect(list.status).toBe(200);
    expect(JSON.parse(list.body).data.keys.length).toBe(
      sandbox.estate.access.groups.filter((g) => g.createdAt <= sandbox.estate.now).length,
    );
    const refused = await rawRequest(
      sandbox.port,
      'LIST /vault/v1/identity/group/id HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toEqual({ errors: ['permission denied'] });
  });

  it('prints a config with a connector for every system, the catalog keyed in each, roles, exceptions', () => {
    const config = parse(sandbox.configYaml());
    expect(config.connectors.map((c: any) => [c.id, c.plugin, c.baseUrl])).toEqual([
      ['gitlab', 'gitlab', `${sandbox.url}/gitlab`],
      ['servicenow', 'servicenow', `${sandbox.url}/servicenow`],
      ['cmdb', 'cmdb', `${sandbox.url}/servicenow`],
      ['jenkins', 'jenkins', `${sandbox.url}/jenkins`],
      ['sonarqube', 'sonarqube', `${sandbox.url}/sonarqube`],
      ['vault', 'vault', `${sandbox.url}/vault`],
      ['cyberark', 'cyberark', `${sandbox.url}/cyberark`],
      ['jira', 'jira', `${sandbox.url}/jira`],
      ['gitlab-issues', 'gitlab-issues', `${sandbox.url}/gitlab`],
    ]);
    expect(config.connectors[0]).toMatchObject({
      auth: { token: sandbox.credentials.gitlabToken },
      options: { groups: ['acme'] },
    });
    expect(config.connectors[1].auth).toEqual({ username: 'audit', password: 'not-a-real-secret' });
    expect(config.linking.changePattern).toBe('\\bCHG\\d{7}\\b');
    expect(config.services.map((s: any) => s.keys.gitlab)).toEqual(
      sandbox.estate.services.filter((s) => !s.archived).map((s) => s.gitlabPath),
    );
    expect(config.services.find((s: any) => s.name === 'payments-api')).toMatchObject({
      criticality: 'high',
      personalData: true,
      keys: { gitlab: 'acme/payments-api', sonarqube: 'acme_payments-api', cmdb: 'payments-api' },
    });
    expect(config.services.find((s: any) => s.name === 'settlement-engine').keys.jenkins).toBe(
      'finance/settlement-engine-deploy',
    );
    expect(config.identities).toEqual({ sources: ['servicenow'], serviceAccountPattern: '^svc[-_]' });
    expect(config.roles.developer).toEqual({ groups: ['servicenow:Developers'] });
    expect(config.roles['break-glass']).toEqual({
      groups: ['servicenow:SRE'],
      users: sandbox.estate.breakGlassUsers,
    });
    expect(config.production).toEqual({ vaultPolicies: ['*prod*'], cyberarkSafes: ['PROD-*'] });
    expect(config.controls['RM-SOD-003']).toEqual({ enabled: true });
    const accepted = expectedFindings(sandbox.estate).filter((f) => f.status === 'accepted');
    expect(config.exceptions).toEqual([
      expect.objectContaining({ control: accepted[0].controlId, subject: accepted[0].subjectRef }),
    ]);
    expect(config.exceptions[0].approvedBy).not.toBe(config.exceptions[0].requestedBy);
    expect(typeof config.exceptions[0].expires).toBe('string');
    expect(config.remediation).toBeUndefined();
    expect(parse(sandbox.configYaml({ tracker: 'jira' })).remediation).toEqual({ tracker: 'jira' });
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

describe('configYaml for smaller runs', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 42, scale: 1, now: () => NOW });
  });
  afterAll(() => sandbox.close());

  it('keeps only the connectors named (and the tracker), with the http policy and options asked for', () => {
    const config = parse(
      sandbox.configYaml({
        only: ['servicenow', 'vault'],
        tracker: 'jira',
        http: { vault: { retries: 1, timeoutMs: 2000 } },
        options: { servicenow: { pageSize: 50 } },
      }),
    );
    expect(config.connectors.map((c: { id: string }) => c.id)).toEqual(['servicenow', 'vault', 'jira']);
    expect(config.connectors[1].http).toEqual({ retries: 1, timeoutMs: 2000 });
    expect(config.connectors[0].options).toEqual({ pageSize: 50 });
    expect(config.remediation).toEqual({ tracker: 'jira' });
    expect(() => sandbox.configYaml({ only: ['bamboo'] })).toThrow(/no connector "bamboo"/);
    expect(parse(sandbox.configYaml()).connectors).toHaveLength(9);
  });
});
