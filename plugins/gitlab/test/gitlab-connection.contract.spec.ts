/** Contract tests of `connection.check()` (used by `connectors check`). */
import nock from 'nock';
import { plugin } from '../src';
import { BASE, connect, makeContext, TOKEN } from './context';
import { fixture, sample } from './samples';

const JSON_HEADERS = { 'Content-Type': 'application/json' };
const P = '/api/v4/projects/diaspora%2Fdiaspora-client';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function gitlab(): nock.Scope {
  return nock(BASE, { reqheaders: { 'private-token': TOKEN } });
}

/** The token's user and the instance's edition (`/metadata`). */
function whoAndWhich(scope: nock.Scope, metadata = 'metadata-get-ee.json'): nock.Scope {
  return scope
    .get('/api/v4/user')
    .reply(200, fixture('user-get.json'), JSON_HEADERS)
    .get('/api/v4/metadata')
    .reply(200, fixture(metadata), JSON_HEADERS);
}

function memberProjects(scope: nock.Scope): nock.Scope {
  return scope
    .get('/api/v4/projects')
    .query({ membership: 'true', per_page: '1' })
    .reply(200, fixture('projects-simple.json'), { ...JSON_HEADERS, 'X-Next-Page': '2' });
}

/** The permission probes on one project: its latest pipeline's variables, protected environments, MR approvals. */
function probes(
  scope: nock.Scope,
  project: string,
  answers: {
    variables?: [number, string];
    protectedEnvironments?: [number, string];
    approvals?: [number, string];
  } = {},
): nock.Scope {
  const [vs, vb] = answers.variables ?? [200, sample('pipelines-variables.json')];
  const [ps, pb] = answers.protectedEnvironments ?? [200, sample('protected_environments-list.json')];
  const [as, ab] = answers.approvals ?? [200, sample('merge_requests-approvals.json')];
  return scope
    .get(`${project}/pipelines`)
    .query({ per_page: '1' })
    .reply(200, sample('pipelines-list.json'), JSON_HEADERS)
    .get(`${project}/pipelines/47/variables`)
    .reply(vs, vb, JSON_HEADERS)
    .get(`${project}/protected_environments`)
    .query({ per_page: '1' })
    .reply(ps, pb, JSON_HEADERS)
    .get(`${project}/merge_requests`)
    .query({ state: 'merged', per_page: '1' })
    .reply(200, fixture('merge_requests-merged-list.json'), JSON_HEADERS)
    .get(`${project}/merge_requests/3/approvals`)
    .reply(as, ab, JSON_HEADERS);
}

describe('gitlab connection check (contract)', () => {
  it('names the user and the edition, confirms read_api, names each missing project or group with what it costs, and probes the permissions', async () => {
    const scope = memberProjects(whoAndWhich(gitlab()))
      .get('/api/v4/projects/diaspora%2Fdiaspora-client')
      .reply(200, fixture('project-get.json'), JSON_HEADERS)
      .get('/api/v4/projects/acme%2Fgone')
      .reply(404, '{"message":"404 Project Not Found"}', JSON_HEADERS)
      .get('/api/v4/groups/acme%2Fplatform')
      .reply(404, sample('error-404-unknown-route.json'), JSON_HEADERS);
    probes(scope, P);

    const connection = await connect({
      projects: ['diaspora/diaspora-client', 'acme/gone'],
      groups: ['acme/platform'],
    });
    const results = await connection.check();
    scope.done();

    const deploymentKinds = ['deployment', 'merge-request', 'deployment-mr', 'commit'];
    expect(results).toEqual([
      { name: 'credentials', ok: true, detail: 'authenticated as @john_smith' },
      { name: 'edition', ok: true, detail: 'GitLab 18.1.1 Enterprise Edition' },
      { name: 'read:projects', ok: true, detail: 'the token can read the API (read_api)' },
      { name: 'project:diaspora/diaspora-client', ok: true, detail: 'visible as diaspora/diaspora-client' },
      {
        name: 'project:acme/gone',
        ok: false,
        detail: expect.stringMatching(
          /^project not found, or not visible to the token \(.*404 Project Not Found\)$/,
        ),
        affects: { kinds: deploymentKinds },
        fix: "check the project path, and give the token's user the Reporter role on the project",
      },
      {
        name: 'group:acme/platform',
        ok: false,
        detail: expect.stringMatching(/^group not found, or not visible to the token \(.*404 Not Found\)$/),
        affects: { kinds: [...deploymentKinds, 'group-membership'] },
        fix: "check the group path, and give the token's user the Reporter role on the group",
      },
      {
        name: 'pipeline-variables:diaspora/diaspora-client',
        ok: true,
        detail: 'the token can read pipeline variables (pipeline 47)',
      },
      {
        name: 'protected-environments:diaspora/diaspora-client',
        ok: true,
        detail: 'the token can read protected environments',
      },
      {
        name: 'merge-request-approvals:diaspora/diaspora-client',
        ok: true,
        detail: 'the token can read merge request approvals and approval rules',
      },
    ]);
  });

  it('with a Reporter token on Community Edition, warns once per missing permission or feature, with what it costs and the fix', async () => {
    const scope = whoAndWhich(gitlab(), 'metadata-get-ce.json');
    memberProjects(scope)
      .get('/api/v4/projects/diaspora%2Fdiaspora-client')
      .reply(200, fixture('project-get.json'), JSON_HEADERS);
    probes(scope, P, {
      variables: [403, fixture('error-403-forbidden.json')],
      protectedEnvironments: [404, sample('error-404-unknown-route.json')],
      approvals: [200, fixture('merge_requests-approvals-ce.json')],
    });

    const results = await (await connect({ projects: ['diaspora/diaspora-client'] })).check();
    scope.done();

    const byName = Object.fromEntries(results.map((r) => [r.name, r]));
    expect(byName.edition).toEqual({
      name: 'edition',
      ok: false,
      severity: 'warn',
      detail: expect.stringMatching(
        /^GitLab 18\.1\.1 Community Edition: deployment approvals, protected environments and merge request approval rules are Premium features it does not have; they are recorded as unknown \(null\)/,
      ),
      affects: {
        fields: [
          'deployment.approvals',
          'deployment.environmentProtection',
          'merge-request.approvalsRequired',
        ],
      },
      fix: expect.stringContaining('Premium'),
    });
    expect(byName['pipeline-variables:diaspora/diaspora-client']).toEqual({
      name: 'pipeline-variables:diaspora/diaspora-client',
      ok: false,
      severity: 'warn',
      detail: expect.stringContaining('GitLab refused the variables of pipeline 47 (403)'),
      affects: { fields: ['deployment.variables'] },
      fix: expect.stringMatching(/^the Maintainer role on diaspora\/diaspora-client/),
    });
    expect(byName['protected-environments:diaspora/diaspora-client']).toEqual({
      name: 'protected-environments:diaspora/diaspora-client',
      ok: false,
      severity: 'warn',
      detail: expect.stringContaining('no protected environments API (Community Edition)'),
      affects: { fields: ['deployment.environmentProtection'] },
      fix: expect.stringContaining('Premium'),
    });
    // Free still says who approved: only the approval rules are missing, and nothing is lost.
    expect(byName['merge-request-approvals:diaspora/diaspora-client']).toEqual({
      name: 'merge-request-approvals:diaspora/diaspora-client',
      ok: true,
      detail: expect.stringContaining('approval rules (required approvals) are a Premium feature'),
    });
    // Collection goes on: every failure is a warning.
    expect(results.filter((r) => !r.ok).every((r) => r.severity === 'warn')).toBe(true);
  });

  it('on an Enterprise Edition, tells a refusal below Maintainer (403) from a missing endpoint, and an old GitLab by /version', async () => {
    const scope = gitlab()
      .get('/api/v4/user')
      .reply(200, fixture('user-get.json'), JSON_HEADERS)
      .get('/api/v4/metadata')
      .reply(404, sample('error-404-unknown-route.json'), JSON_HEADERS)
      .get('/api/v4/version')
      .reply(200, fixture('version-get-ee.json'), JSON_HEADERS);
    memberProjects(scope);
    // No project configured: the token's first member project (projects-simple.json: id 4) is probed.
    probes(scope, '/api/v4/projects/4', {
      protectedEnvironments: [403, fixture('error-403-forbidden.json')],
      approvals: [404, sample('error-404-unknown-route.json')],
    });

    const results = await (await connect()).check();
    scope.done();

    const byName = Object.fromEntries(results.map((r) => [r.name, r]));
    expect(byName.edition).toEqual({ name: 'edition', ok: true, detail: 'GitLab 15.1.0 Enterprise Edition' });
    expect(byName['protected-environments:diaspora/diaspora-client']).toEqual({
      name: 'protected-environments:diaspora/diaspora-client',
      ok: false,
      severity: 'warn',
      detail: expect.stringContaining('GitLab refused the protected environments (403)'),
      affects: { fields: ['deployment.environmentProtection'] },
      fix: expect.stringMatching(/^the Maintainer role on diaspora\/diaspora-client/),
    });
    expect(byName['merge-request-approvals:diaspora/diaspora-client']).toMatchObject({
      ok: false,
      severity: 'warn',
      affects: { fields: ['merge-request.approvedBy'] },
    });
  });

  it('checks the members of each configured group', async () => {
    const scope = memberProjects(whoAndWhich(gitlab()))
      .get('/api/v4/groups/twitter')
      .reply(200, fixture('group-get.json'), JSON_HEADERS)
      .get('/api/v4/groups/twitter/members/all')
      .query({ per_page: '1' })
      .reply(200, fixture('groups-members-all.json'), JSON_HEADERS)
      .get('/api/v4/groups/acme%2Fsecret')
      .reply(200, '{"id":9,"full_path":"acme/secret"}', JSON_HEADERS)
      .get('/api/v4/groups/acme%2Fsecret/members/all')
      .query({ per_page: '1' })
      .reply(403, fixture('error-403-forbidden.json'), JSON_HEADERS);
    probes(scope, '/api/v4/projects/4');

    const results = await (await connect({ groups: ['twitter', 'acme/secret'] })).check();
    scope.done();

    const byName = Object.fromEntries(results.map((r) => [r.name, r]));
    expect(byName['group-members:twitter']).toEqual({
      name: 'group-members:twitter',
      ok: true,
      detail: 'the token can read the group members',
    });
    expect(byName['group-members:acme/secret']).toEqual({
      name: 'group-members:acme/secret',
      ok: false,
      detail: 'GitLab did not list the group members (403)',
      affects: { kinds: ['group-membership'] },
      fix: expect.stringContaining('membership of acme/secret'),
    });
  });

  it('checks each repository the service catalog names for it (shipped ranges of Jenkins deployments)', async () => {
    const scope = memberProjects(whoAndWhich(gitlab()))
      .get('/api/v4/projects/diaspora%2Fdiaspora-client')
      .reply(200, fixture('project-get.json'), JSON_HEADERS)
      .get('/api/v4/projects/acme%2Fsettlement-engine')
      .reply(404, '{"message":"404 Project Not Found"}', JSON_HEADERS);
    probes(scope, '/api/v4/projects/4');
    const connection = await plugin.connect({
      ...makeContext(),
      services: [
        { name: 'diaspora-client', keys: { gitlab: 'diaspora/diaspora-client' } },
        {
          name: 'settlement-engine',
          keys: { gitlab: 'acme/settlement-engine', jenkins: 'settlement-deploy' },
        },
        { name: 'no-repository', keys: { jenkins: 'other-deploy' } },
      ],
    });
    const results = await connection.check();
    scope.done();
    expect(results.filter((r) => r.name.startsWith('repository:'))).toEqual([
      {
        name: 'repository:diaspora/diaspora-client',
        ok: true,
        detail: 'visible as diaspora/diaspora-client',
      },
      {
        name: 'repository:acme/settlement-engine',
        ok: false,
        detail: expect.stringMatching(/^repository not found, or not visible to the token/),
        affects: { kinds: ['merge-request', 'deployment-mr', 'commit'] },
        fix: expect.stringContaining('Reporter role'),
      },
    ]);
  });

  it('says the token was refused on a 401, stops there, and never prints the token', async () => {
    const scope = gitlab()
      .get('/api/v4/user')
      .reply(401, `{"message":"401 Unauthorized: token ${TOKEN} is revoked"}`, JSON_HEADERS);

    const results = await (await connect({ projects: ['diaspora/diaspora-client'] })).check();
    scope.done();

    expect(results).toEqual([
      {
        name: 'credentials',
        ok: false,
        detail: 'the token was refused (revoked, expired or mistyped)',
        fix: 'a valid token with the read_api scope',
      },
    ]);
    expect(JSON.stringify(results)).not.toContain(TOKEN);
  });

  it('flags a token without the read_api scope, with what it costs', async () => {
    const scope = whoAndWhich(gitlab())
      .get('/api/v4/projects')
      .query({ membership: 'true', per_page: '1' })
      .reply(
        403,
        '{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api read_api"}',
        JSON_HEADERS,
      );

    const results = await (await connect()).check();
    scope.done();

    expect(results[2]).toEqual({
      name: 'read:projects',
      ok: false,
      detail: expect.stringMatching(
        /^the token cannot read the API: give it the read_api scope \(.*insufficient_scope/,
      ),
      affects: { kinds: ['deployment', 'merge-request', 'deployment-mr', 'commit', 'group-membership'] },
      fix: 'the read_api scope on the token',
    });
  });

  it('reports an unreachable server as such, with the reason', async () => {
    const scope = gitlab().get('/api/v4/user').times(2).replyWithError('connect ECONNREFUSED');

    const results = await (await connect()).check();
    scope.done();

    expect(results).toEqual([
      { name: 'reachable', ok: false, detail: expect.stringContaining('ECONNREFUSED') },
    ]);
  });
});
