/** GitLab merge request (shipped with a deployment) → `merge-request` and `deployment-mr` records. */
import { externalIds, type MergeRequestRecord, type NormalizedRecord } from '@audit-hub/domain';
import { compact, toIsoUtc } from './gitlab-deployment.mapper';
import { recordUserName } from './gitlab-user-name.mapper';
import type { GitLabMergeRequest, GitLabMergeRequestApprovals, GitLabUser } from './gitlab.types';

/**
 * User names of an MR's approvers from `/merge_requests/:iid/approvals`, where each `approved_by`
 * element wraps the user as `{user: {...}}` (unlike `/approval_state`, whose elements are bare
 * users; a bare one is accepted too). A deleted approver is GitLab's shared ghost user, named
 * `~ghost` (gitlab-user-name.mapper.ts); each shared account is listed once, as GitLab lists it.
 */
export function mapApprovedBy(approvals: GitLabMergeRequestApprovals): string[] {
  const names: string[] = [];
  for (const entry of approvals.approved_by ?? []) {
    const wrapped = entry as { user?: GitLabUser | null } & GitLabUser;
    const name = recordUserName(wrapped?.user ?? wrapped);
    if (name && !names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * @param approvals the MR's `/approvals` body; null when GitLab would not tell (403/404 on Free):
 *   then `approvedBy` is null (unknown), never an empty list (which would mean "nobody approved").
 */
export function mapMergeRequest(
  mr: GitLabMergeRequest,
  projectPath: string,
  approvals: GitLabMergeRequestApprovals | null,
  commitShas: string[] = [],
): NormalizedRecord<'merge-request'> {
  const data: MergeRequestRecord = compact({
    project: projectPath,
    iid: mr.iid,
    title: mr.title ?? '',
    description: mr.description ?? '',
    // A deleted author or merger is GitLab's shared ghost user: `~ghost`, nobody in particular.
    author: recordUserName(mr.author) ?? '',
    mergedBy: recordUserName(mr.merge_user ?? mr.merged_by),
    mergedAt: mr.merged_at ? toIsoUtc(mr.merged_at) : undefined,
    mergeCommitSha: mr.merge_commit_sha ?? undefined,
    squashCommitSha: mr.squash_commit_sha ?? undefined,
    targetBranch: mr.target_branch ?? '',
    approvedBy: approvals ? mapApprovedBy(approvals) : null,
    approvalsRequired: numberOrUndefined(approvals?.approvals_required),
    approvalsLeft: numberOrUndefined(approvals?.approvals_left),
    // The MR's own commits (`/merge_requests/:iid/commits`): RM-PIPE-002 checks each one's signature.
    commitShas,
  });
  return {
    kind: 'merge-request',
    externalId: mergeRequestExternalId(projectPath, mr.iid),
    data,
    raw: approvals ? { ...mr, approvals } : mr,
  };
}

export function mergeRequestExternalId(projectPath: string, iid: number): string {
  return externalIds.mergeRequest(projectPath, iid);
}

export function mapDeploymentMr(
  deploymentExternalId: string,
  mergeRequestExternalId: string,
): NormalizedRecord<'deployment-mr'> {
  return {
    kind: 'deployment-mr',
    externalId: externalIds.deploymentMr(deploymentExternalId, mergeRequestExternalId),
    data: { deployment: deploymentExternalId, mergeRequest: mergeRequestExternalId },
  };
}

function numberOrUndefined(value: number | null | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
