/** Contract tests of `connection.check()` (used by `connectors check`). */
import nock from 'nock';
import type { SonarQubeOptions } from '../src';
import { BASE, connect, JSON_HEADERS, TOKEN } from './context';
import { fixture, sample } from './samples';

const ANALYSES = '/api/project_analyses/search';
const TEXT_HEADERS = { 'Content-Type': 'text/plain;charset=utf-8' };
const GATES = { kinds: ['quality-gate'] };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
// nock's interceptor patches node's shared `http` module: restore it, or the next test file in this
// jest worker runs under two interceptors and a socket error (replyWithError) goes unhandled.
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

/**
 * `api/server/version`, asked without credentials: once by the `auto` scheme before the first
 * authenticated request, once by the check itself.
 */
function version(file = 'server-version-10.4.txt', times = 2): nock.Scope {
  return nock(BASE, { badheaders: ['authorization'] })
    .get('/api/server/version')
    .times(times)
    .reply(200, fixture(file), TEXT_HEADERS);
}

function sonar(authorization = `Bearer ${TOKEN}`): nock.Scope {
  return nock(BASE, { reqheaders: { authorization } });
}

/** UP, the token valid, the requests running as its user. */
function upAndValid(
  scope: nock.Scope,
  status = 'system-status-up.json',
  user = 'users-current.json',
): nock.Scope {
  return scope
    .get('/api/system/status')
    .reply(200, fixture(status), JSON_HEADERS)
    .get('/api/authentication/validate')
    .reply(200, fixture('authentication-validate-true.json'), JSON_HEADERS)
    .get('/api/users/current')
    .reply(200, fixture(user), JSON_HEADERS);
}

async function check(options: SonarQubeOptions = {}) {
  return (await connect(options)).check();
}

describe('sonarqube connection check (contract)', () => {
  it('confirms the server is UP, the scheme for its version, the token’s user, and Browse on each configured project, naming those that fail with their fix', async () => {
    const asked = version();
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

    const results = await check({ projects: ['my_project', 'acme_secret', 'acme_gone'] });
    asked.done();
    scope.done();

    expect(results).toEqual([
      { name: 'reachable', ok: true, detail: 'SonarQube 10.4.1.88267 is UP' },
      {
        name: 'auth-scheme',
        ok: true,
        detail: 'SonarQube 10.4.1.88267: the token is sent as a bearer token',
      },
      { name: 'credentials', ok: true, detail: 'the token is valid (user audit-hub)' },
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
        affects: GATES,
        fix: expect.stringContaining('Browse permission on the project'),
      },
      {
        name: 'project:acme_gone',
        ok: false,
        detail: expect.stringMatching(/^project acme_gone not found: .*Component key 'acme_gone' not found$/),
        affects: GATES,
        fix: 'correct or remove the project key in options.projects',
      },
    ]);
  });

  it('counts the visible projects when none is configured, and flags none visible', async () => {
    version();
    const some = upAndValid(sonar())
      .get('/api/components/search')
      .query({ qualifiers: 'TRK', p: '1', ps: '1' })
      .reply(200, fixture('components-search-page-1.json'), JSON_HEADERS);
    expect((await check())[3]).toEqual({
      name: 'read:projects',
      ok: true,
      detail: '3 project(s) visible to the token',
    });
    some.done();

    version();
    const none = upAndValid(sonar())
      .get('/api/components/search')
      .query({ qualifiers: 'TRK', p: '1', ps: '1' })
      .reply(200, fixture('components-search-none.json'), JSON_HEADERS);
    expect((await check())[3]).toEqual({
      name: 'read:projects',
      ok: false,
      detail: expect.stringContaining('no project is visible to the token'),
      affects: GATES,
      fix: expect.stringContaining('Browse permission'),
    });
    none.done();
  });

  it('stops at a server that is not UP, with its status', async () => {
    version('server-version-10.4.txt', 1);
    const scope = sonar()
      .get('/api/system/status')
      .reply(200, fixture('system-status-db-migration-needed.json'), JSON_HEADERS);
    const results = await check({ projects: ['my_project'] });
    scope.done();
    expect(results).toEqual([
      {
        name: 'reachable',
        ok: false,
        detail: expect.stringMatching(
          /^SonarQube 10\.4\.1\.88267 answered status "DB_MIGRATION_NEEDED", not UP/,
        ),
        affects: GATES,
      },
    ]);
  });

  it('says the token was refused when api/authentication/validate answers valid=false', async () => {
    version();
    const scope = sonar()
      .get('/api/system/status')
      .reply(200, fixture('system-status-up.json'), JSON_HEADERS)
      .get('/api/authentication/validate')
      .reply(200, fixture('authentication-validate-false.json'), JSON_HEADERS);
    const results = await check({ projects: ['my_project'] });
    scope.done();
    expect(results).toEqual([
      { name: 'reachable', ok: true, detail: 'SonarQube 10.4.1.88267 is UP' },
      expect.objectContaining({ name: 'auth-scheme', ok: true }),
      {
        name: 'credentials',
        ok: false,
        detail: expect.stringContaining('the token was refused'),
        affects: GATES,
        fix: expect.stringContaining('user token'),
      },
    ]);
  });

  it('sends the token as the basic-auth user name to 9.9 LTS, and says so', async () => {
    const asked = version('server-version-9.9.txt');
    const scope = upAndValid(
      sonar(`Basic ${Buffer.from(`${TOKEN}:`).toString('base64')}`),
      'system-status-up-9.9.json',
    )
      .get(ANALYSES)
      .query({ project: 'my_project', p: '1', ps: '1' })
      .reply(200, sample('project_analyses-search.json'), JSON_HEADERS);
    const results = await check({ projects: ['my_project'] });
    asked.done();
    scope.done();
    expect(results[1]).toEqual({
      name: 'auth-scheme',
      ok: true,
      detail: 'SonarQube 9.9.4.87374: the token is sent as the basic-auth user name',
    });
    expect(results.every((result) => result.ok)).toBe(true);
  });

  it('fails a bearer token forced onto 9.9 LTS: the scheme, and the anonymous session it gets (validate still says valid)', async () => {
    const asked = version('server-version-9.9.txt', 1);
    const scope = upAndValid(sonar(), 'system-status-up-9.9.json', 'users-current-anonymous.json');
    const results = await check({ projects: ['my_project'], authScheme: 'bearer' });
    asked.done();
    scope.done();
    expect(results.slice(1)).toEqual([
      {
        name: 'auth-scheme',
        ok: false,
        detail: expect.stringContaining(
          'SonarQube 9.9.4.87374 reads a token only as the basic-auth user name',
        ),
        affects: GATES,
        fix: 'set options.authScheme to auto (or basic)',
      },
      {
        name: 'credentials',
        ok: false,
        detail: expect.stringContaining(
          'the requests run as anonymous (api/users/current answered isLoggedIn=false)',
        ),
        affects: GATES,
        fix: 'set options.authScheme to auto (or basic)',
      },
    ]);
  });

  it('reports a base URL that is not SonarQube (real 404 sample) without the token', async () => {
    // No version (the basic form then, which every version reads); the status 404s as well.
    const wrong = nock(BASE)
      .get('/api/server/version')
      .reply(404, sample('error-404-unknown-url.json'), JSON_HEADERS)
      .get('/api/system/status')
      .reply(404, sample('error-404-unknown-url.json'), JSON_HEADERS);
    const results = await check();
    wrong.done();
    expect(results).toEqual([
      {
        name: 'reachable',
        ok: false,
        detail: expect.stringContaining('Unknown url : api/xxx'),
        affects: GATES,
      },
    ]);
    expect(JSON.stringify(results)).not.toContain(TOKEN);
  });
});
