/**
 * The GitLab REST v4 issue calls of this plugin, over the connector's HttpClient (which owns auth,
 * timeouts, concurrency, retries, rate limits and redaction). The project is a numeric id or a
 * URL-encoded `group/project` path; an issue is addressed by its project-scoped `iid`.
 */
import { HttpClient, UpstreamError, type HttpRequest, type HttpResponse } from '@audit-hub/http';
import type { GitLabIssue, GitLabProject, GitLabUser } from './gitlab-issues.types';

/** `acme/security` → `acme%2Fsecurity`; numeric ids stay as they are. */
export function encodeId(idOrPath: string | number): string {
  return encodeURIComponent(String(idOrPath).trim());
}

export class GitLabIssuesClient {
  private readonly project: string;

  constructor(
    readonly http: HttpClient,
    project: string,
  ) {
    this.project = encodeId(project);
  }

  /** Issues carrying a label, opened or closed, oldest first. */
  async issuesWithLabel(label: string, perPage = 20): Promise<GitLabIssue[]> {
    const path = `/projects/${this.project}/issues`;
    const response = await this.http.request<unknown>({
      path: api(path),
      query: { labels: label, state: 'all', order_by: 'created_at', sort: 'asc', per_page: perPage },
    });
    if (!Array.isArray(response.data))
      throw this.malformed('GET', path, response.status, 'the body is not a JSON array');
    return response.data as GitLabIssue[];
  }

  /**
   * Issues whose description holds `text`, opened or closed, oldest first. GitLab's issue search
   * (`search` with `in=description`) reads the database (Issuable.full_search, ILIKE over the
   * column), like the label filter: a just-created issue is found at once.
   */
  async issuesMentioning(text: string, perPage = 20): Promise<GitLabIssue[]> {
    const path = `/projects/${this.project}/issues`;
    const response = await this.http.request<unknown>({
      path: api(path),
      query: {
        search: text,
        in: 'description',
        state: 'all',
        order_by: 'created_at',
        sort: 'asc',
        per_page: perPage,
      },
    });
    if (!Array.isArray(response.data))
      throw this.malformed('GET', path, response.status, 'the body is not a JSON array');
    return response.data as GitLabIssue[];
  }

  async issue(iid: number): Promise<GitLabIssue> {
    return (await this.object<GitLabIssue>({ path: api(`/projects/${this.project}/issues/${iid}`) })).data;
  }

  async createIssue(fields: { title: string; description: string; labels: string[] }): Promise<GitLabIssue> {
    return (
      await this.object<GitLabIssue>({
        method: 'POST',
        path: api(`/projects/${this.project}/issues`),
        body: { title: fields.title, description: fields.description, labels: fields.labels.join(',') },
      })
    ).data;
  }

  async updateIssue(iid: number, fields: { title?: string; description?: string }): Promise<GitLabIssue> {
    return (
      await this.object<GitLabIssue>({
        method: 'PUT',
        path: api(`/projects/${this.project}/issues/${iid}`),
        body: fields,
      })
    ).data;
  }

  /** `state_event=close|reopen`; GitLab answers 200 with the issue, also when it was already in that state. */
  async setState(iid: number, event: 'close' | 'reopen'): Promise<GitLabIssue> {
    return (
      await this.object<GitLabIssue>({
        method: 'PUT',
        path: api(`/projects/${this.project}/issues/${iid}`),
        query: { state_event: event },
      })
    ).data;
  }

  async addNote(iid: number, body: string): Promise<void> {
    await this.http.request({
      method: 'POST',
      path: api(`/projects/${this.project}/issues/${iid}/notes`),
      body: { body },
    });
  }

  async currentUser(): Promise<GitLabUser> {
    return (await this.object<GitLabUser>({ path: api('/user') })).data;
  }

  async projectInfo(): Promise<GitLabProject> {
    return (await this.object<GitLabProject>({ path: api(`/projects/${this.project}`) })).data;
  }

  private async object<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    const response = await this.http.request<T>(req);
    if (response.data === null || typeof response.data !== 'object' || Array.isArray(response.data))
      throw this.malformed(req.method ?? 'GET', req.path, response.status, 'the body is not a JSON object');
    return response;
  }

  private malformed(method: string, path: string, status: number, detail: string): UpstreamError {
    return new UpstreamError({
      connector: this.http.connector,
      method,
      path: this.http.redact(path.startsWith('/api/') ? path : api(path)),
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
