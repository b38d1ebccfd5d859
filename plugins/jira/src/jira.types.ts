/** The parts of Jira's REST bodies this plugin reads (shared/upstream-samples/jira). */

export interface JiraStatus {
  name?: string;
  /** `new` (To Do), `indeterminate` (In Progress) or `done`. */
  statusCategory?: { key?: string; name?: string };
}

export interface JiraIssue {
  /** A string, even though it holds digits. */
  id: string;
  key: string;
  self?: string;
  fields?: {
    summary?: string;
    status?: JiraStatus;
    labels?: string[];
    created?: string;
  };
}

/** `POST /rest/api/{2,3}/issue` answers only this, not the issue. */
export interface JiraCreatedIssue {
  id: string;
  key: string;
  self?: string;
}

/** `GET /rest/api/2/search` (Data Center): offset paging. */
export interface JiraOffsetSearchPage {
  startAt?: number;
  maxResults?: number;
  total?: number;
  issues?: JiraIssue[];
}

/** `POST /rest/api/3/search/jql` (Cloud): token paging, no total. */
export interface JiraTokenSearchPage {
  issues?: JiraIssue[];
  nextPageToken?: string;
  isLast?: boolean;
}

export interface JiraTransition {
  id: string;
  name: string;
  to?: JiraStatus & { id?: string };
}

export interface JiraUser {
  accountId?: string;
  name?: string;
  displayName?: string;
  emailAddress?: string;
}

export interface JiraProject {
  id?: string;
  key?: string;
  name?: string;
  issueTypes?: { id?: string; name?: string }[];
}
