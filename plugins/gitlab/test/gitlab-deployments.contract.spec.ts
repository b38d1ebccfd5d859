/**
 * Contract tests of the `deployments` stream: the real GitLab samples (and docs-derived fixtures
 * where no sample exists, see fixtures/README.md) replayed through nock as raw text.
 */
import nock from 'nock';
import { BASE, readDeployments, recordsOf, SINCE, TOKEN } from './context';
import { fixture, listOf, parsed, sample } from './samples';

const PROJECT = 'diaspora/diaspora-client';
const PROJECT_ID = 4;
const SHA_42 = 'a91957a858320c0e17f3a0eca7cfacbff50ea29a';
const P = `/api/v4/projects/${PROJECT_ID}`;
const JSON_HEADERS = { 'Content-Type': 'application/json' };
/** GitLab's paging headers of a last page: `X-Next-Page` empty, and no `X-Total` (as above 10,000 rows). */
const LAST_PAGE = { ...JSON_HEADERS, 'X-Page': '1', 'X-Per-Page': '100', 'X-Next-Page': '' };

function gitlab(): nock.Scope {
  return nock(BASE, { reqheaders: { 'private-token': TOKEN } });
}

/** The configured project resolved by path, its environments and its protected environments. */
function projectAndEnvironments(
  scope: nock.Scope,
  environments = fixture('environments-list-with-production.json'),
  protectedEnvironments: [number, string] = [200, sample('protected_environments-list.json')],
) {
  const [status, body] = protectedEnvironments;
  scope
    .get('/api/v4/projects/diaspora%2Fdiaspora-client')
    .reply(200, fixture('project-get.json'), JSON_HEADERS)
    .get(`${P}/environments`)
    .query({ per_page: '100' })
    .reply(200, environments, LAST_PAGE)
    .get(`${P}/protected_environments`)
    .query({ per_page: '100' })
    .reply(status, body, status === 200 ? LAST_PAGE : JSON_HEADERS);
}

function deploymentsQuery(updatedAfter: string, page?: string) {
  return {
    order_by: 'updated_at',
    sort: 'asc',
    updated_after: updatedAfter,
    per_page: '100',
    ...(page ? { page } : {}),
  };
}

/** Where the previous successful deployment to `production` is looked for. */
const PREVIOUS_QUERY = {
  environment: 'production',
  status: 'success',
  order_by: 'id',
  sort: 'desc',
  per_page: '100',
};
/** deployments-list-success.json: deployment 41, the one before 42 in `production`. */
const SHA_41 = '99d03678b90d914dbb1b109132516d71a4a03ea8';

interface FanOut {
  detail?: string;
  variables?: [number, string];
  testReport?: string;
  /** The successful deployments to `production` (where 42's previous one is found). */
  previous?: [number, string];
  /** `/repository/compare?from=<41's sha>&to=<42's sha>`. */
  compare?: [number, string];
  approvals?: [number, string];
  signature?: [number, string];
}

const MR_COMMIT_UNSIGNED = 'ed899a2f4b50b4370feeea94676502b42383c746';
const MR_COMMIT_SIGNED = '6104942438c14ec7bd21c6cd5bd995272b3faff6';

/**
 * The fan-out of successful deployment 42 (pipeline 42, commit a91957a8): what it shipped is the
 * range from deployment 41's commit (repository-compare-deployment.json), where MR !1 landed.
 */
function fanOut42(scope: nock.Scope, over: FanOut = {}) {
  const [varStatus, varBody] = over.variables ?? [200, sample('pipelines-variables.json')];
  scope
    .get(`${P}/deployments/42`)
    .reply(200, over.detail ?? sample('deployments-get.json'), JSON_HEADERS)
    .get(`${P}/pipelines/42/variables`)
    .reply(varStatus, varBody, varStatus === 200 ? LAST_PAGE : JSON_HEADERS)
    .get(`${P}/pipelines/42/test_report_summary`)
    .reply(200, over.testReport ?? fixture('pipelines-test_report_summary.json'), JSON_HEADERS);
  shipped42(scope, over);
}

/** What deployment 42 shipped: the compare range from 41, MR !1 read whole, the deployed commit's signature. */
function shipped42(scope: nock.Scope, over: FanOut = {}) {
  const [previousStatus, previousBody] = over.previous ?? [200, fixture('deployments-list-success.json')];
  const [compareStatus, compareBody] = over.compare ?? [200, fixture('repository-compare-deployment.json')];
  scope
    .get(`${P}/deployments`)
    .query(PREVIOUS_QUERY)
    .times(previousStatus >= 500 ? 2 : 1)
    .reply(previousStatus, previousBody, previousStatus === 200 ? LAST_PAGE : JSON_HEADERS);
  if (previousStatus !== 200) return;
  scope
    .get(`${P}/repository/compare`)
    .query({ from: SHA_41, to: SHA_42 })
    .times(compareStatus >= 500 ? 2 : 1)
    .reply(compareStatus, compareBody, JSON_HEADERS);
  if (compareStatus === 200) {
    // A day before the range's oldest commit (6104942…, 2012-09-20T09:06:12+03:00).
    scope
      .get(`${P}/merge_requests`)
      .query({
        state: 'merged',
        order_by: 'updated_at',
        sort: 'asc',
        updated_after: '2012-09-19T06:06:12.000Z',
        per_page: '100',
      })
      .reply(200, fixture('merge_requests-merged-list.json'), LAST_PAGE);
    const [status, body] = over.approvals ?? [200, sample('merge_requests-approvals.json')];
    scope.get(`${P}/merge_requests/1/approvals`).reply(status, body, JSON_HEADERS);
    // The MR's own commits, each with its signature: one unsigned, one PGP-verified.
    scope
      .get(`${P}/merge_requests/1/commits`)
      .query({ per_page: '100' })
      .reply(200, fixture('merge_requests-commits.json'), LAST_PAGE)
      .get(`${P}/repository/commits/${MR_COMMIT_UNSIGNED}/signature`)
      .reply(404, sample('commits-signature-404-unsigned.json'), JSON_HEADERS)
      .get(`${P}/repository/commits/${MR_COMMIT_SIGNED}/signature`)
      .reply(200, sample('commits-signature-pgp.json'), JSON_HEADERS);
  }
  const [sigStatus, sigBody] = over.signature ?? [200, sample('commits-signature-x509.json')];
  scope.get(`${P}/repository/commits/${SHA_42}/signature`).reply(sigStatus, sigBody, JSON_HEADERS);
}

/** deployments-get.json with the Premium `approvals` of deployments-get-approvals-fragment.json. */
function premiumDetail(): string {
  const detail = parsed(sample('deployments-get.json'));
  const fragment = parsed(sample('deployments-get-approvals-fragment.json'));
  return JSON.stringify({
    ...detail,
    pending_approval_count: fragment.pending_approval_count,
    approvals: fragment.approvals,
  });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('gitlab deployments stream (contract)', () => {
  it('maps a successful production deployment and fans it out to approvals, variables, tests, MRs and the signed commit', async () => {
    const scope = gitlab();
    projectAndEnvironments(scope);
    scope
      .get(`${P}/deployments`)
      .query(deploymentsQuery(SINCE.toISOString()))
      .reply(200, listOf(sample('deployments-get.json')), LAST_PAGE);
    fanOut42(scope, { detail: premiumDetail() });

    const batches = await readDeployments({ projects: [PROJECT], versionVariable: 'foo' });
    scope.done();

    expect(batches).toHaveLength(1);
    expect(batches[0].problems).toBeUndefined();
    expect(batches[0].cursor).toEqual({
      projects: { '4': '2016-08-11T11:34:01.123Z' },
      paths: { '4': PROJECT },
      seen: { '4': [42] },
    });

    const deployment = recordsOf(batches, 'deployment').get('42');
    expect(deployment?.data).toStrictEqual({
      project: PROJECT,
      environment: 'production',
      // The tier comes from /environments (id 9); the deployment itself carries none.
      tier: 'production',
      // The deployment's own status, not deployable.status.
      status: 'success',
      // deployable.started_at is null: the deployment's created_at.
      startedAt: '2016-08-11T11:32:35.444Z',
      finishedAt: '2016-08-11T11:32:35.145Z',
      commitSha: SHA_42,
      commitMessage:
        "Merge branch 'rename-readme' into 'main'\r\n\r\nRename README\r\n\r\n\r\n\r\nSee merge request !2",
      ref: 'main',
      isTag: false,
      // Not a tag: the configured version variable (`foo` = `bar` in pipelines-variables.json).
      version: 'bar',
      triggeredBy: 'root',
      viaPipeline: true,
      pipelineId: '42',
      jobName: 'deploy',
      variables: { RUN_NIGHTLY_BUILD: 'true', foo: 'bar' },
      approvals: [
        {
          user: 'project_6_bot',
          status: 'approved',
          at: '2022-02-24T20:22:30.097Z',
          comment: 'Looks good to me',
        },
      ],
      testReport: { total: 3363, failed: 0 },
      artifacts: [],
      // protected_environments-list.json: only Maintainers may deploy to production (Premium).
      environmentProtection: {
        protected: true,
        deployAccess: [{ role: 'maintainer', description: 'Maintainers' }],
      },
    });

    const mr = recordsOf(batches, 'merge-request').get(`${PROJECT}!1`);
    expect(mr?.data).toStrictEqual({
      project: PROJECT,
      iid: 1,
      title: 'test1',
      description: 'fixed login page css paddings',
      author: 'admin',
      mergedBy: 'DouweM',
      mergedAt: '2018-09-07T11:16:17.520Z',
      // Its merge commit is in the range from deployment 41's commit to 42's.
      mergeCommitSha: '8888888888888888888888888888888888888888',
      targetBranch: 'master',
      // `approved_by: [{user: {username: "root"}}]`: the {user} wrapper of /approvals.
      approvedBy: ['root'],
      approvalsRequired: 2,
      approvalsLeft: 1,
      // merge_requests-commits.json: the MR's own commits, newest first.
      commitShas: [MR_COMMIT_UNSIGNED, MR_COMMIT_SIGNED],
    });
    // Each shipped MR commit is recorded with its signature (RM-PIPE-002 checks them).
    expect(recordsOf(batches, 'commit').get(`${PROJECT}@${MR_COMMIT_UNSIGNED}`)?.data).toMatchObject({
      sha: MR_COMMIT_UNSIGNED,
      title: 'Replace sanitize with escape once',
      authorName: 'Example User',
      committedAt: '2012-09-20T08:50:22.000Z',
      signature: 'unsigned',
    });
    expect(recordsOf(batches, 'commit').get(`${PROJECT}@${MR_COMMIT_SIGNED}`)?.data.signature).toBe(
      'verified',
    );

    const link = recordsOf(batches, 'deployment-mr').get(`42→${PROJECT}!1`);
    expect(link?.data).toStrictEqual({ deployment: '42', mergeRequest: `${PROJECT}!1` });

    const commit = recordsOf(batches, 'commit').get(`${PROJECT}@${SHA_42}`);
    expect(commit?.data).toStrictEqual({
      project: PROJECT,
      sha: SHA_42,
      title: "Merge branch 'rename-readme' into 'main'",
      message:
        "Merge branch 'rename-readme' into 'main'\r\n\r\nRename README\r\n\r\n\r\n\r\nSee merge request !2",
      authorName: 'Administrator',
      authorEmail: 'admin@example.com',
      committedAt: '2016-08-11T11:28:26.000Z',
      // commits-signature-x509.json: verification_status "unverified".
      signature: 'unverified',
    });
    // The X.509 serial (39 digits) is kept exactly; JSON.parse would have rounded it.
    const raw = commit?.raw as { signature: { x509_certificate: { serial_number: unknown } } };
    expect(raw.signature.x509_certificate.serial_number).toBe('278969561018901340486471282831158785578');
  });

  it('on GitLab Free: no tier on the environment, no deployment approvals, MR approvals 403, unsigned commit, no test report', async () => {
    const scope = gitlab();
    // environments-list.json knows only `review/fix-foo`: the production deployment gets no tier,
    // and the plugin does not guess one from the name (the core's name patterns do).
    projectAndEnvironments(scope, sample('environments-list.json'));
    scope
      .get(`${P}/deployments`)
      .query(deploymentsQuery(SINCE.toISOString()))
      .reply(200, listOf(sample('deployments-get.json')), LAST_PAGE);
    fanOut42(scope, {
      testReport: fixture('pipelines-test_report_summary-none.json'),
      approvals: [403, '{"message":"403 Forbidden"}'],
      signature: [404, sample('commits-signature-404-unsigned.json')],
    });

    const batches = await readDeployments({ projects: [PROJECT] });
    scope.done();

    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([]);
    const deployment = recordsOf(batches, 'deployment').get('42')?.data;
    expect(deployment?.tier).toBeNull();
    // The Free deployment body has no `approvals`: unknown (null), not "none" ([]).
    expect(deployment?.approvals).toBeNull();
    // total.count 0: the pipeline archived no test report.
    expect(deployment?.testReport).toBeNull();
    // No VERSION variable and not a tag: the short SHA.
    expect(deployment?.version).toBe('a91957a8');
    // 403 on a Premium endpoint: approvers unknown (null), never "nobody approved" ([]).
    const mr = recordsOf(batches, 'merge-request').get(`${PROJECT}!1`)?.data;
    expect(mr?.approvedBy).toBeNull();
    expect(mr).not.toHaveProperty('approvalsRequired');
    expect(mr).not.toHaveProperty('approvalsLeft');
    expect(recordsOf(batches, 'commit').get(`${PROJECT}@${SHA_42}`)?.data.signature).toBe('unsigned');
  });

  it('reads a PGP-verified signature as verified', async () => {
    const scope = gitlab();
    projectAndEnvironments(scope);
    scope
      .get(`${P}/deployments`)
      .query(deploymentsQuery(SINCE.toISOString()))
      .reply(200, listOf(sample('deployments-get.json')), LAST_PAGE);
    fanOut42(scope, { signature: [200, sample('commits-signature-pgp.json')] });

    const batches = await readDeployments({ projects: [PROJECT] });
    scope.done();
    expect(recordsOf(batches, 'commit').get(`${PROJECT}@${SHA_42}`)?.data.signature).toBe('verified');
  });

  it('reads the next page from the highest updated_at read (not by offset), without X-Total, and saves the watermark after each page', async () => {
    // Deployment 42 succeeded after page 1 listed it as `created`: its updated_at moved on.
    const succeeded = JSON.stringify([
      { ...parsed(sample('deployments-get.json')), updated_at: '2016-08-11T11:40:00.000Z' },
    ]);
    const scope = gitlab();
    projectAndEnvironments(scope);
    scope
      .get(`${P}/deployments`)
      .query(deploymentsQuery(SINCE.toISOString()))
      .reply(200, sample('deployments-list.json'), {
        ...JSON_HEADERS,
        'X-Page': '1',
        'X-Per-Page': '100',
        'X-Next-Page': '2',
      })
      // Page 1's highest updated_at, from page 1 again: what moved is still ahead.
      .get(`${P}/deployments`)
      .query(deploymentsQuery('2016-08-11T11:34:01.123Z'))
      .reply(200, succeeded, LAST_PAGE);
    fanOut42(scope);

    const batches = await readDeployments({ projects: [PROJECT] });
    scope.done();

    expect(batches).toHaveLength(2);
    expect(batches[0].records.map((r) => `${r.kind}:${r.externalId}`)).toEqual([
      'deployment:41',
      'deployment:42',
    ]);
    expect(batches[0].cursor).toEqual({
      projects: { '4': '2016-08-11T11:34:01.123Z' },
      paths: { '4': PROJECT },
      seen: { '4': [42] },
    });
    expect(batches[1].records.map((r) => r.kind).sort()).toEqual([
      'commit',
      'commit',
      'commit',
      'deployment',
      'deployment-mr',
      'merge-request',
    ]);
    expect(batches[1].cursor).toEqual({
      projects: { '4': '2016-08-11T11:40:00.000Z' },
      paths: { '4': PROJECT },
      seen: { '4': [42] },
    });

    // deployments-list.json: both deployments are `created` (their jobs succeeded): no fan-out, no finish.
    const created = parsed(sample('deployments-list.json'))[0];
    expect(created.deployable.status).toBe('success');
    expect(batches[0].records[0].data).toStrictEqual({
      project: PROJECT,
      environment: 'production',
      tier: 'production',
      status: 'created',
      startedAt: '2016-08-11T07:36:40.222Z',
      commitSha: '99d03678b90d914dbb1b109132516d71a4a03ea8',
      commitMessage:
        "Merge branch 'new-title' into 'main'\r\n\r\nUpdate README\r\n\r\n\r\n\r\nSee merge request !1",
      ref: 'main',
      isTag: false,
      version: '99d03678',
      triggeredBy: 'root',
      viaPipeline: true,
      pipelineId: '36',
      jobName: 'deploy',
      variables: {},
      approvals: null,
      artifacts: [],
    });
  });

  it('on the next run sends updated_after=<saved watermark>, keeps the first-collected path and the other projects’ cursors', async () => {
    const previous = {
      projects: { '4': '2016-08-11T11:34:01.123Z', '77': '2016-08-05T00:00:00.000Z' },
      paths: { '4': 'diaspora/old-client-name', '77': 'other/project' },
    };
    const scope = gitlab();
    projectAndEnvironments(scope);
    scope
      .get(`${P}/deployments`)
      .query(deploymentsQuery('2016-08-11T11:34:01.123Z'))
      .reply(200, listOf(sample('deployments-get.json')), LAST_PAGE);
    fanOut42(scope);

    const batches = await readDeployments({ projects: [PROJECT] }, previous);
    scope.done();

    expect(batches).toHaveLength(1);
    // Deployment 42 (at the saved watermark, read again: the old cursor says nothing of it) is
    // recorded as read there, so the run after this one skips it.
    expect(batches[0].cursor).toEqual({ ...previous, seen: { '4': [42] } });
    expect(batches[0].records.map((r) => r.externalId)).toEqual([
      '42',
      `diaspora/old-client-name@${SHA_42}`,
      'diaspora/old-client-name!1',
      `diaspora/old-client-name@${MR_COMMIT_UNSIGNED}`,
      `diaspora/old-client-name@${MR_COMMIT_SIGNED}`,
      '42→diaspora/old-client-name!1',
    ]);
    expect(recordsOf(batches, 'deployment').get('42')?.data.project).toBe('diaspora/old-client-name');
  });

  it('on the next run skips what the last run read at its watermark (updated_after is inclusive), and reads it again once it changed', async () => {
    const previous = {
      projects: { '4': '2016-08-11T11:34:01.123Z' },
      paths: { '4': PROJECT },
      seen: { '4': [42] },
    };
    // Served again unchanged: no fan-out is asked (nock refuses any request not scripted here).
    const unchanged = gitlab();
    projectAndEnvironments(unchanged);
    unchanged
      .get(`${P}/deployments`)
      .query(deploymentsQuery('2016-08-11T11:34:01.123Z'))
      .reply(200, listOf(sample('deployments-get.json')), LAST_PAGE);
    const quiet = await readDeployments({ projects: [PROJECT] }, previous);
    unchanged.done();
    expect(quiet.flatMap((b) => b.records)).toEqual([]);
    expect(quiet.flatMap((b) => b.problems ?? [])).toEqual([]);

    // Updated since (a later updated_at): read whole again.
    const moved = JSON.stringify([
      { ...parsed(sample('deployments-get.json')), updated_at: '2016-08-11T11:40:00.000Z' },
    ]);
    const changed = gitlab();
    projectAndEnvironments(changed);
    changed
      .get(`${P}/deployments`)
      .query(deploymentsQuery('2016-08-11T11:34:01.123Z'))
      .reply(200, moved, LAST_PAGE);
    fanOut42(changed);
    const again = await readDeployments({ projects: [PROJECT] }, previous);
    changed.done();
    expect(recordsOf(again, 'deployment').has('42')).toBe(true);
    expect(again.at(-1)?.cursor).toEqual({
      projects: { '4': '2016-08-11T11:40:00.000Z' },
      paths: { '4': PROJECT },
      seen: { '4': [42] },
    });
  });

  it('starts from collect.since when the saved watermark is older, and yields nothing when nothing changed', async () => {
    const scope = gitlab();
    projectAndEnvironments(scope);
    scope.get(`${P}/deployments`).query(deploymentsQuery(SINCE.toISOString())).reply(200, '[]', LAST_PAGE);

    const batches = await readDeployments(
      { projects: [PROJECT] },
      { projects: { '4': '2015-01-01T00:00:00.000Z' } },
    );
    scope.done();
    expect(batches).toEqual([]);
  });

  it('waits as a 429 asks, then reads the page', async () => {
    const sleeps: number[] = [];
    const scope = gitlab();
    projectAndEnvironments(scope);
    scope
      .get(`${P}/deployments`)
      .query(deploymentsQuery(SINCE.toISOString()))
      .reply(429, '{"message":"429 Too Many Requests"}', {
        ...JSON_HEADERS,
        'Retry-After': '7',
        'RateLimit-Limit': '600',
        'RateLimit-Remaining': '0',
      })
      .get(`${P}/deployments`)
      .query(deploymentsQuery(SINCE.toISOString()))
      .reply(200, sample('deployments-list.json'), LAST_PAGE);

    const batches = await readDeployments({ projects: [PROJECT] }, null, SINCE, { sleeps });
    scope.done();
    expect(sleeps).toEqual([7000]);
    expect([...recordsOf(batches, 'deployment').keys()]).toEqual(['41', '42']);
  });

  it.each([
    ['bad JSON', '[{"id": 41, "status": "succ'],
    ['not a list', '{"message":"this is not a page of deployments"}'],
  ])(
    'reports a page that is %s as a problem (partial), without moving the watermark past it',
    async (_, body) => {
      const scope = gitlab();
      projectAndEnvironments(scope);
      scope
        .get(`${P}/deployments`)
        .query(deploymentsQuery(SINCE.toISOString()))
        .reply(200, body, JSON_HEADERS);

      const batches = await readDeployments({ projects: [PROJECT] });
      scope.done();

      expect(batches).toHaveLength(1);
      expect(batches[0].records).toEqual([]);
      expect(batches[0].cursor).toEqual({ projects: {}, paths: { '4': PROJECT } });
      expect(batches[0].problems).toEqual([
        {
          where: `project ${PROJECT} deployments`,
          error: expect.stringMatching(/GET \/api\/v4\/projects\/4\/deployments failed \(malformed 200\)/),
        },
      ]);
    },
  );

  it('turns a fan-out failure (compare 500 after retries) into a problem naming the deployment, and holds the watermark before it', async () => {
    const scope = gitlab();
    projectAndEnvironments(scope);
    scope
      .get(`${P}/deployments`)
      .query(deploymentsQuery(SINCE.toISOString()))
      .reply(200, listOf(sample('deployments-get.json')), LAST_PAGE);
    // GitLab error pages can quote the request; the token must not reach the problem.
    fanOut42(scope, {
      compare: [500, `{"message":"500 Internal Server Error (PRIVATE-TOKEN: ${TOKEN})"}`],
    });

    const batches = await readDeployments({ projects: [PROJECT] });
    scope.done();

    expect(batches).toHaveLength(1);
    const [problem] = batches[0].problems ?? [];
    expect(problem).toEqual({
      where: `deployment 42 of ${PROJECT}: compare ${SHA_41}...${SHA_42}`,
      error: expect.stringContaining('GET /api/v4/projects/4/repository/compare failed (server 500)'),
      kinds: ['merge-request', 'deployment-mr', 'commit'],
    });
    expect(problem.error).not.toContain(TOKEN);
    expect(problem.error).toContain('[REDACTED]');
    // The deployment and its commit are still recorded; no MR was.
    expect(batches[0].records.map((r) => r.kind)).toEqual(['deployment', 'commit']);
    // 1 ms before the deployment's updated_at, so the next run reads it (and its range) again.
    expect(batches[0].cursor).toEqual({
      projects: { '4': '2016-08-11T11:34:01.122Z' },
      paths: { '4': PROJECT },
    });
  });

  it('records variables the token may not read (403) as unknown, with no version, in one lasting problem that does not hold the watermark', async () => {
    const scope = gitlab();
    projectAndEnvironments(scope);
    scope
      .get(`${P}/deployments`)
      .query(deploymentsQuery(SINCE.toISOString()))
      .reply(200, listOf(sample('deployments-get.json')), LAST_PAGE);
    fanOut42(scope, { variables: [403, fixture('error-403-forbidden.json')] });

    const batches = await readDeployments({ projects: [PROJECT], versionVariable: 'foo' });
    scope.done();

    expect(batches[0].problems).toEqual([
      {
        where: `project ${PROJECT} pipeline variables`,
        error: expect.stringContaining(
          'GET /api/v4/projects/4/pipelines/42/variables answered 403 Forbidden',
        ),
        code: 'pipeline-variables-forbidden',
        kinds: [],
        lasting: true,
        fix: expect.stringContaining('Maintainer'),
      },
    ]);
    const deployment = recordsOf(batches, 'deployment').get('42')?.data;
    // Unknown, never "none" ({}); and not a tag: the version variable may have been set.
    expect(deployment?.variables).toBeNull();
    expect(deployment).not.toHaveProperty('version');
    // The other link sources are read as usual.
    expect(recordsOf(batches, 'deployment-mr').has(`42→${PROJECT}!1`)).toBe(true);
    expect(deployment?.commitMessage).toContain('See merge request !2');
    // The watermark moves on; the cursor remembers what to read again once GitLab gives them.
    expect(batches[0].cursor).toEqual({
      projects: { '4': '2016-08-11T11:34:01.123Z' },
      paths: { '4': PROJECT },
      variablesUnread: { '4': { since: '2016-08-11T11:34:01.123Z', pipeline: 42 } },
      seen: { '4': [42] },
    });
  });

  it('fails the stream when the main deployments list fails, without printing the token', async () => {
    const scope = gitlab();
    projectAndEnvironments(scope);
    scope
      .get(`${P}/deployments`)
      .query(deploymentsQuery(SINCE.toISOString()))
      .times(2)
      .reply(502, `<html><title>502 Bad Gateway for token ${TOKEN}</title></html>`, {
        'Content-Type': 'text/html',
      });

    const failure = readDeployments({ projects: [PROJECT] });
    await expect(failure).rejects.toMatchObject({ name: 'UpstreamError', code: 'server', status: 502 });
    const err = await failure.catch((e: Error) => e);
    expect(String((err as Error).message)).not.toContain(TOKEN);
    expect(JSON.stringify(err)).not.toContain(TOKEN);
    scope.done();
  });

  it('records a deployment created through the API: no pipeline, commit read from the repository', async () => {
    const scope = gitlab();
    // GitLab Free: protected environments answer 403 — unknown, not "unprotected".
    projectAndEnvironments(scope, undefined, [403, '{"message":"403 Forbidden"}']);
    scope
      .get(`${P}/deployments`)
      .query(deploymentsQuery(SINCE.toISOString()))
      .reply(200, listOf(fixture('deployments-create-response.json')), LAST_PAGE)
      .get(`${P}/deployments/42`)
      .reply(200, fixture('deployments-create-response.json'), JSON_HEADERS)
      // The previous deployment to production deployed the same commit: nothing to compare.
      .get(`${P}/deployments`)
      .query(PREVIOUS_QUERY)
      .reply(
        200,
        JSON.stringify(
          parsed(fixture('deployments-list-success.json')).map((d: { id: number }) =>
            d.id === 41 ? { ...d, sha: SHA_42 } : d,
          ),
        ),
        LAST_PAGE,
      )
      .get(`${P}/repository/commits/${SHA_42}`)
      .reply(200, fixture('commits-get.json'), JSON_HEADERS)
      .get(`${P}/repository/commits/${SHA_42}/signature`)
      .reply(404, sample('commits-signature-404-unsigned.json'), JSON_HEADERS);

    const batches = await readDeployments({ projects: [PROJECT] });
    scope.done();

    expect(batches[0].problems).toBeUndefined();
    expect(recordsOf(batches, 'deployment').get('42')?.data).toStrictEqual({
      project: PROJECT,
      environment: 'production',
      tier: 'production',
      status: 'success',
      startedAt: '2016-08-11T11:32:35.444Z',
      // No job and no updated_at in this body: no finish time to report.
      commitSha: SHA_42,
      ref: 'main',
      isTag: false,
      version: 'a91957a8',
      triggeredBy: 'root',
      viaPipeline: false,
      variables: {},
      approvals: null,
      artifacts: [],
      environmentProtection: null,
    });
    expect(recordsOf(batches, 'commit').get(`${PROJECT}@${SHA_42}`)?.data).toStrictEqual({
      project: PROJECT,
      sha: SHA_42,
      title: 'Sanitize for network graph',
      message: 'Sanitize for network graph',
      authorName: 'randx',
      authorEmail: 'user@example.com',
      committedAt: '2021-09-20T06:06:12.300Z',
      signature: 'unsigned',
    });
    // Watermark from created_at when the body has no updated_at.
    expect(batches[0].cursor).toEqual({
      projects: { '4': '2016-08-11T11:32:35.444Z' },
      paths: { '4': PROJECT },
      seen: { '4': [42] },
    });
  });

  it('keeps only the configured environments, but still moves the watermark past the others', async () => {
    const scope = gitlab();
    projectAndEnvironments(scope);
    scope
      .get(`${P}/deployments`)
      .query(deploymentsQuery(SINCE.toISOString()))
      .reply(200, sample('deployments-list.json'), LAST_PAGE);

    const batches = await readDeployments({ projects: [PROJECT], environments: ['staging*', 'review/*'] });
    scope.done();
    expect(batches).toHaveLength(1);
    expect(batches[0].records).toEqual([]);
    expect(batches[0].cursor).toEqual({
      projects: { '4': '2016-08-11T11:34:01.123Z' },
      paths: { '4': PROJECT },
      seen: { '4': [42] },
    });
  });
});

describe('gitlab project discovery (contract)', () => {
  it('with no projects or groups configured, audits every unarchived project the token is a member of', async () => {
    const scope = gitlab()
      .get('/api/v4/projects')
      .query({ membership: 'true', archived: 'false', simple: 'true', per_page: '100' })
      .reply(200, fixture('projects-simple.json'), LAST_PAGE)
      .get(`${P}/environments`)
      .query({ per_page: '100' })
      .reply(200, fixture('environments-list-with-production.json'), LAST_PAGE)
      .get(`${P}/protected_environments`)
      .query({ per_page: '100' })
      .reply(200, '[]', LAST_PAGE)
      .get(`${P}/deployments`)
      .query(deploymentsQuery(SINCE.toISOString()))
      .reply(200, sample('deployments-list.json'), LAST_PAGE)
      .get('/api/v4/projects/6/environments')
      .query({ per_page: '100' })
      .reply(200, '[]', LAST_PAGE)
      // GitLab Free: protected environments are a Premium endpoint.
      .get('/api/v4/projects/6/protected_environments')
      .query({ per_page: '100' })
      .reply(404, '{"message":"404 Not found"}', JSON_HEADERS)
      .get('/api/v4/projects/6/deployments')
      .query(deploymentsQuery(SINCE.toISOString()))
      .reply(200, '[]', LAST_PAGE);

    const batches = await readDeployments({});
    scope.done();

    expect(batches).toHaveLength(1);
    expect([...recordsOf(batches, 'deployment').values()].map((r) => [r.externalId, r.data.project])).toEqual(
      [
        ['41', PROJECT],
        ['42', PROJECT],
      ],
    );
    expect(batches[0].cursor).toEqual({
      projects: { '4': '2016-08-11T11:34:01.123Z' },
      paths: { '4': PROJECT },
      seen: { '4': [42] },
    });
  });

  it('reads group projects with subgroups, once each, and names a configured project that is missing', async () => {
    const scope = gitlab()
      .get('/api/v4/projects/acme%2Fgone')
      .reply(404, '{"message":"404 Project Not Found"}', JSON_HEADERS)
      .get('/api/v4/projects/4')
      .reply(200, fixture('project-get.json'), JSON_HEADERS)
      .get('/api/v4/groups/diaspora/projects')
      .query({ include_subgroups: 'true', archived: 'false', simple: 'true', per_page: '100' })
      .reply(200, fixture('projects-simple.json'), LAST_PAGE);
    for (const id of [4, 6]) {
      scope
        .get(`/api/v4/projects/${id}/environments`)
        .query({ per_page: '100' })
        .reply(200, '[]', LAST_PAGE)
        .get(`/api/v4/projects/${id}/protected_environments`)
        .query({ per_page: '100' })
        .reply(200, '[]', LAST_PAGE)
        .get(`/api/v4/projects/${id}/deployments`)
        .query(deploymentsQuery(SINCE.toISOString()))
        .reply(200, '[]', LAST_PAGE);
    }

    const batches = await readDeployments({ projects: ['acme/gone', '4'], groups: ['diaspora'] });
    scope.done();

    expect(batches).toHaveLength(1);
    expect(batches[0].records).toEqual([]);
    expect(batches[0].problems).toEqual([
      {
        where: 'project "acme/gone"',
        error: expect.stringContaining('404 Project Not Found'),
      },
    ]);
  });
});
