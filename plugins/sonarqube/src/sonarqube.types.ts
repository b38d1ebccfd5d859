/**
 * The SonarQube Web API shapes this connector reads (shared/upstream-samples/sonarqube). Every
 * field is optional: the client checks what it relies on instead of trusting the type.
 */

/** `paging` of every paged web service: `p` is `pageIndex` (1-based), `ps` is `pageSize`. */
export interface SonarPaging {
  pageIndex?: number;
  pageSize?: number;
  total?: number;
}

/** One entry of `api/components/search?qualifiers=TRK`. */
export interface SonarComponent {
  key?: string;
  name?: string;
  qualifier?: string;
  project?: string;
}

/** One entry of `api/project_analyses/search` (newest first). */
export interface SonarAnalysis {
  key?: string;
  /** `2016-12-12T17:12:45+0100`: the server's offset, without a colon. */
  date?: string;
  projectVersion?: string;
  buildString?: string;
  /** The SCM revision (git commit SHA) the scanner reported; absent when it sent none. */
  revision?: string;
  detectedCI?: string;
  events?: unknown[];
}

/** One condition of `projectStatus.conditions`: thresholds and values are strings. */
export interface SonarCondition {
  status?: string;
  metricKey?: string;
  comparator?: string;
  errorThreshold?: string;
  actualValue?: string;
  periodIndex?: number;
}

/** The `projectStatus` object of `api/qualitygates/project_status`. */
export interface SonarProjectStatus {
  status?: string;
  ignoredConditions?: boolean;
  caycStatus?: string;
  conditions?: SonarCondition[];
  period?: unknown;
}

/** `api/system/status` (answered without authentication). */
export interface SonarSystemStatus {
  id?: string;
  version?: string;
  /** `UP`, or `STARTING`, `DOWN`, `RESTARTING`, `DB_MIGRATION_NEEDED`, `DB_MIGRATION_RUNNING`. */
  status?: string;
}

/** What the connector keeps of `api/users/current`. */
export interface SonarCurrentUser {
  /** `false` for an anonymous session: `{"isLoggedIn": false, "permissions": {"global": []}}`. */
  isLoggedIn: boolean;
  login?: string;
}
