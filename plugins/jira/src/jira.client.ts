/**
 * The Jira REST calls of this plugin, over the connector's HttpClient (which owns auth, timeouts,
 * concurrency, retries, rate limits and redaction). Cloud speaks REST v3 (rich text as Atlassian
 * Document Format, search at `POST /search/jql` with `nextPageToken`); Data Center speaks REST v2
 * (rich text as wiki markup, search at `GET /search` with `startAt`).
 */
import { HttpClient, UpstreamError, type HttpResponse } from '@audit-hub/http';
import type { JiraFlavor } from './jira.config';
import type {
  JiraCreatedIssue,
  JiraErrorBody,
  JiraFieldMeta,
  JiraIssue,
  JiraOffsetSearchPage,
  JiraProject,
  JiraTokenSearchPage,
  JiraTransition,
  JiraUser,
} from './jira.types';

/** Fields a search returns: enough to say which issue it is and whether it is closed. */
const SEARCH_FIELDS = ['summary', 'status', 'labels', 'created'];
const PAGE_SIZE = 50;
/** A page loop that does not end is an upstream fault, not a reason to spin forever. */
const MAX_PAGES = 100;

export class JiraClient {
  readonly version: 2 | 3;

  constructor(
    readonly http: HttpClient,
    readonly flavor: JiraFlavor,
  ) {
    this.version = flavor === 'cloud' ? 3 : 2;
  }

  api(path: string): string {
    return `/rest/api/${this.version}${path}`;
  }

  /** The issue's page for people: `<site>/browse/SEC-12`. */
  browseUrl(key: string): string {
    return `${this.http.baseUrl}/browse/${encodeURIComponent(key)}`;
  }

  /** Every issue a JQL query matches, page by page, in the query's order (with `extraFields` too). */
  async *search(jql: string, extraFields: string[] = []): AsyncGenerator<JiraIssue> {
    const fields = [...SEARCH_FIELDS, ...extraFields];
    if (this.flavor === 'cloud') {
      let nextPageToken: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        // A search changes nothing, so it may be retried like a GET.
        const { data } = await this.object<JiraTokenSearchPage>({
          method: 'POST',
          path: this.api('/search/jql'),
          body: {
            jql,
            fields,
            maxResults: PAGE_SIZE,
            ...(nextPageToken ? { nextPageToken } : {}),
          },
          idempotent: true,
        });
        for (const issue of data.issues ?? []) yield issue;
        // The last page carries no token (and `isLast`); a token that repeats would loop forever.
        if (data.isLast === true || !data.nextPageToken || data.nextPageToken === nextPageToken) return;
        nextPageToken = data.nextPageToken;
      }
      throw this.malformed('POST', this.api('/search/jql'), `more than ${MAX_PAGES} pages of results`);
    }
    let startAt = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const { data } = await this.object<JiraOffsetSearchPage>({
        method: 'GET',
        path: this.api('/search'),
        query: { jql, fields: fields.join(','), startAt, maxResults: PAGE_SIZE },
      });
      const issues = data.issues ?? [];
      for (const issue of issues) yield issue;
      startAt += issues.length;
      if (!issues.length || data.total === undefined || startAt >= data.total) return;
    }
    throw this.malformed('GET', this.api('/search'), `more than ${MAX_PAGES} pages of results`);
  }

  /** The first issue a query matches, or null. */
  async first(jql: string): Promise<JiraIssue | null> {
    for await (const issue of this.search(jql)) return issue;
    return null;
  }

  /**
   * Creates an issue; a 400 is answered with Jira's field errors, not thrown, so that the tracker
   * can tell which field the create screen refused (and `refusal` turns it into the error).
   */
  async createIssue(
    fields: Record<string, unknown>,
  ): Promise<{ created: JiraCreatedIssue } | { refused: JiraErrorBody }> {
    const response = await this.http.request<unknown>({
      method: 'POST',
      path: this.api('/issue'),
      body: { fields },
      okStatuses: [400],
    });
    if (response.status === 400) {
      const body = response.data && typeof response.data === 'object' ? (response.data as JiraErrorBody) : {};
      return { refused: body };
    }
    const data = response.data as JiraCreatedIssue | null;
    if (!data || typeof data !== 'object' || typeof data.key !== 'string' || !data.key)
      throw this.malformed('POST', this.api('/issue'), 'the answer names no issue key', response.status);
    return { created: data };
  }

  /** Jira's refusal of a request as the error it is: not retryable, in Jira's own words. */
  refusal(method: string, path: string, body: JiraErrorBody, status = 400): UpstreamError {
    const words = [
      ...(body.errorMessages ?? []),
      ...Object.entries(body.errors ?? {}).map(([field, message]) => `${field}: ${message}`),
    ];
    return new UpstreamError({
      connector: this.http.connector,
      method,
      path: this.http.redact(path),
      status,
      code: 'client',
      retryable: false,
      detail: this.http.redact(words.join('; ') || 'Jira gave no reason'),
    });
  }

  /**
   * The fields of the create screen of an issue type (Cloud, and Data Center 8.4+:
   * `/issue/createmeta/{project}/issuetypes/{id}`, offset-paged; Cloud lists them as `fields`,
   * Data Center as `values`); null when this Jira has no such endpoint.
   */
  async createFields(project: string, issueTypeId: string): Promise<JiraFieldMeta[] | null> {
    const path = this.api(
      `/issue/createmeta/${encodeURIComponent(project)}/issuetypes/${encodeURIComponent(issueTypeId)}`,
    );
    const out: JiraFieldMeta[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const response = await this.http.request<unknown>({
        method: 'GET',
        path,
        query: { startAt: out.length, maxResults: PAGE_SIZE },
        okStatuses: [404],
      });
      if (response.status === 404) return null;
      const data = response.data as {
        fields?: unknown;
        results?: unknown;
        values?: unknown;
        total?: number;
        isLast?: boolean;
      } | null;
      const list = data?.fields ?? data?.results ?? data?.values;
      if (!Array.isArray(list))
        throw this.malformed('GET', path, 'the answer has no list of fields', response.status);
      out.push(...(list as JiraFieldMeta[]));
      const total = typeof data?.total === 'number' ? data.total : undefined;
      if (!list.length || data?.isLast === true || total === undefined || out.length >= total) return out;
    }
    throw this.malformed('GET', path, `more than ${MAX_PAGES} pages of fields`);
  }

  async issue(key: string, fields: string[]): Promise<JiraIssue> {
    return (
      await this.object<JiraIssue>({
        method: 'GET',
        path: this.api(`/issue/${encodeURIComponent(key)}`),
        query: { fields: fields.join(',') },
      })
    ).data;
  }

  async updateIssue(key: string, fields: Record<string, unknown>): Promise<void> {
    await this.http.request({
      method: 'PUT',
      path: this.api(`/issue/${encodeURIComponent(key)}`),
      body: { fields },
    });
  }

  async addComment(key: string, body: unknown): Promise<void> {
    await this.http.request({
      method: 'POST',
      path: this.api(`/issue/${encodeURIComponent(key)}/comment`),
      body: { body },
    });
  }

  /** The transitions on offer, each with its screen's fields (`expand=transitions.fields`). */
  async transitions(key: string): Promise<JiraTransition[]> {
    const { data } = await this.object<{ transitions?: JiraTransition[] }>({
      method: 'GET',
      path: this.api(`/issue/${encodeURIComponent(key)}/transitions`),
      query: { expand: 'transitions.fields' },
    });
    if (!Array.isArray(data.transitions))
      throw this.malformed(
        'GET',
        this.api(`/issue/${key}/transitions`),
        'the answer has no transitions list',
      );
    return data.transitions;
  }

  async transition(key: string, id: string, fields?: Record<string, unknown>): Promise<void> {
    await this.http.request({
      method: 'POST',
      path: this.api(`/issue/${encodeURIComponent(key)}/transitions`),
      body: { transition: { id }, ...(fields && Object.keys(fields).length ? { fields } : {}) },
    });
  }

  async myself(): Promise<JiraUser> {
    return (await this.object<JiraUser>({ method: 'GET', path: this.api('/myself') })).data;
  }

  async project(key: string): Promise<JiraProject> {
    return (
      await this.object<JiraProject>({ method: 'GET', path: this.api(`/project/${encodeURIComponent(key)}`) })
    ).data;
  }

  /** A request whose 2xx answer must be a JSON object. */
  private async object<T>(req: Parameters<HttpClient['request']>[0]): Promise<HttpResponse<T>> {
    const response = await this.http.request<T>(req);
    if (response.data === null || typeof response.data !== 'object' || Array.isArray(response.data))
      throw this.malformed(req.method ?? 'GET', req.path, 'the body is not a JSON object', response.status);
    return response;
  }

  malformed(method: string, path: string, detail: string, status?: number): UpstreamError {
    return new UpstreamError({
      connector: this.http.connector,
      method,
      path: this.http.redact(path),
      status,
      code: 'malformed',
      retryable: false,
      detail,
    });
  }
}
