/** Contract tests of the GitLab issues tracker on the real samples. */
import nock from 'nock';
import { isUpstreamError, UpstreamError } from '@audit-hub/http';
import { BASE, connect, TOKEN, tracker } from './context';
import { fixture, parsed, sample } from './samples';

const JSON_HEADERS = { 'Content-Type': 'application/json' };
const MARKER = '3f2a9c01d4e5b677';
const LABEL = `audit-hub::${MARKER}`;
const PROJECT = '/api/v4/projects/my-group%2Fmy-project';
const MARKER_LINE = `<!-- audit-hub:dedupe-marker ${MARKER} -->`;
const BY_LABEL = { labels: LABEL, state: 'all', order_by: 'created_at', sort: 'asc', per_page: '1' };
const BY_DESCRIPTION = {
  search: MARKER,
  in: 'description',
  state: 'all',
  order_by: 'created_at',
  sort: 'asc',
  per_page: '20',
};

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function gitlab(): nock.Scope {
  return nock(BASE, { reqheaders: { 'private-token': TOKEN } });
}

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (err) {
    if (isUpstreamError(err)) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

const TICKET = {
  marker: MARKER,
  title: 'RM-CHG-001 Unlinked production deployment: gitlab:acme/payments-api#1042',
  body: '## What was found\nNo change linked.',
  labels: ['audit-hub', 'RM-CHG-001', 'severity high', 'a,b'],
};

describe('gitlab-issues tracker (contract)', () => {
  it('creates an issue with the marker as a label and as the last line of its description, and keys it by its full reference', async () => {
    const scope = gitlab()
      .post(`${PROJECT}/issues`, {
        title: TICKET.title,
        description: `${TICKET.body}\n\n${MARKER_LINE}`,
        labels: `${LABEL},compliance,audit-hub,RM-CHG-001,severity high,a b`,
      })
      .reply(201, fixture('issues-create-labelled.json'), JSON_HEADERS);

    const ref = await (
      await tracker({ project: 'my-group/my-project', labels: ['compliance'] })
    ).createTicket(TICKET);
    scope.done();
    expect(ref).toEqual({
      key: 'my-group/my-project#14',
      url: 'http://example.com/my-group/my-project/issues/14',
      state: 'open',
    });
  });

  it('finds the oldest issue with the marker, opened or closed', async () => {
    const scope = gitlab()
      .get(`${PROJECT}/issues`)
      .query(BY_LABEL)
      .reply(200, `[${sample('issues-update-close.json')}]`, JSON_HEADERS);

    expect(await (await tracker()).findTicket(MARKER)).toEqual({
      key: 'my-group/my-project#15',
      url: 'http://example.com/my-group/my-project/issues/15',
      state: 'closed',
    });
    scope.done();
  });

  it('answers null when no issue carries the marker, by label or in its description', async () => {
    const scope = gitlab()
      .get(`${PROJECT}/issues`)
      .query(BY_LABEL)
      .reply(200, '[]', JSON_HEADERS)
      .get(`${PROJECT}/issues`)
      .query(BY_DESCRIPTION)
      .reply(200, '[]', JSON_HEADERS);
    expect(await (await tracker()).findTicket(MARKER)).toBeNull();
    scope.done();
  });

  it('when GitLab dropped the labels of a create (a Guest token), finds the ticket by its description and files it once', async () => {
    // IssuableBaseService#filter_params drops `labels` without an error: the answer has none.
    const scope = gitlab()
      .post(`${PROJECT}/issues`)
      .reply(201, fixture('issues-create-labels-dropped.json'), JSON_HEADERS)
      .get(`${PROJECT}/issues`)
      .query(BY_DESCRIPTION)
      .reply(200, fixture('issues-search-description.json'), JSON_HEADERS)
      // The next run's search: no label, but the description's marker line finds it (not #13, which only quotes it).
      .get(`${PROJECT}/issues`)
      .query(BY_LABEL)
      .reply(200, '[]', JSON_HEADERS)
      .get(`${PROJECT}/issues`)
      .query(BY_DESCRIPTION)
      .reply(200, fixture('issues-search-description.json'), JSON_HEADERS);

    const t = await tracker();
    const created = await t.createTicket(TICKET);
    expect(created.key).toBe('my-group/my-project#14');
    expect(await t.findTicket(MARKER)).toEqual(created);
    scope.done();
  });

  it('fails loudly, naming the fix, when GitLab kept the marker nowhere it can be found again', async () => {
    const scope = gitlab().post(`${PROJECT}/issues`).reply(201, sample('issues-create.json'), JSON_HEADERS);

    const err = await failure((await tracker()).createTicket(TICKET));
    scope.done();
    expect(err).toMatchObject({ code: 'client', retryable: false });
    expect(err.message).toContain(
      'issue my-group/my-project#14 was created, but GitLab kept neither its marker label',
    );
    expect(err.message).toContain('Reporter role');
  });

  it('keeps the marker line when it replaces a description', async () => {
    const scope = gitlab()
      .get(`${PROJECT}/issues/14`)
      .reply(200, fixture('issues-create-labels-dropped.json'), JSON_HEADERS)
      .put(`${PROJECT}/issues/14`, { description: `New text.\n\n${MARKER_LINE}` })
      .reply(200, fixture('issues-create-labels-dropped.json'), JSON_HEADERS);

    await (await tracker()).updateTicket('my-group/my-project#14', { body: 'New text.' });
    scope.done();
  });

  it('notes first, then closes with state_event=close', async () => {
    const scope = gitlab()
      .post(`${PROJECT}/issues/15/notes`, { body: 'Resolved by run r-2.' })
      .reply(201, fixture('notes-create.json'), JSON_HEADERS)
      .put(`${PROJECT}/issues/15`)
      .query({ state_event: 'close' })
      .reply(200, sample('issues-update-close.json'), JSON_HEADERS);

    await (await tracker()).closeTicket('my-group/my-project#15', 'Resolved by run r-2.');
    scope.done();
  });

  it('reopens with state_event=reopen, then notes', async () => {
    // The docs show the edit answer for a close only; a reopen answers the same issue, opened again.
    const reopened = {
      ...parsed(sample('issues-update-close.json')),
      state: 'opened',
      closed_at: null,
      closed_by: null,
    };
    const scope = gitlab()
      .put(`${PROJECT}/issues/15`)
      .query({ state_event: 'reopen' })
      .reply(200, JSON.stringify(reopened), JSON_HEADERS)
      .post(`${PROJECT}/issues/15/notes`, { body: 'Seen again by run r-3.' })
      .reply(201, fixture('notes-create.json'), JSON_HEADERS);

    await (await tracker()).reopenTicket('my-group/my-project#15', 'Seen again by run r-3.');
    scope.done();
  });

  it("names GitLab's validation message on a refused create, and never retries it", async () => {
    const scope = gitlab()
      .post(`${PROJECT}/issues`)
      .reply(400, sample('error-400-validation.json'), JSON_HEADERS);

    const err = await failure((await tracker()).createTicket(TICKET));
    scope.done();
    expect(err).toMatchObject({ code: 'client', status: 400, retryable: false });
    expect(err.message).toContain('bio: is too long (maximum is 255 characters)');
  });

  it('leaves a create that met a 503 to the hub (retryable, not retried here), and never prints the token', async () => {
    const scope = gitlab()
      .post(`${PROJECT}/issues`)
      .reply(503, `{"message":"503 Service Unavailable for token ${TOKEN}"}`, JSON_HEADERS);

    const err = await failure((await tracker()).createTicket(TICKET));
    scope.done();
    expect(err).toMatchObject({ code: 'server', retryable: true });
    expect(JSON.stringify({ message: err.message, err })).not.toContain(TOKEN);
  });

  it('refuses a key that is no issue reference', async () => {
    await expect((await tracker()).comment('my-group/my-project', 'x')).rejects.toThrow(
      /not an issue reference/,
    );
  });
});

describe('gitlab-issues connection check (contract)', () => {
  it('names the user and the project, and whether the token may label what it files', async () => {
    const scope = gitlab()
      .get('/api/v4/user')
      .reply(200, fixture('user-get.json'), JSON_HEADERS)
      .get('/api/v4/projects/diaspora%2Fdiaspora-client')
      .reply(200, fixture('project-get-reporter.json'), JSON_HEADERS);

    expect(await (await connect({ project: 'diaspora/diaspora-client' })).check()).toEqual([
      { name: 'credentials', ok: true, detail: 'authenticated as @john_smith' },
      { name: 'project:diaspora/diaspora-client', ok: true, detail: 'visible as diaspora/diaspora-client' },
      {
        name: 'labels:diaspora/diaspora-client',
        ok: true,
        detail: 'the token may label the issues it files',
      },
    ]);
    scope.done();
  });

  it("warns that a Guest's labels would be dropped, with the fix", async () => {
    const scope = gitlab()
      .get('/api/v4/user')
      .reply(200, fixture('user-get.json'), JSON_HEADERS)
      .get('/api/v4/projects/diaspora%2Fdiaspora-client')
      .reply(200, fixture('project-get-guest.json'), JSON_HEADERS);

    const results = await (await connect({ project: 'diaspora/diaspora-client' })).check();
    scope.done();
    expect(results[2]).toEqual({
      name: 'labels:diaspora/diaspora-client',
      ok: false,
      severity: 'warn',
      detail: expect.stringContaining(
        'is a Guest of diaspora/diaspora-client: GitLab files its issues but drops their labels',
      ),
      fix: "the Reporter role (or Planner) on diaspora/diaspora-client for the token's user",
    });
  });

  it('says the project is missing or hidden', async () => {
    const scope = gitlab()
      .get('/api/v4/user')
      .reply(200, fixture('user-get.json'), JSON_HEADERS)
      .get('/api/v4/projects/acme%2Fgone')
      .reply(404, '{"message":"404 Project Not Found"}', JSON_HEADERS);

    const results = await (await connect({ project: 'acme/gone' })).check();
    scope.done();
    expect(results[1]).toEqual({
      name: 'project:acme/gone',
      ok: false,
      detail: expect.stringMatching(
        /^project not found, or not visible to the token \(.*404 Project Not Found\)$/,
      ),
    });
  });
});
