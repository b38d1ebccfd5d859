import { timingSafeEqual } from 'node:crypto';
import { header, json, type FakeRequest, type FakeResponse } from './fake-http.util';
import { paginate } from './gitlab.fake';

/**
 * A GitLab project's issues (REST v4, under `/api/v4`) as the remediation tracker sees them, in the
 * shape of the docs' samples (`issues-create.json`, `issues-update-close.json`). Where trackers
 * trip, it does what GitLab does: `labels` is a comma-separated list and a filter on several labels
 * needs all of them; `state` defaults to all; `state_event` may come in the query or the body;
 * issue creation is rate limited (300 a minute, 429 with `Retry-After` and `RateLimit-*`
 * headers); `search` (with `in=title|description`) matches a substring of those fields, case
 * ignored, as Issuable.full_search's ILIKE does; unknown routes answer `{"error": …}` but missing
 * resources `{"message": …}`.
 *
 * It needs the request body: the sandbox server passes it as `request.body`.
 */

export interface GitlabIssuesFakeRequest extends FakeRequest {
  /** The raw request body (JSON or form-encoded), when there is one. */
  body?: string;
}

export type GitlabIssuesFakeHandler = (request: GitlabIssuesFakeRequest) => FakeResponse;

export interface GitlabIssuesFakeProject {
  id: number;
  path: string;
}

export interface GitlabIssuesFakeNote {
  id: number;
  body: string;
  created_at: string;
}

export interface GitlabIssuesFakeIssue {
  id: number;
  iid: number;
  projectId: number;
  title: string;
  description: string | null;
  labels: string[];
  state: 'opened' | 'closed';
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  notes: GitlabIssuesFakeNote[];
}

/** What the fake holds, shared with tests so that they can look at it and break it. */
export class GitlabIssuesFakeState {
  issues: GitlabIssuesFakeIssue[] = [];
  /** While set, every request answers this status with nginx's HTML error page (GitLab down). */
  outage: { status: number } | null = null;
  /** `METHOD /path` of every request received, in order. */
  readonly requests: string[] = [];
  /** Instants (ms) of recent issue creations, for the create rate limit. */
  readonly creations: number[] = [];
  nextId = 80;
  nextNoteId = 300;
}

/** Real-instance behaviours, each off by default (docs/connectors/gitlab-issues.md "On real instances"). */
export interface GitlabIssuesBehaviours {
  /**
   * The token's user is a Guest of the project (`permissions.project_access.access_level: 10`):
   * GitLab files the issue but drops its labels without an error — IssuableBaseService#filter_params
   * deletes `labels` unless the user may `set_issue_metadata` (Reporter, or a member on a new issue
   * in later versions), and Labels::FindOrCreateService creates no new label without `admin_label`
   * (Reporter; Planner in 17.7+). The created issue answers `labels: []`.
   */
  labelsDroppedForGuest?: boolean;
}

/** Switches a correct tracker copes with fully: every ticket filed once, as it would be otherwise. */
export const GITLAB_ISSUES_TRANSPARENT_BEHAVIOURS: readonly (keyof GitlabIssuesBehaviours)[] = [];
/**
 * Switches where something truly cannot be written: the tracker must say so (`connectors check`),
 * and still file each ticket once. `labelsDroppedForGuest`: tickets have no labels, and are found
 * again by the marker line of their description.
 */
export const GITLAB_ISSUES_LOSSY_BEHAVIOURS: readonly (keyof GitlabIssuesBehaviours)[] = [
  'labelsDroppedForGuest',
];

export interface GitlabIssuesFakeOptions {
  /** Accepted as `PRIVATE-TOKEN` or `Authorization: Bearer`. */
  token: string;
  now: () => Date;
  /** The account the token belongs to (`/user`). */
  userName?: string;
  projects?: GitlabIssuesFakeProject[];
  /** Issue creations allowed per minute (GitLab's default: 300). */
  createsPerMinute?: number;
  state?: GitlabIssuesFakeState;
  behaviours?: GitlabIssuesBehaviours;
}

const DEFAULT_PROJECTS: GitlabIssuesFakeProject[] = [{ id: 42, path: 'acme/security' }];
const API = '/api/v4';
const MINUTE = 60_000;

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function authorized(request: FakeRequest, token: string): boolean {
  const privateToken = header(request, 'private-token');
  if (privateToken !== undefined) return same(privateToken, token);
  const bearer = /^Bearer\s+(.+)$/i.exec(header(request, 'authorization') ?? '');
  return bearer !== null && same(bearer[1].trim(), token);
}

/** The request's parameters: the query, overlaid by a JSON or form body (GitLab reads both). */
function params(request: GitlabIssuesFakeRequest): Record<string, unknown> | string {
  const out: Record<string, unknown> = Object.fromEntries(request.query);
  const text = request.body?.trim();
  if (!text) return out;
  const type = header(request, 'content-type') ?? '';
  if (type.includes('json') || text.startsWith('{')) {
    try {
      const body = JSON.parse(text);
      if (!body || typeof body !== 'object' || Array.isArray(body)) return 'the body is not a JSON object';
      return { ...out, ...body };
    } catch {
      return 'the body is not valid JSON';
    }
  }
  return { ...out, ...Object.fromEntries(new URLSearchParams(text)) };
}

function labelList(value: unknown): string[] {
  const list = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
  return [...new Set(list.map((l) => l.trim()).filter(Boolean))];
}

const user = (userName: string, baseUrl: string) => ({
  id: 1,
  name: 'audit-hub',
  username: userName,
  state: 'active',
  avatar_url: null,
  web_url: `${baseUrl}/${userName}`,
});

export function createGitlabIssuesFake(options: GitlabIssuesFakeOptions): GitlabIssuesFakeHandler {
  const state = options.state ?? new GitlabIssuesFakeState();
  const projects = options.projects ?? DEFAULT_PROJECTS;
  const userName = options.userName ?? 'svc-audit-hub';
  const limit = options.createsPerMinute ?? 300;
  const behaviours = options.behaviours ?? {};
  /** The token user's access level in every project: Guest with `labelsDroppedForGuest`, else Reporter. */
  const accessLevel = behaviours.labelsDroppedForGuest ? 10 : 20;
  const now = () => options.now().toISOString();

  const project = (id: string) => {
    const decoded = decodeURIComponent(id);
    return projects.find((p) => String(p.id) === decoded || p.path === decoded);
  };

  const view = (request: FakeRequest, issue: GitlabIssuesFakeIssue) => {
    const p = projects.find((x) => x.id === issue.projectId)!;
    const api = `${request.baseUrl}${API}/projects/${p.id}/issues/${issue.iid}`;
    return {
      project_id: issue.projectId,
      id: issue.id,
      created_at: issue.created_at,
      iid: issue.iid,
      title: issue.title,
      state: issue.state,
      assignees: [],
      assignee: null,
      labels: issue.labels,
      upvotes: 0,
      downvotes: 0,
      merge_requests_count: 0,
      author: user(userName, request.baseUrl),
      description: issue.description,
      updated_at: issue.updated_at,
      closed_at: issue.closed_at,
      closed_by: issue.state === 'closed' ? user(userName, request.baseUrl) : null,
      milestone: null,
      subscribed: true,
      user_notes_count: issue.notes.length,
      due_date: null,
      web_url: `${request.baseUrl}/${p.path}/-/issues/${issue.iid}`,
      references: { short: `#${issue.iid}`, relative: `#${issue.iid}`, full: `${p.path}#${issue.iid}` },
      time_stats: {
        time_estimate: 0,
        total_time_spent: 0,
        human_time_estimate: null,
        human_total_time_spent: null,
      },
      confidential: false,
      discussion_locked: false,
      _links: {
        self: api,
        notes: `${api}/notes`,
        award_emoji: `${api}/award_emoji`,
        project: `${request.baseUrl}${API}/projects/${p.id}`,
      },
      task_completion_status: { count: 0, completed_count: 0 },
    };
  };

  function create(request: GitlabIssuesFakeRequest, p: GitlabIssuesFakeProject): FakeResponse {
    const at = options.now().getTime();
    while (state.creations.length && state.creations[0] <= at - MINUTE) state.creations.shift();
    if (state.creations.length >= limit) {
      const reset = Math.ceil((state.creations[0] + MINUTE) / 1000);
      return json(
        429,
        { message: 'This endpoint has been requested too many times. Try again later.' },
        {
          'retry-after': String(Math.max(1, reset - Math.floor(at / 1000))),
          'ratelimit-limit': String(limit),
          'ratelimit-observed': String(state.creations.length + 1),
          'ratelimit-remaining': '0',
          'ratelimit-reset': String(reset),
        },
      );
    }
    const body = params(request);
    if (typeof body === 'string') return json(400, { error: body });
    if (typeof body.title !== 'string' || !body.title.trim()) return json(400, { error: 'title is missing' });
    if (body.title.length > 255)
      return json(400, { message: { title: ['is too long (maximum is 255 characters)'] } });
    const iid = state.issues.filter((i) => i.projectId === p.id).length + 1;
    const issue: GitlabIssuesFakeIssue = {
      id: state.nextId++,
      iid,
      projectId: p.id,
      title: body.title,
      description: typeof body.description === 'string' ? body.description : null,
      // Dropped without an error when the user may not set (or create) labels.
      labels: behaviours.labelsDroppedForGuest ? [] : labelList(body.labels),
      state: 'opened',
      created_at: now(),
      updated_at: now(),
      closed_at: null,
      notes: [],
    };
    state.issues.push(issue);
    state.creations.push(at);
    return json(201, view(request, issue));
  }

  function list(request: GitlabIssuesFakeRequest, p: GitlabIssuesFakeProject): FakeResponse {
    const wanted = labelList(request.query.get('labels'));
    const st = request.query.get('state') ?? 'all';
    if (!['opened', 'closed', 'all'].includes(st))
      return json(400, { error: 'state does not have a valid value' });
    const orderBy = request.query.get('order_by') ?? 'created_at';
    if (!['created_at', 'updated_at'].includes(orderBy))
      return json(400, { error: 'order_by does not have a valid value' });
    const desc = (request.query.get('sort') ?? 'desc') !== 'asc';
    const search = request.query.get('search')?.toLowerCase();
    const scopes = (request.query.get('in') ?? 'title,description').split(',').map((x) => x.trim());
    if (scopes.some((x) => x !== 'title' && x !== 'description'))
      return json(400, { error: 'in does not have a valid value' });
    const found = (i: GitlabIssuesFakeIssue) =>
      !search ||
      (scopes.includes('title') && i.title.toLowerCase().includes(search)) ||
      (scopes.includes('description') && (i.description ?? '').toLowerCase().includes(search));
    const rows = state.issues
      .filter((i) => i.projectId === p.id)
      .filter((i) => st === 'all' || i.state === st)
      .filter((i) => wanted.every((l) => i.labels.includes(l)))
      .filter(found)
      .sort((a, b) => {
        const ka = orderBy === 'created_at' ? a.created_at : a.updated_at;
        const kb = orderBy === 'created_at' ? b.created_at : b.updated_at;
        const c = ka < kb ? -1 : ka > kb ? 1 : a.id - b.id;
        return desc ? -c : c;
      });
    return paginate(request, rows, (row) => view(request, row));
  }

  function update(request: GitlabIssuesFakeRequest, issue: GitlabIssuesFakeIssue): FakeResponse {
    const body = params(request);
    if (typeof body === 'string') return json(400, { error: body });
    const event = body.state_event;
    if (event !== undefined && event !== 'close' && event !== 'reopen')
      return json(400, { error: 'state_event does not have a valid value' });
    if (typeof body.title === 'string') issue.title = body.title;
    if (typeof body.description === 'string') issue.description = body.description;
    if (body.labels !== undefined) issue.labels = labelList(body.labels);
    if (body.add_labels !== undefined)
      issue.labels = [...new Set([...issue.labels, ...labelList(body.add_labels)])];
    if (event === 'close' && issue.state !== 'closed') {
      issue.state = 'closed';
      issue.closed_at = now();
    }
    if (event === 'reopen' && issue.state !== 'opened') {
      issue.state = 'opened';
      issue.closed_at = null;
    }
    issue.updated_at = now();
    return json(200, view(request, issue));
  }

  return (request: GitlabIssuesFakeRequest): FakeResponse => {
    state.requests.push(`${request.method} ${request.path}`);
    if (state.outage)
      return {
        status: state.outage.status,
        headers: { 'content-type': 'text/html' },
        body: `<html>\r\n<head><title>${state.outage.status} Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>${state.outage.status} Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
      };
    if (!authorized(request, options.token)) return json(401, { message: '401 Unauthorized' });
    if (!request.path.startsWith(`${API}/`)) return json(404, { error: '404 Not Found' });
    const parts = request.path.slice(API.length + 1).split('/');
    const method = request.method.toUpperCase();

    if (method === 'GET' && parts.length === 1 && parts[0] === 'user')
      return json(200, user(userName, request.baseUrl));
    if (parts[0] !== 'projects' || parts.length < 2) return json(404, { error: '404 Not Found' });
    const p = project(parts[1]);
    if (!p) return json(404, { message: '404 Project Not Found' });
    if (parts.length === 2 && method === 'GET')
      return json(200, {
        id: p.id,
        path_with_namespace: p.path,
        name: p.path.split('/').pop(),
        permissions: {
          project_access: { access_level: accessLevel, notification_level: 3 },
          group_access: null,
        },
      });
    if (parts[2] !== 'issues') return json(404, { error: '404 Not Found' });
    if (parts.length === 3 && method === 'GET') return list(request, p);
    if (parts.length === 3 && method === 'POST') return create(request, p);

    const iid = Number(parts[3]);
    const issue = state.issues.find((i) => i.projectId === p.id && i.iid === iid);
    if (!issue) return json(404, { message: '404 Issue Not Found' });
    if (parts.length === 4 && method === 'GET') return json(200, view(request, issue));
    if (parts.length === 4 && method === 'PUT') return update(request, issue);
    if (parts.length === 5 && parts[4] === 'notes' && method === 'POST') {
      const body = params(request);
      if (typeof body === 'string') return json(400, { error: body });
      if (typeof body.body !== 'string' || !body.body.trim()) return json(400, { error: 'body is missing' });
      const note: GitlabIssuesFakeNote = { id: state.nextNoteId++, body: body.body, created_at: now() };
      issue.notes.push(note);
      issue.updated_at = now();
      return json(201, {
        id: note.id,
        body: note.body,
        attachment: null,
        author: user(userName, request.baseUrl),
        created_at: note.created_at,
        updated_at: note.created_at,
        system: false,
        noteable_id: issue.id,
        noteable_type: 'Issue',
        project_id: p.id,
        noteable_iid: issue.iid,
        resolvable: false,
        confidential: false,
        internal: false,
      });
    }
    return json(404, { error: '404 Not Found' });
  };
}
