import {
  createGitlabIssuesFake,
  GitlabIssuesFakeState,
  type GitlabIssuesFakeRequest,
} from './gitlab-issues.fake';

const TOKEN = 'glpat-sandbox-issues';

describe('GitLab issues fake', () => {
  let clock: Date;
  let state: GitlabIssuesFakeState;
  let gitlab: ReturnType<typeof createGitlabIssuesFake>;

  const call = (
    method: string,
    path: string,
    body?: unknown,
    query: Record<string, string> = {},
    token = TOKEN,
  ) => {
    const request: GitlabIssuesFakeRequest = {
      method,
      path: `/api/v4${path}`,
      query: new URLSearchParams(query),
      headers: { 'private-token': token, 'content-type': 'application/json' },
      baseUrl: 'http://127.0.0.1:1/gitlab-issues',
      body: body === undefined ? undefined : JSON.stringify(body),
    };
    const response = gitlab(request);
    const text = response.body;
    return {
      status: response.status,
      headers: response.headers,
      text,
      body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text,
    };
  };
  const create = (extra: Record<string, unknown> = {}) =>
    call('POST', '/projects/acme%2Fsecurity/issues', {
      title: 'A finding',
      description: 'text',
      labels: 'audit-hub::abc,audit-hub',
      ...extra,
    });

  beforeEach(() => {
    clock = new Date('2026-03-01T10:00:00.000Z');
    state = new GitlabIssuesFakeState();
    gitlab = createGitlabIssuesFake({ token: TOKEN, now: () => clock, createsPerMinute: 2, state });
  });

  it("creates issues in the docs' shape, by project path or id", () => {
    const r = create();
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      iid: 1,
      project_id: 42,
      state: 'opened',
      labels: ['audit-hub::abc', 'audit-hub'],
      references: { full: 'acme/security#1' },
      web_url: 'http://127.0.0.1:1/gitlab-issues/acme/security/-/issues/1',
    });
    expect(call('GET', '/projects/42/issues/1').body.title).toBe('A finding');
    expect(create({ title: '' })).toMatchObject({ status: 400, body: { error: 'title is missing' } });
  });

  it('filters by every label given and by state, oldest first on request', () => {
    create();
    create({ labels: 'other' });
    call('PUT', '/projects/42/issues/1', undefined, { state_event: 'close' });
    const find = (q: Record<string, string>) =>
      call('GET', '/projects/42/issues', undefined, q).body.map((i: any) => i.iid);
    expect(find({ labels: 'audit-hub::abc', state: 'all' })).toEqual([1]);
    expect(find({ labels: 'audit-hub::abc,audit-hub', state: 'opened' })).toEqual([]);
    expect(find({ sort: 'asc' })).toEqual([1, 2]);
  });

  it("searches the title and description (a substring, case ignored), as GitLab's issue search does", () => {
    create({ description: 'first\n\n<!-- audit-hub:dedupe-marker 3F2A -->' });
    create({ title: 'mentions 3f2a in the title', description: 'nothing' });
    const find = (q: Record<string, string>) =>
      call('GET', '/projects/42/issues', undefined, { sort: 'asc', ...q }).body.map((i: any) => i.iid);
    expect(find({ search: '3f2a', in: 'description' })).toEqual([1]);
    expect(find({ search: '3f2a' })).toEqual([1, 2]);
    expect(call('GET', '/projects/42/issues', undefined, { search: 'x', in: 'notes' }).status).toBe(400);
  });

  it('shows a Reporter by default, and drops the labels of a create for a Guest (labelsDroppedForGuest)', () => {
    expect(call('GET', '/projects/42').body.permissions.project_access.access_level).toBe(20);
    gitlab = createGitlabIssuesFake({
      token: TOKEN,
      now: () => clock,
      state,
      behaviours: { labelsDroppedForGuest: true },
    });
    expect(call('GET', '/projects/42').body.permissions.project_access.access_level).toBe(10);
    const r = create({ description: 'kept' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ labels: [], description: 'kept' });
    expect(call('GET', '/projects/42/issues', undefined, { labels: 'audit-hub::abc' }).body).toEqual([]);
  });

  it('closes and reopens by state_event, and keeps notes', () => {
    create();
    expect(call('PUT', '/projects/42/issues/1', undefined, { state_event: 'close' }).body.state).toBe(
      'closed',
    );
    expect(call('PUT', '/projects/42/issues/1', { state_event: 'reopen' }).body).toMatchObject({
      state: 'opened',
      closed_at: null,
    });
    expect(call('POST', '/projects/42/issues/1/notes', { body: 'hello' }).status).toBe(201);
    expect(state.issues[0].notes.map((n) => n.body)).toEqual(['hello']);
  });

  it('rate-limits creations per minute with GitLab headers', () => {
    create();
    create();
    const limited = create();
    expect(limited.status).toBe(429);
    expect(limited.headers).toMatchObject({
      'retry-after': '60',
      'ratelimit-remaining': '0',
      'ratelimit-limit': '2',
    });
    clock = new Date(clock.getTime() + 60_000);
    expect(create().status).toBe(201);
  });

  it('answers 401, unknown routes and missing resources as GitLab does, and an outage with an HTML page', () => {
    expect(call('GET', '/user', undefined, {}, 'wrong').body).toEqual({ message: '401 Unauthorized' });
    expect(call('GET', '/projects/42/nope').body).toEqual({ error: '404 Not Found' });
    expect(call('GET', '/projects/42/issues/9').body).toEqual({ message: '404 Issue Not Found' });
    state.outage = { status: 503 };
    const down = call('GET', '/user');
    expect(down.status).toBe(503);
    expect(down.text).toContain('<title>503 Service Temporarily Unavailable</title>');
  });
});
