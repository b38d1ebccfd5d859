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
    /** ADF on v3, a string on v2; only when asked for. */
    description?: unknown;
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

/** A field of a screen (`expand=transitions.fields`, create metadata): whether it must be given. */
export interface JiraFieldMeta {
  required?: boolean;
  hasDefaultValue?: boolean;
  name?: string;
  /** Create metadata names the field here; transition metadata keys the map by it. */
  fieldId?: string;
  key?: string;
  allowedValues?: { id?: string; name?: string; value?: string }[];
}

export interface JiraTransition {
  id: string;
  name: string;
  to?: JiraStatus & { id?: string };
  /** The transition screen's fields, only with `expand=transitions.fields`. */
  fields?: Record<string, JiraFieldMeta>;
}

/** `{"errorMessages": [...], "errors": {field: message}}`. */
export interface JiraErrorBody {
  errorMessages?: string[];
  errors?: Record<string, string>;
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
