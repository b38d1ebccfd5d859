import { generateEstate } from '../estate/estate.generator';
import type { Estate } from '../estate/estate.model';
import type { FakeRequest } from './fake-http.util';
import { createGitlabFake, type GitlabBehaviours } from './gitlab.fake';
import { deletedUserNames, GHOST_USER_ID } from './gitlab-instance.behaviours';

const NOW = new Date('2025-03-14T12:00:00.000Z');
const TOKEN = 'glpat-sandbox-behaviours';
const BASE = 'http://127.0.0.1:1/gitlab';

describe('GitLab fake: editions, people and signatures of real instances', () => {
  let estate: Estate;
  beforeAll(() => {
    estate = generateEstate({ seed: 42, scale: 1, now: NOW });
  });

  const gitlab = (behaviours: GitlabBehaviours = {}) => {
    const handler = createGitlabFake({
      estate: () => estate,
      token: TOKEN,
      now: () => NOW,
      userName: 'svc-audit-hub',
      behaviours,
    });
    return (path: string) => {
      const url = new URL(`http://x/api/v4${path}`);
      const request: FakeRequest = {
        method: 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: { 'private-token': TOKEN },
        baseUrl: BASE,
      };
      const response = handler(request);
      return { status: response.status, text: response.body, body: JSON.parse(response.body) };
    };
  };
  const serviceOf = (name: string) => estate.services.find((s) => s.name === name)!;
  const project = (name: string) => `/projects/${serviceOf(name).id}`;

  it('reports an Enterprise Edition at /metadata and /version, and Community Edition with communityEdition', () => {
    expect(gitlab()('/metadata').body).toMatchObject({
      version: expect.stringMatching(/-ee$/),
      enterprise: true,
    });
    expect(gitlab()('/version').body).toMatchObject({ enterprise: true });
    const ce = gitlab({ communityEdition: true })('/metadata').body;
    expect(ce).toMatchObject({ enterprise: false });
    expect(ce.version).not.toMatch(/-ee/);
  });

  it('communityEdition: protected environments have no route, deployments no approvals, MR approvals no rules', () => {
    const d = estate.deployments.find((x) => x.status === 'success' && x.approvals.length > 0)!;
    const mr = estate.mergeRequests.find((m) => m.mergedAt && m.approvedBy.length > 0)!;
    const path = project(d.service);
    const ee = gitlab();
    const ce = gitlab({ communityEdition: true });

    expect(ee(`${path}/protected_environments`).status).toBe(200);
    expect(ce(`${path}/protected_environments`)).toMatchObject({
      status: 404,
      body: { error: '404 Not Found' },
    });

    expect(ee(`${path}/deployments/${d.id}`).body).toHaveProperty('approvals');
    const ceDeployment = ce(`${path}/deployments/${d.id}`).body;
    expect(ceDeployment).not.toHaveProperty('approvals');
    expect(ceDeployment).toMatchObject({ id: d.id, sha: d.sha });

    const mrPath = `${project(mr.service)}/merge_requests/${mr.iid}/approvals`;
    expect(ee(mrPath).body).toHaveProperty('approvals_required');
    const ceApprovals = ce(mrPath).body;
    expect(Object.keys(ceApprovals).sort()).toEqual([
      'approved',
      'approved_by',
      'user_can_approve',
      'user_has_approved',
    ]);
    expect(ceApprovals.approved_by.map((a: any) => a.user.username)).toEqual(mr.approvedBy);
  });

  it('ghostUsers: a deleted author or approver is the shared ghost user, and no member any more', () => {
    const deleted = deletedUserNames(estate, NOW.toISOString());
    expect(deleted.size).toBeGreaterThan(0);
    const mr = estate.mergeRequests.find((m) => deleted.has(m.authorUserName) && m.mergedAt)!;
    expect(mr).toBeDefined();
    const path = `${project(mr.service)}/merge_requests/${mr.iid}`;

    expect(gitlab()(path).body.author.username).toBe(mr.authorUserName);
    const ghosted = gitlab({ ghostUsers: true })(path).body;
    expect(ghosted.author).toMatchObject({ id: GHOST_USER_ID, username: 'ghost', name: 'Ghost User' });
    // Git keeps the author of the commits: only GitLab's user records changed hands.
    const sha = mr.commitShas[0];
    const commit = gitlab({ ghostUsers: true })(`${project(mr.service)}/repository/commits/${sha}`).body;
    expect(commit.author_name).toBe(estate.people.find((p) => p.userName === mr.authorUserName)!.name);

    const members = (b: GitlabBehaviours) =>
      gitlab(b)(`/groups/${estate.organization.id}/members/all?per_page=100`).body.map(
        (m: any) => m.username,
      );
    expect(members({})).toEqual(expect.arrayContaining([...deleted]));
    const after = members({ ghostUsers: true });
    for (const name of deleted) expect(after).not.toContain(name);
    expect(after).not.toContain('ghost');
  });

  it("hiddenEmails: commits of people who keep their e-mail private carry GitLab's private commit e-mail", () => {
    const hider = estate.people.find(
      (p) => p.id % 3 === 0 && estate.commits.some((c) => c.authorUserName === p.userName),
    )!;
    const c = estate.commits.find((x) => x.authorUserName === hider.userName)!;
    const path = `${project(c.service)}/repository/commits/${c.sha}`;
    expect(gitlab()(path).body.author_email).toBe(hider.email);
    expect(gitlab({ hiddenEmails: true })(path).body.author_email).toBe(
      `${hider.id}-${hider.userName}@users.noreply.127.0.0.1`,
    );
    const other = estate.commits.find(
      (x) => estate.people.find((p) => p.userName === x.authorUserName)!.id % 3 !== 0,
    )!;
    const otherAuthor = estate.people.find((p) => p.userName === other.authorUserName)!;
    expect(
      gitlab({ hiddenEmails: true })(`${project(other.service)}/repository/commits/${other.sha}`).body
        .author_email,
    ).toBe(otherAuthor.email);
  });

  it('eeSignatureStatuses: a verified X.509 signature is verified_ca, an unverified one says why, raw serials intact', () => {
    const x509 = estate.commits.find(
      (c) => c.signature?.type === 'x509' && c.signature.status === 'verified',
    )!;
    const bad = estate.commits.find((c) => c.signature?.status === 'unverified')!;
    const verifiedSystem = estate.commits.find((c) => c.signature?.status === 'verified_system');
    const sig = (b: GitlabBehaviours, c: typeof x509) =>
      gitlab(b)(`${project(c.service)}/repository/commits/${c.sha}/signature`);

    const plain = sig({}, x509);
    const ee = sig({ eeSignatureStatuses: true }, x509);
    expect(plain.body.verification_status).toBe('verified');
    expect(ee.body.verification_status).toBe('verified_ca');
    // The 39-digit serial is still written as a bare number.
    expect(ee.text).toMatch(/"serial_number":\d{20,}/);
    expect(sig({ eeSignatureStatuses: true }, bad).body.verification_status).toMatch(
      /^(unverified_key|other_user|same_user_different_email|unknown_key|revoked_key|multiple_signatures)$/,
    );
    if (verifiedSystem)
      expect(sig({ eeSignatureStatuses: true }, verifiedSystem).body.verification_status).toBe(
        'verified_system',
      );
  });
});
