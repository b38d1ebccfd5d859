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
    expect(searchJql('labels ~ x').body.errorMessages[0]).toBe(
      "The operator '~' is not supported by the 'labels' field.",
    );
    expect(searchJql('project SEC').body.errorMessages[0]).toMatch(/Error in the JQL Query/);
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
        { field: 'project', op: '=', value: 'SEC' },
        { field: 'labels', op: '=', value: 'a"b' },
      ],
      order: { field: 'created', desc: true },
    });
  });

  it('matches words of a description with `~`, and reconciles the issues an enhanced search names', () => {
    create({ description: doc('Found it.\n\naudit-hub dedupe marker: 3f2a9c01') });
    const jql = 'project = "SEC" AND description ~ "3f2a9c01" ORDER BY created ASC';
    // Not indexed yet: only a search that names the issue in reconcileIssues sees it.
    expect(searchJql(jql).body.issues).toEqual([]);
    const reconciled = call('POST', '/rest/api/3/search/jql', {
      jql,
      fields: ['labels'],
      reconcileIssues: [10000],
    });
    expect(reconciled.body.issues.map((i: any) => i.key)).toEqual(['SEC-1']);
    clock = new Date(clock.getTime() + 5000);
    expect(searchJql(jql).body.issues.map((i: any) => i.key)).toEqual(['SEC-1']);
    expect(searchJql('project = "SEC" AND description ~ "3f2a"').body.issues).toEqual([]);
  });

  it('labelsNotOnCreateScreen: refuses a create that sets labels, and lists no labels on the create screen', () => {
    jira = createJiraFake({
      email: EMAIL,
      token: TOKEN,
      now: () => clock,
      state,
      behaviours: { labelsNotOnCreateScreen: true },
    });
    expect(create()).toMatchObject({
      status: 400,
      body: {
        errorMessages: [],
        errors: { labels: "Field 'labels' cannot be set. It is not on the appropriate screen, or unknown." },
      },
    });
    expect(state.issues).toEqual([]);
    expect(create({ labels: undefined }).status).toBe(201);
    const meta = call('GET', '/rest/api/3/issue/createmeta/SEC/issuetypes/1').body;
    expect(meta.fields.map((f: any) => f.fieldId)).not.toContain('labels');
    expect(
      createJiraFake({ email: EMAIL, token: TOKEN, now: () => clock })({
        method: 'GET',
        path: '/rest/api/2/issue/createmeta/SEC/issuetypes/1',
        query: new URLSearchParams(),
        headers: { authorization: BASIC },
        baseUrl: 'http://127.0.0.1:1/jira',
      }).body,
    ).toContain('"fieldId":"labels"');
  });

  it('resolutionRequiredOnClose: Done asks for a Resolution on its screen, refuses a close without one, and Reopen clears it', () => {
    jira = createJiraFake({
      email: EMAIL,
      token: TOKEN,
      now: () => clock,
      state,
      behaviours: { resolutionRequiredOnClose: true },
    });
    create();
    const transitions = call('GET', '/rest/api/3/issue/SEC-1/transitions', undefined, {
      expand: 'transitions.fields',
    }).body.transitions;
    const done = transitions.find((t: any) => t.name === 'Done');
    expect(done.fields.resolution).toMatchObject({ required: true, hasDefaultValue: false });
    expect(done.fields.resolution.allowedValues.map((v: any) => v.name)).toEqual(['Done', "Won't Do"]);
    expect(call('POST', '/rest/api/3/issue/SEC-1/transitions', { transition: { id: '31' } })).toMatchObject({
      status: 400,
      body: { errors: { resolution: 'Resolution is required.' } },
    });
    expect(
      call('POST', '/rest/api/3/issue/SEC-1/transitions', {
        transition: { id: '31' },
        fields: { resolution: { name: 'Done' } },
      }).status,
    ).toBe(204);
    expect(state.issue('SEC-1')).toMatchObject({ status: 'Done', resolution: 'Done' });
    expect(call('POST', '/rest/api/3/issue/SEC-1/transitions', { transition: { id: '41' } }).status).toBe(
      204,
    );
    expect(state.issue('SEC-1')).toMatchObject({ status: 'To Do', resolution: null });
  });
});
