/**
 * Contract tests of the repository reader (`connection.repository.shipped`): what shipped between
 * two commits of a service's repository, for deployments GitLab did not make (Jenkins). Real
 * samples and docs-derived fixtures (fixtures/README.md) replayed through nock as raw text.
 */
import nock from 'nock';
import type { RepositoryConnection } from '@audit-hub/plugin-sdk';
import { BASE, connect, TOKEN } from './context';
import { fixture, sample } from './samples';

const REPO = 'diaspora/diaspora-client';
const P = `/api/v4/projects/${encodeURIComponent(REPO)}`;
const FROM = 'ae73cb07c9eeaf35924a10f713b364d32b2dd34f';
const MERGE = '8888888888888888888888888888888888888888';
const UNSIGNED = 'ed899a2f4b50b4370feeea94676502b42383c746';
const SIGNED = '6104942438c14ec7bd21c6cd5bd995272b3faff6';
const JSON_HEADERS = { 'Content-Type': 'application/json' };
const LAST_PAGE = { ...JSON_HEADERS, 'X-Page': '1', 'X-Per-Page': '100', 'X-Next-Page': '' };

function gitlab(): nock.Scope {
  return nock(BASE, { reqheaders: { 'private-token': TOKEN } });
}

async function reader(): Promise<RepositoryConnection> {
  const connection = await connect();
  expect(connection.repository).toBeDefined();
  return connection.repository!;
}

/** MR !1 read whole: approvals, its two commits and their signatures (one unsigned, one PGP). */
function mergeRequestOne(scope: nock.Scope) {
  scope
    .get(`${P}/merge_requests/1/approvals`)
    .reply(200, sample('merge_requests-approvals.json'), JSON_HEADERS)
    .get(`${P}/merge_requests/1/commits`)
    .query({ per_page: '100' })
    .reply(200, fixture('merge_requests-commits.json'), LAST_PAGE)
    .get(`${P}/repository/commits/${UNSIGNED}/signature`)
    .reply(404, sample('commits-signature-404-unsigned.json'), JSON_HEADERS)
    .get(`${P}/repository/commits/${SIGNED}/signature`)
    .reply(200, sample('commits-signature-pgp.json'), JSON_HEADERS);
}

/** The project's merged MRs updated since an instant. */
function mergedSince(scope: nock.Scope, updatedAfter: string) {
  scope
    .get(`${P}/merge_requests`)
    .query({
      state: 'merged',
      order_by: 'updated_at',
      sort: 'asc',
      updated_after: updatedAfter,
      per_page: '100',
    })
    .reply(200, fixture('merge_requests-merged-list.json'), LAST_PAGE);
}

/** The deployed (merge) commit and its X.509 signature. */
function deployedCommit(scope: nock.Scope) {
  scope
    .get(`${P}/repository/commits/${MERGE}`)
    .reply(200, fixture('commits-get.json'), JSON_HEADERS)
    .get(`${P}/repository/commits/${MERGE}/signature`)
    .reply(200, sample('commits-signature-x509.json'), JSON_HEADERS);
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('gitlab repository reader: what shipped between two commits (contract)', () => {
  it('lists the merged MRs whose merge commit is in from..to, read whole, with every commit and its signature', async () => {
    const scope = gitlab();
    scope
      .get(`${P}/repository/compare`)
      .query({ from: FROM, to: MERGE })
      .reply(200, fixture('repository-compare.json'), JSON_HEADERS);
    // A day before the range's oldest commit (6104942…, 2012-09-20T09:06:12+03:00).
    mergedSince(scope, '2012-09-19T06:06:12.000Z');
    mergeRequestOne(scope);
    deployedCommit(scope);

    const range = await (await reader()).shipped({ repository: REPO, fromSha: FROM, toSha: MERGE });
    scope.done();

    expect(range.problems).toEqual([]);
    // MR !3 was merged by the range's start commit: it shipped before.
    expect(range.mergeRequests).toEqual([`${REPO}!1`]);
    const byKind = (kind: string) => range.records.filter((r) => r.kind === kind);
    expect(byKind('deployment-mr')).toEqual([]);
    expect(byKind('merge-request')).toEqual([
      expect.objectContaining({
        externalId: `${REPO}!1`,
        data: expect.objectContaining({
          mergeCommitSha: MERGE,
          approvedBy: ['root'],
          commitShas: [UNSIGNED, SIGNED],
        }),
      }),
    ]);
    expect(
      Object.fromEntries(
        byKind('commit').map((r) => [r.externalId, (r.data as { signature: string }).signature]),
      ),
    ).toEqual({
      [`${REPO}@${MERGE}`]: 'unverified', // the X.509 sample's verification_status
      [`${REPO}@${UNSIGNED}`]: 'unsigned',
      [`${REPO}@${SIGNED}`]: 'verified',
    });
  });

  it('with no previous deployment, ships the MR that merged the deployed commit, and compares nothing', async () => {
    const scope = gitlab();
    // A day before the deployed commit's own date (commits-get.json: 2021-09-20T09:06:12.300+03:00).
    mergedSince(scope, '2021-09-19T06:06:12.300Z');
    mergeRequestOne(scope);
    deployedCommit(scope);

    const range = await (await reader()).shipped({ repository: REPO, fromSha: null, toSha: MERGE });
    scope.done();
    expect(range.problems).toEqual([]);
    expect(range.mergeRequests).toEqual([`${REPO}!1`]);
  });

  it('a redeploy of the same commit ships no MR, and still records the deployed commit', async () => {
    const scope = gitlab();
    deployedCommit(scope);
    const range = await (await reader()).shipped({ repository: REPO, fromSha: MERGE, toSha: MERGE });
    scope.done();
    expect(range).toEqual({
      records: [expect.objectContaining({ kind: 'commit', externalId: `${REPO}@${MERGE}` })],
      mergeRequests: [],
      problems: [],
    });
  });

  it('a range GitLab cannot compare is a problem naming it and the kinds it leaves incomplete, never "shipped nothing"', async () => {
    const scope = gitlab();
    scope
      .get(`${P}/repository/compare`)
      .query({ from: FROM, to: MERGE })
      .reply(404, '{"message":"404 Ref Not Found"}', JSON_HEADERS);
    deployedCommit(scope);

    const range = await (await reader()).shipped({ repository: REPO, fromSha: FROM, toSha: MERGE });
    scope.done();
    expect(range.mergeRequests).toEqual([]);
    expect(range.problems).toEqual([
      {
        where: `${REPO}: compare ${FROM}...${MERGE}`,
        error: expect.stringMatching(/404/),
        kinds: ['merge-request', 'deployment-mr', 'commit'],
      },
    ]);
    expect(JSON.stringify(range)).not.toContain(TOKEN);
  });

  it('a merged-MR list that cannot be read is a problem for the MRs, never "shipped nothing"', async () => {
    const scope = gitlab();
    scope
      .get(`${P}/repository/compare`)
      .query({ from: FROM, to: MERGE })
      .reply(200, fixture('repository-compare.json'), JSON_HEADERS)
      .get(`${P}/merge_requests`)
      .query(true)
      .reply(403, '{"message":"403 Forbidden"}', JSON_HEADERS);
    deployedCommit(scope);
    const range = await (await reader()).shipped({ repository: REPO, fromSha: FROM, toSha: MERGE });
    scope.done();
    expect(range.mergeRequests).toEqual([]);
    expect(range.problems).toEqual([
      {
        where: `${REPO}: merged merge requests`,
        error: expect.stringMatching(/403/),
        kinds: ['merge-request', 'deployment-mr'],
      },
    ]);
  });

  it('a compare body without a commit list is a problem (malformed), and GitLab timing out the compare too', async () => {
    for (const body of [
      '{"diffs": []}',
      fixture('repository-compare.json').replace('"compare_timeout": false', '"compare_timeout": true'),
    ]) {
      const scope = gitlab();
      scope.get(`${P}/repository/compare`).query({ from: FROM, to: MERGE }).reply(200, body, JSON_HEADERS);
      deployedCommit(scope);
      const range = await (await reader()).shipped({ repository: REPO, fromSha: FROM, toSha: MERGE });
      scope.done();
      expect(range.mergeRequests).toEqual([]);
      expect(range.problems).toHaveLength(1);
      expect(range.problems[0].where).toContain('compare');
    }
  });
});
