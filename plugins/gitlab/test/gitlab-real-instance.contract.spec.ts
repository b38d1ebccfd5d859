/**
 * Contract tests of the `deployments` stream against what real GitLab instances do and the samples
 * do not show (docs/connectors/gitlab.md "On real instances"): pipeline variables refused below the
 * Maintainer role, the MR list of a deployment filled late, skipped or overfilled, and deployments
 * moving while they are paged. Docs- and source-derived fixtures (fixtures/README.md) through nock.
 */
import nock from 'nock';
import { BASE, readDeployments, recordsOf, SINCE, TOKEN } from './context';
import { fixture, listOf, parsed, sample } from './samples';

const PROJECT = 'diaspora/diaspora-client';
const P = '/api/v4/projects/4';
const SHA_41 = '99d03678b90d914dbb1b109132516d71a4a03ea8';
const SHA_42 = 'a91957a858320c0e17f3a0eca7cfacbff50ea29a';
const MR_COMMITS = ['ed899a2f4b50b4370feeea94676502b42383c746', '6104942438c14ec7bd21c6cd5bd995272b3faff6'];
const JSON_HEADERS = { 'Content-Type': 'application/json' };
const LAST_PAGE = { ...JSON_HEADERS, 'X-Page': '1', 'X-Per-Page': '100', 'X-Next-Page': '' };
const UPDATED_42 = '2016-08-11T11:34:01.123Z';

function gitlab(): nock.Scope {
  return nock(BASE, { reqheaders: { 'private-token': TOKEN } });
}

function projectAndEnvironments(scope: nock.Scope, perPage = 100) {
  scope
    .get('/api/v4/projects/diaspora%2Fdiaspora-client')
    .reply(200, fixture('project-get.json'), JSON_HEADERS)
    .get(`${P}/environments`)
    .query({ per_page: String(perPage) })
    .reply(200, fixture('environments-list-with-production.json'), LAST_PAGE)
    .get(`${P}/protected_environments`)
    .query({ per_page: String(perPage) })
    .reply(200, sample('protected_environments-list.json'), LAST_PAGE);
}

function deploymentsQuery(updatedAfter: string, perPage = 100, page?: number) {
  return {
    order_by: 'updated_at',
    sort: 'asc',
    updated_after: updatedAfter,
    per_page: String(perPage),
    ...(page ? { page: String(page) } : {}),
  };
}

/** deployments-get.json (successful deployment 42, pipeline 42) with some fields replaced. */
function deployment42(over: Record<string, unknown> = {}, pipeline?: number) {
  const d = parsed(sample('deployments-get.json'));
  const deployable =
    pipeline === undefined
      ? d.deployable
      : { ...d.deployable, pipeline: { ...d.deployable.pipeline, id: pipeline } };
  return { ...d, deployable, ...over };
}

/** A `created` deployment of deployments-list.json (no fan-out) with some fields replaced. */
function created(index: 0 | 1, over: Record<string, unknown> = {}) {
  return { ...parsed(sample('deployments-list.json'))[index], ...over };
}

/** Everything deployment `id` reads but its variables and range: detail, test report. */
function detailAndTests(scope: nock.Scope, id: number, pipeline: number) {
  scope
    .get(`${P}/deployments/${id}`)
    .reply(200, JSON.stringify(deployment42({ id }, pipeline)), JSON_HEADERS)
    .get(`${P}/pipelines/${pipeline}/test_report_summary`)
    .reply(200, fixture('pipelines-test_report_summary.json'), JSON_HEADERS);
}

/** An MR read whole: approvals, its commits (merge_requests-commits.json) and, once, their signatures. */
function mergeRequestWhole(scope: nock.Scope, iid: number, signatures = true) {
  scope
    .get(`${P}/merge_requests/${iid}/approvals`)
    .reply(200, sample('merge_requests-approvals.json'), JSON_HEADERS)
    .get(`${P}/merge_requests/${iid}/commits`)
    .query({ per_page: '100' })
    .reply(200, fixture('merge_requests-commits.json'), LAST_PAGE);
  if (!signatures) return;
  scope
    .get(`${P}/repository/commits/${MR_COMMITS[0]}/signature`)
    .reply(404, sample('commits-signature-404-unsigned.json'), JSON_HEADERS)
    .get(`${P}/repository/commits/${MR_COMMITS[1]}/signature`)
    .reply(200, sample('commits-signature-pgp.json'), JSON_HEADERS);
}

/**
 * What deployment 42 shipped from deployment 41 (repository-compare-deployment.json): MR !1, and
 * the deployed commit's signature. `previous` replaces the list of successful deployments.
 */
function rangeFrom41(scope: nock.Scope, previous = fixture('deployments-list-success.json')) {
  scope
    .get(`${P}/deployments`)
    .query({ environment: 'production', status: 'success', order_by: 'id', sort: 'desc', per_page: '100' })
    .reply(200, previous, LAST_PAGE)
    .get(`${P}/repository/compare`)
    .query({ from: SHA_41, to: SHA_42 })
    .reply(200, fixture('repository-compare-deployment.json'), JSON_HEADERS)
    .get(`${P}/merge_requests`)
    .query({
      state: 'merged',
      order_by: 'updated_at',
      sort: 'asc',
      updated_after: '2012-09-19T06:06:12.000Z',
      per_page: '100',
    })
    .reply(200, fixture('merge_requests-merged-list.json'), LAST_PAGE)
    .get(`${P}/repository/commits/${SHA_42}/signature`)
    .reply(200, sample('commits-signature-x509.json'), JSON_HEADERS);
  mergeRequestWhole(scope, 1);
}

/**
 * GitLab's own list of a deployment's MRs, answered as a real instance would if asked. The stream
 * must not rely on it (it reads the range instead): `read()` says whether anything asked.
 */
function gitlabList(scope: nock.Scope, id: number, body: string) {
  let asked = false;
  scope
    .get(`${P}/deployments/${id}/merge_requests`)
    .query(true)
    .optionally()
    .reply(() => {
      asked = true;
      return [200, body, LAST_PAGE];
    });
  return { read: () => asked };
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('pipeline variables below the Maintainer role (real GitLab policy)', () => {
  it('asks once per project after a 403: every deployment is recorded with variables null, linked through its other sources, in one lasting problem', async () => {
    const scope = gitlab();
    projectAndEnvironments(scope);
    // Two successful deployments of the same commit, by pipelines 42 and 43.
    scope
      .get(`${P}/deployments`)
      .query(deploymentsQuery(SINCE.toISOString()))
      .reply(
        200,
        JSON.stringify([
          deployment42(),
          deployment42({ id: 43, updated_at: '2016-08-11T12:00:00.000Z' }, 43),
        ]),
        LAST_PAGE,
      )
      // Only the first pipeline is asked: the answer is the project's, not the pipeline's.
      .get(`${P}/pipelines/42/variables`)
      .reply(403, fixture('error-403-forbidden.json'), JSON_HEADERS);
    detailAndTests(scope, 42, 42);
    detailAndTests(scope, 43, 43);
    rangeFrom41(scope);

    const batches = await readDeployments({ projects: [PROJECT] });
    const problems = batches.flatMap((b) => b.problems ?? []);
    expect(problems).toEqual([
      {
        where: `project ${PROJECT} pipeline variables`,
        error: expect.stringContaining(
          '403 Forbidden: the token may not read pipeline variables in this project',
        ),
        code: 'pipeline-variables-forbidden',
        kinds: [],
        lasting: true,
        fix: expect.stringContaining('Maintainer role on the project'),
      },
    ]);
    const deployments = recordsOf(batches, 'deployment');
    for (const id of ['42', '43']) {
      expect(deployments.get(id)?.data.variables).toBeNull();
      expect(deployments.get(id)?.data).not.toHaveProperty('version');
    }
    // The commit message and the shipped MRs still link: 43 redeployed 42's commit (ships none).
    expect([...recordsOf(batches, 'deployment-mr').keys()]).toEqual([`42→${PROJECT}!1`]);
    expect(batches[batches.length - 1].cursor).toEqual({
      projects: { '4': '2016-08-11T12:00:00.000Z' },
      paths: { '4': PROJECT },
      variablesUnread: { '4': { since: UPDATED_42, pipeline: 42 } },
      seen: { '4': [43] },
    });
    scope.done();
  });

  it('keeps a 403 that is not the policy (a proxy page) an ordinary problem for that deployment, and asks the next pipeline', async () => {
    const scope = gitlab();
    projectAndEnvironments(scope);
    scope
      .get(`${P}/deployments`)
      .query(deploymentsQuery(SINCE.toISOString()))
      .reply(
        200,
        JSON.stringify([
          deployment42(),
          deployment42({ id: 43, updated_at: '2016-08-11T12:00:00.000Z' }, 43),
        ]),
        LAST_PAGE,
      )
      .get(`${P}/pipelines/42/variables`)
      .reply(403, '<html><head><title>403 Forbidden</title></head><body>Request blocked</body></html>', {
        'Content-Type': 'text/html',
      })
      .get(`${P}/pipelines/43/variables`)
      .reply(200, sample('pipelines-variables.json'), LAST_PAGE);
    detailAndTests(scope, 42, 42);
    detailAndTests(scope, 43, 43);
    rangeFrom41(scope);

    const batches = await readDeployments({ projects: [PROJECT] });
    scope.done();

    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([
      {
        where: `deployment 42 of ${PROJECT}: pipeline 42 variables`,
        error: expect.stringContaining('failed (forbidden 403): 403 Forbidden'),
        kinds: [],
      },
    ]);
    const deployments = recordsOf(batches, 'deployment');
    expect(deployments.get('42')?.data.variables).toBeNull();
    expect(deployments.get('43')?.data.variables).toEqual({ RUN_NIGHTLY_BUILD: 'true', foo: 'bar' });
    expect(batches[batches.length - 1].cursor).not.toHaveProperty('variablesUnread');
  });

  it('on a later run, asks the refused pipeline again first, and once GitLab gives it reads the project again from the first deployment recorded without', async () => {
    const previous = {
      projects: { '4': '2016-08-20T00:00:00.000Z' },
      paths: { '4': PROJECT },
      variablesUnread: { '4': { since: UPDATED_42, pipeline: 42 } },
    };
    const scope = gitlab();
    projectAndEnvironments(scope);
    scope
      .get(`${P}/pipelines/42/variables`)
      .times(2) // the probe, then deployment 42 read again
      .reply(200, sample('pipelines-variables.json'), LAST_PAGE)
      .get(`${P}/deployments`)
      .query(deploymentsQuery(UPDATED_42))
      .reply(200, listOf(sample('deployments-get.json')), LAST_PAGE);
    detailAndTests(scope, 42, 42);
    rangeFrom41(scope);

    const batches = await readDeployments({ projects: [PROJECT] }, previous);
    scope.done();

    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([]);
    expect(recordsOf(batches, 'deployment').get('42')?.data.variables).toEqual({
      RUN_NIGHTLY_BUILD: 'true',
      foo: 'bar',
    });
    expect(batches[0].cursor).toEqual({
      projects: { '4': UPDATED_42 },
      paths: { '4': PROJECT },
      seen: { '4': [42] },
    });
  });

  it('on a later run still refused: says so once, asks nothing more, and keeps what to read again', async () => {
    const previous = {
      projects: { '4': '2016-08-20T00:00:00.000Z' },
      paths: { '4': PROJECT },
      variablesUnread: { '4': { since: UPDATED_42, pipeline: 42 } },
    };
    const scope = gitlab();
    projectAndEnvironments(scope);
    scope
      .get(`${P}/pipelines/42/variables`)
      .reply(403, fixture('error-403-forbidden.json'), JSON_HEADERS)
      .get(`${P}/deployments`)
      .query(deploymentsQuery('2016-08-20T00:00:00.000Z'))
      .reply(200, '[]', LAST_PAGE);

    const batches = await readDeployments({ projects: [PROJECT] }, previous);
    scope.done();

    expect(batches).toHaveLength(1);
    expect(batches[0].problems).toEqual([
      expect.objectContaining({ code: 'pipeline-variables-forbidden', lasting: true, kinds: [] }),
    ]);
    expect(batches[0].cursor).toEqual(previous);
  });
});

describe('what a deployment shipped, whatever GitLab lists for it', () => {
  it.each([
    ['read before the background job filled it (empty)', '[]'],
    ['skipped by GitLab for an environment in a folder (empty)', '[]'],
  ])(
    'derives the MRs from the commits since the previous deployment, GitLab’s list %s',
    async (_, listed) => {
      const scope = gitlab();
      projectAndEnvironments(scope);
      scope
        .get(`${P}/deployments`)
        .query(deploymentsQuery(SINCE.toISOString()))
        .reply(200, listOf(sample('deployments-get.json')), LAST_PAGE)
        .get(`${P}/pipelines/42/variables`)
        .reply(200, sample('pipelines-variables.json'), LAST_PAGE);
      detailAndTests(scope, 42, 42);
      rangeFrom41(scope);
      const list = gitlabList(scope, 42, listed);

      const batches = await readDeployments({ projects: [PROJECT] });

      expect([...recordsOf(batches, 'deployment-mr').keys()]).toEqual([`42→${PROJECT}!1`]);
      expect(recordsOf(batches, 'merge-request').get(`${PROJECT}!1`)?.data.approvedBy).toEqual(['root']);
      expect(batches.flatMap((b) => b.problems ?? [])).toEqual([]);
      expect(list.read()).toBe(false);
      scope.done();
    },
  );

  it('for a first deployment to an environment, ships the MRs that landed in what it deployed since the horizon, not every MR merged into the branch', async () => {
    const scope = gitlab();
    projectAndEnvironments(scope);
    scope
      .get(`${P}/deployments`)
      .query(deploymentsQuery(SINCE.toISOString()))
      .reply(200, listOf(sample('deployments-get.json')), LAST_PAGE)
      .get(`${P}/pipelines/42/variables`)
      .reply(200, sample('pipelines-variables.json'), LAST_PAGE)
      // No earlier successful deployment to production: 42 is the first.
      .get(`${P}/deployments`)
      .query({ environment: 'production', status: 'success', order_by: 'id', sort: 'desc', per_page: '100' })
      .reply(200, listOf(sample('deployments-get.json')), LAST_PAGE)
      .get(`${P}/repository/commits`)
      .query({ ref_name: SHA_42, since: SINCE.toISOString(), per_page: '100' })
      .reply(200, fixture('commits-list.json'), LAST_PAGE)
      // A day before the oldest of them (8888…, 2016-08-09T10:00:00+02:00).
      .get(`${P}/merge_requests`)
      .query({
        state: 'merged',
        order_by: 'updated_at',
        sort: 'asc',
        updated_after: '2016-08-08T08:00:00.000Z',
        per_page: '100',
      })
      .reply(200, fixture('merge_requests-merged-since.json'), LAST_PAGE)
      .get(`${P}/repository/commits/${SHA_42}/signature`)
      .reply(200, sample('commits-signature-x509.json'), JSON_HEADERS);
    detailAndTests(scope, 42, 42);
    mergeRequestWhole(scope, 1);
    mergeRequestWhole(scope, 2, false);
    // GitLab's link job, finding no previous deployment, links all of main's merged MRs (!3 too).
    const list = gitlabList(scope, 42, fixture('merge_requests-merged-since.json'));

    const batches = await readDeployments({ projects: [PROJECT] });

    // !1 merged by 8888…, !2 by the deployed commit itself; !3's merge commit is not in its history.
    expect([...recordsOf(batches, 'deployment-mr').keys()].sort()).toEqual([
      `42→${PROJECT}!1`,
      `42→${PROJECT}!2`,
    ]);
    expect(recordsOf(batches, 'merge-request').has(`${PROJECT}!3`)).toBe(false);
    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([]);
    expect(list.read()).toBe(false);
    scope.done();
  });

  it('a previous deployment that cannot be looked up is a problem for the range, never "first deployment" or "shipped nothing"', async () => {
    const scope = gitlab();
    projectAndEnvironments(scope);
    scope
      .get(`${P}/deployments`)
      .query(deploymentsQuery(SINCE.toISOString()))
      .reply(200, listOf(sample('deployments-get.json')), LAST_PAGE)
      .get(`${P}/pipelines/42/variables`)
      .reply(200, sample('pipelines-variables.json'), LAST_PAGE)
      .get(`${P}/deployments`)
      .query({ environment: 'production', status: 'success', order_by: 'id', sort: 'desc', per_page: '100' })
      .reply(200, '{"message":"not a list"}', JSON_HEADERS)
      .get(`${P}/repository/commits/${SHA_42}/signature`)
      .reply(200, sample('commits-signature-x509.json'), JSON_HEADERS);
    detailAndTests(scope, 42, 42);

    const batches = await readDeployments({ projects: [PROJECT] });
    scope.done();

    expect(batches[0].problems).toEqual([
      {
        where: `deployment 42 of ${PROJECT}: previous successful deployment to production`,
        error: expect.stringContaining('malformed 200'),
        kinds: ['merge-request', 'deployment-mr', 'commit'],
      },
    ]);
    expect(batches[0].records.map((r) => r.kind)).toEqual(['deployment', 'commit']);
    // The next run reads it again.
    expect(batches[0].cursor).toEqual({
      projects: { '4': '2016-08-11T11:34:01.122Z' },
      paths: { '4': PROJECT },
    });
  });
});

describe('deployments that move while they are paged (offset paging by updated_at)', () => {
  it('reads a deployment the rows moving ahead of it would have skipped', async () => {
    // Page 1 holds 41 and 42; then 41 is updated (it moves to the end) and 44 sits behind 42.
    const moved41 = created(0, { updated_at: '2016-08-11T12:00:00.000Z' });
    const row44 = created(1, { id: 44, iid: 4, updated_at: '2016-08-11T11:50:00.000Z' });
    const scope = gitlab();
    projectAndEnvironments(scope, 2);
    scope
      .get(`${P}/deployments`)
      .query(deploymentsQuery(SINCE.toISOString(), 2))
      .reply(200, sample('deployments-list.json'), { ...LAST_PAGE, 'X-Per-Page': '2', 'X-Next-Page': '2' })
      // What page 2 of the same query holds once 41 moved: 44 slipped onto page 1.
      .get(`${P}/deployments`)
      .query(deploymentsQuery(SINCE.toISOString(), 2, 2))
      .optionally()
      .reply(200, JSON.stringify([moved41]), { ...LAST_PAGE, 'X-Per-Page': '2', 'X-Page': '2' })
      // From page 1's highest updated_at instead: 42 again (read already), then 44.
      .get(`${P}/deployments`)
      .query(deploymentsQuery(UPDATED_42, 2))
      .reply(200, JSON.stringify([created(1), row44]), {
        ...LAST_PAGE,
        'X-Per-Page': '2',
        'X-Next-Page': '2',
      })
      .get(`${P}/deployments`)
      .query(deploymentsQuery('2016-08-11T11:50:00.000Z', 2))
      .reply(200, JSON.stringify([row44, moved41]), { ...LAST_PAGE, 'X-Per-Page': '2' });

    const batches = await readDeployments({ projects: [PROJECT], perPage: 2 });

    expect(batches.map((b) => b.records.map((r) => r.externalId))).toEqual([['41', '42'], ['44'], ['41']]);
    expect(batches[batches.length - 1].cursor).toEqual({
      projects: { '4': '2016-08-11T12:00:00.000Z' },
      paths: { '4': PROJECT },
      seen: { '4': [41] },
    });
    scope.done();
  });

  it('steps through more deployments updated in one millisecond than a page holds by position, each once', async () => {
    const same = '2016-08-11T11:34:01.123Z';
    const next = { ...LAST_PAGE, 'X-Per-Page': '2', 'X-Next-Page': '2' };
    const scope = gitlab();
    projectAndEnvironments(scope, 2);
    scope
      .get(`${P}/deployments`)
      .query(deploymentsQuery(SINCE.toISOString(), 2))
      .reply(200, JSON.stringify([created(0, { updated_at: same }), created(1)]), next)
      // Page 1 from that millisecond is the page just read: on to page 2 of it.
      .get(`${P}/deployments`)
      .query(deploymentsQuery(same, 2, 2))
      .reply(200, JSON.stringify([created(1, { id: 44, iid: 4 }), created(1, { id: 45, iid: 5 })]), {
        ...next,
        'X-Next-Page': '3',
      })
      .get(`${P}/deployments`)
      .query(deploymentsQuery(same, 2, 3))
      .reply(200, JSON.stringify([created(1, { id: 46, iid: 6 })]), { ...LAST_PAGE, 'X-Per-Page': '2' });

    const batches = await readDeployments({ projects: [PROJECT], perPage: 2 });
    scope.done();

    expect(batches.map((b) => b.records.map((r) => r.externalId))).toEqual([
      ['41', '42'],
      ['44', '45'],
      ['46'],
    ]);
    expect(batches[2].cursor).toEqual({
      projects: { '4': same },
      paths: { '4': PROJECT },
      seen: { '4': [41, 42, 44, 45, 46] },
    });
  });

  it('a next page holding only deployments already read (a page served again) is a problem, not a loop', async () => {
    const same = '2016-08-11T11:34:01.123Z';
    const page = JSON.stringify([created(0, { updated_at: same }), created(1)]);
    const next = { ...LAST_PAGE, 'X-Per-Page': '2', 'X-Next-Page': '2' };
    const scope = gitlab();
    projectAndEnvironments(scope, 2);
    scope
      .get(`${P}/deployments`)
      .query(deploymentsQuery(SINCE.toISOString(), 2))
      .reply(200, page, next)
      .get(`${P}/deployments`)
      .query(deploymentsQuery(same, 2, 2))
      .reply(200, page, next);

    const batches = await readDeployments({ projects: [PROJECT], perPage: 2 });
    scope.done();

    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([
      {
        where: `project ${PROJECT} deployments`,
        error: expect.stringContaining('repeats deployments already read'),
      },
    ]);
  });
});
