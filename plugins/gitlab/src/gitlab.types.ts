/**
 * The GitLab REST v4 bodies this plugin reads, limited to the fields it maps
 * (shared/upstream-samples/gitlab). Every field is optional or nullable where GitLab versions or
 * tiers differ: a missing field is "unknown", never a default.
 */

export interface GitLabUser {
  id?: number;
  username?: string;
  name?: string;
  state?: string;
}

export interface GitLabProject {
  id: number;
  path_with_namespace?: string;
  archived?: boolean;
}

export interface GitLabEnvironment {
  id: number;
  name: string;
  /** Only on `/environments` (GitLab 13.10+); deployments embed the environment without it. */
  tier?: string | null;
}

export interface GitLabCommit {
  id?: string;
  short_id?: string;
  title?: string;
  message?: string;
  author_name?: string;
  author_email?: string;
  authored_date?: string;
  committed_date?: string;
  created_at?: string;
  parent_ids?: string[];
}

/** `/repository/compare`: the commits of `from..to`, oldest first (and diffs, not read). */
export interface GitLabCompare {
  commit?: GitLabCommit | null;
  commits: GitLabCommit[];
  compare_same_ref?: boolean;
  compare_timeout?: boolean;
}

export interface GitLabPipelineRef {
  id: number;
  ref?: string;
  sha?: string;
  status?: string;
  /** Present on newer GitLab versions only (`push`, `web`, `api`, `trigger`, `schedule`, …). */
  source?: string;
}

/** The CI job that ran the deployment; null when the deployment was created through the API. */
export interface GitLabDeployable {
  id: number;
  name?: string;
  status?: string;
  ref?: string;
  tag?: boolean;
  started_at?: string | null;
  finished_at?: string | null;
  created_at?: string | null;
  /** The job's user (who ran the job), not necessarily who deployed. */
  user?: GitLabUser | null;
  commit?: GitLabCommit | null;
  pipeline?: GitLabPipelineRef | null;
}

export interface GitLabDeploymentApproval {
  user?: GitLabUser | null;
  status?: string;
  created_at?: string;
  comment?: string | null;
}

export interface GitLabDeployment {
  /** Instance-wide id (subject refs use it, never `iid`). */
  id: number;
  iid?: number;
  ref: string;
  sha: string;
  tag?: boolean;
  created_at: string;
  updated_at?: string;
  /** The deployment's own status, which can differ from `deployable.status`. */
  status: string;
  /** Who deployed. */
  user?: GitLabUser | null;
  environment?: { id?: number; name?: string } | null;
  deployable?: GitLabDeployable | null;
  /** Premium, single deployment only (unified approval setting). */
  approvals?: GitLabDeploymentApproval[];
  /** Premium, single deployment only (multiple approval rules). */
  approval_summary?: { rules?: { deployment_approvals?: GitLabDeploymentApproval[] }[] };
}

export interface GitLabMergeRequest {
  id?: number;
  iid: number;
  project_id?: number;
  title?: string;
  description?: string | null;
  state?: string;
  author?: GitLabUser | null;
  merged_by?: GitLabUser | null;
  /** Replaces `merged_by` on newer GitLab versions. */
  merge_user?: GitLabUser | null;
  merged_at?: string | null;
  merge_commit_sha?: string | null;
  squash_commit_sha?: string | null;
  target_branch?: string;
  /** The MR's head commit (a fast-forward merge leaves no merge commit: the head is what lands). */
  sha?: string | null;
  references?: { full?: string };
}

/** `/merge_requests/:iid/approvals`: `approved_by` wraps each user as `{user: {...}}`. */
export interface GitLabMergeRequestApprovals {
  approvals_required?: number | null;
  approvals_left?: number | null;
  approved_by?: { user?: GitLabUser | null }[];
}

export interface GitLabPipelineVariable {
  key: string;
  value?: string | null;
  variable_type?: string;
}

export interface GitLabTestReportSummary {
  total?: { count?: number; failed?: number; error?: number; success?: number; skipped?: number };
}

/** `/repository/commits/:sha/signature` (GPG, X.509 or SSH). */
export interface GitLabCommitSignature {
  signature_type?: string;
  verification_status?: string;
}

/**
 * `/groups/:id/members/all`: a member of the group, direct or inherited from an ancestor group
 * (`access_level`: 5 minimal, 10 guest, 15 planner, 20 reporter, 30 developer, 40 maintainer,
 * 50 owner; `expires_at` a date or null).
 */
export interface GitLabMember {
  id?: number;
  username?: string;
  name?: string;
  state?: string;
  access_level?: number;
  expires_at?: string | null;
  membership_state?: string;
}

/** `/projects/:id/protected_environments` (Premium): who may deploy, and (newer GitLab) approvals. */
export interface GitLabProtectedEnvironment {
  name?: string;
  deploy_access_levels?: {
    access_level?: number | null;
    access_level_description?: string | null;
    user_id?: number | null;
    group_id?: number | null;
  }[];
  required_approval_count?: number | null;
}
