/** The parts of GitLab's issue bodies this plugin reads (shared/upstream-samples/gitlab/issues-*.json). */

export interface GitLabIssue {
  /** Instance-wide id. */
  id: number;
  /** Project-scoped number: what every issue URL and API path uses. */
  iid: number;
  project_id?: number;
  title?: string;
  state?: 'opened' | 'closed' | string;
  labels?: string[];
  description?: string | null;
  web_url?: string;
  references?: { short?: string; relative?: string; full?: string };
  created_at?: string;
}

/** An access level as `permissions` shows it (10 Guest, 15 Planner, 20 Reporter, 30 Developer, 40 Maintainer, 50 Owner). */
export interface GitLabAccess {
  access_level?: number | null;
}

export interface GitLabProject {
  id: number;
  path_with_namespace?: string;
  name?: string;
  /** The token user's own access, direct and through the group (absent for a non-member admin). */
  permissions?: { project_access?: GitLabAccess | null; group_access?: GitLabAccess | null } | null;
}

export interface GitLabUser {
  id?: number;
  username?: string;
}
