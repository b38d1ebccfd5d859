/** Contract tests of `connection.check()` for Jira (used by `connectors check`). */
import nock from 'nock';
import { plugin } from '../src';
import { BASIC, CLOUD, DATACENTER, makeContext, TOKEN } from './context';
import { fixture } from './samples';

const JSON_HEADERS = { 'Content-Type': 'application/json' };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

async function check(baseUrl: string, options = { project: 'EX', issueType: 'Task' }) {
  return (await plugin.connect(makeContext(baseUrl, options))).check();
}

describe('jira connection check (contract)', () => {
  it('names the account, the project, the issue type it offers and what its create screen takes', async () => {
    const scope = nock(CLOUD, { reqheaders: { authorization: BASIC } })
      .get('/rest/api/3/myself')
      .reply(200, fixture('myself-get.json'), JSON_HEADERS)
      .get('/rest/api/3/project/EX')
      .reply(200, fixture('project-get.json'), JSON_HEADERS)
      .get('/rest/api/3/issue/createmeta/EX/issuetypes/3')
      .query({ startAt: '0', maxResults: '50' })
      .reply(200, fixture('createmeta-issuetype-fields.json'), JSON_HEADERS);

    expect(await check(CLOUD)).toEqual([
      { name: 'credentials', ok: true, detail: 'authenticated as Mia Krystof (cloud)' },
      { name: 'project:EX', ok: true, detail: 'visible as Example' },
      { name: 'issueType:Task', ok: true, detail: 'project EX offers issue type Task' },
      { name: 'labels:Task', ok: true, detail: 'the create screen takes labels' },
    ]);
    scope.done();
  });

  it('warns when the create screen has no Labels field, and fails when a required field has no default', async () => {
    const scope = nock(DATACENTER, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get('/rest/api/2/myself')
      .reply(200, fixture('myself-get.json'), JSON_HEADERS)
      .get('/rest/api/2/project/EX')
      .reply(200, fixture('project-get.json'), JSON_HEADERS)
      .get('/rest/api/2/issue/createmeta/EX/issuetypes/1')
      .query({ startAt: '0', maxResults: '50' })
      .reply(200, fixture('createmeta-issuetype-values-no-labels.json'), JSON_HEADERS);

    const results = await check(DATACENTER, { project: 'EX', issueType: 'Bug' });
    scope.done();
    expect(results.slice(3)).toEqual([
      {
        name: 'createScreen:Bug',
        ok: false,
        detail:
          'Jira would refuse every ticket in EX: on the create screen of Bug, "Team" is required and has no default',
        fix: expect.stringContaining('give those fields a default, or make them optional'),
      },
      {
        name: 'labels:Bug',
        ok: false,
        severity: 'warn',
        detail: expect.stringContaining('has no Labels field: tickets are filed without labels'),
        fix: 'add the Labels field to the create screen of Bug in EX',
      },
    ]);
  });

  it('says which issue types exist when the configured one does not', async () => {
    const scope = nock(DATACENTER, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get('/rest/api/2/myself')
      .reply(200, fixture('myself-get.json'), JSON_HEADERS)
      .get('/rest/api/2/project/EX')
      .reply(200, fixture('project-get.json'), JSON_HEADERS);

    const results = await check(DATACENTER, { project: 'EX', issueType: 'Security Finding' });
    scope.done();
    expect(results[2]).toEqual({
      name: 'issueType:Security Finding',
      ok: false,
      detail: 'project EX has no issue type "Security Finding" (it has: Task, Bug); set options.issueType',
    });
  });

  it('says what Cloud expects when the credentials are refused, and never prints the token', async () => {
    const scope = nock(CLOUD)
      .get('/rest/api/3/myself')
      .reply(401, `{"errorMessages":["Basic auth with token ${TOKEN} failed"]}`, JSON_HEADERS);

    const results = await check(CLOUD);
    scope.done();
    expect(results).toEqual([
      {
        name: 'credentials',
        ok: false,
        detail: 'the credentials were refused: Jira Cloud takes the account e-mail and an API token',
      },
    ]);
    expect(JSON.stringify(results)).not.toContain(TOKEN);
  });

  it('reports a project that is missing or hidden', async () => {
    const scope = nock(CLOUD)
      .get('/rest/api/3/myself')
      .reply(200, fixture('myself-get.json'), JSON_HEADERS)
      .get('/rest/api/3/project/EX')
      .reply(
        404,
        '{"errorMessages":["No project could be found with key \'EX\'."],"errors":{}}',
        JSON_HEADERS,
      );

    const results = await check(CLOUD);
    scope.done();
    expect(results[1]).toEqual({
      name: 'project:EX',
      ok: false,
      detail: expect.stringMatching(
        /^project EX not found, or not visible to these credentials \(.*No project could be found with key 'EX'\.\)$/,
      ),
    });
  });
});
