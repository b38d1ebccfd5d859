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

/** One page of a list: its items and where it came from (for problems and logs). */
export interface ListPage<T> {
  items: T[];
  /** `GET /projects/12/deployments page 3` */
  where: string;
  response: HttpResponse<unknown>;
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

  /** Deployments updated after a watermark, oldest update first (they are not keyset-paged). */
  deployments(projectId: number, updatedAfter: string): AsyncGenerator<ListPage<GitLabDeployment>> {
    return this.pages<GitLabDeployment>(`/projects/${projectId}/deployments`, {
      order_by: 'updated_at',
      sort: 'asc',
      updated_after: updatedAfter,
    });
  }

  /** The single deployment: on Premium it carries `approvals` / `approval_summary`, the list does not. */
  async deployment(projectId: number, deploymentId: number): Promise<GitLabDeployment> {
    return (await this.getObject<GitLabDeployment>(`/projects/${projectId}/deployments/${deploymentId}`))
      .data;
  }

  /** The merged MRs GitLab tracked as shipped with the deployment (controls.md "MRs shipped"). */
  deploymentMergeRequests(projectId: number, deploymentId: number): Promise<GitLabMergeRequest[]> {
    return this.list<GitLabMergeRequest>(`/projects/${projectId}/deployments/${deploymentId}/merge_requests`);
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

  pipelineVariables(projectId: number, pipelineId: number): Promise<GitLabPipelineVariable[]> {
    return this.list<GitLabPipelineVariable>(`/projects/${projectId}/pipelines/${pipelineId}/variables`);
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
