/**
 * The GitLab REST v4 calls of this plugin, over the connector's HttpClient (which owns auth,
 * timeouts, concurrency, retries, rate limits and redaction). Paths are under `/api/v4` of the
 * configured GitLab root; project and group ids are numeric ids or URL-encoded paths.
 */
import {
  HttpClient,
  nextFromGitLabHeaders,
  paginate,
  UpstreamError,
  type HttpRequest,
  type HttpResponse,
  type QueryValue,
} from '@audit-hub/http';
import type {
  GitLabCommit,
  GitLabCommitSignature,
  GitLabCompare,
  GitLabDeployment,
  GitLabEnvironment,
  GitLabMergeRequest,
  GitLabMember,
  GitLabMergeRequestApprovals,
  GitLabPipelineVariable,
  GitLabProject,
  GitLabProtectedEnvironment,
  GitLabTestReportSummary,
  GitLabUser,
} from './gitlab.types';
import type { GitLabMetadata } from './gitlab-edition';

/** One page of a list: its items and where it came from (for problems and logs). */
export interface ListPage<T> {
  items: T[];
  /** `GET /projects/12/deployments page 3` */
  where: string;
  response: HttpResponse<unknown>;
}

/** A page of deployments read from a watermark: the rows not read before, and the watermark after it. */
export interface DeploymentsPage extends ListPage<GitLabDeployment> {
  /** The highest `updated_at` read so far (ISO UTC): where the next page, or the next run, starts. */
  watermark: string;
  /**
   * The ids read whose `updated_at` is the watermark: `updated_after` is inclusive, so a next run
   * starting there is served them again, and skips them when it is given these.
   */
  seenAtWatermark: number[];
}

/** A project's numeric id, or its `path_with_namespace`. */
export type ProjectId = number | string;

/** `acme/payments-api` → `acme%2Fpayments-api`; numeric ids stay as they are. */
export function encodeId(idOrPath: string | number): string {
  return encodeURIComponent(String(idOrPath).trim());
}

export class GitLabClient {
  constructor(
    readonly http: HttpClient,
    private readonly perPage: number,
  ) {}

  /**
   * Every page of an offset-paged list, following `X-Next-Page` (else `Link` rel=next) and never
   * `X-Total`, which GitLab omits above 10,000 rows. A 2xx page that is not a JSON array is a
   * `malformed` UpstreamError: an empty result must never stand in for an unreadable one.
   */
  async *pages<T>(path: string, query: Record<string, QueryValue> = {}): AsyncGenerator<ListPage<T>> {
    const first: HttpRequest = { path: api(path), query: { ...query, per_page: this.perPage } };
    let number = 0;
    for await (const response of paginate<unknown>(this.http, first, nextFromGitLabHeaders)) {
      number++;
      const where = `GET ${path} page ${number}`;
      if (!Array.isArray(response.data)) {
        throw this.malformed(path, response.status, `page ${number} is not a JSON array`);
      }
      yield { items: response.data as T[], where, response };
    }
  }

  /** A whole (small) list: environments, MRs of a deployment, pipeline variables. */
  async list<T>(path: string, query: Record<string, QueryValue> = {}): Promise<T[]> {
    const items: T[] = [];
    for await (const page of this.pages<T>(path, query)) items.push(...page.items);
    return items;
  }

  async getObject<T>(
    path: string,
    query?: Record<string, QueryValue>,
    okStatuses?: number[],
  ): Promise<HttpResponse<T>> {
    const response = await this.http.request<T>({ path: api(path), query, okStatuses });
    const ok = response.status >= 200 && response.status < 300;
    if (ok && (response.data === null || typeof response.data !== 'object' || Array.isArray(response.data))) {
      throw this.malformed(path, response.status, 'the body is not a JSON object');
    }
    return response;
  }

  currentUser(): Promise<HttpResponse<GitLabUser>> {
    return this.getObject<GitLabUser>('/user');
  }

  project(idOrPath: string | number): Promise<HttpResponse<GitLabProject>> {
    return this.getObject<GitLabProject>(`/projects/${encodeId(idOrPath)}`);
  }

  group(idOrPath: string | number): Promise<HttpResponse<{ id: number; full_path?: string }>> {
    return this.getObject(`/groups/${encodeId(idOrPath)}`);
  }

  /** Projects the token is a member of (used when no project or group is configured). */
  memberProjects(): AsyncGenerator<ListPage<GitLabProject>> {
    return this.pages<GitLabProject>('/projects', { membership: true, archived: false, simple: true });
  }

  groupProjects(group: string | number): AsyncGenerator<ListPage<GitLabProject>> {
    return this.pages<GitLabProject>(`/groups/${encodeId(group)}/projects`, {
      include_subgroups: true,
      archived: false,
      simple: true,
    });
  }

  /** A group's members, the inherited ones included (`/members/all`), paged. */
  groupMembers(group: string | number): AsyncGenerator<ListPage<GitLabMember>> {
    return this.pages<GitLabMember>(`/groups/${encodeId(group)}/members/all`);
  }

  /**
   * The project's protected environments (Premium); null when GitLab answers 403 or 404 (Free, or
   * not visible to the token): unknown, which is not "nothing is protected".
   */
  async protectedEnvironments(projectId: number): Promise<GitLabProtectedEnvironment[] | null> {
    const items: GitLabProtectedEnvironment[] = [];
    try {
      for await (const page of this.pages<GitLabProtectedEnvironment>(
        `/projects/${projectId}/protected_environments`,
      ))
        items.push(...page.items);
    } catch (err) {
      if (err instanceof UpstreamError && (err.status === 403 || err.status === 404)) return null;
      throw err;
    }
    return items;
  }

  environments(projectId: number): Promise<GitLabEnvironment[]> {
    return this.list<GitLabEnvironment>(`/projects/${projectId}/environments`);
  }

  /**
   * The deployments updated at or after `from`, oldest update first, each once per read (pages
   * without a deployment not read before are still yielded, with no items, so the caller sees the
   * watermark move).
   *
   * GitLab pages this list by offset only (lib/api/deployments.rb `paginate(deployments)`; keyset
   * pagination is not offered for it), ordered by `updated_at` (ties by `id` desc,
   * DeploymentsFinder#optimize_sort_params!). A deployment read on page 1 and updated before page 2
   * is requested moves to the end of that order, every row behind it moves up one place, and
   * `page=2` then starts one row too far: that row is skipped for good, because its `updated_at` is
   * below the watermark the run ends with. So, as the ServiceNow table client does, every next page
   * restarts at the highest `updated_at` read so far (`updated_after` is inclusive,
   * UpdatedAtFilterable `gteq`) from page 1: a row's position then only depends on rows updated
   * at that same millisecond, which are skipped here by id. Only when a whole page sits in one
   * millisecond (more rows in it than a page holds) does it step to the next page by position.
   */
  async *deploymentsUpdatedSince(
    projectId: number,
    from: string,
    seenAtFrom: readonly number[] = [],
  ): AsyncGenerator<DeploymentsPage, void, undefined> {
    const path = `/projects/${projectId}/deployments`;
    let watermark = Date.parse(from);
    let page = 1;
    /**
     * Ids read whose `updated_at` is the watermark: the rows `updated_after=<watermark>` serves
     * again. At the start, those an earlier run read at `from` (its page's `seenAtWatermark`).
     */
    let seenAtWatermark = new Set<number>(seenAtFrom);
    for (let request = 1; ; request++) {
      const response = await this.http.request<unknown>({
        path: api(path),
        query: {
          order_by: 'updated_at',
          sort: 'asc',
          updated_after: new Date(watermark).toISOString(),
          per_page: this.perPage,
          ...(page > 1 ? { page } : {}),
        },
      });
      const where = `GET ${path} (updated_after=${new Date(watermark).toISOString()}${page > 1 ? `, page ${page}` : ''})`;
      if (!Array.isArray(response.data)) {
        throw this.malformed(path, response.status, `page ${request} is not a JSON array`);
      }
      const rows = response.data as GitLabDeployment[];
      if (rows.length === 0) return;
      const at = (row: GitLabDeployment) => Date.parse(row?.updated_at ?? row?.created_at ?? '');
      const fresh = rows.filter((row) => !(at(row) === watermark && seenAtWatermark.has(row?.id)));
      const times = rows.map(at).filter((t) => !Number.isNaN(t));
      const highest = times.length > 0 ? Math.max(...times) : watermark;
      const atHighest = rows.filter((row) => at(row) === highest).map((row) => row?.id);
      if (highest > watermark && atHighest.length < rows.length) {
        // Restart at the new watermark: positions before it no longer matter.
        watermark = highest;
        page = 1;
        seenAtWatermark = new Set(atHighest);
      } else if (highest > watermark) {
        // The whole page is the start of one millisecond: it is page 1 from there, so go on to 2.
        watermark = highest;
        page = 2;
        seenAtWatermark = new Set(atHighest);
      } else {
        // The whole page sits at the watermark: step over that millisecond positionally.
        page++;
        atHighest.forEach((id) => seenAtWatermark.add(id));
      }
      const last = nextFromGitLabHeaders(response, { path }) === null;
      // Positions step only inside one millisecond, where no row can arrive: a next page holding
      // nothing new is the same page served again, which would loop forever.
      // (The first page may hold only rows an earlier run read at `from`.)
      if (fresh.length === 0 && !last && request > 1) {
        throw this.malformed(path, response.status, `page ${request} repeats deployments already read`);
      }
      yield {
        items: fresh,
        where,
        response,
        watermark: new Date(watermark).toISOString(),
        seenAtWatermark: [...seenAtWatermark],
      };
      // The last page of this query: every row at or after the watermark has been served.
      if (last) return;
    }
  }

  /**
   * The successful deployments to one environment of a project, newest (highest id) first: where
   * GitLab's "previous deployment" of a deployment is looked for (Deployment#previous_deployment:
   * the successful deployment of the same environment with the highest lower id).
   */
  successfulDeployments(projectId: number, environment: string): AsyncGenerator<ListPage<GitLabDeployment>> {
    return this.pages<GitLabDeployment>(`/projects/${projectId}/deployments`, {
      environment,
      status: 'success',
      order_by: 'id',
      sort: 'desc',
    });
  }

  /** The single deployment: on Premium it carries `approvals` / `approval_summary`, the list does not. */
  async deployment(projectId: number, deploymentId: number): Promise<GitLabDeployment> {
    return (await this.getObject<GitLabDeployment>(`/projects/${projectId}/deployments/${deploymentId}`))
      .data;
  }

  /**
   * An MR's approvals; null when GitLab answers 403 or 404 (Premium endpoint on Free, or approvals
   * not visible to the token): unknown, which is not "nobody approved".
   */
  async mergeRequestApprovals(
    projectId: ProjectId,
    iid: number,
  ): Promise<GitLabMergeRequestApprovals | null> {
    const response = await this.getObject<GitLabMergeRequestApprovals>(
      `/projects/${encodeId(projectId)}/merge_requests/${iid}/approvals`,
      undefined,
      [403, 404],
    );
    return response.status === 403 || response.status === 404 ? null : response.data;
  }

  /**
   * A pipeline's variables (one unpaged list: lib/api/ci/pipelines.rb `present pipeline.variables`);
   * null when GitLab's permission check refused them (`authorize! :read_pipeline_variable`, below
   * Maintainer). Any other 403 — a proxy's "403 Forbidden" page, `insufficient_scope` — is thrown
   * as the `forbidden` error it is: it is not GitLab saying what this token may read.
   */
  async pipelineVariables(projectId: number, pipelineId: number): Promise<GitLabPipelineVariable[] | null> {
    const path = `/projects/${projectId}/pipelines/${pipelineId}/variables`;
    // Read as text: the body of a 403 decides, and a proxy's is HTML.
    const response = await this.http.request<string>({
      path: api(path),
      okStatuses: [403],
      responseType: 'text',
    });
    const body = parseOrUndefined(response.text);
    if (response.status === 403) {
      if (isPermissionRefusal(body)) return null;
      throw new UpstreamError({
        connector: this.http.connector,
        method: 'GET',
        path: this.http.redact(api(path)),
        status: 403,
        code: 'forbidden',
        retryable: false,
        detail: this.http.redact(refusalText(body, response.text)),
      });
    }
    if (!Array.isArray(body)) throw this.malformed(path, response.status, 'the body is not a JSON array');
    return body as GitLabPipelineVariable[];
  }

  /** The pipeline's test report summary; null when the pipeline is gone (404). */
  async testReportSummary(projectId: number, pipelineId: number): Promise<GitLabTestReportSummary | null> {
    const response = await this.getObject<GitLabTestReportSummary>(
      `/projects/${projectId}/pipelines/${pipelineId}/test_report_summary`,
      undefined,
      [404],
    );
    return response.status === 404 ? null : response.data;
  }

  /** The commits of a merge request (newest first), paged. */
  mergeRequestCommits(projectId: ProjectId, iid: number): Promise<GitLabCommit[]> {
    return this.list<GitLabCommit>(`/projects/${encodeId(projectId)}/merge_requests/${iid}/commits`);
  }

  async commit(projectId: ProjectId, sha: string): Promise<GitLabCommit> {
    return (
      await this.getObject<GitLabCommit>(
        `/projects/${encodeId(projectId)}/repository/commits/${encodeId(sha)}`,
      )
    ).data;
  }

  /** The signature body, answered with its status: 404 is how GitLab says "unsigned" (or "no such commit"). */
  commitSignature(projectId: ProjectId, sha: string): Promise<HttpResponse<GitLabCommitSignature>> {
    return this.getObject<GitLabCommitSignature>(
      `/projects/${encodeId(projectId)}/repository/commits/${encodeId(sha)}/signature`,
      undefined,
      [404],
    );
  }

  /**
   * The commits reachable from `to` but not from `from` (`git log from..to`, GitLab's default
   * `straight=false`), oldest first. GitLab answers with the diffs too; only `commits` is read.
   */
  async compare(projectId: ProjectId, from: string, to: string): Promise<GitLabCompare> {
    const response = await this.getObject<GitLabCompare>(
      `/projects/${encodeId(projectId)}/repository/compare`,
      {
        from,
        to,
      },
    );
    if (!Array.isArray(response.data.commits)) {
      throw this.malformed(
        `/projects/${encodeId(projectId)}/repository/compare`,
        response.status,
        'the body has no "commits" list',
      );
    }
    return response.data;
  }

  /**
   * The commits reachable from `ref` (a sha) committed at or after `since`, newest first
   * (`git log <ref> --since`): what a first deployment to an environment brought there within the
   * collection horizon. History reachable from a commit never changes, so offset pages are safe.
   */
  commitsSince(projectId: ProjectId, ref: string, since: string): AsyncGenerator<ListPage<GitLabCommit>> {
    return this.pages<GitLabCommit>(`/projects/${encodeId(projectId)}/repository/commits`, {
      ref_name: ref,
      since,
    });
  }

  /**
   * The project's merged MRs updated after an instant, oldest update first: where the MRs that
   * landed in a commit range are looked for (an MR is updated when it is merged).
   */
  mergedMergeRequests(
    projectId: ProjectId,
    updatedAfter: string | null,
  ): AsyncGenerator<ListPage<GitLabMergeRequest>> {
    return this.pages<GitLabMergeRequest>(`/projects/${encodeId(projectId)}/merge_requests`, {
      state: 'merged',
      order_by: 'updated_at',
      sort: 'asc',
      ...(updatedAfter ? { updated_after: updatedAfter } : {}),
    });
  }

  /**
   * The instance's version and edition for `connectors check`: `/metadata` (GitLab 15.2+), else the
   * older `/version` (lib/api/metadata.rb answers both alike). A 404 is answered, not thrown.
   */
  async metadata(): Promise<HttpResponse<GitLabMetadata>> {
    const response = await this.getObject<GitLabMetadata>('/metadata', undefined, [404]);
    return response.status === 404 ? this.getObject<GitLabMetadata>('/version', undefined, [404]) : response;
  }

  /**
   * One request whose 403 or 404 is answered, not thrown, for `connectors check` to tell a missing
   * permission or a missing endpoint (an edition without it) from a missing resource.
   */
  probe(path: string, query?: Record<string, QueryValue>): Promise<HttpResponse<unknown>> {
    return this.http.request<unknown>({ path: api(path), query, okStatuses: [403, 404] });
  }

  private malformed(path: string, status: number, detail: string): UpstreamError {
    return new UpstreamError({
      connector: this.http.connector,
      method: 'GET',
      path: this.http.redact(api(path)),
      status,
      code: 'malformed',
      retryable: false,
      detail,
    });
  }
}

function api(path: string): string {
  return `/api/v4${path}`;
}

/**
 * GitLab's answer when `authorize!` refuses an action: `forbidden!` without a reason renders
 * `{"message":"403 Forbidden"}` (lib/api/helpers.rb). A 403 with a reason says something else (a
 * blocked account, a disabled feature).
 */
export function isPermissionRefusal(body: unknown): boolean {
  return (body as { message?: unknown } | null)?.message === '403 Forbidden';
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A short text of a refusal that is not GitLab's: its JSON message or error, else its HTML title. */
function refusalText(body: unknown, text: string): string {
  const { message, error } = (body ?? {}) as { message?: unknown; error?: unknown };
  const said = [message, error].find((v) => typeof v === 'string') as string | undefined;
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
  const out = said ?? (title ? `${title} (an HTML page, not GitLab's API)` : text.trim());
  return out.length > 200 ? `${out.slice(0, 199)}…` : out;
}
