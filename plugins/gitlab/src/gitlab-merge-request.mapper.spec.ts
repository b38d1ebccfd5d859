import { mapApprovedBy, mapDeploymentMr, mapMergeRequest } from './gitlab-merge-request.mapper';
import type { GitLabMergeRequest } from './gitlab.types';

const mr: GitLabMergeRequest = {
  iid: 7,
  title: 'Fix rounding (CHG0030042)',
  description: null,
  author: { username: 'alice' },
  merged_by: { username: 'bob' },
  merge_user: { username: 'carol' },
  merged_at: '2024-03-01T10:00:00.000+01:00',
  merge_commit_sha: 'abc123',
  squash_commit_sha: 'def456',
  target_branch: 'main',
};

describe('mapMergeRequest', () => {
  it('maps the MR with its approvals (users wrapped as {user})', () => {
    const record = mapMergeRequest(mr, 'acme/payments-api', {
      approvals_required: 2,
      approvals_left: 0,
      approved_by: [{ user: { username: 'dave' } }, { user: { username: 'erin' } }],
    });
    expect(record.externalId).toBe('acme/payments-api!7');
    expect(record.data).toStrictEqual({
      project: 'acme/payments-api',
      iid: 7,
      title: 'Fix rounding (CHG0030042)',
      description: '',
      author: 'alice',
      // `merge_user` supersedes the deprecated `merged_by` on newer GitLab.
      mergedBy: 'carol',
      mergedAt: '2024-03-01T09:00:00.000Z',
      mergeCommitSha: 'abc123',
      squashCommitSha: 'def456',
      targetBranch: 'main',
      approvedBy: ['dave', 'erin'],
      approvalsRequired: 2,
      approvalsLeft: 0,
      commitShas: [],
    });
  });

  it('keeps approvers unknown (null) when approvals could not be read, and empty when nobody approved', () => {
    expect(mapMergeRequest(mr, 'acme/payments-api', null).data.approvedBy).toBeNull();
    expect(mapMergeRequest(mr, 'acme/payments-api', { approved_by: [] }).data.approvedBy).toEqual([]);
  });

  it('accepts bare users too (the /approval_state shape), once each', () => {
    expect(
      mapApprovedBy({
        approved_by: [{ user: { username: 'x' } }, { username: 'y' } as never, { user: { username: 'x' } }],
      }),
    ).toEqual(['x', 'y']);
  });

  it('names a deleted author, merger or approver as the shared ghost account (~ghost), nobody in particular', () => {
    // Users::Internal.ghost: username `ghost` (`ghost1` when the name was taken), name `Ghost User`.
    const ghost = { id: 2, username: 'ghost', name: 'Ghost User', state: 'active' };
    const record = mapMergeRequest(
      { ...mr, author: ghost, merge_user: { username: 'ghost1', name: 'Ghost User' } },
      'acme/payments-api',
      { approved_by: [{ user: ghost }, { user: { username: 'dave', name: 'Dave' } }] },
    );
    expect(record.data).toMatchObject({
      author: '~ghost',
      mergedBy: '~ghost1',
      approvedBy: ['~ghost', 'dave'],
    });
  });

  it('names an import that ran out of placeholders by its shared Import User account, and keeps placeholder users as they are', () => {
    const record = mapMergeRequest(
      {
        ...mr,
        author: { username: 'import_user_acme_x7Qa', name: 'Import User' },
        merge_user: { username: 'jdoe_placeholder_user_1', name: 'Placeholder Jane Doe' },
      },
      'acme/payments-api',
      null,
    );
    expect(record.data).toMatchObject({
      author: '~import_user_acme_x7Qa',
      mergedBy: 'jdoe_placeholder_user_1',
    });
  });

  it('keeps a real user whose username only looks like the ghost', () => {
    const record = mapMergeRequest(
      { ...mr, author: { username: 'ghost', name: 'Casper Ghost' } },
      'acme/payments-api',
      null,
    );
    expect(record.data.author).toBe('ghost');
  });

  it('links a deployment to the MRs it shipped', () => {
    expect(mapDeploymentMr('1042', 'acme/payments-api!7')).toEqual({
      kind: 'deployment-mr',
      externalId: '1042→acme/payments-api!7',
      data: { deployment: '1042', mergeRequest: 'acme/payments-api!7' },
    });
  });
});
