import { createJiraFake, JiraFakeState, parseJql, type JiraFakeRequest } from './jira.fake';

const EMAIL = 'audit@acme.com';
const TOKEN = 'jira-sandbox-token';
const BASIC = `Basic ${Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64')}`;
const doc = (text: string) => ({
  type: 'doc',
  version: 1,
  content: [{ type: 'paragraph', content: [{ type: 'text', text }] }],
});

describe('Jira fake', () => {
  let clock: Date;
  let state: JiraFakeState;
  let jira: ReturnType<typeof createJiraFake>;

  const call = (
    method: string,
    path: string,
    body?: unknown,
    query: Record<string, string> = {},
    auth = BASIC,
  ) => {
    const request: JiraFakeRequest = {
      method,
      path,
      query: new URLSearchParams(query),
      headers: { authorization: auth },
      baseUrl: 'http://127.0.0.1:1/jira',
      body: body === undefined ? undefined : JSON.stringify(body),
    };
    const response = jira(request);
    return {
      status: response.status,
      headers: response.headers,
      body: response.body ? JSON.parse(response.body) : undefined,
    };
  };
  const create = (fields: Record<string, unknown> = {}, version = '3') =>
    call('POST', `/rest/api/${version}/issue`, {
      fields: {
        project: { key: 'SEC' },
        issuetype: { name: 'Task' },
        summary: 'A finding',
        description: version === '3' ? doc('text') : 'text',
        labels: ['audit-hub-abc'],
        ...fields,
      },
    });
  const searchJql = (jql: string) =>
    call('POST', '/rest/api/3/search/jql', { jql, fields: ['status', 'labels'], maxResults: 50 });

  beforeEach(() => {
    clock = new Date('2026-03-01T10:00:00.000Z');
    state = new JiraFakeState();
    jira = createJiraFake({ email: EMAIL, token: TOKEN, now: () => clock, indexDelayMs: 5000, state });
  });

  it('accepts Basic e-mail and token or a Bearer token, and refuses anything else', () => {
    expect(call('GET', '/rest/api/3/myself').status).toBe(200);
    expect(call('GET', '/rest/api/2/myself', undefined, {}, `Bearer ${TOKEN}`).status).toBe(200);
    expect(call('GET', '/rest/api/3/myself', undefined, {}, 'Bearer wrong').status).toBe(401);
  });

  it('creates issues with keys per project, and refuses what Jira refuses', () => {
    expect(create().body).toEqual({
      id: '10000',
      key: 'SEC-1',
      self: 'http://127.0.0.1:1/jira/rest/api/3/issue/10000',
    });
    expect(create({ labels: ['two words'] })).toMatchObject({
      status: 400,
      body: { errors: { labels: "The label 'two words' contains spaces which is invalid." } },
    });
    expect(create({ description: 'plain' })).toMatchObject({
      status: 400,
      body: { errors: { description: expect.stringMatching(/Atlassian Document/) } },
    });
    expect(create({ issuetype: { name: 'Epic' } })).toMatchObject({
      status: 400,
      body: { errors: { issuetype: expect.any(String) } },
    });
    expect(create({}, '2').status).toBe(201);
    expect(state.issues.map((i) => i.key)).toEqual(['SEC-1', 'SEC-2']);
  });

  it('finds a new issue only once the index caught up (Cloud search is eventually consistent)', () => {
    create();
    const jql = 'project = "SEC" AND labels = "audit-hub-abc" ORDER BY created ASC';
    expect(searchJql(jql).body).toEqual({ issues: [], isLast: true });
    clock = new Date(clock.getTime() + 5000);
    const found = searchJql(jql).body;
    expect(found.issues.map((i: any) => [i.key, i.fields.status.statusCategory.key])).toEqual([
      ['SEC-1', 'new'],
    ]);
    expect(Object.keys(found.issues[0].fields).sort()).toEqual(['labels', 'status']);
    expect(call('GET', '/rest/api/2/search', undefined, { jql, startAt: '0' }).body).toMatchObject({
      total: 1,
      startAt: 0,
    });
  });

  it('refuses unbounded or malformed JQL and an offset on the enhanced search', () => {
    expect(searchJql('ORDER BY created').status).toBe(400);
    expect(searchJql('labels ~ x').body.errorMessages[0]).toMatch(/Error in the JQL Query/);
    expect(call('POST', '/rest/api/3/search/jql', { jql: 'project = SEC', startAt: 0 }).status).toBe(400);
  });

  it('moves issues through the workflow, and only along it', () => {
    create();
    const names = () =>
      call('GET', '/rest/api/3/issue/SEC-1/transitions').body.transitions.map((t: any) => t.name);
    expect(names()).toEqual(['In Progress', 'Done']);
    expect(call('POST', '/rest/api/3/issue/SEC-1/transitions', { transition: { id: '41' } }).status).toBe(
      400,
    );
    expect(call('POST', '/rest/api/3/issue/SEC-1/transitions', { transition: { id: '31' } }).status).toBe(
      204,
    );
    expect(state.issue('SEC-1')?.status).toBe('Done');
    expect(names()).toEqual(['Reopen']);
  });

  it('keeps comments with their text, ADF on v3 and strings on v2', () => {
    create();
    expect(call('POST', '/rest/api/3/issue/SEC-1/comment', { body: doc('hello') }).status).toBe(201);
    expect(call('POST', '/rest/api/2/issue/SEC-1/comment', { body: 'plain' }).status).toBe(201);
    expect(call('POST', '/rest/api/3/issue/SEC-1/comment', { body: 'plain' }).status).toBe(400);
    expect(state.issue('SEC-1')?.comments.map((c) => c.text)).toEqual(['hello', 'plain']);
  });

  it('answers an outage for every request, and can lose the answer to a create that happened', () => {
    state.outage = { status: 503, retryAfterSeconds: 30 };
    expect(call('GET', '/rest/api/3/myself')).toMatchObject({
      status: 503,
      headers: { 'retry-after': '30' },
    });
    state.outage = null;
    state.loseCreateAnswers = 1;
    expect(create().status).toBe(504);
    expect(state.issues).toHaveLength(1);
  });

  it('parses the JQL subset trackers use', () => {
    expect(parseJql('project = "SEC" AND labels = "a\\"b" ORDER BY created DESC')).toEqual({
      clauses: [
        { field: 'project', value: 'SEC' },
        { field: 'labels', value: 'a"b' },
      ],
      order: { field: 'created', desc: true },
    });
  });
});
