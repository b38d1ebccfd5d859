/**
 * The SonarQube Web API calls of this plugin, over the connector's HttpClient (which owns auth,
 * timeouts, concurrency, retries, rate limits, redaction, and reads SonarQube's
 * `{"errors":[{"msg"}]}` bodies into its errors). Paths are under the configured base URL, which may
 * carry a context path (`https://ci.example.com/sonar`).
 */
import { type HttpClient, type HttpResponse, type QueryValue, UpstreamError } from '@audit-hub/http';
import type {
  SonarAnalysis,
  SonarComponent,
  SonarCurrentUser,
  SonarPaging,
  SonarProjectStatus,
  SonarSystemStatus,
} from './sonarqube.types';
import { parseSonarVersion, type SonarVersion } from './sonarqube-version';

export const PATHS = {
  systemStatus: '/api/system/status',
  serverVersion: '/api/server/version',
  validate: '/api/authentication/validate',
  currentUser: '/api/users/current',
  components: '/api/components/search',
  analyses: '/api/project_analyses/search',
  projectStatus: '/api/qualitygates/project_status',
} as const;

/**
 * The most results a search backed by SonarQube's Elasticsearch index returns: `p × ps` above it is
 * a 400 "Can return only the first 10000 results. 10100th result asked." (`SearchOptions.setPage`).
 * `api/components/search` is one; `api/project_analyses/search` reads the database and has no cap.
 */
export const SEARCH_RESULT_LIMIT = 10_000;

/** One page of a paged web service. */
export interface SonarPage<T> {
  items: T[];
  /** `paging.total` as this page reported it. */
  total: number;
  /** Whether no page follows (`p × ps ≥ total`, an empty page, or the search's result limit). */
  last: boolean;
  /** The list goes on past the search's result limit: the rest cannot be asked for by page. */
  capped: boolean;
  /** `GET /api/project_analyses/search (project=acme_app) page 2`, for problems and logs. */
  where: string;
}

export class SonarQubeClient {
  constructor(
    readonly http: HttpClient,
    /** `ps` of paged requests. */
    readonly pageSize: number,
  ) {}

  /**
   * Every page of a `p`/`ps` paged web service, until `p × ps` reaches `paging.total` (or a page
   * comes back empty, which ends a list that shrank while it was read). A 2xx body without a
   * numeric `paging.total` or without the list is a `malformed` UpstreamError: an unreadable page
   * never passes for an empty one. With `resultLimit`, no page beyond it is asked for: the last one
   * within it says `capped` when `paging.total` says more.
   */
  async *pages<T>(
    path: string,
    listField: string,
    query: Record<string, QueryValue>,
    label: string,
    resultLimit?: number,
  ): AsyncGenerator<SonarPage<T>> {
    for (let p = 1; ; p++) {
      const where = `GET ${path} (${label}) page ${p}`;
      const response = await this.http.request<unknown>({ path, query: { ...query, p, ps: this.pageSize } });
      const body = this.object(path, response);
      const paging = body.paging as SonarPaging | undefined;
      const total = paging?.total;
      if (typeof total !== 'number' || !Number.isInteger(total) || total < 0) {
        throw this.malformed(path, response.status, `page ${p} has no numeric paging.total`);
      }
      const items = body[listField];
      if (!Array.isArray(items)) {
        throw this.malformed(path, response.status, `page ${p} has no "${listField}" list`);
      }
      const end = items.length === 0 || p * this.pageSize >= total;
      const capped = !end && resultLimit !== undefined && (p + 1) * this.pageSize > resultLimit;
      yield { items: items as T[], total, last: end || capped, capped, where };
      if (end || capped) return;
    }
  }

  /** Projects (qualifier `TRK`) the token's user may browse: the index filters by permission. */
  projects(): AsyncGenerator<SonarPage<SonarComponent>> {
    return this.pages<SonarComponent>(
      PATHS.components,
      'components',
      { qualifiers: 'TRK' },
      'qualifiers=TRK',
      SEARCH_RESULT_LIMIT,
    );
  }

  /**
   * Analyses of a project's main branch created at or after `from` (inclusive), newest first, as
   * SonarQube always sorts them.
   */
  analyses(projectKey: string, from: string): AsyncGenerator<SonarPage<SonarAnalysis>> {
    return this.pages<SonarAnalysis>(
      PATHS.analyses,
      'analyses',
      { project: projectKey, from },
      `project=${projectKey}, from=${from}`,
    );
  }

  /** The first page (`ps` given) of a project's analyses: proves Browse on the project. */
  async analysesProbe(projectKey: string): Promise<number> {
    const response = await this.http.request<unknown>({
      path: PATHS.analyses,
      query: { project: projectKey, p: 1, ps: 1 },
    });
    const total = (this.object(PATHS.analyses, response).paging as SonarPaging | undefined)?.total;
    if (typeof total !== 'number') throw this.malformed(PATHS.analyses, response.status, 'no paging.total');
    return total;
  }

  /** How many projects the token can see (one `ps=1` page of the discovery search). */
  async visibleProjects(): Promise<number> {
    const response = await this.http.request<unknown>({
      path: PATHS.components,
      query: { qualifiers: 'TRK', p: 1, ps: 1 },
    });
    const total = (this.object(PATHS.components, response).paging as SonarPaging | undefined)?.total;
    if (typeof total !== 'number') throw this.malformed(PATHS.components, response.status, 'no paging.total');
    return total;
  }

  /**
   * The quality gate as it was computed for that analysis (not the project's current one). 404
   * (`Analysis with id '…' is not found`) when the analysis was deleted, e.g. by housekeeping.
   */
  async projectStatus(analysisKey: string): Promise<SonarProjectStatus> {
    const response = await this.http.request<unknown>({
      path: PATHS.projectStatus,
      query: { analysisId: analysisKey },
    });
    const status = this.object(PATHS.projectStatus, response).projectStatus;
    if (!isObject(status))
      throw this.malformed(PATHS.projectStatus, response.status, 'no projectStatus object');
    return status as SonarProjectStatus;
  }

  /** `api/server/version` (plain text, no authentication): the version, or undefined when unreadable. */
  async serverVersion(): Promise<{ text: string; version?: SonarVersion }> {
    const response = await this.http.request<string>({
      path: PATHS.serverVersion,
      anonymous: true,
      responseType: 'text',
    });
    const text = typeof response.data === 'string' ? response.data.trim() : '';
    const version = parseSonarVersion(text);
    return version ? { text, version } : { text };
  }

  /**
   * `api/users/current`: who the requests run as. An anonymous session (`isLoggedIn: false`) is
   * what a server makes of a token it did not read, when it does not force authentication.
   */
  async currentUser(): Promise<SonarCurrentUser> {
    const response = await this.http.request<unknown>({ path: PATHS.currentUser });
    const body = this.object(PATHS.currentUser, response);
    if (typeof body.isLoggedIn !== 'boolean')
      throw this.malformed(PATHS.currentUser, response.status, 'no boolean "isLoggedIn"');
    return {
      isLoggedIn: body.isLoggedIn,
      ...(typeof body.login === 'string' && body.login ? { login: body.login } : {}),
    };
  }

  async systemStatus(): Promise<SonarSystemStatus> {
    const response = await this.http.request<unknown>({ path: PATHS.systemStatus });
    return this.object(PATHS.systemStatus, response) as SonarSystemStatus;
  }

  /** `{"valid": true|false}`; true also for no credentials on a server without forced authentication. */
  async validate(): Promise<boolean> {
    const response = await this.http.request<unknown>({ path: PATHS.validate });
    const valid = this.object(PATHS.validate, response).valid;
    if (typeof valid !== 'boolean')
      throw this.malformed(PATHS.validate, response.status, 'no boolean "valid"');
    return valid;
  }

  /** A 2xx body as an object; an `{"errors": [...]}` body on a 2xx is malformed, with its messages. */
  private object(path: string, response: HttpResponse<unknown>): Record<string, unknown> {
    const body = response.data;
    if (!isObject(body)) throw this.malformed(path, response.status, 'the body is not a JSON object');
    if (Array.isArray(body.errors) && body.errors.length > 0) {
      const messages = body.errors.map((e) => (isObject(e) && typeof e.msg === 'string' ? e.msg : '?'));
      throw this.malformed(path, response.status, `SonarQube answered with errors: ${messages.join('; ')}`);
    }
    return body;
  }

  private malformed(path: string, status: number, detail: string): UpstreamError {
    return new UpstreamError({
      connector: this.http.connector,
      method: 'GET',
      path: this.http.redact(path),
      status,
      code: 'malformed',
      retryable: false,
      detail: this.http.redact(detail),
    });
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
