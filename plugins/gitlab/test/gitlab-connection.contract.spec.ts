/** Contract tests of `connection.check()` (used by `connectors check`). */
import nock from 'nock';
import { plugin } from '../src';
import { BASE, connect, makeContext, TOKEN } from './context';
import { fixture, sample } from './samples';

const JSON_HEADERS = { 'Content-Type': 'application/json' };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function gitlab(): nock.Scope {
  return nock(BASE, { reqheaders: { 'private-token': TOKEN } });
}

describe('gitlab connection check (contract)', () => {
  it('names the user, confirms read_api, and names each configured project or group that is missing', async () => {
    const scope = gitlab()
      .get('/api/v4/user')
      .reply(200, fixture('user-get.json'), JSON_HEADERS)
      .get('/api/v4/projects')
      .query({ membership: 'true', per_page: '1' })
      .reply(200, fixture('projects-simple.json'), { ...JSON_HEADERS, 'X-Next-Page': '2' })
      .get('/api/v4/projects/diaspora%2Fdiaspora-client')
      .reply(200, fixture('project-get.json'), JSON_HEADERS)
      .get('/api/v4/projects/acme%2Fgone')
      .reply(404, '{"message":"404 Project Not Found"}', JSON_HEADERS)
      .get('/api/v4/groups/acme%2Fplatform')
      .reply(404, sample('error-404-unknown-route.json'), JSON_HEADERS);

    const connection = await connect({
      projects: ['diaspora/diaspora-client', 'acme/gone'],
      groups: ['acme/platform'],
    });
    const results = await connection.check();
    scope.done();

    expect(results).toEqual([
      { name: 'credentials', ok: true, detail: 'authenticated as @john_smith' },
      { name: 'read:projects', ok: true, detail: 'the token can read the API (read_api)' },
      { name: 'project:diaspora/diaspora-client', ok: true, detail: 'visible as diaspora/diaspora-client' },
      {
        name: 'project:acme/gone',
        ok: false,
        detail: expect.stringMatching(
          /^project not found, or not visible to the token \(.*404 Project Not Found\)$/,
        ),
      },
      {
        name: 'group:acme/platform',
        ok: false,
        detail: expect.stringMatching(/^group not found, or not visible to the token \(.*404 Not Found\)$/),
      },
    ]);
  });

  it('checks each repository the service catalog names for it (shipped ranges of Jenkins deployments)', async () => {
    const scope = gitlab()
      .get('/api/v4/user')
      .reply(200, fixture('user-get.json'), JSON_HEADERS)
      .get('/api/v4/projects')
      .query({ membership: 'true', per_page: '1' })
      .reply(200, fixture('projects-simple.json'), JSON_HEADERS)
      .get('/api/v4/projects/diaspora%2Fdiaspora-client')
      .reply(200, fixture('project-get.json'), JSON_HEADERS)
      .get('/api/v4/projects/acme%2Fsettlement-engine')
      .reply(404, '{"message":"404 Project Not Found"}', JSON_HEADERS);
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
    expect(results.slice(2)).toEqual([
      {
        name: 'repository:diaspora/diaspora-client',
        ok: true,
        detail: 'visible as diaspora/diaspora-client',
      },
      {
        name: 'repository:acme/settlement-engine',
        ok: false,
        detail: expect.stringMatching(/^repository not found, or not visible to the token/),
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
      { name: 'credentials', ok: false, detail: 'the token was refused (revoked, expired or mistyped)' },
    ]);
    expect(JSON.stringify(results)).not.toContain(TOKEN);
  });

  it('flags a token without the read_api scope', async () => {
    const scope = gitlab()
      .get('/api/v4/user')
      .reply(200, fixture('user-get.json'), JSON_HEADERS)
      .get('/api/v4/projects')
      .query({ membership: 'true', per_page: '1' })
      .reply(
        403,
        '{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api read_api"}',
        JSON_HEADERS,
      );

    const results = await (await connect()).check();
    scope.done();

    expect(results[1]).toEqual({
      name: 'read:projects',
      ok: false,
      detail: expect.stringMatching(
        /^the token cannot read the API: give it the read_api scope \(.*insufficient_scope/,
      ),
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
