/**
 * Contract tests of what real GitLab instances answer about people and signatures beyond the
 * samples (docs/connectors/gitlab.md "On real instances"): deleted users shown as the shared ghost
 * account, and the signature statuses of Enterprise Edition and of newer versions. Read through the
 * repository reader (`connection.repository.shipped`), on source-derived fixtures (fixtures/README.md).
 */
import nock from 'nock';
import type { RepositoryConnection } from '@audit-hub/plugin-sdk';
import { BASE, connect, TOKEN } from './context';
import { fixture, sample } from './samples';

const REPO = 'diaspora/diaspora-client';
const P = `/api/v4/projects/${encodeURIComponent(REPO)}`;
const MERGE = '8888888888888888888888888888888888888888';
const UNSIGNED = 'ed899a2f4b50b4370feeea94676502b42383c746';
const SIGNED = '6104942438c14ec7bd21c6cd5bd995272b3faff6';
const JSON_HEADERS = { 'Content-Type': 'application/json' };
const LAST_PAGE = { ...JSON_HEADERS, 'X-Page': '1', 'X-Per-Page': '100', 'X-Next-Page': '' };

function gitlab(): nock.Scope {
  return nock(BASE, { reqheaders: { 'private-token': TOKEN } });
}

async function reader(): Promise<RepositoryConnection> {
  return (await connect()).repository!;
}

/** The deployed (merge) commit, signed as `signature` says. */
function deployedCommit(scope: nock.Scope, signature: string) {
  scope
    .get(`${P}/repository/commits/${MERGE}`)
    .reply(200, fixture('commits-get.json'), JSON_HEADERS)
    .get(`${P}/repository/commits/${MERGE}/signature`)
    .reply(200, signature, JSON_HEADERS);
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('gitlab users and signatures on real instances (contract)', () => {
  it("records a deleted author and approver as GitLab's shared ghost account, `~ghost`, never as a person", async () => {
    const scope = gitlab();
    scope
      .get(`${P}/merge_requests`)
      .query({
        state: 'merged',
        order_by: 'updated_at',
        sort: 'asc',
        updated_after: '2021-09-19T06:06:12.300Z',
        per_page: '100',
      })
      .reply(200, fixture('merge_requests-merged-list-ghost-author.json'), LAST_PAGE)
      .get(`${P}/merge_requests/1/approvals`)
      .reply(200, fixture('merge_requests-approvals-ghost-approver.json'), JSON_HEADERS)
      .get(`${P}/merge_requests/1/commits`)
      .query({ per_page: '100' })
      .reply(200, fixture('merge_requests-commits.json'), LAST_PAGE)
      .get(`${P}/repository/commits/${UNSIGNED}/signature`)
      .reply(404, sample('commits-signature-404-unsigned.json'), JSON_HEADERS)
      .get(`${P}/repository/commits/${SIGNED}/signature`)
      .reply(200, sample('commits-signature-pgp.json'), JSON_HEADERS);
    deployedCommit(scope, sample('commits-signature-x509.json'));

    const range = await (await reader()).shipped({ repository: REPO, fromSha: null, toSha: MERGE });
    scope.done();

    expect(range.problems).toEqual([]);
    const mr = range.records.find((r) => r.kind === 'merge-request');
    expect(mr?.data).toMatchObject({ author: '~ghost', mergedBy: 'DouweM', approvedBy: ['~ghost', 'root'] });
  });

  it("passes an EE signature verified by the group CA (`verified_ca`), and keeps GitLab's own status in raw", async () => {
    const scope = gitlab();
    deployedCommit(scope, fixture('commits-signature-x509-verified_ca.json'));

    const range = await (await reader()).shipped({ repository: REPO, fromSha: MERGE, toSha: MERGE });
    scope.done();

    const [commit] = range.records;
    expect(commit.data).toMatchObject({ sha: MERGE, signature: 'verified' });
    expect(commit.raw).toMatchObject({ signature: { verification_status: 'verified_ca' } });
  });

  it('records a status this connector does not know as `unknown` (not passing), and keeps the commit', async () => {
    const scope = gitlab();
    deployedCommit(scope, fixture('commits-signature-x509-unrecognised.json'));

    const range = await (await reader()).shipped({ repository: REPO, fromSha: MERGE, toSha: MERGE });
    scope.done();

    expect(range.records).toHaveLength(1);
    expect(range.records[0].data).toMatchObject({ sha: MERGE, signature: 'unknown' });
    expect(range.records[0].raw).toMatchObject({ signature: { verification_status: 'verified_by_hsm' } });
    // Said once, lasting, with what to do: not a silent "unknown".
    expect(range.problems).toEqual([
      expect.objectContaining({
        where: `commit ${REPO}@${MERGE} signature`,
        code: 'signature-status-unrecognised',
        kinds: [],
        lasting: true,
        error: expect.stringContaining('"verified_by_hsm"'),
      }),
    ]);
  });
});
