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
  web_url?: string;
  references?: { short?: string; relative?: string; full?: string };
  created_at?: string;
}

export interface GitLabProject {
  id: number;
  path_with_namespace?: string;
  name?: string;
}

export interface GitLabUser {
  id?: number;
  username?: string;
}
