/** Contract tests of the `quality-gates` stream, replaying the real SonarQube samples through nock. */
import nock from 'nock';
import {
  BASE,
  cursorsOf,
  JSON_HEADERS,
  readGates,
  recordsOf,
  SINCE,
  SINCE_PARAM,
  TOKEN,
  type TestHooks,
} from './context';
import { fixture, sample } from './samples';

const ANALYSES = '/api/project_analyses/search';
const STATUS = '/api/qualitygates/project_status';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
// nock's interceptor patches node's shared `http` module: restore it, or the next test file in this
// jest worker runs under two interceptors and a socket error (replyWithError) goes unhandled.
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

const TEXT_HEADERS = { 'Content-Type': 'text/plain;charset=utf-8' };

/**
 * A 10.x SonarQube: the version asked anonymously (the default `auto` scheme picks bearer from
 * it), then every request with the bearer token, starting with the run's `api/users/current`.
 */
function sonar(version = 'server-version-10.4.txt'): nock.Scope {
  nock(BASE, { badheaders: ['authorization'] })
    .get('/api/server/version')
    .reply(200, fixture(version), TEXT_HEADERS);
  return nock(BASE, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
    .get('/api/users/current')
    .reply(200, fixture('users-current.json'), JSON_HEADERS);
}

function analysesQuery(project: string, from: string, p = 1, ps = 100) {
  return { project, from, p: String(p), ps: String(ps) };
}

describe('sonarqube quality-gates stream (contract)', () => {
  it('maps the real samples field by field and saves the newest analysis date as the project cursor', async () => {
    const scope = sonar()
      .get(ANALYSES)
      .query(analysesQuery('my_project', SINCE_PARAM))
      .reply(200, sample('project_analyses-search.json'), JSON_HEADERS)
      .get(STATUS)
      .query({ analysisId: 'A2' })
      .reply(200, sample('qualitygates-project_status.json'), JSON_HEADERS)
      .get(STATUS)
      .query({ analysisId: 'A1' })
      .reply(200, fixture('qualitygates-project_status-ok.json'), JSON_HEADERS)
      .get(STATUS)
      .query({ analysisId: 'P1' })
      .reply(200, fixture('qualitygates-project_status-none.json'), JSON_HEADERS);

    const batches = await readGates({ projects: ['my_project'] });
    scope.done();

    expect(batches).toHaveLength(1);
    expect(batches[0].problems).toBeUndefined();
    expect(batches[0].cursor).toEqual({ projects: { my_project: '2016-12-12T16:12:45.000Z' } });
    expect(recordsOf(batches)).toEqual([
      {
        kind: 'quality-gate',
        externalId: 'A2',
        data: {
          projectKey: 'my_project',
          revision: 'be6c75b85da526349c44e3978374c95e0b80a96d',
          analysedAt: '2016-12-12T16:12:45.000Z',
          status: 'ERROR',
          conditions: [
            { metric: 'new_coverage', status: 'ERROR', actual: '82.50562381034781', threshold: '85' },
            { metric: 'new_blocker_violations', status: 'ERROR', actual: '14', threshold: '0' },
            { metric: 'new_critical_violations', status: 'ERROR', actual: '1', threshold: '0' },
            { metric: 'new_sqale_debt_ratio', status: 'OK', actual: '0.6562109862671661', threshold: '5' },
            { metric: 'reopened_issues', status: 'OK', actual: '0' },
            { metric: 'open_issues', status: 'ERROR', actual: '17' },
            { metric: 'skipped_tests', status: 'OK', actual: '0' },
          ],
        },
      },
      {
        kind: 'quality-gate',
        externalId: 'A1',
        data: {
          projectKey: 'my_project',
          revision: 'bfe36592eb7f9f2708b5d358b5b5f33ed535c8cf',
          analysedAt: '2016-12-11T16:12:45.000Z',
          status: 'OK',
          conditions: [
            { metric: 'new_coverage', status: 'OK', actual: '91.3', threshold: '80' },
            { metric: 'new_violations', status: 'OK', actual: '0', threshold: '0' },
          ],
        },
      },
      // P1 has no revision in the sample (the scanner sent none) and no gate (NONE, no conditions).
      {
        kind: 'quality-gate',
        externalId: 'P1',
        data: { projectKey: 'my_project', analysedAt: '2015-11-11T09:00:00.000Z', status: 'NONE' },
      },
    ]);
    // The raw record keeps what the mapping leaves out (comparators, caycStatus, events).
    const raw = batches[0].records[0].raw as { analysis: { events: unknown[] }; projectStatus: unknown };
    expect(raw.analysis.events).toHaveLength(2);
    expect(raw.projectStatus).toMatchObject({ caycStatus: 'non-compliant', conditions: expect.any(Array) });
  });

  it('starts the second run at the saved cursor (`from`, inclusive) and moves it to the newest analysis', async () => {
    const scope = sonar()
      .get(ANALYSES)
      .query(analysesQuery('my_project', '2016-12-12T16:12:45+0000'))
      .reply(200, fixture('project_analyses-search-after-cursor.json'), JSON_HEADERS)
      .get(STATUS)
      .query({ analysisId: 'A3' })
      .reply(200, fixture('qualitygates-project_status-ok.json'), JSON_HEADERS)
      .get(STATUS)
      .query({ analysisId: 'A2' })
      .reply(200, sample('qualitygates-project_status.json'), JSON_HEADERS);

    const cursor = { projects: { my_project: '2016-12-12T16:12:45.000Z' } };
    const batches = await readGates({ projects: ['my_project'] }, cursor);
    scope.done();

    expect(recordsOf(batches).map((r) => [r.externalId, r.data.status, r.data.analysedAt])).toEqual([
      ['A3', 'OK', '2016-12-13T08:30:00.000Z'],
      ['A2', 'ERROR', '2016-12-12T16:12:45.000Z'],
    ]);
    expect(cursorsOf(batches)).toEqual([{ projects: { my_project: '2016-12-13T08:30:00.000Z' } }]);
  });

  it('starts at collect.since when the saved cursor is older than it, and ignores a cursor of another shape', async () => {
    const since = new Date('2016-12-12T00:00:00.000Z');
    const scope = sonar()
      .get(ANALYSES)
      .query(analysesQuery('old', '2016-12-12T00:00:00+0000'))
      .reply(200, fixture('project_analyses-search-empty.json'), JSON_HEADERS)
      .get(ANALYSES)
      .query(analysesQuery('other', '2016-12-12T00:00:00+0000'))
      .reply(200, fixture('project_analyses-search-empty.json'), JSON_HEADERS);

    const cursor = { projects: { old: '2016-01-01T00:00:00.000Z', other: 42 } };
    const batches = await readGates({ projects: ['old', 'other'] }, cursor, since);
    scope.done();
    expect(batches).toEqual([]);
  });

  it('pages by paging.total, skips an analysis repeated by a shifted page, and moves the cursor only with the last page', async () => {
    const scope = sonar()
      .get(ANALYSES)
      .query(analysesQuery('my_project', SINCE_PARAM, 1, 2))
      .reply(200, fixture('project_analyses-search-page-1.json'), JSON_HEADERS)
      .get(ANALYSES)
      .query(analysesQuery('my_project', SINCE_PARAM, 2, 2))
      .reply(200, fixture('project_analyses-search-page-2.json'), JSON_HEADERS);
    for (const id of ['A2', 'A1', 'P1']) {
      scope.get(STATUS).query({ analysisId: id }).reply(200, sample('qualitygates-project_status.json'));
    }

    const batches = await readGates({ projects: ['my_project'], pageSize: 2 });
    scope.done();

    expect(batches.map((b) => b.records.map((r) => r.externalId))).toEqual([['A2', 'A1'], ['P1']]);
    expect(batches.map((b) => b.cursor)).toEqual([
      undefined,
      { projects: { my_project: '2016-12-12T16:12:45.000Z' } },
    ]);
  });

  it('discovers every visible project (api/components/search?qualifiers=TRK, paged by total) when none is configured', async () => {
    const scope = sonar()
      .get('/api/components/search')
      .query({ qualifiers: 'TRK', p: '1', ps: '2' })
      .reply(200, fixture('components-search-page-1.json'), JSON_HEADERS)
      .get('/api/components/search')
      .query({ qualifiers: 'TRK', p: '2', ps: '2' })
      .reply(200, fixture('components-search-page-2.json'), JSON_HEADERS);
    for (const key of ['acme_payments-api', 'acme_orders', 'acme_web']) {
      scope
        .get(ANALYSES)
        .query(analysesQuery(key, SINCE_PARAM, 1, 2))
        .reply(200, fixture('project_analyses-search-empty.json'), JSON_HEADERS);
    }

    expect(await readGates({ pageSize: 2 })).toEqual([]);
    scope.done();
  });

  it('waits out a 429 (Retry-After) and reads on', async () => {
    const hooks: TestHooks = { sleeps: [] };
    const scope = sonar()
      .get(ANALYSES)
      .query(analysesQuery('my_project', SINCE_PARAM))
      .reply(429, '', { 'Retry-After': '3' })
      .get(ANALYSES)
      .query(analysesQuery('my_project', SINCE_PARAM))
      .reply(200, fixture('project_analyses-search-empty.json'), JSON_HEADERS);

    expect(await readGates({ projects: ['my_project'] }, null, SINCE, hooks)).toEqual([]);
    scope.done();
    expect(hooks.sleeps).toEqual([3000]);
  });

  it('reports an unreadable page as a problem (partial), keeps the project cursor, and reads the next project', async () => {
    const scope = sonar()
      .get(ANALYSES)
      .query(analysesQuery('broken', SINCE_PARAM, 1, 2))
      .reply(200, fixture('project_analyses-search-page-1.json'), JSON_HEADERS)
      .get(ANALYSES)
      .query(analysesQuery('broken', SINCE_PARAM, 2, 2))
      .reply(200, '<html><body>Maintenance</body></html>', { 'Content-Type': 'text/html' })
      .get(ANALYSES)
      .query(analysesQuery('fine', SINCE_PARAM, 1, 2))
      .reply(200, '{"paging":{"pageIndex":1,"pageSize":2}}', JSON_HEADERS);
    for (const id of ['A2', 'A1']) {
      scope.get(STATUS).query({ analysisId: id }).reply(200, sample('qualitygates-project_status.json'));
    }

    const batches = await readGates({ projects: ['broken', 'fine'], pageSize: 2 });
    scope.done();

    expect(recordsOf(batches).map((r) => r.externalId)).toEqual(['A2', 'A1']);
    expect(cursorsOf(batches)).toEqual([]);
    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([
      {
        where: `project broken analyses (GET ${ANALYSES}?project=broken)`,
        error: expect.stringContaining('not valid JSON'),
      },
      {
        where: `project fine analyses (GET ${ANALYSES}?project=fine)`,
        error: expect.stringContaining('page 1 has no numeric paging.total'),
      },
    ]);
  });

  it('names an analysis whose gate is gone (404) and moves on; a 5xx holds the cursor at that analysis', async () => {
    const scope = sonar()
      .get(ANALYSES)
      .query(analysesQuery('my_project', SINCE_PARAM))
      .reply(200, sample('project_analyses-search.json'), JSON_HEADERS)
      .get(STATUS)
      .query({ analysisId: 'A2' })
      .times(2)
      .reply(500, sample('error-500-internal.json'), JSON_HEADERS)
      .get(STATUS)
      .query({ analysisId: 'A1' })
      .reply(404, fixture('error-404-analysis-not-found.json'), JSON_HEADERS)
      .get(STATUS)
      .query({ analysisId: 'P1' })
      .reply(200, fixture('qualitygates-project_status-none.json'), JSON_HEADERS);

    const batches = await readGates({ projects: ['my_project'] });
    scope.done();

    expect(recordsOf(batches).map((r) => r.externalId)).toEqual(['P1']);
    expect(batches[0].problems).toEqual([
      {
        where: `project my_project analysis A2: quality gate (GET ${STATUS}?analysisId=A2)`,
        error: expect.stringContaining('An error has occurred. Please contact your administrator'),
      },
      {
        where: `project my_project analysis A1: quality gate (GET ${STATUS}?analysisId=A1)`,
        error: expect.stringMatching(/^the analysis is gone \(404.*Analysis with id 'A1' is not found/),
      },
    ]);
    // A2 is the newest analysis, but its gate could not be read: the next run starts at it again.
    expect(batches[0].cursor).toEqual({ projects: { my_project: '2016-12-12T16:12:45.000Z' } });
  });

  it('holds the cursor at the oldest analysis whose gate failed transiently', async () => {
    const scope = sonar()
      .get(ANALYSES)
      .query(analysesQuery('my_project', SINCE_PARAM))
      .reply(200, sample('project_analyses-search.json'), JSON_HEADERS)
      .get(STATUS)
      .query({ analysisId: 'A2' })
      .reply(200, sample('qualitygates-project_status.json'), JSON_HEADERS)
      .get(STATUS)
      .query({ analysisId: 'A1' })
      .times(2)
      .reply(503, sample('error-500-internal.json'), JSON_HEADERS)
      .get(STATUS)
      .query({ analysisId: 'P1' })
      .reply(200, fixture('qualitygates-project_status-none.json'), JSON_HEADERS);

    const batches = await readGates({ projects: ['my_project'] });
    scope.done();
    expect(recordsOf(batches).map((r) => r.externalId)).toEqual(['A2', 'P1']);
    expect(batches[0].cursor).toEqual({ projects: { my_project: '2016-12-11T16:12:45.000Z' } });
  });

  it('names a configured project the token cannot browse (403) or that does not exist (404), and reads the others', async () => {
    const scope = sonar()
      .get(ANALYSES)
      .query(analysesQuery('acme_secret', SINCE_PARAM))
      .reply(403, fixture('error-403-insufficient-privileges.json'), JSON_HEADERS)
      .get(ANALYSES)
      .query(analysesQuery('acme_gone', SINCE_PARAM))
      .reply(404, fixture('error-404-component-not-found.json'), JSON_HEADERS)
      .get(ANALYSES)
      .query(analysesQuery('acme_web', SINCE_PARAM))
      .reply(200, fixture('project_analyses-search-empty.json'), JSON_HEADERS);

    const batches = await readGates({ projects: ['acme_secret', 'acme_gone', 'acme_web'] });
    scope.done();
    // Unreadable, not unanalysed: each is a lasting problem with its fix, and leaves the kind
    // incomplete (no `kinds: []`), so RM-QG-001 cannot read the missing gates as "no analysis".
    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([
      {
        where: `project acme_secret analyses (GET ${ANALYSES}?project=acme_secret)`,
        error: expect.stringMatching(
          /^the token's user lacks the Browse permission on project acme_secret: .*Insufficient privileges/,
        ),
        code: 'sonarqube-browse-forbidden',
        fix: expect.stringContaining('Browse permission'),
        lasting: true,
      },
      {
        where: `project acme_gone analyses (GET ${ANALYSES}?project=acme_gone)`,
        error: expect.stringMatching(/^project acme_gone not found .*Component key 'acme_gone' not found/),
        code: 'sonarqube-project-not-found',
        fix: 'correct or remove the project key in options.projects',
        lasting: true,
      },
    ]);
  });

  it('fails the stream with every message of a SonarQube error body (real 400 sample)', async () => {
    const scope = sonar()
      .get(ANALYSES)
      .query(analysesQuery('my_project', SINCE_PARAM))
      .reply(400, sample('error-400-multiple-messages.json'), JSON_HEADERS);

    await expect(readGates({ projects: ['my_project'] })).rejects.toThrow(/\(client 400\): one; two; three$/);
    scope.done();
  });

  it('reports a gate status outside OK, WARN, ERROR, NONE as a problem naming the analysis', async () => {
    const scope = sonar()
      .get(ANALYSES)
      .query(analysesQuery('my_project', SINCE_PARAM))
      .reply(200, fixture('project_analyses-search-after-cursor.json'), JSON_HEADERS)
      .get(STATUS)
      .query({ analysisId: 'A3' })
      .reply(200, '{"projectStatus":{"status":"PASSED"}}', JSON_HEADERS)
      .get(STATUS)
      .query({ analysisId: 'A2' })
      .reply(200, fixture('qualitygates-project_status-ok.json'), JSON_HEADERS);

    const batches = await readGates({ projects: ['my_project'] });
    scope.done();
    expect(recordsOf(batches).map((r) => r.externalId)).toEqual(['A2']);
    expect(batches[0].problems).toEqual([
      {
        where: 'project my_project analysis A3',
        error: 'projectStatus.status: "PASSED" is not one of OK, WARN, ERROR, NONE',
      },
    ]);
  });

  it('fails on a refused token (401) without printing the token', async () => {
    nock(BASE).get('/api/server/version').reply(200, fixture('server-version-10.4.txt'), TEXT_HEADERS);
    const scope = nock(BASE, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get('/api/users/current')
      .reply(401, `{"errors":[{"msg":"Invalid token ${TOKEN}"}]}`, JSON_HEADERS);

    const failure = await readGates({ projects: ['my_project'] }).catch((err: unknown) => err);
    scope.done();
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/unauthorized 401/);
    expect((failure as Error).message).not.toContain(TOKEN);
  });

  it('never prints the token in a problem, even when SonarQube echoes it', async () => {
    const scope = sonar()
      .get(ANALYSES)
      .query(analysesQuery('my_project', SINCE_PARAM))
      .reply(200, fixture('project_analyses-search-after-cursor.json'), JSON_HEADERS)
      .get(STATUS)
      .query({ analysisId: 'A3' })
      .reply(404, `{"errors":[{"msg":"Analysis with id 'A3' is not found (token ${TOKEN})"}]}`, JSON_HEADERS)
      .get(STATUS)
      .query({ analysisId: 'A2' })
      .reply(200, fixture('qualitygates-project_status-ok.json'), JSON_HEADERS);

    const batches = await readGates({ projects: ['my_project'] });
    scope.done();
    expect(batches[0].problems).toHaveLength(1);
    expect(JSON.stringify(batches)).not.toContain(TOKEN);
  });

  it('sends the token as the basic-auth user name with an empty password when authScheme is basic', async () => {
    const basic = `Basic ${Buffer.from(`${TOKEN}:`).toString('base64')}`;
    const scope = nock(BASE, { reqheaders: { authorization: basic } })
      .get('/api/users/current')
      .reply(200, fixture('users-current.json'), JSON_HEADERS)
      .get(ANALYSES)
      .query(analysesQuery('my_project', SINCE_PARAM))
      .reply(200, fixture('project_analyses-search-empty.json'), JSON_HEADERS);

    expect(await readGates({ projects: ['my_project'], authScheme: 'basic' })).toEqual([]);
    scope.done();
  });
});
