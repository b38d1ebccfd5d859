import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EstateIndex } from '../estate/estate.index';
import { startSandbox, type Sandbox } from '../sandbox.server';

/**
 * The fakes against the vendor-written bodies in shared/upstream-samples: the same field names, the
 * same nesting, the same JSON types (a string stays a string, a number a number).
 */

const SAMPLES = join(__dirname, '../../../../../shared/upstream-samples');
const NOW = new Date('2025-03-14T12:00:00.000Z');

function sample(file: string): any {
  return JSON.parse(readFileSync(join(SAMPLES, file), 'utf8'));
}

type Shape = string | { [key: string]: Shape } | Shape[];

/** Field names and JSON types, recursively; arrays by their first element; null matches any type. */
function shape(value: unknown): Shape {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length > 0 ? [shape(value[0])] : [];
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, shape(v)]),
    );
  }
  return typeof value;
}

/** Where the sample has null, the fake may have a value (a finished job's started_at), and the reverse. */
function sameShape(actual: Shape, expected: Shape, path = '$'): string[] {
  if (actual === 'null' || expected === 'null') return [];
  if (typeof expected === 'string' || typeof actual === 'string') {
    return actual === expected
      ? []
      : [`${path}: ${JSON.stringify(actual)} instead of ${JSON.stringify(expected)}`];
  }
  if (Array.isArray(expected) || Array.isArray(actual)) {
    if (!Array.isArray(expected) || !Array.isArray(actual)) return [`${path}: array expected on both sides`];
    return expected.length && actual.length ? sameShape(actual[0], expected[0], `${path}[0]`) : [];
  }
  const problems: string[] = [];
  for (const key of Object.keys(expected)) {
    if (!(key in actual)) problems.push(`${path}.${key}: missing`);
    else problems.push(...sameShape(actual[key], expected[key], `${path}.${key}`));
  }
  for (const key of Object.keys(actual))
    if (!(key in expected)) problems.push(`${path}.${key}: not in the sample`);
  return problems;
}

describe("fake bodies have the vendor samples' shapes", () => {
  let sandbox: Sandbox;
  let gitlab: (path: string) => Promise<{ status: number; text: string; body: any }>;
  let snow: (path: string) => Promise<any>;

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 42, scale: 1, now: () => NOW });
    gitlab = async (path) => {
      const res = await fetch(`${sandbox.url}/gitlab/api/v4${path}`, {
        headers: { 'PRIVATE-TOKEN': sandbox.credentials.gitlabToken },
      });
      const text = await res.text();
      return { status: res.status, text, body: JSON.parse(text) };
    };
    const basic = Buffer.from(
      `${sandbox.credentials.servicenowUser}:${sandbox.credentials.servicenowPassword}`,
    );
    snow = (path) =>
      fetch(`${sandbox.url}/servicenow/api/now/table/${path}`, {
        headers: { Authorization: `Basic ${basic.toString('base64')}` },
      }).then((r) => r.json());
  });
  afterAll(() => sandbox.close());

  const deployment = (id: string) => {
    const p = sandbox.estate.planted.find((c) => c.id === id)!;
    return EstateIndex.of(sandbox.estate).deploymentsById.get(
      (p.subject as { deploymentId: number }).deploymentId,
    )!;
  };

  it('compares names and JSON types, so a drifted field is caught', () => {
    expect(sameShape(shape({ a: 1, c: [{ d: true }] }), shape({ a: '1', b: 2, c: [{ d: 'x' }] }))).toEqual([
      '$.a: "number" instead of "string"',
      '$.b: missing',
      '$.c[0].d: "boolean" instead of "string"',
    ]);
  });

  it('GitLab deployments list and single deployment', async () => {
    const list = await gitlab('/projects/acme%2Fpayments-api/deployments?per_page=5');
    expect(sameShape(shape(list.body), shape(sample('gitlab/deployments-list.json')))).toEqual([]);
    const d = deployment('RM-CHG-001/no-reference');
    const one = await gitlab(`/projects/acme%2Fpayments-api/deployments/${d.id}`);
    // The single-deployment doc sample omits public_email from the job's user; the list sample has it.
    // The Premium fields are the approvals fragment's (the docs show them apart).
    const expected = {
      ...sample('gitlab/deployments-get.json'),
      ...sample('gitlab/deployments-get-approvals-fragment.json'),
    };
    expected.deployable.user.public_email = '';
    expect(sameShape(shape(one.body), shape(expected))).toEqual([]);
  });

  it('GitLab environments', async () => {
    const envs = await gitlab('/projects/acme%2Fpayments-api/environments');
    expect(sameShape(shape(envs.body), shape(sample('gitlab/environments-list.json')))).toEqual([]);
  });

  it('GitLab pipeline and its variables', async () => {
    const d = deployment('RM-CHG-001/unknown-change');
    const pipeline = await gitlab(`/projects/acme%2Fnotifications-worker/pipelines/${d.pipelineId}`);
    expect(sameShape(shape(pipeline.body), shape(sample('gitlab/pipelines-get.json')))).toEqual([]);
    const variables = await gitlab(
      `/projects/acme%2Fnotifications-worker/pipelines/${d.pipelineId}/variables`,
    );
    const [typed, untyped] = sample('gitlab/pipelines-variables.json');
    for (const v of variables.body) {
      expect(sameShape(shape(v), shape('variable_type' in v ? typed : untyped))).toEqual([]);
    }
  });

  it('GitLab MR approvals', async () => {
    const d = deployment('RM-CHG-001/no-reference');
    const approvals = await gitlab(
      `/projects/acme%2Fpayments-api/merge_requests/${d.mergeRequestIids[0]}/approvals`,
    );
    expect(sameShape(shape(approvals.body), shape(sample('gitlab/merge_requests-approvals.json')))).toEqual(
      [],
    );
  });

  it('GitLab commit signatures: PGP, X.509 and the unsigned 404', async () => {
    const path = (service: string) => encodeURIComponent(`acme/${service}`);
    const commits = sandbox.estate.commits.filter((c) => c.committedAt <= sandbox.estate.now);
    const pgp = commits.find((c) => c.signature?.type === 'gpg')!;
    const pgpBody = await gitlab(`/projects/${path(pgp.service)}/repository/commits/${pgp.sha}/signature`);
    expect(sameShape(shape(pgpBody.body), shape(sample('gitlab/commits-signature-pgp.json')))).toEqual([]);
    const x509 = commits.find((c) => c.signature?.type === 'x509')!;
    const x509Body = await gitlab(`/projects/${path(x509.service)}/repository/commits/${x509.sha}/signature`);
    expect(sameShape(shape(x509Body.body), shape(sample('gitlab/commits-signature-x509.json')))).toEqual([]);
    const unsigned = commits.find((c) => c.signature === null)!;
    const missing = await gitlab(
      `/projects/${path(unsigned.service)}/repository/commits/${unsigned.sha}/signature`,
    );
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(sample('gitlab/commits-signature-404-unsigned.json'));
  });

  it('SonarQube analyses and the gate of one', async () => {
    const auth = { Authorization: `Bearer ${sandbox.credentials.sonarqubeToken}` };
    const list = await fetch(
      `${sandbox.url}/sonarqube/api/project_analyses/search?project=acme_ledger-service&ps=1`,
      {
        headers: auth,
      },
    ).then((r) => r.json() as Promise<any>);
    const analyses = sample('sonarqube/project_analyses-search.json');
    const expected = {
      ...analyses,
      analyses: [{ ...analyses.analyses[0], detectedCI: 'Jenkins', events: [] }],
    };
    expect(sameShape(shape(list), shape(expected))).toEqual([]);
    const gate = await fetch(
      `${sandbox.url}/sonarqube/api/qualitygates/project_status?analysisId=${list.analyses[0].key}`,
      { headers: auth },
    ).then((r) => r.json());
    expect(sameShape(shape(gate), shape(sample('sonarqube/qualitygates-project_status.json')))).toEqual([]);
  });

  it('Vault entity and group reads, and an empty list', async () => {
    const headers = { 'X-Vault-Token': sandbox.credentials.vaultToken };
    const vault = (path: string): Promise<any> =>
      fetch(`${sandbox.url}/vault/v1/${path}`, { headers }).then((r) => r.json());
    const entity = sandbox.estate.access.entities[0];
    const read = await vault(`identity/entity/id/${entity.id}`);
    const entitySample = sample('vault/identity-entity-name-read.json').data;
    const readShape = shape({ ...read.data, aliases: [] });
    expect(sameShape(readShape, shape(entitySample))).toEqual([]);
    const group = sandbox.estate.access.groups.find((g) => g.name === 'sre')!;
    const groupRead = await vault(`identity/group/id/${group.id}`);
    expect(
      sameShape(shape(groupRead.data), shape(sample('vault/identity-group-name-read.json').data)),
    ).toEqual([]);
    const list = await vault('identity/group/id?list=true');
    expect(Object.keys(list.data)).toEqual(
      expect.arrayContaining(Object.keys(sample('vault/identity-group-id-list.json').data)),
    );
    expect(await vault('identity/nothing?list=true')).toHaveProperty('errors');
  });

  it('CyberArk members and users, against the fields the PVWA docs list (plugin fixtures)', async () => {
    const fixtures = join(__dirname, '../../../../plugins/cyberark/test/fixtures');
    const fixture = (file: string) => JSON.parse(readFileSync(join(fixtures, file), 'utf8'));
    const logon = await fetch(`${sandbox.url}/cyberark/PasswordVault/API/auth/Cyberark/Logon`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: sandbox.credentials.cyberarkUser,
        password: sandbox.credentials.cyberarkPassword,
      }),
    }).then((r) => r.json() as Promise<string>);
    const pvwa = (path: string): Promise<any> =>
      fetch(`${sandbox.url}/cyberark/PasswordVault/API/${path}`, { headers: { Authorization: logon } }).then(
        (r) => r.json(),
      );
    const safes = await pvwa('Safes?limit=2');
    expect(sameShape(shape(safes), shape(fixture('safes-page-1.json')))).toEqual([]);
    const members = await pvwa('Safes/PROD-Payments/Members?limit=100');
    const user = members.value.find((m: any) => m.memberType === 'User');
    const fixtureUser = fixture('safe-members-prod-payments.json').value.find(
      (m: any) => m.memberType === 'User',
    );
    expect(sameShape(shape({ ...user, memberId: '1' }), shape({ ...fixtureUser, memberId: '1' }))).toEqual(
      [],
    );
    const users = await pvwa('Users?ExtendedDetails=true');
    const fixtureUsers = fixture('users-list.json');
    expect(
      sameShape(
        shape({ ...users, Users: [users.Users[0]] }),
        shape({ ...fixtureUsers, Users: [fixtureUsers.Users[0]] }),
      ),
    ).toEqual([]);
  });

  it('GitLab unknown route', async () => {
    const r = await gitlab('/no/such/route');
    expect(r.body).toEqual(sample('gitlab/error-404-unknown-route.json'));
  });

  it('ServiceNow change_request rows carry the change_request field set, every value a string or a reference', async () => {
    const expected = Object.keys(sample('servicenow/chg-rest-change-get.json').result).sort();
    const rows = (await snow('change_request?sysparm_limit=10')).result;
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(expected);
      for (const value of Object.values(row)) {
        if (typeof value !== 'string') expect(shape(value)).toEqual({ link: 'string', value: 'string' });
      }
    }
  });

  it('ServiceNow list and single-record envelopes match the Table API samples', async () => {
    const list = await snow('sys_user?sysparm_limit=1');
    expect(Array.isArray(list.result)).toBe(true);
    const domain = sample('servicenow/table-problem-list.json').result[0].sys_domain;
    expect(shape(list.result[0].sys_domain)).toEqual(shape(domain));
    const single = await snow(`sys_user/${list.result[0].sys_id}`);
    expect(Array.isArray(single.result)).toBe(false);
    expect(single.result.sys_id).toBe(list.result[0].sys_id);
    const error = await snow('sys_user/0123456789abcdef0123456789abcdef');
    expect(shape(error)).toEqual(shape(sample('servicenow/error-500-cmdb-instance.json')));
  });
});
