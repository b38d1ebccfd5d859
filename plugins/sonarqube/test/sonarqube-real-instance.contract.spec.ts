/**
 * Contract tests of what real SonarQube servers do beyond the samples (docs/connectors/sonarqube.md
 * "On real instances"): 9.9 LTS reads a token only as the basic-auth user name, an unread token is
 * an anonymous session, the project search stops at 10,000 results, and a project the token may
 * not browse is missing from that search.
 */
import nock from 'nock';
import type { ServiceKeys } from '@audit-hub/plugin-sdk';
import { pluginTestContext, readBatches } from '@audit-hub/plugin-sdk/testing';
import { plugin, type SonarQubeOptions } from '../src';
import { BASE, JSON_HEADERS, recordsOf, SINCE, SINCE_PARAM, TOKEN } from './context';
import { fixture } from './samples';

const ANALYSES = '/api/project_analyses/search';
const COMPONENTS = '/api/components/search';
const TEXT_HEADERS = { 'Content-Type': 'text/plain;charset=utf-8' };
const BEARER = `Bearer ${TOKEN}`;
const BASIC = `Basic ${Buffer.from(`${TOKEN}:`).toString('base64')}`;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

async function read(options: SonarQubeOptions, services: ServiceKeys[] = []) {
  const ctx = pluginTestContext(plugin, {
    connectorId: 'sonarqube',
    baseUrl: BASE,
    auth: { token: TOKEN },
    options,
    services,
    now: new Date('2017-01-01T00:00:00.000Z'),
  });
  return readBatches(await plugin.connect(ctx), 'quality-gates', { cursor: null, full: false, since: SINCE });
}

function version(file: string): nock.Scope {
  return nock(BASE, { badheaders: ['authorization'] })
    .get('/api/server/version')
    .reply(200, fixture(file), TEXT_HEADERS);
}

function analysesQuery(project: string, ps = 100) {
  return { project, from: SINCE_PARAM, p: '1', ps: String(ps) };
}

describe('sonarqube on real instances (contract)', () => {
  it('sends the token as the basic-auth user name to a 9.9 LTS server (auto), which would take a bearer token for anonymous', async () => {
    const asked = version('server-version-9.9.txt');
    const scope = nock(BASE, { reqheaders: { authorization: BASIC } })
      .get('/api/users/current')
      .reply(200, fixture('users-current.json'), JSON_HEADERS)
      .get(ANALYSES)
      .query(analysesQuery('acme_private'))
      .reply(200, fixture('project_analyses-search-empty.json'), JSON_HEADERS);

    expect(await read({ projects: ['acme_private'] })).toEqual([]);
    asked.done();
    scope.done();
  });

  it('sends a bearer token to a 10.x server (auto), asking the version once per connection', async () => {
    const asked = version('server-version-10.4.txt');
    const scope = nock(BASE, { reqheaders: { authorization: BEARER } })
      .get('/api/users/current')
      .reply(200, fixture('users-current.json'), JSON_HEADERS)
      .get(ANALYSES)
      .query(analysesQuery('a'))
      .reply(200, fixture('project_analyses-search-empty.json'), JSON_HEADERS)
      .get(ANALYSES)
      .query(analysesQuery('b'))
      .reply(200, fixture('project_analyses-search-empty.json'), JSON_HEADERS);

    expect(await read({ projects: ['a', 'b'] })).toEqual([]);
    asked.done();
    scope.done();
  });

  it('reads nothing from an anonymous session, with one lasting problem instead of projects that look unanalysed', async () => {
    // A bearer token forced onto a 9.9 server: it answers as anonymous (authentication not forced).
    const scope = nock(BASE, { reqheaders: { authorization: BEARER } })
      .get('/api/users/current')
      .reply(200, fixture('users-current-anonymous.json'), JSON_HEADERS);

    const batches = await read({ authScheme: 'bearer' });
    scope.done();
    expect(recordsOf(batches)).toEqual([]);
    expect(batches).toEqual([
      {
        records: [],
        problems: [
          {
            where: 'GET /api/users/current',
            error: expect.stringContaining('SonarQube served the requests as anonymous'),
            code: 'sonarqube-anonymous',
            fix: 'set options.authScheme to auto (or basic) for SonarQube before 10.0',
            lasting: true,
          },
        ],
      },
    ]);
    expect(batches[0].cursor).toBeUndefined();
  });

  it('stops discovery at the search’s 10,000 results and says the rest is missing (asking further is a 400)', async () => {
    version('server-version-10.4.txt');
    const scope = nock(BASE, { reqheaders: { authorization: BEARER } })
      .get('/api/users/current')
      .reply(200, fixture('users-current.json'), JSON_HEADERS);
    // Each page of `ps=500` cut down to one project, to keep the run small: the paging only reads
    // `paging.total` and the page index. Page 21 would be the 10,500th result: SonarQube's 400.
    const page = JSON.parse(fixture('components-search-page-1.json'));
    for (let p = 1; p <= 20; p++) {
      const body = {
        paging: { pageIndex: p, pageSize: 500, total: 10_001 },
        components: [{ ...page.components[0], key: `acme_p${p}`, project: `acme_p${p}` }],
      };
      scope
        .get(COMPONENTS)
        .query({ qualifiers: 'TRK', p: String(p), ps: '500' })
        .reply(200, JSON.stringify(body), JSON_HEADERS)
        .get(ANALYSES)
        .query(analysesQuery(`acme_p${p}`, 500))
        .reply(200, fixture('project_analyses-search-empty.json'), JSON_HEADERS);
    }
    const beyond = nock(BASE)
      .get(COMPONENTS)
      .query({ qualifiers: 'TRK', p: '21', ps: '500' })
      .reply(400, fixture('error-400-search-limit.json'), JSON_HEADERS);

    const batches = await read({ pageSize: 500 });
    scope.done();
    expect(beyond.isDone()).toBe(false);
    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([
      {
        where: 'project discovery (GET /api/components/search?qualifiers=TRK)',
        error: expect.stringMatching(
          /^10001 projects are visible, but SonarQube's search returns only the first 10,000/,
        ),
        code: 'sonarqube-discovery-limit',
        fix: expect.stringContaining('options.projects'),
      },
    ]);
  });

  it('reads the catalogued services’ projects the search did not show: a 403 is unreadable (a problem), a 404 is no project', async () => {
    version('server-version-10.4.txt');
    const scope = nock(BASE, { reqheaders: { authorization: BEARER } })
      .get('/api/users/current')
      .reply(200, fixture('users-current.json'), JSON_HEADERS)
      .get(COMPONENTS)
      .query({ qualifiers: 'TRK', p: '1', ps: '100' })
      .reply(200, fixture('components-search-none.json'), JSON_HEADERS)
      // Private and not browsable: the permission-filtered search left it out.
      .get(ANALYSES)
      .query(analysesQuery('acme_payments-api'))
      .reply(403, fixture('error-403-insufficient-privileges.json'), JSON_HEADERS)
      // Catalogued, never analysed: no project. Its deployments rightly have no analysis.
      .get(ANALYSES)
      .query(analysesQuery('acme_new-service'))
      .reply(404, fixture('error-404-component-not-found.json'), JSON_HEADERS);

    const batches = await read({}, [
      { name: 'payments-api', keys: { sonarqube: 'acme_payments-api' } },
      { name: 'new-service', keys: { sonarqube: 'acme_new-service' } },
      { name: 'docs', keys: { gitlab: 'acme/docs' } },
    ]);
    scope.done();
    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([
      {
        where: `project acme_payments-api analyses (GET ${ANALYSES}?project=acme_payments-api)`,
        error: expect.stringContaining('lacks the Browse permission on project acme_payments-api'),
        code: 'sonarqube-browse-forbidden',
        fix: expect.stringContaining('Browse permission'),
        lasting: true,
      },
    ]);
  });
});
