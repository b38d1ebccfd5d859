/** Contract tests of `connection.check()` (used by `connectors check`). */
import nock from 'nock';
import { BASE, connect, JSON_HEADERS, TOKEN } from './context';
import { fixture, sample } from './samples';

const ANALYSES = '/api/project_analyses/search';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
// nock's interceptor patches node's shared `http` module: restore it, or the next test file in this
// jest worker runs under two interceptors and a socket error (replyWithError) goes unhandled.
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

function sonar(): nock.Scope {
  return nock(BASE, { reqheaders: { authorization: `Bearer ${TOKEN}` } });
}

function upAndValid(scope: nock.Scope, status = 'system-status-up.json'): nock.Scope {
  return scope
    .get('/api/system/status')
    .reply(200, fixture(status), JSON_HEADERS)
    .get('/api/authentication/validate')
    .reply(200, fixture('authentication-validate-true.json'), JSON_HEADERS);
}

describe('sonarqube connection check (contract)', () => {
  it('confirms the server is UP, the token valid, and Browse on each configured project, naming those that fail', async () => {
    const scope = upAndValid(sonar())
      .get(ANALYSES)
      .query({ project: 'my_project', p: '1', ps: '1' })
      .reply(200, sample('project_analyses-search.json'), JSON_HEADERS)
      .get(ANALYSES)
      .query({ project: 'acme_secret', p: '1', ps: '1' })
      .reply(403, fixture('error-403-insufficient-privileges.json'), JSON_HEADERS)
      .get(ANALYSES)
      .query({ project: 'acme_gone', p: '1', ps: '1' })
      .reply(404, fixture('error-404-component-not-found.json'), JSON_HEADERS);

    const connection = await connect({ projects: ['my_project', 'acme_secret', 'acme_gone'] });
    const results = await connection.check();
    scope.done();

    expect(results).toEqual([
      { name: 'reachable', ok: true, detail: 'SonarQube 10.4.1.88267 is UP' },
      { name: 'credentials', ok: true, detail: 'the token is valid' },
      {
        name: 'project:my_project',
        ok: true,
        detail: 'Browse permission on my_project confirmed (3 analyses)',
      },
      {
        name: 'project:acme_secret',
        ok: false,
        detail: expect.stringMatching(
          /^the token's user lacks the Browse permission on project acme_secret: .*Insufficient privileges$/,
        ),
      },
      {
        name: 'project:acme_gone',
        ok: false,
        detail: expect.stringMatching(/^project acme_gone not found: .*Component key 'acme_gone' not found$/),
      },
    ]);
  });

  it('counts the visible projects when none is configured, and flags none visible', async () => {
    const some = upAndValid(sonar())
      .get('/api/components/search')
      .query({ qualifiers: 'TRK', p: '1', ps: '1' })
      .reply(200, fixture('components-search-page-1.json'), JSON_HEADERS);
    expect((await (await connect()).check())[2]).toEqual({
      name: 'read:projects',
      ok: true,
      detail: '3 project(s) visible to the token',
    });
    some.done();

    const none = upAndValid(sonar())
      .get('/api/components/search')
      .query({ qualifiers: 'TRK', p: '1', ps: '1' })
      .reply(200, fixture('components-search-none.json'), JSON_HEADERS);
    expect((await (await connect()).check())[2]).toEqual({
      name: 'read:projects',
      ok: false,
      detail: expect.stringContaining('no project is visible to the token'),
    });
    none.done();
  });

  it('stops at a server that is not UP, with its status', async () => {
    const scope = sonar()
      .get('/api/system/status')
      .reply(200, fixture('system-status-db-migration-needed.json'), JSON_HEADERS);
    const results = await (await connect({ projects: ['my_project'] })).check();
    scope.done();
    expect(results).toEqual([
      {
        name: 'reachable',
        ok: false,
        detail: expect.stringMatching(
          /^SonarQube 10\.4\.1\.88267 answered status "DB_MIGRATION_NEEDED", not UP/,
        ),
      },
    ]);
  });

  it('says the token was refused when api/authentication/validate answers valid=false', async () => {
    const scope = sonar()
      .get('/api/system/status')
      .reply(200, fixture('system-status-up.json'), JSON_HEADERS)
      .get('/api/authentication/validate')
      .reply(200, fixture('authentication-validate-false.json'), JSON_HEADERS);
    const results = await (await connect({ projects: ['my_project'] })).check();
    scope.done();
    expect(results).toEqual([
      { name: 'reachable', ok: true, detail: 'SonarQube 10.4.1.88267 is UP' },
      { name: 'credentials', ok: false, detail: expect.stringContaining('the token was refused') },
    ]);
  });

  it('warns that a 9.x server may ignore a bearer token', async () => {
    const scope = upAndValid(sonar(), 'system-status-up-9.9.json')
      .get(ANALYSES)
      .query({ project: 'my_project', p: '1', ps: '1' })
      .reply(200, sample('project_analyses-search.json'), JSON_HEADERS);
    const results = await (await connect({ projects: ['my_project'] })).check();
    scope.done();
    expect(results[1]).toEqual({
      name: 'credentials',
      ok: true,
      detail: expect.stringContaining('set options.authScheme: basic'),
    });
  });

  it('reports a base URL that is not SonarQube (real 404 sample) without the token', async () => {
    const wrong = sonar()
      .get('/api/system/status')
      .reply(404, sample('error-404-unknown-url.json'), JSON_HEADERS);
    const results = await (await connect()).check();
    wrong.done();
    expect(results).toEqual([
      { name: 'reachable', ok: false, detail: expect.stringContaining('Unknown url : api/xxx') },
    ]);
    expect(JSON.stringify(results)).not.toContain(TOKEN);
  });
});
